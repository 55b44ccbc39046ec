//! The lints that need no service reference: whitespace, variables without a `Version`,
//! duplicate statements, redundant actions, and the security lints.

use super::doc::{values, Cond, Doc, Stmt, Value};
use super::Lint;
use crate::json::{Json, JsonKind};
use crate::operator::{Operator, SetQualifier};
use crate::pattern::{Case, Pattern};
use crate::policy::{Policy, PolicyKind, Version};
use std::collections::HashSet;

/// Values longer than this are not compared with each other by `redundant-action`, and a
/// statement is skipped when it would take more comparisons than [`MAX_COMPARISONS`]: the
/// lint's cost stays bounded on hostile input.
const MAX_COMPARED_LEN: usize = 256;
const MAX_COMPARISONS: usize = 1 << 16;

/// The lints of [`Lint::changes_meaning`].
pub(super) fn silent_changes(policy: &Policy, doc: &mut Doc) {
    let mut found = Vec::new();
    whitespace(doc.root(), "", false, &mut found);
    for (offset, path, message, help) in found {
        doc.report(Lint::WhitespaceInValue, offset, &path, message, Some(help));
    }
    variables_without_version(policy, doc);
}

/// The data-free lints on statements.
pub(super) fn structure(policy: &Policy, kind: Option<PolicyKind>, doc: &mut Doc) {
    let mut found: Vec<(Lint, usize, String, String, Option<String>)> = Vec::new();
    let statements = doc.statements();
    duplicates(policy, &statements, &mut found);
    for s in &statements {
        redundant_actions(s, &mut found);
        security(s, kind, &mut found);
        for_all_values(s, &mut found);
    }
    drop(statements);
    for (lint, offset, path, message, help) in found {
        doc.report(lint, offset, &path, message, help);
    }
}

// ---------------------------------------------------------------------------------------
// whitespace-in-value

/// Every object key and string value that starts or ends with whitespace. `Sid` and `Id`
/// are names, not compared with anything, so they are left alone. `quote_keys` is set
/// inside a condition operator, whose keys are paths like `StringEquals["aws:SourceIp"]`.
///
/// String comparison is exact: `"aws:kms "` never equals the `aws:kms` a request carries.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String>
fn whitespace(
    json: &Json,
    path: &str,
    quote_keys: bool,
    out: &mut Vec<(usize, String, String, String)>,
) {
    match &json.kind {
        JsonKind::String(s) => {
            if let Some((message, help)) = padded(s, "") {
                out.push((json.span.start, path.to_string(), message, help));
            }
        }
        JsonKind::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                whitespace(item, &format!("{path}[{i}]"), false, out);
            }
        }
        JsonKind::Object(members) => {
            for m in members {
                let child = if quote_keys {
                    format!("{path}[{}]", serde_json::Value::String(m.key.clone()))
                } else if path.is_empty() {
                    m.key.clone()
                } else {
                    format!("{path}.{}", m.key)
                };
                if let Some((message, help)) = padded(&m.key, "the key ") {
                    out.push((m.key_span.start, child.clone(), message, help));
                }
                if (m.key == "Sid" || m.key == "Id") && !quote_keys {
                    continue;
                }
                // The members of an operator block are condition keys.
                let under_operator = path.ends_with(".Condition") && !quote_keys;
                whitespace(&m.value, &child, under_operator, out);
            }
        }
        JsonKind::Null | JsonKind::Bool(_) | JsonKind::Number(_) => {}
    }
}

/// The message and help for a string with leading or trailing whitespace.
fn padded(s: &str, what: &str) -> Option<(String, String)> {
    let trimmed = s.trim();
    if trimmed.len() == s.len() {
        return None;
    }
    let place = match (
        s.starts_with(char::is_whitespace),
        s.ends_with(char::is_whitespace),
    ) {
        (true, true) => "starts and ends",
        (true, false) => "starts",
        _ => "ends",
    };
    Some((
        format!("{what}`{s}` {place} with whitespace, which AWS keeps as part of it"),
        format!("write `{trimmed}`"),
    ))
}

// ---------------------------------------------------------------------------------------
// variable-without-version

