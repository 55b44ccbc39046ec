//! The slot theory: an assignment of atoms is consistent when every slot can be given
//! a string that makes its atoms come out as assigned.
//!
//! Slots asserted equal are merged (union-find) and share one string. Each group is
//! decided by [`super::value`]; a group with a template atom is decided jointly
//! with the variables' groups ([`super::template`]), or, outside the exact
//! fragment, by resolving the template with the variables' witnesses and checking.
//! Disequalities are met by enumerating a few distinct witnesses per group and choosing
//! among them. Conflicts come back as clauses over the atoms' literals; verdicts on a
//! group are cached by its literals.

use super::super::budget::{Limits, Unknown};
use super::super::logic::{AtomId, Justify};
use super::super::sat::{Assignment, Lit, Theory, TheoryVerdict, Var};
use super::lang::{Nfa, StateHasher, WalkStats};
use super::template::{self, JointInput, JointResult};
use super::value::{Automata, Ctx, Decided, Extra};
use super::{Atom, Atoms, Family, Lang, SlotId, TemplateId};
use crate::analysis::deps::{Case, Pattern};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasherDefault;

/// Counters, for reports and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TheoryStats {
    /// String walks (plain and joint) and their states.
    pub(crate) walk: WalkStats,
    /// Full assignments checked.
    pub(crate) checks: u64,
    /// Groups decided.
    pub(crate) groups: u64,
    /// Groups answered from the cache.
    pub(crate) cache_hits: u64,
    /// Lemmas returned.
    pub(crate) lemmas: u64,
}

/// A cached verdict on one group's literals.
#[derive(Debug, Clone)]
enum Cached {
    Sat(String),
    Unsat(Vec<(AtomId, bool)>),
    Unknown(Unknown),
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, x: usize) -> usize {
        let mut r = x;
        while let Some(&p) = self.0.get(r) {
            if p == r {
                break;
            }
            r = p;
        }
        // Path compression.
        let mut y = x;
        while let Some(&p) = self.0.get(y) {
            if p == r {
                break;
            }
            if let Some(slot) = self.0.get_mut(y) {
                *slot = r;
            }
            y = p;
        }
        r
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        // The smaller root wins, so group identities do not depend on union order.
        let (lo, hi) = if ra <= rb { (ra, rb) } else { (rb, ra) };
        if let Some(slot) = self.0.get_mut(hi) {
            *slot = lo;
        }
    }
}

/// One group of slots that hold the same string.
#[derive(Debug, Default, Clone)]
struct Group {
    slots: Vec<SlotId>,
    /// Slot-local literals of every member, sorted.
    lits: Vec<(AtomId, bool)>,
    /// Template literals of members: atom, template, polarity.
    templates: Vec<(AtomId, TemplateId, bool)>,
    /// Asserted equalities inside the group: atom, slots.
    eqs: Vec<(AtomId, SlotId, SlotId)>,
}

/// The theory of slots, for [`super::super::sat::Solver::solve`].
pub(crate) struct SlotTheory<'a> {
    atoms: &'a Atoms,
    automata: Automata,
    var_of: Vec<Option<Var>>,
    theory_vars: Vec<(AtomId, Var)>,
    /// Which atoms an assignment rests on; the others are left out of the check.
    justify: Justify,
    limits: Limits,
    cache: HashMap<Vec<(AtomId, bool)>, Cached, BuildHasherDefault<StateHasher>>,
    model: Vec<Option<String>>,
    stats: TheoryStats,
}

/// What deciding the groups of one assignment found.
enum Failure {
    Conflict(Vec<(AtomId, bool)>),
    Unknown(Unknown, Vec<(AtomId, bool)>),
}

