//! The compiled policy set, its builder, and the scan of its statements for a request.

use super::combine::{bucket, Bucket};
use super::decide::{bit, Ruling, Rulings};
use super::response::{
    Decision, Problem, Response, Scan, StatementLabel, StatementRef, ACCOUNT, BOUNDARY, DIRECT,
    IDENTITY, LIMITED, SCP, SESSION,
};
use super::trace::{ContextEntryTrace, Recorder, Trace};
use crate::compile::condition::assign_memo_slots;
use crate::compile::program::{Matched, Program, Programs, Selected, Step};
use crate::compile::statement::{CompiledStatement, Known, StatementEval};
use crate::compile::{Ctx, Memo, NoTrace, Problems, RawProblem, StmtId, Tracer, Truth};
use crate::diagnostic::Diagnostic;
use crate::limits::Limits;
use crate::policy::{Effect, ParseError, Policy, PolicyKind, ValidationError};
use crate::request::{PrincipalKind, Request};
use std::fmt;
use std::sync::Arc;

/// A context key the request carries that no policy in the set reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadKey {
    key: String,
    suggestion: Option<String>,
}

impl UnreadKey {
    /// The key, as the request set it.
    pub fn key(&self) -> &str {
        &self.key
    }
    /// The closest key the policies read, if one is close enough to be the intended one.
    pub fn suggestion(&self) -> Option<&str> {
        self.suggestion.as_deref()
    }
}

impl fmt::Display for UnreadKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no policy reads the context key `{}`", self.key)?;
        if let Some(s) = &self.suggestion {
            write!(f, "; did you mean `{s}`?")?;
        }
        Ok(())
    }
}

/// Why a policy could not be added to a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BuildErrorKind {
    /// Another policy in the set has the same id.
    DuplicateId,
    /// The policy breaks a rule of the kind it was added as; see
    /// [`BuildError::validation`].
    InvalidForKind,
}

/// A policy could not be added to a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    kind: BuildErrorKind,
    position: usize,
    policy_id: String,
    policy_kind: PolicyKind,
    validation: Option<ValidationError>,
}

