//! One string under a conjunction of slot-local literals: is there such a string, and
//! which one?
//!
//! The literals split into string languages (including readability as an ARN, a
//! boolean or base64, which are regular), and the number, date and address families
//! (comparisons and readability). The string part is decided by the product walk, each
//! family by its ordered or CIDR theory; a slot with one family and no string language
//! is decided exactly by the family's witness written in a spelling that avoids the
//! other families' readability where the literals ask for that. Mixed slots (string
//! languages and a family together) are decided when a candidate checks out or when
//! one side alone is inconsistent; otherwise the answer is unknown. Every witness is
//! checked against every literal with the evaluator's own code before it is returned.

use super::super::budget::{Limits, Unknown};
use super::super::deps::{Instant, IpNet, Number};
use super::super::logic::AtomId;
use super::lang::{self, Nfa, WalkResult, WalkStats};
use super::{ip, order, Atom, Atoms, Cmp, Family, Lang};
use std::sync::OnceLock;

/// The fixed readability languages, compiled once per process.
#[derive(Debug)]
struct Fixed {
    arn: Nfa,
    boolean: Nfa,
    base64: Nfa,
    number_sup: Nfa,
    date_sup: Nfa,
    ip_sup: Nfa,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| Fixed {
        arn: lang::arn_readable(),
        boolean: Nfa::regex(&lang::bool_readable()),
        base64: Nfa::regex(&lang::base64_readable()),
        number_sup: Nfa::regex(&lang::number_superset()),
        date_sup: Nfa::regex(&lang::date_superset()),
        ip_sup: Nfa::regex(&lang::ip_superset()),
    })
}

/// The automata of a problem's languages (kept in its atom table) and the fixed
/// readability languages.
#[derive(Debug, Default)]
pub(crate) struct Automata;

impl Automata {
    /// The automata for `atoms`.
    pub(crate) fn new(_atoms: &Atoms) -> Automata {
        Automata
    }

    /// The automaton of a language of the table.
    pub(crate) fn lang_nfa<'x>(&self, atoms: &'x Atoms, id: super::LangId) -> Option<&'x Nfa> {
        atoms.nfa(id)
    }

    /// The readability automaton of a family: exact for ARNs, booleans and base64, a
    /// superset for the others.
    pub(crate) fn read_nfa(&self, f: Family) -> &'static Nfa {
        let fixed = fixed();
        match f {
            Family::Arn => &fixed.arn,
            Family::Bool => &fixed.boolean,
            Family::Base64 => &fixed.base64,
            Family::Number => &fixed.number_sup,
            Family::Date => &fixed.date_sup,
            Family::Ip => &fixed.ip_sup,
        }
    }
}

/// A constraint that is not an atom: a resolved template, or a string to avoid.
#[derive(Debug, Clone)]
pub(crate) struct Extra {
    /// The language; `None` is the empty language.
    pub(crate) lang: Option<Lang>,
    /// Its automaton (empty when `lang` is `None`).
    pub(crate) nfa: Nfa,
    /// Whether the string must be in it (else out of it).
    pub(crate) positive: bool,
}

impl Extra {
    /// A constraint from a language (`None`: the empty language).
    pub(crate) fn new(lang: Option<Lang>, positive: bool) -> Extra {
        let nfa = lang.as_ref().map_or_else(
            || Nfa::glob(&[lang::Tok::One(lang::Class::Never)]),
            Lang::nfa,
        );
        Extra {
            lang,
            nfa,
            positive,
        }
    }

    fn holds(&self, s: &str) -> bool {
        self.lang.as_ref().is_some_and(|l| l.contains(s)) == self.positive
    }
}

/// The verdict on one string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decided {
    /// This string satisfies every literal (and extra).
    Sat(String),
    /// These literals (indexes into the input) cannot hold together; extras, when
    /// present, may be part of the reason.
    Unsat(Vec<usize>),
    /// Neither.
    Unknown(Unknown),
}

/// How many further strings a mixed slot tries after the shortest one fails.
const MIXED_RETRIES: usize = 16;

