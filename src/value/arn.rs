//! ARN parsing and the `ArnEquals` / `ArnLike` family of condition operators.
//!
//! "Case-sensitive matching of the ARN. Each of the six colon-delimited components of the
//! ARN is checked separately and each can include multi-character match wildcards (*) or
//! single-character match wildcards (?)."
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN>)
//!
//! The components are `arn:partition:service:region:account-id:resource`; the resource is
//! everything after the fifth colon and may itself contain colons
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>). Because each
//! component is matched on its own, a `*` never crosses a component boundary: `arn:aws:*`
//! is not an ARN pattern at all, and `arn:aws:s3:*:*:*` does not match an ARN whose
//! account component is what `*` in the region would have to swallow. `ArnEquals` and
//! `ArnLike` behave identically; both honour wildcards.

use crate::pattern::{Case, Part, Pattern};

/// The components of an ARN after the leading `arn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ArnParts<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub(crate) partition: &'a str,
    /// `s3`, `iam`, …
    pub(crate) service: &'a str,
    /// Empty for global services and S3 buckets.
    pub(crate) region: &'a str,
    /// Empty for S3 buckets.
    pub(crate) account: &'a str,
    /// Everything after the fifth colon, colons included.
    pub(crate) resource: &'a str,
}

/// Splits an ARN into its components. `None` unless `s` starts with `arn:` (case-sensitive)
/// and has at least six colon-separated components. Empty components are accepted:
/// whether they are acceptable is for the pattern to say.
pub(crate) fn split_arn(s: &str) -> Option<ArnParts<'_>> {
    parts_at(s, arn_cuts(s)?)
}

/// Where an ARN's first four colons after `arn:` are (the cuts between its components),
/// `None` if it is not an ARN; see [`split_arn`].
#[inline]
pub(crate) fn arn_cuts(s: &str) -> Option<[usize; 4]> {
    if !s.starts_with("arn:") {
        return None;
    }
    let b = s.as_bytes();
    let mut cuts = [0usize; 4];
    let mut found = 0;
    let mut at = 4;
    // The colons of each run of eight bytes at once: the first four components are
    // short, so the cuts are usually all in the first word or two.
    while at < b.len() {
        let mut colons = colons_in(b, at);
        while colons != 0 {
            let Some(cut) = cuts.get_mut(found) else {
                break;
            };
            *cut = at + (colons.trailing_zeros() / 8) as usize;
            found += 1;
            colons &= colons - 1;
        }
        if found == cuts.len() {
            return Some(cuts);
        }
        at += 8;
    }
    None
}

/// The colons among the (up to) eight bytes of `b` from `at`, one flag per byte.
#[inline(always)]
fn colons_in(b: &[u8], at: usize) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let end = (at + 8).min(b.len());
    let chunk = b.get(at..end).unwrap_or_default();
    let w = match <[u8; 8]>::try_from(chunk) {
        Ok(word) => u64::from_le_bytes(word),
        Err(_) => {
            // A short last run, padded with bytes that are not colons.
            let mut w = !0u64;
            for (k, &byte) in chunk.iter().enumerate() {
                w = (w & !(0xff << (8 * k))) | (u64::from(byte) << (8 * k));
            }
            w
        }
    };
    // Exact per byte: a byte of `(x & 0x7f) + 0x7f` has its high bit set when its low
    // seven bits are not all zero, and no carry leaves a byte.
    let x = w ^ (ONES * u64::from(b':'));
    !(((x & LOWS) + LOWS) | x | LOWS)
}

/// The components of an ARN at the cuts [`arn_cuts`] found (a colon is ASCII, so every
/// cut falls on a character boundary).
#[inline]
pub(crate) fn parts_at(s: &str, [a, b, c, d]: [usize; 4]) -> Option<ArnParts<'_>> {
    Some(ArnParts {
        partition: s.get(4..a)?,
        service: s.get(a + 1..b)?,
        region: s.get(b + 1..c)?,
        account: s.get(c + 1..d)?,
        resource: s.get(d + 1..)?,
    })
}