impl BuildError {
    /// Why the build failed.
    pub fn kind(&self) -> BuildErrorKind {
        self.kind
    }
    /// The position of the policy at fault among those added to the builder, from 0.
    pub fn position(&self) -> usize {
        self.position
    }
    /// The id of the policy at fault.
    pub fn policy_id(&self) -> &str {
        &self.policy_id
    }
    /// The kind the policy was added as.
    pub fn policy_kind(&self) -> PolicyKind {
        self.policy_kind
    }
    /// The rules of its kind the policy breaks, for [`BuildErrorKind::InvalidForKind`].
    pub fn validation(&self) -> Option<&ValidationError> {
        self.validation.as_ref()
    }
    /// The statements that break a rule of the kind, with their positions; empty for
    /// other kinds of error.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.validation
            .as_ref()
            .map_or(&[], ValidationError::diagnostics)
    }
    /// What is wrong, in one line.
    pub fn message(&self) -> String {
        match self.kind {
            BuildErrorKind::DuplicateId => "another policy in the set has this id".into(),
            BuildErrorKind::InvalidForKind => {
                format!(
                    "the policy is not valid as {}",
                    self.policy_kind.with_article()
                )
            }
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} policy `{}`: {}",
            self.policy_kind,
            self.policy_id,
            self.message()
        )?;
        for d in self.diagnostics() {
            write!(f, "\n{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.validation
            .as_ref()
            .map(|v| v as &(dyn std::error::Error + 'static))
    }
}

#[derive(Debug, Clone)]
struct CompiledPolicy {
    /// Shared with explanations, which name the policy in every trace.
    id: Arc<str>,
    kind: PolicyKind,
    account: Option<Box<str>>,
    /// Its statements' positions among the set's.
    statements: std::ops::Range<usize>,
}

/// An immutable, compiled set of policies; share it across threads and evaluate
/// requests against it.
#[derive(Debug, Clone)]
pub struct PolicySet {
    policies: Vec<CompiledPolicy>,
    /// The policies as written, in the same order, for the analysis to encode.
    sources: Vec<Arc<Policy>>,
    /// Every statement of every policy, policy after policy: a [`StmtId`] is a position.
    statements: Vec<CompiledStatement>,
    has: [bool; 6],
    /// A resource-based policy was added as a role's trust policy.
    has_trust_policy: bool,
    /// The condition keys the policies read, lowercase (sorted, each once), with each as
    /// first written.
    read_keys: Vec<(Box<str>, Box<str>)>,
    /// The resource owner given with a resource-based policy, if any.
    owner: Option<Box<str>>,
    programs: Programs,
    /// What takes part for each kind of caller, by `PrincipalKind as usize`.
    callers: [Applicable; CALLER_KINDS],
    /// The decision for every combination of premises, shared by every set.
    rulings: &'static Rulings,
}

/// The kinds of caller, in `PrincipalKind` order.
const CALLER_KINDS: usize = 9;
const CALLERS: [PrincipalKind; CALLER_KINDS] = [
    PrincipalKind::User,
    PrincipalKind::Role,
    PrincipalKind::AssumedRole,
    PrincipalKind::FederatedUser,
    PrincipalKind::Root,
    PrincipalKind::Service,
    PrincipalKind::WebIdentity,
    PrincipalKind::CanonicalUser,
    PrincipalKind::Anonymous,
];

/// Collects policies for a [`PolicySet`].
#[derive(Debug, Default)]
pub struct PolicySetBuilder {
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    kind: PolicyKind,
    id: String,
    account: Option<String>,
    trust: bool,
    policy: Policy,
}

impl PolicySetBuilder {
    /// Adds a policy of the given kind under an id (used in explanations:
    /// `id#Sid`).
    ///
    /// ```
    /// use iam_eval::{Policy, PolicyKind, PolicySet};
    ///
    /// let read = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Read",
    ///   "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#)?;
    /// let set = PolicySet::builder()
    ///     .add(PolicyKind::Identity, "reader", read)
    ///     .build()?;
    /// assert_eq!(set.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add(&mut self, kind: PolicyKind, id: impl Into<String>, policy: Policy) -> &mut Self {
        self.entries.push(Entry {
            kind,
            id: id.into(),
            account: None,
            trust: false,
            policy,
        });
        self
    }
    /// Adds a role's trust policy: a resource-based policy whose rules apply to the
    /// requests that assume the role (`sts:AssumeRole`, `sts:AssumeRoleWithSAML`,
    /// `sts:AssumeRoleWithWebIdentity`, `sts:TagSession`, `sts:SetSourceIdentity`) even
    /// when the request's resource does not say it is a role. A trust policy must allow
    /// the caller itself, in the same account too; naming the caller's account delegates
    /// to the account's identity-based policies.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
    ///
    /// ```
    /// use iam_eval::{Decision, Policy, PolicySet, Request};
    ///
    /// let trust = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    ///   "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
    ///   "Action": "sts:AssumeRole"}]}"#)?;
    /// let set = PolicySet::builder().add_trust_policy("deploy-role", trust).build()?;
    /// let request = Request::builder()
    ///     .principal("arn:aws:iam::111122223333:user/alice")
    ///     .action("sts:AssumeRole")
    ///     .resource("arn:aws:iam::111122223333:role/deploy")
    ///     .build()?;
    /// assert_eq!(set.evaluate(&request).decision(), Decision::Allow);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_trust_policy(&mut self, id: impl Into<String>, policy: Policy) -> &mut Self {
        self.entries.push(Entry {
            kind: PolicyKind::Resource,
            id: id.into(),
            account: None,
            trust: true,
            policy,
        });
        self
    }
    /// Adds a resource-based policy with the account that owns the resource (for
    /// resources whose ARN carries no account, such as S3 buckets).
    ///
    /// ```
    /// use iam_eval::{Decision, Policy, PolicyKind, PolicySet, Request};
    ///
    /// // A bucket in account 444455556666 that grants a user of another account.
    /// let bucket = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    ///   "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
    ///   "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-bucket/*"}]}"#)?;
    /// let set = PolicySet::builder()
    ///     .add_owned(PolicyKind::Resource, "bucket", bucket, "444455556666")
    ///     .build()?;
    /// let request = Request::builder()
    ///     .principal("arn:aws:iam::111122223333:user/alice")
    ///     .action("s3:GetObject")
    ///     .resource("arn:aws:s3:::shared-bucket/report.csv")
    ///     .build()?;
    /// // Cross-account: alice's own account must allow too, and nothing does.
    /// assert_eq!(set.evaluate(&request).decision(), Decision::ImplicitDeny);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_owned(
        &mut self,
        kind: PolicyKind,
        id: impl Into<String>,
        policy: Policy,
        account: &str,
    ) -> &mut Self {
        self.entries.push(Entry {
            kind,
            id: id.into(),
            account: Some(account.to_string()),
            trust: false,
            policy,
        });
        self
    }
    /// Parses and adds a policy.
    ///
    /// # Errors
    /// The [`ParseError`] of the policy text.
    ///
    /// ```
    /// use iam_eval::{PolicyKind, PolicySet};
    ///
    /// let set = PolicySet::builder()
    ///     .add_json(PolicyKind::Scp, "full-access", r#"{"Version": "2012-10-17",
    ///       "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#)?
    ///     .build()?;
    /// assert_eq!(set.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_json(
        &mut self,
        kind: PolicyKind,
        id: impl Into<String>,
        json: &str,
    ) -> Result<&mut Self, ParseError> {
        let policy = Policy::parse_with_limits(json, &Limits::default())?;
        Ok(self.add(kind, id, policy))
    }

    /// Validates every policy for its kind and compiles the set.
    ///
    /// # Errors
    /// A [`BuildError`] for the first policy that breaks a rule of its kind, or whose id
    /// repeats another's.
    ///
    /// ```
    /// use iam_eval::{BuildErrorKind, Policy, PolicyKind, PolicySet};
    ///
    /// // A policy with a `Principal` is a resource-based policy, not an identity-based one.
    /// let bucket = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    ///   "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}"#)?;
    /// let err = PolicySet::builder()
    ///     .add(PolicyKind::Identity, "bucket", bucket)
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), BuildErrorKind::InvalidForKind);
    /// assert_eq!(err.policy_id(), "bucket");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build(&mut self) -> Result<PolicySet, BuildError> {
        let mut policies: Vec<CompiledPolicy> = Vec::with_capacity(self.entries.len());
        let mut statements: Vec<CompiledStatement> = Vec::new();
        let mut has = [false; 6];
        let mut has_trust_policy = false;
        let mut read_keys: Vec<(Box<str>, Box<str>)> = Vec::new();
        let mut sources = Vec::with_capacity(self.entries.len());
        for (
            position,
            Entry {
                kind,
                id,
                account,
                trust,
                policy,
            },
        ) in self.entries.drain(..).enumerate()
        {
            let err = |error: BuildErrorKind, validation| BuildError {
                kind: error,
                position,
                policy_id: id.clone(),
                policy_kind: kind,
                validation,
            };
            if policies.iter().any(|p| *p.id == *id) {
                return Err(err(BuildErrorKind::DuplicateId, None));
            }
            if let Err(e) = policy.validate(kind) {
                return Err(err(BuildErrorKind::InvalidForKind, Some(e)));
            }
            let first = statements.len();
            let index = policies.len() as u32;
            statements.extend(
                policy
                    .statements()
                    .iter()
                    .enumerate()
                    .map(|(i, s)| CompiledStatement::compile(kind, index, i, s)),
            );
            if let Some(slot) = has.get_mut(kind as usize) {
                *slot = true;
            }
            has_trust_policy |= trust;
            read_keys.extend(
                policy
                    .condition_keys()
                    .into_iter()
                    .map(|k| (k.to_lowercase().into(), k.into())),
            );
            policies.push(CompiledPolicy {
                id: id.into(),
                kind,
                account: account.map(Into::into),
                statements: first..statements.len(),
            });
            sources.push(Arc::new(policy));
        }
        let owner = policies.iter().find_map(|p| p.account.clone());
        assign_memo_slots(statements.iter_mut().flat_map(|s| s.conditions.iter_mut()));
        let programs = Programs::build(&statements);
        // Stable: of keys equal but for case, the first written stays.
        read_keys.sort_by(|a, b| a.0.cmp(&b.0));
        read_keys.dedup_by(|a, b| a.0 == b.0);
        let mut set = PolicySet {
            policies,
            sources,
            statements,
            has,
            has_trust_policy,
            read_keys,
            owner,
            programs,
            callers: [Applicable::NONE; CALLER_KINDS],
            rulings: Rulings::get(),
        };
        set.callers = CALLERS.map(|kind| Applicable::of(&set, kind));
        Ok(set)
    }
}

