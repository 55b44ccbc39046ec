//! One case per lint: the finding's code, line, column and JSON path, and cases that
//! must stay silent.

use crate::{Lint, Policy, PolicyKind, Severity};

/// `(code, line, column, path)` of every finding.
fn found(src: &str) -> Vec<(String, usize, usize, String)> {
    found_as(src, None)
}

fn found_as(src: &str, kind: Option<PolicyKind>) -> Vec<(String, usize, usize, String)> {
    let p = Policy::parse(src).unwrap();
    let findings = match kind {
        Some(k) => p.lint_as(k),
        None => p.lint(),
    };
    findings
        .iter()
        .map(|f| {
            (
                f.code().to_string(),
                f.line(),
                f.column(),
                f.path().to_string(),
            )
        })
        .collect()
}

fn one(code: &str, line: usize, column: usize, path: &str) -> Vec<(String, usize, usize, String)> {
    vec![(code.to_string(), line, column, path.to_string())]
}

/// A policy with one statement whose body is `body`, starting on line 3.
fn statement(body: &str) -> String {
    format!("{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{{\n{body}\n  }}]\n}}")
}

#[test]
fn table_is_consistent() {
    for l in Lint::ALL {
        assert_eq!(Lint::from_code(l.code()), Some(*l));
        assert!(l.url().starts_with("https://docs.aws.amazon.com/"), "{l}");
        assert!(l
            .code()
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-'));
    }
    assert_eq!(Lint::WhitespaceInValue.severity(), Severity::Warning);
    assert!(Lint::VariableWithoutVersion.changes_meaning());
}

#[test]
fn whitespace_in_value() {
    let src = statement(
        "    \"Effect\": \"Allow\",\n    \"Action\": \"s3:GetObject \",\n    \"Resource\": \"*\",\n    \"Condition\": {\"StringEquals\": {\" aws:username\": \"bob\"}}",
    );
    assert_eq!(
        found(&src),
        vec![
            (
                "whitespace-in-value".into(),
                5,
                15,
                "Statement[0].Action".into()
            ),
            (
                "whitespace-in-value".into(),
                7,
                36,
                "Statement[0].Condition.StringEquals[\" aws:username\"]".into()
            ),
        ]
    );
    // A Sid is a name: nothing compares it.
    let sid = statement("    \"Sid\": \"a \",\n    \"Effect\": \"Deny\",\n    \"Action\": \"s3:GetObject\",\n    \"Resource\": \"*\"");
    assert_eq!(found(&sid), vec![]);
}

#[test]
fn whitespace_in_condition_value_is_a_silent_change() {
    let src = statement(
        "    \"Effect\": \"Deny\",\n    \"Action\": \"s3:PutObject\",\n    \"Resource\": \"*\",\n    \"Condition\": {\"StringNotEquals\": {\"s3:x-amz-server-side-encryption\": [\"AES256\", \"aws:kms \"]}}",
    );
    let p = Policy::parse(&src).unwrap();
    let changes: Vec<_> = p
        .silent_changes()
        .iter()
        .map(|f| (f.code(), f.line(), f.column(), f.path().to_string()))
        .collect();
    assert_eq!(
        changes,
        vec![(
            "whitespace-in-value",
            7,
            85,
            "Statement[0].Condition.StringNotEquals[\"s3:x-amz-server-side-encryption\"][1]"
                .to_string()
        )]
    );
}

#[test]
fn variable_without_version() {
    let src = "{\n  \"Statement\": [{\n    \"Effect\": \"Allow\",\n    \"Action\": \"s3:GetObject\",\n    \"Resource\": \"arn:aws:s3:::home/${aws:username}/*\"\n  }]\n}";
    assert_eq!(
        found(src),
        one("variable-without-version", 5, 17, "Statement[0].Resource")
    );
    let old = src.replace(
        "{\n  \"Statement\"",
        "{\n  \"Version\": \"2008-10-17\", \"Statement\"",
    );
    assert_eq!(found(&old).len(), 1);
    // With the current version the variable is substituted.
    let current = src.replace(
        "{\n  \"Statement\"",
        "{\n  \"Version\": \"2012-10-17\", \"Statement\"",
    );
    assert_eq!(found(&current), vec![]);
}

#[test]
fn duplicate_statement() {
    let src = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"A\", \"Effect\": \"Deny\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"},\n    {\"Sid\": \"B\", \"Effect\": \"Deny\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}\n  ]\n}";
    assert_eq!(found(src), one("duplicate-statement", 5, 5, "Statement[1]"));
}

#[test]
fn redundant_action() {
    let src = statement(
        "    \"Effect\": \"Deny\",\n    \"Action\": [\"s3:Get*\", \"s3:GetObject\", \"S3:GET*\", \"s3:*\"],\n    \"Resource\": \"*\"",
    );
    assert_eq!(
        found(&src),
        vec![
            (
                "redundant-action".into(),
                5,
                16,
                "Statement[0].Action[0]".into()
            ),
            (
                "redundant-action".into(),
                5,
                27,
                "Statement[0].Action[1]".into()
            ),
            (
                "redundant-action".into(),
                5,
                43,
                "Statement[0].Action[2]".into()
            ),
        ]
    );
}

#[test]
fn for_all_values_without_null_check() {
    let body = "    \"Effect\": \"Allow\",\n    \"Action\": \"ec2:CreateTags\",\n    \"Resource\": \"*\",\n    \"Condition\": {\"ForAllValues:StringEquals\": {\"aws:TagKeys\": [\"team\"]}}";
    assert_eq!(
        found(&statement(body)),
        one(
            "for-all-values-without-null-check",
            7,
            49,
            "Statement[0].Condition.ForAllValues:StringEquals[\"aws:TagKeys\"]"
        )
    );
    let guarded = body.replace("}}", "}, \"Null\": {\"aws:TagKeys\": \"false\"}}");
    assert_eq!(found(&statement(&guarded)), vec![]);
    // In a Deny, a missing key makes the Deny apply: nothing more is allowed.
    assert_eq!(found(&statement(&body.replace("Allow", "Deny"))), vec![]);
}

#[test]
fn allow_with_not_principal() {
    let src = statement(
        "    \"Effect\": \"Allow\",\n    \"NotPrincipal\": {\"AWS\": \"arn:aws:iam::111122223333:user/mallory\"},\n    \"Action\": \"s3:GetObject\",\n    \"Resource\": \"arn:aws:s3:::b/*\"",
    );
    assert_eq!(
        found(&src),
        one(
            "allow-with-not-principal",
            5,
            5,
            "Statement[0].NotPrincipal"
        )
    );
}

#[test]
fn allow_with_not_action_and_not_resource() {
    let src = statement(
        "    \"Effect\": \"Allow\",\n    \"NotAction\": \"iam:*\",\n    \"Resource\": \"*\"",
    );
    assert_eq!(
        found(&src),
        one("allow-with-not-action", 5, 5, "Statement[0].NotAction")
    );
    // Limited to named resources, NotAction is not broad.
    let narrow = statement("    \"Effect\": \"Allow\",\n    \"NotAction\": \"s3:DeleteObject\",\n    \"Resource\": \"arn:aws:s3:::b/*\"");
    assert_eq!(found(&narrow), vec![]);
    let src = statement("    \"Effect\": \"Allow\",\n    \"Action\": \"s3:GetObject\",\n    \"NotResource\": \"arn:aws:s3:::payroll/*\"");
    assert_eq!(
        found(&src),
        one("allow-with-not-resource", 6, 5, "Statement[0].NotResource")
    );
}

#[test]
fn public_principal() {
    let body = "    \"Effect\": \"Allow\",\n    \"Principal\": {\"AWS\": [\"111122223333\", \"*\"]},\n    \"Action\": \"s3:GetObject\",\n    \"Resource\": \"arn:aws:s3:::b/*\"";
    assert_eq!(
        found(&statement(body)),
        one("public-principal", 5, 43, "Statement[0].Principal.AWS[1]")
    );
    let narrowed = format!(
        "{body},\n    \"Condition\": {{\"StringEquals\": {{\"aws:PrincipalOrgID\": \"o-abc\"}}}}"
    );
    assert_eq!(found(&statement(&narrowed)), vec![]);
    // A negated test lets every caller without the key in.
    let negated = narrowed.replace("StringEquals", "StringNotEquals");
    assert_eq!(found(&statement(&negated)).len(), 1);
    // RCPs must name "*".
    let rcp = statement("    \"Effect\": \"Allow\",\n    \"Principal\": \"*\",\n    \"Action\": \"*\",\n    \"Resource\": \"*\"");
    assert_eq!(found_as(&rcp, Some(PolicyKind::Rcp)), vec![]);
    assert_eq!(
        found(&rcp),
        one("public-principal", 5, 18, "Statement[0].Principal")
    );
}

#[test]
fn pass_role_on_any_role() {
    let src = statement(
        "    \"Effect\": \"Allow\",\n    \"Action\": [\"ec2:RunInstances\", \"iam:PassRole\"],\n    \"Resource\": [\"arn:aws:iam::111122223333:role/*\"]",
    );
    assert_eq!(
        found(&src),
        one("pass-role-on-any-role", 6, 18, "Statement[0].Resource[0]")
    );
    let named = src.replace("role/*", "role/app");
    assert_eq!(found(&named), vec![]);
}

#[cfg(feature = "service-ref")]
mod reference {
    use super::*;

    #[test]
    fn seed_example() {
        let src = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Effect\": \"Deny\",\n    \"Principal\": \"*\",\n    \"Action\": [\"s3:PutObjects\"],\n    \"Resource\": \"arn:aws:s3:::example-bucket/*\",\n    \"Condition\": {\n      \"StringNotEquals\": {\"s3:x-amz-server-side-encrytion\": \"aws:kms \"},\n      \"StringEquals\": {\"aws:TagKeys\": \"team\"}\n    }\n  }]\n}";
        let enc = "Statement[0].Condition.StringNotEquals[\"s3:x-amz-server-side-encrytion\"]";
        assert_eq!(
            found(src),
            vec![
                (
                    "unknown-action".into(),
                    6,
                    16,
                    "Statement[0].Action[0]".into()
                ),
                ("unknown-condition-key".into(), 9, 27, enc.into()),
                ("whitespace-in-value".into(), 9, 61, enc.into()),
                (
                    "multivalued-key-without-set-operator".into(),
                    10,
                    24,
                    "Statement[0].Condition.StringEquals[\"aws:TagKeys\"]".into()
                ),
            ]
        );
        let p = Policy::parse(src).unwrap();
        let f = p.lint();
        assert_eq!(f[0].help(), Some("did you mean `s3:PutObject`?"));
        assert_eq!(
            f[1].help(),
            Some("did you mean `s3:x-amz-server-side-encryption`?")
        );
    }

    fn deny(action: &str, resource: &str, condition: &str) -> String {
        let mut body = format!(
            "    \"Effect\": \"Deny\",\n    \"Action\": {action},\n    \"Resource\": {resource}"
        );
        if !condition.is_empty() {
            body.push_str(&format!(",\n    \"Condition\": {condition}"));
        }
        statement(&body)
    }

    #[test]
    fn unknown_service_and_action_matching_nothing() {
        assert_eq!(
            found(&deny("\"s4:GetObject\"", "\"*\"", "")),
            one("unknown-service", 5, 15, "Statement[0].Action")
        );
        assert_eq!(
            found(&deny("[\"s3:GetObject\", \"s3:Gett*\"]", "\"*\"", "")),
            one("action-matches-nothing", 5, 32, "Statement[0].Action[1]")
        );
        assert_eq!(found(&deny("\"*:Get*\"", "\"*\"", "")), vec![]);
    }

    #[test]
    fn condition_keys() {
        let src = deny(
            "\"s3:GetObject\"",
            "\"*\"",
            "{\"IpAddress\": {\"aws:SoruceIp\": \"203.0.113.0/24\"}}",
        );
        assert_eq!(
            found(&src),
            one(
                "unknown-global-condition-key",
                7,
                33,
                "Statement[0].Condition.IpAddress[\"aws:SoruceIp\"]"
            )
        );
        let p = Policy::parse(&src).unwrap();
        assert_eq!(p.lint()[0].help(), Some("did you mean `aws:SourceIp`?"));
        // A key of another service never reaches these actions.
        let other = deny(
            "\"ec2:RunInstances\"",
            "\"*\"",
            "{\"StringEquals\": {\"s3:prefix\": \"home/\"}}",
        );
        assert_eq!(
            found(&other),
            one(
                "unknown-condition-key",
                7,
                36,
                "Statement[0].Condition.StringEquals[\"s3:prefix\"]"
            )
        );
        // Identity providers' keys, tag keys, global keys and keys of the statement's
        // services are all fine.
        let fine = deny(
            "\"s3:GetObject\"",
            "\"*\"",
            "{\"StringEquals\": {\"token.actions.githubusercontent.com:sub\": \"repo:o/r:ref:refs/heads/main\", \"saml:sub\": \"x\", \"aws:PrincipalTag/team\": \"a\", \"s3:ExistingObjectTag/k\": \"v\", \"aws:sourcevpce\": \"vpce-1\"}}",
        );
        assert_eq!(found(&fine), vec![]);
    }

    #[test]
    fn operator_type_mismatch() {
        let cases = [
            ("NumericLessThan", "aws:username", "\"5\""),
            ("Bool", "aws:SourceIp", "\"true\""),
            (
                "DateGreaterThan",
                "aws:username",
                "\"2020-01-01T00:00:00Z\"",
            ),
            ("IpAddress", "aws:username", "\"10.0.0.0/8\""),
        ];
        for (op, key, value) in cases {
            let src = deny(
                "\"s3:GetObject\"",
                "\"*\"",
                &format!("{{\"{op}\": {{\"{key}\": {value}}}}}"),
            );
            let column = 24 + op.len();
            assert_eq!(
                found(&src),
                one(
                    "operator-type-mismatch",
                    7,
                    column,
                    &format!("Statement[0].Condition.{op}[\"{key}\"]")
                ),
                "{op} on {key}"
            );
        }
        // `aws:EpochTime` works with numeric operators; strings compare anything.
        let fine = deny(
            "\"s3:GetObject\"",
            "\"*\"",
            "{\"NumericLessThan\": {\"aws:EpochTime\": \"1700000000\"}, \"StringEquals\": {\"aws:SecureTransport\": \"true\"}}",
        );
        assert_eq!(found(&fine), vec![]);
    }

    #[test]
    fn set_operators() {
        let src = deny(
            "\"s3:GetObject\"",
            "\"*\"",
            "{\"ForAnyValue:StringEquals\": {\"aws:RequestedRegion\": \"eu-west-1\"}}",
        );
        assert_eq!(
            found(&src),
            one(
                "set-operator-on-single-valued-key",
                7,
                48,
                "Statement[0].Condition.ForAnyValue:StringEquals[\"aws:RequestedRegion\"]"
            )
        );
        let src = deny(
            "\"s3:GetObject\"",
            "\"*\"",
            "{\"StringLike\": {\"aws:CalledVia\": \"athena.amazonaws.com\"}}",
        );
        assert_eq!(
            found(&src),
            one(
                "multivalued-key-without-set-operator",
                7,
                34,
                "Statement[0].Condition.StringLike[\"aws:CalledVia\"]"
            )
        );
        // `Null` tests presence, of any key.
        let null = deny(
            "\"s3:GetObject\"",
            "\"*\"",
            "{\"Null\": {\"aws:TagKeys\": \"true\"}}",
        );
        assert_eq!(found(&null), vec![]);
    }

    #[test]
    fn resources() {
        assert_eq!(
            found(&deny(
                "\"s3:PutObject\"",
                "\"arn:aws:s3:::example-bucket\"",
                ""
            )),
            one("resource-matches-no-action", 6, 17, "Statement[0].Resource")
        );
        assert_eq!(
            found(&deny(
                "\"s3:GetObject\"",
                "[\"arn:aws:s3:::b/*\", \"arn:aws:s3:us-east-1:111122223333:b\"]",
                ""
            )),
            one("arn-format-mismatch", 6, 38, "Statement[0].Resource[1]")
        );
        // Objects and buckets together, each taken by one action.
        assert_eq!(
            found(&deny(
                "[\"s3:GetObject\", \"s3:ListBucket\"]",
                "[\"arn:aws:s3:::b\", \"arn:aws:s3:::b/*\"]",
                ""
            )),
            vec![]
        );
        // AWS-owned documents have no account.
        assert_eq!(
            found(&deny(
                "\"ssm:SendCommand\"",
                "\"arn:aws:ssm:*::document/AWS-RunShellScript\"",
                ""
            )),
            vec![]
        );
    }
}
