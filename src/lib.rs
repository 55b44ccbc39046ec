#![doc = include_str!("../README.md")]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        reason = "tests may panic on a broken expectation"
    )
)]
#![forbid(unsafe_code)]

mod analysis;
#[doc(hidden)]
pub use analysis::bench as __analysis_bench;
pub mod condition;
mod eval;
mod hash;
mod limits;
pub mod pattern;
pub mod policy;
mod request;
pub mod testfile;

pub use eval::response::{
    Decision, Problem, ProblemKind, Reason, Response, StatementRef, MAX_DETERMINING, MAX_PROBLEMS,
};
pub use eval::trace::{ConditionTrace, ElementMatch, Outcome, PolicyTrace, StatementTrace, Trace};
pub use eval::{BuildError, PolicySet, PolicySetBuilder};
pub use limits::Limits;
pub use policy::{Policy, PolicyKind};
pub use request::{
    Context, ContextInput, Principal, PrincipalKind, Request, RequestBuilder, RequestError, Values,
};
