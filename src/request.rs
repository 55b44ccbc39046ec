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
}

/// A byte range into a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Range {
    start: usize,
    end: usize,
}

impl Range {
    fn of(text: &str, part: &str) -> Range {
        // `part` is a slice of `text`; its offset is the pointers' distance.
        let start = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        Range {
            start,
            end: start + part.len(),
        }
    }
    fn get(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or("")
    }
    fn is_empty(self) -> bool {
        self.start == self.end
    }
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
        Principal::parse_with(text, String::new())
    }

    /// As [`Principal::parse`], writing into `buf` (cleared first) so a caller that
    /// parses many principals reuses one allocation.
    fn parse_with(text: &str, mut buf: String) -> Result<Principal, RequestError> {
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
            });
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
        let name_of = |path: &str| -> Option<(usize, usize)> {
            let name = path.rsplit('/').next().unwrap_or("");
            (!name.is_empty()).then(|| {
                let r = Range::of(text, name);
                (r.start, r.end)
            })
        };
        let resource = parts.resource;
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
        })
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

/// A single context value read as each operator family's type, where it can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Typed {
    pub(crate) ip: Option<IpAddr>,
    pub(crate) date: Option<date::Instant>,
    pub(crate) number: Option<numeric::Number>,
}

impl Typed {
    fn read(v: &str) -> Typed {
        let first = v.bytes().next().unwrap_or(b' ');
        let plausible = first.is_ascii_digit() || first == b'-';
        // Only the characters an IPv4 or IPv6 address (with an optional prefix) is made of.
        let ip_like = !v.is_empty()
            && v.bytes()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.' | b'/'));
        Typed {
            ip: if ip_like { ip::parse_addr(v) } else { None },
            date: if plausible { date::parse(v).ok() } else { None },
            number: if plausible {
                numeric::parse(v).ok()
            } else {
                None
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    /// One value.
    Single(Range),
    /// A multivalued key: `len` ranges in `lists` from `first`.
    Multi { first: usize, len: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContextEntry {
    key: Range,
    /// INVARIANT: the lowercase form of `key`; keys compare case-insensitively.
    lower: Range,
    /// INVARIANT: `key_hash` of the lowercase key.
    hash: u64,
    value: Value,
    /// INVARIANT: the typed readings of a single value, made once when the key is set so
    /// conditions on it do not parse it again; empty for a multivalued key.
    pub(crate) typed: Typed,
}

/// The request context: condition keys and their values. Keys are case-insensitive; the
/// last value set for a key wins.
///
/// Keys and values live in one text buffer, so setting a key copies bytes rather than
/// allocating, and a context cleared for the next request keeps its capacity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    text: String,
    entries: Vec<ContextEntry>,
    lists: Vec<Range>,
}

/// The values of one context key.
#[derive(Debug, Clone, Copy)]
pub struct Values<'a> {
    context: &'a Context,
    value: Value,
}

impl<'a> Values<'a> {
    /// The values, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let ctx = self.context;
        let ranges: &'a [Range] = match self.value {
            Value::Single(_) => &[],
            Value::Multi { first, len } => ctx.lists.get(first..first + len).unwrap_or_default(),
        };
        let single = match self.value {
            Value::Single(r) => Some(r.get(&ctx.text)),
            Value::Multi { .. } => None,
        };
        single
            .into_iter()
            .chain(ranges.iter().map(move |r| r.get(&ctx.text)))
    }
    /// How many values there are (1 for a single-valued key; possibly 0 for a
    /// multivalued one, which differs from a missing key).
    pub fn len(&self) -> usize {
        match self.value {
            Value::Single(_) => 1,
            Value::Multi { len, .. } => len,
        }
    }
    /// Whether a multivalued key has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Whether the key was set as multivalued (a list), even of one value.
    pub fn is_multivalued(&self) -> bool {
        matches!(self.value, Value::Multi { .. })
    }
    /// The value of a single-valued key.
    pub fn single(&self) -> Option<&'a str> {
        match self.value {
            Value::Single(r) => Some(r.get(&self.context.text)),
            Value::Multi { .. } => None,
        }
    }
}

