//! Why a test file could not be loaded.

use crate::{BuildError, ParseError, RequestError};
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
    /// The rendered diagnostics of a policy in the file, if that is what failed.
    pub fn detail(&self) -> Option<&str> {
        self.inner.detail.as_deref()
    }
}

impl fmt::Display for TestFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
            Cause::Build(e) => Some(e),
            Cause::Request(e) => Some(e),
        }
    }
}
