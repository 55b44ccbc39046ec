//! The result of an evaluation: the decision, why, and what could not be judged.

use super::decide::{bit, ResourceCite, Ruling, Verdict};
use crate::compile::{ProblemKind, ProblemList, StmtId};
use crate::inline::Inline;
use crate::policy::{Effect, PolicyKind};
use std::fmt;
use std::sync::Arc;

/// What AWS would decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The request is allowed.
    Allow,
    /// A `Deny` statement applies; no `Allow` anywhere can override it.
    ExplicitDeny,
    /// Nothing allows the request (or a required policy did not allow it).
    ImplicitDeny,
}

impl Decision {
    /// `allow`, `explicit_deny` or `implicit_deny`, as in the test-file format.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::ExplicitDeny => "explicit_deny",
            Decision::ImplicitDeny => "implicit_deny",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the decision was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// A `Deny` statement applies.
    ExplicitDeny,
    /// Allowed by the caller's identity-based policies (same account).
    IdentityAllow,
    /// Allowed by the resource-based policy (same account, or an anonymous or service caller).
    ResourceAllow,
    /// Allowed by both sides, as a cross-account request or a KMS key requires.
    IdentityAndResourceAllow,
    /// The account root user in its own account.
    RootUser,
    /// No statement allows the request.
    NoAllow,
    /// An SCP is in force and none of its statements allows the action.
    ScpDoesNotAllow,
    /// The permissions boundary does not allow what the identity policy grants.
    BoundaryDoesNotAllow,
    /// The session policy does not allow what the identity policy grants.
    SessionPolicyDoesNotAllow,
    /// Cross-account: the caller's identity policies allow, the resource policy does not.
    CrossAccountNeedsResourceAllow,
    /// Cross-account: the resource policy allows, the caller's identity policies do not.
    CrossAccountNeedsIdentityAllow,
    /// A KMS key: the key policy neither allows the caller nor enables IAM policies for
    /// the caller's account.
    KeyPolicyDoesNotAllow,
    /// A `Deny` statement could not be judged (a context value of the wrong type), so the
    /// request is not allowed.
    UnjudgedDeny,
    /// Assuming a role: the role's trust policy neither allows the caller nor delegates
    /// to the caller's account.
    TrustPolicyDoesNotAllow,
    /// The account root user cannot assume a role.
    RootCannotAssumeRole,
}

impl Reason {
    /// A sentence for people.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::ExplicitDeny => "an explicit Deny statement applies",
            Reason::IdentityAllow => "allowed by the caller's identity-based policy",
            Reason::ResourceAllow => "allowed by the resource-based policy",
            Reason::IdentityAndResourceAllow => "allowed by both the identity-based and the resource-based policy",
            Reason::RootUser => "the account root user has full access in its own account unless denied",
            Reason::NoAllow => "no statement allows the request",
            Reason::ScpDoesNotAllow => "no service control policy allows the action",
            Reason::BoundaryDoesNotAllow => "the permissions boundary does not allow the action",
            Reason::SessionPolicyDoesNotAllow => "the session policy does not allow the action",
            Reason::CrossAccountNeedsResourceAllow => {
                "cross-account request: the resource-based policy does not allow the caller"
            }
            Reason::CrossAccountNeedsIdentityAllow => {
                "cross-account request: the caller's identity-based policies do not allow it"
            }
            Reason::KeyPolicyDoesNotAllow => {
                "the KMS key policy neither allows the caller nor enables IAM policies for its account"
            }
            Reason::UnjudgedDeny => "a Deny statement could not be judged, so the request is not allowed",
            Reason::TrustPolicyDoesNotAllow => {
                "the role's trust policy neither allows the caller nor delegates to its account's identity-based policies"
            }
            Reason::RootCannotAssumeRole => "the account root user cannot assume a role",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Serialized as its sentence.
impl serde::Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.describe())
    }
}

/// A statement of a policy in a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementRef<'a> {
    pub(crate) policy_id: &'a str,
    pub(crate) policy_index: usize,
    pub(crate) kind: PolicyKind,
    pub(crate) index: usize,
    pub(crate) sid: Option<&'a str>,
    pub(crate) effect: Effect,
}

impl<'a> StatementRef<'a> {
    /// The id the policy was added with.
    pub fn policy_id(&self) -> &'a str {
        self.policy_id
    }
    /// The position of the policy in the set, in the order added.
    pub fn policy_index(&self) -> usize {
        self.policy_index
    }
    /// The kind the policy is used as.
    pub fn kind(&self) -> PolicyKind {
        self.kind
    }
    /// The statement's 0-based position in its policy.
    pub fn index(&self) -> usize {
        self.index
    }
    /// The statement's `Sid`.
    pub fn sid(&self) -> Option<&'a str> {
        self.sid
    }
    /// The statement's effect.
    pub fn effect(&self) -> Effect {
        self.effect
    }
}

