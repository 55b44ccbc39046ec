//! Universal questions about a policy set: is *every* request of a shape explicitly
//! denied, denied or allowed ([`always`])? Does one set allow a request another does not
//! ([`diff`], [`diff_all`])? Do two sets decide every request alike ([`equivalent`])?
//!
//! A [`Shape`] is a set of requests: its callers (one principal, any principal of an
//! account, or anyone at all, anonymous callers and services included), its actions and
//! resources as IAM patterns, and its context as an IAM `Condition` block; a key the
//! block does not mention may hold any value or be missing. Each question answers one
//! [`Verdict`]: proved; a [`Counterexample`], a request inside the shape with the
//! [`Response`](crate::Response) `evaluate` gives it (every counterexample is decided by
//! [`PolicySet::evaluate`](crate::PolicySet::evaluate) before it is returned); or
//! [`Unknown`], with the reason (a limit ran out, or a construct outside the fragment
//! decided exactly). Never "proved" when it is not.
//!
//! ```
//! use iam_eval::analysis::{self, Expect, Shape};
//! use iam_eval::{PolicyKind, PolicySet};
//!
//! let bucket = r#"{"Version": "2012-10-17", "Statement": [{
//!     "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
//!     "Resource": "arn:aws:s3:::example-bucket/*",
//!     "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}"#;
//! let set = PolicySet::builder()
//!     .add_json(PolicyKind::Resource, "bucket", bucket)?
//!     .build()?;
//! // Every upload to the bucket without `aws:kms`, by anyone.
//! let unencrypted = Shape::builder()
//!     .any_principal()
//!     .action("s3:PutObject")
//!     .resource("arn:aws:s3:::example-bucket/*")
//!     .condition_json(
//!         r#"{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}"#,
//!     )
//!     .build()?;
//! assert!(analysis::always(&set, &unencrypted, Expect::ExplicitDeny).is_proved());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The questions are decided by the engine below: a question becomes a formula whose
//! models are the requests that refute it. The encoder builds that formula from the
//! evaluator's own decision code, made generic over `logic::Logic`: on
//! `logic::Concrete` the code computes with `bool`, on `solve::Problem` it builds a
//! hash-consed and-inverter graph over *atoms*.
//!
//! What is decided exactly: every wildcard and case rule, every condition operator with
//! `IfExists` and the set qualifiers, multivalued keys, `Null` and missing keys, policy
//! variables, the `Not*` elements, every policy kind and the multi-policy rules,
//! same-account and cross-account. What answers [`Unknown`] instead
//! ([`UnknownKind::Unsupported`]): a `Bool` condition value that mixes text with policy
//! variables, and a value with more than four policy variables. And a question that runs
//! past its [`Options`] (one second, 100 000 conflicts, 100 000 states per walk over
//! string languages, by default) answers [`UnknownKind::Budget`].
//!
//! # Pieces
//!
//! - `logic`: the `Logic` trait, `Concrete`, the formula graph and its Tseitin
//!   encoding.
//! - `sat`: a CDCL solver (watched literals, first-UIP learning, VSIDS, phase
//!   saving, Luby restarts, clause deletion) with a `sat::Theory` hook: a theory sees
//!   every full assignment and answers consistent, a lemma, or unknown (with a clause
//!   that sets the undecided part aside; a search that then runs out of models reports
//!   unknown, never unsatisfiable).
//! - `theory`: what atoms mean. A *slot* is a string of the request (action,
//!   resource, a context key, an element of a multivalued key); atoms test slots against
//!   IAM patterns, ARN patterns, literals, `Bool` and base64 values, number and date
//!   comparisons, CIDRs, readability in each operator family, equality with another slot,
//!   and templates with policy variables. The slot theory decides each group of equal
//!   slots, with a witness string checked by the evaluator's own code.
//! - `solve`: `solve::Problem` (formulas plus atom table) and
//!   `solve::Problem::check`, returning `solve::Verdict`: `Sat(Model)` with a string
//!   per slot, `Unsat`, or `Unknown(budget::Unknown)`; `solve::Session` keeps a
//!   solver for blocking models and solving again.
//! - `multi`: multivalued keys as `2n + f` optional elements (the small-model bound).
//! - `budget`: `budget::Limits` (conflicts, walk states, deadline). Running out gives
//!   `Unknown(Budget)`, never a proof.
//! - `deps`: the evaluator types and functions the engine uses, imported in one
//!   place.
//!
//! # Soundness
//!
//! `Sat` models are re-checked atom by atom against the witnesses with the evaluator's
//! matchers and parsers before they are returned. `Unsat` rests only on lemmas that are
//! subsets of an assignment shown inconsistent by an exact argument or by an
//! over-approximation (a superset language); an answer a theory cannot give within its
//! exact fragment (see `theory`) or within the limits is `Unknown`.

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
