//! Principals: which callers a `Principal` or `NotPrincipal` element names, and how a
//! resource-based policy's grant to each counts.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>

use crate::policy::{Effect, PrincipalSpec, PrincipalType, Principals};
use crate::request::{Principal, PrincipalKind};
use crate::value::arn;

/// How a resource-policy statement grants to the caller it matched. The AWS table of
/// principal types decides what each needs besides the grant.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Grant {
    /// The account (its id or root ARN): delegates to the account's IAM policies, so the
    /// caller's identity-based policies must allow too.
    Account,
    /// The role ARN (for its sessions), `"*"` or a `NotPrincipal` Allow: grants, but an
    /// implicit deny in a permissions boundary or session policy still limits it.
    Limited,
    /// The user ARN, the session ARN, or a service, provider or canonical user: grants
    /// directly, not limited by boundaries or session policies.
    Direct,
}

/// One principal a `Principal` element names. Accounts are numbers
/// ([`arn::account_number`]): `None` for text that is no 12-digit account, which names no
/// caller. An entry naming an ARN keeps its account too, so that the common mismatch, a
/// caller of another account, costs one integer comparison.
#[derive(Debug, Clone)]
pub(crate) enum Entry {
    Everyone,
    Account(Option<u64>),
    User {
        account: Option<u64>,
        arn: Box<str>,
    },
    Role {
        account: Option<u64>,
        name: Box<str>,
    },
    Session {
        account: Option<u64>,
        arn: Box<str>,
    },
    FederatedUser {
        account: Option<u64>,
        arn: Box<str>,
    },
    Service(Box<str>),
    Provider(Box<str>),
    Canonical(Box<str>),
    /// A unique id (AIDA…, AROA…) or an IAM ARN of another shape: AWS shows these when
    /// the named principal was deleted; it matches no caller.
    Unmatched,
}

/// Whether an entry's account is the caller's: never when either has none.
#[inline]
fn same(entry: Option<u64>, caller: Option<u64>) -> bool {
    entry.is_some() && entry == caller
}

