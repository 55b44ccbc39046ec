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

/// A template with one resource of `ty` whose policy property holds `policy`.
fn template_with(ty: &str, property: &str, policy: &str, extra: &str) -> String {
    format!(
        "Resources:\n  Subject:\n    Type: {ty}\n    Properties:\n{extra}      {property}: {policy}\n"
    )
}

const CFN_CASES: [(&str, &str, &str); 10] = [
    ("AWS::IAM::Role", "AssumeRolePolicyDocument", ""),
    (
        "AWS::IAM::Policy",
        "PolicyDocument",
        "      PolicyName: p\n",
    ),
    ("AWS::IAM::ManagedPolicy", "PolicyDocument", ""),
    (
        "AWS::IAM::RolePolicy",
        "PolicyDocument",
        "      RoleName: r\n",
    ),
    (
        "AWS::IAM::UserPolicy",
        "PolicyDocument",
        "      UserName: u\n",
    ),
    (
        "AWS::IAM::GroupPolicy",
        "PolicyDocument",
        "      GroupName: g\n",
    ),
    (
        "AWS::S3::BucketPolicy",
        "PolicyDocument",
        "      Bucket: b\n",
    ),
    ("AWS::KMS::Key", "KeyPolicy", ""),
    (
        "AWS::SQS::QueuePolicy",
        "PolicyDocument",
        "      Queues: [q]\n",
    ),
    (
        "AWS::SNS::TopicPolicy",
        "PolicyDocument",
        "      Topics: [t]\n",
    ),
];

#[test]
fn cloudformation_broken_values_are_reported_for_every_resource_type() {
    let mut cases: Vec<(String, String, String)> = CFN_CASES
        .iter()
        .map(|(t, p, e)| (t.to_string(), p.to_string(), e.to_string()))
        .collect();
    cases.push(("AWS::IAM::Role".into(), "Policies".into(), String::new()));
    cases.push((
        "AWS::Organizations::Policy".into(),
        "Content".into(),
        "      Type: SERVICE_CONTROL_POLICY\n".into(),
    ));
    cases.push((
        "AWS::Organizations::Policy".into(),
        "Content".into(),
        "      Type: RESOURCE_CONTROL_POLICY\n".into(),
    ));
    for (ty, property, extra) in &cases {
        let wrap = |doc: &str| {
            if property == "Policies" {
                format!("[{{PolicyName: inline, PolicyDocument: {doc}}}]")
            } else {
                doc.to_string()
            }
        };
        let attribute = if property == "Policies" {
            "Properties.Policies[0].PolicyDocument".to_string()
        } else {
            format!("Properties.{property}")
        };
        // Unresolvable: the policy is still returned, with the value flagged.
        let text = template_with(ty, property, &wrap("{Version: '2012-10-17', Statement: [{Effect: Allow, Action: '*', Resource: !GetAtt Missing.Arn}]}"), extra);
        let x = read_cloudformation(&text, TemplateFormat::Yaml, &Options::new()).unwrap();
        let f = x
            .get(&format!("Subject#{attribute}"))
            .unwrap_or_else(|| panic!("{ty}: {:?}", ids(&x)));
        assert_eq!(f.unresolved.len(), 1, "{ty}");
        assert_eq!(
            f.unresolved[0].path,
            format!("{attribute}.Statement[0].Resource"),
            "{ty}"
        );
        assert_eq!(f.unresolved[0].what, "GetAtt Missing.Arn", "{ty}");
        assert_eq!(f.unresolved[0].cause, Cause::UnknownReference, "{ty}");
        assert_eq!(
            f.policy().unwrap_err().kind(),
            IacErrorKind::Unresolved,
            "{ty}"
        );
        // Unparsable: a problem on the policy, not a skip.
        let text = template_with(
            ty,
            property,
            &wrap("'{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Maybe\"}]}'"),
            extra,
        );
        let x = read_cloudformation(&text, TemplateFormat::Detect, &Options::new()).unwrap();
        let f = x.get(&format!("Subject#{attribute}")).unwrap();
        assert!(f.unresolved.is_empty(), "{ty}");
        assert!(!f.problems.is_empty(), "{ty}");
        assert!(
            f.problems
                .iter()
                .any(|p| p.message.starts_with("the policy does not parse")),
            "{ty}: {:?}",
            f.problems
        );
        assert_eq!(
            f.policy().unwrap_err().kind(),
            IacErrorKind::InvalidPolicy,
            "{ty}"
        );
        // Missing: the template is reported, not silently empty.
        if property != "Policies" && ty != "AWS::KMS::Key" {
            let text = format!(
                "Resources:\n  Subject:\n    Type: {ty}\n    Properties:\n{extra}      Other: 1\n"
            );
            let x = read_cloudformation(&text, TemplateFormat::Yaml, &Options::new()).unwrap();
            assert!(x.found.is_empty(), "{ty}");
            assert_eq!(x.problems.len(), 1, "{ty}");
            assert_eq!(
                x.problems[0].message,
                format!("`Subject` ({ty}) has no `{property}`")
            );
        }
    }
}

