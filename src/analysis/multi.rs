//! Multivalued keys: a bounded number of optional elements represents every list.
//!
//! A condition on a multivalued key depends on the list only through a few existentials
//! (`condition/compiled.rs`, and
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>):
//! whether some element cannot be read by the operator's family (the condition is then
//! unjudged), whether some element matches one of its values, and whether some element
//! matches none. With `n` conditions over `f` families on the key, keeping one witness
//! of each existential that holds gives a sublist of at most `2n + f` elements on which
//! every condition has the same outcome: a sublist cannot make a false existential true,
//! and each true one keeps its witness. The sublist is still a list, so a `${key}`
//! variable on it still matches nothing, and it is non-empty whenever the list was and
//! some condition tests the key. The property test below builds that sublist and checks
//! the claim with the evaluator's own condition code.
//!
//! So the encoder gives a multivalued key `k = 2n + f` optional elements, each a slot
//! with a presence flag, and breaks the symmetry between them by filling them in order.

use super::logic::{Formula, Logic};
use super::solve::Problem;
use super::theory::SlotId;

/// How many elements a multivalued key needs: two per condition on it, one per operator
/// family.
pub(crate) fn element_bound(conditions: usize, families: usize) -> usize {
    conditions.saturating_mul(2).saturating_add(families)
}

/// One optional element of a multivalued key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Element {
    /// Its string.
    pub(crate) slot: SlotId,
    /// Whether the list has this element.
    pub(crate) present: Formula,
}

/// The optional elements of one multivalued key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Elements {
    /// In list order.
    pub(crate) elements: Vec<Element>,
}

impl Elements {
    /// `k` elements named `key#1`, `key#2`, …, and the constraint that they are filled in
    /// order (element `j` present ⇒ element `j − 1` present), which keeps the search from
    /// exploring the same list in every arrangement of its elements over the slots.
    pub(crate) fn new(problem: &mut Problem, key: &str, k: usize) -> (Elements, Formula) {
        let elements: Vec<Element> = (1..=k)
            .map(|j| Element {
                slot: problem.slot(format!("{key}#{j}")),
                present: problem.flag(),
            })
            .collect();
        let mut order = Formula::TRUE;
        for pair in elements.windows(2) {
            if let [a, b] = pair {
                let step = problem.formulas.implies(b.present, a.present);
                order = problem.and(order, step);
            }
        }
        (Elements { elements }, order)
    }

    #[cfg(test)]
    /// Some present element satisfies `f`.
    pub(crate) fn any(
        &self,
        problem: &mut Problem,
        mut f: impl FnMut(&mut Problem, SlotId) -> Formula,
    ) -> Formula {
        let mut out = Formula::FALSE;
        for e in &self.elements {
            let holds = f(problem, e.slot);
            let here = problem.and(e.present, holds);
            out = problem.or(out, here);
        }
        out
    }

    #[cfg(test)]
    /// Every present element satisfies `f`.
    pub(crate) fn all(
        &self,
        problem: &mut Problem,
        mut f: impl FnMut(&mut Problem, SlotId) -> Formula,
    ) -> Formula {
        let mut out = Formula::TRUE;
        for e in &self.elements {
            let holds = f(problem, e.slot);
            let here = problem.formulas.implies(e.present, holds);
            out = problem.and(out, here);
        }
        out
    }

    #[cfg(test)]
    /// The list has at least one element.
    pub(crate) fn nonempty(&self) -> Formula {
        // Elements fill in order, so the first one decides.
        self.elements.first().map_or(Formula::FALSE, |e| e.present)
    }
}

#[cfg(test)]
/// How one element fares under one condition's comparison: matched, not matched, or
/// unreadable by the condition's family (`None`).
pub(crate) type Judge<'a, T> = &'a dyn Fn(&T) -> Option<bool>;

