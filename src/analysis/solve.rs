//! One question to the engine: a formula over atoms, decided by the SAT core with the
//! slot theory, and the model that answers it.

use super::budget::{Limits, Unknown};
use super::deps::{Instant, IpNet, Number};
use super::logic::{AtomId, Formula, Formulas, Justify, Logic};
use super::sat::{Lit, SolveResult, Solver, SolverStats, Var};
use super::theory::slots::{SlotTheory, TheoryStats};
use super::theory::{Atom, Atoms, Cmp, Family, Lang, SlotId, Template};

/// Formulas and the atoms they speak of.
#[derive(Debug, Clone, Default)]
pub(crate) struct Problem {
    /// The formula builder (a [`Logic`]).
    pub(crate) formulas: Formulas,
    /// What each atom means.
    pub(crate) atoms: Atoms,
}

/// The verdict on a formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A model, checked against every atom with the evaluator's own code.
    Sat(Model),
    /// No model.
    Unsat,
    /// Neither could be shown.
    Unknown(Unknown),
}

/// Work done, for reports and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Stats {
    /// The SAT core's counters.
    pub(crate) solver: SolverStats,
    /// The slot theory's counters.
    pub(crate) theory: TheoryStats,
}

/// An assignment of the atoms and a string per slot that realizes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Model {
    atoms: Vec<Option<bool>>,
    values: Vec<Option<String>>,
    /// The atoms the formula's truth rests on in this model.
    relevant: Vec<bool>,
}

impl Model {
    /// The atom's value; `None` for an atom outside the formula.
    pub(crate) fn atom(&self, a: AtomId) -> Option<bool> {
        self.atoms.get(a.index()).copied().flatten()
    }

    /// Whether the formula's truth rests on the atom in this model: the others may take
    /// either value.
    pub(crate) fn relevant(&self, a: AtomId) -> bool {
        self.relevant.get(a.index()).copied().unwrap_or(false)
    }

    /// The slot's string; `None` when no atom of the formula constrains the slot (any
    /// string will do).
    pub(crate) fn value(&self, s: SlotId) -> Option<&str> {
        self.values.get(s.index()).and_then(|v| v.as_deref())
    }

    /// Whether the formula holds in this model (atoms outside it count as false).
    pub(crate) fn satisfies(&self, formulas: &Formulas, f: Formula) -> bool {
        formulas.eval(f, &mut |a| self.atom(a).unwrap_or(false))
    }
}

impl Problem {
    /// An empty problem.
    pub(crate) fn new() -> Problem {
        Problem::default()
    }

    /// A new slot.
    pub(crate) fn slot(&mut self, name: impl Into<String>) -> SlotId {
        self.atoms.slot(name)
    }

    fn atom(&mut self, atom: Atom) -> Formula {
        let id = self.atoms.intern(atom);
        self.formulas.atom(id)
    }

    /// `slot ∈ lang`.
    pub(crate) fn is_in(&mut self, slot: SlotId, lang: Lang) -> Formula {
        let lang = self.atoms.lang(lang);
        self.atom(Atom::In { slot, lang })
    }

    /// The slot reads as a number that compares so with `value`.
    pub(crate) fn number(&mut self, slot: SlotId, cmp: Cmp, value: Number) -> Formula {
        self.atom(Atom::Num { slot, cmp, value })
    }

    /// The slot reads as a date that compares so with `value`.
    pub(crate) fn date(&mut self, slot: SlotId, cmp: Cmp, value: Instant) -> Formula {
        self.atom(Atom::Date { slot, cmp, value })
    }

    /// The slot reads as an address in `net`.
    pub(crate) fn in_net(&mut self, slot: SlotId, net: IpNet) -> Formula {
        self.atom(Atom::Ip { slot, net })
    }

    /// The slot reads in `family`.
    pub(crate) fn reads(&mut self, slot: SlotId, family: Family) -> Formula {
        self.atom(Atom::Reads { slot, family })
    }

    /// The two slots hold the same string.
    pub(crate) fn equal(&mut self, a: SlotId, b: SlotId) -> Formula {
        if a == b {
            return Formula::TRUE;
        }
        self.atom(Atom::Eq { a, b })
    }

    /// The slot matches the template resolved with its variables' strings.
    pub(crate) fn template(&mut self, slot: SlotId, t: Template) -> Formula {
        let template = self.atoms.template(t);
        self.atom(Atom::Template { slot, template })
    }

    /// A fresh Boolean with no theory meaning.
    pub(crate) fn flag(&mut self) -> Formula {
        let id = self.atoms.flag();
        self.formulas.atom(id)
    }

    /// Decides `root`.
    pub(crate) fn check(&self, root: Formula, limits: &Limits) -> (Verdict, Stats) {
        let mut session = Session::new(self, root, limits);
        let verdict = session.solve();
        (verdict, session.stats())
    }

