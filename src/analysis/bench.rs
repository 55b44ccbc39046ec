//! Named workloads of the engine, for `benches/analysis_engine.rs`. Not part of the
//! library's API: the engine is crate-private until the encoder lands, and benches
//! live outside the crate.

use super::budget::{Limits, Unknown};
use super::deps::{ArnPattern, Case, Pattern};
use super::logic::{Formula, Logic};
use super::solve::{Problem, Stats, Verdict};
use super::theory::Lang;
use std::time::{Duration, Instant};

/// A formula to decide, with its limits.
pub struct Scenario {
    problem: Problem,
    root: Formula,
    max_states: u64,
    time: Duration,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A model was found (and checked).
    Sat,
    /// No model: a proof.
    Unsat,
    /// A limit ran out.
    Budget,
    /// Any other unknown (a bug for these scenarios).
    Unknown,
}

fn glob(s: &str) -> Lang {
    Lang::Pattern(Pattern::new(s, Case::Sensitive))
}

impl Scenario {
    /// The string part of the seed question: with the encryption key present and not
    /// `aws:kms`, and the resource in `arn:aws:s3:::example-bucket/*`, every request is
    /// covered by the Deny (`StringNotEquals` on the key). `Unsat` is the proof.
    pub fn seed() -> Scenario {
        let mut p = Problem::new();
        let resource = p.slot("resource");
        let sse = p.slot("s3:x-amz-server-side-encryption");
        let present = p.flag();
        let bucket = ArnPattern::new("arn:aws:s3:::example-bucket/*")
            .map_or(Lang::AnyArn, |a| Lang::Arn(Box::new(a)));
        let in_bucket = p.is_in(resource, bucket);
        let deny_resource = p.is_in(resource, glob("arn:aws:s3:::example-bucket/*"));
        let kms = p.is_in(
            sse,
            Lang::Pattern(Pattern::literal("aws:kms", Case::Sensitive)),
        );
        let not_kms = p.not(kms);
        let shape = p.formulas.all([in_bucket, present, not_kms]);
        let deny = p.formulas.all([deny_resource, present, not_kms]);
        let escapes = p.not(deny);
        let root = p.and(shape, escapes);
        Scenario {
            problem: p,
            root,
            max_states: Limits::default().max_states,
            time: Duration::from_secs(1),
        }
    }

    /// A resource in the union of `n` overlapping globs `bucket-i/*/logs/*` and in none
    /// of `n / 3` globs `bucket-i/*secret?`: satisfiable, found after the theory rules
    /// out the combinations that do not meet.
    pub fn globs(n: usize) -> Scenario {
        let mut p = Problem::new();
        let r = p.slot("resource");
        let allowed: Vec<Formula> = (0..n)
            .map(|i| p.is_in(r, glob(&format!("arn:aws:s3:::bucket-{i}/*/logs/*"))))
            .collect();
        let secret: Vec<Formula> = (0..n / 3)
            .map(|i| p.is_in(r, glob(&format!("arn:aws:s3:::bucket-{i}/*secret?"))))
            .collect();
        let any_allowed = p.formulas.any(allowed);
        let any_secret = p.formulas.any(secret);
        let no_secret = p.not(any_secret);
        let root = p.and(any_allowed, no_secret);
        Scenario {
            problem: p,
            root,
            max_states: Limits::default().max_states,
            time: Duration::from_secs(10),
        }
    }

    /// An inclusion proof: a resource in one of `n` globs `bucket-i/*/logs/*` but in
    /// none of the `n` globs `bucket-i/*` that cover them. Unsatisfiable; the proof
    /// takes one theory lemma per glob.
    pub fn covered(n: usize) -> Scenario {
        let mut p = Problem::new();
        let r = p.slot("resource");
        let narrow: Vec<Formula> = (0..n)
            .map(|i| p.is_in(r, glob(&format!("arn:aws:s3:::bucket-{i}/*/logs/*"))))
            .collect();
        let wide: Vec<Formula> = (0..n)
            .map(|i| p.is_in(r, glob(&format!("arn:aws:s3:::bucket-{i}/*"))))
            .collect();
        let any_narrow = p.formulas.any(narrow);
        let any_wide = p.formulas.any(wide);
        let outside = p.not(any_wide);
        let root = p.and(any_narrow, outside);
        Scenario {
            problem: p,
            root,
            max_states: Limits::default().max_states,
            time: Duration::from_secs(10),
        }
    }

    /// `*a` followed by `k` `?`, case-sensitive, minus the same pattern
    /// case-insensitive: empty, but proving it visits about 2^(k+1) state sets. With
    /// the default limits `k = 16` ends in a budget answer.
    pub fn adversarial(k: usize) -> Scenario {
        let mut p = Problem::new();
        let x = p.slot("x");
        let pat = format!("*a{}", "?".repeat(k));
        let a = p.is_in(x, glob(&pat));
        let b = p.is_in(x, Lang::Pattern(Pattern::new(&pat, Case::Insensitive)));
        let nb = p.not(b);
        let root = p.and(a, nb);
        Scenario {
            problem: p,
            root,
            max_states: Limits::default().max_states,
            time: Duration::from_secs(1),
        }
    }

    fn limits(&self) -> Limits {
        Limits {
            max_states: self.max_states,
            deadline: Some(Instant::now() + self.time),
            ..Limits::default()
        }
    }

    fn decide(&self) -> (Verdict, Stats) {
        self.problem.check(self.root, &self.limits())
    }

    /// Decides the formula.
    pub fn run(&self) -> Outcome {
        match self.decide().0 {
            Verdict::Sat(_) => Outcome::Sat,
            Verdict::Unsat => Outcome::Unsat,
            Verdict::Unknown(Unknown::Budget(_)) => Outcome::Budget,
            Verdict::Unknown(_) => Outcome::Unknown,
        }
    }

    /// One run's verdict and counters, for the bench's report.
    pub fn report(&self) -> String {
        let (v, s) = self.decide();
        let verdict = match v {
            Verdict::Sat(_) => "sat".to_string(),
            Verdict::Unsat => "unsat".to_string(),
            Verdict::Unknown(u) => format!("unknown ({u})"),
        };
        format!(
            "{verdict}: {} conflicts ({} from the theory), {} decisions, {} full checks, {} groups ({} cached), {} walks, {} states",
            s.solver.conflicts,
            s.solver.theory_conflicts,
            s.solver.decisions,
            s.solver.final_checks,
            s.theory.groups,
            s.theory.cache_hits,
            s.theory.walk.walks,
            s.theory.walk.states,
        )
    }
}
