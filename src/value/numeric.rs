//! Values of the `Numeric*` condition operators, compared as exact decimals.
//!
//! AWS: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric>
//!
//! Accepted syntax (the JSON number grammar, RFC 8259 §6, except that leading zeros are
//! allowed): an optional `-`, one or more digits, an optional `.` followed by one or more
//! digits, and an optional `e`/`E` exponent with an optional sign. Everything else is
//! rejected, so a value the evaluator cannot judge is reported rather than guessed:
//! - a leading `+`, `1.` and `.5`: JSON does not allow them and the AWS examples never use
//!   them;
//! - spaces, hex, `NaN`, `Infinity`.
//!
//! Limits, so every value fits an `i128`-sized mantissa and comparisons never overflow:
//! at most 38 significant digits (leading and trailing zeros do not count), and once
//! trailing zeros are folded into the exponent, `|exponent| <= 10000`. Zero is exempt
//! from the exponent limit (`0e99999` is zero).

use std::cmp::Ordering;
use std::fmt;

/// Most significant digits a [`Number`] holds: `10^38 - 1` is the largest such
/// mantissa and fits in a `u128` (whose maximum is about `3.4 × 10^38`).
const MAX_DIGITS: u64 = 38;

/// Largest magnitude of the normalized decimal exponent.
const MAX_EXPONENT: i64 = 10_000;

/// Written exponents are accumulated up to this cap; any larger value is out of range
/// anyway, and capping keeps the arithmetic on huge inputs overflow-free.
const EXPONENT_CAP: i64 = 1_000_000_000;

/// An exact decimal number: `(-1)^neg × mant × 10^exp`.
///
/// INVARIANT: normalized, so the derived equality is numeric equality: `mant` has no
/// trailing decimal zero, at most [`MAX_DIGITS`] digits, `|exp| <= MAX_EXPONENT`, and zero
/// is exactly `{ neg: false, mant: 0, exp: 0 }` (so `-0 == 0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Number {
    neg: bool,
    mant: u128,
    exp: i32,
}

impl Number {
    const ZERO: Number = Number {
        neg: false,
        mant: 0,
        exp: 0,
    };

    /// The largest number: 38 nines times `10^10000`.
    pub(crate) const MAX: Number = Number {
        neg: false,
        mant: 10u128.pow(MAX_DIGITS as u32) - 1,
        exp: MAX_EXPONENT as i32,
    };
    /// The smallest number: the negation of [`Number::MAX`].
    pub(crate) const MIN: Number = Number {
        neg: true,
        mant: 10u128.pow(MAX_DIGITS as u32) - 1,
        exp: MAX_EXPONENT as i32,
    };

    /// The sign, mantissa and exponent: the value is `(-1)^neg × mant × 10^exp`, normalized
    /// as the type's invariant says.
    pub(crate) fn parts(self) -> (bool, u128, i32) {
        (self.neg, self.mant, self.exp)
    }

    /// The number `(-1)^neg × mant × 10^exp`, normalized; `None` when it has more than
    /// 38 significant digits or its normalized exponent is out of range.
    pub(crate) fn from_parts(neg: bool, mut mant: u128, mut exp: i64) -> Option<Number> {
        if mant == 0 {
            return Some(Number::ZERO);
        }
        while mant % 10 == 0 {
            mant /= 10;
            exp = exp.checked_add(1)?;
        }
        if u64::from(decimal_digits(mant)) > MAX_DIGITS
            || !(-MAX_EXPONENT..=MAX_EXPONENT).contains(&exp)
        {
            return None;
        }
        Some(Number {
            neg,
            mant,
            exp: i32::try_from(exp).ok()?,
        })
    }

    fn signum(self) -> i8 {
        match (self.mant, self.neg) {
            (0, _) => 0,
            (_, true) => -1,
            (_, false) => 1,
        }
    }

    /// Compares `|self|` with `|other|`, both non-zero.
    fn cmp_magnitude(self, other: Number) -> Ordering {
        let da = decimal_digits(self.mant);
        let db = decimal_digits(other.mant);
        // The position of the leading digit decides unless it is the same for both.
        let lead_a = i64::from(self.exp) + i64::from(da);
        let lead_b = i64::from(other.exp) + i64::from(db);
        if lead_a != lead_b {
            return lead_a.cmp(&lead_b);
        }
        // Same leading position: left-align the mantissas. Both have at most 38 digits,
        // so the scaled one stays below 10^38 and fits in a u128.
        let (a, b) = match da.cmp(&db) {
            Ordering::Less => (scale(self.mant, db - da), Some(other.mant)),
            Ordering::Greater => (Some(self.mant), scale(other.mant, da - db)),
            Ordering::Equal => (Some(self.mant), Some(other.mant)),
        };
        match (a, b) {
            (Some(a), Some(b)) => a.cmp(&b),
            // Unreachable by the INVARIANT on the digit count; the unscaled side is the
            // one with more digits, which is then the larger.
            (None, _) => Ordering::Greater,
            (_, None) => Ordering::Less,
        }
    }
}

