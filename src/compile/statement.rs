//! Statements compiled for evaluation, and the evaluation of one statement: its
//! `Action`, `Resource`, `Principal` and conditions against a request.

use super::condition::CompiledCondition;
use super::principal::{Grant, PrincipalMatcher};
use super::resolve::resolve;
use super::{Ctx, Tracer, Truth};
use crate::pattern::{Case, Pattern, PatternKind};
use crate::policy::{ActionSpec, Effect, PolicyKind, ResourceSpec, Statement};
use crate::template::Template;
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub(crate) enum ResourcePattern {
    Fixed(Pattern),
    Template(Template),
}

/// What reaching a literal prefix in the resource trie proves about a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Proof {
    /// `prefix*`: the resource matches.
    Prefix,
    /// No wildcard: the resource matches if it ends where the prefix does.
    Exact,
    /// Wildcards further on: the pattern must still be checked.
    None,
}

#[derive(Debug, Clone)]
pub(crate) enum Resources {
    /// No `Resource` element (a trust policy): the resource the policy is attached to.
    Attached,
    Resource(Vec<ResourcePattern>),
    NotResource(Vec<ResourcePattern>),
}

impl Resources {
    pub(crate) fn compile(s: &Statement) -> Resources {
        let list = || {
            s.resource_patterns
                .iter()
                .map(|t| {
                    if t.has_vars() {
                        ResourcePattern::Template(t.clone())
                    } else {
                        ResourcePattern::Fixed(Pattern::from_parts(
                            t.static_parts(),
                            Case::Sensitive,
                        ))
                    }
                })
                .collect()
        };
        match s.resource() {
            None => Resources::Attached,
            Some(ResourceSpec::Resource(_)) => Resources::Resource(list()),
            Some(ResourceSpec::NotResource(_)) => Resources::NotResource(list()),
        }
    }

    /// The literal prefixes of a `Resource` element whose every pattern starts with
    /// one, each with how far reaching it in the resource trie proves the match; `None`
    /// when some pattern can match a resource without a literal prefix (`*`, a leading
    /// wildcard, a variable, `NotResource`, or no `Resource` at all).
    pub(crate) fn prefixes(&self) -> Option<Vec<(&str, Proof)>> {
        let Resources::Resource(list) = self else {
            return None;
        };
        list.iter()
            .map(|p| match p {
                ResourcePattern::Fixed(p) if !p.literal_prefix().is_empty() => Some((
                    p.literal_prefix(),
                    match p.kind() {
                        PatternKind::Prefix => Proof::Prefix,
                        PatternKind::Exact => Proof::Exact,
                        _ => Proof::None,
                    },
                )),
                _ => None,
            })
            .collect()
    }

    /// Whether every resource matches, with nothing to report on the way: no `Resource`
    /// element (the attached resource), or a `Resource` list with a pattern that
    /// matches anything and no variable before it (matching stops at the first pattern
    /// that matches, so a variable after it is never resolved).
    pub(crate) fn always(&self) -> bool {
        match self {
            Resources::Attached => true,
            Resources::Resource(list) => {
                for p in list {
                    match p {
                        ResourcePattern::Fixed(p) if p.kind() == PatternKind::Any => return true,
                        ResourcePattern::Fixed(_) => {}
                        ResourcePattern::Template(_) => return false,
                    }
                }
                false
            }
            Resources::NotResource(_) => false,
        }
    }

