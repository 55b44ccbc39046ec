//! A strict RFC 8259 JSON reader that keeps the byte span of every value and object key.
//!
//! Policy errors must point at the line and column of the offending element, and duplicate
//! keys must be reported rather than silently collapsed. serde_json can do neither, so policy
//! documents are read with this parser and lowered from the resulting [`Json`] tree.
//!
//! The parser is iterative (an explicit stack, no recursion), runs in time linear in the
//! input and never panics. `max_depth` bounds the nesting of the tree it returns, which in
//! turn bounds the recursion of anything that walks or drops that tree.

use std::str::Utf8Error;

/// The byte order mark some editors put at the start of UTF-8 files; RFC 8259 §8.1 lets a
/// parser ignore it.
const BOM: char = '\u{feff}';

const VALID_ESCAPES_HELP: &str =
    "valid escapes are `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` and `\\uXXXX`";

/// A word longer than this is cut short in messages, so that one bad token cannot flood the
/// error output.
const MAX_SNIPPET_CHARS: usize = 32;

/// A range of byte offsets into the source, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// Offset of the first byte.
    pub(crate) start: usize,
    /// Offset one past the last byte.
    pub(crate) end: usize,
}

/// A JSON value and where it sits in the source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Json {
    /// What the value is.
    pub(crate) kind: JsonKind,
    /// The bytes of the value, including quotes and brackets.
    pub(crate) span: Span,
}

/// The kinds of JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written so that later stages decide how to read it (IAM compares
    /// some numbers as strings, and `10.50` must not silently become `10.5`).
    Number(String),
    /// A string, with escapes resolved.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's members in source order. Duplicate keys are kept so that a later stage can
    /// report them with both positions.
    Object(Vec<Member>),
}

impl JsonKind {
    /// The name of this kind for messages such as "expected a string, found an array".
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a boolean",
            JsonKind::Number(_) => "a number",
            JsonKind::String(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }
}

/// One `"key": value` pair of an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    /// The key, with escapes resolved.
    pub(crate) key: String,
    /// The bytes of the key, including its quotes.
    pub(crate) key_span: Span,
    /// The value.
    pub(crate) value: Json,
}

/// Why a document is not valid JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// Byte offset of the offending character; the input length when the input ended early.
    pub(crate) offset: usize,
    /// What was found and what would have been valid.
    pub(crate) message: String,
    /// Advice on fixing it, if there is any worth giving.
    pub(crate) help: Option<String>,
}

impl SyntaxError {
    fn new(offset: usize, message: impl Into<String>) -> Self {
        SyntaxError {
            offset,
            message: message.into(),
            help: None,
        }
    }

    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Keeps a more specific help that is already there.
    fn or_help(mut self, help: impl Into<String>) -> Self {
        if self.help.is_none() {
            self.help = Some(help.into());
        }
        self
    }
}

/// Parses one JSON document.
///
/// `max_depth` is the maximum nesting of arrays and objects; the top-level value counts as
/// depth 1, so `max_depth = 1` accepts `[1]` but not `[[1]]`.
///
/// # Errors
///
/// Returns the first syntax error, or an error when nesting exceeds `max_depth`.
pub(crate) fn parse(src: &str, max_depth: usize) -> Result<Json, SyntaxError> {
    Parser {
        src,
        pos: 0,
        max_depth,
    }
    .document()
}

/// Like [`parse`], but for raw bytes that may not be UTF-8.
///
/// On success the spans index into `src`, which is then known to be valid UTF-8.
///
/// # Errors
///
/// Returns an error at the first byte that is not valid UTF-8, or any error of [`parse`].
pub(crate) fn parse_bytes(src: &[u8], max_depth: usize) -> Result<Json, SyntaxError> {
    match std::str::from_utf8(src) {
        Ok(text) => parse(text, max_depth),
        Err(err) => Err(utf8_error(src, &err)),
    }
}

fn utf8_error(src: &[u8], err: &Utf8Error) -> SyntaxError {
    let offset = err.valid_up_to();
    let message = match (err.error_len(), src.get(offset)) {
        (Some(_), Some(byte)) => {
            format!("invalid UTF-8: byte 0x{byte:02X} does not form a valid character here")
        }
        _ => "invalid UTF-8: the input ends in the middle of a character".to_owned(),
    };
    let help = if src.starts_with(&[0xFF, 0xFE]) || src.starts_with(&[0xFE, 0xFF]) {
        "the document looks like UTF-16; save it as UTF-8"
    } else {
        "policy documents must be encoded as UTF-8"
    };
    SyntaxError::new(offset, message).with_help(help)
}

/// An array or object whose closing bracket has not been reached yet.
enum Frame {
    Array {
        start: usize,
        items: Vec<Json>,
    },
    Object {
        start: usize,
        members: Vec<Member>,
        /// The key whose value is being parsed.
        key: String,
        key_span: Span,
    },
}

