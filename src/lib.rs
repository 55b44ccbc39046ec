//! iam-eval: decide AWS access requests offline, exactly as AWS does.
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

pub mod condition;
mod limits;
pub mod pattern;
pub mod policy;

pub use limits::Limits;
pub use policy::{Policy, PolicyKind};
