//! Condition operators and their evaluation.
pub(crate) mod arn;
pub(crate) mod binary;
pub(crate) mod date;
pub(crate) mod ip;
pub(crate) mod numeric;
