//! Reading policies out of Terraform plans and CloudFormation templates: the fixtures in
//! `tests/iac/` and `policies/sse-kms/`, a broken value for every resource type, errors and
//! hostile input.
#![cfg(feature = "iac")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use iam_eval::iac::{
    read_cloudformation, read_path, read_terraform_plan, read_text, Cause, Extraction, Found,
    IacErrorKind, Options, Origin, PolicyRef, Position, TemplateFormat,
};
use iam_eval::{Policy, PolicyKind};
use serde_json::{json, Value};

fn ids(x: &Extraction) -> Vec<String> {
    x.found.iter().map(Found::id).collect()
}

fn unresolved(x: &Extraction) -> Vec<(String, String, String)> {
    x.found
        .iter()
        .flat_map(|f| {
            f.unresolved
                .iter()
                .map(move |u| (f.locator.to_string(), u.path.clone(), u.what.clone()))
        })
        .collect()
}

fn json_of(f: &Found) -> Value {
    serde_json::from_str(&f.policy_json).unwrap()
}

fn pos(line: usize, column: usize) -> Option<Position> {
    Some(Position { line, column })
}

fn policy_ids(list: &[&Found]) -> Vec<String> {
    list.iter().map(|f| f.id()).collect()
}

fn boundary_id(b: Option<PolicyRef<'_>>) -> Option<String> {
    b.map(|b| match b {
        PolicyRef::Found(f) => f.id(),
        PolicyRef::Arn(a) => a.to_string(),
        _ => unreachable!(),
    })
}

#[test]
fn terraform_plan_modules_instances_data_sources_and_unknowns() {
    let x = read_path("tests/iac/terraform/plan.json", &Options::new()).unwrap();
    assert_eq!(x.source.as_deref(), Some("tests/iac/terraform/plan.json"));
    assert_eq!(
        ids(&x),
        [
            "aws_iam_policy.boundary#policy",
            "aws_iam_policy.readonly#policy",
            "aws_iam_role.ci#assume_role_policy",
            "aws_s3_bucket_policy.uploads#policy",
            "data.aws_iam_policy_document.deferred#json",
            "module.app.aws_iam_policy.shared#policy",
            "module.app.aws_iam_role.this[\"web\"]#assume_role_policy",
            "module.app.aws_iam_role.this[\"web\"]#inline_policy[0].policy",
            "module.app.aws_iam_role.this[\"worker\"]#assume_role_policy",
            "module.app.aws_iam_role_policy.extra[\"web\"]#policy",
            "module.app.aws_kms_key.data#policy",
            "module.app.aws_organizations_policy.deny_regions#content",
            "module.app.module.alerts.aws_sns_topic_policy.this#policy",
            "data.aws_iam_policy_document.ci_assume#json",
        ]
    );
    let kinds: Vec<PolicyKind> = x.found.iter().map(|f| f.kind).collect();
    use PolicyKind::{Identity as I, Resource as R, Scp};
    assert_eq!(kinds, [I, I, R, R, I, I, R, I, R, I, R, Scp, R, R]);
    let attached: Vec<Vec<String>> = x.found.iter().map(|f| f.attached_to.clone()).collect();
    let web = "module.app.aws_iam_role.this[\"web\"]";
    let worker = "module.app.aws_iam_role.this[\"worker\"]";
    assert_eq!(
        attached,
        [
            vec!["aws_iam_role.ci"],
            vec!["aws_iam_role.ci"],
            vec!["aws_iam_role.ci"],
            vec!["aws_s3_bucket.uploads"],
            vec![],
            vec![web],
            vec![web],
            vec![web],
            vec![worker],
            vec![web],
            vec!["module.app.aws_kms_key.data"],
            vec![],
            vec!["module.app.module.alerts.aws_sns_topic.this"],
            vec!["aws_iam_role.ci"],
        ]
    );
    // Trust policies name their role; the data source read while planning is in prior_state.
    let ci_trust = x.get("aws_iam_role.ci#assume_role_policy").unwrap();
    assert_eq!(ci_trust.trust_policy_of.as_deref(), Some("aws_iam_role.ci"));
    let doc = x
        .get("data.aws_iam_policy_document.ci_assume#json")
        .unwrap();
    assert_eq!(doc.origin, Origin::PriorState);
    assert_eq!(doc.policy_json, ci_trust.policy_json);
    assert_eq!(
        x.get("data.aws_iam_policy_document.deferred#json")
            .unwrap()
            .origin,
        Origin::PlannedValues
    );
    assert_eq!(
        x.get("aws_iam_policy.readonly#policy")
            .unwrap()
            .name
            .as_deref(),
        Some("readonly")
    );
    // Positions of the policy strings in the file.
    assert_eq!(
        x.get("aws_iam_policy.readonly#policy").unwrap().position,
        pos(36, 23)
    );
    assert_eq!(
        x.get(&format!("{web}#inline_policy[0].policy"))
            .unwrap()
            .position,
        pos(157, 31)
    );
    // Values unknown until apply: reported with address and attribute, never dropped.
    assert_eq!(
        unresolved(&x),
        [
            (
                "aws_s3_bucket_policy.uploads".into(),
                "policy".into(),
                "aws_s3_bucket_policy.uploads.policy".into()
            ),
            (
                "data.aws_iam_policy_document.deferred".into(),
                "json".into(),
                "data.aws_iam_policy_document.deferred.json".into()
            ),
        ]
    );
    let unknown = x.get("aws_s3_bucket_policy.uploads#policy").unwrap();
    assert_eq!(unknown.unresolved[0].cause, Cause::UnknownUntilApply);
    assert_eq!(
        unknown.policy().unwrap_err().kind(),
        IacErrorKind::Unresolved
    );
    assert!(unknown
        .policy_json
        .contains("<unresolved: aws_s3_bucket_policy.uploads.policy>"));
    // A tag policy is not an IAM policy: skipped, and said so.
    assert_eq!(x.skipped.len(), 1);
    assert_eq!(
        x.skipped[0].locator.as_str(),
        "module.app.aws_organizations_policy.tags"
    );
    assert!(x.skipped[0].reason.contains("`TAG_POLICY`"));
    assert!(x.problems.is_empty());
    // Every known policy parses.
    for f in x.found.iter().filter(|f| f.unresolved.is_empty()) {
        f.policy().unwrap();
    }
}

