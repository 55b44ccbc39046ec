//! Per-action programs: for every action a set can be asked about, the exact list of
//! statements whose `Action` or `NotAction` covers it, worked out when the set is built,
//! so that a decision looks at those statements only and never checks again what the
//! build proved.
//!
//! Action names and patterns are compared once, at build time:
//! - each action the set names exactly (in an `Action` or a `NotAction`) gets a program
//!   listing every statement that covers it, each one proven;
//! - each service the set names gets one program for the actions of that service it
//!   never names exactly: its statements carry a *residual* check, the few patterns of
//!   theirs that can match an action of that service and do not match all of them;
//! - one program serves actions of every other service, with residual checks of the
//!   patterns that name no service (`*`, `*:Get*`, `NotAction`).
//!
//! One hash of the request's lowercase action (computed when the request is built)
//! selects the program, a second one (of its service) only when the set never names the
//! action exactly. Programs with the same statements are stored once.
//!
//! Within a program, statements are split by effect, `Deny` before `Allow`, so that
//! evaluation can stop once a `Deny` applies; and by resource. A statement whose every
//! `Resource` pattern starts with literal text is filed under those prefixes (groups):
//! the prefixes a request's resource starts with are found by comparing each, or, past a
//! few, through a radix trie of them; a `prefix*` pattern is then proven to match. A
//! statement whose resource always matches (`"*"`, no `Resource`) needs no check, and
//! the others (`NotResource`, variables, a leading wildcard) are checked one by one.
//! A program of at most 64 statements is run through bit sets of its steps: the steps a
//! request can match are those without a group, and those of its matching groups, of the
//! policy kinds that apply. Allow statements of RCPs are left out: an RCP restricts only
//! through `Deny`.
//!
//! Within each phase the order in which statements are evaluated does not change the
//! response: every `Deny` that applies is kept in statement order, each way of allowing
//! keeps its smallest statement, and problems are kept by statement.

use super::statement::{Actions, CompiledStatement, Proof};
use super::StmtId;
use crate::hash::{bytes_eq, common_prefix_len, key_hash, starts_with, FxHasher};
use crate::pattern::{Pattern, PatternKind};
use crate::policy::{Effect, PolicyKind};
use crate::request::Request;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A statement in a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Step {
    pub(crate) id: StmtId,
    /// The statement's action check left for evaluation, an index into
    /// [`Programs::residuals`]; [`PROVEN`] when the build proved it covers every action
    /// the program serves.
    residual: u32,
    /// How its resource is decided: [`ALWAYS`] matches, [`CHECKED`] one by one, or else
    /// the group of the literal prefix the resource must start with.
    // INVARIANT: a group index is exact in a program with bit sets (at most 64 groups);
    // a larger program only tells `ALWAYS` and `CHECKED` from the rest.
    group: u16,
    /// What starting with the group's prefix proves about the resource.
    proof: Proof,
}

/// A step whose action the build proved.
const PROVEN: u32 = u32::MAX;
/// A step whose resource always matches (`"*"`, no `Resource` element).
const ALWAYS: u16 = u16::MAX;
/// A step whose resource is checked one by one (`NotResource`, a variable, a pattern
/// that starts with a wildcard).
const CHECKED: u16 = u16::MAX - 1;

impl Step {
    /// Whether its resource always matches.
    #[inline(always)]
    pub(crate) fn always(self) -> bool {
        self.group == ALWAYS
    }

    /// What starting with its group's prefix proves: the resource matches. `at_end`: the
    /// prefix is the whole resource.
    #[inline(always)]
    pub(crate) fn proven(self, at_end: bool) -> bool {
        match self.proof {
            Proof::Prefix => true,
            Proof::Exact => at_end,
            Proof::None => false,
        }
    }
}

/// The patterns of one statement's `Action` (or `NotAction`, `negated`) that can match an
/// action the program serves and were not decided when the set was built.
#[derive(Debug, Clone)]
struct Residual {
    negated: bool,
    patterns: Box<[Pattern]>,
}

impl Residual {
    #[inline]
    fn covers(&self, action_lower: &str) -> bool {
        self.patterns.iter().any(|p| p.matches(action_lower)) != self.negated
    }
}

/// The statements of a program found by one literal prefix of their resource, by
/// phase: `denies` and `allows` are ranges of `Program::steps`.
#[derive(Debug, Clone, Copy)]
struct Group {
    /// The prefix, in `Program::prefixes`.
    prefix: (u32, u32),
    denies: (u32, u32),
    allows: (u32, u32),
}

