//! Compiling policies for evaluation: wildcard patterns classified, principals reduced to
//! the grants they make, conditions over typed values, and the per-action programs that
//! say which statements can match a request; and evaluating one statement against a
//! request.
//!
//! Evaluation here is three-valued: a condition, and so a statement, is [`Truth::True`],
//! [`Truth::False`] or [`Truth::Unknown`] when a request value could not be judged (a
//! context value of the wrong type). What happens to an unknown statement is the
//! decision's business, one layer up.

pub(crate) mod condition;
mod principal;
pub(crate) mod program;
mod resolve;
pub(crate) mod rules;
pub(crate) mod statement;

pub use condition::Outcome;
pub(crate) use principal::{Entry, Grant, PrincipalMatcher};
pub use statement::ElementMatch;

use crate::inline::Inline;
use crate::request::{Request, Values};
use condition::CompiledCondition;

/// The result of a condition or a statement.
///
/// Statements AND their conditions with Kleene's rules: `False` wins over `Unknown`, so a
/// condition that plainly fails decides the statement whatever an unreadable value
/// elsewhere would have said, and the outcome does not depend on the order the keys are
/// written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Truth {
    /// It holds.
    True,
    /// It does not hold.
    False,
    /// It could not be judged: a request value is not of the type the operator compares.
    Unknown,
}

impl Truth {
    /// Kleene conjunction, by the rule the analysis shares ([`rules::and`]).
    #[inline]
    pub(crate) fn and(self, other: Truth) -> Truth {
        rules::and(&mut crate::logic::Concrete, self, other)
    }
}

impl From<bool> for Truth {
    #[inline]
    fn from(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }
}

/// What went wrong with one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ProblemKind {
    /// A context value compared by a `Numeric*` operator is not a number.
    #[default]
    NotANumber,
    /// A context value compared by a `Date*` operator is not a date.
    NotADate,
    /// A context value compared by `Bool` is not `true` or `false`.
    NotABool,
    /// A context value compared by `BinaryEquals` is not base64.
    NotBase64,
    /// A context value compared by `IpAddress`/`NotIpAddress` is not an IP address.
    NotAnIpAddress,
    /// A context value compared by an `Arn*` operator is not an ARN.
    NotAnArn,
    /// A policy variable names a key the request does not have, and has no default.
    VariableWithoutValue,
    /// A policy variable names a multivalued key, which cannot be substituted.
    MultivaluedVariable,
    /// A plain operator (without `ForAnyValue:` or `ForAllValues:`) tests a multivalued
    /// key; the problem's value is the operator.
    PlainOperatorOnMultivaluedKey,
    /// `ForAnyValue:…IfExists` tests a missing key, which the documentation makes both
    /// true (`IfExists`) and false (`ForAnyValue`); the problem's value is the operator.
    ForAnyValueIfExistsOnMissingKey,
}

impl ProblemKind {
    /// Whether the evaluator could not judge the condition (as opposed to a variable
    /// without a value, which AWS defines as matching nothing).
    pub fn unjudged(self) -> bool {
        !matches!(
            self,
            ProblemKind::VariableWithoutValue | ProblemKind::MultivaluedVariable
        )
    }
}

/// A statement's place among all the statements of a set, policy after policy in the
/// order they were added: compact, and ordered as the statements are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub(crate) struct StmtId(pub(crate) u32);

impl StmtId {
    /// The position, for indexing the set's statements.
    #[inline]
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// A problem as recorded on the hot path; resolved into a [`Problem`] on access.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RawProblem<'a> {
    pub(crate) statement: StmtId,
    pub(crate) kind: ProblemKind,
    pub(crate) key: &'a str,
    pub(crate) value: &'a str,
}

/// The most problems a [`crate::Response`] lists; the trace has all of them.
pub const MAX_PROBLEMS: usize = 2;

/// The first problems met, kept inline.
pub(crate) type ProblemList<'a> = Inline<Option<RawProblem<'a>>, MAX_PROBLEMS>;

/// The problems met while deciding one request: the first few, kept inline so that
/// evaluation never allocates, and a count of the rest.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Problems<'a> {
    /// Every item is `Some`: an empty slot is `None`, which (a `&str` being never null)
    /// is one zero word to write, so starting a list costs next to nothing.
    pub(crate) list: ProblemList<'a>,
    /// The statement being evaluated; problems are filed under it.
    pub(crate) current: StmtId,
    /// How many problems were met, kept or not.
    pub(crate) met: u32,
}

impl<'a> Problems<'a> {
    /// Adds another list's problems, as if they had been met here: the list keeps the
    /// first problems by statement whatever the order they arrive in.
    pub(crate) fn merge(&mut self, other: &Problems<'a>) {
        for p in other.list.iter() {
            self.list.insert_sorted(p, |x| x.map(|p| p.statement));
        }
        self.list.add_dropped(other.list.dropped());
    }
}

/// Receives what evaluation meets on the way, for the explanation of a decision.
///
/// `evaluate` runs with [`NoTrace`], a zero-sized type whose `ON` is false, so every call
/// guarded by `T::ON` disappears from the compiled code; `explain` runs the same code
/// with a recording tracer. The trace cannot disagree with the decision.
pub(crate) trait Tracer<'a> {
    /// Whether anything is recorded.
    const ON: bool;
    /// A problem; every one, not just those that fit in the response.
    fn problem(&mut self, problem: RawProblem<'a>);
    /// One condition key's outcome.
    fn condition(
        &mut self,
        condition: &'a CompiledCondition,
        values: Option<Values<'a>>,
        truth: Truth,
        outcome: Outcome,
    );
}

/// No trace: what `evaluate` uses.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NoTrace;

impl<'a> Tracer<'a> for NoTrace {
    const ON: bool = false;
    #[inline(always)]
    fn problem(&mut self, _problem: RawProblem<'a>) {}
    #[inline(always)]
    fn condition(
        &mut self,
        _condition: &'a CompiledCondition,
        _values: Option<Values<'a>>,
        _truth: Truth,
        _outcome: Outcome,
    ) {
    }
}

/// The conditions decided so far in one evaluation, by memo slot: conditions that
/// several statements share (same operator, key and values) get one of 64 slots when
/// the set is built ([`condition::assign_memo_slots`]), so that `evaluate` decides each
/// once. Only outcomes met without a problem are kept, so a statement that shares a
/// condition reports the same problems as if it had evaluated it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Memo {
    pub(crate) known: u64,
    pub(crate) held: u64,
}

/// What evaluating a statement needs besides the statement: the request, where problems
/// go, the tracer, and the conditions decided so far.
pub(crate) struct Ctx<'a, 'c, T: Tracer<'a>> {
    pub(crate) request: &'a Request,
    pub(crate) problems: &'c mut Problems<'a>,
    pub(crate) tracer: &'c mut T,
    pub(crate) memo: Memo,
}

impl<'a, T: Tracer<'a>> Ctx<'a, '_, T> {
    /// Files a problem under the current statement.
    #[cold]
    #[inline(never)]
    pub(crate) fn problem(&mut self, kind: ProblemKind, key: &'a str, value: &'a str) {
        let p = RawProblem {
            statement: self.problems.current,
            kind,
            key,
            value,
        };
        self.problems
            .list
            .insert_sorted(Some(p), |x| x.map(|p| p.statement));
        self.problems.met = self.problems.met.wrapping_add(1);
        self.tracer.problem(p);
    }
}
