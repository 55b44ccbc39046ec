//! Values of the `Date*` condition operators.
//!
//! AWS: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date>
//! ("dates ... in ISO 8601 format or epoch (UNIX) time"), with ISO 8601 read as the W3C
//! profile AWS cites: <https://www.w3.org/TR/NOTE-datetime>.
//!
//! Accepted forms:
//! - `YYYY`, `YYYY-MM`, `YYYY-MM-DD`: midnight UTC of the first day they name;
//! - `YYYY-MM-DDThh:mm`, `…:ss`, `…:ss.s…`, then a time zone `Z`, `+hh:mm`, `-hh:mm` or
//!   `+hhmm`/`-hhmm`. Any number of fraction digits; digits past nanoseconds are truncated.
//!   A lowercase `t`/`z` is accepted (RFC 3339 §5.6 allows it). A missing time zone means
//!   UTC: AWS request times are UTC, and local time has no meaning for an offline evaluator;
//! - epoch seconds: an optional `-`, digits, optionally a `.` and fraction digits.
//!   A bare 4-digit string is a year (`2024`), never epoch seconds: the W3C `YYYY` form
//!   wins, since a year is what a policy author writing four digits means.
//!
//! Ranges: month 1–12, day within the month (proleptic Gregorian leap years), hour 0–23
//! (`24:00` is rejected, as the W3C profile allows only 00–23), minute 0–59, second 0–60.
//! Second 60 is a leap second (RFC 3339 §5.7); Unix time has no leap seconds, so it is
//! counted as the first second of the next minute, as POSIX `mktime` normalizes it.
//! Every instant must lie in years 0000–9999 UTC, so it prints back as RFC 3339.

use std::fmt;

const NANOS_PER_SEC: u32 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;
/// 0000-01-01T00:00:00Z.
const MIN_SECS: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z.
const MAX_SECS: i64 = 253_402_300_799;

/// A point in time, UTC, nanosecond precision.
///
/// INVARIANT: `nanos < 1_000_000_000` and `MIN_SECS <= secs <= MAX_SECS`, so the derived
/// order (seconds, then nanoseconds) is chronological and Display always has 4-digit years.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Instant {
    secs: i64,
    nanos: u32,
}

impl Instant {
    /// The earliest instant: 0000-01-01T00:00:00Z.
    pub(crate) const MIN: Instant = Instant {
        secs: MIN_SECS,
        nanos: 0,
    };
    /// The latest instant: 9999-12-31T23:59:59.999999999Z.
    pub(crate) const MAX: Instant = Instant {
        secs: MAX_SECS,
        nanos: NANOS_PER_SEC - 1,
    };

    /// Seconds since the Unix epoch (negative before it) and nanoseconds after that second.
    pub(crate) fn parts(self) -> (i64, u32) {
        (self.secs, self.nanos)
    }

    /// The instant `secs` seconds after the Unix epoch plus `nanos` nanoseconds; `None`
    /// outside years 0000–9999 or when `nanos` is a second or more.
    pub(crate) fn from_parts(secs: i64, nanos: u32) -> Option<Instant> {
        Instant::new(secs, nanos).ok()
    }

    fn new(secs: i64, nanos: u32) -> Result<Instant, &'static str> {
        if (MIN_SECS..=MAX_SECS).contains(&secs) && nanos < NANOS_PER_SEC {
            Ok(Instant { secs, nanos })
        } else {
            Err("date out of range (years 0000 to 9999)")
        }
    }
}