#[test]
fn cloudformation_key_without_policy_gets_the_default_key_policy() {
    let text =
        "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: k\n";
    let x = read_cloudformation(
        text,
        TemplateFormat::Yaml,
        &Options::new().account_id("111122223333"),
    )
    .unwrap();
    let f = x.get("Key#Properties.KeyPolicy").unwrap();
    // The key resource's mapping starts at its first key.
    assert_eq!(f.position, pos(3, 5));
    assert_eq!(
        json_of(f)["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::111122223333:root"
    );
    assert_eq!(x.problems.len(), 1);
    assert!(!x.is_complete());
}

#[test]
fn cloudformation_other_types_of_organizations_policy_and_unread_policies_are_skipped() {
    let text = "Resources:\n  Backup:\n    Type: AWS::Organizations::Policy\n    Properties:\n      Type: BACKUP_POLICY\n      Content: {}\n  Secret:\n    Type: AWS::SecretsManager::ResourcePolicy\n    Properties:\n      ResourcePolicy: {}\n";
    let x = read_cloudformation(text, TemplateFormat::Yaml, &Options::new()).unwrap();
    assert!(x.found.is_empty());
    let reasons: Vec<&str> = x.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "its type `BACKUP_POLICY` is not an IAM policy (only SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY are)",
            "its `ResourcePolicy` is a policy this reader does not return",
        ]
    );
}

#[test]
fn cloudformation_malformed_intrinsics_and_transforms_are_reported() {
    let text = r#"{"Transform": "AWS::Serverless-2016-10-31", "Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": {"Fn::Join": "x"}, "Resource": {"Fn::Cidr": ["10.0.0.0/16", 2, 8]}}]}}}}}"#;
    let x = read_text(text, None, &Options::new()).unwrap();
    assert_eq!(x.problems.len(), 1);
    assert!(x.problems[0]
        .message
        .contains("\"AWS::Serverless-2016-10-31\""));
    let causes: Vec<(String, Cause)> = x.found[0]
        .unresolved
        .iter()
        .map(|u| (u.what.clone(), u.cause))
        .collect();
    assert_eq!(
        causes,
        [
            ("Fn::Join".to_string(), Cause::InvalidIntrinsic),
            ("Fn::Cidr".to_string(), Cause::UnsupportedIntrinsic)
        ]
    );
}

/// A plan with one managed resource of `ty` with `values` and `after_unknown`.
fn plan_with(ty: &str, values: Value, after_unknown: Value) -> String {
    json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": format!("{ty}.subject"), "mode": "managed", "type": ty, "name": "subject", "values": values}
        ]}},
        "resource_changes": [
            {"address": format!("{ty}.subject"), "mode": "managed", "type": ty, "name": "subject",
             "change": {"actions": ["create"], "before": null, "after": {}, "after_unknown": after_unknown}}
        ]
    })
    .to_string()
}