/// A small program's steps as bit sets (bit `i` for `Program::steps[i]`), so that a
/// decision visits only the steps that can match and tests nothing twice.
#[derive(Debug, Clone, Default)]
struct Bits {
    /// The `Deny` steps.
    denies: u64,
    /// The steps without a group: their resource always matches or is checked one by one.
    fixed: u64,
    /// The steps whose resource is proven once they are considered: those that always
    /// match, and those of a `prefix*` group.
    proven: u64,
    /// The steps by `PolicyKind as usize`.
    kinds: [u64; 6],
    /// One bit per kind with steps, by `PolicyKind as u8`.
    present: u8,
    /// Per group (parallel to `Program::groups`): its steps, and those proven when the
    /// prefix is the whole resource.
    groups: Box<[(u64, u64)]>,
    /// The steps whose `Principal` names callers of one account only (or none), which
    /// cannot match a caller of another: checked together, by account. Only steps whose
    /// resource is decided without a check are among them, since a check could report a
    /// problem before the principal is looked at.
    restricted: u64,
    /// Per account, the restricted steps that name its callers.
    accounts: Box<[(u64, u64)]>,
}

/// The steps of a small program a request can match, and those whose resource is
/// proven to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Selected {
    pub(crate) considered: u64,
    pub(crate) proven: u64,
}

/// Above this many prefixes, a program finds the ones a resource starts with through a
/// trie instead of comparing each.
const LINEAR: usize = 6;

/// Up to this many steps (and 64 prefixes), a program is run through bit sets of its
/// steps (see [`Bits`]); larger programs are run prefix by prefix.
const FLAT: usize = 64;

/// The statements one action (or one group of actions) can match.
///
/// `steps` holds the `Deny` steps, then from `first_allow` the `Allow` steps; within each
/// phase, those whose resource always matches or is checked one by one come first (up to
/// `fixed`), then those of each prefix group.
#[derive(Debug, Clone, Default)]
pub(crate) struct Program {
    steps: Box<[Step]>,
    first_allow: u32,
    /// The end of the steps without a group in each phase.
    fixed: (u32, u32),
    groups: Box<[Group]>,
    prefixes: Box<[u8]>,
    /// Over the groups' prefixes, when there are more than [`LINEAR`]; empty otherwise.
    trie: Trie,
    /// For a program of at most [`FLAT`] steps and 64 groups.
    // INVARIANT: present only then, so every group index fits a bit of a `u64`.
    bits: Option<Bits>,
}

/// The prefix groups (at most 64) a resource starts with, one bit each, and those whose
/// prefix is the whole resource.
#[derive(Debug, Clone, Copy, Default)]
struct Mask {
    matched: u64,
    at_end: u64,
}

impl Program {
    /// The steps, for a program run with [`Program::select`].
    #[inline(always)]
    pub(crate) fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// For a small program, the steps the request can match: those without a group and
    /// those of the groups whose prefix the resource starts with, of the policy kinds
    /// that apply (`kinds`: one bit per kind, by `PolicyKind as u8`), less those whose
    /// `Principal` names only callers of an account other than `account` (the caller's);
    /// with them, the `Deny` steps. `None` for a program run group by group.
    #[inline(always)]
    pub(crate) fn select(
        &self,
        resource: &str,
        kinds: u8,
        account: Option<u64>,
    ) -> Option<(Selected, u64)> {
        let bits = self.bits.as_ref()?;
        let mask = self.mask(resource);
        let mut considered = bits.fixed;
        let mut proven = bits.proven;
        let mut matched = mask.matched;
        while matched != 0 {
            let g = matched.trailing_zeros();
            matched &= matched - 1;
            if let Some(&(steps, exact)) = bits.groups.get(g as usize) {
                considered |= steps;
                if mask.at_end & (1 << g) != 0 {
                    proven |= exact;
                }
            }
        }
        if considered & bits.restricted != 0 {
            let mut keep = !bits.restricted;
            if let Some(caller) = account {
                for &(a, steps) in bits.accounts.iter() {
                    if a == caller {
                        keep |= steps;
                    }
                }
            }
            considered &= keep;
        }
        if kinds & bits.present != bits.present {
            let mut of_kinds = 0;
            for (k, steps) in bits.kinds.iter().enumerate() {
                if kinds & (1 << k) != 0 {
                    of_kinds |= steps;
                }
            }
            considered &= of_kinds;
        }
        Some((Selected { considered, proven }, bits.denies))
    }

