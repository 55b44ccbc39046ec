#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! Policy parsing through the public API: every grammar form, every operator name, every
//! error with its path and position, validation by policy kind, size limits and rendering.

use iam_eval::{
    ActionSpec, ConditionValue, Diagnostic, Effect, PrincipalSpec, PrincipalType, Principals,
    ResourceSpec, Statement, Version,
};
use iam_eval::{ConditionOperator, Family, Operator, SetQualifier};
use iam_eval::{Limits, Policy, PolicyKind};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

#[track_caller]
fn parse_ok(src: &str) -> Policy {
    match Policy::parse(src) {
        Ok(p) => p,
        Err(e) => panic!("expected the policy to parse, got:\n{}", e.render("p.json")),
    }
}

#[track_caller]
fn parse_err(src: &str) -> Vec<Diagnostic> {
    match Policy::parse(src) {
        Ok(p) => panic!("expected a parse error, got {p:#?}"),
        Err(e) => e.diagnostics().to_vec(),
    }
}

#[track_caller]
fn parse_err_with(src: &str, limits: &Limits) -> Vec<Diagnostic> {
    match Policy::parse_with_limits(src, limits) {
        Ok(p) => panic!("expected a parse error, got {p:#?}"),
        Err(e) => e.diagnostics().to_vec(),
    }
}

#[track_caller]
fn one_err(src: &str) -> Diagnostic {
    let diags = parse_err(src);
    assert_eq!(diags.len(), 1, "expected one diagnostic, got {diags:#?}");
    diags.into_iter().next().unwrap()
}

#[track_caller]
fn validate_err(src: &str, kind: PolicyKind) -> Vec<Diagnostic> {
    let policy = parse_ok(src);
    match policy.validate(kind) {
        Ok(()) => panic!("expected {kind} validation to fail"),
        Err(e) => e.diagnostics().to_vec(),
    }
}

/// What a diagnostic must say: path, line, column, a piece of the message, and the exact
/// help when given.
struct Want<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
    help: Option<&'a str>,
}

/// Checks a diagnostic against `want`, and that its source line is line `want.line` of `src`.
#[track_caller]
fn check(src: &str, d: &Diagnostic, want: &Want<'_>) {
    assert_eq!(
        (d.path(), d.line(), d.column()),
        (want.path, want.line, want.column),
        "position of {d}"
    );
    assert!(
        d.message().contains(want.message),
        "message {:?} does not contain {:?}",
        d.message(),
        want.message
    );
    if let Some(help) = want.help {
        assert_eq!(d.help(), Some(help), "help of {d}");
    }
    let line = src.lines().nth(want.line - 1).unwrap_or("");
    assert_eq!(d.source_line(), line, "source line of {d}");
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_string()).collect()
}

/// How validation messages name a policy kind, with its article.
fn kind_name(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Identity => "an identity-based policy",
        PolicyKind::Resource => "a resource-based policy",
        PolicyKind::Scp => "an SCP",
        PolicyKind::Rcp => "an RCP",
        PolicyKind::Boundary => "a permissions boundary",
        PolicyKind::Session => "a session policy",
    }
}

fn only_statement(p: &Policy) -> &Statement {
    assert_eq!(p.statements().len(), 1);
    &p.statements()[0]
}

// ---------------------------------------------------------------------------------------
// 1. Grammar forms
// ---------------------------------------------------------------------------------------

