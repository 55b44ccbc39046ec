//! Why a test file could not be loaded.

use crate::{BuildError, Diagnostic, ParseError, RequestError, ValidationError};
use std::fmt;

/// What went wrong with a test file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TestFileErrorKind {
    /// A file or folder could not be read.
    Io,
    /// The file is not UTF-8.
    NotUtf8,
    /// The file is not valid JSON.
    Syntax,
    /// The JSON does not follow the test-file format: an unknown or missing field, a
    /// value of the wrong type, an unknown kind or decision.
    Format,
    /// A policy in the file could not be parsed.
    Policy,
    /// A policy is not valid for its kind, or two policies share an id.
    Build,
    /// A case's request is not valid.
    Request,
}

/// Where a policy, a build or a request went wrong, when that is the cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cause {
    Parse(ParseError),
    Validation(ValidationError),
    Build(BuildError),
    Request(RequestError),
}

/// A test file could not be read, parsed or built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFileError {
    /// Boxed: the error travels in every `Result` of the reader.
    inner: Box<Inner>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Inner {
    pub(crate) kind: TestFileErrorKind,
    pub(crate) file: String,
    pub(crate) location: Option<(usize, usize)>,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
    pub(crate) detail: Option<String>,
    pub(crate) cause: Option<Cause>,
    /// A broken policy's problems, positioned in `file`.
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) reference: Option<PolicyReference>,
}

/// Where a test file names a policy file: the entry of its `policies` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyReference {
    pub(crate) file: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) entry: String,
    pub(crate) kind: String,
}

impl PolicyReference {
    /// The test file.
    pub fn file(&self) -> &str {
        &self.file
    }
    /// 1-based line of the entry in the test file.
    pub fn line(&self) -> usize {
        self.line
    }
    /// 1-based column of the entry in the test file.
    pub fn column(&self) -> usize {
        self.column
    }
    /// The entry, such as `policies[0]`.
    pub fn entry(&self) -> &str {
        &self.entry
    }
    /// The kind the entry loads the policy as, such as `identity`.
    pub fn kind(&self) -> &str {
        &self.kind
    }
}

/// Shown as ``FILE:LINE:COL: note: referenced by `policies[0]` of this test file (kind `identity`)``.
impl fmt::Display for PolicyReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: note: referenced by `{}` of this test file (kind `{}`)",
            self.file, self.line, self.column, self.entry, self.kind
        )
    }
}

impl TestFileError {
    pub(crate) fn new(kind: TestFileErrorKind, file: &str, message: String) -> Self {
        TestFileError {
            inner: Box::new(Inner {
                kind,
                file: file.to_string(),
                location: None,
                message,
                help: None,
                detail: None,
                cause: None,
                diagnostics: Vec::new(),
                reference: None,
            }),
        }
    }
    pub(crate) fn at(mut self, line: usize, column: usize) -> Self {
        self.inner.location = Some((line, column));
        self
    }
    pub(crate) fn with_help(mut self, help: Option<String>) -> Self {
        self.inner.help = help;
        self
    }
    pub(crate) fn with_detail(mut self, detail: Option<String>) -> Self {
        self.inner.detail = detail;
        self
    }
    pub(crate) fn caused_by(mut self, cause: Cause) -> Self {
        self.inner.cause = Some(cause);
        self
    }
    pub(crate) fn map_kind(mut self, kind: TestFileErrorKind) -> Self {
        self.inner.kind = kind;
        self
    }
    pub(crate) fn with_diagnostics(
        mut self,
        diagnostics: Vec<Diagnostic>,
        reference: Option<PolicyReference>,
    ) -> Self {
        self.inner.diagnostics = diagnostics;
        self.inner.reference = reference;
        self
    }
    /// What kind of mistake it is.
    pub fn kind(&self) -> TestFileErrorKind {
        self.inner.kind
    }
    /// The file at fault: the test file, or a policy file it names.
    pub fn file(&self) -> &str {
        &self.inner.file
    }
    /// 1-based line of the problem, when it has a place in the file.
    pub fn line(&self) -> Option<usize> {
        self.inner.location.map(|(line, _)| line)
    }
    /// 1-based column of the problem, when it has a place in the file.
    pub fn column(&self) -> Option<usize> {
        self.inner.location.map(|(_, column)| column)
    }
    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.inner.message
    }
    /// What would be valid, if there is advice to give.
    pub fn help(&self) -> Option<&str> {
        self.inner.help.as_deref()
    }
    /// Every problem of a policy that failed, one per line as
    /// `FILE:LINE:COL: error: message`, if that is what failed.
    pub fn detail(&self) -> Option<&str> {
        self.inner.detail.as_deref()
    }
    /// The problems of a policy that could not be parsed or is not valid as its kind,
    /// with lines and columns in [`TestFileError::file`] (for a policy written inline,
    /// the test file's); empty for other errors. [`Diagnostic::render`] shows each with
    /// its source line.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.inner.diagnostics
    }
    /// For a broken policy file, the entry of the test file that names it.
    pub fn referenced_by(&self) -> Option<&PolicyReference> {
        self.inner.reference.as_ref()
    }
}

/// A broken policy shows each of its problems as [`Diagnostic::render`] does, then the
/// entry of the test file that names it; other errors show
/// `FILE:LINE:COL: error: message` and a help line.
impl fmt::Display for TestFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.inner.diagnostics.is_empty() {
            let rendered: Vec<String> = self
                .inner
                .diagnostics
                .iter()
                .map(|d| d.render(&self.inner.file))
                .collect();
            f.write_str(rendered.join("\n").trim_end())?;
            if let Some(r) = &self.inner.reference {
                write!(f, "\n{r}")?;
            }
            return Ok(());
        }
        match self.inner.location {
            Some((line, column)) => write!(
                f,
                "{}:{line}:{column}: error: {}",
                self.inner.file, self.inner.message
            )?,
            None => write!(f, "{}: error: {}", self.inner.file, self.inner.message)?,
        }
        if let Some(help) = &self.inner.help {
            write!(f, "\n  help: {help}")?;
        }
        if let Some(d) = &self.inner.detail {
            write!(f, "\n{}", d.trim_end())?;
        }
        Ok(())
    }
}

impl std::error::Error for TestFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.inner.cause.as_ref()? {
            Cause::Parse(e) => Some(e),
            Cause::Validation(e) => Some(e),
            Cause::Build(e) => Some(e),
            Cause::Request(e) => Some(e),
        }
    }
}