/// `${...}` in a policy whose `Version` is not `2012-10-17` is literal text.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>
fn variables_without_version(policy: &Policy, doc: &mut Doc) {
    if policy.version() == Some(Version::V2012_10_17) {
        return;
    }
    let help = match policy.version() {
        Some(_) => "change `Version` to `\"2012-10-17\"`, the version that substitutes variables",
        None => "add `\"Version\": \"2012-10-17\"` to the policy; without it AWS reads the policy as version 2008-10-17",
    };
    let mut found = Vec::new();
    for s in doc.statements() {
        let mut candidates = s.resources();
        for c in &s.conditions {
            // Only the String and Arn operators substitute variables.
            if c.operator.op.takes_variables() {
                candidates.extend(values(&c.key.value, &c.path));
            }
        }
        for v in candidates {
            if let Some(var) = first_variable(v.text) {
                found.push((v.offset, v.path, var.to_string()));
            }
        }
    }
    for (offset, path, var) in found {
        doc.report(
            Lint::VariableWithoutVersion,
            offset,
            &path,
            format!(
                "`{var}` is literal text: the policy does not say `\"Version\": \"2012-10-17\"`"
            ),
            Some(help.to_string()),
        );
    }
}

/// The first `${...}` in `text` (up to the end when unterminated).
fn first_variable(text: &str) -> Option<&str> {
    let start = text.find("${")?;
    let rest = text.get(start..)?;
    Some(
        rest.find('}')
            .and_then(|end| rest.get(..=end))
            .unwrap_or(rest),
    )
}

// ---------------------------------------------------------------------------------------
// duplicate-statement

type Found = Vec<(Lint, usize, String, String, Option<String>)>;

