//! The engine under universal questions about a policy set: a lazy DPLL(T) solver and
//! exact theories of IAM's value languages.
//!
//! A question ("is every request of this shape explicitly denied?") becomes a formula
//! whose models are the requests that refute it. The encoder (not here yet) builds that
//! formula from the evaluator's own decision code, made generic over [`logic::Logic`]:
//! on [`logic::Concrete`] the code computes with `bool`, on [`solve::Problem`] it builds
//! a hash-consed and-inverter graph over *atoms*. This module decides such formulas.
//!
//! # Pieces
//!
//! - [`logic`]: the `Logic` trait, `Concrete`, the formula graph and its Tseitin
//!   encoding.
//! - [`sat`]: a CDCL solver (watched literals, first-UIP learning, VSIDS, phase
//!   saving, Luby restarts, clause deletion) with a [`sat::Theory`] hook: a theory sees
//!   every full assignment and answers consistent, a lemma, or unknown (with a clause
//!   that sets the undecided part aside; a search that then runs out of models reports
//!   unknown, never unsatisfiable).
//! - [`theory`]: what atoms mean. A *slot* is a string of the request (action,
//!   resource, a context key, an element of a multivalued key); atoms test slots against
//!   IAM patterns, ARN patterns, literals, `Bool` and base64 values, number and date
//!   comparisons, CIDRs, readability in each operator family, equality with another slot,
//!   and templates with policy variables. The slot theory decides each group of equal
//!   slots, with a witness string checked by the evaluator's own code.
//! - [`solve`]: [`solve::Problem`] (formulas plus atom table) and
//!   [`solve::Problem::check`], returning [`solve::Verdict`]: `Sat(Model)` with a string
//!   per slot, `Unsat`, or `Unknown(`[`budget::Unknown`]`)`; [`solve::Session`] keeps a
//!   solver for blocking models and solving again.
//! - [`multi`]: multivalued keys as `2n + f` optional elements (the small-model bound).
//! - [`budget`]: [`budget::Limits`] (conflicts, walk states, deadline). Running out gives
//!   `Unknown(Budget)`, never a proof.
//! - [`deps`]: the evaluator types and functions the engine uses, imported in one
//!   place.
//!
//! # Soundness
//!
//! `Sat` models are re-checked atom by atom against the witnesses with the evaluator's
//! matchers and parsers before they are returned. `Unsat` rests only on lemmas that are
//! subsets of an assignment shown inconsistent by an exact argument or by an
//! over-approximation (a superset language); an answer a theory cannot give within its
//! exact fragment (see [`theory`]) or within the limits is `Unknown`.

#[doc(hidden)]
pub mod bench;
pub(crate) mod budget;
pub(crate) mod deps;
mod encode;
pub(crate) mod logic;
mod model;
pub(crate) mod multi;
mod query;
pub(crate) mod sat;
mod shape;
pub(crate) mod solve;
pub(crate) mod theory;

pub use query::{
    always, always_with, diff, diff_all, diff_with, equivalent, equivalent_with, Counterexample,
    DiffReport, Expect, Options, Stats, Unknown, UnknownKind, Verdict,
};
pub use shape::{Shape, ShapeBuilder, ShapeError, ShapePrincipal};

#[cfg(test)]
mod tests;
