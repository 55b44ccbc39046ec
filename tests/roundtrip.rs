#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! Properties of the parser: a valid policy survives `to_json` and parsing again, and
//! no input, however broken, makes `Policy::parse` panic.

use iam_eval::{ActionSpec, ConditionBlock, Effect, PrincipalSpec, ResourceSpec, Version};
use iam_eval::{Family, Operator};
use iam_eval::{Policy, PolicyKind};
use proptest::prelude::*;
use serde_json::{Map, Value};
use std::net::{Ipv4Addr, Ipv6Addr};

// ---------------------------------------------------------------------------------------
// Generators of valid policies, as JSON values
// ---------------------------------------------------------------------------------------

/// Text with no `$`, so it holds no policy variable whatever the version.
fn plain_text(max: usize) -> BoxedStrategy<String> {
    proptest::string::string_regex(&format!("[^$]{{0,{max}}}"))
        .unwrap()
        .boxed()
}

/// Either a single value or a non-empty list of them.
fn one_or_many<S>(item: S) -> impl Strategy<Value = Value>
where
    S: Strategy<Value = Value> + Clone,
{
    prop_oneof![
        item.clone(),
        prop::collection::vec(item, 1..4).prop_map(Value::Array),
    ]
}

fn str_value<S>(s: S) -> impl Strategy<Value = Value> + Clone
where
    S: Strategy<Value = String> + Clone,
{
    s.prop_map(Value::String)
}

fn action() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        Just(Value::from("*")),
        ("[a-z0-9*?-]{1,8}", "[^:]{1,12}")
            .prop_map(|(service, name)| { Value::String(format!("{service}:{name}")) }),
    ]
}

fn resource() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        1 => Just(Value::from("*")),
        1 => Just(Value::from("arn:aws:s3:::bucket/home/${aws:username}/*")),
        1 => Just(Value::from("arn:aws:s3:::bucket/${*}${?}${$}")),
        6 => (
            "[a-z*?-]{0,6}",
            "[a-z0-9*?-]{0,6}",
            "[a-z0-9*?-]{0,9}",
            "[0-9*?]{0,12}",
            plain_text(16),
        )
            .prop_map(|(partition, service, region, account, rest)| {
                Value::String(format!("arn:{partition}:{service}:{region}:{account}:{rest}"))
            }),
    ]
}

fn aws_principal() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        Just(Value::from("*")),
        "[0-9]{12}".prop_map(Value::String),
        "AIDA[A-Z0-9]{12,17}".prop_map(Value::String),
        Just(Value::from("arn:aws:iam::111122223333:root")),
        "[a-z][a-z0-9_+=,.@-]{0,10}"
            .prop_map(|name| { Value::String(format!("arn:aws:iam::444455556666:role/{name}")) }),
    ]
}