impl fmt::Display for Instant {
    /// RFC 3339 in UTC; a fraction only when non-zero, without trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = civil_from_days(self.secs.div_euclid(SECS_PER_DAY));
        let sod = self.secs.rem_euclid(SECS_PER_DAY);
        let (h, m, s) = (sod / 3600, sod / 60 % 60, sod % 60);
        write!(f, "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}")?;
        if self.nanos != 0 {
            let (mut frac, mut width) = (self.nanos, 9usize);
            while frac % 10 == 0 {
                frac /= 10;
                width = width.saturating_sub(1);
            }
            write!(f, ".{frac:0width$}")?;
        }
        f.write_str("Z")
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date; Howard Hinnant's algorithm
/// (<https://howardhinnant.github.io/date_algorithms.html#days_from_civil>), which counts
/// years from March so the leap day falls at the end of its year.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A forward-only reader over the input bytes.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn eat(&mut self, want: u8) -> bool {
        match self.0.split_first() {
            Some((&b, rest)) if b == want => {
                self.0 = rest;
                true
            }
            _ => false,
        }
    }

    fn eat_any(&mut self, want: &[u8]) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        want.contains(&b).then(|| {
            self.0 = rest;
            b
        })
    }

    fn digit(&mut self) -> Option<u32> {
        let (&b, rest) = self.0.split_first()?;
        b.is_ascii_digit().then(|| {
            self.0 = rest;
            u32::from(b - b'0')
        })
    }

    /// Exactly `n` digits (n ≤ 4 here, so no overflow).
    fn fixed(&mut self, n: usize) -> Result<u32, &'static str> {
        (0..n).try_fold(0u32, |acc, _| {
            self.digit().map(|d| acc * 10 + d).ok_or(NOT_A_DATE)
        })
    }

    /// One or more fraction digits as nanoseconds, truncated past the ninth digit.
    fn fraction(&mut self) -> Result<u32, &'static str> {
        let (mut nanos, mut kept) = (0u32, 0u32);
        let mut any = false;
        while let Some(d) = self.digit() {
            any = true;
            if kept < 9 {
                nanos = nanos * 10 + d;
                kept += 1;
            }
        }
        if !any {
            return Err(NOT_A_DATE);
        }
        Ok(nanos * 10u32.pow(9 - kept))
    }

    fn ranged(&mut self, n: usize, max: u32, err: &'static str) -> Result<u32, &'static str> {
        let v = self.fixed(n)?;
        if v > max {
            return Err(err);
        }
        Ok(v)
    }
}

const NOT_A_DATE: &str =
    "not a date (expected ISO 8601 like `2024-06-15T12:00:00Z` or epoch seconds)";

/// Parses a condition value as an instant. Allocation-free; used on request values.
///
/// # Errors
///
/// When `s` is in none of the accepted forms (see the module docs), a field is out of
/// range, or the instant lies outside years 0000–9999 UTC.
pub(crate) fn parse(s: &str) -> Result<Instant, &'static str> {
    let b = s.as_bytes();
    let is_year = b.len() == 4 && b.iter().all(u8::is_ascii_digit);
    if is_year || b.get(4) == Some(&b'-') {
        parse_iso(b)
    } else {
        parse_epoch(b)
    }
}

fn parse_iso(b: &[u8]) -> Result<Instant, &'static str> {
    let mut c = Cursor(b);
    let year = i64::from(c.fixed(4)?);
    let (mut month, mut day) = (1, 1);
    let (mut hour, mut minute, mut second, mut nanos, mut offset) = (0, 0, 0, 0, 0i64);
    if c.eat(b'-') {
        month = c.fixed(2)?;
        if !(1..=12).contains(&month) {
            return Err("month out of range");
        }
        if c.eat(b'-') {
            day = c.fixed(2)?;
            if !(1..=days_in_month(year, month)).contains(&day) {
                return Err("day out of range for the month");
            }
            if c.eat_any(b"Tt").is_some() {
                hour = c.ranged(2, 23, "hour out of range")?;
                if !c.eat(b':') {
                    return Err(NOT_A_DATE);
                }
                minute = c.ranged(2, 59, "minute out of range")?;
                if c.eat(b':') {
                    second = c.ranged(2, 60, "second out of range")?;
                    if c.eat(b'.') {
                        nanos = c.fraction()?;
                    }
                }
                offset = time_zone(&mut c)?;
            }
        }
    }
    if !c.0.is_empty() {
        return Err(NOT_A_DATE);
    }
    let secs = days_from_civil(year, month, day) * SECS_PER_DAY
        + i64::from(hour * 3600 + minute * 60 + second)
        - offset;
    Instant::new(secs, nanos)
}

