//! Policy kinds and the rules that depend on them.

use std::fmt;
use std::str::FromStr;

/// What a policy is used as.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html>
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKind {
    /// An identity-based policy attached to the calling user, role or group.
    Identity,
    /// A resource-based policy on the target: a bucket policy, a key policy, ...
    Resource,
    /// A service control policy of the caller's organization.
    Scp,
    /// A resource control policy of the resource owner's organization.
    Rcp,
    /// The permissions boundary of the calling principal.
    Boundary,
    /// A session policy passed when the role or federated session was created.
    Session,
}

impl PolicyKind {
    /// Every kind.
    pub const ALL: [PolicyKind; 6] = [
        PolicyKind::Identity,
        PolicyKind::Resource,
        PolicyKind::Scp,
        PolicyKind::Rcp,
        PolicyKind::Boundary,
        PolicyKind::Session,
    ];

    /// The kind's name as in the test-file format (`identity`, `resource`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Session => "session",
        }
    }

    /// The kind's name with its article, for messages: `an identity-based policy`, `an SCP`.
    pub fn with_article(self) -> &'static str {
        match self {
            PolicyKind::Identity => "an identity-based policy",
            PolicyKind::Resource => "a resource-based policy",
            PolicyKind::Scp => "an SCP",
            PolicyKind::Rcp => "an RCP",
            PolicyKind::Boundary => "a permissions boundary",
            PolicyKind::Session => "a session policy",
        }
    }

    /// Whether statements of this kind name principals (resource-based policies and RCPs).
    pub fn takes_principal(self) -> bool {
        matches!(self, PolicyKind::Resource | PolicyKind::Rcp)
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name was not one of the policy kinds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown policy kind `{0}`; expected one of identity, resource, scp, rcp, boundary, session"
)]
pub struct UnknownKindError(String);

impl FromStr for PolicyKind {
    type Err = UnknownKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PolicyKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKindError(s.to_string()))
    }
}