    /// The `Deny` (or `Allow`) steps without a group.
    #[inline(always)]
    pub(crate) fn fixed(&self, deny: bool) -> &[Step] {
        let (start, end) = if deny {
            (0, self.fixed.0)
        } else {
            (self.first_allow, self.fixed.1)
        };
        self.steps
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }
    /// The `Deny` (or `Allow`) steps of a group, and the length of its prefix.
    #[inline(always)]
    pub(crate) fn group(&self, group: u32, deny: bool) -> (&[Step], usize) {
        let Some(g) = self.groups.get(group as usize) else {
            return (&[], 0);
        };
        let (start, end) = if deny { g.denies } else { g.allows };
        let steps = self
            .steps
            .get(start as usize..end as usize)
            .unwrap_or_default();
        (steps, g.prefix.1 as usize)
    }

    #[inline(always)]
    fn prefix(&self, g: &Group) -> &[u8] {
        let (start, len) = g.prefix;
        self.prefixes
            .get(start as usize..(start + len) as usize)
            .unwrap_or_default()
    }

    /// The groups whose prefix the resource starts with, for a small program.
    #[inline(always)]
    fn mask(&self, resource: &str) -> Mask {
        let resource = resource.as_bytes();
        let mut mask = Mask::default();
        if self.trie.nodes.is_empty() {
            for (i, g) in self.groups.iter().enumerate() {
                let prefix = self.prefix(g);
                if starts_with(resource, prefix) {
                    let bit = 1u64 << (i & 63);
                    mask.matched |= bit;
                    if prefix.len() == resource.len() {
                        mask.at_end |= bit;
                    }
                }
            }
        } else {
            self.trie.for_each_matched(resource, |group, depth| {
                let bit = 1u64 << (group & 63);
                mask.matched |= bit;
                if depth == resource.len() {
                    mask.at_end |= bit;
                }
            });
        }
        mask
    }

    /// The groups whose prefix the resource starts with, for a program run group by
    /// group.
    #[inline(always)]
    pub(crate) fn matched(&self, resource: &str) -> Matched {
        let resource = resource.as_bytes();
        let mut out = Matched::default();
        if self.trie.nodes.is_empty() {
            for (i, g) in self.groups.iter().enumerate() {
                if starts_with(resource, self.prefix(g)) {
                    out.push(i as u32);
                }
            }
        } else {
            self.trie.matched(resource, &mut out);
        }
        out
    }

    /// Calls `found` for every group whose prefix the resource starts with, for the
    /// resources [`Matched`] could not record.
    pub(crate) fn for_each_matched(&self, resource: &str, mut found: impl FnMut(u32)) {
        if self.trie.nodes.is_empty() {
            for (i, g) in self.groups.iter().enumerate() {
                if starts_with(resource.as_bytes(), self.prefix(g)) {
                    found(i as u32);
                }
            }
            return;
        }
        self.trie
            .for_each_matched(resource.as_bytes(), |group, _| found(group));
    }
}

/// The most groups a walk records; a resource matching more (nested prefixes, each with
/// statements) is walked again per phase.
const MAX_MATCHED: usize = 8;

/// The groups a resource matched.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Matched {
    groups: [u32; MAX_MATCHED],
    len: u8,
    /// More groups matched than fit: use [`Program::for_each_matched`].
    pub(crate) overflow: bool,
}

impl Matched {
    #[inline(always)]
    fn push(&mut self, group: u32) {
        match self.groups.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = group;
                self.len += 1;
            }
            None => self.overflow = true,
        }
    }
    /// The groups, shallowest first.
    #[inline(always)]
    pub(crate) fn groups(&self) -> &[u32] {
        self.groups.get(..usize::from(self.len)).unwrap_or_default()
    }
}

