//! The explanation of a decision: every policy and statement, and every condition key
//! with the values compared. Produced by the same code as the decision.

use super::response::{Decision, Reason, StatementLabel};
use super::PolicySet;
use crate::compile::condition::CompiledCondition;
use crate::compile::statement::{CompiledStatement, StatementEval};
use crate::compile::{ElementMatch, Grant, Outcome, RawProblem, StmtId, Tracer, Truth};
use crate::operator::ConditionOperator;
use crate::policy::{Effect, PolicyKind};
use crate::request::Values;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// One condition key under one operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
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
    /// Whether the condition holds: false when it does not hold or cannot be judged
    /// ([`ConditionTrace::outcome`] tells which). Named `matched` in JSON too, which
    /// keeps the JSON trace stable.
    pub matched: bool,
    /// How the outcome came about.
    pub outcome: Outcome,
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StatementTrace {
    /// `policy-id#Sid` or `policy-id#index`.
    pub label: StatementLabel,
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
#[non_exhaustive]
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
#[non_exhaustive]
pub struct Trace {
    /// The decision (always the one [`crate::PolicySet::evaluate`] gives).
    pub decision: Decision,
    /// Why (serialized as its sentence).
    pub reason: Reason,
    /// The statements that decided: every `Deny` that applied for an explicit deny.
    pub determining: Vec<StatementLabel>,
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
    /// The request's context, keys derived from the principal included.
    pub context: Vec<ContextEntryTrace>,
    /// Every policy in the set.
    pub policies: Vec<PolicyTrace>,
}

/// One key of the request's context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ContextEntryTrace {
    /// The key, as the request set it.
    pub key: String,
    /// Its values: one for a single-valued key, any number for a multivalued one.
    pub values: Vec<String>,
    /// Whether the request set it as a list (a multivalued key).
    pub multivalued: bool,
    /// Whether it was derived from the principal rather than set by the caller.
    pub derived: bool,
}

impl ContextEntryTrace {
    pub(crate) fn of(context: &crate::request::Context) -> Vec<ContextEntryTrace> {
        let mut entries = Vec::with_capacity(context.len());
        entries.extend(context.iter_with_origin().map(|(key, values, derived)| {
            ContextEntryTrace {
                key: key.to_string(),
                values: values.iter().map(str::to_string).collect(),
                multivalued: values.is_multivalued(),
                derived,
            }
        }));
        entries
    }
}

impl Trace {
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
            let labels: Vec<String> = self.determining.iter().map(|l| l.to_string()).collect();
            writeln!(f, "decided by: {}", labels.join(", "))?;
        }
        writeln!(
            f,
            "request: {} {} on {}",
            self.principal, self.action, self.resource
        )?;
        if !self.context.is_empty() {
            writeln!(f, "context:")?;
            for c in &self.context {
                let value = if c.multivalued {
                    format!("{:?}", c.values)
                } else {
                    c.values
                        .first()
                        .map(|v| format!("{v:?}"))
                        .unwrap_or_default()
                };
                let origin = if c.derived {
                    " (derived from the caller)"
                } else {
                    ""
                };
                writeln!(f, "  {} = {value}{origin}", c.key)?;
            }
        }
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
            write!(f, "\n{} {}", kind_noun(p.kind), p.id)?;
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
                        describe(c.outcome, c.matched)
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