/// A 12-digit account id as a number, so that accounts compare as integers; `None` for
/// any other text, which names no caller (a caller's account is always 12 digits).
pub(crate) fn account_number(account: &str) -> Option<u64> {
    if account.len() != 12 {
        return None;
    }
    account.bytes().try_fold(0u64, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// A compiled `ArnEquals` / `ArnLike` value: one case-sensitive [`Pattern`] per component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArnPattern {
    source: String,
    partition: Pattern,
    service: Pattern,
    region: Pattern,
    account: Pattern,
    resource: Pattern,
}

impl ArnPattern {
    /// Compiles an ARN pattern.
    ///
    /// `None` when no ARN can match it: it has fewer than six colon-separated components,
    /// or its first component cannot match `arn` (a wildcard there, as in `*:aws:…`, is
    /// accepted when it matches `arn`). Callers decide what an unmatchable value means for
    /// the operator (`ArnLike` false, `ArnNotLike` true) or whether to reject the policy.
    pub(crate) fn new(pattern: &str) -> Option<ArnPattern> {
        ArnPattern::from_parts(&[Part::Wild(pattern)])
    }

    /// Compiles an ARN pattern assembled from pattern text and substituted literal text.
    ///
    /// Only colons in [`Part::Wild`] text separate components: a colon in substituted
    /// text stays inside the component where the variable appears, just as a `*` in it
    /// stays literal. So `arn:aws:s3:::${aws:userid}/*` keeps the role session's
    /// `AROA…:session` inside the resource, and a pattern that is nothing but a variable
    /// (`${aws:PrincipalArn}`) has one component and yields `None`.
    pub(crate) fn from_parts(parts: &[Part<'_>]) -> Option<ArnPattern> {
        // Pieces of each of the six components, in order.
        let mut components: [Vec<Part<'_>>; 6] = Default::default();
        let mut index = 0;
        let mut source = String::new();
        for part in parts {
            match *part {
                Part::Literal(text) => {
                    source.push_str(text);
                    components.get_mut(index)?.push(Part::Literal(text));
                }
                Part::Wild(text) => {
                    source.push_str(text);
                    let mut rest = text;
                    // The resource, the sixth component, takes every remaining colon.
                    while index < 5 {
                        let Some((head, tail)) = rest.split_once(':') else {
                            break;
                        };
                        components.get_mut(index)?.push(Part::Wild(head));
                        index += 1;
                        rest = tail;
                    }
                    components.get_mut(index)?.push(Part::Wild(rest));
                }
            }
        }
        if index < 5 {
            return None;
        }
        let [arn, partition, service, region, account, resource] =
            components.map(|c| Pattern::from_parts(c, Case::Sensitive));
        if !arn.matches("arn") {
            return None;
        }
        Some(ArnPattern {
            source,
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// Whether `arn` matches, component by component. False if `arn` is not an ARN.
    /// Never allocates.
    pub(crate) fn matches(&self, arn: &str) -> bool {
        split_arn(arn).is_some_and(|p| {
            self.partition.matches(p.partition)
                && self.service.matches(p.service)
                && self.region.matches(p.region)
                && self.account.matches(p.account)
                && self.resource.matches(p.resource)
        })
    }

    /// The patterns of the partition, service, region, account and resource components,
    /// in that order.
    pub(crate) fn components(&self) -> [&Pattern; 5] {
        [
            &self.partition,
            &self.service,
            &self.region,
            &self.account,
            &self.resource,
        ]
    }

    /// The pattern as written.
    #[cfg(test)]
    pub(crate) fn source(&self) -> &str {
        &self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split() {
        let p = split_arn("arn:aws:logs:us-east-1:111122223333:log-group:app:*").unwrap();
        assert_eq!(
            p,
            ArnParts {
                partition: "aws",
                service: "logs",
                region: "us-east-1",
                account: "111122223333",
                resource: "log-group:app:*",
            }
        );
        let s3 = split_arn("arn:aws:s3:::bucket/key").unwrap();
        assert_eq!((s3.region, s3.account, s3.resource), ("", "", "bucket/key"));
        assert_eq!(split_arn("arn:aws:s3:::").map(|p| p.resource), Some(""));
        for not_arn in [
            "",
            "arn",
            "arn:aws:s3::",
            "ARN:aws:s3:::bucket",
            "bucket",
            "*",
            "xarn:aws:s3:::b",
        ] {
            assert_eq!(split_arn(not_arn), None, "{not_arn:?}");
        }
    }

    #[test]
    fn split_arn_agrees_with_splitn() {
        let naive = |s: &str| -> Option<[String; 5]> {
            let rest = s.strip_prefix("arn:")?;
            let mut it = rest.splitn(5, ':');
            let mut next = || it.next().map(str::to_string);
            Some([next()?, next()?, next()?, next()?, next()?])
        };
        let pieces = [
            "",
            "a",
            "aws",
            "s3",
            "us-east-1",
            "111122223333",
            "é",
            ":",
            "::",
            "x/y:z",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = format!("arn:{a}:{b}:{c}:{a}{c}:{b}");
                    let half: String = s.chars().take(s.chars().count() / 2).collect();
                    for t in [s.as_str(), &half, "arn:", "arn:::::", "arn:a:b:c:d"] {
                        let got = split_arn(t).map(|p| {
                            [p.partition, p.service, p.region, p.account, p.resource]
                                .map(str::to_string)
                        });
                        assert_eq!(got, naive(t), "{t:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn accounts() {
        assert_eq!(account_number("111122223333"), Some(111_122_223_333));
        assert_eq!(account_number("000000000001"), Some(1));
        assert_eq!(account_number("11112222333"), None, "11 digits");
        assert_eq!(account_number("1111222233334"), None, "13 digits");
        assert_eq!(account_number("11112222333a"), None);
        assert_eq!(account_number("+11122223333"), None);
        assert_eq!(account_number(""), None);
    }

    #[test]
    fn arn_like_table() {
        let rows: &[(&str, &str, bool)] = &[
            // The AWS example: each component is checked on its own, so the `*` in the
            // region cannot swallow `us-east-2:999999999999:store/abc` and the account
            // component `999999999999` differs. reference_policies_elements_condition_operators.html#Conditions_ARN
            (
                "arn:aws:someservice:*:111122223333:finance/*",
                "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
                false,
            ),
            (
                "arn:aws:someservice:*:111122223333:finance/*",
                "arn:aws:someservice:us-east-2:111122223333:finance/document.txt",
                true,
            ),
            // `?` matches one character within a component.
            ("arn:aws:ec2:us-east-?:111122223333:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", true),
            ("arn:aws:ec2:us-east-?:111122223333:instance/*", "arn:aws:ec2:us-east-10:111122223333:instance/i-1", false),
            ("arn:aws:ec2:??-*:*:*", "arn:aws:ec2:eu-west-1:111122223333:vpc/v", true),
            // The resource is everything after the fifth colon; its colons are ordinary
            // characters and `*` crosses them. reference-arns.html
            ("arn:aws:logs:us-east-1:111122223333:log-group:app:*", "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s", true),
            ("arn:aws:logs:us-east-1:111122223333:log-group:app:*", "arn:aws:logs:us-east-1:111122223333:log-group:other:*", false),
            ("arn:aws:logs:*:*:*", "arn:aws:logs:us-east-1:111122223333:log-group:app", true),
            // S3 ARNs have empty region and account components; `*` matches empty.
            ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/key", true),
            ("arn:aws:s3:*:*:bucket/*", "arn:aws:s3:::bucket/key", true),
            ("arn:aws:s3:?:*:bucket/*", "arn:aws:s3:::bucket/key", false),
            ("arn:aws:s3:::bucket", "arn:aws:s3:us-east-1::bucket", false),
            // Non-ARN inputs never match, even `*` components.
            ("arn:*:*:*:*:*", "not-an-arn", false),
            ("arn:*:*:*:*:*", "arn:aws:s3", false),
            ("arn:*:*:*:*:*", "ARN:aws:s3:::bucket", false),
            ("arn:*:*:*:*:*", "arn:aws:s3:::bucket", true),
            // Case-sensitive, every component.
            ("arn:aws:iam::111122223333:role/Admin", "arn:aws:iam::111122223333:role/admin", false),
            ("arn:AWS:iam::111122223333:role/Admin", "arn:aws:iam::111122223333:role/Admin", false),
            ("arn:aws:iam::111122223333:role/Admin", "arn:aws:iam::111122223333:role/Admin", true),
            // A wildcard first component is fine when it matches `arn`.
            ("*:aws:s3:::bucket", "arn:aws:s3:::bucket", true),
            ("a?n:aws:s3:::bucket", "arn:aws:s3:::bucket", true),
        ];
        for &(pattern, arn, want) in rows {
            let p = ArnPattern::new(pattern).unwrap();
            assert_eq!(p.matches(arn), want, "{pattern} vs {arn}");
            assert_eq!(p.source(), pattern);
        }
    }

    #[test]
    fn unmatchable_patterns() {
        for p in [
            "*",
            "",
            "arn:aws:*",
            "arn:aws:s3::bucket",
            "Arn:aws:s3:::bucket",
            "x*:aws:s3:::b",
        ] {
            assert_eq!(ArnPattern::new(p), None, "{p:?}");
        }
    }

    #[test]
    fn substituted_text_stays_in_its_component() {
        // `${aws:userid}` of a role session contains a colon; it must not shift the
        // components. reference_policies_variables.html
        let p = ArnPattern::from_parts(&[
            Part::Wild("arn:aws:s3:::bucket/"),
            Part::Literal("AROAEXAMPLE:alice"),
            Part::Wild("/*"),
        ])
        .unwrap();
        assert_eq!(p.source(), "arn:aws:s3:::bucket/AROAEXAMPLE:alice/*");
        assert!(p.matches("arn:aws:s3:::bucket/AROAEXAMPLE:alice/doc"));
        assert!(!p.matches("arn:aws:s3:::bucket/AROAEXAMPLE:bob/doc"));

        // A colon in a substituted account does not start a new component.
        let p = ArnPattern::from_parts(&[
            Part::Wild("arn:aws:iam::"),
            Part::Literal("1111:2222"),
            Part::Wild(":role/*"),
        ])
        .unwrap();
        assert!(!p.matches("arn:aws:iam::1111:2222:role/x"));

        // Substituted `*` is literal.
        let p = ArnPattern::from_parts(&[
            Part::Wild("arn:aws:iam::111122223333:role/"),
            Part::Literal("*"),
        ])
        .unwrap();
        assert!(p.matches("arn:aws:iam::111122223333:role/*"));
        assert!(!p.matches("arn:aws:iam::111122223333:role/admin"));

        // A whole ARN substituted as one value has a single component.
        assert_eq!(
            ArnPattern::from_parts(&[Part::Literal("arn:aws:s3:::bucket")]),
            None
        );
    }
}
