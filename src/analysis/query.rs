//! The questions: `always`, `diff`, `equivalent`, `diff_all`; their verdicts and the
//! counterexample each refutation carries.

use super::budget::{Exhausted, Limits, Unknown as EngineUnknown};
use super::encode::Encoding;
use super::logic::{AtomId, Formula, Logic};
use super::model::{self, Draft};
use super::shape::Shape;
use super::solve::{Session, Verdict as EngineVerdict};
use super::theory::Atom;
use crate::eval::decide::Decided;
use crate::{Decision, PolicySet, Reason, Request, Trace};
use std::fmt;
use std::time::{Duration, Instant};

/// What every request of the shape must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expect {
    /// Every request is allowed.
    Allow,
    /// No request is allowed (each is denied, explicitly or implicitly).
    Deny,
    /// Every request is denied by a `Deny` statement.
    ExplicitDeny,
}

impl Expect {
    /// `allow`, `deny` or `explicit_deny`, as test files and the command line write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Allow => "allow",
            Expect::Deny => "deny",
            Expect::ExplicitDeny => "explicit_deny",
        }
    }

    /// Reads `allow`, `deny` or `explicit_deny`.
    pub fn parse(text: &str) -> Option<Expect> {
        [Expect::Allow, Expect::Deny, Expect::ExplicitDeny]
            .into_iter()
            .find(|e| e.as_str() == text)
    }

    /// Whether a decision meets the expectation.
    pub fn accepts(self, d: Decision) -> bool {
        match self {
            Expect::Allow => d == Decision::Allow,
            Expect::Deny => d != Decision::Allow,
            Expect::ExplicitDeny => d == Decision::ExplicitDeny,
        }
    }

    /// In words: `allowed`, `denied`, `explicitly denied`.
    pub fn describe(self) -> &'static str {
        match self {
            Expect::Allow => "allowed",
            Expect::Deny => "denied",
            Expect::ExplicitDeny => "explicitly denied",
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much work a question may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    deadline: Duration,
    max_conflicts: u64,
    max_states: u64,
}

impl Default for Options {
    fn default() -> Self {
        let l = Limits::default();
        Options {
            deadline: Duration::from_secs(1),
            max_conflicts: l.max_conflicts,
            max_states: l.max_states,
        }
    }
}

impl Options {
    /// The wall-clock time one question may take (default one second); past it the
    /// answer is unknown.
    #[must_use]
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = d;
        self
    }
    /// The conflicts the search may meet (default 100 000).
    #[must_use]
    pub fn max_conflicts(mut self, n: u64) -> Self {
        self.max_conflicts = n;
        self
    }
    /// The states one walk over string languages may visit, which also bounds its
    /// memory (default 100 000).
    #[must_use]
    pub fn max_states(mut self, n: u64) -> Self {
        self.max_states = n;
        self
    }
    fn limits(&self, start: Instant) -> Limits {
        Limits {
            max_conflicts: self.max_conflicts,
            max_states: self.max_states,
            deadline: Some(start + self.deadline),
        }
    }
}

/// Work a question took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Cases of caller considered.
    pub principal_cases: usize,
    /// Conflicts of the search.
    pub conflicts: u64,
    /// Models the search found that `evaluate` did not confirm (and that were ruled
    /// out).
    pub unconfirmed: u64,
    /// Wall-clock time.
    pub elapsed: Duration,
}

/// Why a question has no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UnknownKind {
    /// The deadline or another limit ran out.
    Budget,
    /// The policies use a construct outside the fragment the analysis decides exactly.
    Unsupported,
    /// An internal check failed (a bug, reported rather than turned into an answer).
    Internal,
}

/// Why a question has no answer, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    kind: UnknownKind,
    message: String,
}

