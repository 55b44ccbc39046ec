//! The decision as a pure function of what the statements said.
//!
//! Scanning a set's statements for a request yields its [`Premises`]: which kinds of
//! policy allowed, whether a `Deny` applied, who the caller is, whether the resource is
//! in another account or is a KMS key. [`rules`] turns them into the decision and its
//! reason together, and says which statements to cite, so the reason and the cited
//! statements cannot drift from the decision. It sees no request and no policy set.
//!
//! The premises are fourteen truth values, so the evaluator does not run [`rules`] per
//! request: it gathers the premises as the bits of an index ([`bit`]) and looks the
//! verdict up in [`Rulings`], a table filled once, the first time a set is built, by
//! running [`rules`] on every combination (a test checks every entry against it). The
//! analysis runs the same [`rules`] on formulas.
//!
//! The flow follows "Policy evaluation logic"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>),
//! "Cross-account policy evaluation logic"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>)
//! and the KMS "Key policies" page
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html>).

use super::response::{Decision, Reason};
use crate::logic::{Concrete, Logic, Merge};

/// Whether a policy kind that must allow (an SCP, a permissions boundary, a session
/// policy) is in force for the caller, and whether it allows.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Gate {
    /// No such policy applies to this caller.
    #[default]
    NotInForce,
    /// In force, and one of its statements allows.
    Allows,
    /// In force, and none of its statements allows.
    DoesNotAllow,
}

#[cfg(test)]
impl Gate {
    /// Whether the gate lets an allow through.
    #[inline]
    pub(crate) fn passes(self) -> bool {
        self != Gate::DoesNotAllow
    }
}

/// What the statements of a set say about one request, and who is asking. The
/// evaluator gathers them as the bits of [`Premises::bits`] and looks the decision up
/// in [`Rulings`]; [`decide`] decides them directly, for the tests.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Facts {
    /// A `Deny` statement applies (in any kind of policy, RCPs included).
    pub(crate) explicit_deny: bool,
    /// A `Deny` statement could not be judged (a context value of the wrong type).
    pub(crate) unjudged_deny: bool,
    /// The caller is an IAM principal of an account: a user, a role, a session or the
    /// root user (not anonymous, a service, a provider or a canonical user).
    pub(crate) iam: bool,
    /// The caller is the account root user.
    pub(crate) root: bool,
    /// An identity-based policy allows.
    pub(crate) identity: bool,
    /// The caller's permissions boundary.
    pub(crate) boundary: Gate,
    /// The session policy of the caller's session.
    pub(crate) session: Gate,
    /// The SCPs of the caller's organization.
    pub(crate) scp: Gate,
    /// A resource-based policy allows, naming the caller's user or session ARN, or a
    /// service, provider or canonical user (a direct grant).
    pub(crate) direct: bool,
    /// A resource-based policy allows naming the caller's role, `"*"`, or through a
    /// `NotPrincipal` (a grant that boundaries and session policies still limit).
    pub(crate) limited: bool,
    /// A resource-based policy allows naming the caller's account (which delegates to
    /// the account's identity-based policies).
    pub(crate) account: bool,
    /// The resource's owner is known and is not the caller's account.
    pub(crate) cross_account: bool,
    /// The resource is a KMS key: its key policy must allow.
    pub(crate) kms: bool,
    /// The request assumes a role (`sts:AssumeRole`, `sts:TagSession`, … on a role): the
    /// role's trust policy must allow, and the root user cannot.
    pub(crate) assume_role: bool,
}

/// Which resource-policy grant a decision rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResourceCite {
    /// The direct grant.
    Direct,
    /// The limited grant; `with_limits`: the boundary and session policy that let it
    /// through are cited too.
    Limited { with_limits: bool },
    /// The grant to the caller's account.
    Account,
}

/// A decision, its reason, and the statements to cite, in the order to cite them:
/// denies; the identity side (identity policy, boundary, session policy); one
/// resource-policy grant; the SCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub(crate) decision: Decision,
    pub(crate) reason: Reason,
    pub(crate) cite_denies: bool,
    pub(crate) cite_identity: bool,
    pub(crate) cite_resource: Option<ResourceCite>,
    pub(crate) cite_scp: bool,
}

impl Verdict {
    #[inline]
    fn deny(reason: Reason) -> Verdict {
        Verdict {
            decision: Decision::ImplicitDeny,
            reason,
            cite_denies: false,
            cite_identity: false,
            cite_resource: None,
            cite_scp: false,
        }
    }
    #[inline]
    fn allow(reason: Reason, identity: bool, resource: Option<ResourceCite>) -> Verdict {
        Verdict {
            decision: Decision::Allow,
            reason,
            cite_denies: false,
            cite_identity: identity,
            cite_resource: resource,
            cite_scp: true,
        }
    }
}

