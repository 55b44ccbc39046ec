//! Errors of parsing and validating policies: every problem found, each a [`Diagnostic`].

use super::kind::PolicyKind;
use crate::diagnostic::Diagnostic;
use std::fmt;
use std::path::{Path, PathBuf};

/// A policy document that could not be parsed: every problem found, in source order.
///
/// `Display` gives `invalid policy: ` and then each problem as
/// `LINE:COL: message (at JSON.PATH)` with its help on the next line (a single problem
/// on the first line, several after a count). [`ParseError::render`] gives the form
/// `iam-eval check` prints, with the file name and each problem's source line.
///
/// ```
/// use iam_eval::Policy;
///
/// let src = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Efect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}\n}";
/// let err = Policy::parse(src).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "invalid policy: 3:17: unknown element `Efect` in a statement (at `Statement.Efect`)\n  help: did you mean `Effect`?"
/// );
/// assert_eq!(
///     err.render("policy.json"),
///     r#"policy.json:3:17: error: unknown element `Efect` in a statement
///   |
/// 3 |   "Statement": {"Efect": "Allow", "Action": "*", "Resource": "*"}
///   |                 ^
///   = at: Statement.Efect
///   = help: did you mean `Effect`?
/// "#
/// );
/// ```
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
///
/// `Display` gives `not valid as ` and the kind, then each problem as `ParseError`'s
/// does; [`ValidationError::render`] adds the file name and source lines.
///
/// ```
/// use iam_eval::{Policy, PolicyKind};
///
/// let policy = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}"#)
///     .expect("it parses");
/// let err = policy.validate(PolicyKind::Scp).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "not valid as an SCP: 1:41: a statement in an SCP needs a `Resource` or `NotResource` element (at `Statement[0]`)\n  help: add `\"Resource\": \"*\"` or the ARNs the statement covers"
/// );
/// ```
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

/// A policy file could not be read or parsed ([`crate::Policy::from_file`]).
///
/// Its `Display` names the file and shows each problem as
/// `FILE:LINE:COL: message (at JSON.PATH)` with a help line, so `?` into a
/// `Box<dyn Error>` prints something a person can act on; [`LoadError::render`] adds the
/// source line of each problem, as `iam-eval check` prints it.
#[derive(Debug)]
pub struct LoadError {
    path: PathBuf,
    kind: LoadErrorKind,
}

/// Why a policy file could not be loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// The file could not be read.
    Io(std::io::Error),
    /// The file was read but is not a valid policy.
    Parse(ParseError),
}

impl LoadError {
    pub(crate) fn new(path: &Path, kind: LoadErrorKind) -> Self {
        LoadError {
            path: path.to_path_buf(),
            kind,
        }
    }
    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// Why it could not be loaded.
    pub fn kind(&self) -> &LoadErrorKind {
        &self.kind
    }
    /// The parse error, when the file was read but is not a valid policy.
    pub fn parse_error(&self) -> Option<&ParseError> {
        match &self.kind {
            LoadErrorKind::Parse(e) => Some(e),
            LoadErrorKind::Io(_) => None,
        }
    }
    /// The error for a terminal: for a policy that does not parse, every problem with
    /// its source line as [`Diagnostic::render`] shows it; otherwise the `Display` text.
    pub fn render(&self) -> String {
        match &self.kind {
            LoadErrorKind::Parse(e) => e.render(&self.path.display().to_string()),
            LoadErrorKind::Io(_) => format!("{self}\n"),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.path.display();
        match &self.kind {
            LoadErrorKind::Io(e) => write!(f, "{file}: cannot read the file: {e}"),
            LoadErrorKind::Parse(e) => {
                for (i, d) in e.diagnostics().iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{file}:{d}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            LoadErrorKind::Io(e) => Some(e),
            LoadErrorKind::Parse(e) => Some(e),
        }
    }
}
