#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! Properties of the decision logic: invariants AWS documents for policy evaluation,
//! checked on random but valid policy sets and requests drawn from small alphabets, so
//! that actions, resources, principals and conditions actually match often.
//!
//! The specification is the AWS IAM User Guide, "Policy evaluation logic"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>)
//! and "IAM JSON policy elements: Condition operators"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>).

use iam_eval::{Decision, Policy, PolicyKind, PolicySet, Principal, Reason, Request, Response};
use iam_eval::{Family, Operator};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------
// Alphabets
// ---------------------------------------------------------------------------------------

const ACCOUNT_A: &str = "111122223333";
const ACCOUNT_B: &str = "444455556666";

/// Actions a request names.
const ACTIONS: [&str; 4] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "sqs:SendMessage",
];

/// Action patterns a policy names.
const ACTION_PATTERNS: [&str; 10] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "sqs:SendMessage",
    "s3:*",
    "s3:Get*",
    "*",
    "s3:?utObject",
    "sqs:*",
    "S3:getobject",
];

/// Resources a request names.
const RESOURCES: [&str; 6] = [
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/key1",
    "arn:aws:s3:::bucket-b/dir/key2",
    "arn:aws:s3:::bucket-a/alice",
    "arn:aws:sqs:us-east-1:111122223333:queue1",
    "arn:aws:sqs:us-east-1:444455556666:queue1",
];