/// The premises of the decision as truth values of any [`Logic`]: `bool` for the
/// evaluator, formulas for the analysis. A gate is reduced to whether it lets an allow
/// through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Premises<B> {
    /// A `Deny` statement applies (in any kind of policy, RCPs included).
    pub(crate) explicit_deny: B,
    /// A `Deny` statement could not be judged (a context value of the wrong type).
    pub(crate) unjudged_deny: B,
    /// The caller is an IAM principal of an account: a user, a role, a session or the
    /// root user (not anonymous, a service, a provider or a canonical user).
    pub(crate) iam: B,
    /// The caller is the account root user.
    pub(crate) root: B,
    /// An identity-based policy allows.
    pub(crate) identity: B,
    /// The permissions boundary is not in force, or allows.
    pub(crate) boundary: B,
    /// The session policy is not in force, or allows.
    pub(crate) session: B,
    /// The SCPs are not in force, or allow.
    pub(crate) scp: B,
    /// A resource-based policy allows, naming the caller's user or session ARN, or a
    /// service, provider or canonical user (a direct grant).
    pub(crate) direct: B,
    /// A resource-based policy allows naming the caller's role, `"*"`, or through a
    /// `NotPrincipal` (a grant that boundaries and session policies still limit).
    pub(crate) limited: B,
    /// A resource-based policy allows naming the caller's account (which delegates to
    /// the account's identity-based policies).
    pub(crate) account: B,
    /// The resource's owner is known and is not the caller's account.
    pub(crate) cross_account: B,
    /// The resource is a KMS key: its key policy must allow.
    pub(crate) kms: B,
    /// The request assumes a role (`sts:AssumeRole`, `sts:TagSession`, … on a role): the
    /// role's trust policy must allow, and the root user cannot.
    pub(crate) assume_role: B,
}

#[cfg(test)]
impl Premises<bool> {
    /// The premises of concrete facts.
    #[inline(always)]
    pub(crate) fn of(f: &Facts) -> Premises<bool> {
        Premises {
            explicit_deny: f.explicit_deny,
            unjudged_deny: f.unjudged_deny,
            iam: f.iam,
            root: f.root,
            identity: f.identity,
            boundary: f.boundary.passes(),
            session: f.session.passes(),
            scp: f.scp.passes(),
            direct: f.direct,
            limited: f.limited,
            account: f.account,
            cross_account: f.cross_account,
            kms: f.kms,
            assume_role: f.assume_role,
        }
    }
}

/// What a decision comes to, in the carrier of a [`Logic`]: the evaluator keeps the whole
/// [`Verdict`] (reason and citations included), the analysis only whether the request is
/// allowed and whether it is explicitly denied.
pub(crate) trait Outcome<L: Logic>: Merge<L> {
    /// The outcome of one leaf of the decision.
    fn of(l: &mut L, v: Verdict) -> Self;
}

impl Merge<Concrete> for Verdict {
    #[inline]
    fn merge(_: &mut Concrete, c: bool, a: Verdict, b: Verdict) -> Verdict {
        if c {
            a
        } else {
            b
        }
    }
}

impl Outcome<Concrete> for Verdict {
    #[inline(always)]
    fn of(_: &mut Concrete, v: Verdict) -> Verdict {
        v
    }
}

/// The decision as two truth values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decided<B> {
    /// The decision is allow.
    pub(crate) allow: B,
    /// The decision is an explicit deny.
    pub(crate) explicit_deny: B,
}

impl<L: Logic> Merge<L> for Decided<L::B> {
    fn merge(l: &mut L, c: L::B, a: Self, b: Self) -> Self {
        Decided {
            allow: l.ite(c.clone(), a.allow, b.allow),
            explicit_deny: l.ite(c, a.explicit_deny, b.explicit_deny),
        }
    }
}

impl<L: Logic> Outcome<L> for Decided<L::B> {
    fn of(l: &mut L, v: Verdict) -> Self {
        Decided {
            allow: l.constant(v.decision == Decision::Allow),
            explicit_deny: l.constant(v.decision == Decision::ExplicitDeny),
        }
    }
}

/// Decides a request from its facts.
#[cfg(test)]
pub(crate) fn decide(f: &Facts) -> Verdict {
    rules(&mut Concrete, &Premises::of(f))
}

/// The premises as the bits of an index into the [`Rulings`] table, one bit each. The
/// first seven are the ways of allowing, in the order of the evaluator's slots, so that
/// the bits the scan sets for them are the index's; the gates' bits are set when the
/// gate lets an allow through (not in force, or allows).
pub(crate) mod bit {
    /// [`super::Premises::identity`].
    pub(crate) const IDENTITY: u16 = 1 << 0;
    /// [`super::Premises::boundary`].
    pub(crate) const BOUNDARY: u16 = 1 << 1;
    /// [`super::Premises::session`].
    pub(crate) const SESSION: u16 = 1 << 2;
    /// [`super::Premises::scp`].
    pub(crate) const SCP: u16 = 1 << 3;
    /// [`super::Premises::direct`].
    pub(crate) const DIRECT: u16 = 1 << 4;
    /// [`super::Premises::limited`].
    pub(crate) const LIMITED: u16 = 1 << 5;
    /// [`super::Premises::account`].
    pub(crate) const ACCOUNT: u16 = 1 << 6;
    /// [`super::Premises::explicit_deny`].
    pub(crate) const EXPLICIT_DENY: u16 = 1 << 7;
    /// [`super::Premises::unjudged_deny`].
    pub(crate) const UNJUDGED_DENY: u16 = 1 << 8;
    /// [`super::Premises::iam`].
    pub(crate) const IAM: u16 = 1 << 9;
    /// [`super::Premises::root`].
    pub(crate) const ROOT: u16 = 1 << 10;
    /// [`super::Premises::cross_account`].
    pub(crate) const CROSS_ACCOUNT: u16 = 1 << 11;
    /// [`super::Premises::kms`].
    pub(crate) const KMS: u16 = 1 << 12;
    /// [`super::Premises::assume_role`].
    pub(crate) const ASSUME_ROLE: u16 = 1 << 13;
    /// How many premises there are.
    pub(crate) const COUNT: u32 = 14;
}

