//! A slot against a template `pre${k}post`: a joint walk over the slot's string and the
//! strings of the template's variables.
//!
//! The walk follows one run through the template (a single position, not a set: the
//! template atom is asserted, so some run must accept), and while the run is inside a
//! variable it reads a character for the slot and a character for the variable's slot
//! at the same time: the same character when the comparison is case-sensitive, any two
//! with the same fold when not. Each variable's own automata advance on its characters
//! and must accept when the run leaves the variable. The walk is exact when each
//! variable appears once and its slot has no other template: then every accepting run
//! spells a consistent pair of strings, and every such pair has a run.

use super::super::budget::{Exhausted, Limits};
use super::super::deps::{fold, Case};
use super::lang::{Alphabet, Class, Nfa, StateMap, WalkStats, DEADLINE_EVERY};
use super::{Template, TemplateMode, TemplatePart};
use std::collections::{HashMap, VecDeque};

/// One step of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TTok {
    /// Exactly one character of the class.
    One(Class),
    /// Any run of characters of the class.
    Run(Class),
    /// The value of variable `var` (numbered from 0 in order of appearance), every
    /// character of which must be in `allowed`.
    Var {
        /// Which variable.
        var: usize,
        /// What its characters may be here (inside an ARN component: not `:`).
        allowed: Class,
    },
}

/// A template as steps.
#[derive(Debug, Clone)]
pub(crate) struct Steps {
    /// The steps.
    pub(crate) toks: Vec<TTok>,
    /// Whether a variable's characters pair with the slot's by fold.
    pub(crate) insensitive: bool,
    /// Whether the slot must also be an ARN (component-wise matching starts with the
    /// split into components, which needs `arn:`).
    pub(crate) arn: bool,
}

/// The steps of `t`; `None` when it matches nothing (an ARN template with fewer than
/// six components), as `ArnPattern::from_parts` decides.
pub(crate) fn steps(t: &Template) -> Option<Steps> {
    let mut var_no: HashMap<super::SlotId, usize> = HashMap::new();
    let mut number = |s: super::SlotId| {
        let n = var_no.len();
        *var_no.entry(s).or_insert(n)
    };
    match t.mode {
        TemplateMode::Like | TemplateMode::Equals(_) => {
            let case = match t.mode {
                TemplateMode::Equals(c) => c,
                _ => Case::Sensitive,
            };
            let lit = |c: char| match case {
                Case::Sensitive => TTok::One(Class::Char(c)),
                Case::Insensitive => TTok::One(Class::Folded(fold(c))),
            };
            let mut toks = Vec::new();
            for p in &t.parts {
                match p {
                    TemplatePart::Text(s) if t.mode == TemplateMode::Like => {
                        toks.extend(s.chars().map(|c| match c {
                            '*' => TTok::Run(Class::Any),
                            '?' => TTok::One(Class::Any),
                            c => lit(c),
                        }));
                    }
                    TemplatePart::Text(s) | TemplatePart::Literal(s) => {
                        toks.extend(s.chars().map(lit));
                    }
                    TemplatePart::Var(s) => toks.push(TTok::Var {
                        var: number(*s),
                        allowed: Class::Any,
                    }),
                }
            }
            Some(Steps {
                toks,
                insensitive: case == Case::Insensitive,
                arn: false,
            })
        }
        TemplateMode::Arn => {
            // Split at the colons of the policy text only, as `ArnPattern::from_parts`.
            let mut comps: Vec<Vec<TTok>> = vec![Vec::new()];
            for p in &t.parts {
                let index = comps.len() - 1;
                let in_component = index < 5;
                let wild = if in_component {
                    Class::AnyBut(':')
                } else {
                    Class::Any
                };
                match p {
                    TemplatePart::Text(s) => {
                        for c in s.chars() {
                            if c == ':' && comps.len() < 6 {
                                comps.push(Vec::new());
                                continue;
                            }
                            let comp_wild = if comps.len() < 6 {
                                Class::AnyBut(':')
                            } else {
                                Class::Any
                            };
                            let tok = match c {
                                '*' => TTok::Run(comp_wild),
                                '?' => TTok::One(comp_wild),
                                c => TTok::One(Class::Char(c)),
                            };
                            if let Some(last) = comps.last_mut() {
                                last.push(tok);
                            }
                        }
                    }
                    TemplatePart::Literal(s) => {
                        if let Some(last) = comps.last_mut() {
                            last.extend(s.chars().map(|c| {
                                if c == ':' && in_component {
                                    TTok::One(Class::Never)
                                } else {
                                    TTok::One(Class::Char(c))
                                }
                            }));
                        }
                    }
                    TemplatePart::Var(s) => {
                        let var = number(*s);
                        if let Some(last) = comps.last_mut() {
                            last.push(TTok::Var { var, allowed: wild });
                        }
                    }
                }
            }
            if comps.len() < 6 {
                return None;
            }
            let mut toks = Vec::new();
            for (i, c) in comps.into_iter().enumerate() {
                if i > 0 {
                    toks.push(TTok::One(Class::Char(':')));
                }
                toks.extend(c);
            }
            Some(Steps {
                toks,
                insensitive: false,
                arn: true,
            })
        }
    }
}