/// Resource patterns a policy names.
const RESOURCE_PATTERNS: [&str; 11] = [
    "*",
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/*",
    "arn:aws:s3:::bucket-?/*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::bucket-b/dir/key2",
    "arn:aws:sqs:*:111122223333:*",
    "arn:aws:sqs:us-east-1:444455556666:queue1",
    "arn:aws:s3:::bucket-a/${aws:username}",
    "arn:aws:s3:::Bucket-A/key1",
    "arn:aws:s3:::bucket-a/key?",
];

/// Entries of a resource policy's `Principal`/`NotPrincipal` map: (type, value).
const PRINCIPAL_ENTRIES: [(&str, &str); 16] = [
    ("AWS", "*"),
    ("AWS", "111122223333"),
    ("AWS", "444455556666"),
    ("AWS", "arn:aws:iam::111122223333:root"),
    ("AWS", "arn:aws:iam::444455556666:root"),
    ("AWS", "arn:aws:iam::111122223333:user/alice"),
    ("AWS", "arn:aws:iam::444455556666:user/bob"),
    ("AWS", "arn:aws:iam::111122223333:role/app"),
    ("AWS", "arn:aws:sts::111122223333:assumed-role/app/s1"),
    ("AWS", "arn:aws:sts::444455556666:assumed-role/app/s1"),
    ("AWS", "arn:aws:sts::111122223333:federated-user/fed"),
    ("AWS", "AIDAJQABLZS4A3QDU576Q"),
    ("Service", "s3.amazonaws.com"),
    ("Service", "sqs.amazonaws.com"),
    ("Federated", "cognito-identity.amazonaws.com"),
    (
        "CanonicalUser",
        "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
    ),
];

/// Condition keys.
const KEYS: [&str; 5] = [
    "k:a",
    "k:b",
    "aws:SourceIp",
    "aws:CurrentTime",
    "s3:max-keys",
];

/// Request context values: every family, plus values of no family at all.
const CONTEXT_VALUES: [&str; 22] = [
    "x",
    "y",
    "X",
    "",
    "1",
    "10",
    "10.5",
    "-3",
    "abc",
    "2024-01-01T00:00:00Z",
    "2030-06-15T12:00:00Z",
    "1704067200",
    "true",
    "false",
    "eA==",
    "10.1.2.3",
    "192.0.2.1",
    "2001:db8::1",
    "arn:aws:s3:::bucket-a",
    "arn:aws:iam::111122223333:user/alice",
    "x*",
    "alice",
];

/// A caller.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Caller {
    Arn(&'static str),
    Service(&'static str),
}

const CALLERS: [Caller; 10] = [
    Caller::Arn("arn:aws:iam::111122223333:user/alice"),
    Caller::Arn("arn:aws:iam::444455556666:user/bob"),
    Caller::Arn("arn:aws:iam::111122223333:role/app"),
    Caller::Arn("arn:aws:sts::111122223333:assumed-role/app/s1"),
    Caller::Arn("arn:aws:sts::444455556666:assumed-role/app/s1"),
    Caller::Arn("arn:aws:sts::111122223333:federated-user/fed"),
    Caller::Arn("arn:aws:iam::111122223333:root"),
    Caller::Arn("arn:aws:iam::444455556666:root"),
    Caller::Arn("*"),
    Caller::Service("s3.amazonaws.com"),
];

impl Caller {
    fn is_iam(&self) -> bool {
        matches!(self, Caller::Arn(a) if *a != "*")
    }
    fn is_root(&self) -> bool {
        matches!(self, Caller::Arn(a) if a.ends_with(":root"))
    }
    /// Role and federated-user sessions (and a role itself) carry session policies; IAM
    /// users with long-term credentials do not.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session>
    fn has_session(&self) -> bool {
        matches!(self, Caller::Arn(a) if a.contains(":assumed-role/") || a.contains(":federated-user/") || a.contains(":role/"))
    }
}

// ---------------------------------------------------------------------------------------
// Scenarios: policies as JSON statements, and a request
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Ctx {
    Single(String),
    Multi(Vec<String>),
}

#[derive(Debug, Clone)]
struct Req {
    caller: Caller,
    action: String,
    resource: String,
    resource_account: Option<&'static str>,
    context: Vec<(String, Ctx)>,
}

impl Req {
    fn build(&self) -> Request {
        let mut b = Request::builder();
        match &self.caller {
            Caller::Arn(a) => b.principal(a),
            Caller::Service(s) => b.principal_value(Principal::service(s)),
        };
        b.action(&self.action).resource(&self.resource);
        if let Some(a) = self.resource_account {
            b.resource_account(a);
        }
        for (k, v) in &self.context {
            match v {
                Ctx::Single(s) => b.context(k, s.as_str()),
                Ctx::Multi(list) => b.context(k, list.clone()),
            };
        }
        b.build().unwrap()
    }
}

#[derive(Debug, Clone)]
struct Doc {
    kind: PolicyKind,
    id: String,
    statements: Vec<Value>,
}

#[derive(Debug, Clone)]
struct Scenario {
    policies: Vec<Doc>,
    request: Req,
}

/// The policy document as JSON text. Object members are written in the order of their
/// lowercased names (so re-casing a condition key never moves it), or, with a seed, in a
/// shuffled order. Arrays keep their order.
fn policy_text(statements: &[Value], member_order: Option<u64>) -> String {
    fn write(v: &Value, seed: Option<u64>, counter: &mut u64, out: &mut String) {
        match v {
            Value::Object(map) => {
                let mut members: Vec<(&String, &Value)> = map.iter().collect();
                members.sort_by_key(|(k, _)| k.to_lowercase());
                if let Some(seed) = seed {
                    *counter += 1;
                    shuffle(
                        &mut members,
                        seed ^ counter.wrapping_mul(0x2545_F491_4F6C_DD1D),
                    );
                }
                out.push('{');
                for (i, (k, v)) in members.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::from(k.as_str()).to_string());
                    out.push(':');
                    write(v, seed, counter, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(v, seed, counter, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(
        &json!({"Version": "2012-10-17", "Statement": statements}),
        member_order,
        &mut 0,
        &mut out,
    );
    out
}

fn build_set(policies: &[Doc]) -> PolicySet {
    build_set_ordered(policies, None)
}

fn build_set_ordered(policies: &[Doc], member_order: Option<u64>) -> PolicySet {
    let mut b = PolicySet::builder();
    for d in policies {
        let text = policy_text(&d.statements, member_order);
        let policy = Policy::parse(&text)
            .unwrap_or_else(|e| panic!("generated policy invalid: {e}\n{text}"));
        b.add(d.kind, d.id.clone(), policy);
    }
    b.build()
        .unwrap_or_else(|e| panic!("generated set invalid: {e}"))
}

/// Everything a response says, in comparable form.
#[derive(Debug, Clone, PartialEq, Eq)]
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

fn decide(sc: &Scenario) -> (Decision, Reason) {
    decide_ordered(sc, None)
}

fn decide_ordered(sc: &Scenario, member_order: Option<u64>) -> (Decision, Reason) {
    let set = build_set_ordered(&sc.policies, member_order);
    let req = sc.request.build();
    let r = set.evaluate(&req);
    (r.decision(), r.reason())
}

/// Flips the ASCII case of the letters selected by `seed`.
fn recase(s: &str, seed: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if (seed >> (i % 64)) & 1 == 1 {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

/// A deterministic Fisher–Yates shuffle driven by `seed` (splitmix64).
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    let mut next = || {
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..v.len()).rev() {
        let j = usize::try_from(next() % (i as u64 + 1)).unwrap();
        v.swap(i, j);
    }
}

/// The kinds of policy AWS applies to this caller: identity-based policies, SCPs,
/// boundaries and session policies only to IAM principals (boundaries and session
/// policies never to the root user); resource-based policies and RCPs to everyone.
fn applicable_kinds(caller: &Caller) -> Vec<PolicyKind> {
    let mut kinds = vec![PolicyKind::Resource, PolicyKind::Rcp];
    if caller.is_iam() {
        kinds.push(PolicyKind::Identity);
        kinds.push(PolicyKind::Scp);
        if !caller.is_root() {
            kinds.push(PolicyKind::Boundary);
        }
        if caller.has_session() {
            kinds.push(PolicyKind::Session);
        }
    }
    kinds
}

// ---------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------

fn pick<T: Clone + std::fmt::Debug + 'static>(items: &'static [T]) -> BoxedStrategy<T> {
    proptest::sample::select(items).boxed()
}

/// One string or a list of them.
fn one_or_list(mut items: Vec<Value>, as_list: bool) -> Value {
    if items.len() == 1 && !as_list {
        items.pop().unwrap()
    } else {
        Value::Array(items)
    }
}

fn action_element() -> impl Strategy<Value = (&'static str, Value)> {
    (
        prop::bool::weighted(0.2),
        prop::collection::vec(pick(&ACTION_PATTERNS), 1..=3),
        any::<bool>(),
    )
        .prop_map(|(not, list, as_list)| {
            let values = list.into_iter().map(Value::from).collect();
            (
                if not { "NotAction" } else { "Action" },
                one_or_list(values, as_list),
            )
        })
}

fn resource_element(kind: PolicyKind) -> BoxedStrategy<Option<(&'static str, Value)>> {
    let present = (
        prop::bool::weighted(0.2),
        prop::collection::vec(pick(&RESOURCE_PATTERNS), 1..=3),
        any::<bool>(),
    )
        .prop_map(|(not, list, as_list)| {
            let values = list.into_iter().map(Value::from).collect();
            Some((
                if not { "NotResource" } else { "Resource" },
                one_or_list(values, as_list),
            ))
        });
    if kind == PolicyKind::Resource {
        // A resource-based policy may omit `Resource` (the attached resource).
        prop_oneof![6 => present, 1 => Just(None)].boxed()
    } else {
        present.boxed()
    }
}

fn principal_map() -> impl Strategy<Value = Value> {
    prop::collection::vec((pick(&PRINCIPAL_ENTRIES), any::<bool>()), 1..=3).prop_map(|entries| {
        let mut map = Map::new();
        for ((ty, value), as_list) in entries {
            let slot = map
                .entry(ty)
                .or_insert_with(|| if as_list { json!([]) } else { json!(null) });
            match slot {
                Value::Null => *slot = Value::from(value),
                Value::String(old) => *slot = json!([old.clone(), value]),
                Value::Array(list) => list.push(Value::from(value)),
                _ => unreachable!(),
            }
        }
        Value::Object(map)
    })
}

fn principal_element(kind: PolicyKind) -> BoxedStrategy<Option<(&'static str, Value)>> {
    match kind {
        PolicyKind::Rcp => Just(Some(("Principal", json!("*")))).boxed(),
        PolicyKind::Resource => prop_oneof![
            2 => Just(Some(("Principal", json!("*")))),
            6 => principal_map().prop_map(|m| Some(("Principal", m))),
            2 => principal_map().prop_map(|m| Some(("NotPrincipal", m))),
        ]
        .boxed(),
        _ => Just(None).boxed(),
    }
}

/// Policy values appropriate to an operator family.
fn family_values(family: Family) -> &'static [&'static str] {
    match family {
        Family::String => &["x", "y", "X", "x*", "?", "", "${k:b}", "alice"],
        Family::Numeric => &["1", "10", "10.5", "-3", "1.0", "1e1"],
        Family::Date => &[
            "2024-01-01T00:00:00Z",
            "2030-06-15T12:00:00Z",
            "1704067200",
            "2024-01-01",
        ],
        Family::Bool | Family::Null => &["true", "false"],
        Family::Binary => &["eA==", "eQ==", "QmluYXJ5VmFsdWU="],
        Family::Ip => &[
            "10.0.0.0/8",
            "192.0.2.1",
            "192.0.2.0/24",
            "2001:db8::/32",
            "0.0.0.0/0",
        ],
        Family::Arn => &[
            "arn:aws:s3:::bucket-a",
            "arn:aws:s3:::bucket-*",
            "arn:aws:iam::111122223333:user/*",
            "arn:aws:iam::*:user/alice",
            "*",
        ],
    }
}

/// One condition block: `"Op": {key: values, ...}`, with random qualifiers where legal.
fn condition_block() -> impl Strategy<Value = (String, Value)> {
    (
        0..Operator::ALL.len(),
        0..3usize,
        any::<bool>(),
        prop::collection::vec(
            (
                pick(&KEYS),
                prop::collection::vec(any::<Index>(), 1..=3),
                any::<bool>(),
            ),
            1..=2,
        ),
    )
        .prop_map(|(op_index, set, if_exists, entries)| {
            let row = Operator::ALL[op_index];
            let name = if row == Operator::Null {
                row.name().to_string()
            } else {
                format!(
                    "{}{}{}",
                    ["", "ForAllValues:", "ForAnyValue:"][set],
                    row.name(),
                    if if_exists { "IfExists" } else { "" }
                )
            };
            let pool = family_values(row.family());
            let mut keys = Map::new();
            for (key, picks, as_list) in entries {
                let values = picks
                    .into_iter()
                    .map(|i| Value::from(*i.get(pool)))
                    .collect();
                keys.insert(key.to_string(), one_or_list(values, as_list));
            }
            (name, Value::Object(keys))
        })
}

fn condition_element() -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        3 => Just(None),
        2 => prop::collection::vec(condition_block(), 1..=2).prop_map(|blocks| {
            let mut map = Map::new();
            for (op, keys) in blocks {
                map.insert(op, keys);
            }
            Some(Value::Object(map))
        }),
    ]
    .boxed()
}

fn statement_with(kind: PolicyKind, effect: BoxedStrategy<&'static str>) -> BoxedStrategy<Value> {
    (
        effect,
        action_element(),
        resource_element(kind),
        principal_element(kind),
        condition_element(),
    )
        .prop_map(|(effect, action, resource, principal, condition)| {
            let mut s = Map::new();
            s.insert("Effect".into(), Value::from(effect));
            if let Some((name, value)) = principal {
                s.insert(name.into(), value);
            }
            s.insert(action.0.into(), action.1);
            if let Some((name, value)) = resource {
                s.insert(name.into(), value);
            }
            if let Some(c) = condition {
                s.insert("Condition".into(), c);
            }
            Value::Object(s)
        })
        .boxed()
}

fn statement(kind: PolicyKind) -> BoxedStrategy<Value> {
    statement_with(
        kind,
        prop_oneof![3 => Just("Allow"), 1 => Just("Deny")].boxed(),
    )
}

fn deny_statement(kind: PolicyKind) -> BoxedStrategy<Value> {
    statement_with(kind, Just("Deny").boxed())
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

fn policy() -> impl Strategy<Value = (PolicyKind, Vec<Value>)> {
    kind().prop_flat_map(|k| (Just(k), prop::collection::vec(statement(k), 1..=4)))
}

fn context_value() -> BoxedStrategy<Option<Ctx>> {
    let value = || pick(&CONTEXT_VALUES).prop_map(str::to_string);
    prop_oneof![
        3 => Just(None),
        4 => value().prop_map(|v| Some(Ctx::Single(v))),
        2 => prop::collection::vec(value(), 0..=3).prop_map(|v| Some(Ctx::Multi(v))),
    ]
    .boxed()
}

fn request() -> impl Strategy<Value = Req> {
    (
        pick(&CALLERS),
        pick(&ACTIONS),
        pick(&RESOURCES),
        prop_oneof![2 => Just(None), 1 => Just(Some(ACCOUNT_A)), 1 => Just(Some(ACCOUNT_B))],
        prop::collection::vec(context_value(), KEYS.len()),
        prop_oneof![Just(None), Just(Some("alice")), Just(Some("key1"))],
    )
        .prop_map(|(caller, action, resource, owner, values, username)| {
            let mut context: Vec<(String, Ctx)> = KEYS
                .iter()
                .zip(values)
                .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
                .collect();
            if let Some(u) = username {
                context.push(("aws:username".into(), Ctx::Single(u.into())));
            }
            Req {
                caller,
                action: action.to_string(),
                resource: resource.to_string(),
                resource_account: owner,
                context,
            }
        })
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (prop::collection::vec(policy(), 0..=5), request()).prop_map(|(policies, request)| Scenario {
        policies: policies
            .into_iter()
            .enumerate()
            .map(|(i, (kind, statements))| Doc {
                kind,
                id: format!("p{i}"),
                statements,
            })
            .collect(),
        request,
    })
}

/// A statement that applies to nothing: stands in for a removed statement, so that a
/// policy never becomes empty (removing a whole SCP, boundary or session policy lifts a
/// restriction, which is not what the property is about).
fn inert_allow(kind: PolicyKind) -> Value {
    let mut s = json!({"Effect": "Allow", "Action": "none:Nothing", "Resource": "*"});
    if kind.takes_principal() {
        s["Principal"] = json!("*");
    }
    s
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// 1. A matching Deny always wins
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    /// An explicit `Deny` in any policy that applies to the caller overrides every
    /// `Allow`: adding `{"Effect": "Deny", "Action": <the action>, "Resource": "*"}`
    /// (with `"Principal": "*"` in a resource policy or RCP) to any applicable kind,
    /// either into an existing policy of that kind or as a new policy, always yields
    /// `ExplicitDeny`.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    #[test]
    fn matching_deny_always_denies(
        mut sc in scenario(),
        which_kind in any::<Index>(),
        which_policy in any::<Index>(),
        into_existing in any::<bool>(),
        case_seed in any::<u64>(),
        recase_action in any::<bool>(),
    ) {
        let kinds = applicable_kinds(&sc.request.caller);
        let kind = *which_kind.get(&kinds);
        let action = if recase_action {
            recase(&sc.request.action, case_seed)
        } else {
            sc.request.action.clone()
        };
        let mut deny = json!({"Effect": "Deny", "Action": action, "Resource": "*"});
        if kind.takes_principal() {
            deny["Principal"] = json!("*");
        }
        let existing: Vec<usize> = sc
            .policies
            .iter()
            .enumerate()
            .filter(|(_, d)| d.kind == kind)
            .map(|(i, _)| i)
            .collect();
        if into_existing && !existing.is_empty() {
            let i = *which_policy.get(&existing);
            let at = which_policy.index(sc.policies[i].statements.len() + 1);
            sc.policies[i].statements.insert(at, deny);
        } else {
            let at = which_policy.index(sc.policies.len() + 1);
            sc.policies.insert(at, Doc { kind, id: "added".into(), statements: vec![deny] });
        }
        let (decision, reason) = decide(&sc);
        prop_assert_eq!(decision, Decision::ExplicitDeny, "kind {}", kind);
        prop_assert_eq!(reason, Reason::ExplicitDeny);
    }
}

// ---------------------------------------------------------------------------------------
// 2. Monotonicity
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    /// Adding a `Deny` statement can only take permissions away: an explicit deny
    /// overrides any allow and an allow is never derived from a deny, so a request that
    /// was not allowed stays not allowed, and an explicit deny stays explicit.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    #[test]
    fn adding_a_deny_never_allows(
        (mut sc, kind, deny) in (scenario(), kind())
            .prop_flat_map(|(sc, k)| (Just(sc), Just(k), deny_statement(k))),
        which in any::<Index>(),
        into_existing in any::<bool>(),
    ) {
        let before = decide(&sc).0;
        let existing: Vec<usize> = sc
            .policies
            .iter()
            .enumerate()
            .filter(|(_, d)| d.kind == kind)
            .map(|(i, _)| i)
            .collect();
        if into_existing && !existing.is_empty() {
            let i = *which.get(&existing);
            let at = which.index(sc.policies[i].statements.len() + 1);
            sc.policies[i].statements.insert(at, deny);
        } else {
            sc.policies.push(Doc { kind, id: "added".into(), statements: vec![deny] });
        }
        let after = decide(&sc).0;
        if before != Decision::Allow {
            prop_assert_ne!(after, Decision::Allow, "before: {:?}", before);
        }
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny);
        }
    }

    /// Removing an `Allow` statement can only take permissions away: access needs an
    /// allow, so a request that was denied (explicitly or implicitly) stays denied, and
    /// an explicit deny stays explicit.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    #[test]
    fn removing_an_allow_never_allows(sc in scenario(), which in any::<Index>()) {
        let allows: Vec<(usize, usize)> = sc
            .policies
            .iter()
            .enumerate()
            .flat_map(|(pi, d)| {
                d.statements
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s["Effect"] == "Allow")
                    .map(move |(si, _)| (pi, si))
            })
            .collect();
        prop_assume!(!allows.is_empty());
        let before = decide(&sc).0;
        let (pi, si) = *which.get(&allows);
        let mut after_sc = sc.clone();
        let doc = &mut after_sc.policies[pi];
        if doc.statements.len() > 1 {
            doc.statements.remove(si);
        } else {
            doc.statements[si] = inert_allow(doc.kind);
        }
        let after = decide(&after_sc).0;
        if before != Decision::Allow {
            prop_assert_ne!(after, Decision::Allow, "before: {:?}", before);
        }
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny);
        }
    }
}

// ---------------------------------------------------------------------------------------
// 3. explain agrees with evaluate
// ---------------------------------------------------------------------------------------

/// Checks explain against evaluate for one request.
fn check_explain(set: &PolicySet, req: &Request) -> Result<(), TestCaseError> {
    let evaluated = summary(&set.evaluate(req));
    let (response, trace) = set.explain(req);
    let explained = summary(&response);
    prop_assert_eq!(&evaluated, &explained);
    prop_assert_eq!(trace.decision, evaluated.decision);
    prop_assert_eq!(trace.reason, evaluated.reason);
    let determining: Vec<String> = trace.determining.iter().map(|l| l.to_string()).collect();
    let applied_denies: Vec<String> = trace
        .policies
        .iter()
        .filter(|p| p.applies)
        .flat_map(|p| p.statements.iter())
        .filter(|s| s.applies && s.effect == iam_eval::Effect::Deny)
        .map(|s| s.label.to_string())
        .collect();
    if evaluated.decision == Decision::ExplicitDeny {
        for label in &applied_denies {
            prop_assert!(
                determining.iter().any(|d| d == label),
                "applied Deny {} missing from the trace's determining {:?}",
                label,
                determining
            );
        }
        for d in &determining {
            prop_assert!(
                applied_denies.contains(d),
                "determining {} is not an applied Deny",
                d
            );
        }
    } else {
        prop_assert!(
            applied_denies.is_empty(),
            "{:?} though Deny statements apply: {:?}",
            evaluated.decision,
            applied_denies
        );
    }
    // The trace's determining list is the response's, unless the response truncated it.
    if evaluated.determining_omitted == 0 {
        prop_assert_eq!(&determining, &evaluated.determining);
    } else {
        prop_assert!(determining.starts_with(&evaluated.determining));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    /// `explain` runs the same code as `evaluate`: same decision, reason, determining
    /// statements and problems; the trace's decision is the response's; and, since an
    /// explicit Deny in any applicable policy decides the request, the statements the
    /// trace marks as applying Denies are exactly the determining statements of an
    /// `ExplicitDeny` (and there are none otherwise).
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    #[test]
    fn explain_agrees_with_evaluate(sc in scenario()) {
        let set = build_set(&sc.policies);
        let req = sc.request.build();
        check_explain(&set, &req)?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// As `explain_agrees_with_evaluate`, with many applicable Deny statements (more than
    /// a response lists inline): `explain` documents that it gives every deciding
    /// statement, so the trace must name every applying Deny.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    #[test]
    fn explain_names_every_applying_deny(
        identity_denies in 0usize..=12,
        resource_denies in 0usize..=12,
        req in request(),
    ) {
        let mut identity = vec![json!({"Effect": "Allow", "Action": "*", "Resource": "*"})];
        identity.extend((0..identity_denies).map(|_| {
            json!({"Effect": "Deny", "Action": req.action, "Resource": "*"})
        }));
        let mut resource = vec![json!({"Effect": "Allow", "Principal": "*", "Action": "*"})];
        resource.extend((0..resource_denies).map(|_| {
            json!({"Effect": "Deny", "Principal": "*", "Action": req.action, "Resource": "*"})
        }));
        let set = build_set(&[
            Doc { kind: PolicyKind::Identity, id: "id".into(), statements: identity },
            Doc { kind: PolicyKind::Resource, id: "res".into(), statements: resource },
        ]);
        check_explain(&set, &req.build())?;
    }
}

// ---------------------------------------------------------------------------------------
// 4. Negated operators are not the complement of the positive ones on missing keys
// ---------------------------------------------------------------------------------------

/// A positive operator, its negation, and well-typed policy and request values.
struct OperatorPair {
    positive: &'static str,
    negated: &'static str,
    policy: &'static [&'static str],
    request: &'static [&'static str],
}

const PAIRS: [OperatorPair; 5] = [
    OperatorPair {
        positive: "StringEquals",
        negated: "StringNotEquals",
        policy: &["x", "y", "X", "x*", "", "alice"],
        request: &["x", "y", "X", "x*", "", "alice", "xx"],
    },
    OperatorPair {
        positive: "NumericEquals",
        negated: "NumericNotEquals",
        policy: &["1", "10", "10.5", "-3", "1e1"],
        request: &["1", "1.0", "10", "10.5", "-3", "0", "10.50"],
    },
    OperatorPair {
        positive: "DateEquals",
        negated: "DateNotEquals",
        policy: &["2024-01-01T00:00:00Z", "2030-06-15T12:00:00Z", "1704067200"],
        request: &[
            "2024-01-01T00:00:00Z",
            "2030-06-15T12:00:00Z",
            "1704067200",
            "2024-01-01T00:00:01Z",
            "2024-01-01",
        ],
    },
    OperatorPair {
        positive: "ArnLike",
        negated: "ArnNotLike",
        policy: &[
            "arn:aws:s3:::bucket-a",
            "arn:aws:s3:::bucket-*",
            "arn:aws:iam::111122223333:user/*",
            "arn:aws:iam::*:user/alice",
            "arn:aws:sqs:us-east-1:111122223333:queue?",
        ],
        request: &[
            "arn:aws:s3:::bucket-a",
            "arn:aws:s3:::bucket-b",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::444455556666:user/alice",
            "arn:aws:sqs:us-east-1:111122223333:queue1",
            "arn:aws:sqs:us-east-1:111122223333:queue12",
        ],
    },
    OperatorPair {
        positive: "IpAddress",
        negated: "NotIpAddress",
        policy: &[
            "10.0.0.0/8",
            "192.0.2.1",
            "192.0.2.0/24",
            "2001:db8::/32",
            "0.0.0.0/0",
        ],
        request: &[
            "10.1.2.3",
            "192.0.2.1",
            "192.0.2.77",
            "2001:db8::1",
            "203.0.113.5",
            "::1",
        ],
    },
];

/// Decides a same-account IAM user's request under one identity-policy Allow whose only
/// condition is `{op: {key: values}}`.
fn allowed_under(op: &str, key: &str, values: &[&str], request_value: Option<&str>) -> Summary {
    let statement = json!({
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {op: {key: values}},
    });
    let set = build_set(&[Doc {
        kind: PolicyKind::Identity,
        id: "id".into(),
        statements: vec![statement],
    }]);
    let mut b = Request::builder();
    b.principal("arn:aws:iam::111122223333:user/alice")
        .action("s3:GetObject")
        .resource("arn:aws:s3:::bucket-a/key1");
    if let Some(v) = request_value {
        b.context(key, v);
    }
    let req = b.build().unwrap();
    summary(&set.evaluate(&req))
}

proptest! {
    #![proptest_config(config(1024))]

    /// A negated operator holds when the request value matches none of the policy
    /// values, so for a present single-valued key `XNotEquals` applies exactly when
    /// `XEquals` does not (String, Numeric, Date, Arn and Ip families), with or without
    /// `IfExists` or a set qualifier. On a missing key the operators are not each
    /// other's negation but follow their own rules: the positive operator is false and
    /// the negated one true; with `IfExists` both are true; under `ForAllValues:` both
    /// are true (an empty set) and under `ForAnyValue:` both are false.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
    #[test]
    fn negated_operator_is_complement_only_for_present_keys(
        pair in 0..PAIRS.len(),
        qualifier in prop_oneof![4 => Just(""), 1 => Just("IfExists"), 1 => Just("ForAllValues:"), 1 => Just("ForAnyValue:")],
        policy_picks in prop::collection::vec(any::<Index>(), 1..=3),
        request_pick in any::<Index>(),
        present in prop::bool::weighted(0.75),
        key in pick(&KEYS),
    ) {
        let pair = &PAIRS[pair];
        let name = |op: &str| match qualifier {
            "IfExists" => format!("{op}IfExists"),
            q => format!("{q}{op}"),
        };
        let (positive_name, negated_name) = (name(pair.positive), name(pair.negated));
        let values: Vec<&str> = policy_picks.iter().map(|i| *i.get(pair.policy)).collect();
        let request_value = present.then(|| *request_pick.get(pair.request));
        let positive = allowed_under(&positive_name, key, &values, request_value);
        let negated = allowed_under(&negated_name, key, &values, request_value);
        // Well-typed values: nothing the evaluator could not judge.
        prop_assert!(positive.problems.is_empty(), "{:?}", positive.problems);
        prop_assert!(negated.problems.is_empty(), "{:?}", negated.problems);
        let pos = positive.decision == Decision::Allow;
        let neg = negated.decision == Decision::Allow;
        if present {
            prop_assert_ne!(
                pos, neg,
                "{} and {} agree on {:?} vs {:?}", positive_name, negated_name, request_value, values
            );
        } else {
            let (want_pos, want_neg) = match qualifier {
                "" => (false, true),
                "IfExists" | "ForAllValues:" => (true, true),
                _ => (false, false),
            };
            prop_assert_eq!(pos, want_pos, "{} on a missing key", positive_name);
            prop_assert_eq!(neg, want_neg, "{} on a missing key", negated_name);
        }
    }
}

// ---------------------------------------------------------------------------------------
// 5. Case
// ---------------------------------------------------------------------------------------

/// Re-cases every condition key in a statement.
fn recase_condition_keys(statement: &mut Value, seed: u64) {
    let Some(Value::Object(condition)) = statement.get_mut("Condition") else {
        return;
    };
    for (_, keys) in condition.iter_mut() {
        let Value::Object(map) = keys else { continue };
        let old = std::mem::take(map);
        for (i, (k, v)) in old.into_iter().enumerate() {
            map.insert(recase(&k, seed.rotate_left(i as u32 * 7)), v);
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Condition key names are case-insensitive (in the policy and in the request
    /// context) and so are action names; re-casing them never changes the decision.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html>
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>
    #[test]
    fn key_and_action_case_does_not_matter(
        sc in scenario(),
        policy_seed in any::<u64>(),
        context_seed in any::<u64>(),
        action_seed in any::<u64>(),
    ) {
        let before = decide(&sc);
        let mut recased = sc.clone();
        for (pi, doc) in recased.policies.iter_mut().enumerate() {
            for (si, s) in doc.statements.iter_mut().enumerate() {
                recase_condition_keys(s, policy_seed.rotate_left((pi * 5 + si) as u32));
            }
        }
        for (i, (k, _)) in recased.request.context.iter_mut().enumerate() {
            *k = recase(k, context_seed.rotate_left(i as u32 * 3));
        }
        recased.request.action = recase(&recased.request.action, action_seed);
        let after = decide(&recased);
        prop_assert_eq!(before, after);
    }

    /// ARNs are case-sensitive: a `Resource` pattern without wildcards that differs
    /// from the request's resource only in case does not match it (and a `NotResource`
    /// with it does).
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>
    #[test]
    fn resource_arn_case_matters(
        resource in pick(&RESOURCES[..5]),
        seed in any::<u64>(),
        caller in prop_oneof![
            Just("arn:aws:iam::111122223333:user/alice"),
            Just("arn:aws:sts::111122223333:assumed-role/app/s1"),
        ],
    ) {
        // Re-case the resource part (after the fifth colon): the `arn:` prefix and the
        // service are not what this property is about.
        let at = resource.match_indices(':').nth(4).unwrap().0 + 1;
        let recased = format!("{}{}", &resource[..at], recase(&resource[at..], seed));
        prop_assume!(recased != resource);
        let decide_with = |element: &str, pattern: &str| {
            let set = build_set(&[Doc {
                kind: PolicyKind::Identity,
                id: "id".into(),
                statements: vec![json!({"Effect": "Allow", "Action": "*", element: pattern})],
            }]);
            let req = Request::builder()
                .principal(caller)
                .action("s3:GetObject")
                .resource(resource)
                .resource_account(ACCOUNT_A)
                .build()
                .unwrap();
            set.evaluate(&req).decision()
        };
        prop_assert_eq!(decide_with("Resource", resource), Decision::Allow);
        prop_assert_eq!(decide_with("Resource", &recased), Decision::ImplicitDeny, "{}", recased);
        prop_assert_eq!(decide_with("NotResource", &recased), Decision::Allow, "{}", recased);
        prop_assert_eq!(decide_with("NotResource", resource), Decision::ImplicitDeny);
    }
}

// ---------------------------------------------------------------------------------------
// 6. No panics on arbitrary requests
// ---------------------------------------------------------------------------------------

/// Policy values exercising every feature of a family, variables included.
fn rich_values(family: Family) -> Value {
    match family {
        Family::String => json!([
            "x",
            "${k:a}*",
            "${aws:username}",
            "${k:zz, 'dflt'}",
            "a*b?c*",
            "${*}${?}${$}",
            "*日本*"
        ]),
        Family::Numeric => json!(["1", "10.5", "-3", "1e300", "0.000000000000000000001"]),
        Family::Date => json!([
            "2024-01-01T00:00:00Z",
            "1704067200",
            "2024-02-29T23:59:59.999+05:30"
        ]),
        Family::Bool | Family::Null => json!(["true"]),
        Family::Binary => json!(["eA==", "QmluYXJ5VmFsdWU="]),
        Family::Ip => json!(["10.0.0.0/8", "2001:db8::/32", "0.0.0.0/0", "::/0"]),
        Family::Arn => json!([
            "arn:aws:s3:::bucket-*",
            "arn:aws:iam::${aws:PrincipalAccount}:user/*",
            "arn:*:*:*:*:*",
            "*"
        ]),
    }
}

/// A fixed set using every operator with every qualifier, policy variables, every
/// principal form and every policy kind.
fn rich_set() -> PolicySet {
    let keys = [
        "k:a",
        "k:b",
        "aws:SourceIp",
        "aws:CurrentTime",
        "s3:max-keys",
        "aws:username",
        "K:C",
    ];
    let mut allows = Vec::new();
    let mut denies = Vec::new();
    let mut n = 0;
    for &row in Operator::ALL {
        for set in ["", "ForAllValues:", "ForAnyValue:"] {
            for if_exists in [false, true] {
                if row == Operator::Null && (if_exists || !set.is_empty()) {
                    continue;
                }
                let name = format!(
                    "{set}{}{}",
                    row.name(),
                    if if_exists { "IfExists" } else { "" }
                );
                let key = keys[n % keys.len()];
                n += 1;
                let condition = json!({name: {key: rich_values(row.family())}});
                allows.push(json!({
                    "Effect": "Allow",
                    "Action": ["s3:*", "sqs:Send*", "*:*"],
                    "Resource": ["arn:aws:s3:::bucket-a/${aws:username}/*", "arn:aws:*:*:*:*", "*"],
                    "Condition": condition,
                }));
                denies.push(json!({
                    "Effect": "Deny",
                    "NotAction": ["iam:*", "a*b:*c*d*"],
                    "NotResource": ["arn:aws:s3:::${k:a}/*", "arn:aws:s3:::*a*a*a*a*a*b"],
                    "Condition": condition,
                }));
            }
        }
    }
    let resource = vec![
        json!({"Effect": "Allow", "Principal": "*", "Action": "*",
               "Condition": {"StringLike": {"k:a": "${aws:username}*"}}}),
        json!({"Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:root",
               "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:role/app",
               "arn:aws:sts::111122223333:assumed-role/app/s1", "AIDAJQABLZS4A3QDU576Q"],
               "Service": "s3.amazonaws.com", "Federated": "cognito-identity.amazonaws.com",
               "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
               "Action": ["s3:*", "sqs:*"], "Resource": "arn:aws:s3:::*"}),
        json!({"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/alice", "111122223333"]},
               "Action": "*", "Resource": "*", "Condition": {"Bool": {"k:b": "true"}}}),
        json!({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::444455556666:user/bob"},
               "Action": "s3:Get*", "Resource": "arn:aws:s3:::bucket-?/*"}),
    ];
    let rcp = vec![
        json!({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalAccount": ["111122223333", "444455556666"]},
                      "ForAnyValue:StringLike": {"k:b": ["*${k:a}*"]}}}),
    ];
    let scp = vec![
        json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        json!({"Effect": "Deny", "Action": "*", "Resource": "*",
               "Condition": {"NotIpAddressIfExists": {"aws:SourceIp": ["10.0.0.0/8", "::/0"]}}}),
    ];
    let boundary = vec![
        json!({"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:iam::*:*",
        "Condition": {"DateLessThanIfExists": {"aws:CurrentTime": "2100-01-01T00:00:00Z"}}}),
    ];
    let session = vec![json!({"Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"NumericLessThanEqualsIfExists": {"s3:max-keys": "1000"}}})];
    build_set(&[
        Doc {
            kind: PolicyKind::Identity,
            id: "allows".into(),
            statements: allows,
        },
        Doc {
            kind: PolicyKind::Identity,
            id: "denies".into(),
            statements: denies,
        },
        Doc {
            kind: PolicyKind::Resource,
            id: "resource".into(),
            statements: resource,
        },
        Doc {
            kind: PolicyKind::Rcp,
            id: "rcp".into(),
            statements: rcp,
        },
        Doc {
            kind: PolicyKind::Scp,
            id: "scp".into(),
            statements: scp,
        },
        Doc {
            kind: PolicyKind::Boundary,
            id: "boundary".into(),
            statements: boundary,
        },
        Doc {
            kind: PolicyKind::Session,
            id: "session".into(),
            statements: session,
        },
    ])
}

/// Strings of every awkward shape.
fn wild_string() -> BoxedStrategy<String> {
    prop_oneof![
        2 => Just(String::new()),
        4 => any::<String>(),
        2 => "[\\x00-\\x1f\\x7f]{0,8}",
        4 => "[a-zA-Z0-9äöü日本🦀:/*?$.{}, '=+-]{0,40}",
        1 => any::<char>().prop_map(|c| std::iter::repeat_n(c, 10_000).collect()),
        1 => "[a-c*?:/]{1,5}".prop_map(|s| s.repeat(10_000 / s.len())),
        1 => "[a-z]{0,3}".prop_map(|s| format!("arn:aws:s3:::{}", "a".repeat(10_000)) + &s),
        3 => pick(&CONTEXT_VALUES).prop_map(str::to_string),
        2 => "(\\$\\{[a-zA-Z:*?$ ,']{0,12}\\}?){1,3}",
    ]
    .boxed()
}

#[derive(Debug, Clone)]
struct WildRequest {
    principal: Result<Caller, String>,
    action: String,
    resource: String,
    owner: Option<String>,
    context: Vec<(String, Ctx)>,
}

fn wild_request() -> impl Strategy<Value = WildRequest> {
    let key = prop_oneof![
        3 => (pick(&KEYS), any::<u64>()).prop_map(|(k, seed)| recase(k, seed)),
        1 => Just("aws:username".to_string()),
        1 => Just("aws:PrincipalAccount".to_string()),
        2 => wild_string(),
    ];
    let value = prop_oneof![
        3 => wild_string().prop_map(Ctx::Single),
        1 => prop::collection::vec(wild_string(), 0..=4).prop_map(Ctx::Multi),
    ];
    (
        prop_oneof![
            3 => pick(&CALLERS).prop_map(Ok),
            1 => wild_string().prop_map(Err),
        ],
        prop_oneof![
            2 => pick(&ACTIONS).prop_map(str::to_string),
            3 => ("[a-z0-9-]{1,5}", wild_string()).prop_map(|(s, n)| format!("{s}:{n}")),
            1 => wild_string(),
        ],
        prop_oneof![
            2 => pick(&RESOURCES).prop_map(str::to_string),
            3 => wild_string(),
            1 => wild_string().prop_map(|s| format!("arn:aws:s3:::bucket-a/{s}")),
        ],
        proptest::option::of(wild_string()),
        prop::collection::vec((key, value), 0..=6),
    )
        .prop_map(
            |(principal, action, resource, owner, context)| WildRequest {
                principal,
                action,
                resource,
                owner,
                context,
            },
        )
}

proptest! {
    #![proptest_config(config(256))]

    /// Evaluation is infallible: whatever the request holds (empty, 10 000-character,
    /// non-ASCII or control-character actions, resources, keys and values, wrong-typed
    /// values for every operator family), `evaluate` and `explain` return a response
    /// against a set using every operator, qualifier, variable, principal form and kind.
    /// AWS evaluates every request it receives; a condition that cannot be read is false.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    #[test]
    fn evaluation_never_panics(wr in wild_request()) {
        thread_local! {
            static SET: PolicySet = rich_set();
        }
        let mut b = Request::builder();
        match &wr.principal {
            Ok(Caller::Arn(a)) => b.principal(a),
            Ok(Caller::Service(s)) => b.principal_value(Principal::service(s)),
            Err(text) => b.principal(text),
        };
        b.action(&wr.action).resource(&wr.resource);
        if let Some(o) = &wr.owner {
            b.resource_account(o);
        }
        for (k, v) in &wr.context {
            match v {
                Ctx::Single(s) => b.context(k, s.as_str()),
                Ctx::Multi(list) => b.context(k, list.clone()),
            };
        }
        let Ok(req) = b.build() else { return Ok(()) };
        SET.with(|set| -> Result<(), TestCaseError> {
            let response = set.evaluate(&req);
            let _ = response.to_string();
            let (explained, trace) = set.explain(&req);
            prop_assert_eq!(summary(&response), summary(&explained));
            let _ = trace.to_string();
            let _ = trace.to_json();
            Ok(())
        })?;
    }
}

// ---------------------------------------------------------------------------------------
// 7. Determinism
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    /// A decision is a function of the policies and the request: evaluating twice gives
    /// the same response and trace, and a set shared by two threads decides as it does
    /// on one. (The design's `Send + Sync` contract for `PolicySet`.)
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    #[test]
    fn evaluation_is_deterministic_and_thread_safe(
        sc in scenario(),
        more in prop::collection::vec(request(), 0..=7),
    ) {
        let set = build_set(&sc.policies);
        let requests: Vec<Request> = std::iter::once(&sc.request)
            .chain(more.iter())
            .map(Req::build)
            .collect();
        let single: Vec<Summary> = requests.iter().map(|r| summary(&set.evaluate(r))).collect();
        let again: Vec<Summary> = requests.iter().map(|r| summary(&set.evaluate(r))).collect();
        prop_assert_eq!(&single, &again);
        for r in &requests {
            prop_assert_eq!(set.explain(r).1, set.explain(r).1);
        }
        let (forward, mut backward) = std::thread::scope(|s| {
            let a = s.spawn(|| {
                requests.iter().map(|r| summary(&set.evaluate(r))).collect::<Vec<_>>()
            });
            let b = s.spawn(|| {
                requests.iter().rev().map(|r| summary(&set.evaluate(r))).collect::<Vec<_>>()
            });
            (a.join().unwrap(), b.join().unwrap())
        });
        backward.reverse();
        prop_assert_eq!(&single, &forward);
        prop_assert_eq!(&single, &backward);
    }
}

// ---------------------------------------------------------------------------------------
// 8. Order does not matter
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    /// The decision does not depend on the order of statements within a policy or of
    /// policies within the set: AWS evaluates all applicable policies, and explicit
    /// denies, then allows, decide regardless of position.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    #[test]
    fn order_does_not_matter(sc in scenario(), seed in any::<u64>()) {
        let before = decide(&sc);
        let mut shuffled = sc.clone();
        for (i, doc) in shuffled.policies.iter_mut().enumerate() {
            shuffle(&mut doc.statements, seed.rotate_left(i as u32 + 1));
        }
        shuffle(&mut shuffled.policies, seed);
        let after = decide(&shuffled);
        prop_assert_eq!(before, after);
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// The order of the members of a JSON object never changes the decision: the
    /// condition blocks of a statement and the keys of a block are ANDed, so writing
    /// them in another order (or the elements of a statement) decides the same.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>
    #[test]
    fn condition_order_does_not_matter(sc in scenario(), seed in any::<u64>()) {
        let before = decide_ordered(&sc, None);
        let after = decide_ordered(&sc, Some(seed));
        prop_assert_eq!(before, after);
    }
}

/// The minimal case `condition_order_does_not_matter` shrinks to: the Deny cannot apply
/// (`k:b` is missing, so `NumericLessThan` on it is false whatever `s3:max-keys` holds),
/// yet when the unreadable `s3:max-keys` is written first the request is denied as
/// "unjudged", and when `k:b` is written first it is allowed.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>
#[test]
fn condition_key_order_example() {
    let decide_text = |condition: &str| {
        let identity = r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": CONDITION}]}"#
            .replace("CONDITION", condition);
        let set = PolicySet::builder()
            .add(
                PolicyKind::Identity,
                "id",
                Policy::parse(&identity).unwrap(),
            )
            .build()
            .unwrap();
        let req = Request::builder()
            .principal("arn:aws:iam::111122223333:user/alice")
            .action("s3:GetObject")
            .resource("arn:aws:s3:::bucket-a")
            .context("s3:max-keys", "abc")
            .build()
            .unwrap();
        let r = set.evaluate(&req);
        (r.decision(), r.reason())
    };
    let missing_first = decide_text(r#"{"NumericLessThan": {"k:b": "1", "s3:max-keys": "1"}}"#);
    let unreadable_first = decide_text(r#"{"NumericLessThan": {"s3:max-keys": "1", "k:b": "1"}}"#);
    let blocks_reversed =
        decide_text(r#"{"NumericLessThan": {"s3:max-keys": "1"}, "StringEquals": {"k:b": "x"}}"#);
    let allow = (Decision::Allow, Reason::IdentityAllow);
    assert_eq!(
        (missing_first, unreadable_first, blocks_reversed),
        (allow, allow, allow)
    );
}
