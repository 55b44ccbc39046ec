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
use crate::hash::{bytes_eq, FxHasher};
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

/// No slot in [`super::Memo`].
const NO_MEMO: u8 = u8::MAX;

/// Gives the conditions that several statements share (the same operator, key and
/// values, so the same outcome for any request) a slot each in [`super::Memo`], the
/// most shared first, 64 at most.
pub(crate) fn assign_memo_slots<'s>(conditions: impl Iterator<Item = &'s mut CompiledCondition>) {
    let mut conditions: Vec<&mut CompiledCondition> = conditions.collect();
    let identity = |c: &CompiledCondition| {
        let mut key = format!("{}\u{0}{}", c.op, c.lower);
        for v in c.written.iter() {
            key.push('\u{0}');
            key.push_str(v);
        }
        key
    };
    // Per distinct condition: how many share it, and where it first appears.
    let mut counts: std::collections::HashMap<String, (usize, usize)> =
        std::collections::HashMap::new();
    let keys: Vec<String> = conditions.iter().map(|c| identity(c)).collect();
    for (i, k) in keys.iter().enumerate() {
        counts.entry(k.clone()).or_insert((0, i)).0 += 1;
    }
    let mut shared: Vec<(&String, (usize, usize))> = counts
        .iter()
        .filter(|(_, (n, _))| *n > 1)
        .map(|(k, v)| (k, *v))
        .collect();
    shared.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
    let slots: std::collections::HashMap<&String, u8> = shared
        .iter()
        .take(64)
        .enumerate()
        .map(|(slot, (k, _))| (*k, slot as u8))
        .collect();
    for (c, k) in conditions.iter_mut().zip(&keys) {
        c.memo = slots.get(k).copied().unwrap_or(NO_MEMO);
    }
}

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
    /// String values without variables.
    Str(Box<[Pattern]>),
    /// String values, some with variables: substituted per request, in order (a value
    /// that matches ends the list, so the variables after it are not looked up).
    StrVars(Vec<StrValue>),
    /// `StringEquals` over many fixed values: one hash lookup instead of a comparison
    /// per value.
    StrSet(HashSet<Box<str>, BuildHasherDefault<FxHasher>>),
    Num(Vec<numeric::Number>),
    Date(Vec<date::Instant>),
    /// `Bool` values without variables.
    Bool(Box<[bool]>),
    /// `Bool` values, some with variables.
    BoolVars(Vec<BoolValue>),
    Binary(Vec<Box<[u8]>>),
    Ip(Vec<ip::IpNet>),
    Arn(Vec<ArnValue>),
    Null(Vec<bool>),
}

/// How a condition's common case is decided without the general path: a plain operator
/// (no `ForAnyValue:`/`ForAllValues:`, not `Null`) on a key that is not documented as
/// multivalued, when the request gives the key one value that reads as the operator's
/// type, or no value at all. Anything else (a list, a value of the wrong type, a
/// variable) takes the general path, which decides the same and reports problems.
#[derive(Debug, Clone)]
enum Fast {
    /// None: the general path.
    General,
    /// String values without wildcards, case-sensitive (`StringEquals`,
    /// `StringNotEquals`, `StringLike` without `*` or `?`): byte comparisons.
    Bytes(Box<[Box<[u8]>]>),
    /// Other values without variables (strings with wildcards or ignoring case, and the
    /// typed ones): compared with the reading made when the request was built.
    Values,
}

/// One condition key under one operator, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledCondition {
    op: ConditionOperator,
    fast: Fast,
    /// The condition's slot in [`super::Memo`], [`NO_MEMO`] for none.
    memo: u8,
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
    /// What [`rules::condition`] makes of the fast path's three states, worked out when
    /// the condition is compiled: INVARIANT: `[missing, matched, unmatched]` as
    /// [`plain_rule`] gives them for `op`.
    quick_rule: [Truth; 3],
}

