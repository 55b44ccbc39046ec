//! Reading a test file's JSON tree with positions: every error names its line and
//! column, and the format's rules are checked (unknown fields are an error, so a typo in
//! `expect` cannot pass silently; duplicate keys too).

use super::error::{TestFileError, TestFileErrorKind};
use crate::json::{Fields, Issue, Json, LineIndex};

/// A test file's (or request file's) text, for positions.
pub(crate) struct Reader<'s> {
    pub(crate) src: &'s str,
    pub(crate) name: &'s str,
    pub(crate) index: LineIndex,
}

impl<'s> Reader<'s> {
    pub(crate) fn new(src: &'s str, name: &'s str) -> Self {
        Reader {
            src,
            name,
            index: LineIndex::new(src),
        }
    }

    /// The JSON tree of the text.
    pub(crate) fn tree(&self) -> Result<Json, TestFileError> {
        crate::json::parse(self.src, 64).map_err(|e| {
            self.err(TestFileErrorKind::Syntax, e.offset, e.message)
                .with_help(e.help)
        })
    }

    /// The line and column of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        self.index.line_col(self.src, offset)
    }

    /// An error of `kind` at a byte offset.
    pub(crate) fn err(
        &self,
        kind: TestFileErrorKind,
        offset: usize,
        message: String,
    ) -> TestFileError {
        let (line, column) = self.line_col(offset);
        TestFileError::new(kind, self.name, message).at(line, column)
    }

    /// A format error from a reading issue.
    pub(crate) fn issue(&self, issue: Issue) -> TestFileError {
        self.err(TestFileErrorKind::Format, issue.span.start, issue.message)
            .with_help(issue.help)
    }

    /// The fields of an object, checked against the names allowed.
    pub(crate) fn object<'j>(
        &self,
        json: &'j Json,
        what: &str,
        allowed: &[&str],
    ) -> Result<Fields<'j>, TestFileError> {
        let members = json.object(what).map_err(|i| self.issue(i))?;
        let mut issues = Vec::new();
        let fields = Fields::check(
            members,
            allowed,
            "field",
            what,
            |offset| self.line_col(offset),
            &mut issues,
        );
        match issues.into_iter().next() {
            Some(first) => Err(self.issue(first)),
            None => Ok(fields),
        }
    }

    pub(crate) fn string<'j>(&self, json: &'j Json, what: &str) -> Result<&'j str, TestFileError> {
        json.string(what).map_err(|i| self.issue(i))
    }

    pub(crate) fn array<'j>(
        &self,
        json: &'j Json,
        what: &str,
    ) -> Result<&'j [Json], TestFileError> {
        json.array(what).map_err(|i| self.issue(i))
    }

    pub(crate) fn required<'j>(
        &self,
        fields: &Fields<'j>,
        name: &str,
        at: &Json,
        what: &str,
    ) -> Result<&'j Json, TestFileError> {
        fields.required(name, at, what).map_err(|i| self.issue(i))
    }
}