impl Unknown {
    /// What kind of reason.
    pub fn kind(&self) -> UnknownKind {
        self.kind
    }
    /// The reason.
    pub fn message(&self) -> &str {
        &self.message
    }
    fn of(u: EngineUnknown) -> Unknown {
        let kind = match u {
            EngineUnknown::Budget(_) => UnknownKind::Budget,
            EngineUnknown::Unsupported(_) => UnknownKind::Unsupported,
            EngineUnknown::Internal(_) => UnknownKind::Internal,
        };
        Unknown {
            kind,
            message: u.to_string(),
        }
    }
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A request of the shape that refutes the claim, confirmed by `evaluate`.
#[derive(Debug, Clone)]
pub struct Counterexample {
    request: Request,
    decision: Decision,
    reason: Reason,
    /// For a comparison: the decision of the first set.
    before: Option<(Decision, Reason)>,
    trace: Trace,
    expected: Option<Expect>,
}

impl Counterexample {
    /// The request.
    pub fn request(&self) -> &Request {
        &self.request
    }
    /// The decision `evaluate` makes on it (for `diff`, the second set's).
    pub fn decision(&self) -> Decision {
        self.decision
    }
    /// The reason for the decision.
    pub fn reason(&self) -> Reason {
        self.reason
    }
    /// For `diff` and `equivalent`: the first set's decision and reason.
    pub fn before(&self) -> Option<(Decision, Reason)> {
        self.before
    }
    /// What `always` expected, which the decision does not meet.
    pub fn expected(&self) -> Option<Expect> {
        self.expected
    }
    /// The explanation of the decision (for `diff`, by the second set).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    /// The request as a test-file case that pins the decision, as JSON.
    pub fn to_test_case(&self, name: &str) -> String {
        let r = &self.request;
        let mut context = serde_json::Map::new();
        for (key, _, values) in r.context().caller_keys() {
            let v: serde_json::Value = if values.is_multivalued() {
                values.iter().collect::<Vec<_>>().into()
            } else {
                values.single().unwrap_or_default().into()
            };
            context.insert(key.to_string(), v);
        }
        let case = CaseJson {
            name,
            request: RequestJson {
                principal: model::principal_text(r.principal()),
                action: r.action(),
                resource: r.resource(),
                resource_account: r.resource_account(),
                context: (!context.is_empty()).then_some(context),
            },
            expect: self.decision.as_str(),
        };
        serde_json::to_string_pretty(&case).unwrap_or_default()
    }
}

/// A test-file case, fields in the order the format documents them.
#[derive(serde::Serialize)]
struct CaseJson<'a> {
    name: &'a str,
    request: RequestJson<'a>,
    expect: &'a str,
}

#[derive(serde::Serialize)]
struct RequestJson<'a> {
    principal: String,
    action: &'a str,
    resource: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The answer to a question.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Verdict {
    /// No request of the shape refutes the claim.
    Proved(Stats),
    /// A request that does, confirmed by `evaluate`.
    Counterexample(Box<Counterexample>, Stats),
    /// Neither could be shown.
    Unknown(Unknown, Stats),
}

impl Verdict {
    /// Whether the claim was proved.
    pub fn is_proved(&self) -> bool {
        matches!(self, Verdict::Proved(_))
    }
    /// The counterexample, if the claim was refuted.
    pub fn counterexample(&self) -> Option<&Counterexample> {
        match self {
            Verdict::Counterexample(c, _) => Some(c),
            _ => None,
        }
    }
    /// The work done.
    pub fn stats(&self) -> Stats {
        match self {
            Verdict::Proved(s) | Verdict::Counterexample(_, s) | Verdict::Unknown(_, s) => *s,
        }
    }
}

/// How many models that `evaluate` does not confirm are ruled out before the answer is
/// unknown.
const MAX_UNCONFIRMED: u64 = 16;

/// Whether every request of `shape` gets a decision `expect` accepts, under `set`.
///
/// ```
/// use iam_eval::analysis::{self, Expect, Shape};
/// use iam_eval::{PolicyKind, PolicySet};
///
/// let set = PolicySet::builder()
///     .add_json(PolicyKind::Resource, "bucket", r#"{"Version": "2012-10-17", "Statement": [{
///       "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
///       "Resource": "arn:aws:s3:::example-bucket/*",
///       "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}"#)?
///     .build()?;
/// let shape = Shape::builder()
///     .action("s3:PutObject")
///     .resource("arn:aws:s3:::example-bucket/*")
///     .condition_json(r#"{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}"#)
///     .build()?;
/// assert!(analysis::always(&set, &shape, Expect::ExplicitDeny).is_proved());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn always(set: &PolicySet, shape: &Shape, expect: Expect) -> Verdict {
    always_with(set, shape, expect, &Options::default())
}

