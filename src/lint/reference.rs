//! The lints that read the AWS Service Authorization Reference (`iam-eval-service-ref`):
//! actions, condition keys and their types, resource types and ARN formats.
//!
//! The reference: <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>.

use super::doc::{Cond, Doc, Stmt, Value};
use super::Lint;
use crate::operator::{Family, SetQualifier};
use crate::pattern::{Case, Pattern};
use iam_eval_service_ref as sr;
use sr::KeyType;

/// A statement covering more actions than this (after expanding wildcards) is not checked
/// against its resources: the check costs actions × resources.
const MAX_SCOPE_ACTIONS: usize = 4096;
/// Resources checked per statement, for the same reason.
const MAX_SCOPE_RESOURCES: usize = 256;

type Found = Vec<(Lint, usize, String, String, Option<String>)>;

pub(super) fn check(doc: &mut Doc) {
    let mut found = Found::new();
    for s in doc.statements() {
        let scope = actions(&s, &mut found);
        for c in &s.conditions {
            condition(c, &scope, &mut found);
        }
        resources(&s, &scope, &mut found);
    }
    for (lint, offset, path, message, help) in found {
        doc.report(lint, offset, &path, message, help);
    }
}

/// What a statement's `Action` element covers, as far as the reference tells.
struct Scope<'j> {
    /// The services of the actions, each once.
    services: Vec<sr::Service>,
    /// Each value of `Action` with the actions it covers.
    actions: Vec<(Value<'j>, Vec<sr::Action>)>,
    /// Whether `services` and `actions` are all the statement covers: false with
    /// `NotAction`, `*`, a wildcard in a service prefix, an unknown service or action, or
    /// too many actions to check.
    complete: bool,
}

impl Scope<'_> {
    fn all_actions(&self) -> impl Iterator<Item = sr::Action> + '_ {
        self.actions.iter().flat_map(|(_, a)| a.iter().copied())
    }
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

fn padded(s: &str) -> bool {
    s.trim().len() != s.len()
}

/// Checks each action against the reference and gathers the statement's scope.
/// Unknown services and actions: <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>;
/// wildcards in actions: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>.
fn actions<'j>(s: &Stmt<'j>, out: &mut Found) -> Scope<'j> {
    let mut scope = Scope {
        services: Vec::new(),
        actions: Vec::new(),
        complete: s.has_action(),
    };
    let mut count = 0usize;
    for v in s.actions() {
        // `*` covers everything; a padded value is the whitespace lint's.
        if v.text == "*" || padded(v.text) {
            scope.complete = false;
            continue;
        }
        let Some((prefix, name)) = v.text.split_once(':') else {
            scope.complete = false;
            continue;
        };
        if has_wildcard(prefix) {
            scope.complete = false;
            let pattern = Pattern::new(prefix, Case::Insensitive);
            if !sr::services().any(|svc| pattern.matches(svc.prefix())) {
                out.push((
                    Lint::UnknownService,
                    v.offset,
                    v.path.clone(),
                    format!("no AWS service prefix matches `{prefix}` in `{}`", v.text),
                    None,
                ));
            }
            continue;
        }
        let Some(service) = sr::service(prefix) else {
            scope.complete = false;
            let help = match sr::did_you_mean_service(prefix) {
                Some(svc) => format!("did you mean `{}:{name}`?", svc.prefix()),
                None => "the part before `:` is a service prefix; AWS drops retired services from its reference, so their actions no longer do anything".into(),
            };
            out.push((
                Lint::UnknownService,
                v.offset,
                v.path.clone(),
                format!("unknown service `{prefix}` in `{}`", v.text),
                Some(help),
            ));
            continue;
        };
        if !scope.services.contains(&service) {
            scope.services.push(service);
        }
        let covered: Vec<sr::Action> = if has_wildcard(name) {
            service.actions_matching(name).collect()
        } else {
            service.action(name).into_iter().collect()
        };
        if covered.is_empty() {
            scope.complete = false;
            if has_wildcard(name) {
                out.push((
                    Lint::ActionMatchesNothing,
                    v.offset,
                    v.path.clone(),
                    format!("`{}` matches no action of `{}`", v.text, service.prefix()),
                    Some("check the spelling against the service's actions".into()),
                ));
            } else {
                let help = match service.did_you_mean_action(name) {
                    Some(a) => format!("did you mean `{a}`?"),
                    None => format!(
                        "the actions of `{}` are listed in the Service Authorization Reference",
                        service.prefix()
                    ),
                };
                out.push((
                    Lint::UnknownAction,
                    v.offset,
                    v.path.clone(),
                    format!(
                        "unknown action `{}`: `{}` has no action `{name}`",
                        v.text,
                        service.prefix()
                    ),
                    Some(help),
                ));
            }
            continue;
        }
        count += covered.len();
        scope.actions.push((v, covered));
    }
    if count > MAX_SCOPE_ACTIONS {
        scope.complete = false;
    }
    scope
}

