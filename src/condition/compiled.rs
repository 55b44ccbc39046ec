//! Conditions compiled once at build time and evaluated without allocating.
//!
//! The combining rules follow
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>:
//! the keys of a block and the blocks of a statement are ANDed (done by the caller);
//! the values of one key are ORed for a positive operator, and a negated operator holds
//! only when the request value matches none of them.

use super::{
    arn::ArnPattern, binary, date, ip, numeric, Comparison, ConditionOperator, Family, Operator,
    SetQualifier,
};
use crate::eval::observe::Observer;
use crate::eval::response::ProblemKind;
use crate::eval::trace::{ConditionTrace, Outcome};
use crate::hash::FxHasher;
use crate::pattern::{Case, Part, Pattern, PatternKind};
use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

/// Above this many values, `StringEquals` looks a value up in a hash set.
const SET_THRESHOLD: usize = 6;
use crate::policy::template::{self, Segment};
use crate::policy::ConditionValue;
use crate::request::{Request, Typed, Values as RequestValues};

/// A piece of a template, owned.
#[derive(Debug, Clone)]
pub(crate) enum TemplatePart {
    /// Policy text (wildcards active where the operator has them).
    Text(Box<str>),
    /// A literal character from `${*}`, `${?}`, `${$}`.
    Literal(&'static str),
    /// A variable: the lowercase key, the key as written, and the default.
    Var {
        lower: Box<str>,
        hash: u64,
        key: Box<str>,
        default: Option<Box<str>>,
    },
}

/// A string with policy variables, split once at build time.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    parts: Vec<TemplatePart>,
}

impl Template {
    /// Splits `text`; a template without variables (only `${*}`, `${?}`, `${$}`) is
    /// compiled statically by the caller through [`Template::static_parts`].
    pub(crate) fn parse(text: &str) -> Result<Template, template::TemplateError> {
        let parts = template::parse(text)?
            .into_iter()
            .map(|s| match s {
                Segment::Text(t) => TemplatePart::Text(t.into()),
                Segment::Literal(l) => TemplatePart::Literal(l),
                Segment::Var { key, default } => TemplatePart::Var {
                    hash: crate::hash::key_hash(&key.to_lowercase()),
                    lower: key.to_lowercase().into(),
                    key: key.into(),
                    default: default.map(Into::into),
                },
            })
            .collect();
        Ok(Template { parts })
    }

    pub(crate) fn has_vars(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, TemplatePart::Var { .. }))
    }

    /// The static parts, for a template without variables.
    pub(crate) fn static_parts(&self) -> Vec<Part<'_>> {
        self.parts
            .iter()
            .map(|p| match p {
                TemplatePart::Text(t) => Part::Wild(t),
                TemplatePart::Literal(l) => Part::Literal(l),
                TemplatePart::Var { key, .. } => Part::Literal(key),
            })
            .collect()
    }

    /// Resolves every variable from the request. `None` when a variable has no value and
    /// no default: then the value matches nothing.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value>
    pub(crate) fn resolve<'a, O: Observer<'a>>(
        &'a self,
        request: &'a Request,
        obs: &mut O,
    ) -> Option<Vec<Part<'a>>> {
        let mut out = Vec::with_capacity(self.parts.len());
        let mut ok = true;
        for p in &self.parts {
            match p {
                TemplatePart::Text(t) => out.push(Part::Wild(t)),
                TemplatePart::Literal(l) => out.push(Part::Literal(l)),
                TemplatePart::Var {
                    lower,
                    hash,
                    key,
                    default,
                } => match request
                    .context()
                    .get_lower(lower, *hash)
                    .map(|(v, _)| v.single())
                {
                    Some(Some(v)) => out.push(Part::Literal(v)),
                    // Multivalued keys cannot be policy variables; the value matches nothing.
                    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
                    Some(None) => {
                        obs.problem(ProblemKind::MultivaluedVariable, key, "");
                        ok = false;
                    }
                    None => match default {
                        Some(d) => out.push(Part::Literal(d)),
                        None => {
                            obs.problem(ProblemKind::VariableWithoutValue, key, "");
                            ok = false;
                        }
                    },
                },
            }
        }
        ok.then_some(out)
    }
}

