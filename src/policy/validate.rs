//! The rules that depend on what a policy is used as.

use super::ast::{Policy, PrincipalSpec, Principals};
use super::error::ValidationError;
use super::kind::PolicyKind;
use crate::diagnostic::{Diagnostic, LineCache};
use crate::json::LineIndex;

pub(super) fn validate(policy: &Policy, kind: PolicyKind) -> Result<(), ValidationError> {
    let mut diagnostics = Vec::new();
    let mut lines = LineCache::default();
    let src = policy.source.text();
    // Built on the first problem: a valid policy pays nothing for it.
    let mut index: Option<LineIndex> = None;
    let mut line_text = |line: usize| {
        let index = index.get_or_insert_with(|| LineIndex::new(src));
        lines.get(line, || index.line_text(src, line))
    };
    for s in &policy.statements {
        let at_statement = |message: String, help: &str, text| Diagnostic {
            path: s.pos.path.clone(),
            line: s.pos.statement.line,
            column: s.pos.statement.column,
            message,
            help: Some(help.to_string()),
            line_text: text,
        };
        match (&s.principal, kind.takes_principal()) {
            (None, true) => diagnostics.push(at_statement(
                format!("a statement in {} needs a `Principal` or `NotPrincipal` element", kind.with_article()),
                if kind == PolicyKind::Rcp {
                    "resource control policies name `\"Principal\": \"*\"` and narrow it with conditions"
                } else {
                    "name who the statement applies to, as in `\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}`"
                },
                line_text(s.pos.statement.line),
            )),
            (Some(spec), false) => {
                let pos = s.pos.principal.unwrap_or(s.pos.statement);
                let name = match spec {
                    PrincipalSpec::Principal(_) => "Principal",
                    PrincipalSpec::NotPrincipal(_) => "NotPrincipal",
                };
                diagnostics.push(Diagnostic {
                    path: format!("{}.{name}", s.pos.path),
                    line: pos.line,
                    column: pos.column,
                    message: format!("{} cannot have a `{name}` element", kind.with_article()),
                    help: Some(
                        "the principal of an identity-based policy, SCP, boundary or session policy is the one it is attached to; remove the element".into(),
                    ),
                    line_text: line_text(pos.line),
                });
            }
            (Some(_), true) | (None, false) => {}
        }
        // RCPs apply to every caller of the resource: AWS accepts only `"*"` there.
        // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
        if kind == PolicyKind::Rcp {
            if let Some(spec) = &s.principal {
                if !matches!(spec, PrincipalSpec::Principal(Principals::Any)) {
                    let pos = s.pos.principal.unwrap_or(s.pos.statement);
                    let name = match spec {
                        PrincipalSpec::Principal(_) => "Principal",
                        PrincipalSpec::NotPrincipal(_) => "NotPrincipal",
                    };
                    diagnostics.push(Diagnostic {
                        path: format!("{}.{name}", s.pos.path),
                        line: pos.line,
                        column: pos.column,
                        message: "a resource control policy must use `\"Principal\": \"*\"`, not a list of principals".into(),
                        help: Some(
                            "narrow the callers with conditions such as `aws:PrincipalOrgID`"
                                .into(),
                        ),
                        line_text: line_text(pos.line),
                    });
                }
            }
        }
        // Trust policies are resource-based and omit Resource (the resource is the role);
        // everywhere else AWS requires `Resource` or `NotResource`.
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
        if s.resource.is_none() && kind != PolicyKind::Resource {
            diagnostics.push(at_statement(
                format!(
                    "a statement in {} needs a `Resource` or `NotResource` element",
                    kind.with_article()
                ),
                "add `\"Resource\": \"*\"` or the ARNs the statement covers",
                line_text(s.pos.statement.line),
            ));
        }
    }
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { kind, diagnostics })
    }
}
