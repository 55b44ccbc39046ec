//! Requests: who is calling, what they do to which resource, and the request context.

use crate::condition::{arn, date, ip, numeric};
use crate::hash::key_hash;
use std::fmt;
use std::net::IpAddr;

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

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    kind: PrincipalKind,
    /// The ARN for IAM principals; the name for services, providers and canonical users.
    id: String,
    account: String,
    /// User, role, federated-user name; the role name for a role session.
    name: String,
    /// For a role session: the role's ARN (`arn:PARTITION:iam::ACCOUNT:role/NAME`).
    role_arn: String,
}

/// A request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RequestError {
    message: String,
    help: Option<String>,
}

impl RequestError {
    fn new(message: String, help: &str) -> Self {
        RequestError {
            message,
            help: Some(help.to_string()),
        }
    }
    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// What would be valid.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

impl Principal {
    /// Reads a caller ARN: an IAM user or role, a role session, a federated user session
    /// or an account root user. `*` is the anonymous caller.
    ///
    /// # Errors
    /// A [`RequestError`] when the text is not one of those ARN shapes.
    pub fn parse(text: &str) -> Result<Principal, RequestError> {
        if text == "*" {
            return Ok(Principal::anonymous());
        }
        let help = "a caller is `arn:aws:iam::ACCOUNT:user/NAME`, `arn:aws:iam::ACCOUNT:role/NAME`, `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, `arn:aws:sts::ACCOUNT:federated-user/NAME`, `arn:aws:iam::ACCOUNT:root` or `*`";
        let bad = || RequestError::new(format!("`{text}` is not a principal ARN"), help);
        let parts = arn::split_arn(text).ok_or_else(bad)?;
        let account = parts.account;
        if account.len() != 12
            || !account.bytes().all(|b| b.is_ascii_digit())
            || !parts.region.is_empty()
        {
            return Err(bad());
        }
        let last = |path: &str| path.rsplit('/').next().unwrap_or("").to_string();
        let p = |kind, name: String, role_arn: String| Principal {
            kind,
            id: text.to_string(),
            account: account.to_string(),
            name,
            role_arn,
        };
        let resource = parts.resource;
        match parts.service {
            "iam" => {
                if resource == "root" {
                    Ok(p(PrincipalKind::Root, String::new(), String::new()))
                } else if let Some(path) = resource.strip_prefix("user/") {
                    let name = last(path);
                    if name.is_empty() {
                        return Err(bad());
                    }
                    Ok(p(PrincipalKind::User, name, String::new()))
                } else if let Some(path) = resource.strip_prefix("role/") {
                    let name = last(path);
                    if name.is_empty() {
                        return Err(bad());
                    }
                    Ok(p(PrincipalKind::Role, name, text.to_string()))
                } else {
                    Err(bad())
                }
            }
            "sts" => {
                if let Some(rest) = resource.strip_prefix("assumed-role/") {
                    let (role, session) = rest.split_once('/').ok_or_else(bad)?;
                    if role.is_empty() || session.is_empty() || session.contains('/') {
                        return Err(bad());
                    }
                    let role_arn = format!("arn:{}:iam::{account}:role/{role}", parts.partition);
                    Ok(p(PrincipalKind::AssumedRole, role.to_string(), role_arn))
                } else if let Some(name) = resource.strip_prefix("federated-user/") {
                    if name.is_empty() || name.contains('/') {
                        return Err(bad());
                    }
                    Ok(p(
                        PrincipalKind::FederatedUser,
                        name.to_string(),
                        String::new(),
                    ))
                } else {
                    Err(bad())
                }
            }
            _ => Err(bad()),
        }
    }

    fn named(kind: PrincipalKind, id: &str) -> Principal {
        Principal {
            kind,
            id: id.to_string(),
            account: String::new(),
            name: String::new(),
            role_arn: String::new(),
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
        &self.id
    }
    /// The caller's account, for IAM principals.
    pub fn account(&self) -> Option<&str> {
        (!self.account.is_empty()).then_some(self.account.as_str())
    }
    /// The role ARN of a role session (or of a role acting as itself).
    pub fn role_arn(&self) -> Option<&str> {
        (!self.role_arn.is_empty()).then_some(self.role_arn.as_str())
    }
    /// The user, role or federated-user name.
    pub fn name(&self) -> Option<&str> {
        (!self.name.is_empty()).then_some(self.name.as_str())
    }
    /// Whether the caller is an IAM principal of an account (user, role, session, root).
    pub fn is_iam(&self) -> bool {
        !self.account.is_empty()
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PrincipalKind::Service => write!(f, "service {}", self.id),
            PrincipalKind::WebIdentity => write!(f, "federated {}", self.id),
            PrincipalKind::CanonicalUser => write!(f, "canonical user {}", self.id),
            PrincipalKind::Anonymous => f.write_str("anonymous"),
            _ => f.write_str(&self.id),
        }
    }
}

/// A request context value: one string, or a set of strings for a multivalued key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextValue {
    /// A single-valued key.
    Single(String),
    /// A multivalued key (possibly empty, which differs from a missing key).
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values as a slice: one for a single-valued key.
    pub fn values(&self) -> &[String] {
        match self {
            ContextValue::Single(s) => std::slice::from_ref(s),
            ContextValue::Multi(v) => v,
        }
    }
}