fn principals() -> impl Strategy<Value = Value> {
    let map = (
        prop::option::of(one_or_many(aws_principal())),
        prop::option::of(one_or_many(str_value("[a-z0-9-]{1,12}\\.amazonaws\\.com"))),
        prop::option::of(one_or_many(str_value("[^\u{0}]{1,20}"))),
        prop::option::of(one_or_many(str_value("[0-9a-f]{64}"))),
    )
        .prop_filter_map(
            "a principal map names someone",
            |(aws, service, fed, canon)| {
                let mut m = Map::new();
                for (k, v) in [
                    ("AWS", aws),
                    ("Service", service),
                    ("Federated", fed),
                    ("CanonicalUser", canon),
                ] {
                    if let Some(v) = v {
                        m.insert(k.to_string(), v);
                    }
                }
                (!m.is_empty()).then_some(Value::Object(m))
            },
        );
    prop_oneof![Just(Value::from("*")), map]
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8], pad: bool) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .chain(std::iter::repeat(&0))
            .take(3)
            .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(BASE64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// A value the operators of `family` accept.
fn value_for(family: Family) -> BoxedStrategy<Value> {
    match family {
        Family::String => prop_oneof![
            4 => str_value(plain_text(10)),
            1 => Just(Value::from("${aws:username}-${aws:PrincipalTag/team, 'none'}")),
            1 => any::<i64>().prop_map(Value::from),
            1 => any::<bool>().prop_map(Value::Bool),
        ]
        .boxed(),
        Family::Numeric => prop_oneof![
            "-?[0-9]{1,12}(\\.[0-9]{1,6})?([eE][+-]?[0-9]{1,2})?".prop_map(Value::String),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter_map("finite", |f| {
                serde_json::Number::from_f64(f).map(Value::Number)
            }),
        ]
        .boxed(),
        Family::Date => prop_oneof![
            (
                1970u32..2100,
                1u32..=12,
                1u32..=28,
                0u32..24,
                0u32..60,
                0u32..60
            )
                .prop_map(|(y, mo, d, h, mi, s)| Value::String(format!(
                    "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"
                ))),
            (1970u32..2100, 1u32..=12, 1u32..=28)
                .prop_map(|(y, mo, d)| Value::String(format!("{y:04}-{mo:02}-{d:02}"))),
            (0u64..4_000_000_000).prop_map(|s| Value::String(s.to_string())),
            (0u64..4_000_000_000).prop_map(Value::from),
        ]
        .boxed(),
        Family::Bool | Family::Null => prop_oneof![
            any::<bool>().prop_map(Value::Bool),
            prop::sample::select(&["true", "false", "TRUE", "False"][..]).prop_map(Value::from),
        ]
        .boxed(),
        Family::Binary => (prop::collection::vec(any::<u8>(), 0..20), any::<bool>())
            .prop_map(|(bytes, pad)| Value::String(base64(&bytes, pad)))
            .boxed(),
        Family::Ip => prop_oneof![
            (any::<u32>(), prop::option::of(0u8..=32)).prop_map(|(a, p)| {
                let a = Ipv4Addr::from(a);
                Value::String(p.map_or_else(|| a.to_string(), |p| format!("{a}/{p}")))
            }),
            (any::<u128>(), prop::option::of(0u8..=128)).prop_map(|(a, p)| {
                let a = Ipv6Addr::from(a);
                Value::String(p.map_or_else(|| a.to_string(), |p| format!("{a}/{p}")))
            }),
        ]
        .boxed(),
        Family::Arn => prop_oneof![
            Just(Value::from("*")),
            Just(Value::from("arn:aws:iam::${aws:PrincipalAccount}:role/*")),
            (
                "[a-z*?-]{1,6}",
                "[a-z0-9*?]{0,6}",
                "[a-z0-9*?-]{0,9}",
                "[0-9*?]{0,12}",
                plain_text(10),
            )
                .prop_map(|(partition, service, region, account, rest)| {
                    Value::String(format!(
                        "arn:{partition}:{service}:{region}:{account}:{rest}"
                    ))
                }),
        ]
        .boxed(),
    }
}

/// An operator name from the table, with a random set qualifier and `IfExists` (never on
/// `Null`, which takes neither), and a strategy for its values.
fn operator_block() -> impl Strategy<Value = (String, Value)> {
    (0..Operator::ALL.len(), 0..3usize, any::<bool>()).prop_flat_map(|(i, set, if_exists)| {
        let row = Operator::ALL[i];
        let null = row == Operator::Null;
        let mut name = String::new();
        if !null {
            name.push_str(["", "ForAllValues:", "ForAnyValue:"][set]);
        }
        name.push_str(row.name());
        if if_exists && !null {
            name.push_str("IfExists");
        }
        let entries =
            prop::collection::vec(("\\PC{1,16}", one_or_many(value_for(row.family()))), 1..4)
                .prop_map(|entries| {
                    // Condition keys are compared case-insensitively (Unicode lowercase), so a
                    // block holds each once.
                    let mut m = Map::new();
                    for (key, value) in entries {
                        let lower = key.to_lowercase();
                        if !m.keys().any(|k| k.to_lowercase() == lower) {
                            m.insert(key, value);
                        }
                    }
                    Value::Object(m)
                });
        (Just(name), entries)
    })
}

fn condition() -> impl Strategy<Value = Value> {
    prop::collection::vec(operator_block(), 1..4)
        .prop_map(|blocks| Value::Object(blocks.into_iter().collect::<Map<String, Value>>()))
}

/// A statement without `Sid`; the policy numbers Sids so that they are unique.
fn statement() -> impl Strategy<Value = Map<String, Value>> {
    (
        any::<bool>(),
        prop::option::of((any::<bool>(), principals())),
        (any::<bool>(), one_or_many(action())),
        prop::option::of((any::<bool>(), one_or_many(resource()))),
        prop::option::of(condition()),
    )
        .prop_map(
            |(allow, principal, (not_action, actions), resources, cond)| {
                let mut s = Map::new();
                s.insert(
                    "Effect".into(),
                    Value::from(if allow { "Allow" } else { "Deny" }),
                );
                if let Some((not, p)) = principal {
                    s.insert(if not { "NotPrincipal" } else { "Principal" }.into(), p);
                }
                s.insert(
                    if not_action { "NotAction" } else { "Action" }.into(),
                    actions,
                );
                if let Some((not, r)) = resources {
                    s.insert(if not { "NotResource" } else { "Resource" }.into(), r);
                }
                if let Some(c) = cond {
                    s.insert("Condition".into(), c);
                }
                s
            },
        )
}

fn policy() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(&[None, Some("2012-10-17"), Some("2008-10-17")][..]),
        prop::option::of("\\PC{0,16}"),
        prop::collection::vec((statement(), prop::option::of("\\PC{0,8}")), 1..5),
        any::<bool>(),
    )
        .prop_map(|(version, id, statements, single)| {
            let mut p = Map::new();
            if let Some(v) = version {
                p.insert("Version".into(), Value::from(v));
            }
            if let Some(id) = id {
                p.insert("Id".into(), Value::String(id));
            }
            let mut statements: Vec<Value> = statements
                .into_iter()
                .enumerate()
                .map(|(i, (mut s, sid))| {
                    if let Some(sid) = sid {
                        // Digits then `-`: distinct indexes give distinct Sids.
                        s.insert("Sid".into(), Value::String(format!("{i}-{sid}")));
                    }
                    Value::Object(s)
                })
                .collect();
            let statement = if single && statements.len() == 1 {
                statements.remove(0)
            } else {
                Value::Array(statements)
            };
            p.insert("Statement".into(), statement);
            Value::Object(p)
        })
}

