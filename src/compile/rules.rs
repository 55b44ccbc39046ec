//! The rules of one condition and of one statement, written once against [`Logic`]: the
//! evaluator runs them on `bool`, the analysis on formulas, so a proof is about exactly
//! the rules evaluation applies.
//!
//! A condition's outcome is three-valued; here it is the pair [`Judged`] (`holds`,
//! `unjudged`), never both true. The pair for `bool` converts to and from [`Truth`].

use super::Truth;
use crate::logic::{Concrete, Logic, Merge};
use crate::operator::{ConditionOperator, SetQualifier};

/// Whether something holds, and whether it could not be judged.
// INVARIANT: `holds` and `unjudged` are never both true.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Judged<B> {
    /// It holds.
    pub(crate) holds: B,
    /// It could not be judged.
    pub(crate) unjudged: B,
}

impl<B: Clone> Judged<B> {
    /// Holds: true.
    #[inline(always)]
    pub(crate) fn tt<L: Logic<B = B>>(l: &mut L) -> Judged<B> {
        Judged {
            holds: l.tt(),
            unjudged: l.ff(),
        }
    }

    /// Unjudged: neither true nor false.
    #[inline(always)]
    pub(crate) fn unjudged<L: Logic<B = B>>(l: &mut L) -> Judged<B> {
        Judged {
            holds: l.ff(),
            unjudged: l.tt(),
        }
    }

    /// Judged, and holding as `holds` says.
    #[inline(always)]
    pub(crate) fn known<L: Logic<B = B>>(l: &mut L, holds: B) -> Judged<B> {
        Judged {
            holds,
            unjudged: l.ff(),
        }
    }

    /// Kleene conjunction ([`and`]).
    #[inline(always)]
    pub(crate) fn and<L: Logic<B = B>>(l: &mut L, a: Judged<B>, b: Judged<B>) -> Judged<B> {
        and(l, a, b)
    }

    /// Guards both sides with `when`: a statement whose `Action`, `Resource` and
    /// `Principal` match (`when`) applies as its conditions do, and otherwise not at all.
    #[inline(always)]
    pub(crate) fn when<L: Logic<B = B>>(l: &mut L, when: B, j: Judged<B>) -> Judged<B> {
        Judged {
            holds: l.and(when.clone(), j.holds),
            unjudged: l.and(when, j.unjudged),
        }
    }
}

impl<L: Logic> Merge<L> for Judged<L::B> {
    #[inline(always)]
    fn merge(l: &mut L, c: L::B, a: Self, b: Self) -> Self {
        Judged {
            holds: l.ite(c.clone(), a.holds, b.holds),
            unjudged: l.ite(c, a.unjudged, b.unjudged),
        }
    }
}

/// A three-valued result in the carrier of a [`Logic`]: [`Truth`] for the evaluator,
/// [`Judged`] pairs of formulas for the analysis.
pub(crate) trait Kleene<L: Logic>: Merge<L> + Clone {
    /// It holds.
    fn holds(&self, l: &mut L) -> L::B;
    /// It does not plainly fail: it holds or could not be judged.
    fn open(&self, l: &mut L) -> L::B;
    /// It could not be judged.
    fn unjudged(&self, l: &mut L) -> L::B;
    /// Not holding: unjudged when `unjudged`, else false.
    fn failing(l: &mut L, unjudged: L::B) -> Self;
}

impl<L: Logic> Kleene<L> for Judged<L::B> {
    #[inline(always)]
    fn holds(&self, _: &mut L) -> L::B {
        self.holds.clone()
    }
    #[inline(always)]
    fn open(&self, l: &mut L) -> L::B {
        l.or(self.holds.clone(), self.unjudged.clone())
    }
    #[inline(always)]
    fn unjudged(&self, _: &mut L) -> L::B {
        self.unjudged.clone()
    }
    #[inline(always)]
    fn failing(l: &mut L, unjudged: L::B) -> Self {
        Judged {
            holds: l.ff(),
            unjudged,
        }
    }
}

impl Merge<Concrete> for Truth {
    #[inline(always)]
    fn merge(_: &mut Concrete, c: bool, a: Truth, b: Truth) -> Truth {
        if c {
            a
        } else {
            b
        }
    }
}

impl Kleene<Concrete> for Truth {
    #[inline(always)]
    fn holds(&self, _: &mut Concrete) -> bool {
        *self == Truth::True
    }
    #[inline(always)]
    fn open(&self, _: &mut Concrete) -> bool {
        *self != Truth::False
    }
    #[inline(always)]
    fn unjudged(&self, _: &mut Concrete) -> bool {
        *self == Truth::Unknown
    }
    #[inline(always)]
    fn failing(_: &mut Concrete, unjudged: bool) -> Truth {
        if unjudged {
            Truth::Unknown
        } else {
            Truth::False
        }
    }
}