impl From<&str> for ContextValue {
    fn from(s: &str) -> Self {
        ContextValue::Single(s.to_string())
    }
}
impl From<String> for ContextValue {
    fn from(s: String) -> Self {
        ContextValue::Single(s)
    }
}
impl From<bool> for ContextValue {
    fn from(b: bool) -> Self {
        ContextValue::Single(b.to_string())
    }
}
impl From<Vec<String>> for ContextValue {
    fn from(v: Vec<String>) -> Self {
        ContextValue::Multi(v)
    }
}
impl From<&[&str]> for ContextValue {
    fn from(v: &[&str]) -> Self {
        ContextValue::Multi(v.iter().map(|s| s.to_string()).collect())
    }
}

/// A single context value read as each operator family's type, where it can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Typed {
    pub(crate) ip: Option<IpAddr>,
    pub(crate) date: Option<date::Instant>,
    pub(crate) number: Option<numeric::Number>,
}

impl Typed {
    fn read(value: &ContextValue) -> Typed {
        let ContextValue::Single(v) = value else {
            return Typed::default();
        };
        let first = v.bytes().next().unwrap_or(b' ');
        let plausible = first.is_ascii_digit() || first == b'-';
        Typed {
            ip: if first.is_ascii_hexdigit() || first == b':' {
                ip::parse_addr(v)
            } else {
                None
            },
            date: if plausible { date::parse(v).ok() } else { None },
            number: if plausible {
                numeric::parse(v).ok()
            } else {
                None
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContextEntry {
    /// INVARIANT: `key.to_lowercase()`; keys compare case-insensitively.
    pub(crate) lower: String,
    /// INVARIANT: `key_hash(&lower)`.
    pub(crate) hash: u64,
    /// INVARIANT: the typed readings of a single value (`Typed::read(value)`), made
    /// once when the key is set so conditions on it do not parse it again.
    pub(crate) typed: Typed,
    pub(crate) key: String,
    pub(crate) value: ContextValue,
}

/// The request context: condition keys and their values. Keys are case-insensitive; the
/// last value set for a key wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    entries: Vec<ContextEntry>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Context::default()
    }
    /// Sets a key, replacing any value it had.
    pub fn insert(&mut self, key: &str, value: impl Into<ContextValue>) {
        let lower = key.to_lowercase();
        let value = value.into();
        let typed = Typed::read(&value);
        if let Some(e) = self.entries.iter_mut().find(|e| e.lower == lower) {
            e.key = key.to_string();
            e.value = value;
            e.typed = typed;
        } else {
            self.entries.push(ContextEntry {
                typed,
                hash: key_hash(&lower),
                lower,
                key: key.to_string(),
                value,
            });
        }
    }
    /// Adds a value to a key, making it multivalued.
    pub fn push(&mut self, key: &str, value: &str) {
        let lower = key.to_lowercase();
        if let Some(e) = self.entries.iter_mut().find(|e| e.lower == lower) {
            let old = std::mem::replace(&mut e.value, ContextValue::Multi(Vec::new()));
            let mut values = match old {
                ContextValue::Single(s) => vec![s],
                ContextValue::Multi(v) => v,
            };
            values.push(value.to_string());
            e.value = ContextValue::Multi(values);
            e.typed = Typed::default();
        } else {
            self.entries.push(ContextEntry {
                typed: Typed::default(),
                hash: key_hash(&lower),
                lower,
                key: key.to_string(),
                value: ContextValue::Multi(vec![value.to_string()]),
            });
        }
    }
    /// The value of a key (case-insensitive).
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        let lower = key.to_lowercase();
        self.get_lower(&lower, key_hash(&lower)).map(|e| &e.value)
    }
    /// Looks a key up by its lowercase form and its [`key_hash`], without allocating.
    #[inline]
    pub(crate) fn get_lower(&self, lower: &str, hash: u64) -> Option<&ContextEntry> {
        self.entries
            .iter()
            .find(|e| e.hash == hash && e.lower == lower)
    }
    /// Whether the key is set.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    /// The keys and values, in insertion order, with the keys as first written.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|e| (e.key.as_str(), &e.value))
    }
    /// The number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    fn clear(&mut self) {
        self.entries.clear();
    }
}