/// What the deciding needs besides the literals.
pub(crate) struct Ctx<'a> {
    /// The meaning of the atoms.
    pub(crate) atoms: &'a Atoms,
    /// Their automata.
    pub(crate) automata: &'a Automata,
    /// The budget.
    pub(crate) limits: &'a Limits,
    /// Work counters.
    pub(crate) stats: &'a mut WalkStats,
}

/// The literals, sorted by kind.
#[derive(Default)]
struct Split<'n> {
    /// Automata the string must be in / out of, with the literal each comes from.
    pos: Vec<(&'n Nfa, Option<usize>)>,
    neg: Vec<(&'n Nfa, Option<usize>)>,
    read: [Option<(bool, usize)>; 6],
    nums: Vec<(Cmp, Number, bool, usize)>,
    dates: Vec<(Cmp, Instant, bool, usize)>,
    ips: Vec<(IpNet, bool, usize)>,
}

/// The family of values a slot is asked to hold, when it must read as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Valued {
    Number,
    Date,
    Ip,
}

impl Valued {
    fn family(self) -> Family {
        match self {
            Valued::Number => Family::Number,
            Valued::Date => Family::Date,
            Valued::Ip => Family::Ip,
        }
    }
}

impl Ctx<'_> {
    /// Whether `s` satisfies every literal and extra, by the evaluator's own code.
    pub(crate) fn check(&self, s: &str, lits: &[(AtomId, bool)], extras: &[Extra]) -> bool {
        lits.iter()
            .all(|&(a, v)| self.atoms.holds_on(a, s).is_none_or(|h| h == v))
            && extras.iter().all(|e| e.holds(s))
    }

    /// Decides one string under `lits` (slot-local literals; others are ignored) and
    /// `extras`.
    pub(crate) fn decide(&mut self, lits: &[(AtomId, bool)], extras: &[Extra]) -> Decided {
        let automata = self.automata;
        let mut sp = Split::default();
        for (i, &(a, v)) in lits.iter().enumerate() {
            match self.atoms.get(a) {
                Some(Atom::In { lang, .. }) => {
                    let Some(nfa) = automata.lang_nfa(self.atoms, *lang) else {
                        continue;
                    };
                    if v {
                        sp.pos.push((nfa, Some(i)));
                    } else {
                        sp.neg.push((nfa, Some(i)));
                    }
                }
                Some(Atom::Num { cmp, value, .. }) => sp.nums.push((*cmp, *value, v, i)),
                Some(Atom::Date { cmp, value, .. }) => sp.dates.push((*cmp, *value, v, i)),
                Some(Atom::Ip { net, .. }) => sp.ips.push((*net, v, i)),
                Some(Atom::Reads { family, .. }) => {
                    let slot = sp.read.get_mut(family.index());
                    match slot {
                        Some(Some((w, j))) if *w != v => return Decided::Unsat(vec![*j, i]),
                        Some(r) => *r = Some((v, i)),
                        None => {}
                    }
                }
                _ => {}
            }
        }
        for e in extras {
            if e.positive {
                sp.pos.push((&e.nfa, None));
            } else {
                sp.neg.push((&e.nfa, None));
            }
        }
        for f in [Family::Arn, Family::Bool, Family::Base64] {
            if let Some(&Some((v, i))) = sp.read.get(f.index()) {
                let nfa = automata.read_nfa(f);
                if v {
                    sp.pos.push((nfa, Some(i)));
                } else {
                    sp.neg.push((nfa, Some(i)));
                }
            }
        }
        // Which value families the string must read in, and which literal says so.
        let mut active: Vec<(Valued, usize)> = Vec::new();
        let mut free_negatives: Vec<Valued> = Vec::new();
        for kind in [Valued::Number, Valued::Date, Valued::Ip] {
            let read = sp.read.get(kind.family().index()).copied().flatten();
            let (first_positive, any) = match kind {
                Valued::Number => (
                    sp.nums.iter().find(|c| c.2).map(|c| c.3),
                    !sp.nums.is_empty(),
                ),
                Valued::Date => (
                    sp.dates.iter().find(|c| c.2).map(|c| c.3),
                    !sp.dates.is_empty(),
                ),
                Valued::Ip => (sp.ips.iter().find(|c| c.1).map(|c| c.2), !sp.ips.is_empty()),
            };
            match (read, first_positive) {
                (Some((false, j)), Some(i)) => return Decided::Unsat(vec![j, i]),
                (Some((true, j)), _) => active.push((kind, j)),
                (None, Some(i)) => active.push((kind, i)),
                (None, None) if any => free_negatives.push(kind),
                _ => {}
            }
        }
        // A literal that a value of the family must avoid: its superset language is a
        // safe thing to stay out of.
        let avoid: Vec<&Nfa> = [Valued::Number, Valued::Date, Valued::Ip]
            .into_iter()
            .filter(|k| {
                matches!(
                    sp.read.get(k.family().index()).copied().flatten(),
                    Some((false, _))
                ) || free_negatives.contains(k)
            })
            .map(|k| automata.read_nfa(k.family()))
            .collect();
        // The string literals of a core; a negated language that cannot meet some
        // positive one removes nothing, so it is left out (the walk drops it too).
        let string_core = |sp: &Split<'_>| -> Vec<usize> {
            let relevant = sp
                .neg
                .iter()
                .filter(|(n, _)| !sp.pos.iter().any(|(p, _)| p.clearly_disjoint(n)));
            sp.pos.iter().chain(relevant).filter_map(|p| p.1).collect()
        };
        let pos: Vec<&Nfa> = sp.pos.iter().map(|p| p.0).collect();
        let neg: Vec<&Nfa> = sp.neg.iter().map(|p| p.0).collect();

        if active.is_empty() {
            let mut neg_avoid = neg.clone();
            neg_avoid.extend(avoid.iter().copied());
            match lang::walk(&pos, &neg_avoid, self.limits, self.stats) {
                WalkResult::Witness(w) => return self.accept(w, lits, extras),
                WalkResult::Budget(b) => return Decided::Unknown(Unknown::Budget(b)),
                WalkResult::Empty if avoid.is_empty() => return Decided::Unsat(string_core(&sp)),
                WalkResult::Empty => {}
            }
            match lang::walk(&pos, &neg, self.limits, self.stats) {
                WalkResult::Empty => return Decided::Unsat(string_core(&sp)),
                WalkResult::Budget(b) => return Decided::Unknown(Unknown::Budget(b)),
                WalkResult::Witness(w) if self.check(&w, lits, extras) => return Decided::Sat(w),
                WalkResult::Witness(_) => {}
            }
            // The only strings left read in a family whose comparisons are all negated:
            // try values of those families.
            for kind in free_negatives {
                if let Some(w) = self
                    .family_candidates(kind, &sp)
                    .into_iter()
                    .find(|w| self.check(w, lits, extras))
                {
                    return Decided::Sat(w);
                }
            }
            return Decided::Unknown(Unknown::Unsupported(
                "text patterns on a value that must not read as a number, date or address",
            ));
        }

        // The families must each be satisfiable on their own.
        for &(kind, because) in &active {
            if let Err(mut core) = self.family_solve(kind, &sp) {
                // Negated comparisons hold on strings that do not read in the family:
                // the literal that makes the string read in it belongs to the core.
                core.push(because);
                return Decided::Unsat(core);
            }
        }
        // Over-approximate each active family by its superset language: if the strings
        // cannot meet even that, they cannot meet the family.
        let mut pos_sup = pos.clone();
        pos_sup.extend(active.iter().map(|&(k, _)| automata.read_nfa(k.family())));
        let mut neg_avoid = neg.clone();
        neg_avoid.extend(avoid.iter().copied());
        match lang::walk(&pos_sup, &neg_avoid, self.limits, self.stats) {
            WalkResult::Empty => {
                // Without the avoided supersets the verdict is only as good as a walk
                // over the exact literals; redo it to keep the core exact.
                if avoid.is_empty() {
                    let mut core = string_core(&sp);
                    core.extend(active.iter().map(|a| a.1));
                    return Decided::Unsat(core);
                }
                if let WalkResult::Empty = lang::walk(&pos_sup, &neg, self.limits, self.stats) {
                    let mut core = string_core(&sp);
                    core.extend(active.iter().map(|a| a.1));
                    return Decided::Unsat(core);
                }
            }
            WalkResult::Budget(b) => return Decided::Unknown(Unknown::Budget(b)),
            WalkResult::Witness(w) => {
                if self.check(&w, lits, extras) {
                    return Decided::Sat(w);
                }
                // The shortest strings may fail the family's comparisons: try the next
                // few, each time setting the failed one aside.
                let mut excluded: Vec<Nfa> = vec![Nfa::literal(&w)];
                for _ in 0..MIXED_RETRIES {
                    let mut neg_more = neg_avoid.clone();
                    neg_more.extend(excluded.iter());
                    match lang::walk(&pos_sup, &neg_more, self.limits, self.stats) {
                        WalkResult::Witness(w) if self.check(&w, lits, extras) => {
                            return Decided::Sat(w)
                        }
                        WalkResult::Witness(w) => excluded.push(Nfa::literal(&w)),
                        WalkResult::Empty | WalkResult::Budget(_) => break,
                    }
                }
            }
        }
        for &(kind, _) in &active {
            if let Some(w) = self
                .family_candidates(kind, &sp)
                .into_iter()
                .find(|w| self.check(w, lits, extras))
            {
                return Decided::Sat(w);
            }
        }
        Decided::Unknown(Unknown::Unsupported(
            "text patterns on a value that must read as a number, date or address",
        ))
    }

    fn accept(&self, w: String, lits: &[(AtomId, bool)], extras: &[Extra]) -> Decided {
        if self.check(&w, lits, extras) {
            Decided::Sat(w)
        } else {
            Decided::Unknown(Unknown::Internal("a string witness failed the evaluator"))
        }
    }

    /// The family's own verdict: a value, or the literals that conflict.
    fn family_solve(&self, kind: Valued, sp: &Split<'_>) -> Result<Vec<String>, Vec<usize>> {
        let remap = |core: Vec<usize>, idx: &[usize]| -> Vec<usize> {
            core.iter().filter_map(|&i| idx.get(i).copied()).collect()
        };
        match kind {
            Valued::Number => {
                let cons: Vec<(Cmp, Number, bool)> =
                    sp.nums.iter().map(|&(c, v, h, _)| (c, v, h)).collect();
                let idx: Vec<usize> = sp.nums.iter().map(|c| c.3).collect();
                order::solve(&cons)
                    .map(order::number_spellings)
                    .map_err(|c| remap(c, &idx))
            }
            Valued::Date => {
                let cons: Vec<(Cmp, Instant, bool)> =
                    sp.dates.iter().map(|&(c, v, h, _)| (c, v, h)).collect();
                let idx: Vec<usize> = sp.dates.iter().map(|c| c.3).collect();
                order::solve(&cons)
                    .map(order::date_spellings)
                    .map_err(|c| remap(c, &idx))
            }
            Valued::Ip => {
                let cons: Vec<(IpNet, bool)> = sp.ips.iter().map(|&(n, h, _)| (n, h)).collect();
                let idx: Vec<usize> = sp.ips.iter().map(|c| c.2).collect();
                ip::solve(&cons)
                    .map(ip::addr_spellings)
                    .map_err(|c| remap(c, &idx))
            }
        }
    }

    /// Strings of the family that satisfy its own literals, in several spellings.
    fn family_candidates(&self, kind: Valued, sp: &Split<'_>) -> Vec<String> {
        self.family_solve(kind, sp).unwrap_or_default()
    }

    /// Whether the literals at `idx` are inconsistent.
    fn inconsistent(&mut self, lits: &[(AtomId, bool)], idx: &[usize]) -> Option<Vec<usize>> {
        let sub: Vec<(AtomId, bool)> = idx.iter().filter_map(|&k| lits.get(k).copied()).collect();
        match self.decide(&sub, &[]) {
            Decided::Unsat(inner) => {
                let mut core: Vec<usize> =
                    inner.iter().filter_map(|&k| idx.get(k).copied()).collect();
                core.sort_unstable();
                core.dedup();
                Some(if core.is_empty() { idx.to_vec() } else { core })
            }
            Decided::Sat(_) | Decided::Unknown(_) => None,
        }
    }

    /// The automaton of a negated language literal, if `lit` is one.
    fn negated_language(&self, lit: Option<&(AtomId, bool)>) -> Option<&Nfa> {
        match lit {
            Some(&(a, false)) => match self.atoms.get(a) {
                Some(Atom::In { lang, .. }) => self.atoms.nfa(*lang),
                _ => None,
            },
            _ => None,
        }
    }

    /// Shrinks an inconsistent subset of `lits`. Negated languages that cannot meet a
    /// positive one are dropped first (they remove nothing); then the common shapes are
    /// tried (the other literals alone, or with one negated language); then literals are
    /// deleted one at a time while the rest stays inconsistent. A literal whose removal
    /// cannot be decided within the budget stays.
    pub(crate) fn minimize(&mut self, lits: &[(AtomId, bool)], core: Vec<usize>) -> Vec<usize> {
        let mut core = core;
        core.sort_unstable();
        core.dedup();
        if core.len() <= 2 {
            return core;
        }
        let (negs, rest): (Vec<usize>, Vec<usize>) = core
            .iter()
            .partition(|&&k| self.negated_language(lits.get(k)).is_some());
        let positives: Vec<&Nfa> = rest
            .iter()
            .filter_map(|&k| match lits.get(k) {
                Some(&(a, true)) => match self.atoms.get(a) {
                    Some(Atom::In { lang, .. }) => self.atoms.nfa(*lang),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let negs: Vec<usize> = negs
            .into_iter()
            .filter(|&k| {
                self.negated_language(lits.get(k))
                    .is_none_or(|n| !positives.iter().any(|p| p.clearly_disjoint(n)))
            })
            .collect();
        let everything = || {
            let mut all = rest.clone();
            all.extend(negs.iter().copied());
            all.sort_unstable();
            all
        };
        let sub: Vec<(AtomId, bool)> = rest.iter().filter_map(|&k| lits.get(k).copied()).collect();
        let rest_verdict = self.decide(&sub, &[]);
        let rest_consistent = matches!(rest_verdict, Decided::Sat(_));
        core = match rest_verdict {
            Decided::Unsat(inner) => {
                let mut c: Vec<usize> =
                    inner.iter().filter_map(|&k| rest.get(k).copied()).collect();
                c.sort_unstable();
                c.dedup();
                if c.is_empty() {
                    rest.clone()
                } else {
                    c
                }
            }
            Decided::Unknown(_) => everything(),
            Decided::Sat(_) => {
                let mut found = None;
                for &n in &negs {
                    let mut trial = rest.clone();
                    trial.push(n);
                    if let Some(c) = self.inconsistent(lits, &trial) {
                        found = Some(c);
                        break;
                    }
                }
                found.unwrap_or_else(everything)
            }
        };
        let mut i = 0;
        while i < core.len() && core.len() > 1 {
            if self.limits.past_deadline() {
                break;
            }
            let trial: Vec<usize> = core
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &k)| k)
                .collect();
            // A subset of consistent literals is consistent: no need to ask.
            if rest_consistent && trial.iter().all(|k| rest.contains(k)) {
                i += 1;
                continue;
            }
            match self.inconsistent(lits, &trial) {
                // The smaller verdict may name an even smaller subset: jump to it.
                Some(next) if next.len() < trial.len() => {
                    core = next;
                    i = 0;
                }
                Some(_) => core = trial,
                None => i += 1,
            }
        }
        core
    }
}
