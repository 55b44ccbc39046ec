//! The analysis on named questions: `seed` proves that the SSE-KMS bucket policy
//! explicitly denies every PutObject to the bucket without `aws:kms`, by anyone;
//! `variant/<name>` decides the same question for each SSE-KMS bucket policy;
//! `big100` asks it of the 100-statement bucket policy of `benches/data/big100.json`;
//! `managed/mutant` finds what a one-statement change to a 6 144-character managed
//! policy newly allows, and `managed/equivalent` proves a reordered and rewritten copy
//! equivalent (a real policy from `../shared/realworld/managed-iamdataset/` when present,
//! else a generated one of the same size); `adversarial` must end in unknown within its
//! deadline.
//!
//! `ANALYSIS_BENCH_ONLY=<name>` runs one question once and prints its verdict and work,
//! without criterion.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benches fail loudly on a broken scenario"
)]

use criterion::{black_box, Criterion};
use iam_eval::analysis::{self, Expect, Options, Shape, UnknownKind, Verdict};
use iam_eval::{Policy, PolicyKind, PolicySet, TestFile};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn policy(path: &str) -> Policy {
    Policy::parse(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap()
}

/// What a question must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Proved,
    Refuted,
    Unknown,
}

/// A question, ready to ask again and again.
struct Question {
    name: String,
    ask: Box<dyn Fn() -> Verdict>,
    want: Want,
}