struct Parser<'a> {
    src: &'a str,
    /// INVARIANT: always on a char boundary of `src`, and at most `src.len()`.
    pos: usize,
    max_depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.src
            .as_bytes()
            .get(self.pos.checked_add(ahead)?)
            .copied()
    }

    fn peek_char(&self) -> Option<char> {
        self.src.get(self.pos..)?.chars().next()
    }

    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or_default()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn document(mut self) -> Result<Json, SyntaxError> {
        if self.src.starts_with(BOM) {
            self.pos = BOM.len_utf8();
        }
        self.skip_ws();
        if self.peek().is_none() {
            return Err(self.expected("a value").with_help("the document is empty"));
        }
        // Containers being filled, innermost last. Completed values never nest deeper than
        // `max_depth`, so only this flat stack grows with the input.
        let mut stack: Vec<Frame> = Vec::new();
        'value: loop {
            self.skip_ws();
            let start = self.pos;
            let mut value = match self.peek() {
                Some(b'[') => {
                    self.open(stack.len())?;
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        Json {
                            kind: JsonKind::Array(Vec::new()),
                            span: Span {
                                start,
                                end: self.pos,
                            },
                        }
                    } else {
                        stack.push(Frame::Array {
                            start,
                            items: Vec::new(),
                        });
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    self.open(stack.len())?;
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        Json {
                            kind: JsonKind::Object(Vec::new()),
                            span: Span {
                                start,
                                end: self.pos,
                            },
                        }
                    } else {
                        let (key, key_span) = self.member_key("an object key or `}`")?;
                        stack.push(Frame::Object {
                            start,
                            members: Vec::new(),
                            key,
                            key_span,
                        });
                        continue 'value;
                    }
                }
                _ => self.scalar()?,
            };
            // Hand the finished value to its container, closing as many containers as the
            // input closes here.
            loop {
                self.skip_ws();
                let Some(mut frame) = stack.pop() else {
                    return self.finish(value);
                };
                match &mut frame {
                    Frame::Array { items, .. } => {
                        items.push(value);
                        match self.peek() {
                            Some(b',') => {
                                self.comma(b']', "element")?;
                                stack.push(frame);
                                continue 'value;
                            }
                            Some(b']') => {}
                            _ => {
                                return Err(self
                                    .after_item("`,` or `]` after an array element", "elements"))
                            }
                        }
                    }
                    Frame::Object {
                        members,
                        key,
                        key_span,
                        ..
                    } => {
                        members.push(Member {
                            key: std::mem::take(key),
                            key_span: *key_span,
                            value,
                        });
                        match self.peek() {
                            Some(b',') => {
                                self.comma(b'}', "member")?;
                                (*key, *key_span) = self.member_key("an object key")?;
                                stack.push(frame);
                                continue 'value;
                            }
                            Some(b'}') => {}
                            _ => {
                                return Err(
                                    self.after_item("`,` or `}` after an object member", "members")
                                )
                            }
                        }
                    }
                }
                // Only a closing bracket gets here.
                self.pos += 1;
                value = frame.close(self.pos);
            }
        }
    }

    /// Consumes an opening bracket, refusing to go deeper than `max_depth`.
    fn open(&mut self, open_containers: usize) -> Result<(), SyntaxError> {
        if open_containers >= self.max_depth {
            return Err(SyntaxError::new(
                self.pos,
                format!("nesting deeper than {} levels", self.max_depth),
            )
            .with_help("policies do not nest this deep; the limit is configurable"));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(())
    }

    /// Consumes a `,` and rejects a closing bracket right after it.
    fn comma(&mut self, close: u8, item: &str) -> Result<(), SyntaxError> {
        let comma = self.pos;
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(close) {
            return Err(SyntaxError::new(
                comma,
                format!("trailing comma before `{}`", char::from(close)),
            )
            .with_help(format!("JSON does not allow a comma after the last {item}")));
        }
        Ok(())
    }

    /// Parses `"key" :`, leaving the position at the member's value.
    fn member_key(&mut self, expected: &str) -> Result<(String, Span), SyntaxError> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            let err = self.unexpected(expected);
            return Err(match self.peek() {
                Some(byte) if byte.is_ascii_alphabetic() || byte == b'_' => {
                    err.or_help("object keys must be strings in double quotes")
                }
                _ => err,
            });
        }
        let start = self.pos;
        let key = self.string()?;
        let span = Span {
            start,
            end: self.pos,
        };
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("`:` after an object key"));
        }
        self.pos += 1;
        Ok((key, span))
    }

    fn finish(&self, value: Json) -> Result<Json, SyntaxError> {
        if self.peek().is_none() {
            Ok(value)
        } else {
            Err(self
                .unexpected("end of input after the value")
                .or_help("a JSON document holds exactly one value"))
        }
    }

    fn scalar(&mut self) -> Result<Json, SyntaxError> {
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'"') => JsonKind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => JsonKind::Number(self.number()?),
            Some(byte) if byte.is_ascii_alphabetic() => self.literal()?,
            Some(b'+') => {
                return Err(self
                    .unexpected("a value")
                    .with_help("JSON numbers cannot start with `+`"))
            }
            Some(b'.') => {
                return Err(self
                    .unexpected("a value")
                    .with_help("JSON numbers need a digit before the decimal point, as in `0.5`"))
            }
            _ => return Err(self.unexpected("a value")),
        };
        Ok(Json {
            kind,
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    fn literal(&mut self) -> Result<JsonKind, SyntaxError> {
        let rest = self.rest();
        let len = rest
            .bytes()
            .take_while(|byte| byte.is_ascii_alphanumeric() || *byte == b'_')
            .count();
        let word = rest.get(..len).unwrap_or_default();
        let kind = match word {
            "true" => JsonKind::Bool(true),
            "false" => JsonKind::Bool(false),
            "null" => JsonKind::Null,
            _ => {
                let lower = word.to_ascii_lowercase();
                let help = match lower.as_str() {
                    "true" | "false" | "null" => format!("JSON literals are lowercase: `{lower}`"),
                    "nan" | "infinity" | "inf" => {
                        "JSON has no NaN or Infinity; write the value as a string".to_owned()
                    }
                    "undefined" | "none" | "nil" => {
                        "JSON has no `undefined`; use `null` or leave the member out".to_owned()
                    }
                    _ => format!("strings must be in double quotes: `\"{}\"`", snippet(word)),
                };
                return Err(SyntaxError::new(
                    self.pos,
                    format!("expected a value, found `{}`", snippet(word)),
                )
                .with_help(help));
            }
        };
        self.pos += len;
        Ok(kind)
    }

    /// Parses `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` and returns its text.
    fn number(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                if matches!(self.peek_at(1), Some(b'0'..=b'9')) {
                    let zero = self.pos;
                    self.skip_digits();
                    let text = self.src.get(start..self.pos).unwrap_or_default();
                    let digits = text.trim_start_matches('-').trim_start_matches('0');
                    let fixed = if digits.is_empty() { "0" } else { digits };
                    let sign = if text.starts_with('-') { "-" } else { "" };
                    return Err(SyntaxError::new(
                        zero,
                        format!("leading zero in number `{}`", snippet(text)),
                    )
                    .with_help(format!(
                        "JSON numbers cannot start with `0` unless they are `0`; write `{sign}{}`, \
                         or a string if the zeros matter",
                        snippet(fixed)
                    )));
                }
                self.pos += 1;
            }
            Some(b'1'..=b'9') => self.skip_digits(),
            _ => {
                let err = self.unexpected("a digit after `-`");
                return Err(if self.rest().starts_with("Infinity") {
                    err.or_help("JSON has no NaN or Infinity; write the value as a string")
                } else {
                    err
                });
            }
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.unexpected("a digit after the decimal point"));
            }
            self.skip_digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.unexpected("a digit in the exponent"));
            }
            self.skip_digits();
        }
        Ok(self.src.get(start..self.pos).unwrap_or_default().to_owned())
    }

    fn skip_digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    /// Parses a string starting at its opening quote and returns it unescaped.
    fn string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = self.rest();
            let run = rest
                .bytes()
                .position(|byte| byte == b'"' || byte == b'\\' || byte < 0x20)
                .unwrap_or(rest.len());
            // `run` stops at an ASCII byte or the end, so it is a char boundary.
            out.push_str(rest.get(..run).unwrap_or_default());
            self.pos += run;
            match self.peek() {
                None => {
                    return Err(SyntaxError::new(self.pos, "unterminated string")
                        .with_help("add the closing `\"`"))
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(control) => return Err(self.control_in_string(control)),
            }
        }
    }

    fn control_in_string(&self, control: u8) -> SyntaxError {
        let err = SyntaxError::new(
            self.pos,
            format!("unescaped control character (U+{control:04X}) in a string"),
        );
        match control {
            b'\n' | b'\r' => {
                err.with_help("strings cannot span lines; write a line break as `\\n`, or close the string with `\"`")
            }
            b'\t' => err.with_help("write a tab as `\\t`"),
            _ => err.with_help(format!("write it as `\\u{control:04X}`")),
        }
    }

    /// Parses an escape starting at its backslash and appends the character it stands for.
    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let backslash = self.pos;
        self.pos += 1;
        let Some(letter) = self.peek_char() else {
            return Err(
                SyntaxError::new(self.pos, "unterminated string").with_help("add the closing `\"`")
            );
        };
        let unescaped = match letter {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                self.pos += 1;
                return self.unicode_escape(backslash, out);
            }
            other => {
                let message = if other.is_control() {
                    format!("invalid escape: `\\` followed by {}", describe_char(other))
                } else {
                    format!("invalid escape `\\{other}`")
                };
                return Err(SyntaxError::new(backslash, message).with_help(VALID_ESCAPES_HELP));
            }
        };
        self.pos += 1;
        out.push(unescaped);
        Ok(())
    }

    /// Parses the digits of `\uXXXX`, and of the low surrogate escape that must follow a
    /// high one.
    fn unicode_escape(&mut self, backslash: usize, out: &mut String) -> Result<(), SyntaxError> {
        let first = self.hex4()?;
        let escape_text = self.src.get(backslash..self.pos).unwrap_or_default();
        let code =
            match first {
                0xD800..=0xDBFF => {
                    if self.peek() != Some(b'\\') || self.peek_at(1) != Some(b'u') {
                        return Err(unpaired_high(backslash, escape_text));
                    }
                    let after_first = self.pos;
                    self.pos += 2;
                    let second = self.hex4()?;
                    if !(0xDC00..=0xDFFF).contains(&second) {
                        self.pos = after_first;
                        return Err(unpaired_high(backslash, escape_text));
                    }
                    0x1_0000 + ((u32::from(first) - 0xD800) << 10 | (u32::from(second) - 0xDC00))
                }
                0xDC00..=0xDFFF => return Err(SyntaxError::new(
                    backslash,
                    format!("unpaired surrogate `{escape_text}`"),
                )
                .with_help(
                    "a low surrogate (`\\uDC00` to `\\uDFFF`) is only valid right after a high \
                     surrogate (`\\uD800` to `\\uDBFF`)",
                )),
                _ => u32::from(first),
            };
        let Some(ch) = char::from_u32(code) else {
            // Unreachable: surrogates were excluded and a pair decodes to at most U+10FFFF.
            return Err(SyntaxError::new(
                backslash,
                format!("invalid unicode escape `{escape_text}`"),
            ));
        };
        out.push(ch);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, SyntaxError> {
        let mut value: u16 = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|byte| char::from(byte).to_digit(16))
                .and_then(|digit| u16::try_from(digit).ok());
            let Some(digit) = digit else {
                return Err(self
                    .expected("4 hex digits after `\\u`")
                    .with_help("a unicode escape looks like `\\u00E9`"));
            };
            value = value << 4 | digit;
            self.pos += 1;
        }
        Ok(value)
    }

    /// The error after an array element or object member, suggesting a missing comma when
    /// the next token could start another item.
    fn after_item(&self, expected: &str, items: &str) -> SyntaxError {
        let err = self.unexpected(expected);
        match self.peek() {
            Some(b'"' | b'[' | b'{' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
                err.or_help(format!("add a `,` between {items}"))
            }
            _ => err,
        }
    }

    /// "expected …, found …" at the current position.
    fn expected(&self, expected: &str) -> SyntaxError {
        let found = match self.peek_char() {
            None => "end of input".to_owned(),
            Some(ch) => describe_char(ch),
        };
        SyntaxError::new(self.pos, format!("expected {expected}, found {found}"))
    }

    /// Like [`Parser::expected`], but recognises the usual non-JSON habits outside strings.
    fn unexpected(&self, expected: &str) -> SyntaxError {
        if self.peek() == Some(b'/') && matches!(self.peek_at(1), Some(b'/' | b'*')) {
            return SyntaxError::new(self.pos, "comments are not allowed in JSON")
                .with_help("remove the comment");
        }
        let err = self.expected(expected);
        match self.peek_char() {
            Some('\'') => err.with_help("JSON strings use double quotes"),
            Some(ch) if is_invisible(ch) => err.with_help(
                "JSON allows only space, tab, line feed and carriage return as whitespace",
            ),
            _ => err,
        }
    }
}

