//! A small CDCL SAT solver with a theory hook (lazy DPLL(T)).
//!
//! Two watched literals per clause, first-UIP learning with basic clause minimization,
//! VSIDS branching, phase saving, Luby restarts and LBD-based deletion of learnt clauses.
//! A [`Theory`] sees each full assignment (and, if it wants, each propagation fixpoint)
//! and either accepts it or answers with a clause of atom literals that are all false
//! under the assignment: a lemma, learnt like any conflict. The search is deterministic:
//! no randomness, and no iteration over hash maps.

use super::budget::{Exhausted, Limits, Unknown};
use std::ops::Not;

/// A propositional variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Var(u32);

impl Var {
    fn index(self) -> usize {
        self.0 as usize
    }
}

/// A variable or its negation.
// INVARIANT: `(variable << 1) | negated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Lit(u32);

impl Lit {
    /// `v`, or `¬v` when `negated`.
    pub(crate) fn new(v: Var, negated: bool) -> Lit {
        Lit((v.0 << 1) | u32::from(negated))
    }
    /// The variable.
    pub(crate) fn var(self) -> Var {
        Var(self.0 >> 1)
    }
    /// Whether this is the negation of its variable.
    pub(crate) fn is_negated(self) -> bool {
        self.0 & 1 == 1
    }
    fn index(self) -> usize {
        self.0 as usize
    }
}

impl Not for Lit {
    type Output = Lit;
    fn not(self) -> Lit {
        Lit(self.0 ^ 1)
    }
}

/// A read-only view of the current assignment, for theories.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Assignment<'a> {
    values: &'a [Option<bool>],
}

impl Assignment<'_> {
    /// The value of `v`, if assigned.
    pub(crate) fn var(&self, v: Var) -> Option<bool> {
        self.values.get(v.index()).copied().flatten()
    }
    #[cfg(test)]
    /// The value of `l`, if assigned.
    pub(crate) fn lit(&self, l: Lit) -> Option<bool> {
        self.var(l.var()).map(|b| b != l.is_negated())
    }
}

/// A theory's answer on an assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TheoryVerdict {
    /// The assignment is consistent with the theory (for a partial check: not yet
    /// inconsistent).
    Consistent,
    /// A lemma: a clause whose literals are all false under the assignment.
    Conflict(Vec<Lit>),
    /// The theory could not decide. `block` is a clause, all false under the
    /// assignment, that rules out the undecided part so the search can go on; a search
    /// that ends without a model then reports `reason` instead of unsatisfiability.
    Unknown {
        /// Why.
        reason: Unknown,
        /// The clause that sets the undecided combination aside.
        block: Vec<Lit>,
    },
}

/// Meaning for some of the variables.
pub(crate) trait Theory {
    /// Called at each propagation fixpoint with a partial assignment, when
    /// [`Theory::wants_partial`] says so. Must never reject an assignment that has a
    /// consistent extension it would accept.
    fn partial_check(&mut self, _assignment: Assignment<'_>) -> TheoryVerdict {
        TheoryVerdict::Consistent
    }
    /// Whether [`Theory::partial_check`] is worth calling.
    fn wants_partial(&self) -> bool {
        false
    }
    /// Called on every full assignment; `Consistent` ends the search with a model.
    fn final_check(&mut self, assignment: Assignment<'_>) -> TheoryVerdict;
}

#[cfg(test)]
/// No theory: plain SAT.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NoTheory;

#[cfg(test)]
impl Theory for NoTheory {
    fn final_check(&mut self, _assignment: Assignment<'_>) -> TheoryVerdict {
        TheoryVerdict::Consistent
    }
}

/// The result of [`Solver::solve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SolveResult {
    /// A model: read it with [`Solver::value`].
    Sat,
    /// No model.
    Unsat,
    /// Neither could be shown.
    Unknown(Unknown),
}

/// Counters, for benchmarks and reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SolverStats {
    /// Conflicts, theory conflicts included.
    pub(crate) conflicts: u64,
    /// Decisions.
    pub(crate) decisions: u64,
    /// Literals propagated.
    pub(crate) propagations: u64,
    /// Calls of [`Theory::final_check`].
    pub(crate) final_checks: u64,
    /// Lemmas the theory returned.
    pub(crate) theory_conflicts: u64,
    /// Restarts.
    pub(crate) restarts: u64,
}

#[derive(Debug, Clone)]
struct Clause {
    // INVARIANT: at least two literals; the first two are watched; when the clause is the
    // reason of an assignment, the assigned literal is first.
    lits: Vec<Lit>,
    learnt: bool,
    lbd: u32,
    deleted: bool,
}