/// Which policy kinds take part in a request, from the kind of caller alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Applicable {
    pub(crate) iam: bool,
    pub(crate) has_boundary: bool,
    pub(crate) has_session: bool,
    pub(crate) has_scp: bool,
    /// One bit per kind that applies, by `PolicyKind as u8`.
    kinds: u8,
    /// The premises of the decision that the kind of caller settles (`decide::bit`):
    /// `IAM`, `ROOT`, and the gates that are not in force, which let an allow through.
    base: u16,
}

impl Applicable {
    /// Nothing takes part (a placeholder until the set's table is filled).
    const NONE: Applicable = Applicable {
        iam: false,
        has_boundary: false,
        has_session: false,
        has_scp: false,
        kinds: 0,
        base: 0,
    };

    /// For the request's caller: worked out per kind of caller when the set was built.
    #[inline(always)]
    fn new(set: &PolicySet, request: &Request) -> Applicable {
        let kind = request.principal().kind();
        // INVARIANT: `CALLERS` lists every kind, in order, so the lookup always succeeds
        // (and an IAM kind always has an account: `is_iam` agrees with the kind).
        match set.callers.get(kind as usize) {
            Some(a) => *a,
            None => Applicable::of(set, kind),
        }
    }

    /// For a caller of this kind.
    pub(crate) fn of(set: &PolicySet, kind: PrincipalKind) -> Applicable {
        Applicable::with(set, kind.is_iam(), kind)
    }