#[derive(Debug, Clone)]
enum StrValue {
    Fixed(Pattern),
    Template(Template),
}

#[derive(Debug, Clone)]
enum ArnValue {
    Any,
    Fixed(Box<ArnPattern>),
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
    Bool(Vec<bool>),
    Binary(Vec<Vec<u8>>),
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
    key: Arc<str>,
    values: Values,
    written: Arc<[String]>,
}

/// A value that passed parsing cannot fail to compile; if it does anyway (an AST built
/// some other way), the build fails rather than the evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompileError(pub(crate) String);

impl CompiledCondition {
    pub(crate) fn compile(
        op: ConditionOperator,
        key: &str,
        values: &[ConditionValue],
        variables: bool,
    ) -> Result<CompiledCondition, CompileError> {
        let bad = |v: &ConditionValue, why: &str| {
            CompileError(format!("`{}` under `{op}`: {why}", v.as_text()))
        };
        let case = match op.op.comparison() {
            Comparison::EqualsIgnoreCase => Case::Insensitive,
            _ => Case::Sensitive,
        };
        let texts = values.iter().map(ConditionValue::as_text);
        let compiled = match op.op.family() {
            Family::String => {
                let list: Vec<StrValue> = values
                    .iter()
                    .map(|v| {
                        let text = v.as_text();
                        let make = |parts: &[Part<'_>]| match op.op.comparison() {
                            Comparison::Like => Pattern::from_parts(parts.iter().copied(), case),
                            _ => Pattern::from_parts(
                                parts.iter().map(|p| match p {
                                    Part::Wild(t) | Part::Literal(t) => Part::Literal(t),
                                }),
                                case,
                            ),
                        };
                        if !variables {
                            return Ok(StrValue::Fixed(make(&[Part::Wild(text)])));
                        }
                        match Template::parse(text) {
                            Ok(t) if t.has_vars() => Ok(StrValue::Template(t)),
                            Ok(t) => Ok(StrValue::Fixed(make(&t.static_parts()))),
                            Err(e) => Err(bad(v, &e.message)),
                        }
                    })
                    .collect::<Result<_, _>>()?;
                fn exact(v: &StrValue) -> Option<&str> {
                    match v {
                        StrValue::Fixed(p) if p.kind() == PatternKind::Exact => Some(p.source()),
                        _ => None,
                    }
                }
                let set: Option<HashSet<Box<str>, _>> = (op.op.comparison() == Comparison::Equals
                    && list.len() > SET_THRESHOLD)
                    .then(|| list.iter().map(|v| exact(v).map(Box::from)).collect())
                    .flatten();
                match set {
                    Some(set) => Values::StrSet(set),
                    None => Values::Str(list),
                }
            }
            Family::Numeric => Values::Num(
                values
                    .iter()
                    .map(|v| numeric::parse(v.as_text()).map_err(|e| bad(v, e)))
                    .collect::<Result<_, _>>()?,
            ),
            Family::Date => Values::Date(
                values
                    .iter()
                    .map(|v| date::parse(v.as_text()).map_err(|e| bad(v, e)))
                    .collect::<Result<_, _>>()?,
            ),
            Family::Bool | Family::Null => {
                let bools = values
                    .iter()
                    .map(|v| parse_bool(v.as_text()).ok_or_else(|| bad(v, "not `true` or `false`")))
                    .collect::<Result<Vec<_>, _>>()?;
                if op.op == Operator::Null {
                    Values::Null(bools)
                } else {
                    Values::Bool(bools)
                }
            }
            Family::Binary => Values::Binary(
                values
                    .iter()
                    .map(|v| binary::decode(v.as_text()).map_err(|e| bad(v, e)))
                    .collect::<Result<_, _>>()?,
            ),
            Family::Ip => Values::Ip(
                values
                    .iter()
                    .map(|v| ip::parse_net(v.as_text()).map_err(|e| bad(v, e)))
                    .collect::<Result<_, _>>()?,
            ),
            Family::Arn => Values::Arn(
                values
                    .iter()
                    .map(|v| {
                        let text = v.as_text();
                        if text == "*" {
                            return Ok(ArnValue::Any);
                        }
                        let template = variables.then(|| Template::parse(text));
                        match template {
                            Some(Ok(t)) if t.has_vars() => Ok(ArnValue::Template(t)),
                            Some(Ok(t)) => ArnPattern::from_parts(&t.static_parts())
                                .map(|p| ArnValue::Fixed(Box::new(p)))
                                .ok_or_else(|| bad(v, "not an ARN")),
                            Some(Err(e)) => Err(bad(v, &e.message)),
                            None => ArnPattern::new(text)
                                .map(|p| ArnValue::Fixed(Box::new(p)))
                                .ok_or_else(|| bad(v, "not an ARN")),
                        }
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        Ok(CompiledCondition {
            op,
            hash: crate::hash::key_hash(&key.to_lowercase()),
            lower: key.to_lowercase().into(),
            key: key.into(),
            values: compiled,
            written: texts.map(str::to_string).collect::<Vec<_>>().into(),
        })
    }

    /// Evaluates this key's condition against the request.
    pub(crate) fn eval<'a, O: Observer<'a>>(&'a self, request: &'a Request, obs: &mut O) -> bool {
        let entry = request.context().get_lower(&self.lower, self.hash);
        let value = entry.map(|(v, _)| v);
        let (result, outcome) = self.eval_inner(value, entry.map(|(_, t)| t), request, obs);
        if O::TRACE {
            obs.condition(ConditionTrace {
                operator: self.op,
                key: Arc::clone(&self.key),
                request_values: value.map(|v| v.iter().map(str::to_string).collect()),
                policy_values: Arc::clone(&self.written),
                matched: result,
                outcome,
            });
        }
        result
    }

    fn eval_inner<'a, O: Observer<'a>>(
        &'a self,
        value: Option<RequestValues<'a>>,
        typed: Option<&Typed>,
        request: &'a Request,
        obs: &mut O,
    ) -> (bool, Outcome) {
        let negated = self.op.op.is_negated();
        if let Values::Null(expect_missing) = &self.values {
            // Null tests presence only: `true` matches a missing key, `false` a present one.
            // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
            let missing = value.is_none();
            return (
                expect_missing.contains(&missing),
                Outcome::Presence { present: !missing },
            );
        }
        let Some(value) = value else {
            // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
            if self.op.if_exists {
                return (true, Outcome::MissingIfExists);
            }
            return match self.op.set {
                // An absent key is an empty set: ForAllValues holds vacuously, ForAnyValue fails.
                // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
                Some(SetQualifier::ForAllValues) => (true, Outcome::MissingForAllValues),
                Some(SetQualifier::ForAnyValue) => (false, Outcome::MissingForAnyValue),
                // A negated operator on a missing key is true; a positive one is false.
                None => (negated, Outcome::Missing),
            };
        };
        let values = value.iter();
        let empty = value.is_empty();
        // Each request value: does it match one of the policy values? A value the
        // operator cannot read makes the whole condition false (and is reported).
        let mut any_matched = false;
        let mut any_unmatched = false;
        for v in values {
            match self.matches_any(v, typed, request, obs) {
                Some(true) => any_matched = true,
                Some(false) => any_unmatched = true,
                None => return (false, Outcome::Unjudged),
            }
        }
        let result = match (self.op.set, negated) {
            // Plain operators on a multivalued key (AWS asks for a set qualifier there):
            // a positive operator holds when any request value matches, a negated one when
            // none does. For one value both are the ordinary rule.
            (None, false) | (Some(SetQualifier::ForAnyValue), false) => any_matched,
            (None, true) | (Some(SetQualifier::ForAllValues), true) => !any_matched,
            (Some(SetQualifier::ForAnyValue), true) => any_unmatched,
            (Some(SetQualifier::ForAllValues), false) => !any_unmatched,
        };
        let outcome = if empty {
            Outcome::EmptySet
        } else {
            Outcome::Compared
        };
        (result, outcome)
    }

    /// Whether one request value matches any of the policy values under the positive
    /// comparison; `None` if the request value cannot be read as the operator's type.
    fn matches_any<'a, O: Observer<'a>>(
        &'a self,
        v: &'a str,
        typed: Option<&Typed>,
        request: &'a Request,
        obs: &mut O,
    ) -> Option<bool> {
        // The reading made when the request was built, if there is one; otherwise read
        // the value now (a multivalued key, or a value that did not read as this type).
        let cmp = self.op.op.comparison();
        let key: &'a str = &self.key;
        match &self.values {
            Values::StrSet(set) => Some(set.contains(v)),
            Values::Str(list) => Some(list.iter().any(|p| match p {
                StrValue::Fixed(p) => p.matches(v),
                StrValue::Template(t) => match t.resolve(request, obs) {
                    Some(parts) => {
                        let parts = parts.into_iter().map(|p| match (cmp, p) {
                            (Comparison::Like, p) => p,
                            (_, Part::Wild(t) | Part::Literal(t)) => Part::Literal(t),
                        });
                        let case = if cmp == Comparison::EqualsIgnoreCase {
                            Case::Insensitive
                        } else {
                            Case::Sensitive
                        };
                        Pattern::from_parts(parts, case).matches(v)
                    }
                    None => false,
                },
            })),
            Values::Num(list) => {
                let Some(n) = typed
                    .and_then(|t| t.number)
                    .or_else(|| numeric::parse(v).ok())
                else {
                    obs.problem(ProblemKind::NotANumber, key, v);
                    return None;
                };
                Some(list.iter().any(|p| ordered(cmp, n.cmp(p))))
            }
            Values::Date(list) => {
                let Some(d) = typed.and_then(|t| t.date).or_else(|| date::parse(v).ok()) else {
                    obs.problem(ProblemKind::NotADate, key, v);
                    return None;
                };
                Some(list.iter().any(|p| ordered(cmp, d.cmp(p))))
            }
            Values::Bool(list) => {
                let Some(b) = parse_bool(v) else {
                    obs.problem(ProblemKind::NotABool, key, v);
                    return None;
                };
                Some(list.contains(&b))
            }
            Values::Binary(list) => {
                let mut any = false;
                for bytes in list {
                    match binary::eq_encoded(v, bytes) {
                        Some(eq) => any |= eq,
                        None => {
                            obs.problem(ProblemKind::NotBase64, key, v);
                            return None;
                        }
                    }
                }
                Some(any)
            }
            Values::Ip(list) => {
                let Some(addr) = typed.and_then(|t| t.ip).or_else(|| ip::parse_addr(v)) else {
                    obs.problem(ProblemKind::NotAnIpAddress, key, v);
                    return None;
                };
                Some(list.iter().any(|net| net.contains(addr)))
            }
            Values::Arn(list) => {
                if super::arn::split_arn(v).is_none() {
                    obs.problem(ProblemKind::NotAnArn, key, v);
                    return None;
                }
                Some(list.iter().any(|p| match p {
                    ArnValue::Any => true,
                    ArnValue::Fixed(p) => p.matches(v),
                    ArnValue::Template(t) => match t.resolve(request, obs) {
                        Some(parts) => ArnPattern::from_parts(&parts).is_some_and(|p| p.matches(v)),
                        None => false,
                    },
                }))
            }
            Values::Null(_) => Some(false),
        }
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

/// `true`/`false`, case-insensitively (the Bool operator's values).
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}