/// The identities a caller presents, each of which must be listed for a `NotPrincipal`
/// to exempt it.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>
#[derive(Debug, Clone, Copy)]
enum Identity<'r> {
    Account(Option<u64>),
    User(&'r str),
    Role { account: Option<u64>, name: &'r str },
    Session(&'r str),
    FederatedUser(&'r str),
    Service(&'r str),
    Provider(&'r str),
    Canonical(&'r str),
    Anonymous,
}

fn identities(p: &Principal) -> ([Option<Identity<'_>>; 3], usize) {
    let account = p.account_id();
    let name = p.name().unwrap_or("");
    let list = match p.kind() {
        PrincipalKind::User => [
            Some(Identity::User(p.id())),
            Some(Identity::Account(account)),
            None,
        ],
        PrincipalKind::Role => [
            Some(Identity::Role { account, name }),
            Some(Identity::Account(account)),
            None,
        ],
        PrincipalKind::AssumedRole => [
            Some(Identity::Session(p.id())),
            Some(Identity::Role { account, name }),
            Some(Identity::Account(account)),
        ],
        PrincipalKind::FederatedUser => [
            Some(Identity::FederatedUser(p.id())),
            Some(Identity::Account(account)),
            None,
        ],
        PrincipalKind::Root => [Some(Identity::Account(account)), None, None],
        PrincipalKind::Service => [Some(Identity::Service(p.id())), None, None],
        PrincipalKind::WebIdentity => [Some(Identity::Provider(p.id())), None, None],
        PrincipalKind::CanonicalUser => [Some(Identity::Canonical(p.id())), None, None],
        PrincipalKind::Anonymous => [Some(Identity::Anonymous), None, None],
    };
    let n = list.iter().filter(|x| x.is_some()).count();
    (list, n)
}

impl Entry {
    pub(crate) fn compile(kind: PrincipalType, value: &str) -> Entry {
        match kind {
            PrincipalType::Aws => {
                if value == "*" {
                    return Entry::Everyone;
                }
                if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
                    return Entry::Account(arn::account_number(value));
                }
                let Some(parts) = arn::split_arn(value) else {
                    return Entry::Unmatched;
                };
                let account = arn::account_number(parts.account);
                let last = |path: &str| path.rsplit('/').next().unwrap_or("").to_string();
                match (parts.service, parts.resource) {
                    ("iam", "root") => Entry::Account(account),
                    ("iam", r) if r.starts_with("user/") => Entry::User {
                        account,
                        arn: value.into(),
                    },
                    ("iam", r) if r.starts_with("role/") => Entry::Role {
                        account,
                        name: last(r).into(),
                    },
                    ("sts", r) if r.starts_with("assumed-role/") => Entry::Session {
                        account,
                        arn: value.into(),
                    },
                    ("sts", r) if r.starts_with("federated-user/") => Entry::FederatedUser {
                        account,
                        arn: value.into(),
                    },
                    _ => Entry::Unmatched,
                }
            }
            PrincipalType::Service => Entry::Service(value.to_ascii_lowercase().into()),
            PrincipalType::Federated => Entry::Provider(value.into()),
            PrincipalType::CanonicalUser => Entry::Canonical(value.into()),
        }
    }

    /// How this entry grants to the caller, if it names the caller at all.
    #[inline]
    fn grant(&self, p: &Principal) -> Option<Grant> {
        let account = p.account_id();
        match (self, p.kind()) {
            (Entry::Everyone, _) => Some(Grant::Limited),
            (Entry::Account(a), _) if same(*a, account) && p.is_iam() => Some(Grant::Account),
            (Entry::User { account: a, arn }, PrincipalKind::User)
                if same(*a, account) && **arn == *p.id() =>
            {
                Some(Grant::Direct)
            }
            (
                Entry::Role { account: a, name },
                PrincipalKind::AssumedRole | PrincipalKind::Role,
            ) if same(*a, account) && p.name() == Some(&**name) => Some(Grant::Limited),
            (Entry::Session { account: a, arn }, PrincipalKind::AssumedRole)
            | (Entry::FederatedUser { account: a, arn }, PrincipalKind::FederatedUser)
                if same(*a, account) && **arn == *p.id() =>
            {
                Some(Grant::Direct)
            }
            (Entry::Service(s), PrincipalKind::Service) if p.id().eq_ignore_ascii_case(s) => {
                Some(Grant::Direct)
            }
            (Entry::Provider(s), PrincipalKind::WebIdentity) if **s == *p.id() => {
                Some(Grant::Direct)
            }
            (Entry::Canonical(s), PrincipalKind::CanonicalUser) if **s == *p.id() => {
                Some(Grant::Direct)
            }
            _ => None,
        }
    }

    fn lists(&self, id: Identity<'_>) -> bool {
        match (self, id) {
            (Entry::Everyone, _) => true,
            (Entry::Account(a), Identity::Account(b)) => same(*a, b),
            (Entry::User { arn: a, .. }, Identity::User(b))
            | (Entry::Session { arn: a, .. }, Identity::Session(b))
            | (Entry::FederatedUser { arn: a, .. }, Identity::FederatedUser(b))
            | (Entry::Provider(a), Identity::Provider(b))
            | (Entry::Canonical(a), Identity::Canonical(b)) => **a == *b,
            (Entry::Service(a), Identity::Service(b)) => b.eq_ignore_ascii_case(a),
            (
                Entry::Role { account, name },
                Identity::Role {
                    account: a,
                    name: n,
                },
            ) => same(*account, a) && **name == *n,
            _ => false,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct PrincipalMatcher {
    negated: bool,
    /// What can be decided without walking the entries.
    filter: Filter,
    entries: Vec<Entry>,
}

/// A `Principal` element's answer for most callers, worked out when it is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    /// Exactly `"*"` or `{"AWS": "*"}`: every caller matches, with a limited grant.
    Everyone,
    /// Every entry names a principal of this account (or nothing at all): a caller of
    /// another account, or of none, does not match.
    Account(u64),
    /// No entry can name a caller (deleted principals only).
    Nobody,
    /// The entries decide.
    Entries,
}

impl Filter {
    fn of(negated: bool, entries: &[Entry]) -> Filter {
        if negated {
            return Filter::Entries;
        }
        if matches!(entries, [Entry::Everyone]) {
            return Filter::Everyone;
        }
        let mut account = None;
        for e in entries {
            let a = match e {
                Entry::Account(a)
                | Entry::User { account: a, .. }
                | Entry::Role { account: a, .. }
                | Entry::Session { account: a, .. }
                | Entry::FederatedUser { account: a, .. } => *a,
                Entry::Unmatched => None,
                Entry::Everyone | Entry::Service(_) | Entry::Provider(_) | Entry::Canonical(_) => {
                    return Filter::Entries
                }
            };
            // An entry whose account is no 12-digit number names nobody.
            let Some(a) = a else { continue };
            match account {
                None => account = Some(a),
                Some(b) if b == a => {}
                Some(_) => return Filter::Entries,
            }
        }
        account.map_or(Filter::Nobody, Filter::Account)
    }
}

impl PrincipalMatcher {
    pub(crate) fn compile(spec: &PrincipalSpec) -> PrincipalMatcher {
        let (negated, principals) = match spec {
            PrincipalSpec::Principal(p) => (false, p),
            PrincipalSpec::NotPrincipal(p) => (true, p),
        };
        let entries = match principals {
            Principals::Any => vec![Entry::Everyone],
            Principals::Map(map) => map
                .iter()
                .flat_map(|e| e.values().iter().map(move |v| Entry::compile(e.kind(), v)))
                .collect(),
        };
        PrincipalMatcher {
            negated,
            filter: Filter::of(negated, &entries),
            entries,
        }
    }

    /// Whether the statement applies to the caller, and how it grants if it is an Allow.
    /// `has_boundary`: a `NotPrincipal` with `Deny` always applies to a caller with a
    /// permissions boundary.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>
    #[inline(always)]
    pub(crate) fn matches(
        &self,
        p: &Principal,
        effect: Effect,
        has_boundary: bool,
    ) -> Option<Grant> {
        match self.filter {
            Filter::Everyone => Some(Grant::Limited),
            Filter::Nobody => None,
            Filter::Account(a) if p.account_id() != Some(a) => None,
            Filter::Account(_) | Filter::Entries => match (self.negated, self.entries.as_slice()) {
                // One entry (the usual `{"AWS": ARN}`): its grant, as the loop below
                // would find it, without the call.
                (false, [one]) => one.grant(p),
                _ => self.matches_entries(p, effect, has_boundary),
            },
        }
    }

    #[inline(never)]
    fn matches_entries(&self, p: &Principal, effect: Effect, has_boundary: bool) -> Option<Grant> {
        if self.negated {
            if effect == Effect::Deny && has_boundary {
                return Some(Grant::Limited);
            }
            // Each way reads "every principal except the one named" so that it fails
            // closed. A Deny applies unless every identity the caller presents is listed:
            // listing a user and its account exempts that user, not the account. An
            // Allow grants only when none of the caller's identities is listed: it
            // "allows all principals except the one named in the NotPrincipal element"
            // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html),
            // so naming the user alone is enough to withhold the grant from the user.
            let (ids, n) = identities(p);
            let mut listed = ids
                .iter()
                .take(n)
                .flatten()
                .map(|id| self.entries.iter().any(|e| e.lists(*id)));
            let applies = match effect {
                Effect::Deny => !listed.all(|l| l),
                Effect::Allow => !listed.any(|l| l),
            };
            return applies.then_some(Grant::Limited);
        }
        self.entries.iter().filter_map(|e| e.grant(p)).max()
    }

    pub(crate) fn is_negated(&self) -> bool {
        self.negated
    }

    /// Whether the element is exactly `"*"`, and its entries: what the analysis reads.
    pub(crate) fn entries(&self) -> (bool, &[Entry]) {
        (
            matches!(self.entries.as_slice(), [Entry::Everyone]),
            &self.entries,
        )
    }

    /// The only account whose callers the element can name: `Some(Some(account))`, or
    /// `Some(None)` when it names no caller at all; `None` when it can name callers of
    /// several accounts or of none (`"*"`, services, `NotPrincipal`).
    pub(crate) fn only_account(&self) -> Option<Option<u64>> {
        match self.filter {
            Filter::Account(a) => Some(Some(a)),
            Filter::Nobody => Some(None),
            Filter::Everyone | Filter::Entries => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_table() {
        // Rows follow the Principal element page and the evaluation-logic table of
        // principal types.
        let rows: [(&str, &str, Option<Grant>); 12] = [
            (
                "*",
                "arn:aws:iam::111122223333:user/alice",
                Some(Grant::Limited),
            ),
            ("*", "*", Some(Grant::Limited)),
            (
                "111122223333",
                "arn:aws:iam::111122223333:user/alice",
                Some(Grant::Account),
            ),
            (
                "arn:aws:iam::111122223333:root",
                "arn:aws:sts::111122223333:assumed-role/r/s",
                Some(Grant::Account),
            ),
            ("111122223333", "*", None),
            (
                "arn:aws:iam::111122223333:user/alice",
                "arn:aws:iam::111122223333:user/alice",
                Some(Grant::Direct),
            ),
            (
                "arn:aws:iam::111122223333:user/alice",
                "arn:aws:iam::111122223333:user/bob",
                None,
            ),
            (
                "arn:aws:iam::111122223333:role/path/app",
                "arn:aws:sts::111122223333:assumed-role/app/s1",
                Some(Grant::Limited),
            ),
            (
                "arn:aws:iam::111122223333:role/app",
                "arn:aws:sts::444455556666:assumed-role/app/s1",
                None,
            ),
            (
                "arn:aws:sts::111122223333:assumed-role/app/s1",
                "arn:aws:sts::111122223333:assumed-role/app/s1",
                Some(Grant::Direct),
            ),
            (
                "arn:aws:sts::111122223333:assumed-role/app/s1",
                "arn:aws:sts::111122223333:assumed-role/app/s2",
                None,
            ),
            ("444455556666", "arn:aws:iam::111122223333:root", None),
        ];
        for (entry, caller, want) in rows {
            let entries = vec![Entry::compile(PrincipalType::Aws, entry)];
            let m = PrincipalMatcher {
                negated: false,
                filter: Filter::of(false, &entries),
                entries,
            };
            let p = Principal::parse(caller).unwrap();
            assert_eq!(
                m.matches(&p, Effect::Allow, false),
                want,
                "{entry} vs {caller}"
            );
        }
    }

    #[test]
    fn not_principal_needs_every_identity_listed() {
        let m = PrincipalMatcher {
            negated: true,
            filter: Filter::Entries,
            entries: vec![
                Entry::compile(PrincipalType::Aws, "arn:aws:iam::444455556666:user/carol"),
                Entry::compile(PrincipalType::Aws, "444455556666"),
            ],
        };
        let applies = |caller: &str| {
            m.matches(&Principal::parse(caller).unwrap(), Effect::Deny, false)
                .is_some()
        };
        assert!(
            !applies("arn:aws:iam::444455556666:user/carol"),
            "carol and her account are listed"
        );
        assert!(
            applies("arn:aws:iam::444455556666:user/dave"),
            "listing the account does not exempt dave"
        );
        assert!(
            !applies("arn:aws:iam::444455556666:root"),
            "the account itself is listed"
        );
        assert!(applies("*"), "anonymous is never listed");
        assert!(
            m.matches(
                &Principal::parse("arn:aws:iam::444455556666:user/carol").unwrap(),
                Effect::Deny,
                true
            )
            .is_some(),
            "NotPrincipal with Deny always applies to a caller with a permissions boundary"
        );
    }

    /// An Allow with NotPrincipal never grants a principal it names, whichever of its
    /// identities is named.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>
    #[test]
    fn not_principal_allow_never_grants_who_it_names() {
        let m = PrincipalMatcher {
            negated: true,
            filter: Filter::Entries,
            entries: vec![Entry::compile(
                PrincipalType::Aws,
                "arn:aws:iam::444455556666:user/carol",
            )],
        };
        let grants = |caller: &str| {
            m.matches(&Principal::parse(caller).unwrap(), Effect::Allow, false)
                .is_some()
        };
        assert!(
            !grants("arn:aws:iam::444455556666:user/carol"),
            "carol is named, though her account is not"
        );
        assert!(grants("arn:aws:iam::444455556666:user/dave"));
        let by_account = PrincipalMatcher {
            negated: true,
            filter: Filter::Entries,
            entries: vec![Entry::compile(PrincipalType::Aws, "444455556666")],
        };
        assert!(
            by_account
                .matches(
                    &Principal::parse("arn:aws:iam::444455556666:user/dave").unwrap(),
                    Effect::Allow,
                    false
                )
                .is_none(),
            "naming the account withholds the grant from its users"
        );
        // The same element in a Deny still applies to carol (her account is not listed).
        assert!(m
            .matches(
                &Principal::parse("arn:aws:iam::444455556666:user/carol").unwrap(),
                Effect::Deny,
                false
            )
            .is_some());
    }
}