#[test]
fn version_2012_with_id_and_statement_array() {
    let p = parse_ok(
        r#"{
  "Version": "2012-10-17",
  "Id": "bucket-policy-1",
  "Statement": [
    {
      "Sid": "ReadOnly",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::bucket/*"
    },
    {
      "Effect": "Deny",
      "Action": "s3:DeleteObject",
      "Resource": "*"
    }
  ]
}"#,
    );
    assert_eq!(p.version(), Some(Version::V2012_10_17));
    assert!(p.variables_enabled());
    assert_eq!(p.id(), Some("bucket-policy-1"));
    let [first, second] = p.statements() else {
        panic!("expected two statements, got {:#?}", p.statements());
    };
    assert_eq!(first.sid(), Some("ReadOnly"));
    assert_eq!(first.effect(), Effect::Allow);
    assert_eq!(first.principal(), None);
    assert_eq!(
        first.action(),
        &ActionSpec::Action(strings(&["s3:GetObject"]))
    );
    assert_eq!(
        first.resource(),
        Some(&ResourceSpec::Resource(strings(&["arn:aws:s3:::bucket/*"])))
    );
    assert!(first.condition().is_empty());
    assert_eq!((first.position().line, first.position().column), (5, 5));
    assert_eq!(second.sid(), None);
    assert_eq!(second.effect(), Effect::Deny);
    assert_eq!(
        second.action(),
        &ActionSpec::Action(strings(&["s3:DeleteObject"]))
    );
    assert_eq!(
        second.resource(),
        Some(&ResourceSpec::Resource(strings(&["*"])))
    );
    assert_eq!((second.position().line, second.position().column), (11, 5));
}

#[test]
fn version_2008_and_statement_as_one_object() {
    let p = parse_ok(
        r#"{
  "Version": "2008-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "sqs:SendMessage",
    "Resource": "arn:aws:sqs:us-east-1:111122223333:queue"
  }
}"#,
    );
    assert_eq!(p.version(), Some(Version::V2008_10_17));
    assert!(!p.variables_enabled());
    assert_eq!(p.id(), None);
    let s = only_statement(&p);
    assert_eq!(s.effect(), Effect::Allow);
    assert_eq!(
        s.action(),
        &ActionSpec::Action(strings(&["sqs:SendMessage"]))
    );
    assert_eq!((s.position().line, s.position().column), (3, 16));
}

#[test]
fn version_absent() {
    let p = parse_ok(
        r#"{
  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
}"#,
    );
    assert_eq!(p.version(), None);
    assert!(!p.variables_enabled());
    let s = only_statement(&p);
    assert_eq!(s.action(), &ActionSpec::Action(strings(&["*"])));
}

#[test]
fn unknown_version_is_an_error() {
    let src = r#"{
  "Version": "2012-10-18",
  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Version",
            line: 2,
            column: 14,
            message: "unknown policy version `2012-10-18`",
            help: Some("`Version` is `\"2012-10-17\"` (current) or `\"2008-10-17\"`"),
        },
    );
}

#[test]
fn action_and_resource_lists_and_negations() {
    let p = parse_ok(
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:List*", "ec2:Describe?nstances"],
      "Resource": ["arn:aws:s3:::a", "arn:aws:s3:::b/*"]
    },
    {
      "Effect": "Deny",
      "NotAction": "iam:*",
      "NotResource": "arn:aws:iam::111122223333:role/admin"
    },
    {
      "Effect": "Deny",
      "NotAction": ["s3:*", "kms:Decrypt"],
      "NotResource": ["arn:aws:s3:::x", "arn:aws:kms:*:*:key/*"]
    }
  ]
}"#,
    );
    let [a, b, c] = p.statements() else {
        panic!("expected three statements");
    };
    assert_eq!(
        a.action(),
        &ActionSpec::Action(strings(&[
            "s3:GetObject",
            "s3:List*",
            "ec2:Describe?nstances"
        ]))
    );
    assert_eq!(
        a.resource(),
        Some(&ResourceSpec::Resource(strings(&[
            "arn:aws:s3:::a",
            "arn:aws:s3:::b/*"
        ])))
    );
    assert_eq!(b.action(), &ActionSpec::NotAction(strings(&["iam:*"])));
    assert_eq!(
        b.resource(),
        Some(&ResourceSpec::NotResource(strings(&[
            "arn:aws:iam::111122223333:role/admin"
        ])))
    );
    assert_eq!(
        c.action(),
        &ActionSpec::NotAction(strings(&["s3:*", "kms:Decrypt"]))
    );
    assert_eq!(
        c.resource(),
        Some(&ResourceSpec::NotResource(strings(&[
            "arn:aws:s3:::x",
            "arn:aws:kms:*:*:key/*"
        ])))
    );
}

/// The principal map of a statement as `(type, values)` pairs.
fn principal_map(s: &Statement) -> (bool, Vec<(PrincipalType, Vec<String>)>) {
    let (negated, principals) = match s.principal() {
        Some(PrincipalSpec::Principal(p)) => (false, p),
        Some(PrincipalSpec::NotPrincipal(p)) => (true, p),
        None => panic!("statement has no principal"),
    };
    let Principals::Map(entries) = principals else {
        panic!("expected a principal map, got {principals:?}");
    };
    (
        negated,
        entries
            .iter()
            .map(|e| (e.kind(), e.values().to_vec()))
            .collect(),
    )
}

#[test]
fn principal_forms() {
    let p = parse_ok(
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::bucket/*"
    },
    {
      "Effect": "Allow",
      "Principal": {"AWS": "111122223333"},
      "Action": "s3:GetObject"
    },
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": [
          "arn:aws:iam::111122223333:root",
          "arn:aws:iam::444455556666:role/reader"
        ]
      },
      "Action": "s3:GetObject"
    },
    {
      "Effect": "Allow",
      "Principal": {"AWS": "*"},
      "Action": "s3:GetObject"
    },
    {
      "Effect": "Allow",
      "Principal": {"Service": ["cloudtrail.amazonaws.com", "logs.amazonaws.com"]},
      "Action": "s3:PutObject"
    },
    {
      "Effect": "Allow",
      "Principal": {"Federated": "cognito-identity.amazonaws.com"},
      "Action": "sts:AssumeRoleWithWebIdentity"
    },
    {
      "Effect": "Allow",
      "Principal": {
        "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
        "AWS": "AIDAJQABLZS4A3QDU576Q"
      },
      "Action": "s3:GetObject"
    },
    {
      "Effect": "Deny",
      "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
      "Action": "s3:*"
    }
  ]
}"#,
    );
    let st = p.statements();
    assert_eq!(st.len(), 8);
    assert_eq!(
        st[0].principal(),
        Some(&PrincipalSpec::Principal(Principals::Any))
    );
    assert_eq!(
        principal_map(&st[1]),
        (
            false,
            vec![(PrincipalType::Aws, strings(&["111122223333"]))]
        )
    );
    assert_eq!(st[1].resource(), None);
    assert_eq!(
        principal_map(&st[2]),
        (
            false,
            vec![(
                PrincipalType::Aws,
                strings(&[
                    "arn:aws:iam::111122223333:root",
                    "arn:aws:iam::444455556666:role/reader"
                ])
            )]
        )
    );
    assert_eq!(
        principal_map(&st[3]),
        (false, vec![(PrincipalType::Aws, strings(&["*"]))])
    );
    assert_eq!(
        principal_map(&st[4]),
        (
            false,
            vec![(
                PrincipalType::Service,
                strings(&["cloudtrail.amazonaws.com", "logs.amazonaws.com"])
            )]
        )
    );
    assert_eq!(
        principal_map(&st[5]),
        (
            false,
            vec![(
                PrincipalType::Federated,
                strings(&["cognito-identity.amazonaws.com"])
            )]
        )
    );
    assert_eq!(
        principal_map(&st[6]),
        (
            false,
            vec![
                (
                    PrincipalType::CanonicalUser,
                    strings(&["79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"])
                ),
                (PrincipalType::Aws, strings(&["AIDAJQABLZS4A3QDU576Q"])),
            ]
        )
    );
    assert_eq!(
        principal_map(&st[7]),
        (
            true,
            vec![(
                PrincipalType::Aws,
                strings(&["arn:aws:iam::111122223333:user/alice"])
            )]
        )
    );
}

#[test]
fn condition_values_of_every_json_type_single_and_list() {
    let p = parse_ok(
        r#"{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "s3:ListBucket",
    "Resource": "arn:aws:s3:::bucket",
    "Condition": {
      "StringEquals": {
        "aws:username": "alice",
        "s3:prefix": ["home/", "public/"]
      },
      "NumericLessThanEquals": {"s3:max-keys": 10.50},
      "NumericGreaterThan": {"s3:max-keys": ["5", -1e3]},
      "Bool": {"aws:SecureTransport": true},
      "ForAnyValue:StringLike": {"aws:TagKeys": [false, 7, "team-*"]}
    }
  }
}"#,
    );
    let s = only_statement(&p);
    let blocks = s.condition();
    type Block<'a> = (ConditionOperator, Vec<(&'a str, &'a [ConditionValue])>);
    let summary: Vec<Block<'_>> = blocks
        .iter()
        .map(|b| {
            (
                b.operator(),
                b.entries().iter().map(|e| (e.key(), e.values())).collect(),
            )
        })
        .collect();
    let op = |op, set, if_exists| ConditionOperator { op, set, if_exists };
    let s = |v: &str| ConditionValue::String(v.to_string());
    let n = |v: &str| ConditionValue::Number(v.to_string());
    assert_eq!(
        summary,
        vec![
            (
                op(Operator::StringEquals, None, false),
                vec![
                    ("aws:username", &[s("alice")][..]),
                    ("s3:prefix", &[s("home/"), s("public/")][..]),
                ]
            ),
            (
                op(Operator::NumericLessThanEquals, None, false),
                vec![("s3:max-keys", &[n("10.50")][..])]
            ),
            (
                op(Operator::NumericGreaterThan, None, false),
                vec![("s3:max-keys", &[s("5"), n("-1e3")][..])]
            ),
            (
                op(Operator::Bool, None, false),
                vec![("aws:SecureTransport", &[ConditionValue::Bool(true)][..])]
            ),
            (
                op(Operator::StringLike, Some(SetQualifier::ForAnyValue), false),
                vec![(
                    "aws:TagKeys",
                    &[ConditionValue::Bool(false), n("7"), s("team-*")][..]
                )]
            ),
        ]
    );
    assert_eq!(ConditionValue::Bool(false).as_text(), "false");
    assert_eq!(n("10.50").as_text(), "10.50");
}

#[test]
fn policy_variables_are_accepted_under_2012() {
    let p = parse_ok(
        r#"{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "s3:*",
    "Resource": "arn:aws:s3:::bucket/home/${aws:username}/${*}${?}${$}",
    "Condition": {
      "StringLike": {"s3:prefix": "${aws:PrincipalTag/team, 'none'}/*"},
      "ArnLike": {"aws:SourceArn": "arn:aws:iam::${aws:PrincipalAccount}:role/*"}
    }
  }
}"#,
    );
    let s = only_statement(&p);
    assert_eq!(
        s.resource(),
        Some(&ResourceSpec::Resource(strings(&[
            "arn:aws:s3:::bucket/home/${aws:username}/${*}${?}${$}"
        ])))
    );
}

// ---------------------------------------------------------------------------------------
// 2. Every operator name
// ---------------------------------------------------------------------------------------

const OPERATOR_TEMPLATE: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*",
      "Condition": {
        "OPERATOR": {"aws:TestKey": "VALUE"}
      }
    }
  ]
}"#;

fn valid_value(family: Family) -> &'static str {
    match family {
        Family::String => "x",
        Family::Numeric => "10",
        Family::Date => "2024-01-01T00:00:00Z",
        Family::Bool | Family::Null => "true",
        Family::Binary => "QmluYXJ5",
        Family::Ip => "10.0.0.0/8",
        Family::Arn => "arn:aws:s3:::b",
    }
}

#[test]
fn every_operator_with_and_without_qualifiers() {
    let mut accepted = 0;
    let mut rejected = 0;
    for &row in Operator::ALL {
        for set in [
            None,
            Some(SetQualifier::ForAllValues),
            Some(SetQualifier::ForAnyValue),
        ] {
            for if_exists in [false, true] {
                let mut name = String::new();
                if let Some(set) = set {
                    name.push_str(set.name());
                    name.push(':');
                }
                name.push_str(row.name());
                if if_exists {
                    name.push_str("IfExists");
                }
                let value = valid_value(row.family());
                let src = OPERATOR_TEMPLATE
                    .replace("OPERATOR", &name)
                    .replace("VALUE", value);
                if row == Operator::Null && (if_exists || set.is_some()) {
                    let d = one_err(&src);
                    let why = if if_exists {
                        "`Null` takes no `IfExists` suffix"
                    } else {
                        "`Null` takes no set qualifier"
                    };
                    check(
                        &src,
                        &d,
                        &Want {
                            path: &format!("Statement[0].Condition.{name}"),
                            line: 9,
                            column: 9,
                            message: &format!("`{name}` is not an operator: {why}"),
                            help: None,
                        },
                    );
                    rejected += 1;
                    continue;
                }
                let p = parse_ok(&src);
                let s = only_statement(&p);
                let [block] = s.condition() else {
                    panic!("{name}: expected one block");
                };
                let want = ConditionOperator {
                    op: row,
                    set,
                    if_exists,
                };
                assert_eq!(block.operator(), want, "{name}");
                assert_eq!(block.operator().to_string(), name);
                let [entry] = block.entries() else {
                    panic!("{name}: expected one entry");
                };
                assert_eq!(entry.key(), "aws:TestKey");
                assert_eq!(
                    entry.values(),
                    &[ConditionValue::String(value.to_string())],
                    "{name}"
                );
                accepted += 1;
            }
        }
    }
    assert_eq!(Operator::ALL.len(), 27);
    assert_eq!((accepted, rejected), (26 * 6 + 1, 5));
}

#[test]
fn operator_names_are_case_sensitive() {
    let src = OPERATOR_TEMPLATE
        .replace("OPERATOR", "stringequals")
        .replace("VALUE", "x");
    let d = one_err(&src);
    check(
        &src,
        &d,
        &Want {
            path: "Statement[0].Condition.stringequals",
            line: 9,
            column: 9,
            message: "unknown condition operator `stringequals`",
            help: Some("did you mean `StringEquals`?"),
        },
    );
}

#[test]
fn misspelt_set_qualifier_gets_a_suggestion() {
    let src = OPERATOR_TEMPLATE
        .replace("OPERATOR", "ForAnyValues:StringLike")
        .replace("VALUE", "x");
    let d = one_err(&src);
    check(
        &src,
        &d,
        &Want {
            path: "Statement[0].Condition.ForAnyValues:StringLike",
            line: 9,
            column: 9,
            message: "unknown condition operator `ForAnyValues:StringLike`",
            help: Some("did you mean `ForAnyValue:StringLike`?"),
        },
    );
}

// ---------------------------------------------------------------------------------------
// 3. Errors with their exact positions
// ---------------------------------------------------------------------------------------

#[test]
fn misspelt_element() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Efect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}"#;
    // The statement lacks an `Effect` because of the misspelling: only the cause is
    // reported, and its help says what to write.
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement[0].Efect",
            line: 5,
            column: 7,
            message: "unknown element `Efect` in a statement",
            help: Some("did you mean `Effect`?"),
        },
    );
}

/// The siblings of a misspelt `Effect`: a misspelt `Action` or `Statement` is reported
/// once, as the misspelling, not again as the element it leaves missing.
#[test]
fn misspelt_required_elements_are_reported_once() {
    let cases = [
        (
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Actoin": "s3:*", "Resource": "*"}]}"#,
            "unknown element `Actoin` in a statement",
            "did you mean `Action`?",
        ),
        (
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotActions": "s3:*", "Resource": "*"}]}"#,
            "unknown element `NotActions` in a statement",
            "did you mean `NotAction`?",
        ),
        (
            r#"{"Version": "2012-10-17", "Statment": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#,
            "unknown element `Statment` in a policy",
            "did you mean `Statement`?",
        ),
    ];
    for (src, message, help) in cases {
        let d = one_err(src);
        assert_eq!((d.message(), d.help()), (message, Some(help)), "{src}");
    }
    // An unknown element that is no misspelling of `Effect` leaves it missing.
    let diags = parse_err(
        r#"{"Version": "2012-10-17", "Statement": [{"Zzzzzzzz": 1, "Action": "s3:*", "Resource": "*"}]}"#,
    );
    let messages: Vec<&str> = diags.iter().map(Diagnostic::message).collect();
    assert_eq!(
        messages,
        [
            "a statement needs an `Effect` element",
            "unknown element `Zzzzzzzz` in a statement"
        ]
    );
}

#[test]
fn unknown_top_level_element_lists_the_valid_ones() {
    let src = r#"{
  "Version": "2012-10-17",
  "Zzzzzzzzzz": 1,
  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Zzzzzzzzzz",
            line: 3,
            column: 3,
            message: "unknown element `Zzzzzzzzzz` in a policy",
            help: Some("a policy may contain `Version`, `Id`, `Statement`"),
        },
    );
}

#[test]
fn misspelt_operator() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*",
      "Condition": {
        "StringEqual": {"aws:username": "alice"}
      }
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement[0].Condition.StringEqual",
            line: 9,
            column: 9,
            message: "unknown condition operator `StringEqual`",
            help: Some("did you mean `StringEquals`?"),
        },
    );
}

/// One condition line, placed at line 9 of a policy; the value under test starts at
/// column 30 (`        "OPERATOR": {"k": ` is padded to that width by the caller).
fn condition_policy(condition_line: &str) -> String {
    format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*",
      "Condition": {{
{condition_line}
      }}
    }}
  ]
}}"#
    )
}

#[test]
fn bad_condition_values_per_family() {
    // (condition line, path, column of the bad value, message, help)
    let rows: &[(&str, &str, usize, &str, &str)] = &[
        (
            r#"        "NumericLessThan": {"s3:max-keys": "ten"}"#,
            r#"Statement[0].Condition.NumericLessThan["s3:max-keys"]"#,
            44,
            "`ten` is not a number",
            "`NumericLessThan` compares integers or decimals such as `10` or `10.5`",
        ),
        (
            r#"        "NumericLessThan": {"s3:max-keys": true}"#,
            r#"Statement[0].Condition.NumericLessThan["s3:max-keys"]"#,
            44,
            "`NumericLessThan` compares numbers, found the boolean `true`",
            "write a number such as `10` or `\"10.5\"`",
        ),
        (
            r#"        "DateGreaterThan": {"aws:CurrentTime": "2024-13-01T00:00:00Z"}"#,
            r#"Statement[0].Condition.DateGreaterThan["aws:CurrentTime"]"#,
            48,
            "`2024-13-01T00:00:00Z` is not a date (",
            "write an ISO 8601 date such as `2024-01-01T00:00:00Z`, or epoch seconds such as `1704067200`",
        ),
        (
            r#"        "IpAddress": {"aws:SourceIp": "10.0.0.0/33"}"#,
            r#"Statement[0].Condition.IpAddress["aws:SourceIp"]"#,
            39,
            "`10.0.0.0/33` is not an IP address or CIDR range (",
            "write an address or range such as `203.0.113.0/24` or `2001:db8::/32`",
        ),
        (
            r#"        "NotIpAddress": {"aws:SourceIp": "10.0.0.256"}"#,
            r#"Statement[0].Condition.NotIpAddress["aws:SourceIp"]"#,
            42,
            "`10.0.0.256` is not an IP address or CIDR range (not an IP address)",
            "write an address or range such as `203.0.113.0/24` or `2001:db8::/32`",
        ),
        (
            r#"        "BinaryEquals": {"s3:x-amz-meta": "not base64!"}"#,
            r#"Statement[0].Condition.BinaryEquals["s3:x-amz-meta"]"#,
            43,
            "`not base64!` is not base64 (",
            "`BinaryEquals` takes base64-encoded bytes, such as `QmluYXJ5VmFsdWU=`",
        ),
        (
            r#"        "Null": {"aws:TokenIssueTime": "yes"}"#,
            r#"Statement[0].Condition.Null["aws:TokenIssueTime"]"#,
            40,
            "`Null` takes `true` or `false`, found `yes`",
            "`\"true\"` matches a missing key, `\"false\"` a present one",
        ),
        (
            r#"        "Bool": {"aws:SecureTransport": "yes"}"#,
            r#"Statement[0].Condition.Bool["aws:SecureTransport"]"#,
            41,
            "`Bool` takes `true` or `false`, found `yes`",
            "write `\"true\"` or `\"false\"`",
        ),
        (
            r#"        "ArnLike": {"aws:SourceArn": "bucket"}"#,
            r#"Statement[0].Condition.ArnLike["aws:SourceArn"]"#,
            38,
            "`bucket` is not an ARN",
            "`ArnLike` compares ARNs component by component: `arn:partition:service:region:account:resource`",
        ),
        (
            r#"        "StringEquals": {"aws:username": "${aws:username"}"#,
            r#"Statement[0].Condition.StringEquals["aws:username"]"#,
            42,
            "unterminated policy variable: `${` has no closing `}`",
            "write `${$}` for a literal `$`, or close the variable with `}`",
        ),
    ];
    for &(line, path, column, message, help) in rows {
        let src = condition_policy(line);
        let d = one_err(&src);
        check(
            &src,
            &d,
            &Want {
                path,
                line: 9,
                column,
                message,
                help: Some(help),
            },
        );
    }
    // "not a number" is not repeated in parentheses; other reasons still are.
    let src = condition_policy(r#"        "NumericLessThan": {"s3:max-keys": "ten"}"#);
    assert_eq!(one_err(&src).message(), "`ten` is not a number");
    let src = condition_policy(r#"        "NumericLessThan": {"s3:max-keys": "1e99999"}"#);
    assert_eq!(
        one_err(&src).message(),
        "`1e99999` is not a number (exponent out of range (at most 10000 in magnitude))"
    );
}

#[test]
fn bad_value_in_a_list_has_an_indexed_path() {
    let src = condition_policy(
        r#"        "DateLessThan": {"aws:CurrentTime": ["2024-01-01", "yesterday"]}"#,
    );
    let d = one_err(&src);
    check(
        &src,
        &d,
        &Want {
            path: r#"Statement[0].Condition.DateLessThan["aws:CurrentTime"][1]"#,
            line: 9,
            column: 60,
            message: "`yesterday` is not a date (",
            help: None,
        },
    );
}

#[test]
fn null_if_exists_is_not_an_operator() {
    let src = condition_policy(r#"        "NullIfExists": {"aws:TokenIssueTime": "true"}"#);
    let d = one_err(&src);
    check(
        &src,
        &d,
        &Want {
            path: "Statement[0].Condition.NullIfExists",
            line: 9,
            column: 9,
            message: "`NullIfExists` is not an operator: `Null` takes no `IfExists` suffix",
            help: Some("`Null` already tests whether the key exists; use `Null`"),
        },
    );
}

#[test]
fn duplicate_effect() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Effect": "Deny",
      "Resource": "*"
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement[0].Effect",
            line: 7,
            column: 7,
            message: "duplicate element `Effect` (first at line 5, column 7)",
            help: Some("a JSON object may hold each key once; merge the two, since only one would take effect"),
        },
    );
}

#[test]
fn duplicate_operator_blocks() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*",
      "Condition": {
        "StringEquals": {"aws:username": "alice"},
        "Bool": {"aws:SecureTransport": "true"},
        "StringEquals": {"aws:PrincipalTag/team": "red"}
      }
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement[0].Condition.StringEquals",
            line: 11,
            column: 9,
            message: "duplicate operator `StringEquals` (first at line 9, column 9)",
            help: Some("put every key for one operator in one block; with two blocks only one would take effect"),
        },
    );
}

#[test]
fn duplicate_condition_keys_differing_in_case() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*",
      "Condition": {
        "StringEquals": {
          "aws:username": "alice",
          "AWS:UserName": "bob"
        }
      }
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: r#"Statement[0].Condition.StringEquals["AWS:UserName"]"#,
            line: 11,
            column: 11,
            message: "duplicate condition key `AWS:UserName` (first at line 10, column 11; keys are not case-sensitive)",
            help: Some("list every value of a key in one array"),
        },
    );
}

#[test]
fn duplicate_condition_keys_differing_in_non_ascii_case() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*",
      "Condition": {
        "StringEquals": {
          "aws:PrincipalTag/É": "red",
          "aws:principaltag/é": "blue"
        }
      }
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: r#"Statement[0].Condition.StringEquals["aws:principaltag/é"]"#,
            line: 11,
            column: 11,
            message: "duplicate condition key `aws:principaltag/é` (first at line 10, column 11; keys are not case-sensitive)",
            help: Some("list every value of a key in one array"),
        },
    );
}

#[test]
fn both_action_and_not_action() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "NotAction": "s3:PutObject",
      "Resource": "*"
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement[0].NotAction",
            line: 7,
            column: 7,
            message: "a statement cannot have both `Action` and `NotAction`",
            help: Some("keep one of `Action` and `NotAction`"),
        },
    );
}

#[test]
fn both_resource_and_not_resource_and_both_principals() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "NotPrincipal": {"AWS": "111122223333"},
      "Principal": "*",
      "Action": "s3:GetObject",
      "NotResource": "arn:aws:s3:::a",
      "Resource": "*"
    }
  ]
}"#;
    let diags = parse_err(src);
    assert_eq!(diags.len(), 2, "{diags:#?}");
    check(
        src,
        &diags[0],
        &Want {
            path: "Statement[0].Principal",
            line: 7,
            column: 7,
            message: "a statement cannot have both `NotPrincipal` and `Principal`",
            help: Some("keep one of `NotPrincipal` and `Principal`"),
        },
    );
    check(
        src,
        &diags[1],
        &Want {
            path: "Statement[0].Resource",
            line: 10,
            column: 7,
            message: "a statement cannot have both `NotResource` and `Resource`",
            help: Some("keep one of `NotResource` and `Resource`"),
        },
    );
}

#[test]
fn neither_action_nor_not_action() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Resource": "*"
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement[0]",
            line: 4,
            column: 5,
            message: "a statement needs an `Action` or a `NotAction` element",
            help: Some("add `\"Action\": \"service:ActionName\"`"),
        },
    );
}

#[test]
fn missing_effect() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement[0]",
            line: 4,
            column: 5,
            message: "a statement needs an `Effect` element",
            help: Some("add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`"),
        },
    );
}

#[test]
fn missing_effect_and_action_are_both_reported() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Resource": "*"
    }
  ]
}"#;
    let diags = parse_err(src);
    let messages: Vec<&str> = diags.iter().map(Diagnostic::message).collect();
    assert_eq!(
        messages,
        [
            "a statement needs an `Effect` element",
            "a statement needs an `Action` or a `NotAction` element"
        ]
    );
}

#[test]
fn lowercase_effect() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "allow",
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement[0].Effect",
            line: 5,
            column: 17,
            message: "unknown effect `allow`",
            help: Some("did you mean `Allow`? (`Effect` is case-sensitive)"),
        },
    );
}

#[test]
fn bad_action_shape() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3",
      "Resource": "*"
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement[0].Action",
            line: 6,
            column: 17,
            message: "`s3` is not an action",
            help: Some("an action is `service:ActionName` (wildcards `*` and `?` allowed), or `*`"),
        },
    );
}

#[test]
fn bad_action_in_a_list_points_at_the_item() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:Get:Object"
      ],
      "Resource": "*"
    }
  ]
}"#;
    let d = one_err(src);
    assert_eq!((d.line(), d.column()), (8, 9));
    assert_eq!(d.message(), "`s3:Get:Object` is not an action");
}

#[test]
fn bad_item_in_a_list_has_an_indexed_path() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:Get:Object"
      ],
      "Resource": "*"
    }
  ]
}"#;
    let d = one_err(src);
    // A non-string item at the same place is reported as `Statement[0].Action[1]`, and so
    // is a bad condition value in a list.
    assert_eq!(d.path(), "Statement[0].Action[1]");

    // Resources and principals in a list too; a single string keeps the element's path.
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": ["alice", "111122223333"], "Service": "s3.amazonaws.com"},
      "Action": "s3:GetObject",
      "Resource": ["arn:aws:s3:::a", "arn:aws:s3:::b", "bucket"]
    }
  ]
}"#;
    let diags = parse_err(src);
    let got: Vec<(&str, usize, usize)> = diags
        .iter()
        .map(|d| (d.path(), d.line(), d.column()))
        .collect();
    assert_eq!(
        got,
        [
            ("Statement[0].Principal.AWS[0]", 6, 29),
            ("Statement[0].Resource[2]", 8, 56),
        ],
        "{diags:#?}"
    );
}

#[test]
fn non_string_action_item_has_an_indexed_path() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", 7],
      "Resource": "*"
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement[0].Action[1]",
            line: 6,
            column: 34,
            message: "expected a string (an action), found a number",
            help: None,
        },
    );
}

#[test]
fn resource_not_an_arn() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "my-bucket/*"
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement[0].Resource",
            line: 7,
            column: 19,
            message: "`my-bucket/*` is not an ARN",
            help: Some("a resource is an ARN, `arn:partition:service:region:account:resource` (wildcards allowed), or `*`"),
        },
    );
}

#[test]
fn wildcard_in_a_principal_arn() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:role/*"},
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement[0].Principal.AWS",
            line: 6,
            column: 28,
            message: "wildcards are not allowed in the principal ARN `arn:aws:iam::111122223333:role/*`",
            help: Some("AWS matches principal ARNs exactly; use `\"*\"` with an `ArnLike` condition on `aws:PrincipalArn`"),
        },
    );
}

#[test]
fn principal_errors() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": "111122223333",
      "Action": "s3:GetObject"
    },
    {
      "Effect": "Allow",
      "Principal": {"AWS": "alice", "Service": ""},
      "Action": "s3:GetObject"
    },
    {
      "Effect": "Allow",
      "Principal": {"Aws": "*"},
      "Action": "s3:GetObject"
    }
  ]
}"#;
    let diags = parse_err(src);
    assert_eq!(diags.len(), 4, "{diags:#?}");
    check(
        src,
        &diags[0],
        &Want {
            path: "Statement[0].Principal",
            line: 6,
            column: 20,
            message: "`Principal` must be `\"*\"` or an object, found the string `111122223333`",
            help: Some("write `{\"AWS\": \"111122223333\"}` to name an account or an ARN"),
        },
    );
    check(
        src,
        &diags[1],
        &Want {
            path: "Statement[1].Principal.AWS",
            line: 11,
            column: 28,
            message: "`alice` is not an AWS principal",
            help: None,
        },
    );
    check(
        src,
        &diags[2],
        &Want {
            path: "Statement[1].Principal.Service",
            line: 11,
            column: 48,
            message: "an empty principal names no one",
            help: Some("remove it or name a principal"),
        },
    );
    check(
        src,
        &diags[3],
        &Want {
            path: "Statement[2].Principal.Aws",
            line: 16,
            column: 21,
            message: "unknown element `Aws` in a principal",
            help: Some("did you mean `AWS`?"),
        },
    );
}

#[test]
fn unterminated_variable_in_a_resource_depends_on_the_version() {
    let body = r#"  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::bucket/${aws:username/*"
    }
  ]
}"#;
    let v2012 = format!("{{\n  \"Version\": \"2012-10-17\",\n{body}");
    let d = one_err(&v2012);
    check(
        &v2012,
        &d,
        &Want {
            path: "Statement[0].Resource",
            line: 7,
            column: 40,
            message: "unterminated policy variable: `${` has no closing `}`",
            help: Some("write `${$}` for a literal `$`, or close the variable with `}`"),
        },
    );

    // Under 2008-10-17 (and with no version) `${` is literal text.
    for version in ["  \"Version\": \"2008-10-17\",\n", ""] {
        let src = format!("{{\n{version}{body}");
        let p = parse_ok(&src);
        assert_eq!(
            only_statement(&p).resource(),
            Some(&ResourceSpec::Resource(strings(&[
                "arn:aws:s3:::bucket/${aws:username/*"
            ])))
        );
    }
}

#[test]
fn bad_variables_in_a_resource() {
    let rows = [
        ("arn:aws:s3:::b/${}", "`${}` names no condition key"),
        (
            "arn:aws:s3:::b/${aws:username, none}",
            "the default value in `${aws:username, none}` must be in single quotes",
        ),
        (
            "arn:aws:s3:::b/${aws user}",
            "cannot appear in the condition key `aws user` of a policy variable",
        ),
    ];
    for (resource, message) in rows {
        let src = format!(
            r#"{{
  "Version": "2012-10-17",
  "Statement": {{"Effect": "Allow", "Action": "s3:*", "Resource": "{resource}"}}
}}"#
        );
        let d = one_err(&src);
        // Column 66 is the opening quote; the `${` is 15 characters into the string.
        check(
            &src,
            &d,
            &Want {
                path: "Statement.Resource",
                line: 3,
                column: 82,
                message,
                help: None,
            },
        );
    }
}

#[test]
fn bad_variable_after_an_escape_points_at_the_string() {
    // With an escape sequence before the `${`, source and value offsets differ, so the
    // diagnostic points at the opening quote.
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::\u0062/${}"}
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement.Resource",
            line: 3,
            column: 66,
            message: "`${}` names no condition key",
            help: None,
        },
    );
}

#[test]
fn json_trailing_comma() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*",
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "",
            line: 7,
            column: 22,
            message: "trailing comma before `}`",
            help: Some("JSON does not allow a comma after the last member"),
        },
    );
}

#[test]
fn json_trailing_comma_in_an_array() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject",], "Resource": "*"}
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "",
            line: 4,
            column: 50,
            message: "trailing comma before `]`",
            help: Some("JSON does not allow a comma after the last element"),
        },
    );
}

#[test]
fn json_unterminated_string_at_end_of_line() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject,
      "Resource": "*"
    }
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "",
            line: 6,
            column: 31,
            message: "unescaped control character (U+000A) in a string",
            help: Some("strings cannot span lines; write a line break as `\\n`, or close the string with `\"`"),
        },
    );
}

#[test]
fn json_unterminated_string_at_end_of_input() {
    let src = "{\n  \"Id\": \"abc";
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "",
            line: 2,
            column: 13,
            message: "unterminated string",
            help: Some("add the closing `\"`"),
        },
    );
}

#[test]
fn json_not_json_at_all() {
    let src = "Version: 2012-10-17\nStatement:\n  - Effect: Allow\n";
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "",
            line: 1,
            column: 1,
            message: "expected a value, found `Version`",
            help: Some("strings must be in double quotes: `\"Version\"`"),
        },
    );

    let d = one_err("");
    assert_eq!((d.line(), d.column()), (1, 1));
    assert_eq!(d.message(), "expected a value, found end of input");
    assert_eq!(d.help(), Some("the document is empty"));
}

#[test]
fn json_missing_comma_and_single_quotes_and_comments() {
    let src = r#"{
  "Version": "2012-10-17"
  "Statement": []
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "",
            line: 3,
            column: 3,
            message: "expected `,` or `}` after an object member, found `\"`",
            help: Some("add a `,` between members"),
        },
    );

    let src = "{\n  'Version': '2012-10-17'\n}";
    let d = one_err(src);
    assert_eq!((d.line(), d.column()), (2, 3));
    assert_eq!(d.help(), Some("JSON strings use double quotes"));

    let src = "{\n  // a comment\n  \"Statement\": []\n}";
    let d = one_err(src);
    assert_eq!((d.line(), d.column()), (2, 3));
    assert_eq!(d.message(), "comments are not allowed in JSON");
}

#[test]
fn policy_that_is_not_an_object() {
    let src = "[\n  {\"Effect\": \"Allow\"}\n]";
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "",
            line: 1,
            column: 1,
            message: "a policy must be a JSON object, found an array",
            help: None,
        },
    );

    let src = "{\n  \"Version\": \"2012-10-17\"\n}";
    let d = one_err(src);
    assert_eq!((d.path(), d.line(), d.column()), ("", 1, 1));
    assert_eq!(d.message(), "a policy needs a `Statement` element");
}

#[test]
fn several_errors_reported_in_source_order() {
    let src = r#"{
  "Version": "2012-10-17",
  "Id": 7,
  "Statement": [
    {
      "Effect": "Permit",
      "Action": ["s3:GetObject", "GetObject"],
      "Resource": "bucket",
      "Condition": {
        "NumericEquals": {"s3:max-keys": "many"},
        "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "10.0.0.0/99"]}
      }
    },
    {
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": "*",
      "Condition": {"StringEquals": {"aws:username": "${aws:username"}}
    }
  ]
}"#;
    let diags = parse_err(src);
    let got: Vec<(&str, usize, usize)> = diags
        .iter()
        .map(|d| (d.path(), d.line(), d.column()))
        .collect();
    assert_eq!(
        got,
        [
            ("Id", 3, 9),
            ("Statement[0].Effect", 6, 17),
            ("Statement[0].Action[1]", 7, 34),
            ("Statement[0].Resource", 8, 19),
            (
                r#"Statement[0].Condition.NumericEquals["s3:max-keys"]"#,
                10,
                42
            ),
            (
                r#"Statement[0].Condition.IpAddress["aws:SourceIp"][1]"#,
                11,
                54
            ),
            (
                r#"Statement[1].Condition.StringEquals["aws:username"]"#,
                18,
                54
            ),
        ],
        "{diags:#?}"
    );
    assert_eq!(diags[0].message(), "`Id` must be a string, found a number");
    assert_eq!(diags[1].message(), "unknown effect `Permit`");
    assert_eq!(diags[1].help(), Some("`Effect` is `Allow` or `Deny`"));
    assert_eq!(diags[2].message(), "`GetObject` is not an action");
    assert_eq!(diags[3].message(), "`bucket` is not an ARN");
}

#[test]
fn duplicate_sids() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}
  ]
}"#;
    let d = one_err(src);
    check(
        src,
        &d,
        &Want {
            path: "Statement[1].Sid",
            line: 5,
            column: 5,
            message: "duplicate `Sid` `A` (also at `Statement[0]`, line 4)",
            help: None,
        },
    );
}

#[test]
fn duplicate_sid_reported_alongside_other_errors() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Sid": "A", "Effect": "Deny", "Action": "s3", "Resource": "*"}
  ]
}"#;
    let diags = parse_err(src);
    let paths: Vec<&str> = diags.iter().map(Diagnostic::path).collect();
    assert_eq!(paths, ["Statement[1].Sid", "Statement[1].Action"]);
}

#[test]
fn columns_count_characters_and_lines_end_at_crlf() {
    // Multibyte characters count as one column each; CRLF ends a line; a BOM is skipped.
    let src = "\u{feff}{\r\n  \"Id\": \"héllo\",\r\n  \"Statement\": {\"Sid\": \"ééé\", \"Effect\": \"Allów\", \"Action\": \"*\", \"Resource\": \"*\"}\r\n}";
    let d = one_err(src);
    // Column 41 in characters; the bytes before it number 43.
    assert_eq!(
        (d.path(), d.line(), d.column()),
        ("Statement.Effect", 3, 41)
    );
    assert_eq!(
        d.source_line(),
        "  \"Statement\": {\"Sid\": \"ééé\", \"Effect\": \"Allów\", \"Action\": \"*\", \"Resource\": \"*\"}"
    );
    assert_eq!(d.message(), "unknown effect `Allów`");
}

// ---------------------------------------------------------------------------------------
// 4. Validation by policy kind
// ---------------------------------------------------------------------------------------

const WITH_PRINCIPAL: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::bucket/*"
    }
  ]
}"#;

const WITHOUT_PRINCIPAL: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::bucket/*"
    }
  ]
}"#;

#[test]
fn principal_required_for_resource_and_rcp() {
    for kind in [PolicyKind::Resource, PolicyKind::Rcp] {
        let diags = validate_err(WITHOUT_PRINCIPAL, kind);
        assert_eq!(diags.len(), 1, "{kind}: {diags:#?}");
        check(
            WITHOUT_PRINCIPAL,
            &diags[0],
            &Want {
                path: "Statement[0]",
                line: 4,
                column: 5,
                message: "needs a `Principal` or `NotPrincipal` element",
                help: None,
            },
        );
        assert_eq!(
            diags[0].message(),
            format!(
                "a statement in {} needs a `Principal` or `NotPrincipal` element",
                kind_name(kind)
            )
        );
        parse_ok(WITH_PRINCIPAL).validate(kind).unwrap();
    }
    let rcp = validate_err(WITHOUT_PRINCIPAL, PolicyKind::Rcp);
    assert_eq!(
        rcp[0].help(),
        Some("resource control policies name `\"Principal\": \"*\"` and narrow it with conditions")
    );
}

#[test]
fn principal_forbidden_elsewhere() {
    for kind in [
        PolicyKind::Identity,
        PolicyKind::Scp,
        PolicyKind::Boundary,
        PolicyKind::Session,
    ] {
        let diags = validate_err(WITH_PRINCIPAL, kind);
        assert_eq!(diags.len(), 1, "{kind}: {diags:#?}");
        check(
            WITH_PRINCIPAL,
            &diags[0],
            &Want {
                path: "Statement[0].Principal",
                line: 6,
                column: 7,
                message: "cannot have a `Principal` element",
                help: Some("the principal of an identity-based policy, SCP, boundary or session policy is the one it is attached to; remove the element"),
            },
        );
        assert_eq!(
            diags[0].message(),
            format!("{} cannot have a `Principal` element", kind_name(kind))
        );
        parse_ok(WITHOUT_PRINCIPAL).validate(kind).unwrap();
    }
}

#[test]
fn not_principal_forbidden_in_identity_policies() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": "*",
        "NotPrincipal": {"AWS": "111122223333"}
    }
  ]
}"#;
    let diags = validate_err(src, PolicyKind::Identity);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    check(
        src,
        &diags[0],
        &Want {
            path: "Statement[1].NotPrincipal",
            line: 9,
            column: 9,
            message: "an identity-based policy cannot have a `NotPrincipal` element",
            help: None,
        },
    );
    assert_eq!(
        diags[0].message(),
        "an identity-based policy cannot have a `NotPrincipal` element"
    );
}

#[test]
fn kind_messages_use_the_right_article() {
    let diags = validate_err(WITH_PRINCIPAL, PolicyKind::Identity);
    assert_eq!(
        diags[0].message(),
        "an identity-based policy cannot have a `Principal` element"
    );
    let messages = |src: &str, kind| -> Vec<String> {
        validate_err(src, kind)
            .iter()
            .map(|d| d.message().to_string())
            .collect()
    };
    assert_eq!(
        messages(WITH_PRINCIPAL, PolicyKind::Scp),
        ["an SCP cannot have a `Principal` element"]
    );
    assert_eq!(
        messages(WITH_PRINCIPAL, PolicyKind::Boundary),
        ["a permissions boundary cannot have a `Principal` element"]
    );
    assert_eq!(
        messages(WITH_PRINCIPAL, PolicyKind::Session),
        ["a session policy cannot have a `Principal` element"]
    );
    assert_eq!(
        messages(WITHOUT_PRINCIPAL, PolicyKind::Rcp),
        ["a statement in an RCP needs a `Principal` or `NotPrincipal` element"]
    );
    assert_eq!(
        messages(WITHOUT_PRINCIPAL, PolicyKind::Resource),
        ["a statement in a resource-based policy needs a `Principal` or `NotPrincipal` element"]
    );
    let no_resource = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]
}"#;
    assert_eq!(
        messages(no_resource, PolicyKind::Scp),
        ["a statement in an SCP needs a `Resource` or `NotResource` element"]
    );
}

#[test]
fn rcp_principal_must_be_a_star() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Principal": {"AWS": "*"},
      "Action": "s3:*",
      "Resource": "*"
    }
  ]
}"#;
    let diags = validate_err(src, PolicyKind::Rcp);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    check(
        src,
        &diags[0],
        &Want {
            path: "Statement[0].Principal",
            line: 6,
            column: 7,
            message: "a resource control policy must use `\"Principal\": \"*\"`",
            help: Some("narrow the callers with conditions such as `aws:PrincipalOrgID`"),
        },
    );
    assert_eq!(
        diags[0].message(),
        "a resource control policy must use `\"Principal\": \"*\"`, not a list of principals"
    );
    // The same statement is fine as a bucket policy.
    parse_ok(src).validate(PolicyKind::Resource).unwrap();
}

#[test]
fn rcp_not_principal_is_reported_at_its_own_path() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "NotPrincipal": "*",
      "Action": "s3:*",
      "Resource": "*"
    }
  ]
}"#;
    let diags = validate_err(src, PolicyKind::Rcp);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].path(), "Statement[0].NotPrincipal");
}

#[test]
fn resource_required_except_in_resource_policies() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Service": "ec2.amazonaws.com"},
      "Action": "sts:AssumeRole"
    }
  ]
}"#;
    parse_ok(src).validate(PolicyKind::Resource).unwrap();
    let src_no_principal = src.replace(
        r#"      "Principal": {"Service": "ec2.amazonaws.com"},
"#,
        "",
    );
    for kind in [
        PolicyKind::Identity,
        PolicyKind::Scp,
        PolicyKind::Boundary,
        PolicyKind::Session,
    ] {
        let diags = validate_err(&src_no_principal, kind);
        assert_eq!(diags.len(), 1, "{kind}: {diags:#?}");
        check(
            &src_no_principal,
            &diags[0],
            &Want {
                path: "Statement[0]",
                line: 4,
                column: 5,
                message: "needs a `Resource` or `NotResource` element",
                help: Some("add `\"Resource\": \"*\"` or the ARNs the statement covers"),
            },
        );
        assert_eq!(
            diags[0].message(),
            format!(
                "a statement in {} needs a `Resource` or `NotResource` element",
                kind_name(kind)
            )
        );
    }
    // An RCP without Principal and Resource gets both, in that order.
    let diags = validate_err(&src_no_principal, PolicyKind::Rcp);
    let messages: Vec<&str> = diags.iter().map(Diagnostic::message).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("`Principal`"));
    assert!(messages[1].contains("`Resource`"));
}

#[test]
fn validation_reports_every_statement() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}
  ]
}"#;
    let diags = validate_err(src, PolicyKind::Session);
    let got: Vec<(&str, usize, usize)> = diags
        .iter()
        .map(|d| (d.path(), d.line(), d.column()))
        .collect();
    assert_eq!(
        got,
        [
            ("Statement[0].Principal", 4, 25),
            ("Statement[2].Principal", 6, 25)
        ]
    );
}

// ---------------------------------------------------------------------------------------
// 5. Limits
// ---------------------------------------------------------------------------------------

/// "IAM does not count white space when calculating the size of a policy"
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): the
/// limit counts bytes without the whitespace between tokens.
#[test]
fn policy_over_the_byte_limit() {
    let minified: String = {
        let v: serde_json::Value = serde_json::from_str(WITH_PRINCIPAL).unwrap();
        v.to_string()
    };
    let size = minified.len();
    assert!(size < WITH_PRINCIPAL.len(), "the fixture has whitespace");
    let limits = Limits::default().with_max_policy_bytes(size - 1);
    let diags = parse_err_with(WITH_PRINCIPAL, &limits);
    assert_eq!(diags.len(), 1);
    let d = &diags[0];
    assert_eq!((d.path(), d.line(), d.column()), ("", 1, 1));
    assert_eq!(
        d.message(),
        format!(
            "the policy is {size} bytes without whitespace, over the limit of {} bytes",
            size - 1
        )
    );
    // Exactly at the limit is fine, however much whitespace the text has.
    let exact = Limits::default().with_max_policy_bytes(size);
    Policy::parse_with_limits(WITH_PRINCIPAL, &exact).unwrap();
    Policy::parse_with_limits(&minified, &exact).unwrap();
    // The document as written has a limit of its own, whitespace included.
    let padded = format!("{}{WITH_PRINCIPAL}", " ".repeat(1000));
    let small = Limits::default().with_max_source_bytes(1000);
    let d = &parse_err_with(&padded, &small)[0];
    assert_eq!(
        d.message(),
        format!(
            "the document is {} bytes, over the limit of 1000 bytes",
            padded.len()
        )
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let value = format!("{}\"x\"{}", "[".repeat(100), "]".repeat(100));
    let src = condition_policy(&format!(r#"        "StringEquals": {{"k": {value}}}"#));
    let d = one_err(&src);
    // Depth: policy 1, Statement 2, statement 3, Condition 4, StringEquals 5, then the
    // value's arrays; the 28th `[` (column 31 + 27) is the 33rd level.
    check(
        &src,
        &d,
        &Want {
            path: "",
            line: 9,
            column: 58,
            message: "nesting deeper than 32 levels",
            help: Some("policies do not nest this deep; the limit is configurable"),
        },
    );

    // A lower limit: a valid policy nests 6 deep.
    let shallow = Limits::default().with_max_depth(5);
    let src = condition_policy(r#"        "StringEquals": {"k": ["a"]}"#);
    let diags = parse_err_with(&src, &shallow);
    assert_eq!((diags[0].line(), diags[0].column()), (9, 31));
    Policy::parse_with_limits(&src, &Limits::default().with_max_depth(6)).unwrap();

    // Huge nesting, opened and never closed, or as a whole document.
    let unlimited_size = Limits::default().with_max_policy_bytes(usize::MAX);
    // The 33rd opening bracket is where the error is: `{"a":` is five columns wide.
    for (src, column) in [
        ("[".repeat(1_000_000), 33),
        (
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
            33,
        ),
        ("{\"a\":".repeat(200_000), 161),
    ] {
        let d = &parse_err_with(&src, &unlimited_size)[0];
        assert_eq!(d.message(), "nesting deeper than 32 levels");
        assert_eq!((d.line(), d.column()), (1, column));
    }
}

#[test]
fn nested_array_as_a_condition_value_within_the_depth_limit() {
    let src = condition_policy(r#"        "StringEquals": {"k": [["a"]]}"#);
    let d = one_err(&src);
    check(
        &src,
        &d,
        &Want {
            path: r#"Statement[0].Condition.StringEquals["k"][0]"#,
            line: 9,
            column: 32,
            message: "a condition value must be a string, a number or a boolean, found an array",
            help: None,
        },
    );
}

#[test]
fn statement_count_limit() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}
  ]
}"#;
    let limits = Limits::default().with_max_statements(2);
    let diags = parse_err_with(src, &limits);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    check(
        src,
        &diags[0],
        &Want {
            path: "Statement",
            line: 3,
            column: 16,
            message: "the policy has 3 statements, over the limit of 2",
            help: Some("the limit is configurable"),
        },
    );
    Policy::parse_with_limits(src, &Limits::default().with_max_statements(3)).unwrap();
}

#[test]
fn statement_count_limit_applies_to_a_single_object() {
    let src = r#"{
  "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
}"#;
    let diags = parse_err_with(src, &Limits::default().with_max_statements(0));
    assert_eq!(
        diags[0].message(),
        "the policy has 1 statement, over the limit of 0"
    );
}

/// AWS limits no single list (its own managed policies have a 1 548-action `Action`
/// list); the limit counts every value of the policy together.
#[test]
fn values_limit_counts_the_whole_policy() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": "*",
      "Condition": {
        "StringEquals": {"aws:username": ["a", "b", "c"]}
      }
    }
  ]
}"#;
    // 2 actions + 1 resource + 3 condition values.
    Policy::parse_with_limits(src, &Limits::default().with_max_values(6)).unwrap();
    let diags = parse_err_with(src, &Limits::default().with_max_values(5));
    assert_eq!(diags.len(), 1, "{diags:#?}");
    check(
        src,
        &diags[0],
        &Want {
            path: r#"Statement[0].Condition.StringEquals["aws:username"]"#,
            line: 9,
            column: 42,
            message: "the policy has more than 5 values (actions, resources, principals and condition values together), over the limit",
            help: Some("the limit is configurable"),
        },
    );
    // Reported once, at the list that goes over.
    let diags = parse_err_with(src, &Limits::default().with_max_values(1));
    let got: Vec<(&str, usize, usize)> = diags
        .iter()
        .map(|d| (d.path(), d.line(), d.column()))
        .collect();
    assert_eq!(got, [("Statement[0].Action", 6, 17)]);
    // One list longer than the old per-list limit is fine.
    let actions: Vec<String> = (0..1548).map(|i| format!("\"s3:Action{i}\"")).collect();
    let big = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{}],"Resource":"*"}}]}}"#,
        actions.join(",")
    );
    Policy::parse(&big).unwrap();
}

#[test]
fn value_length_limit() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::a-rather-long-bucket-name",
      "Condition": {
        "StringEquals": {"aws:username": ["ok", "a-rather-long-user-name"]}
      }
    }
  ]
}"#;
    let limits = Limits::default().with_max_pattern_len(20);
    let diags = parse_err_with(src, &limits);
    assert_eq!(diags.len(), 2, "{diags:#?}");
    check(
        src,
        &diags[0],
        &Want {
            path: "Statement[0].Resource",
            line: 7,
            column: 19,
            message: "a value of 38 bytes is over the limit of 20",
            help: Some("the limit is configurable"),
        },
    );
    check(
        src,
        &diags[1],
        &Want {
            path: r#"Statement[0].Condition.StringEquals["aws:username"][1]"#,
            line: 9,
            column: 49,
            message: "a value of 23 bytes is over the limit of 20",
            help: Some("the limit is configurable"),
        },
    );
    Policy::parse_with_limits(src, &Limits::default().with_max_pattern_len(38)).unwrap();
}

#[test]
fn default_limits() {
    let l = Limits::default();
    assert_eq!(
        (
            l.max_policy_bytes(),
            l.max_source_bytes(),
            l.max_depth(),
            l.max_statements(),
            l.max_values(),
            l.max_pattern_len()
        ),
        (256 * 1024, 4 * 1024 * 1024, 32, 4096, 50_000, 4096)
    );
}

// ---------------------------------------------------------------------------------------
// 6. Rendering
// ---------------------------------------------------------------------------------------

#[test]
fn render_one_error() {
    let src = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "allow",
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}"#;
    let err = Policy::parse(src).unwrap_err();
    let [d] = err.diagnostics() else {
        panic!("expected one diagnostic");
    };
    let want = r#"p.json:5:17: error: unknown effect `allow`
  |
5 |       "Effect": "allow",
  |                 ^
  = at: Statement[0].Effect
  = help: did you mean `Allow`? (`Effect` is case-sensitive)
"#;
    assert_eq!(d.render("p.json"), want);
    assert_eq!(err.render("p.json"), want);
}

#[test]
fn render_a_syntax_error_without_path_or_help_on_a_two_digit_line() {
    let src = "{\n\n\n\n\n\n\n\n\n  \"Statement\": [}\n}";
    let err = Policy::parse(src).unwrap_err();
    let [d] = err.diagnostics() else {
        panic!("expected one diagnostic");
    };
    // The gutter is as wide as the line number; the marker sits under column 17.
    let want = format!(
        "p.json:10:17: error: expected a value, found `}}`\n   |\n10 |   \"Statement\": [}}\n   | {}^\n",
        " ".repeat(16)
    );
    assert_eq!(d.render("p.json"), want);
}

/// A file with old Mac line endings (a lone CR ends a line, as RFC 8259 whitespace
/// allows) gets the same lines and source text in validation errors as in parse errors.
#[test]
fn validation_errors_count_lines_ended_by_a_lone_cr() {
    let src = "{\r  \"Version\": \"2012-10-17\",\r  \"Statement\": [{\r    \"Effect\": \"Allow\",\r    \"Principal\": \"*\",\r    \"Action\": \"s3:GetObject\",\r    \"Resource\": \"*\"\r  }]\r}";
    let diags = validate_err(src, PolicyKind::Identity);
    let [d] = diags.as_slice() else {
        panic!("one diagnostic expected: {diags:?}");
    };
    assert_eq!((d.line(), d.column()), (5, 5), "{d:?}");
    assert_eq!(d.source_line(), "    \"Principal\": \"*\",");
    // The same element misspelt is a parse error at the same place.
    let parse = parse_err(&src.replace("Principal", "Principle"));
    assert_eq!((parse[0].line(), parse[0].column()), (5, 5));
    assert_eq!(
        parse[0].source_line(),
        d.source_line().replace("Principal", "Principle")
    );
}
