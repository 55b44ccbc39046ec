//! Hash-consed formulas: the symbolic carrier of [`Logic`].
//!
//! The decision code written once against [`Logic`] (`crate::logic`) runs concretely on
//! [`Concrete`] and symbolically on [`Formulas`], which builds an
//! and-inverter graph: every node is an atom or the conjunction of two edges, and an edge
//! may be negated. Structural hashing and constant folding keep it small, and the graph
//! maps onto solver clauses by the Tseitin encoding in [`Formulas::encode`].

use super::sat::{Lit, Solver, Var};
#[cfg(test)]
use crate::logic::Concrete;
pub(crate) use crate::logic::Logic;
use std::collections::HashMap;

/// An atom: an index into the atom table of whoever gives atoms their meaning (see
/// [`super::theory::Atoms`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct AtomId(pub(crate) u32);

impl AtomId {
    /// The index, for tables keyed by atom.
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// An edge in the graph: a node, possibly negated.
// INVARIANT: `(node index << 1) | negated`; node 0 is the constant true.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Formula(u32);

impl Formula {
    /// The constant true.
    pub(crate) const TRUE: Formula = Formula(0);
    /// The constant false.
    pub(crate) const FALSE: Formula = Formula(1);

    fn node(self) -> usize {
        (self.0 >> 1) as usize
    }
    fn negated(self) -> bool {
        self.0 & 1 == 1
    }
    fn flip(self) -> Formula {
        Formula(self.0 ^ 1)
    }
    #[cfg(test)]
    /// Whether this is one of the two constants.
    pub(crate) fn is_const(self) -> bool {
        self.node() == 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    True,
    Atom(AtomId),
    // INVARIANT: both children were created before this node (smaller node indices), and
    // the first is the smaller edge.
    And(Formula, Formula),
}

/// Builds hash-consed formulas: the same atom or the same conjunction always yields the
/// same [`Formula`].
#[derive(Debug, Clone)]
pub(crate) struct Formulas {
    nodes: Vec<Node>,
    ands: HashMap<(Formula, Formula), Formula>,
    atoms: HashMap<AtomId, Formula>,
}

impl Default for Formulas {
    fn default() -> Self {
        Formulas::new()
    }
}

impl Formulas {
    /// An empty builder (it knows only the constants).
    pub(crate) fn new() -> Formulas {
        Formulas {
            nodes: vec![Node::True],
            ands: HashMap::new(),
            atoms: HashMap::new(),
        }
    }

    fn push(&mut self, node: Node) -> Formula {
        // A graph beyond 2^31 nodes cannot be built in memory anyway; saturating keeps
        // this total.
        let index = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX >> 1);
        self.nodes.push(node);
        Formula(index << 1)
    }

    /// The formula that is true exactly when the atom is.
    pub(crate) fn atom(&mut self, atom: AtomId) -> Formula {
        if let Some(&f) = self.atoms.get(&atom) {
            return f;
        }
        let f = self.push(Node::Atom(atom));
        self.atoms.insert(atom, f);
        f
    }

    /// The atom this formula is, possibly negated; `None` for any other formula.
    pub(crate) fn atom_of(&self, f: Formula) -> Option<(AtomId, bool)> {
        match self.nodes.get(f.node())? {
            Node::Atom(a) => Some((*a, f.negated())),
            _ => None,
        }
    }

    #[cfg(test)]
    /// How many nodes the graph has (constants included).
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Conjunction of all.
    pub(crate) fn all(&mut self, items: impl IntoIterator<Item = Formula>) -> Formula {
        items
            .into_iter()
            .fold(Formula::TRUE, |acc, f| self.and(acc, f))
    }

    /// Disjunction of all.
    pub(crate) fn any(&mut self, items: impl IntoIterator<Item = Formula>) -> Formula {
        items
            .into_iter()
            .fold(Formula::FALSE, |acc, f| self.or(acc, f))
    }

    /// `a ⇒ b`.
    pub(crate) fn implies(&mut self, a: Formula, b: Formula) -> Formula {
        self.or(a.flip(), b)
    }

