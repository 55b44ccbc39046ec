#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! The analysis on the example policies: proofs, counterexamples confirmed by evaluate.

use iam_eval::analysis::{self, Expect, Shape, UnknownKind, Verdict};
use iam_eval::{Decision, Policy, PolicyKind, PolicySet};

fn policy(path: &str) -> Policy {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    Policy::parse(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn sse_set(bucket: &str) -> PolicySet {
    PolicySet::builder()
        .add(
            PolicyKind::Identity,
            "uploader",
            policy("policies/sse-kms/uploader-identity.json"),
        )
        .add(PolicyKind::Resource, "bucket", policy(bucket))
        .build()
        .unwrap()
}

fn unencrypted() -> Shape {
    Shape::builder()
        .any_principal()
        .action("s3:PutObject")
        .resource("arn:aws:s3:::example-bucket/*")
        .condition_json(
            r#"{"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}"#,
        )
        .build()
        .unwrap()
}

#[test]
fn seed_is_proved() {
    let set = sse_set("policies/sse-kms/bucket-policy.json");
    let v = analysis::always(&set, &unencrypted(), Expect::ExplicitDeny);
    assert!(v.is_proved(), "{v:?}");
}

#[test]
fn without_the_deny_a_counterexample() {
    let set = PolicySet::builder()
        .add(
            PolicyKind::Identity,
            "uploader",
            policy("policies/sse-kms/uploader-identity.json"),
        )
        .build()
        .unwrap();
    let v = analysis::always(&set, &unencrypted(), Expect::ExplicitDeny);
    let c = v.counterexample().unwrap_or_else(|| panic!("{v:?}"));
    assert_ne!(c.decision(), Decision::ExplicitDeny);
    println!("{}", c.to_test_case("x"));
}

/// Brute force over a tiny universe: random policies of two kinds, requests enumerated
/// over a pool of callers, two actions, two resources and a few values per key. If the
/// pool holds a request the claim forbids, the analysis must find a counterexample
/// (never a proof, never unknown: everything here is in the exact fragment); a proof
/// means the pool holds none.
mod brute_force {
    use super::*;
    use iam_eval::Request;
    use proptest::prelude::*;

    const CONDITIONS: &[(&str, &str, &str)] = &[
        ("StringEquals", "k1", "a"),
        ("StringNotEquals", "k1", "a"),
        ("StringLike", "k1", "a*"),
        ("StringNotLikeIfExists", "k1", "*b"),
        ("StringEqualsIgnoreCase", "k1", "A"),
        ("Null", "k1", "true"),
        ("Null", "k1", "false"),
        ("NumericLessThan", "k2", "2"),
        ("NumericNotEqualsIfExists", "k2", "1"),
        ("ForAnyValue:StringEquals", "k3", "a"),
        ("ForAllValues:StringLike", "k3", "a*"),
        ("ForAnyValue:StringNotEquals", "k3", "b"),
        ("ForAllValues:StringNotEquals", "k3", "a"),
        ("StringEquals", "k3", "a"),
        ("ForAnyValue:StringEqualsIfExists", "k3", "a"),
        ("StringEquals", "k1", "${k2}"),
        ("StringLike", "k1", "x${k2, 'd'}"),
        ("Bool", "k1", "true"),
        ("StringEquals", "aws:PrincipalAccount", "111122223333"),
        ("StringLike", "aws:PrincipalArn", "arn:aws:iam::*:user/a*"),
        ("StringEquals", "aws:PrincipalType", "AssumedRole"),
        ("StringEquals", "aws:username", "alice"),
    ];
    const PRINCIPALS: &[&str] = &[
        r#""*""#,
        r#"{"AWS": "111122223333"}"#,
        r#"{"AWS": "arn:aws:iam::111122223333:user/alice"}"#,
        r#"{"AWS": "arn:aws:iam::111122223333:role/app"}"#,
        r#"{"Service": "s3.amazonaws.com"}"#,
    ];
    const CALLERS: &[&str] = &[
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::111122223333:user/ann",
        "arn:aws:iam::444455556666:user/bob",
        "arn:aws:sts::111122223333:assumed-role/app/s1",
        "arn:aws:iam::111122223333:root",
        "*",
        "service:s3.amazonaws.com",
        "service:ec2.amazonaws.com",
    ];
    const ACTIONS: &[&str] = &["s3:a", "s3:b"];
    const RESOURCES: &[&str] = &["arn:aws:s3:::b/x", "arn:aws:s3:::b/y"];
    const K1: &[Option<&str>] = &[
        None,
        Some("a"),
        Some("b"),
        Some("ab"),
        Some("A"),
        Some("true"),
        Some("x1"),
        Some("1"),
    ];
    const K2: &[Option<&str>] = &[None, Some("1"), Some("2"), Some("x")];
    const K3: &[Option<&[&str]>] = &[
        None,
        Some(&[]),
        Some(&["a"]),
        Some(&["b"]),
        Some(&["a", "b"]),
        Some(&["ab"]),
    ];

    #[derive(Debug, Clone)]
    struct Stmt {
        deny: bool,
        principal: Option<usize>,
        not_principal: bool,
        action: usize,
        resource: usize,
        conditions: Vec<usize>,
    }

    fn stmt(resource_policy: bool) -> impl Strategy<Value = Stmt> {
        (
            any::<bool>(),
            0..PRINCIPALS.len(),
            prop::bool::weighted(0.15),
            0..4usize,
            0..3usize,
            prop::collection::vec(0..CONDITIONS.len(), 0..3),
        )
            .prop_map(move |(deny, p, np, action, resource, conditions)| Stmt {
                deny,
                principal: resource_policy.then_some(p),
                not_principal: np,
                action,
                resource,
                conditions,
            })
    }

    fn json(stmts: &[Stmt]) -> String {
        let list: Vec<String> = stmts
            .iter()
            .map(|s| {
                let mut cond: std::collections::BTreeMap<&str, Vec<(&str, &str)>> = Default::default();
                for &c in &s.conditions {
                    let (op, k, v) = CONDITIONS[c];
                    cond.entry(op).or_default().push((k, v));
                }
                let cond: Vec<String> = cond
                    .iter()
                    .map(|(op, kvs)| {
                        let mut seen = std::collections::BTreeMap::new();
                        for (k, v) in kvs {
                            seen.entry(*k).or_insert(*v);
                        }
                        let inner: Vec<String> =
                            seen.iter().map(|(k, v)| format!(r#""{k}": "{v}""#)).collect();
                        format!(r#""{op}": {{{}}}"#, inner.join(", "))
                    })
                    .collect();
                let principal = match s.principal {
                    None => String::new(),
                    Some(p) if s.not_principal && s.deny && p != 0 => {
                        format!(r#""NotPrincipal": {}, "#, PRINCIPALS[p])
                    }
                    Some(p) => format!(r#""Principal": {}, "#, PRINCIPALS[p]),
                };
                format!(
                    r#"{{"Effect": "{}", {principal}"Action": "{}", "Resource": "{}", "Condition": {{{}}}}}"#,
                    if s.deny { "Deny" } else { "Allow" },
                    ["s3:a", "s3:*", "s3:?", "*"][s.action],
                    ["arn:aws:s3:::b/x", "arn:aws:s3:::b/*", "*"][s.resource],
                    cond.join(", ")
                )
            })
            .collect();
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
            list.join(", ")
        )
    }

    fn requests(owner: Option<&str>) -> Vec<Request> {
        let mut out = Vec::new();
        for caller in CALLERS {
            for action in ACTIONS {
                for resource in RESOURCES {
                    for k1 in K1 {
                        for k2 in K2 {
                            for k3 in K3 {
                                let mut b = Request::builder();
                                b.principal(caller).action(action).resource(resource);
                                if let Some(o) = owner {
                                    b.resource_account(o);
                                }
                                if let Some(v) = k1 {
                                    b.context("k1", *v);
                                }
                                if let Some(v) = k2 {
                                    b.context("k2", *v);
                                }
                                if let Some(v) = k3 {
                                    b.context("k3", v.to_vec());
                                }
                                out.push(b.build().unwrap());
                            }
                        }
                    }
                }
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn analysis_agrees_with_enumeration(
            identity in prop::collection::vec(stmt(false), 0..3),
            resource in prop::collection::vec(stmt(true), 0..3),
            owned in any::<bool>(),
            who in 0..3usize,
            owner in prop::option::of(prop::sample::select(&["111122223333", "444455556666"][..])),
            expect in prop::sample::select(&[Expect::Allow, Expect::Deny, Expect::ExplicitDeny][..]),
        ) {
            let uses = |c: usize| identity.iter().chain(&resource).any(|s| s.conditions.contains(&c));
            let outside = uses(15) && uses(16);
            let mut b = PolicySet::builder();
            if !identity.is_empty() {
                b.add_json(PolicyKind::Identity, "id", &json(&identity)).unwrap();
            }
            if !resource.is_empty() {
                let p = Policy::parse(&json(&resource)).unwrap();
                if owned {
                    b.add_owned(PolicyKind::Resource, "res", p, "111122223333");
                } else {
                    b.add(PolicyKind::Resource, "res", p);
                }
            }
            let set = b.build().unwrap();
            let mut shape = Shape::builder();
            match who {
                0 => shape.any_principal(),
                1 => shape.principal_account("111122223333"),
                _ => shape.principal("arn:aws:iam::111122223333:user/ann"),
            };
            if let Some(o) = owner {
                shape.resource_account(o);
            }
            let shape = shape
                .action("s3:a")
                .action("s3:b")
                .resource("arn:aws:s3:::b/x")
                .resource("arn:aws:s3:::b/y")
                .build()
                .unwrap();
            let in_shape = |r: &Request| match who {
                0 => true,
                1 => r.principal().account() == Some("111122223333"),
                _ => r.principal().id() == "arn:aws:iam::111122223333:user/ann",
            };
            let bad = requests(owner)
                .into_iter()
                .filter(in_shape)
                .find(|r| !expect.accepts(set.evaluate(r).decision()));
            let verdict = analysis::always(&set, &shape, expect);
            match &verdict {
                Verdict::Proved(_) => prop_assert!(bad.is_none(), "proved, but {:?} is {:?}", bad, bad.as_ref().map(|r| set.evaluate(r).decision())),
                Verdict::Counterexample(c, _) => {
                    prop_assert!(!expect.accepts(c.decision()));
                    prop_assert_eq!(set.evaluate(c.request()).decision(), c.decision());
                }
                // Two templates that read one variable on one slot are outside the exact
                // fragment of the string theory.
                Verdict::Unknown(u, _) => prop_assert!(
                    outside && u.kind() == UnknownKind::Unsupported,
                    "unknown in the exact fragment: {}",
                    u
                ),
                _ => prop_assert!(false),
            }
            if bad.is_some() && !outside {
                prop_assert!(verdict.counterexample().is_some());
            }
            // The encoding is exact here: every model the search finds is a request
            // `evaluate` confirms.
            prop_assert_eq!(verdict.stats().unconfirmed, 0, "{:?}", verdict.counterexample().map(|c| c.request().clone()));
        }
    }
}

#[test]
fn account_grant_needs_the_identity_side() {
    let set = PolicySet::builder()
        .add_json(PolicyKind::Resource, "res", r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:a", "Resource": "*"}]}"#)
        .unwrap()
        .build()
        .unwrap();
    // Every IAM principal of the account except its root user, which has full access in
    // its own account.
    let shape = Shape::builder()
        .principal_account("111122223333")
        .action("s3:a")
        .resource("arn:aws:s3:::b/x")
        .condition_json(r#"{"StringNotEquals": {"aws:PrincipalType": "Account"}}"#)
        .build()
        .unwrap();
    let v = analysis::always(&set, &shape, Expect::Deny);
    assert!(v.is_proved(), "{v:?}");
    assert_eq!(v.stats().unconfirmed, 0);
}

/// Brute force over policy kinds: identity, resource (owned or not), trust, SCP, RCP,
/// boundary and session policies, with `NotAction`, `NotResource`, KMS keys, roles and
/// typed conditions, over a pool of callers, actions, resources and context values.
mod brute_force_kinds {
    use super::*;
    use iam_eval::Request;
    use proptest::prelude::*;

    const CONDITIONS: &[(&str, &str, &str)] = &[
        ("StringEquals", "k1", "a"),
        ("StringNotEquals", "k1", "a"),
        ("NumericGreaterThanEquals", "k1", "10"),
        ("IpAddress", "aws:SourceIp", "10.0.0.0/8"),
        ("NotIpAddressIfExists", "aws:SourceIp", "10.0.0.0/8"),
        ("DateGreaterThan", "aws:CurrentTime", "2024-01-01T00:00:00Z"),
        ("StringEquals", "aws:PrincipalAccount", "111122223333"),
        (
            "ArnEquals",
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/app",
        ),
        ("StringEquals", "aws:PrincipalType", "Account"),
    ];
    const ACTIONS: &[&str] = &["s3:a", "sts:AssumeRole", "kms:Decrypt"];
    const RESOURCES: &[&str] = &[
        "arn:aws:s3:::b/x",
        "arn:aws:kms:us-east-1:111122223333:key/k",
        "arn:aws:kms:us-east-1:444455556666:key/k",
        "arn:aws:iam::111122223333:role/app",
        "*",
    ];
    const CALLERS: &[&str] = &[
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::444455556666:user/bob",
        "arn:aws:sts::111122223333:assumed-role/app/s1",
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::444455556666:root",
        "*",
        "service:s3.amazonaws.com",
    ];
    const K1: &[Option<&str>] = &[None, Some("a"), Some("10"), Some("x")];
    const IP: &[Option<&str>] = &[None, Some("10.1.2.3"), Some("192.168.0.1")];
    const TIME: &[Option<&str>] = &[None, Some("2025-06-01T00:00:00Z"), Some("nope")];
    const PRINCIPALS: &[&str] = &[
        r#""Principal": "*""#,
        r#""Principal": {"AWS": "111122223333"}"#,
        r#""Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"}"#,
        r#""Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}"#,
        r#""Principal": {"Service": "s3.amazonaws.com"}"#,
        r#""NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/alice", "111122223333"]}"#,
    ];

    #[derive(Debug, Clone)]
    struct Stmt {
        deny: bool,
        principal: usize,
        action: usize,
        resource: usize,
        condition: Option<usize>,
    }

    fn stmt() -> impl Strategy<Value = Stmt> {
        (
            any::<bool>(),
            0..PRINCIPALS.len(),
            0..5usize,
            0..5usize,
            prop::option::of(0..CONDITIONS.len()),
        )
            .prop_map(|(deny, principal, action, resource, condition)| Stmt {
                deny,
                principal,
                action,
                resource,
                condition,
            })
    }

    /// A policy of statements; `principals` for resource-based kinds.
    fn json(stmts: &[Stmt], principals: bool) -> String {
        let list: Vec<String> = stmts
            .iter()
            .map(|s| {
                let principal = if principals {
                    // NotPrincipal goes with Deny only.
                    let p = if s.principal == 5 && !s.deny {
                        0
                    } else {
                        s.principal
                    };
                    format!("{}, ", PRINCIPALS[p])
                } else {
                    String::new()
                };
                let action = [
                    r#""Action": "s3:a""#,
                    r#""Action": "sts:AssumeRole""#,
                    r#""Action": "kms:*""#,
                    r#""Action": "*""#,
                    r#""NotAction": "s3:*""#,
                ][s.action];
                let resource = [
                    r#""Resource": "*""#,
                    r#""Resource": "arn:aws:kms:*:*:key/*""#,
                    r#""Resource": "arn:aws:s3:::b/*""#,
                    r#""NotResource": "arn:aws:iam::*:role/*""#,
                    r#""Resource": "arn:aws:iam::111122223333:role/app""#,
                ][s.resource];
                let condition = match s.condition {
                    Some(c) => {
                        let (op, k, v) = CONDITIONS[c];
                        format!(r#", "Condition": {{"{op}": {{"{k}": "{v}"}}}}"#)
                    }
                    None => String::new(),
                };
                format!(
                    r#"{{"Effect": "{}", {principal}{action}, {resource}{condition}}}"#,
                    if s.deny { "Deny" } else { "Allow" }
                )
            })
            .collect();
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
            list.join(", ")
        )
    }

    fn requests() -> Vec<Request> {
        let mut out = Vec::new();
        for caller in CALLERS {
            for action in ACTIONS {
                for resource in RESOURCES {
                    for k1 in K1 {
                        for ip in IP {
                            for time in TIME {
                                let mut b = Request::builder();
                                b.principal(caller).action(action).resource(resource);
                                for (k, v) in
                                    [("k1", k1), ("aws:SourceIp", ip), ("aws:CurrentTime", time)]
                                {
                                    if let Some(v) = v {
                                        b.context(k, *v);
                                    }
                                }
                                out.push(b.build().unwrap());
                            }
                        }
                    }
                }
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn analysis_agrees_with_enumeration_over_kinds(
            identity in prop::collection::vec(stmt(), 0..3),
            resource in prop::collection::vec(stmt(), 0..3),
            others in prop::collection::vec((0..5usize, stmt()), 0..3),
            owned in any::<bool>(),
            expect in prop::sample::select(&[Expect::Allow, Expect::Deny, Expect::ExplicitDeny][..]),
        ) {
            let mut b = PolicySet::builder();
            if !identity.is_empty() {
                b.add_json(PolicyKind::Identity, "id", &json(&identity, false)).unwrap();
            }
            if !resource.is_empty() {
                let p = Policy::parse(&json(&resource, true)).unwrap();
                if owned {
                    b.add_owned(PolicyKind::Resource, "res", p, "111122223333");
                } else {
                    b.add(PolicyKind::Resource, "res", p);
                }
            }
            for (i, (kind, s)) in others.iter().enumerate() {
                let id = format!("other{i}");
                let one = std::slice::from_ref(s);
                match kind {
                    0 => { b.add_json(PolicyKind::Scp, id, &json(one, false)).unwrap(); }
                    1 => { b.add_json(PolicyKind::Boundary, id, &json(one, false)).unwrap(); }
                    2 => { b.add_json(PolicyKind::Session, id, &json(one, false)).unwrap(); }
                    3 => { b.add_json(PolicyKind::Rcp, id, &json(one, true)).unwrap(); }
                    _ => { b.add_trust_policy(id, Policy::parse(&json(one, true)).unwrap()); }
                }
            }
            let Ok(set) = b.build() else {
                // A statement not valid for its kind (an RCP that allows, say).
                return Ok(());
            };
            let mut shape = Shape::builder();
            shape.any_principal();
            for a in ACTIONS {
                shape.action(a);
            }
            for r in RESOURCES {
                shape.resource(r);
            }
            let shape = shape.build().unwrap();
            let bad = requests()
                .into_iter()
                .find(|r| !expect.accepts(set.evaluate(r).decision()));
            let verdict = analysis::always(&set, &shape, expect);
            match &verdict {
                Verdict::Proved(_) => prop_assert!(bad.is_none(), "proved, but {:?} is {:?}", bad, bad.as_ref().map(|r| set.evaluate(r).decision())),
                Verdict::Counterexample(c, _) => {
                    prop_assert!(!expect.accepts(c.decision()));
                    prop_assert_eq!(set.evaluate(c.request()).decision(), c.decision());
                }
                Verdict::Unknown(u, _) => prop_assert!(false, "unknown in the exact fragment: {}", u),
                _ => prop_assert!(false),
            }
            if bad.is_some() {
                prop_assert!(verdict.counterexample().is_some());
            }
            prop_assert_eq!(verdict.stats().unconfirmed, 0, "{:?}", verdict.counterexample().map(|c| c.request().clone()));
        }
    }
}

/// The findings of `diff_all` on `old` and `new` (one kind each), checked to be distinct
/// requests in distinct regions: no two share both the action and the resource.
fn diff_all_findings(kind: PolicyKind, old: &str, new: &str) -> Vec<iam_eval::Request> {
    let set = |json: &str| {
        PolicySet::builder()
            .add_json(kind, "p", json)
            .unwrap()
            .build()
            .unwrap()
    };
    let (old, new) = (set(old), set(new));
    let shape = Shape::builder().any_principal().build().unwrap();
    let report = analysis::diff_all(&old, &new, &shape, 20, &analysis::Options::default());
    assert!(report.unknown.is_none(), "{:?}", report.unknown);
    assert!(report.complete);
    let requests: Vec<iam_eval::Request> = report
        .findings
        .iter()
        .map(|c| c.request().clone())
        .collect();
    for (i, a) in requests.iter().enumerate() {
        assert_eq!(new.evaluate(a).decision(), Decision::Allow);
        assert_ne!(old.evaluate(a).decision(), Decision::Allow);
        for b in requests.iter().skip(i + 1) {
            assert!(
                !(a.action().eq_ignore_ascii_case(b.action()) && a.resource() == b.resource()),
                "two findings in one region of actions and resources:\n{a:?}\n{b:?}"
            );
        }
    }
    requests
}

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn diff_all_lists_each_region_once_resource_policies() {
    let found = diff_all_findings(
        PolicyKind::Resource,
        &read("policies/sse-kms/bucket-policy.json"),
        &read("policies/sse-kms/bucket-policy-null-only.json"),
    );
    // Only uploads to the bucket with a header other than `aws:kms` are newly allowed.
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn diff_all_lists_each_region_once_identity_policies() {
    let old = read("policies/sse-kms/uploader-identity.json");
    let new = old.replace(r#""s3:GetObject""#, r#""s3:GetObject", "s3:DeleteObject""#);
    assert_ne!(old, new);
    let found = diff_all_findings(PolicyKind::Identity, &old, &new);
    assert!(!found.is_empty());
    for r in &found {
        // As the new policy writes it.
        assert_eq!(r.action(), "s3:DeleteObject", "{r:?}");
    }
}

#[test]
fn diff_all_lists_each_region_once_wide_grant() {
    let old = read("policies/sse-kms/uploader-identity.json");
    let new = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#;
    let found = diff_all_findings(PolicyKind::Identity, &old, new);
    assert!(found.len() > 1, "{found:?}");
}

/// A counterexample shows its action as the policy or shape that names it writes it.
#[test]
fn counterexample_actions_as_written() {
    let set = sse_set("policies/sse-kms/bucket-policy-null-only.json");
    let shape = |actions: &[&str]| {
        let mut b = Shape::builder();
        b.any_principal()
            .resource("arn:aws:s3:::example-bucket/*")
            .condition_json(r#"{"StringEquals": {"s3:x-amz-server-side-encryption": "AES256"}}"#);
        for a in actions {
            b.action(a);
        }
        b.build().unwrap()
    };
    // Only the policy names PutObject exactly.
    let v = analysis::always(&set, &shape(&["s3:Put*"]), Expect::Deny);
    let c = v.counterexample().unwrap_or_else(|| panic!("{v:?}"));
    assert_eq!(c.request().action(), "s3:PutObject");
    assert_eq!(set.evaluate(c.request()).decision(), Decision::Allow);
    assert!(c.to_test_case("x").contains(r#""action": "s3:PutObject""#));
    // No one names the action exactly: the pattern's text before its wildcard is kept.
    let v = analysis::always(&set, &shape(&["s3:Put*"]), Expect::ExplicitDeny);
    let c = v.counterexample().unwrap_or_else(|| panic!("{v:?}"));
    assert!(
        c.request().action().starts_with("s3:Put"),
        "{:?}",
        c.request()
    );
    assert_ne!(set.evaluate(c.request()).decision(), Decision::ExplicitDeny);
    // The shape's spelling comes before a policy's.
    let lower = PolicySet::builder()
        .add_json(
            PolicyKind::Identity,
            "id",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": "s3:putobject", "Resource": "*"}]}"#,
        )
        .unwrap()
        .build()
        .unwrap();
    let v = analysis::always(
        &lower,
        &shape(&["s3:GetObject", "s3:PutObject"]),
        Expect::Deny,
    );
    let c = v.counterexample().unwrap_or_else(|| panic!("{v:?}"));
    assert_eq!(c.request().action(), "s3:PutObject");
    assert_eq!(lower.evaluate(c.request()).decision(), Decision::Allow);
}

/// A model that `evaluate` does not confirm (here: an approximated `Bool` value) is ruled
/// out with every variation of the keys only the shape names, which no decision reads:
/// they cost no retries, and the reason the answer is unknown is the construct.
#[test]
fn unread_shape_keys_cost_no_retries() {
    let set = PolicySet::builder()
        .add_json(
            PolicyKind::Identity,
            "id",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": "s3:GetObject", "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "t${aws:username}e"}}}]}"#,
        )
        .unwrap()
        .build()
        .unwrap();
    let ask = |condition: &str| {
        let shape = Shape::builder()
            .principal("arn:aws:iam::111122223333:user/alice")
            .action("s3:GetObject")
            .resource("arn:aws:s3:::b/*")
            .condition_json(condition)
            .build()
            .unwrap();
        analysis::always(&set, &shape, Expect::Deny)
    };
    let plain = ask("{}");
    let unread = ask(
        r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"], "aws:CalledVia": ["x", "y"]},
            "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-*"]}}"#,
    );
    for v in [&plain, &unread] {
        match v {
            Verdict::Unknown(u, _) => assert_eq!(u.kind(), UnknownKind::Unsupported, "{u}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(plain.stats().unconfirmed >= 1);
    assert_eq!(unread.stats().unconfirmed, plain.stats().unconfirmed);
}