/// One entry per combination of premises.
const RULINGS: usize = 1 << bit::COUNT;

impl Premises<bool> {
    /// The premises an index of the [`Rulings`] table stands for.
    pub(crate) fn from_bits(bits: u16) -> Premises<bool> {
        let b = |mask: u16| bits & mask != 0;
        Premises {
            explicit_deny: b(bit::EXPLICIT_DENY),
            unjudged_deny: b(bit::UNJUDGED_DENY),
            iam: b(bit::IAM),
            root: b(bit::ROOT),
            identity: b(bit::IDENTITY),
            boundary: b(bit::BOUNDARY),
            session: b(bit::SESSION),
            scp: b(bit::SCP),
            direct: b(bit::DIRECT),
            limited: b(bit::LIMITED),
            account: b(bit::ACCOUNT),
            cross_account: b(bit::CROSS_ACCOUNT),
            kms: b(bit::KMS),
            assume_role: b(bit::ASSUME_ROLE),
        }
    }

    /// The index of the [`Rulings`] table these premises stand at.
    #[cfg(test)]
    pub(crate) fn bits(&self) -> u16 {
        let b = |on: bool, mask: u16| if on { mask } else { 0 };
        b(self.explicit_deny, bit::EXPLICIT_DENY)
            | b(self.unjudged_deny, bit::UNJUDGED_DENY)
            | b(self.iam, bit::IAM)
            | b(self.root, bit::ROOT)
            | b(self.identity, bit::IDENTITY)
            | b(self.boundary, bit::BOUNDARY)
            | b(self.session, bit::SESSION)
            | b(self.scp, bit::SCP)
            | b(self.direct, bit::DIRECT)
            | b(self.limited, bit::LIMITED)
            | b(self.account, bit::ACCOUNT)
            | b(self.cross_account, bit::CROSS_ACCOUNT)
            | b(self.kms, bit::KMS)
            | b(self.assume_role, bit::ASSUME_ROLE)
    }
}

/// A [`Verdict`] in three bytes: the decision and the reason as they are, the
/// citations packed into one byte. What the [`Rulings`] table holds and a
/// [`super::response::Response`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ruling {
    pub(crate) decision: Decision,
    pub(crate) reason: Reason,
    /// [`cite`] bits.
    cites: u8,
}

/// The bits of [`Ruling::cites`].
mod cite {
    pub(super) const DENIES: u8 = 1 << 0;
    pub(super) const IDENTITY: u8 = 1 << 1;
    pub(super) const SCP: u8 = 1 << 2;
    /// The resource grant cited, in bits 3 to 5.
    pub(super) const RESOURCE_SHIFT: u8 = 3;
    pub(super) const DIRECT: u8 = 1;
    pub(super) const LIMITED: u8 = 2;
    pub(super) const LIMITED_WITH_LIMITS: u8 = 3;
    pub(super) const ACCOUNT: u8 = 4;
}

impl Ruling {
    /// What an empty set decides for anyone: nothing allows.
    pub(crate) const NO_ALLOW: Ruling = Ruling {
        decision: Decision::ImplicitDeny,
        reason: Reason::NoAllow,
        cites: 0,
    };

    /// Packs a verdict.
    pub(crate) fn of(v: Verdict) -> Ruling {
        let flag = |on: bool, mask: u8| if on { mask } else { 0 };
        let resource = match v.cite_resource {
            None => 0,
            Some(ResourceCite::Direct) => cite::DIRECT,
            Some(ResourceCite::Limited { with_limits: false }) => cite::LIMITED,
            Some(ResourceCite::Limited { with_limits: true }) => cite::LIMITED_WITH_LIMITS,
            Some(ResourceCite::Account) => cite::ACCOUNT,
        };
        Ruling {
            decision: v.decision,
            reason: v.reason,
            cites: flag(v.cite_denies, cite::DENIES)
                | flag(v.cite_identity, cite::IDENTITY)
                | flag(v.cite_scp, cite::SCP)
                | resource << cite::RESOURCE_SHIFT,
        }
    }

    /// The verdict it packs.
    pub(crate) fn verdict(self) -> Verdict {
        Verdict {
            decision: self.decision,
            reason: self.reason,
            cite_denies: self.cites & cite::DENIES != 0,
            cite_identity: self.cites & cite::IDENTITY != 0,
            cite_scp: self.cites & cite::SCP != 0,
            cite_resource: match self.cites >> cite::RESOURCE_SHIFT {
                cite::DIRECT => Some(ResourceCite::Direct),
                cite::LIMITED => Some(ResourceCite::Limited { with_limits: false }),
                cite::LIMITED_WITH_LIMITS => Some(ResourceCite::Limited { with_limits: true }),
                cite::ACCOUNT => Some(ResourceCite::Account),
                _ => None,
            },
        }
    }
}

/// The decision for every combination of premises, by [`Premises::bits`]: [`rules`] run
/// once per combination, the first time a set is built, so that deciding a request is
/// one lookup and the rules stay written once. `tests` checks every entry against
/// [`rules`].
#[derive(Debug)]
pub(crate) struct Rulings([Ruling; RULINGS]);

