//! Diagnostics: one problem in a JSON document, with its JSON path, line and column, the
//! source line it is on, and advice.

use std::fmt;
use std::sync::Arc;

/// The most characters of a long source line that [`Diagnostic::render`] shows around
/// the column.
const RENDER_WINDOW: usize = 120;

/// One problem found in a policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub(crate) path: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
    /// Shared by the diagnostics on one line (see [`LineCache`]): a minified policy is
    /// one line, and a copy in each of its thousands of diagnostics took memory
    /// quadratic in the policy's size.
    pub(crate) line_text: Arc<str>,
}

impl Diagnostic {
    /// The JSON path of the element, such as `Statement[1].Condition.StringNotEquals`;
    /// empty for the document itself.
    pub fn path(&self) -> &str {
        &self.path
    }
    /// 1-based line in the source.
    pub fn line(&self) -> usize {
        self.line
    }
    /// 1-based column in the source, counted in characters.
    pub fn column(&self) -> usize {
        self.column
    }
    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// What would be valid, if there is advice to give.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
    /// The source line the problem is on, without its line ending.
    pub fn source_line(&self) -> &str {
        &self.line_text
    }

    /// Renders the diagnostic for a terminal: `FILE:LINE:COL: error: message`, the source
    /// line with a marker under the column, the JSON path and the help line. Of a line
    /// longer than 120 characters, the 120 around the column are shown, between `...`.
    pub fn render(&self, file: &str) -> String {
        self.render_as(file, "error")
    }

    /// Renders the diagnostic as [`Diagnostic::render`] does, with `label` (`warning`,
    /// `security`, ...) in place of `error`.
    pub fn render_as(&self, file: &str, label: &str) -> String {
        let mut out = format!(
            "{file}:{}:{}: {label}: {}\n",
            self.line, self.column, self.message
        );
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        let (start, at, end) = window(&self.line_text, self.column);
        let text = |from: usize, to: usize| self.line_text.get(from..to).unwrap_or_default();
        let lead = if start > 0 { "..." } else { "" };
        let tail = if end < self.line_text.len() {
            "..."
        } else {
            ""
        };
        // Tabs keep their width so the marker lines up under the right character.
        let marker_pad: String = lead
            .chars()
            .chain(text(start, at).chars())
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        out.push_str(&format!(
            "{gutter} |\n{number} | {lead}{}{tail}\n{gutter} | {marker_pad}^\n",
            text(start, end)
        ));
        if !self.path.is_empty() {
            out.push_str(&format!("{gutter} = at: {}\n", self.path));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("{gutter} = help: {help}\n"));
        }
        out
    }
}

/// The part of `line` that [`Diagnostic::render`] shows for 1-based `column`, as byte
/// offsets: where it starts, where the column is, and where it ends. A long line (a
/// minified policy is one line) is cut to [`RENDER_WINDOW`] characters, a third of them
/// before the column, so that rendering thousands of diagnostics on it stays linear.
fn window(line: &str, column: usize) -> (usize, usize, usize) {
    let chars_before = column.saturating_sub(1);
    let at = match line.get(..chars_before) {
        // On ASCII text a column is a byte offset, found without counting.
        Some(head) if head.is_ascii() => chars_before,
        _ => line
            .char_indices()
            .nth(chars_before)
            .map_or(line.len(), |(i, _)| i),
    };
    if line.len() <= RENDER_WINDOW {
        return (0, at, line.len());
    }
    let head = line.get(..at).unwrap_or_default();
    let start = head
        .char_indices()
        .rev()
        .nth(RENDER_WINDOW / 3 - 1)
        .map_or(0, |(i, _)| i);
    let before = head.get(start..).unwrap_or_default().chars().count();
    let rest = line.get(at..).unwrap_or_default();
    let end = rest
        .char_indices()
        .nth(RENDER_WINDOW - before)
        .map_or(line.len(), |(i, _)| at + i);
    (start, at, end)
}

/// Shares the text of the last line asked for, so that diagnostics on one line hold one
/// copy of it.
#[derive(Default)]
pub(crate) struct LineCache(Option<(usize, Arc<str>)>);

impl LineCache {
    /// The text of 1-based `line`, from `text` on a miss.
    pub(crate) fn get<'t>(&mut self, line: usize, text: impl FnOnce() -> &'t str) -> Arc<str> {
        match &self.0 {
            Some((cached, shared)) if *cached == line => Arc::clone(shared),
            _ => {
                let shared: Arc<str> = Arc::from(text());
                self.0 = Some((line, Arc::clone(&shared)));
                shared
            }
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)?;
        if !self.path.is_empty() {
            write!(f, " (at `{}`)", self.path)?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}