    /// Evaluates `f` under an assignment of the atoms.
    pub(crate) fn eval(&self, f: Formula, atom: &mut impl FnMut(AtomId) -> bool) -> bool {
        // Children precede parents, so one pass in index order evaluates every node the
        // root needs; nodes outside its cone are skipped.
        let root = f.node();
        let cone = self.cone(root);
        let mut value = vec![false; root + 1];
        for (i, node) in self.nodes.iter().enumerate().take(root + 1) {
            if !cone.get(i).copied().unwrap_or(false) {
                continue;
            }
            let v = match *node {
                Node::True => true,
                Node::Atom(a) => atom(a),
                Node::And(x, y) => edge(&value, x) && edge(&value, y),
            };
            if let Some(slot) = value.get_mut(i) {
                *slot = v;
            }
        }
        edge(&value, f)
    }

    /// The nodes `root` depends on.
    fn cone(&self, root: usize) -> Vec<bool> {
        let mut cone = vec![false; root + 1];
        if let Some(r) = cone.get_mut(root) {
            *r = true;
        }
        for i in (0..=root).rev() {
            if !cone.get(i).copied().unwrap_or(false) {
                continue;
            }
            if let Some(Node::And(x, y)) = self.nodes.get(i) {
                for c in [x.node(), y.node()] {
                    if let Some(m) = cone.get_mut(c) {
                        *m = true;
                    }
                }
            }
        }
        cone
    }

    /// Adds clauses to `solver` that make `root` true, one variable per node of its cone
    /// (Tseitin). Returns the variable of each atom in the cone, and the cone's shape for
    /// telling which atoms an assignment's truth rests on ([`Justify`]).
    pub(crate) fn encode(
        &self,
        root: Formula,
        solver: &mut Solver,
    ) -> (Vec<(AtomId, Var)>, Justify) {
        let top = root.node();
        let cone = self.cone(top);
        let mut var: Vec<Option<Var>> = vec![None; top + 1];
        let mut atoms = Vec::new();
        let mut justify = Justify {
            nodes: Vec::new(),
            root: None,
        };
        let lit_of = |var: &[Option<Var>], e: Formula| -> Option<Lit> {
            var.get(e.node())
                .copied()
                .flatten()
                .map(|v| Lit::new(v, e.negated()))
        };
        for (i, node) in self.nodes.iter().enumerate().take(top + 1) {
            if !cone.get(i).copied().unwrap_or(false) {
                continue;
            }
            let v = solver.new_var();
            if let Some(slot) = var.get_mut(i) {
                *slot = Some(v);
            }
            let me = Lit::new(v, false);
            match *node {
                Node::True => {
                    solver.add_clause(&[me]);
                    justify.nodes.push((v, JNode::Leaf(None)));
                }
                Node::Atom(a) => {
                    atoms.push((a, v));
                    justify.nodes.push((v, JNode::Leaf(Some(a))));
                }
                Node::And(x, y) => {
                    if let (Some(lx), Some(ly)) = (lit_of(&var, x), lit_of(&var, y)) {
                        solver.add_clause(&[!me, lx]);
                        solver.add_clause(&[!me, ly]);
                        solver.add_clause(&[me, !lx, !ly]);
                        justify.nodes.push((v, JNode::And(lx, ly)));
                    }
                }
            }
        }
        if let Some(r) = lit_of(&var, root) {
            solver.add_clause(&[r]);
            justify.root = Some(r);
        }
        (atoms, justify)
    }
}

/// The cone of an encoded formula, for *relevancy*: which atoms a full assignment's
/// truth of the root rests on. A true conjunction rests on both sides, a false one on one
/// false side; an atom outside what the root rests on may take either value without
/// changing it, so the theory need not make it come true. Without this, an atom under a
/// guard that is off (`case → template`) would still have to be met as the search
/// happened to set it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Justify {
    /// In the order of the graph: children before parents.
    nodes: Vec<(Var, JNode)>,
    root: Option<Lit>,
}

#[derive(Debug, Clone, Copy)]
enum JNode {
    Leaf(Option<AtomId>),
    And(Lit, Lit),
}

