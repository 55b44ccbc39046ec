//! Limits on the work one question may take, and the reasons an answer is unknown.

use std::fmt;
use std::time::Instant;

/// How much work one check may do. Running out gives [`Unknown::Budget`], never a
/// proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Conflicts of the SAT search, theory conflicts included.
    pub(crate) max_conflicts: u64,
    /// Product states of one string-language walk; this also bounds the walk's memory.
    pub(crate) max_states: u64,
    /// Wall-clock time; checked between conflicts and every few hundred walk states.
    pub(crate) deadline: Option<Instant>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_conflicts: 100_000,
            max_states: 100_000,
            deadline: None,
        }
    }
}

impl Limits {
    /// Whether the deadline has passed.
    pub(crate) fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// Which limit ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Exhausted {
    /// [`Limits::max_conflicts`].
    Conflicts,
    /// [`Limits::max_states`].
    States,
    /// [`Limits::deadline`].
    Deadline,
}

/// Why no verdict could be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Unknown {
    /// A limit ran out.
    Budget(Exhausted),
    /// The constraints on one value fall outside the fragment the theories decide
    /// exactly (see the module documentation of [`super::theory`]); the text says which
    /// construct.
    Unsupported(&'static str),
    /// A witness failed the evaluator's own check: a bug in a theory, reported rather
    /// than turned into a wrong answer.
    Internal(&'static str),
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unknown::Budget(Exhausted::Conflicts) => f.write_str("conflict limit reached"),
            Unknown::Budget(Exhausted::States) => f.write_str("state limit reached"),
            Unknown::Budget(Exhausted::Deadline) => f.write_str("deadline reached"),
            Unknown::Unsupported(what) => write!(f, "outside the exact fragment: {what}"),
            Unknown::Internal(what) => write!(f, "internal check failed: {what}"),
        }
    }
}
