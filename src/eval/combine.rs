//! How the statements' outcomes combine into the facts the decision reads, written once
//! for the evaluator and the analysis: which fact a statement that applies counts
//! towards, by its effect, its policy's kind and how it names the caller ([`bucket`]);
//! and, for any [`Logic`], the disjunction per fact ([`Filed`]).

use crate::compile::rules::Judged;
use crate::compile::Grant;
use crate::logic::Logic;
use crate::policy::{Effect, PolicyKind};

/// The fact a statement that applies counts towards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bucket {
    /// A `Deny`, in a policy of any kind (RCPs included).
    Deny,
    /// An `Allow` in an identity-based policy.
    Identity,
    /// An `Allow` in the permissions boundary.
    Boundary,
    /// An `Allow` in the session policy.
    Session,
    /// An `Allow` in an SCP.
    Scp,
    /// An `Allow` in a resource-based policy naming the caller's user or session ARN, a
    /// service, provider or canonical user, or without a `Principal`.
    Direct,
    /// An `Allow` in a resource-based policy naming the caller's role, `"*"`, or through
    /// `NotPrincipal`.
    Limited,
    /// An `Allow` in a resource-based policy naming the caller's account.
    Account,
}

/// Where a statement that applies is filed; `None` when it counts for nothing (an
/// `Allow` in an RCP: RCPs restrict only through `Deny`).
#[inline]
pub(crate) fn bucket(kind: PolicyKind, effect: Effect, grant: Option<Grant>) -> Option<Bucket> {
    if effect == Effect::Deny {
        return Some(Bucket::Deny);
    }
    Some(match (kind, grant) {
        (PolicyKind::Identity, _) => Bucket::Identity,
        (PolicyKind::Boundary, _) => Bucket::Boundary,
        (PolicyKind::Session, _) => Bucket::Session,
        (PolicyKind::Scp, _) => Bucket::Scp,
        (PolicyKind::Rcp, _) => return None,
        (PolicyKind::Resource, Some(Grant::Limited)) => Bucket::Limited,
        (PolicyKind::Resource, Some(Grant::Account)) => Bucket::Account,
        // A statement without a principal grants directly (the statement applies, so a
        // principal element that is there matched).
        (PolicyKind::Resource, Some(Grant::Direct) | None) => Bucket::Direct,
    })
}

/// Each fact as the disjunction of the statements filed under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filed<B> {
    /// A `Deny` applies.
    pub(crate) deny: B,
    /// A `Deny` could not be judged.
    pub(crate) unjudged_deny: B,
    /// Per [`Bucket`] of an `Allow`: one applies.
    pub(crate) identity: B,
    /// See [`Bucket::Boundary`].
    pub(crate) boundary: B,
    /// See [`Bucket::Session`].
    pub(crate) session: B,
    /// See [`Bucket::Scp`].
    pub(crate) scp: B,
    /// See [`Bucket::Direct`].
    pub(crate) direct: B,
    /// See [`Bucket::Limited`].
    pub(crate) limited: B,
    /// See [`Bucket::Account`].
    pub(crate) account: B,
}

impl<B: Clone> Filed<B> {
    /// Nothing filed yet.
    pub(crate) fn new<L: Logic<B = B>>(l: &mut L) -> Filed<B> {
        let f = l.ff();
        Filed {
            deny: f.clone(),
            unjudged_deny: f.clone(),
            identity: f.clone(),
            boundary: f.clone(),
            session: f.clone(),
            scp: f.clone(),
            direct: f.clone(),
            limited: f.clone(),
            account: f,
        }
    }

    /// Files one statement of a policy of `kind`: `applies` is its outcome, and `grants`
    /// the ways its `Principal` can name the caller, each with when it does (for a
    /// statement without a `Principal`, `[(None, true)]`). An unjudged `Deny` counts
    /// towards [`Filed::unjudged_deny`]; an unjudged `Allow` grants nothing.
    pub(crate) fn file<L: Logic<B = B>>(
        &mut self,
        l: &mut L,
        kind: PolicyKind,
        effect: Effect,
        applies: Judged<B>,
        grants: &[(Option<Grant>, B)],
    ) {
        if effect == Effect::Deny {
            self.deny = l.or(self.deny.clone(), applies.holds);
            self.unjudged_deny = l.or(self.unjudged_deny.clone(), applies.unjudged);
            return;
        }
        for (grant, when) in grants {
            let Some(b) = bucket(kind, effect, *grant) else {
                continue;
            };
            let slot = match b {
                Bucket::Deny => &mut self.deny,
                Bucket::Identity => &mut self.identity,
                Bucket::Boundary => &mut self.boundary,
                Bucket::Session => &mut self.session,
                Bucket::Scp => &mut self.scp,
                Bucket::Direct => &mut self.direct,
                Bucket::Limited => &mut self.limited,
                Bucket::Account => &mut self.account,
            };
            let holds = l.and(applies.holds.clone(), when.clone());
            *slot = l.or(slot.clone(), holds);
        }
    }
}
