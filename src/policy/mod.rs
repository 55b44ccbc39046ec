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
pub use error::{LoadError, LoadErrorKind, ParseError, ValidationError};
pub use kind::{PolicyKind, UnknownKindError};

use crate::limits::Limits;

impl Policy {
    /// Parses a policy document with the default [`Limits`].
    ///
    /// ```
    /// use iam_eval::Policy;
    ///
    /// let policy = Policy::parse(r#"{
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Sid": "Read", "Effect": "Allow",
    ///                  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}]
    /// }"#).expect("a valid policy");
    /// assert_eq!(policy.statements().len(), 1);
    ///
    /// // Every problem is reported, each with its line, column and JSON path.
    /// let err = Policy::parse(r#"{"Statement": [{"Efect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#)
    ///     .unwrap_err();
    /// let first = &err.diagnostics()[0];
    /// assert_eq!((first.line(), first.column()), (1, 17));
    /// assert_eq!(first.message(), "unknown element `Efect` in a statement");
    /// assert_eq!(first.help(), Some("did you mean `Effect`?"));
    /// ```
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
    /// ```
    /// use iam_eval::{Limits, Policy};
    ///
    /// let bytes = br#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}"#;
    /// let policy = Policy::parse_bytes(bytes, &Limits::default()).expect("a valid policy");
    /// assert_eq!(policy.statements().len(), 1);
    ///
    /// let err = Policy::parse_bytes(b"{\"Version\": \"\xff\"}", &Limits::default()).unwrap_err();
    /// assert_eq!(err.diagnostics()[0].column(), 14);
    /// ```
    ///
    /// # Errors
    /// As [`Policy::parse`].
    pub fn parse_bytes(src: &[u8], limits: &Limits) -> Result<Policy, ParseError> {
        lower::parse_bytes(src, limits)
    }

    /// Parses a policy document with the given limits: what an embedding server uses
    /// for policies written by its customers.
    ///
    /// ```
    /// use iam_eval::{Limits, Policy};
    ///
    /// let limits = Limits::default().with_max_statements(1);
    /// let two = r#"{"Version": "2012-10-17", "Statement": [
    ///   {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    ///   {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}"#;
    /// let err = Policy::parse_with_limits(two, &limits).unwrap_err();
    /// assert_eq!(
    ///     err.diagnostics()[0].message(),
    ///     "the policy has 2 statements, over the limit of 1"
    /// );
    /// ```
    ///
    /// # Errors
    /// As [`Policy::parse`].
    pub fn parse_with_limits(src: &str, limits: &Limits) -> Result<Policy, ParseError> {
        lower::parse(src, limits)
    }

    /// Reads and parses a policy file with the default [`Limits`].
    ///
    /// ```no_run
    /// use iam_eval::Policy;
    ///
    /// fn main() -> Result<(), Box<dyn std::error::Error>> {
    ///     // On error, `?` prints `bucket-policy.json:5:7: unknown element ...`.
    ///     let policy = Policy::from_file("bucket-policy.json")?;
    ///     println!("{} statements", policy.statements().len());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// # Errors
    /// A [`LoadError`] naming the file: [`LoadErrorKind::Io`] when it cannot be read,
    /// [`LoadErrorKind::Parse`] with the [`ParseError`] when it is not a valid policy.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Policy, LoadError> {
        Policy::from_file_with_limits(path, &Limits::default())
    }

    /// As [`Policy::from_file`], with the given limits.
    ///
    /// # Errors
    /// As [`Policy::from_file`].
    pub fn from_file_with_limits(
        path: impl AsRef<std::path::Path>,
        limits: &Limits,
    ) -> Result<Policy, LoadError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| LoadError::new(path, LoadErrorKind::Io(e)))?;
        lower::parse_bytes(&bytes, limits)
            .map_err(|e| LoadError::new(path, LoadErrorKind::Parse(e)))
    }

    /// Checks the rules that depend on what the policy is used as: `Principal` is
    /// required in resource-based policies and RCPs and forbidden elsewhere; `Resource`
    /// is required except in resource-based policies. [`crate::PolicySetBuilder::build`]
    /// checks this too; call it to check a policy on its own.
    ///
    /// ```
    /// use iam_eval::{Policy, PolicyKind};
    ///
    /// let bucket = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    ///   "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}]}"#)
    ///     .expect("a valid policy");
    /// assert!(bucket.validate(PolicyKind::Resource).is_ok());
    /// let err = bucket.validate(PolicyKind::Identity).unwrap_err();
    /// assert_eq!(
    ///     err.diagnostics()[0].message(),
    ///     "an identity-based policy cannot have a `Principal` element"
    /// );
    /// ```
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
    ///
    /// ```
    /// use iam_eval::Policy;
    ///
    /// let policy = Policy::parse(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#)
    ///     .expect("a valid policy");
    /// let text = policy.to_json();
    /// assert!(text.contains("\"Action\": \"s3:GetObject\""));
    /// assert_eq!(Policy::parse(&text).expect("it parses back"), policy);
    /// ```
    pub fn to_json(&self) -> String {
        write::to_json(self)
    }
}
