//! Wildcard matching on adversarial input: `pattern/adversarial/<len>` matches
//! `*a*a*a*a*a*a*b` against `len` `a`s (no match). The time must grow linearly with `len`
//! (no backtracking blow-up; issue 7), which the bytes/s figure makes easy to check: it
//! should stay flat across lengths.
//!
//! That pattern's literal `b` suffix can rule an input out at once, so
//! `pattern/adversarial_scan/<len>` matches `*a*a*a*a*a*a*b*` (no suffix to check) against
//! the same inputs: every segment has to be placed, and the search for `b` crosses the
//! whole input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benches fail loudly on a broken scenario"
)]

use criterion::{black_box, Criterion, Throughput};
use iam_eval::{Case, Pattern};
use std::time::Duration;

/// Short enough that the whole suite runs in a few minutes on two cores.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_millis(2500))
        .sample_size(40)
}

fn adversarial(c: &mut Criterion) {
    let mut g = c.benchmark_group("pattern");
    for (name, source) in [
        ("adversarial", "*a*a*a*a*a*a*b"),
        ("adversarial_scan", "*a*a*a*a*a*a*b*"),
    ] {
        let pattern = Pattern::new(source, Case::Sensitive);
        for len in [1_000_usize, 10_000, 100_000] {
            let input = "a".repeat(len);
            assert!(!pattern.matches(&input));
            g.throughput(Throughput::Bytes(len as u64));
            g.bench_function(format!("{name}/{len}"), |b| {
                b.iter(|| black_box(&pattern).matches(black_box(&input)));
            });
        }
    }
    g.finish();
}

// `criterion_group!` makes an undocumented `pub fn`, which `missing_docs` rejects.
fn main() {
    let mut c = config().configure_from_args();
    adversarial(&mut c);
    c.final_summary();
}