// ---------------------------------------------------------------------------------------
// Condition keys

/// What a condition key is, for the statement it is in.
enum Resolved {
    /// A key the statement's services (or every service) define, with its definition.
    Known(sr::ConditionKey),
    /// A key of an OpenID Connect or SAML provider (`<provider>:<claim>`, `saml:<attribute>`),
    /// which the reference lists only in part.
    Provider,
    /// A key that only services outside the statement define.
    OtherService(sr::ConditionKey),
    /// An `aws:` key that is not a global key.
    UnknownGlobal,
    /// A key nothing defines.
    Unknown,
}

fn resolve(key: &str, scope: &Scope<'_>) -> Resolved {
    // Web identity and SAML providers name their keys by host (`accounts.google.com:aud`,
    // `token.actions.githubusercontent.com:sub`, `oidc.eks.REGION.amazonaws.com/id/ID:sub`)
    // or `saml:`; the reference lists them only in part and types some multivalued claims
    // (`cognito-identity.amazonaws.com:amr`) as strings. Their keys stay in the context of
    // the federated session, so they may appear in any statement.
    // <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif>
    let prefix = key.split_once(':').map_or(key, |(p, _)| p);
    if prefix.contains(['.', '/']) || prefix.eq_ignore_ascii_case("saml") {
        return Resolved::Provider;
    }
    if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
        return match sr::condition_key(key) {
            Some(k) => Resolved::Known(k),
            None => Resolved::UnknownGlobal,
        };
    }
    if let Some(k) = scope.services.iter().find_map(|s| s.condition_key(key)) {
        return Resolved::Known(k);
    }
    let anywhere = sr::condition_key(key);
    if let Some(k) = anywhere.filter(|k| k.is_global()) {
        return Resolved::Known(k);
    }
    match anywhere {
        Some(k) if !scope.complete => Resolved::Known(k),
        Some(k) => Resolved::OtherService(k),
        None => Resolved::Unknown,
    }
}

