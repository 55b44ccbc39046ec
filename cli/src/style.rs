//! A few ANSI styles for terminal output: used only when stdout is a terminal and
//! `NO_COLOR` is not set (<https://no-color.org>).

use std::io::IsTerminal;

/// Whether to colour what goes to stdout.
pub(crate) fn stdout_wants_colour() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stdout().is_terminal()
}

/// A text style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Bold,
    Dim,
    Red,
    Green,
    Yellow,
    Cyan,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Bold => "1",
            Style::Dim => "2",
            Style::Red => "1;31",
            Style::Green => "1;32",
            Style::Yellow => "33",
            Style::Cyan => "36",
        }
    }
}

/// Applies styles, or does nothing when colour is off.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Painter {
    on: bool,
}

impl Painter {
    pub(crate) fn new(on: bool) -> Self {
        Painter { on }
    }

    pub(crate) fn paint(&self, style: Style, text: &str) -> String {
        if self.on {
            format!("\x1b[{}m{text}\x1b[0m", style.code())
        } else {
            text.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_leaves_text_alone() {
        assert_eq!(Painter::new(false).paint(Style::Red, "deny"), "deny");
        assert_eq!(
            Painter::new(true).paint(Style::Red, "deny"),
            "\x1b[1;31mdeny\x1b[0m"
        );
    }
}
