//! The explanation of a decision: every policy and statement, and every condition key
//! with the values compared. Produced by the same code as the decision.

use super::response::{Decision, Reason};
use crate::condition::ConditionOperator;
use crate::policy::{Effect, PolicyKind};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// How a condition key's outcome came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Outcome {
    /// The request values were compared with the policy values.
    Compared,
    /// The key is missing: a positive operator is false, a negated one true.
    Missing,
    /// The key is missing and the operator ends in `IfExists`: true.
    MissingIfExists,
    /// The key is missing under `ForAllValues:`: true (an empty set).
    MissingForAllValues,
    /// The key is missing under `ForAnyValue:`: false.
    MissingForAnyValue,
    /// The key is present with an empty set of values.
    EmptySet,
    /// `Null` tested presence.
    Presence {
        /// Whether the key is present.
        present: bool,
    },
    /// A request value could not be read as the operator's type: false.
    Unjudged,
}

impl Outcome {
    fn describe(&self, matched: bool) -> &'static str {
        match (self, matched) {
            (Outcome::Compared, true) => "matched",
            (Outcome::Compared, false) => "did not match",
            (Outcome::Missing, true) => "matched because the key is missing (negated operator)",
            (Outcome::Missing, false) => "did not match because the key is missing",
            (Outcome::MissingIfExists, _) => "matched because the key is missing (IfExists)",
            (Outcome::MissingForAllValues, _) => {
                "matched because the key is missing (ForAllValues of an empty set)"
            }
            (Outcome::MissingForAnyValue, _) => {
                "did not match because the key is missing (ForAnyValue)"
            }
            (Outcome::EmptySet, true) => "matched (the key has no values)",
            (Outcome::EmptySet, false) => "did not match (the key has no values)",
            (Outcome::Presence { present: true }, true) => "matched: the key is present",
            (Outcome::Presence { present: true }, false) => "did not match: the key is present",
            (Outcome::Presence { present: false }, true) => "matched: the key is missing",
            (Outcome::Presence { present: false }, false) => "did not match: the key is missing",
            (Outcome::Unjudged, _) => {
                "could not be judged: a request value is not of the operator's type"
            }
        }
    }
}

/// One condition key under one operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionTrace {
    /// The operator, qualifiers included (serialized as written, `ForAnyValue:StringLike`).
    #[serde(serialize_with = "as_text")]
    pub operator: ConditionOperator,
    /// The condition key as written in the policy (shared with the compiled policy).
    pub key: Arc<str>,
    /// The request's values for the key; `None` when the key is missing.
    pub request_values: Option<Vec<String>>,
    /// The policy's values, as written (shared with the compiled policy).
    pub policy_values: Arc<[String]>,
    /// Whether the condition held.
    pub matched: bool,
    /// How the outcome came about.
    pub outcome: Outcome,
}

/// Whether one element of a statement matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementMatch {
    /// It matched.
    Matched,
    /// It did not match.
    NotMatched,
    /// The statement has no such element (e.g. no `Principal` in an identity policy).
    Absent,
    /// Not evaluated, because an earlier element did not match.
    Skipped,
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementTrace {
    /// `policy-id#Sid` or `policy-id#index`.
    pub label: String,
    /// `Allow` or `Deny`.
    #[serde(serialize_with = "as_text")]
    pub effect: Effect,
    /// The `Action`/`NotAction` element.
    pub action: ElementMatch,
    /// The `Resource`/`NotResource` element.
    pub resource: ElementMatch,
    /// The `Principal`/`NotPrincipal` element.
    pub principal: ElementMatch,
    /// Each condition key evaluated, in order; evaluation stops at the first false one.
    pub conditions: Vec<ConditionTrace>,
    /// Whether the statement applies to the request.
    pub applies: bool,
    /// A note, such as how a resource-policy grant counts (`grants the account`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

/// One policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyTrace {
    /// The id it was added with.
    pub id: Arc<str>,
    /// The kind it is used as.
    #[serde(serialize_with = "as_text")]
    pub kind: PolicyKind,
    /// Whether it takes part in this request (an SCP does not apply to an anonymous
    /// caller, for instance).
    pub applies: bool,
    /// Why it does not apply, if it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Its statements.
    pub statements: Vec<StatementTrace>,
}

/// The whole explanation of one decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// The decision (always the one [`crate::PolicySet::evaluate`] gives).
    pub decision: Decision,
    /// Why, in words.
    pub reason: String,
    /// The statements that decided, as labels.
    pub determining: Vec<String>,
    /// Problems met, in words.
    pub problems: Vec<String>,
    /// The caller.
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// The account taken to own the resource, if known.
    pub resource_account: Option<String>,
    /// Whether caller and resource are in the same account.
    pub same_account: bool,
    /// Every policy in the set.
    pub policies: Vec<PolicyTrace>,
}

impl Trace {
    pub(crate) fn reason_text(reason: Reason) -> String {
        reason.describe().to_string()
    }
    /// The trace as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Serializes a value by its `Display` text.
fn as_text<T: fmt::Display, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

fn element(name: &str, m: ElementMatch) -> Option<String> {
    match m {
        ElementMatch::Matched => Some(format!("{name} matched")),
        ElementMatch::NotMatched => Some(format!("{name} did not match")),
        ElementMatch::Absent | ElementMatch::Skipped => None,
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "decision: {} ({})", self.decision, self.reason)?;
        if !self.determining.is_empty() {
            writeln!(f, "decided by: {}", self.determining.join(", "))?;
        }
        writeln!(
            f,
            "request: {} {} on {}",
            self.principal, self.action, self.resource
        )?;
        match &self.resource_account {
            Some(a) => writeln!(
                f,
                "resource account: {a} ({})",
                if self.same_account {
                    "same account"
                } else {
                    "cross-account"
                }
            )?,
            None => writeln!(f, "resource account: unknown")?,
        }
        for p in &self.problems {
            writeln!(f, "problem: {p}")?;
        }
        for p in &self.policies {
            write!(f, "\n{} policy {}", p.kind, p.id)?;
            if let Some(note) = &p.note {
                write!(f, ": {note}")?;
            }
            writeln!(f)?;
            for s in &p.statements {
                let verdict = if s.applies {
                    "APPLIES"
                } else {
                    "does not apply"
                };
                let mut parts: Vec<String> = Vec::new();
                parts.extend(element("action", s.action));
                parts.extend(element("resource", s.resource));
                parts.extend(element("principal", s.principal));
                writeln!(
                    f,
                    "  {} {} {verdict}: {}",
                    s.effect,
                    s.label,
                    parts.join(", ")
                )?;
                for c in &s.conditions {
                    let request = match &c.request_values {
                        Some(v) => format!("{v:?}"),
                        None => "missing".to_string(),
                    };
                    writeln!(
                        f,
                        "    {} {}: request {request}, policy {:?}: {}",
                        c.operator,
                        c.key,
                        c.policy_values,
                        c.outcome.describe(c.matched)
                    )?;
                }
                if let Some(note) = &s.note {
                    writeln!(f, "    note: {note}")?;
                }
            }
        }
        Ok(())
    }
}