/// The services of a scope, for messages: `s3, kms`.
fn service_list(scope: &Scope<'_>) -> String {
    scope
        .services
        .iter()
        .map(|s| format!("`{}`", s.prefix()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The suggestion for an unknown key: a key within a small edit distance. A template key
/// absorbs any text in its placeholder, so it is suggested only for a name with a `/`,
/// like the instances it stands for (`aws:PrincipalTag/team`).
fn suggest_key(key: &str) -> Option<String> {
    let k = sr::did_you_mean_condition_key(key)?;
    if k.is_template() && !key.contains('/') {
        return None;
    }
    Some(format!("did you mean `{}`?", k.name()))
}

fn condition(c: &Cond<'_>, scope: &Scope<'_>, out: &mut Found) {
    let key = c.key.key.as_str();
    if padded(key) {
        return;
    }
    let at = c.key.key_span.start;
    let definition = match resolve(key, scope) {
        Resolved::Known(k) => k,
        Resolved::Provider => return,
        Resolved::UnknownGlobal => {
            // <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
            out.push((
                Lint::UnknownGlobalConditionKey,
                at,
                c.path.clone(),
                format!("unknown global condition key `{key}`"),
                Some(suggest_key(key).unwrap_or_else(|| {
                    "the global condition keys are listed in the IAM User Guide".into()
                })),
            ));
            return;
        }
        Resolved::Unknown => {
            out.push((
                Lint::UnknownConditionKey,
                at,
                c.path.clone(),
                format!("unknown condition key `{key}`"),
                suggest_key(key),
            ));
            return;
        }
        Resolved::OtherService(k) => {
            let owner = k.name().split(':').next().unwrap_or_default();
            out.push((
                Lint::UnknownConditionKey,
                at,
                c.path.clone(),
                format!(
                    "`{key}` is a condition key of `{owner}`, not of the statement's actions ({})",
                    service_list(scope)
                ),
                Some("a request carries only the keys of its own service and the global keys; use one of those".into()),
            ));
            return;
        }
    };
    types(c, definition, out);
    sets(c, definition, out);
}

/// The operator family each key type is compared with, for messages and help.
fn operator_for(t: KeyType) -> &'static str {
    match t.element() {
        KeyType::Numeric => "`NumericEquals`, `NumericLessThan`, ...",
        KeyType::Date => "`DateGreaterThan`, `DateLessThan`, ...",
        KeyType::Bool => "`Bool`",
        KeyType::IpAddress => "`IpAddress` or `NotIpAddress`",
        KeyType::Arn => "`ArnLike`, `ArnEquals`, ... (or a `String` operator)",
        KeyType::Binary => "`BinaryEquals`",
        _ => "`StringEquals`, `StringLike`, ...",
    }
}

fn type_noun(t: KeyType) -> &'static str {
    match t.element() {
        KeyType::Numeric => "a number",
        KeyType::Date => "a date",
        KeyType::Bool => "a boolean",
        KeyType::IpAddress => "an IP address",
        KeyType::Arn => "an ARN",
        KeyType::Binary => "binary data",
        _ => "a string",
    }
}

/// An operator whose family cannot compare the key's type.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
fn types(c: &Cond<'_>, k: sr::ConditionKey, out: &mut Found) {
    let t = k.key_type();
    if t == KeyType::Other {
        return;
    }
    let element = t.element();
    let fits = match c.operator.op.family() {
        // Strings compare any value's text, and `Null` only tests presence.
        Family::String | Family::Null => true,
        // `aws:EpochTime` works with date and numeric operators.
        Family::Numeric => {
            element == KeyType::Numeric || k.name().eq_ignore_ascii_case("aws:EpochTime")
        }
        Family::Date => element == KeyType::Date,
        Family::Bool => element == KeyType::Bool,
        Family::Binary => element == KeyType::Binary,
        Family::Ip => element == KeyType::IpAddress,
        Family::Arn => matches!(element, KeyType::Arn | KeyType::String),
    };
    if fits {
        return;
    }
    out.push((
        Lint::OperatorTypeMismatch,
        c.key.key_span.start,
        c.path.clone(),
        format!(
            "`{}` compares {}, but `{}` is {} key ({})",
            c.op_member.key,
            family_noun(c.operator.op.family()),
            c.key.key,
            type_article(t),
            t
        ),
        Some(format!(
            "`{}` holds {}: test it with {}",
            c.key.key,
            type_noun(t),
            operator_for(t)
        )),
    ));
}

fn family_noun(f: Family) -> &'static str {
    match f {
        Family::String => "strings",
        Family::Numeric => "numbers",
        Family::Date => "dates",
        Family::Bool => "booleans",
        Family::Binary => "binary values",
        Family::Ip => "IP addresses",
        Family::Arn => "ARNs",
        Family::Null => "presence",
    }
}

fn type_article(t: KeyType) -> &'static str {
    match t.element() {
        KeyType::IpAddress | KeyType::Arn => "an",
        _ => "a",
    }
}