/// [`always`] with limits.
pub fn always_with(set: &PolicySet, shape: &Shape, expect: Expect, options: &Options) -> Verdict {
    let start = Instant::now();
    let mut enc = Encoding::new(shape, &[set]);
    let c = enc.decision(set);
    let bad = refutes(&mut enc, &c, expect);
    let root = enc.p.and(enc.space, bad);
    let keep =
        |r: &Request| model::in_shape(shape, r) && !expect.accepts(set.evaluate(r).decision());
    let found = search(&enc, root, options, start, &keep);
    finish(found, start, enc.cases.len(), |request| {
        let (response, trace) = set.explain(&request);
        let (decision, reason) = (response.decision(), response.reason());
        Counterexample {
            request,
            decision,
            reason,
            before: None,
            trace,
            expected: Some(expect),
        }
    })
}

/// Whether `new` allows nothing of the shape that `old` does not: proved when every
/// request `new` allows, `old` allows too; otherwise a request `new` allows and `old`
/// does not.
pub fn diff(old: &PolicySet, new: &PolicySet, shape: &Shape) -> Verdict {
    diff_with(old, new, shape, &Options::default())
}

/// [`diff`] with limits.
pub fn diff_with(old: &PolicySet, new: &PolicySet, shape: &Shape, options: &Options) -> Verdict {
    let start = Instant::now();
    let (enc, root) = diff_problem(old, new, shape);
    let keep = |r: &Request| {
        model::in_shape(shape, r)
            && new.evaluate(r).decision() == Decision::Allow
            && old.evaluate(r).decision() != Decision::Allow
    };
    let found = search(&enc, root, options, start, &keep);
    finish(found, start, enc.cases.len(), |request| {
        comparison(old, new, request)
    })
}

fn diff_problem<'s>(old: &PolicySet, new: &PolicySet, shape: &'s Shape) -> (Encoding<'s>, Formula) {
    let mut enc = Encoding::new(shape, &[old, new]);
    let a = enc.decision(old);
    let b = enc.decision(new);
    let not_before = enc.p.not(a.allow);
    let new_access = enc.p.and(b.allow, not_before);
    let root = enc.p.and(enc.space, new_access);
    (enc, root)
}

fn comparison(old: &PolicySet, new: &PolicySet, request: Request) -> Counterexample {
    let before = old.evaluate(&request);
    let before = (before.decision(), before.reason());
    let (response, trace) = new.explain(&request);
    let (decision, reason) = (response.decision(), response.reason());
    Counterexample {
        request,
        decision,
        reason,
        before: Some(before),
        trace,
        expected: None,
    }
}

/// Whether `a` and `b` allow exactly the same requests of the shape: both [`diff`]s.
pub fn equivalent(a: &PolicySet, b: &PolicySet, shape: &Shape) -> Verdict {
    equivalent_with(a, b, shape, &Options::default())
}

/// [`equivalent`] with limits (each direction gets them).
pub fn equivalent_with(a: &PolicySet, b: &PolicySet, shape: &Shape, options: &Options) -> Verdict {
    let first = diff_with(a, b, shape, options);
    let Verdict::Proved(s1) = first else {
        return first;
    };
    match diff_with(b, a, shape, options) {
        Verdict::Proved(s2) => Verdict::Proved(add(s1, s2)),
        Verdict::Counterexample(c, s2) => Verdict::Counterexample(c, add(s1, s2)),
        Verdict::Unknown(u, s2) => Verdict::Unknown(u, add(s1, s2)),
    }
}

fn add(a: Stats, b: Stats) -> Stats {
    Stats {
        principal_cases: a.principal_cases.max(b.principal_cases),
        conflicts: a.conflicts + b.conflicts,
        unconfirmed: a.unconfirmed + b.unconfirmed,
        elapsed: a.elapsed + b.elapsed,
    }
}