    #[inline(always)]
    fn with(set: &PolicySet, iam: bool, kind: PrincipalKind) -> Applicable {
        let root = kind == PrincipalKind::Root;
        // Root cannot have a permissions boundary or a session policy.
        let has_boundary = iam && !root && set.has(PolicyKind::Boundary);
        // Session policies exist only for role and federated-user sessions.
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
        let has_session = matches!(
            kind,
            PrincipalKind::AssumedRole | PrincipalKind::FederatedUser | PrincipalKind::Role
        ) && set.has(PolicyKind::Session);
        let has_scp = iam && set.has(PolicyKind::Scp);
        let kind_bit = |kind: PolicyKind, on: bool| u8::from(on) << (kind as u8);
        let premise = |on: bool, b: u16| if on { b } else { 0 };
        Applicable {
            iam,
            has_boundary,
            has_session,
            has_scp,
            base: premise(iam, bit::IAM)
                | premise(root, bit::ROOT)
                | premise(!has_boundary, bit::BOUNDARY)
                | premise(!has_session, bit::SESSION)
                | premise(!has_scp, bit::SCP),
            // SCPs apply to the IAM principals of member accounts, not to anonymous or
            // service callers.
            // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
            kinds: kind_bit(PolicyKind::Identity, iam)
                | kind_bit(PolicyKind::Scp, iam)
                | kind_bit(PolicyKind::Boundary, has_boundary)
                | kind_bit(PolicyKind::Session, has_session)
                | kind_bit(PolicyKind::Resource, true)
                | kind_bit(PolicyKind::Rcp, true),
        }
    }

    /// Whether policies of this kind take part.
    #[inline(always)]
    pub(crate) fn kind(self, kind: PolicyKind) -> bool {
        (self.kinds >> (kind as u8)) & 1 != 0
    }
}

impl PolicySet {
    /// Starts a set.
    pub fn builder() -> PolicySetBuilder {
        PolicySetBuilder::default()
    }

    /// The number of policies.
    pub fn len(&self) -> usize {
        self.policies.len()
    }
    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    fn has(&self, kind: PolicyKind) -> bool {
        self.has.get(kind as usize).copied().unwrap_or(false)
    }

    /// The policies as written, in set order, each with its kind, id and owner account:
    /// what the analysis encodes.
    pub(crate) fn sources(
        &self,
    ) -> impl Iterator<Item = (PolicyKind, &str, Option<&str>, &Policy)> {
        self.policies
            .iter()
            .zip(&self.sources)
            .map(|(p, s)| (p.kind, &*p.id, p.account.as_deref(), &**s))
    }

    /// Whether a resource-based policy was added as a role's trust policy.
    pub(crate) fn has_trust_policy(&self) -> bool {
        self.has_trust_policy
    }

    /// The owner account given with the first resource-based policy that has one.
    pub(crate) fn default_owner(&self) -> Option<&str> {
        self.owner.as_deref()
    }

    fn statement(&self, id: StmtId) -> Option<(&CompiledPolicy, &CompiledStatement)> {
        let s = self.statements.get(id.index())?;
        Some((self.policies.get(s.policy as usize)?, s))
    }

