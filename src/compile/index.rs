//! The statement index: which statements can match a request, found without looking
//! at the others, so the cost of a decision does not grow with statements that cannot
//! match.
//!
//! Built once per set, in two parts:
//! - a **resource trie** of the literal prefixes of `Resource` patterns
//!   (`arn:aws:s3:::bucket/` for `arn:aws:s3:::bucket/*`): walking the request's
//!   resource down the trie finds the statements whose resource can match. Reaching a
//!   `prefix*` pattern's node proves the match.
//! - an **action index** for the statements the trie cannot hold (`Resource: "*"`, a
//!   leading wildcard, a variable, `NotResource`): for every action named exactly in the
//!   set, its candidates in evaluation order; an action the set never names exactly falls
//!   back to its service's wildcard statements plus those that match any action.
//!
//! Candidates are still fully evaluated; the index only skips statements that cannot
//! match. Evaluation keeps the smallest statement id per outcome, so the order in which
//! candidates are found does not change the response.

use super::statement::{Actions, CompiledStatement, Known, Proof};
use super::StmtId;
use crate::hash::{key_hash, FxHasher};
use crate::pattern::{Pattern, PatternKind};
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

type FxMap<V> = HashMap<Box<str>, V, BuildHasherDefault<FxHasher>>;

/// A statement that may match the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub(crate) id: StmtId,
    /// What the index already proved: the statement's `Action` matches (the action is
    /// one of its exact names, or one of its wildcards matched it at build time), or its
    /// `Resource` does (the resource trie reached a proving prefix).
    pub(crate) known: Known,
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

/// An `Action` list split for lookups: its exact names in a hash set, its wildcards
/// in a list.
struct ExactOrWild<'a> {
    exact: HashSet<&'a str, BuildHasherDefault<FxHasher>>,
    wild: Vec<&'a Pattern>,
}

impl<'a> ExactOrWild<'a> {
    fn new(patterns: &'a [Pattern]) -> Self {
        let (exact, wild): (Vec<&Pattern>, Vec<&Pattern>) = patterns
            .iter()
            .partition(|p| p.kind() == PatternKind::Exact);
        ExactOrWild {
            exact: exact.into_iter().map(Pattern::source).collect(),
            wild,
        }
    }

    fn matches(&self, action: &str) -> bool {
        self.exact.contains(action) || self.wild.iter().any(|p| p.matches(action))
    }
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
    ///
    /// Linear in the number of actions named, apart from wildcards: a statement's
    /// wildcard is tried only against the exact names that start with its literal
    /// prefix, and a statement that can match any action tries its patterns against
    /// every exact name (a hash lookup for its own exact names).
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
            known: Known::default(),
        };
        let candidate = |id: StmtId, action: bool| Candidate {
            id,
            known: Known {
                action,
                resource: false,
            },
        };
        let always: Box<[Candidate]> = statements
            .iter()
            .filter(|(_, _, r)| matches!(r, Reach::Anything))
            .map(|(id, _, _)| unchecked(*id))
            .collect();
        // Candidates per exact name (parallel to `keys`) and per service, each list in
        // statement order because statements are visited in order.
        let mut per_key: Vec<Vec<Candidate>> = vec![Vec::new(); keys.len()];
        let mut per_service: Vec<Vec<Candidate>> = vec![Vec::new(); services.len()];
        let mut hits: Vec<usize> = Vec::new();
        for (id, a, r) in &statements {
            match r {
                Reach::Anything => {
                    // NotAction is decided at evaluation; an Action list is decided here.
                    let lookup = a.patterns().map(ExactOrWild::new);
                    for (key, list) in keys.iter().zip(per_key.iter_mut()) {
                        let matched = lookup.as_ref().is_some_and(|l| l.matches(key));
                        list.push(candidate(*id, matched));
                    }
                    for list in &mut per_service {
                        list.push(unchecked(*id));
                    }
                }
                Reach::Services {
                    exact,
                    wild_services,
                } => {
                    hits.clear();
                    hits.extend(exact.iter().filter_map(|k| keys.binary_search(&&**k).ok()));
                    for p in a.patterns().unwrap_or_default() {
                        if p.kind() == PatternKind::Exact {
                            continue;
                        }
                        // Action patterns are lowercase, so the literal prefix compares
                        // byte for byte with the lowercase names.
                        let prefix = p.literal_prefix();
                        let start = keys.partition_point(|k| *k < prefix);
                        let range = keys.get(start..).unwrap_or_default();
                        for (offset, key) in range
                            .iter()
                            .enumerate()
                            .take_while(|(_, k)| k.starts_with(prefix))
                        {
                            if p.matches(key) {
                                hits.push(start + offset);
                            }
                        }
                    }
                    hits.sort_unstable();
                    hits.dedup();
                    for &i in &hits {
                        if let Some(list) = per_key.get_mut(i) {
                            list.push(candidate(*id, true));
                        }
                    }
                    for service in wild_services {
                        if let Ok(i) = services.binary_search(&&**service) {
                            if let Some(list) = per_service.get_mut(i) {
                                // A statement with two wildcards of one service once.
                                if list.last().map(|c| c.id) != Some(*id) {
                                    list.push(unchecked(*id));
                                }
                            }
                        }
                    }
                }
            }
        }
        let exact = keys
            .iter()
            .zip(per_key)
            .map(|(k, list)| (Box::from(*k), list.into_boxed_slice()))
            .collect();
        let by_service = services
            .iter()
            .zip(per_service)
            .map(|(s, list)| (Box::from(*s), list.into_boxed_slice()))
            .collect();
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

