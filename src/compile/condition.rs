//! Conditions compiled once at build time and evaluated without allocating.
//!
//! The combining rules follow
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>:
//! the keys of a block and the blocks of a statement are ANDed (done by the statement);
//! the values of one key are ORed for a positive operator, and a negated operator holds
//! only when the request value matches none of them.

use super::resolve::resolve;
use super::rules::{self, KeyState};
use super::{Ctx, ProblemKind, Tracer, Truth};
use crate::hash::FxHasher;
use crate::keys;
use crate::logic::Concrete;
use crate::operator::{Comparison, ConditionOperator, SetQualifier};
use crate::pattern::{Case, Part, Pattern, PatternKind};
use crate::policy::value::{ArnValue, BoolValue, TypedValues};
use crate::policy::ConditionEntry;
use crate::request::{Typed, Values as RequestValues};
use crate::template::{Template, TemplatePart};
use crate::value::arn::{split_arn, ArnPattern};
use crate::value::{binary, date, ip, numeric, parse_bool};
use serde::Serialize;
use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

/// Above this many values, `StringEquals` looks a value up in a hash set.
const SET_THRESHOLD: usize = 6;

/// How a condition key's outcome came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
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
    /// A request value could not be read as the operator's type: the condition cannot be
    /// judged.
    Unjudged,
    /// A plain operator tests a multivalued key: the condition cannot be judged
    /// ("Multivalued condition context keys … require a condition set operator").
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
    PlainOperatorOnMultivaluedKey,
    /// `ForAnyValue:…IfExists` on a missing key: the documentation says both true and
    /// false, so the condition cannot be judged.
    ForAnyValueIfExistsOnMissingKey,
}

#[derive(Debug, Clone)]
enum StrValue {
    Fixed(Pattern),
    Template(Template),
}

#[derive(Debug, Clone)]
enum Values {
    Str(Vec<StrValue>),
    /// `StringEquals` over many fixed values: one hash lookup instead of a comparison
    /// per value.
    StrSet(HashSet<Box<str>, BuildHasherDefault<FxHasher>>),
    Num(Vec<numeric::Number>),
    Date(Vec<date::Instant>),
    Bool(Vec<BoolValue>),
    Binary(Vec<Box<[u8]>>),
    Ip(Vec<ip::IpNet>),
    Arn(Vec<ArnValue>),
    Null(Vec<bool>),
}

/// One condition key under one operator, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledCondition {
    op: ConditionOperator,
    /// INVARIANT: `key.to_lowercase()`.
    lower: Box<str>,
    /// INVARIANT: `key_hash(&lower)`.
    hash: u64,
    /// Shared with explanations.
    key: Arc<str>,
    values: Values,
    /// The policy's values as written, shared with explanations.
    written: Arc<[String]>,
    /// INVARIANT: the key is a documented multivalued global key (the request may still
    /// supply any other key as a list).
    multivalued: bool,
}

impl CompiledCondition {
    /// Compiles one key of a condition block from the values lowering already read.
    pub(crate) fn compile(op: ConditionOperator, entry: &ConditionEntry) -> CompiledCondition {
        let cmp = op.op.comparison();
        let case = match cmp {
            Comparison::EqualsIgnoreCase => Case::Insensitive,
            _ => Case::Sensitive,
        };
        let values = match &entry.typed {
            TypedValues::Str(list) => {
                let list: Vec<StrValue> = list
                    .iter()
                    .map(|t| {
                        if t.has_vars() {
                            StrValue::Template(t.clone())
                        } else {
                            StrValue::Fixed(string_pattern(cmp, case, t.static_parts()))
                        }
                    })
                    .collect();
                let exact = |v: &StrValue| match v {
                    StrValue::Fixed(p) if p.kind() == PatternKind::Exact => {
                        Some(Box::from(p.source()))
                    }
                    _ => None,
                };
                let set: Option<HashSet<Box<str>, _>> = (cmp == Comparison::Equals
                    && list.len() > SET_THRESHOLD)
                    .then(|| list.iter().map(exact).collect())
                    .flatten();
                match set {
                    Some(set) => Values::StrSet(set),
                    None => Values::Str(list),
                }
            }
            TypedValues::Num(list) => Values::Num(list.clone()),
            TypedValues::Date(list) => Values::Date(list.clone()),
            TypedValues::Null(list) => Values::Null(list.clone()),
            TypedValues::Bool(list) => Values::Bool(list.clone()),
            TypedValues::Binary(list) => Values::Binary(list.clone()),
            TypedValues::Ip(list) => Values::Ip(list.clone()),
            TypedValues::Arn(list) => Values::Arn(list.clone()),
        };
        let key = entry.key();
        let lower = key.to_lowercase();
        CompiledCondition {
            op,
            multivalued: keys::is_multivalued(&lower),
            hash: crate::hash::key_hash(&lower),
            lower: lower.into(),
            key: key.into(),
            values,
            written: entry
                .values()
                .iter()
                .map(|v| v.as_text().to_string())
                .collect::<Vec<_>>()
                .into(),
        }
    }

