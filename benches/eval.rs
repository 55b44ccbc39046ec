//! Evaluation and explanation benches: `evaluate/…` and `explain/…`.
//!
//! Ids (keep them stable; results are compared over time and against other engines):
//! `evaluate/seed/<case>`, `evaluate/big100/<case>`, `evaluate/statements/{10,100,1000}`,
//! `evaluate/statements/1000_miss`, `evaluate/variables`, `evaluate/conditions`,
//! `evaluate/readonly/<case>` (an identity policy of the shape of AWS's `ReadOnlyAccess`,
//! generated), `evaluate/readonly/aws/<case>` (the real one, when
//! `../shared/realworld/managed-iamdataset/ReadOnlyAccess.json` is present),
//! `evaluate/threads/{1,2}` and `explain/seed/<case>`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benches fail loudly on a broken scenario"
)]

mod common;

use criterion::{black_box, Criterion, Throughput};
use iam_eval::{Decision, Policy, PolicyKind, PolicySet, Request};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// Short enough that the whole suite runs in a few minutes on two cores.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_millis(2500))
        .sample_size(40)
}

/// One statement with `IpAddress`, `DateLessThan`, `NumericLessThan` and
/// `ForAnyValue:StringEquals` over 20 values, and a request it allows (the request's tag
/// is the policy's last value, so the set comparison goes through the whole list).
fn conditions_set() -> (PolicySet, Request) {
    let tags: Vec<String> = (0..20).map(|i| format!("tag-{i:02}")).collect();
    let text = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Conditions",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::example-bucket",
            "Condition": {
                "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "172.16.0.0/12", "192.0.2.0/24"]},
                "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                "NumericLessThan": {"s3:max-keys": "1000"},
                "ForAnyValue:StringEquals": {"aws:TagKeys": tags},
            },
        }],
    })
    .to_string();
    let set = PolicySet::builder()
        .add(
            PolicyKind::Identity,
            "conditions",
            Policy::parse(&text).unwrap(),
        )
        .build()
        .unwrap();
    let request = Request::builder()
        .principal(common::CALLER)
        .action("s3:ListBucket")
        .resource("arn:aws:s3:::example-bucket")
        .context("aws:SourceIp", "192.0.2.10")
        .context("aws:CurrentTime", "2024-06-01T12:00:00Z")
        .context("s3:max-keys", "100")
        .context(
            "aws:TagKeys",
            vec!["other-a".to_string(), "other-b".into(), "tag-19".into()],
        )
        .build()
        .unwrap();
    assert_eq!(
        set.evaluate(&request).decision(),
        Decision::Allow,
        "conditions"
    );
    (set, request)
}

fn evaluate(c: &mut Criterion) {
    let seed = common::load_checked("seed");
    let big100 = common::load_checked("big100");
    let mut g = c.benchmark_group("evaluate");
    for (name, file) in [("seed", &seed), ("big100", &big100)] {
        let set = file.policy_set();
        for case in file.cases() {
            let request = case.request();
            g.bench_function(format!("{name}/{}", case.name()), |b| {
                b.iter(|| black_box(set).evaluate(black_box(request)).decision());
            });
        }
    }

    for n in [10, 100, 1000] {
        let (set, hit, miss) = common::statements_set(n);
        g.bench_function(format!("statements/{n}"), |b| {
            b.iter(|| black_box(&set).evaluate(black_box(&hit)).decision());
        });
        if n == 1000 {
            g.bench_function("statements/1000_miss", |b| {
                b.iter(|| black_box(&set).evaluate(black_box(&miss)).decision());
            });
        }
    }

    let (set, cases) = common::readonly_set();
    for (name, request, _) in &cases {
        g.bench_function(format!("readonly/{name}"), |b| {
            b.iter(|| black_box(&set).evaluate(black_box(request)).decision());
        });
    }
    if let Some((set, cases)) = common::readonly_aws_set() {
        for (name, request, _) in &cases {
            g.bench_function(format!("readonly/aws/{name}"), |b| {
                b.iter(|| black_box(&set).evaluate(black_box(request)).decision());
            });
        }
    }

    let (set, request) = common::variables_set();
    g.bench_function("variables", |b| {
        b.iter(|| black_box(&set).evaluate(black_box(&request)).decision());
    });

    let (set, request) = conditions_set();
    g.bench_function("conditions", |b| {
        b.iter(|| black_box(&set).evaluate(black_box(&request)).decision());
    });

    // Throughput of one shared set: each iteration is one evaluation on each of `n`
    // threads, so criterion's elements/s is the total evaluations per second. The threads
    // start together at a barrier (spawning is not timed) and the slowest one's time is
    // the wall time.
    let shared = Arc::new(big100.policy_set().clone());
    let case = big100
        .cases()
        .iter()
        .find(|c| c.name() == "i_put_kms")
        .expect("big100 has i_put_kms");
    let request = case.request();
    for n in [1_u64, 2] {
        g.throughput(Throughput::Elements(n));
        g.bench_function(format!("threads/{n}"), |b| {
            b.iter_custom(|iters| {
                let barrier = Barrier::new(n as usize);
                std::thread::scope(|scope| {
                    let handles: Vec<_> = (0..n)
                        .map(|_| {
                            let set = Arc::clone(&shared);
                            let barrier = &barrier;
                            scope.spawn(move || {
                                barrier.wait();
                                let start = Instant::now();
                                for _ in 0..iters {
                                    black_box(
                                        black_box(&*set).evaluate(black_box(request)).decision(),
                                    );
                                }
                                start.elapsed()
                            })
                        })
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| h.join().unwrap())
                        .max()
                        .unwrap_or_default()
                })
            });
        });
    }
    g.finish();
}

fn explain(c: &mut Criterion) {
    let seed = common::load_checked("seed");
    let set = seed.policy_set();
    let mut g = c.benchmark_group("explain");
    for case in seed.cases() {
        let request = case.request();
        let (response, trace) = set.explain(request);
        assert_eq!(
            response.decision(),
            case.expect(),
            "explain/seed/{}",
            case.name()
        );
        assert_eq!(
            trace.decision,
            case.expect(),
            "explain/seed/{} trace",
            case.name()
        );
        g.bench_function(format!("seed/{}", case.name()), |b| {
            b.iter(|| black_box(set).explain(black_box(request)));
        });
    }
    g.finish();
}

// `criterion_group!` makes an undocumented `pub fn`, which `missing_docs` rejects.
fn main() {
    let mut c = config().configure_from_args();
    evaluate(&mut c);
    explain(&mut c);
    c.final_summary();
}