#[derive(Debug, Clone, Copy)]
struct Watch {
    clause: u32,
    /// Some other literal of the clause: if it is true the clause need not be visited.
    blocker: Lit,
}

/// A max-heap of variables by activity, with positions for updates.
#[derive(Debug, Clone, Default)]
struct Heap {
    items: Vec<Var>,
    pos: Vec<Option<usize>>,
}

impl Heap {
    fn grow(&mut self) {
        self.pos.push(None);
    }
    fn contains(&self, v: Var) -> bool {
        self.pos.get(v.index()).copied().flatten().is_some()
    }
    fn before(act: &[f64], a: Var, b: Var) -> bool {
        let (x, y) = (
            act.get(a.index()).copied().unwrap_or(0.0),
            act.get(b.index()).copied().unwrap_or(0.0),
        );
        // Ties go to the older variable, for a deterministic order.
        x > y || (x == y && a < b)
    }
    fn set(&mut self, i: usize, v: Var) {
        if let Some(slot) = self.items.get_mut(i) {
            *slot = v;
        }
        if let Some(p) = self.pos.get_mut(v.index()) {
            *p = Some(i);
        }
    }
    fn up(&mut self, mut i: usize, act: &[f64]) {
        let Some(&v) = self.items.get(i) else { return };
        while i > 0 {
            let parent = (i - 1) / 2;
            let Some(&p) = self.items.get(parent) else {
                break;
            };
            if !Heap::before(act, v, p) {
                break;
            }
            self.set(i, p);
            i = parent;
        }
        self.set(i, v);
    }
    fn down(&mut self, mut i: usize, act: &[f64]) {
        let Some(&v) = self.items.get(i) else { return };
        loop {
            let l = 2 * i + 1;
            let r = l + 1;
            let Some(&lv) = self.items.get(l) else { break };
            let child = match self.items.get(r) {
                Some(&rv) if Heap::before(act, rv, lv) => (r, rv),
                _ => (l, lv),
            };
            if !Heap::before(act, child.1, v) {
                break;
            }
            self.set(i, child.1);
            i = child.0;
        }
        self.set(i, v);
    }
    fn insert(&mut self, v: Var, act: &[f64]) {
        if self.contains(v) {
            return;
        }
        self.items.push(v);
        let i = self.items.len() - 1;
        self.set(i, v);
        self.up(i, act);
    }
    fn bumped(&mut self, v: Var, act: &[f64]) {
        if let Some(i) = self.pos.get(v.index()).copied().flatten() {
            self.up(i, act);
        }
    }
    fn pop(&mut self, act: &[f64]) -> Option<Var> {
        let top = *self.items.first()?;
        let last = self.items.pop()?;
        if let Some(p) = self.pos.get_mut(top.index()) {
            *p = None;
        }
        if !self.items.is_empty() {
            self.set(0, last);
            self.down(0, act);
        }
        Some(top)
    }
}

/// The `i`-th element (from 0) of the Luby sequence 1 1 2 1 1 2 4 1 1 2 …
fn luby(mut i: u64) -> u64 {
    let (mut size, mut seq) = (1u64, 0u32);
    while size < i + 1 {
        seq += 1;
        size = 2 * size + 1;
    }
    while size - 1 != i {
        size = (size - 1) >> 1;
        seq = seq.saturating_sub(1);
        i %= size;
    }
    1u64 << seq.min(62)
}

/// Conflicts per Luby unit between restarts.
const RESTART_UNIT: u64 = 64;

/// A CDCL solver. Add variables and clauses, then [`Solver::solve`]; more clauses may be
/// added afterwards and the search run again (models found earlier can be blocked that
/// way).
#[derive(Debug, Clone)]
pub(crate) struct Solver {
    clauses: Vec<Clause>,
    watches: Vec<Vec<Watch>>,
    values: Vec<Option<bool>>,
    level: Vec<u32>,
    reason: Vec<Option<u32>>,
    trail: Vec<Lit>,
    trail_lim: Vec<usize>,
    qhead: usize,
    activity: Vec<f64>,
    var_inc: f64,
    heap: Heap,
    phase: Vec<bool>,
    seen: Vec<bool>,
    /// False once the clauses are unsatisfiable at level 0.
    ok: bool,
    learnts: usize,
    max_learnts: usize,
    stats: SolverStats,
}

impl Default for Solver {
    fn default() -> Self {
        Solver::new()
    }
}

