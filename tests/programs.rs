#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! The per-action programs `evaluate` runs against the plain evaluation `explain` runs
//! (every statement, in set order): on random sets built to exercise the programs —
//! actions named exactly and by wildcards across services, `NotAction`, many nested
//! resource prefixes (so that programs use tries and both ways of running), conditions
//! shared by several statements (so that the memo is used), values of the wrong type
//! (so that problems are met) — both must give the same decision, reason, deciding
//! statements and problems.

use iam_eval::{Decision, Policy, PolicyKind, PolicySet, Principal, Reason, Request, Response};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Value};

/// Actions requests name: some named exactly by the policies, some only by their
/// wildcards, some of services no policy names.
const ACTIONS: [&str; 12] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:GetObjectAcl",
    "s3:DeleteObject",
    "s3express:GetObject",
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "kms:Decrypt",
    "sts:AssumeRole",
    "ec2:DescribeInstances",
    "dynamodb:GetItem",
    "other:Thing",
];

/// Action patterns policies name.
const ACTION_PATTERNS: [&str; 18] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:getobjectacl",
    "S3:DeleteObject",
    "sqs:SendMessage",
    "kms:Decrypt",
    "sts:AssumeRole",
    "s3:Get*",
    "s3:*",
    "s3*:Get*",
    "s3:*Object",
    "s?:Get*",
    "*:GetObject",
    "sqs:*",
    "ec2:Describe*",
    "*",
    "dynamodb:GetItem",
    "kms:*",
];

/// Resources requests name.
const RESOURCES: [&str; 13] = [
    "arn:aws:s3:::bucket",
    "arn:aws:s3:::bucket/",
    "arn:aws:s3:::bucket/dir",
    "arn:aws:s3:::bucket/dir/su",
    "arn:aws:s3:::bucket/key",
    "arn:aws:s3:::bucket/dir/key",
    "arn:aws:s3:::bucket/dir/sub/key",
    "arn:aws:s3:::bucket-2/dir/key",
    "arn:aws:s3:::other/alice/key",
    "arn:aws:sqs:us-east-1:111122223333:queue",
    "arn:aws:kms:us-east-1:111122223333:key/k1",
    "arn:aws:iam::111122223333:role/app",
    "*",
];

/// Resource patterns: nested prefixes (each a group of its own), exact names, wildcards
/// after a literal prefix, and those a program checks one by one.
const RESOURCE_PATTERNS: [&str; 22] = [
    "*",
    "arn:aws:s3:::bucket",
    "arn:aws:s3:::bucket*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/key",
    "arn:aws:s3:::bucket/dir/*",
    "arn:aws:s3:::bucket/dir/key",
    "arn:aws:s3:::bucket/dir/sub/*",
    "arn:aws:s3:::bucket/d?r/*",
    "arn:aws:s3:::bucket/*/key",
    "arn:aws:s3:::bucket-2/*",
    "arn:aws:s3:::other/${aws:username}/*",
    "arn:aws:s3:::other/*",
    "arn:*:s3:::*/key",
    "arn:aws:sqs:*:111122223333:queue",
    "arn:aws:sqs:us-east-1:111122223333:*",
    "arn:aws:kms:us-east-1:111122223333:key/*",
    "arn:aws:iam::111122223333:role/*",
    "arn:aws:s3:::a",
    "arn:aws:s3:::b",
    "arn:aws:s3:::c/*",
    "arn:aws:s3:::d/*",
];

/// `Principal` map entries of resource policies.
const PRINCIPALS: [(&str, &str); 10] = [
    ("AWS", "*"),
    ("AWS", "111122223333"),
    ("AWS", "444455556666"),
    ("AWS", "arn:aws:iam::111122223333:user/alice"),
    ("AWS", "arn:aws:iam::444455556666:user/bob"),
    ("AWS", "arn:aws:iam::111122223333:role/app"),
    ("AWS", "arn:aws:sts::111122223333:assumed-role/app/s1"),
    ("AWS", "arn:aws:iam::111122223333:root"),
    ("AWS", "AIDAJQABLZS4A3QDU576Q"),
    ("Service", "s3.amazonaws.com"),
];

/// Conditions, few enough that statements often share one.
const CONDITIONS: [(&str, &str, &str); 12] = [
    ("StringEquals", "k:a", "x"),
    ("StringNotEquals", "k:a", "x"),
    ("StringLike", "k:a", "x*"),
    ("StringEquals", "k:b", "${aws:username}"),
    ("NumericLessThan", "k:n", "10"),
    ("Bool", "aws:SecureTransport", "true"),
    ("IpAddress", "aws:SourceIp", "10.0.0.0/8"),
    ("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"),
    ("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"),
    ("StringEquals", "aws:PrincipalAccount", "111122223333"),
    ("ForAnyValue:StringEquals", "aws:TagKeys", "t1"),
    ("Null", "k:a", "true"),
];

