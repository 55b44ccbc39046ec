//! Errors of parsing and validating policies: every problem found, each a [`Diagnostic`].

use super::kind::PolicyKind;
use crate::diagnostic::Diagnostic;
use std::fmt;

/// A policy document that could not be parsed: every problem found, in source order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl ParseError {
    /// Every problem found, in source order (at least one).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
    /// Renders every diagnostic as [`Diagnostic::render`] does.
    pub fn render(&self, file: &str) -> String {
        render(&self.diagnostics, file)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_list(f, "invalid policy", &self.diagnostics)
    }
}

impl std::error::Error for ParseError {}

/// A parsed policy that breaks a rule of the kind it is used as (a `Principal` in an
/// identity-based policy, no `Resource` in an SCP, ...): every statement at fault, in
/// source order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub(crate) kind: PolicyKind,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl ValidationError {
    /// The kind the policy was checked as.
    pub fn policy_kind(&self) -> PolicyKind {
        self.kind
    }
    /// Every problem found, in source order (at least one).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
    /// Renders every diagnostic as [`Diagnostic::render`] does.
    pub fn render(&self, file: &str) -> String {
        render(&self.diagnostics, file)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = format!("not valid as {}", self.kind.with_article());
        write_list(f, &what, &self.diagnostics)
    }
}

impl std::error::Error for ValidationError {}

fn render(diagnostics: &[Diagnostic], file: &str) -> String {
    diagnostics
        .iter()
        .map(|d| d.render(file))
        .collect::<Vec<_>>()
        .join("\n")
}

fn write_list(f: &mut fmt::Formatter<'_>, what: &str, diagnostics: &[Diagnostic]) -> fmt::Result {
    match diagnostics {
        [] => f.write_str(what),
        [one] => write!(f, "{what}: {one}"),
        many => {
            write!(f, "{what}: {} problems", many.len())?;
            for d in many {
                write!(f, "\n{d}")?;
            }
            Ok(())
        }
    }
}
