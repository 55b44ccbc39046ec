//! Readers for the typed values that condition operators compare: exact decimals, dates,
//! IP addresses and ranges, base64 bytes, ARNs and booleans. Each reads text once; the
//! policy is lowered into these types, and request values are read into them when the
//! request is built.

pub(crate) mod arn;
pub(crate) mod binary;
pub(crate) mod date;
pub(crate) mod ip;
pub(crate) mod numeric;

/// `true`/`false`, case-insensitively: the values of `Bool` and `Null`.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean>
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}