impl<'a> SlotTheory<'a> {
    /// The theory of `atoms`, whose atoms the solver holds as `vars`.
    pub(crate) fn new(
        atoms: &'a Atoms,
        vars: &[(AtomId, Var)],
        justify: Justify,
        limits: Limits,
    ) -> SlotTheory<'a> {
        let mut var_of = vec![None; atoms.len()];
        let mut theory_vars = Vec::new();
        for &(a, v) in vars {
            if let Some(slot) = var_of.get_mut(a.index()) {
                *slot = Some(v);
            }
            if !matches!(atoms.get(a), Some(Atom::Flag(_)) | None) {
                theory_vars.push((a, v));
            }
        }
        theory_vars.sort_unstable();
        SlotTheory {
            atoms,
            automata: Automata::new(atoms),
            var_of,
            theory_vars,
            justify,
            limits,
            cache: HashMap::default(),
            model: vec![None; atoms.num_slots()],
            stats: TheoryStats::default(),
        }
    }

    /// The string of each slot in the last consistent assignment; `None` for a slot no
    /// atom constrained.
    pub(crate) fn model(&self) -> &[Option<String>] {
        &self.model
    }

    /// Counters.
    pub(crate) fn stats(&self) -> TheoryStats {
        self.stats
    }

    fn clause(&self, core: &[(AtomId, bool)]) -> Vec<Lit> {
        core.iter()
            .filter_map(|&(a, v)| {
                self.var_of
                    .get(a.index())
                    .copied()
                    .flatten()
                    .map(|var| Lit::new(var, v))
            })
            .collect()
    }

    fn ctx(&mut self) -> Ctx<'_> {
        Ctx {
            atoms: self.atoms,
            automata: &self.automata,
            limits: &self.limits,
            stats: &mut self.stats.walk,
        }
    }

    /// Decides one group's literals, minimizing and caching conflicts.
    fn decide_group(&mut self, lits: &[(AtomId, bool)]) -> Cached {
        self.stats.groups += 1;
        if let Some(c) = self.cache.get(lits) {
            self.stats.cache_hits += 1;
            return c.clone();
        }
        let mut ctx = self.ctx();
        let verdict = match ctx.decide(lits, &[]) {
            Decided::Sat(w) => Cached::Sat(w),
            Decided::Unsat(core) => {
                let core = ctx.minimize(lits, core);
                Cached::Unsat(core.iter().filter_map(|&i| lits.get(i).copied()).collect())
            }
            Decided::Unknown(u) => Cached::Unknown(u),
        };
        if !matches!(verdict, Cached::Unknown(Unknown::Budget(_))) {
            self.cache.insert(lits.to_vec(), verdict.clone());
        }
        verdict
    }

    /// The asserted equalities that connect `from` to every slot of `to` inside a group.
    fn eq_paths(group: &Group, from: SlotId, to: &BTreeSet<SlotId>) -> Vec<AtomId> {
        let mut prev: BTreeMap<SlotId, Option<(SlotId, AtomId)>> = BTreeMap::new();
        prev.insert(from, None);
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(s) = queue.pop_front() {
            for &(a, x, y) in &group.eqs {
                let other = if x == s {
                    y
                } else if y == s {
                    x
                } else {
                    continue;
                };
                if let std::collections::btree_map::Entry::Vacant(e) = prev.entry(other) {
                    e.insert(Some((s, a)));
                    queue.push_back(other);
                }
            }
        }
        let mut out = BTreeSet::new();
        for &t in to {
            let mut at = t;
            while let Some(Some((p, a))) = prev.get(&at) {
                out.insert(*a);
                at = *p;
            }
        }
        out.into_iter().collect()
    }

    /// A group's core, with the equalities that tie its slots together.
    fn with_eqs(&self, group: &Group, core: Vec<(AtomId, bool)>) -> Vec<(AtomId, bool)> {
        let slots: BTreeSet<SlotId> = core
            .iter()
            .flat_map(|&(a, _)| self.atoms.get(a).map(Atom::slots).unwrap_or_default())
            .filter(|s| group.slots.contains(s))
            .collect();
        let mut core = core;
        if let Some(&first) = slots.iter().next() {
            core.extend(
                Self::eq_paths(group, first, &slots)
                    .into_iter()
                    .map(|a| (a, true)),
            );
        }
        core
    }

    fn all_lits(group: &Group) -> Vec<(AtomId, bool)> {
        let mut v = group.lits.clone();
        v.extend(group.templates.iter().map(|&(a, _, p)| (a, p)));
        v.extend(group.eqs.iter().map(|&(a, _, _)| (a, true)));
        v
    }

    /// Whether the literals speak only of string languages (no number, date or
    /// address family).
    fn plain_strings(&self, lits: &[(AtomId, bool)]) -> bool {
        lits.iter().all(|&(a, _)| match self.atoms.get(a) {
            Some(Atom::In { .. }) => true,
            Some(Atom::Reads { family, .. }) => {
                matches!(family, Family::Arn | Family::Bool | Family::Base64)
            }
            _ => false,
        })
    }

    fn automata_of(&self, lits: &[(AtomId, bool)]) -> (Vec<&Nfa>, Vec<&Nfa>) {
        let mut pos = Vec::new();
        let mut neg = Vec::new();
        for &(a, v) in lits {
            let nfa = match self.atoms.get(a) {
                Some(Atom::In { lang, .. }) => self.automata.lang_nfa(self.atoms, *lang),
                Some(Atom::Reads { family, .. }) => Some(self.automata.read_nfa(*family)),
                _ => None,
            };
            if let Some(n) = nfa {
                if v {
                    pos.push(n);
                } else {
                    neg.push(n);
                }
            }
        }
        (pos, neg)
    }

    fn decide_all(&mut self, assignment: Assignment<'_>) -> Result<(), Failure> {
        let n = self.atoms.num_slots();
        let mut uf = UnionFind((0..n).collect());
        let mut local: Vec<Vec<(AtomId, bool)>> = vec![Vec::new(); n];
        let mut eqs = Vec::new();
        let mut neqs = Vec::new();
        let mut tmpls = Vec::new();
        let mut used = vec![false; n];
        let relevant = self
            .justify
            .relevant(self.atoms.len(), &|v| assignment.var(v));
        let mark = |s: SlotId, used: &mut Vec<bool>| {
            if let Some(u) = used.get_mut(s.index()) {
                *u = true;
            }
        };
        for &(atom, var) in &self.theory_vars {
            let Some(v) = assignment.var(var) else {
                continue;
            };
            if !relevant.get(atom.index()).copied().unwrap_or(true) {
                continue;
            }
            match self.atoms.get(atom) {
                Some(Atom::Eq { a, b }) => {
                    mark(*a, &mut used);
                    mark(*b, &mut used);
                    if v {
                        uf.union(a.index(), b.index());
                        eqs.push((atom, *a, *b));
                    } else {
                        neqs.push((atom, *a, *b));
                    }
                }
                Some(Atom::Template { slot, template }) => {
                    mark(*slot, &mut used);
                    tmpls.push((atom, *slot, *template, v));
                }
                Some(other) => {
                    for s in other.slots() {
                        mark(s, &mut used);
                        if let Some(l) = local.get_mut(s.index()) {
                            l.push((atom, v));
                        }
                    }
                }
                None => {}
            }
        }
        // Template variables need strings too.
        for &(_, _, t, _) in &tmpls {
            if let Some(t) = self.atoms.get_template(t) {
                for s in t.vars() {
                    mark(s, &mut used);
                }
            }
        }
        let root: Vec<usize> = (0..n).map(|s| uf.find(s)).collect();
        let root_of = |s: SlotId| root.get(s.index()).copied().unwrap_or(0);
        let mut groups: BTreeMap<usize, Group> = BTreeMap::new();
        for (s, l) in local.iter().enumerate() {
            if !used.get(s).copied().unwrap_or(false) {
                continue;
            }
            let g = groups.entry(root.get(s).copied().unwrap_or(s)).or_default();
            g.slots.push(SlotId(u32::try_from(s).unwrap_or(u32::MAX)));
            g.lits.extend(l.iter().copied());
        }
        for g in groups.values_mut() {
            g.lits.sort_unstable();
            g.lits.dedup();
        }
        for &(a, x, y) in &eqs {
            if let Some(g) = groups.get_mut(&root_of(x)) {
                g.eqs.push((a, x, y));
            }
        }
        for &(a, s, t, v) in &tmpls {
            if let Some(g) = groups.get_mut(&root_of(s)) {
                g.templates.push((a, t, v));
            }
        }
        // A disequality inside a group contradicts the equalities that formed it.
        for &(a, x, y) in &neqs {
            if root_of(x) == root_of(y) {
                if let Some(g) = groups.get(&root_of(x)) {
                    let mut core: Vec<(AtomId, bool)> = vec![(a, false)];
                    let to: BTreeSet<SlotId> = [y].into_iter().collect();
                    core.extend(Self::eq_paths(g, x, &to).into_iter().map(|e| (e, true)));
                    return Err(Failure::Conflict(core));
                }
            }
        }
        let neq_groups: BTreeSet<usize> = neqs
            .iter()
            .flat_map(|&(_, x, y)| [root_of(x), root_of(y)])
            .collect();
        // How many template literals read each group.
        let mut readers: BTreeMap<usize, usize> = BTreeMap::new();
        for &(_, _, t, _) in &tmpls {
            if let Some(t) = self.atoms.get_template(t) {
                for s in t.vars() {
                    *readers.entry(root_of(s)).or_default() += 1;
                }
            }
        }
        // Groups decided jointly with their template: owner → variable groups.
        let mut joint: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        let mut joint_vars: BTreeSet<usize> = BTreeSet::new();
        for (&r, g) in &groups {
            let [(_, t, true)] = g.templates.as_slice() else {
                continue;
            };
            let Some(t) = self.atoms.get_template(*t) else {
                continue;
            };
            let var_groups: Vec<usize> = t.vars().map(root_of).collect();
            let distinct: BTreeSet<usize> = var_groups.iter().copied().collect();
            let ok = distinct.len() == var_groups.len()
                && !distinct.contains(&r)
                && self.plain_strings(&g.lits)
                && distinct.iter().all(|v| {
                    groups.get(v).is_some_and(|vg| {
                        vg.templates.is_empty()
                            && readers.get(v) == Some(&1)
                            && !neq_groups.contains(v)
                            && !joint_vars.contains(v)
                            && self.plain_strings(&vg.lits)
                    })
                });
            if ok {
                joint_vars.extend(distinct.iter().copied());
                joint.insert(r, var_groups);
            }
        }

        let mut witness: BTreeMap<usize, String> = BTreeMap::new();
        let mut first_unknown: Option<(Unknown, Vec<(AtomId, bool)>)> = None;
        let mut plain: BTreeSet<usize> = BTreeSet::new();
        // Groups without templates first.
        for (&r, g) in &groups {
            if !g.templates.is_empty() || joint_vars.contains(&r) {
                continue;
            }
            match self.decide_group(&g.lits) {
                Cached::Sat(w) => {
                    plain.insert(r);
                    witness.insert(r, w);
                }
                Cached::Unsat(core) => return Err(Failure::Conflict(self.with_eqs(g, core))),
                Cached::Unknown(u @ Unknown::Budget(_)) => {
                    return Err(Failure::Unknown(u, Vec::new()))
                }
                Cached::Unknown(u) => {
                    first_unknown.get_or_insert((u, Self::all_lits(g)));
                }
            }
        }
        // Templates decided jointly.
        for (&r, var_groups) in &joint {
            let Some(g) = groups.get(&r) else { continue };
            let Some(&(t_atom, t_id, _)) = g.templates.first() else {
                continue;
            };
            let Some(t) = self.atoms.get_template(t_id) else {
                continue;
            };
            let mut everything = Self::all_lits(g);
            for v in var_groups {
                if let Some(vg) = groups.get(v) {
                    everything.extend(Self::all_lits(vg));
                }
            }
            let Some(steps) = template::steps(t) else {
                // The template matches nothing, so asserting it is a conflict by itself.
                return Err(Failure::Conflict(vec![(t_atom, true)]));
            };
            let (mut owner_pos, owner_neg) = self.automata_of(&g.lits);
            if steps.arn {
                owner_pos.push(self.automata.read_nfa(Family::Arn));
            }
            let vars = var_groups
                .iter()
                .map(|v| {
                    groups
                        .get(v)
                        .map_or_else(|| (Vec::new(), Vec::new()), |vg| self.automata_of(&vg.lits))
                })
                .collect();
            let input = JointInput {
                steps: &steps,
                owner_pos,
                owner_neg,
                vars,
            };
            let mut stats = WalkStats::default();
            let result = template::joint_walk(&input, &self.limits, &mut stats);
            self.stats.walk.walks += stats.walks;
            self.stats.walk.states += stats.states;
            match result {
                JointResult::Witness { owner, vars } => {
                    let ctx = self.ctx();
                    let owner_ok = ctx.check(&owner, &g.lits, &[]);
                    let mut by_slot: HashMap<SlotId, String> = HashMap::new();
                    let mut vars_ok = true;
                    for (i, v) in var_groups.iter().enumerate() {
                        let value = vars.get(i).cloned().unwrap_or_default();
                        if let Some(vg) = groups.get(v) {
                            vars_ok &= ctx.check(&value, &vg.lits, &[]);
                            for &s in &vg.slots {
                                by_slot.insert(s, value.clone());
                            }
                        }
                        witness.insert(*v, value);
                    }
                    let resolved = t.resolve(&mut |s| by_slot.get(&s).cloned().unwrap_or_default());
                    let template_ok = resolved.is_some_and(|l| l.contains(&owner));
                    if !(owner_ok && vars_ok && template_ok) {
                        return Err(Failure::Unknown(
                            Unknown::Internal("a template witness failed the evaluator"),
                            everything,
                        ));
                    }
                    witness.insert(r, owner);
                }
                JointResult::Empty => return Err(Failure::Conflict(everything)),
                JointResult::Budget(b) => {
                    return Err(Failure::Unknown(Unknown::Budget(b), Vec::new()))
                }
            }
        }
        // Other templates: resolve with the variables' witnesses, then check.
        let mut pending: Vec<usize> = groups
            .iter()
            .filter(|(r, g)| !g.templates.is_empty() && !joint.contains_key(r))
            .map(|(&r, _)| r)
            .collect();
        // Variable groups that are not decided yet are decided on their own first.
        let needed: BTreeSet<usize> = pending
            .iter()
            .filter_map(|r| groups.get(r))
            .flat_map(|g| g.templates.iter())
            .filter_map(|&(_, t, _)| self.atoms.get_template(t))
            .flat_map(|t| t.vars().map(root_of).collect::<Vec<_>>())
            .collect();
        for v in needed {
            if witness.contains_key(&v) || !groups.get(&v).is_some_and(|g| g.templates.is_empty()) {
                continue;
            }
            let Some(g) = groups.get(&v) else { continue };
            match self.decide_group(&g.lits) {
                Cached::Sat(w) => {
                    witness.insert(v, w);
                }
                Cached::Unsat(core) => return Err(Failure::Conflict(self.with_eqs(g, core))),
                Cached::Unknown(u @ Unknown::Budget(_)) => {
                    return Err(Failure::Unknown(u, Vec::new()))
                }
                Cached::Unknown(u) => {
                    first_unknown.get_or_insert((u, Self::all_lits(g)));
                }
            }
        }
        while !pending.is_empty() {
            let before = pending.len();
            let mut still = Vec::new();
            for r in pending {
                let Some(g) = groups.get(&r) else { continue };
                let ready = g.templates.iter().all(|&(_, t, _)| {
                    self.atoms.get_template(t).is_some_and(|t| {
                        t.vars()
                            .all(|s| root_of(s) != r && witness.contains_key(&root_of(s)))
                    })
                });
                if !ready {
                    still.push(r);
                    continue;
                }
                let extras: Vec<Extra> = g
                    .templates
                    .iter()
                    .filter_map(|&(_, t, p)| {
                        let t = self.atoms.get_template(t)?;
                        let lang = t.resolve(&mut |s| {
                            witness.get(&root_of(s)).cloned().unwrap_or_default()
                        });
                        Some(Extra::new(lang, p))
                    })
                    .collect();
                let mut ctx = self.ctx();
                match ctx.decide(&g.lits, &extras) {
                    Decided::Sat(w) => {
                        witness.insert(r, w);
                    }
                    Decided::Unknown(u @ Unknown::Budget(_)) => {
                        return Err(Failure::Unknown(u, Vec::new()))
                    }
                    Decided::Unknown(u) => {
                        first_unknown.get_or_insert((u, Self::all_lits(g)));
                    }
                    Decided::Unsat(_) => {
                        // Without the templates, is the group inconsistent anyway?
                        match self.decide_group(&g.lits) {
                            Cached::Unsat(core) => {
                                return Err(Failure::Conflict(self.with_eqs(g, core)))
                            }
                            Cached::Unknown(u @ Unknown::Budget(_)) => {
                                return Err(Failure::Unknown(u, Vec::new()))
                            }
                            _ => {
                                let mut lits = Self::all_lits(g);
                                for &(_, t, _) in &g.templates {
                                    if let Some(t) = self.atoms.get_template(t) {
                                        for s in t.vars() {
                                            if let Some(vg) = groups.get(&root_of(s)) {
                                                lits.extend(Self::all_lits(vg));
                                            }
                                        }
                                    }
                                }
                                first_unknown.get_or_insert((
                                    Unknown::Unsupported("a template outside the exact fragment"),
                                    lits,
                                ));
                            }
                        }
                    }
                }
            }
            if still.len() == before {
                for r in &still {
                    if let Some(g) = groups.get(r) {
                        first_unknown.get_or_insert((
                            Unknown::Unsupported("templates that read each other"),
                            Self::all_lits(g),
                        ));
                    }
                }
                break;
            }
            pending = still;
        }
        if let Some((u, lits)) = first_unknown {
            return Err(Failure::Unknown(u, lits));
        }
        // Disequalities.
        let violated: Vec<(AtomId, usize, usize)> = neqs
            .iter()
            .map(|&(a, x, y)| (a, root_of(x), root_of(y)))
            .filter(|(_, p, q)| witness.get(p) == witness.get(q))
            .collect();
        if !violated.is_empty() {
            let neq_edges: Vec<(AtomId, usize, usize)> = neqs
                .iter()
                .map(|&(a, x, y)| (a, root_of(x), root_of(y)))
                .collect();
            self.separate(&groups, &neq_edges, &plain, &mut witness)?;
        }
        for (s, m) in self.model.iter_mut().enumerate() {
            *m = if used.get(s).copied().unwrap_or(false) {
                witness.get(&root.get(s).copied().unwrap_or(s)).cloned()
            } else {
                None
            };
        }
        Ok(())
    }

    /// Chooses distinct strings for groups that must differ, from a few witnesses per
    /// group.
    fn separate(
        &mut self,
        groups: &BTreeMap<usize, Group>,
        edges: &[(AtomId, usize, usize)],
        plain: &BTreeSet<usize>,
        witness: &mut BTreeMap<usize, String>,
    ) -> Result<(), Failure> {
        let involved: BTreeSet<usize> = edges.iter().flat_map(|&(_, p, q)| [p, q]).collect();
        let mut everything: Vec<(AtomId, bool)> =
            edges.iter().map(|&(a, _, _)| (a, false)).collect();
        for r in &involved {
            if let Some(g) = groups.get(r) {
                everything.extend(Self::all_lits(g));
            }
        }
        if !involved.iter().all(|r| plain.contains(r)) {
            return Err(Failure::Unknown(
                Unknown::Unsupported("a disequality on a value with a template or a number"),
                everything,
            ));
        }
        // Candidates: degree + 1 distinct strings, or the whole language if smaller.
        let mut candidates: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for &r in &involved {
            let degree = edges.iter().filter(|&&(_, p, q)| p == r || q == r).count();
            let Some(g) = groups.get(&r) else { continue };
            let mut found: Vec<String> = witness.get(&r).cloned().into_iter().collect();
            while found.len() <= degree {
                let extras: Vec<Extra> = found
                    .iter()
                    .map(|w| {
                        Extra::new(
                            Some(Lang::Pattern(Pattern::literal(w, Case::Sensitive))),
                            false,
                        )
                    })
                    .collect();
                let mut ctx = self.ctx();
                match ctx.decide(&g.lits, &extras) {
                    Decided::Sat(w) => found.push(w),
                    Decided::Unsat(_) => break,
                    Decided::Unknown(u @ Unknown::Budget(_)) => {
                        return Err(Failure::Unknown(u, Vec::new()))
                    }
                    Decided::Unknown(u) => return Err(Failure::Unknown(u, everything)),
                }
            }
            candidates.insert(r, found);
        }
        // Backtracking, fewest candidates first.
        let mut order: Vec<usize> = involved.iter().copied().collect();
        order.sort_by_key(|r| (candidates.get(r).map_or(0, Vec::len), *r));
        let mut chosen: BTreeMap<usize, usize> = BTreeMap::new();
        let mut budget: u64 = 100_000;
        if choose(&order, 0, &candidates, edges, &mut chosen, &mut budget) {
            for (r, i) in chosen {
                if let Some(w) = candidates.get(&r).and_then(|c| c.get(i)) {
                    witness.insert(r, w.clone());
                }
            }
            return Ok(());
        }
        if budget == 0 {
            return Err(Failure::Unknown(
                Unknown::Budget(super::super::budget::Exhausted::States),
                Vec::new(),
            ));
        }
        Err(Failure::Conflict(everything))
    }
}