/// A radix trie of group prefixes, flattened.
#[derive(Debug, Clone, Default)]
struct Trie {
    nodes: Box<[Node]>,
    /// Every node's whole prefix, at `Node::key`.
    keys: Box<[u8]>,
    /// Children of every node, by the first byte of their edge, sorted per node.
    children: Box<[(u8, u32)]>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Node {
    /// The length of the node's prefix: where the walk reads the next byte.
    depth: u32,
    /// The prefix's start in `Trie::keys`.
    key: u32,
    children: (u32, u32),
    /// The group whose prefix this is; [`NO_GROUP`] for a node made by splitting an edge.
    group: u32,
}

const NO_GROUP: u32 = u32::MAX;

impl Trie {
    /// Walks the trie by the bytes where its edges branch (the bytes in between are
    /// checked once, at the end, against the deepest node reached) and records the
    /// groups whose prefix the resource starts with.
    ///
    /// Skipping bytes is sound: a node whose prefix the resource starts with is reached,
    /// because at each of its ancestors the edge towards it begins with the resource's
    /// next byte; and a node reached is kept only if its prefix, a prefix of the deepest
    /// node's, is no longer than the common prefix of the resource and the deepest
    /// node's.
    #[inline]
    fn matched(&self, resource: &[u8], out: &mut Matched) {
        let mut depths = [0u32; MAX_MATCHED];
        let Some(deepest) = self.descend(resource, |n| {
            if n.group != NO_GROUP {
                if let Some(d) = depths.get_mut(usize::from(out.len)) {
                    *d = n.depth;
                }
                out.push(n.group);
            }
        }) else {
            return;
        };
        if out.len == 0 {
            return;
        }
        let common = common_prefix_len(resource, self.key(deepest));
        // Recorded shallowest first: drop the deepest ones the resource does not start
        // with.
        while out.len > 0
            && depths
                .get(usize::from(out.len) - 1)
                .is_some_and(|&depth| depth as usize > common)
        {
            out.len -= 1;
        }
    }

    /// Follows the resource down the trie by first bytes, calling `visit` on every node
    /// reached (root first); returns the deepest, `None` for an empty trie.
    #[inline(always)]
    fn descend<'t>(&'t self, resource: &[u8], mut visit: impl FnMut(&Node)) -> Option<&'t Node> {
        let mut node = self.nodes.first()?;
        loop {
            visit(node);
            let Some(&byte) = resource.get(node.depth as usize) else {
                return Some(node);
            };
            let (start, end) = node.children;
            let children = self
                .children
                .get(start as usize..end as usize)
                .unwrap_or_default();
            let Some(&(_, child)) = children.iter().find(|(b, _)| *b == byte) else {
                return Some(node);
            };
            match self.nodes.get(child as usize) {
                Some(n) => node = n,
                None => return Some(node),
            }
        }
    }

    /// A node's whole prefix.
    #[inline(always)]
    fn key(&self, n: &Node) -> &[u8] {
        self.keys
            .get(n.key as usize..(n.key + n.depth) as usize)
            .unwrap_or_default()
    }

    /// Calls `found` with the group and prefix length of every node whose prefix the
    /// resource starts with: one walk to the deepest node, a second one to report.
    #[inline(always)]
    fn for_each_matched(&self, resource: &[u8], mut found: impl FnMut(u32, usize)) {
        let Some(deepest) = self.descend(resource, |_| {}) else {
            return;
        };
        let common = common_prefix_len(resource, self.key(deepest));
        self.descend(resource, |n| {
            if n.group != NO_GROUP && n.depth as usize <= common {
                found(n.group, n.depth as usize);
            }
        });
    }
}

/// An open-addressing table from lowercase names (actions or services) to programs,
/// probed by the names' [`key_hash`] and confirmed by comparing the names.
#[derive(Debug, Clone, Default)]
struct Table {
    /// INVARIANT: empty or a power of two long, at most half full, so a probe ends.
    slots: Box<[Slot]>,
    text: Box<[u8]>,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    hash: u64,
    start: u32,
    len: u32,
    /// [`EMPTY`] for a free slot.
    program: u32,
}

const EMPTY: u32 = u32::MAX;

/// The slot a hash starts probing at: FxHash mixes its high bits best.
#[inline]
fn bucket(hash: u64) -> usize {
    (hash >> 32) as usize
}

impl Table {
    fn build(entries: &[(&str, u32)]) -> Table {
        if entries.is_empty() {
            return Table::default();
        }
        let size = (entries.len() * 2).next_power_of_two();
        let mask = size - 1;
        let free = Slot {
            hash: 0,
            start: 0,
            len: 0,
            program: EMPTY,
        };
        let mut slots = vec![free; size];
        let mut text = Vec::new();
        for &(name, program) in entries {
            let hash = key_hash(name);
            let mut i = bucket(hash) & mask;
            while slots.get(i).is_some_and(|s| s.program != EMPTY) {
                i = (i + 1) & mask;
            }
            if let Some(slot) = slots.get_mut(i) {
                *slot = Slot {
                    hash,
                    start: text.len() as u32,
                    len: name.len() as u32,
                    program,
                };
            }
            text.extend_from_slice(name.as_bytes());
        }
        Table {
            slots: slots.into(),
            text: text.into(),
        }
    }