    /// Whether `model` makes each atom the formula rests on true exactly when it says, by
    /// the evaluator's own code on the slots' strings.
    fn confirm(&self, model: &Model) -> bool {
        let value = |s: SlotId| model.value(s);
        (0..self.atoms.len()).all(|i| {
            let id = AtomId(u32::try_from(i).unwrap_or(u32::MAX));
            let Some(assigned) = model.atom(id) else {
                return true;
            };
            if !model.relevant(id) {
                return true;
            }
            let holds = match self.atoms.get(id) {
                Some(Atom::Flag(_)) | None => return true,
                Some(Atom::Eq { a, b }) => value(*a) == value(*b),
                Some(Atom::Template { slot, template }) => {
                    let Some(t) = self.atoms.get_template(*template) else {
                        return false;
                    };
                    let lang = t.resolve(&mut |s| value(s).unwrap_or("").to_string());
                    lang.is_some_and(|l| l.contains(value(*slot).unwrap_or("")))
                }
                Some(atom) => {
                    let slot = atom.slots().first().copied();
                    let s = slot.and_then(value).unwrap_or("");
                    self.atoms.holds_on(id, s).unwrap_or(false)
                }
            };
            holds == assigned
        })
    }
}

/// A formula loaded into a solver, to be solved, constrained further, and solved again
/// (to enumerate models).
pub(crate) struct Session<'p> {
    problem: &'p Problem,
    solver: Solver,
    theory: SlotTheory<'p>,
    vars: Vec<(AtomId, Var)>,
    justify: Justify,
    limits: Limits,
}

impl<'p> Session<'p> {
    /// Loads `root`.
    pub(crate) fn new(problem: &'p Problem, root: Formula, limits: &Limits) -> Session<'p> {
        let mut solver = Solver::new();
        let (vars, justify) = problem.formulas.encode(root, &mut solver);
        let theory = SlotTheory::new(&problem.atoms, &vars, justify.clone(), *limits);
        Session {
            problem,
            solver,
            theory,
            vars,
            justify,
            limits: *limits,
        }
    }

    /// Searches for a model.
    pub(crate) fn solve(&mut self) -> Verdict {
        match self.solver.solve(&mut self.theory, &self.limits) {
            SolveResult::Sat => {
                let mut atoms = vec![None; self.problem.atoms.len()];
                for &(a, v) in &self.vars {
                    if let Some(slot) = atoms.get_mut(a.index()) {
                        *slot = self.solver.value(v);
                    }
                }
                let solver = &self.solver;
                let relevant = self
                    .justify
                    .relevant(self.problem.atoms.len(), &|v| solver.value(v));
                let model = Model {
                    atoms,
                    values: self.theory.model().to_vec(),
                    relevant,
                };
                if self.problem.confirm(&model) {
                    Verdict::Sat(model)
                } else {
                    Verdict::Unknown(Unknown::Internal("a model failed the evaluator"))
                }
            }
            SolveResult::Unsat => Verdict::Unsat,
            SolveResult::Unknown(u) => Verdict::Unknown(u),
        }
    }

    /// Rules out every model that gives these atoms these values.
    pub(crate) fn block(&mut self, cube: &[(AtomId, bool)]) {
        let clause: Vec<Lit> = cube
            .iter()
            .filter_map(|&(a, v)| {
                self.vars
                    .iter()
                    .find(|(x, _)| *x == a)
                    .map(|&(_, var)| Lit::new(var, v))
            })
            .collect();
        self.solver.add_clause(&clause);
    }

    /// Requires one of these formulas (flags of the problem) to hold.
    pub(crate) fn require_any(&mut self, flags: &[Formula]) {
        let clause: Vec<Lit> = flags
            .iter()
            .filter_map(|&f| {
                let (atom, negated) = self.problem.formulas.atom_of(f)?;
                self.vars
                    .iter()
                    .find(|(x, _)| *x == atom)
                    .map(|&(_, var)| Lit::new(var, negated))
            })
            .collect();
        if clause.len() == flags.len() {
            self.solver.add_clause(&clause);
        }
    }

    /// Counters so far.
    pub(crate) fn stats(&self) -> Stats {
        Stats {
            solver: self.solver.stats(),
            theory: self.theory.stats(),
        }
    }
}

impl Logic for Problem {
    type B = Formula;
    #[inline]
    fn tt(&mut self) -> Formula {
        Formula::TRUE
    }
    #[inline]
    fn ff(&mut self) -> Formula {
        Formula::FALSE
    }
    #[inline]
    fn and(&mut self, a: Formula, b: Formula) -> Formula {
        self.formulas.and(a, b)
    }
    #[inline]
    fn or(&mut self, a: Formula, b: Formula) -> Formula {
        self.formulas.or(a, b)
    }
    #[inline]
    fn not(&mut self, a: Formula) -> Formula {
        self.formulas.not(a)
    }
    #[inline]
    fn known(&self, b: &Formula) -> Option<bool> {
        self.formulas.known(b)
    }
}
