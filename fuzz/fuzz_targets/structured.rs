//! Valid-looking policies and requests, generated from small vocabularies so that
//! actions, resources, principals and conditions match often: statements with every
//! element form, conditions with every operator of `Operator::ALL` (with set qualifiers and
//! `IfExists`) and values drawn from every family's vocabulary (so also values of the
//! wrong type), policy variables, and requests from every kind of caller with single and
//! multivalued context keys.
//!
//! Checked: explain agrees with evaluate, and adding a matching `Deny` statement
//! (`Action` = the request's action, `Resource` `*`, `Principal` `*` where the kind takes
//! one) to a policy kind that applies to the caller yields `ExplicitDeny`.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
#![no_main]

use arbitrary::Arbitrary;
use iam_eval::Operator;
use iam_eval::{Decision, Policy, PolicyKind, PolicySet, PrincipalKind, Reason, Request};
use iam_eval_fuzz::{evaluate_and_explain, request_from_fields};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};

const ACCOUNTS: [&str; 3] = ["111122223333", "444455556666", "not-an-account"];

/// Actions a request names (the request builder rejects wildcards).
const ACTIONS: [&str; 9] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "kms:Decrypt",
    "sqs:SendMessage",
    "iam:CreateUser",
    "S3:getobject",
    "s3:GetObjectAcl",
    "ec2:RunInstances",
];

/// Action patterns a policy names.
const ACTION_PATTERNS: [&str; 16] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "kms:Decrypt",
    "sqs:SendMessage",
    "s3:*",
    "s3:Get*",
    "*",
    "s3:?utObject",
    "kms:*",
    "*:GetObject",
    "s3:*Object",
    "S3:GETOBJECT",
    "iam:Create????",
    "s*:*",
    "s3:GetObject*",
];

/// Resources a request names.
const RESOURCES: [&str; 12] = [
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/key1",
    "arn:aws:s3:::bucket-a/alice",
    "arn:aws:s3:::bucket-b/dir/key2",
    "arn:aws:kms:us-east-1:111122223333:key/k1",
    "arn:aws:kms:us-east-1:444455556666:key/k1",
    "arn:aws:sqs:us-east-1:111122223333:queue1",
    "arn:aws:sqs:us-east-1:444455556666:queue1",
    "arn:aws:iam::111122223333:user/alice",
    "*",
    "",
    "not-an-arn",
];

/// Resource patterns a policy names, variables included.
const RESOURCE_PATTERNS: [&str; 18] = [
    "*",
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/*",
    "arn:aws:s3:::bucket-?/*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::bucket-a/key1",
    "arn:aws:s3:::bucket-a/${aws:username}",
    "arn:aws:s3:::bucket-a/${k:a}",
    "arn:aws:s3:::${k:b, 'bucket-a'}/*",
    "arn:aws:kms:*:111122223333:key/*",
    "arn:aws:sqs:*:*:queue?",
    "arn:aws:*:*:*:*",
    "*/key1",
    "arn:aws:s3:::bucket-a/${*}${?}${$}",
    "arn:aws:${aws:PrincipalAccount}*",
    "arn:aws:s3:::b*-a/*/",
    "arn:aws:s3:::Bucket-A/key1",
    "arn:aws:s3:::bucket-a/${k:a, ''}",
];

/// Principal map entries (type, value), good and bad.
const PRINCIPAL_ENTRIES: [(&str, &str); 20] = [
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
    ("AWS", "arn:aws:iam::111122223333:user/*"),
    ("Service", "s3.amazonaws.com"),
    ("Service", "cloudtrail.amazonaws.com"),
    ("Service", "*"),
    ("Federated", "cognito-identity.amazonaws.com"),
    ("Federated", "arn:aws:iam::111122223333:saml-provider/idp"),
    (
        "CanonicalUser",
        "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
    ),
    ("CanonicalUser", "*"),
];

