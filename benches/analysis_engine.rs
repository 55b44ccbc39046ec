//! The analysis engine on named workloads: `analysis/seed` proves the string part of
//! the seed question (the Deny covers every unencrypted PutObject to the bucket),
//! `analysis/globs/<n>` finds a resource in the union of `n` overlapping globs and
//! outside `n / 3` others, `analysis/covered/<n>` proves that `n` globs are covered by
//! `n` wider ones (one theory lemma each), and `analysis/adversarial/<k>` decides `*a` followed by `k`
//! `?` against its case-insensitive self: a proof for small `k`, a budget answer for
//! `k = 16` (about 2^(k+1) state sets would be needed), which must come within the
//! deadline.
//!
//! For instruction counts, `ANALYSIS_BENCH_RUNS=<n> ANALYSIS_BENCH_ONLY=<name>` runs one
//! scenario `n` times without criterion, e.g. under
//! `valgrind --tool=callgrind`; the difference between two values of `n` is the cost of
//! that many runs, without the setup.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benches fail loudly on a broken scenario"
)]

use criterion::{black_box, Criterion};
use iam_eval::__analysis_bench::{Outcome, Scenario};
use std::time::Duration;

/// Short enough that the whole suite runs in a few minutes on two cores.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_millis(2500))
        .sample_size(20)
}

fn engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("analysis");
    let cases = [
        ("seed", Outcome::Unsat),
        ("globs/40", Outcome::Sat),
        ("globs/200", Outcome::Sat),
        ("covered/40", Outcome::Unsat),
        ("covered/200", Outcome::Unsat),
        ("adversarial/4", Outcome::Unsat),
        ("adversarial/8", Outcome::Unsat),
        ("adversarial/16", Outcome::Budget),
    ];
    for (name, want) in cases {
        let scenario = scenario(name).unwrap();
        assert_eq!(scenario.run(), want, "{name}");
        eprintln!("analysis/{name}: {}", scenario.report());
        g.bench_function(name, |b| b.iter(|| black_box(scenario.run())));
    }
    g.finish();
}

fn scenario(name: &str) -> Option<Scenario> {
    let (kind, arg) = name.split_once('/').unwrap_or((name, ""));
    match kind {
        "seed" => Some(Scenario::seed()),
        "globs" => arg.parse().ok().map(Scenario::globs),
        "covered" => arg.parse().ok().map(Scenario::covered),
        "adversarial" => arg.parse().ok().map(Scenario::adversarial),
        _ => None,
    }
}

// `criterion_group!` makes an undocumented `pub fn`, which `missing_docs` rejects.
fn main() {
    if let Ok(runs) = std::env::var("ANALYSIS_BENCH_RUNS") {
        let runs: usize = runs.parse().unwrap();
        let name = std::env::var("ANALYSIS_BENCH_ONLY").unwrap();
        let s = scenario(&name).unwrap();
        for _ in 0..runs {
            black_box(s.run());
        }
        eprintln!("analysis/{name}: {}", s.report());
        return;
    }
    let mut c = config().configure_from_args();
    engine(&mut c);
    c.final_summary();
}