/// Kleene conjunction: false wins over unjudged, so a condition that plainly fails
/// decides the statement whatever an unreadable value elsewhere would have said, and the
/// outcome does not depend on the order the keys are written in.
#[inline(always)]
pub(crate) fn and<L: Logic, K: Kleene<L>>(l: &mut L, a: K, b: K) -> K {
    let holds = a.holds(l);
    l.select(
        holds,
        |_| b.clone(),
        |l| {
            let a_unjudged = a.unjudged(l);
            let b_open = b.open(l);
            let unjudged = l.and(a_unjudged, b_open);
            K::failing(l, unjudged)
        },
    )
}

impl From<Truth> for Judged<bool> {
    #[inline(always)]
    fn from(t: Truth) -> Judged<bool> {
        Judged {
            holds: t == Truth::True,
            unjudged: t == Truth::Unknown,
        }
    }
}

impl From<Judged<bool>> for Truth {
    #[inline(always)]
    fn from(j: Judged<bool>) -> Truth {
        if j.holds {
            Truth::True
        } else if j.unjudged {
            Truth::Unknown
        } else {
            Truth::False
        }
    }
}

/// What a condition's outcome depends on, about the request's value of its key. Each
/// field is an existential over the request's values: `matched` (some value matches one
/// of the policy's values under the operator's positive comparison), `unmatched` (some
/// value matches none), `unreadable` (some value cannot be read in the operator's
/// family). When the key is missing, or a plain operator meets a list, the values are not
/// looked at and those three may be anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyState<B> {
    /// The request has the key.
    pub(crate) present: B,
    /// The request gives the key as a list (of any length), not as one value.
    pub(crate) listed: B,
    /// Some value matches a policy value.
    pub(crate) matched: B,
    /// Some value matches no policy value.
    pub(crate) unmatched: B,
    /// Some value cannot be read as the operator's type.
    pub(crate) unreadable: B,
}

/// The outcome of one condition key under one operator.
///
/// - `Null` tests presence only: `true` matches a missing key, `false` a present one
///   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null>).
/// - A plain operator on a multivalued key (one AWS documents as multivalued, or one the
///   request gives as a list) cannot be judged: AWS says such keys "require a condition
///   set operator" and does not say what a plain one means
///   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>).
/// - A missing key: `IfExists` holds
///   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists>),
///   `ForAllValues` holds (an empty set), `ForAnyValue` does not, a plain negated
///   operator holds and a plain positive one does not; `ForAnyValue:…IfExists` is
///   documented both ways and cannot be judged.
/// - A present key whose value cannot be read in the operator's family cannot be judged.
///   Otherwise a positive operator (plain or `ForAnyValue`) holds when some value
///   matches; a negated one holds when no value matches (plain or `ForAllValues`), or
///   when some value matches none (`ForAnyValue`); `ForAllValues` with a positive
///   operator holds when every value matches
///   (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>).
///
/// `null` holds the values of a `Null` condition; `documented_multivalued` says AWS
/// documents the key as multivalued.
#[inline(always)]
pub(crate) fn condition<L: Logic>(
    l: &mut L,
    op: ConditionOperator,
    null: Option<&[bool]>,
    documented_multivalued: bool,
    key: KeyState<L::B>,
) -> Judged<L::B> {
    if let Some(values) = null {
        let mut holds = l.ff();
        for &missing in values {
            let t = if missing {
                l.not(key.present.clone())
            } else {
                key.present.clone()
            };
            holds = l.or(holds, t);
        }
        let unjudged = l.ff();
        return Judged { holds, unjudged };
    }
    let negated = op.op.is_negated();
    let plain_on_list = match op.set {
        None if documented_multivalued => return Judged::unjudged(l),
        None => l.and(key.present.clone(), key.listed),
        Some(_) => l.ff(),
    };
    let present = key.present;
    l.select(
        plain_on_list,
        |l| Judged::unjudged(l),
        |l| {
            l.select(
                present,
                |l| {
                    let unreadable = key.unreadable.clone();
                    l.select(
                        unreadable,
                        |l| Judged::unjudged(l),
                        |l| {
                            let compared = match (op.set, negated) {
                                (None | Some(SetQualifier::ForAnyValue), false) => key.matched,
                                (None | Some(SetQualifier::ForAllValues), true) => {
                                    l.not(key.matched)
                                }
                                (Some(SetQualifier::ForAnyValue), true) => key.unmatched,
                                (Some(SetQualifier::ForAllValues), false) => l.not(key.unmatched),
                            };
                            Judged::known(l, compared)
                        },
                    )
                },
                |l| match (op.if_exists, op.set) {
                    (true, Some(SetQualifier::ForAnyValue)) => Judged::unjudged(l),
                    (true, _) | (false, Some(SetQualifier::ForAllValues)) => Judged::tt(l),
                    (false, Some(SetQualifier::ForAnyValue)) => {
                        let f = l.ff();
                        Judged::known(l, f)
                    }
                    (false, None) => {
                        let n = l.constant(negated);
                        Judged::known(l, n)
                    }
                },
            )
        },
    )
}