    /// The operator, qualifiers included.
    pub(crate) fn operator(&self) -> ConditionOperator {
        self.op
    }
    /// The key as written, shared.
    pub(crate) fn key(&self) -> &Arc<str> {
        &self.key
    }
    /// The policy's values as written, shared.
    pub(crate) fn written(&self) -> &Arc<[String]> {
        &self.written
    }

    /// Evaluates this key's condition against the request.
    #[inline]
    pub(crate) fn eval<'a, T: Tracer<'a>>(&'a self, ctx: &mut Ctx<'a, '_, T>) -> Truth {
        let entry = ctx.request.context().get_lower(&self.lower, self.hash);
        let value = entry.map(|(v, _)| v);
        let (truth, outcome) = self.eval_inner(value, entry.map(|(_, t)| t), ctx);
        if T::ON {
            ctx.tracer.condition(self, value, truth, outcome);
        }
        truth
    }

    fn eval_inner<'a, T: Tracer<'a>>(
        &'a self,
        value: Option<RequestValues<'a>>,
        typed: Option<&Typed>,
        ctx: &mut Ctx<'a, '_, T>,
    ) -> (Truth, Outcome) {
        // Every outcome comes from the rule the analysis shares (`rules::condition`); each
        // path below gives it what it reads, as far as that path has established it, and
        // names the outcome for the explanation.
        // `rule(key, multivalued)`: past the check for a plain operator on a multivalued
        // key, that check's answer (no) is passed on rather than asked again.
        let rule = |key: KeyState<bool>, multivalued: bool| {
            Truth::from(rules::condition(
                &mut Concrete,
                self.op,
                None,
                multivalued,
                key,
            ))
        };
        let state = |present: bool, listed: bool| KeyState {
            present,
            listed,
            matched: false,
            unmatched: false,
            unreadable: false,
        };
        if let Values::Null(expect_missing) = &self.values {
            let present = value.is_some();
            let key = state(present, false);
            let truth = rules::condition(&mut Concrete, self.op, Some(expect_missing), false, key);
            return (truth.into(), Outcome::Presence { present });
        }
        // A plain operator on a multivalued key cannot be judged (see the rule); it is
        // reported.
        if self.op.set.is_none() && (self.multivalued || value.is_some_and(|v| v.is_multivalued()))
        {
            ctx.problem(
                ProblemKind::PlainOperatorOnMultivaluedKey,
                &self.key,
                self.op.op.name(),
            );
            return (
                rule(state(value.is_some(), true), self.multivalued),
                Outcome::PlainOperatorOnMultivaluedKey,
            );
        }
        let Some(value) = value else {
            let outcome = match (self.op.if_exists, self.op.set) {
                (true, Some(SetQualifier::ForAnyValue)) => {
                    ctx.problem(
                        ProblemKind::ForAnyValueIfExistsOnMissingKey,
                        &self.key,
                        self.op.op.name(),
                    );
                    Outcome::ForAnyValueIfExistsOnMissingKey
                }
                (true, _) => Outcome::MissingIfExists,
                (false, Some(SetQualifier::ForAllValues)) => Outcome::MissingForAllValues,
                (false, Some(SetQualifier::ForAnyValue)) => Outcome::MissingForAnyValue,
                (false, None) => Outcome::Missing,
            };
            return (rule(state(false, false), false), outcome);
        };
        // Past the check above, a plain operator has one value, not a list.
        let mut key = state(true, false);
        // Each request value: does it match one of the policy values? A value the
        // operator cannot read leaves the whole condition unjudged (and is reported), so
        // the others need not be looked at.
        for v in value.iter() {
            match self.matches_any(v, typed, ctx) {
                Some(true) => key.matched = true,
                Some(false) => key.unmatched = true,
                None => {
                    key.unreadable = true;
                    return (rule(key, false), Outcome::Unjudged);
                }
            }
        }
        let outcome = if value.is_empty() {
            Outcome::EmptySet
        } else {
            Outcome::Compared
        };
        (rule(key, false), outcome)
    }