impl Rulings {
    /// The table, filled on first use (by the first set built).
    pub(crate) fn get() -> &'static Rulings {
        static TABLE: std::sync::OnceLock<Rulings> = std::sync::OnceLock::new();
        TABLE.get_or_init(|| {
            let mut table = [Ruling::NO_ALLOW; RULINGS];
            for (i, entry) in (0u16..).zip(table.iter_mut()) {
                *entry = Ruling::of(rules(&mut Concrete, &Premises::from_bits(i)));
            }
            Rulings(table)
        })
    }

    /// The ruling for the premises `bits` stands for ([`Premises::bits`]).
    #[inline(always)]
    pub(crate) fn rule(&self, bits: u16) -> Ruling {
        let i = usize::from(bits) & (RULINGS - 1);
        self.0.get(i).copied().unwrap_or(Ruling::NO_ALLOW)
    }
}

/// The decision, written once: [`decide`] runs it on `bool` and gets the verdict with its
/// reason and citations; the analysis runs it on formulas and gets [`Decided`]. Every
/// branch is a [`Logic::select`], so on `bool` this is plain control flow.
///
/// Where the documentation is silent, each choice fails closed:
/// - `"*"` in a resource policy is limited by boundaries and session policies, like a
///   role ARN (the docs exempt only grants naming the user or session ARN);
/// - a `Deny` that could not be judged prevents an `Allow`.
#[inline(always)]
pub(crate) fn rules<L: Logic, O: Outcome<L>>(l: &mut L, f: &Premises<L::B>) -> O {
    // 1. An explicit Deny in any policy that applies wins.
    l.select(
        f.explicit_deny.clone(),
        |l| {
            O::of(
                l,
                Verdict {
                    decision: Decision::ExplicitDeny,
                    reason: Reason::ExplicitDeny,
                    cite_denies: true,
                    cite_identity: false,
                    cite_resource: None,
                    cite_scp: false,
                },
            )
        },
        |l| {
            // The root user cannot assume a role: "You cannot assume a role when you
            // are signed in as the AWS account root user".
            // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-api.html
            let root_assumes = l.and(f.root.clone(), f.assume_role.clone());
            l.select(
                root_assumes,
                |l| O::of(l, Verdict::deny(Reason::RootCannotAssumeRole)),
                |l| {
                    // 2. When SCPs are in force for an IAM caller, one of them must allow
                    //    the action. (RCPs restrict only through Deny: AWS always
                    //    attaches RCPFullAWSAccess.)
                    let no_scp = l.not(f.scp.clone());
                    let scp_blocks = l.and(f.iam.clone(), no_scp);
                    l.select(
                        scp_blocks,
                        |l| O::of(l, Verdict::deny(Reason::ScpDoesNotAllow)),
                        |l| allowing(l, f),
                    )
                },
            )
        },
    )
}

/// What steps 3 to 6 look at.
struct Sides<B> {
    identity_allows: B,
    identity_ok: B,
    limited_ok: B,
    resource_direct: B,
    resource_any: B,
    cross: B,
    must_allow: B,
}

/// Steps 3 to 6: the ways of allowing, once no deny has decided; and when none applies,
/// which requirement failed.
#[inline(always)]
fn allowing<L: Logic, O: Outcome<L>>(l: &mut L, f: &Premises<L::B>) -> O {
    let limits = l.and(f.boundary.clone(), f.session.clone());
    // 3. The identity side: an identity-based policy allows (the root user's allows
    //    everything in its own account) and the boundary and session policy allow.
    let own = l.or(f.root.clone(), f.identity.clone());
    let identity_allows = l.and(f.iam.clone(), own);
    let identity_ok = l.and(identity_allows.clone(), limits.clone());
    // 4. The resource side, by how the grant names the caller.
    let limited_ok = l.and(f.limited.clone(), limits);
    let resource_direct = l.or(f.direct.clone(), limited_ok.clone());
    let some = l.or(f.direct.clone(), f.limited.clone());
    let resource_any = l.or(some, f.account.clone());
    let cross = l.and(f.iam.clone(), f.cross_account.clone());
    // "IAM role trust policies and KMS key policies are exceptions to this logic, because
    // they must explicitly allow access for principals" — in the same account too.
    let must_allow = l.or(f.kms.clone(), f.assume_role.clone());
    let s = Sides {
        identity_allows,
        identity_ok,
        limited_ok,
        resource_direct,
        resource_any,
        cross,
        must_allow,
    };
    // 6. A Deny that could not be judged prevents the Allow.
    let allow = |l: &mut L, v: Verdict| {
        l.select(
            f.unjudged_deny.clone(),
            |l| O::of(l, Verdict::deny(Reason::UnjudgedDeny)),
            |l| O::of(l, v),
        )
    };
    // The allow by the resource side alone, citing the grant it rests on.
    let by_resource = |l: &mut L| {
        own_grant(l, f, &s, &|l, cite| {
            allow(l, Verdict::allow(Reason::ResourceAllow, false, cite))
        })
    };
    // 5. Same account: either side suffices. Cross-account: both sides must allow. A KMS
    //    key or a role's trust policy: the resource policy must allow, directly or by
    //    naming the account (which enables the account's IAM policies). Anonymous and
    //    service callers: only a resource-based policy.
    let not_iam = l.not(f.iam.clone());
    l.select(
        not_iam,
        |l| {
            l.select(
                s.resource_direct.clone(),
                |l| by_resource(l),
                |l| denied(l, f, &s),
            )
        },
        |l| {
            let strict = l.or(s.cross.clone(), s.must_allow.clone());
            l.select(
                strict,
                |l| {
                    let same = l.not(s.cross.clone());
                    let own_account = l.and(s.must_allow.clone(), same);
                    let alone = l.and(own_account, s.resource_direct.clone());
                    l.select(
                        alone,
                        |l| by_resource(l),
                        |l| {
                            let both = l.and(s.identity_ok.clone(), s.resource_any.clone());
                            l.select(
                                both,
                                |l| {
                                    any_grant(l, f, &|l, cite| {
                                        allow(
                                            l,
                                            Verdict::allow(
                                                Reason::IdentityAndResourceAllow,
                                                true,
                                                cite,
                                            ),
                                        )
                                    })
                                },
                                |l| denied(l, f, &s),
                            )
                        },
                    )
                },
                |l| {
                    l.select(
                        s.identity_ok.clone(),
                        |l| {
                            let not_identity = l.not(f.identity.clone());
                            let root_only = l.and(f.root.clone(), not_identity);
                            l.select(
                                root_only,
                                |l| allow(l, Verdict::allow(Reason::RootUser, true, None)),
                                |l| allow(l, Verdict::allow(Reason::IdentityAllow, true, None)),
                            )
                        },
                        |l| {
                            l.select(
                                s.resource_direct.clone(),
                                |l| by_resource(l),
                                |l| denied(l, f, &s),
                            )
                        },
                    )
                },
            )
        },
    )
}

