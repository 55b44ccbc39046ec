//! Evaluates one case of a scenario file in a loop, for instruction counts under
//! callgrind (`benches/instructions.sh` runs it). Not a benchmark by itself: the
//! requests are built before the loop, and only `measured` is counted.
//!
//! Usage: `instructions FILE CASE-INDEX ITERATIONS [evaluate|explain]`.

use iam_eval::{PolicySet, Request, TestFile};
use std::hint::black_box;
use std::process::ExitCode;

/// The loop callgrind counts (`--toggle-collect=*measured*`).
#[inline(never)]
fn measured(set: &PolicySet, request: &Request, iterations: u64) -> u64 {
    let mut allowed = 0;
    for _ in 0..iterations {
        let response = black_box(set).evaluate(black_box(request));
        allowed += u64::from(response.decision() == iam_eval::Decision::Allow);
    }
    allowed
}

/// The same for `explain`.
#[inline(never)]
fn measured_explain(set: &PolicySet, request: &Request, iterations: u64) -> u64 {
    let mut allowed = 0;
    for _ in 0..iterations {
        let (response, trace) = black_box(set).explain(black_box(request));
        allowed += u64::from(response.decision() == iam_eval::Decision::Allow);
        black_box(trace);
    }
    allowed
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, file, case, iterations, rest @ ..] = args.as_slice() else {
        eprintln!("usage: instructions FILE CASE-INDEX ITERATIONS [evaluate|explain]");
        return ExitCode::from(2);
    };
    let loaded = match TestFile::load(std::path::Path::new(file)) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let (Ok(index), Ok(n)) = (case.parse::<usize>(), iterations.parse::<u64>()) else {
        eprintln!("CASE-INDEX and ITERATIONS are numbers");
        return ExitCode::from(2);
    };
    if index == usize::MAX {
        // List the cases.
        for (i, c) in loaded.cases().iter().enumerate() {
            println!("{i}\t{}", c.name());
        }
        return ExitCode::SUCCESS;
    }
    let Some(c) = loaded.cases().get(index) else {
        eprintln!("no case {index}");
        return ExitCode::from(2);
    };
    let set = loaded.policy_set();
    let got = set.evaluate(c.request()).decision();
    if got != c.expect() {
        eprintln!("case {index} decides {got}, expected {}", c.expect());
        return ExitCode::from(1);
    }
    let allowed = match rest.first().map(String::as_str) {
        Some("explain") => measured_explain(set, c.request(), n),
        _ => measured(set, c.request(), n),
    };
    println!("{allowed}");
    ExitCode::SUCCESS
}
