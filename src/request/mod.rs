//! Requests: who is calling, what they do to which resource, and the request context.

mod context;
mod error;
mod principal;

use context::Derive;
pub(crate) use context::Typed;
pub use context::{Context, ContextInput, Values};
pub use error::{RequestError, RequestErrorKind};

pub use principal::{Principal, PrincipalKind};

use crate::hash::{bytes_eq, key_hash, scan_action};
use crate::keys;
use crate::value::{arn, date, ip, numeric, parse_bool};

/// A byte range into a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Range {
    start: usize,
    end: usize,
}

impl Range {
    pub(crate) fn of(text: &str, part: &str) -> Range {
        // `part` is a slice of `text`; its offset is the pointers' distance.
        let start = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        Range {
            start,
            end: start + part.len(),
        }
    }
    pub(crate) fn get(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or("")
    }
    /// The bytes, without the check that the range falls on character boundaries.
    #[inline]
    pub(crate) fn bytes(self, text: &str) -> &[u8] {
        text.as_bytes()
            .get(self.start..self.end)
            .unwrap_or_default()
    }
    pub(crate) fn is_empty(self) -> bool {
        self.start == self.end
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
    action: ActionParts,
    resource: ResourceParts,
    /// Whether the action assumes a role (or is checked while assuming one) and the
    /// resource is a role: the role's trust policy then has its own rules.
    assumes_role: bool,
    resource_account: String,
    has_resource_account: bool,
    /// INVARIANT: the request names the resource's owner (the account in its ARN, else
    /// `resource_account`) and it is not the caller's account.
    names_other_owner: bool,
    context: Context,
    /// Whether the request was built, so that its action and resource are valid and its
    /// derived keys are its principal's: [`RequestBuilder::build_into`] keeps what it
    /// has computed from a part that the next request repeats. False only for the blank
    /// request [`RequestBuilder::build`] fills.
    built: bool,
}

/// An action and what is read from it once, for evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct ActionParts {
    /// As given.
    text: String,
    /// INVARIANT: `text.to_ascii_lowercase()`; action names compare case-insensitively.
    lower: String,
    /// INVARIANT: the byte length of the service prefix of `lower` (before `:`).
    service_len: usize,
    /// INVARIANT: `key_hash(&lower)`, computed once for lookups by action.
    hash: u64,
    /// INVARIANT: `key_hash` of the service prefix of `lower`.
    service_hash: u64,
    /// INVARIANT: `keys::is_assume_role_action(&lower)`.
    assume_role: bool,
}

impl ActionParts {
    /// Reads a checked action whose service prefix is `service_len` bytes long, reusing
    /// the buffers.
    fn read(&mut self, action: &str, service_len: usize) {
        self.text.clear();
        self.text.push_str(action);
        self.lower.clear();
        self.lower.push_str(action);
        self.lower.make_ascii_lowercase();
        self.assume_role = keys::is_assume_role_action(&self.lower);
        self.service_len = service_len;
        self.hash = key_hash(&self.lower);
        self.service_hash = key_hash(self.lower.get(..service_len).unwrap_or(""));
    }
}

/// A resource and what is read from it once, for evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct ResourceParts {
    /// The ARN, or `*`.
    text: String,
    /// INVARIANT: the byte range of the account in `text` when it is an ARN with an
    /// account; computed once so evaluation does not split the ARN.
    arn_account: Option<Range>,
    /// Whether `text` is a KMS ARN (key policies have their own rules).
    is_kms: bool,
    /// Whether `text` is an IAM role's ARN.
    is_role: bool,
}