impl Justify {
    /// The atoms the root's truth rests on under `value`, as a set over atom indexes of
    /// length `atoms`.
    pub(crate) fn relevant(&self, atoms: usize, value: &dyn Fn(Var) -> Option<bool>) -> Vec<bool> {
        let mut out = vec![false; atoms];
        let Some(root) = self.root else {
            return out;
        };
        let lit = |l: Lit| value(l.var()).map(|b| b != l.is_negated());
        // Which nodes (by variable) are needed, walked from the root down.
        let mut needed: std::collections::HashSet<Var> = std::collections::HashSet::new();
        needed.insert(root.var());
        for &(v, node) in self.nodes.iter().rev() {
            if !needed.contains(&v) {
                continue;
            }
            match node {
                JNode::Leaf(Some(a)) => {
                    if let Some(slot) = out.get_mut(a.index()) {
                        *slot = true;
                    }
                }
                JNode::Leaf(None) => {}
                JNode::And(x, y) => match value(v) {
                    Some(true) | None => {
                        needed.insert(x.var());
                        needed.insert(y.var());
                    }
                    Some(false) => {
                        // One false side is reason enough; the first one found.
                        let side = if lit(x) == Some(false) { x } else { y };
                        needed.insert(side.var());
                    }
                },
            }
        }
        out
    }
}

fn edge(value: &[bool], e: Formula) -> bool {
    value.get(e.node()).copied().unwrap_or(false) != e.negated()
}

impl Logic for Formulas {
    type B = Formula;
    #[inline]
    fn tt(&mut self) -> Formula {
        Formula::TRUE
    }
    #[inline]
    fn ff(&mut self) -> Formula {
        Formula::FALSE
    }
    fn and(&mut self, a: Formula, b: Formula) -> Formula {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        if a == Formula::FALSE || a == b.flip() {
            return Formula::FALSE;
        }
        if a == Formula::TRUE || a == b {
            return b;
        }
        if let Some(&f) = self.ands.get(&(a, b)) {
            return f;
        }
        let f = self.push(Node::And(a, b));
        self.ands.insert((a, b), f);
        f
    }
    fn or(&mut self, a: Formula, b: Formula) -> Formula {
        let n = self.and(a.flip(), b.flip());
        n.flip()
    }
    #[inline]
    fn not(&mut self, a: Formula) -> Formula {
        a.flip()
    }
    #[inline]
    fn known(&self, b: &Formula) -> Option<bool> {
        match *b {
            Formula::TRUE => Some(true),
            Formula::FALSE => Some(false),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One generic function, run on both carriers: the agreement the decision code relies on.
    fn sample<L: Logic>(l: &mut L, x: L::B, y: L::B, z: L::B) -> L::B {
        let a = l.and(x.clone(), y.clone());
        let b = l.not(z.clone());
        let c = l.or(a, b);
        let d = l.ite(x, y, z);
        let e = l.and(c.clone(), d);
        let t = l.tt();
        let f = l.ff();
        let g = l.ite(c, t, f);
        l.or(e, g)
    }

    #[test]
    fn constants_and_hash_consing() {
        let mut f = Formulas::new();
        let a = f.atom(AtomId(0));
        let b = f.atom(AtomId(1));
        assert_eq!(f.atom(AtomId(0)), a);
        let t = f.tt();
        let ff = f.ff();
        assert_eq!(f.and(a, t), a);
        assert_eq!(f.and(a, ff), Formula::FALSE);
        assert_eq!(f.or(a, t), Formula::TRUE);
        let na = f.not(a);
        assert_eq!(f.and(a, na), Formula::FALSE);
        assert_eq!(f.or(a, na), Formula::TRUE);
        let ab = f.and(a, b);
        let n = f.len();
        assert_eq!(f.and(b, a), ab);
        assert_eq!(f.len(), n, "commuted conjunction is shared");
        assert!(Formula::TRUE.is_const() && !a.is_const());
    }

    proptest! {
        #[test]
        fn formula_agrees_with_bool(x: bool, y: bool, z: bool) {
            let want = sample(&mut Concrete, x, y, z);
            let mut f = Formulas::new();
            let (fx, fy, fz) = (f.atom(AtomId(0)), f.atom(AtomId(1)), f.atom(AtomId(2)));
            let g = sample(&mut f, fx, fy, fz);
            let vals = [x, y, z];
            prop_assert_eq!(f.eval(g, &mut |a| vals[a.index()]), want);
        }
    }
}
