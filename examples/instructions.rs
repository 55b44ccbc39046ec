//! Runs one case of a benchmark scenario in a loop, for instruction counts under
//! callgrind (`benches/instructions.sh` runs it). Not a benchmark by itself: sets and
//! requests are built before the loop, and only the `measured*` functions are counted.
//!
//! Usage: `instructions SCENARIO CASE-INDEX ITERATIONS [evaluate|explain|build]`, where
//! SCENARIO is a test file (`benches/data/seed.json`) or a generated scenario of
//! `benches/common`: `statements` (sets of 10 to 1 000 statements), `readonly` (a
//! policy shaped like AWS's `ReadOnlyAccess`) or `readonly_aws` (the real one, when
//! `../shared/realworld` is present). CASE-INDEX `18446744073709551615` lists the cases.
//! `build` builds the case's request instead of deciding it, with a reused builder and
//! request (`RequestBuilder::build_into`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a measuring tool fails loudly"
)]

#[path = "../benches/common/mod.rs"]
#[allow(dead_code, reason = "each user of the scenarios takes what it needs")]
mod common;

use iam_eval::{Decision, PolicySet, PrincipalKind, Request, RequestBuilder, TestFile};
use std::hint::black_box;
use std::process::ExitCode;

/// The loop callgrind counts for `evaluate` (`--toggle-collect=*measured`).
#[inline(never)]
fn measured(set: &PolicySet, request: &Request, iterations: u64) -> u64 {
    let mut allowed = 0;
    for _ in 0..iterations {
        let response = black_box(set).evaluate(black_box(request));
        allowed += u64::from(response.decision() == Decision::Allow);
    }
    allowed
}

/// The same for `explain`.
#[inline(never)]
fn measured_explain(set: &PolicySet, request: &Request, iterations: u64) -> u64 {
    let mut allowed = 0;
    for _ in 0..iterations {
        let (response, trace) = black_box(set).explain(black_box(request));
        allowed += u64::from(response.decision() == Decision::Allow);
        black_box(trace);
    }
    allowed
}

/// The same for building the request, as a caller building many requests does: one
/// builder and one request, reused.
#[inline(never)]
fn measured_build(spec: &Spec, mut request: Request, iterations: u64) -> u64 {
    let mut builder = Request::builder();
    let mut built = 0;
    for _ in 0..iterations {
        spec.fill(&mut builder);
        built += u64::from(builder.build_into(&mut request).is_ok());
        black_box(&request);
    }
    built
}

/// What a request is built from, taken from a built request: its principal, action,
/// resource, resource account and the context keys its caller set.
struct Spec {
    principal: Result<String, iam_eval::Principal>,
    action: String,
    resource: String,
    resource_account: Option<String>,
    context: Vec<(String, Vec<String>, bool)>,
}

impl Spec {
    fn of(request: &Request) -> Spec {
        let p = request.principal();
        let principal = match p.kind() {
            PrincipalKind::Service | PrincipalKind::WebIdentity | PrincipalKind::CanonicalUser => {
                Err(p.clone())
            }
            _ => Ok(p.id().to_string()),
        };
        let context = request.context();
        Spec {
            principal,
            action: request.action().to_string(),
            resource: request.resource().to_string(),
            resource_account: request.resource_account().map(str::to_string),
            context: context
                .iter()
                .filter(|(key, _)| !context.is_derived(key))
                .map(|(key, values)| {
                    let list = values.iter().map(str::to_string).collect();
                    (key.to_string(), list, values.is_multivalued())
                })
                .collect(),
        }
    }

    fn fill(&self, builder: &mut RequestBuilder) {
        match &self.principal {
            Ok(arn) => builder.principal(black_box(arn)),
            Err(p) => builder.principal_value(p.clone()),
        };
        builder
            .action(black_box(&self.action))
            .resource(black_box(&self.resource));
        if let Some(a) = &self.resource_account {
            builder.resource_account(black_box(a));
        }
        for (key, values, multivalued) in &self.context {
            match (values.as_slice(), multivalued) {
                ([one], false) => {
                    builder.context(black_box(key), black_box(one.as_str()));
                }
                _ => {
                    for v in values {
                        builder.context_push(key, v);
                    }
                }
            }
        }
    }
}

/// A scenario's set and its cases: `(name, request, expected decision)`.
type Cases = (PolicySet, Vec<(String, Request, Decision)>);

fn load(scenario: &str) -> Result<Cases, String> {
    let named = |(set, cases): common::Scenario| {
        let cases = cases
            .into_iter()
            .map(|(name, request, expect)| (name.to_string(), request, expect))
            .collect();
        (set, cases)
    };
    match scenario {
        "statements" => Err("statements has one set per size; see load_statements".into()),
        "readonly" => Ok(named(common::readonly_set())),
        "readonly_aws" => common::readonly_aws_set().map(named).ok_or_else(|| {
            "../shared/realworld/managed-iamdataset/ReadOnlyAccess.json is missing".into()
        }),
        path => {
            let file = TestFile::load(std::path::Path::new(path)).map_err(|e| e.to_string())?;
            let cases = file
                .cases()
                .iter()
                .map(|c| (c.name().to_string(), c.request().clone(), c.expect()))
                .collect();
            Ok((file.policy_set().clone(), cases))
        }
    }
}

/// The `statements` scenario: one set per size, so each case carries its own.
fn load_statements() -> Vec<(String, PolicySet, Request, Decision)> {
    let mut out = Vec::new();
    for n in [10, 100, 1000] {
        let (set, hit, miss) = common::statements_set(n);
        out.push((n.to_string(), set.clone(), hit, Decision::Allow));
        if n == 1000 {
            out.push(("1000_miss".into(), set, miss, Decision::ImplicitDeny));
        }
    }
    out
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, scenario, case, iterations, rest @ ..] = args.as_slice() else {
        eprintln!("usage: instructions SCENARIO CASE-INDEX ITERATIONS [evaluate|explain|build]");
        return ExitCode::from(2);
    };
    let (Ok(index), Ok(n)) = (case.parse::<usize>(), iterations.parse::<u64>()) else {
        eprintln!("CASE-INDEX and ITERATIONS are numbers");
        return ExitCode::from(2);
    };
    let cases: Vec<(String, PolicySet, Request, Decision)> = if scenario == "statements" {
        load_statements()
    } else {
        match load(scenario) {
            Ok((set, cases)) => cases
                .into_iter()
                .map(|(name, request, expect)| (name, set.clone(), request, expect))
                .collect(),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    };
    if index == usize::MAX {
        for (i, (name, ..)) in cases.iter().enumerate() {
            println!("{i}\t{name}");
        }
        return ExitCode::SUCCESS;
    }
    let Some((_, set, request, expect)) = cases.get(index) else {
        eprintln!("no case {index}");
        return ExitCode::from(2);
    };
    let got = set.evaluate(request).decision();
    if got != *expect {
        eprintln!("case {index} decides {got}, expected {expect}");
        return ExitCode::from(1);
    }
    let count = match rest.first().map(String::as_str) {
        Some("explain") => measured_explain(set, request, n),
        Some("build") => measured_build(&Spec::of(request), request.clone(), n),
        _ => measured(set, request, n),
    };
    println!("{count}");
    ExitCode::SUCCESS
}
