//! Policy documents: JSON with positions, the typed AST, lowering and validation.
//!
//! [`Policy::parse`] reads a document and reports every problem in it, each with its
//! JSON path, line and column. A parsed policy is then validated for the kind it is used
//! as ([`Policy::validate`]), which a [`crate::PolicySet`] builder does for you.

mod ast;
mod error;
mod kind;
mod lower;
mod validate;
pub(crate) mod value;
mod write;

pub use ast::{
    ActionSpec, ConditionBlock, ConditionEntry, ConditionValue, Effect, Policy, PrincipalEntry,
    PrincipalSpec, PrincipalType, Principals, ResourceSpec, SourcePos, Statement, Version,
};
pub use error::{ParseError, ValidationError};
pub use kind::{PolicyKind, UnknownKindError};

use crate::limits::Limits;

impl Policy {
    /// Parses a policy document with the default [`Limits`].
    ///
    /// # Errors
    /// A [`ParseError`] listing every problem in the document: JSON syntax (with the
    /// position of the first syntax error), unknown or duplicate elements, values of the
    /// wrong type, condition values the operator cannot compare, and size limits.
    pub fn parse(src: &str) -> Result<Policy, ParseError> {
        lower::parse(src, &Limits::default())
    }

    /// Parses a policy document from bytes (a file's contents); bytes that are not UTF-8
    /// are reported with their line and column.
    ///
    /// # Errors
    /// As [`Policy::parse`].
    pub fn parse_bytes(src: &[u8], limits: &Limits) -> Result<Policy, ParseError> {
        lower::parse_bytes(src, limits)
    }

    /// Parses a policy document with the given limits.
    ///
    /// # Errors
    /// As [`Policy::parse`].
    pub fn parse_with_limits(src: &str, limits: &Limits) -> Result<Policy, ParseError> {
        lower::parse(src, limits)
    }

    /// Checks the rules that depend on what the policy is used as: `Principal` is
    /// required in resource-based policies and RCPs and forbidden elsewhere; `Resource`
    /// is required except in resource-based policies.
    ///
    /// # Errors
    /// A [`ValidationError`] listing every statement that breaks a rule, with its
    /// position.
    pub fn validate(&self, kind: PolicyKind) -> Result<(), ValidationError> {
        validate::validate(self, kind)
    }

    /// The policy as JSON text, indented for diffs; parsing it again gives an equal policy.
    ///
    /// The indentation can make the text larger than the source: a policy near the size
    /// limit (written without whitespace) may need a larger
    /// [`Limits::with_max_policy_bytes`] to be parsed back.
    pub fn to_json(&self) -> String {
        write::to_json(self)
    }
}