/// What a context key can be set to: a string (or boolean) for a single-valued key, a
/// list for a multivalued one.
pub trait ContextInput {
    /// Sets `key` in `context` to this value.
    fn set(self, context: &mut Context, key: &str);
}

impl ContextInput for &str {
    fn set(self, context: &mut Context, key: &str) {
        context.set_single(key, self);
    }
}
impl ContextInput for &String {
    fn set(self, context: &mut Context, key: &str) {
        context.set_single(key, self);
    }
}
impl ContextInput for String {
    fn set(self, context: &mut Context, key: &str) {
        context.set_single(key, &self);
    }
}
impl ContextInput for bool {
    fn set(self, context: &mut Context, key: &str) {
        context.set_single(key, if self { "true" } else { "false" });
    }
}
impl<S: AsRef<str>> ContextInput for &[S] {
    fn set(self, context: &mut Context, key: &str) {
        context.set_multi(key, self.iter().map(AsRef::as_ref));
    }
}
impl<S: AsRef<str>> ContextInput for Vec<S> {
    fn set(self, context: &mut Context, key: &str) {
        context.set_multi(key, self.iter().map(AsRef::as_ref));
    }
}
impl<S: AsRef<str>, const N: usize> ContextInput for [S; N] {
    fn set(self, context: &mut Context, key: &str) {
        context.set_multi(key, self.iter().map(AsRef::as_ref));
    }
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Context::default()
    }

    fn push_text(&mut self, s: &str) -> Range {
        let start = self.text.len();
        self.text.push_str(s);
        Range {
            start,
            end: self.text.len(),
        }
    }

    /// The entry for a key, created if missing, with its key written.
    fn entry_for(&mut self, key: &str) -> usize {
        // The key and, if it differs, its lowercase form are written to the buffer first
        // (no allocation) and taken back if the key is already set.
        let mark = self.text.len();
        let key_range = self.push_text(key);
        let lower_range = if key.is_ascii() {
            if key.bytes().any(|b| b.is_ascii_uppercase()) {
                let r = self.push_text(key);
                if let Some(s) = self.text.get_mut(r.start..r.end) {
                    s.make_ascii_lowercase();
                }
                r
            } else {
                key_range
            }
        } else if key.chars().any(char::is_uppercase) {
            let start = self.text.len();
            for c in key.chars() {
                self.text.extend(c.to_lowercase());
            }
            Range {
                start,
                end: self.text.len(),
            }
        } else {
            key_range
        };
        let hash = key_hash(lower_range.get(&self.text));
        if let Some(i) = self.find(lower_range.get(&self.text), hash) {
            self.text.truncate(mark);
            return i;
        }
        self.entries.push(ContextEntry {
            key: key_range,
            lower: lower_range,
            hash,
            value: Value::Multi { first: 0, len: 0 },
            typed: Typed::default(),
        });
        self.entries.len() - 1
    }

    /// Sets a key that is not set yet; a key the caller set wins.
    fn set_default(&mut self, key: &str, value: &str) {
        let before = self.entries.len();
        let i = self.entry_for(key);
        if i == before {
            let range = self.push_text(value);
            if let Some(e) = self.entries.get_mut(i) {
                // Derived values (ARNs, account ids, principal types) are left unread:
                // a condition that compares one as a number or date reads it then.
                e.value = Value::Single(range);
            }
        }
    }

    fn set_single(&mut self, key: &str, value: &str) {
        let i = self.entry_for(key);
        let range = self.push_text(value);
        if let Some(e) = self.entries.get_mut(i) {
            e.value = Value::Single(range);
            e.typed = Typed::read(value);
        }
    }

    fn set_multi<'v>(&mut self, key: &str, values: impl Iterator<Item = &'v str>) {
        let i = self.entry_for(key);
        let first = self.lists.len();
        for v in values {
            let r = self.push_text(v);
            self.lists.push(r);
        }
        let len = self.lists.len() - first;
        if let Some(e) = self.entries.get_mut(i) {
            e.value = Value::Multi { first, len };
            e.typed = Typed::default();
        }
    }

    /// Sets a key, replacing any value it had.
    pub fn insert(&mut self, key: &str, value: impl ContextInput) {
        value.set(self, key);
    }

    /// Adds a value to a key, making it multivalued.
    pub fn push(&mut self, key: &str, value: &str) {
        let i = self.entry_for(key);
        let old = self.entries.get(i).map(|e| e.value);
        // The entry's values move to the end of `lists` (they are usually there already),
        // so they stay contiguous.
        let first = self.lists.len();
        match old {
            Some(Value::Single(r)) => self.lists.push(r),
            Some(Value::Multi { first: f, len }) if f + len == first && len > 0 => {
                let r = self.push_text(value);
                self.lists.push(r);
                if let Some(e) = self.entries.get_mut(i) {
                    e.value = Value::Multi {
                        first: f,
                        len: len + 1,
                    };
                }
                return;
            }
            Some(Value::Multi { first: f, len }) => {
                for j in f..f + len {
                    if let Some(&r) = self.lists.get(j) {
                        self.lists.push(r);
                    }
                }
            }
            None => {}
        }
        let r = self.push_text(value);
        self.lists.push(r);
        let len = self.lists.len() - first;
        if let Some(e) = self.entries.get_mut(i) {
            e.value = Value::Multi { first, len };
            e.typed = Typed::default();
        }
    }

    fn find(&self, lower: &str, hash: u64) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.hash == hash && e.lower.get(&self.text) == lower)
    }

    /// The values of a key (case-insensitive).
    pub fn get(&self, key: &str) -> Option<Values<'_>> {
        let lower = key.to_lowercase();
        self.get_lower(&lower, key_hash(&lower)).map(|(v, _)| v)
    }

    /// Looks a key up by its lowercase form and its [`key_hash`], without allocating.
    #[inline]
    pub(crate) fn get_lower(&self, lower: &str, hash: u64) -> Option<(Values<'_>, &Typed)> {
        self.entries
            .iter()
            .find(|e| e.hash == hash && e.lower.get(&self.text) == lower)
            .map(|e| {
                (
                    Values {
                        context: self,
                        value: e.value,
                    },
                    &e.typed,
                )
            })
    }

    /// Whether the key is set.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys and values, in the order first set, with the keys as first written.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Values<'_>)> {
        self.entries.iter().map(|e| {
            (
                e.key.get(&self.text),
                Values {
                    context: self,
                    value: e.value,
                },
            )
        })
    }
    /// The number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Removes every key, keeping the buffers for the next request.
    pub fn clear(&mut self) {
        self.text.clear();
        self.entries.clear();
        self.lists.clear();
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
    resource_arn_account: Option<Range>,
    /// Whether `resource` is a KMS ARN (key policies have their own rules).
    resource_is_kms: bool,
    resource_account: String,
    has_resource_account: bool,
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
        self.resource_arn_account.map(|r| r.get(&self.resource))
    }
    pub(crate) fn resource_is_kms(&self) -> bool {
        self.resource_is_kms
    }
    /// The account that owns the resource, when set on the request.
    pub fn resource_account(&self) -> Option<&str> {
        self.has_resource_account
            .then_some(self.resource_account.as_str())
    }
    /// The request context, derived keys included.
    pub fn context(&self) -> &Context {
        &self.context
    }
}