/// The first grant of any kind.
#[inline(always)]
fn any_grant<L: Logic, O: Outcome<L>>(
    l: &mut L,
    f: &Premises<L::B>,
    mk: &impl Fn(&mut L, Option<ResourceCite>) -> O,
) -> O {
    l.select(
        f.direct.clone(),
        |l| mk(l, Some(ResourceCite::Direct)),
        |l| {
            l.select(
                f.limited.clone(),
                |l| mk(l, Some(ResourceCite::Limited { with_limits: false })),
                |l| {
                    l.select(
                        f.account.clone(),
                        |l| mk(l, Some(ResourceCite::Account)),
                        |l| mk(l, None),
                    )
                },
            )
        },
    )
}

/// The grant an allow by the resource side alone rests on.
#[inline(always)]
fn own_grant<L: Logic, O: Outcome<L>>(
    l: &mut L,
    f: &Premises<L::B>,
    s: &Sides<L::B>,
    mk: &impl Fn(&mut L, Option<ResourceCite>) -> O,
) -> O {
    l.select(
        f.direct.clone(),
        |l| mk(l, Some(ResourceCite::Direct)),
        |l| {
            l.select(
                s.limited_ok.clone(),
                |l| mk(l, Some(ResourceCite::Limited { with_limits: true })),
                |l| any_grant(l, f, mk),
            )
        },
    )
}

/// No way of allowing applies: say which requirement failed, citing the side that did
/// allow.
#[inline(always)]
fn denied<L: Logic, O: Outcome<L>>(l: &mut L, f: &Premises<L::B>, s: &Sides<L::B>) -> O {
    let deny = |l: &mut L, r: Reason| O::of(l, Verdict::deny(r));
    let must_allow_reason = |l: &mut L| {
        l.select(
            f.kms.clone(),
            |l| deny(l, Reason::KeyPolicyDoesNotAllow),
            |l| deny(l, Reason::TrustPolicyDoesNotAllow),
        )
    };
    let not_iam = l.not(f.iam.clone());
    l.select(
        not_iam,
        |l| deny(l, Reason::NoAllow),
        |l| {
            let no_grant = l.not(s.resource_any.clone());
            let unmet = l.and(s.must_allow.clone(), no_grant);
            l.select(unmet, must_allow_reason, |l| {
                let no_boundary = l.not(f.boundary.clone());
                let no_session = l.not(f.session.clone());
                let by_boundary = l.and(s.identity_allows.clone(), no_boundary.clone());
                l.select(
                    by_boundary,
                    |l| deny(l, Reason::BoundaryDoesNotAllow),
                    |l| {
                        let by_session = l.and(s.identity_allows.clone(), no_session.clone());
                        l.select(
                            by_session,
                            |l| deny(l, Reason::SessionPolicyDoesNotAllow),
                            |l| {
                                let one_side = l.and(s.cross.clone(), s.identity_ok.clone());
                                l.select(
                                    one_side,
                                    |l| {
                                        O::of(
                                            l,
                                            Verdict {
                                                cite_identity: true,
                                                ..Verdict::deny(
                                                    Reason::CrossAccountNeedsResourceAllow,
                                                )
                                            },
                                        )
                                    },
                                    |l| denied_late(l, f, s, no_boundary, no_session),
                                )
                            },
                        )
                    },
                )
            })
        },
    )
}

