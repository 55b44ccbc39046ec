#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! Metamorphic properties of the analysis: relations between the answers to related
//! questions, which hold whatever the policies say.
//!
//! - a set allows nothing new over itself, and is equivalent to itself;
//! - a `Deny` statement more never refutes a proved `deny` or `explicit_deny`, and an
//!   `Allow` statement more in a policy already in force never refutes a proved `allow`
//!   (AWS: an explicit deny overrides any allow; an allow in an identity-based or
//!   resource-based policy grants);
//! - statements in another order, a statement whose `Action` list is split into one
//!   statement per action, and an action rewritten as an equivalent pattern leave the set
//!   equivalent (a statement applies when any of its actions matches).
//!
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
//!
//! Every policy here is within the analysis's exact fragment, so each property asserts
//! a proof, not merely the absence of a counterexample; where a property needs a proof
//! to start from, the run counts the cases that had one and fails if too few did, so
//! that it cannot pass vacuously. The controls at the end show that each comparison does
//! find a counterexample when the rewrite is not equivalent.

use iam_eval::analysis::{self, Expect, Shape, Verdict};
use iam_eval::{PolicyKind, PolicySet};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::Cell;

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:Get*",
    "s3:*",
    "kms:Decrypt",
];
const RESOURCES: &[&str] = &[
    "arn:aws:s3:::b/x",
    "arn:aws:s3:::b/*",
    "*",
    "arn:aws:s3:::b/${aws:username}",
];
const PRINCIPALS: &[&str] = &[
    r#""*""#,
    r#"{"AWS": "111122223333"}"#,
    r#"{"AWS": "arn:aws:iam::111122223333:user/alice"}"#,
    r#"{"AWS": "arn:aws:iam::444455556666:root"}"#,
    r#"{"Service": "s3.amazonaws.com"}"#,
];
const CONDITIONS: &[(&str, &str, &str)] = &[
    ("StringEquals", "k1", "a"),
    ("StringNotEquals", "k1", "a"),
    ("StringLike", "k1", "a*"),
    ("StringNotLikeIfExists", "k1", "*b"),
    ("Null", "k1", "true"),
    ("NumericLessThan", "k2", "2"),
    ("ForAnyValue:StringEquals", "k3", "a"),
    ("ForAllValues:StringNotEquals", "k3", "b"),
    ("Bool", "aws:SecureTransport", "true"),
    ("IpAddress", "aws:SourceIp", "10.0.0.0/8"),
    ("StringEquals", "aws:PrincipalAccount", "111122223333"),
    ("StringLike", "aws:PrincipalArn", "arn:aws:iam::*:user/a*"),
    ("StringEquals", "k1", "${aws:username}"),
    ("DateGreaterThan", "aws:CurrentTime", "2024-01-01T00:00:00Z"),
];

#[derive(Debug, Clone)]
struct Stmt {
    deny: bool,
    /// Patterns from [`ACTIONS`], or rewritten.
    actions: Vec<String>,
    not_action: bool,
    resource: usize,
    principal: usize,
    /// `NotPrincipal` instead, in a `Deny` of a resource-based policy.
    not_principal: bool,
    conditions: Vec<usize>,
}