/// Builds a [`Request`]. Reusable: after [`RequestBuilder::build`] or
/// [`RequestBuilder::build_into`] it is empty and ready for the next request, and
/// `build_into` swaps buffers with the request it fills, so a caller building many
/// requests stops allocating once the buffers have grown.
#[derive(Debug, Clone, Default)]
pub struct RequestBuilder {
    principal: Option<Result<Principal, RequestError>>,
    /// The principal a previous `build_into` replaced: its buffer is reused.
    spare: Option<Principal>,
    action: String,
    resource: String,
    resource_account: String,
    has_resource_account: bool,
    context: Context,
}

impl RequestBuilder {
    /// Sets the caller from an ARN (or `*` for anonymous); see [`Principal::parse`].
    pub fn principal(&mut self, arn: &str) -> &mut Self {
        let buf = match self.principal.take() {
            Some(Ok(p)) => p.text,
            _ => self.spare.take().map(|p| p.text).unwrap_or_default(),
        };
        self.principal = Some(Principal::parse_with(arn, buf));
        self
    }
    /// Sets the caller.
    pub fn principal_value(&mut self, principal: Principal) -> &mut Self {
        self.principal = Some(Ok(principal));
        self
    }
    /// Sets the action, `service:ActionName`.
    pub fn action(&mut self, action: &str) -> &mut Self {
        self.action.clear();
        self.action.push_str(action);
        self
    }
    /// Sets the resource ARN.
    pub fn resource(&mut self, arn: &str) -> &mut Self {
        self.resource.clear();
        self.resource.push_str(arn);
        self
    }
    /// Sets the account that owns the resource (for ARNs without one, such as S3's).
    pub fn resource_account(&mut self, account: &str) -> &mut Self {
        self.resource_account.clear();
        self.resource_account.push_str(account);
        self.has_resource_account = true;
        self
    }
    /// Sets a context key: a string or boolean for a single-valued key, a list (slice,
    /// array or `Vec`) for a multivalued one.
    pub fn context(&mut self, key: &str, value: impl ContextInput) -> &mut Self {
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
        let mut request = Request {
            principal: Principal::anonymous(),
            action: String::new(),
            action_lower: String::new(),
            service_len: 0,
            action_bit: 0,
            account_bit: 0,
            resource: String::new(),
            resource_arn_account: None,
            resource_is_kms: false,
            resource_account: String::new(),
            has_resource_account: false,
            context: Context::default(),
        };
        self.build_into(&mut request)?;
        Ok(request)
    }