/// An access request: principal, action, resource and context.
///
/// Built with [`Request::builder`]. The global keys AWS supplies with every request are
/// derived from the principal unless the caller sets them: `aws:PrincipalArn`,
/// `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username` (IAM users),
/// `aws:PrincipalIsAWSService` and `aws:PrincipalServiceName` (service principals).
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    principal: Principal,
    action: String,
    /// INVARIANT: `action.to_ascii_lowercase()`; action names compare case-insensitively.
    action_lower: String,
    /// INVARIANT: the byte length of the service prefix of `action_lower` (before `:`).
    service_len: usize,
    /// INVARIANT: `index::action_bit(&action_lower)`, for the statement index's filter.
    action_bit: u64,
    /// INVARIANT: `index::account_bit` of the caller's account, likewise.
    account_bit: u64,
    resource: String,
    /// INVARIANT: the byte range of the account in `resource` when it is an ARN with an
    /// account; computed once so evaluation does not split the ARN.
    resource_arn_account: Option<(usize, usize)>,
    /// Whether `resource` is a KMS ARN (key policies have their own rules).
    resource_is_kms: bool,
    resource_account: Option<String>,
    context: Context,
}

impl Request {
    /// Starts a request.
    pub fn builder() -> RequestBuilder {
        RequestBuilder::default()
    }
    /// The caller.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }
    /// The action, as given (`s3:PutObject`).
    pub fn action(&self) -> &str {
        &self.action
    }
    pub(crate) fn action_lower(&self) -> &str {
        &self.action_lower
    }
    pub(crate) fn action_bit(&self) -> u64 {
        self.action_bit
    }
    pub(crate) fn account_bit(&self) -> u64 {
        self.account_bit
    }
    /// The service prefix of the action, lowercase (`s3`).
    pub(crate) fn service_lower(&self) -> &str {
        self.action_lower.get(..self.service_len).unwrap_or("")
    }
    /// The resource ARN.
    pub fn resource(&self) -> &str {
        &self.resource
    }
    /// The account in the resource ARN, if it has one.
    pub(crate) fn resource_arn_account(&self) -> Option<&str> {
        self.resource_arn_account
            .and_then(|(a, b)| self.resource.get(a..b))
    }
    pub(crate) fn resource_is_kms(&self) -> bool {
        self.resource_is_kms
    }
    /// The account that owns the resource, when set on the request.
    pub fn resource_account(&self) -> Option<&str> {
        self.resource_account.as_deref()
    }
    /// The request context, derived keys included.
    pub fn context(&self) -> &Context {
        &self.context
    }
}

/// Builds a [`Request`]; reusable: [`RequestBuilder::build`] leaves it ready for the
/// next request and keeps its buffers.
#[derive(Debug, Clone, Default)]
pub struct RequestBuilder {
    principal: Option<Result<Principal, RequestError>>,
    action: String,
    resource: String,
    resource_account: Option<String>,
    context: Context,
}

impl RequestBuilder {
    /// Sets the caller from an ARN (or `*` for anonymous); see [`Principal::parse`].
    pub fn principal(&mut self, arn: &str) -> &mut Self {
        self.principal = Some(Principal::parse(arn));
        self
    }
    /// Sets the caller.
    pub fn principal_value(&mut self, principal: Principal) -> &mut Self {
        self.principal = Some(Ok(principal));
        self
    }
    /// Sets the action, `service:ActionName`.
    pub fn action(&mut self, action: &str) -> &mut Self {
        action.clone_into(&mut self.action);
        self
    }
    /// Sets the resource ARN.
    pub fn resource(&mut self, arn: &str) -> &mut Self {
        arn.clone_into(&mut self.resource);
        self
    }
    /// Sets the account that owns the resource (for ARNs without one, such as S3's).
    pub fn resource_account(&mut self, account: &str) -> &mut Self {
        self.resource_account = Some(account.to_string());
        self
    }
    /// Sets a context key (single- or multivalued).
    pub fn context(&mut self, key: &str, value: impl Into<ContextValue>) -> &mut Self {
        self.context.insert(key, value);
        self
    }
    /// Adds one value to a context key, making it multivalued.
    pub fn context_push(&mut self, key: &str, value: &str) -> &mut Self {
        self.context.push(key, value);
        self
    }

