//! String languages as small automata, and the emptiness check of `⋂P ∖ ⋃N`.
//!
//! Every string-valued constraint the theories need is a regular language over Unicode
//! scalar values: IAM patterns (`*` any run, `?` one character, either case mode), ARN
//! patterns (component-wise, so `*` and `?` cannot cross a colon before the resource),
//! literal strings, and the exact or over-approximating readability languages of the
//! operator families. Each becomes an [`Nfa`] whose edges carry a [`Class`] of
//! characters.
//!
//! [`walk`] decides whether some string is accepted by every positive automaton and by no
//! negative one. It partitions the alphabet into the characters the automata mention,
//! their case-fold classes, and one class for everything else, then explores tuples of
//! state sets breadth-first, so the witness it returns is a shortest one. The walk is
//! exponential in the worst case (`*a?{k}` needs 2^k state sets), so it counts states
//! against [`Limits::max_states`] and watches the deadline.

use super::super::budget::{Exhausted, Limits};
use super::super::deps::{fold, ArnPattern, Case, Pattern, Piece};
use std::collections::{HashMap, VecDeque};
use std::sync::OnceLock;

/// The characters one automaton edge accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Class {
    /// Exactly this character.
    Char(char),
    /// Every character `c` with `fold(c)` equal to this (already folded) character: a
    /// literal character of a case-insensitive pattern.
    Folded(char),
    /// Every character.
    Any,
    /// Every character but this one (`*` and `?` inside an ARN component: never `:`).
    AnyBut(char),
    /// These characters.
    // INVARIANT: sorted, without duplicates.
    OneOf(Box<[char]>),
    /// No character (a literal `:` inside an ARN component, which no ARN has).
    Never,
}

impl Class {
    fn one_of(chars: &str) -> Class {
        let mut v: Vec<char> = chars.chars().collect();
        v.sort_unstable();
        v.dedup();
        Class::OneOf(v.into())
    }

    /// Whether `c` (whose fold is `folded`) is in the class.
    #[inline]
    pub(crate) fn accepts(&self, c: char, folded: char) -> bool {
        match self {
            Class::Char(x) => c == *x,
            Class::Folded(x) => folded == *x,
            Class::Any => true,
            Class::AnyBut(x) => c != *x,
            Class::OneOf(set) => set.binary_search(&c).is_ok(),
            Class::Never => false,
        }
    }

    /// Whether no character is in both; `false` when unsure.
    fn disjoint(&self, other: &Class) -> bool {
        use Class::*;
        match (self, other) {
            (Never, _) | (_, Never) => true,
            (Char(a), Char(b)) => a != b,
            (Char(a), Folded(p)) | (Folded(p), Char(a)) => fold(*a) != *p,
            (Folded(p), Folded(q)) => p != q,
            (Char(a), AnyBut(b)) | (AnyBut(b), Char(a)) => a == b,
            (Char(a), OneOf(s)) | (OneOf(s), Char(a)) => s.binary_search(a).is_err(),
            (Folded(p), OneOf(s)) | (OneOf(s), Folded(p)) => s.iter().all(|&m| fold(m) != *p),
            (OneOf(a), OneOf(b)) => a.iter().all(|m| b.binary_search(m).is_err()),
            _ => false,
        }
    }
}

/// One step of a glob-shaped automaton.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Tok {
    /// Exactly one character of the class.
    One(Class),
    /// Any run (possibly empty) of characters of the class.
    Run(Class),
}

/// A nondeterministic automaton with ε-edges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Nfa {
    // INVARIANT: `edges`, `eps` and `accept` have one entry per state; every target is a
    // state; state 0 is the start.
    edges: Vec<Vec<(Class, u32)>>,
    eps: Vec<Vec<u32>>,
    accept: Vec<bool>,
    /// Whether any state has an ε-edge.
    has_eps: bool,
    /// For a glob-shaped automaton: the classes every accepted string starts with, the
    /// classes it ends with, and its exact length when it has no run. Used to set aside
    /// negative automata that cannot meet a positive one without walking.
    shape: Option<Shape>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape {
    prefix: Vec<Class>,
    /// The leading exact characters of `prefix`, as text: most prefixes are literal
    /// (`arn:aws:s3:::bucket/`), and comparing text is much cheaper than classes.
    lead: String,
    suffix: Vec<Class>,
    min_len: usize,
    exact_len: Option<usize>,
    universal: bool,
}

