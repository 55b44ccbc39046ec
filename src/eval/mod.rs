//! Policy sets and the multi-policy decision.
//!
//! A [`PolicySet`] is built once from policies of six kinds and decides requests. For
//! one request, the action's program (built with the set, in
//! [`crate::compile::program`]) gives the statements that can match, `Deny` ones first;
//! they are evaluated (three-valued, in [`crate::compile`]), what they say, kind by
//! kind, is gathered into facts, and [`decide`](decide::decide) turns the facts into the
//! decision, its reason and the statements to cite. Once a `Deny` applies, the `Allow`
//! statements are not evaluated.
//!
//! [`PolicySet::explain`] runs the same statement evaluation and decision with a
//! recording tracer and visits every statement, so the trace cannot disagree with the
//! decision; its response is the one `evaluate` gives, problems included.

pub(crate) mod combine;
pub(crate) mod decide;
pub(crate) mod response;
mod set;
pub(crate) mod trace;

pub(crate) use set::Applicable;
pub use set::{BuildError, BuildErrorKind, PolicySet, PolicySetBuilder, UnreadKey};