    /// Whether one request value matches any of the policy values under the positive
    /// comparison; `None` if the request value cannot be read as the operator's type.
    fn matches_any<'a, T: Tracer<'a>>(
        &'a self,
        v: &'a str,
        typed: Option<&Typed>,
        ctx: &mut Ctx<'a, '_, T>,
    ) -> Option<bool> {
        // The reading made when the request was built, if there is one; otherwise read
        // the value now (a multivalued key, or a value that did not read as this type).
        let cmp = self.op.op.comparison();
        let key: &'a str = &self.key;
        match &self.values {
            Values::StrSet(set) => Some(set.contains(v)),
            Values::Str(list) => {
                let case = if cmp == Comparison::EqualsIgnoreCase {
                    Case::Insensitive
                } else {
                    Case::Sensitive
                };
                Some(list.iter().any(|p| match p {
                    StrValue::Fixed(p) => p.matches(v),
                    StrValue::Template(t) => match resolve(t, ctx) {
                        Some(parts) => string_pattern(cmp, case, parts).matches(v),
                        None => false,
                    },
                }))
            }
            Values::Num(list) => {
                let Some(n) = typed
                    .and_then(|t| t.number)
                    .or_else(|| numeric::parse(v).ok())
                else {
                    ctx.problem(ProblemKind::NotANumber, key, v);
                    return None;
                };
                Some(list.iter().any(|p| ordered(cmp, n.cmp(p))))
            }
            Values::Date(list) => {
                let Some(d) = typed.and_then(|t| t.date).or_else(|| date::parse(v).ok()) else {
                    ctx.problem(ProblemKind::NotADate, key, v);
                    return None;
                };
                Some(list.iter().any(|p| ordered(cmp, d.cmp(p))))
            }
            Values::Bool(list) => {
                let Some(b) = parse_bool(v) else {
                    ctx.problem(ProblemKind::NotABool, key, v);
                    return None;
                };
                let mut any = false;
                for p in list {
                    match p {
                        BoolValue::Fixed(p) => any |= *p == b,
                        BoolValue::Template(t) => match resolve_bool(t, ctx) {
                            Some(Some(p)) => any |= p == b,
                            // A variable without a value: the value matches nothing.
                            Some(None) => {}
                            // A substituted value that is no boolean cannot be compared.
                            None => return None,
                        },
                    }
                }
                Some(any)
            }
            Values::Binary(list) => {
                let mut any = false;
                for bytes in list {
                    match binary::eq_encoded(v, bytes) {
                        Some(eq) => any |= eq,
                        None => {
                            ctx.problem(ProblemKind::NotBase64, key, v);
                            return None;
                        }
                    }
                }
                Some(any)
            }
            Values::Ip(list) => {
                let Some(addr) = typed.and_then(|t| t.ip).or_else(|| ip::parse_addr(v)) else {
                    ctx.problem(ProblemKind::NotAnIpAddress, key, v);
                    return None;
                };
                Some(list.iter().any(|net| net.contains(addr)))
            }
            Values::Arn(list) => {
                if split_arn(v).is_none() {
                    ctx.problem(ProblemKind::NotAnArn, key, v);
                    return None;
                }
                Some(list.iter().any(|p| match p {
                    ArnValue::Any => true,
                    ArnValue::Fixed(p) => p.matches(v),
                    ArnValue::Template(t) => match resolve(t, ctx) {
                        Some(parts) => ArnPattern::from_parts(&parts).is_some_and(|p| p.matches(v)),
                        None => false,
                    },
                }))
            }
            Values::Null(_) => Some(false),
        }
    }
}

/// A `Bool` value from a policy variable: `Some(Some(b))` once substituted, `Some(None)`
/// when a variable has no value (the value matches nothing), `None` when the substituted
/// text is not `true` or `false` (reported: the condition cannot be judged).
fn resolve_bool<'a, T: Tracer<'a>>(
    t: &'a Template,
    ctx: &mut Ctx<'a, '_, T>,
) -> Option<Option<bool>> {
    let Some(parts) = resolve(t, ctx) else {
        return Some(None);
    };
    let text: String = parts
        .iter()
        .map(|p| match p {
            Part::Wild(s) | Part::Literal(s) => *s,
        })
        .collect();
    if let Some(b) = parse_bool(&text) {
        return Some(Some(b));
    }
    // The problem names the variable and the value the request gave it (a `Bool`
    // template has a variable: lowering keeps no other).
    let var = t.parts().iter().find_map(|p| match p {
        TemplatePart::Var(v) => Some(v),
        _ => None,
    });
    if let Some(var) = var {
        let value = ctx
            .request
            .context()
            .get_lower(&var.lower, var.hash)
            .and_then(|(v, _)| v.single())
            .or(var.default.as_deref())
            .unwrap_or_default();
        ctx.problem(ProblemKind::NotABool, &var.key, value);
    }
    None
}

/// A `String*` value as a pattern: wildcards only for `StringLike`; for the other
/// operators every character is literal.
pub(crate) fn string_pattern<'p>(
    cmp: Comparison,
    case: Case,
    parts: impl IntoIterator<Item = Part<'p>>,
) -> Pattern {
    match cmp {
        Comparison::Like => Pattern::from_parts(parts, case),
        _ => Pattern::from_parts(
            parts.into_iter().map(|p| match p {
                Part::Wild(t) | Part::Literal(t) => Part::Literal(t),
            }),
            case,
        ),
    }
}

fn ordered(cmp: Comparison, ord: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match cmp {
        Comparison::Equals => ord == Equal,
        Comparison::LessThan => ord == Less,
        Comparison::LessThanEquals => ord != Greater,
        Comparison::GreaterThan => ord == Greater,
        Comparison::GreaterThanEquals => ord != Less,
        Comparison::EqualsIgnoreCase
        | Comparison::Like
        | Comparison::InRange
        | Comparison::Presence => false,
    }
}