impl Nfa {
    /// The automaton of a glob: state `i` has read the first `i` steps.
    pub(crate) fn glob(toks: &[Tok]) -> Nfa {
        let n = toks.len() + 1;
        let mut edges = vec![Vec::new(); n];
        let mut eps = vec![Vec::new(); n];
        for (i, t) in toks.iter().enumerate() {
            let next = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let here = u32::try_from(i).unwrap_or(u32::MAX);
            match t {
                Tok::One(c) => {
                    if let Some(e) = edges.get_mut(i) {
                        e.push((c.clone(), next));
                    }
                }
                Tok::Run(c) => {
                    if let Some(e) = edges.get_mut(i) {
                        e.push((c.clone(), here));
                    }
                    if let Some(e) = eps.get_mut(i) {
                        e.push(next);
                    }
                }
            }
        }
        let mut accept = vec![false; n];
        if let Some(a) = accept.last_mut() {
            *a = true;
        }
        let first_run = toks.iter().position(|t| matches!(t, Tok::Run(_)));
        let last_run = toks.iter().rposition(|t| matches!(t, Tok::Run(_)));
        let ones = |ts: &[Tok]| -> Vec<Class> {
            ts.iter()
                .filter_map(|t| match t {
                    Tok::One(c) => Some(c.clone()),
                    Tok::Run(_) => None,
                })
                .collect()
        };
        let prefix = ones(toks.get(..first_run.unwrap_or(toks.len())).unwrap_or(&[]));
        let suffix = ones(
            toks.get(last_run.map_or(toks.len(), |r| r + 1)..)
                .unwrap_or(&[]),
        );
        let min_len = toks.iter().filter(|t| matches!(t, Tok::One(_))).count();
        let universal = !toks.is_empty() && toks.iter().all(|t| *t == Tok::Run(Class::Any));
        let has_eps = eps.iter().any(|e| !e.is_empty());
        Nfa {
            edges,
            eps,
            accept,
            has_eps,
            shape: Some(Shape {
                lead: prefix
                    .iter()
                    .map_while(|c| match c {
                        Class::Char(x) => Some(*x),
                        _ => None,
                    })
                    .collect(),
                prefix,
                suffix,
                min_len,
                exact_len: first_run.is_none().then_some(min_len),
                universal,
            }),
        }
    }

    /// The language of an IAM pattern, as [`Pattern::matches`] decides it.
    pub(crate) fn pattern(p: &Pattern) -> Nfa {
        Nfa::glob(&pattern_toks(&p.pieces(), p.case(), false))
    }

    /// The language of an ARN pattern, as [`ArnPattern::matches`] decides it: `arn:`,
    /// four components that cannot contain a colon, and the resource.
    pub(crate) fn arn(p: &ArnPattern) -> Nfa {
        let [partition, service, region, account, resource] = p.components();
        let mut toks = lit_toks("arn:");
        for c in [partition, service, region, account] {
            toks.extend(pattern_toks(&c.pieces(), Case::Sensitive, true));
            toks.push(Tok::One(Class::Char(':')));
        }
        toks.extend(pattern_toks(&resource.pieces(), Case::Sensitive, false));
        Nfa::glob(&toks)
    }

    /// Exactly the string `s`, case-sensitively.
    pub(crate) fn literal(s: &str) -> Nfa {
        Nfa::glob(&lit_toks(s))
    }

    /// The automaton of a regular expression over classes.
    pub(crate) fn regex(re: &Re) -> Nfa {
        let mut b = Builder::default();
        let start = b.state();
        let end = b.build(re, start);
        let n = b.edges.len();
        let mut accept = vec![false; n];
        if let Some(a) = accept.get_mut(end as usize) {
            *a = true;
        }
        let has_eps = b.eps.iter().any(|e| !e.is_empty());
        Nfa {
            edges: b.edges,
            eps: b.eps,
            accept,
            has_eps,
            shape: None,
        }
    }

    fn states(&self) -> usize {
        self.accept.len()
    }

    pub(crate) fn words(&self) -> usize {
        self.states().div_ceil(64).max(1)
    }

    /// The classes on the edges, for the alphabet partition.
    pub(crate) fn classes(&self) -> impl Iterator<Item = &Class> {
        self.edges.iter().flatten().map(|(c, _)| c)
    }

    /// Adds the ε-closure of the set bits of `set`.
    fn close(&self, set: &mut [u64], stack: &mut Vec<u32>) {
        if !self.has_eps {
            return;
        }
        stack.clear();
        for (w, &word) in set.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let b = bits.trailing_zeros();
                bits &= bits - 1;
                let s = u32::try_from(w * 64).unwrap_or(u32::MAX).saturating_add(b);
                if self.eps.get(s as usize).is_some_and(|e| !e.is_empty()) {
                    stack.push(s);
                }
            }
        }
        while let Some(s) = stack.pop() {
            for &t in self.eps.get(s as usize).into_iter().flatten() {
                if !get_bit(set, t) {
                    set_bit(set, t);
                    stack.push(t);
                }
            }
        }
    }

    pub(crate) fn start(&self, out: &mut [u64], stack: &mut Vec<u32>) {
        out.fill(0);
        set_bit(out, 0);
        self.close(out, stack);
    }

    pub(crate) fn step(
        &self,
        cur: &[u64],
        c: char,
        folded: char,
        out: &mut [u64],
        stack: &mut Vec<u32>,
    ) {
        out.fill(0);
        for (w, &word) in cur.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let b = bits.trailing_zeros();
                bits &= bits - 1;
                let s = w * 64 + b as usize;
                for (class, t) in self.edges.get(s).into_iter().flatten() {
                    if class.accepts(c, folded) {
                        set_bit(out, *t);
                    }
                }
            }
        }
        self.close(out, stack);
    }

    pub(crate) fn accepts_set(&self, set: &[u64]) -> bool {
        self.accept
            .iter()
            .enumerate()
            .any(|(i, &a)| a && get_bit(set, u32::try_from(i).unwrap_or(u32::MAX)))
    }

    #[cfg(test)]
    /// Whether the automaton accepts `s` (for tests and internal checks).
    pub(crate) fn accepts(&self, s: &str) -> bool {
        let mut stack = Vec::new();
        let mut cur = vec![0u64; self.words()];
        let mut next = cur.clone();
        self.start(&mut cur, &mut stack);
        for c in s.chars() {
            self.step(&cur, c, fold(c), &mut next, &mut stack);
            std::mem::swap(&mut cur, &mut next);
        }
        self.accepts_set(&cur)
    }

    /// Whether the two languages are certainly disjoint, judged from fixed prefixes,
    /// suffixes and lengths alone.
    pub(crate) fn clearly_disjoint(&self, other: &Nfa) -> bool {
        let (Some(a), Some(b)) = (&self.shape, &other.shape) else {
            return false;
        };
        // Two exact texts clash unless one is a prefix of the other; past the shorter
        // one the classes decide.
        let common = a.lead.len().min(b.lead.len());
        if a.lead.as_bytes().get(..common) != b.lead.as_bytes().get(..common) {
            return true;
        }
        let skip = a.lead.chars().count().min(b.lead.chars().count());
        a.prefix
            .iter()
            .zip(&b.prefix)
            .skip(skip)
            .any(|(p, q)| p.disjoint(q))
            || a.suffix
                .iter()
                .rev()
                .zip(b.suffix.iter().rev())
                .any(|(p, q)| p.disjoint(q))
            || a.exact_len
                .is_some_and(|n| n < b.min_len || b.exact_len.is_some_and(|m| m != n))
            || b.exact_len.is_some_and(|n| n < a.min_len)
    }

    fn universal(&self) -> bool {
        self.shape.as_ref().is_some_and(|s| s.universal)
    }
}