/// What a joint walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JointResult {
    /// The slot's string and each variable's string.
    Witness {
        /// The slot's string.
        owner: String,
        /// The variables' strings, by variable number.
        vars: Vec<String>,
    },
    /// No consistent strings.
    Empty,
    /// A limit ran out.
    Budget(Exhausted),
}

/// The automata of the slot and of each variable.
pub(crate) struct JointInput<'a> {
    /// The template.
    pub(crate) steps: &'a Steps,
    /// The slot's positive automata.
    pub(crate) owner_pos: Vec<&'a Nfa>,
    /// The slot's negative automata.
    pub(crate) owner_neg: Vec<&'a Nfa>,
    /// Each variable's positive and negative automata, by variable number.
    pub(crate) vars: Vec<(Vec<&'a Nfa>, Vec<&'a Nfa>)>,
}

#[derive(Debug, Clone, Copy)]
enum Move {
    Eps,
    Char(u32),
    Pair(u32, u32),
}

/// A group of automata laid out in one state vector.
struct Group<'a> {
    autos: Vec<(&'a Nfa, bool)>,
    offsets: Vec<usize>,
}

impl<'a> Group<'a> {
    fn new(pos: &[&'a Nfa], neg: &[&'a Nfa], at: usize) -> Group<'a> {
        let autos: Vec<(&Nfa, bool)> = pos
            .iter()
            .map(|&a| (a, true))
            .chain(neg.iter().map(|&a| (a, false)))
            .collect();
        let mut offsets = vec![at];
        let mut w = at;
        for (a, _) in &autos {
            w += a.words();
            offsets.push(w);
        }
        Group { autos, offsets }
    }
    fn end(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0)
    }
    fn range(&self, i: usize) -> (usize, usize) {
        (
            self.offsets.get(i).copied().unwrap_or(0),
            self.offsets.get(i + 1).copied().unwrap_or(0),
        )
    }
    fn start(&self, state: &mut [u64], stack: &mut Vec<u32>) {
        for (i, (a, _)) in self.autos.iter().enumerate() {
            let (lo, hi) = self.range(i);
            if let Some(part) = state.get_mut(lo..hi) {
                a.start(part, stack);
            }
        }
    }
    fn clear(&self, state: &mut [u64]) {
        let (lo, hi) = (self.offsets.first().copied().unwrap_or(0), self.end());
        if let Some(part) = state.get_mut(lo..hi) {
            part.fill(0);
        }
    }
    /// Steps every automaton on `c`; false when a positive one dies.
    fn step(&self, cur: &[u64], c: char, f: char, out: &mut [u64], stack: &mut Vec<u32>) -> bool {
        for (i, (a, positive)) in self.autos.iter().enumerate() {
            let (lo, hi) = self.range(i);
            let (Some(from), Some(to)) = (cur.get(lo..hi), out.get_mut(lo..hi)) else {
                continue;
            };
            a.step(from, c, f, to, stack);
            if *positive && to.iter().all(|&w| w == 0) {
                return false;
            }
        }
        true
    }
    fn accepting(&self, state: &[u64]) -> bool {
        self.autos.iter().enumerate().all(|(i, (a, positive))| {
            let (lo, hi) = self.range(i);
            a.accepts_set(state.get(lo..hi).unwrap_or(&[])) == *positive
        })
    }
}

