//! From a question to a formula: the request space of a shape, and the decision of a
//! policy set on it, built by the evaluator's own rules run on formulas.
//!
//! # The request as slots
//!
//! The request's strings are slots of the engine: the action (lowercase, as statements
//! compare it), the resource, every context key a policy or the shape reads, and the
//! keys AWS derives from the caller. A context key has a presence flag; a multivalued
//! one has `2n + f` optional elements ([`super::multi`]) and a flag saying whether the
//! request gives it as a list.
//!
//! # The caller as cases
//!
//! Principals in policies cannot hold wildcards, so callers fall into finitely many
//! cases, one flag each, exactly one true: each caller a policy or the shape names
//! (decided by the evaluator's own principal matcher), and for each kind of IAM
//! principal and each account a policy names, plus one account none names, a *fresh*
//! principal of that kind; likewise fresh services, providers and canonical users, and
//! the anonymous caller. A fresh principal's ARN, account, name and service name are
//! slots, constrained to exactly the strings a caller of the case can have.
//!
//! # The decision
//!
//! Each condition is [`rules::condition`] on atoms; each statement is the Kleene
//! conjunction of its conditions guarded by its `Action`, `Resource` and `Principal`;
//! statements are filed by [`Filed`]; the facts go through [`decision_rules`]. The
//! same functions decide concrete requests.
//!
//! # Soundness
//!
//! Every choice here either describes the request space exactly or adds models (a
//! construct outside the exact fragment becomes a free Boolean, listed in
//! [`Encoding::approximations`]); a model is a counterexample only once the request built
//! from it is confirmed by `evaluate`.

use super::logic::{AtomId, Formula, Logic};
use super::multi::{element_bound, Elements};
use super::shape::{Shape, ShapePrincipal};
use super::solve::Problem;
use super::theory::{
    Atom, Cmp, Family, Lang, SlotId, Special, Template as Tpl, TemplateMode,
    TemplatePart as TplPart,
};
use crate::compile::condition::string_pattern;
use crate::compile::rules::{self, Judged, KeyState};
use crate::compile::statement::{Actions, ResourcePattern, Resources};
use crate::compile::{Entry, Grant, PrincipalMatcher};
use crate::eval::combine::Filed;
use crate::eval::decide::{rules as decision_rules, Decided, Premises};
use crate::eval::Applicable;
use crate::keys;
use crate::operator::{Comparison, ConditionOperator};
use crate::pattern::{Case as Sensitivity, Part, Pattern};
use crate::policy::value::{ArnValue, BoolValue, TypedValues};
use crate::policy::{ActionSpec, ConditionBlock, ConditionEntry, Effect, PolicyKind};
use crate::request::{Principal, PrincipalKind, Request};
use crate::template::{Template, TemplatePart};
use crate::value::arn::ArnPattern;
use crate::PolicySet;
use std::collections::{BTreeMap, BTreeSet};

/// The keys AWS derives from the caller (lowercase); the request builder sets them.
pub(crate) const DERIVED: [&str; 6] = [
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:principaltype",
    "aws:username",
];

const ASSUME_ROLE_ACTIONS: [&str; 5] = [
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:setsourceidentity",
    "sts:tagsession",
];

/// The most optional elements one multivalued key may get; beyond, the exact bound
/// would make the search too large and the answer is unknown.
const MAX_ELEMENTS: usize = 32;

/// The most variables one policy value may hold; each doubles the cases to encode.
const MAX_VARIABLES: usize = 4;

/// One kind of caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CaseKind {
    /// A caller a policy or the shape names.
    Named(Principal),
    /// An IAM principal of this kind that no policy names, in this account (`None`: in
    /// an account no policy names).
    Fresh {
        kind: PrincipalKind,
        account: Option<String>,
    },
    /// A service no policy names.
    FreshService,
    /// A web identity or SAML provider no policy names.
    FreshProvider,
    /// A canonical user no policy names.
    FreshCanonical,
}

impl CaseKind {
    pub(crate) fn kind(&self) -> PrincipalKind {
        match self {
            CaseKind::Named(p) => p.kind(),
            CaseKind::Fresh { kind, .. } => *kind,
            CaseKind::FreshService => PrincipalKind::Service,
            CaseKind::FreshProvider => PrincipalKind::WebIdentity,
            CaseKind::FreshCanonical => PrincipalKind::CanonicalUser,
        }
    }

    /// The account, when the case fixes it (`None` for fresh accounts and callers
    /// without one).
    fn account(&self) -> Option<&str> {
        match self {
            CaseKind::Named(p) => p.account(),
            CaseKind::Fresh { account, .. } => account.as_deref(),
            _ => None,
        }
    }

    fn fresh_account(&self) -> bool {
        matches!(self, CaseKind::Fresh { account: None, .. })
    }
}

/// One case of caller, and its flag.
#[derive(Debug, Clone)]
pub(crate) struct PrincipalCase {
    pub(crate) flag: Formula,
    pub(crate) kind: CaseKind,
}

/// A context key the question reads.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    /// As first written.
    pub(crate) written: String,
    pub(crate) present: Formula,
    /// The request gives it as a list; false for a single-valued key.
    pub(crate) listed: Formula,
    /// Its value when single (the first element of a multivalued key).
    pub(crate) first: SlotId,
    /// The optional elements of a multivalued key; empty for a single-valued one.
    pub(crate) elements: Vec<(SlotId, Formula)>,
    /// AWS documents it as multivalued.
    pub(crate) documented: bool,
    /// Derived from the caller.
    pub(crate) derived: bool,
}

/// What the question reads, gathered before encoding.
#[derive(Debug, Default)]
struct Usage {
    /// Per key (lowercase): as first written, conditions on it, their families, whether a
    /// set operator tests it.
    keys: BTreeMap<String, (String, usize, BTreeSet<u8>, bool)>,
    accounts: BTreeSet<String>,
    named: Vec<Principal>,
    services: BTreeSet<String>,
    providers: BTreeSet<String>,
    canonicals: BTreeSet<String>,
    /// Exact action names (no wildcard), by lowercase name, as first written.
    actions: BTreeMap<String, String>,
    /// The text before the first wildcard of each action pattern, as first written.
    action_prefixes: BTreeMap<String, String>,
}