fn lit_toks(s: &str) -> Vec<Tok> {
    s.chars().map(|c| Tok::One(Class::Char(c))).collect()
}

/// The steps of a pattern. In an ARN component (`component`), wildcards cannot match a
/// colon and a literal colon can match nothing: the component of an ARN never holds one.
pub(crate) fn pattern_toks(pieces: &[Piece], case: Case, component: bool) -> Vec<Tok> {
    let wild = if component {
        Class::AnyBut(':')
    } else {
        Class::Any
    };
    pieces
        .iter()
        .map(|p| match (*p, case) {
            (Piece::Run, _) => Tok::Run(wild.clone()),
            (Piece::One, _) => Tok::One(wild.clone()),
            (Piece::Char(':'), _) if component => Tok::One(Class::Never),
            (Piece::Char(c), Case::Sensitive) => Tok::One(Class::Char(c)),
            (Piece::Char(c), Case::Insensitive) => Tok::One(Class::Folded(c)),
        })
        .collect()
}

/// A regular expression over character classes, for the fixed languages (readability
/// of values).
#[derive(Debug, Clone)]
pub(crate) enum Re {
    /// One character of the class.
    Class(Class),
    /// This text, case-sensitively.
    Lit(&'static str),
    /// One after the other.
    Seq(Vec<Re>),
    /// One of.
    Alt(Vec<Re>),
    /// Zero or more.
    Star(Box<Re>),
    /// One or more.
    Plus(Box<Re>),
    /// Zero or one.
    Opt(Box<Re>),
}

#[derive(Default)]
struct Builder {
    edges: Vec<Vec<(Class, u32)>>,
    eps: Vec<Vec<u32>>,
}

impl Builder {
    fn state(&mut self) -> u32 {
        self.edges.push(Vec::new());
        self.eps.push(Vec::new());
        u32::try_from(self.edges.len() - 1).unwrap_or(u32::MAX)
    }
    fn edge(&mut self, from: u32, c: Class, to: u32) {
        if let Some(e) = self.edges.get_mut(from as usize) {
            e.push((c, to));
        }
    }
    fn eps(&mut self, from: u32, to: u32) {
        if let Some(e) = self.eps.get_mut(from as usize) {
            e.push(to);
        }
    }
    /// Builds `re` starting at `from`; returns its end state.
    fn build(&mut self, re: &Re, from: u32) -> u32 {
        match re {
            Re::Class(c) => {
                let t = self.state();
                self.edge(from, c.clone(), t);
                t
            }
            Re::Lit(s) => s.chars().fold(from, |at, c| {
                let t = self.state();
                self.edge(at, Class::Char(c), t);
                t
            }),
            Re::Seq(items) => items.iter().fold(from, |at, r| self.build(r, at)),
            Re::Alt(items) => {
                let end = self.state();
                for r in items {
                    let e = self.build(r, from);
                    self.eps(e, end);
                }
                end
            }
            Re::Star(r) => {
                let hub = self.state();
                self.eps(from, hub);
                let e = self.build(r, hub);
                self.eps(e, hub);
                hub
            }
            Re::Plus(r) => {
                let e = self.build(r, from);
                self.build(&Re::Star(r.clone()), e)
            }
            Re::Opt(r) => {
                let e = self.build(r, from);
                let end = self.state();
                self.eps(from, end);
                self.eps(e, end);
                end
            }
        }
    }
}

fn get_bit(set: &[u64], i: u32) -> bool {
    set.get((i / 64) as usize)
        .is_some_and(|w| w >> (i % 64) & 1 == 1)
}

fn set_bit(set: &mut [u64], i: u32) {
    if let Some(w) = set.get_mut((i / 64) as usize) {
        *w |= 1 << (i % 64);
    }
}

/// Every character whose fold differs from itself, by fold: computed once, on the first
/// case-insensitive class whose obvious representatives are all taken.
fn fold_table() -> &'static [(char, char)] {
    static TABLE: OnceLock<Vec<(char, char)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut v: Vec<(char, char)> = (0..=0x10FFFF_u32)
            .filter_map(char::from_u32)
            .filter_map(|c| {
                let f = fold(c);
                (f != c).then_some((f, c))
            })
            .collect();
        v.sort_unstable();
        v
    })
}