fn policy_text() -> impl Strategy<Value = String> {
    (policy(), any::<bool>()).prop_map(|(p, pretty)| {
        if pretty {
            serde_json::to_string_pretty(&p).unwrap()
        } else {
            serde_json::to_string(&p).unwrap()
        }
    })
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

type StatementMeaning = (
    Option<String>,
    Effect,
    Option<PrincipalSpec>,
    ActionSpec,
    Option<ResourceSpec>,
    Vec<ConditionBlock>,
);

/// What a policy means, read through the public accessors only: no source positions.
fn meaning(p: &Policy) -> (Option<Version>, Option<String>, Vec<StatementMeaning>) {
    (
        p.version(),
        p.id().map(str::to_string),
        p.statements()
            .iter()
            .map(|s| {
                (
                    s.sid().map(str::to_string),
                    s.effect(),
                    s.principal().cloned(),
                    s.action().clone(),
                    s.resource().cloned(),
                    s.condition().to_vec(),
                )
            })
            .collect(),
    )
}

/// `to_json` then `parse` gives a policy with the same meaning, and writing is a fixpoint.
fn check_round_trip(p: &Policy) -> Result<(), TestCaseError> {
    let json = p.to_json();
    let again = match Policy::parse(&json) {
        Ok(again) => again,
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "to_json output did not parse:\n{json}\n{}",
                e.render("to_json")
            )))
        }
    };
    prop_assert_eq!(meaning(&again), meaning(p), "to_json:\n{}", json);
    prop_assert_eq!(again.to_json(), json);
    Ok(())
}

/// Whatever the outcome, the diagnostics are well-formed and rendering them works; a
/// policy that parses survives the round trip.
fn check_outcome(src: &str) -> Result<(), TestCaseError> {
    match Policy::parse(src) {
        Ok(p) => {
            check_round_trip(&p)?;
            for kind in PolicyKind::ALL {
                // Validation may fail but must not panic.
                let _ = p.validate(kind);
            }
        }
        Err(e) => {
            let diags = e.diagnostics();
            prop_assert!(!diags.is_empty());
            let lines = src.split('\n').count().max(1);
            for d in diags {
                prop_assert!(d.line() >= 1 && d.column() >= 1, "{d}");
                prop_assert!(d.line() <= lines + 1, "{d} beyond {lines} lines");
                prop_assert!(!d.message().is_empty());
                let rendered = d.render("p.json");
                let head = format!("p.json:{}:{}: error: ", d.line(), d.column());
                prop_assert!(rendered.starts_with(&head));
            }
            let positions: Vec<(usize, usize)> =
                diags.iter().map(|d| (d.line(), d.column())).collect();
            let mut sorted = positions.clone();
            sorted.sort_unstable();
            prop_assert_eq!(positions, sorted, "diagnostics not in source order");
            let _ = e.to_string();
        }
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, mask: u8 },
    Delete { at: usize, len: usize },
    Insert { at: usize, byte: u8 },
    Duplicate { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting =
        prop::sample::select(&b"{}[]\",:\\ \n0123456789-.eEtrufalsn$*?/AN\x00\x7f\xc3\xa9\xff"[..]);
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        (any::<usize>(), 1usize..8).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), interesting).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        (any::<usize>(), 1usize..16).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
    ]
}