impl Solver {
    /// A solver with no variables.
    pub(crate) fn new() -> Solver {
        Solver {
            clauses: Vec::new(),
            watches: Vec::new(),
            values: Vec::new(),
            level: Vec::new(),
            reason: Vec::new(),
            trail: Vec::new(),
            trail_lim: Vec::new(),
            qhead: 0,
            activity: Vec::new(),
            var_inc: 1.0,
            heap: Heap::default(),
            phase: Vec::new(),
            seen: Vec::new(),
            ok: true,
            learnts: 0,
            max_learnts: 2000,
            stats: SolverStats::default(),
        }
    }

    /// A fresh variable.
    pub(crate) fn new_var(&mut self) -> Var {
        let v = Var(u32::try_from(self.values.len()).unwrap_or(u32::MAX >> 1));
        self.values.push(None);
        self.level.push(0);
        self.reason.push(None);
        self.activity.push(0.0);
        // Atoms start false: a negative atom ("not in this language") is the cheap case
        // for every theory.
        self.phase.push(false);
        self.seen.push(false);
        self.watches.push(Vec::new());
        self.watches.push(Vec::new());
        self.heap.grow();
        self.heap.insert(v, &self.activity);
        v
    }

    /// How many variables there are.
    pub(crate) fn num_vars(&self) -> usize {
        self.values.len()
    }

    /// Counters of the searches so far.
    pub(crate) fn stats(&self) -> SolverStats {
        self.stats
    }

    /// The value of `v` in the model found by the last successful [`Solver::solve`].
    pub(crate) fn value(&self, v: Var) -> Option<bool> {
        self.values.get(v.index()).copied().flatten()
    }

    fn lit_value(&self, l: Lit) -> Option<bool> {
        self.value(l.var()).map(|b| b != l.is_negated())
    }

    fn decision_level(&self) -> u32 {
        u32::try_from(self.trail_lim.len()).unwrap_or(u32::MAX)
    }

    fn var_level(&self, v: Var) -> u32 {
        self.level.get(v.index()).copied().unwrap_or(0)
    }

    /// Adds a clause. Duplicate literals are merged and a tautology is dropped. Literals
    /// of variables this solver did not create are ignored.
    pub(crate) fn add_clause(&mut self, lits: &[Lit]) {
        if !self.ok {
            return;
        }
        self.backtrack(0);
        let mut c: Vec<Lit> = lits
            .iter()
            .copied()
            .filter(|l| l.var().index() < self.num_vars())
            .collect();
        c.sort_unstable();
        c.dedup();
        if c.windows(2).any(|w| matches!(w, [a, b] if *a == !*b)) {
            return;
        }
        // Literals false at level 0 can never help.
        c.retain(|&l| self.lit_value(l) != Some(false));
        if c.iter().any(|&l| self.lit_value(l) == Some(true)) {
            return;
        }
        match c.as_slice() {
            [] => self.ok = false,
            [l] => {
                self.enqueue(*l, None);
                if self.propagate().is_some() {
                    self.ok = false;
                }
            }
            _ => {
                self.attach(c, false, 0);
            }
        }
    }

    fn attach(&mut self, lits: Vec<Lit>, learnt: bool, lbd: u32) -> u32 {
        let cref = u32::try_from(self.clauses.len()).unwrap_or(u32::MAX);
        if let (Some(&a), Some(&b)) = (lits.first(), lits.get(1)) {
            if let Some(w) = self.watches.get_mut(a.index()) {
                w.push(Watch {
                    clause: cref,
                    blocker: b,
                });
            }
            if let Some(w) = self.watches.get_mut(b.index()) {
                w.push(Watch {
                    clause: cref,
                    blocker: a,
                });
            }
        }
        if learnt {
            self.learnts += 1;
        }
        self.clauses.push(Clause {
            lits,
            learnt,
            lbd,
            deleted: false,
        });
        cref
    }

    fn enqueue(&mut self, l: Lit, reason: Option<u32>) {
        let v = l.var().index();
        let level = self.decision_level();
        if let Some(x) = self.values.get_mut(v) {
            *x = Some(!l.is_negated());
        }
        if let Some(x) = self.level.get_mut(v) {
            *x = level;
        }
        if let Some(x) = self.reason.get_mut(v) {
            *x = reason;
        }
        self.trail.push(l);
    }

