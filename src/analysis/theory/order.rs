//! Ordered values: the `Numeric*` operators' exact decimals and the `Date*` operators'
//! instants.
//!
//! Both domains are finite: a [`Number`] has at most 38 significant digits and an
//! exponent within ±10000, an [`Instant`] is a nanosecond in years 0000–9999. So every
//! value has a successor and a predecessor, a strict bound becomes an inclusive one, and
//! the feasible set of a conjunction is an interval minus finitely many points. Its least
//! element is the lower bound or the successor of an excluded point, which makes the
//! check exact; the witness is then the simplest value found in the interval (zero, an
//! integer, a short decimal; the epoch, a whole day, a whole second), printed in a form
//! the evaluator parses back to the same value.

use super::super::deps::{Instant, Number};
use std::cmp::Ordering;
use std::fmt::Debug;

/// A comparison against a constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Cmp {
    /// `x < c`
    Lt,
    /// `x <= c`
    Le,
    /// `x > c`
    Gt,
    /// `x >= c`
    Ge,
    /// `x = c`
    Eq,
}

impl Cmp {
    /// Whether `ord` (of `x` against `c`) satisfies the comparison.
    pub(crate) fn holds(self, ord: Ordering) -> bool {
        match self {
            Cmp::Lt => ord == Ordering::Less,
            Cmp::Le => ord != Ordering::Greater,
            Cmp::Gt => ord == Ordering::Greater,
            Cmp::Ge => ord != Ordering::Less,
            Cmp::Eq => ord == Ordering::Equal,
        }
    }
}

/// A finite, totally ordered domain.
pub(crate) trait Ordered: Copy + Ord + Debug {
    /// The least value.
    fn least() -> Self;
    /// The greatest value.
    fn greatest() -> Self;
    /// The next value up, if any.
    fn succ(self) -> Option<Self>;
    /// The next value down, if any.
    fn pred(self) -> Option<Self>;
    /// Values in `[lo, hi]` worth trying first, simplest first; any may fall outside.
    fn simple(lo: Self, hi: Self) -> Vec<Self>;
}

/// Finds a value satisfying every `(cmp, c, holds)`: `x cmp c` when `holds`, its negation
/// otherwise. On failure, returns the indexes of an inconsistent subset.
pub(crate) fn solve<T: Ordered>(cons: &[(Cmp, T, bool)]) -> Result<T, Vec<usize>> {
    let (mut lo, mut lo_at) = (T::least(), None);
    let (mut hi, mut hi_at) = (T::greatest(), None);
    let mut holes: Vec<(T, usize)> = Vec::new();
    for (i, &(cmp, c, holds)) in cons.iter().enumerate() {
        let cmp = match (cmp, holds) {
            (cmp, true) => Some(cmp),
            (Cmp::Lt, false) => Some(Cmp::Ge),
            (Cmp::Le, false) => Some(Cmp::Gt),
            (Cmp::Gt, false) => Some(Cmp::Le),
            (Cmp::Ge, false) => Some(Cmp::Lt),
            (Cmp::Eq, false) => None,
        };
        let (low, high) = match cmp {
            None => {
                holes.push((c, i));
                continue;
            }
            Some(Cmp::Ge) => (Some(c), None),
            Some(Cmp::Gt) => (Some(c.succ().ok_or_else(|| vec![i])?), None),
            Some(Cmp::Le) => (None, Some(c)),
            Some(Cmp::Lt) => (None, Some(c.pred().ok_or_else(|| vec![i])?)),
            Some(Cmp::Eq) => (Some(c), Some(c)),
        };
        if let Some(l) = low.filter(|&l| l > lo) {
            (lo, lo_at) = (l, Some(i));
        }
        if let Some(h) = high.filter(|&h| h < hi) {
            (hi, hi_at) = (h, Some(i));
        }
    }
    let bounds = || lo_at.into_iter().chain(hi_at).collect::<Vec<_>>();
    if lo > hi {
        return Err(bounds());
    }
    let is_hole = |x: T| holes.iter().any(|&(h, _)| h == x);
    if let Some(x) = T::simple(lo, hi)
        .into_iter()
        .find(|&x| lo <= x && x <= hi && !is_hole(x))
    {
        return Ok(x);
    }
    // The least element: the lower bound, or the successor of a run of holes.
    holes.sort();
    let mut x = lo;
    let mut used = Vec::new();
    for &(h, i) in &holes {
        match h.cmp(&x) {
            Ordering::Less => {}
            Ordering::Equal => {
                used.push(i);
                match x.succ() {
                    Some(n) if n <= hi => x = n,
                    _ => {
                        let mut core = bounds();
                        core.extend(used);
                        return Err(core);
                    }
                }
            }
            Ordering::Greater => break,
        }
    }
    Ok(x)
}