/// Number of decimal digits of a non-zero `n` (1 for zero).
fn decimal_digits(n: u128) -> u32 {
    n.checked_ilog10().map_or(1, |l| l + 1)
}

fn scale(n: u128, by: u32) -> Option<u128> {
    10u128.checked_pow(by).and_then(|p| n.checked_mul(p))
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        let (sa, sb) = (self.signum(), other.signum());
        if sa != sb {
            return sa.cmp(&sb);
        }
        match sa {
            0 => Ordering::Equal,
            1 => self.cmp_magnitude(*other),
            _ => other.cmp_magnitude(*self),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Number {
    /// Plain decimal notation while the exponent is within ±38, `<mantissa>e<exp>`
    /// beyond; either form parses back to the same number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.neg {
            f.write_str("-")?;
        }
        let exp = self.exp;
        if (0..=38).contains(&exp) {
            write!(f, "{}", self.mant)?;
            if self.mant != 0 {
                for _ in 0..exp {
                    f.write_str("0")?;
                }
            }
            return Ok(());
        }
        let frac_digits = exp.unsigned_abs();
        match 10u128.checked_pow(frac_digits) {
            Some(p) if exp < 0 => {
                let width = usize::try_from(frac_digits).map_err(|_| fmt::Error)?;
                // No trailing zero appears: the mantissa has none by the INVARIANT.
                write!(f, "{}.{:0width$}", self.mant / p, self.mant % p)
            }
            _ => write!(f, "{}e{}", self.mant, exp),
        }
    }
}

/// Splits off the leading run of ASCII digits.
fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    s.split_at_checked(n).unwrap_or((s, &[]))
}

/// Parses the part after `e`/`E`: an optional sign and one or more digits, nothing after.
fn parse_exponent(s: &[u8]) -> Result<i64, &'static str> {
    let (neg, rest) = match s.split_first() {
        Some((b'-', r)) => (true, r),
        Some((b'+', r)) => (false, r),
        _ => (false, s),
    };
    let (digits, rest) = split_digits(rest);
    if digits.is_empty() || !rest.is_empty() {
        return Err("not a number");
    }
    let magnitude = digits.iter().fold(0i64, |acc, d| {
        acc.saturating_mul(10)
            .saturating_add(i64::from(d - b'0'))
            .min(EXPONENT_CAP)
    });
    Ok(if neg { -magnitude } else { magnitude })
}

