//! Why a request could not be built.

use std::fmt;

/// What was wrong with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestErrorKind {
    /// No principal was given.
    MissingPrincipal,
    /// The principal is not one of the documented caller forms.
    InvalidPrincipal,
    /// The action is not `service:ActionName`.
    InvalidAction,
    /// The action has a wildcard: a request names one action.
    WildcardAction,
    /// No resource was given.
    MissingResource,
    /// The resource is neither an ARN nor `*`.
    InvalidResource,
}

/// A request could not be built: its kind, what is wrong, and what would be valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    kind: RequestErrorKind,
    message: String,
    help: Option<String>,
}

impl RequestError {
    pub(crate) fn new(kind: RequestErrorKind, message: String, help: &str) -> Self {
        RequestError {
            kind,
            message,
            help: Some(help.to_string()),
        }
    }
    /// What kind of mistake it is.
    pub fn kind(&self) -> RequestErrorKind {
        self.kind
    }
    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// What would be valid.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RequestError {}
