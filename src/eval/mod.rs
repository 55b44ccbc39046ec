//! Policy sets and the multi-policy decision.
//!
//! The decision follows the AWS IAM User Guide, "Policy evaluation logic"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>),
//! "Cross-account policy evaluation logic"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>)
//! and the KMS "Key policies" page
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html>):
//!
//! 1. An explicit `Deny` in any policy that applies wins.
//! 2. When SCPs are in force for an IAM caller, one of them must allow the action.
//!    RCPs restrict only through `Deny` (AWS always attaches `RCPFullAWSAccess`).
//! 3. The identity side allows when an identity-based policy allows and, where present,
//!    the permissions boundary and the session policy allow too. The account root user's
//!    identity side allows everything in its own account.
//! 4. A resource-based policy grants according to whom it names (see [`Grant`]): a user
//!    or session ARN directly; a role ARN, `"*"` or a `NotPrincipal` Allow subject to the
//!    boundary and session policy; an account only through the account's IAM policies.
//! 5. Same account: either side suffices. Cross-account: both sides must allow. A KMS
//!    key: the key policy must allow, directly or by enabling IAM policies for the
//!    caller's account. Anonymous and service callers: only a resource-based policy.
//! 6. A `Deny` that could not be judged (a context value of the wrong type) prevents an
//!    `Allow`: the request is implicitly denied, and the problem is reported.
//!
//! Choices where the documentation is silent, each failing closed:
//! - `"*"` in a resource policy is limited by boundaries and session policies, like a
//!   role ARN (the docs exempt only grants naming the user or session ARN).
//! - A grant to the IAM user who created a federated user session does not reach the
//!   session: the session ARN does not say which user created it.
//! - Several SCPs listed together are one level of the organization: one Allow suffices.

mod compile;
mod index;
pub(crate) use index::{account_bit, action_bit};
pub(crate) mod observe;
pub(crate) mod response;
pub(crate) mod trace;

use crate::limits::Limits;
use crate::policy::{Diagnostic, Effect, ParseError, Policy, PolicyKind};
use crate::request::{PrincipalKind, Request};
use compile::{CompiledStatement, Grant};
use observe::{Collector, Off, On, Record};
use response::{Decision, Inline, Reason, Response, StatementRef, StmtId};
use std::fmt;
use std::sync::Arc;
use trace::{ElementMatch, PolicyTrace, StatementTrace, Trace};

/// A policy could not be added to a set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct BuildError {
    policy_id: String,
    kind: PolicyKind,
    message: String,
    diagnostics: Vec<Diagnostic>,
}

