//! Parse and build benches: `parse/big100` (the big100 bucket policy's text, pretty-printed
//! as in the test file, to a [`Policy`]), `parse/big100_minified` (the same policy on one
//! line, as `jsonencode` and the AWS CLI write it), `build/big100` (the parsed big100 policies compiled into a set),
//! `build/actions/16000` (an identity policy naming 16 000 exact actions in 16
//! statements, with a few wildcards: building grows linearly with the actions named),
//! `build/readonly` (an identity policy of the shape of AWS's `ReadOnlyAccess`,
//! generated), `build/readonly/aws` (the real one, when
//! `../shared/realworld/managed-iamdataset/ReadOnlyAccess.json` is present) and
//! `request/build/seed` (the seed's `i_put_kms` request, with a reused builder).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benches fail loudly on a broken scenario"
)]

#[allow(dead_code, reason = "each user of the scenarios takes what it needs")]
mod common;

use criterion::{black_box, BatchSize, Criterion};
use iam_eval::TestFile;
use iam_eval::{Policy, PolicyKind, PolicySet, Request};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// Short enough that the whole suite runs in a few minutes on two cores.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_millis(2500))
        .sample_size(40)
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("benches")
        .join("data")
        .join(format!("{name}.json"))
}

/// The file as JSON, to take the policy texts and request fields from.
fn raw(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(data(name)).unwrap()).unwrap()
}

fn parse(c: &mut Criterion) {
    let big100 = raw("big100");
    let policies: Vec<(PolicyKind, String)> = big100["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let kind: PolicyKind = p["kind"].as_str().unwrap().parse().unwrap();
            (kind, serde_json::to_string_pretty(&p["document"]).unwrap())
        })
        .collect();
    let resource = &policies
        .iter()
        .find(|(kind, _)| *kind == PolicyKind::Resource)
        .expect("big100 has a resource policy")
        .1;
    let minified = serde_json::from_str::<Value>(resource).unwrap().to_string();
    assert_eq!(Policy::parse(resource).unwrap().statements().len(), 100);
    assert_eq!(Policy::parse(&minified).unwrap().statements().len(), 100);
    let mut g = c.benchmark_group("parse");
    g.bench_function("big100", |b| {
        b.iter(|| Policy::parse(black_box(resource)).unwrap());
    });
    g.bench_function("big100_minified", |b| {
        b.iter(|| Policy::parse(black_box(&minified)).unwrap());
    });
    g.finish();

    let parsed: Vec<(PolicyKind, Policy)> = policies
        .iter()
        .map(|(kind, text)| (*kind, Policy::parse(text).unwrap()))
        .collect();
    c.benchmark_group("build").bench_function("big100", |b| {
        b.iter_batched(
            || parsed.clone(),
            |parsed| {
                let mut builder = PolicySet::builder();
                for (i, (kind, policy)) in parsed.into_iter().enumerate() {
                    builder.add(kind, i.to_string(), policy);
                }
                builder.build().unwrap()
            },
            BatchSize::SmallInput,
        );
    });
}

/// 16 statements of 1 000 exact actions each (16 services), plus a statement of
/// wildcards per service and one that matches any action.
fn many_actions() -> Policy {
    let mut statements: Vec<Value> = (0..16)
        .map(|s| {
            let actions: Vec<String> = (0..1000).map(|i| format!("svc{s}:Action{i:04}")).collect();
            serde_json::json!({"Effect": "Allow", "Action": actions, "Resource": "*"})
        })
        .collect();
    let wild: Vec<String> = (0..16).map(|s| format!("svc{s}:Action00*")).collect();
    statements.push(serde_json::json!({"Effect": "Deny", "Action": wild, "Resource": "*"}));
    statements
        .push(serde_json::json!({"Effect": "Deny", "Action": "*:Action0999", "Resource": "*"}));
    let text = serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    let limits = iam_eval::Limits::default().with_max_policy_bytes(1 << 20);
    Policy::parse_with_limits(&text, &limits).unwrap()
}

fn build_actions(c: &mut Criterion) {
    let policy = many_actions();
    let set = PolicySet::builder()
        .add(PolicyKind::Identity, "actions", policy.clone())
        .build()
        .unwrap();
    let request = Request::builder()
        .principal("arn:aws:iam::111122223333:user/alice")
        .action("svc3:Action0500")
        .resource("*")
        .build()
        .unwrap();
    assert_eq!(set.evaluate(&request).decision(), iam_eval::Decision::Allow);
    c.benchmark_group("build")
        .sample_size(10)
        .bench_function("actions/16000", |b| {
            b.iter_batched(
                || policy.clone(),
                |policy| {
                    PolicySet::builder()
                        .add(PolicyKind::Identity, "actions", policy)
                        .build()
                        .unwrap()
                },
                BatchSize::LargeInput,
            );
        });
}

fn build_readonly(c: &mut Criterion) {
    let limits = iam_eval::Limits::default().with_max_policy_bytes(1 << 20);
    let mut texts = vec![("readonly", common::readonly_json())];
    texts.extend(common::readonly_aws_json().map(|t| ("readonly/aws", t)));
    let mut g = c.benchmark_group("build");
    g.sample_size(20);
    for (name, text) in texts {
        let policy = Policy::parse_with_limits(&text, &limits).unwrap();
        g.bench_function(name, |b| {
            b.iter_batched(
                || policy.clone(),
                |policy| {
                    PolicySet::builder()
                        .add(PolicyKind::Identity, "readonly", policy)
                        .build()
                        .unwrap()
                },
                BatchSize::LargeInput,
            );
        });
    }
    g.finish();
}

fn request(c: &mut Criterion) {
    let seed = raw("seed");
    let case = seed["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "i_put_kms")
        .expect("seed has i_put_kms");
    let r = &case["request"];
    let field = |name: &str| r[name].as_str().unwrap();
    let (principal, action, resource, account) = (
        field("principal"),
        field("action"),
        field("resource"),
        field("resource_account"),
    );
    let context: Vec<(&str, &str)> = r["context"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
        .collect();

    // A caller building many requests reuses one builder and one request: after the
    // first build, `build_into` swaps buffers instead of allocating.
    let mut builder = Request::builder();
    let mut fill = move |request: &mut Request| {
        builder
            .principal(black_box(principal))
            .action(black_box(action))
            .resource(black_box(resource))
            .resource_account(black_box(account));
        for &(k, v) in &context {
            builder.context(black_box(k), black_box(v));
        }
        builder.build_into(request).unwrap();
    };
    // The bench builds the very request the test-file loader builds.
    let file = TestFile::load(&data("seed")).unwrap();
    let expected = file
        .cases()
        .iter()
        .find(|c| c.name() == "i_put_kms")
        .unwrap()
        .request();
    let mut request = expected.clone();
    fill(&mut request);
    assert_eq!(&request, expected);
    c.benchmark_group("request")
        .bench_function("build/seed", |b| {
            b.iter(|| fill(&mut request));
        });
}

// `criterion_group!` makes an undocumented `pub fn`, which `missing_docs` rejects.
fn main() {
    let mut c = config().configure_from_args();
    parse(&mut c);
    build_actions(&mut c);
    build_readonly(&mut c);
    request(&mut c);
    c.final_summary();
}
