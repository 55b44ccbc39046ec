//! YAML templates into the same tree as JSON ones.
//!
//! Short-form intrinsics become their long form as CloudFormation reads them: `!Sub x` is
//! `{"Fn::Sub": x}`, `!Ref x` is `{"Ref": x}`, `!Condition x` is `{"Condition": x}`.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html>
//!
//! Plain scalars are typed by the YAML 1.2 core schema, but a number is kept as a number
//! only when its text is also a JSON number, so an account id such as `012345678901` or a
//! version such as `2012-10-17` stays the string it was written as.
//!
//! Aliases are expanded into copies, against a budget of values for the whole document, so
//! that a small file of nested aliases ("billion laughs") is an error, not a blow-up.

use super::error::{IacError, IacErrorKind};
use super::tree::{Node, Syntax, Value, MAX_DEPTH};
use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use std::collections::{HashMap, HashSet};

/// The most values a document may hold once aliases are expanded. A 1 MB template (the
/// largest CloudFormation accepts from S3) holds far fewer.
pub(crate) const MAX_NODES: usize = 1_000_000;

enum Body {
    Seq(Vec<Node>),
    Map {
        members: Vec<(String, Node)>,
        keys: HashSet<String>,
        pending: Option<(String, usize, usize)>,
    },
}

struct Frame {
    body: Body,
    anchor: usize,
    tag: Option<String>,
    line: usize,
    column: usize,
    /// The node budget spent before this collection started, to know its own size.
    start_total: usize,
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    total: usize,
    root: Option<Node>,
    documents: usize,
}

fn pos(span: &Span) -> (usize, usize) {
    (span.start.line(), span.start.col() + 1)
}

fn syntax(message: impl Into<String>, line: usize, column: usize) -> IacError {
    IacError::syntax(Syntax::Yaml, message.into(), line, column)
}

/// What a tag turns a value into: an intrinsic function's key, or a core-schema type.
fn tag_meaning(tag: &Tag, line: usize, column: usize) -> Result<Option<String>, IacError> {
    if tag.handle == "!" {
        return Ok(match tag.suffix.as_str() {
            "" => Some("!".to_string()),
            "Ref" | "Condition" => Some(tag.suffix.clone()),
            other => Some(format!("Fn::{other}")),
        });
    }
    if tag.is_yaml_core_schema() {
        return Ok(match tag.suffix.as_str() {
            "str" | "binary" => Some("!".to_string()),
            "int" | "float" | "bool" | "null" | "map" | "seq" | "omap" | "set" => None,
            other => {
                return Err(syntax(
                    format!("unsupported YAML tag `!!{other}`"),
                    line,
                    column,
                ))
            }
        });
    }
    Err(
        syntax(format!("unsupported YAML tag `{tag}`"), line, column).with_help(
            "CloudFormation templates use the short-form intrinsic tags such as `!Sub` and `!Ref`",
        ),
    )
}

fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !matches!(b.get(i), Some(b'0'..=b'9')) {
            return false;
        }
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !matches!(b.get(i), Some(b'0'..=b'9')) {
            return false;
        }
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
    }
    i == b.len()
}

fn plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        t if is_json_number(t) => Value::Number(t.to_string()),
        t => Value::String(t.to_string()),
    }
}

/// Wraps `node` as a tag says: an intrinsic tag makes a one-key mapping.
fn apply_tag(node: Node, tag: Option<&str>) -> Node {
    match tag {
        None | Some("!") => node,
        Some(function) => {
            let (line, column) = (node.line, node.column);
            Node::new(
                Value::Object(vec![(function.to_string(), node)]),
                line,
                column,
            )
        }
    }
}

impl Builder {
    fn spend(&mut self, n: usize, line: usize, column: usize) -> Result<(), IacError> {
        self.total = self.total.saturating_add(n);
        if self.total > MAX_NODES {
            return Err(IacError::new(
                IacErrorKind::TooLarge,
                format!(
                    "the document holds more than {MAX_NODES} values once its aliases are expanded"
                ),
            )
            .with_position(line, column)
            .with_help(
                "a template this large is most likely aliases nested to multiply (a YAML bomb)",
            ));
        }
        Ok(())
    }

