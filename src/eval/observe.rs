//! The observer that evaluation reports to: problems always, the trace only when
//! explaining. `evaluate` and `explain` run the same code with recording off and on, so
//! the trace cannot disagree with the decision.

use super::response::{Inline, ProblemKind, RawProblem, StmtId, MAX_PROBLEMS};
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

/// Where the trace goes: nowhere (a zero-sized type, so `evaluate` carries nothing) or
/// into vectors.
pub(crate) trait Record<'a>: Default {
    const TRACE: bool;
    fn problem(&mut self, p: RawProblem<'a>);
    fn condition(&mut self, trace: ConditionTrace);
    /// The conditions recorded since the last call.
    fn take_conditions(&mut self) -> Vec<ConditionTrace>;
}

/// No trace.
#[derive(Default)]
pub(crate) struct Off;

impl Record<'_> for Off {
    const TRACE: bool = false;
    #[inline(always)]
    fn problem(&mut self, _p: RawProblem<'_>) {}
    #[inline(always)]
    fn condition(&mut self, _trace: ConditionTrace) {}
    fn take_conditions(&mut self) -> Vec<ConditionTrace> {
        Vec::new()
    }
}

/// The trace of one evaluation.
#[derive(Default)]
pub(crate) struct On<'a> {
    /// Every problem, not just those that fit in the response.
    pub(crate) problems: Vec<RawProblem<'a>>,
    /// The conditions of the statement being evaluated.
    pub(crate) conditions: Vec<ConditionTrace>,
}

impl<'a> Record<'a> for On<'a> {
    const TRACE: bool = true;
    fn problem(&mut self, p: RawProblem<'a>) {
        self.problems.push(p);
    }
    fn condition(&mut self, trace: ConditionTrace) {
        self.conditions.push(trace);
    }
    fn take_conditions(&mut self) -> Vec<ConditionTrace> {
        std::mem::take(&mut self.conditions)
    }
}

/// What one evaluation collects. Allocates only when recording.
pub(crate) struct Collector<'a, R: Record<'a>> {
    pub(crate) problems: Inline<RawProblem<'a>, MAX_PROBLEMS>,
    pub(crate) current: StmtId,
    /// Set when the current statement met a value it could not judge.
    pub(crate) unjudged: bool,
    pub(crate) record: R,
}

impl<'a, R: Record<'a>> Collector<'a, R> {
    #[inline]
    pub(crate) fn new() -> Self {
        Collector {
            problems: Inline::default(),
            current: StmtId::default(),
            unjudged: false,
            record: R::default(),
        }
    }
}

impl<'a, R: Record<'a>> Observer<'a> for Collector<'a, R> {
    const TRACE: bool = R::TRACE;
    #[inline]
    fn problem(&mut self, kind: ProblemKind, key: &'a str, value: &'a str) {
        if kind.unjudged() {
            self.unjudged = true;
        }
        let p = RawProblem {
            statement: self.current,
            kind,
            key,
            value,
        };
        self.problems.insert_sorted(p, |x| x.statement);
        self.record.problem(p);
    }
    #[inline]
    fn condition(&mut self, trace: ConditionTrace) {
        self.record.condition(trace);
    }
}
