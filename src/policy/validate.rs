//! The rules that depend on what a policy is used as.

use super::ast::{Policy, PrincipalSpec, Principals, SourcePos, Statement};
use super::error::ValidationError;
use super::kind::PolicyKind;
use crate::diagnostic::{Diagnostic, LineCache};
use crate::json::LineIndex;

pub(super) fn validate(policy: &Policy, kind: PolicyKind) -> Result<(), ValidationError> {
    let mut v = Validator {
        src: policy.source.text(),
        index: None,
        lines: LineCache::default(),
        diagnostics: Vec::new(),
    };
    for s in &policy.statements {
        match (&s.principal, kind.takes_principal()) {
            (None, true) => v.at_statement(
                s,
                format!(
                    "a statement in {} needs a `Principal` or `NotPrincipal` element",
                    kind.with_article()
                ),
                if kind == PolicyKind::Rcp {
                    "resource control policies name `\"Principal\": \"*\"` and narrow it with conditions"
                } else {
                    "name who the statement applies to, as in `\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}`"
                },
            ),
            (Some(spec), false) => v.at_principal(
                s,
                spec,
                |name| format!("{} cannot have a `{name}` element", kind.with_article()),
                "the principal of an identity-based policy, SCP, boundary or session policy is the one it is attached to; remove the element",
            ),
            (Some(_), true) | (None, false) => {}
        }
        // RCPs apply to every caller of the resource: AWS accepts only `"*"` there.
        // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
        if let (PolicyKind::Rcp, Some(spec)) = (kind, &s.principal) {
            if !matches!(spec, PrincipalSpec::Principal(Principals::Any)) {
                v.at_principal(
                    s,
                    spec,
                    |_| "a resource control policy must use `\"Principal\": \"*\"`, not a list of principals".into(),
                    "narrow the callers with conditions such as `aws:PrincipalOrgID`",
                );
            }
        }
        // Trust policies are resource-based and omit Resource (the resource is the role);
        // everywhere else AWS requires `Resource` or `NotResource`.
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
        if s.resource.is_none() && kind != PolicyKind::Resource {
            v.at_statement(
                s,
                format!(
                    "a statement in {} needs a `Resource` or `NotResource` element",
                    kind.with_article()
                ),
                "add `\"Resource\": \"*\"` or the ARNs the statement covers",
            );
        }
    }
    if v.diagnostics.is_empty() {
        Ok(())
    } else {
        Err(ValidationError {
            kind,
            diagnostics: v.diagnostics,
        })
    }
}

struct Validator<'s> {
    src: &'s str,
    /// Built on the first problem: a valid policy pays nothing for it.
    index: Option<LineIndex>,
    lines: LineCache,
    diagnostics: Vec<Diagnostic>,
}

impl Validator<'_> {
    fn push(&mut self, path: String, pos: SourcePos, message: String, help: &str) {
        let src = self.src;
        let index = self.index.get_or_insert_with(|| LineIndex::new(src));
        let line_text = self.lines.get(pos.line, || index.line_text(src, pos.line));
        self.diagnostics.push(Diagnostic {
            path,
            line: pos.line,
            column: pos.column,
            message,
            help: Some(help.to_string()),
            line_text,
        });
    }

    fn at_statement(&mut self, s: &Statement, message: String, help: &str) {
        self.push(s.pos.path.clone(), s.pos.statement, message, help);
    }

    /// A problem with the `Principal` or `NotPrincipal` element; `message` gets its name.
    fn at_principal(
        &mut self,
        s: &Statement,
        spec: &PrincipalSpec,
        message: impl FnOnce(&str) -> String,
        help: &str,
    ) {
        let name = match spec {
            PrincipalSpec::Principal(_) => "Principal",
            PrincipalSpec::NotPrincipal(_) => "NotPrincipal",
        };
        let pos = s.pos.principal.unwrap_or(s.pos.statement);
        self.push(format!("{}.{name}", s.pos.path), pos, message(name), help);
    }
}
