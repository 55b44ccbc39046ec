//! The evaluator's value types and matchers, imported in one place.
//!
//! The analysis must agree with the evaluator exactly, so it never re-implements a parser
//! or a matcher: witnesses are checked with these functions, and the theories read the
//! value types through the small accessors re-exported here. When the value modules move,
//! only this file changes.

pub(crate) use crate::pattern::{fold, Case, Part, Pattern, Piece};
pub(crate) use crate::value::arn::{split_arn, ArnPattern};
pub(crate) use crate::value::date::Instant;
pub(crate) use crate::value::ip::IpNet;
pub(crate) use crate::value::numeric::Number;
pub(crate) use crate::value::parse_bool;

/// Reads a value as the `Numeric*` operators do.
pub(crate) fn parse_number(s: &str) -> Option<Number> {
    crate::value::numeric::parse(s).ok()
}

/// Reads a value as the `Date*` operators do.
pub(crate) fn parse_date(s: &str) -> Option<Instant> {
    crate::value::date::parse(s).ok()
}

/// Reads a request value as the `IpAddress` operators do.
pub(crate) fn parse_addr(s: &str) -> Option<std::net::IpAddr> {
    crate::value::ip::parse_addr(s)
}

/// Reads a policy value as a network, as the `IpAddress` operators compile it.
#[cfg(test)]
pub(crate) fn parse_net(s: &str) -> Option<IpNet> {
    crate::value::ip::parse_net(s).ok()
}

/// Decodes a value as `BinaryEquals` does.
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    crate::value::binary::decode(s).ok()
}

/// The evaluator's condition code, for tests that check the engine's claims against it.
#[cfg(test)]
pub(crate) mod testing {
    use crate::compile::condition::CompiledCondition;
    use crate::compile::{Ctx, Memo, NoTrace, Problems, Truth};
    pub(crate) use crate::operator::{ConditionOperator, Operator, SetQualifier};
    pub(crate) use crate::Request;

    /// One condition with one policy value (read as under the 2008 language, so `${…}` is
    /// literal), evaluated on `request`: whether it holds, and whether it met a value it
    /// could not judge.
    pub(crate) fn eval_condition(
        op: ConditionOperator,
        key: &str,
        value: &str,
        request: &Request,
    ) -> (bool, bool) {
        let text = serde_json::json!({
            "Version": "2008-10-17",
            "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {op.to_string(): {key: value}}}
        })
        .to_string();
        let policy = crate::Policy::parse(&text).unwrap();
        let block = &policy.statements()[0].condition()[0];
        let c = CompiledCondition::compile(block.operator(), &block.entries()[0]);
        let mut problems = Problems::default();
        let mut ctx = Ctx {
            request,
            problems: &mut problems,
            tracer: &mut NoTrace,
            memo: Memo::default(),
        };
        let truth = c.eval(&mut ctx);
        (truth == Truth::True, truth == Truth::Unknown)
    }
}
