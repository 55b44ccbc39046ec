//! The policy's source read again as a positioned JSON tree, and the statements, elements
//! and values the lints look at, each with its JSON path and position.

use super::{Finding, Lint};
use crate::diagnostic::{Diagnostic, LineCache};
use crate::json::{Json, JsonKind, LineIndex, Member};
use crate::operator::ConditionOperator;
use crate::policy::Policy;
use std::sync::Arc;

/// Deep enough for any policy the parser accepted (it allows 32 by default, more when
/// configured); a tree this deep is refused rather than walked.
const MAX_DEPTH: usize = 256;

pub(super) struct Doc {
    src: Arc<str>,
    index: LineIndex,
    root: Json,
    lines: LineCache,
    findings: Vec<Finding>,
}

impl Doc {
    /// The positioned tree of the policy's source; `None` if it cannot be read, which
    /// cannot happen for a policy that was parsed from that source.
    pub(super) fn of(policy: &Policy) -> Option<Doc> {
        let src: Arc<str> = match &policy.source.0 {
            Some(text) => Arc::clone(text),
            None => Arc::from(policy.to_json()),
        };
        let root = crate::json::parse(&src, MAX_DEPTH).ok()?;
        Some(Doc {
            index: LineIndex::new(&src),
            src,
            root,
            lines: LineCache::default(),
            findings: Vec::new(),
        })
    }

    pub(super) fn root(&self) -> &Json {
        &self.root
    }

    /// The statements, each with its path (`Statement[2]`, or `Statement` when the
    /// element is a single object).
    pub(super) fn statements(&self) -> Vec<Stmt<'_>> {
        let Some(statement) = self.root.member("Statement") else {
            return Vec::new();
        };
        match &statement.kind {
            JsonKind::Array(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, s)| Stmt::new(s, format!("Statement[{i}]")))
                .collect(),
            JsonKind::Object(_) => Stmt::new(statement, "Statement".to_string())
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Records a finding of `lint` at byte `offset`.
    pub(super) fn report(
        &mut self,
        lint: Lint,
        offset: usize,
        path: &str,
        message: String,
        help: Option<String>,
    ) {
        let (line, column) = self.index.line_col(&self.src, offset);
        let (index, src) = (&self.index, &self.src);
        let line_text = self.lines.get(line, || index.line_text(src, line));
        self.findings.push(Finding {
            lint,
            diagnostic: Diagnostic {
                path: path.to_string(),
                line,
                column,
                message,
                help,
                line_text,
            },
        });
    }

    /// The findings in source order; on one position, in the order of [`Lint::ALL`].
    pub(super) fn finish(mut self) -> Vec<Finding> {
        self.findings
            .sort_by_key(|f| (f.diagnostic.line, f.diagnostic.column, f.lint));
        self.findings
    }
}

/// One statement of the positioned tree and the elements the lints read.
pub(super) struct Stmt<'j> {
    pub(super) path: String,
    pub(super) json: &'j Json,
    pub(super) allow: bool,
    /// `Principal` or `NotPrincipal`.
    pub(super) principal: Option<&'j Member>,
    /// `Action` or `NotAction`.
    pub(super) action: Option<&'j Member>,
    /// `Resource` or `NotResource`.
    pub(super) resource: Option<&'j Member>,
    pub(super) conditions: Vec<Cond<'j>>,
}

/// One key of one operator of a `Condition` element.
pub(super) struct Cond<'j> {
    pub(super) operator: ConditionOperator,
    /// The operator's member (`"StringEquals": {...}`).
    pub(super) op_member: &'j Member,
    /// The key's member (`"aws:SourceIp": [...]`).
    pub(super) key: &'j Member,
    /// `Statement[0].Condition.StringEquals["aws:SourceIp"]`.
    pub(super) path: String,
}

impl<'j> Stmt<'j> {
    fn new(json: &'j Json, path: String) -> Option<Stmt<'j>> {
        let JsonKind::Object(members) = &json.kind else {
            return None;
        };
        let find = |names: [&str; 2]| members.iter().find(|m| names.contains(&m.key.as_str()));
        let allow = matches!(
            json.member("Effect").map(|e| &e.kind),
            Some(JsonKind::String(s)) if s == "Allow"
        );
        let mut conditions = Vec::new();
        if let Some(JsonKind::Object(ops)) = json.member("Condition").map(|c| &c.kind) {
            for op_member in ops {
                let Ok(operator) = ConditionOperator::parse(&op_member.key) else {
                    continue;
                };
                let JsonKind::Object(keys) = &op_member.value.kind else {
                    continue;
                };
                for key in keys {
                    conditions.push(Cond {
                        operator,
                        op_member,
                        key,
                        path: format!(
                            "{path}.Condition.{}[{}]",
                            op_member.key,
                            serde_json::Value::String(key.key.clone())
                        ),
                    });
                }
            }
        }
        Some(Stmt {
            allow,
            principal: find(["Principal", "NotPrincipal"]),
            action: find(["Action", "NotAction"]),
            resource: find(["Resource", "NotResource"]),
            conditions,
            path,
            json,
        })
    }

    /// The path of an element of the statement.
    pub(super) fn child(&self, member: &Member) -> String {
        format!("{}.{}", self.path, member.key)
    }

    /// The string values of `Action`/`NotAction`, each with its path.
    pub(super) fn actions(&self) -> Vec<Value<'j>> {
        self.action
            .map(|m| values(&m.value, &self.child(m)))
            .unwrap_or_default()
    }

    /// The string values of `Resource`/`NotResource`, each with its path.
    pub(super) fn resources(&self) -> Vec<Value<'j>> {
        self.resource
            .map(|m| values(&m.value, &self.child(m)))
            .unwrap_or_default()
    }

    /// Whether the statement has `Action` (not `NotAction`).
    pub(super) fn has_action(&self) -> bool {
        self.action.is_some_and(|m| m.key == "Action")
    }

    /// Whether the statement has `Resource` (not `NotResource`).
    pub(super) fn has_resource(&self) -> bool {
        self.resource.is_some_and(|m| m.key == "Resource")
    }
}

/// A string value with its path and where it starts.
#[derive(Clone)]
pub(super) struct Value<'j> {
    pub(super) text: &'j str,
    pub(super) offset: usize,
    pub(super) path: String,
}

/// The strings of a string-or-array element, each with its path (`path` itself for a
/// single string, `path[i]` for an array item).
pub(super) fn values<'j>(json: &'j Json, path: &str) -> Vec<Value<'j>> {
    match &json.kind {
        JsonKind::String(s) => vec![Value {
            text: s,
            offset: json.span.start,
            path: path.to_string(),
        }],
        JsonKind::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match &item.kind {
                JsonKind::String(s) => Some(Value {
                    text: s,
                    offset: item.span.start,
                    path: format!("{path}[{i}]"),
                }),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}