const CALLERS: [&str; 7] = [
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::444455556666:user/bob",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:sts::111122223333:assumed-role/app/s1",
    "arn:aws:iam::111122223333:root",
    "*",
    "service:s3.amazonaws.com",
];

/// Context values: of every type the conditions compare, and of none.
const VALUES: [&str; 9] = [
    "x",
    "xyz",
    "5",
    "true",
    "10.1.2.3",
    "2024-01-01T00:00:00Z",
    "not-a-number",
    "maybe",
    "t1",
];

fn pick<T: Clone + std::fmt::Debug + 'static>(items: &'static [T]) -> BoxedStrategy<T> {
    proptest::sample::select(items).boxed()
}

fn list(values: Vec<&str>) -> Value {
    if values.len() == 1 {
        Value::from(values[0])
    } else {
        Value::from(values)
    }
}

fn statement(kind: PolicyKind) -> BoxedStrategy<Value> {
    (
        prop_oneof![3 => Just("Allow"), 2 => Just("Deny")],
        (
            prop::bool::weighted(0.15),
            prop::collection::vec(pick(&ACTION_PATTERNS), 1..=3),
        ),
        (
            prop::bool::weighted(0.1),
            prop::collection::vec(pick(&RESOURCE_PATTERNS), 1..=3),
        ),
        prop::collection::vec(pick(&PRINCIPALS), 1..=2),
        prop::bool::weighted(0.1),
        prop::collection::vec(pick(&CONDITIONS), 0..=2),
    )
        .prop_map(
            move |(
                effect,
                (not_action, actions),
                (not_resource, resources),
                principals,
                not_principal,
                conditions,
            )| {
                let mut s = serde_json::Map::new();
                s.insert("Effect".into(), effect.into());
                let key = if not_action { "NotAction" } else { "Action" };
                s.insert(key.into(), list(actions));
                let key = if not_resource {
                    "NotResource"
                } else {
                    "Resource"
                };
                s.insert(key.into(), list(resources));
                if kind.takes_principal() {
                    let mut map = serde_json::Map::new();
                    for (ty, v) in principals {
                        map.insert(ty.into(), v.into());
                    }
                    let key = if not_principal && kind == PolicyKind::Resource {
                        "NotPrincipal"
                    } else {
                        "Principal"
                    };
                    let value = if kind == PolicyKind::Rcp {
                        json!("*")
                    } else {
                        Value::Object(map)
                    };
                    s.insert(key.into(), value);
                }
                if !conditions.is_empty() {
                    let mut blocks = serde_json::Map::new();
                    for (op, key, value) in conditions {
                        let block = blocks.entry(op).or_insert_with(|| json!({}));
                        block[key] = value.into();
                    }
                    s.insert("Condition".into(), Value::Object(blocks));
                }
                Value::Object(s)
            },
        )
        .boxed()
}

fn kind() -> BoxedStrategy<PolicyKind> {
    prop_oneof![
        4 => Just(PolicyKind::Identity),
        3 => Just(PolicyKind::Resource),
        1 => Just(PolicyKind::Scp),
        1 => Just(PolicyKind::Rcp),
        1 => Just(PolicyKind::Boundary),
        1 => Just(PolicyKind::Session),
    ]
    .boxed()
}

/// A policy of up to `max` statements.
fn policy(max: usize) -> impl Strategy<Value = (PolicyKind, Vec<Value>)> {
    kind().prop_flat_map(move |k| (Just(k), prop::collection::vec(statement(k), 1..=max)))
}

#[derive(Debug, Clone)]
struct Req {
    caller: &'static str,
    action: &'static str,
    resource: &'static str,
    owner: Option<&'static str>,
    context: Vec<(&'static str, &'static str)>,
    tags: Option<Vec<&'static str>>,
}

impl Req {
    fn build(&self) -> Request {
        let mut b = Request::builder();
        match self.caller.strip_prefix("service:") {
            Some(s) => b.principal_value(Principal::service(s)),
            None => b.principal(self.caller),
        };
        b.action(self.action).resource(self.resource);
        if let Some(o) = self.owner {
            b.resource_account(o);
        }
        for (k, v) in &self.context {
            b.context(k, *v);
        }
        if let Some(tags) = &self.tags {
            b.context("aws:TagKeys", tags.clone());
        }
        b.build().unwrap()
    }
}