/// Characters tried first as the representative of "every other character": printable,
/// and easy to read in a counterexample.
const PREFERRED: &str = "xyzwvuqjkpmnhgfedcbaXYZWVUQJKPMNHGFEDCBA0123456789-_.~!#%&+=,;@^|<>()[]{}";

/// The alphabet, cut into classes of characters no automaton can tell apart.
#[derive(Debug, Clone)]
pub(crate) struct Alphabet {
    /// One representative per class, in the order the walk tries them.
    reps: Vec<char>,
    /// `fold` of each representative.
    folded: Vec<char>,
}

impl Alphabet {
    /// Partitions the alphabet for these classes. With `fold_classes`, every character a
    /// class mentions also has its fold class told apart (needed when a case-insensitive
    /// copy of one value into another must pair characters by fold).
    pub(crate) fn new<'c>(
        classes: impl IntoIterator<Item = &'c Class>,
        fold_classes: bool,
    ) -> Alphabet {
        let mut preds: Vec<Class> = classes.into_iter().cloned().collect();
        if fold_classes {
            let extra: Vec<Class> = preds
                .iter()
                .flat_map(|c| match c {
                    Class::Char(x) | Class::AnyBut(x) => vec![Class::Folded(fold(*x))],
                    Class::OneOf(s) => s.iter().map(|&x| Class::Folded(fold(x))).collect(),
                    _ => Vec::new(),
                })
                .collect();
            preds.extend(extra);
        }
        preds.sort_unstable();
        preds.dedup();
        let mut explicit: Vec<char> = Vec::new();
        let mut targets: Vec<char> = Vec::new();
        for p in &preds {
            match p {
                Class::Char(c) | Class::AnyBut(c) => explicit.push(*c),
                Class::OneOf(s) => explicit.extend(s.iter().copied()),
                Class::Folded(c) => targets.push(*c),
                Class::Any | Class::Never => {}
            }
        }
        explicit.sort_unstable();
        explicit.dedup();
        targets.sort_unstable();
        targets.dedup();
        let is_explicit = |c: char| explicit.binary_search(&c).is_ok();
        let is_target = |c: char| targets.binary_search(&c).is_ok();

        let mut candidates: Vec<char> = Vec::new();
        // Everything else: a character no class mentions, whose fold is no target.
        let fresh = PREFERRED
            .chars()
            .chain((0xA1..=0x10FFFF_u32).filter_map(char::from_u32))
            .find(|&c| !is_explicit(c) && !is_target(fold(c)));
        candidates.extend(fresh);
        candidates.extend(explicit.iter().copied());
        for &p in &targets {
            let upper = p.to_uppercase();
            let mut tries: Vec<char> = vec![p];
            if upper.len() == 1 {
                tries.extend(p.to_uppercase());
            }
            let found = tries
                .into_iter()
                .find(|&c| fold(c) == p && !is_explicit(c))
                .or_else(|| {
                    let table = fold_table();
                    let from = table.partition_point(|&(f, _)| f < p);
                    table
                        .get(from..)
                        .unwrap_or(&[])
                        .iter()
                        .take_while(|&&(f, _)| f == p)
                        .map(|&(_, c)| c)
                        .find(|&c| !is_explicit(c))
                });
            candidates.extend(found);
        }
        // Group by what every class says about the character; keep the first of each.
        let words = preds.len().div_ceil(64).max(1);
        let mut seen: Vec<u64> = Vec::new();
        let mut reps = Vec::new();
        for c in candidates {
            let f = fold(c);
            let mut sig = vec![0u64; words];
            for (i, p) in preds.iter().enumerate() {
                if p.accepts(c, f) {
                    set_bit(&mut sig, u32::try_from(i).unwrap_or(u32::MAX));
                }
            }
            if !seen.chunks(words).any(|s| s == sig.as_slice()) {
                seen.extend_from_slice(&sig);
                reps.push(c);
            }
        }
        let folded = reps.iter().map(|&c| fold(c)).collect();
        Alphabet { reps, folded }
    }

    /// How many classes.
    pub(crate) fn len(&self) -> usize {
        self.reps.len()
    }

    /// The representative of class `k` and its fold.
    pub(crate) fn rep(&self, k: usize) -> Option<(char, char)> {
        Some((*self.reps.get(k)?, *self.folded.get(k)?))
    }
}

/// A fast hash for state vectors (word-wise multiply-rotate, as FxHash). Walk states
/// are sets of automaton positions derived from the policy text, and a walk stops at its
/// state budget, so a poor distribution costs time but never correctness.
#[derive(Default, Clone, Copy)]
pub(crate) struct StateHasher(u64);

impl std::hash::Hasher for StateHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            if let Some(dst) = w.get_mut(..chunk.len()) {
                dst.copy_from_slice(chunk);
            }
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by walk states.
pub(crate) type StateMap<V> =
    HashMap<std::rc::Rc<[u64]>, V, std::hash::BuildHasherDefault<StateHasher>>;