    #[inline]
    fn get(&self, hash: u64, name: &[u8]) -> Option<u32> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut i = bucket(hash) & mask;
        loop {
            let slot = self.slots.get(i)?;
            if slot.program == EMPTY {
                return None;
            }
            if slot.hash == hash {
                let start = slot.start as usize;
                let key = self
                    .text
                    .get(start..start + slot.len as usize)
                    .unwrap_or_default();
                if bytes_eq(key, name) {
                    return Some(slot.program);
                }
            }
            i = (i + 1) & mask;
        }
    }
}

/// The programs of a set.
#[derive(Debug, Clone, Default)]
pub(crate) struct Programs {
    actions: Table,
    services: Table,
    /// The program of actions whose service the set never names.
    other: u32,
    programs: Box<[Program]>,
    residuals: Box<[Residual]>,
}

impl Programs {
    /// The program of the request's action: one hash lookup of the action (its hash was
    /// computed when the request was built), and one of its service when the set never
    /// names the action exactly.
    #[inline(always)]
    pub(crate) fn select(&self, request: &Request) -> Option<&Program> {
        let i = match self
            .actions
            .get(request.action_hash(), request.action_lower().as_bytes())
        {
            Some(i) => i,
            None => self
                .services
                .get(request.service_hash(), request.service_lower())
                .unwrap_or(self.other),
        };
        // An empty program (an action no statement covers) decides nothing.
        self.programs
            .get(i as usize)
            .filter(|p| !p.steps.is_empty())
    }

    /// Whether a step's statement covers the action: proven at build time, or decided
    /// now by its residual patterns.
    #[inline]
    pub(crate) fn covers(&self, step: Step, action_lower: &str) -> bool {
        step.residual == PROVEN
            || self
                .residuals
                .get(step.residual as usize)
                .is_some_and(|r| r.covers(action_lower))
    }

