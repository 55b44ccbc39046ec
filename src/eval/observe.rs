//! The observer that evaluation reports to: problems always, the trace only when
//! explaining. `evaluate` and `explain` run the same code with `TRACE` off and on, so
//! the trace cannot disagree with the decision.

use super::response::{Inline, Problem, ProblemKind, StatementRef, MAX_PROBLEMS};
use super::trace::ConditionTrace;

/// Receives what evaluating one condition meets on the way.
pub(crate) trait Observer<'a> {
    /// Whether a trace is being recorded; `false` lets the compiler drop every trace call.
    const TRACE: bool;
    /// A value the evaluator could not judge, or a variable without a value.
    fn problem(&mut self, kind: ProblemKind, key: &'a str, value: &'a str);
    /// One condition key's outcome; called only when `TRACE`.
    fn condition(&mut self, trace: ConditionTrace);
}

/// What one evaluation collects. Allocates only when `TRACE` is on.
pub(crate) struct Collector<'a, const TRACE: bool> {
    pub(crate) problems: Inline<Problem<'a>, MAX_PROBLEMS>,
    /// Every problem, for the trace.
    pub(crate) all_problems: Vec<Problem<'a>>,
    pub(crate) current: Option<StatementRef<'a>>,
    /// Set when the current statement met a value it could not judge.
    pub(crate) unjudged: bool,
    pub(crate) conditions: Vec<ConditionTrace>,
}

impl<const TRACE: bool> Collector<'_, TRACE> {
    pub(crate) fn new() -> Self {
        Collector {
            problems: Inline::default(),
            all_problems: Vec::new(),
            current: None,
            unjudged: false,
            conditions: Vec::new(),
        }
    }
}

impl<'a, const T: bool> Observer<'a> for Collector<'a, T> {
    const TRACE: bool = T;
    #[inline]
    fn problem(&mut self, kind: ProblemKind, key: &'a str, value: &'a str) {
        if kind.unjudged() {
            self.unjudged = true;
        }
        if let Some(statement) = self.current {
            let p = Problem {
                statement,
                kind,
                key,
                value,
            };
            self.problems.push(p);
            if T {
                self.all_problems.push(p);
            }
        }
    }
    #[inline]
    fn condition(&mut self, trace: ConditionTrace) {
        if T {
            self.conditions.push(trace);
        }
    }
}
