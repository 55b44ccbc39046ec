//! From a model to a request, and the checks a request must pass to be a
//! counterexample: inside the shape, with the decision the question forbids, confirmed by
//! `evaluate`. Then the request is made as small as it can be.

use super::encode::{is_account_id, CaseKind, Encoding};
use super::shape::{Shape, ShapePrincipal};
use super::solve::Model;
use crate::compile::condition::CompiledCondition;
use crate::compile::{Ctx, Memo, NoTrace, Problems, Truth};
use crate::request::{Principal, PrincipalKind, Request, RequestBuilder};
use crate::value::arn::split_arn;
use std::collections::BTreeSet;

/// A context value as a request gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    One(String),
    List(Vec<String>),
}

/// A request in parts, so that it can be rebuilt with a key less.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Draft {
    pub(crate) principal: Principal,
    pub(crate) action: String,
    pub(crate) resource: String,
    pub(crate) resource_account: Option<String>,
    pub(crate) context: Vec<(String, Value)>,
}

impl Draft {
    pub(crate) fn build(&self) -> Option<Request> {
        let mut b = RequestBuilder::default();
        b.principal_value(self.principal.clone())
            .action(&self.action)
            .resource(&self.resource);
        if let Some(a) = &self.resource_account {
            b.resource_account(a);
        }
        for (k, v) in &self.context {
            match v {
                Value::One(s) => b.context(k, s.as_str()),
                Value::List(l) => b.context(k, l.as_slice()),
            };
        }
        b.build().ok()
    }
}

/// Reads a request out of a model.
pub(crate) fn draft(enc: &Encoding<'_>, model: &Model) -> Option<Draft> {
    let holds = |f| model.satisfies(&enc.p.formulas, f);
    let case = enc.cases.iter().find(|c| holds(c.flag))?;
    let value = |lower: &str| -> Option<String> {
        let k = enc.keys.get(lower)?;
        model.value(k.first).map(str::to_string)
    };
    // The slot's string is lowercase, as statements compare actions; the request shows
    // the action as the shape or a policy writes it, when one names it exactly.
    let action = model.value(enc.action).map_or_else(
        || enc.shape.actions.first().cloned().unwrap_or_default(),
        |a| written_action(enc, a),
    );
    let resource = model.value(enc.resource).map_or_else(
        || enc.shape.resources.first().cloned().unwrap_or_default(),
        str::to_string,
    );
    let same_fresh = holds(enc.same_fresh);
    let principal = match &case.kind {
        CaseKind::Named(p) => p.clone(),
        CaseKind::Fresh { kind, account } => {
            let arn = value("aws:principalarn");
            let from_resource = || {
                split_arn(&resource)
                    .map(|p| p.account.to_string())
                    .filter(|a| same_fresh && is_account_id(a))
            };
            let account = account
                .clone()
                .or_else(|| value("aws:principalaccount"))
                .or_else(|| {
                    arn.as_deref()
                        .and_then(|a| split_arn(a).map(|p| p.account.to_string()))
                })
                .or_else(from_resource)
                .unwrap_or_else(|| fresh_account(&enc.accounts));
            fresh_iam(enc, *kind, &account, arn, value("aws:username"))?
        }
        CaseKind::FreshService => {
            let name = value("aws:principalservicename").unwrap_or_else(|| {
                avoid("service.example.com", |s| {
                    enc.services.iter().any(|n| n.eq_ignore_ascii_case(s))
                })
            });
            Principal::parse(&format!("service:{name}")).ok()?
        }
        CaseKind::FreshProvider => {
            let name = avoid("provider.example.com", |s| enc.providers.contains(s));
            Principal::web_identity(&name)
        }
        CaseKind::FreshCanonical => {
            let name = avoid("canonical-user-1", |s| enc.canonicals.contains(s));
            Principal::canonical_user(&name)
        }
    };
    let mut context = Vec::new();
    for key in enc.keys.values() {
        if key.derived || !holds(key.present) {
            continue;
        }
        let text = |slot| model.value(slot).unwrap_or("x").to_string();
        if holds(key.listed) {
            let list = key
                .elements
                .iter()
                .filter(|(_, pe)| holds(*pe))
                .map(|(s, _)| text(*s))
                .collect();
            context.push((key.written.clone(), Value::List(list)));
        } else {
            context.push((key.written.clone(), Value::One(text(key.first))));
        }
    }
    Some(Draft {
        principal,
        action,
        resource,
        resource_account: enc.shape.resource_account.clone(),
        context,
    })
}

