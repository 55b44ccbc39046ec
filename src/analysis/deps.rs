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

/// The evaluator's condition code, for tests that check the engine's claims against it.
#[cfg(test)]
pub(crate) mod testing {
    use crate::condition::compiled::CompiledCondition;
    pub(crate) use crate::condition::{ConditionOperator, Operator, SetQualifier};
    use crate::eval::observe::{Collector, Off};
    use crate::policy::ConditionValue;
    pub(crate) use crate::Request;

    /// One condition with one policy value, evaluated on `request`: whether it holds,
    /// and whether it met a value it could not judge.
    pub(crate) fn eval_condition(
        op: ConditionOperator,
        key: &str,
        value: &str,
        request: &Request,
    ) -> (bool, bool) {
        let values = [ConditionValue::String(value.to_string())];
        let c = CompiledCondition::compile(op, key, &values, false).unwrap();
        let mut obs = Collector::<Off>::new();
        let holds = c.eval(request, &mut obs);
        (holds, obs.unjudged)
    }
}
