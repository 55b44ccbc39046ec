//! Policy kinds and the rules that depend on them.

use super::ast::{Policy, PrincipalSpec, Principals};
use super::error::{Diagnostic, LineCache, ParseError};
use std::fmt;
use std::str::FromStr;

/// What a policy is used as.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html>
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKind {
    /// An identity-based policy attached to the calling user, role or group.
    Identity,
    /// A resource-based policy on the target: a bucket policy, a key policy, ...
    Resource,
    /// A service control policy of the caller's organization.
    Scp,
    /// A resource control policy of the resource owner's organization.
    Rcp,
    /// The permissions boundary of the calling principal.
    Boundary,
    /// A session policy passed when the role or federated session was created.
    Session,
}

impl PolicyKind {
    /// Every kind.
    pub const ALL: [PolicyKind; 6] = [
        PolicyKind::Identity,
        PolicyKind::Resource,
        PolicyKind::Scp,
        PolicyKind::Rcp,
        PolicyKind::Boundary,
        PolicyKind::Session,
    ];

    /// The kind's name as in the test-file format (`identity`, `resource`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Session => "session",
        }
    }

    /// The kind's name with its article, for messages: `an identity-based policy`, `an SCP`.
    pub fn with_article(self) -> &'static str {
        match self {
            PolicyKind::Identity => "an identity-based policy",
            PolicyKind::Resource => "a resource-based policy",
            PolicyKind::Scp => "an SCP",
            PolicyKind::Rcp => "an RCP",
            PolicyKind::Boundary => "a permissions boundary",
            PolicyKind::Session => "a session policy",
        }
    }

    /// Whether statements of this kind name principals (resource-based policies and RCPs).
    pub fn takes_principal(self) -> bool {
        matches!(self, PolicyKind::Resource | PolicyKind::Rcp)
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name was not one of the policy kinds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown policy kind `{0}`; expected one of identity, resource, scp, rcp, boundary, session"
)]
pub struct UnknownKindError(String);

impl FromStr for PolicyKind {
    type Err = UnknownKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PolicyKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKindError(s.to_string()))
    }
}

pub(super) fn validate(policy: &Policy, kind: PolicyKind) -> Result<(), ParseError> {
    let mut diagnostics = Vec::new();
    let mut lines = LineCache::default();
    let mut line_text = |line: usize| lines.get(line, || policy.source.line(line));
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
        Err(ParseError { diagnostics })
    }
}