/// Largest mantissa: 38 nines.
const MAX_MANT: u128 = 99_999_999_999_999_999_999_999_999_999_999_999_999;
const MAX_EXP: i64 = 10_000;

fn digits(n: u128) -> u32 {
    n.checked_ilog10().map_or(1, |l| l + 1)
}

fn pow10(n: u32) -> Option<u128> {
    10u128.checked_pow(n)
}

fn number(neg: bool, mant: u128, exp: i64) -> Option<Number> {
    Number::from_parts(neg, mant, exp)
}

fn negate(x: Number) -> Number {
    let (neg, mant, exp) = x.parts();
    number(!neg && mant != 0, mant, i64::from(exp)).unwrap_or(x)
}

/// `|x|` written with a full 38-digit mantissa where the exponent range allows it, so
/// that its neighbours are one unit of the last digit away.
fn padded(mant: u128, exp: i64) -> (u128, i64) {
    let pad = i64::from(38u32.saturating_sub(digits(mant)));
    let e = (exp - pad).max(-MAX_EXP);
    let shift = u32::try_from(exp - e).unwrap_or(0);
    (
        pow10(shift)
            .and_then(|p| mant.checked_mul(p))
            .unwrap_or(mant),
        e,
    )
}

/// The successor of the magnitude `mant × 10^exp` (`mant > 0`).
fn magnitude_succ(mant: u128, exp: i64) -> Option<(u128, i64)> {
    let (m, e) = padded(mant, exp);
    Some((m.checked_add(1)?, e))
}

/// The predecessor of the magnitude `mant × 10^exp` (`mant > 0`); may be zero.
fn magnitude_pred(mant: u128, exp: i64) -> (u128, i64) {
    let (m, e) = padded(mant, exp);
    // Just below a power of ten the grid is ten times finer.
    if Some(m) == pow10(37) && e > -MAX_EXP {
        return (MAX_MANT, e - 1);
    }
    (m - 1, e)
}

/// The smallest multiple of `10^-scale` at or above `x`.
fn ceil_at(x: Number, scale: i64) -> Option<Number> {
    let (neg, mant, exp) = x.parts();
    let k = i64::from(exp) + scale;
    if k >= 0 || mant == 0 {
        return Some(x);
    }
    let (q, r) = match u32::try_from(-k).ok().and_then(pow10) {
        Some(p) => (mant / p, mant % p),
        None => (0, mant),
    };
    if neg {
        number(q != 0, q, -scale)
    } else {
        number(false, q + u128::from(r != 0), -scale)
    }
}

/// The largest multiple of `10^-scale` at or below `x`.
fn floor_at(x: Number, scale: i64) -> Option<Number> {
    ceil_at(negate(x), scale).map(negate)
}

impl Ordered for Number {
    fn least() -> Number {
        Number::MIN
    }
    fn greatest() -> Number {
        Number::MAX
    }
    fn succ(self) -> Option<Number> {
        let (neg, mant, exp) = self.parts();
        let exp = i64::from(exp);
        match (mant, neg) {
            (0, _) => number(false, 1, -MAX_EXP),
            (_, false) => {
                let (m, e) = magnitude_succ(mant, exp)?;
                number(false, m, e)
            }
            (_, true) => {
                let (m, e) = magnitude_pred(mant, exp);
                number(m != 0, m, e)
            }
        }
    }
    fn pred(self) -> Option<Number> {
        negate(self).succ().map(negate)
    }
    fn simple(lo: Number, hi: Number) -> Vec<Number> {
        let mut v: Vec<Number> = [(false, 0), (false, 1), (true, 1)]
            .into_iter()
            .filter_map(|(neg, m)| number(neg, m, 0))
            .collect();
        for scale in 0..=6 {
            if let Some(c) = ceil_at(lo, scale) {
                v.push(c);
                v.extend(c.succ().and_then(|d| ceil_at(d, scale)));
            }
            if let Some(c) = floor_at(hi, scale) {
                v.push(c);
                v.extend(c.pred().and_then(|d| floor_at(d, scale)));
            }
        }
        v.push(lo);
        v.push(hi);
        // Shortest text first: the simplest value a reader can check.
        v.sort_by_cached_key(|x| (x.to_string().len(), *x));
        v
    }
}