#[inline(always)]
fn denied_late<L: Logic, O: Outcome<L>>(
    l: &mut L,
    f: &Premises<L::B>,
    s: &Sides<L::B>,
    no_boundary: L::B,
    no_session: L::B,
) -> O {
    let deny = |l: &mut L, r: Reason| O::of(l, Verdict::deny(r));
    let strict = l.or(s.cross.clone(), s.must_allow.clone());
    let other_side = l.and(strict, s.resource_any.clone());
    l.select(
        other_side,
        |l| {
            let same = l.not(s.cross.clone());
            let own_account = l.and(s.must_allow.clone(), same);
            let cite = |l: &mut L, reason: Reason| {
                any_grant(l, f, &|l, c| {
                    O::of(
                        l,
                        Verdict {
                            cite_resource: c,
                            ..Verdict::deny(reason)
                        },
                    )
                })
            };
            l.select(
                own_account,
                |l| {
                    l.select(
                        f.kms.clone(),
                        |l| cite(l, Reason::KeyPolicyDoesNotAllow),
                        |l| cite(l, Reason::TrustPolicyDoesNotAllow),
                    )
                },
                |l| cite(l, Reason::CrossAccountNeedsIdentityAllow),
            )
        },
        |l| {
            let limited_boundary = l.and(f.limited.clone(), no_boundary);
            l.select(
                limited_boundary,
                |l| deny(l, Reason::BoundaryDoesNotAllow),
                |l| {
                    let limited_session = l.and(f.limited.clone(), no_session);
                    l.select(
                        limited_session,
                        |l| deny(l, Reason::SessionPolicyDoesNotAllow),
                        |l| deny(l, Reason::NoAllow),
                    )
                },
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use Decision::*;
    use Gate::*;
    use Reason as R;

    /// Facts for an IAM user in the resource's account, nothing allowing yet.
    fn user() -> Facts {
        Facts {
            iam: true,
            ..Facts::default()
        }
    }

    /// One row per step of the evaluation flow and of the cross-account, KMS, boundary,
    /// session-policy and SCP pages; each names the rule it pins.
    #[test]
    fn evaluation_flow() {
        let rows: Vec<(&str, Facts, Decision, Reason)> = vec![
            // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
            (
                "nothing allows: implicit deny",
                user(),
                ImplicitDeny,
                R::NoAllow,
            ),
            (
                "an explicit deny overrides every allow",
                Facts {
                    explicit_deny: true,
                    identity: true,
                    direct: true,
                    ..user()
                },
                ExplicitDeny,
                R::ExplicitDeny,
            ),
            (
                "an explicit deny applies to anonymous callers too",
                Facts {
                    explicit_deny: true,
                    direct: true,
                    ..Facts::default()
                },
                ExplicitDeny,
                R::ExplicitDeny,
            ),
            (
                "same account: the identity policy alone allows",
                Facts {
                    identity: true,
                    ..user()
                },
                Allow,
                R::IdentityAllow,
            ),
            (
                "same account: a resource policy naming the user alone allows",
                Facts {
                    direct: true,
                    ..user()
                },
                Allow,
                R::ResourceAllow,
            ),
            (
                "same account: a resource policy naming the account needs the identity policy",
                Facts {
                    account: true,
                    ..user()
                },
                ImplicitDeny,
                R::NoAllow,
            ),
            (
                "same account: account grant plus identity allow",
                Facts {
                    account: true,
                    identity: true,
                    ..user()
                },
                Allow,
                R::IdentityAllow,
            ),
            // SCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
            (
                "an SCP in force that does not allow blocks the identity allow",
                Facts {
                    identity: true,
                    scp: DoesNotAllow,
                    ..user()
                },
                ImplicitDeny,
                R::ScpDoesNotAllow,
            ),
            (
                "an SCP in force that does not allow blocks a resource grant to an IAM caller",
                Facts {
                    direct: true,
                    scp: DoesNotAllow,
                    ..user()
                },
                ImplicitDeny,
                R::ScpDoesNotAllow,
            ),
            (
                "an SCP that allows lets the identity allow through",
                Facts {
                    identity: true,
                    scp: Allows,
                    ..user()
                },
                Allow,
                R::IdentityAllow,
            ),
            (
                "an SCP allowing is not a grant",
                Facts {
                    scp: Allows,
                    ..user()
                },
                ImplicitDeny,
                R::NoAllow,
            ),
            // Boundaries: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
            (
                "a boundary that does not allow blocks the identity allow",
                Facts {
                    identity: true,
                    boundary: DoesNotAllow,
                    ..user()
                },
                ImplicitDeny,
                R::BoundaryDoesNotAllow,
            ),
            (
                "a boundary that allows lets the identity allow through",
                Facts {
                    identity: true,
                    boundary: Allows,
                    ..user()
                },
                Allow,
                R::IdentityAllow,
            ),
            (
                "a boundary allowing is not a grant",
                Facts {
                    boundary: Allows,
                    ..user()
                },
                ImplicitDeny,
                R::NoAllow,
            ),
            (
                "a resource grant naming the user is not limited by the boundary",
                Facts {
                    direct: true,
                    boundary: DoesNotAllow,
                    ..user()
                },
                Allow,
                R::ResourceAllow,
            ),
            (
                "a resource grant naming the role is limited by the boundary",
                Facts {
                    limited: true,
                    boundary: DoesNotAllow,
                    ..user()
                },
                ImplicitDeny,
                R::BoundaryDoesNotAllow,
            ),
            (
                "a limited grant with a boundary that allows",
                Facts {
                    limited: true,
                    boundary: Allows,
                    ..user()
                },
                Allow,
                R::ResourceAllow,
            ),
            // Session policies: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
            (
                "a session policy that does not allow blocks the identity allow",
                Facts {
                    identity: true,
                    session: DoesNotAllow,
                    ..user()
                },
                ImplicitDeny,
                R::SessionPolicyDoesNotAllow,
            ),
            (
                "a session policy that does not allow blocks a limited grant",
                Facts {
                    limited: true,
                    session: DoesNotAllow,
                    ..user()
                },
                ImplicitDeny,
                R::SessionPolicyDoesNotAllow,
            ),
            (
                "a session policy does not limit a grant naming the session",
                Facts {
                    direct: true,
                    session: DoesNotAllow,
                    ..user()
                },
                Allow,
                R::ResourceAllow,
            ),
            // Cross-account: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
            (
                "cross-account: the identity policy alone is not enough",
                Facts {
                    identity: true,
                    cross_account: true,
                    ..user()
                },
                ImplicitDeny,
                R::CrossAccountNeedsResourceAllow,
            ),
            (
                "cross-account: the resource policy alone is not enough",
                Facts {
                    direct: true,
                    cross_account: true,
                    ..user()
                },
                ImplicitDeny,
                R::CrossAccountNeedsIdentityAllow,
            ),
            (
                "cross-account: both sides allow",
                Facts {
                    identity: true,
                    direct: true,
                    cross_account: true,
                    ..user()
                },
                Allow,
                R::IdentityAndResourceAllow,
            ),
            (
                "cross-account: a grant to the caller's account counts as the resource side",
                Facts {
                    identity: true,
                    account: true,
                    cross_account: true,
                    ..user()
                },
                Allow,
                R::IdentityAndResourceAllow,
            ),
            (
                "cross-account: a boundary still limits the identity side",
                Facts {
                    identity: true,
                    direct: true,
                    cross_account: true,
                    boundary: DoesNotAllow,
                    ..user()
                },
                ImplicitDeny,
                R::BoundaryDoesNotAllow,
            ),
            // KMS: https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
            (
                "a KMS key: the identity policy alone is not enough",
                Facts {
                    identity: true,
                    kms: true,
                    ..user()
                },
                ImplicitDeny,
                R::KeyPolicyDoesNotAllow,
            ),
            (
                "a KMS key: the key policy naming the caller allows",
                Facts {
                    direct: true,
                    kms: true,
                    ..user()
                },
                Allow,
                R::ResourceAllow,
            ),
            (
                "a KMS key: the key policy naming the account enables the identity policy",
                Facts {
                    account: true,
                    identity: true,
                    kms: true,
                    ..user()
                },
                Allow,
                R::IdentityAndResourceAllow,
            ),
            (
                "a KMS key: the key policy naming the account, without an identity allow",
                Facts {
                    account: true,
                    kms: true,
                    ..user()
                },
                ImplicitDeny,
                R::KeyPolicyDoesNotAllow,
            ),
            (
                "a KMS key: the root user still needs the key policy",
                Facts {
                    root: true,
                    kms: true,
                    ..user()
                },
                ImplicitDeny,
                R::KeyPolicyDoesNotAllow,
            ),
            // Role trust policies: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
            (
                "assuming a role: the identity policy alone is not enough, in the same account too",
                Facts { identity: true, assume_role: true, ..user() },
                ImplicitDeny,
                R::TrustPolicyDoesNotAllow,
            ),
            (
                "assuming a role: a trust policy naming the caller grants on its own",
                Facts { direct: true, assume_role: true, ..user() },
                Allow,
                R::ResourceAllow,
            ),
            (
                "assuming a role: a trust policy naming the account delegates to the identity policy",
                Facts { account: true, identity: true, assume_role: true, ..user() },
                Allow,
                R::IdentityAndResourceAllow,
            ),
            (
                "assuming a role: a trust policy naming the account, without an identity allow",
                Facts { account: true, assume_role: true, ..user() },
                ImplicitDeny,
                R::TrustPolicyDoesNotAllow,
            ),
            (
                "assuming a role across accounts: both sides",
                Facts { direct: true, identity: true, cross_account: true, assume_role: true, ..user() },
                Allow,
                R::IdentityAndResourceAllow,
            ),
            (
                "assuming a role: the root user cannot, whatever allows it",
                Facts { root: true, direct: true, identity: true, assume_role: true, ..user() },
                ImplicitDeny,
                R::RootCannotAssumeRole,
            ),
            (
                "assuming a role: a service named in the trust policy",
                Facts { direct: true, assume_role: true, ..Facts::default() },
                Allow,
                R::ResourceAllow,
            ),
            // Root: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html
            (
                "the root user has full access in its own account",
                Facts {
                    root: true,
                    ..user()
                },
                Allow,
                R::RootUser,
            ),
            (
                "the root user is denied explicitly like anyone",
                Facts {
                    root: true,
                    explicit_deny: true,
                    ..user()
                },
                ExplicitDeny,
                R::ExplicitDeny,
            ),
            (
                "the root user of another account needs the resource policy",
                Facts {
                    root: true,
                    cross_account: true,
                    ..user()
                },
                ImplicitDeny,
                R::CrossAccountNeedsResourceAllow,
            ),
            // Anonymous and service callers have no identity policies.
            (
                "anonymous: only a resource policy allows",
                Facts {
                    direct: true,
                    ..Facts::default()
                },
                Allow,
                R::ResourceAllow,
            ),
            (
                "anonymous: a grant to everyone allows",
                Facts {
                    limited: true,
                    ..Facts::default()
                },
                Allow,
                R::ResourceAllow,
            ),
            (
                "anonymous: nothing allows",
                Facts::default(),
                ImplicitDeny,
                R::NoAllow,
            ),
            // Fail closed: an unjudged Deny blocks an Allow, but does not turn a deny
            // into an explicit one.
            (
                "an unjudged Deny prevents the identity allow",
                Facts {
                    identity: true,
                    unjudged_deny: true,
                    ..user()
                },
                ImplicitDeny,
                R::UnjudgedDeny,
            ),
            (
                "an unjudged Deny with nothing allowing is a plain implicit deny",
                Facts {
                    unjudged_deny: true,
                    ..user()
                },
                ImplicitDeny,
                R::NoAllow,
            ),
            (
                "an unjudged Deny and an explicit deny: explicit",
                Facts {
                    unjudged_deny: true,
                    explicit_deny: true,
                    identity: true,
                    ..user()
                },
                ExplicitDeny,
                R::ExplicitDeny,
            ),
        ];
        for (why, facts, decision, reason) in rows {
            let v = decide(&facts);
            assert_eq!((v.decision, v.reason), (decision, reason), "{why}");
        }
    }

    #[test]
    fn citations_follow_the_decision() {
        let v = decide(&Facts {
            explicit_deny: true,
            identity: true,
            ..user()
        });
        assert!(v.cite_denies && !v.cite_identity && v.cite_resource.is_none());
        let v = decide(&Facts {
            identity: true,
            scp: Allows,
            ..user()
        });
        assert!(v.cite_identity && v.cite_scp && v.cite_resource.is_none());
        let v = decide(&Facts {
            limited: true,
            boundary: Allows,
            ..user()
        });
        assert_eq!(
            v.cite_resource,
            Some(ResourceCite::Limited { with_limits: true }),
            "a limited grant is cited with the boundary that let it through"
        );
        let v = decide(&Facts {
            identity: true,
            limited: true,
            account: true,
            cross_account: true,
            ..user()
        });
        assert_eq!(
            v.cite_resource,
            Some(ResourceCite::Limited { with_limits: false }),
            "cross-account: the first resource grant, without the limits"
        );
        let v = decide(&Facts {
            identity: true,
            unjudged_deny: true,
            ..user()
        });
        assert!(
            !v.cite_identity && !v.cite_scp,
            "nothing is cited for an unjudged deny"
        );
        let v = decide(&Facts {
            identity: true,
            cross_account: true,
            ..user()
        });
        assert!(v.cite_identity, "the side that allowed is named");
    }

    /// The table holds what the rules decide, for every index, and a ruling packs its
    /// verdict without loss.
    #[test]
    fn the_table_is_the_rules() {
        let table = Rulings::get();
        for i in 0..(1u16 << bit::COUNT) {
            let premises = Premises::from_bits(i);
            assert_eq!(premises.bits(), i);
            let v: Verdict = rules(&mut Concrete, &premises);
            assert_eq!(table.rule(i), Ruling::of(v), "{premises:?}");
            assert_eq!(table.rule(i).verdict(), v, "{premises:?}");
        }
        // And the facts the evaluator gathers land on the index of their premises.
        let gates = [NotInForce, Allows, DoesNotAllow];
        for bits in 0u32..(1 << 11) {
            for &boundary in &gates {
                for &scp in &gates {
                    let b = |i: u32| bits & (1 << i) != 0;
                    let f = Facts {
                        explicit_deny: b(0),
                        unjudged_deny: b(1),
                        iam: b(2),
                        root: b(3),
                        identity: b(4),
                        direct: b(5),
                        limited: b(6),
                        account: b(7),
                        cross_account: b(8),
                        kms: b(9),
                        assume_role: b(10),
                        boundary,
                        session: scp,
                        scp,
                    };
                    assert_eq!(table.rule(Premises::of(&f).bits()).verdict(), decide(&f));
                }
            }
        }
    }

    /// Every combination of facts: an allow needs no explicit or unjudged deny and an SCP
    /// that lets it through, and the decision is explicit deny exactly when a Deny
    /// applied.
    #[test]
    fn invariants_over_every_combination() {
        let gates = [NotInForce, Allows, DoesNotAllow];
        for bits in 0u32..(1 << 12) {
            for &boundary in &gates {
                for &session in &gates {
                    for &scp in &gates {
                        let b = |i: u32| bits & (1 << i) != 0;
                        let f = Facts {
                            explicit_deny: b(0),
                            unjudged_deny: b(1),
                            iam: b(2),
                            root: b(3) && b(2),
                            identity: b(4),
                            direct: b(5),
                            limited: b(6),
                            account: b(7),
                            cross_account: b(8),
                            kms: b(9),
                            assume_role: b(11),
                            boundary,
                            session,
                            scp,
                        };
                        let v = decide(&f);
                        assert_eq!(v.decision == ExplicitDeny, f.explicit_deny, "{f:?}");
                        if v.decision == Allow {
                            assert!(!f.unjudged_deny, "{f:?}");
                            assert!(!(f.root && f.assume_role), "{f:?}");
                            if f.assume_role || f.kms {
                                assert!(f.direct || f.limited || f.account, "{f:?}");
                            }
                            assert!(!f.iam || scp != DoesNotAllow, "{f:?}");
                            assert!(f.iam || f.direct || f.limited, "{f:?}");
                        }
                    }
                }
            }
        }
    }
}