impl Stmt {
    /// The statement as JSON; `principal` for resource-based policies.
    fn json(&self, principal: bool) -> String {
        let mut by_op: std::collections::BTreeMap<&str, std::collections::BTreeMap<&str, &str>> =
            Default::default();
        for &c in &self.conditions {
            let (op, k, v) = CONDITIONS[c];
            by_op.entry(op).or_default().entry(k).or_insert(v);
        }
        let cond: Vec<String> = by_op
            .iter()
            .map(|(op, kvs)| {
                let inner: Vec<String> = kvs
                    .iter()
                    .map(|(k, v)| format!(r#""{k}": "{v}""#))
                    .collect();
                format!(r#""{op}": {{{}}}"#, inner.join(", "))
            })
            .collect();
        let principal = if principal {
            // NotPrincipal goes with Deny only; index 0 (`*`) is never negated.
            if self.deny && self.not_principal && self.principal != 0 {
                format!(r#""NotPrincipal": {}, "#, PRINCIPALS[self.principal])
            } else {
                format!(r#""Principal": {}, "#, PRINCIPALS[self.principal])
            }
        } else {
            String::new()
        };
        let actions: Vec<String> = self.actions.iter().map(|a| format!("\"{a}\"")).collect();
        format!(
            r#"{{"Effect": "{}", {principal}"{}": [{}], "Resource": "{}", "Condition": {{{}}}}}"#,
            if self.deny { "Deny" } else { "Allow" },
            if self.not_action {
                "NotAction"
            } else {
                "Action"
            },
            actions.join(", "),
            RESOURCES[self.resource],
            cond.join(", ")
        )
    }
}

/// A statement; `deny` the chance of an explicit `Deny`.
fn stmt(deny: f64) -> impl Strategy<Value = Stmt> {
    (
        prop::bool::weighted(deny),
        prop::collection::vec(0..ACTIONS.len(), 1..4),
        prop::bool::weighted(0.15),
        0..RESOURCES.len(),
        (0..PRINCIPALS.len(), prop::bool::weighted(0.15)),
        prop::collection::vec(0..CONDITIONS.len(), 0..3),
    )
        .prop_map(
            |(deny, actions, not_action, resource, (principal, not_principal), conditions)| Stmt {
                deny,
                actions: actions.iter().map(|&a| ACTIONS[a].to_string()).collect(),
                not_action,
                resource,
                principal,
                not_principal,
                conditions,
            },
        )
}

/// The policies in force: identity-based, a bucket policy, and an SCP that allows
/// everything but what its `Deny` statements deny.
#[derive(Debug, Clone)]
struct Policies {
    identity: Vec<Stmt>,
    resource: Vec<Stmt>,
    owned: bool,
    scp: Option<Vec<Stmt>>,
}

fn document(stmts: &[Stmt], principal: bool) -> String {
    let list: Vec<String> = stmts.iter().map(|s| s.json(principal)).collect();
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        list.join(", ")
    )
}

impl Policies {
    fn build(&self) -> PolicySet {
        let mut b = PolicySet::builder();
        if !self.identity.is_empty() {
            b.add_json(PolicyKind::Identity, "id", &document(&self.identity, false))
                .unwrap();
        }
        if !self.resource.is_empty() {
            let p = iam_eval::Policy::parse(&document(&self.resource, true)).unwrap();
            if self.owned {
                b.add_owned(PolicyKind::Resource, "res", p, "111122223333");
            } else {
                b.add(PolicyKind::Resource, "res", p);
            }
        }
        if let Some(denies) = &self.scp {
            let all = r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#;
            let mut list = vec![all.to_string()];
            list.extend(denies.iter().map(|s| s.json(false)));
            let doc = format!(
                r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
                list.join(", ")
            );
            b.add_json(PolicyKind::Scp, "scp", &doc).unwrap();
        }
        b.build().unwrap()
    }

    /// Every statement list, mutably.
    fn lists(&mut self) -> Vec<&mut Vec<Stmt>> {
        let mut out = vec![&mut self.identity, &mut self.resource];
        if let Some(s) = &mut self.scp {
            out.push(s);
        }
        out
    }
}

fn policies(deny: f64) -> impl Strategy<Value = Policies> {
    (
        prop::collection::vec(stmt(deny), 0..4),
        prop::collection::vec(stmt(deny), 0..3),
        any::<bool>(),
        prop::option::weighted(
            0.25,
            prop::collection::vec(stmt(1.0).prop_map(deny_only), 0..2),
        ),
    )
        .prop_map(|(identity, resource, owned, scp)| Policies {
            identity,
            resource,
            owned,
            scp,
        })
}

fn deny_only(mut s: Stmt) -> Stmt {
    s.deny = true;
    s
}

const CALLERS: &[&str] = &[
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:sts::111122223333:assumed-role/app/s1",
];
const SHAPE_ACTIONS: &[&[&str]] = &[&["s3:GetObject", "s3:PutObject"], &["s3:*"], &["*"]];
const SHAPE_CONDITIONS: &[Option<&str>] = &[
    None,
    Some(r#"{"StringNotEquals": {"k1": "a"}}"#),
    Some(r#"{"Null": {"k1": "false"}}"#),
    Some(r#"{"StringLike": {"k1": "a*"}}"#),
];

/// A shape: who (any caller, an account, or one of [`CALLERS`]), which actions (a
/// choice of [`SHAPE_ACTIONS`]), bucket objects or every resource, and a condition.
#[derive(Debug, Clone, Copy)]
struct ShapeSpec {
    who: usize,
    actions: usize,
    all_resources: bool,
    condition: usize,
}

impl ShapeSpec {
    fn build(self) -> Shape {
        self.build_with(SHAPE_ACTIONS[self.actions])
    }

    fn build_with(self, actions: &[&str]) -> Shape {
        let mut b = Shape::builder();
        match self.who {
            0 => b.any_principal(),
            1 => b.principal_account("111122223333"),
            n => b.principal(CALLERS[(n - 2) % CALLERS.len()]),
        };
        for a in actions {
            b.action(a);
        }
        b.resource(if self.all_resources {
            "*"
        } else {
            "arn:aws:s3:::b/*"
        });
        if let Some(c) = SHAPE_CONDITIONS[self.condition] {
            b.condition_json(c);
        }
        b.build().unwrap()
    }
}

fn shape_spec() -> impl Strategy<Value = ShapeSpec> {
    (
        0..4usize,
        0..SHAPE_ACTIONS.len(),
        any::<bool>(),
        0..SHAPE_CONDITIONS.len(),
    )
        .prop_map(|(who, actions, all_resources, condition)| ShapeSpec {
            who,
            actions,
            all_resources,
            condition,
        })
}

/// Runs a property over `cases` generated inputs.
fn check<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

fn describe(v: &Verdict) -> String {
    match v {
        Verdict::Counterexample(c, _) => format!(
            "counterexample {:?}: {:?} (before: {:?})",
            c.request(),
            c.decision(),
            c.before()
        ),
        other => format!("{other:?}"),
    }
}

#[test]
fn a_set_allows_nothing_new_over_itself_and_is_equivalent_to_itself() {
    check(64, (policies(0.4), shape_spec()), |(p, s)| {
        let set = p.build();
        let shape = s.build();
        let v = analysis::diff(&set, &set, &shape);
        prop_assert!(v.is_proved(), "diff(a, a): {}", describe(&v));
        // A second build of the same policies is another set with the same meaning.
        let again = p.build();
        let v = analysis::equivalent(&set, &again, &shape);
        prop_assert!(v.is_proved(), "equivalent(a, a): {}", describe(&v));
        Ok(())
    });
}

#[test]
fn a_deny_more_keeps_a_proved_deny() {
    let proved = Cell::new(0u32);
    let strategy = (
        policies(0.5),
        shape_spec(),
        any::<bool>(),
        stmt(1.0).prop_map(deny_only),
        0..3usize,
        any::<bool>(),
    );
    check(96, strategy, |(mut p, s, cover, extra, into, explicit)| {
        let expect = if explicit {
            Expect::ExplicitDeny
        } else {
            Expect::Deny
        };
        if cover {
            // A bucket policy `Deny` for everyone, under the shape's own condition where
            // the table has it, so that a proof to start from is common.
            let conditions = match s.condition {
                1 => vec![1],
                3 => vec![2],
                _ => Vec::new(),
            };
            p.resource.push(Stmt {
                deny: true,
                actions: vec!["*".into()],
                not_action: false,
                resource: 2,
                principal: 0,
                not_principal: false,
                conditions,
            });
        }
        let shape = s.build();
        let before = analysis::always(&p.build(), &shape, expect);
        if !before.is_proved() {
            return Ok(());
        }
        proved.set(proved.get() + 1);
        let mut more = p.clone();
        match into {
            0 => more.identity.push(extra),
            1 => more.resource.push(extra),
            _ => more.scp.get_or_insert_with(Vec::new).push(extra),
        }
        let after = analysis::always(&more.build(), &shape, expect);
        prop_assert!(
            after.is_proved(),
            "{expect} was proved; with a Deny more: {}",
            describe(&after)
        );
        Ok(())
    });
    assert!(
        proved.get() >= 20,
        "only {} of 96 cases had a proof to start from",
        proved.get()
    );
}

#[test]
fn an_allow_more_keeps_a_proved_allow() {
    let proved = Cell::new(0u32);
    // One caller of the account, and an identity-based policy that starts with a broad
    // grant, so that `allow` is often proved to begin with.
    let broad = Stmt {
        deny: false,
        actions: vec!["*".into()],
        not_action: false,
        resource: 2,
        principal: 0,
        not_principal: false,
        conditions: Vec::new(),
    };
    let strategy = (
        policies(0.15),
        (2..4usize, 0..SHAPE_ACTIONS.len(), 0..SHAPE_CONDITIONS.len()),
        stmt(0.0),
        any::<bool>(),
    );
    check(
        96,
        strategy,
        |(mut p, (who, actions, condition), extra, into_resource)| {
            p.identity.insert(0, broad.clone());
            let shape = ShapeSpec {
                who,
                actions,
                all_resources: false,
                condition,
            }
            .build();
            let before = analysis::always(&p.build(), &shape, Expect::Allow);
            if !before.is_proved() {
                return Ok(());
            }
            proved.set(proved.get() + 1);
            // Into a policy already in force: a new bucket or key policy could itself
            // decide (a key policy must allow), which is not "an Allow more".
            let mut more = p.clone();
            if into_resource && !more.resource.is_empty() {
                more.resource.push(extra);
            } else {
                more.identity.push(extra);
            }
            let after = analysis::always(&more.build(), &shape, Expect::Allow);
            prop_assert!(
                after.is_proved(),
                "allow was proved; with an Allow more: {}",
                describe(&after)
            );
            Ok(())
        },
    );
    assert!(
        proved.get() >= 20,
        "only {} of 96 cases had a proof to start from",
        proved.get()
    );
}

/// Every statement list reversed, and the statements moved to the front by `rotate`.
fn reordered(p: &Policies, rotate: usize) -> Policies {
    let mut q = p.clone();
    for list in q.lists() {
        list.reverse();
        if !list.is_empty() {
            let n = rotate % list.len();
            list.rotate_left(n);
        }
    }
    q
}

/// Every `Action` statement with several actions split into one statement per action
/// (the same effect, principal, resource and conditions). `NotAction` lists stay: a
/// statement with `NotAction` `[a, b]` matches neither, which no split says.
fn split(p: &Policies) -> Policies {
    let mut q = p.clone();
    for list in q.lists() {
        let mut out = Vec::new();
        for s in list.drain(..) {
            if s.not_action {
                out.push(s);
                continue;
            }
            for a in &s.actions {
                let mut one = s.clone();
                one.actions = vec![a.clone()];
                out.push(one);
            }
        }
        *list = out;
    }
    q
}

#[test]
fn reordering_and_splitting_statements_keep_equivalence() {
    check(
        64,
        (policies(0.4), shape_spec(), any::<usize>()),
        |(p, s, rotate)| {
            let set = p.build();
            let shape = s.build();
            let r = reordered(&p, rotate);
            let v = analysis::equivalent(&set, &r.build(), &shape);
            prop_assert!(v.is_proved(), "reordered: {}", describe(&v));
            let v = analysis::equivalent(&set, &split(&p).build(), &shape);
            prop_assert!(v.is_proved(), "split: {}", describe(&v));
            Ok(())
        },
    );
}

/// Each action pattern rewritten by `f`.
fn rewritten(p: &Policies, f: impl Fn(&str) -> String) -> Policies {
    let mut q = p.clone();
    for list in q.lists() {
        for s in list.iter_mut() {
            for a in &mut s.actions {
                *a = f(a);
            }
        }
    }
    q
}

/// Equivalent over every action: another case (actions are compared without regard to
/// case) and `*` doubled (`**` matches what `*` matches).
fn same_language(a: &str) -> String {
    let flipped: String = a
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    flipped.replace('*', "**")
}

/// The last letter of an action replaced by `?`: `s3:GetObjec?`. Over the actions the
/// shape names (`s3:GetObject`, `s3:PutObject`, `s3:ListBucket`, `kms:Decrypt`) it
/// matches exactly what the action did; over every action it does not
/// (`s3:GetObjecs`).
fn last_letter_wild(a: &str) -> String {
    match a.strip_suffix(|c: char| c.is_ascii_alphabetic()) {
        Some(rest) => format!("{rest}?"),
        None => a.to_string(),
    }
}

const NAMED_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "kms:Decrypt",
];

#[test]
fn an_action_rewritten_as_an_equivalent_pattern_keeps_equivalence() {
    check(64, (policies(0.4), shape_spec()), |(p, s)| {
        let set = p.build();
        let shape = s.build();
        let v = analysis::equivalent(&set, &rewritten(&p, same_language).build(), &shape);
        prop_assert!(v.is_proved(), "case and `**`: {}", describe(&v));
        let named = s.build_with(NAMED_ACTIONS);
        let v = analysis::equivalent(&set, &rewritten(&p, last_letter_wild).build(), &named);
        prop_assert!(v.is_proved(), "last letter `?`: {}", describe(&v));
        Ok(())
    });
}

// Controls: each comparison above finds a counterexample when the rewrite changes what
// is allowed.

fn one(stmt: &str) -> PolicySet {
    PolicySet::builder()
        .add_json(
            PolicyKind::Identity,
            "id",
            &format!(r#"{{"Version": "2012-10-17", "Statement": [{stmt}]}}"#),
        )
        .unwrap()
        .build()
        .unwrap()
}

fn alice(actions: &[&str]) -> Shape {
    let mut b = Shape::builder();
    b.principal("arn:aws:iam::111122223333:user/alice");
    for a in actions {
        b.action(a);
    }
    b.resource("arn:aws:s3:::b/*").build().unwrap()
}

#[test]
fn control_the_wildcard_rewrite_is_not_equivalent_over_every_action() {
    let exact = one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#);
    let wild = one(r#"{"Effect": "Allow", "Action": "s3:GetObjec?", "Resource": "*"}"#);
    assert!(analysis::equivalent(&exact, &wild, &alice(NAMED_ACTIONS)).is_proved());
    let v = analysis::equivalent(&exact, &wild, &alice(&["*"]));
    let c = v
        .counterexample()
        .unwrap_or_else(|| panic!("{}", describe(&v)));
    // Actions compare without regard to case; the analysis writes them lowercase.
    let action = c.request().action().to_ascii_lowercase();
    assert!(action.starts_with("s3:getobjec"), "{action}");
    assert_ne!(action, "s3:getobject");
}

#[test]
fn control_splitting_a_not_action_list_is_not_equivalent() {
    let list = one(
        r#"{"Effect": "Allow", "NotAction": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}"#,
    );
    let split = one(
        r#"{"Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "*"}, {"Effect": "Allow", "NotAction": "s3:PutObject", "Resource": "*"}"#,
    );
    let v = analysis::diff(&list, &split, &alice(&["s3:*"]));
    let c = v
        .counterexample()
        .unwrap_or_else(|| panic!("{}", describe(&v)));
    let action = c.request().action().to_ascii_lowercase();
    assert!(
        action == "s3:getobject" || action == "s3:putobject",
        "{action}"
    );
}

#[test]
fn control_an_allow_more_can_refute_a_proved_deny() {
    let deny = "{\"Effect\": \"Deny\", \"Action\": \"s3:PutObject\", \"Resource\": \"*\"}";
    let before = one(deny);
    let after = one(&format!(
        "{deny}, {{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}"
    ));
    let shape = alice(&["s3:*"]);
    assert!(analysis::always(&before, &shape, Expect::Deny).is_proved());
    let v = analysis::always(&after, &shape, Expect::Deny);
    let c = v
        .counterexample()
        .unwrap_or_else(|| panic!("{}", describe(&v)));
    assert_ne!(c.request().action().to_ascii_lowercase(), "s3:putobject");
    // And a Deny more can refute a proved allow.
    let allow = one(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#);
    assert!(analysis::always(&allow, &shape, Expect::Allow).is_proved());
    let v = analysis::always(&after, &shape, Expect::Allow);
    assert_eq!(
        v.counterexample()
            .map(|c| c.request().action().to_ascii_lowercase()),
        Some("s3:putobject".to_string()),
        "{}",
        describe(&v)
    );
}

#[test]
fn control_reordering_is_not_taken_for_removal() {
    // The same statements but one: not equivalent, whatever the order.
    let p = Policies {
        identity: vec![
            Stmt {
                deny: false,
                actions: vec!["s3:*".into()],
                not_action: false,
                resource: 2,
                principal: 0,
                not_principal: false,
                conditions: vec![],
            },
            Stmt {
                deny: true,
                actions: vec!["s3:PutObject".into()],
                not_action: false,
                resource: 2,
                principal: 0,
                not_principal: false,
                conditions: vec![1],
            },
        ],
        resource: vec![],
        owned: false,
        scp: None,
    };
    let mut fewer = reordered(&p, 1);
    fewer.identity.retain(|s| !s.deny);
    let v = analysis::equivalent(&p.build(), &fewer.build(), &alice(&["s3:*"]));
    let c = v
        .counterexample()
        .unwrap_or_else(|| panic!("{}", describe(&v)));
    assert_eq!(c.request().action().to_ascii_lowercase(), "s3:putobject");
    assert!(
        analysis::equivalent(&p.build(), &reordered(&p, 1).build(), &alice(&["s3:*"])).is_proved()
    );
}