impl StatementRef<'_> {
    /// The statement's label, `policy-id#Sid` or `policy-id#index`, owned.
    pub fn label(&self) -> StatementLabel {
        StatementLabel {
            policy: self.policy_id.into(),
            statement: match self.sid {
                Some(sid) => StatementName::Sid(sid.into()),
                None => StatementName::Index(self.index),
            },
        }
    }
}

/// Shown as `policy-id#Sid`, or `policy-id#index` when the statement has no Sid.
impl fmt::Display for StatementRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_label(f, self.policy_id, self.sid, self.index)
    }
}

fn write_label(
    f: &mut fmt::Formatter<'_>,
    policy: &str,
    sid: Option<&str>,
    index: usize,
) -> fmt::Result {
    match sid {
        Some(sid) => write!(f, "{policy}#{sid}"),
        None => write!(f, "{policy}#{index}"),
    }
}

/// The name of a statement in a set: the id its policy was added with, and the
/// statement's `Sid` or, when it has none, its 0-based position. Shown (and serialized)
/// as `policy-id#Sid` or `policy-id#index`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatementLabel {
    policy: Arc<str>,
    statement: StatementName,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum StatementName {
    Sid(Arc<str>),
    Index(usize),
}

impl StatementLabel {
    pub(crate) fn new(policy: Arc<str>, sid: Option<Arc<str>>, index: usize) -> Self {
        StatementLabel {
            policy,
            statement: match sid {
                Some(sid) => StatementName::Sid(sid),
                None => StatementName::Index(index),
            },
        }
    }
    /// The id the statement's policy was added with.
    pub fn policy_id(&self) -> &str {
        &self.policy
    }
    /// The statement's `Sid`, if it has one.
    pub fn sid(&self) -> Option<&str> {
        match &self.statement {
            StatementName::Sid(sid) => Some(sid),
            StatementName::Index(_) => None,
        }
    }
    /// The statement's 0-based position, if it has no `Sid`.
    pub fn index(&self) -> Option<usize> {
        match self.statement {
            StatementName::Sid(_) => None,
            StatementName::Index(i) => Some(i),
        }
    }
}

impl fmt::Display for StatementLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.statement {
            StatementName::Sid(sid) => write_label(f, &self.policy, Some(sid), 0),
            StatementName::Index(i) => write_label(f, &self.policy, None, *i),
        }
    }
}

impl serde::Serialize for StatementLabel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Something the evaluator met on the way: a value it could not read, or a variable
/// without a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Problem<'a> {
    pub(crate) statement: StatementRef<'a>,
    pub(crate) kind: ProblemKind,
    pub(crate) key: &'a str,
    pub(crate) value: &'a str,
}

impl<'a> Problem<'a> {
    /// The statement being evaluated.
    pub fn statement(&self) -> StatementRef<'a> {
        self.statement
    }
    /// What went wrong.
    pub fn kind(&self) -> ProblemKind {
        self.kind
    }
    /// The condition key (or the variable's key).
    pub fn key(&self) -> &'a str {
        self.key
    }
    /// The offending request value: empty for a variable without a value, the
    /// operator for a condition the rules leave undecided.
    pub fn value(&self) -> &'a str {
        self.value
    }
}

impl fmt::Display for Problem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ProblemKind::NotANumber => "is not a number",
            ProblemKind::NotADate => "is not a date",
            ProblemKind::NotABool => "is not `true` or `false`",
            ProblemKind::NotBase64 => "is not base64",
            ProblemKind::NotAnIpAddress => "is not an IP address",
            ProblemKind::NotAnArn => "is not an ARN",
            ProblemKind::VariableWithoutValue => {
                return write!(
                    f,
                    "{}: the variable `${{{}}}` has no value in the request, so the value it is in matches nothing",
                    self.statement, self.key
                )
            }
            ProblemKind::MultivaluedVariable => {
                return write!(
                    f,
                    "{}: `${{{}}}` names a multivalued key, which cannot be a policy variable; the value matches nothing",
                    self.statement, self.key
                )
            }
            ProblemKind::PlainOperatorOnMultivaluedKey => {
                return write!(
                    f,
                    "{}: `{}` tests the multivalued key `{}` without a set operator, so the condition cannot be judged; use `ForAnyValue:{1}` or `ForAllValues:{1}`",
                    self.statement, self.value, self.key
                )
            }
            ProblemKind::ForAnyValueIfExistsOnMissingKey => {
                return write!(
                    f,
                    "{}: `{}` tests the missing key `{}`, which the AWS documentation makes both true (IfExists) and false (ForAnyValue), so the condition cannot be judged",
                    self.statement, self.value, self.key
                )
            }
        };
        write!(
            f,
            "{}: the value `{}` of `{}` {what}, so the condition cannot be judged",
            self.statement, self.value, self.key
        )
    }
}