/// Callers, as `request_from_fields` reads them.
const CALLERS: [&str; 14] = [
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::444455556666:user/bob",
    "arn:aws:iam::111122223333:user/div/alice",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:sts::111122223333:assumed-role/app/s1",
    "arn:aws:sts::444455556666:assumed-role/app/s1",
    "arn:aws:sts::111122223333:federated-user/fed",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::444455556666:root",
    "*",
    "service:s3.amazonaws.com",
    "service:cloudtrail.amazonaws.com",
    "federated:cognito-identity.amazonaws.com",
    "canonical-user:79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
];

/// Condition keys, global and service keys, tags, and keys the request sets.
const KEYS: [&str; 12] = [
    "k:a",
    "k:b",
    "K:A",
    "aws:SourceIp",
    "aws:CurrentTime",
    "s3:max-keys",
    "aws:username",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalTag/team",
    "aws:SecureTransport",
    "aws:PrincipalType",
];

/// Values by family: string, numeric, date, bool, binary, IP, ARN. Each family's list
/// has valid and invalid values; a condition may draw from any family.
const VALUES: [&[&str]; 7] = [
    &[
        "x",
        "y",
        "X",
        "",
        "x*",
        "?",
        "alice",
        "${aws:username}",
        "${k:a}",
        "${k:b, 'd'}",
        "${*}",
        "${?}",
        "${$}",
        "${",
        "${}",
        "a${k:a}b",
        "${aws:PrincipalAccount}",
        "*",
    ],
    &[
        "1",
        "10",
        "10.5",
        "-3",
        "0",
        "1e3",
        "00010",
        "9999999999999999999999",
        "-0",
        "0.0000001",
        ".5",
        "1.",
        "abc",
        "+5",
        "1_000",
        "NaN",
        "inf",
    ],
    &[
        "2024-01-01T00:00:00Z",
        "2030-06-15T12:00:00Z",
        "2024-01-01",
        "1704067200",
        "2024-02-30T00:00:00Z",
        "2024-01-01T00:00:00+01:00",
        "2024-01-01T00:00:00.123Z",
        "0",
        "-1",
        "99999999999999999999",
        "9999-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-01T24:00:00Z",
    ],
    &["true", "false", "TRUE", "False", "yes", "1"],
    &["eA==", "", "QUJD", "!!", "eA", "eA=", "////"],
    &[
        "10.0.0.0/8",
        "10.1.2.3",
        "10.1.2.3/32",
        "192.0.2.0/24",
        "2001:db8::/32",
        "2001:db8::1",
        "0.0.0.0/0",
        "::/0",
        "10.0.0.1/33",
        "::ffff:10.0.0.1",
        "256.1.1.1",
        "10.0.0.0/08",
        "2001:db8::1/129",
        "1.2.3",
    ],
    &[
        "arn:aws:s3:::bucket-a",
        "arn:aws:iam::111122223333:user/*",
        "arn:aws:iam::*:role/app",
        "arn:*:*:*:*:*",
        "arn:aws:s3:::${aws:username}",
        "arn:aws",
        "arn:aws:sqs:us-east-1:111122223333:queue?",
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::${aws:PrincipalAccount}:*",
        "arn:aws:sts::111122223333:assumed-role/app/s1",
        "arn::::",
    ],
];

#[derive(Arbitrary, Debug)]
enum ValueSel {
    /// A value from a family's vocabulary.
    Vocab(u8, u8),
    /// A JSON number.
    Int(i64),
    /// A JSON number with a fraction.
    Float(f64),
    /// A JSON boolean.
    Bool(bool),
    /// Any text.
    Raw(String),
}

