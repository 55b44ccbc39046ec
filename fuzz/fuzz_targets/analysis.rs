//! The policy analysis (`iam_eval::analysis`) on small generated policy sets and shapes.
//!
//! Policies of every kind are built from small vocabularies so that actions, resources,
//! callers and condition values meet often: `Action`/`NotAction`, `Resource`/
//! `NotResource`, principals of every type, conditions with every operator of
//! `Operator::ALL` (set qualifiers and `IfExists` included) and values from every family,
//! policy variables among them. A shape picks callers, action and resource patterns, the
//! resource's account and a `Condition` block from the same vocabularies.
//!
//! Checked, with a short budget (`IAM_EVAL_FUZZ_DEADLINE_MS`, default 100; each query
//! must end within the deadline plus `IAM_EVAL_FUZZ_SLACK_MS`, default 1000):
//!
//! - no query panics, and none ends `Unknown` for an internal reason (a failed self
//!   check is a bug in the engine);
//! - `always`: a counterexample is a request of the shape on which `evaluate` gives the
//!   counterexample's decision, and that decision violates the expectation; after a
//!   proof, no probe request of the shape violates it;
//! - `diff(a, a)` and `diff(a, a')` (`a'` the same policies added in reverse order, but
//!   for resource-based policies given with an owner, whose order names the owner) are
//!   never counterexamples;
//! - `diff(a, b)` with `b` = `a` plus one statement: a counterexample is a request of the
//!   shape that `b` allows and `a` does not; after a proof, no probe request is one.
//!
//! Probe requests are built from the shape (its callers, its patterns with the
//! wildcards filled in, context values from its `Condition` block and the vocabulary);
//! whether one is in the shape is judged independently of the analysis: the caller, the
//! patterns with `Pattern::matches`, and the `Condition` block as a `Deny` statement
//! that must apply.
#![no_main]

use arbitrary::Arbitrary;
use iam_eval::analysis::{self, Expect, Options, Shape, ShapePrincipal, UnknownKind, Verdict};
use iam_eval::{
    Case, Decision, Family, Operator, Pattern, Policy, PolicyKind, PolicySet, Principal, Request,
};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const ACCOUNTS: [&str; 2] = ["111122223333", "444455556666"];

/// Action patterns for policies and shapes (every one is `service:...` or `*`).
const ACTION_PATTERNS: [&str; 14] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:*",
    "s3:Get*",
    "*",
    "s3:?utObject",
    "kms:*",
    "*:GetObject",
    "s3:*Object",
    "S3:GETOBJECT",
    "s3:GetObjec?",
    "sts:AssumeRole",
    "kms:Decrypt",
    "s3:ListBucket",
];

/// Actions a probe request may name besides those made from the shape's patterns.
const ACTIONS: [&str; 5] = [
    "s3:GetObject",
    "s3:PutObject",
    "kms:Decrypt",
    "sts:AssumeRole",
    "s3:ListBucket",
];

/// Resource patterns for policies, variables included.
const RESOURCE_PATTERNS: [&str; 13] = [
    "*",
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/*",
    "arn:aws:s3:::bucket-?/*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::bucket-a/key1",
    "arn:aws:s3:::bucket-a/${aws:username}",
    "arn:aws:s3:::bucket-a/${k:a}",
    "arn:aws:s3:::bucket-a/${k:b, 'key1'}",
    "arn:aws:kms:*:111122223333:key/*",
    "arn:aws:*:*:*:*",
    "*/key1",
    "arn:aws:iam::*:role/*",
];

/// Resource patterns for shapes (no variables: a shape's patterns are plain).
const SHAPE_RESOURCES: [&str; 8] = [
    "*",
    "arn:aws:s3:::bucket-a/*",
    "arn:aws:s3:::bucket-?/*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::bucket-a/key1",
    "arn:aws:kms:*:*:key/*",
    "arn:aws:*",
    "arn:aws:iam::111122223333:role/app",
];

/// Resources a probe request may name besides those made from the shape's patterns.
const RESOURCES: [&str; 6] = [
    "arn:aws:s3:::bucket-a/key1",
    "arn:aws:s3:::bucket-a/alice",
    "arn:aws:s3:::bucket-b/dir/key2",
    "arn:aws:kms:us-east-1:111122223333:key/k1",
    "arn:aws:kms:us-east-1:444455556666:key/k1",
    "arn:aws:iam::111122223333:role/app",
];