    /// Builds the request and resets the builder for the next one.
    ///
    /// # Errors
    /// A [`RequestError`] when the principal is missing or not a caller ARN, or the
    /// action is not `service:ActionName`.
    pub fn build(&mut self) -> Result<Request, RequestError> {
        let principal = match self.principal.take() {
            Some(p) => p?,
            None => {
                return Err(RequestError::new(
                    "the request has no principal".into(),
                    "set the caller with `principal(\"arn:aws:iam::111122223333:user/alice\")`",
                ))
            }
        };
        let action = std::mem::take(&mut self.action);
        let service_len = match action.split_once(':') {
            Some((service, name))
                if !service.is_empty() && !name.is_empty() && !name.contains(':') =>
            {
                service.len()
            }
            _ => {
                self.context.clear();
                return Err(RequestError::new(
                    format!("`{action}` is not an action"),
                    "an action is `service:ActionName`, such as `s3:GetObject`",
                ));
            }
        };
        if action.contains(['*', '?']) {
            self.context.clear();
            return Err(RequestError::new(
                format!("`{action}` has a wildcard"),
                "a request names one action; wildcards belong in policies",
            ));
        }
        let mut context = std::mem::take(&mut self.context);
        derive_keys(&principal, &mut context);
        let resource = std::mem::take(&mut self.resource);
        let parts = arn::split_arn(&resource);
        let resource_is_kms = parts.is_some_and(|p| p.service == "kms");
        // Kept as a byte range into `resource`, so the request holds no second copy.
        let resource_arn_account = arn::account_of(&resource).and_then(|account| {
            let start = (account.as_ptr() as usize).checked_sub(resource.as_ptr() as usize)?;
            Some((start, start + account.len()))
        });
        let action_lower = action.to_ascii_lowercase();
        Ok(Request {
            action_bit: crate::eval::action_bit(&action_lower),
            account_bit: crate::eval::account_bit(principal.account().unwrap_or("")),
            action_lower,
            service_len,
            action,
            resource_arn_account,
            resource_is_kms,
            resource,
            resource_account: self.resource_account.take(),
            principal,
            context,
        })
    }
}

fn derive_keys(p: &Principal, context: &mut Context) {
    let mut set = |key: &str, value: &str| {
        if !context.contains(key) {
            context.insert(key, value);
        }
    };
    // aws:PrincipalArn is the role ARN for a role session.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
    match p.kind {
        PrincipalKind::User
        | PrincipalKind::Role
        | PrincipalKind::FederatedUser
        | PrincipalKind::Root
        | PrincipalKind::AssumedRole => {
            let arn = if p.kind == PrincipalKind::AssumedRole {
                p.role_arn.as_str()
            } else {
                p.id.as_str()
            };
            set("aws:PrincipalArn", arn);
            set("aws:PrincipalAccount", &p.account);
            set("aws:PrincipalIsAWSService", "false");
        }
        PrincipalKind::Service => {
            set("aws:PrincipalIsAWSService", "true");
            set("aws:PrincipalServiceName", &p.id);
        }
        PrincipalKind::WebIdentity | PrincipalKind::CanonicalUser | PrincipalKind::Anonymous => {}
    }
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltype
    let principal_type = match p.kind {
        PrincipalKind::User => Some("User"),
        PrincipalKind::Role | PrincipalKind::AssumedRole => Some("AssumedRole"),
        PrincipalKind::FederatedUser => Some("FederatedUser"),
        PrincipalKind::Root => Some("Account"),
        PrincipalKind::Anonymous => Some("Anonymous"),
        PrincipalKind::Service | PrincipalKind::WebIdentity | PrincipalKind::CanonicalUser => None,
    };
    if let Some(t) = principal_type {
        set("aws:PrincipalType", t);
    }
    if p.kind == PrincipalKind::User {
        set("aws:username", &p.name);
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
    fn derived_keys() {
        let r = Request::builder()
            .principal("arn:aws:sts::111122223333:assumed-role/admin/ops")
            .action("iam:CreateUser")
            .resource("*")
            .build()
            .unwrap();
        let get = |k: &str| r.context().get(k).map(|v| v.values()[0].clone());
        assert_eq!(
            get("aws:principalarn").as_deref(),
            Some("arn:aws:iam::111122223333:role/admin")
        );
        assert_eq!(get("AWS:PrincipalType").as_deref(), Some("AssumedRole"));
        assert_eq!(get("aws:username"), None);
        let r = Request::builder()
            .principal("arn:aws:iam::111122223333:user/alice")
            .action("s3:GetObject")
            .resource("arn:aws:s3:::b/k")
            .context("aws:username", "set-by-caller")
            .build()
            .unwrap();
        assert_eq!(
            r.context().get("aws:username"),
            Some(&ContextValue::Single("set-by-caller".into()))
        );
    }

    #[test]
    fn bad_actions() {
        for action in ["s3", "s3:", ":Get", "s3:Get*", "a:b:c"] {
            let e = Request::builder()
                .principal("*")
                .action(action)
                .resource("*")
                .build();
            assert!(e.is_err(), "{action}");
        }
    }
}
