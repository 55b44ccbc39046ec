//! Hostile requests: the evaluator must answer every one of them, never panic, and never
//! allow what a well-formed request would not get.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use iam_eval::RequestSpec;
use iam_eval::{Decision, Policy, PolicyKind, PolicySet, Request};

/// A set that uses every operator family on keys the requests below fill with junk, in
/// an Allow (a junk value must not grant) and in a Deny (a junk value must not lift it).
fn set() -> PolicySet {
    let identity = Policy::parse(
        r#"{"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "DenyUnlessTyped", "Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {
           "NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"},
           "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
           "NumericGreaterThan": {"s3:max-keys": "10"},
           "Bool": {"aws:SecureTransport": "false"},
           "ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"},
           "BinaryEquals": {"k:bin": "QUJD"}}}
    ]}"#,
    )
    .unwrap();
    let bucket = Policy::parse(
        r#"{"Version": "2012-10-17", "Statement": [
        {"Sid": "Home", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::bucket/${aws:username}/*",
         "Condition": {"StringLike": {"aws:userid": "*${aws:username}*"}}}
    ]}"#,
    )
    .unwrap();
    PolicySet::builder()
        .add(PolicyKind::Identity, "identity", identity)
        .add(PolicyKind::Resource, "bucket", bucket)
        .build()
        .unwrap()
}

fn request(
    principal: &str,
    action: &str,
    resource: &str,
    context: &[(&str, &str)],
) -> Option<Request> {
    let mut b = Request::builder();
    b.principal(principal).action(action).resource(resource);
    for (k, v) in context {
        b.context(k, *v);
    }
    b.build().ok()
}

#[test]
fn junk_in_every_field_is_answered() {
    let set = set();
    let huge = "x".repeat(1 << 20);
    let huge_arn = format!("arn:aws:s3:::bucket/{huge}");
    let principals = [
        "arn:aws:iam::111122223333:user/alice",
        "*",
        "",
        "arn:",
        "arn:aws",
        ":::::",
        "arn:aws:iam::1:user/x",
        "arn:aws:iam::111122223333:user/",
        "arn:aws:sts::111122223333:assumed-role//",
        &huge,
    ];
    let actions = [
        "s3:GetObject",
        "",
        ":",
        "s3:",
        "s3:Get*",
        "ünïcödé:Äction",
        &huge,
    ];
    let resources = [
        "arn:aws:s3:::bucket/alice/k",
        "",
        "arn:",
        "*",
        "\u{0}\u{1}",
        &huge_arn,
        "arn:aws:s3:::bucket/\u{10FFFF}",
    ];
    let contexts: [&[(&str, &str)]; 6] = [
        &[],
        &[
            ("aws:SourceIp", "not-an-ip"),
            ("aws:CurrentTime", "yesterday"),
        ],
        &[("s3:max-keys", "1e99999"), ("aws:SecureTransport", "maybe")],
        &[("aws:SourceArn", "arn:"), ("k:bin", "%%%")],
        &[("", ""), ("aws:username", "*"), ("aws:userid", "\u{FEFF}")],
        &[("aws:SourceIp", &huge), ("aws:CurrentTime", &huge)],
    ];
    let mut answered = 0;
    for p in principals {
        for a in actions {
            for r in resources {
                for c in contexts {
                    if let Some(req) = request(p, a, r, c) {
                        let response = set.evaluate(&req);
                        let (explained, trace) = set.explain(&req);
                        assert_eq!(response.decision(), explained.decision());
                        assert_eq!(trace.decision, response.decision());
                        answered += 1;
                    }
                }
            }
        }
    }
    // Two principals, two actions and four resources (an ARN, `*`, a 1 MiB ARN, a
    // non-BMP one; the empty, cut-off and control-character ones are refused) build, with
    // every context.
    assert_eq!(answered, 2 * 2 * 4 * 6, "requests built");
}

#[test]
fn an_unreadable_value_never_lifts_a_deny() {
    let set = set();
    // Each junk value sits under an operator of the Deny; with readable values that all
    // hold, the Deny applies. Junk must not turn that into an Allow.
    let typed = [
        ("aws:SourceIp", "203.0.113.9"),
        ("aws:CurrentTime", "2024-01-01T00:00:00Z"),
        ("s3:max-keys", "50"),
        ("aws:SecureTransport", "false"),
        ("aws:SourceArn", "arn:aws:sns:us-east-1:999999999999:t"),
        ("k:bin", "QUJD"),
    ];
    let alice = "arn:aws:iam::111122223333:user/alice";
    let base = request(alice, "s3:PutObject", "arn:aws:s3:::other/k", &typed).unwrap();
    assert_eq!(set.evaluate(&base).decision(), Decision::ExplicitDeny);
    // For each key, values its operator cannot read.
    let junk: [&[&str]; 6] = [
        &["", "junk", "\u{0}", "10.0.0.256", "::g"],
        &["", "yesterday", "2024-13-01", "\u{0}"],
        &["", "1e99999", "ten", "0x10"],
        &["", "maybe", "1", "\u{0}"],
        &["", "arn:", "junk", "\u{0}"],
        &["%%%", "====", "\u{0}", "A"],
    ];
    for (i, values) in junk.iter().enumerate() {
        for j in *values {
            let mut context = typed.to_vec();
            context[i].1 = j;
            let req = request(alice, "s3:PutObject", "arn:aws:s3:::other/k", &context).unwrap();
            let response = set.evaluate(&req);
            assert_ne!(
                response.decision(),
                Decision::Allow,
                "`{j}` for {} lifted the Deny",
                typed[i].0
            );
            assert!(
                response.problems().next().is_some(),
                "`{j}` for {} was not reported",
                typed[i].0
            );
        }
    }
}

#[test]
fn malformed_request_json_is_an_error_with_a_position() {
    let rows = [
        // At the escape itself.
        (r#"{"principal": "*", "action": "s3:GetObject", "resource": "\ud800"}"#, "1:59"),
        (r#"{"principal": "*", "action": "s3:GetObject", "resource": 1}"#, "1:58"),
        (r#"{"principal": "*", "action": "s3:GetObject", "resource": "r", "context": {"k": {}}}"#, "1:80"),
        (r#"{"principal": "*", "action": "s3:GetObject", "resource": "r", "contexts": {}}"#, "1:63"),
        ("{\"principal\": \"*\",\n \"action\": \"s3:GetObject\", \"resource\": \"r\", \"context\": {\"K\": \"a\", \"k\": \"b\"}}", "2:67"),
        (r#"{"principal": {"Service": "s", "Federated": "f"}, "action": "a:b", "resource": "r"}"#, "1:15"),
        ("\u{feff}{]", "1:2"),
    ];
    for (src, position) in rows {
        let err = RequestSpec::from_json(src, "req.json").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("req.json:{position}:")),
            "{src}\n{text}"
        );
    }
}
