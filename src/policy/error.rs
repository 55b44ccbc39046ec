//! Parse errors with the JSON path, line and column of each problem.

use std::fmt;

/// One problem found in a policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub(crate) path: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
    pub(crate) line_text: String,
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
    /// line with a marker under the column, the JSON path and the help line.
    pub fn render(&self, file: &str) -> String {
        let mut out = format!(
            "{file}:{}:{}: error: {}\n",
            self.line, self.column, self.message
        );
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        // Tabs keep their width so the marker lines up under the right character.
        let marker_pad: String = self
            .line_text
            .chars()
            .take(self.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        out.push_str(&format!(
            "{gutter} |\n{number} | {}\n{gutter} | {marker_pad}^\n",
            self.line_text
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

/// A policy document that could not be parsed: every problem found, in source order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
        self.diagnostics
            .iter()
            .map(|d| d.render(file))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.diagnostics.as_slice() {
            [] => f.write_str("invalid policy"),
            [one] => write!(f, "invalid policy: {one}"),
            many => {
                write!(f, "invalid policy: {} problems", many.len())?;
                for d in many {
                    write!(f, "\n{d}")?;
                }
                Ok(())
            }
        }
    }
}