const NANOS: u32 = 1_000_000_000;
const DAY: i64 = 86_400;

impl Ordered for Instant {
    fn least() -> Instant {
        Instant::MIN
    }
    fn greatest() -> Instant {
        Instant::MAX
    }
    fn succ(self) -> Option<Instant> {
        let (s, n) = self.parts();
        if n + 1 < NANOS {
            Instant::from_parts(s, n + 1)
        } else {
            Instant::from_parts(s.checked_add(1)?, 0)
        }
    }
    fn pred(self) -> Option<Instant> {
        let (s, n) = self.parts();
        match n.checked_sub(1) {
            Some(n) => Instant::from_parts(s, n),
            None => Instant::from_parts(s.checked_sub(1)?, NANOS - 1),
        }
    }
    fn simple(lo: Instant, hi: Instant) -> Vec<Instant> {
        let (ls, ln) = lo.parts();
        let (hs, _) = hi.parts();
        let up_sec = if ln == 0 { ls } else { ls + 1 };
        let up_day =
            up_sec.div_euclid(DAY) * DAY + if up_sec.rem_euclid(DAY) == 0 { 0 } else { DAY };
        let down_day = hs.div_euclid(DAY) * DAY;
        [0, up_day, down_day, up_sec, hs]
            .into_iter()
            .filter_map(|s| Instant::from_parts(s, 0))
            .chain([lo, hi])
            .collect()
    }
}

/// Spellings of a number that all read back as `x`: the canonical text first, then
/// forms that avoid being read as a date (an exponent) or as base64 (a point).
pub(crate) fn number_spellings(x: Number) -> Vec<String> {
    let s = x.to_string();
    let (mant, exp) = match s.split_once('e') {
        Some((m, e)) => (m.to_string(), Some(e.to_string())),
        None => (s.clone(), None),
    };
    let pointed = if mant.contains('.') {
        mant.clone()
    } else {
        format!("{mant}.0")
    };
    let mut v = vec![s.clone()];
    match exp {
        Some(e) => v.push(format!("{pointed}e{e}")),
        None => {
            v.push(format!("{s}e0"));
            v.push(pointed.clone());
            v.push(format!("{pointed}e0"));
        }
    }
    v.dedup();
    v
}

/// Spellings of an instant that all read back as `t`: RFC 3339 in UTC first, then epoch
/// seconds (which also read as a number).
pub(crate) fn date_spellings(t: Instant) -> Vec<String> {
    let (s, n) = t.parts();
    let epoch = match (s < 0, n) {
        (_, 0) => s.to_string(),
        (false, n) => format!("{s}.{}", format!("{n:09}").trim_end_matches('0')),
        // -1.25 is 2 seconds before the epoch plus 0.75: invert the evaluator's rule.
        (true, n) => format!(
            "-{}.{}",
            -(s + 1),
            format!("{:09}", NANOS - n).trim_end_matches('0')
        ),
    };
    vec![t.to_string(), epoch]
}

#[cfg(test)]
mod tests {
    use super::super::super::deps::{parse_date, parse_number};
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> Number {
        parse_number(s).unwrap()
    }

    #[test]
    fn successors_at_the_edges() {
        assert_eq!(n("0").succ(), Some(n("1e-10000")));
        assert_eq!(n("1e-10000").pred(), Some(n("0")));
        assert_eq!(
            n("1").succ(),
            Some(n("1.0000000000000000000000000000000000001"))
        );
        assert_eq!(
            n("1").pred(),
            Some(n("0.99999999999999999999999999999999999999"))
        );
        assert_eq!(
            n("-1").succ(),
            Some(n("-0.99999999999999999999999999999999999999"))
        );
        assert_eq!(Number::greatest().succ(), None);
        assert_eq!(Number::least().pred(), None);
        assert_eq!(
            n("99999999999999999999999999999999999999").succ(),
            Some(n("1e38"))
        );
        assert_eq!(Instant::MAX.succ(), None);
        assert_eq!(Instant::MIN.pred(), None);
    }

