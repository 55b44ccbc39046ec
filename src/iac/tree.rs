//! One tree for JSON and YAML sources, with the line and column of every value, and a JSON
//! reader that fills it.
//!
//! The library's own policy reader is not used here: templates and plans are not policies,
//! and this module must not depend on the library's internal modules.

use super::error::IacError;
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

/// Reads JSON text into a tree. Strict RFC 8259: no comments, no trailing commas, no
/// duplicate keys (a template with two `PolicyDocument` keys must not have one of them
/// silently win).
pub(crate) fn parse_json(text: &str) -> Result<Node, IacError> {
    let mut reader = Reader {
        src: text.as_bytes(),
        pos: 0,
        line: 1,
        column: 1,
    };
    if reader.src.starts_with("\u{feff}".as_bytes()) {
        reader.pos = 3;
    }
    reader.skip_ws();
    let node = reader.value(0)?;
    reader.skip_ws();
    if reader.pos < reader.src.len() {
        return Err(reader.error("unexpected text after the JSON value"));
    }
    Ok(node)
}

struct Reader<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
    column: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    /// Moves past one byte, keeping line and column: a column counts characters, so UTF-8
    /// continuation bytes do not advance it.
    fn bump(&mut self) {
        if let Some(b) = self.peek() {
            if b == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if b & 0xC0 != 0x80 {
                self.column += 1;
            }
            self.pos += 1;
        }
    }

    fn error(&self, message: &str) -> IacError {
        IacError::syntax(Syntax::Json, message.to_string(), self.line, self.column)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn expect_word(&mut self, word: &str) -> Result<(), IacError> {
        if self.src.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            for _ in 0..word.len() {
                self.bump();
            }
            Ok(())
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, IacError> {
        if depth > MAX_DEPTH {
            return Err(IacError::too_deep(self.line, self.column));
        }
        let (line, column) = (self.line, self.column);
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => {
                self.expect_word("true")?;
                Value::Bool(true)
            }
            Some(b'f') => {
                self.expect_word("false")?;
                Value::Bool(false)
            }
            Some(b'n') => {
                self.expect_word("null")?;
                Value::Null
            }
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.error("expected a JSON value")),
            None => return Err(self.error("unexpected end of input: expected a JSON value")),
        };
        Ok(Node::new(value, line, column))
    }

    fn object(&mut self, depth: usize) -> Result<Value, IacError> {
        self.bump();
        let mut members: Vec<(String, Node)> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name in double quotes"));
            }
            let (line, column) = (self.line, self.column);
            let key = self.string()?;
            if !seen.insert(key.clone()) {
                return Err(IacError::syntax(
                    Syntax::Json,
                    format!("duplicate key `{key}`"),
                    line,
                    column,
                ));
            }
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:` after the member name"));
            }
            self.bump();
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b'}') => {
                    self.bump();
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected `,` or `}` in an object")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, IacError> {
        self.bump();
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b']') => {
                    self.bump();
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]` in an array")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, IacError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => self.bump(),
            Some(b'1'..=b'9') => {
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.bump();
                }
            }
            _ => return Err(self.error("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit after the decimal point"));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.bump();
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.bump();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit in the exponent"));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.bump();
            }
        }
        let text = self.src.get(start..self.pos).unwrap_or_default();
        Ok(Value::Number(String::from_utf8_lossy(text).into_owned()))
    }

    fn string(&mut self) -> Result<String, IacError> {
        self.bump();
        let mut out: Vec<u8> = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.bump();
                    break;
                }
                Some(b'\\') => {
                    self.bump();
                    let Some(escape) = self.peek() else {
                        return Err(self.error("unterminated string"));
                    };
                    let simple = match escape {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(0x08),
                        b'f' => Some(0x0c),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        _ => None,
                    };
                    if let Some(b) = simple {
                        self.bump();
                        out.push(b);
                        continue;
                    }
                    if escape != b'u' {
                        return Err(self.error("invalid escape in a string"));
                    }
                    self.bump();
                    let c = self.unicode_escape()?;
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                Some(b) if b < 0x20 => {
                    return Err(self.error("control character in a string: write it escaped"))
                }
                Some(b) => {
                    out.push(b);
                    self.bump();
                }
            }
        }
        String::from_utf8(out).map_err(|_| self.error("the string is not valid UTF-8"))
    }

    fn hex4(&mut self) -> Result<u32, IacError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(self.error("expected four hex digits after `\\u`")),
            };
            v = v * 16 + u32::from(d);
            self.bump();
        }
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Result<char, IacError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if self.src.get(self.pos..self.pos + 2) != Some(b"\\u".as_slice()) {
                return Err(self.error("unpaired surrogate in a `\\u` escape"));
            }
            self.bump();
            self.bump();
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("unpaired surrogate in a `\\u` escape"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("unpaired surrogate in a `\\u` escape"))
    }
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
            ("[1, 2,]", 1, 7),
            ("01", 1, 2),
            ("\"\\ud800\"", 1, 8),
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