/// How a condition's outcome reads in the text explanation. A condition "holds" rather
/// than "matches": a negated operator such as `StringNotEquals` holds when the values
/// differ, which "matched" would misstate.
fn describe(outcome: Outcome, holds: bool) -> &'static str {
    match (outcome, holds) {
        (Outcome::Compared, true) => "holds",
        (Outcome::Compared, false) => "does not hold",
        (Outcome::Missing, true) => "holds because the key is missing (negated operator)",
        (Outcome::Missing, false) => "does not hold because the key is missing",
        (Outcome::MissingIfExists, _) => "holds because the key is missing (IfExists)",
        (Outcome::MissingForAllValues, _) => {
            "holds because the key is missing (ForAllValues of an empty set)"
        }
        (Outcome::MissingForAnyValue, _) => {
            "does not hold because the key is missing (ForAnyValue)"
        }
        (Outcome::EmptySet, true) => "holds (the key has no values)",
        (Outcome::EmptySet, false) => "does not hold (the key has no values)",
        (Outcome::Presence { present: true }, true) => "holds: the key is present",
        (Outcome::Presence { present: true }, false) => "does not hold: the key is present",
        (Outcome::Presence { present: false }, true) => "holds: the key is missing",
        (Outcome::Presence { present: false }, false) => "does not hold: the key is missing",
        (Outcome::Unjudged, _) => {
            "cannot be judged: a request value is not of the operator's type"
        }
        (Outcome::PlainOperatorOnMultivaluedKey, _) => {
            "cannot be judged: a multivalued key needs ForAnyValue: or ForAllValues:"
        }
        (Outcome::ForAnyValueIfExistsOnMissingKey, _) => {
            "cannot be judged: the key is missing, and the documentation makes IfExists true and ForAnyValue false"
        }
    }
}

/// The kind's name in a heading: `identity-based policy`, `SCP`, `permissions boundary`.
fn kind_noun(kind: PolicyKind) -> &'static str {
    let named = kind.with_article();
    named.split_once(' ').map_or(named, |(_, noun)| noun)
}

/// The tracer `explain` runs with: it records every condition, statement, policy and
/// problem.
pub(crate) struct Recorder<'a> {
    set: &'a PolicySet,
    /// Every problem, not just those that fit in the response.
    pub(crate) problems: Vec<RawProblem<'a>>,
    pub(crate) policies: Vec<PolicyTrace>,
    statements: Vec<StatementTrace>,
    conditions: Vec<ConditionTrace>,
}

impl<'a> Recorder<'a> {
    pub(crate) fn new(set: &'a PolicySet) -> Self {
        Recorder {
            set,
            problems: Vec::new(),
            policies: Vec::with_capacity(set.len()),
            statements: Vec::new(),
            conditions: Vec::new(),
        }
    }

    /// Ends the trace of one statement.
    pub(crate) fn statement(&mut self, id: StmtId, s: &CompiledStatement, eval: &StatementEval) {
        let applies = eval.truth == Truth::True;
        let note = match (applies, s.principal.as_ref(), eval.grant) {
            (true, Some(m), Some(g)) if s.effect == Effect::Allow => Some(match g {
                Grant::Direct => "names the caller directly",
                Grant::Limited if m.is_negated() => {
                    "a NotPrincipal Allow: limited by boundaries and session policies"
                }
                Grant::Limited => {
                    "grants a role or everyone: limited by boundaries and session policies"
                }
                Grant::Account => {
                    "names the caller's account: the account's IAM policies must allow too"
                }
            }),
            _ if eval.truth == Truth::Unknown => Some("a condition cannot be judged"),
            _ => None,
        };
        let Some(label) = self.set.label(id) else {
            return;
        };
        self.statements.push(StatementTrace {
            label,
            effect: s.effect,
            action: eval.action,
            resource: eval.resource,
            principal: eval.principal,
            conditions: std::mem::take(&mut self.conditions),
            applies,
            note,
        });
    }

    /// Starts the trace of a policy of `statements` statements.
    pub(crate) fn start_policy(&mut self, statements: usize) {
        self.statements = Vec::with_capacity(statements);
    }

    /// Ends the trace of one policy.
    pub(crate) fn policy(&mut self, id: Arc<str>, kind: PolicyKind, note: Option<String>) {
        self.policies.push(PolicyTrace {
            id,
            kind,
            applies: note.is_none(),
            note,
            statements: std::mem::take(&mut self.statements),
        });
    }
}

