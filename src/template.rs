//! Policy variables: `${key}`, `${key, 'default'}` and the specials `${*}`, `${?}`, `${$}`.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>
//!
//! A string is split once, when the policy is lowered, into a [`Template`]; evaluation
//! then substitutes the request's values without reading the text again.

use crate::hash::key_hash;
use crate::pattern::Part;

/// A string that may hold policy variables, split into its pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Box<[TemplatePart]>,
}

/// A piece of a [`Template`], owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplatePart {
    /// Policy text (wildcards active where the operator has them).
    Text(Box<str>),
    /// A literal character from `${*}`, `${?}`, `${$}`.
    Literal(&'static str),
    /// A variable.
    Var(Variable),
}

/// A policy variable: the condition key it names and its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variable {
    /// The key as written.
    pub(crate) key: Box<str>,
    /// INVARIANT: `key.to_lowercase()`; keys compare case-insensitively.
    pub(crate) lower: Box<str>,
    /// INVARIANT: `key_hash(&lower)`.
    pub(crate) hash: u64,
    /// The text used when the request has no value for the key.
    pub(crate) default: Option<Box<str>>,
}

impl Template {
    /// Splits `text` into text, special characters and variables.
    ///
    /// # Errors
    /// A [`TemplateError`] for an unterminated or malformed `${...}`.
    pub(crate) fn parse(text: &str) -> Result<Template, TemplateError> {
        let parts = parse(text)?
            .into_iter()
            .map(|s| match s {
                Segment::Text(t) => TemplatePart::Text(t.into()),
                Segment::Literal(l) => TemplatePart::Literal(l),
                Segment::Var { key, default } => {
                    let lower = key.to_lowercase();
                    TemplatePart::Var(Variable {
                        hash: key_hash(&lower),
                        lower: lower.into(),
                        key: key.into(),
                        default: default.map(Into::into),
                    })
                }
            })
            .collect();
        Ok(Template { parts })
    }

    /// Text without variables: what a `${...}` means under the 2008 policy language,
    /// where it is literal text.
    pub(crate) fn text(text: &str) -> Template {
        Template {
            parts: Box::new([TemplatePart::Text(text.into())]),
        }
    }

    /// The pieces, in order.
    pub(crate) fn parts(&self) -> &[TemplatePart] {
        &self.parts
    }

    /// The variables, in order.
    pub(crate) fn variables(&self) -> impl Iterator<Item = &Variable> {
        self.parts.iter().filter_map(|p| match p {
            TemplatePart::Var(v) => Some(v),
            _ => None,
        })
    }

    /// Whether any piece is a variable.
    pub(crate) fn has_vars(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, TemplatePart::Var(_)))
    }

    /// The pieces of a template without variables, as pattern parts; a variable (there
    /// should be none) is kept as its literal key.
    pub(crate) fn static_parts(&self) -> Vec<Part<'_>> {
        self.parts
            .iter()
            .map(|p| match p {
                TemplatePart::Text(t) => Part::Wild(t),
                TemplatePart::Literal(l) => Part::Literal(l),
                TemplatePart::Var(v) => Part::Literal(&v.key),
            })
            .collect()
    }

    /// The text with every variable replaced by `x`: the shape the value has once
    /// substituted, for checks such as "is this an ARN".
    pub(crate) fn shape(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                TemplatePart::Text(t) => t,
                TemplatePart::Literal(l) => *l,
                TemplatePart::Var(_) => "x",
            })
            .collect()
    }
}

/// One piece of a string that may hold policy variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment<'a> {
    /// Policy text; in a pattern, `*` and `?` in it are wildcards.
    Text(&'a str),
    /// A literal character from `${*}`, `${?}` or `${$}`: never a wildcard.
    Literal(&'static str),
    /// A variable: replaced by the request's value for `key` (literal text), or by
    /// `default` when the key is missing.
    Var {
        key: &'a str,
        default: Option<&'a str>,
    },
}

/// Why a string's `${...}` could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateError {
    /// Byte offset of the `${` in the string.
    pub(crate) offset: usize,
    pub(crate) message: String,
    pub(crate) help: String,
}

