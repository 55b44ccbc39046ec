//! The caller of a request.

use super::error::{RequestError, RequestErrorKind};
use super::Range;
use crate::hash::bytes_eq;
use crate::value::arn;
use std::fmt;
use std::str::FromStr;

/// What kind of caller a [`Principal`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// An IAM user, `arn:aws:iam::ACCOUNT:user/NAME`.
    User,
    /// An IAM role acting as itself, `arn:aws:iam::ACCOUNT:role/NAME`.
    Role,
    /// A role session, `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    AssumedRole,
    /// An IAM federated user session, `arn:aws:sts::ACCOUNT:federated-user/NAME`.
    FederatedUser,
    /// The account root user, `arn:aws:iam::ACCOUNT:root`.
    Root,
    /// An AWS service principal such as `cloudtrail.amazonaws.com`.
    Service,
    /// A web identity or SAML provider (`Federated` in a policy).
    WebIdentity,
    /// An S3 canonical user id.
    CanonicalUser,
    /// An anonymous (unsigned) caller.
    Anonymous,
}

impl PrincipalKind {
    /// Whether callers of this kind are IAM principals of an account (user, role,
    /// session, root): the kinds identity-based policies, boundaries and SCPs apply to.
    pub fn is_iam(self) -> bool {
        matches!(
            self,
            PrincipalKind::User
                | PrincipalKind::Role
                | PrincipalKind::AssumedRole
                | PrincipalKind::FederatedUser
                | PrincipalKind::Root
        )
    }
}

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    kind: PrincipalKind,
    /// The id (the ARN for IAM principals; the name for services, providers and
    /// canonical users), followed by the role ARN of a role session. One buffer, so a
    /// principal costs one allocation.
    text: String,
    /// INVARIANT: these ranges index `text`.
    id: Range,
    account: Range,
    /// User, role, federated-user name; the role name for a role session.
    name: Range,
    /// A role session's role ARN (`arn:PARTITION:iam::ACCOUNT:role/NAME`); a role's own ARN.
    role_arn: Range,
    /// INVARIANT: the number the 12-digit `account` spells, `None` without an account;
    /// principals in policies compare accounts as numbers.
    account_id: Option<u64>,
}

impl Principal {
    /// Reads a caller: the ARN of an IAM user or role, a role session, a federated user
    /// session or an account root user; `*` for the anonymous caller; `service:NAME`,
    /// `federated:PROVIDER` or `canonical-user:ID` for a service, a web identity or SAML
    /// provider, or an S3 canonical user. The same text `str::parse`,
    /// [`crate::RequestBuilder::principal`] and `iam-eval eval --principal` take.
    ///
    /// ```
    /// use iam_eval::{Principal, PrincipalKind};
    ///
    /// let role = Principal::parse("arn:aws:sts::111122223333:assumed-role/deploy/ci")?;
    /// assert_eq!(role.kind(), PrincipalKind::AssumedRole);
    /// let service = Principal::parse("service:cloudtrail.amazonaws.com")?;
    /// assert_eq!(service.kind(), PrincipalKind::Service);
    /// # Ok::<(), iam_eval::RequestError>(())
    /// ```
    ///
    /// # Errors
    /// A [`RequestError`] when the text is none of those.
    pub fn parse(text: &str) -> Result<Principal, RequestError> {
        Principal::parse_with(text, String::new())
    }