/// The offset east of UTC in seconds; none means UTC.
fn time_zone(c: &mut Cursor<'_>) -> Result<i64, &'static str> {
    if c.0.is_empty() || c.eat_any(b"Zz").is_some() {
        return Ok(0);
    }
    let sign = match c.eat_any(b"+-") {
        Some(b'-') => -1,
        Some(_) => 1,
        None => return Err(NOT_A_DATE),
    };
    let hours = c.ranged(2, 23, "time zone offset out of range")?;
    c.eat(b':');
    let minutes = c.ranged(2, 59, "time zone offset out of range")?;
    Ok(sign * i64::from(hours * 3600 + minutes * 60))
}

fn parse_epoch(b: &[u8]) -> Result<Instant, &'static str> {
    let mut c = Cursor(b);
    let neg = c.eat(b'-');
    let mut secs: i64 = 0;
    let mut any = false;
    while let Some(d) = c.digit() {
        any = true;
        // Saturating is enough: anything past i64 is far outside the accepted range.
        secs = secs.saturating_mul(10).saturating_add(i64::from(d));
    }
    if !any {
        return Err(NOT_A_DATE);
    }
    let nanos = if c.eat(b'.') { c.fraction()? } else { 0 };
    if !c.0.is_empty() {
        return Err(NOT_A_DATE);
    }
    match (neg, nanos) {
        (false, _) => Instant::new(secs, nanos),
        (true, 0) => Instant::new(-secs, 0),
        // -1.25 is 2 seconds before the epoch plus 0.75 seconds.
        (true, _) => Instant::new(-secs - 1, NANOS_PER_SEC - nanos),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Instant {
        parse(s).unwrap_or_else(|e| panic!("`{s}` should parse: {e}"))
    }

    #[test]
    fn date_table() {
        // (left, right, rule pinned): both parse to the same instant
        let equal_rows: &[(&str, &str, &str)] = &[
            (
                "2024-06-15T14:00:00+02:00",
                "2024-06-15T12:00:00Z",
                "positive offset",
            ),
            (
                "2024-06-15T07:30:00-04:30",
                "2024-06-15T12:00:00Z",
                "negative offset with minutes",
            ),
            (
                "2024-06-15T14:00:00+0200",
                "2024-06-15T12:00:00Z",
                "offset without colon",
            ),
            (
                "2024-06-15T12:00:00",
                "2024-06-15T12:00:00Z",
                "missing zone is UTC",
            ),
            (
                "2024-06-15t12:00:00z",
                "2024-06-15T12:00:00Z",
                "lowercase t and z",
            ),
            (
                "2024-06-15T12:00Z",
                "2024-06-15T12:00:00Z",
                "minutes precision",
            ),
            ("2024", "2024-01-01T00:00:00Z", "year only"),
            ("2024-06", "2024-06-01T00:00:00Z", "year and month"),
            (
                "2024-06-01",
                "2024-06-01T00:00:00Z",
                "date only is midnight UTC",
            ),
            (
                "1717200000",
                "2024-06-01T00:00:00Z",
                "epoch seconds equal ISO",
            ),
            ("0", "1970-01-01T00:00:00Z", "epoch zero"),
            ("-1", "1969-12-31T23:59:59Z", "negative epoch"),
            (
                "-1.25",
                "1969-12-31T23:59:58.75Z",
                "negative epoch with fraction",
            ),
            (
                "1717200000.5",
                "2024-06-01T00:00:00.5Z",
                "epoch with fraction",
            ),
            (
                "2024-06-01T00:00:00.1234567899Z",
                "2024-06-01T00:00:00.123456789Z",
                "fraction truncated to nanoseconds",
            ),
            (
                "2024-06-01T00:00:00.10Z",
                "2024-06-01T00:00:00.1Z",
                "fraction trailing zeros",
            ),
            (
                "2016-12-31T23:59:60Z",
                "2017-01-01T00:00:00Z",
                "leap second folds into next second",
            ),
        ];
        for &(a, b, rule) in equal_rows {
            assert_eq!(d(a), d(b), "{a} vs {b}: {rule}");
        }

        // (input, accepted, rule pinned)
        let parse_rows: &[(&str, bool, &str)] = &[
            ("2024-02-29", true, "leap day in a leap year"),
            ("2023-02-29", false, "no leap day in a common year"),
            ("2000-02-29", true, "400-year rule leap day"),
            ("1900-02-29", false, "100-year rule: not a leap year"),
            ("2024-04-31", false, "April has 30 days"),
            ("2024-13-01", false, "month 13"),
            ("2024-00-01", false, "month 0"),
            ("2024-01-00", false, "day 0"),
            ("2024-06-15T24:00:00Z", false, "hour 24 rejected"),
            ("2024-06-15T12:60:00Z", false, "minute 60"),
            ("2024-06-15T12:00:61Z", false, "second 61"),
            ("2024-06-15T12:00:00+24:00", false, "offset hour 24"),
            ("2024-06-15T12:00:00+02", false, "offset needs minutes"),
            ("2024-06-15T12:00:00.Z", false, "fraction needs digits"),
            ("2024-06-15T12Z", false, "hour alone"),
            ("2024-06-15T", false, "T needs a time"),
            ("2024-06-15 12:00:00Z", false, "space separator"),
            ("2024-6-15", false, "two-digit month"),
            ("24-06-15", false, "four-digit year"),
            ("2024-06-15T12:00:00ZZ", false, "trailing garbage"),
            ("", false, "empty"),
            ("-", false, "sign alone"),
            ("+1717200000", false, "epoch plus sign"),
            ("1717200000.", false, "epoch fraction needs digits"),
            ("1e9", false, "epoch exponent"),
            (
                "99999999999999999999999999",
                false,
                "epoch beyond range does not overflow",
            ),
            ("253402300800", false, "epoch past year 9999"),
            (
                "0000-01-01T00:00:00+01:00",
                false,
                "offset before year 0000",
            ),
            ("0000-01-01T00:00:00Z", true, "year 0000"),
            ("9999-12-31T23:59:59.999999999Z", true, "last instant"),
            ("２０２４", false, "non-ASCII digits"),
        ];
        for &(s, ok, rule) in parse_rows {
            assert_eq!(parse(s).is_ok(), ok, "`{s}`: {rule}");
        }

        // (earlier, later, rule pinned)
        let order_rows: &[(&str, &str, &str)] = &[
            (
                "2024-06-15T12:00:00Z",
                "2024-06-15T12:00:00.000000001Z",
                "nanoseconds order",
            ),
            (
                "2024-06-15T13:00:00+02:00",
                "2024-06-15T12:00:00Z",
                "offset shifts the instant",
            ),
            ("-0.5", "0", "negative fraction before the epoch"),
            ("2024", "2024-01-01T00:00:01Z", "year is its first instant"),
        ];
        for &(a, b, rule) in order_rows {
            assert!(d(a) < d(b), "{a} < {b}: {rule}");
        }

        // (input, display, rule pinned)
        let display_rows: &[(&str, &str, &str)] = &[
            (
                "2024-06-15T14:00:00+02:00",
                "2024-06-15T12:00:00Z",
                "displayed in UTC",
            ),
            ("-1.25", "1969-12-31T23:59:58.75Z", "fraction trimmed"),
            (
                "0000-01-01",
                "0000-01-01T00:00:00Z",
                "year padded to four digits",
            ),
        ];
        for &(s, want, rule) in display_rows {
            assert_eq!(d(s).to_string(), want, "`{s}`: {rule}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*|[-+0-9.:TZtz]{0,40}") {
            if let Ok(x) = parse(&s) {
                prop_assert_eq!(parse(&x.to_string()), Ok(x));
            }
        }

        #[test]
        fn display_round_trips(secs in MIN_SECS..=MAX_SECS, nanos in 0..NANOS_PER_SEC) {
            let x = Instant { secs, nanos };
            prop_assert_eq!(parse(&x.to_string()), Ok(x));
            let epoch = if nanos == 0 { format!("{secs}") } else if secs >= 0 {
                format!("{secs}.{nanos:09}")
            } else {
                format!("-{}.{:09}", -secs - 1, NANOS_PER_SEC - nanos)
            };
            if !(epoch.len() == 4 && epoch.bytes().all(|b| b.is_ascii_digit())) {
                prop_assert_eq!(parse(&epoch), Ok(x));
            }
        }

        #[test]
        fn civil_round_trips(days in -719_528i64..=2_932_896) {
            let (y, m, dd) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(y, m as u32, dd as u32), days);
        }
    }
}