/// What a walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WalkResult {
    /// A shortest string accepted by every positive and no negative automaton.
    Witness(String),
    /// No such string.
    Empty,
    /// A limit ran out first.
    Budget(Exhausted),
}

/// Work done by walks, for reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct WalkStats {
    /// Walks run.
    pub(crate) walks: u64,
    /// Product states visited, over all walks.
    pub(crate) states: u64,
}

/// Checks the deadline every this many states.
pub(crate) const DEADLINE_EVERY: usize = 256;

/// Finds a shortest string in every `pos` language and in no `neg` language.
pub(crate) fn walk(
    pos: &[&Nfa],
    neg: &[&Nfa],
    limits: &Limits,
    stats: &mut WalkStats,
) -> WalkResult {
    stats.walks += 1;
    // Constraints that decide without walking: a pair of positives that cannot meet, a
    // negative that takes everything; positives that take everything say nothing, and a
    // negative that cannot meet some positive removes nothing.
    for (i, a) in pos.iter().enumerate() {
        if pos.iter().skip(i + 1).any(|b| a.clearly_disjoint(b)) {
            return WalkResult::Empty;
        }
    }
    if neg.iter().any(|n| n.universal()) {
        return WalkResult::Empty;
    }
    let pos: Vec<&Nfa> = pos.iter().copied().filter(|p| !p.universal()).collect();
    let neg: Vec<&Nfa> = neg
        .iter()
        .copied()
        .filter(|n| !pos.iter().any(|p| p.clearly_disjoint(n)))
        .collect();
    let autos: Vec<(&Nfa, bool)> = pos
        .iter()
        .map(|&a| (a, true))
        .chain(neg.iter().map(|&a| (a, false)))
        .collect();
    let alphabet = Alphabet::new(autos.iter().flat_map(|(a, _)| a.classes()), false);
    let mut offsets = Vec::with_capacity(autos.len() + 1);
    let mut width = 0;
    for (a, _) in &autos {
        offsets.push(width);
        width += a.words();
    }
    offsets.push(width);
    let range = |i: usize| -> (usize, usize) {
        (
            offsets.get(i).copied().unwrap_or(0),
            offsets.get(i + 1).copied().unwrap_or(0),
        )
    };
    let mut stack = Vec::new();
    let mut start = vec![0u64; width];
    for (i, (a, _)) in autos.iter().enumerate() {
        let (lo, hi) = range(i);
        if let Some(part) = start.get_mut(lo..hi) {
            a.start(part, &mut stack);
        }
    }
    let accepting = |state: &[u64]| {
        autos.iter().enumerate().all(|(i, (a, positive))| {
            let (lo, hi) = range(i);
            a.accepts_set(state.get(lo..hi).unwrap_or(&[])) == *positive
        })
    };
    if accepting(&start) {
        return WalkResult::Witness(String::new());
    }
    // Node i was reached from node parent[i] by class class[i].
    let mut parent: Vec<(u32, u32)> = vec![(u32::MAX, u32::MAX)];
    let mut visited: StateMap<u32> = StateMap::with_capacity_and_hasher(256, Default::default());
    let start: std::rc::Rc<[u64]> = start.into();
    visited.insert(start.clone(), 0);
    let mut queue: VecDeque<(u32, std::rc::Rc<[u64]>)> = VecDeque::from([(0, start)]);
    let mut next = vec![0u64; width];
    while let Some((id, state)) = queue.pop_front() {
        for k in 0..alphabet.len() {
            let Some((c, f)) = alphabet.rep(k) else { break };
            let mut dead = false;
            for (i, (a, positive)) in autos.iter().enumerate() {
                let (lo, hi) = range(i);
                let (Some(cur), Some(out)) = (state.get(lo..hi), next.get_mut(lo..hi)) else {
                    continue;
                };
                a.step(cur, c, f, out, &mut stack);
                if *positive && out.iter().all(|&w| w == 0) {
                    dead = true;
                    break;
                }
            }
            if dead || visited.contains_key(next.as_slice()) {
                continue;
            }
            let node = u32::try_from(parent.len()).unwrap_or(u32::MAX);
            parent.push((id, u32::try_from(k).unwrap_or(u32::MAX)));
            stats.states += 1;
            if accepting(&next) {
                return WalkResult::Witness(spell(&parent, node, &alphabet));
            }
            if parent.len() as u64 > limits.max_states {
                return WalkResult::Budget(Exhausted::States);
            }
            if parent.len() % DEADLINE_EVERY == 0 && limits.past_deadline() {
                return WalkResult::Budget(Exhausted::Deadline);
            }
            let key: std::rc::Rc<[u64]> = next.as_slice().into();
            visited.insert(key.clone(), node);
            queue.push_back((node, key));
        }
    }
    WalkResult::Empty
}

/// The string that leads to `node`.
fn spell(parent: &[(u32, u32)], mut node: u32, alphabet: &Alphabet) -> String {
    let mut chars = Vec::new();
    while let Some(&(p, k)) = parent.get(node as usize) {
        if p == u32::MAX {
            break;
        }
        if let Some((c, _)) = alphabet.rep(k as usize) {
            chars.push(c);
        }
        node = p;
    }
    chars.iter().rev().collect()
}

/// The standard base64 alphabet (RFC 4648 §4).
const BASE64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn digits() -> Re {
    Re::Plus(Box::new(Re::Class(Class::one_of("0123456789"))))
}