impl Frame {
    fn close(self, end: usize) -> Json {
        match self {
            Frame::Array { start, items } => Json {
                kind: JsonKind::Array(items),
                span: Span { start, end },
            },
            Frame::Object { start, members, .. } => Json {
                kind: JsonKind::Object(members),
                span: Span { start, end },
            },
        }
    }
}

fn unpaired_high(backslash: usize, escape_text: &str) -> SyntaxError {
    SyntaxError::new(backslash, format!("unpaired surrogate `{escape_text}`")).with_help(
        "a high surrogate (`\\uD800` to `\\uDBFF`) must be followed right away by a low \
         surrogate escape (`\\uDC00` to `\\uDFFF`)",
    )
}

/// Characters that look like whitespace, or like nothing, in an editor.
fn is_invisible(ch: char) -> bool {
    !ch.is_ascii()
        && (ch.is_whitespace() || matches!(ch, BOM | '\u{200b}'..='\u{200d}' | '\u{2060}'))
}

fn describe_char(ch: char) -> String {
    if ch.is_control() {
        format!("a control character (U+{:04X})", u32::from(ch))
    } else if is_invisible(ch) {
        format!("the invisible character U+{:04X}", u32::from(ch))
    } else {
        format!("`{ch}`")
    }
}

fn snippet(text: &str) -> String {
    match text.char_indices().nth(MAX_SNIPPET_CHARS) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_owned(),
    }
}