/// One statement's pattern ending at a trie node.
#[derive(Debug, Clone, Copy)]
struct Leaf {
    id: StmtId,
    proof: Proof,
    /// One bit per exact action name of the statement ([`action_bit`]); a request whose
    /// action's bit is not set cannot match, so the leaf is skipped with one `and`.
    /// All ones for a wildcard action or `NotAction`.
    actions: u64,
    /// Likewise for the caller's account ([`account_bit`]); all ones when the statement
    /// can name callers of any account.
    accounts: u64,
}

/// The filter bit of a [`key_hash`]: one of 64.
#[inline]
pub(crate) fn bit_of(hash: u64) -> u64 {
    1u64 << (hash & 63)
}

/// The filter bit of an account id (zero for an empty one, which names no caller).
pub(crate) fn account_bit(account: &str) -> u64 {
    if account.is_empty() {
        return 0;
    }
    bit_of(key_hash(account))
}

/// The filter bit of a lowercase action name.
fn action_bit(action_lower: &str) -> u64 {
    bit_of(key_hash(action_lower))
}

fn action_filter(actions: &Actions) -> u64 {
    let Some(patterns) = actions.patterns() else {
        return u64::MAX;
    };
    let mut bits = 0;
    for p in patterns {
        if p.kind() != PatternKind::Exact {
            return u64::MAX;
        }
        bits |= action_bit(p.source());
    }
    bits
}

#[derive(Debug, Clone, Default)]
struct Node {
    /// The bytes on the edge from the parent.
    label: Box<[u8]>,
    /// Children by the first byte of their label, sorted.
    children: Vec<(u8, u32)>,
    leaves: Vec<Leaf>,
}

/// A radix trie of resource literal prefixes.
#[derive(Debug, Clone)]
struct Trie {
    nodes: Vec<Node>,
}

impl Default for Trie {
    fn default() -> Self {
        Trie {
            nodes: vec![Node::default()],
        }
    }
}

impl Trie {
    fn insert(&mut self, key: &[u8], leaf: Leaf) {
        let mut node = 0usize;
        let mut rest = key;
        loop {
            let Some(&first) = rest.first() else {
                if let Some(n) = self.nodes.get_mut(node) {
                    n.leaves.push(leaf);
                }
                return;
            };
            let child = self.nodes.get(node).and_then(|n| {
                n.children
                    .iter()
                    .find(|(b, _)| *b == first)
                    .map(|(_, c)| *c as usize)
            });
            let Some(child) = child else {
                let new = self.nodes.len();
                self.nodes.push(Node {
                    label: rest.into(),
                    children: Vec::new(),
                    leaves: vec![leaf],
                });
                if let Some(n) = self.nodes.get_mut(node) {
                    let at = n.children.partition_point(|(b, _)| *b < first);
                    n.children.insert(at, (first, new as u32));
                }
                return;
            };
            let label = self
                .nodes
                .get(child)
                .map(|n| n.label.clone())
                .unwrap_or_default();
            let common = label.iter().zip(rest).take_while(|(a, b)| a == b).count();
            if common < label.len() {
                // Split the edge: a new node takes the common part.
                let mid = self.nodes.len();
                let (head, tail) = label.split_at(common);
                self.nodes.push(Node {
                    label: head.into(),
                    children: tail
                        .first()
                        .map(|&b| vec![(b, child as u32)])
                        .unwrap_or_default(),
                    leaves: Vec::new(),
                });
                if let Some(c) = self.nodes.get_mut(child) {
                    c.label = tail.into();
                }
                if let Some(n) = self.nodes.get_mut(node) {
                    if let Some(slot) = n.children.iter_mut().find(|(b, _)| *b == first) {
                        slot.1 = mid as u32;
                    }
                }
                node = mid;
            } else {
                node = child;
            }
            rest = rest.get(common..).unwrap_or_default();
        }
    }
}