fn mutate(src: &str, mutations: &[Mutation]) -> String {
    let mut bytes = src.as_bytes().to_vec();
    for m in mutations {
        let n = bytes.len();
        match *m {
            Mutation::Flip { at, mask } => {
                if n > 0 {
                    bytes[at % n] ^= mask;
                }
            }
            Mutation::Delete { at, len } => {
                if n > 0 {
                    let start = at % n;
                    let end = (start + len).min(n);
                    bytes.drain(start..end);
                }
            }
            Mutation::Insert { at, byte } => bytes.insert(at % (n + 1), byte),
            Mutation::Duplicate { at, len } => {
                if n > 0 {
                    let start = at % n;
                    let end = (start + len).min(n);
                    let copy = bytes[start..end].to_vec();
                    bytes.splice(start..start, copy);
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A hand-written policy using every element, for mutations.
const BASE: &str = r#"{
  "Version": "2012-10-17",
  "Id": "base",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:role/r"], "Service": "s3.amazonaws.com"},
      "Action": ["s3:GetObject", "s3:List*"],
      "Resource": "arn:aws:s3:::bucket/${aws:username}/*",
      "Condition": {
        "StringEqualsIfExists": {"aws:username": ["alice", "bob"]},
        "ForAnyValue:StringLike": {"aws:TagKeys": "team-*"},
        "NumericLessThan": {"s3:max-keys": 10.50},
        "DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"},
        "Bool": {"aws:SecureTransport": true},
        "BinaryEquals": {"k": "QmluYXJ5"},
        "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]},
        "ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:topic"},
        "Null": {"aws:TokenIssueTime": "false"}
      }
    },
    {
      "Effect": "Deny",
      "NotPrincipal": "*",
      "NotAction": "iam:*",
      "NotResource": ["arn:aws:iam::111122223333:role/admin"]
    }
  ]
}"#;

proptest! {
    #[test]
    fn generated_policies_parse_and_round_trip(src in policy_text()) {
        let p = match Policy::parse(&src) {
            Ok(p) => p,
            Err(e) => {
                return Err(TestCaseError::fail(format!(
                    "a generated policy did not parse:\n{src}\n{}",
                    e.render("p.json")
                )));
            }
        };
        check_round_trip(&p)?;
        // The written text is JSON with the same top-level elements as the input.
        let json = p.to_json();
        let original: Value = serde_json::from_str(&src).unwrap();
        let written: Value = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(written.get("Version"), original.get("Version"));
        prop_assert_eq!(written.get("Id"), original.get("Id"));
        let count = match &original["Statement"] {
            Value::Array(items) => items.len(),
            _ => 1,
        };
        prop_assert_eq!(p.statements().len(), count);
    }

    /// The property as `Policy::to_json` documents it: "parsing it again gives an equal
    /// policy". Source positions (line text, JSON path) are not part of equality.
    #[test]
    fn generated_policies_round_trip_to_an_equal_policy(src in policy_text()) {
        let p = Policy::parse(&src).unwrap();
        prop_assert_eq!(Policy::parse(&p.to_json()), Ok(p));
    }

    #[test]
    fn parse_never_panics_on_arbitrary_strings(src in any::<String>()) {
        check_outcome(&src)?;
    }

    #[test]
    fn parse_never_panics_on_json_like_text(src in "[\\[\\]{}\",:0-9a-zA-Z\\\\ \n$*.-]{0,200}") {
        check_outcome(&src)?;
    }

    #[test]
    fn parse_never_panics_on_mutated_generated_policies(
        src in policy_text(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        check_outcome(&mutate(&src, &mutations))?;
    }

    #[test]
    fn parse_never_panics_on_mutated_base_policy(
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        check_outcome(&mutate(BASE, &mutations))?;
    }
}

#[test]
fn base_policy_is_valid() {
    let p = Policy::parse(BASE).unwrap();
    check_round_trip(&p).unwrap();
    // Reformatted by `to_json`, it parses to an equal policy.
    let written = Policy::parse(&p.to_json()).unwrap();
    assert_eq!(written, p);
    assert_eq!(Policy::parse(&written.to_json()), Ok(written));
}

#[test]
fn reformatted_policy_is_equal() {
    let src = r#"{"Statement":[{"Action":"*","Effect":"Deny"}]}"#;
    let p = Policy::parse(src).unwrap();
    assert_eq!(Policy::parse(&p.to_json()), Ok(p));
}

#[test]
fn single_statement_object_and_array_are_equal() {
    // Same line text for the statement, so only the path differs.
    let object = r#"{
  "Statement":
    {
      "Effect": "Deny",
      "Action": "*"
    }
}"#;
    let array = r#"{
  "Statement": [
    {
      "Effect": "Deny",
      "Action": "*"
    }
  ]
}"#;
    assert_eq!(Policy::parse(object), Policy::parse(array));
}

#[test]
fn every_single_byte_deletion_of_the_base_policy() {
    for at in 0..BASE.len() {
        let src = mutate(BASE, &[Mutation::Delete { at, len: 1 }]);
        if let Err(e) = check_outcome(&src) {
            panic!("deleting byte {at}: {e}\n{src}");
        }
    }
}