impl ValueSel {
    fn text(&self) -> String {
        match self {
            ValueSel::Vocab(f, i) => {
                let family = VALUES[usize::from(*f) % VALUES.len()];
                family[usize::from(*i) % family.len()].to_string()
            }
            ValueSel::Int(n) => n.to_string(),
            ValueSel::Float(x) => x.to_string(),
            ValueSel::Bool(b) => b.to_string(),
            ValueSel::Raw(s) => s.clone(),
        }
    }
    fn json(&self) -> Value {
        match self {
            ValueSel::Int(n) => json!(n),
            ValueSel::Float(x) => {
                serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number)
            }
            ValueSel::Bool(b) => json!(b),
            ValueSel::Vocab(..) | ValueSel::Raw(_) => Value::String(self.text()),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct ConditionIn {
    operator: u8,
    /// 0: none, 1: `ForAllValues:`, 2: `ForAnyValue:`.
    qualifier: u8,
    if_exists: bool,
    /// Values drawn from the operator's own family (else from any).
    own_family: bool,
    entries: Vec<(u8, Vec<ValueSel>, bool)>,
}

impl ConditionIn {
    fn name(&self) -> String {
        let row = Operator::ALL[usize::from(self.operator) % Operator::ALL.len()];
        let prefix = match self.qualifier % 4 {
            1 => "ForAllValues:",
            2 => "ForAnyValue:",
            _ => "",
        };
        let suffix = if self.if_exists { "IfExists" } else { "" };
        format!("{prefix}{}{suffix}", row.name())
    }
    fn family_index(&self) -> Option<usize> {
        use iam_eval::Family;
        let row = Operator::ALL[usize::from(self.operator) % Operator::ALL.len()];
        match row.family() {
            Family::String => Some(0),
            Family::Numeric => Some(1),
            Family::Date => Some(2),
            Family::Bool | Family::Null => Some(3),
            Family::Binary => Some(4),
            Family::Ip => Some(5),
            Family::Arn => Some(6),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum PrincipalIn {
    Any,
    Map(Vec<(u8, bool)>),
}

#[derive(Arbitrary, Debug)]
struct StatementIn {
    sid: Option<u8>,
    deny: bool,
    not_action: bool,
    actions: Vec<u8>,
    not_resource: bool,
    resources: Vec<u8>,
    not_principal: bool,
    principal: PrincipalIn,
    conditions: Vec<ConditionIn>,
    /// Leave out or add `Principal` and `Resource` regardless of the kind's rules, so
    /// that the builder's validation errors are exercised too.
    break_rules: bool,
    /// Write one-element lists as lists.
    as_lists: bool,
}

#[derive(Arbitrary, Debug)]
struct PolicyIn {
    kind: u8,
    /// 0: `2012-10-17`, 1: `2008-10-17`, else none.
    version: u8,
    id: bool,
    owner: Option<u8>,
    statement_object: bool,
    statements: Vec<StatementIn>,
}

#[derive(Arbitrary, Debug)]
enum ContextIn {
    Single(ValueSel),
    Multi(Vec<ValueSel>),
}

#[derive(Arbitrary, Debug)]
struct RequestIn {
    caller: u8,
    action: u8,
    resource: u8,
    resource_account: Option<u8>,
    context: Vec<(u8, ContextIn)>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    policies: Vec<PolicyIn>,
    request: RequestIn,
    deny_kind: u8,
    deny_policy: u8,
    deny_into_existing: bool,
}

fn pick<T: Copy>(items: &[T], i: u8) -> T {
    items[usize::from(i) % items.len()]
}

fn one_or_list(items: Vec<Value>, as_list: bool) -> Value {
    if items.len() == 1 && !as_list {
        items.into_iter().next().unwrap_or(Value::Null)
    } else {
        Value::Array(items)
    }
}

fn statement_json(s: &StatementIn, kind: PolicyKind) -> Value {
    let mut m = Map::new();
    if let Some(sid) = s.sid {
        m.insert("Sid".into(), json!(format!("S{}", sid % 8)));
    }
    m.insert(
        "Effect".into(),
        json!(if s.deny { "Deny" } else { "Allow" }),
    );
    let actions: Vec<Value> = s
        .actions
        .iter()
        .take(4)
        .map(|a| json!(pick(&ACTION_PATTERNS, *a)))
        .collect();
    let action_key = if s.not_action { "NotAction" } else { "Action" };
    m.insert(action_key.into(), one_or_list(actions, s.as_lists));
    let wants_resource = kind != PolicyKind::Resource || !s.resources.is_empty();
    if wants_resource != s.break_rules {
        let resources: Vec<Value> = s
            .resources
            .iter()
            .take(4)
            .map(|r| json!(pick(&RESOURCE_PATTERNS, *r)))
            .collect();
        let resources = if resources.is_empty() {
            vec![json!("*")]
        } else {
            resources
        };
        let key = if s.not_resource {
            "NotResource"
        } else {
            "Resource"
        };
        m.insert(key.into(), one_or_list(resources, s.as_lists));
    }
    if kind.takes_principal() != s.break_rules {
        let value = match (&s.principal, kind) {
            (PrincipalIn::Any, _) | (_, PolicyKind::Rcp) if !s.break_rules => json!("*"),
            (PrincipalIn::Any, _) => json!("*"),
            (PrincipalIn::Map(entries), _) => {
                let mut by_type: Map<String, Value> = Map::new();
                let mut as_list = false;
                for (e, list) in entries.iter().take(6) {
                    let (t, v) = pick(&PRINCIPAL_ENTRIES, *e);
                    as_list |= *list;
                    match by_type.get_mut(t) {
                        Some(Value::Array(values)) => values.push(json!(v)),
                        _ => {
                            by_type.insert(t.into(), json!([v]));
                        }
                    }
                }
                if !as_list {
                    for v in by_type.values_mut() {
                        if let Value::Array(values) = v {
                            if values.len() == 1 {
                                *v = values[0].clone();
                            }
                        }
                    }
                }
                Value::Object(by_type)
            }
        };
        let key = if s.not_principal && kind != PolicyKind::Rcp {
            "NotPrincipal"
        } else {
            "Principal"
        };
        m.insert(key.into(), value);
    }
    if !s.conditions.is_empty() {
        let mut blocks = Map::new();
        for c in s.conditions.iter().take(4) {
            let mut keys = Map::new();
            for (k, values, as_list) in c.entries.iter().take(3) {
                let values: Vec<Value> = values
                    .iter()
                    .take(4)
                    .map(|v| match (v, c.own_family, c.family_index()) {
                        (ValueSel::Vocab(_, i), true, Some(f)) => {
                            json!(pick(VALUES[f], *i))
                        }
                        _ => v.json(),
                    })
                    .collect();
                keys.insert(pick(&KEYS, *k).into(), one_or_list(values, *as_list));
            }
            blocks.insert(c.name(), Value::Object(keys));
        }
        m.insert("Condition".into(), Value::Object(blocks));
    }
    Value::Object(m)
}

fn policy_json(p: &PolicyIn, kind: PolicyKind, extra: Option<Value>) -> String {
    let mut m = Map::new();
    match p.version % 3 {
        0 => {
            m.insert("Version".into(), json!("2012-10-17"));
        }
        1 => {
            m.insert("Version".into(), json!("2008-10-17"));
        }
        _ => {}
    }
    if p.id {
        m.insert("Id".into(), json!("policy-id"));
    }
    let mut statements: Vec<Value> = p
        .statements
        .iter()
        .take(6)
        .map(|s| statement_json(s, kind))
        .collect();
    if let Some(e) = extra {
        statements.push(e);
    }
    let value = if statements.len() == 1 && p.statement_object {
        statements.into_iter().next().unwrap_or(Value::Null)
    } else {
        Value::Array(statements)
    };
    m.insert("Statement".into(), value);
    Value::Object(m).to_string()
}

fn kind_of(p: &PolicyIn) -> PolicyKind {
    pick(&PolicyKind::ALL, p.kind)
}

/// Parses and builds; `None` when the parser or builder rejects the policies.
fn build(docs: &[(PolicyKind, Option<&str>, String)]) -> Option<PolicySet> {
    let mut b = PolicySet::builder();
    for (i, (kind, owner, text)) in docs.iter().enumerate() {
        let policy = Policy::parse(text).ok()?;
        match owner {
            Some(account) => b.add_owned(*kind, format!("p{i}"), policy, account),
            None => b.add(*kind, format!("p{i}"), policy),
        };
    }
    b.build().ok()
}

fn request(r: &RequestIn) -> Option<Request> {
    let mut fields: Vec<String> = vec![
        pick(&CALLERS, r.caller).to_string(),
        pick(&ACTIONS, r.action).to_string(),
        pick(&RESOURCES, r.resource).to_string(),
    ];
    if let Some(a) = r.resource_account {
        fields.push(format!("@{}", pick(&ACCOUNTS, a)));
    }
    for (k, v) in r.context.iter().take(8) {
        let key = pick(&KEYS, *k);
        match v {
            ContextIn::Single(v) => fields.push(format!("{key}={}", v.text())),
            ContextIn::Multi(values) if values.is_empty() => fields.push(format!("{key}[]")),
            ContextIn::Multi(values) => {
                // A fresh multivalued key: clear a single value set before.
                fields.push(format!("{key}[]"));
                for v in values.iter().take(4) {
                    fields.push(format!("{key}+={}", v.text()));
                }
            }
        }
    }
    // A value containing `=` splits at the first `=`, which is in the key part here:
    // keys from the vocabulary contain none.
    request_from_fields(fields.iter().map(String::as_str))
}

/// The policy kinds that apply to this caller.
fn applicable_kinds(request: &Request) -> Vec<PolicyKind> {
    let p = request.principal();
    let mut kinds = vec![PolicyKind::Resource, PolicyKind::Rcp];
    if p.is_iam() {
        kinds.push(PolicyKind::Identity);
        kinds.push(PolicyKind::Scp);
        if p.kind() != PrincipalKind::Root {
            kinds.push(PolicyKind::Boundary);
        }
        if matches!(
            p.kind(),
            PrincipalKind::AssumedRole | PrincipalKind::FederatedUser | PrincipalKind::Role
        ) {
            kinds.push(PolicyKind::Session);
        }
    }
    kinds
}

fuzz_target!(|input: Input| {
    let Some(request) = request(&input.request) else {
        return;
    };
    let owner = |o: Option<u8>| o.map(|a| pick(&ACCOUNTS[..2], a));
    let policies: Vec<&PolicyIn> = input.policies.iter().take(4).collect();
    let mut docs: Vec<(PolicyKind, Option<&str>, String)> = policies
        .iter()
        .map(|p| (kind_of(p), owner(p.owner), policy_json(p, kind_of(p), None)))
        .collect();
    let Some(set) = build(&docs) else {
        return;
    };
    evaluate_and_explain(&set, &request);

    // A matching Deny in any policy kind that applies to the caller decides.
    let kinds = applicable_kinds(&request);
    let kind = pick(&kinds, input.deny_kind);
    let mut deny = json!({"Effect": "Deny", "Action": request.action(), "Resource": "*"});
    if kind.takes_principal() {
        deny["Principal"] = json!("*");
    }
    let existing: Vec<usize> = policies
        .iter()
        .enumerate()
        .filter(|(_, p)| kind_of(p) == kind)
        .map(|(i, _)| i)
        .collect();
    if input.deny_into_existing && !existing.is_empty() {
        let i = pick(&existing, input.deny_policy);
        docs[i].2 = policy_json(policies[i], kind, Some(deny));
    } else {
        let text = json!({"Version": "2012-10-17", "Statement": [deny]}).to_string();
        let at = usize::from(input.deny_policy) % (docs.len() + 1);
        docs.insert(at, (kind, None, text));
    }
    let Some(set) = build(&docs) else {
        // Seven statements in a policy that had six, or one statement more than a
        // limit: nothing to check.
        return;
    };
    let decision = evaluate_and_explain(&set, &request);
    let response = set.evaluate(&request);
    assert_eq!(
        (decision, response.reason()),
        (Decision::ExplicitDeny, Reason::ExplicitDeny),
        "a matching Deny in {kind} did not decide; policies: {docs:#?}; request: {request:?}"
    );
});