#[test]
fn terraform_broken_values_are_reported_for_every_resource_type() {
    let cases = [
        ("aws_iam_policy", "policy", json!({"name": "p"})),
        ("aws_iam_role", "assume_role_policy", json!({"name": "r"})),
        ("aws_iam_role_policy", "policy", json!({"role": "r"})),
        ("aws_iam_user_policy", "policy", json!({"user": "u"})),
        ("aws_iam_group_policy", "policy", json!({"group": "g"})),
        ("aws_s3_bucket_policy", "policy", json!({"bucket": "b"})),
        ("aws_kms_key", "policy", json!({})),
        ("aws_kms_key_policy", "policy", json!({"key_id": "k"})),
        ("aws_sqs_queue_policy", "policy", json!({"queue_url": "q"})),
        ("aws_sns_topic_policy", "policy", json!({"arn": "t"})),
        (
            "aws_organizations_policy",
            "content",
            json!({"type": "SERVICE_CONTROL_POLICY"}),
        ),
        (
            "aws_organizations_policy",
            "content",
            json!({"type": "RESOURCE_CONTROL_POLICY"}),
        ),
    ];
    for (ty, attribute, base) in cases {
        let id = format!("{ty}.subject#{attribute}");
        let what = format!("{ty}.subject.{attribute}");
        // Unknown until apply.
        let x = read_terraform_plan(
            &plan_with(ty, base.clone(), json!({attribute: true})),
            &Options::new(),
        )
        .unwrap();
        let f = x.get(&id).unwrap_or_else(|| panic!("{ty}: {:?}", ids(&x)));
        assert_eq!(f.unresolved.len(), 1, "{ty}");
        assert_eq!(
            (f.unresolved[0].path.as_str(), f.unresolved[0].what.as_str()),
            (attribute, what.as_str()),
            "{ty}"
        );
        assert_eq!(f.unresolved[0].cause, Cause::UnknownUntilApply, "{ty}");
        // Absent from planned_values (and not unknown).
        if ty != "aws_kms_key" {
            let x = read_terraform_plan(&plan_with(ty, base.clone(), json!({})), &Options::new())
                .unwrap();
            let f = x.get(&id).unwrap();
            assert_eq!(f.unresolved[0].cause, Cause::AbsentFromPlan, "{ty}");
        }
        // Unparsable.
        let mut values = base.clone();
        values[attribute] =
            json!("{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Maybe\"}]");
        let x = read_terraform_plan(&plan_with(ty, values, json!({})), &Options::new()).unwrap();
        let f = x.get(&id).unwrap();
        assert!(f.unresolved.is_empty(), "{ty}");
        assert!(
            f.problems
                .iter()
                .any(|p| p.message.starts_with("the policy does not parse")),
            "{ty}"
        );
        assert_eq!(
            f.policy().unwrap_err().kind(),
            IacErrorKind::InvalidPolicy,
            "{ty}"
        );
    }
    // Inline policy blocks of a role and policy document data sources.
    let x = read_terraform_plan(
        &plan_with(
            "aws_iam_role",
            json!({"assume_role_policy": "{}", "inline_policy": [{"name": "a", "policy": "nope"}]}),
            json!({}),
        ),
        &Options::new(),
    )
    .unwrap();
    assert!(!x
        .get("aws_iam_role.subject#inline_policy[0].policy")
        .unwrap()
        .problems
        .is_empty());
}