/// The action as the shape or a policy writes it: the exact name when one names it,
/// else the action with the longest pattern text before a wildcard it starts with written
/// as that pattern writes it (`s3:Put*` shows `s3:put` as `s3:Put`). Action names are
/// matched without regard to case, so the request is the same to `evaluate`.
fn written_action(enc: &Encoding<'_>, action: &str) -> String {
    let lower = action.to_ascii_lowercase();
    if let Some(name) = enc.action_names.get(&lower) {
        return name.clone();
    }
    let prefix = enc
        .action_prefixes
        .iter()
        .filter(|(p, _)| lower.starts_with(p.as_str()))
        .max_by_key(|(p, _)| p.len());
    match prefix {
        Some((p, written)) => format!("{written}{}", lower.get(p.len()..).unwrap_or_default()),
        None => action.to_string(),
    }
}

/// A fresh IAM caller: from the principal ARN the model gives, or made up from the
/// account and name.
fn fresh_iam(
    enc: &Encoding<'_>,
    kind: PrincipalKind,
    account: &str,
    arn: Option<String>,
    username: Option<String>,
) -> Option<Principal> {
    let named = |s: &str| enc.named.iter().any(|p| p.id() == s);
    let session = |role_arn: &str| -> Option<String> {
        let parts = split_arn(role_arn)?;
        let role = parts.resource.strip_prefix("role/")?;
        let base = format!(
            "arn:{}:sts::{}:assumed-role/{role}/",
            parts.partition, parts.account
        );
        Some(avoid(&format!("{base}session"), named))
    };
    let text = match (kind, arn) {
        (PrincipalKind::AssumedRole, Some(role_arn)) => session(&role_arn)?,
        (_, Some(arn)) => arn,
        (PrincipalKind::User, None) => {
            // The name is `aws:username`: a named user's ARN is avoided with a path.
            let name = username.unwrap_or_else(|| "user".into());
            let plain = format!("arn:aws:iam::{account}:user/{name}");
            if named(&plain) {
                let path = avoid("path", |p| {
                    named(&format!("arn:aws:iam::{account}:user/{p}/{name}"))
                });
                format!("arn:aws:iam::{account}:user/{path}/{name}")
            } else {
                plain
            }
        }
        (PrincipalKind::Role, None) => format!("arn:aws:iam::{account}:role/role"),
        (PrincipalKind::AssumedRole, None) => {
            session(&format!("arn:aws:iam::{account}:role/role"))?
        }
        (PrincipalKind::FederatedUser, None) => avoid(
            &format!("arn:aws:sts::{account}:federated-user/user"),
            named,
        ),
        (PrincipalKind::Root, None) => format!("arn:aws:iam::{account}:root"),
        _ => return None,
    };
    Principal::parse(&text).ok()
}

/// `base`, or `base` with a number appended, whichever `taken` does not hold first.
fn avoid(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (1..)
        .map(|i| format!("{base}{i}"))
        .find(|s| !taken(s))
        .unwrap_or_else(|| base.to_string())
}

/// An account id no policy names.
fn fresh_account(named: &BTreeSet<String>) -> String {
    (0..1000u64)
        .map(|i| format!("{:012}", 999_988_887_777 - i))
        .find(|a| !named.contains(a))
        .unwrap_or_else(|| "999988887777".into())
}