fn digit() -> Re {
    Re::Class(Class::one_of("0123456789"))
}

fn opt(r: Re) -> Re {
    Re::Opt(Box::new(r))
}

/// Exactly the values `Bool` reads as `b`: `true`/`false` in any ASCII case.
pub(crate) fn bool_value(b: bool) -> Re {
    let word = if b { "true" } else { "false" };
    Re::Seq(
        word.chars()
            .map(|c| {
                let both: String = [c, c.to_ascii_uppercase()].iter().collect();
                Re::Class(Class::one_of(&both))
            })
            .collect(),
    )
}

/// Exactly the values `Bool` can read.
pub(crate) fn bool_readable() -> Re {
    Re::Alt(vec![bool_value(true), bool_value(false)])
}

/// Exactly the values `BinaryEquals` can read: strict standard base64, padding optional
/// but complete when present, unused low bits zero (see `condition/binary.rs`).
pub(crate) fn base64_readable() -> Re {
    let b = || Re::Class(Class::one_of(BASE64));
    // The last character of a two-character final group carries 4 unused bits, of a
    // three-character group 2: those must be zero.
    let b2 = Re::Class(Class::one_of("AQgw"));
    let b3 = Re::Class(Class::one_of("AEIMQUYcgkosw048"));
    Re::Seq(vec![
        Re::Star(Box::new(Re::Seq(vec![b(), b(), b(), b()]))),
        Re::Alt(vec![
            Re::Seq(vec![]),
            Re::Seq(vec![b(), b2, opt(Re::Lit("=="))]),
            Re::Seq(vec![b(), b(), b3, opt(Re::Lit("="))]),
        ]),
    ])
}

/// Exactly the ARNs: what `split_arn` accepts.
pub(crate) fn arn_readable() -> Nfa {
    let mut toks = lit_toks("arn:");
    for _ in 0..4 {
        toks.push(Tok::Run(Class::AnyBut(':')));
        toks.push(Tok::One(Class::Char(':')));
    }
    toks.push(Tok::Run(Class::Any));
    Nfa::glob(&toks)
}

/// A superset of the values the `Numeric*` operators read: the syntax without the limits
/// on digits and exponent.
pub(crate) fn number_superset() -> Re {
    Re::Seq(vec![
        opt(Re::Lit("-")),
        digits(),
        opt(Re::Seq(vec![Re::Lit("."), digits()])),
        opt(Re::Seq(vec![
            Re::Class(Class::one_of("eE")),
            opt(Re::Class(Class::one_of("+-"))),
            digits(),
        ])),
    ])
}

/// A superset of the values the `Date*` operators read: the syntax without the ranges of
/// the fields.
pub(crate) fn date_superset() -> Re {
    let d2 = || Re::Seq(vec![digit(), digit()]);
    let zone = Re::Alt(vec![
        Re::Class(Class::one_of("Zz")),
        Re::Seq(vec![
            Re::Class(Class::one_of("+-")),
            d2(),
            opt(Re::Lit(":")),
            d2(),
        ]),
    ]);
    let time = Re::Seq(vec![
        Re::Class(Class::one_of("Tt")),
        d2(),
        Re::Lit(":"),
        d2(),
        opt(Re::Seq(vec![
            Re::Lit(":"),
            d2(),
            opt(Re::Seq(vec![Re::Lit("."), digits()])),
        ])),
        opt(zone),
    ]);
    let iso = Re::Seq(vec![
        digit(),
        digit(),
        digit(),
        digit(),
        opt(Re::Seq(vec![
            Re::Lit("-"),
            d2(),
            opt(Re::Seq(vec![Re::Lit("-"), d2(), opt(time)])),
        ])),
    ]);
    let epoch = Re::Seq(vec![
        opt(Re::Lit("-")),
        digits(),
        opt(Re::Seq(vec![Re::Lit("."), digits()])),
    ]);
    Re::Alt(vec![iso, epoch])
}

/// A superset of the request values the `IpAddress` operators read: dotted quads of up
/// to three digits, or hex digits, dots and colons with at least one colon; either with
/// an optional single-address prefix.
pub(crate) fn ip_superset() -> Re {
    let octet = || Re::Seq(vec![digit(), opt(digit()), opt(digit())]);
    let v4 = Re::Seq(vec![
        octet(),
        Re::Lit("."),
        octet(),
        Re::Lit("."),
        octet(),
        Re::Lit("."),
        octet(),
        opt(Re::Lit("/32")),
    ]);
    let h = || {
        Re::Star(Box::new(Re::Class(Class::one_of(
            "0123456789abcdefABCDEF:.",
        ))))
    };
    let v6 = Re::Seq(vec![h(), Re::Lit(":"), h(), opt(Re::Lit("/128"))]);
    Re::Alt(vec![v4, v6])
}

#[cfg(test)]
mod tests {
    use super::super::super::deps::{
        decode_base64, parse_addr, parse_bool, parse_date, parse_number, split_arn, Part,
    };
    use super::*;
    use proptest::prelude::*;

    fn run(pos: &[&Nfa], neg: &[&Nfa]) -> WalkResult {
        walk(pos, neg, &Limits::default(), &mut WalkStats::default())
    }