    /// Compiles the programs of `statements` (the set's, in order: a statement's
    /// position is its [`StmtId`]).
    ///
    /// Linear in the names and patterns of the set, apart from wildcards: a wildcard is
    /// tried only against the exact names that start with its literal prefix, and a
    /// `NotAction` (or an `Action` whose pattern names no service) is recorded in every
    /// program it can reach.
    pub(crate) fn build(statements: &[CompiledStatement]) -> Programs {
        let included = |s: &CompiledStatement| {
            // RCPs restrict only through Deny: AWS always attaches RCPFullAWSAccess.
            !(s.kind == PolicyKind::Rcp && s.effect == Effect::Allow)
        };
        let mut names: Vec<&str> = Vec::new();
        let mut services: Vec<&str> = Vec::new();
        for s in statements.iter().filter(|s| included(s)) {
            for p in s.actions.list() {
                if p.kind() == PatternKind::Exact {
                    names.push(p.source());
                    services.extend(p.source().split_once(':').map(|(svc, _)| svc));
                } else {
                    services.extend(p.literal_prefix().split_once(':').map(|(svc, _)| svc));
                }
            }
        }
        names.sort_unstable();
        names.dedup();
        services.sort_unstable();
        services.dedup();

        let mut per_name: Vec<Vec<Step>> = vec![Vec::new(); names.len()];
        let mut per_service: Vec<Vec<Step>> = vec![Vec::new(); services.len()];
        let mut other: Vec<Step> = Vec::new();
        let mut residuals: Vec<Residual> = Vec::new();
        let mut hits: Vec<usize> = Vec::new();
        let mut by_service: std::collections::BTreeMap<usize, (bool, Vec<&Pattern>)> =
            std::collections::BTreeMap::new();
        let mut residual = |negated: bool, patterns: &[&Pattern]| {
            residuals.push(Residual {
                negated,
                patterns: patterns.iter().map(|p| (*p).clone()).collect(),
            });
            (residuals.len() - 1) as u32
        };

        for (i, s) in statements.iter().enumerate() {
            if !included(s) {
                continue;
            }
            let id = StmtId(i as u32);
            let negated = matches!(s.actions, Actions::NotAction(_));
            let patterns = s.actions.list();
            let step = |residual: u32| Step {
                id,
                residual,
                group: CHECKED,
                proof: Proof::None,
            };

            // Exact names: which the patterns match.
            hits.clear();
            for p in patterns {
                if p.kind() == PatternKind::Exact {
                    hits.extend(names.binary_search(&p.source()).ok());
                    continue;
                }
                // Action patterns are lowercase, so the literal prefix compares byte for
                // byte with the lowercase names.
                let prefix = p.literal_prefix();
                let start = names.partition_point(|k| *k < prefix);
                let range = names.get(start..).unwrap_or_default();
                for (offset, name) in range
                    .iter()
                    .enumerate()
                    .take_while(|(_, k)| k.starts_with(prefix))
                {
                    if p.matches(name) {
                        hits.push(start + offset);
                    }
                }
            }
            hits.sort_unstable();
            hits.dedup();
            if negated {
                let mut excluded = hits.iter().copied().peekable();
                for (k, list) in per_name.iter_mut().enumerate() {
                    if excluded.next_if_eq(&k).is_none() {
                        list.push(step(PROVEN));
                    }
                }
            } else {
                for &k in &hits {
                    if let Some(list) = per_name.get_mut(k) {
                        list.push(step(PROVEN));
                    }
                }
            }

            // Actions a service's program serves are never named exactly, so only
            // wildcards can match them: per service, the wildcards that can, and whether
            // one matches every action of the service.
            by_service.clear();
            let mut unconfined: Vec<&Pattern> = Vec::new();
            let mut matches_all = false;
            for p in patterns.iter().filter(|p| p.kind() != PatternKind::Exact) {
                let prefix = p.literal_prefix();
                let (first, count) = match prefix.split_once(':') {
                    // A literal prefix with a colon confines the pattern to its service.
                    Some((svc, _)) => match services.binary_search(&svc) {
                        Ok(at) => (at, 1),
                        Err(_) => (0, 0),
                    },
                    // Otherwise the service must start with the prefix (which has no colon).
                    None => {
                        unconfined.push(p);
                        matches_all |= p.kind() == PatternKind::Any;
                        let start = services.partition_point(|k| *k < prefix);
                        let range = services.get(start..).unwrap_or_default();
                        (
                            start,
                            range.iter().take_while(|k| k.starts_with(prefix)).count(),
                        )
                    }
                };
                let reach = services.get(first..first + count).unwrap_or_default();
                for (offset, svc) in reach.iter().enumerate() {
                    let entry = by_service.entry(first + offset).or_default();
                    entry.0 |= covers_service(p, svc);
                    entry.1.push(p);
                }
            }
            if negated {
                for (k, list) in per_service.iter_mut().enumerate() {
                    match by_service.get(&k) {
                        None => list.push(step(PROVEN)),
                        Some((true, _)) => {}
                        Some((false, pats)) => list.push(step(residual(true, pats))),
                    }
                }
                if !matches_all {
                    other.push(step(if unconfined.is_empty() {
                        PROVEN
                    } else {
                        residual(true, &unconfined)
                    }));
                }
            } else {
                for (&k, (all, pats)) in &by_service {
                    let r = if *all { PROVEN } else { residual(false, pats) };
                    if let Some(list) = per_service.get_mut(k) {
                        list.push(step(r));
                    }
                }
                if matches_all {
                    other.push(step(PROVEN));
                } else if !unconfined.is_empty() {
                    other.push(step(residual(false, &unconfined)));
                }
            }
        }

        // Programs with the same steps are compiled once.
        let mut resources = Resources::new(statements);
        let mut distinct: FxHashMap<Vec<Step>, u32> = FxHashMap::default();
        let mut programs: Vec<Program> = Vec::new();
        let mut intern = |steps: Vec<Step>| -> u32 {
            if let Some(&i) = distinct.get(&steps) {
                return i;
            }
            let i = programs.len() as u32;
            programs.push(resources.program(&steps));
            distinct.insert(steps, i);
            i
        };
        let actions: Vec<(&str, u32)> = names
            .iter()
            .zip(per_name)
            .map(|(name, steps)| (*name, intern(steps)))
            .collect();
        let service_programs: Vec<(&str, u32)> = services
            .iter()
            .zip(per_service)
            .map(|(svc, steps)| (*svc, intern(steps)))
            .collect();
        let other = intern(other);
        Programs {
            actions: Table::build(&actions),
            services: Table::build(&service_programs),
            other,
            programs: programs.into(),
            residuals: residuals.into(),
        }
    }
}

/// Whether a wildcard matches every action of a service: `*`, or `prefix*` where
/// `service:` starts with the prefix.
fn covers_service(p: &Pattern, service: &str) -> bool {
    match p.kind() {
        PatternKind::Any => true,
        PatternKind::Prefix => {
            let prefix = p.literal_prefix().as_bytes();
            let mut full = service.as_bytes().to_vec();
            full.push(b':');
            full.starts_with(prefix)
        }
        _ => false,
    }
}