    fn open(
        &mut self,
        body: Body,
        anchor: usize,
        tag: Option<String>,
        line: usize,
        column: usize,
    ) -> Result<(), IacError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(IacError::too_deep(line, column));
        }
        self.spend(1, line, column)?;
        self.stack.push(Frame {
            body,
            anchor,
            tag,
            line,
            column,
            start_total: self.total,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), IacError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let value = match frame.body {
            Body::Seq(items) => Value::Array(items),
            Body::Map {
                members, pending, ..
            } => {
                if let Some((key, line, column)) = pending {
                    return Err(syntax(
                        format!("the key `{key}` has no value"),
                        line,
                        column,
                    ));
                }
                Value::Object(members)
            }
        };
        let size = self.total - frame.start_total + 1;
        let node = Node::new(value, frame.line, frame.column);
        self.finish(node, frame.anchor, frame.tag.as_deref(), size)
    }

    /// Hands a complete value to its parent (or makes it the root), remembering it if it
    /// has an anchor. The anchor keeps the value before its tag is applied, as the tag
    /// belongs to the node that carries it.
    fn finish(
        &mut self,
        node: Node,
        anchor: usize,
        tag: Option<&str>,
        size: usize,
    ) -> Result<(), IacError> {
        let node = apply_tag(node, tag);
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut parent.body {
            Body::Seq(items) => items.push(node),
            Body::Map {
                members,
                keys,
                pending,
            } => match pending.take() {
                None => {
                    let key = match &node.value {
                        Value::String(s) | Value::Number(s) => s.clone(),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => String::new(),
                        Value::Array(_) | Value::Object(_) => {
                            return Err(syntax(
                                "a mapping key must be a scalar in a template",
                                node.line,
                                node.column,
                            ))
                        }
                    };
                    *pending = Some((key, node.line, node.column));
                }
                Some((key, line, column)) => {
                    if !keys.insert(key.clone()) {
                        return Err(syntax(format!("duplicate key `{key}`"), line, column));
                    }
                    members.push((key, node));
                }
            },
        }
        Ok(())
    }

    fn event(&mut self, event: Event<'_>, span: &Span) -> Result<(), IacError> {
        let (line, column) = pos(span);
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(syntax(
                        "a template is one YAML document, but this file holds several",
                        line,
                        column,
                    )
                    .with_help("split the documents into separate files"));
                }
            }
            Event::Alias(id) => {
                let Some((_, size)) = self.anchors.get(&id) else {
                    return Err(syntax("an alias refers to an unknown anchor", line, column));
                };
                let size = *size;
                // Spend before cloning: the copy is what a bomb multiplies.
                self.spend(size, line, column)?;
                let Some((node, _)) = self.anchors.get(&id) else {
                    return Ok(());
                };
                let mut copy = node.clone();
                copy.line = line;
                copy.column = column;
                self.finish(copy, 0, None, size)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.spend(1, line, column)?;
                let meaning = match &tag {
                    Some(tag) => tag_meaning(tag, line, column)?,
                    None => None,
                };
                let forced_string = meaning.as_deref() == Some("!");
                let value = if style == ScalarStyle::Plain && !forced_string {
                    plain_scalar(&text)
                } else {
                    Value::String(text.into_owned())
                };
                let node = Node::new(value, line, column);
                self.finish(node, anchor, meaning.as_deref(), 1)?;
            }
            Event::SequenceStart(anchor, tag) => {
                let meaning = match &tag {
                    Some(tag) => tag_meaning(tag, line, column)?,
                    None => None,
                };
                self.open(Body::Seq(Vec::new()), anchor, meaning, line, column)?;
            }
            Event::MappingStart(anchor, tag) => {
                let meaning = match &tag {
                    Some(tag) => tag_meaning(tag, line, column)?,
                    None => None,
                };
                let body = Body::Map {
                    members: Vec::new(),
                    keys: HashSet::new(),
                    pending: None,
                };
                self.open(body, anchor, meaning, line, column)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close()?,
        }
        Ok(())
    }
}

/// Reads a YAML template into a tree.
pub(crate) fn parse_yaml(text: &str) -> Result<Node, IacError> {
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        total: 0,
        root: None,
        documents: 0,
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            syntax(
                e.info().to_string(),
                e.marker().line(),
                e.marker().col() + 1,
            )
        })?;
        builder.event(event, &span)?;
    }
    builder.root.ok_or_else(|| {
        IacError::new(IacErrorKind::NotRecognized, "the YAML file is empty")
            .with_help("a CloudFormation template needs at least a `Resources` section")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_form_tags_become_long_form() {
        let node = parse_yaml(
            "a: !Sub 'x-${AWS::Region}'\nb: !GetAtt R.Arn\nc: !Ref P\nd: !Condition C\n",
        )
        .unwrap();
        assert_eq!(
            node.get("a").unwrap().get("Fn::Sub").unwrap().as_str(),
            Some("x-${AWS::Region}")
        );
        assert_eq!(
            node.get("b").unwrap().get("Fn::GetAtt").unwrap().as_str(),
            Some("R.Arn")
        );
        assert_eq!(
            node.get("c").unwrap().get("Ref").unwrap().as_str(),
            Some("P")
        );
        assert_eq!(
            node.get("d").unwrap().get("Condition").unwrap().as_str(),
            Some("C")
        );
    }

    #[test]
    fn scalars_keep_their_text_unless_json_would() {
        let node = parse_yaml(
            "v: 2012-10-17\nacct: 012345678901\nn: 12\nt: true\nq: '12'\ns: !!str 12\nz: ~\n",
        )
        .unwrap();
        assert_eq!(node.get("v").unwrap().as_str(), Some("2012-10-17"));
        assert_eq!(node.get("acct").unwrap().as_str(), Some("012345678901"));
        assert_eq!(node.get("n").unwrap().value, Value::Number("12".into()));
        assert_eq!(node.get("t").unwrap().value, Value::Bool(true));
        assert_eq!(node.get("q").unwrap().as_str(), Some("12"));
        assert_eq!(node.get("s").unwrap().as_str(), Some("12"));
        assert!(node.get("z").unwrap().is_null());
    }

    #[test]
    fn errors_have_positions() {
        let err = parse_yaml("a: 1\na: 2\n").unwrap_err();
        assert_eq!((err.line(), err.column()), (Some(2), Some(1)));
        assert!(err.message().contains("duplicate key `a`"));
        let err = parse_yaml("a: [1, 2\n").unwrap_err();
        assert_eq!(err.kind(), IacErrorKind::YamlSyntax);
        assert!(err.line().is_some());
        let err = parse_yaml("a: !!python/object x\n").unwrap_err();
        assert!(
            err.message().contains("unsupported YAML tag"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn aliases_expand_within_budget() {
        let node = parse_yaml("a: &x {k: v}\nb: *x\n").unwrap();
        assert_eq!(node.get("b").unwrap().get("k").unwrap().as_str(), Some("v"));
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = parse_yaml(&bomb).unwrap_err();
        assert_eq!(err.kind(), IacErrorKind::TooLarge);
    }
}