/// Maps byte offsets to 1-based line and column numbers.
///
/// Lines end at LF, CRLF or a lone CR. Columns count Unicode scalar values, so a tab or a
/// multibyte character is one column; a leading byte order mark is not counted.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    /// Byte offset where each line starts; never empty.
    starts: Vec<usize>,
    /// Whether each line is ASCII, so its columns are byte offsets.
    ascii: Vec<bool>,
    /// The last (line start, offset, column) counted on a non-ASCII line: lowering asks
    /// for positions in increasing order, so counting resumes there and a policy on one
    /// long line costs one pass, not one pass per element.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl LineIndex {
    /// Indexes the line starts of `src`.
    pub(crate) fn new(src: &str) -> LineIndex {
        let first = if src.starts_with(BOM) {
            BOM.len_utf8()
        } else {
            0
        };
        let bytes = src.as_bytes();
        let mut starts = vec![first];
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        for (i, &byte) in bytes.iter().enumerate().skip(first) {
            line_ascii &= byte.is_ascii();
            let ends_line = byte == b'\n' || (byte == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
                ascii.push(line_ascii);
                line_ascii = true;
            }
        }
        ascii.push(line_ascii);
        LineIndex {
            starts,
            ascii,
            last: std::cell::Cell::new((usize::MAX, 0, 0)),
        }
    }

    /// The line and column of `offset` in `src`, the text this index was built from.
    ///
    /// An offset inside a multibyte character maps to that character, and one past the end
    /// is clamped to the end.
    pub(crate) fn line_col(&self, src: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(src.len());
        while !src.is_char_boundary(offset) {
            offset = offset.saturating_sub(1);
        }
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        if self
            .ascii
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(false)
        {
            return (line, offset.saturating_sub(start) + 1);
        }
        let (last_start, last_offset, last_column) = self.last.get();
        let (from, base) = if last_start == start && last_offset <= offset {
            (last_offset, last_column)
        } else {
            (start, 0)
        };
        let column = base + src.get(from..offset).map_or(0, |text| text.chars().count());
        self.last.set((start, offset, column));
        (line, column + 1)
    }

    /// The text of 1-based `line` without its terminator, or `""` if there is no such line.
    pub(crate) fn line_text<'a>(&self, src: &'a str, line: usize) -> &'a str {
        let Some(&start) = line.checked_sub(1).and_then(|index| self.starts.get(index)) else {
            return "";
        };
        let end = self.starts.get(line).copied().unwrap_or(src.len());
        let text = src.get(start..end).unwrap_or_default();
        let text = text.strip_suffix('\n').unwrap_or(text);
        text.strip_suffix('\r').unwrap_or(text)
    }
}

/// A value of the wrong shape found while reading a document as a policy, a test file or
/// a request: where it is, what is wrong and what would be valid. Each reader turns
/// these into its own errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issue {
    pub(crate) span: Span,
    /// The object member the issue is about, if it is about one.
    pub(crate) member: Option<String>,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
}

impl Issue {
    /// `{what} must be {expected}, found {the kind found}`.
    pub(crate) fn wrong_type(json: &Json, what: &str, expected: &str) -> Issue {
        Issue {
            span: json.span,
            member: None,
            message: format!("{what} must be {expected}, found {}", json.kind.type_name()),
            help: None,
        }
    }
}

impl Json {
    /// The members of an object.
    pub(crate) fn object(&self, what: &str) -> Result<&[Member], Issue> {
        match &self.kind {
            JsonKind::Object(members) => Ok(members),
            _ => Err(Issue::wrong_type(self, what, "an object")),
        }
    }
    /// The text of a string.
    pub(crate) fn string(&self, what: &str) -> Result<&str, Issue> {
        match &self.kind {
            JsonKind::String(s) => Ok(s),
            _ => Err(Issue::wrong_type(self, what, "a string")),
        }
    }
    /// The items of an array.
    pub(crate) fn array(&self, what: &str) -> Result<&[Json], Issue> {
        match &self.kind {
            JsonKind::Array(items) => Ok(items),
            _ => Err(Issue::wrong_type(self, what, "an array")),
        }
    }
    /// The value of the first member named `key`, if this is an object that has one.
    pub(crate) fn member(&self, key: &str) -> Option<&Json> {
        match &self.kind {
            JsonKind::Object(members) => members.iter().find(|m| m.key == key).map(|m| &m.value),
            _ => None,
        }
    }
}

/// The members of an object whose names are among those allowed, each once.
pub(crate) struct Fields<'j> {
    members: Vec<&'j Member>,
}