#[test]
fn terraform_policies_in_force_for_roles() {
    let x = read_path("tests/iac/terraform/plan.json", &Options::new()).unwrap();
    // Attachment and boundary ARNs are unknown until apply: linked through the
    // configuration's references.
    let ci = x.in_force_for("aws_iam_role.ci").unwrap();
    assert_eq!(policy_ids(&ci.identity), ["aws_iam_policy.readonly#policy"]);
    assert_eq!(
        boundary_id(ci.boundary).as_deref(),
        Some("aws_iam_policy.boundary#policy")
    );
    assert_eq!(
        ci.trust_policy.unwrap().id(),
        "aws_iam_role.ci#assume_role_policy"
    );
    assert!(ci.external.is_empty() && ci.unresolved.is_empty());
    let web = x
        .in_force_for("module.app.aws_iam_role.this[\"web\"]")
        .unwrap();
    assert_eq!(
        policy_ids(&web.identity),
        [
            "module.app.aws_iam_role.this[\"web\"]#inline_policy[0].policy",
            "module.app.aws_iam_role_policy.extra[\"web\"]#policy",
            "module.app.aws_iam_policy.shared#policy",
        ]
    );
    assert!(web.boundary.is_none());
    let worker = x
        .in_force_for("module.app.aws_iam_role.this[\"worker\"]")
        .unwrap();
    assert!(worker.identity.is_empty());
    assert_eq!(
        worker.external,
        ["arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"]
    );
    let err = x.in_force_for("aws_iam_role.nope").unwrap_err();
    assert_eq!(err.kind(), IacErrorKind::NotFound);
    assert_eq!(
        err.to_string(),
        "no role or user `aws_iam_role.nope` in the file"
    );
    assert!(err.help().unwrap().contains("`aws_iam_role.ci`"));
}