    /// Unit propagation; returns a falsified clause, if any.
    fn propagate(&mut self) -> Option<u32> {
        while let Some(&p) = self.trail.get(self.qhead) {
            self.qhead += 1;
            self.stats.propagations += 1;
            let false_lit = !p;
            let mut ws = match self.watches.get_mut(false_lit.index()) {
                Some(w) => std::mem::take(w),
                None => continue,
            };
            let mut conflict = None;
            let mut keep = 0;
            let mut i = 0;
            while let Some(&w) = ws.get(i) {
                i += 1;
                if self.lit_value(w.blocker) == Some(true) {
                    if let Some(slot) = ws.get_mut(keep) {
                        *slot = w;
                    }
                    keep += 1;
                    continue;
                }
                let Some(clause) = self.clauses.get_mut(w.clause as usize) else {
                    continue;
                };
                if clause.deleted {
                    continue;
                }
                let lits = &mut clause.lits;
                if lits.first() == Some(&false_lit) {
                    lits.swap(0, 1);
                }
                let first = lits.first().copied();
                let value_of = |values: &[Option<bool>], l: Lit| {
                    values
                        .get(l.var().index())
                        .copied()
                        .flatten()
                        .map(|b| b != l.is_negated())
                };
                let Some(first) = first else { continue };
                if first != w.blocker && value_of(&self.values, first) == Some(true) {
                    if let Some(slot) = ws.get_mut(keep) {
                        *slot = Watch {
                            clause: w.clause,
                            blocker: first,
                        };
                    }
                    keep += 1;
                    continue;
                }
                // Look for a new literal to watch.
                let mut moved = false;
                for k in 2..lits.len() {
                    let Some(&l) = lits.get(k) else { break };
                    if value_of(&self.values, l) != Some(false) {
                        lits.swap(1, k);
                        if let Some(wl) = self.watches.get_mut(l.index()) {
                            wl.push(Watch {
                                clause: w.clause,
                                blocker: first,
                            });
                        }
                        moved = true;
                        break;
                    }
                }
                if moved {
                    continue;
                }
                if let Some(slot) = ws.get_mut(keep) {
                    *slot = w;
                }
                keep += 1;
                if value_of(&self.values, first) == Some(false) {
                    conflict = Some(w.clause);
                    // Keep the watches not visited yet.
                    while let Some(&rest) = ws.get(i) {
                        if let Some(slot) = ws.get_mut(keep) {
                            *slot = rest;
                        }
                        keep += 1;
                        i += 1;
                    }
                    self.qhead = self.trail.len();
                } else {
                    self.enqueue(first, Some(w.clause));
                }
            }
            ws.truncate(keep);
            if let Some(slot) = self.watches.get_mut(false_lit.index()) {
                // Watches added to this list meanwhile (none: a clause never moves its
                // watch to a false literal) would be lost; append defensively.
                let added = std::mem::take(slot);
                ws.extend(added);
                *slot = ws;
            }
            if conflict.is_some() {
                return conflict;
            }
        }
        None
    }

    fn backtrack(&mut self, level: u32) {
        if self.decision_level() <= level {
            return;
        }
        let start = self
            .trail_lim
            .get(level as usize)
            .copied()
            .unwrap_or(self.trail.len());
        while self.trail.len() > start {
            let Some(l) = self.trail.pop() else { break };
            let v = l.var();
            if let Some(x) = self.values.get_mut(v.index()) {
                *x = None;
            }
            if let Some(x) = self.reason.get_mut(v.index()) {
                *x = None;
            }
            if let Some(x) = self.phase.get_mut(v.index()) {
                *x = !l.is_negated();
            }
            self.heap.insert(v, &self.activity);
        }
        self.trail_lim.truncate(level as usize);
        self.qhead = self.trail.len();
    }

    fn bump(&mut self, v: Var) {
        if let Some(a) = self.activity.get_mut(v.index()) {
            *a += self.var_inc;
            if *a > 1e100 {
                for x in &mut self.activity {
                    *x *= 1e-100;
                }
                self.var_inc *= 1e-100;
            }
        }
        self.heap.bumped(v, &self.activity);
    }