/// The order in which equal prefixes are kept: the one whose reach proves most first.
fn proof_rank(p: Proof) -> u8 {
    match p {
        Proof::Prefix => 0,
        Proof::Exact => 1,
        Proof::None => 2,
    }
}

/// The index of a policy set.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    actions: ActionIndex,
    has_unfiltered: bool,
    trie: Trie,
}

impl Index {
    /// `statements` in evaluation order.
    pub(crate) fn build<'s>(
        statements: impl Iterator<Item = (StmtId, &'s CompiledStatement)>,
    ) -> Index {
        let mut trie = Trie::default();
        let mut unfiltered = Vec::new();
        for (id, s) in statements {
            let Some(mut prefixes) = s.resources.prefixes() else {
                unfiltered.push((id, &s.actions));
                continue;
            };
            // INVARIANT: no kept prefix of a statement is a prefix of another, so a walk
            // reaches each statement at most once. Dropping the longer one loses only its
            // proof; the statement is then checked in full.
            // In byte order a prefix comes first, and everything between it and a longer
            // string it begins also begins with it: so a string is covered by a kept
            // prefix exactly when it is covered by the last one kept. Of equal strings
            // the one whose reach proves the most comes first.
            prefixes
                .sort_by(|(a, pa), (b, pb)| a.cmp(b).then(proof_rank(*pa).cmp(&proof_rank(*pb))));
            let mut kept: Vec<(&str, Proof)> = Vec::new();
            for (p, proof) in prefixes {
                if !kept.last().is_some_and(|(k, _)| p.starts_with(k)) {
                    kept.push((p, proof));
                }
            }
            let actions = action_filter(&s.actions);
            let accounts = s
                .principal
                .as_ref()
                .map_or(u64::MAX, |p| p.account_filter());
            for (prefix, proof) in kept {
                trie.insert(
                    prefix.as_bytes(),
                    Leaf {
                        id,
                        proof,
                        actions,
                        accounts,
                    },
                );
            }
        }
        let has_unfiltered = !unfiltered.is_empty();
        Index {
            actions: ActionIndex::build(unfiltered.into_iter()),
            has_unfiltered,
            trie,
        }
    }

    /// The candidates whose resource cannot be filtered, from the action index.
    #[inline]
    pub(crate) fn by_action(&self, action: &str, service: &str) -> &[Candidate] {
        if self.has_unfiltered {
            self.actions.candidates(action, service)
        } else {
            &[]
        }
    }

    /// Calls `found` for each statement whose resource literal prefix `resource` starts
    /// with and whose action filter admits the action's bit; each statement at most once.
    #[inline]
    pub(crate) fn by_resource(
        &self,
        resource: &str,
        action_bit: u64,
        account_bit: u64,
        mut found: impl FnMut(Candidate),
    ) {
        let input = resource.as_bytes();
        let mut node = 0usize;
        let mut pos = 0usize;
        while let Some(n) = self.trie.nodes.get(node) {
            for leaf in &n.leaves {
                if leaf.actions & action_bit != 0
                    && (leaf.accounts == u64::MAX || leaf.accounts & account_bit != 0)
                {
                    let resource_matched = match leaf.proof {
                        Proof::Prefix => true,
                        Proof::Exact => pos == input.len(),
                        Proof::None => false,
                    };
                    found(Candidate {
                        id: leaf.id,
                        known: Known {
                            action: false,
                            resource: resource_matched,
                        },
                    });
                }
            }
            let Some(next) = input.get(pos) else { return };
            let Some(&(_, child)) = n.children.iter().find(|(b, _)| b == next) else {
                return;
            };
            let Some(c) = self.trie.nodes.get(child as usize) else {
                return;
            };
            let end = pos + c.label.len();
            if input.get(pos..end) != Some(&*c.label) {
                return;
            }
            pos = end;
            node = child as usize;
        }
    }
}