#[test]
fn errors_say_what_and_where() {
    let o = Options::new();
    let err = read_text("{\"a\": 1,\n  }", Some("x.json"), &o).unwrap_err();
    assert_eq!(err.kind(), IacErrorKind::JsonSyntax);
    assert_eq!(
        (err.line(), err.column(), err.file()),
        (Some(1), Some(8), Some("x.json"))
    );
    assert_eq!(err.render(), "x.json:1:8: error: trailing comma before `}`");
    let err = read_text("Resources:\n  A: [1\n", Some("t.yaml"), &o).unwrap_err();
    assert_eq!(err.kind(), IacErrorKind::YamlSyntax);
    assert!(err.line().is_some());
    let err = read_text("{\"hello\": 1}", None, &o).unwrap_err();
    assert_eq!(err.kind(), IacErrorKind::NotRecognized);
    assert_eq!(
        err.to_string(),
        "the document is neither a Terraform plan nor a CloudFormation template"
    );
    assert!(err.help().is_some());
    let err =
        read_terraform_plan(r#"{"format_version": "2.0", "planned_values": {}}"#, &o).unwrap_err();
    assert_eq!(err.kind(), IacErrorKind::UnsupportedFormatVersion);
    let err = read_text(r#"{"format_version": "1.0", "values": {}}"#, None, &o).unwrap_err();
    assert_eq!(err.kind(), IacErrorKind::NotRecognized);
    assert!(err
        .help()
        .unwrap()
        .contains("terraform show -json PLANFILE"));
    let err = read_cloudformation("{\"Resources\": []}", TemplateFormat::Json, &o).unwrap_err();
    assert_eq!(err.kind(), IacErrorKind::Malformed);
    assert_eq!(err.to_string(), "the `Resources` section is not a mapping");
    let err = read_path("tests/iac/does-not-exist.json", &o).unwrap_err();
    assert_eq!(err.kind(), IacErrorKind::Io);
}

#[test]
fn hostile_input_is_answered_with_errors() {
    let o = Options::new();
    let deep_json = format!(
        "{{\"Resources\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(
        read_text(&deep_json, None, &o).unwrap_err().kind(),
        IacErrorKind::TooDeep
    );
    let deep_yaml = format!(
        "Resources: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    // The YAML parser has a nesting limit of its own, which may answer first.
    let kind = read_text(&deep_yaml, None, &o).unwrap_err().kind();
    assert!(
        matches!(kind, IacErrorKind::TooDeep | IacErrorKind::YamlSyntax),
        "{kind:?}"
    );
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = format!("*a{}", i - 1);
        bomb.push_str(&format!("a{i}: &a{i} [{}]\n", [p.as_str(); 9].join(", ")));
    }
    bomb.push_str("Resources: {}\n");
    assert_eq!(
        read_text(&bomb, Some("bomb.yaml"), &o).unwrap_err().kind(),
        IacErrorKind::TooLarge
    );
    // A huge string and a deep intrinsic chain are read, not choked on.
    let huge = format!("Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: {{Version: '2012-10-17', Statement: [{{Effect: Allow, Action: '*', Resource: '{}'}}]}}\n", "x".repeat(2_000_000));
    let x = read_text(&huge, None, &o).unwrap();
    assert_eq!(x.found.len(), 1);
    let mut chain = String::from("prod");
    for _ in 0..60 {
        chain = format!("{{\"Fn::Join\": [\"\", [{chain}]]}}");
    }
    let text = format!("{{\"Resources\": {{\"P\": {{\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {{\"PolicyDocument\": {{\"Statement\": {chain}}}}}}}}}}}").replace("[prod]", "[\"prod\"]");
    let x = read_text(&text, None, &o).unwrap();
    assert_eq!(x.found.len(), 1);
    // Conditions that refer to each other in a cycle are unresolved, not a hang.
    let cyclic = "Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: !If [A, {}, {}]\n";
    let x = read_text(cyclic, None, &o).unwrap();
    assert_eq!(x.found[0].unresolved[0].cause, Cause::InvalidIntrinsic);
    // Resources whose names refer to each other.
    let loop_ = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !GetAtt B.Arn\n  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: x\n      PolicyDocument: {Statement: [{Resource: !GetAtt B.Arn}]}\n";
    let x = read_text(loop_, None, &o).unwrap();
    assert_eq!(x.found[0].unresolved.len(), 1);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any text gets an answer: an extraction or an error, never a panic.
        #[test]
        fn any_text_is_answered(text in "[\\[\\]{}:,\"!&*a-zA-Z0-9 \\n-]{0,200}") {
            let _ = read_text(&text, None, &Options::new());
            let _ = read_text(&text, Some("t.yaml"), &Options::new());
            let _ = read_terraform_plan(&text, &Options::new());
        }

        /// Templates built from intrinsics with arbitrary arguments get an answer too.
        #[test]
        fn any_intrinsic_arguments_are_answered(
            function in prop::sample::select(vec!["Ref", "Fn::Sub", "Fn::GetAtt", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If", "Fn::FindInMap", "Fn::Base64", "Fn::GetAZs", "Fn::ImportValue", "Fn::Equals", "Fn::Length", "Fn::ToJsonString"]),
            arg in "[\\[\\]{}\",a-z0-9$!.:]{0,40}",
        ) {
            let text = format!("{{\"Resources\": {{\"P\": {{\"Type\": \"AWS::IAM::ManagedPolicy\", \"Properties\": {{\"PolicyDocument\": {{\"{function}\": {arg}}}}}}}}}}}");
            let _ = read_text(&text, None, &Options::new());
        }
    }
}

// ---------------------------------------------------------------------------------------
// Test files that name policies inside plans and templates

mod test_files {
    use iam_eval::{TestFile, TestFileErrorKind};
    use std::path::PathBuf;

    fn fixtures() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join("iac")
    }

    /// A test file placed in the fixtures folder, so its relative paths resolve there.
    fn load(text: &str) -> Result<TestFile, iam_eval::TestFileError> {
        TestFile::parse(text, "inline.test.json", Some(&fixtures()))
    }

    const UPLOAD: &str = r#""request": {"principal": "arn:aws:iam::111122223333:user/alice",
        "action": "s3:PutObject", "resource": "arn:aws:s3:::uploads/k"}"#;

    #[test]
    fn a_policy_unknown_until_apply_fails_the_file_with_the_list() {
        let text = format!(
            r#"{{"policies": [{{"terraform": "terraform/plan.json", "address": "aws_s3_bucket_policy.uploads"}}],
               "cases": [{{"name": "c", "expect": "implicit_deny", {UPLOAD}}}]}}"#
        );
        let err = load(&text).unwrap_err();
        assert_eq!(err.kind(), TestFileErrorKind::Format);
        assert!(
            err.message().contains("has values that are not known before deployment: `aws_s3_bucket_policy.uploads.policy` at `policy`"),
            "{err}"
        );
        assert!(err.help().unwrap().contains("\"values\""), "{err}");
    }

    #[test]
    fn a_supplied_value_completes_the_policy() {
        let policy = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::uploads/*\"}]}"#;
        let text = format!(
            r#"{{"policies": [
                 {{"kind": "identity", "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}]}}}},
                 {{"terraform": "terraform/plan.json", "address": "aws_s3_bucket_policy.uploads",
                   "values": {{"aws_s3_bucket_policy.uploads.policy": "{policy}"}}}}],
               "cases": [{{"name": "c", "expect": "explicit_deny", {UPLOAD}}}]}}"#
        );
        let file = load(&text).unwrap_or_else(|e| panic!("{e}"));
        let report = file.run();
        assert_eq!((report.passed(), report.failed()), (1, 0), "{report}");
    }

    #[test]
    fn the_source_must_be_of_the_kind_named() {
        let text = format!(
            r#"{{"policies": [{{"cloudformation": "terraform/plan.json", "logical_id": "X"}}],
               "cases": [{{"name": "c", "expect": "allow", {UPLOAD}}}]}}"#
        );
        let err = load(&text).unwrap_err();
        assert!(
            err.message()
                .contains("is a Terraform plan, not a CloudFormation template"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_address_lists_what_the_file_holds() {
        let text = format!(
            r#"{{"policies": [{{"terraform": "terraform/plan.json", "address": "aws_s3_bucket_policy.nope"}}],
               "cases": [{{"name": "c", "expect": "allow", {UPLOAD}}}]}}"#
        );
        let err = load(&text).unwrap_err();
        assert!(
            err.message()
                .contains("no policy at `aws_s3_bucket_policy.nope`"),
            "{err}"
        );
        assert!(
            err.help()
                .unwrap()
                .contains("aws_iam_policy.readonly#policy"),
            "{err}"
        );
    }

    #[test]
    fn a_role_brings_in_every_policy_in_force() {
        // aws_iam_role.ci: a managed policy, a boundary and a trust policy, all in the
        // plan.
        let text = r#"{"policies": [{"terraform": "terraform/plan.json", "principal": "aws_iam_role.ci"}],
               "cases": [{"name": "c", "expect": "implicit_deny", "request": {
                 "principal": "arn:aws:sts::111122223333:assumed-role/ci/run", "action": "iam:CreateUser",
                 "resource": "*"}}]}"#;
        let file = load(text).unwrap_or_else(|e| panic!("{e}"));
        let (_, trace) = file.policy_set().explain(file.cases()[0].request());
        let mut kinds: Vec<String> = trace.policies.iter().map(|p| p.kind.to_string()).collect();
        kinds.sort();
        assert_eq!(kinds, ["boundary", "identity", "resource"], "{trace}");
        let ids: Vec<&str> = trace.policies.iter().map(|p| &*p.id).collect();
        assert_eq!(ids, ["0.0", "0.1", "0.2"], "one entry, three policies");
    }

    #[test]
    fn lookup_fields_need_a_source() {
        let text = format!(
            r#"{{"policies": [{{"kind": "identity", "address": "aws_iam_policy.readonly", "document": {{"Statement": []}}}}],
               "cases": [{{"name": "c", "expect": "allow", {UPLOAD}}}]}}"#
        );
        let err = load(&text).unwrap_err();
        assert!(
            err.message()
                .contains("`address` goes with `terraform` or `cloudformation`"),
            "{err}"
        );
    }
}