    /// First-UIP analysis of a falsified clause at the current level. Returns the learnt
    /// clause (asserting literal first, a literal of the backjump level second) and the
    /// backjump level.
    fn analyze(&mut self, conflict: u32) -> (Vec<Lit>, u32) {
        let current = self.decision_level();
        let mut learnt: Vec<Lit> = vec![Lit(0)];
        let mut pending = 0usize;
        let mut index = self.trail.len();
        let mut clause = Some(conflict);
        let mut asserting: Option<Lit> = None;
        loop {
            let lits: Vec<Lit> = clause
                .and_then(|c| self.clauses.get(c as usize))
                .map(|c| c.lits.clone())
                .unwrap_or_default();
            let skip = usize::from(asserting.is_some());
            for &q in lits.iter().skip(skip) {
                let v = q.var();
                let lvl = self.var_level(v);
                if self.seen.get(v.index()).copied().unwrap_or(true) || lvl == 0 {
                    continue;
                }
                if let Some(s) = self.seen.get_mut(v.index()) {
                    *s = true;
                }
                self.bump(v);
                if lvl >= current {
                    pending += 1;
                } else {
                    learnt.push(q);
                }
            }
            // The next literal of the current level on the trail that takes part.
            let p = loop {
                if index == 0 {
                    break None;
                }
                index -= 1;
                let l = self.trail.get(index).copied();
                if let Some(l) = l {
                    if self.seen.get(l.var().index()).copied().unwrap_or(false) {
                        break Some(l);
                    }
                }
            };
            let Some(p) = p else { break };
            if let Some(s) = self.seen.get_mut(p.var().index()) {
                *s = false;
            }
            asserting = Some(p);
            pending = pending.saturating_sub(1);
            if pending == 0 {
                break;
            }
            clause = self.reason.get(p.var().index()).copied().flatten();
        }
        if let (Some(first), Some(p)) = (learnt.first_mut(), asserting) {
            *first = !p;
        }
        // Basic minimization: drop a literal implied by others of the clause.
        let mut kept = Vec::with_capacity(learnt.len());
        for (i, &q) in learnt.iter().enumerate() {
            let redundant = i > 0
                && self
                    .reason
                    .get(q.var().index())
                    .copied()
                    .flatten()
                    .and_then(|r| self.clauses.get(r as usize))
                    .is_some_and(|c| {
                        c.lits.iter().skip(1).all(|&x| {
                            self.seen.get(x.var().index()).copied().unwrap_or(false)
                                || self.var_level(x.var()) == 0
                        })
                    });
            if !redundant {
                kept.push(q);
            }
        }
        for &q in &learnt {
            if let Some(s) = self.seen.get_mut(q.var().index()) {
                *s = false;
            }
        }
        let mut learnt = kept;
        // Put a literal of the highest remaining level second: it is watched, and the
        // backjump goes to its level.
        let mut back = 0;
        let mut at = 1;
        for (i, &q) in learnt.iter().enumerate().skip(1) {
            let lvl = self.var_level(q.var());
            if lvl > back {
                back = lvl;
                at = i;
            }
        }
        if learnt.len() > 1 {
            learnt.swap(1, at);
        }
        (learnt, back)
    }

    fn lbd(&self, lits: &[Lit]) -> u32 {
        let mut levels: Vec<u32> = lits.iter().map(|l| self.var_level(l.var())).collect();
        levels.sort_unstable();
        levels.dedup();
        u32::try_from(levels.len()).unwrap_or(u32::MAX)
    }

    /// Learns `learnt` (asserting literal first) after backjumping to `back`.
    fn learn(&mut self, learnt: Vec<Lit>, back: u32) {
        self.backtrack(back);
        match learnt.as_slice() {
            [] => self.ok = false,
            [l] => self.enqueue(*l, None),
            [l, ..] => {
                let l = *l;
                let lbd = self.lbd(&learnt);
                let cref = self.attach(learnt, true, lbd);
                self.enqueue(l, Some(cref));
            }
        }
        self.var_inc /= 0.95;
    }