fn choose(
    order: &[usize],
    at: usize,
    candidates: &BTreeMap<usize, Vec<String>>,
    edges: &[(AtomId, usize, usize)],
    chosen: &mut BTreeMap<usize, usize>,
    budget: &mut u64,
) -> bool {
    let Some(&r) = order.get(at) else {
        return true;
    };
    let Some(cands) = candidates.get(&r) else {
        return false;
    };
    for (i, w) in cands.iter().enumerate() {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let clash = edges.iter().any(|&(_, p, q)| {
            let other = if p == r {
                q
            } else if q == r {
                p
            } else {
                return false;
            };
            chosen
                .get(&other)
                .and_then(|&j| candidates.get(&other).and_then(|c| c.get(j)))
                .is_some_and(|o| o == w)
        });
        if clash {
            continue;
        }
        chosen.insert(r, i);
        if choose(order, at + 1, candidates, edges, chosen, budget) {
            return true;
        }
        chosen.remove(&r);
    }
    false
}

impl Theory for SlotTheory<'_> {
    fn final_check(&mut self, assignment: Assignment<'_>) -> TheoryVerdict {
        self.stats.checks += 1;
        match self.decide_all(assignment) {
            Ok(()) => TheoryVerdict::Consistent,
            Err(Failure::Conflict(core)) => {
                self.stats.lemmas += 1;
                TheoryVerdict::Conflict(self.clause(&core))
            }
            Err(Failure::Unknown(reason, lits)) => TheoryVerdict::Unknown {
                reason,
                block: self.clause(&lits),
            },
        }
    }
}