    /// As [`Principal::parse`], writing into `buf` (cleared first) so a caller that
    /// parses many principals reuses one allocation.
    pub(super) fn parse_with(text: &str, mut buf: String) -> Result<Principal, RequestError> {
        buf.clear();
        if text == "*" {
            buf.push('*');
            return Ok(Principal {
                kind: PrincipalKind::Anonymous,
                text: buf,
                id: Range { start: 0, end: 1 },
                account: Range::default(),
                name: Range::default(),
                role_arn: Range::default(),
                account_id: None,
            });
        }
        let prefixed = [
            ("service:", PrincipalKind::Service, "service"),
            ("federated:", PrincipalKind::WebIdentity, "provider"),
            (
                "canonical-user:",
                PrincipalKind::CanonicalUser,
                "canonical user",
            ),
        ];
        for (prefix, kind, what) in prefixed {
            if let Some(id) = text.strip_prefix(prefix) {
                if id.is_empty() {
                    return Err(RequestError::new(
                        RequestErrorKind::InvalidPrincipal,
                        format!("`{text}` names no {what}"),
                        "write `service:s3.amazonaws.com`, `federated:cognito-identity.amazonaws.com` or `canonical-user:ID`",
                    ));
                }
                buf.push_str(id);
                return Ok(Principal {
                    kind,
                    text: buf,
                    id: Range {
                        start: 0,
                        end: id.len(),
                    },
                    account: Range::default(),
                    name: Range::default(),
                    role_arn: Range::default(),
                    account_id: None,
                });
            }
        }
        let help = "a caller is `arn:aws:iam::ACCOUNT:user/NAME`, `arn:aws:iam::ACCOUNT:role/NAME`, `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, `arn:aws:sts::ACCOUNT:federated-user/NAME`, `arn:aws:iam::ACCOUNT:root`, `*` (anonymous), `service:NAME`, `federated:PROVIDER` or `canonical-user:ID`";
        let bad = || {
            RequestError::new(
                RequestErrorKind::InvalidPrincipal,
                format!("`{text}` is not a principal ARN"),
                help,
            )
        };
        let parts = arn::split_arn(text).ok_or_else(bad)?;
        let account = parts.account;
        if account.len() != 12
            || !account.bytes().all(|b| b.is_ascii_digit())
            || !parts.region.is_empty()
        {
            return Err(bad());
        }
        let name_of = |path: &str| -> Option<(usize, usize)> {
            let name = path.rsplit('/').next().unwrap_or("");
            (!name.is_empty()).then(|| {
                let r = Range::of(text, name);
                (r.start, r.end)
            })
        };
        let resource = parts.resource;
        let account_id = arn::account_number(account);
        let account = Range::of(text, account);
        let (kind, name, role) = match parts.service {
            "iam" if resource == "root" => (PrincipalKind::Root, None, None),
            "iam" => {
                if let Some(path) = resource.strip_prefix("user/") {
                    (
                        PrincipalKind::User,
                        Some(name_of(path).ok_or_else(bad)?),
                        None,
                    )
                } else if let Some(path) = resource.strip_prefix("role/") {
                    (
                        PrincipalKind::Role,
                        Some(name_of(path).ok_or_else(bad)?),
                        None,
                    )
                } else {
                    return Err(bad());
                }
            }
            "sts" => {
                if let Some(rest) = resource.strip_prefix("assumed-role/") {
                    let (role, session) = rest.split_once('/').ok_or_else(bad)?;
                    if role.is_empty() || session.is_empty() || session.contains('/') {
                        return Err(bad());
                    }
                    let r = Range::of(text, role);
                    (
                        PrincipalKind::AssumedRole,
                        Some((r.start, r.end)),
                        Some(parts.partition),
                    )
                } else if let Some(name) = resource.strip_prefix("federated-user/") {
                    if name.is_empty() || name.contains('/') {
                        return Err(bad());
                    }
                    let r = Range::of(text, name);
                    (PrincipalKind::FederatedUser, Some((r.start, r.end)), None)
                } else {
                    return Err(bad());
                }
            }
            _ => return Err(bad()),
        };
        let name = name.map_or(Range::default(), |(start, end)| Range { start, end });
        buf.push_str(text);
        let role_arn = match (kind, role) {
            (PrincipalKind::AssumedRole, Some(partition)) => {
                let start = buf.len();
                buf.push_str("arn:");
                buf.push_str(partition);
                buf.push_str(":iam::");
                buf.push_str(account.get(text));
                buf.push_str(":role/");
                buf.push_str(name.get(text));
                Range {
                    start,
                    end: buf.len(),
                }
            }
            (PrincipalKind::Role, _) => Range {
                start: 0,
                end: text.len(),
            },
            _ => Range::default(),
        };
        Ok(Principal {
            kind,
            text: buf,
            id: Range {
                start: 0,
                end: text.len(),
            },
            account,
            name,
            role_arn,
            account_id,
        })
    }

    /// The caller's account, as bytes.
    pub(super) fn account_bytes(&self) -> &[u8] {
        self.account.bytes(&self.text)
    }

    /// The principal's whole text, with where its id, account, name and role ARN are in
    /// it (empty ranges for those it has not).
    pub(super) fn text_and_ranges(&self) -> (&str, [Range; 4]) {
        (
            &self.text,
            [self.id, self.account, self.name, self.role_arn],
        )
    }

    /// Whether reading `text` ([`Principal::parse`]) gives this principal.
    pub(super) fn is_read_from(&self, text: &str) -> bool {
        // Reading is deterministic: the same text gives the same principal. Service,
        // provider and canonical-user principals keep their id without its prefix.
        let id = match self.kind {
            PrincipalKind::Service => text.strip_prefix("service:"),
            PrincipalKind::WebIdentity => text.strip_prefix("federated:"),
            PrincipalKind::CanonicalUser => text.strip_prefix("canonical-user:"),
            _ => Some(text),
        };
        id.is_some_and(|id| bytes_eq(self.id.bytes(&self.text), id.as_bytes()))
    }

    /// Whether two principals are the same: `==`, without comparing what the kind and
    /// the text determine.
    pub(super) fn same_as(&self, other: &Principal) -> bool {
        self.kind == other.kind
            && self.id == other.id
            && bytes_eq(self.text.as_bytes(), other.text.as_bytes())
    }

    /// The principal's buffer, for the next principal to reuse.
    pub(super) fn into_buffer(self) -> String {
        self.text
    }

    fn named(kind: PrincipalKind, id: &str) -> Principal {
        Principal {
            kind,
            text: id.to_string(),
            id: Range {
                start: 0,
                end: id.len(),
            },
            account: Range::default(),
            name: Range::default(),
            role_arn: Range::default(),
            account_id: None,
        }
    }

