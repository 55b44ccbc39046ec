//! One tree for JSON and YAML sources, with the line and column of every value. JSON is
//! read by the library's positioned JSON reader and converted.

use super::error::IacError;
use crate::json::{Json, JsonKind, LineIndex};
use std::collections::HashSet;

/// How deeply values may nest in a plan or template. Real plans and templates stay far
/// below it; the limit keeps recursion on hostile input bounded.
pub(crate) const MAX_DEPTH: usize = 200;

/// A value and where it starts in the source (1-based line, 1-based column counted in
/// characters).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    /// The number's text as written, already checked to be a JSON number.
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Members in source order; keys are unique (readers reject duplicates).
    Object(Vec<(String, Node)>),
}

impl Node {
    pub(crate) fn new(value: Value, line: usize, column: usize) -> Node {
        Node {
            value,
            line,
            column,
        }
    }

    /// A value made during resolution, placed where the expression it replaces was.
    pub(crate) fn at(value: Value, place: &Node) -> Node {
        Node::new(value, place.line, place.column)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub(crate) fn as_object(&self) -> Option<&[(String, Node)]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The text of a scalar as CloudFormation turns it into a string (numbers and
    /// booleans become their text).
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        }
    }

    /// The value as JSON text, indented by two spaces per level.
    pub(crate) fn to_json(&self) -> String {
        let mut out = String::new();
        write_json(self, 0, &mut out);
        out
    }
}

fn write_json(node: &Node, indent: usize, out: &mut String) {
    let pad = |out: &mut String, n: usize| out.extend(std::iter::repeat_n("  ", n));
    match &node.value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(n),
        Value::String(s) => write_string(s, out),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(members) if members.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                pad(out, indent + 1);
                write_json(item, indent + 1, out);
            }
            out.push('\n');
            pad(out, indent);
            out.push(']');
        }
        Value::Object(members) => {
            out.push_str("{\n");
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                pad(out, indent + 1);
                write_string(key, out);
                out.push_str(": ");
                write_json(value, indent + 1, out);
            }
            out.push('\n');
            pad(out, indent);
            out.push('}');
        }
    }
}

pub(crate) fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Which kind of document a syntax error is reported for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    Json,
    Yaml,
}

/// Reads JSON text into a tree, with the library's JSON reader (strict RFC 8259, every
/// position kept). Duplicate keys are refused: a template with two `PolicyDocument` keys
/// must not have one of them silently win.
pub(crate) fn parse_json(text: &str) -> Result<Node, IacError> {
    let index = LineIndex::new(text);
    // One level more than the tree allows, so that too deep a document is reported as
    // such rather than as a syntax error.
    let json = crate::json::parse(text, MAX_DEPTH + 1).map_err(|e| {
        let (line, column) = index.line_col(text, e.offset);
        if e.message.starts_with("nesting deeper than") {
            IacError::too_deep(line, column)
        } else {
            IacError::syntax(Syntax::Json, e.message, line, column)
        }
    })?;
    convert(&json, text, &index)
}

/// The library's positioned JSON tree as an IaC tree. The reader's depth limit bounds
/// the recursion.
fn convert(json: &Json, text: &str, index: &LineIndex) -> Result<Node, IacError> {
    let (line, column) = index.line_col(text, json.span.start);
    let value = match &json.kind {
        JsonKind::Null => Value::Null,
        JsonKind::Bool(b) => Value::Bool(*b),
        JsonKind::Number(n) => Value::Number(n.clone()),
        JsonKind::String(s) => Value::String(s.clone()),
        JsonKind::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| convert(item, text, index))
                .collect::<Result<_, _>>()?,
        ),
        JsonKind::Object(members) => {
            let mut seen: HashSet<&str> = HashSet::new();
            let mut out = Vec::with_capacity(members.len());
            for m in members {
                if !seen.insert(&m.key) {
                    let (line, column) = index.line_col(text, m.key_span.start);
                    return Err(IacError::syntax(
                        Syntax::Json,
                        format!("duplicate key `{}`", m.key),
                        line,
                        column,
                    ));
                }
                out.push((m.key.clone(), convert(&m.value, text, index)?));
            }
            Value::Object(out)
        }
    };
    Ok(Node::new(value, line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_lines() {
        let node = parse_json("{\n  \"é\": [1, \"x\"],\n  \"b\": null}").unwrap();
        let arr = node.get("é").unwrap();
        assert_eq!((arr.line, arr.column), (2, 8));
        let x = arr.as_array().unwrap().get(1).unwrap();
        assert_eq!((x.line, x.column), (2, 12));
        assert!(node.get("b").unwrap().is_null());
    }

    #[test]
    fn rejects_duplicates_trailing_commas_and_bad_numbers() {
        for (text, line, column) in [
            ("{\"a\": 1, \"a\": 2}", 1, 10),
            ("[1, 2,]", 1, 6),
            ("01", 1, 1),
            ("\"\\ud800\"", 1, 2),
            ("{} x", 1, 4),
        ] {
            let err = parse_json(text).unwrap_err();
            assert_eq!(
                (err.line(), err.column()),
                (Some(line), Some(column)),
                "{text}"
            );
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "[".repeat(MAX_DEPTH + 5);
        let err = parse_json(&deep).unwrap_err();
        assert_eq!(err.kind(), super::super::IacErrorKind::TooDeep);
    }

    #[test]
    fn writes_back_what_it_read() {
        let text = r#"{"a": [1, -2.5e3, true, null, "q\"\\\n\u0001é"], "b": {}}"#;
        let node = parse_json(text).unwrap();
        let again = parse_json(&node.to_json()).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&node.to_json()).unwrap(),
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
        assert_eq!(again.get("a").unwrap().as_array().unwrap().len(), 5);
    }
}