    pub(crate) fn matches<'a, T: Tracer<'a>>(&'a self, ctx: &mut Ctx<'a, '_, T>) -> bool {
        let resource = ctx.request.resource();
        let mut any = |list: &'a [ResourcePattern]| {
            list.iter().any(|p| match p {
                ResourcePattern::Fixed(p) => p.matches(resource),
                // A variable substitutes literal text: a `*` in a tag value is not a wildcard.
                ResourcePattern::Template(t) => match resolve(t, ctx) {
                    Some(parts) => Pattern::from_parts(parts, Case::Sensitive).matches(resource),
                    None => false,
                },
            })
        };
        match self {
            Resources::Attached => true,
            Resources::Resource(list) => any(list),
            Resources::NotResource(list) => !any(list),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Actions {
    Action(Vec<Pattern>),
    NotAction(Vec<Pattern>),
}

impl Actions {
    pub(crate) fn compile(spec: &ActionSpec) -> Actions {
        // Both sides are ASCII-lowercased, so matching is a byte comparison.
        let compile = |list: &[String]| {
            list.iter()
                .map(|a| Pattern::new(&a.to_ascii_lowercase(), Case::Sensitive))
                .collect()
        };
        match spec {
            ActionSpec::Action(list) => Actions::Action(compile(list)),
            ActionSpec::NotAction(list) => Actions::NotAction(compile(list)),
        }
    }

    #[inline]
    pub(crate) fn matches(&self, action_lower: &str) -> bool {
        match self {
            Actions::Action(list) => list.iter().any(|p| p.matches(action_lower)),
            Actions::NotAction(list) => !list.iter().any(|p| p.matches(action_lower)),
        }
    }

    /// The patterns, of `Action` or `NotAction`.
    pub(crate) fn list(&self) -> &[Pattern] {
        match self {
            Actions::Action(list) | Actions::NotAction(list) => list,
        }
    }
}

/// A statement ready to evaluate.
#[derive(Debug, Clone)]
pub(crate) struct CompiledStatement {
    /// The kind of its policy.
    pub(crate) kind: PolicyKind,
    /// Its policy's position in the set.
    pub(crate) policy: u32,
    /// Its position in its policy.
    pub(crate) index: usize,
    /// Shared with explanations.
    pub(crate) sid: Option<Arc<str>>,
    pub(crate) effect: Effect,
    pub(crate) principal: Option<PrincipalMatcher>,
    pub(crate) actions: Actions,
    pub(crate) resources: Resources,
    /// ANDed: every block, every key.
    pub(crate) conditions: Vec<CompiledCondition>,
}

impl CompiledStatement {
    /// Compiles a statement of a policy of `kind` at position `policy` in the set; the
    /// policy was validated, so this cannot fail.
    pub(crate) fn compile(
        kind: PolicyKind,
        policy: u32,
        index: usize,
        s: &Statement,
    ) -> CompiledStatement {
        let conditions = s
            .condition()
            .iter()
            .flat_map(|block| {
                block
                    .entries()
                    .iter()
                    .map(|entry| CompiledCondition::compile(block.operator(), entry))
            })
            .collect();
        CompiledStatement {
            kind,
            policy,
            index,
            sid: s.sid().map(Into::into),
            effect: s.effect(),
            principal: s.principal().map(PrincipalMatcher::compile),
            actions: Actions::compile(s.action()),
            resources: Resources::compile(s),
            conditions,
        }
    }

    /// Evaluates the statement against the request: `Action`, then `Resource`, then
    /// `Principal`, then the conditions, each skipped once an earlier one fails.
    /// `known` says what the action's program already proved. `has_boundary`: a
    /// `NotPrincipal` with `Deny` always applies to a caller with a permissions boundary.
    #[inline(always)]
    pub(crate) fn eval<'a, T: Tracer<'a>>(
        &'a self,
        known: Known,
        has_boundary: bool,
        ctx: &mut Ctx<'a, '_, T>,
    ) -> StatementEval {
        let mut out = StatementEval::NOT_MATCHED;
        if !known.action && !self.actions.matches(ctx.request.action_lower()) {
            return out;
        }
        out.action = ElementMatch::Matched;
        if !known.resource && !self.resources.matches(ctx) {
            out.resource = ElementMatch::NotMatched;
            return out;
        }
        out.resource = ElementMatch::Matched;
        let grant = match &self.principal {
            None => {
                out.principal = ElementMatch::Absent;
                Grant::Direct
            }
            Some(m) => match m.matches(ctx.request.principal(), self.effect, has_boundary) {
                Some(g) => {
                    out.principal = ElementMatch::Matched;
                    g
                }
                None => {
                    out.principal = ElementMatch::NotMatched;
                    return out;
                }
            },
        };
        out.grant = Some(grant);
        // ANDed with Kleene's rules: a plainly false condition decides the statement, so
        // evaluation stops there; an unjudged one does not, since a later false one
        // still decides it.
        let mut truth = Truth::True;
        for c in &self.conditions {
            truth = truth.and(c.eval(ctx));
            if truth == Truth::False {
                break;
            }
        }
        out.truth = truth;
        out
    }
}

/// What the statement index already proved about a statement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Known {
    /// Its `Action` matches the request's action.
    pub(crate) action: bool,
    /// Its `Resource` matches the request's resource.
    pub(crate) resource: bool,
}

/// What evaluating one statement found.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StatementEval {
    /// Whether the statement applies: `Unknown` when only an unjudged condition stands
    /// in the way.
    pub(crate) truth: Truth,
    /// How an `Allow` grants, once the principal matched.
    pub(crate) grant: Option<Grant>,
    pub(crate) action: ElementMatch,
    pub(crate) resource: ElementMatch,
    pub(crate) principal: ElementMatch,
}

impl StatementEval {
    /// A statement whose `Action` does not match: nothing else was looked at.
    pub(crate) const NOT_MATCHED: StatementEval = StatementEval {
        truth: Truth::False,
        grant: None,
        action: ElementMatch::NotMatched,
        resource: ElementMatch::Skipped,
        principal: ElementMatch::Skipped,
    };
}

/// Whether one element of a statement matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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