    /// An AWS service principal, such as `cloudtrail.amazonaws.com`.
    pub fn service(name: &str) -> Principal {
        Principal::named(PrincipalKind::Service, name)
    }
    /// A web identity or SAML provider, as in a policy's `Federated` principal.
    pub fn web_identity(provider: &str) -> Principal {
        Principal::named(PrincipalKind::WebIdentity, provider)
    }
    /// An S3 canonical user.
    pub fn canonical_user(id: &str) -> Principal {
        Principal::named(PrincipalKind::CanonicalUser, id)
    }
    /// The anonymous caller.
    pub fn anonymous() -> Principal {
        Principal::named(PrincipalKind::Anonymous, "*")
    }

    /// What kind of caller this is.
    pub fn kind(&self) -> PrincipalKind {
        self.kind
    }
    /// The ARN of an IAM principal; the name of a service, provider or canonical user;
    /// `*` for the anonymous caller.
    pub fn id(&self) -> &str {
        self.id.get(&self.text)
    }
    /// The caller's account, for IAM principals.
    pub fn account(&self) -> Option<&str> {
        (!self.account.is_empty()).then(|| self.account.get(&self.text))
    }
    /// The caller's account as a number, for IAM principals.
    pub(crate) fn account_id(&self) -> Option<u64> {
        self.account_id
    }
    /// The role ARN of a role session (or of a role acting as itself).
    pub fn role_arn(&self) -> Option<&str> {
        (!self.role_arn.is_empty()).then(|| self.role_arn.get(&self.text))
    }
    /// The user, role or federated-user name.
    pub fn name(&self) -> Option<&str> {
        (!self.name.is_empty()).then(|| self.name.get(&self.text))
    }
    /// Whether the caller is an IAM principal of an account (user, role, session, root).
    pub fn is_iam(&self) -> bool {
        !self.account.is_empty()
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PrincipalKind::Service => write!(f, "service {}", self.id()),
            PrincipalKind::WebIdentity => write!(f, "federated {}", self.id()),
            PrincipalKind::CanonicalUser => write!(f, "canonical user {}", self.id()),
            PrincipalKind::Anonymous => f.write_str("anonymous"),
            _ => f.write_str(self.id()),
        }
    }
}

/// Reads a caller as the command line and test files write it: an IAM ARN, `*` for
/// anonymous, `service:NAME` for a service principal, `federated:PROVIDER` for a web
/// identity or SAML provider, `canonical-user:ID` for an S3 canonical user.
/// As [`Principal::parse`].
impl FromStr for Principal {
    type Err = RequestError;
    fn from_str(s: &str) -> Result<Principal, RequestError> {
        Principal::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals() {
        let rows = [
            (
                "arn:aws:iam::111122223333:user/alice",
                PrincipalKind::User,
                Some("111122223333"),
                Some("alice"),
            ),
            (
                "arn:aws:iam::111122223333:user/div/alice",
                PrincipalKind::User,
                Some("111122223333"),
                Some("alice"),
            ),
            (
                "arn:aws:iam::111122223333:role/app",
                PrincipalKind::Role,
                Some("111122223333"),
                Some("app"),
            ),
            (
                "arn:aws:sts::111122223333:assumed-role/app/s1",
                PrincipalKind::AssumedRole,
                Some("111122223333"),
                Some("app"),
            ),
            (
                "arn:aws:sts::111122223333:federated-user/bob",
                PrincipalKind::FederatedUser,
                Some("111122223333"),
                Some("bob"),
            ),
            (
                "arn:aws:iam::111122223333:root",
                PrincipalKind::Root,
                Some("111122223333"),
                None,
            ),
            ("*", PrincipalKind::Anonymous, None, None),
        ];
        for (arn, kind, account, name) in rows {
            let p = Principal::parse(arn).unwrap();
            assert_eq!(
                (p.kind(), p.account(), p.name()),
                (kind, account, name),
                "{arn}"
            );
        }
        for bad in [
            "",
            "alice",
            "arn:aws:iam::1111:user/a",
            "arn:aws:s3:::b",
            "arn:aws:sts::111122223333:assumed-role/app",
            "arn:aws:iam::111122223333:group/g",
        ] {
            assert!(Principal::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn prefixed_principals() {
        let rows = [
            (
                "service:s3.amazonaws.com",
                PrincipalKind::Service,
                "s3.amazonaws.com",
            ),
            (
                "federated:accounts.google.com",
                PrincipalKind::WebIdentity,
                "accounts.google.com",
            ),
            (
                "canonical-user:79a59df9",
                PrincipalKind::CanonicalUser,
                "79a59df9",
            ),
            ("*", PrincipalKind::Anonymous, "*"),
            (
                "arn:aws:iam::111122223333:root",
                PrincipalKind::Root,
                "arn:aws:iam::111122223333:root",
            ),
        ];
        for (text, kind, id) in rows {
            let p: Principal = text.parse().unwrap();
            assert_eq!((p.kind(), p.id()), (kind, id), "{text}");
        }
        for bad in ["service:", "federated:", "canonical-user:", "alice"] {
            assert!(bad.parse::<Principal>().is_err(), "{bad}");
        }
    }
}