/// Principal elements of resource-based policies.
const PRINCIPALS: [&str; 7] = [
    r#""*""#,
    r#"{"AWS": "111122223333"}"#,
    r#"{"AWS": "444455556666"}"#,
    r#"{"AWS": "arn:aws:iam::111122223333:user/alice"}"#,
    r#"{"AWS": "arn:aws:iam::111122223333:role/app"}"#,
    r#"{"Service": "s3.amazonaws.com"}"#,
    r#"{"AWS": ["arn:aws:sts::111122223333:assumed-role/app/s1", "arn:aws:iam::444455556666:root"]}"#,
];

/// Callers, for shapes and probes.
const CALLERS: [&str; 9] = [
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::444455556666:user/bob",
    "arn:aws:sts::111122223333:assumed-role/app/s1",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::444455556666:root",
    "*",
    "service:s3.amazonaws.com",
    "federated:cognito-identity.amazonaws.com",
];

/// Condition keys: free keys, typed global keys, keys derived from the caller, and one
/// documented multivalued key.
const KEYS: [&str; 11] = [
    "k:a",
    "k:b",
    "aws:SourceIp",
    "aws:CurrentTime",
    "aws:SecureTransport",
    "s3:x-amz-server-side-encryption",
    "aws:username",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalType",
    "aws:TagKeys",
];

/// The keys a probe request may set: not derived from the caller (a request of a shape
/// never sets those), and single-valued unless the shape declares them multivalued.
const FREE_KEYS: [&str; 6] = [
    "k:a",
    "k:b",
    "aws:SourceIp",
    "aws:CurrentTime",
    "aws:SecureTransport",
    "s3:x-amz-server-side-encryption",
];

/// The keys AWS derives from the caller; a request of a shape never sets them itself.
const DERIVED: [&str; 6] = [
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:principaltype",
    "aws:username",
];