/// What [`rules::condition`] decides for a plain operator (no set qualifier, not `Null`)
/// on a key not documented as multivalued, given one readable value (`present`) that
/// `matched` or not, or no value.
fn plain_rule(op: ConditionOperator, present: bool, matched: bool) -> Truth {
    Truth::from(rules::condition(
        &mut Concrete,
        op,
        None,
        false,
        KeyState {
            present,
            listed: false,
            matched,
            unmatched: present && !matched,
            unreadable: false,
        },
    ))
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
                let fixed: Option<Box<[Pattern]>> = list
                    .iter()
                    .map(|v| match v {
                        StrValue::Fixed(p) => Some(p.clone()),
                        StrValue::Template(_) => None,
                    })
                    .collect();
                match (set, fixed) {
                    (Some(set), _) => Values::StrSet(set),
                    (None, Some(fixed)) => Values::Str(fixed),
                    (None, None) => Values::StrVars(list),
                }
            }
            TypedValues::Num(list) => Values::Num(list.clone()),
            TypedValues::Date(list) => Values::Date(list.clone()),
            TypedValues::Null(list) => Values::Null(list.clone()),
            TypedValues::Bool(list) => {
                let fixed: Option<Box<[bool]>> = list
                    .iter()
                    .map(|v| match v {
                        BoolValue::Fixed(b) => Some(*b),
                        BoolValue::Template(_) => None,
                    })
                    .collect();
                match fixed {
                    Some(fixed) => Values::Bool(fixed),
                    None => Values::BoolVars(list.clone()),
                }
            }
            TypedValues::Binary(list) => Values::Binary(list.clone()),
            TypedValues::Ip(list) => Values::Ip(list.clone()),
            TypedValues::Arn(list) => Values::Arn(list.clone()),
        };
        let key = entry.key();
        let lower = key.to_lowercase();
        let multivalued = keys::is_multivalued(&lower);
        let plain = op.set.is_none() && !multivalued;
        let fast = match &values {
            _ if !plain => Fast::General,
            Values::Str(list) => list
                .iter()
                .map(|p| p.exact_text().map(|t| Box::from(t.as_bytes())))
                .collect::<Option<Box<[Box<[u8]>]>>>()
                .map_or(Fast::Values, Fast::Bytes),
            Values::StrSet(_)
            | Values::Num(_)
            | Values::Date(_)
            | Values::Bool(_)
            | Values::Ip(_) => Fast::Values,
            Values::StrVars(_)
            | Values::BoolVars(_)
            | Values::Binary(_)
            | Values::Arn(_)
            | Values::Null(_) => Fast::General,
        };
        CompiledCondition {
            op,
            fast,
            quick_rule: [
                plain_rule(op, false, false),
                plain_rule(op, true, true),
                plain_rule(op, true, false),
            ],
            memo: NO_MEMO,
            multivalued,
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
    #[inline(always)]
    pub(crate) fn eval<'a, T: Tracer<'a>>(&'a self, ctx: &mut Ctx<'a, '_, T>) -> Truth {
        // A trace records every condition; `evaluate` decides a shared one once.
        let memo = !T::ON && self.memo != NO_MEMO;
        let bit = 1u64 << (self.memo & 63);
        if memo && ctx.memo.known & bit != 0 {
            return Truth::from(ctx.memo.held & bit != 0);
        }
        let met = ctx.problems.met;
        let truth = self.decide(ctx);
        if memo && truth != Truth::Unknown && ctx.problems.met == met {
            ctx.memo.known |= bit;
            if truth == Truth::True {
                ctx.memo.held |= bit;
            }
        }
        truth
    }

    #[inline(always)]
    fn decide<'a, T: Tracer<'a>>(&'a self, ctx: &mut Ctx<'a, '_, T>) -> Truth {
        let entry = ctx.request.context().get_lower(&self.lower, self.hash);
        let value = entry.map(|(v, _)| v);
        if let Some((truth, outcome)) = self.quick(entry) {
            if T::ON {
                ctx.tracer.condition(self, value, truth, outcome);
            }
            return truth;
        }
        let (truth, outcome) = self.eval_inner(value, entry.map(|(_, t)| t), ctx);
        if T::ON {
            ctx.tracer.condition(self, value, truth, outcome);
        }
        truth
    }

    /// The common cases (see [`Fast`]), decided as [`CompiledCondition::eval_inner`]
    /// decides them; `None` for the others.
    #[inline(always)]
    fn quick(&self, entry: Option<(RequestValues<'_>, &Typed)>) -> Option<(Truth, Outcome)> {
        // The outcome comes from the rule the analysis shares (`rules::condition`), as in
        // `eval_inner`: here the operator is plain, the key not documented as
        // multivalued, and the value, if any, one that reads as the operator's type; the
        // rule's three answers for these states were worked out at compile time
        // (`quick_rule`).
        let Some((value, typed)) = entry else {
            if matches!(self.fast, Fast::General) {
                return None;
            }
            let outcome = if self.op.if_exists {
                Outcome::MissingIfExists
            } else {
                Outcome::Missing
            };
            return Some((self.quick_rule[0], outcome));
        };
        let cmp = self.op.op.comparison();
        let matched = match (&self.fast, &self.values) {
            (Fast::General, _) => return None,
            (Fast::Bytes(list), _) => {
                let bytes = value.single_bytes()?;
                list.iter().any(|l| bytes_eq(l, bytes))
            }
            (Fast::Values, Values::Ip(list)) => {
                value.single_bytes()?;
                let addr = typed.ip?;
                list.iter().any(|net| net.contains(addr))
            }
            (Fast::Values, Values::Bool(list)) => {
                value.single_bytes()?;
                list.contains(&typed.boolean?)
            }
            (Fast::Values, Values::Num(list)) => {
                value.single_bytes()?;
                let n = typed.number?;
                list.iter().any(|p| ordered(cmp, n.cmp(p)))
            }
            (Fast::Values, Values::Date(list)) => {
                value.single_bytes()?;
                let d = typed.date?;
                list.iter().any(|p| ordered(cmp, d.cmp(p)))
            }
            (Fast::Values, Values::Str(list)) => {
                let v = value.single()?;
                list.iter().any(|p| p.matches(v))
            }
            (Fast::Values, Values::StrSet(set)) => set.contains(value.single()?),
            (Fast::Values, _) => return None,
        };
        let rule = if matched {
            self.quick_rule[1]
        } else {
            self.quick_rule[2]
        };
        Some((rule, Outcome::Compared))
    }

    #[inline(always)]
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
        let tally = |key: &mut KeyState<bool>, matched: Option<bool>| match matched {
            Some(true) => {
                key.matched = true;
                true
            }
            Some(false) => {
                key.unmatched = true;
                true
            }
            None => {
                key.unreadable = true;
                false
            }
        };
        // A single value (the common case) is compared without the list iterator.
        let judged = match value.single() {
            Some(v) => tally(&mut key, self.matches_any(v, typed, ctx)),
            None => value
                .iter()
                .all(|v| tally(&mut key, self.matches_any(v, typed, ctx))),
        };
        if !judged {
            return (rule(key, false), Outcome::Unjudged);
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
    /// The common value types are compared here; variables, binary values and ARNs in
    /// [`CompiledCondition::matches_any_other`].
    #[inline(always)]
    fn matches_any<'a, T: Tracer<'a>>(
        &'a self,
        v: &'a str,
        typed: Option<&Typed>,
        ctx: &mut Ctx<'a, '_, T>,
    ) -> Option<bool> {
        // The reading made when the request was built, if there is one; otherwise read
        // the value now (a multivalued key, or a value that did not read as this type).
        let cmp = self.op.op.comparison();
        match &self.values {
            Values::Str(list) => Some(list.iter().any(|p| p.matches(v))),
            Values::StrSet(set) => Some(set.contains(v)),
            Values::Num(list) => {
                let Some(n) = typed
                    .and_then(|t| t.number)
                    .or_else(|| numeric::parse(v).ok())
                else {
                    ctx.problem(ProblemKind::NotANumber, &self.key, v);
                    return None;
                };
                Some(list.iter().any(|p| ordered(cmp, n.cmp(p))))
            }
            Values::Date(list) => {
                let Some(d) = typed.and_then(|t| t.date).or_else(|| date::parse(v).ok()) else {
                    ctx.problem(ProblemKind::NotADate, &self.key, v);
                    return None;
                };
                Some(list.iter().any(|p| ordered(cmp, d.cmp(p))))
            }
            Values::Bool(list) => {
                let Some(b) = typed.and_then(|t| t.boolean).or_else(|| parse_bool(v)) else {
                    ctx.problem(ProblemKind::NotABool, &self.key, v);
                    return None;
                };
                Some(list.contains(&b))
            }
            Values::Ip(list) => {
                let Some(addr) = typed.and_then(|t| t.ip).or_else(|| ip::parse_addr(v)) else {
                    ctx.problem(ProblemKind::NotAnIpAddress, &self.key, v);
                    return None;
                };
                Some(list.iter().any(|net| net.contains(addr)))
            }
            Values::Null(_) => Some(false),
            Values::StrVars(_) | Values::BoolVars(_) | Values::Binary(_) | Values::Arn(_) => {
                self.matches_any_other(v, typed, ctx)
            }
        }
    }

    /// [`CompiledCondition::matches_any`] for variables, binary values and ARNs.
    #[inline(never)]
    fn matches_any_other<'a, T: Tracer<'a>>(
        &'a self,
        v: &'a str,
        typed: Option<&Typed>,
        ctx: &mut Ctx<'a, '_, T>,
    ) -> Option<bool> {
        let cmp = self.op.op.comparison();
        let key: &'a str = &self.key;
        match &self.values {
            Values::StrVars(list) => {
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
            Values::BoolVars(list) => {
                let Some(b) = typed.and_then(|t| t.boolean).or_else(|| parse_bool(v)) else {
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
            Values::Str(_)
            | Values::StrSet(_)
            | Values::Num(_)
            | Values::Date(_)
            | Values::Bool(_)
            | Values::Ip(_)
            | Values::Null(_) => self.matches_any(v, typed, ctx),
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