fn unencrypted_puts() -> Shape {
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

fn always(name: &str, set: PolicySet, shape: Shape, expect: Expect, want: Want) -> Question {
    Question {
        name: name.into(),
        ask: Box::new(move || analysis::always(&set, &shape, expect)),
        want,
    }
}

/// A managed policy of about 6 144 characters: a real one when the shared data set is
/// there, else a generated one.
fn managed() -> Value {
    let real = root()
        .join("../shared/realworld/managed-iamdataset/AmazonApplicationWizardFullaccess.json");
    if let Ok(text) = std::fs::read_to_string(&real) {
        return serde_json::from_str(&text).unwrap();
    }
    let services = [
        "s3", "ec2", "iam", "logs", "sns", "ssm", "lambda", "dynamodb",
    ];
    let mut statements = Vec::new();
    for (i, s) in services.iter().enumerate() {
        let actions: Vec<String> = (0..20).map(|j| format!("{s}:Action{i}x{j}")).collect();
        statements.push(json!({
            "Sid": format!("S{i}"),
            "Effect": "Allow",
            "Action": actions,
            "Resource": [format!("arn:aws:{s}:*:*:app-{i}/*"), format!("arn:aws:{s}:*:*:shared/{i}-*")],
            "Condition": {"StringEquals": {"aws:ResourceTag/team": format!("team-{i}")}},
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn set_of(doc: &Value) -> PolicySet {
    PolicySet::builder()
        .add_json(PolicyKind::Identity, "managed", &doc.to_string())
        .unwrap()
        .build()
        .unwrap()
}

/// One statement changed: its first resource pattern made wider (everything of its
/// service), or a resource added to a statement with `Resource: "*"` dropped of its
/// condition.
fn mutant(doc: &Value) -> Value {
    let mut m = doc.clone();
    let statements = m["Statement"].as_array_mut().unwrap();
    let target = statements
        .iter_mut()
        .find(|s| s["Resource"].is_array() || s["Resource"].as_str() != Some("*"))
        .unwrap();
    let first = match &target["Resource"] {
        Value::Array(list) => list[0].as_str().unwrap().to_string(),
        Value::String(s) => s.clone(),
        _ => unreachable!(),
    };
    let widened = match first.split_once(":*:*:") {
        Some((head, _)) => format!("{head}:*:*:*"),
        None => "*".to_string(),
    };
    let widened = if widened == first {
        "*".to_string()
    } else {
        widened
    };
    match &mut target["Resource"] {
        Value::Array(list) => list[0] = Value::String(widened),
        r => *r = Value::String(widened),
    }
    m
}

/// The same permissions, written otherwise: statements in reverse order, each action
/// list reversed and in capitals, the first statement split in two.
fn rewritten(doc: &Value) -> Value {
    let mut statements: Vec<Value> = doc["Statement"].as_array().unwrap().clone();
    for s in &mut statements {
        if let Some(list) = s["Action"].as_array_mut() {
            list.reverse();
            for a in list.iter_mut() {
                *a = Value::String(a.as_str().unwrap().to_uppercase());
            }
        }
        if let Some(obj) = s.as_object_mut() {
            obj.remove("Sid");
        }
    }
    if let Some(list) = statements[0]["Action"].as_array().cloned() {
        if list.len() > 1 {
            let (a, b) = list.split_at(list.len() / 2);
            let mut second = statements[0].clone();
            statements[0]["Action"] = Value::Array(a.to_vec());
            second["Action"] = Value::Array(b.to_vec());
            statements.push(second);
        }
    }
    statements.reverse();
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn questions() -> Vec<Question> {
    let mut out = vec![always(
        "seed",
        sse_set("policies/sse-kms/bucket-policy.json"),
        unencrypted_puts(),
        Expect::ExplicitDeny,
        Want::Proved,
    )];
    for (name, want) in [
        ("key-id", Want::Proved),
        ("tls", Want::Proved),
        ("null", Want::Proved),
        ("null-only", Want::Refuted),
    ] {
        out.push(always(
            &format!("variant/{name}"),
            sse_set(&format!("policies/sse-kms/bucket-policy-{name}.json")),
            unencrypted_puts(),
            Expect::ExplicitDeny,
            want,
        ));
    }
    let big = TestFile::load(&root().join("benches/data/big100.json")).unwrap();
    out.push(always(
        "big100",
        big.policy_set().clone(),
        unencrypted_puts(),
        Expect::ExplicitDeny,
        Want::Proved,
    ));
    let doc = managed();
    eprintln!("managed policy: {} characters", doc.to_string().len());
    let everything = Shape::builder().any_principal().build().unwrap();
    let (old, new) = (set_of(&doc), set_of(&mutant(&doc)));
    let shape = everything.clone();
    out.push(Question {
        name: "managed/mutant".into(),
        ask: Box::new(move || analysis::diff(&old, &new, &shape)),
        want: Want::Refuted,
    });
    let (a, b) = (set_of(&doc), set_of(&rewritten(&doc)));
    out.push(Question {
        name: "managed/equivalent".into(),
        ask: Box::new(move || {
            analysis::equivalent_with(
                &a,
                &b,
                &everything,
                &Options::default().deadline(Duration::from_secs(5)),
            )
        }),
        want: Want::Proved,
    });
    // `*a` followed by 16 `?` is included in `*a` followed by 16 `?` and `*`, but
    // showing it visits about 2^17 sets of automaton states.
    let pattern = format!("*a{}", "?".repeat(16));
    let adversarial = PolicySet::builder()
        .add_json(
            PolicyKind::Resource,
            "bucket",
            &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
                "Action": "s3:GetObject", "Resource": "*",
                "Condition": {"StringLike": {"s3:prefix": format!("{pattern}*")}}}]})
            .to_string(),
        )
        .unwrap()
        .build()
        .unwrap();
    let shape = Shape::builder()
        .action("s3:GetObject")
        .condition_json(&json!({"StringLike": {"s3:prefix": pattern}}).to_string())
        .build()
        .unwrap();
    out.push(Question {
        name: "adversarial".into(),
        ask: Box::new(move || {
            analysis::always_with(
                &adversarial,
                &shape,
                Expect::ExplicitDeny,
                &Options::default(),
            )
        }),
        want: Want::Unknown,
    });
    out
}

fn check(q: &Question) {
    let v = (q.ask)();
    let got = match &v {
        Verdict::Proved(_) => Want::Proved,
        Verdict::Counterexample(..) => Want::Refuted,
        Verdict::Unknown(u, _) => {
            assert_eq!(u.kind(), UnknownKind::Budget, "{}: {u}", q.name);
            Want::Unknown
        }
        _ => unreachable!(),
    };
    let s = v.stats();
    eprintln!(
        "analysis/{}: {got:?} in {:?} ({} caller cases, {} conflicts, {} unconfirmed models)",
        q.name, s.elapsed, s.principal_cases, s.conflicts, s.unconfirmed
    );
    assert_eq!(got, q.want, "{}: {v:?}", q.name);
    if let Some(c) = v.counterexample() {
        eprintln!("{}", c.to_test_case(&q.name));
    }
}

// `criterion_group!` makes an undocumented `pub fn`, which `missing_docs` rejects.
fn main() {
    let questions = questions();
    if let Ok(only) = std::env::var("ANALYSIS_BENCH_ONLY") {
        for q in questions.iter().filter(|q| q.name == only) {
            check(q);
        }
        return;
    }
    let mut c = config().configure_from_args();
    let mut g = c.benchmark_group("analysis");
    for q in &questions {
        check(q);
        g.bench_function(q.name.as_str(), |b| b.iter(|| black_box((q.ask)())));
    }
    g.finish();
    c.final_summary();
    let _ = Path::new(".");
}