impl ResourceParts {
    /// Reads a checked resource whose ARN is cut at `cuts` ([`arn::arn_cuts`]; `None`
    /// for `*`), reusing the buffer.
    fn read(&mut self, resource: &str, cuts: Option<[usize; 4]>) {
        self.text.clear();
        self.text.push_str(resource);
        // What the ARN says: its service, its account, whether it names a role (byte
        // ranges: the cuts fall on ASCII colons).
        let bytes = resource.as_bytes();
        let (service, account, tail) = match cuts {
            Some([a, b, c, d]) => (
                bytes.get(a + 1..b).unwrap_or_default(),
                Range {
                    start: c + 1,
                    end: d,
                },
                bytes.get(d + 1..).unwrap_or_default(),
            ),
            None => (&b""[..], Range::default(), &b""[..]),
        };
        self.is_kms = service == b"kms";
        self.is_role = service == b"iam" && tail.starts_with(b"role/");
        self.arn_account = (!account.is_empty()).then_some(account);
    }
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
        &self.action.text
    }
    pub(crate) fn action_lower(&self) -> &str {
        &self.action.lower
    }
    /// [`key_hash`] of the lowercase action, for lookups by action.
    pub(crate) fn action_hash(&self) -> u64 {
        self.action.hash
    }
    /// [`key_hash`] of the lowercase service prefix of the action.
    pub(crate) fn service_hash(&self) -> u64 {
        self.action.service_hash
    }
    /// The service prefix of the action, lowercase (`s3`).
    pub(crate) fn service_lower(&self) -> &[u8] {
        self.action
            .lower
            .as_bytes()
            .get(..self.action.service_len)
            .unwrap_or_default()
    }
    /// The resource ARN.
    pub fn resource(&self) -> &str {
        &self.resource.text
    }
    /// The account in the resource ARN, if it has one.
    pub(crate) fn resource_arn_account(&self) -> Option<&str> {
        self.resource
            .arn_account
            .map(|r| r.get(&self.resource.text))
    }
    pub(crate) fn resource_is_kms(&self) -> bool {
        self.resource.is_kms
    }
    /// Whether the request assumes a role (`sts:AssumeRole`, `sts:TagSession`, ... on a
    /// role ARN), so that the role's trust policy must allow it.
    pub(crate) fn assumes_role(&self) -> bool {
        self.assumes_role
    }
    /// Whether the action is one a role's trust policy governs, whatever the resource.
    pub(crate) fn is_assume_role_action(&self) -> bool {
        self.action.assume_role
    }
    /// Whether the request names the resource's owner, the account in its ARN or else
    /// [`Request::resource_account`], and that is not the caller's account.
    pub(crate) fn names_other_owner(&self) -> bool {
        self.names_other_owner
    }

    /// Context values the caller set for typed global keys that do not read as their
    /// type (`aws:SourceIp` that is not an IP address): a condition on them cannot be
    /// judged.
    pub fn context_warnings(&self) -> Vec<ContextWarning> {
        let mut out = Vec::new();
        for (key, lower, values) in self.context.caller_keys() {
            let Some(expected) = keys::key_type(lower) else {
                continue;
            };
            for value in values.iter() {
                if !reads_as(expected, value) {
                    out.push(ContextWarning {
                        key: key.to_string(),
                        value: value.to_string(),
                        expected: expected.describe(),
                    });
                }
            }
        }
        out
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
///
/// Building many requests is cheapest when they repeat parts: `build_into` reads again
/// only the parts that differ from the request it fills. The same caller keeps its
/// parsed ARN and derived keys, the same action its lowercase form and hashes, the same
/// resource what its ARN says; an action or resource that was the request's one build
/// before (requests often alternate between two) is taken back as it was read.
#[derive(Debug, Clone, Default)]
pub struct RequestBuilder {
    principal: Option<Result<Principal, RequestError>>,
    /// The principal a previous `build_into` replaced or kept: its buffer is reused, and
    /// it is taken as it is when the next request names it again.
    spare: Option<Principal>,
    /// Whether the caller is `spare`, named again ([`RequestBuilder::principal`]).
    /// INVARIANT: then `principal` is `None` and `spare` is `Some`.
    use_spare: bool,
    action: String,
    /// The action and resource a previous `build_into` replaced, read: taken back as they
    /// are when a request names them again (requests often alternate between two).
    spare_action: ActionParts,
    spare_resource: ResourceParts,
    /// Whether `spare_action` was read from a valid request.
    spare_action_ok: bool,
    /// Whether `spare_resource` was read from a valid request.
    spare_resource_ok: bool,
    resource: String,
    resource_account: String,
    has_resource_account: bool,
    context: Context,
}

impl RequestBuilder {
    /// Sets the caller from an ARN (or `*` for anonymous, `service:NAME` for a service
    /// principal, `federated:PROVIDER`, `canonical-user:ID`); see [`Principal::parse`].
    /// A caller that cannot be read is reported by [`RequestBuilder::build`].
    ///
    /// ```
    /// use iam_eval::{PrincipalKind, Request};
    ///
    /// let request = Request::builder()
    ///     .principal("arn:aws:sts::111122223333:assumed-role/deploy/ci-run-42")
    ///     .action("s3:GetObject")
    ///     .resource("arn:aws:s3:::example-bucket/report.csv")
    ///     .build()?;
    /// assert_eq!(request.principal().kind(), PrincipalKind::AssumedRole);
    ///
    /// let err = Request::builder()
    ///     .principal("alice")
    ///     .action("s3:GetObject")
    ///     .resource("*")
    ///     .build()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("`alice`"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn principal(&mut self, arn: &str) -> &mut Self {
        // A caller building many requests often names the same principal again: the one
        // read last time is taken as it is, without moving it.
        if self.use_spare && self.spare.as_ref().is_some_and(|p| p.is_read_from(arn)) {
            return self;
        }
        if matches!(&self.principal, Some(Ok(p)) if p.is_read_from(arn)) {
            return self;
        }
        if self.principal.is_none() && self.spare.as_ref().is_some_and(|p| p.is_read_from(arn)) {
            self.use_spare = true;
            return self;
        }
        self.use_spare = false;
        let old = match self.principal.take() {
            Some(Ok(p)) => Some(p),
            _ => self.spare.take(),
        };
        let buf = old.map(Principal::into_buffer).unwrap_or_default();
        self.principal = Some(Principal::parse_with(arn, buf));
        self
    }
    /// Sets the caller, already parsed (to reuse one [`Principal`] across requests).
    ///
    /// ```
    /// use iam_eval::{Principal, Request};
    ///
    /// let service: Principal = "service:cloudtrail.amazonaws.com".parse()?;
    /// let request = Request::builder()
    ///     .principal_value(service)
    ///     .action("s3:PutObject")
    ///     .resource("arn:aws:s3:::trail-bucket/AWSLogs/x.json.gz")
    ///     .build()?;
    /// let derived = request.context().get("aws:PrincipalServiceName").and_then(|v| v.single());
    /// assert_eq!(derived, Some("cloudtrail.amazonaws.com"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn principal_value(&mut self, principal: Principal) -> &mut Self {
        self.use_spare = false;
        self.principal = Some(Ok(principal));
        self
    }
    /// Sets the action, `service:ActionName`; names compare case-insensitively, as in AWS.
    ///
    /// ```
    /// use iam_eval::Request;
    ///
    /// let request = Request::builder()
    ///     .principal("arn:aws:iam::111122223333:user/alice")
    ///     .action("s3:GetObject")
    ///     .resource("arn:aws:s3:::example-bucket/report.csv")
    ///     .build()?;
    /// assert_eq!(request.action(), "s3:GetObject");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn action(&mut self, action: &str) -> &mut Self {
        self.action.clear();
        self.action.push_str(action);
        self
    }
    /// Sets the resource: an ARN, or `*` for actions that take no resource.
    ///
    /// ```
    /// use iam_eval::Request;
    ///
    /// let request = Request::builder()
    ///     .principal("arn:aws:iam::111122223333:user/alice")
    ///     .action("kms:Decrypt")
    ///     .resource("arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    ///     .build()?;
    /// assert!(request.resource().starts_with("arn:aws:kms:"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resource(&mut self, arn: &str) -> &mut Self {
        self.resource.clear();
        self.resource.push_str(arn);
        self
    }
    /// Sets the account that owns the resource (for ARNs without one, such as S3's).
    ///
    /// ```
    /// use iam_eval::Request;
    ///
    /// let request = Request::builder()
    ///     .principal("arn:aws:iam::111122223333:user/alice")
    ///     .action("s3:GetObject")
    ///     .resource("arn:aws:s3:::their-bucket/report.csv")
    ///     .resource_account("444455556666")
    ///     .build()?;
    /// assert_eq!(request.resource_account(), Some("444455556666"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resource_account(&mut self, account: &str) -> &mut Self {
        self.resource_account.clear();
        self.resource_account.push_str(account);
        self.has_resource_account = true;
        self
    }
    /// Sets a context key: a string, boolean or number for a single-valued key, a list
    /// (slice, array or `Vec`) for a multivalued one; see [`ContextInput`]. Keys compare
    /// case-insensitively; setting a key again replaces its value.
    ///
    /// ```
    /// use iam_eval::Request;
    ///
    /// let request = Request::builder()
    ///     .principal("arn:aws:iam::111122223333:user/alice")
    ///     .action("s3:PutObject")
    ///     .resource("arn:aws:s3:::example-bucket/report.csv")
    ///     .context("s3:x-amz-server-side-encryption", "aws:kms")
    ///     .context("aws:SecureTransport", true)
    ///     .context("aws:TagKeys", vec!["team", "project"])
    ///     .build()?;
    /// let sse = request.context().get("S3:X-Amz-Server-Side-Encryption");
    /// assert_eq!(sse.and_then(|v| v.single()), Some("aws:kms"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn context(&mut self, key: &str, value: impl ContextInput) -> &mut Self {
        self.context.insert(key, value);
        self
    }
    /// Adds one value to a context key, making it multivalued.
    ///
    /// ```
    /// use iam_eval::Request;
    ///
    /// let request = Request::builder()
    ///     .principal("arn:aws:iam::111122223333:user/alice")
    ///     .action("ec2:CreateTags")
    ///     .resource("*")
    ///     .context_push("aws:TagKeys", "team")
    ///     .context_push("aws:TagKeys", "project")
    ///     .build()?;
    /// let keys = request.context().get("aws:TagKeys").expect("set");
    /// assert!(keys.is_multivalued());
    /// assert_eq!(keys.iter().collect::<Vec<_>>(), ["team", "project"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn context_push(&mut self, key: &str, value: &str) -> &mut Self {
        self.context.push(key, value);
        self
    }

    /// Builds the request and resets the builder for the next one.
    ///
    /// ```
    /// use iam_eval::{Request, RequestErrorKind};
    ///
    /// let mut builder = Request::builder();
    /// let first = builder
    ///     .principal("arn:aws:iam::111122223333:user/alice")
    ///     .action("s3:GetObject")
    ///     .resource("arn:aws:s3:::example-bucket/a.csv")
    ///     .build()?;
    /// assert_eq!(first.resource(), "arn:aws:s3:::example-bucket/a.csv");
    ///
    /// // The builder is empty again: this request has no action.
    /// let err = builder
    ///     .principal("arn:aws:iam::111122223333:user/alice")
    ///     .resource("arn:aws:s3:::example-bucket/b.csv")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), RequestErrorKind::InvalidAction);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// A [`RequestError`] when the principal is missing or not a caller ARN, or the
    /// action is not `service:ActionName`.
    pub fn build(&mut self) -> Result<Request, RequestError> {
        let mut request = Request {
            principal: Principal::anonymous(),
            action: ActionParts::default(),
            resource: ResourceParts::default(),
            assumes_role: false,
            resource_account: String::new(),
            has_resource_account: false,
            names_other_owner: false,
            context: Context::default(),
            built: false,
        };
        self.build_into(&mut request)?;
        Ok(request)
    }

    /// Builds the request into `request`, reusing its buffers (and handing the builder
    /// the request's old ones), and resets the builder for the next one. What the new
    /// request shares with the one `request` held is kept rather than read again; the
    /// result is the request [`RequestBuilder::build`] would give.
    ///
    /// ```
    /// use iam_eval::Request;
    ///
    /// let mut builder = Request::builder();
    /// let mut request = builder
    ///     .principal("arn:aws:iam::111122223333:user/alice")
    ///     .action("s3:GetObject")
    ///     .resource("arn:aws:s3:::example-bucket/0.csv")
    ///     .build()?;
    /// for i in 1..3 {
    ///     builder
    ///         .principal("arn:aws:iam::111122223333:user/alice")
    ///         .action("s3:GetObject")
    ///         .resource(&format!("arn:aws:s3:::example-bucket/{i}.csv"))
    ///         .build_into(&mut request)?;
    /// }
    /// assert_eq!(request.resource(), "arn:aws:s3:::example-bucket/2.csv");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`RequestBuilder::build`]; `request` is left unchanged.
    pub fn build_into(&mut self, request: &mut Request) -> Result<(), RequestError> {
        // A part the request already has, as given, was checked and read when it was
        // built, and so was the one a previous build replaced: only a new one is read.
        let same = |text: &str, built: bool, other: &str| {
            built && bytes_eq(text.as_bytes(), other.as_bytes())
        };
        let same_action = same(&self.action, request.built, &request.action.text);
        let spare_action =
            !same_action && same(&self.action, self.spare_action_ok, &self.spare_action.text);
        let same_resource = same(&self.resource, request.built, &request.resource.text);
        let spare_resource = !same_resource
            && same(
                &self.resource,
                self.spare_resource_ok,
                &self.spare_resource.text,
            );
        let Checked { service_len, cuts } =
            match self.check(same_action || spare_action, same_resource || spare_resource) {
                Ok(c) => c,
                Err(e) => {
                    self.reset();
                    return Err(e);
                }
            };
        if !same_action {
            std::mem::swap(&mut request.action, &mut self.spare_action);
            if !spare_action {
                request.action.read(&self.action, service_len);
            }
            self.spare_action_ok = request.built;
        }
        if !same_resource {
            std::mem::swap(&mut request.resource, &mut self.spare_resource);
            if !spare_resource {
                request.resource.read(&self.resource, cuts);
            }
            self.spare_resource_ok = request.built;
        }
        request.assumes_role = request.action.assume_role && request.resource.is_role;
        request.context.swap_keys(&mut self.context);
        std::mem::swap(&mut request.resource_account, &mut self.resource_account);
        request.has_resource_account = self.has_resource_account;
        // The derived keys live beside the caller's and stay with the request: they are
        // derived again only for another principal.
        let caller = if self.use_spare {
            self.spare.as_ref()
        } else {
            self.principal.as_ref().and_then(|p| p.as_ref().ok())
        };
        let same_principal = request.built && caller.is_some_and(|p| p.same_as(&request.principal));
        if !same_principal {
            let principal = if self.use_spare {
                self.spare.take()
            } else {
                self.principal.take().and_then(Result::ok)
            };
            if let Some(principal) = principal {
                derive_keys(&principal, &mut request.context);
                self.spare = Some(std::mem::replace(&mut request.principal, principal));
            }
        }
        let owner = match request.resource.arn_account {
            Some(r) => Some(r.bytes(&request.resource.text)),
            None => request
                .has_resource_account
                .then_some(request.resource_account.as_bytes()),
        };
        let principal = &request.principal;
        request.names_other_owner =
            owner.is_some_and(|o| !principal.is_iam() || !bytes_eq(o, principal.account_bytes()));
        request.built = true;
        self.reset();
        Ok(())
    }

    fn reset(&mut self) {
        if let Some(Ok(p)) = self.principal.take() {
            self.spare = Some(p);
        }
        self.use_spare = false;
        self.action.clear();
        self.resource.clear();
        self.resource_account.clear();
        self.has_resource_account = false;
        self.context.clear();
    }

    /// Checks the request. An action or a resource read before (`known_action`,
    /// `known_resource`) was checked then, and is not read again.
    fn check(&mut self, known_action: bool, known_resource: bool) -> Result<Checked, RequestError> {
        let service_len = if known_action {
            0
        } else {
            self.check_action()?
        };
        let cuts = if known_resource {
            None
        } else {
            self.check_resource()?
        };
        if matches!(self.principal, Some(Err(_))) {
            if let Some(Err(e)) = self.principal.take() {
                return Err(e);
            }
        }
        if self.principal.is_none() && !self.use_spare {
            return Err(RequestError::new(
                RequestErrorKind::MissingPrincipal,
                "the request has no principal".into(),
                "set the caller with `principal(\"arn:aws:iam::111122223333:user/alice\")`",
            ));
        }
        Ok(Checked { service_len, cuts })
    }

    /// Checks the action: the length of its service prefix.
    fn check_action(&self) -> Result<usize, RequestError> {
        let action = &self.action;
        let (first_colon, second_colon, wildcard) = scan_action(action.as_bytes());
        let service_len = first_colon.unwrap_or(0);
        let colons = match first_colon {
            Some(at) if at > 0 => 1 + usize::from(second_colon),
            _ => 0,
        };
        if colons != 1 || service_len + 1 == action.len() {
            return Err(RequestError::new(
                RequestErrorKind::InvalidAction,
                format!("`{action}` is not an action"),
                "an action is `service:ActionName`, such as `s3:GetObject`",
            ));
        }
        if wildcard {
            return Err(RequestError::new(
                RequestErrorKind::WildcardAction,
                format!("`{action}` has a wildcard"),
                "a request names one action; wildcards belong in policies",
            ));
        }
        Ok(service_len)
    }

    /// Checks the resource: where its ARN's components are cut.
    fn check_resource(&self) -> Result<Option<[usize; 4]>, RequestError> {
        // A resource that is not an ARN matches no `Resource` pattern but every `*`: a
        // bucket policy's Deny on `arn:aws:s3:::bucket/*` would not apply while an
        // identity policy's `"Resource": "*"` would allow. Such a request is refused.
        let resource = &self.resource;
        if resource.is_empty() {
            return Err(RequestError::new(
                RequestErrorKind::MissingResource,
                "the request has no resource".into(),
                "set the resource ARN, such as `arn:aws:s3:::example-bucket/key`, or `*`",
            ));
        }
        let cuts = arn::arn_cuts(resource);
        if resource != "*" && cuts.is_none() {
            return Err(RequestError::new(
                RequestErrorKind::InvalidResource,
                format!("`{resource}` is not an ARN"),
                "a resource is an ARN, `arn:partition:service:region:account:resource` (such as `arn:aws:s3:::example-bucket/key`), or `*`",
            ));
        }
        Ok(cuts)
    }
}