    #[test]
    fn order_table() {
        use Cmp::*;
        let x = |c: &[(Cmp, &str, bool)]| -> Result<String, Vec<usize>> {
            let cons: Vec<(Cmp, Number, bool)> = c.iter().map(|&(k, v, h)| (k, n(v), h)).collect();
            solve(&cons).map(|v| v.to_string())
        };
        assert_eq!(x(&[]), Ok("0".into()));
        assert_eq!(x(&[(Gt, "5", true)]), Ok("6".into()));
        assert_eq!(x(&[(Gt, "5", true), (Lt, "5.5", true)]), Ok("5.1".into()));
        assert_eq!(x(&[(Gt, "5", true), (Lt, "5", true)]), Err(vec![0, 1]));
        assert_eq!(
            x(&[(Ge, "5", true), (Le, "5", true), (Eq, "5", false)]),
            Err(vec![0, 1, 2])
        );
        assert_eq!(x(&[(Lt, "0", false), (Eq, "0", false)]), Ok("1".into()));
        // Nothing lies strictly between 1 and its successor.
        assert!(x(&[
            (Gt, "1", true),
            (Lt, "1.0000000000000000000000000000000000001", true)
        ])
        .is_err());
        assert!(x(&[(Gt, "99999999999999999999999999999999999999e10000", true)]).is_err());
        // Excluded points are skipped, finitely often.
        assert_eq!(
            x(&[
                (Ge, "1e-10000", true),
                (Le, "3e-10000", true),
                (Eq, "1e-10000", false),
                (Eq, "2e-10000", false)
            ]),
            Ok("3e-10000".into())
        );
        let d = |s: &str| parse_date(s).unwrap();
        let got = solve(&[(Gt, d("2024-06-15T12:00:00Z"), true)]).unwrap();
        assert_eq!(got.to_string(), "2024-06-16T00:00:00Z");
        let got = solve(&[
            (Gt, d("2024-06-15T12:00:00Z"), true),
            (Lt, d("2024-06-15T12:00:01Z"), true),
        ])
        .unwrap();
        assert_eq!(got.to_string(), "2024-06-15T12:00:00.000000001Z");
    }

    fn number() -> impl Strategy<Value = Number> {
        (
            any::<bool>(),
            prop_oneof![0u128..1000, 0u128..=MAX_MANT],
            prop_oneof![-50i64..50, -10_000i64..-9_960, 9_960i64..10_000],
        )
            .prop_filter_map("in range", |(neg, m, e)| Number::from_parts(neg, m, e))
    }

    fn instant() -> impl Strategy<Value = Instant> {
        (
            Instant::MIN.parts().0..=Instant::MAX.parts().0,
            prop_oneof![Just(0u32), 0u32..NANOS],
        )
            .prop_filter_map("in range", |(s, n)| Instant::from_parts(s, n))
    }

    proptest! {
        #[test]
        fn number_successor_is_the_next_value(a in number(), b in number()) {
            if let Some(s) = a.succ() {
                prop_assert!(s > a);
                prop_assert_eq!(s.pred(), Some(a));
                if a < b {
                    prop_assert!(s <= b, "{} < {} < {}", a, b, s);
                }
            }
            // The text round-trips through the evaluator's parser.
            for spelling in number_spellings(a) {
                prop_assert_eq!(parse_number(&spelling), Some(a), "{}", spelling);
            }
        }

        #[test]
        fn instant_spellings_round_trip(t in instant()) {
            for spelling in date_spellings(t) {
                prop_assert_eq!(parse_date(&spelling), Some(t), "{}", spelling);
            }
            if let Some(s) = t.succ() {
                prop_assert_eq!(s.pred(), Some(t));
            }
        }

        /// Against enumeration on a small integer range: the witness satisfies every
        /// constraint, and failure means no integer in the range does (the constants
        /// are integers, so an empty integer range with the domain's values between
        /// integers is impossible only when the bounds cross).
        #[test]
        fn agrees_with_enumeration(cons in prop::collection::vec(
            (prop::sample::select(&[Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge, Cmp::Eq][..]), -3i64..4, any::<bool>()),
            0..5,
        )) {
            let typed: Vec<(Cmp, Number, bool)> = cons.iter().map(|&(k, v, h)| (k, n(&v.to_string()), h)).collect();
            let ok = |x: Number| typed.iter().all(|&(k, c, h)| k.holds(x.cmp(&c)) == h);
            match solve(&typed) {
                Ok(x) => prop_assert!(ok(x)),
                Err(core) => {
                    // The core alone is inconsistent: no value in a fine grid satisfies it.
                    let sub: Vec<_> = core.iter().map(|&i| typed[i]).collect();
                    for tenths in -50i64..=50 {
                        let x = n(&format!("{tenths}e-1"));
                        prop_assert!(!sub.iter().all(|&(k, c, h)| k.holds(x.cmp(&c)) == h), "{}", x);
                    }
                }
            }
        }
    }
}
