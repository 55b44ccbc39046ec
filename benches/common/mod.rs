//! Scenarios shared by the benches and by `tests/alloc.rs` (which includes this file with
//! `#[path]`), so the allocation test checks exactly the sets that are timed.

use iam_eval::TestFile;
use iam_eval::{Decision, Policy, PolicyKind, PolicySet, Request};
use serde_json::{json, Value};
use std::path::PathBuf;

/// The caller of every generated request; the generated resource policy grants to it.
pub const CALLER: &str = "arn:aws:iam::111122223333:user/alice";

/// Loads `benches/data/<name>.json` and checks, once, that every case gets the decision
/// it expects, so no bench ever times a wrong answer.
pub fn load_checked(name: &str) -> TestFile {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("benches")
        .join("data")
        .join(format!("{name}.json"));
    let file = TestFile::load(&path).unwrap_or_else(|e| panic!("{e}"));
    for case in file.cases() {
        let got = file.policy_set().evaluate(case.request()).decision();
        assert_eq!(got, case.expect(), "{name}/{}", case.name());
    }
    file
}

/// One generated statement. `i` picks the service, the condition operators and the
/// resource prefix; every statement is false for the generated requests, by action, by
/// resource or, for the few that cover the requests' action and resource (two in 256:
/// statement's `shared-bucket/*` and `s3:*` grants), by a condition. A policy of a
/// thousand statements mostly covers other actions and resources; those are what the
/// index must skip, and the few that can match are what evaluation must look at.
fn statement(i: usize, resource_policy: bool) -> Value {
    let shared = |i: usize| {
        if i % 256 < 8 {
            "arn:aws:s3:::shared-bucket/*".to_string()
        } else {
            format!("arn:aws:s3:::shared-bucket/prefix-{i}/*")
        }
    };
    let mut s = match i % 8 {
        0 => json!({
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": format!("arn:aws:s3:::bucket-{i:04}/prefix-{i}/*"),
            "Condition": {"StringEquals": {"aws:SourceVpce": format!("vpce-{:08x}", i * 7919)}},
        }),
        1 => json!({
            "Effect": "Deny",
            "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
            "Resource": format!("arn:aws:dynamodb:us-east-1:111122223333:table/table-{i}"),
            "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}},
        }),
        2 => json!({
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": format!("arn:aws:kms:us-east-1:111122223333:key/{i:08}-0000-4000-8000-000000000000"),
            "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
        }),
        // Action and, every 64th statement, resource match the generated requests; the
        // conditions do not.
        3 => json!({
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": shared(i),
            "Condition": {
                "IpAddress": {"aws:SourceIp": [format!("10.{}.0.0/16", i % 256), "172.16.0.0/12"]},
                "DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
            },
        }),
        // Matches by action and resource; the negated operator is false because the key
        // is present and equal.
        4 => json!({
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": shared(i),
            "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}},
        }),
        5 => json!({
            "Effect": "Allow",
            "Action": ["sqs:SendMessage", "sns:Publish"],
            "Resource": format!("arn:aws:sqs:us-east-1:111122223333:queue-{i}"),
            "Condition": {"ArnLike": {"aws:SourceArn": format!("arn:aws:sns:us-east-1:111122223333:topic-{i}-*")}},
        }),
        6 => json!({
            "Effect": "Allow",
            "Action": ["ec2:StartInstances", "ec2:StopInstances"],
            "Resource": "arn:aws:ec2:*:111122223333:instance/*",
            "Condition": {
                "StringEquals": {"aws:ResourceTag/env": format!("prod-{i}")},
                "Bool": {"aws:SecureTransport": "true"},
            },
        }),
        _ => json!({
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetObject*"],
            "Resource": format!("arn:aws:s3:::shared-bucket/prefix-{i}/*"),
            "Condition": {"NumericLessThan": {"s3:max-keys": "1000"}},
        }),
    };
    if resource_policy {
        if let Some(obj) = s.as_object_mut() {
            let principal = match i % 3 {
                0 => json!("*"),
                1 => {
                    json!({"AWS": format!("arn:aws:iam::{:012}:root", 444_455_556_666_u64 + i as u64)})
                }
                _ => json!({"AWS": CALLER}),
            };
            obj.insert("Principal".into(), principal);
        }
    }
    if let Some(obj) = s.as_object_mut() {
        obj.insert("Sid".into(), json!(format!("S{i:04}")));
    }
    s
}

/// The statement the hit request matches: the last but one of the set.
fn target(resource_policy: bool) -> Value {
    let mut s = json!({
        "Sid": "Target",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::shared-bucket/data/*",
        "Condition": {
            "IpAddress": {"aws:SourceIp": "192.0.2.0/24"},
            "Bool": {"aws:SecureTransport": "true"},
        },
    });
    if resource_policy {
        if let Some(obj) = s.as_object_mut() {
            obj.insert("Principal".into(), json!({"AWS": CALLER}));
        }
    }
    s
}

/// The JSON texts of the identity and the resource policy of an `n`-statement set: the
/// first half of the statements in the identity policy, the rest in the bucket policy,
/// whose last but one statement is the one [`statements_set`]'s hit request matches.
pub fn statements_json(n: usize) -> (String, String) {
    assert!(n >= 4, "the generator needs room for the target statement");
    let half = n / 2;
    let identity: Vec<Value> = (0..half).map(|i| statement(i, false)).collect();
    let mut resource: Vec<Value> = (half..n - 2).map(|i| statement(i, true)).collect();
    resource.push(target(true));
    resource.push(statement(n - 1, true));
    let doc = |statements: Vec<Value>| {
        json!({"Version": "2012-10-17", "Statement": statements}).to_string()
    };
    (doc(identity), doc(resource))
}

/// An `n`-statement set, a request it allows through a statement near the end, and a
/// request no statement matches.
pub fn statements_set(n: usize) -> (PolicySet, Request, Request) {
    let (identity, resource) = statements_json(n);
    let parse = |text: &str| Policy::parse(text).unwrap_or_else(|e| panic!("{e}"));
    let set = PolicySet::builder()
        .add(PolicyKind::Identity, "identity", parse(&identity))
        .add(PolicyKind::Resource, "bucket", parse(&resource))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let request = |ip: &str| {
        Request::builder()
            .principal(CALLER)
            .action("s3:GetObject")
            .resource("arn:aws:s3:::shared-bucket/data/file.txt")
            .resource_account("111122223333")
            .context("aws:SourceIp", ip)
            .context("aws:SecureTransport", "true")
            .context("aws:CurrentTime", "2024-06-01T12:00:00Z")
            .context("s3:max-keys", "10")
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let hit = request("192.0.2.10");
    let miss = request("203.0.113.5");
    let response = set.evaluate(&hit);
    assert_eq!(response.decision(), Decision::Allow, "statements/{n}");
    assert!(
        response.determining().any(|s| s.sid() == Some("Target")),
        "statements/{n}: decided by the target statement"
    );
    assert_eq!(
        set.evaluate(&miss).decision(),
        Decision::ImplicitDeny,
        "statements/{n}_miss"
    );
    (set, hit, miss)
}

/// A set whose resources and conditions use `${aws:username}` and
/// `${aws:PrincipalTag/team}`, and a request it allows.
pub fn variables_set() -> (PolicySet, Request) {
    let policy = Policy::parse(
        r#"{"Version": "2012-10-17", "Statement": [
          {"Sid": "Home", "Effect": "Allow",
           "Action": ["s3:GetObject", "s3:PutObject"],
           "Resource": "arn:aws:s3:::home-bucket/home/${aws:username}/*",
           "Condition": {
             "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"},
             "StringLike": {"s3:prefix": ["home/${aws:username}/*", "team/${aws:PrincipalTag/team}/*"]}
           }},
          {"Sid": "NotOthers", "Effect": "Deny", "Action": "s3:*",
           "NotResource": ["arn:aws:s3:::home-bucket/home/${aws:username}/*",
                           "arn:aws:s3:::home-bucket/team/${aws:PrincipalTag/team}/*"]}
        ]}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let set = PolicySet::builder()
        .add(PolicyKind::Identity, "home", policy)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let request = Request::builder()
        .principal(CALLER)
        .action("s3:GetObject")
        .resource("arn:aws:s3:::home-bucket/home/alice/notes.txt")
        .context("aws:PrincipalTag/team", "blue")
        .context("aws:ResourceTag/team", "blue")
        .context("s3:prefix", "home/alice/notes.txt")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        set.evaluate(&request).decision(),
        Decision::Allow,
        "variables"
    );
    (set, request)
}

/// Service names for the generated read-only policy: real-looking prefixes made of
/// syllables, so names share prefixes the way AWS's do (`ec2`, `ecr`, `ecs`, …).
fn service_name(i: usize) -> String {
    const HEADS: [&str; 20] = [
        "a", "api", "app", "auto", "back", "cloud", "code", "data", "dev", "ec", "el", "gl", "iot",
        "lake", "media", "net", "red", "route", "sage", "sec",
    ];
    const TAILS: [&str; 15] = [
        "", "2", "s", "watch", "trail", "hub", "ops", "build", "front", "maker", "stream", "sync",
        "guard", "logs", "mesh",
    ];
    let head = HEADS[i % HEADS.len()];
    let tail = TAILS[(i / HEADS.len()) % TAILS.len()];
    format!("{head}{tail}")
}

/// An identity policy of the shape of AWS's `ReadOnlyAccess` managed policy, generated:
/// 300 services, each with `Get*`, `List*` and `Describe*` and two exact read actions
/// (1 500 entries), split over two `Allow` statements on `"*"` as AWS splits its
/// list, and a third statement with a condition for one service.
pub fn readonly_json() -> String {
    let mut actions: Vec<String> = Vec::new();
    for i in 0..300 {
        let svc = service_name(i);
        actions.push(format!("{svc}:Get*"));
        actions.push(format!("{svc}:List*"));
        actions.push(format!("{svc}:Describe*"));
        actions.push(format!("{svc}:BatchGet{}Items", i % 7));
        actions.push(format!(
            "{svc}:Search{}",
            ["Resources", "Catalog", "Index"][i % 3]
        ));
    }
    let (first, second) = actions.split_at(actions.len() / 2);
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadOnlyActionsGroup1", "Effect": "Allow", "Action": first, "Resource": "*"},
            {"Sid": "ReadOnlyActionsGroup2", "Effect": "Allow", "Action": second, "Resource": "*"},
            {"Sid": "SessionReadOnly", "Effect": "Allow", "Action": "lakesync:CreateSession",
             "Resource": "*", "Condition": {"StringEquals": {"lakesync:SessionMode": "ReadOnly"}}},
        ],
    })
    .to_string()
}

/// The real `ReadOnlyAccess` policy, when the shared real-world data sits beside the
/// checkout (`../shared/realworld/managed-iamdataset/ReadOnlyAccess.json`).
pub fn readonly_aws_json() -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("realworld")
        .join("managed-iamdataset")
        .join("ReadOnlyAccess.json");
    std::fs::read_to_string(path).ok()
}

/// A read-only set and its requests: `(case name, request, expected decision)`.
pub type Scenario = (PolicySet, Vec<(&'static str, Request, Decision)>);

fn readonly_scenario(text: &str, cases: &[(&'static str, &str, Decision)]) -> Scenario {
    let limits = iam_eval::Limits::default().with_max_policy_bytes(1 << 20);
    let policy =
        Policy::parse_with_limits(text, &limits).unwrap_or_else(|e| panic!("readonly: {e}"));
    let set = PolicySet::builder()
        .add(PolicyKind::Identity, "readonly", policy)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let requests = cases
        .iter()
        .map(|&(name, action, expect)| {
            let request = Request::builder()
                .principal(CALLER)
                .action(action)
                .resource("arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0")
                .build()
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(set.evaluate(&request).decision(), expect, "readonly/{name}");
            (name, request, expect)
        })
        .collect();
    (set, requests)
}

/// The generated read-only set ([`readonly_json`]) and requests: an action a wildcard
/// allows, one named exactly, a write action of a named service, and an action of a
/// service the policy never names.
pub fn readonly_set() -> Scenario {
    readonly_scenario(
        &readonly_json(),
        &[
            ("wildcard", "ec2:DescribeInstances", Decision::Allow),
            ("exact", "ec2:SearchIndex", Decision::Allow),
            ("write", "ec2:TerminateInstances", Decision::ImplicitDeny),
            ("unnamed", "nosuchservice:GetThing", Decision::ImplicitDeny),
        ],
    )
}

/// The real `ReadOnlyAccess` set and the same kinds of requests, when it is present.
pub fn readonly_aws_set() -> Option<Scenario> {
    let text = readonly_aws_json()?;
    Some(readonly_scenario(
        &text,
        &[
            ("wildcard", "ec2:DescribeInstances", Decision::Allow),
            ("exact", "ec2:SearchTransitGatewayRoutes", Decision::Allow),
            ("write", "ec2:TerminateInstances", Decision::ImplicitDeny),
            ("unnamed", "nosuchservice:GetThing", Decision::ImplicitDeny),
        ],
    ))
}