/// Every new access of [`diff`], one request each, up to `limit`: after each one the
/// search rules out requests with the same standing on every action and resource
/// pattern, so each finding is a different region of actions and resources.
pub fn diff_all(
    old: &PolicySet,
    new: &PolicySet,
    shape: &Shape,
    limit: usize,
    options: &Options,
) -> DiffReport {
    let start = Instant::now();
    let (enc, root) = diff_problem(old, new, shape);
    let keep = |r: &Request| {
        model::in_shape(shape, r)
            && new.evaluate(r).decision() == Decision::Allow
            && old.evaluate(r).decision() != Decision::Allow
    };
    let mut report = DiffReport {
        findings: Vec::new(),
        complete: true,
        unknown: None,
        stats: Stats {
            principal_cases: enc.cases.len(),
            ..Stats::default()
        },
    };
    let limits = options.limits(start);
    let mut session = Session::new(&enc.p, root, &limits);
    let mut unconfirmed = 0;
    let mut blocked: Vec<Vec<(AtomId, bool)>> = Vec::new();
    loop {
        if report.findings.len() >= limit {
            report.complete = false;
            break;
        }
        match step(&enc, &mut session, &keep, &mut unconfirmed) {
            Step::Found(draft, cube) => {
                let region: Vec<(AtomId, bool)> = cube
                    .into_iter()
                    .filter(|(a, _)| {
                        matches!(enc.p.atoms.get(*a), Some(Atom::In { slot, .. }) if *slot == enc.action || *slot == enc.resource)
                    })
                    .collect();
                let draft = readable(&enc, root, &limits, &keep, &blocked, draft);
                if let Some(request) = draft.build() {
                    report.findings.push(comparison(old, new, request));
                }
                if region.is_empty() {
                    // The action and resource are fixed: one finding is all there is.
                    break;
                }
                session.block(&region);
                blocked.push(region);
            }
            Step::Proved => break,
            Step::Unknown(u) => {
                report.complete = false;
                report.unknown = Some(u);
                break;
            }
            Step::Retry => {}
        }
    }
    let s = session.stats();
    report.stats.conflicts = s.solver.conflicts;
    report.stats.unconfirmed = unconfirmed;
    report.stats.elapsed = start.elapsed();
    report
}

/// The new accesses [`diff_all`] found.
#[derive(Debug, Clone)]
pub struct DiffReport {
    /// One request per region of new access, each confirmed by `evaluate`.
    pub findings: Vec<Counterexample>,
    /// Whether the list is all there is (false when the limit or a budget stopped it).
    pub complete: bool,
    /// Why the search stopped early, if it did for a reason other than the limit.
    pub unknown: Option<Unknown>,
    /// The work done.
    pub stats: Stats,
}

/// The formula of the requests that refute "every request is `expect`".
fn refutes(enc: &mut Encoding<'_>, c: &Decided<Formula>, expect: Expect) -> Formula {
    match expect {
        Expect::Allow => enc.p.not(c.allow),
        Expect::Deny => c.allow,
        Expect::ExplicitDeny => enc.p.not(c.explicit_deny),
    }
}

enum Found {
    Proved(u64, u64),
    Request(Draft, u64, u64),
    Unknown(Unknown, u64, u64),
}

enum Step {
    Found(Draft, Vec<(AtomId, bool)>),
    Proved,
    Unknown(Unknown),
    Retry,
}