/// Parses a condition value as an exact decimal. Allocation-free; used on request values.
///
/// # Errors
///
/// When `s` is not a number in the accepted syntax (see the module docs), has more than
/// 38 significant digits, or its exponent is out of range.
pub(crate) fn parse(s: &str) -> Result<Number, &'static str> {
    let bytes = s.as_bytes();
    let (neg, rest) = match bytes.split_first() {
        Some((b'-', r)) => (true, r),
        _ => (false, bytes),
    };
    let (int, rest) = split_digits(rest);
    if int.is_empty() {
        return Err("not a number");
    }
    let (frac, rest) = match rest.split_first() {
        Some((b'.', r)) => {
            let (frac, r) = split_digits(r);
            if frac.is_empty() {
                return Err("not a number");
            }
            (frac, r)
        }
        _ => (&[][..], rest),
    };
    let written_exp = match rest.split_first() {
        None => 0,
        Some((b'e' | b'E', r)) => parse_exponent(r)?,
        Some(_) => return Err("not a number"),
    };

    let mut mant: u128 = 0;
    let mut digits: u64 = 0;
    // Zeros seen since the last non-zero digit: folded into the mantissa only when another
    // non-zero digit follows, otherwise into the exponent.
    let mut zeros: u64 = 0;
    for &d in int.iter().chain(frac) {
        let d = d - b'0';
        if d == 0 {
            if mant != 0 {
                zeros = zeros.saturating_add(1);
            }
            continue;
        }
        digits = digits.saturating_add(zeros).saturating_add(1);
        if digits > MAX_DIGITS {
            return Err("too many significant digits (at most 38)");
        }
        let shift = u32::try_from(zeros).map_err(|_| "too many significant digits (at most 38)")?;
        mant = scale(mant, shift.saturating_add(1))
            .and_then(|m| m.checked_add(u128::from(d)))
            .ok_or("too many significant digits (at most 38)")?;
        zeros = 0;
    }
    if mant == 0 {
        return Ok(Number::ZERO);
    }
    let frac_len = i64::try_from(frac.len()).map_err(|_| "exponent out of range")?;
    let trailing = i64::try_from(zeros).map_err(|_| "exponent out of range")?;
    let exp = written_exp
        .saturating_sub(frac_len)
        .saturating_add(trailing);
    if !(-MAX_EXPONENT..=MAX_EXPONENT).contains(&exp) {
        return Err("exponent out of range (at most 10000 in magnitude)");
    }
    let exp = i32::try_from(exp).map_err(|_| "exponent out of range")?;
    Ok(Number { neg, mant, exp })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> Number {
        parse(s).unwrap_or_else(|e| panic!("`{s}` should parse: {e}"))
    }

    #[test]
    fn numeric_table() {
        use Ordering::{Equal as Eq, Greater as Gt, Less as Lt};
        // (left, right, expected ordering, rule pinned)
        let cmp_rows: &[(&str, &str, Ordering, &str)] = &[
            ("10.5", "10.50", Eq, "trailing fraction zeros do not matter"),
            ("-0", "0", Eq, "negative zero is zero"),
            ("0.000", "0e5", Eq, "every zero spelling is zero"),
            ("007", "7", Eq, "leading zeros are allowed"),
            (
                "9007199254740993",
                "9007199254740992",
                Gt,
                "exact beyond f64's 2^53",
            ),
            (
                "99999999999999999999999999999999999999",
                "99999999999999999999999999999999999998",
                Gt,
                "38 significant digits compare exactly",
            ),
            ("1e3", "1000", Eq, "exponent notation"),
            ("1E3", "1000.0", Eq, "uppercase exponent"),
            ("1.5e+2", "150", Eq, "explicit positive exponent sign"),
            ("25e-1", "2.5", Eq, "negative exponent"),
            (
                "1e10000",
                "5",
                Gt,
                "huge exponent compares without overflow",
            ),
            ("1e-10000", "0", Gt, "tiny positive is above zero"),
            (
                "-1e10000",
                "-5",
                Lt,
                "huge negative is below small negative",
            ),
            ("-3", "2", Lt, "sign decides first"),
            ("-3", "-2", Lt, "negatives compare by reversed magnitude"),
            ("0.1", "0.09", Gt, "leading position decides"),
            ("123", "1230e-1", Eq, "same value, different exponents"),
            (
                "1.0000000000000000000000000000000000001",
                "1",
                Gt,
                "38 digits across the point",
            ),
        ];
        for &(a, b, want, rule) in cmp_rows {
            assert_eq!(n(a).cmp(&n(b)), want, "{a} vs {b}: {rule}");
            assert_eq!(n(b).cmp(&n(a)), want.reverse(), "{b} vs {a}: {rule}");
        }

        // (input, accepted, rule pinned)
        let parse_rows: &[(&str, bool, &str)] = &[
            ("0", true, "zero"),
            ("-12.75", true, "negative decimal"),
            (
                "1000000000000000000000000000000000000000000000000",
                true,
                "trailing zeros are not significant",
            ),
            ("", false, "empty"),
            (" 1", false, "leading space"),
            ("1 ", false, "trailing space"),
            ("+1", false, "leading plus is rejected"),
            ("1.", false, "a point needs fraction digits"),
            (".5", false, "a point needs integer digits"),
            ("0x10", false, "no hex"),
            ("NaN", false, "no NaN"),
            ("Infinity", false, "no infinity"),
            ("-", false, "sign alone"),
            ("1e", false, "exponent needs digits"),
            ("1e+", false, "exponent sign needs digits"),
            ("1e5x", false, "garbage after exponent"),
            ("1.2.3", false, "two points"),
            ("--1", false, "two signs"),
            ("١", false, "non-ASCII digit"),
            (
                "123456789012345678901234567890123456789",
                false,
                "39 significant digits",
            ),
            (
                "1.00000000000000000000000000000000000001",
                false,
                "39 significant digits across the point",
            ),
            ("1e10001", false, "exponent above the limit"),
            ("1e-10001", false, "exponent below the limit"),
            ("10e10000", false, "limit applies after normalization"),
            (
                "0e99999999999999999999999",
                true,
                "zero ignores the exponent limit",
            ),
            (
                "1e99999999999999999999999",
                false,
                "huge written exponent does not overflow",
            ),
        ];
        for &(s, ok, rule) in parse_rows {
            assert_eq!(parse(s).is_ok(), ok, "`{s}`: {rule}");
        }

        // (input, display, rule pinned)
        let display_rows: &[(&str, &str, &str)] = &[
            ("-0", "0", "zero has one form"),
            ("10.50", "10.5", "trailing zeros dropped"),
            ("1e3", "1000", "small exponent written out"),
            ("-0.0025", "-0.0025", "leading fraction zeros kept"),
            ("1e39", "1e39", "large exponent stays scientific"),
            ("12e-40", "12e-40", "tiny stays scientific"),
        ];
        for &(s, want, rule) in display_rows {
            assert_eq!(n(s).to_string(), want, "`{s}`: {rule}");
        }
    }

    proptest! {
        #[test]
        fn ord_agrees_with_i64(a: i64, b: i64) {
            prop_assert_eq!(n(&a.to_string()).cmp(&n(&b.to_string())), a.cmp(&b));
        }

        #[test]
        fn display_round_trips(mant in 0u128..10u128.pow(38), exp in -10_000i32..=10_000, neg: bool) {
            let s = format!("{}{mant}e{exp}", if neg { "-" } else { "" });
            if let Ok(x) = parse(&s) {
                prop_assert_eq!(parse(&x.to_string()), Ok(x));
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC*|[-+0-9.eE]{0,60}") {
            let _ = parse(&s);
        }
    }
}
