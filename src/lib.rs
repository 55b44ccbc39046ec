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

// Layers, from the bottom; a module imports only from its own layer or those below it
// (`tests/layering.rs` checks this, and ARCHITECTURE.md describes each layer).
//
// leaves: the JSON reader, diagnostics, value readers, the operator table, wildcard
// patterns, policy-variable templates, suggestions, limits, hashing, inline lists, and
// the Boolean logic the rules of evaluation are written against.
mod diagnostic;
mod hash;
mod inline;
mod json;
mod keys;
mod limits;
mod logic;
mod operator;
mod pattern;
mod suggest;
mod template;
mod value;
// The AST: lowering from JSON, validation by kind, writing back.
mod policy;
// Lints: policies that parse but do not do what their author meant.
mod lint;
// Requests: principals, context values.
mod request;
// Compiled statements, principals and conditions; the statement index.
mod compile;
// The policy set, the decision, responses and traces.
mod eval;
// Policies read from Terraform plans and CloudFormation templates.
#[cfg(feature = "iac")]
pub mod iac;
// Universal questions about a policy set: proofs and counterexamples.
pub mod analysis;
#[doc(hidden)]
pub use analysis::bench as __analysis_bench;
// Policy test files.
mod testfile;

pub use compile::{ElementMatch, Outcome, ProblemKind, MAX_PROBLEMS};
pub use diagnostic::Diagnostic;
pub use eval::response::{
    Decision, Problem, Reason, Response, StatementLabel, StatementRef, MAX_DETERMINING,
};
pub use eval::trace::{ConditionTrace, ContextEntryTrace, PolicyTrace, StatementTrace, Trace};
pub use eval::{BuildError, BuildErrorKind, PolicySet, PolicySetBuilder, UnreadKey};
pub use limits::Limits;
pub use lint::{service_reference_version, Finding, Lint, Severity};
pub use operator::{ConditionOperator, Family, Operator, SetQualifier};
pub use pattern::{Case, Pattern};
pub use policy::{
    ActionSpec, ConditionBlock, ConditionEntry, ConditionValue, Effect, LoadError, LoadErrorKind,
    ParseError, Policy, PolicyKind, PrincipalEntry, PrincipalSpec, PrincipalType, Principals,
    ResourceSpec, SourcePos, Statement, UnknownKindError, ValidationError, Version,
};
pub use request::{
    Context, ContextInput, ContextWarning, Principal, PrincipalKind, Request, RequestBuilder,
    RequestError, RequestErrorKind, Values,
};
pub use testfile::{
    CaseResult, PolicyReference, PolicyWarning, Property, PropertyOutcome, PropertyResult,
    RequestSpec, RunOptions, TestCase, TestFile, TestFileError, TestFileErrorKind, TestReport,
};