#[cfg(test)]
/// The indexes (ascending) of a sublist of `values` on which every condition has the
/// same outcome as on the whole list: for each condition `(family, judge)`, the first
/// element it matches and the first it does not; for each family, the first element it
/// cannot read. At most `2n + f` indexes.
pub(crate) fn reduce<T>(values: &[T], conditions: &[(usize, Judge<'_, T>)]) -> Vec<usize> {
    let mut keep: Vec<usize> = Vec::new();
    let mut unreadable_seen: Vec<usize> = Vec::new();
    for (family, judge) in conditions {
        let (mut matched, mut unmatched) = (false, false);
        for (i, v) in values.iter().enumerate() {
            match judge(v) {
                Some(true) if !matched => {
                    matched = true;
                    keep.push(i);
                }
                Some(false) if !unmatched => {
                    unmatched = true;
                    keep.push(i);
                }
                None if !unreadable_seen.contains(family) => {
                    unreadable_seen.push(*family);
                    keep.push(i);
                }
                _ => {}
            }
        }
    }
    keep.sort_unstable();
    keep.dedup();
    keep
}

#[cfg(test)]
mod tests {
    use super::super::deps::testing::{
        eval_condition, ConditionOperator, Operator, Request, SetQualifier,
    };
    use super::super::deps::Case;
    use super::super::theory::Lang;
    use super::*;
    use crate::analysis::budget::Limits;
    use crate::analysis::deps::Pattern;
    use crate::analysis::solve::Verdict;
    use proptest::prelude::*;

    const POOL: &[&str] = &[
        "a",
        "b",
        "ab",
        "A",
        "1",
        "2",
        "10",
        "-3",
        "x1",
        "2024",
        "2024-06-15",
        "10.0.0.1",
        "::1",
        "arn:aws:s3:::b",
        "arn:aws:s3:::c/x",
        "true",
        "QQ==",
        "",
    ];

    /// Operators with one value each, and the family index their readability belongs to.
    const CONDITIONS: &[(Operator, &str, usize)] = &[
        (Operator::StringEquals, "a", 0),
        (Operator::StringNotEquals, "ab", 0),
        (Operator::StringLike, "a*", 0),
        (Operator::StringNotLike, "*1", 0),
        (Operator::StringEqualsIgnoreCase, "a", 0),
        (Operator::NumericLessThan, "5", 1),
        (Operator::NumericNotEquals, "2", 1),
        (Operator::DateGreaterThan, "2000-01-01", 2),
        (Operator::IpAddress, "10.0.0.0/8", 3),
        (Operator::NotIpAddress, "10.0.0.0/8", 3),
        (Operator::ArnLike, "arn:aws:s3:::*", 4),
        (Operator::ArnNotLike, "arn:aws:s3:::b", 4),
        (Operator::Bool, "true", 5),
        (Operator::BinaryEquals, "QQ==", 6),
    ];

    /// How one element fares under one condition, boxed.
    type BoxedJudge = Box<dyn Fn(&&str) -> Option<bool>>;

    /// The positive operator of the same family and comparison.
    fn positive(op: Operator) -> Operator {
        match op {
            Operator::StringNotEquals => Operator::StringEquals,
            Operator::StringNotLike => Operator::StringLike,
            Operator::NumericNotEquals => Operator::NumericEquals,
            Operator::NotIpAddress => Operator::IpAddress,
            Operator::ArnNotLike => Operator::ArnLike,
            other => other,
        }
    }

    fn request(values: &[&str]) -> Request {
        Request::builder()
            .principal("arn:aws:iam::111122223333:user/alice")
            .action("s3:GetObject")
            .resource("arn:aws:s3:::b/k")
            .context("k", values.to_vec())
            .build()
            .unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Each condition's three-valued outcome (holds, unjudged) is the same on the
        /// reduced list, which has at most 2n + f elements.
        #[test]
        fn small_model_bound(
            list in prop::collection::vec(prop::sample::select(POOL), 0..8),
            picks in prop::collection::vec(
                (0..CONDITIONS.len(), prop::option::of(prop::sample::select(&[SetQualifier::ForAnyValue, SetQualifier::ForAllValues][..])), any::<bool>()),
                1..5,
            ),
        ) {
            let ops: Vec<(ConditionOperator, &str, usize)> = picks
                .iter()
                .map(|&(i, set, if_exists)| {
                    let (op, value, family) = CONDITIONS[i];
                    (ConditionOperator { op, set, if_exists }, value, family)
                })
                .collect();
            // An element's fate under a condition: the positive operator under
            // ForAnyValue on a one-element list.
            let judges: Vec<BoxedJudge> = ops
                .iter()
                .map(|&(op, value, _)| {
                    let probe = ConditionOperator {
                        op: positive(op.op),
                        set: Some(SetQualifier::ForAnyValue),
                        if_exists: false,
                    };
                    Box::new(move |v: &&str| {
                        let (holds, unjudged) = eval_condition(probe, "k", value, &request(&[v]));
                        (!unjudged).then_some(holds)
                    }) as BoxedJudge
                })
                .collect();
            let conditions: Vec<(usize, Judge<'_, &str>)> = ops
                .iter()
                .zip(&judges)
                .map(|(&(_, _, family), j)| (family, &**j as Judge<'_, &str>))
                .collect();
            let families: std::collections::BTreeSet<usize> = ops.iter().map(|o| o.2).collect();
            let kept = reduce(&list, &conditions);
            prop_assert!(kept.len() <= element_bound(ops.len(), families.len()));
            let reduced: Vec<&str> = kept.iter().map(|&i| list[i]).collect();
            let (full, small) = (request(&list), request(&reduced));
            for &(op, value, _) in &ops {
                prop_assert_eq!(
                    eval_condition(op, "k", value, &full),
                    eval_condition(op, "k", value, &small),
                    "{:?} on {:?} vs {:?}", op, list, reduced
                );
            }
        }
    }

    /// The helper's formulas: a list where some element starts with `a` and every
    /// element is short, with elements filled in order.
    #[test]
    fn elements_fill_in_order() {
        let mut p = Problem::new();
        let (els, order) = Elements::new(&mut p, "aws:TagKeys", 3);
        let some_a = els.any(&mut p, |p, s| {
            p.is_in(s, Lang::Pattern(Pattern::new("a*", Case::Sensitive)))
        });
        let all_short = els.all(&mut p, |p, s| {
            p.is_in(s, Lang::Pattern(Pattern::new("?", Case::Sensitive)))
        });
        let second = els.elements[1].present;
        let first = els.elements[0].present;
        let nf = p.not(first);
        let q = p.formulas.all([order, some_a, all_short, second]);
        match p.check(q, &Limits::default()).0 {
            Verdict::Sat(m) => {
                assert!(m.satisfies(&p.formulas, first));
                let values: Vec<&str> = els
                    .elements
                    .iter()
                    .filter(|e| m.satisfies(&p.formulas, e.present))
                    .filter_map(|e| m.value(e.slot))
                    .collect();
                assert!(values.iter().any(|v| v.starts_with('a')), "{values:?}");
                assert!(values.iter().all(|v| v.chars().count() == 1), "{values:?}");
            }
            other => panic!("{other:?}"),
        }
        // A later element without the first one breaks the order.
        let q2 = p.formulas.all([order, second, nf]);
        assert_eq!(p.check(q2, &Limits::default()).0, Verdict::Unsat);
        assert_eq!(els.nonempty(), first);
    }
}
