//! Condition operators and their evaluation.
pub(crate) mod arn;
pub(crate) mod binary;
pub(crate) mod compiled;
pub(crate) mod date;
pub(crate) mod ip;
pub(crate) mod numeric;
mod operator;

pub use operator::{
    Comparison, ConditionOperator, Family, Operator, OperatorInfo, SetQualifier, OPERATORS,
};