/// The slots of [`Scan::allowed`], one per way a statement can allow.
// INVARIANT: slot `i` is bit `1 << i` of the decision's premises (`decide::bit`), so
// that the bits the scan sets are the premises' own.
pub(crate) const IDENTITY: usize = 0;
pub(crate) const BOUNDARY: usize = 1;
pub(crate) const SESSION: usize = 2;
pub(crate) const SCP: usize = 3;
pub(crate) const DIRECT: usize = 4;
pub(crate) const LIMITED: usize = 5;
pub(crate) const ACCOUNT: usize = 6;

/// No statement.
const NONE: u32 = u32::MAX;

/// What the scan of the statements found: for each way of allowing, the first statement
/// (in set order) that allowed, and every `Deny` that applied.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scan {
    /// By slot ([`IDENTITY`] …), the smallest id of a statement that allowed; [`NONE`]
    /// when none did (so that keeping the smallest is one `min`).
    pub(crate) allowed: [u32; 7],
    pub(crate) denies: Inline<StmtId, MAX_DETERMINING>,
    /// The premises found so far, as bits of the decision's index (`decide::bit`): a
    /// slot's bit once a statement allowed through it, `EXPLICIT_DENY` once a `Deny`
    /// applied, `UNJUDGED_DENY` once one could not be judged.
    pub(crate) found: u16,
}

impl Default for Scan {
    #[inline(always)]
    fn default() -> Self {
        Scan {
            allowed: [NONE; 7],
            denies: Inline::default(),
            found: 0,
        }
    }
}

impl Scan {
    /// A `Deny` applied.
    #[inline(always)]
    pub(crate) fn denied(&self) -> bool {
        self.found & bit::EXPLICIT_DENY != 0
    }

    /// Files a `Deny` that applied.
    #[inline(always)]
    pub(crate) fn deny(&mut self, id: StmtId) {
        self.denies.insert_sorted(id, |x| *x);
        self.found |= bit::EXPLICIT_DENY;
    }

    /// Files a `Deny` that could not be judged.
    #[inline(always)]
    pub(crate) fn unjudged_deny(&mut self) {
        self.found |= bit::UNJUDGED_DENY;
    }

    /// Files an `Allow` that applied, by its slot: the smallest id, whatever order
    /// statements are found in.
    #[inline(always)]
    pub(crate) fn allow(&mut self, slot: usize, id: StmtId) {
        if let Some(first) = self.allowed.get_mut(slot) {
            *first = (*first).min(id.0);
            self.found |= 1 << slot;
        }
    }

    #[inline(always)]
    fn allowed(&self, slot: usize) -> Option<StmtId> {
        self.allowed
            .get(slot)
            .copied()
            .filter(|&id| id != NONE)
            .map(StmtId)
    }
}

/// The statements a verdict rests on, in the order it gives.
#[inline(always)]
fn cite(v: &Verdict, scan: &Scan) -> Inline<StmtId, MAX_DETERMINING> {
    if v.cite_denies {
        return scan.denies;
    }
    let mut why = Inline::default();
    let mut push = |slot: usize| {
        if let Some(s) = scan.allowed(slot) {
            why.push(s);
        }
    };
    if v.cite_identity {
        push(IDENTITY);
        push(BOUNDARY);
        push(SESSION);
    }
    match v.cite_resource {
        None => {}
        Some(ResourceCite::Direct) => push(DIRECT),
        Some(ResourceCite::Account) => push(ACCOUNT),
        Some(ResourceCite::Limited { with_limits }) => {
            push(LIMITED);
            if with_limits {
                push(BOUNDARY);
                push(SESSION);
            }
        }
    }
    if v.cite_scp {
        push(SCP);
    }
    why
}

/// The most deciding statements a [`Response`] lists; [`crate::PolicySet::explain`]
/// gives all of them.
pub const MAX_DETERMINING: usize = 8;