    pub(crate) fn statement_ref(&self, id: StmtId) -> Option<StatementRef<'_>> {
        let (policy, s) = self.statement(id)?;
        Some(StatementRef {
            policy_id: &policy.id,
            policy_index: s.policy as usize,
            kind: policy.kind,
            index: s.index,
            sid: s.sid.as_deref(),
            effect: s.effect,
        })
    }

    /// The label of a statement, sharing the policy id and the `Sid` with the set.
    pub(crate) fn label(&self, id: StmtId) -> Option<StatementLabel> {
        let (policy, s) = self.statement(id)?;
        Some(StatementLabel::new(
            Arc::clone(&policy.id),
            s.sid.clone(),
            s.index,
        ))
    }

    pub(crate) fn problem<'a>(&'a self, p: RawProblem<'a>) -> Option<Problem<'a>> {
        Some(Problem {
            statement: self.statement_ref(p.statement)?,
            kind: p.kind,
            key: p.key,
            value: p.value,
        })
    }

    /// The condition keys the set's policies read (their conditions and policy
    /// variables), each once, as first written.
    ///
    /// ```
    /// use iam_eval::{PolicyKind, PolicySet};
    ///
    /// let set = PolicySet::builder()
    ///     .add_json(PolicyKind::Identity, "p", r#"{"Version": "2012-10-17", "Statement": [{
    ///       "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*",
    ///       "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}"#)?
    ///     .build()?;
    /// let mut keys: Vec<&str> = set.condition_keys().collect();
    /// keys.sort();
    /// assert_eq!(keys, ["aws:SecureTransport", "aws:username"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn condition_keys(&self) -> impl Iterator<Item = &str> {
        self.read_keys.iter().map(|(_, written)| &**written)
    }

    /// The context keys the caller set on the request that no policy in the set reads
    /// (derived keys such as `aws:PrincipalArn` are not counted), each with the closest
    /// key the policies do read: a key nobody reads is often a typo, and then the
    /// condition meant for it sees the key as missing.
    ///
    /// ```
    /// use iam_eval::{PolicyKind, PolicySet, Request};
    ///
    /// let set = PolicySet::builder()
    ///     .add_json(PolicyKind::Resource, "bucket", r#"{"Version": "2012-10-17", "Statement": [{
    ///       "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*",
    ///       "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}"#)?
    ///     .build()?;
    /// let request = Request::builder()
    ///     .principal("arn:aws:iam::111122223333:user/alice")
    ///     .action("s3:PutObject")
    ///     .resource("arn:aws:s3:::b/report.csv")
    ///     .context("s3:x-amz-server-side-encription", "aws:kms") // misspelt
    ///     .build()?;
    /// let unread = set.unread_context_keys(&request);
    /// assert_eq!(
    ///     unread[0].to_string(),
    ///     "no policy reads the context key `s3:x-amz-server-side-encription`; \
    ///      did you mean `s3:x-amz-server-side-encryption`?"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unread_context_keys(&self, request: &Request) -> Vec<UnreadKey> {
        request
            .context()
            .caller_keys()
            .filter(|(_, lower, _)| {
                self.read_keys
                    .binary_search_by(|(k, _)| (**k).cmp(*lower))
                    .is_err()
            })
            .map(|(key, _, _)| UnreadKey {
                key: key.to_string(),
                suggestion: crate::suggest::best(key, self.condition_keys()).map(str::to_string),
            })
            .collect()
    }

    /// The account taken to own the resource: the one given with a resource-based
    /// policy, else the ARN's, else the request's, else the caller's.
    ///
    /// A resource-based policy's account counts when one of its statements covers the
    /// request's action and resource (a file may hold a bucket policy and a key policy,
    /// each with its owner); failing that, for a resource whose ARN and request name no
    /// account, the account given with any resource-based policy.
    ///
    /// Which policy covers the request is decided by its statements' `Action` and
    /// `Resource` alone, apart from the programs and from whom they name, so that
    /// `evaluate` and `explain` always agree on it. Only policies added with an owner
    /// account are looked at, so sets without any (the usual library use) pay nothing.
    fn resource_account<'a>(&'a self, request: &'a Request) -> Option<&'a str> {
        self.covering_owner(request)
            .or_else(|| request.resource_arn_account())
            .or_else(|| request.resource_account())
            .or(self.owner.as_deref())
            .or_else(|| request.principal().account())
    }

    fn covering_owner<'a>(&'a self, request: &'a Request) -> Option<&'a str> {
        self.owner.as_ref()?;
        // Variables in a Resource are resolved here too; their problems were (or will
        // be) reported by the statement's own evaluation, so they are dropped here.
        let mut problems = Problems::default();
        let mut ctx = Ctx {
            request,
            problems: &mut problems,
            tracer: &mut NoTrace,
            memo: Memo::default(),
        };
        self.policies
            .iter()
            .filter(|p| p.kind == PolicyKind::Resource && p.account.is_some())
            .find(|p| {
                let statements = self.statements.get(p.statements.clone());
                statements.unwrap_or_default().iter().any(|s| {
                    s.actions.matches(request.action_lower()) && s.resources.matches(&mut ctx)
                })
            })
            .and_then(|p| p.account.as_deref())
    }

    /// Whether the resource is in another account than the caller's.
    #[inline]
    fn cross_account(&self, request: &Request) -> bool {
        if self.owner.is_none() {
            // The owner is the one the request names, else the caller's account.
            return request.names_other_owner();
        }
        self.resource_account(request)
            .is_some_and(|o| Some(o) != request.principal().account())
    }

    /// Decides a request. Never fails and, for requests whose policies use no variables,
    /// never allocates.
    ///
    /// One hash of the action selects the statements that can cover it (worked out when
    /// the set was built); of those, the ones whose resource can match are found through
    /// a trie of resource prefixes. `Deny` statements are evaluated first; once one
    /// applies the decision is an explicit deny, and `Allow` statements are not
    /// evaluated. So the response's problems are those met in the statements evaluated:
    /// for an explicit deny, only those of `Deny` statements (every `Deny` that covers
    /// the request is still evaluated, so that all that apply are cited).
    /// [`PolicySet::explain`] evaluates every statement and its trace lists every
    /// problem; the response it returns is this one.
    ///
    /// The response borrows the set and the request (it names the statements that
    /// decided and the request values it could not judge without copying them), so keep
    /// the request in a variable for as long as you use the response.
    ///
    /// ```
    /// use iam_eval::{Decision, PolicyKind, PolicySet, Reason, Request};
    ///
    /// let set = PolicySet::builder()
    ///     .add_json(PolicyKind::Identity, "reader", r#"{"Version": "2012-10-17", "Statement": [{
    ///       "Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#)?
    ///     .build()?;
    /// let request = Request::builder()
    ///     .principal("arn:aws:iam::111122223333:user/alice")
    ///     .action("s3:GetObject")
    ///     .resource("arn:aws:s3:::example-bucket/report.csv")
    ///     .build()?;
    /// let response = set.evaluate(&request);
    /// assert_eq!(response.decision(), Decision::Allow);
    /// assert_eq!(response.reason(), Reason::IdentityAllow);
    /// let deciding: Vec<String> = response.determining().map(|s| s.to_string()).collect();
    /// assert_eq!(deciding, ["reader#Read"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate<'a>(&'a self, request: &'a Request) -> Response<'a> {
        let applicable = Applicable::new(self, request);
        let mut scan = Scan::default();
        let mut problems = Problems::default();
        let scan = &mut scan;
        let mut ctx = Ctx {
            request,
            problems: &mut problems,
            tracer: &mut NoTrace,
            memo: Memo::default(),
        };
        if let Some(program) = self.programs.select(request) {
            let account = request.principal().account_id();
            if let Some((selected, denies)) =
                program.select(request.resource(), applicable.kinds, account)
            {
                let steps = program.steps();
                let denying = selected.considered & denies;
                self.run_bits(steps, selected, denying, applicable, scan, &mut ctx);
                // Once a Deny applies the decision is fixed.
                if !scan.denied() {
                    let allowing = selected.considered & !denies;
                    self.run_bits(steps, selected, allowing, applicable, scan, &mut ctx);
                }
            } else {
                let matched = program.matched(request.resource());
                self.run(program, &matched, true, applicable, scan, &mut ctx);
                if !scan.denied() {
                    self.run(program, &matched, false, applicable, scan, &mut ctx);
                }
            }
        }
        Response {
            set: self,
            ruling: self.rule(request, scan, applicable),
            scan: *scan,
            problems: problems.list,
        }
    }

    /// Evaluates the steps of a small program in `which` (a bit set over `steps`).
    #[inline(always)]
    fn run_bits<'a>(
        &'a self,
        steps: &'a [Step],
        selected: Selected,
        mut which: u64,
        applicable: Applicable,
        scan: &mut Scan,
        ctx: &mut Ctx<'a, '_, NoTrace>,
    ) {
        while which != 0 {
            let i = which.trailing_zeros();
            which &= which - 1;
            let Some(&step) = steps.get(i as usize) else {
                continue;
            };
            let Some(s) = self.statements.get(step.id.index()) else {
                continue;
            };
            if !self.programs.covers(step, ctx.request.action_lower()) {
                continue;
            }
            let known = Known {
                action: true,
                resource: selected.proven & (1 << i) != 0,
            };
            self.visit(step.id, s, known, applicable, scan, ctx);
        }
    }

    /// Evaluates the `Deny` (or `Allow`) statements of a large program: those without a
    /// resource prefix, then those of the prefixes the resource starts with.
    #[inline(always)]
    fn run<'a>(
        &'a self,
        program: &'a Program,
        matched: &Matched,
        deny: bool,
        applicable: Applicable,
        scan: &mut Scan,
        ctx: &mut Ctx<'a, '_, NoTrace>,
    ) {
        for &step in program.fixed(deny) {
            self.step(step, step.always(), applicable, scan, ctx);
        }
        let resource: &'a str = ctx.request.resource();
        let len = resource.len();
        let mut group = |g: u32| {
            let (steps, prefix) = program.group(g, deny);
            let at_end = prefix == len;
            for &step in steps {
                self.step(step, step.proven(at_end), applicable, scan, ctx);
            }
        };
        if matched.overflow {
            program.for_each_matched(resource, group);
            return;
        }
        for &g in matched.groups() {
            group(g);
        }
    }

    /// Evaluates one statement of a program.
    #[inline(always)]
    fn step<'a>(
        &'a self,
        step: Step,
        resource: bool,
        applicable: Applicable,
        scan: &mut Scan,
        ctx: &mut Ctx<'a, '_, NoTrace>,
    ) {
        let Some(s) = self.statements.get(step.id.index()) else {
            return;
        };
        if !applicable.kind(s.kind) || !self.programs.covers(step, ctx.request.action_lower()) {
            return;
        }
        let known = Known {
            action: true,
            resource,
        };
        self.visit(step.id, s, known, applicable, scan, ctx);
    }

    /// Decides a request and explains the decision: every policy, statement and
    /// condition. Runs the same statement evaluation and decision code as
    /// [`PolicySet::evaluate`], but visits every statement in set order instead of the
    /// action's program, so that every statement appears in the trace. The response is
    /// the one `evaluate` gives: its problems are those `evaluate` meets (see there);
    /// the trace lists all of them.
    ///
    /// The [`Trace`] is owned: it outlives the set and the request. Its `Display` is
    /// what `iam-eval eval --explain` prints; it serializes to the JSON documented in
    /// `docs/explain-json.md`.
    ///
    /// ```
    /// use iam_eval::{Decision, PolicyKind, PolicySet, Request};
    ///
    /// let set = PolicySet::builder()
    ///     .add_json(PolicyKind::Identity, "uploader", r#"{"Version": "2012-10-17", "Statement": [{
    ///       "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}"#)?
    ///     .add_json(PolicyKind::Resource, "bucket", r#"{"Version": "2012-10-17", "Statement": [{
    ///       "Sid": "RequireKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
    ///       "Resource": "arn:aws:s3:::b/*",
    ///       "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}"#)?
    ///     .build()?;
    /// let request = Request::builder()
    ///     .principal("arn:aws:iam::111122223333:user/alice")
    ///     .action("s3:PutObject")
    ///     .resource("arn:aws:s3:::b/report.csv")
    ///     .context("s3:x-amz-server-side-encryption", "AES256")
    ///     .build()?;
    /// let (response, trace) = set.explain(&request);
    /// assert_eq!(response.decision(), Decision::ExplicitDeny);
    /// let condition = &trace.policies[1].statements[0].conditions[0];
    /// assert!(condition.matched);
    /// assert!(trace.to_string().contains(
    ///     r#"StringNotEquals s3:x-amz-server-side-encryption: request ["AES256"], policy ["aws:kms"]: holds"#
    /// ));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain<'a>(&'a self, request: &'a Request) -> (Response<'a>, Trace) {
        let applicable = Applicable::new(self, request);
        let mut scan = Scan::default();
        // The problems `evaluate` reports: those of Deny statements, and those of Allow
        // statements (RCPs' aside) unless a Deny applies.
        let mut deny_problems = Problems::default();
        let mut allow_problems = Problems::default();
        let mut unreported = Problems::default();
        let mut recorder = Recorder::new(self);
        for policy in &self.policies {
            let applies = applicable.kind(policy.kind);
            recorder.start_policy(if applies { policy.statements.len() } else { 0 });
            if applies {
                for i in policy.statements.clone() {
                    let Some(s) = self.statements.get(i) else {
                        continue;
                    };
                    let id = StmtId(i as u32);
                    let problems = match (s.effect, policy.kind) {
                        (Effect::Deny, _) => &mut deny_problems,
                        (Effect::Allow, PolicyKind::Rcp) => &mut unreported,
                        (Effect::Allow, _) => &mut allow_problems,
                    };
                    let mut ctx = Ctx {
                        request,
                        problems,
                        tracer: &mut recorder,
                        memo: Memo::default(),
                    };
                    let eval = self.visit(id, s, Known::default(), applicable, &mut scan, &mut ctx);
                    recorder.statement(id, s, &eval);
                }
            }
            let note = (!applies).then(|| not_applicable(policy.kind, request.principal().kind()));
            recorder.policy(Arc::clone(&policy.id), policy.kind, note);
        }
        let mut problems = deny_problems;
        if !scan.denied() {
            problems.merge(&allow_problems);
        }
        let response = Response {
            set: self,
            ruling: self.rule(request, &scan, applicable),
            scan,
            problems: problems.list,
        };
        let owner = self.resource_account(request);
        let trace = Trace {
            decision: response.decision(),
            reason: response.reason(),
            // The response keeps at most MAX_DETERMINING; the trace names every Deny.
            determining: if response.decision() == Decision::ExplicitDeny {
                recorder
                    .policies
                    .iter()
                    .flat_map(|p| p.statements.iter())
                    .filter(|s| s.applies && s.effect == Effect::Deny)
                    .map(|s| s.label.clone())
                    .collect()
            } else {
                // Labels that share the set's policy ids and Sids.
                response
                    .cited()
                    .into_iter()
                    .filter_map(|id| self.label(id))
                    .collect()
            },
            problems: recorder
                .problems
                .iter()
                .filter_map(|p| self.problem(*p))
                .map(|p| p.to_string())
                .collect(),
            principal: match request.principal().kind() {
                // An IAM principal is shown as its ARN (see its `Display`).
                PrincipalKind::User
                | PrincipalKind::Role
                | PrincipalKind::AssumedRole
                | PrincipalKind::FederatedUser
                | PrincipalKind::Root => request.principal().id().to_string(),
                _ => request.principal().to_string(),
            },
            action: request.action().to_string(),
            resource: request.resource().to_string(),
            resource_account: owner.map(str::to_string),
            same_account: owner.is_some() && owner == request.principal().account(),
            context: ContextEntryTrace::of(request.context()),
            policies: std::mem::take(&mut recorder.policies),
        };
        (response, trace)
    }

    /// Evaluates one statement and files what it found under its policy's kind.
    #[inline(always)]
    fn visit<'a, T: Tracer<'a>>(
        &'a self,
        id: StmtId,
        s: &'a CompiledStatement,
        known: Known,
        applicable: Applicable,
        scan: &mut Scan,
        ctx: &mut Ctx<'a, '_, T>,
    ) -> StatementEval {
        ctx.problems.current = id;
        let eval = s.eval(known, applicable.has_boundary, ctx);
        match (eval.truth, s.effect) {
            (Truth::False, _) | (Truth::Unknown, Effect::Allow) => {}
            (Truth::Unknown, Effect::Deny) => scan.unjudged_deny(),
            (Truth::True, Effect::Deny) => scan.deny(id),
            (Truth::True, Effect::Allow) => {
                // Where it counts: the rule the analysis shares.
                let slot = match bucket(s.kind, s.effect, eval.grant) {
                    None | Some(Bucket::Deny) => return eval,
                    Some(Bucket::Identity) => IDENTITY,
                    Some(Bucket::Boundary) => BOUNDARY,
                    Some(Bucket::Session) => SESSION,
                    Some(Bucket::Scp) => SCP,
                    Some(Bucket::Direct) => DIRECT,
                    Some(Bucket::Limited) => LIMITED,
                    Some(Bucket::Account) => ACCOUNT,
                };
                scan.allow(slot, id);
            }
        }
        eval
    }

    /// Decides from what the scan found: the premises as bits, looked up in the table
    /// the shared rules filled ([`Rulings`]). The statements to cite are worked out from
    /// the scan when the response is asked for them.
    #[inline(always)]
    fn rule(&self, request: &Request, scan: &Scan, applicable: Applicable) -> Ruling {
        let mut bits = applicable.base | scan.found;
        if request.resource_is_kms() {
            bits |= bit::KMS;
        }
        if request.assumes_role() || (self.has_trust_policy && request.is_assume_role_action()) {
            bits |= bit::ASSUME_ROLE;
        }
        // Only IAM callers have an account to compare, and a Deny decides without it:
        // the owner lookup is skipped for those.
        if applicable.iam && !scan.denied() && self.cross_account(request) {
            bits |= bit::CROSS_ACCOUNT;
        }
        self.rulings.rule(bits)
    }
}

fn not_applicable(kind: PolicyKind, caller: PrincipalKind) -> String {
    match kind {
        PolicyKind::Boundary | PolicyKind::Session if caller == PrincipalKind::Root => {
            format!(
                "{} cannot apply to the account root user",
                kind.with_article()
            )
        }
        PolicyKind::Session => format!(
            "{} applies only to role and federated-user sessions",
            kind.with_article()
        ),
        _ => format!(
            "{} applies only to IAM principals, not to this caller",
            kind.with_article()
        ),
    }
}