    /// Deletes about half of the learnt clauses, those with the worst LBD, except
    /// clauses that are the reason of a current assignment.
    fn reduce(&mut self) {
        let mut locked = vec![false; self.clauses.len()];
        for r in self.reason.iter().flatten() {
            if let Some(x) = locked.get_mut(*r as usize) {
                *x = true;
            }
        }
        let mut candidates: Vec<(u32, usize)> = self
            .clauses
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                c.learnt && !c.deleted && c.lbd > 2 && !locked.get(*i).copied().unwrap_or(true)
            })
            .map(|(i, c)| (c.lbd, i))
            .collect();
        // Worst first; among equals the older goes first, for determinism.
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let drop = candidates.len() / 2;
        for &(_, i) in candidates.iter().take(drop) {
            if let Some(c) = self.clauses.get_mut(i) {
                c.deleted = true;
                c.lits = Vec::new();
                self.learnts = self.learnts.saturating_sub(1);
            }
        }
        for ws in &mut self.watches {
            ws.retain(|w| {
                self.clauses
                    .get(w.clause as usize)
                    .is_some_and(|c| !c.deleted)
            });
        }
    }

    fn pick_branch(&mut self) -> Option<Lit> {
        while let Some(v) = self.heap.pop(&self.activity) {
            if self.value(v).is_none() {
                let phase = self.phase.get(v.index()).copied().unwrap_or(false);
                return Some(Lit::new(v, !phase));
            }
        }
        None
    }

    /// Handles a theory clause that is false under the assignment: learns it and
    /// resolves the conflict. Returns `false` when the clauses became unsatisfiable.
    fn theory_clause(&mut self, mut clause: Vec<Lit>) -> Result<bool, Unknown> {
        clause.sort_unstable();
        clause.dedup();
        if clause.iter().any(|&l| self.lit_value(l) != Some(false)) {
            return Err(Unknown::Internal(
                "a theory lemma is not false under the assignment",
            ));
        }
        // Highest level first, then the next highest.
        clause.sort_by_key(|l| std::cmp::Reverse(self.var_level(l.var())));
        let top = clause.first().map_or(0, |l| self.var_level(l.var()));
        if top == 0 {
            self.ok = false;
            return Ok(false);
        }
        let second = clause.get(1).map_or(0, |l| self.var_level(l.var()));
        if clause.len() == 1 {
            self.learn(clause, 0);
            return Ok(true);
        }
        if second < top {
            // Asserting already: jump back and propagate its first literal.
            self.learn(clause, second);
            return Ok(true);
        }
        self.backtrack(top);
        let lbd = self.lbd(&clause);
        let cref = self.attach(clause, true, lbd);
        let (learnt, back) = self.analyze(cref);
        self.learn(learnt, back);
        Ok(true)
    }

    /// Searches for a model of the clauses that `theory` accepts.
    pub(crate) fn solve(&mut self, theory: &mut impl Theory, limits: &Limits) -> SolveResult {
        let mut incomplete: Option<Unknown> = None;
        let unsat = |incomplete: Option<Unknown>| match incomplete {
            Some(why) => SolveResult::Unknown(why),
            None => SolveResult::Unsat,
        };
        if !self.ok {
            return unsat(incomplete);
        }
        self.backtrack(0);
        if self.propagate().is_some() {
            self.ok = false;
            return unsat(incomplete);
        }
        let start_conflicts = self.stats.conflicts;
        let mut restart_index = 0u64;
        let mut until_restart = RESTART_UNIT * luby(restart_index);
        let mut steps = 0u32;
        loop {
            if let Some(conflict) = self.propagate() {
                self.stats.conflicts += 1;
                if self.decision_level() == 0 {
                    self.ok = false;
                    return unsat(incomplete);
                }
                let (learnt, back) = self.analyze(conflict);
                self.learn(learnt, back);
                if let Some(stop) = self.over_budget(start_conflicts, limits) {
                    return SolveResult::Unknown(stop);
                }
                until_restart = until_restart.saturating_sub(1);
                if until_restart == 0 {
                    restart_index += 1;
                    until_restart = RESTART_UNIT * luby(restart_index);
                    self.stats.restarts += 1;
                    self.backtrack(0);
                }
                if self.learnts >= self.max_learnts + self.trail.len() {
                    self.reduce();
                    self.max_learnts += self.max_learnts / 10;
                }
                continue;
            }
            steps = steps.wrapping_add(1);
            if steps % 1024 == 0 && limits.past_deadline() {
                return SolveResult::Unknown(Unknown::Budget(Exhausted::Deadline));
            }
            if theory.wants_partial() {
                let verdict = theory.partial_check(Assignment {
                    values: &self.values,
                });
                match self.on_theory(verdict, &mut incomplete) {
                    Ok(true) => {}
                    Ok(false) => return unsat(incomplete),
                    Err(why) => return SolveResult::Unknown(why),
                }
                if !self.at_fixpoint() {
                    if let Some(stop) = self.over_budget(start_conflicts, limits) {
                        return SolveResult::Unknown(stop);
                    }
                    continue;
                }
            }
            match self.pick_branch() {
                Some(lit) => {
                    self.stats.decisions += 1;
                    self.trail_lim.push(self.trail.len());
                    self.enqueue(lit, None);
                }
                None => {
                    self.stats.final_checks += 1;
                    let verdict = theory.final_check(Assignment {
                        values: &self.values,
                    });
                    if verdict == TheoryVerdict::Consistent {
                        return SolveResult::Sat;
                    }
                    match self.on_theory(verdict, &mut incomplete) {
                        Ok(true) => {}
                        Ok(false) => return unsat(incomplete),
                        Err(why) => return SolveResult::Unknown(why),
                    }
                    if let Some(stop) = self.over_budget(start_conflicts, limits) {
                        return SolveResult::Unknown(stop);
                    }
                }
            }
        }
    }

    /// Whether propagation has nothing left to do (no lemma was just learnt).
    fn at_fixpoint(&self) -> bool {
        self.qhead == self.trail.len()
    }

    fn on_theory(
        &mut self,
        verdict: TheoryVerdict,
        incomplete: &mut Option<Unknown>,
    ) -> Result<bool, Unknown> {
        match verdict {
            TheoryVerdict::Consistent => Ok(true),
            TheoryVerdict::Conflict(clause) => {
                self.stats.conflicts += 1;
                self.stats.theory_conflicts += 1;
                self.theory_clause(clause)
            }
            TheoryVerdict::Unknown { reason, block } => {
                if let Unknown::Budget(_) = reason {
                    // Out of budget in the theory: the whole question is out of budget.
                    return Err(reason);
                }
                incomplete.get_or_insert(reason);
                self.stats.conflicts += 1;
                self.theory_clause(block)
            }
        }
    }

    fn over_budget(&self, start: u64, limits: &Limits) -> Option<Unknown> {
        if self.stats.conflicts.saturating_sub(start) >= limits.max_conflicts {
            return Some(Unknown::Budget(Exhausted::Conflicts));
        }
        limits
            .past_deadline()
            .then_some(Unknown::Budget(Exhausted::Deadline))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lit(x: i32) -> Lit {
        Lit::new(Var(x.unsigned_abs() - 1), x < 0)
    }

    fn brute(n: usize, clauses: &[Vec<i32>]) -> bool {
        (0u32..1 << n).any(|m| {
            clauses.iter().all(|c| {
                c.iter().any(|&x| {
                    let v = m >> (x.unsigned_abs() - 1) & 1 == 1;
                    v == (x > 0)
                })
            })
        })
    }

    fn solver(n: usize, clauses: &[Vec<i32>]) -> Solver {
        let mut s = Solver::new();
        for _ in 0..n {
            s.new_var();
        }
        for c in clauses {
            let c: Vec<Lit> = c.iter().map(|&x| lit(x)).collect();
            s.add_clause(&c);
        }
        s
    }

    fn satisfies(s: &Solver, clauses: &[Vec<i32>]) -> bool {
        clauses
            .iter()
            .all(|c| c.iter().any(|&x| s.lit_value(lit(x)) == Some(true)))
    }

    #[test]
    fn luby_sequence() {
        let got: Vec<u64> = (0..15).map(luby).collect();
        assert_eq!(got, [1, 1, 2, 1, 1, 2, 4, 1, 1, 2, 1, 1, 2, 4, 8]);
    }

    #[test]
    fn pigeonhole_is_unsat() {
        // 6 pigeons, 5 holes: needs real search and learning.
        let (p, h) = (6, 5);
        let var = |i: i32, j: i32| i * h + j + 1;
        let mut clauses = Vec::new();
        for i in 0..p {
            clauses.push((0..h).map(|j| var(i, j)).collect());
        }
        for j in 0..h {
            for a in 0..p {
                for b in a + 1..p {
                    clauses.push(vec![-var(a, j), -var(b, j)]);
                }
            }
        }
        let mut s = solver((p * h) as usize, &clauses);
        assert_eq!(
            s.solve(&mut NoTheory, &Limits::default()),
            SolveResult::Unsat
        );
        assert!(s.stats().conflicts > 0);
    }

    #[test]
    fn conflict_budget_gives_unknown() {
        let (p, h) = (9, 8);
        let var = |i: i32, j: i32| i * h + j + 1;
        let mut clauses = Vec::new();
        for i in 0..p {
            clauses.push((0..h).map(|j| var(i, j)).collect());
        }
        for j in 0..h {
            for a in 0..p {
                for b in a + 1..p {
                    clauses.push(vec![-var(a, j), -var(b, j)]);
                }
            }
        }
        let mut s = solver((p * h) as usize, &clauses);
        let limits = Limits {
            max_conflicts: 50,
            ..Limits::default()
        };
        assert_eq!(
            s.solve(&mut NoTheory, &limits),
            SolveResult::Unknown(Unknown::Budget(Exhausted::Conflicts))
        );
    }

    /// A theory that forbids models where variables 0 and 1 are both true, answering
    /// only at full assignments: the lemma path of the solver.
    struct NotBoth;
    impl Theory for NotBoth {
        fn final_check(&mut self, a: Assignment<'_>) -> TheoryVerdict {
            if a.var(Var(0)) == Some(true) && a.var(Var(1)) == Some(true) {
                TheoryVerdict::Conflict(vec![lit(-1), lit(-2)])
            } else {
                TheoryVerdict::Consistent
            }
        }
    }

    #[test]
    fn theory_lemmas_are_learnt() {
        let mut s = solver(3, &[vec![1, 3], vec![2, 3], vec![-3, 1]]);
        assert_eq!(s.solve(&mut NotBoth, &Limits::default()), SolveResult::Sat);
        assert!(!(s.value(Var(0)) == Some(true) && s.value(Var(1)) == Some(true)));
        let mut s = solver(2, &[vec![1], vec![2]]);
        assert_eq!(
            s.solve(&mut NotBoth, &Limits::default()),
            SolveResult::Unsat
        );
    }

    /// A theory that cannot decide one combination: the search must not end in Unsat.
    struct Undecided;
    impl Theory for Undecided {
        fn final_check(&mut self, a: Assignment<'_>) -> TheoryVerdict {
            if a.var(Var(0)) == Some(true) {
                TheoryVerdict::Unknown {
                    reason: Unknown::Unsupported("test"),
                    block: vec![lit(-1)],
                }
            } else {
                TheoryVerdict::Consistent
            }
        }
    }

    #[test]
    fn undecided_theory_never_yields_unsat() {
        let mut s = solver(2, &[vec![1]]);
        assert_eq!(
            s.solve(&mut Undecided, &Limits::default()),
            SolveResult::Unknown(Unknown::Unsupported("test"))
        );
        let mut s = solver(2, &[vec![1, 2]]);
        assert_eq!(
            s.solve(&mut Undecided, &Limits::default()),
            SolveResult::Sat
        );
        assert_eq!(s.value(Var(0)), Some(false));
    }

    #[test]
    fn incremental_blocking_enumerates_all_models() {
        let clauses = vec![vec![1, 2, 3], vec![-1, -2]];
        let mut s = solver(3, &clauses);
        let mut models = 0;
        while s.solve(&mut NoTheory, &Limits::default()) == SolveResult::Sat {
            assert!(satisfies(&s, &clauses));
            models += 1;
            let block: Vec<Lit> = (0..3)
                .map(|v| Lit::new(Var(v), s.value(Var(v)) == Some(true)))
                .collect();
            s.add_clause(&block);
        }
        assert_eq!(models, 5);
    }

    fn cnf() -> impl Strategy<Value = (usize, Vec<Vec<i32>>)> {
        (1usize..9).prop_flat_map(|n| {
            let lit = (1..=n as i32, any::<bool>()).prop_map(|(v, neg)| if neg { -v } else { v });
            (
                Just(n),
                prop::collection::vec(prop::collection::vec(lit, 1..4), 0..40),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn agrees_with_brute_force((n, clauses) in cnf()) {
            let mut s = solver(n, &clauses);
            let got = s.solve(&mut NoTheory, &Limits::default());
            let want = brute(n, &clauses);
            prop_assert_eq!(got == SolveResult::Sat, want);
            prop_assert!(got != SolveResult::Unknown(Unknown::Budget(Exhausted::Conflicts)));
            if want {
                prop_assert!(satisfies(&s, &clauses));
            }
            // Deterministic: the same input gives the same model.
            let mut again = solver(n, &clauses);
            again.solve(&mut NoTheory, &Limits::default());
            for v in 0..n as u32 {
                prop_assert_eq!(s.value(Var(v)), again.value(Var(v)));
            }
        }

        /// The lemma path: the same CNF split into a plain part and a part that only a
        /// theory knows and reveals one violated clause at a time.
        #[test]
        fn theory_clauses_agree_with_brute_force((n, clauses) in cnf(), split in 0usize..40) {
            let (plain, hidden) = clauses.split_at(split.min(clauses.len()));
            struct Hidden(Vec<Vec<Lit>>);
            impl Theory for Hidden {
                fn final_check(&mut self, a: Assignment<'_>) -> TheoryVerdict {
                    for c in &self.0 {
                        if c.iter().all(|&l| a.lit(l) == Some(false)) {
                            return TheoryVerdict::Conflict(c.clone());
                        }
                    }
                    TheoryVerdict::Consistent
                }
            }
            let mut theory = Hidden(hidden.iter().map(|c| c.iter().map(|&x| lit(x)).collect()).collect());
            let mut s = solver(n, plain);
            let got = s.solve(&mut theory, &Limits::default());
            let want = brute(n, &clauses);
            prop_assert_eq!(got == SolveResult::Sat, want);
            if want {
                prop_assert!(satisfies(&s, &clauses));
            }
        }
    }
}