impl Usage {
    fn actions<'a>(&mut self, written: impl IntoIterator<Item = &'a String>) {
        for a in written {
            let (map, text) = match a.find(['*', '?']) {
                None => (&mut self.actions, a.as_str()),
                Some(i) => (&mut self.action_prefixes, a.get(..i).unwrap_or_default()),
            };
            if !text.is_empty() {
                map.entry(text.to_ascii_lowercase())
                    .or_insert_with(|| text.to_string());
            }
        }
    }

    fn key(&mut self, written: &str) -> &mut (String, usize, BTreeSet<u8>, bool) {
        self.keys
            .entry(written.to_lowercase())
            .or_insert_with(|| (written.to_string(), 0, BTreeSet::new(), false))
    }

    fn template(&mut self, t: &Template) {
        for v in t.variables() {
            self.key(&v.key);
        }
    }

    fn conditions(&mut self, blocks: &[ConditionBlock]) {
        for b in blocks {
            let op = b.operator();
            for e in b.entries() {
                let k = self.key(e.key());
                k.1 += 1;
                k.2.insert(op.op.family() as u8);
                k.3 |= op.set.is_some();
                for v in e.typed.variables() {
                    self.key(&v.key);
                }
            }
        }
    }

    fn named(&mut self, p: Principal) {
        if let Some(a) = p.account() {
            self.accounts.insert(a.to_string());
        }
        if !self
            .named
            .iter()
            .any(|q| q.kind() == p.kind() && q.id() == p.id())
        {
            self.named.push(p);
        }
    }

    fn set(&mut self, set: &PolicySet) {
        for (_, _, account, policy) in set.sources() {
            if let Some(a) = account {
                self.accounts.insert(a.to_string());
            }
            for s in policy.statements() {
                match s.action() {
                    ActionSpec::Action(list) | ActionSpec::NotAction(list) => self.actions(list),
                }
                for t in &s.resource_patterns {
                    self.template(t);
                }
                self.conditions(s.condition());
                let Some(spec) = s.principal() else { continue };
                let m = PrincipalMatcher::compile(spec);
                for e in m.entries().1 {
                    match e {
                        Entry::Account(a) => {
                            if let Some(a) = account_text(*a) {
                                self.accounts.insert(a);
                            }
                        }
                        Entry::Role { account, .. } => {
                            if let Some(a) = account_text(*account) {
                                self.accounts.insert(a);
                            }
                            // Whether a caller is a session of this role is read off its
                            // principal ARN.
                            self.key("aws:PrincipalArn");
                        }
                        Entry::User { arn, .. }
                        | Entry::Session { arn, .. }
                        | Entry::FederatedUser { arn, .. } => {
                            if let Ok(p) = Principal::parse(arn) {
                                self.named(p);
                            }
                        }
                        Entry::Service(s) => {
                            self.services.insert(s.to_string());
                        }
                        Entry::Provider(s) => {
                            self.providers.insert(s.to_string());
                        }
                        Entry::Canonical(s) => {
                            self.canonicals.insert(s.to_string());
                        }
                        Entry::Everyone | Entry::Unmatched => {}
                    }
                }
            }
        }
    }
}

/// A question as a formula: the request space of a shape, and the decisions of policy
/// sets on it.
pub(crate) struct Encoding<'q> {
    pub(crate) p: Problem,
    pub(crate) shape: &'q Shape,
    pub(crate) action: SlotId,
    pub(crate) resource: SlotId,
    /// A literal action or resource the shape fixes: atoms on it are constants.
    fixed_action: Option<String>,
    fixed_resource: Option<String>,
    pub(crate) cases: Vec<PrincipalCase>,
    /// Context keys by lowercase name, derived keys included.
    pub(crate) keys: BTreeMap<String, Key>,
    /// The caller's fresh account is the resource ARN's account.
    pub(crate) same_fresh: Formula,
    /// Accounts some policy or the shape names.
    pub(crate) accounts: BTreeSet<String>,
    /// Named callers, services, providers and canonical users: fresh ones avoid them.
    pub(crate) named: Vec<Principal>,
    pub(crate) services: BTreeSet<String>,
    pub(crate) providers: BTreeSet<String>,
    pub(crate) canonicals: BTreeSet<String>,
    /// Exact action names the shape or a policy writes, by lowercase name, as the shape
    /// (else the first policy) writes them: a counterexample shows its action so.
    pub(crate) action_names: BTreeMap<String, String>,
    /// Likewise the text before the first wildcard of each action pattern, for actions
    /// no one names exactly.
    pub(crate) action_prefixes: BTreeMap<String, String>,
    /// The request space: well-formed requests of the shape.
    pub(crate) space: Formula,
    /// Constructs encoded as free Booleans (an over-approximation), for the reason an
    /// answer is unknown when a model does not confirm.
    pub(crate) approximations: Vec<&'static str>,
    /// Constructs the encoding describes only in part (fewer list elements than the
    /// bound asks for): a proof is then not a proof, and the answer is unknown.
    pub(crate) incomplete: Vec<&'static str>,
    usage: BTreeMap<String, (String, usize, BTreeSet<u8>, bool)>,
    /// The keys (lowercase) some policy reads, in a condition or a policy variable.
    policy_keys: BTreeSet<String>,
    /// Constraints gathered while encoding (derived slots' case constraints).
    side: Vec<Formula>,
}