/// What checking a request found, for building it.
struct Checked {
    /// The length of the action's service prefix (0 when the action was not read again).
    service_len: usize,
    /// Where the resource's ARN components are cut ([`arn::arn_cuts`]; `None` when the
    /// resource was not read again).
    cuts: Option<[usize; 4]>,
}

/// Whether a value reads as a key's type, by the same readers conditions use.
fn reads_as(expected: keys::KeyType, value: &str) -> bool {
    match expected {
        keys::KeyType::Ip => ip::parse_addr(value).is_some(),
        keys::KeyType::Date => date::parse(value).is_ok(),
        keys::KeyType::Number => numeric::parse(value).is_ok(),
        keys::KeyType::Bool => parse_bool(value).is_some(),
        keys::KeyType::Arn => arn::split_arn(value).is_some(),
    }
}

/// A context value that does not read as its key's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextWarning {
    key: String,
    value: String,
    expected: &'static str,
}

impl ContextWarning {
    /// The key.
    pub fn key(&self) -> &str {
        &self.key
    }
    /// The value that does not read as the key's type.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl std::fmt::Display for ContextWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the context value `{}` of `{}` is not {}, so a condition on it cannot be judged",
            self.value, self.key, self.expected
        )
    }
}

fn derive_keys(p: &Principal, context: &mut Context) {
    // The principal's text is written once; the derived values are ranges of it.
    let (text, [id, account, name, role_arn]) = p.text_and_ranges();
    context.set_principal(text);
    // aws:PrincipalArn is the role ARN for a role session.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
    match p.kind() {
        PrincipalKind::User
        | PrincipalKind::Role
        | PrincipalKind::FederatedUser
        | PrincipalKind::Root
        | PrincipalKind::AssumedRole => {
            let arn = if p.kind() == PrincipalKind::AssumedRole {
                role_arn
            } else {
                id
            };
            context.derive(Derive::PrincipalArn, arn);
            context.derive(Derive::PrincipalAccount, account);
            context.derive_static(Derive::PrincipalIsAwsService, "false");
        }
        PrincipalKind::Service => {
            context.derive_static(Derive::PrincipalIsAwsService, "true");
            context.derive(Derive::PrincipalServiceName, id);
        }
        PrincipalKind::WebIdentity | PrincipalKind::CanonicalUser | PrincipalKind::Anonymous => {}
    }
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltype
    let principal_type = match p.kind() {
        PrincipalKind::User => Some("User"),
        PrincipalKind::Role | PrincipalKind::AssumedRole => Some("AssumedRole"),
        PrincipalKind::FederatedUser => Some("FederatedUser"),
        PrincipalKind::Root => Some("Account"),
        PrincipalKind::Anonymous => Some("Anonymous"),
        PrincipalKind::Service | PrincipalKind::WebIdentity | PrincipalKind::CanonicalUser => None,
    };
    if let Some(t) = principal_type {
        context.derive_static(Derive::PrincipalType, t);
    }
    if p.kind() == PrincipalKind::User {
        context.derive(Derive::Username, name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// One builder filling one request, row after row, keeps what a row repeats (the
    /// caller and its derived keys, the action, the resource) and takes back what it
    /// replaced a row before: every request must equal one built afresh, whatever came
    /// before it, failed builds included.
    #[test]
    fn build_into_equals_a_fresh_build_whatever_came_before() {
        let principals = [
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:sts::444455556666:assumed-role/app/session",
            "service:cloudtrail.amazonaws.com",
            "federated:cognito-identity.amazonaws.com",
            "*",
            "not-a-principal",
        ];
        let actions = ["s3:GetObject", "S3:PutObject", "sts:AssumeRole", "s3:Get*"];
        let resources = [
            "arn:aws:s3:::b/k",
            "arn:aws:iam::444455556666:role/app",
            "arn:aws:kms:us-east-1:444455556666:key/k",
            "*",
            "bucket/key",
        ];
        let accounts = [None, Some("111122223333")];
        // The same keys in the same places with other values, and keys that are not
        // ASCII, so that what a reused builder remembers of keys and values is tried.
        let contexts: [&[(&str, &str)]; 5] = [
            &[],
            &[("aws:SourceIp", "10.0.0.1")],
            &[("aws:username", "set-by-caller"), ("K:A", "v")],
            &[("aws:SourceIp", "2024-06-01T00:00:00Z"), ("K:A", "42")],
            &[("aws:SourceIp", "10.0.0.1"), ("Clé:É", "true")],
        ];
        let fill = |b: &mut RequestBuilder, i: usize| {
            b.principal(principals[i % principals.len()])
                .action(actions[i / 3 % actions.len()])
                .resource(resources[i / 7 % resources.len()]);
            if let Some(a) = accounts[i / 2 % accounts.len()] {
                b.resource_account(a);
            }
            for (k, v) in contexts[i / 5 % contexts.len()] {
                b.context(k, *v);
            }
        };
        let mut builder = Request::builder();
        let mut request = Request::builder()
            .principal("*")
            .action("s3:ListBucket")
            .resource("*")
            .build()
            .unwrap();
        let mut built = 0;
        // A walk that repeats rows, steps back to the row before last, and jumps.
        let mut i = 0usize;
        for step in 0..2_000usize {
            i = match step % 4 {
                0 => i,
                1 => i + 1,
                2 => i.saturating_sub(2),
                _ => i * 7 + 3,
            } % 600;
            let fresh = {
                let mut b = Request::builder();
                fill(&mut b, i);
                b.build()
            };
            let before = request.clone();
            fill(&mut builder, i);
            match (builder.build_into(&mut request), fresh) {
                (Ok(()), Ok(fresh)) => {
                    assert_eq!(request, fresh, "row {i}");
                    built += 1;
                }
                (Err(e), Err(f)) => {
                    assert_eq!(e.kind(), f.kind(), "row {i}");
                    assert_eq!(request, before, "a failed build leaves the request");
                }
                (got, fresh) => panic!("row {i}: {got:?} but a fresh build gives {fresh:?}"),
            }
        }
        assert!(built > 200, "{built} rows built");

        // What `build` set aside from its blank request is never taken for a checked
        // action or resource.
        let mut b = Request::builder();
        let mut r = b
            .principal("*")
            .action("s3:GetObject")
            .resource("*")
            .build()
            .unwrap();
        let e = b.principal("*").build_into(&mut r).unwrap_err();
        assert_eq!(e.kind(), RequestErrorKind::InvalidAction);
        let e = b
            .principal("*")
            .action("s3:GetObject")
            .build_into(&mut r)
            .unwrap_err();
        assert_eq!(e.kind(), RequestErrorKind::MissingResource);
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

    /// A resource that is not an ARN would dodge every `Resource` pattern while every
    /// `"Resource": "*"` still matches it: such a request is refused.
    #[test]
    fn a_resource_must_be_an_arn_or_a_star() {
        let build = |resource: &str| {
            Request::builder()
                .principal("arn:aws:iam::111122223333:user/alice")
                .action("s3:GetObject")
                .resource(resource)
                .build()
        };
        for (resource, kind) in [
            ("", RequestErrorKind::MissingResource),
            ("acme-reports/q1.csv", RequestErrorKind::InvalidResource),
            ("arn:aws:s3", RequestErrorKind::InvalidResource),
        ] {
            let e = build(resource).unwrap_err();
            assert_eq!(e.kind(), kind, "{resource:?}");
        }
        assert!(build("*").is_ok());
        assert!(build("arn:aws:s3:::acme-reports/q1.csv").is_ok());
        let e = build("acme-reports/q1.csv").unwrap_err();
        assert_eq!(e.message(), "`acme-reports/q1.csv` is not an ARN");
    }

    /// Root cannot assume roles, and a trust policy governs these actions only on a role.
    #[test]
    fn role_assumption_is_read_from_the_action_and_the_resource() {
        let r = |action: &str, resource: &str| {
            Request::builder()
                .principal("arn:aws:iam::111122223333:user/alice")
                .action(action)
                .resource(resource)
                .build()
                .unwrap()
        };
        assert!(r("sts:AssumeRole", "arn:aws:iam::111122223333:role/Deploy").assumes_role());
        assert!(r("STS:TagSession", "arn:aws:iam::111122223333:role/a/b").assumes_role());
        assert!(!r("sts:AssumeRole", "arn:aws:iam::111122223333:user/bob").assumes_role());
        assert!(!r("iam:GetRole", "arn:aws:iam::111122223333:role/Deploy").assumes_role());
        assert!(r("sts:AssumeRole", "*").is_assume_role_action());
    }
}
