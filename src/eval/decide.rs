//! The decision as a pure function of what the statements said.
//!
//! Scanning a set's statements for a request yields [`Facts`]: which kinds of policy
//! allowed, whether a `Deny` applied, who the caller is, whether the resource is in
//! another account or is a KMS key. [`decide`] turns the facts into the decision and
//! its reason together, and says which statements to cite, so the reason and the cited
//! statements cannot drift from the decision. It sees no request and no policy set.
//!
//! The flow follows "Policy evaluation logic"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>),
//! "Cross-account policy evaluation logic"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>)
//! and the KMS "Key policies" page
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html>).

use super::response::{Decision, Reason};

/// Whether a policy kind that must allow (an SCP, a permissions boundary, a session
/// policy) is in force for the caller, and whether it allows.
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

impl Gate {
    /// Whether the gate lets an allow through.
    fn passes(self) -> bool {
        self != Gate::DoesNotAllow
    }
}

/// What the statements of a set say about one request, and who is asking.
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

/// Decides a request from its facts.
///
/// Where the documentation is silent, each choice fails closed:
/// - `"*"` in a resource policy is limited by boundaries and session policies, like a
///   role ARN (the docs exempt only grants naming the user or session ARN);
/// - a `Deny` that could not be judged prevents an `Allow`.
#[inline(always)]
pub(crate) fn decide(f: &Facts) -> Verdict {
    // 1. An explicit Deny in any policy that applies wins.
    if f.explicit_deny {
        return Verdict {
            decision: Decision::ExplicitDeny,
            reason: Reason::ExplicitDeny,
            cite_denies: true,
            cite_identity: false,
            cite_resource: None,
            cite_scp: false,
        };
    }
    // The root user cannot assume a role: "You cannot assume a role when you are signed
    // in as the AWS account root user".
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-api.html
    if f.root && f.assume_role {
        return Verdict::deny(Reason::RootCannotAssumeRole);
    }
    // 2. When SCPs are in force for an IAM caller, one of them must allow the action.
    //    (RCPs restrict only through Deny: AWS always attaches RCPFullAWSAccess.)
    if f.iam && !f.scp.passes() {
        return Verdict::deny(Reason::ScpDoesNotAllow);
    }
    let boundary_ok = f.boundary.passes();
    let session_ok = f.session.passes();
    // 3. The identity side: an identity-based policy allows (the root user's allows
    //    everything in its own account) and the boundary and session policy allow.
    let identity_allows = f.iam && (f.root || f.identity);
    let identity_ok = identity_allows && boundary_ok && session_ok;
    // 4. The resource side, by how the grant names the caller.
    let limited_ok = f.limited && boundary_ok && session_ok;
    let resource_direct = f.direct || limited_ok;
    let resource_any = f.direct || f.limited || f.account;
    // The first grant of any kind.
    let any_grant = || {
        if f.direct {
            Some(ResourceCite::Direct)
        } else if f.limited {
            Some(ResourceCite::Limited { with_limits: false })
        } else if f.account {
            Some(ResourceCite::Account)
        } else {
            None
        }
    };
    // The grant an allow by the resource side alone rests on.
    let own_grant = || {
        if f.direct {
            Some(ResourceCite::Direct)
        } else if limited_ok {
            Some(ResourceCite::Limited { with_limits: true })
        } else {
            any_grant()
        }
    };
    let cross = f.iam && f.cross_account;
    // "IAM role trust policies and KMS key policies are exceptions to this logic, because
    // they must explicitly allow access for principals" — in the same account too.
    let must_allow = f.kms || f.assume_role;
    let must_allow_reason = if f.kms {
        Reason::KeyPolicyDoesNotAllow
    } else {
        Reason::TrustPolicyDoesNotAllow
    };

    // 5. Same account: either side suffices. Cross-account: both sides must allow. A KMS
    //    key or a role's trust policy: the resource policy must allow, directly or by
    //    naming the account (which enables the account's IAM policies). Anonymous and
    //    service callers: only a resource-based policy.
    let allowed = if !f.iam {
        resource_direct.then(|| Verdict::allow(Reason::ResourceAllow, false, own_grant()))
    } else if cross || must_allow {
        if must_allow && !cross && resource_direct {
            Some(Verdict::allow(Reason::ResourceAllow, false, own_grant()))
        } else if identity_ok && resource_any {
            Some(Verdict::allow(
                Reason::IdentityAndResourceAllow,
                true,
                any_grant(),
            ))
        } else {
            None
        }
    } else if identity_ok {
        let reason = if f.root && !f.identity {
            Reason::RootUser
        } else {
            Reason::IdentityAllow
        };
        Some(Verdict::allow(reason, true, None))
    } else if resource_direct {
        Some(Verdict::allow(Reason::ResourceAllow, false, own_grant()))
    } else {
        None
    };
    if let Some(v) = allowed {
        // 6. A Deny that could not be judged prevents the Allow.
        return if f.unjudged_deny {
            Verdict::deny(Reason::UnjudgedDeny)
        } else {
            v
        };
    }

    // Say which requirement failed, citing the side that did allow.
    if !f.iam {
        Verdict::deny(Reason::NoAllow)
    } else if must_allow && !resource_any {
        Verdict::deny(must_allow_reason)
    } else if identity_allows && !boundary_ok {
        Verdict::deny(Reason::BoundaryDoesNotAllow)
    } else if identity_allows && !session_ok {
        Verdict::deny(Reason::SessionPolicyDoesNotAllow)
    } else if cross && identity_ok {
        Verdict {
            cite_identity: true,
            ..Verdict::deny(Reason::CrossAccountNeedsResourceAllow)
        }
    } else if (cross || must_allow) && resource_any {
        let reason = if must_allow && !cross {
            must_allow_reason
        } else {
            Reason::CrossAccountNeedsIdentityAllow
        };
        Verdict {
            cite_resource: any_grant(),
            ..Verdict::deny(reason)
        }
    } else if f.limited && !boundary_ok {
        Verdict::deny(Reason::BoundaryDoesNotAllow)
    } else if f.limited && !session_ok {
        Verdict::deny(Reason::SessionPolicyDoesNotAllow)
    } else {
        Verdict::deny(Reason::NoAllow)
    }
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