    #[test]
    fn fold_classes_pick_unused_representatives() {
        // `k` sensitive and `K` sensitive are taken: the third member of the fold class
        // of `k` is the Kelvin sign.
        let a = Alphabet::new(
            &[Class::Char('k'), Class::Char('K'), Class::Folded('k')],
            false,
        );
        assert!(a.reps.contains(&'\u{212A}'), "{:?}", a.reps);
        assert_eq!(a.reps.first(), Some(&'x'));
        // `x` mentioned: the fresh class moves on.
        let a = Alphabet::new(&[Class::Folded('x')], false);
        assert_eq!(a.reps.first(), Some(&'y'));
    }

    #[test]
    fn shortest_witnesses() {
        let p = |s: &str, case| Nfa::pattern(&Pattern::new(s, case));
        use Case::{Insensitive as I, Sensitive as S};
        assert_eq!(run(&[&p("a?", S)], &[]), WalkResult::Witness("ax".into()));
        assert_eq!(
            run(&[&p("*", S)], &[&p("", S)]),
            WalkResult::Witness("x".into())
        );
        assert_eq!(
            run(&[&p("a*", S), &p("*b", S)], &[]),
            WalkResult::Witness("ab".into())
        );
        assert_eq!(run(&[&p("ab", S)], &[&p("AB", I)]), WalkResult::Empty);
        assert_eq!(
            run(&[&p("ab", I)], &[&p("ab", S)]),
            WalkResult::Witness("aB".into())
        );
        assert_eq!(run(&[&p("*", S)], &[&p("*", I)]), WalkResult::Empty);
        // İ folds to itself only.
        assert_eq!(
            run(&[&p("i", I)], &[&p("İ", S)]),
            WalkResult::Witness("i".into())
        );
    }

    /// A query of the `*a` then `k` times `?` family, whose exact answer needs every
    /// subset of the last `k` positions.
    #[test]
    fn adversarial_family_hits_the_state_budget() {
        let pat = format!("*a{}", "?".repeat(16));
        let p = Nfa::pattern(&Pattern::new(&pat, Case::Sensitive));
        let limits = Limits {
            max_states: 20_000,
            deadline: Some(std::time::Instant::now() + std::time::Duration::from_secs(5)),
            ..Limits::default()
        };
        let t = std::time::Instant::now();
        let got = walk(&[&p], &[&p], &limits, &mut WalkStats::default());
        assert_eq!(got, WalkResult::Budget(Exhausted::States));
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
        // A deadline stops it too.
        let limits = Limits {
            max_states: u64::MAX,
            deadline: Some(std::time::Instant::now() + std::time::Duration::from_millis(200)),
            ..Limits::default()
        };
        let t = std::time::Instant::now();
        let got = walk(&[&p], &[&p], &limits, &mut WalkStats::default());
        assert!(matches!(got, WalkResult::Budget(_)), "{got:?}");
        assert!(t.elapsed() < std::time::Duration::from_secs(3));
    }

    /// Naive enumeration, shortest first: the first string of at most `max` characters
    /// over `chars` that `keep` accepts.
    fn enumerate(max: usize, chars: &[char], keep: impl Fn(&str) -> bool) -> Option<String> {
        let mut layer = vec![String::new()];
        for len in 0..=max {
            if let Some(s) = layer.iter().find(|s| keep(s)) {
                return Some(s.clone());
            }
            if len == max {
                break;
            }
            layer = layer
                .iter()
                .flat_map(|s| chars.iter().map(move |&c| format!("{s}{c}")))
                .collect();
        }
        None
    }