/// Whether the request is in the shape: its caller, action, resource and context.
pub(crate) fn in_shape(shape: &Shape, request: &Request) -> bool {
    let p = request.principal();
    let caller = shape.principals.iter().any(|sp| match sp {
        ShapePrincipal::Any => true,
        ShapePrincipal::Account(a) => p.account() == Some(a.as_str()),
        ShapePrincipal::Caller(q) => q.kind() == p.kind() && q.id() == p.id(),
    });
    let action = request.action().to_ascii_lowercase();
    caller
        && shape.action_patterns().iter().any(|a| a.matches(&action))
        && shape
            .resource_patterns()
            .iter()
            .any(|r| r.matches(request.resource()))
        && request.resource_account() == shape.resource_account.as_deref()
        && conditions_hold(shape, request)
        && derived_untouched(request)
}

/// The shape's conditions, each evaluated by the evaluator's own condition code.
fn conditions_hold(shape: &Shape, request: &Request) -> bool {
    let compiled: Vec<CompiledCondition> = shape
        .conditions
        .iter()
        .flat_map(|b| {
            b.entries()
                .iter()
                .map(|e| CompiledCondition::compile(b.operator(), e))
        })
        .collect();
    let mut problems = Problems::default();
    let mut ctx = Ctx {
        request,
        problems: &mut problems,
        tracer: &mut NoTrace,
        memo: Memo::default(),
    };
    compiled.iter().all(|c| c.eval(&mut ctx) == Truth::True)
}

/// The request sets none of the keys AWS derives from the caller: they are derived.
fn derived_untouched(request: &Request) -> bool {
    request
        .context()
        .caller_keys()
        .all(|(_, lower, _)| !super::encode::DERIVED.contains(&lower))
}

/// Drops context keys and list elements while `keep` still holds, so that the request
/// shows only what matters.
pub(crate) fn minimise(draft: &Draft, keep: &dyn Fn(&Request) -> bool) -> Draft {
    let mut best = draft.clone();
    let mut i = 0;
    while i < best.context.len() {
        let mut trial = best.clone();
        trial.context.remove(i);
        if trial.build().is_some_and(|r| keep(&r)) {
            best = trial;
            continue;
        }
        if let Some((_, Value::List(list))) = best.context.get(i) {
            let mut j = 0;
            let mut list = list.clone();
            while j < list.len() {
                let mut shorter = list.clone();
                shorter.remove(j);
                let mut trial = best.clone();
                if let Some(entry) = trial.context.get_mut(i) {
                    entry.1 = Value::List(shorter.clone());
                }
                if trial.build().is_some_and(|r| keep(&r)) {
                    best = trial;
                    list = shorter;
                } else {
                    j += 1;
                }
            }
        }
        i += 1;
    }
    best
}

/// A shortest witness can be an empty object key (`arn:aws:s3:::bucket/`): when a
/// request ending in `/` or `:` still refutes the claim with a name after it, that one is
/// shown instead.
pub(crate) fn polish(draft: Draft, keep: &dyn Fn(&Request) -> bool) -> Draft {
    if !(draft.resource.ends_with('/') || draft.resource.ends_with(':')) {
        return draft;
    }
    let mut named = draft.clone();
    named.resource.push_str("object");
    if named.build().is_some_and(|r| keep(&r)) {
        named
    } else {
        draft
    }
}

/// The caller as the test-file format and `iam-eval eval --principal` write it.
pub(crate) fn principal_text(p: &Principal) -> String {
    match p.kind() {
        PrincipalKind::Service => format!("service:{}", p.id()),
        PrincipalKind::WebIdentity => format!("federated:{}", p.id()),
        PrincipalKind::CanonicalUser => format!("canonical-user:{}", p.id()),
        PrincipalKind::Anonymous => "*".into(),
        _ => p.id().to_string(),
    }
}