/// One solve: a confirmed request, a proof, an unknown, or a model that did not confirm
/// (now ruled out: solve again).
fn step(
    enc: &Encoding<'_>,
    session: &mut Session<'_>,
    keep: &dyn Fn(&Request) -> bool,
    unconfirmed: &mut u64,
) -> Step {
    match session.solve() {
        EngineVerdict::Sat(m) => {
            let cube: Vec<(AtomId, bool)> = (0..enc.p.atoms.len())
                .filter_map(|i| {
                    let a = AtomId(u32::try_from(i).ok()?);
                    m.atom(a).filter(|_| m.relevant(a)).map(|v| (a, v))
                })
                .collect();
            match model::draft(enc, &m) {
                Some(d) if d.build().is_some_and(|r| keep(&r)) => {
                    Step::Found(model::polish(model::minimise(&d, keep), keep), cube)
                }
                _ => {
                    *unconfirmed += 1;
                    if *unconfirmed >= MAX_UNCONFIRMED {
                        let why = enc.approximations.first().copied();
                        return Step::Unknown(match why {
                            Some(w) => Unknown::of(EngineUnknown::Unsupported(w)),
                            None => Unknown::of(EngineUnknown::Internal(
                                "the search's requests did not confirm",
                            )),
                        });
                    }
                    session.block(&cube);
                    Step::Retry
                }
            }
        }
        EngineVerdict::Unsat => match enc.incomplete.first() {
            Some(w) => Step::Unknown(Unknown::of(EngineUnknown::Unsupported(w))),
            // A model that did not confirm was ruled out by its atoms, and a request
            // with the same atoms may still refute the claim (an approximated construct
            // holds for some values and not others), so running out of models after one
            // is no proof.
            None if *unconfirmed > 0 => {
                Step::Unknown(Unknown::of(match enc.approximations.first() {
                    Some(w) => EngineUnknown::Unsupported(w),
                    None => EngineUnknown::Internal("a model of the search did not confirm"),
                }))
            }
            None => Step::Proved,
        },
        EngineVerdict::Unknown(u) => Step::Unknown(Unknown::of(u)),
    }
}

fn search(
    enc: &Encoding<'_>,
    root: Formula,
    options: &Options,
    start: Instant,
    keep: &dyn Fn(&Request) -> bool,
) -> Found {
    let limits = options.limits(start);
    let mut session = Session::new(&enc.p, root, &limits);
    let mut unconfirmed = 0;
    loop {
        let step = step(enc, &mut session, keep, &mut unconfirmed);
        let conflicts = session.stats().solver.conflicts;
        match step {
            Step::Found(d, _) => {
                let d = readable(enc, root, &limits, keep, &[], d);
                return Found::Request(d, conflicts, unconfirmed);
            }
            Step::Proved => return Found::Proved(conflicts, unconfirmed),
            Step::Unknown(u) => return Found::Unknown(u, conflicts, unconfirmed),
            Step::Retry => {
                if limits.past_deadline() {
                    return Found::Unknown(
                        Unknown::of(EngineUnknown::Budget(Exhausted::Deadline)),
                        conflicts,
                        unconfirmed,
                    );
                }
            }
        }
    }
}

/// A counterexample whose caller is an IAM user reads best: when the one found has
/// another caller, one more search restricted to users is tried, and its request kept if
/// it confirms.
fn readable(
    enc: &Encoding<'_>,
    root: Formula,
    limits: &Limits,
    keep: &dyn Fn(&Request) -> bool,
    blocked: &[Vec<(AtomId, bool)>],
    found: Draft,
) -> Draft {
    use crate::request::PrincipalKind;
    if found.principal.kind() == PrincipalKind::User {
        return found;
    }
    let users: Vec<Formula> = enc
        .cases
        .iter()
        .filter(|c| c.kind.kind() == PrincipalKind::User)
        .map(|c| c.flag)
        .collect();
    if users.is_empty() {
        return found;
    }
    let mut session = Session::new(&enc.p, root, limits);
    session.require_any(&users);
    for cube in blocked {
        session.block(cube);
    }
    let mut unconfirmed = 0;
    match step(enc, &mut session, keep, &mut unconfirmed) {
        Step::Found(d, _) => d,
        _ => found,
    }
}

fn finish(
    found: Found,
    start: Instant,
    cases: usize,
    counterexample: impl FnOnce(Request) -> Counterexample,
) -> Verdict {
    let stats = |conflicts, unconfirmed| Stats {
        principal_cases: cases,
        conflicts,
        unconfirmed,
        elapsed: start.elapsed(),
    };
    match found {
        Found::Proved(c, u) => Verdict::Proved(stats(c, u)),
        Found::Request(d, c, u) => match d.build() {
            Some(r) => Verdict::Counterexample(Box::new(counterexample(r)), stats(c, u)),
            None => Verdict::Unknown(
                Unknown::of(EngineUnknown::Internal(
                    "a confirmed request could not be rebuilt",
                )),
                stats(c, u),
            ),
        },
        Found::Unknown(e, c, u) => Verdict::Unknown(e, stats(c, u)),
    }
}