impl<'q> Encoding<'q> {
    /// Encodes the request space of `shape`, for questions about `sets`.
    pub(crate) fn new(shape: &'q Shape, sets: &[&PolicySet]) -> Encoding<'q> {
        let mut usage = Usage::default();
        usage.actions(&shape.actions);
        for set in sets {
            usage.set(set);
        }
        let policy_keys: BTreeSet<String> = usage.keys.keys().cloned().collect();
        usage.conditions(&shape.conditions);
        for k in &shape.multivalued {
            usage.key(k).3 = true;
        }
        for sp in &shape.principals {
            match sp {
                ShapePrincipal::Caller(p) => usage.named(p.clone()),
                ShapePrincipal::Account(a) => {
                    usage.accounts.insert(a.clone());
                }
                ShapePrincipal::Any => {}
            }
        }
        if let Some(a) = &shape.resource_account {
            usage.accounts.insert(a.clone());
        }
        let mut p = Problem::new();
        let action = p.slot("action");
        let resource = p.slot("resource");
        let fixed = |list: &[String], lower: bool| match list {
            [one] if !one.contains(['*', '?']) => Some(if lower {
                one.to_ascii_lowercase()
            } else {
                one.clone()
            }),
            _ => None,
        };
        let same_fresh = p.flag();
        let mut e = Encoding {
            p,
            shape,
            action,
            resource,
            fixed_action: fixed(&shape.actions, true),
            fixed_resource: fixed(&shape.resources, false),
            cases: Vec::new(),
            keys: BTreeMap::new(),
            same_fresh,
            accounts: usage.accounts,
            named: usage.named,
            services: usage.services,
            providers: usage.providers,
            canonicals: usage.canonicals,
            action_names: usage.actions,
            action_prefixes: usage.action_prefixes,
            space: Formula::TRUE,
            approximations: Vec::new(),
            incomplete: Vec::new(),
            usage: usage.keys,
            policy_keys,
            side: Vec::new(),
        };
        e.space = e.encode_space();
        e
    }

    /// Per atom: whether it speaks only of context keys no policy reads (keys only the
    /// shape names): their values, presence and list elements. No decision depends on
    /// such an atom, so a model that `evaluate` does not confirm fails for the same
    /// reason whatever these atoms are.
    pub(crate) fn unread_atoms(&self) -> Vec<bool> {
        let mut slots = BTreeSet::new();
        let mut flags = BTreeSet::new();
        for (lower, key) in &self.keys {
            if key.derived || self.policy_keys.contains(lower) {
                continue;
            }
            slots.insert(key.first);
            for &(slot, present) in &key.elements {
                slots.insert(slot);
                flags.extend(self.p.formulas.atom_of(present).map(|(a, _)| a));
            }
            for f in [key.present, key.listed] {
                flags.extend(self.p.formulas.atom_of(f).map(|(a, _)| a));
            }
        }
        (0..self.p.atoms.len())
            .map(|i| {
                let Ok(i) = u32::try_from(i) else {
                    return false;
                };
                let id = AtomId(i);
                match self.p.atoms.get(id) {
                    Some(Atom::Flag(_)) => flags.contains(&id),
                    // A template reads its variables' slots too.
                    Some(Atom::Template { .. }) | None => false,
                    Some(atom) => atom.slots().iter().all(|s| slots.contains(s)),
                }
            })
            .collect()
    }

    fn approx(&mut self, why: &'static str) -> Formula {
        if !self.approximations.contains(&why) {
            self.approximations.push(why);
        }
        self.p.flag()
    }

    fn lang(&mut self, slot: SlotId, lang: Lang) -> Formula {
        self.p.is_in(slot, lang)
    }

    fn glob(&mut self, slot: SlotId, pattern: &str) -> Formula {
        self.lang(
            slot,
            Lang::Pattern(Pattern::new(pattern, Sensitivity::Sensitive)),
        )
    }

    fn literal(&mut self, slot: SlotId, text: &str) -> Formula {
        self.lang(
            slot,
            Lang::Pattern(Pattern::literal(text, Sensitivity::Sensitive)),
        )
    }

    fn arn(&mut self, slot: SlotId, parts: &[Part<'_>]) -> Formula {
        match ArnPattern::from_parts(parts) {
            Some(a) => self.lang(slot, Lang::Arn(Box::new(a))),
            None => Formula::FALSE,
        }
    }

    /// The action is in `pattern` (lowercase, as statements compare).
    fn action_in(&mut self, pattern: &Pattern) -> Formula {
        match &self.fixed_action {
            Some(a) => self.p.constant(pattern.matches(a)),
            None => self.lang(self.action, Lang::Pattern(pattern.clone())),
        }
    }

    /// The resource is in `pattern`.
    fn resource_in(&mut self, pattern: &Pattern) -> Formula {
        match &self.fixed_resource {
            Some(r) => self.p.constant(pattern.matches(r)),
            None => self.lang(self.resource, Lang::Pattern(pattern.clone())),
        }
    }

    /// The resource is in an ARN language.
    fn resource_arn(&mut self, parts: &[Part<'_>]) -> Formula {
        match (&self.fixed_resource, ArnPattern::from_parts(parts)) {
            (_, None) => Formula::FALSE,
            (Some(r), Some(a)) => self.p.constant(a.matches(r)),
            (None, Some(a)) => self.lang(self.resource, Lang::Arn(Box::new(a))),
        }
    }

    fn resource_special(&mut self, s: Special) -> Formula {
        match &self.fixed_resource {
            Some(r) => self.p.constant(s.accepts(r)),
            None => self.lang(self.resource, Lang::Special(s)),
        }
    }

    /// The flags of the cases `pred` picks, ORed.
    fn cases_where(&mut self, pred: impl Fn(&CaseKind) -> bool) -> Formula {
        let flags: Vec<Formula> = self
            .cases
            .iter()
            .filter(|c| pred(&c.kind))
            .map(|c| c.flag)
            .collect();
        self.p.formulas.any(flags)
    }

    // -----------------------------------------------------------------------------
    // The request space

    fn encode_space(&mut self) -> Formula {
        let mut parts = Vec::new();
        // The action: one the request builder accepts, lowercase, in the shape.
        if self.fixed_action.is_none() {
            let shape = self.lang(self.action, Lang::Special(Special::ActionShape));
            let bad = self.lang(self.action, Lang::Special(Special::ActionForbidden));
            let nbad = self.p.not(bad);
            parts.push(shape);
            parts.push(nbad);
        } else if let Some(a) = &self.fixed_action {
            let ok = Special::ActionShape.accepts(a) && !Special::ActionForbidden.accepts(a);
            parts.push(self.p.constant(ok));
        }
        let shape_actions: Vec<Formula> = self
            .shape
            .action_patterns()
            .iter()
            .map(|pat| self.action_in(pat))
            .collect();
        parts.push(self.p.formulas.any(shape_actions));
        // The resource: an ARN or `*`.
        let any_arn = match &self.fixed_resource {
            Some(r) => self.p.constant(Lang::AnyArn.contains(r)),
            None => self.lang(self.resource, Lang::AnyArn),
        };
        let star = match &self.fixed_resource {
            Some(r) => self.p.constant(r == "*"),
            None => self.literal(self.resource, "*"),
        };
        parts.push(self.p.or(any_arn, star));
        let shape_resources: Vec<Formula> = self
            .shape
            .resource_patterns()
            .iter()
            .map(|pat| self.resource_in(pat))
            .collect();
        parts.push(self.p.formulas.any(shape_resources));
        // The caller.
        self.make_cases();
        let flags: Vec<Formula> = self.cases.iter().map(|c| c.flag).collect();
        parts.push(exactly_one(&mut self.p, &flags));
        // The caller's fresh account is the resource's only when that is a fresh account.
        let fresh_cases = self.cases_where(CaseKind::fresh_account);
        let arn_account = self.resource_special(Special::ArnWithAccountId);
        let mut fresh_resource = vec![fresh_cases, arn_account];
        for a in self.accounts.clone() {
            let named = self.resource_arn(&[
                Part::Wild("arn:*:*:*:"),
                Part::Literal(&a),
                Part::Wild(":*"),
            ]);
            fresh_resource.push(self.p.not(named));
        }
        let fresh_resource = self.p.formulas.all(fresh_resource);
        let same = self.same_fresh;
        parts.push(self.p.formulas.implies(same, fresh_resource));
        // The keys derived from the caller, then the other context keys the question
        // reads, and the shape's conditions on them.
        self.derived_keys();
        let names: Vec<String> = self.usage.keys().cloned().collect();
        for k in names {
            self.key(&k);
        }
        let conditions: Vec<ConditionBlock> = self.shape.conditions.clone();
        let mut holds = Vec::new();
        for b in &conditions {
            for entry in b.entries() {
                let j = self.condition(b.operator(), entry);
                holds.push(j.holds);
            }
        }
        parts.extend(holds);
        parts.append(&mut self.side);
        self.p.formulas.all(parts)
    }

    /// The cases of caller the shape admits.
    fn make_cases(&mut self) {
        const IAM: [PrincipalKind; 5] = [
            PrincipalKind::User,
            PrincipalKind::Role,
            PrincipalKind::AssumedRole,
            PrincipalKind::FederatedUser,
            PrincipalKind::Root,
        ];
        let mut kinds: Vec<CaseKind> = Vec::new();
        let push = |k: CaseKind, kinds: &mut Vec<CaseKind>| {
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        };
        for sp in &self.shape.principals {
            match sp {
                ShapePrincipal::Caller(p) => push(CaseKind::Named(p.clone()), &mut kinds),
                ShapePrincipal::Account(a) => {
                    for p in &self.named {
                        if p.account() == Some(a.as_str()) {
                            push(CaseKind::Named(p.clone()), &mut kinds);
                        }
                    }
                    for kind in IAM {
                        push(
                            CaseKind::Fresh {
                                kind,
                                account: Some(a.clone()),
                            },
                            &mut kinds,
                        );
                    }
                }
                ShapePrincipal::Any => {
                    for p in &self.named {
                        push(CaseKind::Named(p.clone()), &mut kinds);
                    }
                    for a in self.accounts.iter().map(|a| Some(a.clone())).chain([None]) {
                        // An id that is not twelve digits names no caller.
                        if a.as_deref().is_some_and(|a| !is_account_id(a)) {
                            continue;
                        }
                        for kind in IAM {
                            push(
                                CaseKind::Fresh {
                                    kind,
                                    account: a.clone(),
                                },
                                &mut kinds,
                            );
                        }
                    }
                    for s in &self.services {
                        push(CaseKind::Named(Principal::service(s)), &mut kinds);
                    }
                    for s in &self.providers {
                        push(CaseKind::Named(Principal::web_identity(s)), &mut kinds);
                    }
                    for s in &self.canonicals {
                        push(CaseKind::Named(Principal::canonical_user(s)), &mut kinds);
                    }
                    push(CaseKind::Named(Principal::anonymous()), &mut kinds);
                    push(CaseKind::FreshService, &mut kinds);
                    push(CaseKind::FreshProvider, &mut kinds);
                    push(CaseKind::FreshCanonical, &mut kinds);
                }
            }
        }
        self.cases = kinds
            .into_iter()
            .map(|kind| PrincipalCase {
                flag: self.p.flag(),
                kind,
            })
            .collect();
    }

    // -----------------------------------------------------------------------------
    // Context keys

    /// The key, created on first use.
    pub(crate) fn key(&mut self, lower: &str) -> Key {
        if let Some(k) = self.keys.get(lower) {
            return k.clone();
        }
        let (written, conditions, families, set_op) = self
            .usage
            .get(lower)
            .cloned()
            .unwrap_or_else(|| (lower.to_string(), 0, BTreeSet::new(), false));
        let key = if DERIVED.contains(&lower) {
            // Derived keys are made together, before any other ([`Self::derived_keys`]);
            // one asked for later has no case that derives it as read so far.
            self.derived_key(lower, &written)
        } else {
            let documented = keys::is_multivalued(lower);
            let multi = documented || set_op || self.shape.multivalued.iter().any(|k| k == lower);
            let present = self.p.flag();
            if multi {
                let k = element_bound(conditions, families.len()).max(1);
                let k = if k > MAX_ELEMENTS {
                    self.incomplete
                        .push("a multivalued key tested by more than 15 conditions");
                    MAX_ELEMENTS
                } else {
                    k
                };
                let (els, order) = Elements::new(&mut self.p, &written, k);
                let listed = if documented {
                    Formula::TRUE
                } else {
                    self.p.flag()
                };
                let elements: Vec<(SlotId, Formula)> =
                    els.elements.iter().map(|e| (e.slot, e.present)).collect();
                // Absent: no element. Present as one value: exactly the first.
                let mut wf = vec![order];
                let absent = self.p.not(present);
                for &(_, pe) in &elements {
                    let npe = self.p.not(pe);
                    wf.push(self.p.formulas.implies(absent, npe));
                }
                let nlisted = self.p.not(listed);
                let single = self.p.and(present, nlisted);
                for (i, &(_, pe)) in elements.iter().enumerate() {
                    let want = if i == 0 { pe } else { self.p.not(pe) };
                    wf.push(self.p.formulas.implies(single, want));
                }
                let wf = self.p.formulas.all(wf);
                self.side.push(wf);
                let first = elements
                    .first()
                    .map_or_else(|| self.p.slot(written.clone()), |e| e.0);
                Key {
                    written,
                    present,
                    listed,
                    first,
                    elements,
                    documented,
                    derived: false,
                }
            } else {
                let first = self.p.slot(written.clone());
                Key {
                    written,
                    present,
                    listed: Formula::FALSE,
                    first,
                    elements: Vec::new(),
                    documented: false,
                    derived: false,
                }
            }
        };
        self.keys.insert(lower.to_string(), key.clone());
        key
    }

    /// The keys derived from the caller that the question reads, with the links between
    /// them: a fresh IAM caller's principal ARN carries its account and, for a user, its
    /// name; and when the caller's fresh account is the resource's, the resource ARN
    /// carries it too. The principal ARN brings the account key along, so that each link
    /// goes through one variable.
    fn derived_keys(&mut self) {
        let mut wanted: Vec<&str> = DERIVED
            .iter()
            .copied()
            .filter(|k| self.usage.contains_key(*k))
            .collect();
        if wanted.contains(&"aws:principalarn") && !wanted.contains(&"aws:principalaccount") {
            wanted.push("aws:principalaccount");
        }
        for k in &wanted {
            let written = self
                .usage
                .get(*k)
                .map_or_else(|| (*k).to_string(), |u| u.0.clone());
            let key = self.derived_key(k, &written);
            self.keys.insert((*k).to_string(), key);
        }
        let slot = |e: &Self, k: &str| e.keys.get(k).map(|k| k.first);
        let (arn, account, name) = (
            slot(self, "aws:principalarn"),
            slot(self, "aws:principalaccount"),
            slot(self, "aws:username"),
        );
        if let Some(arn) = arn {
            for case in self.cases.clone() {
                let CaseKind::Fresh {
                    kind,
                    account: named,
                } = &case.kind
                else {
                    continue;
                };
                let (svc, resource) = match kind {
                    PrincipalKind::User => ("iam", ":user/*"),
                    PrincipalKind::Role | PrincipalKind::AssumedRole => ("iam", ":role/*"),
                    PrincipalKind::FederatedUser => ("sts", ":federated-user/*"),
                    _ => ("iam", ":root"),
                };
                let acct = match (named, account) {
                    (None, Some(a)) => Some(TplPart::Var(a)),
                    _ => None,
                };
                let user = name.filter(|_| *kind == PrincipalKind::User);
                if acct.is_none() && user.is_none() {
                    continue;
                }
                let mut parts = vec![TplPart::Text(format!("arn:*:{svc}::"))];
                parts.push(
                    acct.unwrap_or_else(|| {
                        TplPart::Text(named.clone().unwrap_or_else(|| "*".into()))
                    }),
                );
                match user {
                    // The name is the last segment of the ARN.
                    Some(u) => {
                        parts.push(TplPart::Text(":user*/".into()));
                        parts.push(TplPart::Var(u));
                    }
                    None => parts.push(TplPart::Text(resource.into())),
                }
                let link = self.p.template(
                    arn,
                    Tpl {
                        mode: TemplateMode::Arn,
                        parts,
                    },
                );
                let c = self.p.formulas.implies(case.flag, link);
                self.side.push(c);
            }
        }
        if let Some(a) = account {
            let link = match self.fixed_resource.clone() {
                Some(r) => match crate::value::arn::split_arn(&r) {
                    Some(parts) => self.literal(a, parts.account),
                    None => Formula::FALSE,
                },
                None => {
                    let r = self.resource;
                    self.p.template(
                        r,
                        Tpl {
                            mode: TemplateMode::Arn,
                            parts: vec![
                                TplPart::Text("arn:*:*:*:".into()),
                                TplPart::Var(a),
                                TplPart::Text(":*".into()),
                            ],
                        },
                    )
                }
            };
            let c = self.p.formulas.implies(self.same_fresh, link);
            self.side.push(c);
        }
    }

    /// A key derived from the caller: present in the cases that derive it, and there
    /// holding exactly the values a caller of the case can give it.
    fn derived_key(&mut self, lower: &str, written: &str) -> Key {
        let slot = self.p.slot(written.to_string());
        let mut present = Vec::new();
        let cases = self.cases.clone();
        for case in &cases {
            let (here, constraint) = self.derived_value(lower, slot, &case.kind);
            if here {
                present.push(case.flag);
                let c = self.p.formulas.implies(case.flag, constraint);
                self.side.push(c);
            }
        }
        let present = self.p.formulas.any(present);
        let key = Key {
            written: written.to_string(),
            present,
            listed: Formula::FALSE,
            first: slot,
            elements: Vec::new(),
            documented: false,
            derived: true,
        };
        // Links between the slots of one caller, when both are read.
        key
    }

    /// Whether the key is derived for callers of the case, and what its value is then.
    fn derived_value(&mut self, lower: &str, slot: SlotId, case: &CaseKind) -> (bool, Formula) {
        match case {
            CaseKind::Named(p) => match derived_of(p, lower) {
                Some(v) => (true, self.literal(slot, &v)),
                None => (false, Formula::TRUE),
            },
            CaseKind::Fresh { kind, account } => {
                let kind = *kind;
                match lower {
                    "aws:principalarn" => {
                        (true, self.principal_arn(slot, kind, account.as_deref()))
                    }
                    "aws:principalaccount" => (true, self.account_value(slot, account.as_deref())),
                    "aws:principalisawsservice" => (true, self.literal(slot, "false")),
                    "aws:principaltype" => {
                        let t = principal_type(kind).unwrap_or_default();
                        (true, self.literal(slot, t))
                    }
                    "aws:username" if kind == PrincipalKind::User => {
                        let one = self.glob(slot, "?*");
                        let slash = self.glob(slot, "*/*");
                        let ns = self.p.not(slash);
                        (true, self.p.and(one, ns))
                    }
                    _ => (false, Formula::TRUE),
                }
            }
            CaseKind::FreshService => match lower {
                "aws:principalisawsservice" => (true, self.literal(slot, "true")),
                "aws:principalservicename" => {
                    let mut c = vec![self.glob(slot, "?*")];
                    for s in self.services.clone() {
                        let named = self.lang(slot, Lang::Special(Special::AsciiCaseless(s)));
                        c.push(self.p.not(named));
                    }
                    (true, self.p.formulas.all(c))
                }
                _ => (false, Formula::TRUE),
            },
            CaseKind::FreshProvider | CaseKind::FreshCanonical => (false, Formula::TRUE),
        }
    }

    /// The principal ARN of a fresh IAM caller: every string a caller of that kind and
    /// account has as `aws:PrincipalArn`, and none a named caller has.
    fn principal_arn(
        &mut self,
        slot: SlotId,
        kind: PrincipalKind,
        account: Option<&str>,
    ) -> Formula {
        let acct = match account {
            Some(a) => Part::Literal(a),
            None => Part::Wild("*"),
        };
        let mut c = Vec::new();
        match kind {
            PrincipalKind::User | PrincipalKind::Role => {
                let res = if kind == PrincipalKind::User {
                    ":user/*"
                } else {
                    ":role/*"
                };
                c.push(self.arn(slot, &[Part::Wild("arn:*:iam::"), acct, Part::Wild(res)]));
                // The name, after the last slash, is not empty.
                let empty = self.glob(slot, "*/");
                c.push(self.p.not(empty));
            }
            PrincipalKind::AssumedRole => {
                c.push(self.arn(
                    slot,
                    &[Part::Wild("arn:*:iam::"), acct, Part::Wild(":role/?*")],
                ));
                let path = self.arn(slot, &[Part::Wild("arn:*:iam::*:role/*/*")]);
                c.push(self.p.not(path));
            }
            PrincipalKind::FederatedUser => {
                c.push(self.arn(
                    slot,
                    &[
                        Part::Wild("arn:*:sts::"),
                        acct,
                        Part::Wild(":federated-user/?*"),
                    ],
                ));
                let path = self.arn(slot, &[Part::Wild("arn:*:sts::*:federated-user/*/*")]);
                c.push(self.p.not(path));
            }
            PrincipalKind::Root => {
                c.push(self.arn(
                    slot,
                    &[Part::Wild("arn:*:iam::"), acct, Part::Wild(":root")],
                ));
            }
            _ => return Formula::FALSE,
        }
        if account.is_none() {
            c.push(self.lang(slot, Lang::Special(Special::ArnWithAccountId)));
            for a in self.accounts.clone() {
                let named = self.arn(
                    slot,
                    &[
                        Part::Wild("arn:*:*:*:"),
                        Part::Literal(&a),
                        Part::Wild(":*"),
                    ],
                );
                c.push(self.p.not(named));
            }
        }
        // Named users and federated users are cases of their own.
        for p in self.named.clone() {
            if p.kind() == kind
                && matches!(kind, PrincipalKind::User | PrincipalKind::FederatedUser)
            {
                let named = self.literal(slot, p.id());
                c.push(self.p.not(named));
            }
        }
        self.p.formulas.all(c)
    }

    fn account_value(&mut self, slot: SlotId, account: Option<&str>) -> Formula {
        match account {
            Some(a) => self.literal(slot, a),
            None => {
                let mut c = vec![self.lang(slot, Lang::Special(Special::AccountId))];
                for a in self.accounts.clone() {
                    let named = self.literal(slot, &a);
                    c.push(self.p.not(named));
                }
                self.p.formulas.all(c)
            }
        }
    }

    // -----------------------------------------------------------------------------
    // Conditions

    /// One condition key under one operator.
    pub(crate) fn condition(
        &mut self,
        op: ConditionOperator,
        entry: &ConditionEntry,
    ) -> Judged<Formula> {
        let lower = entry.key().to_lowercase();
        let key = self.key(&lower);
        if let TypedValues::Null(values) = &entry.typed {
            let state = KeyState {
                present: key.present,
                listed: key.listed,
                matched: Formula::FALSE,
                unmatched: Formula::FALSE,
                unreadable: Formula::FALSE,
            };
            return rules::condition(&mut self.p, op, Some(values), key.documented, state);
        }
        let elements: Vec<(SlotId, Formula)> = if key.elements.is_empty() {
            vec![(key.first, Formula::TRUE)]
        } else {
            key.elements.clone()
        };
        let mut matched = Vec::new();
        let mut unmatched = Vec::new();
        let mut unreadable = Vec::new();
        for (slot, pe) in elements {
            let (m, readable) = self.matches_any(op, &entry.typed, slot);
            let ok = self.p.and(pe, readable);
            let here = self.p.and(ok, m);
            matched.push(here);
            let nm = self.p.not(m);
            let miss = self.p.and(ok, nm);
            unmatched.push(miss);
            let bad = self.p.not(readable);
            let bad = self.p.and(pe, bad);
            unreadable.push(bad);
        }
        let state = KeyState {
            present: key.present,
            listed: key.listed,
            matched: self.p.formulas.any(matched),
            unmatched: self.p.formulas.any(unmatched),
            unreadable: self.p.formulas.any(unreadable),
        };
        rules::condition(&mut self.p, op, None, key.documented && !key.derived, state)
    }

    /// Whether the value in `slot` matches one of the policy values under the
    /// operator's positive comparison, and whether the operator can read it.
    fn matches_any(
        &mut self,
        op: ConditionOperator,
        values: &TypedValues,
        slot: SlotId,
    ) -> (Formula, Formula) {
        let cmp = op.op.comparison();
        match values {
            TypedValues::Str(list) => {
                let case = if cmp == Comparison::EqualsIgnoreCase {
                    Sensitivity::Insensitive
                } else {
                    Sensitivity::Sensitive
                };
                let mode = match cmp {
                    Comparison::Like => TemplateMode::Like,
                    _ => TemplateMode::Equals(case),
                };
                let mut any = Vec::new();
                for t in list {
                    let f = if t.has_vars() {
                        self.template(slot, t, mode)
                    } else {
                        let pat = string_pattern(cmp, case, t.static_parts());
                        self.lang(slot, Lang::Pattern(pat))
                    };
                    any.push(f);
                }
                (self.p.formulas.any(any), Formula::TRUE)
            }
            TypedValues::Num(list) => {
                let any: Vec<Formula> = list
                    .iter()
                    .map(|n| match order(cmp) {
                        Some(c) => self.p.number(slot, c, *n),
                        None => Formula::FALSE,
                    })
                    .collect();
                let m = self.p.formulas.any(any);
                (m, self.p.reads(slot, Family::Number))
            }
            TypedValues::Date(list) => {
                let any: Vec<Formula> = list
                    .iter()
                    .map(|d| match order(cmp) {
                        Some(c) => self.p.date(slot, c, *d),
                        None => Formula::FALSE,
                    })
                    .collect();
                let m = self.p.formulas.any(any);
                (m, self.p.reads(slot, Family::Date))
            }
            TypedValues::Ip(list) => {
                let any: Vec<Formula> = list.iter().map(|n| self.p.in_net(slot, *n)).collect();
                let m = self.p.formulas.any(any);
                (m, self.p.reads(slot, Family::Ip))
            }
            TypedValues::Binary(list) => {
                let any: Vec<Formula> = list
                    .iter()
                    .map(|b| self.lang(slot, Lang::Binary(b.to_vec())))
                    .collect();
                let m = self.p.formulas.any(any);
                (m, self.p.reads(slot, Family::Base64))
            }
            TypedValues::Arn(list) => {
                let mut any = Vec::new();
                for v in list {
                    any.push(match v {
                        ArnValue::Any => Formula::TRUE,
                        ArnValue::Fixed(p) => self.lang(slot, Lang::Arn(p.clone())),
                        ArnValue::Template(t) => self.template(slot, t, TemplateMode::Arn),
                    });
                }
                let m = self.p.formulas.any(any);
                (m, self.p.reads(slot, Family::Arn))
            }
            TypedValues::Bool(list) => {
                let mut any = Vec::new();
                let mut readable = vec![self.p.reads(slot, Family::Bool)];
                for v in list {
                    match v {
                        BoolValue::Fixed(b) => any.push(self.lang(slot, Lang::Bool(*b))),
                        BoolValue::Template(t) => {
                            let (m, ok) = self.bool_template(slot, t);
                            any.push(m);
                            readable.push(ok);
                        }
                    }
                }
                let m = self.p.formulas.any(any);
                (m, self.p.formulas.all(readable))
            }
            TypedValues::Null(_) => (Formula::FALSE, Formula::TRUE),
        }
    }

    /// A `Bool` value that is one variable: whether the request value in `slot` equals
    /// it, and whether the substituted text reads as a boolean (else the condition
    /// cannot be judged). A variable without a value matches nothing.
    fn bool_template(&mut self, slot: SlotId, t: &Template) -> (Formula, Formula) {
        let [TemplatePart::Var(v)] = t.parts() else {
            let m = self.approx("a `Bool` value mixing text and variables");
            let r = self.approx("a `Bool` value mixing text and variables");
            return (m, r);
        };
        let var = self.key(&v.lower);
        let avail = self.available(&var);
        let same = |e: &mut Self, b: bool| {
            let x = e.lang(var.first, Lang::Bool(b));
            let y = e.lang(slot, Lang::Bool(b));
            e.p.and(x, y)
        };
        let t_ = same(self, true);
        let f_ = same(self, false);
        let eq = self.p.or(t_, f_);
        let mut m = self.p.and(avail, eq);
        let reads = self.p.reads(var.first, Family::Bool);
        let nreads = self.p.not(reads);
        let bad = self.p.and(avail, nreads);
        if let Some(d) = &v.default {
            let missing = self.p.not(var.present);
            match crate::value::parse_bool(d) {
                Some(b) => {
                    let y = self.lang(slot, Lang::Bool(b));
                    let here = self.p.and(missing, y);
                    m = self.p.or(m, here);
                }
                None => {
                    let bad2 = self.p.or(bad, missing);
                    let ok = self.p.not(bad2);
                    return (m, ok);
                }
            }
        }
        (m, self.p.not(bad))
    }

    /// The key's single value can be substituted: it is present and not a list.
    fn available(&mut self, key: &Key) -> Formula {
        let single = self.p.not(key.listed);
        self.p.and(key.present, single)
    }

    /// Whether the string in `slot` matches `t` once its variables are substituted: a
    /// variable takes the request's single value of its key, or its default when the key
    /// is missing; a missing key without a default, or a list, makes the value match
    /// nothing.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>
    fn template(&mut self, slot: SlotId, t: &Template, mode: TemplateMode) -> Formula {
        let mut vars: Vec<(String, Option<String>)> = Vec::new();
        for v in t.variables() {
            if !vars.iter().any(|(k, _)| *k == *v.lower) {
                vars.push((
                    v.lower.to_string(),
                    v.default.as_deref().map(str::to_string),
                ));
            }
        }
        if vars.len() > MAX_VARIABLES {
            return self.approx("a value with more than four policy variables");
        }
        let keys: Vec<Key> = vars.iter().map(|(k, _)| self.key(k)).collect();
        let mut out = Vec::new();
        // Each variable: its value (when available) or its default (when missing).
        for choice in 0u32..(1 << vars.len()) {
            let mut when = Vec::new();
            let mut ok = true;
            for (i, ((_, default), key)) in vars.iter().zip(&keys).enumerate() {
                if choice & (1 << i) == 0 {
                    when.push(self.available(key));
                } else if default.is_some() {
                    when.push(self.p.not(key.present));
                } else {
                    ok = false;
                }
            }
            if !ok {
                continue;
            }
            let mut parts = Vec::new();
            for part in t.parts() {
                parts.push(match part {
                    TemplatePart::Text(x) => TplPart::Text(x.to_string()),
                    TemplatePart::Literal(x) => TplPart::Literal((*x).to_string()),
                    TemplatePart::Var(v) => {
                        let i = vars.iter().position(|(k, _)| *k == *v.lower).unwrap_or(0);
                        let Some(key) = keys.get(i) else { continue };
                        match (
                            choice & (1 << i) == 0,
                            vars.get(i).and_then(|x| x.1.clone()),
                        ) {
                            (true, _) => TplPart::Var(key.first),
                            (false, Some(d)) => TplPart::Literal(d),
                            (false, None) => TplPart::Literal(String::new()),
                        }
                    }
                });
            }
            let tpl = Tpl { mode, parts };
            let atom = if tpl.vars().next().is_none() {
                match tpl.resolve(&mut |_| String::new()) {
                    Some(lang) => self.lang(slot, lang),
                    None => Formula::FALSE,
                }
            } else if let (
                TemplateMode::Like | TemplateMode::Equals(Sensitivity::Sensitive),
                [TplPart::Var(v)],
            ) = (mode, tpl.parts.as_slice())
            {
                // A whole-value variable is equality with the variable's slot.
                self.p.equal(slot, *v)
            } else {
                self.p.template(slot, tpl)
            };
            when.push(atom);
            out.push(self.p.formulas.all(when));
        }
        self.p.formulas.any(out)
    }

    // -----------------------------------------------------------------------------
    // Principals

    /// How a statement's `Principal` element names the caller: each grant with when it
    /// is the one the element makes.
    fn principal(
        &mut self,
        set: &PolicySet,
        m: &PrincipalMatcher,
        effect: Effect,
    ) -> Vec<(Option<Grant>, Formula)> {
        let (everyone, entries) = m.entries();
        if everyone && !m.is_negated() {
            return vec![(Some(Grant::Limited), Formula::TRUE)];
        }
        let mut direct = Vec::new();
        let mut limited = Vec::new();
        let mut account = Vec::new();
        for case in self.cases.clone() {
            let kind = case.kind.kind();
            let has_boundary = Applicable::of(set, kind).has_boundary;
            let (d, l, a) = match &case.kind {
                CaseKind::Named(p) => {
                    let g = m.matches(p, effect, has_boundary);
                    (
                        self.p.constant(g == Some(Grant::Direct)),
                        self.p.constant(g == Some(Grant::Limited)),
                        self.p.constant(g == Some(Grant::Account)),
                    )
                }
                fresh if m.is_negated() => {
                    let applies = if effect == Effect::Deny && has_boundary {
                        Formula::TRUE
                    } else {
                        let listed: Vec<Formula> = identities(kind)
                            .iter()
                            .map(|id| {
                                let each: Vec<Formula> =
                                    entries.iter().map(|e| self.lists(e, *id, fresh)).collect();
                                self.p.formulas.any(each)
                            })
                            .collect();
                        match effect {
                            Effect::Deny => {
                                let all = self.p.formulas.all(listed);
                                self.p.not(all)
                            }
                            Effect::Allow => {
                                let any = self.p.formulas.any(listed);
                                self.p.not(any)
                            }
                        }
                    };
                    (Formula::FALSE, applies, Formula::FALSE)
                }
                fresh => {
                    let mut d = Vec::new();
                    let mut l = Vec::new();
                    let mut a = Vec::new();
                    for e in entries {
                        let (names, grant) = self.names(e, fresh);
                        match grant {
                            Grant::Direct => d.push(names),
                            Grant::Limited => l.push(names),
                            Grant::Account => a.push(names),
                        }
                    }
                    // The strongest grant counts, as the evaluator takes the largest.
                    let d = self.p.formulas.any(d);
                    let nd = self.p.not(d);
                    let l = self.p.formulas.any(l);
                    let l = self.p.and(l, nd);
                    let nl = self.p.not(l);
                    let a = self.p.formulas.any(a);
                    let a = self.p.formulas.all([a, nd, nl]);
                    (d, l, a)
                }
            };
            let f = case.flag;
            let fd = self.p.and(f, d);
            direct.push(fd);
            let fl = self.p.and(f, l);
            limited.push(fl);
            let fa = self.p.and(f, a);
            account.push(fa);
        }
        vec![
            (Some(Grant::Direct), self.p.formulas.any(direct)),
            (Some(Grant::Limited), self.p.formulas.any(limited)),
            (Some(Grant::Account), self.p.formulas.any(account)),
        ]
    }

    /// Whether an entry names a fresh caller, and how it grants.
    fn names(&mut self, e: &Entry, case: &CaseKind) -> (Formula, Grant) {
        let kind = case.kind();
        match e {
            Entry::Everyone => (Formula::TRUE, Grant::Limited),
            Entry::Account(a) => {
                let iam = kind.is_iam();
                let a = account_text(*a);
                (
                    self.p
                        .constant(iam && a.is_some() && case.account() == a.as_deref()),
                    Grant::Account,
                )
            }
            Entry::Role { account, name } => {
                (self.role_named(*account, name, case), Grant::Limited)
            }
            // Callers these name are cases of their own.
            Entry::User { .. }
            | Entry::Session { .. }
            | Entry::FederatedUser { .. }
            | Entry::Service(_)
            | Entry::Provider(_)
            | Entry::Canonical(_)
            | Entry::Unmatched => (Formula::FALSE, Grant::Direct),
        }
    }

    /// Whether a fresh caller is a role (or a session of a role) of this account and
    /// name.
    fn role_named(&mut self, account: Option<u64>, name: &str, case: &CaseKind) -> Formula {
        let kind = case.kind();
        let Some(account) = account_text(account) else {
            return Formula::FALSE;
        };
        let account = account.as_str();
        if !matches!(kind, PrincipalKind::Role | PrincipalKind::AssumedRole)
            || case.account() != Some(account)
        {
            return Formula::FALSE;
        }
        let arn = self.key("aws:principalarn").first;
        let last = self.arn(
            arn,
            &[
                Part::Wild("arn:*:iam::"),
                Part::Literal(account),
                Part::Wild(":role/"),
                Part::Literal(name),
            ],
        );
        if kind == PrincipalKind::AssumedRole {
            return last;
        }
        let pathed = self.arn(
            arn,
            &[
                Part::Wild("arn:*:iam::"),
                Part::Literal(account),
                Part::Wild(":role/*/"),
                Part::Literal(name),
            ],
        );
        self.p.or(last, pathed)
    }

    /// Whether a `NotPrincipal` entry lists one identity of a fresh caller.
    fn lists(&mut self, e: &Entry, id: Identity, case: &CaseKind) -> Formula {
        match (e, id) {
            (Entry::Everyone, _) => Formula::TRUE,
            (Entry::Account(a), Identity::Account) => {
                let a = account_text(*a);
                self.p
                    .constant(a.is_some() && case.account() == a.as_deref())
            }
            (Entry::Role { account, name }, Identity::Role) => {
                self.role_named(*account, name, case)
            }
            _ => Formula::FALSE,
        }
    }

    // -----------------------------------------------------------------------------
    // Statements and the decision

    /// A statement's `Action` and `Resource`, without principal or conditions.
    fn covers(&mut self, actions: &Actions, resources: &Resources) -> Formula {
        let a = match actions {
            Actions::Action(list) => {
                let any: Vec<Formula> = list.iter().map(|p| self.action_in(p)).collect();
                self.p.formulas.any(any)
            }
            Actions::NotAction(list) => {
                let any: Vec<Formula> = list.iter().map(|p| self.action_in(p)).collect();
                let any = self.p.formulas.any(any);
                self.p.not(any)
            }
        };
        let in_list = |e: &mut Self, list: &[ResourcePattern]| {
            let any: Vec<Formula> = list
                .iter()
                .map(|p| match p {
                    ResourcePattern::Fixed(p) => e.resource_in(p),
                    ResourcePattern::Template(t) => {
                        let r = e.resource;
                        if let Some(fixed) = e.fixed_resource.clone() {
                            // A fixed resource is decided without atoms, so nothing else
                            // ties its slot: without this, the template could match
                            // another resource.
                            let pin = e.literal(r, &fixed);
                            e.side.push(pin);
                        }
                        e.template(r, t, TemplateMode::Like)
                    }
                })
                .collect();
            e.p.formulas.any(any)
        };
        let r = match resources {
            Resources::Attached => Formula::TRUE,
            Resources::Resource(list) => in_list(self, list),
            Resources::NotResource(list) => {
                let any = in_list(self, list);
                self.p.not(any)
            }
        };
        self.p.and(a, r)
    }

    /// The decision of `set` on the request space's requests.
    pub(crate) fn decision(&mut self, set: &PolicySet) -> Decided<Formula> {
        let mut filed = Filed::new(&mut self.p);
        let mut owned: Vec<(Formula, String)> = Vec::new();
        let sources: Vec<_> = set
            .sources()
            .map(|(kind, _, account, policy)| (kind, account.map(str::to_string), policy))
            .collect();
        for (kind, account, policy) in sources {
            let applies_kind = self.cases_where(|c| Applicable::of(set, c.kind()).kind(kind));
            let mut covers_any = Vec::new();
            for s in policy.statements() {
                let actions = Actions::compile(s.action());
                let resources = Resources::compile(s);
                let covers = self.covers(&actions, &resources);
                if kind == PolicyKind::Resource && account.is_some() {
                    covers_any.push(covers);
                }
                if covers == Formula::FALSE || applies_kind == Formula::FALSE {
                    continue;
                }
                let grants = match s.principal() {
                    None => vec![(None, Formula::TRUE)],
                    Some(spec) => {
                        let m = PrincipalMatcher::compile(spec);
                        self.principal(set, &m, s.effect())
                    }
                };
                let named: Vec<Formula> = grants.iter().map(|g| g.1).collect();
                let named = self.p.formulas.any(named);
                let guard = self.p.formulas.all([covers, named, applies_kind]);
                if guard == Formula::FALSE {
                    continue;
                }
                let mut conditions = Judged::tt(&mut self.p);
                for b in s.condition() {
                    for entry in b.entries() {
                        let c = self.condition(b.operator(), entry);
                        conditions = Judged::and(&mut self.p, conditions, c);
                    }
                }
                let applies = Judged::when(&mut self.p, guard, conditions);
                filed.file(&mut self.p, kind, s.effect(), applies, &grants);
            }
            if let Some(a) = account {
                if kind == PolicyKind::Resource {
                    let c = self.p.formulas.any(covers_any);
                    owned.push((c, a));
                }
            }
        }
        let premises = self.premises(set, &filed, &owned);
        let conclusion: Decided<Formula> = decision_rules(&mut self.p, &premises);
        // Slots the decision created constrain the space too.
        let side = std::mem::take(&mut self.side);
        let side = self.p.formulas.all(side);
        self.space = self.p.and(self.space, side);
        conclusion
    }

    fn premises(
        &mut self,
        set: &PolicySet,
        filed: &Filed<Formula>,
        owned: &[(Formula, String)],
    ) -> Premises<Formula> {
        let iam = self.cases_where(|c| c.kind().is_iam());
        let root = self.cases_where(|c| c.kind() == PrincipalKind::Root);
        let gate = |e: &mut Self, in_force: &dyn Fn(&Applicable) -> bool, allows: Formula| {
            let f = e.cases_where(|c| in_force(&Applicable::of(set, c.kind())));
            let nf = e.p.not(f);
            e.p.or(nf, allows)
        };
        let boundary = gate(self, &|a| a.has_boundary, filed.boundary);
        let session = gate(self, &|a| a.has_session, filed.session);
        let scp = gate(self, &|a| a.has_scp, filed.scp);
        let kms = self.resource_arn(&[Part::Wild("arn:*:kms:*:*:*")]);
        let assume_action: Vec<Formula> = ASSUME_ROLE_ACTIONS
            .iter()
            .map(|a| self.action_in(&Pattern::literal(a, Sensitivity::Sensitive)))
            .collect();
        let assume_action = self.p.formulas.any(assume_action);
        let role = self.resource_arn(&[Part::Wild("arn:*:iam:*:*:role/*")]);
        let trust = self.p.constant(set.has_trust_policy());
        let governed = self.p.or(role, trust);
        let assume_role = self.p.and(assume_action, governed);
        let cross_account = self.cross_account(set, owned);
        Premises {
            explicit_deny: filed.deny,
            unjudged_deny: filed.unjudged_deny,
            iam,
            root,
            identity: filed.identity,
            boundary,
            session,
            scp,
            direct: filed.direct,
            limited: filed.limited,
            account: filed.account,
            cross_account,
            kms,
            assume_role,
        }
    }

    /// The resource's owner is known and is not the caller's account. The owner is the
    /// account given with the first owned resource policy that covers the request, else
    /// the resource ARN's account, else the shape's, else the one given with any
    /// resource policy, else the caller's (as `PolicySet::evaluate` takes it).
    fn cross_account(&mut self, set: &PolicySet, owned: &[(Formula, String)]) -> Formula {
        let mut cross = Vec::new();
        let mut none_before = Formula::TRUE;
        if set.default_owner().is_some() {
            for (covers, account) in owned {
                let here = self.p.and(none_before, *covers);
                let differs = self.differs_from(account);
                cross.push(self.p.and(here, differs));
                let nc = self.p.not(*covers);
                none_before = self.p.and(none_before, nc);
            }
        }
        let arn_account = self.resource_arn(&[Part::Wild("arn:*:*:*:?*:*")]);
        let differs = self.differs_from_arn();
        cross.push(self.p.formulas.all([none_before, arn_account, differs]));
        let fallback = self
            .shape
            .resource_account
            .clone()
            .or_else(|| set.default_owner().map(str::to_string));
        if let Some(owner) = fallback {
            let differs = self.differs_from(&owner);
            let no_arn = self.p.not(arn_account);
            cross.push(self.p.formulas.all([none_before, no_arn, differs]));
        }
        self.p.formulas.any(cross)
    }

    /// The caller's account is not `owner`.
    fn differs_from(&mut self, owner: &str) -> Formula {
        let flags: Vec<Formula> = self
            .cases
            .iter()
            .filter(|c| match c.kind.account() {
                Some(a) => a != owner,
                None => c.kind.fresh_account(),
            })
            .map(|c| c.flag)
            .collect();
        self.p.formulas.any(flags)
    }

    /// The caller's account is not the resource ARN's.
    fn differs_from_arn(&mut self) -> Formula {
        let mut out = Vec::new();
        for c in self.cases.clone() {
            let d = match c.kind.account() {
                Some(a) => {
                    let same = self.resource_arn(&[
                        Part::Wild("arn:*:*:*:"),
                        Part::Literal(a),
                        Part::Wild(":*"),
                    ]);
                    self.p.not(same)
                }
                None if c.kind.fresh_account() => self.p.not(self.same_fresh),
                None => continue,
            };
            out.push(self.p.and(c.flag, d));
        }
        self.p.formulas.any(out)
    }
}

/// Exactly one of the flags is true (a sequential counter: linear in their number).
fn exactly_one(p: &mut Problem, flags: &[Formula]) -> Formula {
    let mut parts = vec![p.formulas.any(flags.iter().copied())];
    let mut seen = Formula::FALSE;
    for &f in flags {
        let both = p.and(seen, f);
        parts.push(p.not(both));
        seen = p.or(seen, f);
    }
    p.formulas.all(parts)
}

fn order(cmp: Comparison) -> Option<Cmp> {
    match cmp {
        Comparison::Equals => Some(Cmp::Eq),
        Comparison::LessThan => Some(Cmp::Lt),
        Comparison::LessThanEquals => Some(Cmp::Le),
        Comparison::GreaterThan => Some(Cmp::Gt),
        Comparison::GreaterThanEquals => Some(Cmp::Ge),
        Comparison::EqualsIgnoreCase
        | Comparison::Like
        | Comparison::InRange
        | Comparison::Presence => None,
    }
}

/// Whether `a` is a 12-digit account id.
pub(crate) fn is_account_id(a: &str) -> bool {
    crate::value::arn::account_number(a).is_some()
}

/// What `aws:PrincipalType` is for a kind of caller.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltype>
fn principal_type(kind: PrincipalKind) -> Option<&'static str> {
    match kind {
        PrincipalKind::User => Some("User"),
        PrincipalKind::Role | PrincipalKind::AssumedRole => Some("AssumedRole"),
        PrincipalKind::FederatedUser => Some("FederatedUser"),
        PrincipalKind::Root => Some("Account"),
        PrincipalKind::Anonymous => Some("Anonymous"),
        PrincipalKind::Service | PrincipalKind::WebIdentity | PrincipalKind::CanonicalUser => None,
    }
}

/// The value the request builder derives for a key from this caller.
pub(crate) fn derived_of(p: &Principal, lower: &str) -> Option<String> {
    let r = Request::builder()
        .principal_value(p.clone())
        .action("iam:GetUser")
        .resource("*")
        .build()
        .ok()?;
    r.context()
        .get(lower)
        .and_then(|v| v.single())
        .map(str::to_string)
}

/// The identities a caller presents to a `NotPrincipal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Identity {
    Own,
    Role,
    Account,
}

fn identities(kind: PrincipalKind) -> &'static [Identity] {
    match kind {
        PrincipalKind::User | PrincipalKind::FederatedUser => &[Identity::Own, Identity::Account],
        PrincipalKind::Role => &[Identity::Role, Identity::Account],
        PrincipalKind::AssumedRole => &[Identity::Own, Identity::Role, Identity::Account],
        PrincipalKind::Root => &[Identity::Account],
        _ => &[Identity::Own],
    }
}

/// A `Principal` entry's account as its 12 digits; `None` for an entry that names no
/// account (text that is no 12-digit number names no caller).
fn account_text(account: Option<u64>) -> Option<String> {
    account.map(|a| format!("{a:012}"))
}
