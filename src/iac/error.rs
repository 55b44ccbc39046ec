//! The error type of the `iac` readers.

use super::tree::Syntax;
use std::fmt;

/// What went wrong when reading a plan or template, or when using what was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IacErrorKind {
    /// The file could not be read.
    Io,
    /// The text is neither a Terraform plan nor a CloudFormation template.
    NotRecognized,
    /// The JSON text is not well-formed.
    JsonSyntax,
    /// The YAML text is not well-formed, or uses YAML that a template cannot hold (a
    /// mapping key that is not a scalar, several documents).
    YamlSyntax,
    /// The plan's `format_version` has a major version this reader does not know.
    UnsupportedFormatVersion,
    /// The plan or template has the right shape at the top but a section of the wrong
    /// type (`Resources` that is not a mapping, ...).
    Malformed,
    /// Values nest deeper than the reader allows.
    TooDeep,
    /// The document is larger than the reader allows once YAML aliases are expanded.
    TooLarge,
    /// A lookup named an address, logical id or principal that is not in the extraction.
    NotFound,
    /// A policy still holds values that could not be resolved.
    Unresolved,
    /// A policy was resolved but is not a valid policy document.
    InvalidPolicy,
}

/// An error from reading a Terraform plan or a CloudFormation template, or from using
/// what was read.
///
/// `Display` gives the message alone; [`IacError::help`] gives advice where there is some,
/// meant for a separate `help:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IacError {
    kind: IacErrorKind,
    message: String,
    help: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    file: Option<String>,
}

impl IacError {
    pub(crate) fn new(kind: IacErrorKind, message: impl Into<String>) -> IacError {
        IacError {
            kind,
            message: message.into(),
            help: None,
            line: None,
            column: None,
            file: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> IacError {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn with_position(mut self, line: usize, column: usize) -> IacError {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub(crate) fn with_file(mut self, file: impl Into<String>) -> IacError {
        self.file = Some(file.into());
        self
    }

    pub(crate) fn syntax(syntax: Syntax, message: String, line: usize, column: usize) -> IacError {
        let kind = match syntax {
            Syntax::Json => IacErrorKind::JsonSyntax,
            Syntax::Yaml => IacErrorKind::YamlSyntax,
        };
        IacError::new(kind, message).with_position(line, column)
    }

    pub(crate) fn too_deep(line: usize, column: usize) -> IacError {
        IacError::new(
            IacErrorKind::TooDeep,
            format!(
                "values nest more than {} levels deep",
                super::tree::MAX_DEPTH
            ),
        )
        .with_position(line, column)
        .with_help(
            "plans and templates never nest this deeply; check that the file is the one you meant",
        )
    }

    /// What kind of error this is.
    pub fn kind(&self) -> IacErrorKind {
        self.kind
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Advice, if there is some.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// 1-based line in the source, where the error has a position.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// 1-based column in the source, counted in characters, where the error has a position.
    pub fn column(&self) -> Option<usize> {
        self.column
    }

    /// The file that was being read, when the error came from [`super::read_path`].
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// The error for a terminal: `FILE:LINE:COL: error: message` and the help line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Some(file) = &self.file {
            out.push_str(file);
            if let (Some(line), Some(column)) = (self.line, self.column) {
                out.push_str(&format!(":{line}:{column}"));
            }
            out.push_str(": ");
        } else if let (Some(line), Some(column)) = (self.line, self.column) {
            out.push_str(&format!("{line}:{column}: "));
        }
        out.push_str("error: ");
        out.push_str(&self.message);
        if let Some(help) = &self.help {
            out.push_str("\n  help: ");
            out.push_str(help);
        }
        out
    }
}

impl fmt::Display for IacError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IacError {}