/// The resource side of program building: each statement's literal prefixes, computed
/// once for all the programs it is in.
struct Resources<'s> {
    statements: &'s [CompiledStatement],
    /// Per statement, once computed: its kept prefixes, `None` when it has none.
    prefixes: Vec<Option<Kept<'s>>>,
}

/// A statement's kept literal prefixes, each with what reaching it proves; `None` when
/// the trie cannot hold the statement.
type Kept<'s> = Option<Vec<(&'s str, Proof)>>;

impl<'s> Resources<'s> {
    fn new(statements: &'s [CompiledStatement]) -> Self {
        Resources {
            statements,
            prefixes: vec![None; statements.len()],
        }
    }

    /// A statement's kept prefixes, `None` when the trie cannot hold it.
    fn prefixes(&mut self, id: StmtId) -> Option<&[(&'s str, Proof)]> {
        let slot = self.prefixes.get_mut(id.index())?;
        let statements = self.statements;
        slot.get_or_insert_with(|| {
            let mut prefixes = statements.get(id.index())?.resources.prefixes()?;
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
            Some(kept)
        })
        .as_deref()
    }

    fn program(&mut self, steps: &[Step]) -> Program {
        // By phase (Deny, Allow): the steps without a group, and each group's.
        let mut fixed: [Vec<Step>; 2] = Default::default();
        let mut found: Vec<(&'s [u8], [Vec<Step>; 2])> = Vec::new();
        let mut by_prefix: FxHashMap<&'s [u8], usize> = FxHashMap::default();
        for &step in steps {
            let Some(s) = self.statements.get(step.id.index()) else {
                continue;
            };
            let phase = usize::from(s.effect != Effect::Deny);
            match self.prefixes(step.id) {
                Some(kept) => {
                    for &(prefix, proof) in kept {
                        let prefix = prefix.as_bytes();
                        let at = *by_prefix.entry(prefix).or_insert_with(|| {
                            found.push((prefix, Default::default()));
                            found.len() - 1
                        });
                        if let Some(list) = found.get_mut(at).and_then(|(_, l)| l.get_mut(phase)) {
                            list.push(Step {
                                group: u16::try_from(at).unwrap_or(CHECKED - 1),
                                proof,
                                ..step
                            });
                        }
                    }
                }
                None => {
                    // A statement whose resource always matches needs no check.
                    let group = if s.resources.always() {
                        ALWAYS
                    } else {
                        CHECKED
                    };
                    if let Some(list) = fixed.get_mut(phase) {
                        list.push(Step { group, ..step });
                    }
                }
            }
        }
        let mut all: Vec<Step> = Vec::with_capacity(steps.len());
        let mut ranges: Vec<[(u32, u32); 2]> = vec![[(0, 0); 2]; found.len()];
        let mut fixed_ends = [0u32; 2];
        let mut first_allow = 0;
        for phase in 0..2 {
            if phase == 1 {
                first_allow = all.len() as u32;
            }
            all.extend_from_slice(fixed.get(phase).map(Vec::as_slice).unwrap_or_default());
            if let Some(end) = fixed_ends.get_mut(phase) {
                *end = all.len() as u32;
            }
            for ((_, lists), range) in found.iter().zip(ranges.iter_mut()) {
                let start = all.len() as u32;
                all.extend_from_slice(lists.get(phase).map(Vec::as_slice).unwrap_or_default());
                if let Some(r) = range.get_mut(phase) {
                    *r = (start, all.len() as u32);
                }
            }
        }
        let mut prefixes: Vec<u8> = Vec::new();
        let groups: Vec<Group> = found
            .iter()
            .zip(&ranges)
            .map(|((prefix, _), [denies, allows])| {
                let start = prefixes.len() as u32;
                prefixes.extend_from_slice(prefix);
                Group {
                    prefix: (start, prefix.len() as u32),
                    denies: *denies,
                    allows: *allows,
                }
            })
            .collect();
        let trie = if groups.len() > LINEAR {
            let mut builder = TrieBuilder::default();
            for (i, (prefix, _)) in found.iter().enumerate() {
                builder.insert(prefix, i as u32);
            }
            builder.finish()
        } else {
            Trie::default()
        };
        let bits = (groups.len() <= 64 && all.len() <= FLAT).then(|| {
            let bit = |i: usize| 1u64 << (i & 63);
            let mut bits = Bits {
                groups: vec![(0, 0); groups.len()].into(),
                ..Bits::default()
            };
            let mut accounts: Vec<(u64, u64)> = Vec::new();
            for (i, step) in all.iter().enumerate() {
                let Some(s) = self.statements.get(step.id.index()) else {
                    continue;
                };
                if s.effect == Effect::Deny {
                    bits.denies |= bit(i);
                }
                if let Some(k) = bits.kinds.get_mut(s.kind as usize) {
                    *k |= bit(i);
                }
                bits.present |= 1 << (s.kind as u8);
                if step.group != CHECKED {
                    match s.principal.as_ref().and_then(|p| p.only_account()) {
                        Some(Some(a)) => {
                            bits.restricted |= bit(i);
                            match accounts.iter_mut().find(|(b, _)| *b == a) {
                                Some((_, steps)) => *steps |= bit(i),
                                None => accounts.push((a, bit(i))),
                            }
                        }
                        Some(None) => bits.restricted |= bit(i),
                        None => {}
                    }
                }
                match step.group {
                    ALWAYS => {
                        bits.fixed |= bit(i);
                        bits.proven |= bit(i);
                    }
                    CHECKED => bits.fixed |= bit(i),
                    g => {
                        if let Some((steps, exact)) = bits.groups.get_mut(usize::from(g)) {
                            *steps |= bit(i);
                            match step.proof {
                                Proof::Prefix => bits.proven |= bit(i),
                                Proof::Exact => *exact |= bit(i),
                                Proof::None => {}
                            }
                        }
                    }
                }
            }
            bits.accounts = accounts.into();
            bits
        });
        Program {
            bits,
            steps: all.into(),
            first_allow,
            fixed: (fixed_ends[0], fixed_ends[1]),
            groups: groups.into(),
            prefixes: prefixes.into(),
            trie,
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

#[derive(Debug, Clone)]
struct BuildNode {
    /// The bytes on the edge from the parent.
    label: Vec<u8>,
    /// Children by the first byte of their label, sorted.
    children: Vec<(u8, u32)>,
    group: u32,
}

impl Default for BuildNode {
    fn default() -> Self {
        BuildNode {
            label: Vec::new(),
            children: Vec::new(),
            group: NO_GROUP,
        }
    }
}

/// A radix trie under construction.
#[derive(Debug, Clone)]
struct TrieBuilder {
    nodes: Vec<BuildNode>,
}

impl Default for TrieBuilder {
    fn default() -> Self {
        TrieBuilder {
            nodes: vec![BuildNode::default()],
        }
    }
}

impl TrieBuilder {
    /// Inserts a group's prefix (each prefix once).
    fn insert(&mut self, key: &[u8], group: u32) {
        let mut node = 0usize;
        let mut rest = key;
        loop {
            let Some(&first) = rest.first() else {
                if let Some(n) = self.nodes.get_mut(node) {
                    n.group = group;
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
                self.nodes.push(BuildNode {
                    label: rest.to_vec(),
                    children: Vec::new(),
                    group,
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
                self.nodes.push(BuildNode {
                    label: head.to_vec(),
                    children: tail
                        .first()
                        .map(|&b| vec![(b, child as u32)])
                        .unwrap_or_default(),
                    group: NO_GROUP,
                });
                if let Some(c) = self.nodes.get_mut(child) {
                    c.label = tail.to_vec();
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

    /// Flattens the trie; node indices stay as built.
    fn finish(self) -> Trie {
        let mut nodes = vec![Node::default(); self.nodes.len()];
        let mut keys: Vec<u8> = Vec::new();
        let mut children: Vec<(u8, u32)> = Vec::new();
        // Depth first from the root, carrying each node's whole prefix.
        let mut stack: Vec<(usize, Vec<u8>)> = vec![(0, Vec::new())];
        while let Some((i, mut key)) = stack.pop() {
            let Some(b) = self.nodes.get(i) else {
                continue;
            };
            key.extend_from_slice(&b.label);
            let start = children.len() as u32;
            children.extend_from_slice(&b.children);
            if let Some(n) = nodes.get_mut(i) {
                *n = Node {
                    depth: key.len() as u32,
                    key: keys.len() as u32,
                    children: (start, children.len() as u32),
                    group: b.group,
                };
            }
            keys.extend_from_slice(&key);
            for &(_, c) in &b.children {
                stack.push((c as usize, key.clone()));
            }
        }
        Trie {
            nodes: nodes.into(),
            keys: keys.into(),
            children: children.into(),
        }
    }
}