    fn small_pattern() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(&['a', 'b', 'A', '*', '?'][..]), 0..=4)
            .prop_map(|v| v.into_iter().collect())
    }

    fn case() -> impl Strategy<Value = Case> {
        prop_oneof![Just(Case::Sensitive), Just(Case::Insensitive)]
    }

    fn spec() -> impl Strategy<Value = (String, Case, bool)> {
        (small_pattern(), case(), any::<bool>())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Sat ⇔ enumeration finds a string; the witness is shortest and checked with the
        /// evaluator's own matcher.
        #[test]
        fn glob_walk_agrees_with_enumeration(
            pos in prop::collection::vec(spec(), 0..3),
            neg in prop::collection::vec(spec(), 0..3),
        ) {
            // A literal (`StringEquals`) where the flag says so, else a pattern.
            let make = |(s, c, lit): &(String, Case, bool)| if *lit {
                Pattern::literal(s, *c)
            } else {
                Pattern::new(s, *c)
            };
            let ps: Vec<Pattern> = pos.iter().map(make).collect();
            let ns: Vec<Pattern> = neg.iter().map(make).collect();
            let pn: Vec<Nfa> = ps.iter().map(Nfa::pattern).collect();
            let nn: Vec<Nfa> = ns.iter().map(Nfa::pattern).collect();
            let got = run(&pn.iter().collect::<Vec<_>>(), &nn.iter().collect::<Vec<_>>());
            let keep = |s: &str| ps.iter().all(|p| p.matches(s)) && !ns.iter().any(|p| p.matches(s));
            // Every class of characters these patterns can tell apart has a member here
            // (`x` stands for all others). Up to length 6, as a witness shorter than the
            // walk's, or any witness when the walk finds none.
            let alphabet = ['a', 'b', 'A', 'B', '*', '?', 'x'];
            match &got {
                WalkResult::Witness(w) => {
                    prop_assert!(keep(w), "witness {:?} fails the evaluator", w);
                    let n = w.chars().count();
                    let shorter = n.checked_sub(1).and_then(|m| enumerate(m, &alphabet, keep));
                    prop_assert_eq!(shorter, None, "{:?} is not shortest", w);
                }
                WalkResult::Empty => {
                    let found = enumerate(6, &alphabet, keep);
                    prop_assert_eq!(found, None, "the walk missed a witness");
                }
                WalkResult::Budget(_) => prop_assert!(false, "budget on a tiny query"),
            }
        }

        /// ARN patterns: component boundaries and the `arn:` prefix, against the evaluator.
        #[test]
        fn arn_walk_agrees_with_enumeration(
            comps in prop::collection::vec(
                prop::collection::vec(prop::sample::select(&['a', ':', '*', '?'][..]), 0..=2)
                    .prop_map(|v| v.into_iter().collect::<String>()),
                5,
            ),
            lit_colon in any::<bool>(),
            other in prop::collection::vec(prop::sample::select(&['a', ':', '*', '?'][..]), 0..=3)
                .prop_map(|v| v.into_iter().collect::<String>()),
            negate in any::<bool>(),
        ) {
            // Colons in the pattern text split components; a substituted literal colon
            // does not.
            let joined = format!("arn:{}", comps.join(":"));
            let mut parts = vec![Part::Wild(&joined)];
            if lit_colon {
                parts.push(Part::Literal(":"));
            }
            let Some(arn) = ArnPattern::from_parts(&parts) else { return Ok(()) };
            let glob = Pattern::new(&other, Case::Sensitive);
            let a = Nfa::arn(&arn);
            let g = Nfa::pattern(&glob);
            let got = if negate { run(&[&a], &[&g]) } else { run(&[&a, &g], &[]) };
            let keep = |s: &str| arn.matches(s) && glob.matches(s) != negate;
            match &got {
                WalkResult::Witness(w) => prop_assert!(keep(w), "{:?}", w),
                WalkResult::Empty => {
                    // Every ARN with components of up to two characters and a resource of
                    // up to three.
                    let short: Vec<String> = (0..=2)
                        .flat_map(|n| {
                            let mut v = vec![String::new()];
                            for _ in 0..n {
                                v = v.iter().flat_map(|s| ["a", "x"].map(|c| format!("{s}{c}"))).collect();
                            }
                            v
                        })
                        .collect();
                    let mut res = vec![String::new()];
                    let mut all_res = res.clone();
                    for _ in 0..3 {
                        res = res.iter().flat_map(|s| ["a", ":", "x"].map(|c| format!("{s}{c}"))).collect();
                        all_res.extend(res.iter().cloned());
                    }
                    for c1 in &short { for c2 in &short { for c3 in &short { for c4 in &short {
                        for r in &all_res {
                            let s = format!("arn:{c1}:{c2}:{c3}:{c4}:{r}");
                            prop_assert!(!keep(&s), "the walk missed {:?}", s);
                        }
                    }}}}
                }
                WalkResult::Budget(_) => prop_assert!(false, "budget on a tiny query"),
            }
        }

        #[test]
        fn builtin_languages_match_the_evaluator(s in "[-+:./=0-9a-fA-FTZtrueRUEflsFLS ]{0,12}") {
            prop_assert_eq!(Nfa::regex(&bool_readable()).accepts(&s), parse_bool(&s).is_some());
            prop_assert_eq!(Nfa::regex(&bool_value(true)).accepts(&s), parse_bool(&s) == Some(true));
            prop_assert_eq!(Nfa::regex(&base64_readable()).accepts(&s), decode_base64(&s).is_some());
            prop_assert_eq!(arn_readable().accepts(&s), split_arn(&s).is_some());
            if parse_number(&s).is_some() {
                prop_assert!(Nfa::regex(&number_superset()).accepts(&s));
            }
            if parse_date(&s).is_some() {
                prop_assert!(Nfa::regex(&date_superset()).accepts(&s));
            }
            if parse_addr(&s).is_some() {
                prop_assert!(Nfa::regex(&ip_superset()).accepts(&s));
            }
        }

        #[test]
        fn base64_language_on_valid_shapes(bytes in prop::collection::vec(any::<u8>(), 0..7), cut in 0usize..3) {
            let enc = super::super::encode_base64(&bytes);
            let trimmed = enc.trim_end_matches('=');
            let pad = &enc[trimmed.len()..];
            let variant = format!("{trimmed}{}", &pad[..cut.min(pad.len())]);
            prop_assert_eq!(Nfa::regex(&base64_readable()).accepts(&variant), decode_base64(&variant).is_some());
        }
    }

    #[test]
    fn readability_samples() {
        let num = Nfa::regex(&number_superset());
        let date = Nfa::regex(&date_superset());
        let ip = Nfa::regex(&ip_superset());
        for s in [
            "1",
            "-0.5e+3",
            "2024-06-15T12:00:00.5+02:00",
            "203.0.113.5/32",
            "::1",
            "2001:db8::/128",
        ] {
            assert_eq!(num.accepts(s), parse_number(s).is_some() || s == "1", "{s}");
            if parse_date(s).is_some() {
                assert!(date.accepts(s), "{s}");
            }
            if parse_addr(s).is_some() {
                assert!(ip.accepts(s), "{s}");
            }
        }
        // Numbers and addresses never meet: the superset walk proves it.
        assert_eq!(run(&[&num, &ip], &[]), WalkResult::Empty);
    }
}