impl<'a> Tracer<'a> for Recorder<'a> {
    const ON: bool = true;
    fn problem(&mut self, problem: RawProblem<'a>) {
        self.problems.push(problem);
    }
    fn condition(
        &mut self,
        condition: &'a CompiledCondition,
        values: Option<Values<'a>>,
        truth: Truth,
        outcome: Outcome,
    ) {
        self.conditions.push(ConditionTrace {
            operator: condition.operator(),
            key: Arc::clone(condition.key()),
            request_values: values.map(|v| v.iter().map(str::to_string).collect()),
            policy_values: Arc::clone(condition.written()),
            matched: truth == Truth::True,
            outcome,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON reference users read; every outcome and element value must be in it.
    const DOC: &str = include_str!("../../docs/explain-json.md");

    /// Every outcome, found by an exhaustive match: a new variant does not compile
    /// until it is listed here, and then fails until it is documented.
    fn every_outcome() -> Vec<Outcome> {
        let all = [
            Outcome::Compared,
            Outcome::Missing,
            Outcome::MissingIfExists,
            Outcome::MissingForAllValues,
            Outcome::MissingForAnyValue,
            Outcome::EmptySet,
            Outcome::Presence { present: true },
            Outcome::Unjudged,
            Outcome::PlainOperatorOnMultivaluedKey,
            Outcome::ForAnyValueIfExistsOnMissingKey,
        ];
        for o in all {
            match o {
                Outcome::Compared
                | Outcome::Missing
                | Outcome::MissingIfExists
                | Outcome::MissingForAllValues
                | Outcome::MissingForAnyValue
                | Outcome::EmptySet
                | Outcome::Presence { .. }
                | Outcome::Unjudged
                | Outcome::PlainOperatorOnMultivaluedKey
                | Outcome::ForAnyValueIfExistsOnMissingKey => {}
            }
        }
        all.to_vec()
    }

    #[test]
    fn every_outcome_kind_is_documented() {
        for o in every_outcome() {
            let json = serde_json::to_value(o).unwrap();
            let kind = json["kind"].as_str().unwrap();
            assert!(
                DOC.contains(&format!("| `{kind}` |")),
                "`{kind}` is not in docs/explain-json.md"
            );
        }
        assert!(DOC.contains("`present`"));
    }

    #[test]
    fn every_element_match_is_documented() {
        for m in [
            ElementMatch::Matched,
            ElementMatch::NotMatched,
            ElementMatch::Absent,
            ElementMatch::Skipped,
        ] {
            match m {
                ElementMatch::Matched
                | ElementMatch::NotMatched
                | ElementMatch::Absent
                | ElementMatch::Skipped => {}
            }
            let value = serde_json::to_value(m).unwrap();
            let value = value.as_str().unwrap();
            assert!(
                DOC.contains(&format!("| `{value}` |")),
                "`{value}` is not in docs/explain-json.md"
            );
        }
    }

    /// Each outcome reads as holding, not holding or not judged; never "matched",
    /// which misstates a negated operator that holds because the values differ.
    #[test]
    fn conditions_hold_or_do_not() {
        for o in every_outcome() {
            for holds in [true, false] {
                let text = describe(o, holds);
                assert!(
                    text.starts_with("holds")
                        || text.starts_with("does not hold")
                        || text.starts_with("cannot be judged"),
                    "{text}"
                );
                assert!(!text.contains("match"), "{text}");
            }
        }
        assert_eq!(describe(Outcome::Compared, true), "holds");
        assert_eq!(describe(Outcome::Compared, false), "does not hold");
    }

    #[test]
    fn headings_name_the_kind() {
        let names: Vec<&str> = PolicyKind::ALL.iter().map(|k| kind_noun(*k)).collect();
        assert_eq!(
            names,
            [
                "identity-based policy",
                "resource-based policy",
                "SCP",
                "RCP",
                "permissions boundary",
                "session policy"
            ]
        );
    }
}