    /// Builds the request into `request`, reusing its buffers (and handing the builder
    /// the request's old ones), and resets the builder for the next one.
    ///
    /// # Errors
    /// As [`RequestBuilder::build`]; `request` is left unchanged.
    pub fn build_into(&mut self, request: &mut Request) -> Result<(), RequestError> {
        let result = self.check();
        if let Err(e) = result {
            self.reset();
            return Err(e);
        }
        let principal = match self.principal.take() {
            Some(Ok(p)) => p,
            _ => {
                return Err(RequestError::new(
                    "the request has no principal".into(),
                    "set the caller",
                ))
            }
        };
        let service_len = self.action.find(':').unwrap_or(0);
        std::mem::swap(&mut request.action, &mut self.action);
        request.action_lower.clear();
        request.action_lower.push_str(&request.action);
        request.action_lower.make_ascii_lowercase();
        std::mem::swap(&mut request.resource, &mut self.resource);
        std::mem::swap(&mut request.context, &mut self.context);
        std::mem::swap(&mut request.resource_account, &mut self.resource_account);
        request.has_resource_account = self.has_resource_account;
        derive_keys(&principal, &mut request.context);
        let parts = arn::split_arn(&request.resource);
        request.resource_is_kms = parts.is_some_and(|p| p.service == "kms");
        request.resource_arn_account = parts
            .map(|p| p.account)
            .filter(|a| !a.is_empty())
            .map(|a| Range::of(&request.resource, a));
        request.service_len = service_len;
        request.action_bit = crate::eval::action_bit(&request.action_lower);
        request.account_bit = crate::eval::account_bit(principal.account().unwrap_or(""));
        self.spare = Some(std::mem::replace(&mut request.principal, principal));
        self.reset();
        Ok(())
    }

    fn reset(&mut self) {
        if let Some(Ok(p)) = self.principal.take() {
            self.spare = Some(p);
        }
        self.action.clear();
        self.resource.clear();
        self.resource_account.clear();
        self.has_resource_account = false;
        self.context.clear();
    }