impl BuildError {
    /// The id of the policy at fault.
    pub fn policy_id(&self) -> &str {
        &self.policy_id
    }
    /// The kind it was added as.
    pub fn kind(&self) -> PolicyKind {
        self.kind
    }
    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The statements that break a rule of the kind, with their positions.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} policy `{}`: {}",
            self.kind, self.policy_id, self.message
        )?;
        for d in &self.diagnostics {
            write!(f, "\n{d}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
struct CompiledPolicy {
    /// Shared with explanations, which name the policy in every trace.
    id: Arc<str>,
    kind: PolicyKind,
    account: Option<Box<str>>,
    statements: Vec<CompiledStatement>,
}

/// An immutable, compiled set of policies; share it across threads and evaluate
/// requests against it.
#[derive(Debug, Clone)]
pub struct PolicySet {
    policies: Vec<CompiledPolicy>,
    has: [bool; 6],
    /// The resource owner given with a resource-based policy, if any.
    owner: Option<Box<str>>,
    index: index::Index,
}

/// Collects policies for a [`PolicySet`].
#[derive(Debug, Default)]
pub struct PolicySetBuilder {
    entries: Vec<(PolicyKind, String, Option<String>, Policy)>,
}

impl PolicySetBuilder {
    /// Adds a policy of the given kind under an id (used in explanations:
    /// `id#Sid`).
    pub fn add(&mut self, kind: PolicyKind, id: impl Into<String>, policy: Policy) -> &mut Self {
        self.entries.push((kind, id.into(), None, policy));
        self
    }
    /// Adds a resource-based policy with the account that owns the resource (for
    /// resources whose ARN carries no account, such as S3 buckets).
    pub fn add_owned(
        &mut self,
        kind: PolicyKind,
        id: impl Into<String>,
        policy: Policy,
        account: &str,
    ) -> &mut Self {
        self.entries
            .push((kind, id.into(), Some(account.to_string()), policy));
        self
    }
    /// Parses and adds a policy.
    ///
    /// # Errors
    /// The [`ParseError`] of the policy text.
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
    pub fn build(&mut self) -> Result<PolicySet, BuildError> {
        let mut policies = Vec::with_capacity(self.entries.len());
        let mut has = [false; 6];
        for (kind, id, account, policy) in self.entries.drain(..) {
            let err = |message: String, diagnostics: Vec<Diagnostic>| BuildError {
                policy_id: id.clone(),
                kind,
                message,
                diagnostics,
            };
            if policies.iter().any(|p: &CompiledPolicy| *p.id == *id) {
                return Err(err(
                    "another policy in the set has this id".into(),
                    Vec::new(),
                ));
            }
            if let Err(e) = policy.validate(kind) {
                return Err(err(
                    format!("the policy is not valid as a {kind} policy"),
                    e.diagnostics().to_vec(),
                ));
            }
            let variables = policy.variables_enabled();
            let statements = policy
                .statements()
                .iter()
                .enumerate()
                .map(|(i, s)| CompiledStatement::compile(i, s, variables))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|m| err(m, Vec::new()))?;
            if let Some(slot) = has.get_mut(kind as usize) {
                *slot = true;
            }
            policies.push(CompiledPolicy {
                id: id.into(),
                kind,
                account: account.map(Into::into),
                statements,
            });
        }
        let owner = policies.iter().find_map(|p| p.account.clone());
        let index = index::Index::build(policies.iter().enumerate().flat_map(|(pi, p)| {
            p.statements.iter().enumerate().map(move |(si, s)| {
                (
                    StmtId {
                        policy: pi as u32,
                        statement: si as u32,
                    },
                    s,
                )
            })
        }));
        Ok(PolicySet {
            policies,
            has,
            owner,
            index,
        })
    }
}

/// What the scan of the statements found.
#[derive(Default)]
struct Scan {
    denies: Inline<StmtId, { response::MAX_DETERMINING }>,
    unjudged_deny: bool,
    identity: Option<StmtId>,
    boundary: Option<StmtId>,
    session: Option<StmtId>,
    scp: Option<StmtId>,
    direct: Option<StmtId>,
    limited: Option<StmtId>,
    account: Option<StmtId>,
}

type Why = Inline<StmtId, { response::MAX_DETERMINING }>;

/// Which policy kinds take part in a request, from the caller alone.
#[derive(Clone, Copy)]
struct Applicable {
    iam: bool,
    root: bool,
    has_boundary: bool,
    has_session: bool,
}

impl Applicable {
    #[inline]
    fn kind(self, kind: PolicyKind) -> bool {
        match kind {
            // SCPs apply to the IAM principals of member accounts, not to anonymous or
            // service callers.
            // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
            PolicyKind::Identity | PolicyKind::Scp => self.iam,
            PolicyKind::Boundary => self.has_boundary,
            PolicyKind::Session => self.has_session,
            PolicyKind::Resource | PolicyKind::Rcp => true,
        }
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

    fn statement(&self, id: StmtId) -> Option<(&CompiledPolicy, &CompiledStatement)> {
        let policy = self.policies.get(id.policy as usize)?;
        Some((policy, policy.statements.get(id.statement as usize)?))
    }

    pub(crate) fn statement_ref(&self, id: StmtId) -> Option<StatementRef<'_>> {
        let (policy, s) = self.statement(id)?;
        Some(StatementRef {
            policy_id: &policy.id,
            policy_index: id.policy as usize,
            kind: policy.kind,
            index: s.index,
            sid: s.sid.as_deref(),
            effect: s.effect,
        })
    }

    pub(crate) fn problem<'a>(
        &'a self,
        p: response::RawProblem<'a>,
    ) -> Option<response::Problem<'a>> {
        Some(response::Problem {
            statement: self.statement_ref(p.statement)?,
            kind: p.kind,
            key: p.key,
            value: p.value,
        })
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
    /// `Resource` alone, apart from the statement index and from whom they name, so that
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
        // be) reported by the statement's own evaluation, so this observer drops them.
        let mut quiet = Collector::<Off>::new();
        self.policies
            .iter()
            .filter(|p| p.kind == PolicyKind::Resource && p.account.is_some())
            .find(|p| {
                p.statements.iter().any(|s| {
                    s.actions.matches(request.action_lower())
                        && s.resources.matches(request, &mut quiet)
                })
            })
            .and_then(|p| p.account.as_deref())
    }

    /// Decides a request. Never fails and, for requests whose policies use no variables,
    /// never allocates.
    pub fn evaluate<'a>(&'a self, request: &'a Request) -> Response<'a> {
        let mut collector = Collector::<Off>::new();
        self.run(request, &mut collector, None)
    }

    /// Decides a request and explains the decision: every policy, statement and
    /// condition. Runs the same statement evaluation and decision code as
    /// [`PolicySet::evaluate`]; only the action index is bypassed, so that every
    /// statement appears in the trace.
    pub fn explain<'a>(&'a self, request: &'a Request) -> (Response<'a>, Trace) {
        let mut collector = Collector::<On>::new();
        let mut policies = Vec::new();
        let response = self.run(request, &mut collector, Some(&mut policies));
        let owner = self.resource_account(request);
        let trace = Trace {
            decision: response.decision(),
            reason: Trace::reason_text(response.reason()),
            // The response keeps at most MAX_DETERMINING; the trace names every Deny.
            determining: if response.decision() == Decision::ExplicitDeny {
                policies
                    .iter()
                    .flat_map(|p| p.statements.iter())
                    .filter(|s| s.applies && s.effect == Effect::Deny)
                    .map(|s| s.label.clone())
                    .collect()
            } else {
                response.determining().map(|s| s.to_string()).collect()
            },
            problems: collector
                .record
                .problems
                .iter()
                .filter_map(|p| self.problem(*p))
                .map(|p| p.to_string())
                .collect(),
            principal: request.principal().to_string(),
            action: request.action().to_string(),
            resource: request.resource().to_string(),
            resource_account: owner.map(str::to_string),
            same_account: owner.is_some() && owner == request.principal().account(),
            policies,
        };
        (response, trace)
    }

    fn run<'a, R: Record<'a>>(
        &'a self,
        request: &'a Request,
        obs: &mut Collector<'a, R>,
        trace: Option<&mut Vec<PolicyTrace>>,
    ) -> Response<'a> {
        let p = request.principal();
        let iam = p.is_iam();
        let root = p.kind() == PrincipalKind::Root;
        // Root cannot have a permissions boundary or a session policy.
        let applicable = Applicable {
            iam,
            root,
            has_boundary: iam && !root && self.has(PolicyKind::Boundary),
            // Session policies exist only for role and federated-user sessions.
            // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
            has_session: matches!(
                p.kind(),
                PrincipalKind::AssumedRole | PrincipalKind::FederatedUser | PrincipalKind::Role
            ) && self.has(PolicyKind::Session),
        };
        let mut scan = Scan::default();
        match trace {
            None => {
                let visit = |c: index::Candidate, scan: &mut Scan, obs: &mut Collector<'a, R>| {
                    if let Some((policy, s)) = self.statement(c.id) {
                        if applicable.kind(policy.kind) {
                            let known = Known {
                                action: c.action_matched,
                                resource: c.resource_matched,
                            };
                            self.visit(
                                c.id,
                                policy.kind,
                                s,
                                known,
                                request,
                                applicable,
                                scan,
                                obs,
                                None,
                            );
                        }
                    }
                };
                for c in self
                    .index
                    .by_action(request.action_lower(), request.service_lower())
                {
                    visit(*c, &mut scan, obs);
                }
                self.index.by_resource(
                    request.resource(),
                    request.action_bit(),
                    request.account_bit(),
                    |c| visit(c, &mut scan, obs),
                );
            }
            Some(trace) => {
                for (pi, policy) in self.policies.iter().enumerate() {
                    let applies = applicable.kind(policy.kind);
                    let mut statements = Vec::new();
                    if applies {
                        for (si, s) in policy.statements.iter().enumerate() {
                            let id = StmtId {
                                policy: pi as u32,
                                statement: si as u32,
                            };
                            self.visit(
                                id,
                                policy.kind,
                                s,
                                Known::NOTHING,
                                request,
                                applicable,
                                &mut scan,
                                obs,
                                Some(&mut statements),
                            );
                        }
                    }
                    trace.push(PolicyTrace {
                        id: Arc::clone(&policy.id),
                        kind: policy.kind,
                        applies,
                        note: (!applies).then(|| not_applicable(policy.kind, p.kind())),
                        statements,
                    });
                }
            }
        }
        let (decision, reason, determining) = self.decide(request, &scan, applicable);
        Response {
            set: self,
            decision,
            reason,
            determining,
            problems: obs.problems,
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the hot loop's state, passed rather than bundled"
    )]
    #[inline]
    fn visit<'a, R: Record<'a>>(
        &'a self,
        id: StmtId,
        kind: PolicyKind,
        s: &'a CompiledStatement,
        known: Known,
        request: &'a Request,
        applicable: Applicable,
        scan: &mut Scan,
        obs: &mut Collector<'a, R>,
        trace: Option<&mut Vec<StatementTrace>>,
    ) {
        obs.current = id;
        let outcome = eval_statement(
            self,
            id,
            s,
            known,
            request,
            applicable.has_boundary,
            obs,
            trace,
        );
        let Some(grant) = outcome.applies else {
            if s.effect == Effect::Deny && outcome.unjudged {
                scan.unjudged_deny = true;
            }
            return;
        };
        if s.effect == Effect::Deny {
            scan.denies.insert_sorted(id, |x| *x);
            return;
        }
        let slot = match kind {
            PolicyKind::Identity => &mut scan.identity,
            PolicyKind::Boundary => &mut scan.boundary,
            PolicyKind::Session => &mut scan.session,
            PolicyKind::Scp => &mut scan.scp,
            PolicyKind::Rcp => return,
            PolicyKind::Resource => match grant {
                Grant::Direct => &mut scan.direct,
                Grant::Limited => &mut scan.limited,
                Grant::Account => &mut scan.account,
            },
        };
        // The smallest id, whatever order candidates arrive in.
        *slot = Some(slot.map_or(id, |old| old.min(id)));
    }

    fn decide(
        &self,
        request: &Request,
        scan: &Scan,
        applicable: Applicable,
    ) -> (Decision, Reason, Why) {
        let mut why = Why::default();
        if !scan.denies.is_empty() {
            return (Decision::ExplicitDeny, Reason::ExplicitDeny, scan.denies);
        }
        let p = request.principal();
        let Applicable {
            iam,
            root,
            has_boundary,
            has_session,
        } = applicable;
        if iam && self.has(PolicyKind::Scp) && scan.scp.is_none() {
            return (Decision::ImplicitDeny, Reason::ScpDoesNotAllow, why);
        }
        let boundary_ok = !has_boundary || scan.boundary.is_some();
        let session_ok = !has_session || scan.session.is_some();
        let identity_allows = iam && (root || scan.identity.is_some());
        let identity_ok = identity_allows && boundary_ok && session_ok;
        let limited_ok = scan.limited.is_some() && boundary_ok && session_ok;
        let resource_direct = scan.direct.is_some() || limited_ok;
        let resource_any = scan.direct.or(scan.limited).or(scan.account);
        let owner = self.resource_account(request);
        let cross = iam && owner.is_some_and(|o| Some(o) != p.account());
        let kms = request.resource_is_kms();

        let push_identity = |why: &mut Why| {
            if let Some(s) = scan.identity {
                why.push(s);
            }
            if let Some(s) = scan.boundary {
                why.push(s);
            }
            if let Some(s) = scan.session {
                why.push(s);
            }
        };
        let push_resource = |why: &mut Why| {
            if let Some(s) = scan
                .direct
                .or(if limited_ok { scan.limited } else { None })
                .or(resource_any)
            {
                why.push(s);
            }
            if scan.direct.is_none() && limited_ok {
                for s in [scan.boundary, scan.session].into_iter().flatten() {
                    why.push(s);
                }
            }
        };
        let allowed: Option<Reason> = if !iam {
            // Anonymous and service callers have no identity policies: only a
            // resource-based policy can allow them.
            scan.direct.or(scan.limited).map(|s| {
                why.push(s);
                Reason::ResourceAllow
            })
        } else if cross || kms {
            // Cross-account: both sides. A KMS key: the key policy must allow, directly
            // or by naming the account (which enables the account's IAM policies).
            if kms && !cross && resource_direct {
                push_resource(&mut why);
                Some(Reason::ResourceAllow)
            } else if identity_ok && resource_any.is_some() {
                push_identity(&mut why);
                if let Some(s) = resource_any {
                    why.push(s);
                }
                Some(Reason::IdentityAndResourceAllow)
            } else {
                None
            }
        } else if identity_ok {
            push_identity(&mut why);
            if root && scan.identity.is_none() {
                Some(Reason::RootUser)
            } else {
                Some(Reason::IdentityAllow)
            }
        } else if resource_direct {
            push_resource(&mut why);
            Some(Reason::ResourceAllow)
        } else {
            None
        };
        if let Some(reason) = allowed {
            if scan.unjudged_deny {
                return (Decision::ImplicitDeny, Reason::UnjudgedDeny, Why::default());
            }
            if let Some(s) = scan.scp {
                why.push(s);
            }
            return (Decision::Allow, reason, why);
        }
        // Say which requirement failed.
        let reason = if !iam {
            Reason::NoAllow
        } else if kms && resource_any.is_none() {
            Reason::KeyPolicyDoesNotAllow
        } else if identity_allows && !boundary_ok {
            Reason::BoundaryDoesNotAllow
        } else if identity_allows && !session_ok {
            Reason::SessionPolicyDoesNotAllow
        } else if cross && identity_ok {
            push_identity(&mut why);
            Reason::CrossAccountNeedsResourceAllow
        } else if (cross || kms) && resource_any.is_some() {
            if let Some(s) = resource_any {
                why.push(s);
            }
            if kms && !cross {
                Reason::KeyPolicyDoesNotAllow
            } else {
                Reason::CrossAccountNeedsIdentityAllow
            }
        } else if scan.limited.is_some() && !boundary_ok {
            Reason::BoundaryDoesNotAllow
        } else if scan.limited.is_some() && !session_ok {
            Reason::SessionPolicyDoesNotAllow
        } else {
            Reason::NoAllow
        };
        (Decision::ImplicitDeny, reason, why)
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

/// What the index already proved about a candidate.
#[derive(Clone, Copy)]
struct Known {
    action: bool,
    resource: bool,
}

impl Known {
    const NOTHING: Known = Known {
        action: false,
        resource: false,
    };
}

struct StatementOutcome {
    /// The grant, when the statement applies.
    applies: Option<Grant>,
    /// A condition could not be judged.
    unjudged: bool,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the hot loop's state, passed rather than bundled"
)]
fn eval_statement<'a, R: Record<'a>>(
    set: &'a PolicySet,
    id: StmtId,
    s: &'a CompiledStatement,
    known: Known,
    request: &'a Request,
    has_boundary: bool,
    obs: &mut Collector<'a, R>,
    trace: Option<&mut Vec<StatementTrace>>,
) -> StatementOutcome {
    obs.unjudged = false;
    let action;
    let mut resource = ElementMatch::Skipped;
    let mut principal = ElementMatch::Skipped;
    let mut grant = None;
    let mut applies = false;
    let mut unjudged_out = false;
    'eval: {
        if !known.action && !s.actions.matches(request.action_lower()) {
            action = ElementMatch::NotMatched;
            break 'eval;
        }
        action = ElementMatch::Matched;
        if !known.resource && !s.resources.matches(request, obs) {
            resource = ElementMatch::NotMatched;
            break 'eval;
        }
        resource = ElementMatch::Matched;
        match &s.principal {
            None => {
                principal = ElementMatch::Absent;
                grant = Some(Grant::Direct);
            }
            Some(m) => match m.matches(request.principal(), s.effect, has_boundary) {
                Some(g) => {
                    principal = ElementMatch::Matched;
                    grant = Some(g);
                }
                None => {
                    principal = ElementMatch::NotMatched;
                    break 'eval;
                }
            },
        }
        // ANDed. A condition that is false because a value could not be read does not
        // end the statement: a later condition that is plainly false decides it (the
        // statement does not apply, whatever the unreadable value), so the outcome does
        // not depend on the order the keys were written in.
        let mut unreadable = false;
        let mut conditions_ok = true;
        for c in &s.conditions {
            obs.unjudged = false;
            if c.eval(request, obs) {
                continue;
            }
            if obs.unjudged {
                unreadable = true;
                continue;
            }
            conditions_ok = false;
            unreadable = false;
            break;
        }
        applies = conditions_ok && !unreadable;
        unjudged_out = conditions_ok && unreadable;
    }
    let unjudged = unjudged_out;
    if let Some(t) = trace {
        let note = match (applies, s.principal.as_ref(), grant) {
            (true, Some(m), Some(g)) if s.effect == Effect::Allow => Some(match g {
                Grant::Direct => "names the caller directly",
                Grant::Limited if m.is_negated() => {
                    "a NotPrincipal Allow: limited by boundaries and session policies"
                }
                Grant::Limited => {
                    "grants a role or everyone: limited by boundaries and session policies"
                }
                Grant::Account => {
                    "names the caller's account: the account's IAM policies must allow too"
                }
            }),
            _ if unjudged => Some("a condition could not be judged"),
            _ => None,
        };
        t.push(StatementTrace {
            label: set
                .statement_ref(id)
                .map(|r| r.to_string())
                .unwrap_or_default(),
            effect: s.effect,
            action,
            resource,
            principal,
            conditions: obs.record.take_conditions(),
            applies,
            note,
        });
    }
    StatementOutcome {
        applies: if applies { grant } else { None },
        unjudged,
    }
}