/// The answer to one request: the decision, why, the statements that decided, and what
/// could not be judged.
///
/// A response borrows the [`crate::PolicySet`] and the [`crate::Request`] it answers:
/// evaluation never allocates, so the statements and the request values a problem names
/// are referred to, not copied. Keep the request in a variable while the response is in
/// use; a request built in the call itself is dropped at the end of the statement:
///
/// ```compile_fail
/// # use iam_eval::{PolicySet, Request};
/// # let set = PolicySet::builder().build().unwrap();
/// let response = set.evaluate(
///     &Request::builder().principal("*").action("s3:GetObject").resource("*").build().unwrap(),
/// ); // error[E0716]: temporary value dropped while borrowed
/// println!("{}", response.decision());
/// ```
///
/// Bind the request first, or keep only what outlives it (a [`Decision`] and a
/// [`Reason`] are `Copy`; [`StatementRef::label`] and `Problem`'s `to_string` own their
/// text; [`crate::PolicySet::explain`]'s [`crate::Trace`] owns everything):
///
/// ```
/// use iam_eval::{Decision, PolicySet, Request};
///
/// let set = PolicySet::builder().build()?;
/// let request = Request::builder().principal("*").action("s3:GetObject").resource("*").build()?;
/// let response = set.evaluate(&request);
/// assert_eq!(response.decision(), Decision::ImplicitDeny);
///
/// // Or keep only the decision, which does not borrow.
/// let decision = set
///     .evaluate(&Request::builder().principal("*").action("s3:GetObject").resource("*").build()?)
///     .decision();
/// assert_eq!(decision, Decision::ImplicitDeny);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// `Display` gives `DECISION (REASON)` and, when statements decided,
/// ` by POLICY#SID, ...`: `explicit_deny (an explicit Deny statement applies) by bucket#RequireKms`.
#[derive(Clone, Copy)]
pub struct Response<'a> {
    pub(crate) set: &'a crate::PolicySet,
    pub(crate) ruling: Ruling,
    /// What the statements said; the statements to cite are worked out from it when
    /// asked for, so deciding does not pay for them.
    pub(crate) scan: Scan,
    pub(crate) problems: ProblemList<'a>,
}

impl<'a> Response<'a> {
    /// The decision.
    #[inline]
    pub fn decision(&self) -> Decision {
        self.ruling.decision
    }
    /// Why.
    #[inline]
    pub fn reason(&self) -> Reason {
        self.ruling.reason
    }
    /// The ids of the statements the decision rests on, in the order cited.
    pub(crate) fn cited(&self) -> Inline<StmtId, MAX_DETERMINING> {
        cite(&self.ruling.verdict(), &self.scan)
    }
    /// The statements that decided: every `Deny` that applied for an explicit deny; the
    /// `Allow` statements relied on for an allow; for an implicit deny, the statements
    /// that allowed on one side when the other side was required. At most
    /// [`MAX_DETERMINING`]; [`Response::determining_omitted`] counts the rest.
    pub fn determining(&self) -> impl Iterator<Item = StatementRef<'a>> + '_ {
        let set = self.set;
        // INVARIANT: the ids come from this set, so every one resolves.
        self.cited()
            .into_iter()
            .filter_map(move |id| set.statement_ref(id))
    }
    /// How many deciding statements did not fit in the response.
    pub fn determining_omitted(&self) -> usize {
        self.cited().dropped()
    }
    /// Values the evaluator could not read, and variables without values, met in the
    /// statements evaluated, first by statement. At most [`crate::MAX_PROBLEMS`];
    /// [`Response::problems_omitted`] counts the rest.
    ///
    /// Evaluation stops early: `Deny` statements are evaluated first, and once one
    /// applies the decision is an explicit deny and no `Allow` statement is evaluated.
    /// So for an explicit deny only the problems met in `Deny` statements are listed;
    /// otherwise those of every statement that covers the request's action (and
    /// resource), RCP `Allow` statements aside (an RCP restricts only through `Deny`).
    /// [`crate::PolicySet::explain`] gives this same response, and its trace lists every
    /// problem of every statement.
    pub fn problems(&self) -> impl Iterator<Item = Problem<'a>> + '_ {
        let set = self.set;
        // INVARIANT: as for `determining`.
        self.problems
            .iter()
            .flatten()
            .filter_map(move |p| set.problem(p))
    }
    /// How many problems did not fit in the response.
    pub fn problems_omitted(&self) -> usize {
        self.problems.dropped()
    }
}

impl fmt::Display for Response<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.decision(), self.reason())?;
        if !self.cited().is_empty() {
            f.write_str(" by ")?;
            for (i, s) in self.determining().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{s}")?;
            }
        }
        Ok(())
    }
}

/// The decision, its reason, the deciding statements and the problems; not the policy
/// set the response borrows.
impl fmt::Debug for Response<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let determining: Vec<String> = self.determining().map(|s| s.to_string()).collect();
        let problems: Vec<String> = self.problems().map(|p| p.to_string()).collect();
        f.debug_struct("Response")
            .field("decision", &self.decision())
            .field("reason", &self.reason())
            .field("determining", &determining)
            .field("determining_omitted", &self.determining_omitted())
            .field("problems", &problems)
            .field("problems_omitted", &self.problems_omitted())
            .finish()
    }
}
