//! Boolean logic over a carrier of truth values, so that the rules of evaluation are
//! written once and run both on `bool` (the evaluator) and on formulas (the analysis).
//!
//! The evaluator instantiates the rules with [`Concrete`], whose every method inlines to
//! the `bool` operator; the analysis instantiates them with a formula builder, so that a
//! proof speaks about exactly the rules the evaluator applies.

/// The operations the decision code needs, over some carrier of truth values.
pub(crate) trait Logic {
    /// A truth value: `bool`, or a formula.
    type B: Clone;
    /// True.
    fn tt(&mut self) -> Self::B;
    /// False.
    fn ff(&mut self) -> Self::B;
    /// Conjunction.
    fn and(&mut self, a: Self::B, b: Self::B) -> Self::B;
    /// Disjunction.
    fn or(&mut self, a: Self::B, b: Self::B) -> Self::B;
    /// Negation.
    fn not(&mut self, a: Self::B) -> Self::B;
    /// `if c then t else e`.
    #[inline]
    fn ite(&mut self, c: Self::B, t: Self::B, e: Self::B) -> Self::B {
        let nc = self.not(c.clone());
        let a = self.and(c, t);
        let b = self.and(nc, e);
        self.or(a, b)
    }
    /// A constant.
    #[inline]
    fn constant(&mut self, b: bool) -> Self::B {
        if b {
            self.tt()
        } else {
            self.ff()
        }
    }
    /// The value of `b` when it is a constant: always for `bool`, and for a formula
    /// that folded to true or false.
    fn known(&self, b: &Self::B) -> Option<bool>;
    /// `if c then t() else e()` over a value made of truth values. On `bool` only the
    /// branch taken runs, so rules written with it keep the evaluator's short cuts; on
    /// formulas both run and are merged.
    #[inline(always)]
    fn select<T: Merge<Self>>(
        &mut self,
        c: Self::B,
        t: impl FnOnce(&mut Self) -> T,
        e: impl FnOnce(&mut Self) -> T,
    ) -> T
    where
        Self: Sized,
    {
        match self.known(&c) {
            Some(true) => t(self),
            Some(false) => e(self),
            None => {
                let a = t(self);
                let b = e(self);
                T::merge(self, c, a, b)
            }
        }
    }
}

/// Plain evaluation: the carrier is `bool`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Concrete;

impl Logic for Concrete {
    type B = bool;
    #[inline]
    fn tt(&mut self) -> bool {
        true
    }
    #[inline]
    fn ff(&mut self) -> bool {
        false
    }
    #[inline]
    fn and(&mut self, a: bool, b: bool) -> bool {
        a && b
    }
    #[inline]
    fn or(&mut self, a: bool, b: bool) -> bool {
        a || b
    }
    #[inline]
    fn not(&mut self, a: bool) -> bool {
        !a
    }
    #[inline]
    fn ite(&mut self, c: bool, t: bool, e: bool) -> bool {
        if c {
            t
        } else {
            e
        }
    }
    #[inline]
    fn constant(&mut self, b: bool) -> bool {
        b
    }
    #[inline]
    fn known(&self, b: &bool) -> Option<bool> {
        Some(*b)
    }
}

/// A value made of truth values, which [`Logic::select`] can build either way.
pub(crate) trait Merge<L: Logic + ?Sized> {
    /// `if c then a else b`, field by field.
    fn merge(l: &mut L, c: L::B, a: Self, b: Self) -> Self;
}

impl<L: Logic> Merge<L> for () {
    #[inline]
    fn merge(_: &mut L, _: L::B, _: (), _: ()) {}
}