/// A multivalued key without a set operator, or a set operator on a single-valued key.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
fn sets(c: &Cond<'_>, k: sr::ConditionKey, out: &mut Found) {
    if k.key_type() == KeyType::Other || c.operator.op.family() == Family::Null {
        return;
    }
    let key = &c.key.key;
    match (c.operator.set, k.multivalued()) {
        (None, true) => out.push((
            Lint::MultivaluedKeyWithoutSetOperator,
            c.key.key_span.start,
            c.path.clone(),
            format!(
                "`{key}` is multivalued, but `{}` tests it without `ForAllValues:` or `ForAnyValue:`",
                c.op_member.key
            ),
            Some(format!(
                "write `ForAllValues:{0}` (every value of the request must match) or `ForAnyValue:{0}` (at least one must)",
                c.op_member.key
            )),
        )),
        (Some(set), false) => {
            let why = match set {
                SetQualifier::ForAllValues => "the condition is then true when the key is missing",
                SetQualifier::ForAnyValue => {
                    "the one value is read as a set of one, which hides what the condition tests"
                }
            };
            let bare = c
                .op_member
                .key
                .split_once(':')
                .map_or(c.op_member.key.as_str(), |(_, op)| op);
            out.push((
                Lint::SetOperatorOnSingleValuedKey,
                c.key.key_span.start,
                c.path.clone(),
                format!(
                    "`{key}` is single-valued, but `{}` treats it as a set: {why}",
                    c.op_member.key
                ),
                Some(format!("write `{bare}`")),
            ));
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// Resources

/// Each `Resource` ARN against its service's ARN formats and the resource types of the
/// statement's actions.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>,
/// <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
fn resources(s: &Stmt<'_>, scope: &Scope<'_>, out: &mut Found) {
    if !s.has_resource() {
        return;
    }
    let resources = s.resources();
    if resources.len() > MAX_SCOPE_RESOURCES {
        return;
    }
    let mut fitting: Vec<(&Value<'_>, String)> = Vec::new();
    for r in &resources {
        if r.text == "*" || padded(r.text) {
            continue;
        }
        let Some(parts) = crate::value::arn::split_arn(r.text) else {
            continue;
        };
        let service = parts.service;
        if has_wildcard(service) || service.contains("${") {
            continue;
        }
        let Some(svc) = sr::service(service) else {
            // A name that is no service prefix may still be the service of some ARN
            // format; only a name near a known prefix is taken for a typo.
            if let Some(near) = sr::did_you_mean_service(service) {
                out.push((
                    Lint::ArnFormatMismatch,
                    r.offset,
                    r.path.clone(),
                    format!(
                        "`{}` names the service `{service}`, which AWS does not have",
                        r.text
                    ),
                    Some(format!("did you mean `{}`?", near.prefix())),
                ));
            }
            continue;
        };
        let relaxed = relaxed(r.text);
        if svc.resource_types().len() == 0 {
            continue;
        }
        if !svc.resource_types().any(|t| type_may_match(t, &relaxed)) {
            out.push((
                Lint::ArnFormatMismatch,
                r.offset,
                r.path.clone(),
                format!(
                    "`{}` matches none of the ARN formats of `{}`",
                    r.text,
                    svc.prefix()
                ),
                Some(format_help(svc)),
            ));
            continue;
        }
        fitting.push((r, relaxed));
    }
    if !scope.complete || scope.actions.is_empty() {
        return;
    }
    for (r, relaxed) in fitting {
        if scope.all_actions().any(|a| action_may_match(a, &relaxed)) {
            continue;
        }
        let example = scope.all_actions().find_map(|a| {
            let t = a.resource_types().next()?.resource_type();
            let f = t.arn_formats().next()?;
            Some(format!("`{a}` acts on `{}` resources (`{f}`)", t.name()))
        });
        let help = example.unwrap_or_else(|| {
            "the statement's actions support only `\"Resource\": \"*\"`".to_string()
        });
        out.push((
            Lint::ResourceMatchesNoAction,
            r.offset,
            r.path.clone(),
            format!("no action of the statement acts on `{}`", r.text),
            Some(help),
        ));
    }
}

/// The policy ARN as the lints match it against ARN formats: an empty region or account
/// becomes `*`. Resources AWS owns have no account (`arn:aws:ssm:*::document/AWS-RunShellScript`,
/// public SSM parameters, multi-Region access points have no region), which the reference's
/// formats, written with `${Account}` and `${Region}`, do not show.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>
fn relaxed(resource: &str) -> String {
    match crate::value::arn::split_arn(resource) {
        Some(p) => {
            let region = if p.region.is_empty() { "*" } else { p.region };
            let account = if p.account.is_empty() { "*" } else { p.account };
            format!(
                "arn:{}:{}:{region}:{account}:{}",
                p.partition, p.service, p.resource
            )
        }
        None => resource.to_string(),
    }
}

/// Whether the (relaxed) policy ARN may be of resource type `t`. A format the reference
/// gives as several formats in one string (`..., arn:...`) cannot be matched, so it
/// counts as matching.
fn type_may_match(t: sr::ResourceType, resource: &str) -> bool {
    t.arn_formats()
        .any(|f| f.as_str().contains(", arn:") || f.may_match(resource))
}

fn action_may_match(a: sr::Action, resource: &str) -> bool {
    a.resource_types()
        .any(|r| type_may_match(r.resource_type(), resource))
}

/// Help listing a few of a service's ARN formats.
fn format_help(svc: sr::Service) -> String {
    let formats: Vec<String> = svc
        .resource_types()
        .filter_map(|t| t.arn_formats().next())
        .take(3)
        .map(|f| format!("`{f}`"))
        .collect();
    format!("`{}` ARNs look like {}", svc.prefix(), formats.join(", "))
}
