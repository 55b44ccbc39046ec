//! The action index: which statements can match a request's action, found with one
//! hash lookup, so the cost of a decision does not grow with statements that cannot
//! match.
//!
//! Built once per set. For every action named exactly somewhere in the set, the
//! candidates are precomputed in evaluation order: the statements whose `Action`
//! matches it, plus those that can match any action (`NotAction`, `*`, a wildcard in the
//! service prefix). An action the set never names exactly falls back to its service's
//! wildcard statements plus the match-anything ones. Candidates are still fully
//! evaluated: the index only skips statements whose action cannot match.

use super::compile::Actions;
use super::response::StmtId;
use crate::hash::FxHasher;
use crate::pattern::PatternKind;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

type FxMap<V> = HashMap<Box<str>, V, BuildHasherDefault<FxHasher>>;

/// A statement that may match the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub(crate) id: StmtId,
    /// The index already proved the statement's `Action` matches (the action is one of
    /// its exact names, or one of its wildcards matched it at build time).
    pub(crate) action_matched: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ActionIndex {
    exact: FxMap<Box<[Candidate]>>,
    by_service: FxMap<Box<[Candidate]>>,
    always: Box<[Candidate]>,
}

/// Where a statement can match, by its action element.
enum Reach {
    /// Only these exact (lowercase) actions and, through wildcards, these services.
    Services {
        exact: Vec<Box<str>>,
        wild_services: Vec<Box<str>>,
    },
    /// Any action.
    Anything,
}

fn reach(actions: &Actions) -> Reach {
    let Some(patterns) = actions.patterns() else {
        return Reach::Anything;
    };
    let mut exact = Vec::new();
    let mut wild_services = Vec::new();
    for p in patterns {
        if p.kind() == PatternKind::Exact {
            exact.push(p.source().into());
            continue;
        }
        // A wildcard pattern is confined to one service when its literal prefix already
        // includes the service's colon.
        match p.literal_prefix().split_once(':') {
            Some((service, _)) => wild_services.push(service.into()),
            None => return Reach::Anything,
        }
    }
    Reach::Services {
        exact,
        wild_services,
    }
}

impl ActionIndex {
    /// `statements` in evaluation order.
    pub(crate) fn build<'s>(
        statements: impl Iterator<Item = (StmtId, &'s Actions)>,
    ) -> ActionIndex {
        let statements: Vec<(StmtId, &Actions, Reach)> =
            statements.map(|(id, a)| (id, a, reach(a))).collect();
        let mut keys: Vec<&str> = Vec::new();
        let mut services: Vec<&str> = Vec::new();
        for (_, _, r) in &statements {
            if let Reach::Services {
                exact,
                wild_services,
            } = r
            {
                keys.extend(exact.iter().map(|k| &**k));
                services.extend(wild_services.iter().map(|k| &**k));
                services.extend(
                    exact
                        .iter()
                        .filter_map(|k| k.split_once(':').map(|(s, _)| s)),
                );
            }
        }
        keys.sort_unstable();
        keys.dedup();
        services.sort_unstable();
        services.dedup();
        let unchecked = |id: StmtId| Candidate {
            id,
            action_matched: false,
        };
        let always: Box<[Candidate]> = statements
            .iter()
            .filter(|(_, _, r)| matches!(r, Reach::Anything))
            .map(|(id, _, _)| unchecked(*id))
            .collect();
        let mut exact = FxMap::default();
        for key in keys {
            let list: Box<[Candidate]> = statements
                .iter()
                .filter_map(|(id, a, r)| {
                    // NotAction is decided at evaluation; an Action list is decided here.
                    let action_matched = a.patterns().is_some() && a.matches(key);
                    (matches!(r, Reach::Anything) || action_matched).then_some(Candidate {
                        id: *id,
                        action_matched,
                    })
                })
                .collect();
            exact.insert(key.into(), list);
        }
        let mut by_service = FxMap::default();
        for service in services {
            let list: Box<[Candidate]> = statements
                .iter()
                .filter(|(_, _, r)| match r {
                    Reach::Anything => true,
                    Reach::Services { wild_services, .. } => {
                        wild_services.iter().any(|s| **s == *service)
                    }
                })
                .map(|(id, _, _)| unchecked(*id))
                .collect();
            by_service.insert(service.into(), list);
        }
        ActionIndex {
            exact,
            by_service,
            always,
        }
    }

    /// The statements that can match `action` (lowercase), in evaluation order.
    #[inline]
    pub(crate) fn candidates(&self, action: &str, service: &str) -> &[Candidate] {
        if let Some(list) = self.exact.get(action) {
            return list;
        }
        match self.by_service.get(service) {
            Some(list) => list,
            None => &self.always,
        }
    }
}
