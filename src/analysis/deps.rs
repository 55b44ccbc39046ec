//! The evaluator's value types and matchers, imported in one place.
//!
//! The analysis must agree with the evaluator exactly, so it never re-implements a parser
//! or a matcher: witnesses are checked with these functions, and the theories read the
//! value types through the small accessors re-exported here. When the value modules move,
//! only this file changes.

pub(crate) use crate::condition::arn::{split_arn, ArnPattern};
pub(crate) use crate::condition::compiled::parse_bool;
pub(crate) use crate::condition::date::Instant;
pub(crate) use crate::condition::ip::IpNet;
pub(crate) use crate::condition::numeric::Number;
pub(crate) use crate::pattern::{fold, Case, Part, Pattern, Piece};

/// Reads a value as the `Numeric*` operators do.
pub(crate) fn parse_number(s: &str) -> Option<Number> {
    crate::condition::numeric::parse(s).ok()
}

/// Reads a value as the `Date*` operators do.
pub(crate) fn parse_date(s: &str) -> Option<Instant> {
    crate::condition::date::parse(s).ok()
}

/// Reads a request value as the `IpAddress` operators do.
pub(crate) fn parse_addr(s: &str) -> Option<std::net::IpAddr> {
    crate::condition::ip::parse_addr(s)
}

/// Reads a policy value as a network, as the `IpAddress` operators compile it.
#[cfg(test)]
pub(crate) fn parse_net(s: &str) -> Option<IpNet> {
    crate::condition::ip::parse_net(s).ok()
}

/// Decodes a value as `BinaryEquals` does.
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    crate::condition::binary::decode(s).ok()
}