impl<'j> Fields<'j> {
    /// Checks an object's members against the names allowed: a repeated name (only one
    /// would take effect) and an unknown one (with the closest allowed name) are issues.
    /// `noun` names a member in messages (`element`, `field`); `what` names the object
    /// (`a statement`). `line_col` gives the position of a byte offset.
    pub(crate) fn check(
        members: &'j [Member],
        known: &[&str],
        noun: &str,
        what: &str,
        line_col: impl Fn(usize) -> (usize, usize),
        issues: &mut Vec<Issue>,
    ) -> Fields<'j> {
        let mut out: Vec<&'j Member> = Vec::new();
        for m in members {
            if let Some(first) = out.iter().find(|o| o.key == m.key) {
                let (line, column) = line_col(first.key_span.start);
                issues.push(Issue {
                    span: m.key_span,
                    member: Some(m.key.clone()),
                    message: format!(
                        "duplicate {noun} `{}` (first at line {line}, column {column})",
                        m.key
                    ),
                    help: Some("a JSON object may hold each key once; merge the two, since only one would take effect".into()),
                });
                continue;
            }
            if !known.contains(&m.key.as_str()) {
                let help = match crate::suggest::best(&m.key, known.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => {
                        let names: Vec<String> = known.iter().map(|n| format!("`{n}`")).collect();
                        format!("{what} may contain {}", names.join(", "))
                    }
                };
                issues.push(Issue {
                    span: m.key_span,
                    member: Some(m.key.clone()),
                    message: format!("unknown {noun} `{}` in {what}", m.key),
                    help: Some(help),
                });
                continue;
            }
            out.push(m);
        }
        Fields { members: out }
    }

    /// The members kept, in source order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'j Member> + '_ {
        self.members.iter().copied()
    }

    /// The value of the member `name`, if present.
    pub(crate) fn get(&self, name: &str) -> Option<&'j Json> {
        self.members
            .iter()
            .find(|m| m.key == name)
            .map(|m| &m.value)
    }

    /// The value of the member `name`; an issue at `at` naming `what` if it is missing.
    pub(crate) fn required(&self, name: &str, at: &Json, what: &str) -> Result<&'j Json, Issue> {
        self.get(name).ok_or_else(|| Issue {
            span: Span {
                start: at.span.start,
                end: at.span.start,
            },
            member: None,
            message: format!("{what} needs a `{name}` field"),
            help: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::fmt::Write as _;

    const DEPTH: usize = 64;

    /// Renders a tree compactly with every span, so a table can pin kinds and spans at once.
    fn sketch(json: &Json) -> String {
        let mut out = String::new();
        write_sketch(json, &mut out);
        out
    }

    fn write_sketch(json: &Json, out: &mut String) {
        match &json.kind {
            JsonKind::Null => out.push_str("null"),
            JsonKind::Bool(b) => write!(out, "{b}").unwrap(),
            JsonKind::Number(text) => write!(out, "#{text}").unwrap(),
            JsonKind::String(s) => write!(out, "{s:?}").unwrap(),
            JsonKind::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_sketch(item, out);
                }
                out.push(']');
            }
            JsonKind::Object(members) => {
                out.push('{');
                for (i, member) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let Span { start, end } = member.key_span;
                    write!(out, "{:?}@{start}..{end}: ", member.key).unwrap();
                    write_sketch(&member.value, out);
                }
                out.push('}');
            }
        }
        write!(out, "@{}..{}", json.span.start, json.span.end).unwrap();
    }

    #[test]
    fn valid_documents() {
        let cases: &[(&str, &str)] = &[
            ("null", "null@0..4"),
            (" true ", "true@1..5"),
            ("\tfalse\r\n", "false@1..6"),
            ("0", "#0@0..1"),
            ("-0", "#-0@0..2"),
            ("10.5", "#10.5@0..4"),
            ("1e3", "#1e3@0..3"),
            ("-12.50E+07", "#-12.50E+07@0..10"),
            ("1E-0", "#1E-0@0..4"),
            (r#""""#, r#"""@0..2"#),
            (r#""a\"b\\c\/d""#, r#""a\"b\\c/d"@0..12"#),
            (r#""\b\f\n\r\t""#, r#""\u{8}\u{c}\n\r\t"@0..12"#),
            (r#""\u00e9\u00C9""#, r#""éÉ"@0..14"#),
            (r#""\ud83d\ude00""#, r#""😀"@0..14"#),
            (r#""é😀""#, r#""é😀"@0..8"#),
            ("[]", "[]@0..2"),
            ("[ ]", "[]@0..3"),
            ("{}", "{}@0..2"),
            ("{ \n }", "{}@0..5"),
            (
                r#"{"a": [1, "x"]}"#,
                r#"{"a"@1..4: [#1@7..8, "x"@10..13]@6..14}@0..15"#,
            ),
            (
                r#"[[], {}, [[null]]]"#,
                "[[]@1..3, {}@5..7, [[null@11..15]@10..16]@9..17]@0..18",
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}"#,
                r#"{"Version"@1..10: "2012-10-17"@11..23, "Statement"@24..35: [{"Effect"@38..46: "Allow"@47..54}@37..55]@36..56}@0..57"#,
            ),
            // Duplicate keys are kept, in source order.
            (
                r#"{"a":1,"a":2}"#,
                r#"{"a"@1..4: #1@5..6, "a"@7..10: #2@11..12}@0..13"#,
            ),
            // A BOM is skipped, but spans still count its three bytes.
            ("\u{feff}[1]", "[#1@4..5]@3..6"),
            ("\u{feff} {}", "{}@4..6"),
        ];
        for (src, expected) in cases {
            let json = parse(src, DEPTH).unwrap_or_else(|e| panic!("{src:?}: {e:?}"));
            assert_eq!(sketch(&json), *expected, "{src:?}");
        }
    }

    #[test]
    fn spans_cover_the_source_text() {
        let src = r#"{"a": [1, "x"]}"#;
        let json = parse(src, DEPTH).unwrap();
        let JsonKind::Object(members) = &json.kind else {
            panic!("not an object")
        };
        let [member] = members.as_slice() else {
            panic!("not one member")
        };
        let text = |span: Span| &src[span.start..span.end];
        assert_eq!(text(json.span), src);
        assert_eq!(text(member.key_span), r#""a""#);
        assert_eq!(text(member.value.span), r#"[1, "x"]"#);
        assert_eq!(member.value.kind.type_name(), "an array");
    }

    #[test]
    fn syntax_errors() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 0, "expected a value, found end of input"),
            ("  \n", 3, "expected a value, found end of input"),
            ("\u{feff}", 3, "expected a value, found end of input"),
            ("[", 1, "expected a value, found end of input"),
            (
                "[1",
                2,
                "expected `,` or `]` after an array element, found end of input",
            ),
            (
                "[1}",
                2,
                "expected `,` or `]` after an array element, found `}`",
            ),
            (
                "[1 2]",
                3,
                "expected `,` or `]` after an array element, found `2`",
            ),
            ("[1,]", 2, "trailing comma before `]`"),
            ("[1, ]", 2, "trailing comma before `]`"),
            ("[,1]", 1, "expected a value, found `,`"),
            ("[1,,2]", 3, "expected a value, found `,`"),
            ("{\"a\":1,}", 6, "trailing comma before `}`"),
            (
                "{\"a\":1]",
                6,
                "expected `,` or `}` after an object member, found `]`",
            ),
            (
                "{\"a\" 1}",
                5,
                "expected `:` after an object key, found `1`",
            ),
            ("{\"a\":}", 5, "expected a value, found `}`"),
            ("{a:1}", 1, "expected an object key or `}`, found `a`"),
            ("{\"a\":1,2}", 7, "expected an object key, found `2`"),
            ("{'a':1}", 1, "expected an object key or `}`, found `'`"),
            ("['a']", 1, "expected a value, found `'`"),
            ("{", 1, "expected an object key or `}`, found end of input"),
            ("]", 0, "expected a value, found `]`"),
            ("1 2", 2, "expected end of input after the value, found `2`"),
            (
                "{} x",
                3,
                "expected end of input after the value, found `x`",
            ),
            ("// hi\n{}", 0, "comments are not allowed in JSON"),
            ("[1 /* two */]", 3, "comments are not allowed in JSON"),
            ("{}/", 2, "expected end of input after the value, found `/`"),
            ("01", 0, "leading zero in number `01`"),
            ("-007", 1, "leading zero in number `-007`"),
            ("+1", 0, "expected a value, found `+`"),
            (".5", 0, "expected a value, found `.`"),
            ("-", 1, "expected a digit after `-`, found end of input"),
            ("-Infinity", 1, "expected a digit after `-`, found `I`"),
            (
                "1.",
                2,
                "expected a digit after the decimal point, found end of input",
            ),
            (
                "1.e5",
                2,
                "expected a digit after the decimal point, found `e`",
            ),
            (
                "1e",
                2,
                "expected a digit in the exponent, found end of input",
            ),
            (
                "1e+",
                3,
                "expected a digit in the exponent, found end of input",
            ),
            ("NaN", 0, "expected a value, found `NaN`"),
            ("True", 0, "expected a value, found `True`"),
            ("nul", 0, "expected a value, found `nul`"),
            ("truex", 0, "expected a value, found `truex`"),
            ("[Allow]", 1, "expected a value, found `Allow`"),
            ("\"abc", 4, "unterminated string"),
            ("\"abc\\", 5, "unterminated string"),
            (
                "\"a\tb\"",
                2,
                "unescaped control character (U+0009) in a string",
            ),
            (
                "\"a\nb\"",
                2,
                "unescaped control character (U+000A) in a string",
            ),
            (
                "\"\u{0}\"",
                1,
                "unescaped control character (U+0000) in a string",
            ),
            (r#""\x""#, 1, "invalid escape `\\x`"),
            (r#""a\'""#, 2, "invalid escape `\\'`"),
            (
                "\"\\\n\"",
                1,
                "invalid escape: `\\` followed by a control character (U+000A)",
            ),
            (
                r#""\u12""#,
                5,
                "expected 4 hex digits after `\\u`, found `\"`",
            ),
            (
                r#""\uZZZZ""#,
                3,
                "expected 4 hex digits after `\\u`, found `Z`",
            ),
            (r#""\ud83d""#, 1, "unpaired surrogate `\\ud83d`"),
            (r#""\ud83dx""#, 1, "unpaired surrogate `\\ud83d`"),
            (r#""\ud83d\u0041""#, 1, "unpaired surrogate `\\ud83d`"),
            (r#""\ud83d\ud83d""#, 1, "unpaired surrogate `\\ud83d`"),
            (r#""\ude00""#, 1, "unpaired surrogate `\\ude00`"),
            (
                r#""\ud83d\uZ""#,
                9,
                "expected 4 hex digits after `\\u`, found `Z`",
            ),
            (
                "\u{a0}1",
                0,
                "expected a value, found the invisible character U+00A0",
            ),
            (
                "[1,\u{feff}2]",
                3,
                "expected a value, found the invisible character U+FEFF",
            ),
            (
                "\u{7f}",
                0,
                "expected a value, found a control character (U+007F)",
            ),
            (
                "[\u{c}]",
                1,
                "expected a value, found a control character (U+000C)",
            ),
            ("é", 0, "expected a value, found `é`"),
            (
                "[[1]",
                4,
                "expected `,` or `]` after an array element, found end of input",
            ),
        ];
        for (src, offset, message) in cases {
            let err = parse(src, DEPTH).expect_err(src);
            assert_eq!(
                (err.offset, err.message.as_str()),
                (*offset, *message),
                "{src:?}"
            );
            assert!(err.offset <= src.len(), "{src:?}");
            assert!(
                !err.message.ends_with('.') && err.message.starts_with(|c: char| !c.is_uppercase()),
                "{src:?}: style of {:?}",
                err.message
            );
        }
    }

    #[test]
    fn errors_give_help_where_it_matters() {
        let cases: &[(&str, &str)] = &[
            ("", "the document is empty"),
            ("[1,]", "JSON does not allow a comma after the last element"),
            (
                "{\"a\":1,}",
                "JSON does not allow a comma after the last member",
            ),
            ("[1 2]", "add a `,` between elements"),
            ("{\"a\":1 \"b\":2}", "add a `,` between members"),
            ("{a:1}", "object keys must be strings in double quotes"),
            ("{'a':1}", "JSON strings use double quotes"),
            ("True", "JSON literals are lowercase: `true`"),
            ("[Allow]", "strings must be in double quotes: `\"Allow\"`"),
            (
                "NaN",
                "JSON has no NaN or Infinity; write the value as a string",
            ),
            (
                "-Infinity",
                "JSON has no NaN or Infinity; write the value as a string",
            ),
            ("+1", "JSON numbers cannot start with `+`"),
            (
                "007",
                "JSON numbers cannot start with `0` unless they are `0`; write `7`, \
                 or a string if the zeros matter",
            ),
            (r#""\x""#, VALID_ESCAPES_HELP),
            ("\"a\tb\"", "write a tab as `\\t`"),
            ("\"\u{1}\"", "write it as `\\u0001`"),
            ("1 2", "a JSON document holds exactly one value"),
            ("{} // x", "remove the comment"),
            (
                "\u{a0}1",
                "JSON allows only space, tab, line feed and carriage return as whitespace",
            ),
            (
                "[[1]]",
                "policies do not nest this deep; the limit is configurable",
            ),
        ];
        for (src, help) in cases {
            let err = parse(src, 1).expect_err(src);
            assert_eq!(err.help.as_deref(), Some(*help), "{src:?}: {err:?}");
        }
    }

    #[test]
    fn depth_limit() {
        assert!(parse("[[1]]", 2).is_ok());
        assert!(parse(r#"{"a":{"b":1}}"#, 2).is_ok());
        assert!(parse("1", 0).is_ok());
        let err = parse("[]", 0).unwrap_err();
        assert_eq!(
            (err.offset, err.message.as_str()),
            (0, "nesting deeper than 0 levels")
        );
        let err = parse(r#"[{"a":[1]}]"#, 2).unwrap_err();
        assert_eq!(
            (err.offset, err.message.as_str()),
            (6, "nesting deeper than 2 levels")
        );

        let deep = "[".repeat(100_000);
        let err = parse(&deep, DEPTH).unwrap_err();
        assert_eq!(
            (err.offset, err.message.as_str()),
            (DEPTH, "nesting deeper than 64 levels")
        );
        let deep_objects = r#"{"a":"#.repeat(100_000);
        let err = parse(&deep_objects, DEPTH).unwrap_err();
        assert_eq!(err.message, "nesting deeper than 64 levels");
        // Even with no effective limit the parser itself does not recurse.
        let err = parse(&deep, usize::MAX).unwrap_err();
        assert_eq!(
            (err.offset, err.message.as_str()),
            (100_000, "expected a value, found end of input")
        );
    }

    #[test]
    fn depth_limit_is_exact() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&nested(64), 64).is_ok());
        assert!(parse(&nested(65), 64).is_err());
    }

    #[test]
    fn duplicate_keys_are_kept_in_order() {
        let json = parse(r#"{"b":1,"a":2,"b":3}"#, DEPTH).unwrap();
        let JsonKind::Object(members) = json.kind else {
            panic!("not an object")
        };
        let keys: Vec<_> = members
            .iter()
            .map(|m| (m.key.as_str(), m.key_span.start))
            .collect();
        assert_eq!(keys, [("b", 1), ("a", 7), ("b", 13)]);
    }

    #[test]
    fn surrogate_pairs() {
        let json = parse(r#"["\uD834\uDD1E", "x\uDBFF\uDFFFy"]"#, DEPTH).unwrap();
        let JsonKind::Array(items) = json.kind else {
            panic!("not an array")
        };
        let strings: Vec<_> = items
            .into_iter()
            .map(|item| match item.kind {
                JsonKind::String(s) => s,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(strings, ["\u{1d11e}", "x\u{10ffff}y"]);
    }

    #[test]
    fn bom_only_at_the_start() {
        assert!(parse("\u{feff}{}", DEPTH).is_ok());
        let err = parse("\u{feff}\u{feff}{}", DEPTH).unwrap_err();
        assert_eq!(err.offset, 3);
    }

    #[test]
    fn parse_bytes_checks_utf8() {
        let json = parse_bytes(b"[\"\xc3\xa9\"]", DEPTH).unwrap();
        assert_eq!(sketch(&json), r#"["é"@1..5]@0..6"#);

        let err = parse_bytes(b"[\"a\xff\"]", DEPTH).unwrap_err();
        assert_eq!(err.offset, 3);
        assert_eq!(
            err.message,
            "invalid UTF-8: byte 0xFF does not form a valid character here"
        );
        let err = parse_bytes(b"\"\xc3", DEPTH).unwrap_err();
        assert_eq!(err.offset, 1);
        assert!(err.message.starts_with("invalid UTF-8"));
        let err = parse_bytes(b"\xff\xfe{\x00}\x00", DEPTH).unwrap_err();
        assert_eq!(
            err.help.as_deref(),
            Some("the document looks like UTF-16; save it as UTF-8")
        );
        let err = parse_bytes(b"[1,]", DEPTH).unwrap_err();
        assert_eq!(err.message, "trailing comma before `]`");
    }

    #[test]
    fn type_names() {
        let names: Vec<_> = ["null", "true", "1", "\"s\"", "[]", "{}"]
            .iter()
            .map(|src| parse(src, DEPTH).unwrap().kind.type_name())
            .collect();
        assert_eq!(
            names,
            [
                "null",
                "a boolean",
                "a number",
                "a string",
                "an array",
                "an object"
            ]
        );
    }

    #[test]
    fn line_index_multibyte_and_crlf() {
        let src = "{\r\n  \"é\":\t\"😀x\"\r\n}";
        let index = LineIndex::new(src);
        let at = |needle: &str| index.line_col(src, src.find(needle).unwrap());
        assert_eq!(index.line_col(src, 0), (1, 1));
        assert_eq!(index.line_col(src, 1), (1, 2)); // the CR
        assert_eq!(index.line_col(src, 2), (1, 3)); // the LF of the CRLF
        assert_eq!(at("\"é"), (2, 3));
        assert_eq!(at(":"), (2, 6));
        assert_eq!(at("\t"), (2, 7));
        assert_eq!(at("\"😀"), (2, 8));
        assert_eq!(at("x"), (2, 10));
        assert_eq!(at("}"), (3, 1));
        assert_eq!(index.line_text(src, 1), "{");
        assert_eq!(index.line_text(src, 2), "  \"é\":\t\"😀x\"");
        assert_eq!(index.line_text(src, 3), "}");
        assert_eq!(index.line_text(src, 0), "");
        assert_eq!(index.line_text(src, 4), "");
        assert_eq!(index.line_text(src, usize::MAX), "");
    }

    #[test]
    fn line_index_clamps_offsets() {
        let src = "ab\n😀";
        let index = LineIndex::new(src);
        let emoji = 3;
        // Every byte of the emoji maps to the emoji itself.
        for offset in emoji..emoji + 4 {
            assert_eq!(index.line_col(src, offset), (2, 1), "offset {offset}");
        }
        assert_eq!(index.line_col(src, src.len()), (2, 2));
        assert_eq!(index.line_col(src, src.len() + 1), (2, 2));
        assert_eq!(index.line_col(src, usize::MAX), (2, 2));
    }

    #[test]
    fn line_index_line_endings() {
        let src = "a\nb\rc\r\nd\n";
        let index = LineIndex::new(src);
        let lines: Vec<_> = (1..=5).map(|line| index.line_text(src, line)).collect();
        assert_eq!(lines, ["a", "b", "c", "d", ""]);
        assert_eq!(index.line_col(src, src.find('c').unwrap()), (3, 1));
        assert_eq!(index.line_col(src, src.len()), (5, 1));

        let empty = LineIndex::new("");
        assert_eq!(empty.line_col("", 0), (1, 1));
        assert_eq!(empty.line_col("", 7), (1, 1));
        assert_eq!(empty.line_text("", 1), "");
    }

    #[test]
    fn line_index_skips_bom() {
        let src = "\u{feff}{\n x}";
        let index = LineIndex::new(src);
        assert_eq!(index.line_col(src, 0), (1, 1));
        assert_eq!(index.line_col(src, 3), (1, 1));
        assert_eq!(index.line_col(src, 4), (1, 2));
        assert_eq!(index.line_text(src, 1), "{");
        let err = parse(src, DEPTH).unwrap_err();
        assert_eq!(index.line_col(src, err.offset), (2, 2));
    }

    /// Converts to serde_json's tree for the round-trip property. Numbers become integers
    /// when they fit, as serde_json does, and floats otherwise; `str::parse::<f64>` rounds
    /// correctly, so a float written by serde_json comes back bit for bit.
    fn to_serde(json: &Json) -> serde_json::Value {
        use serde_json::Value;
        match &json.kind {
            JsonKind::Null => Value::Null,
            JsonKind::Bool(b) => Value::Bool(*b),
            JsonKind::Number(text) => {
                if let Ok(n) = text.parse::<u64>() {
                    Value::from(n)
                } else if let Ok(n) = text.parse::<i64>() {
                    Value::from(n)
                } else {
                    let f: f64 = text.parse().unwrap();
                    Value::Number(serde_json::Number::from_f64(f).unwrap())
                }
            }
            JsonKind::String(s) => Value::String(s.clone()),
            JsonKind::Array(items) => Value::Array(items.iter().map(to_serde).collect()),
            JsonKind::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|m| (m.key.clone(), to_serde(&m.value)))
                    .collect(),
            ),
        }
    }

    /// Every span must frame its value: quotes around strings and keys, brackets around
    /// containers, the literal text of numbers.
    fn check_spans(src: &str, json: &Json) {
        let text = &src[json.span.start..json.span.end];
        match &json.kind {
            JsonKind::Null => assert_eq!(text, "null"),
            JsonKind::Bool(b) => assert_eq!(text, b.to_string()),
            JsonKind::Number(n) => assert_eq!(text, n),
            JsonKind::String(_) => assert!(text.starts_with('"') && text.ends_with('"')),
            JsonKind::Array(items) => {
                assert!(text.starts_with('[') && text.ends_with(']'));
                for item in items {
                    assert!(json.span.start < item.span.start && item.span.end < json.span.end);
                    check_spans(src, item);
                }
            }
            JsonKind::Object(members) => {
                assert!(text.starts_with('{') && text.ends_with('}'));
                for member in members {
                    let key = &src[member.key_span.start..member.key_span.end];
                    assert!(key.starts_with('"') && key.ends_with('"'));
                    assert!(member.key_span.end < member.value.span.start);
                    check_spans(src, &member.value);
                }
            }
        }
    }

    fn arb_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
                .map(Value::Number)),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..8)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(src in any::<String>()) {
            if let Err(err) = parse(&src, DEPTH) {
                prop_assert!(err.offset <= src.len());
            }
        }

        #[test]
        fn never_panics_on_json_like_text(src in r#"[\[\]{}",:0-9eE.+\-\\u tnrfalsd/*\t\n\r'é😀\x00]{0,40}"#) {
            match parse(&src, 4) {
                Ok(json) => check_spans(&src, &json),
                Err(err) => prop_assert!(err.offset <= src.len()),
            }
        }

        #[test]
        fn never_panics_on_arbitrary_bytes(src in prop::collection::vec(any::<u8>(), 0..64)) {
            if let Err(err) = parse_bytes(&src, DEPTH) {
                prop_assert!(err.offset <= src.len());
            }
        }

        #[test]
        fn round_trips_serde_json(value in arb_value()) {
            for src in [
                serde_json::to_string(&value).unwrap(),
                serde_json::to_string_pretty(&value).unwrap(),
            ] {
                let json = parse(&src, DEPTH).unwrap();
                check_spans(&src, &json);
                prop_assert_eq!(json.span, Span { start: 0, end: src.len() });
                prop_assert_eq!(to_serde(&json), value.clone());
            }
        }

        #[test]
        fn unicode_escapes_round_trip(s in any::<String>()) {
            let mut src = String::from("\"");
            for unit in s.encode_utf16() {
                write!(src, "\\u{unit:04x}").unwrap();
            }
            src.push('"');
            let json = parse(&src, DEPTH).unwrap();
            prop_assert_eq!(json.kind, JsonKind::String(s));
        }

        #[test]
        fn line_col_never_panics(src in any::<String>(), offset in any::<usize>()) {
            let index = LineIndex::new(&src);
            let (line, col) = index.line_col(&src, offset);
            prop_assert!(line >= 1 && col >= 1);
            prop_assert!(col <= index.line_text(&src, line).chars().count() + 1);
        }
    }
}