/// Values by family: string, numeric, date, bool, binary, IP, ARN.
const VALUES: [&[&str]; 7] = [
    &[
        "a",
        "b",
        "A",
        "",
        "a*",
        "?",
        "alice",
        "aws:kms",
        "AES256",
        "${aws:username}",
        "${k:b}",
        "${k:a, 'd'}",
        "${*}",
        "x${k:b}y",
        "111122223333",
        "User",
    ],
    &["1", "10", "10.5", "-3", "0", "1e3", "abc", "00010"],
    &[
        "2024-01-01T00:00:00Z",
        "2030-06-15T12:00:00Z",
        "1704067200",
        "2024-02-30T00:00:00Z",
        "nope",
    ],
    &["true", "false", "TRUE", "yes"],
    &["eA==", "", "QUJD", "!!"],
    &[
        "10.0.0.0/8",
        "10.1.2.3",
        "192.0.2.0/24",
        "2001:db8::/32",
        "::1",
        "1.2.3",
    ],
    &[
        "arn:aws:iam::111122223333:user/*",
        "arn:aws:iam::*:role/app",
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:sts::111122223333:assumed-role/app/*",
        "arn:aws:iam::${aws:PrincipalAccount}:*",
        "arn:aws",
    ],
];

#[derive(Arbitrary, Debug)]
struct ConditionIn {
    operator: u8,
    /// 1: `ForAllValues:`, 2: `ForAnyValue:`, else none.
    qualifier: u8,
    if_exists: bool,
    key: u8,
    /// Values from the operator's own family (else from any).
    own_family: bool,
    values: Vec<(u8, u8)>,
}

impl ConditionIn {
    fn operator(&self) -> Operator {
        pick(Operator::ALL, self.operator)
    }

    fn name(&self) -> String {
        let prefix = match self.qualifier % 4 {
            1 => "ForAllValues:",
            2 => "ForAnyValue:",
            _ => "",
        };
        let suffix = if self.if_exists && self.operator() != Operator::Null {
            "IfExists"
        } else {
            ""
        };
        format!("{prefix}{}{suffix}", self.operator().name())
    }

    /// The values; from the operator's own family when `own` or the input says so.
    fn values(&self, own: bool) -> Vec<&'static str> {
        let family_of = match self.operator().family() {
            Family::String => 0,
            Family::Numeric => 1,
            Family::Date => 2,
            Family::Bool | Family::Null => 3,
            Family::Binary => 4,
            Family::Ip => 5,
            Family::Arn => 6,
        };
        let mut out: Vec<&str> = self
            .values
            .iter()
            .take(2)
            .map(|&(f, i)| {
                let family = if own || self.own_family {
                    VALUES[family_of]
                } else {
                    pick(&VALUES, f)
                };
                pick(family, i)
            })
            .collect();
        if out.is_empty() {
            out.push(pick(VALUES[family_of], 0));
        }
        out
    }
}

/// A `Condition` block: an operator may appear once, a key once per operator. `own`:
/// every value from its operator's family.
fn condition_block(conditions: &[ConditionIn], own: bool) -> Map<String, Value> {
    let mut block = Map::new();
    for c in conditions.iter().take(3) {
        let entry = block
            .entry(c.name())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(keys) = entry {
            keys.insert(pick(&KEYS, c.key).to_string(), json!(c.values(own)));
        }
    }
    block
}

#[derive(Arbitrary, Debug)]
struct StatementIn {
    deny: bool,
    not_action: bool,
    actions: Vec<u8>,
    not_resource: bool,
    resources: Vec<u8>,
    /// Index into [`PRINCIPALS`]; `NotPrincipal` when `not_principal` and the statement
    /// denies.
    principal: u8,
    not_principal: bool,
    conditions: Vec<ConditionIn>,
}

/// Policy kinds, with the trust policy of a role as the seventh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Of(PolicyKind),
    Trust,
}

impl Kind {
    fn takes_principal(self) -> bool {
        match self {
            Kind::Of(k) => k.takes_principal(),
            Kind::Trust => true,
        }
    }
}

#[derive(Arbitrary, Debug)]
struct PolicyIn {
    kind: u8,
    owner: Option<u8>,
    statements: Vec<StatementIn>,
}

impl PolicyIn {
    fn kind(&self) -> Kind {
        match self.kind % 7 {
            6 => Kind::Trust,
            k => Kind::Of(pick(&PolicyKind::ALL, k)),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum ShapeCaller {
    Any,
    Account(u8),
    Caller(u8),
}

#[derive(Arbitrary, Debug)]
struct ShapeIn {
    callers: Vec<ShapeCaller>,
    actions: Vec<u8>,
    resources: Vec<u8>,
    resource_account: Option<u8>,
    conditions: Vec<ConditionIn>,
    /// Keys declared multivalued, as indices into [`FREE_KEYS`].
    multivalued: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
enum ProbeValue {
    /// A value from the vocabulary.
    Vocab(u8, u8),
    /// A value the shape's `Condition` block names.
    FromShape(u8),
    /// A list (only for keys the shape declares multivalued).
    List(Vec<(u8, u8)>),
}

#[derive(Arbitrary, Debug)]
struct ProbeIn {
    caller: u8,
    action: u8,
    resource: u8,
    context: Vec<(u8, ProbeValue)>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    policies: Vec<PolicyIn>,
    shape: ShapeIn,
    expect: u8,
    /// The statement added to one policy (or as a policy of its own) for `diff`.
    extra: StatementIn,
    extra_into: u8,
    probes: Vec<ProbeIn>,
}

fn pick<T: Copy>(items: &[T], i: u8) -> T {
    items[usize::from(i) % items.len()]
}

fn statement_json(s: &StatementIn, kind: Kind) -> Value {
    let mut m = Map::new();
    // RCPs deny only, and name every principal.
    let deny = s.deny || kind == Kind::Of(PolicyKind::Rcp);
    m.insert("Effect".into(), json!(if deny { "Deny" } else { "Allow" }));
    let mut actions: Vec<&str> = s
        .actions
        .iter()
        .take(3)
        .map(|&a| pick(&ACTION_PATTERNS, a))
        .collect();
    if actions.is_empty() {
        actions.push("*");
    }
    let key = if s.not_action { "NotAction" } else { "Action" };
    m.insert(key.into(), json!(actions));
    // A role's trust policy names no resource: the role is the resource.
    if kind != Kind::Trust {
        let mut resources: Vec<&str> = s
            .resources
            .iter()
            .take(3)
            .map(|&r| pick(&RESOURCE_PATTERNS, r))
            .collect();
        if resources.is_empty() {
            resources.push("*");
        }
        let key = if s.not_resource {
            "NotResource"
        } else {
            "Resource"
        };
        m.insert(key.into(), json!(resources));
    }
    if kind.takes_principal() {
        let (key, text) = match kind {
            Kind::Of(PolicyKind::Rcp) => ("Principal", PRINCIPALS[0]),
            _ if s.not_principal && deny => ("NotPrincipal", pick(&PRINCIPALS[1..], s.principal)),
            _ => ("Principal", pick(&PRINCIPALS, s.principal)),
        };
        let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        m.insert(key.into(), value);
    }
    let block = condition_block(&s.conditions, false);
    if !block.is_empty() {
        m.insert("Condition".into(), Value::Object(block));
    }
    Value::Object(m)
}

fn policy_json(statements: &[Value]) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// One policy of a set: its kind, the resource owner for a resource-based policy, its
/// id and text.
#[derive(Debug, Clone)]
struct Doc {
    kind: Kind,
    owner: Option<&'static str>,
    id: String,
    text: String,
}

fn build<'a>(docs: impl Iterator<Item = &'a Doc>) -> Option<PolicySet> {
    let mut b = PolicySet::builder();
    for d in docs {
        let policy = Policy::parse(&d.text).ok()?;
        match (d.kind, d.owner) {
            (Kind::Trust, _) => b.add_trust_policy(d.id.clone(), policy),
            (Kind::Of(k), Some(owner)) if k == PolicyKind::Resource => {
                b.add_owned(k, d.id.clone(), policy, owner)
            }
            (Kind::Of(k), _) => b.add(k, d.id.clone(), policy),
        };
    }
    b.build().ok()
}

/// The policies in reverse order, except that resource-based policies given with their
/// owner keep theirs: the first of them that covers a request names the resource's
/// owner, so their order is part of the set's meaning.
fn reversed(docs: &[Doc]) -> Vec<Doc> {
    let owned = |d: &Doc| d.kind == Kind::Of(PolicyKind::Resource) && d.owner.is_some();
    let mut in_order = docs.iter().filter(|d| owned(d));
    docs.iter()
        .rev()
        .filter_map(|d| if owned(d) { in_order.next() } else { Some(d) })
        .cloned()
        .collect()
}

/// A shape with what probes need to know of it.
struct ShapeOut {
    shape: Shape,
    /// The keys and values its `Condition` block names.
    named: Vec<(&'static str, &'static str)>,
    /// The keys it declares multivalued, lowercase.
    multivalued: Vec<String>,
}

fn shape(s: &ShapeIn) -> Option<ShapeOut> {
    let mut b = Shape::builder();
    for c in s.callers.iter().take(2) {
        match c {
            ShapeCaller::Any => b.any_principal(),
            ShapeCaller::Account(a) => b.principal_account(pick(&ACCOUNTS, *a)),
            ShapeCaller::Caller(c) => b.principal(pick(&CALLERS, *c)),
        };
    }
    for &a in s.actions.iter().take(2) {
        b.action(pick(&ACTION_PATTERNS, a));
    }
    for &r in s.resources.iter().take(2) {
        b.resource(pick(&SHAPE_RESOURCES, r));
    }
    if let Some(a) = s.resource_account {
        b.resource_account(pick(&ACCOUNTS, a));
    }
    // Values of the operator's own family, so that fewer shapes are empty.
    let block = condition_block(&s.conditions, true);
    if !block.is_empty() {
        b.condition_json(&Value::Object(block).to_string());
    }
    let multivalued: Vec<String> = s
        .multivalued
        .iter()
        .take(2)
        .map(|&k| pick(&FREE_KEYS, k).to_lowercase())
        .collect();
    for k in &multivalued {
        b.multivalued(k);
    }
    let named = s
        .conditions
        .iter()
        .take(3)
        .flat_map(|c| {
            let key = pick(&KEYS, c.key);
            c.values(true).into_iter().map(move |v| (key, v))
        })
        .collect();
    Some(ShapeOut {
        shape: b.build().ok()?,
        named,
        multivalued,
    })
}

/// Whether a request is in the shape, judged without the analysis: the caller, the
/// patterns, the resource account, no key AWS derives from the caller set by hand, and the
/// shape's `Condition` block, which holds exactly when a `Deny` statement with that block
/// in a resource-based policy applies.
struct Membership {
    callers: Vec<ShapePrincipal>,
    actions: Vec<Pattern>,
    resources: Vec<Pattern>,
    resource_account: Option<String>,
    condition: Option<PolicySet>,
}

impl Membership {
    fn new(shape: &Shape) -> Option<Membership> {
        let condition = match shape.condition() {
            None => None,
            Some(block) => {
                let text = format!(
                    r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {block}}}]}}"#
                );
                let policy = Policy::parse(&text).ok()?;
                Some(
                    PolicySet::builder()
                        .add(PolicyKind::Resource, "shape", policy)
                        .build()
                        .ok()?,
                )
            }
        };
        Some(Membership {
            callers: shape.principals().to_vec(),
            actions: shape
                .actions()
                .iter()
                .map(|a| Pattern::new(&a.to_ascii_lowercase(), Case::Sensitive))
                .collect(),
            resources: shape
                .resources()
                .iter()
                .map(|r| Pattern::new(r, Case::Sensitive))
                .collect(),
            resource_account: shape.resource_account().map(str::to_string),
            condition,
        })
    }

    fn contains(&self, r: &Request) -> bool {
        let p = r.principal();
        let caller = self.callers.iter().any(|c| match c {
            ShapePrincipal::Any => true,
            ShapePrincipal::Account(a) => p.account() == Some(a.as_str()),
            ShapePrincipal::Caller(q) => q.kind() == p.kind() && q.id() == p.id(),
        });
        let action = r.action().to_ascii_lowercase();
        let context = r.context();
        caller
            && self.actions.iter().any(|a| a.matches(&action))
            && self.resources.iter().any(|x| x.matches(r.resource()))
            && r.resource_account() == self.resource_account.as_deref()
            && context.iter().all(|(key, _)| {
                !DERIVED.contains(&key.to_ascii_lowercase().as_str()) || context.is_derived(key)
            })
            && self
                .condition
                .as_ref()
                .is_none_or(|set| set.evaluate(r).decision() == Decision::ExplicitDeny)
    }
}

/// A pattern with its wildcards filled in: `*` by `star`, `?` by `one`.
fn fill(pattern: &str, star: &str, one: &str) -> String {
    pattern.replace('*', star).replace('?', one)
}

/// Probe requests: each of the fuzzer's, then a fixed few (each caller of the shape on
/// its first action and resource, without context), those of the shape only.
fn probes(input: &[ProbeIn], shape: &ShapeOut, member: &Membership) -> Vec<Request> {
    let ShapeOut {
        shape,
        named,
        multivalued,
    } = shape;
    let mut callers: Vec<Principal> = Vec::new();
    for p in shape.principals() {
        match p {
            ShapePrincipal::Caller(c) => callers.push(c.clone()),
            ShapePrincipal::Account(a) => {
                for c in [
                    format!("arn:aws:iam::{a}:user/alice"),
                    format!("arn:aws:sts::{a}:assumed-role/app/s1"),
                    format!("arn:aws:iam::{a}:root"),
                ] {
                    callers.extend(c.parse().ok());
                }
            }
            _ => callers.extend(CALLERS.iter().filter_map(|c| c.parse().ok())),
        }
    }
    let mut actions: Vec<String> = Vec::new();
    for a in shape.actions() {
        actions.push(fill(a, "", "P"));
        actions.push(fill(a, "GetObject", "t"));
        if a == "*" {
            actions.extend(ACTIONS.iter().map(|a| a.to_string()));
        }
    }
    let mut resources: Vec<String> = Vec::new();
    for r in shape.resources() {
        resources.push(fill(r, "", "a"));
        resources.push(fill(r, "key1", "b"));
    }
    resources.extend(RESOURCES.iter().map(|r| r.to_string()));
    // `*` filled with nothing: no request names an empty action or resource.
    actions.retain(|a| !a.is_empty());
    resources.retain(|r| !r.is_empty());
    let value = |(f, i): (u8, u8)| pick(pick(&VALUES, f), i);
    let mut out = Vec::new();
    let mut add = |caller: &Principal, action: &str, resource: &str, context: &[(&str, Given)]| {
        let mut b = Request::builder();
        b.principal_value(caller.clone())
            .action(action)
            .resource(resource);
        if let Some(a) = shape.resource_account() {
            b.resource_account(a);
        }
        for (key, v) in context {
            match v {
                Given::One(v) => b.context(key, *v),
                Given::List(list) => b.context(key, list.as_slice()),
            };
        }
        if let Ok(r) = b.build() {
            if member.contains(&r) {
                out.push(r);
            }
        }
    };
    if callers.is_empty() || actions.is_empty() || resources.is_empty() {
        return out;
    }
    for p in input.iter().take(12) {
        let mut context: Vec<(&str, Given)> = Vec::new();
        for (k, v) in p.context.iter().take(4) {
            let key = pick(&FREE_KEYS, *k);
            match v {
                ProbeValue::Vocab(f, i) => context.push((key, Given::One(value((*f, *i))))),
                ProbeValue::FromShape(i) if !named.is_empty() => {
                    context.push((key, Given::One(pick(named, *i).1)));
                }
                ProbeValue::List(values) if multivalued.contains(&key.to_lowercase()) => {
                    let list = values.iter().take(3).map(|&v| value(v)).collect();
                    context.push((key, Given::List(list)));
                }
                ProbeValue::FromShape(_) | ProbeValue::List(_) => {}
            }
        }
        add(
            &callers[usize::from(p.caller) % callers.len()],
            &actions[usize::from(p.action) % actions.len()],
            &resources[usize::from(p.resource) % resources.len()],
            &context,
        );
    }
    // Each caller without context, and with the first value the shape's `Condition`
    // block names for each free key (a list for a key declared multivalued).
    let mut from_shape: Vec<(&str, Given)> = Vec::new();
    for &(key, v) in named {
        let Some(&free) = FREE_KEYS.iter().find(|k| k.eq_ignore_ascii_case(key)) else {
            continue;
        };
        if from_shape.iter().any(|(k, _)| *k == free) {
            continue;
        }
        let given = if multivalued.contains(&free.to_lowercase()) {
            Given::List(vec![v])
        } else {
            Given::One(v)
        };
        from_shape.push((free, given));
    }
    for c in &callers {
        add(c, &actions[0], &resources[0], &[]);
        add(c, &actions[0], &resources[0], &from_shape);
    }
    out
}

/// A context value a probe gives.
enum Given {
    One(&'static str),
    List(Vec<&'static str>),
}

struct Budget {
    options: Options,
    /// The most one query may take.
    bound: Duration,
}

fn budget() -> &'static Budget {
    static B: OnceLock<Budget> = OnceLock::new();
    B.get_or_init(|| {
        let ms = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(default)
        };
        let deadline = Duration::from_millis(ms("IAM_EVAL_FUZZ_DEADLINE_MS", 100));
        let slack = Duration::from_millis(ms("IAM_EVAL_FUZZ_SLACK_MS", 1000));
        Budget {
            options: Options::default()
                .deadline(deadline)
                .max_conflicts(5_000)
                .max_states(20_000),
            bound: deadline + slack,
        }
    })
}

/// Runs a query, checking that it ends within the bound and is not an internal failure;
/// `inputs` describes the question for the failure message.
fn timed(
    what: &str,
    inputs: impl Fn() -> String,
    query: impl FnOnce(&Options) -> Verdict,
) -> Verdict {
    let b = budget();
    let start = Instant::now();
    let verdict = query(&b.options);
    let took = start.elapsed();
    assert!(
        took <= b.bound,
        "{what} took {took:?}, more than {:?}; {}",
        b.bound,
        inputs()
    );
    if let Verdict::Unknown(u, _) = &verdict {
        assert_ne!(u.kind(), UnknownKind::Internal, "{what}: {u}; {}", inputs());
    }
    verdict
}

fuzz_target!(|input: Input| {
    let mut docs: Vec<Doc> = input
        .policies
        .iter()
        .take(3)
        .enumerate()
        .map(|(i, p)| {
            let statements: Vec<Value> = p
                .statements
                .iter()
                .take(3)
                .map(|s| statement_json(s, p.kind()))
                .collect();
            Doc {
                kind: p.kind(),
                owner: p.owner.map(|o| pick(&ACCOUNTS, o)),
                id: format!("p{i}"),
                text: policy_json(&statements),
            }
        })
        .collect();
    if docs.is_empty() {
        docs.push(Doc {
            kind: Kind::Of(PolicyKind::Identity),
            owner: None,
            id: "p0".into(),
            text: policy_json(&[statement_json(&input.extra, Kind::Of(PolicyKind::Identity))]),
        });
    }
    let Some(set) = build(docs.iter()) else {
        return;
    };
    let Some(out) = shape(&input.shape) else {
        return;
    };
    let Some(member) = Membership::new(&out.shape) else {
        return;
    };
    let probes = probes(&input.probes, &out, &member);
    let shape = out.shape;
    let expect = pick(
        &[Expect::Allow, Expect::Deny, Expect::ExplicitDeny],
        input.expect,
    );

    // always
    let inputs = || format!("expect {expect}; shape {shape:?}; policies {docs:#?}");
    let verdict = timed("always", inputs, |o| {
        analysis::always_with(&set, &shape, expect, o)
    });
    match &verdict {
        Verdict::Counterexample(c, _) => {
            let r = c.request();
            let response = set.evaluate(r);
            assert_eq!(
                response.decision(),
                c.decision(),
                "evaluate disagrees on {r:?}"
            );
            assert_eq!(response.reason(), c.reason(), "evaluate disagrees on {r:?}");
            assert!(!expect.accepts(c.decision()), "{r:?} meets {expect}");
            assert_eq!(c.expected(), Some(expect));
            assert!(member.contains(r), "{r:?} is not of the shape {shape:?}");
        }
        Verdict::Proved(_) => {
            for r in &probes {
                let d = set.evaluate(r).decision();
                assert!(
                    expect.accepts(d),
                    "proved {expect}, but {r:?} is {d:?}; shape {shape:?}; policies {docs:#?}"
                );
            }
        }
        _ => {}
    }

    // diff of a set with itself, and with itself built in another order
    let verdict = timed("diff(a, a)", inputs, |o| {
        analysis::diff_with(&set, &set, &shape, o)
    });
    assert!(
        verdict.counterexample().is_none(),
        "diff(a, a): {verdict:?}; policies {docs:#?}"
    );
    if let Some(reversed) = build(reversed(&docs).iter()) {
        let verdict = timed("diff(a, reversed a)", inputs, |o| {
            analysis::diff_with(&set, &reversed, &shape, o)
        });
        assert!(
            verdict.counterexample().is_none(),
            "diff(a, reversed a): {verdict:?}; policies {docs:#?}"
        );
    }

    // diff with one statement more
    let mut more = docs.clone();
    let i = usize::from(input.extra_into) % (more.len() + 1);
    match more.get_mut(i) {
        Some(d) => {
            let mut v: Value = serde_json::from_str(&d.text).unwrap_or(Value::Null);
            if let Some(Value::Array(list)) = v.get_mut("Statement") {
                list.push(statement_json(&input.extra, d.kind));
            }
            d.text = v.to_string();
        }
        None => more.push(Doc {
            kind: Kind::Of(PolicyKind::Identity),
            owner: None,
            id: "extra".into(),
            text: policy_json(&[statement_json(&input.extra, Kind::Of(PolicyKind::Identity))]),
        }),
    }
    let Some(new) = build(more.iter()) else {
        return;
    };
    let inputs = || format!("shape {shape:?}; a {docs:#?}; b {more:#?}");
    let verdict = timed("diff(a, b)", inputs, |o| {
        analysis::diff_with(&set, &new, &shape, o)
    });
    match &verdict {
        Verdict::Counterexample(c, _) => {
            let r = c.request();
            let (old_d, new_d) = (set.evaluate(r).decision(), new.evaluate(r).decision());
            assert_eq!(new_d, Decision::Allow, "diff: {r:?} is not allowed by b");
            assert_ne!(old_d, Decision::Allow, "diff: {r:?} is allowed by a");
            assert_eq!(c.decision(), new_d);
            assert_eq!(c.before().map(|b| b.0), Some(old_d));
            assert!(member.contains(r), "{r:?} is not of the shape {shape:?}");
        }
        Verdict::Proved(_) => {
            for r in &probes {
                let (old_d, new_d) = (set.evaluate(r).decision(), new.evaluate(r).decision());
                assert!(
                    old_d == Decision::Allow || new_d != Decision::Allow,
                    "diff proved, but b allows {r:?} and a does not; policies {more:#?}"
                );
            }
        }
        _ => {}
    }
});