fn request() -> impl Strategy<Value = Req> {
    let keys = [
        "k:a",
        "k:b",
        "k:n",
        "aws:SecureTransport",
        "aws:SourceIp",
        "aws:CurrentTime",
    ];
    (
        pick(&CALLERS),
        pick(&ACTIONS),
        pick(&RESOURCES),
        prop_oneof![2 => Just(None), 1 => Just(Some("111122223333")), 1 => Just(Some("444455556666"))],
        prop::collection::vec(prop::option::weighted(0.6, pick(&VALUES)), keys.len()),
        prop::option::weighted(0.3, prop::collection::vec(pick(&VALUES), 0..=2)),
    )
        .prop_map(move |(caller, action, resource, owner, values, tags)| Req {
            caller,
            action,
            resource,
            owner,
            context: keys
                .iter()
                .zip(values)
                .filter_map(|(k, v)| v.map(|v| (*k, v)))
                .collect(),
            tags,
        })
}

fn build(policies: &[(PolicyKind, Vec<Value>)]) -> PolicySet {
    let mut b = PolicySet::builder();
    for (i, (kind, statements)) in policies.iter().enumerate() {
        let text = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
        let limits = iam_eval::Limits::default().with_max_policy_bytes(1 << 20);
        let policy = Policy::parse_with_limits(&text, &limits)
            .unwrap_or_else(|e| panic!("generated policy invalid: {e}\n{text}"));
        b.add(*kind, format!("p{i}"), policy);
    }
    b.build()
        .unwrap_or_else(|e| panic!("generated set invalid: {e}"))
}

/// Everything a response says, comparably.
#[derive(Debug, PartialEq, Eq)]
struct Summary {
    decision: Decision,
    reason: Reason,
    determining: Vec<String>,
    determining_omitted: usize,
    problems: Vec<String>,
    problems_omitted: usize,
}

fn summary(r: &Response<'_>) -> Summary {
    Summary {
        decision: r.decision(),
        reason: r.reason(),
        determining: r.determining().map(|s| s.to_string()).collect(),
        determining_omitted: r.determining_omitted(),
        problems: r.problems().map(|p| p.to_string()).collect(),
        problems_omitted: r.problems_omitted(),
    }
}

fn check(set: &PolicySet, requests: &[Req]) -> Result<(), TestCaseError> {
    for r in requests {
        let request = r.build();
        let compiled = summary(&set.evaluate(&request));
        let plain = summary(&set.explain(&request).0);
        prop_assert_eq!(&compiled, &plain, "{:?}", r);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Small sets: programs of a few statements, run through bit sets, each prefix
    /// compared on its own.
    #[test]
    fn small_programs_decide_as_every_statement_does(
        policies in prop::collection::vec(policy(6), 1..=4),
        requests in prop::collection::vec(request(), 1..=8),
    ) {
        check(&build(&policies), &requests)?;
    }

    /// Large sets: programs of more than 64 statements (run prefix by prefix) and more
    /// than six prefixes (found through a trie).
    #[test]
    fn large_programs_decide_as_every_statement_does(
        policies in prop::collection::vec(policy(60), 2..=4),
        requests in prop::collection::vec(request(), 1..=8),
    ) {
        check(&build(&policies), &requests)?;
    }

    /// One statement repeated with small changes: many statements share conditions, so
    /// the memo decides most of them.
    #[test]
    fn shared_conditions_decide_as_every_statement_does(
        (kind, base) in kind().prop_flat_map(|k| (Just(k), statement(k))),
        edits in prop::collection::vec((any::<Index>(), pick(&ACTION_PATTERNS), pick(&RESOURCE_PATTERNS)), 1..=40),
        requests in prop::collection::vec(request(), 1..=8),
    ) {
        let statements: Vec<Value> = edits
            .iter()
            .map(|(which, action, resource)| {
                let mut s = base.clone();
                match which.index(3) {
                    0 => s["Effect"] = if s["Effect"] == "Allow" { "Deny".into() } else { "Allow".into() },
                    1 => {
                        if let Some(obj) = s.as_object_mut() {
                            obj.remove("NotAction");
                            obj.insert("Action".into(), (*action).into());
                        }
                    }
                    _ => {
                        if let Some(obj) = s.as_object_mut() {
                            obj.remove("NotResource");
                            obj.insert("Resource".into(), (*resource).into());
                        }
                    }
                }
                s
            })
            .collect();
        check(&build(&[(kind, statements)]), &requests)?;
    }
}