/// A statement equal to an earlier one but for its `Sid`.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html>
fn duplicates(policy: &Policy, statements: &[Stmt<'_>], out: &mut Found) {
    let ast = policy.statements();
    // INVARIANT: a parsed policy lowered every statement of its source, in order.
    if ast.len() != statements.len() {
        return;
    }
    for (j, b) in ast.iter().enumerate() {
        let first = ast.iter().take(j).position(|a| {
            a.effect == b.effect
                && a.principal == b.principal
                && a.action == b.action
                && a.resource == b.resource
                && a.condition == b.condition
        });
        if let (Some(i), Some(s)) = (first, statements.get(j)) {
            let earlier = statements.get(i).map_or("", |e| e.path.as_str());
            out.push((
                Lint::DuplicateStatement,
                s.json.span.start,
                s.path.clone(),
                format!("this statement repeats `{earlier}`"),
                Some("remove one of them".into()),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------
// redundant-action

/// An action that another action of the same list already covers: a repeat (in any case),
/// or a name or pattern that a wildcard pattern matches.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>
fn redundant_actions(s: &Stmt<'_>, out: &mut Found) {
    let actions = s.actions();
    let wildcards: Vec<(&Value<'_>, Pattern)> = actions
        .iter()
        .filter(|v| v.text.contains(['*', '?']) && v.text.len() <= MAX_COMPARED_LEN)
        .map(|v| (v, Pattern::new(v.text, Case::Insensitive)))
        .collect();
    if wildcards.len().saturating_mul(actions.len()) > MAX_COMPARISONS {
        return;
    }
    let mut seen = HashSet::new();
    for (j, v) in actions.iter().enumerate() {
        let lower = v.text.to_ascii_lowercase();
        let by = if !seen.insert(lower) {
            actions
                .iter()
                .take(j)
                .find(|a| a.text.eq_ignore_ascii_case(v.text))
        } else if v.text.len() > MAX_COMPARED_LEN {
            None
        } else {
            wildcards
                .iter()
                .find(|(w, p)| {
                    !w.text.eq_ignore_ascii_case(v.text)
                        && if v.text.contains(['*', '?']) {
                            covers(w.text, v.text)
                        } else {
                            p.matches(v.text)
                        }
                })
                .map(|(w, _)| *w)
        };
        if let Some(by) = by {
            let message = if by.text.eq_ignore_ascii_case(v.text) {
                format!("`{}` repeats `{}` (at `{}`)", v.text, by.text, by.path)
            } else {
                format!("`{}` is already covered by `{}`", v.text, by.text)
            };
            out.push((
                Lint::RedundantAction,
                v.offset,
                v.path.clone(),
                message,
                Some(format!("remove `{}`", v.text)),
            ));
        }
    }
}

/// Whether every action name `inner` matches is matched by `outer` (both IAM wildcard
/// patterns, compared ignoring ASCII case). Decided on the patterns' text: a `*` of
/// `outer` takes any run of `inner`'s characters and wildcards, a `?` one character or `?`
/// of `inner`. That is exact for the patterns policies use, and never says yes wrongly.
/// Both are at most [`MAX_COMPARED_LEN`] bytes, so this takes at most 64 Ki steps.
fn covers(outer: &str, inner: &str) -> bool {
    let (o, i) = (outer.as_bytes(), inner.as_bytes());
    // reach[k]: whether outer's prefix so far matches inner's first k bytes.
    let mut reach = vec![false; i.len() + 1];
    if let Some(first) = reach.first_mut() {
        *first = true;
    }
    for &oc in o {
        let mut next = vec![false; i.len() + 1];
        match oc {
            b'*' => {
                let mut any = false;
                for (k, slot) in next.iter_mut().enumerate() {
                    any |= reach.get(k).copied().unwrap_or(false);
                    *slot = any;
                }
            }
            _ => {
                for (k, &ic) in i.iter().enumerate() {
                    let ok = match oc {
                        b'?' => ic != b'*',
                        _ => ic != b'*' && ic != b'?' && ic.eq_ignore_ascii_case(&oc),
                    };
                    if ok && reach.get(k).copied().unwrap_or(false) {
                        if let Some(slot) = next.get_mut(k + 1) {
                            *slot = true;
                        }
                    }
                }
            }
        }
        reach = next;
    }
    reach.last().copied().unwrap_or(false)
}

// ---------------------------------------------------------------------------------------
// Security lints

/// Keys whose test, with a positive operator, narrows who can make a request: the caller's
/// identity, organization or network origin, or the resource or account a service acts
/// for. <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
const NARROWING_KEYS: &[&str] = &[
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalType",
    "aws:userid",
    "aws:username",
    "aws:FederatedProvider",
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceIp",
    "aws:VpcSourceIp",
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:ViaAWSService",
    "kms:CallerAccount",
    "s3:DataAccessPointAccount",
    "s3:DataAccessPointArn",
    "sts:ExternalId",
];

fn narrows_caller(c: &Cond<'_>) -> bool {
    let key = c.key.key.as_str();
    let named = NARROWING_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
        || key
            .get(..17)
            .is_some_and(|p| p.eq_ignore_ascii_case("aws:PrincipalTag/"));
    // A negated operator or `IfExists` holds for callers without the key (anonymous ones
    // have no `aws:PrincipalAccount`), so only a positive test narrows.
    let positive = !c.operator.op.is_negated()
        && !c.operator.if_exists
        && c.operator.op != Operator::Null
        && c.operator.set != Some(SetQualifier::ForAllValues);
    named && positive
}

fn security(s: &Stmt<'_>, kind: Option<PolicyKind>, out: &mut Found) {
    if !s.allow {
        return;
    }
    // <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>
    if let Some(p) = s.principal.filter(|p| p.key == "NotPrincipal") {
        out.push((
            Lint::AllowWithNotPrincipal,
            p.key_span.start,
            s.child(p),
            "`NotPrincipal` with `Allow` grants every principal but those listed, anonymous callers included".into(),
            Some("name the principals to allow in `Principal` instead".into()),
        ));
    }
    // <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html>
    let every_resource = match s.resource {
        None => true,
        Some(r) if r.key == "NotResource" => true,
        Some(_) => s.resources().iter().any(|v| v.text == "*"),
    };
    if let Some(a) = s.action.filter(|a| a.key == "NotAction") {
        if every_resource {
            out.push((
                Lint::AllowWithNotAction,
                a.key_span.start,
                s.child(a),
                "`NotAction` with `Allow` on every resource grants every action of every service but those listed, including actions AWS adds later".into(),
                Some("list the actions to allow in `Action`, or use `NotAction` in a `Deny`".into()),
            ));
        }
    }
    // <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html>
    if let Some(r) = s.resource.filter(|r| r.key == "NotResource") {
        out.push((
            Lint::AllowWithNotResource,
            r.key_span.start,
            s.child(r),
            "`NotResource` with `Allow` grants the actions on every resource but those listed, including resources created later".into(),
            Some("list the resources to allow in `Resource`, or use `NotResource` in a `Deny`".into()),
        ));
    }
    public_principal(s, kind, out);
    pass_role(s, out);
}

/// `"Principal": "*"` (or `{"AWS": "*"}`) in an `Allow` with no condition that narrows
/// the callers. RCPs are left alone: they must name `"*"`.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous>
fn public_principal(s: &Stmt<'_>, kind: Option<PolicyKind>, out: &mut Found) {
    if kind == Some(PolicyKind::Rcp) {
        return;
    }
    let Some(p) = s.principal.filter(|p| p.key == "Principal") else {
        return;
    };
    let star = match &p.value.kind {
        JsonKind::String(v) if v == "*" => Some(Value {
            text: "*",
            offset: p.value.span.start,
            path: s.child(p),
        }),
        JsonKind::Object(members) => members
            .iter()
            .filter(|m| m.key == "AWS")
            .flat_map(|m| values(&m.value, &format!("{}.AWS", s.child(p))))
            .find(|v| v.text == "*"),
        _ => None,
    };
    let Some(star) = star else {
        return;
    };
    if s.conditions.iter().any(narrows_caller) {
        return;
    }
    out.push((
        Lint::PublicPrincipal,
        star.offset,
        star.path,
        "`\"*\"` allows anyone, anonymous callers included, and no condition narrows it".into(),
        Some("name the principals, or add a condition such as `aws:PrincipalOrgID`, `aws:SourceArn` or `aws:SourceVpce`".into()),
    ));
}

/// `iam:PassRole` allowed on every role.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html>
fn pass_role(s: &Stmt<'_>, out: &mut Found) {
    if !s.has_action() || !s.has_resource() {
        return;
    }
    let Some(action) = s.actions().into_iter().find(|a| covers_pass_role(a.text)) else {
        return;
    };
    let Some(resource) = s.resources().into_iter().find(|r| any_role(r.text)) else {
        return;
    };
    out.push((
        Lint::PassRoleOnAnyRole,
        resource.offset,
        resource.path,
        format!(
            "`{}` allows passing every role (`{}`) to a service, which then acts with that role's permissions",
            action.text, resource.text
        ),
        Some("name the roles that may be passed, and limit the services with an `iam:PassedToService` condition".into()),
    ));
}

/// `iam:PassRole` itself or an `iam:` pattern matching it (not `*`: a statement granting
/// every action has bigger problems than this one).
fn covers_pass_role(action: &str) -> bool {
    action.eq_ignore_ascii_case("iam:PassRole")
        || (action
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("iam:"))
            && Pattern::new(action, Case::Insensitive).matches("iam:PassRole"))
}

/// `*`, or an IAM ARN pattern whose resource part covers every role name.
fn any_role(resource: &str) -> bool {
    if resource == "*" {
        return true;
    }
    let Some(parts) = crate::value::arn::split_arn(resource) else {
        return false;
    };
    matches!(parts.service, "iam" | "*") && matches!(parts.resource, "*" | "role/*" | "role*")
}

// ---------------------------------------------------------------------------------------
// for-all-values-without-null-check

/// `ForAllValues:` in an `Allow` is true when the key is missing; unless another test of
/// the same key in the statement is false on a missing key, requests without the key are
/// allowed.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
fn for_all_values(s: &Stmt<'_>, out: &mut Found) {
    if !s.allow {
        return;
    }
    for c in &s.conditions {
        if c.operator.set != Some(SetQualifier::ForAllValues) {
            continue;
        }
        let guarded = s
            .conditions
            .iter()
            .any(|g| g.key.key.eq_ignore_ascii_case(&c.key.key) && requires_key(g));
        if !guarded {
            out.push((
                Lint::ForAllValuesWithoutNullCheck,
                c.key.key_span.start,
                c.path.clone(),
                format!(
                    "`{}` holds when the request has no `{}` at all, so this `Allow` also applies to requests without it",
                    c.op_member.key, c.key.key
                ),
                Some(format!(
                    "add `\"Null\": {{\"{}\": \"false\"}}` to require the key",
                    c.key.key
                )),
            ));
        }
    }
}

/// Whether the test is false when the key is missing.
fn requires_key(c: &Cond<'_>) -> bool {
    if c.operator.op == Operator::Null {
        let vals = match &c.key.value.kind {
            JsonKind::Array(items) => items.iter().collect(),
            _ => vec![&c.key.value],
        };
        return vals.iter().all(|v| match &v.kind {
            JsonKind::String(s) => s == "false",
            JsonKind::Bool(b) => !b,
            _ => false,
        });
    }
    !c.operator.if_exists
        && match c.operator.set {
            Some(SetQualifier::ForAnyValue) => true,
            Some(SetQualifier::ForAllValues) => false,
            None => !c.operator.op.is_negated(),
        }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn covers_compares_patterns() {
        assert!(covers("s3:*", "s3:Get*"));
        assert!(covers("s3:Get*", "S3:GETOBJECT"));
        assert!(covers("s3:Get?bject", "s3:Get?bject"));
        assert!(!covers("s3:Get?", "s3:Get*"));
        assert!(!covers("s3:Get*", "s3:*"));
        assert!(!covers("s3:Put*", "s3:GetObject"));
        assert!(covers("*", "anything:at*all"));
    }
}