#[test]
fn terraform_supplied_values_fill_the_unknowns() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::example-uploads/*"}]}"#;
    let options = Options::new()
        .supply("aws_s3_bucket_policy.uploads.policy", policy)
        .supply("data.aws_iam_policy_document.deferred.json", policy);
    let text = std::fs::read_to_string("tests/iac/terraform/plan.json").unwrap();
    let x = read_terraform_plan(&text, &options).unwrap();
    assert!(unresolved(&x).is_empty());
    let p = x.get("aws_s3_bucket_policy.uploads#policy").unwrap();
    assert_eq!(p.policy().unwrap(), Policy::parse(policy).unwrap());
}

fn intrinsics(options: &Options) -> Extraction {
    read_path("tests/iac/cloudformation/intrinsics.yaml", options).unwrap()
}

#[test]
fn cloudformation_yaml_every_intrinsic() {
    let x = intrinsics(&Options::new());
    assert_eq!(
        ids(&x),
        [
            "UploadsBucketPolicy#Properties.PolicyDocument",
            "AppRole#Properties.AssumeRolePolicyDocument",
            "AppRole#Properties.Policies[0].PolicyDocument",
            "AppRole#Properties.Policies[1].PolicyDocument",
            "AppRole#Properties.Policies[2].PolicyDocument",
            "SharedPolicy#Properties.PolicyDocument",
            "DataKey#Properties.KeyPolicy",
            "RegionGuard#Properties.Content",
            "JobsQueuePolicy#Properties.PolicyDocument",
            "AlertsTopicPolicy#Properties.PolicyDocument",
            "Uploaders#Properties.Policies[0].PolicyDocument",
            "AppRoleExtra#Properties.PolicyDocument",
        ]
    );
    use PolicyKind::{Identity as I, Resource as R, Scp};
    let kinds: Vec<PolicyKind> = x.found.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [R, R, I, I, I, I, R, Scp, R, R, I, I]);
    let attached: Vec<Vec<String>> = x.found.iter().map(|f| f.attached_to.clone()).collect();
    assert_eq!(
        attached,
        [
            vec!["UploadsBucket"],
            vec!["AppRole"],
            vec!["AppRole"],
            vec!["AppRole"],
            vec!["AppRole"],
            vec!["AppRole"],
            vec!["DataKey"],
            vec!["ou-abcd-11111111"],
            vec!["JobsQueue"],
            vec!["AlertsTopic"],
            vec!["Uploaders"],
            vec!["AppRole"],
        ]
    );
    let positions: Vec<Option<Position>> = x.found.iter().map(|f| f.position).collect();
    assert_eq!(
        positions,
        [
            pos(40, 9),
            pos(71, 9),
            pos(82, 13),
            pos(89, 13),
            pos(103, 27),
            pos(121, 9),
            pos(136, 9),
            pos(157, 16),
            pos(173, 9),
            pos(195, 23),
            pos(203, 13),
            pos(219, 9),
        ]
    );
    assert_eq!(
        x.get("AppRole#Properties.AssumeRolePolicyDocument")
            .unwrap()
            .trust_policy_of
            .as_deref(),
        Some("AppRole")
    );
    // Everything that cannot be resolved, with logical id, path and what would resolve it.
    let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        unresolved(&x),
        [
            s("UploadsBucketPolicy", "Properties.PolicyDocument.Statement[2].Condition.StringNotEquals.s3:x-amz-server-side-encryption-aws-kms-key-id", "GetAtt DataKey.Arn"),
            s("AppRole", "Properties.Policies[1].PolicyDocument.Statement[0].Condition.StringEquals.ec2:AvailabilityZone[0]", "GetAZs us-east-1"),
            s("AppRole", "Properties.Policies[1].PolicyDocument.Statement[0].Condition.StringEquals.ec2:AvailabilityZone[1]", "GetAZs us-east-1"),
            s("AppRole", "Properties.Policies[2].PolicyDocument", "Condition HasAuditRole"),
            s("SharedPolicy", "Properties.PolicyDocument.Statement[0].Resource[0]", "ImportValue shared-table-arn"),
        ]
    );
    let causes: Vec<Cause> = x
        .found
        .iter()
        .flat_map(|f| f.unresolved.iter().map(|u| u.cause))
        .collect();
    assert_eq!(
        causes,
        [
            Cause::GeneratedAtDeploy,
            Cause::AvailabilityZones,
            Cause::AvailabilityZones,
            Cause::Condition,
            Cause::Import
        ]
    );
    let audit = &x
        .get("AppRole#Properties.Policies[2].PolicyDocument")
        .unwrap()
        .unresolved[0];
    assert_eq!(
        audit.reason,
        "the condition `HasAuditRole` depends on `Ref AuditRoleName`: the parameter `AuditRoleName` has no default and no value was given"
    );
    // Placeholders stand where the values were.
    let bucket = json_of(
        x.get("UploadsBucketPolicy#Properties.PolicyDocument")
            .unwrap(),
    );
    assert_eq!(
        bucket["Statement"][2]["Condition"]["StringNotEquals"]
            ["s3:x-amz-server-side-encryption-aws-kms-key-id"],
        "<unresolved: GetAtt DataKey.Arn>"
    );
    // Resolved values: GetAtt (both forms), Join, Split of a list parameter, Sub with
    // variables, Sub of a resource attribute.
    assert_eq!(
        bucket["Statement"][0]["Resource"],
        json!([
            "arn:aws:s3:::example-uploads",
            "arn:aws:s3:::example-uploads/*"
        ])
    );
    assert_eq!(
        bucket["Statement"][1]["Principal"]["AWS"],
        json!(["111122223333", "444455556666"])
    );
    assert_eq!(
        bucket["Statement"][1]["Resource"],
        "arn:aws:s3:::example-uploads/shared/*"
    );
    assert_eq!(
        bucket["Statement"][2]["Resource"],
        "arn:aws:s3:::example-uploads/*"
    );
    // If (both forms, with AWS::NoValue removing an item).
    let trust = json_of(
        x.get("AppRole#Properties.AssumeRolePolicyDocument")
            .unwrap(),
    );
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        json!(["ec2.amazonaws.com"])
    );
    let logs = json_of(
        x.get("AppRole#Properties.Policies[0].PolicyDocument")
            .unwrap(),
    );
    assert_eq!(logs["Statement"][0]["Action"], "logs:PutLogEvents");
    assert_eq!(
        logs["Statement"][0]["Resource"],
        "arn:aws:logs:us-east-1:123456789012:log-group:/app/prod:*"
    );
    // FindInMap (both forms), Select of Split.
    let regional = json_of(
        x.get("AppRole#Properties.Policies[1].PolicyDocument")
            .unwrap(),
    );
    assert_eq!(
        regional["Statement"][0]["Resource"],
        json!([
            "arn:aws:s3:::example-logs-use1/*",
            "arn:aws:s3:::example-logs-use1"
        ])
    );
    assert_eq!(
        regional["Statement"][0]["Condition"]["StringEquals"]["aws:RequestedRegion"],
        "us-east-1"
    );
    // Base64 (both forms), And/Or/Not/Condition in the long form.
    let shared = json_of(x.get("SharedPolicy#Properties.PolicyDocument").unwrap());
    assert_eq!(
        shared["Statement"][0]["Condition"]["StringEquals"]["s3:ExistingObjectTag/token"],
        "aGVsbG8="
    );
    assert_eq!(
        shared["Statement"][0]["Condition"]["StringEquals"]["s3:ExistingObjectTag/stack"],
        "aWFtLWV2YWwtc3RhY2s="
    );
    assert_eq!(
        shared["Statement"][0]["Resource"][1],
        "arn:aws:dynamodb:us-east-1:123456789012:table/prod"
    );
    // GetAtt of a role's Arn from RoleName (a Join) and Path; `${!Literal}`; URLSuffix.
    let key = json_of(x.get("DataKey#Properties.KeyPolicy").unwrap());
    assert_eq!(
        key["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::123456789012:root"
    );
    assert_eq!(
        key["Statement"][1]["Principal"]["AWS"],
        "arn:aws:iam::123456789012:role/service/app-prod"
    );
    assert_eq!(
        key["Statement"][1]["Condition"]["StringEquals"]["kms:ViaService"],
        "s3.us-east-1.amazonaws.com"
    );
    assert_eq!(
        key["Statement"][1]["Condition"]["StringLike"]["aws:PrincipalArn"],
        "arn:aws:iam::123456789012:role/${aws:username}"
    );
    // A policy given as JSON text, built with Sub.
    let scp = x.get("RegionGuard#Properties.Content").unwrap();
    assert!(scp
        .policy_json
        .contains(r#""aws:RequestedRegion":"us-east-1""#));
    // Queue URL and topic ARN from their names.
    let queue = json_of(x.get("JobsQueuePolicy#Properties.PolicyDocument").unwrap());
    assert_eq!(
        queue["Statement"][0]["Resource"],
        "arn:aws:sqs:us-east-1:123456789012:jobs"
    );
    assert_eq!(
        queue["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"],
        "arn:aws:sns:us-east-1:123456789012:alerts"
    );
    // A false resource condition and a tag policy are skipped, and said so.
    let skipped: Vec<&str> = x.skipped.iter().map(|s| s.locator.as_str()).collect();
    assert_eq!(skipped, ["TeamTags", "DevQueuePolicy"]);
    assert!(x.problems.is_empty());
    for f in x.found.iter().filter(|f| f.unresolved.is_empty()) {
        f.policy().unwrap();
    }
}

#[test]
fn cloudformation_policies_in_force() {
    let x = intrinsics(&Options::new());
    let app = x.in_force_for("AppRole").unwrap();
    assert_eq!(
        policy_ids(&app.identity),
        [
            "AppRole#Properties.Policies[0].PolicyDocument",
            "AppRole#Properties.Policies[1].PolicyDocument",
            "AppRole#Properties.Policies[2].PolicyDocument",
            "AppRoleExtra#Properties.PolicyDocument",
            "SharedPolicy#Properties.PolicyDocument",
        ]
    );
    assert_eq!(app.external, ["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    assert!(app.boundary.is_none());
    let links: Vec<(&str, &str)> = app
        .unresolved
        .iter()
        .map(|u| (u.path.as_str(), u.what.as_str()))
        .collect();
    assert_eq!(
        links,
        [(
            "AppRole.Properties.PermissionsBoundary",
            "ImportValue prod-boundary-arn"
        )]
    );
    // A user's groups' policies are in force for the user.
    let user = x.in_force_for("Uploader").unwrap();
    assert_eq!(
        policy_ids(&user.identity),
        ["Uploaders#Properties.Policies[0].PolicyDocument"]
    );
    assert!(user.trust_policy.is_none());
}

#[test]
fn cloudformation_supplied_values_resolve_everything() {
    let options = Options::new()
        .parameter("Environment", "dev")
        .parameter("AuditRoleName", "auditor")
        .supply(
            "GetAtt DataKey.Arn",
            "arn:aws:kms:us-east-1:123456789012:key/k1",
        )
        .supply("GetAZs us-east-1", "us-east-1a, us-east-1b")
        .supply(
            "ImportValue shared-table-arn",
            "arn:aws:dynamodb:us-east-1:123456789012:table/shared",
        )
        .supply(
            "ImportValue dev-boundary-arn",
            "arn:aws:iam::123456789012:policy/boundary",
        );
    let x = intrinsics(&options);
    assert!(unresolved(&x).is_empty(), "{:?}", unresolved(&x));
    for f in &x.found {
        f.policy().unwrap();
    }
    // Environment=dev flips every condition.
    let trust = json_of(
        x.get("AppRole#Properties.AssumeRolePolicyDocument")
            .unwrap(),
    );
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        json!(["lambda.amazonaws.com", "lambda.amazonaws.com"])
    );
    let logs = json_of(
        x.get("AppRole#Properties.Policies[0].PolicyDocument")
            .unwrap(),
    );
    assert_eq!(logs["Statement"][0]["Action"], "logs:PutLogEvents");
    let shared = json_of(x.get("SharedPolicy#Properties.PolicyDocument").unwrap());
    assert_eq!(
        shared["Statement"][0]["Resource"][1],
        "arn:aws:dynamodb:us-east-1:123456789012:table/other"
    );
    let audit = json_of(
        x.get("AppRole#Properties.Policies[2].PolicyDocument")
            .unwrap(),
    );
    assert_eq!(
        audit["Statement"][0]["Resource"],
        "arn:aws:iam::123456789012:role/auditor"
    );
    let regional = json_of(
        x.get("AppRole#Properties.Policies[1].PolicyDocument")
            .unwrap(),
    );
    assert_eq!(
        regional["Statement"][0]["Condition"]["StringEquals"]["ec2:AvailabilityZone"],
        json!(["us-east-1a", "us-east-1b"])
    );
    assert_eq!(
        x.skipped
            .iter()
            .map(|s| s.locator.as_str())
            .collect::<Vec<_>>(),
        ["TeamTags"]
    );
    let app = x.in_force_for("AppRole").unwrap();
    assert_eq!(
        boundary_id(app.boundary).as_deref(),
        Some("arn:aws:iam::123456789012:policy/boundary")
    );
    // A supplied condition wins over its expression.
    let x = intrinsics(&Options::new().supply("Condition HasAuditRole", "false"));
    assert_eq!(
        x.get("AppRole#Properties.Policies[2].PolicyDocument")
            .unwrap()
            .policy_json,
        "<unresolved: Ref AWS::NoValue>"
    );
}

#[test]
fn cdk_output() {
    let x = read_path("tests/iac/cdk/AppStack.template.json", &Options::new()).unwrap();
    assert_eq!(x.format, iam_eval::iac::Format::CloudFormationJson);
    assert_eq!(
        ids(&x),
        [
            "UploadsBucketPolicy6E8F9A0B#Properties.PolicyDocument",
            "HandlerServiceRole5C8D4E2F#Properties.AssumeRolePolicyDocument",
            "HandlerServiceRoleDefaultPolicy7A9B1C3D#Properties.PolicyDocument",
            "DataKey1F2E3D4C#Properties.KeyPolicy",
        ]
    );
    let positions: Vec<Option<Position>> = x.found.iter().map(|f| f.position).collect();
    assert_eq!(
        positions,
        [pos(20, 27), pos(67, 37), pos(101, 27), pos(159, 22)]
    );
    let bucket = json_of(&x.found[0]);
    assert_eq!(
        bucket["Statement"][0]["Resource"],
        json!(["arn:aws:s3:::app-uploads", "arn:aws:s3:::app-uploads/*"])
    );
    let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        unresolved(&x),
        [s(
            "HandlerServiceRoleDefaultPolicy7A9B1C3D",
            "Properties.PolicyDocument.Statement[1].Resource",
            "GetAtt DataKey1F2E3D4C.Arn"
        )]
    );
    let role = x.in_force_for("HandlerServiceRole5C8D4E2F").unwrap();
    assert_eq!(
        policy_ids(&role.identity),
        ["HandlerServiceRoleDefaultPolicy7A9B1C3D#Properties.PolicyDocument"]
    );
    assert_eq!(
        role.external,
        ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    );
    let key = json_of(&x.found[3]);
    assert_eq!(
        key["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::123456789012:root"
    );
}

fn sse_kms_expectations(x: &Extraction, bucket_policy: &str, identity: &str, role: &str) {
    let expected_bucket =
        Policy::parse(&std::fs::read_to_string("policies/sse-kms/bucket-policy.json").unwrap())
            .unwrap();
    let expected_identity =
        Policy::parse(&std::fs::read_to_string("policies/sse-kms/uploader-identity.json").unwrap())
            .unwrap();
    let found = x.get(bucket_policy).unwrap();
    assert_eq!(found.kind, PolicyKind::Resource);
    assert_eq!(found.policy().unwrap(), expected_bucket);
    let in_force = x.in_force_for(role).unwrap();
    assert_eq!(policy_ids(&in_force.identity), [identity]);
    assert_eq!(in_force.identity[0].policy().unwrap(), expected_identity);
    assert!(x.is_complete());
}

#[test]
fn sse_kms_scenario_as_terraform_plan() {
    let x = read_path("policies/sse-kms/terraform/plan.json", &Options::new()).unwrap();
    assert_eq!(x.format, iam_eval::iac::Format::TerraformPlan);
    sse_kms_expectations(
        &x,
        "aws_s3_bucket_policy.require_sse_kms#policy",
        "aws_iam_role_policy.uploader#policy",
        "aws_iam_role.uploader",
    );
    assert_eq!(
        x.get("aws_s3_bucket_policy.require_sse_kms#policy")
            .unwrap()
            .attached_to,
        ["aws_s3_bucket.example"]
    );
}

#[test]
fn sse_kms_scenario_as_cloudformation_template() {
    let x = read_path(
        "policies/sse-kms/cloudformation/template.yaml",
        &Options::new().account_id("111122223333"),
    )
    .unwrap();
    assert_eq!(x.format, iam_eval::iac::Format::CloudFormationYaml);
    sse_kms_expectations(
        &x,
        "ExampleBucketPolicy#Properties.PolicyDocument",
        "UploaderRole#Properties.Policies[0].PolicyDocument",
        "UploaderRole",
    );
    let trust = json_of(
        x.get("UploaderRole#Properties.AssumeRolePolicyDocument")
            .unwrap(),
    );
    assert_eq!(
        trust["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::111122223333:root"
    );
}