/// Finds strings for the slot and the variables such that the slot matches the template
/// resolved with the variables' strings, and each satisfies its own automata.
pub(crate) fn joint_walk(
    input: &JointInput<'_>,
    limits: &Limits,
    stats: &mut WalkStats,
) -> JointResult {
    stats.walks += 1;
    let toks = &input.steps.toks;
    let m = toks.len();
    let owner = Group::new(&input.owner_pos, &input.owner_neg, 1);
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut at = owner.end();
    for (p, n) in &input.vars {
        let g = Group::new(p, n, at);
        at = g.end();
        groups.push(g);
    }
    let width = at;
    let token_classes = toks.iter().map(|t| match t {
        TTok::One(c) | TTok::Run(c) | TTok::Var { allowed: c, .. } => c,
    });
    let alphabet = Alphabet::new(
        owner
            .autos
            .iter()
            .chain(groups.iter().flat_map(|g| g.autos.iter()))
            .flat_map(|(a, _)| a.classes())
            .chain(token_classes),
        input.steps.insensitive,
    );
    let reps: Vec<(char, char)> = (0..alphabet.len())
        .filter_map(|k| alphabet.rep(k))
        .collect();
    let mut stack = Vec::new();

    // Entering position `pos` starts the variable there, if any, and clears the rest.
    let enter = |state: &mut Vec<u64>, pos: usize, stack: &mut Vec<u32>| {
        if let Some(w) = state.first_mut() {
            *w = pos as u64;
        }
        for g in &groups {
            g.clear(state);
        }
        if let Some(TTok::Var { var, .. }) = toks.get(pos) {
            if let Some(g) = groups.get(*var) {
                g.start(state, stack);
            }
        }
    };
    let mut start = vec![0u64; width];
    owner.start(&mut start, &mut stack);
    enter(&mut start, 0, &mut stack);
    if m == 0 && owner.accepting(&start) {
        return JointResult::Witness {
            owner: String::new(),
            vars: vec![String::new(); groups.len()],
        };
    }
    let mut parent: Vec<(u32, Move)> = vec![(u32::MAX, Move::Eps)];
    let mut visited: StateMap<()> = StateMap::default();
    visited.insert(start.as_slice().into(), ());
    let mut queue: VecDeque<(u32, Vec<u64>)> = VecDeque::from([(0, start)]);
    let mut next = vec![0u64; width];
    while let Some((id, state)) = queue.pop_front() {
        let pos = state.first().copied().unwrap_or(0) as usize;
        let mut succ: Vec<(Move, Vec<u64>)> = Vec::new();
        match toks.get(pos) {
            None => {}
            Some(TTok::One(c)) | Some(TTok::Run(c)) => {
                let run = matches!(toks.get(pos), Some(TTok::Run(_)));
                for (k, &(r, f)) in reps.iter().enumerate() {
                    if !c.accepts(r, f) {
                        continue;
                    }
                    next.copy_from_slice(&state);
                    if !owner.step(&state, r, f, &mut next, &mut stack) {
                        continue;
                    }
                    let mut n = next.clone();
                    if !run {
                        enter(&mut n, pos + 1, &mut stack);
                    }
                    succ.push((Move::Char(u32::try_from(k).unwrap_or(u32::MAX)), n));
                }
                if run {
                    let mut n = state.clone();
                    enter(&mut n, pos + 1, &mut stack);
                    succ.push((Move::Eps, n));
                }
            }
            Some(TTok::Var { var, allowed }) => {
                let Some(g) = groups.get(*var) else { continue };
                for (kr, &(r, rf)) in reps.iter().enumerate() {
                    for (kk, &(v, vf)) in reps.iter().enumerate() {
                        let paired = if input.steps.insensitive {
                            rf == vf
                        } else {
                            kr == kk
                        };
                        if !paired || !allowed.accepts(v, vf) {
                            continue;
                        }
                        next.copy_from_slice(&state);
                        if !owner.step(&state, r, rf, &mut next, &mut stack)
                            || !g.step(&state, v, vf, &mut next, &mut stack)
                        {
                            continue;
                        }
                        succ.push((
                            Move::Pair(
                                u32::try_from(kr).unwrap_or(u32::MAX),
                                u32::try_from(kk).unwrap_or(u32::MAX),
                            ),
                            next.clone(),
                        ));
                    }
                }
                if g.accepting(&state) {
                    let mut n = state.clone();
                    enter(&mut n, pos + 1, &mut stack);
                    succ.push((Move::Eps, n));
                }
            }
        }
        for (mv, n) in succ {
            if visited.contains_key(n.as_slice()) {
                continue;
            }
            let node = u32::try_from(parent.len()).unwrap_or(u32::MAX);
            parent.push((id, mv));
            stats.states += 1;
            let npos = n.first().copied().unwrap_or(0) as usize;
            if npos == m && owner.accepting(&n) {
                return spell(&parent, node, toks, &reps, groups.len());
            }
            if parent.len() as u64 > limits.max_states {
                return JointResult::Budget(Exhausted::States);
            }
            if parent.len() % DEADLINE_EVERY == 0 && limits.past_deadline() {
                return JointResult::Budget(Exhausted::Deadline);
            }
            visited.insert(n.as_slice().into(), ());
            match mv {
                Move::Eps => queue.push_front((node, n)),
                _ => queue.push_back((node, n)),
            }
        }
    }
    JointResult::Empty
}

fn spell(
    parent: &[(u32, Move)],
    node: u32,
    toks: &[TTok],
    reps: &[(char, char)],
    vars: usize,
) -> JointResult {
    // Walk back collecting moves; a pair's variable is the one at the run's position,
    // which is the position of the closest preceding entry into a variable. Replaying
    // the moves forwards from the start recovers the positions.
    let mut moves = Vec::new();
    let mut n = node;
    while let Some(&(p, mv)) = parent.get(n as usize) {
        if p == u32::MAX {
            break;
        }
        moves.push(mv);
        n = p;
    }
    moves.reverse();
    let mut owner = String::new();
    let mut values = vec![String::new(); vars];
    let mut pos = 0usize;
    let rep = |k: u32| reps.get(k as usize).map(|r| r.0);
    for mv in moves {
        match (mv, toks.get(pos)) {
            (Move::Eps, _) => pos += 1,
            (Move::Char(k), Some(TTok::Run(_))) => owner.extend(rep(k)),
            (Move::Char(k), _) => {
                owner.extend(rep(k));
                pos += 1;
            }
            (Move::Pair(kr, kv), Some(TTok::Var { var, .. })) => {
                owner.extend(rep(kr));
                if let Some(v) = values.get_mut(*var) {
                    v.extend(rep(kv));
                }
            }
            (Move::Pair(..), _) => {}
        }
    }
    JointResult::Witness {
        owner,
        vars: values,
    }
}