    fn check(&self) -> Result<(), RequestError> {
        match &self.principal {
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.clone()),
            None => {
                return Err(RequestError::new(
                    "the request has no principal".into(),
                    "set the caller with `principal(\"arn:aws:iam::111122223333:user/alice\")`",
                ))
            }
        }
        let action = &self.action;
        match action.split_once(':') {
            Some((service, name))
                if !service.is_empty() && !name.is_empty() && !name.contains(':') => {}
            _ => {
                return Err(RequestError::new(
                    format!("`{action}` is not an action"),
                    "an action is `service:ActionName`, such as `s3:GetObject`",
                ))
            }
        }
        if action.contains(['*', '?']) {
            return Err(RequestError::new(
                format!("`{action}` has a wildcard"),
                "a request names one action; wildcards belong in policies",
            ));
        }
        Ok(())
    }
}

fn derive_keys(p: &Principal, context: &mut Context) {
    let mut set = |key: &str, value: &str| context.set_default(key, value);
    // aws:PrincipalArn is the role ARN for a role session.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
    match p.kind {
        PrincipalKind::User
        | PrincipalKind::Role
        | PrincipalKind::FederatedUser
        | PrincipalKind::Root
        | PrincipalKind::AssumedRole => {
            let arn = if p.kind == PrincipalKind::AssumedRole {
                p.role_arn().unwrap_or("")
            } else {
                p.id()
            };
            set("aws:PrincipalArn", arn);
            set("aws:PrincipalAccount", p.account().unwrap_or(""));
            set("aws:PrincipalIsAWSService", "false");
        }
        PrincipalKind::Service => {
            set("aws:PrincipalIsAWSService", "true");
            set("aws:PrincipalServiceName", p.id());
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
        set("aws:username", p.name().unwrap_or(""));
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
        let get = |k: &str| {
            r.context()
                .get(k)
                .and_then(|v| v.iter().next().map(str::to_string))
        };
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
            r.context().get("aws:username").and_then(|v| v.single()),
            Some("set-by-caller")
        );
    }

    #[test]
    fn context_values() {
        let mut c = Context::new();
        c.insert("K:A", "one");
        c.insert("k:b", ["x", "y"].as_slice());
        c.push("k:c", "p");
        c.push("k:c", "q");
        c.insert("k:a", "two");
        c.push("k:b", "z");
        fn get<'c>(c: &'c Context, k: &str) -> Option<(bool, Vec<&'c str>)> {
            c.get(k).map(|v| (v.is_multivalued(), v.iter().collect()))
        }
        assert_eq!(
            get(&c, "k:a"),
            Some((false, vec!["two"])),
            "replaced, case-insensitively"
        );
        assert_eq!(get(&c, "K:B"), Some((true, vec!["x", "y", "z"])));
        assert_eq!(get(&c, "k:c"), Some((true, vec!["p", "q"])));
        assert_eq!(get(&c, "k:d"), None);
        c.insert("k:e", Vec::<String>::new());
        assert_eq!(
            get(&c, "k:e"),
            Some((true, vec![])),
            "an empty set is not a missing key"
        );
        assert_eq!(
            c.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["K:A", "k:b", "k:c", "k:e"]
        );
        c.clear();
        assert!(c.is_empty());
    }

    #[test]
    fn builder_is_reusable() {
        let mut b = Request::builder();
        let mut r = b
            .principal("arn:aws:iam::111122223333:user/alice")
            .action("s3:GetObject")
            .resource("arn:aws:s3:::b/k")
            .context("k", "v")
            .build()
            .unwrap();
        b.principal("arn:aws:sts::444455556666:assumed-role/app/s")
            .action("S3:PutObject")
            .resource("arn:aws:kms:us-east-1:444455556666:key/k");
        b.build_into(&mut r).unwrap();
        assert_eq!(r.action(), "S3:PutObject");
        assert_eq!(r.action_lower(), "s3:putobject");
        assert!(r.context().get("k").is_none(), "the old context is gone");
        assert_eq!(r.resource_arn_account(), Some("444455556666"));
        assert!(r.resource_is_kms());
        assert_eq!(
            r.context().get("aws:PrincipalArn").and_then(|v| v.single()),
            Some("arn:aws:iam::444455556666:role/app")
        );
        let before = r.clone();
        assert!(b.action("nope").principal("*").build_into(&mut r).is_err());
        assert_eq!(r, before, "a failed build leaves the request as it was");
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