/// Splits `s` into text, special characters and variables.
pub(crate) fn parse(s: &str) -> Result<Vec<Segment<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = s;
    let mut consumed = 0;
    while let Some(start) = rest.find("${") {
        let (before, after_dollar) = rest.split_at(start);
        if !before.is_empty() {
            out.push(Segment::Text(before));
        }
        let body_and_rest = after_dollar.get(2..).unwrap_or("");
        let Some(end) = body_and_rest.find('}') else {
            return Err(TemplateError {
                offset: consumed + start,
                message: "unterminated policy variable: `${` has no closing `}`".into(),
                help: "write `${$}` for a literal `$`, or close the variable with `}`".into(),
            });
        };
        let body = body_and_rest.get(..end).unwrap_or("");
        out.push(segment(body).map_err(|(message, help)| TemplateError {
            offset: consumed + start,
            message,
            help,
        })?);
        let advance = start + 2 + end + 1;
        consumed += advance;
        rest = rest.get(advance..).unwrap_or("");
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    Ok(out)
}

fn segment(body: &str) -> Result<Segment<'_>, (String, String)> {
    match body.trim() {
        "*" => return Ok(Segment::Literal("*")),
        "?" => return Ok(Segment::Literal("?")),
        "$" => return Ok(Segment::Literal("$")),
        _ => {}
    }
    let (key, default) = match body.split_once(',') {
        Some((key, default)) => {
            let d = default.trim();
            let quoted = d
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .filter(|inner| !inner.contains('\''));
            match quoted {
                Some(inner) => (key.trim(), Some(inner)),
                None => {
                    return Err((
                        format!("the default value in `${{{body}}}` must be in single quotes"),
                        "write it as `${aws:PrincipalTag/team, 'none'}`".into(),
                    ))
                }
            }
        }
        None => (body.trim(), None),
    };
    if key.is_empty() {
        return Err((
            format!("`${{{body}}}` names no condition key"),
            "a variable names a condition key, as in `${aws:username}`".into(),
        ));
    }
    if let Some(bad) = key
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, '{' | '$' | '\''))
    {
        return Err((
            format!("`{bad}` cannot appear in the condition key `{key}` of a policy variable"),
            "a variable names a condition key, as in `${aws:username}`".into(),
        ));
    }
    Ok(Segment::Var { key, default })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        use Segment::*;
        // Rows follow the "Policy variables" page: plain variables, defaults, specials.
        let rows: Vec<(&str, Vec<Segment<'_>>)> = vec![
            ("plain", vec![Text("plain")]),
            (
                "home/${aws:username}/*",
                vec![
                    Text("home/"),
                    Var {
                        key: "aws:username",
                        default: None,
                    },
                    Text("/*"),
                ],
            ),
            (
                "${aws:PrincipalTag/team, 'none'}",
                vec![Var {
                    key: "aws:PrincipalTag/team",
                    default: Some("none"),
                }],
            ),
            ("what${?}", vec![Text("what"), Literal("?")]),
            ("${*}${$}", vec![Literal("*"), Literal("$")]),
            (
                "${ aws:username }",
                vec![Var {
                    key: "aws:username",
                    default: None,
                }],
            ),
            ("a$b", vec![Text("a$b")]),
            (
                "${k,''}",
                vec![Var {
                    key: "k",
                    default: Some(""),
                }],
            ),
        ];
        for (input, want) in rows {
            assert_eq!(parse(input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn bad_templates() {
        let rows = [
            ("abc${aws:username", 3, "unterminated"),
            ("${}", 0, "names no condition key"),
            ("x${a, none}", 1, "single quotes"),
            ("${a b}", 0, "cannot appear"),
        ];
        for (input, offset, needle) in rows {
            let err = parse(input).unwrap_err();
            assert_eq!(err.offset, offset, "{input}");
            assert!(err.message.contains(needle), "{input}: {}", err.message);
        }
    }
}
