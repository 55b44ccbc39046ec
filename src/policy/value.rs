//! Condition values read as the type their operator compares, once, when the policy is
//! lowered. A value the operator cannot compare is a parse error, so that a typo in a
//! policy is reported now rather than silently never matching; compiling a policy set
//! then consumes these typed values and cannot fail.

use super::ast::ConditionValue;
use crate::operator::{Family, Operator};
use crate::template::{Template, Variable};
use crate::value::arn::ArnPattern;
use crate::value::{binary, date, ip, numeric, parse_bool};

/// The values of one condition key, typed by the operator's family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypedValues {
    /// `String*`: text that may hold policy variables (plain text under the 2008
    /// language).
    Str(Vec<Template>),
    /// `Numeric*`.
    Num(Vec<numeric::Number>),
    /// `Date*`.
    Date(Vec<date::Instant>),
    /// `Bool`.
    Bool(Vec<BoolValue>),
    /// `Null`: `true` tests for a missing key, `false` for a present one.
    Null(Vec<bool>),
    /// `BinaryEquals`: the decoded bytes.
    Binary(Vec<Box<[u8]>>),
    /// `IpAddress`, `NotIpAddress`.
    Ip(Vec<ip::IpNet>),
    /// `Arn*`.
    Arn(Vec<ArnValue>),
}

/// One `Arn*` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ArnValue {
    /// `*`: every ARN.
    Any,
    /// A pattern without variables, split into its six components.
    Fixed(Box<ArnPattern>),
    /// A pattern with variables, compiled per request once they are substituted.
    Template(Template),
}

/// One `Bool` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BoolValue {
    /// `true` or `false`.
    Fixed(bool),
    /// A policy variable, such as `${aws:PrincipalTag/require-tls}`, whose value is read
    /// as a boolean once substituted.
    Template(Template),
}

/// One typed value, before the values of a key are gathered into [`TypedValues`].
pub(crate) enum TypedValue {
    Str(Template),
    Num(numeric::Number),
    Date(date::Instant),
    Bool(BoolValue),
    Null(bool),
    Binary(Box<[u8]>),
    Ip(ip::IpNet),
    Arn(ArnValue),
}

impl TypedValues {
    /// The policy variables in the values.
    pub(crate) fn variables(&self) -> impl Iterator<Item = &Variable> {
        let templates: Vec<&Template> = match self {
            TypedValues::Str(list) => list.iter().collect(),
            TypedValues::Bool(list) => list
                .iter()
                .filter_map(|v| match v {
                    BoolValue::Template(t) => Some(t),
                    BoolValue::Fixed(_) => None,
                })
                .collect(),
            TypedValues::Arn(list) => list
                .iter()
                .filter_map(|v| match v {
                    ArnValue::Template(t) => Some(t),
                    ArnValue::Any | ArnValue::Fixed(_) => None,
                })
                .collect(),
            TypedValues::Num(_)
            | TypedValues::Date(_)
            | TypedValues::Null(_)
            | TypedValues::Binary(_)
            | TypedValues::Ip(_) => Vec::new(),
        };
        templates.into_iter().flat_map(Template::variables)
    }

    /// An empty list for the operator's family.
    pub(crate) fn empty(op: Operator) -> TypedValues {
        match op.family() {
            Family::String => TypedValues::Str(Vec::new()),
            Family::Numeric => TypedValues::Num(Vec::new()),
            Family::Date => TypedValues::Date(Vec::new()),
            Family::Bool => TypedValues::Bool(Vec::new()),
            Family::Null => TypedValues::Null(Vec::new()),
            Family::Binary => TypedValues::Binary(Vec::new()),
            Family::Ip => TypedValues::Ip(Vec::new()),
            Family::Arn => TypedValues::Arn(Vec::new()),
        }
    }

    /// Appends a value read by [`read`] for the same operator.
    pub(crate) fn push(&mut self, value: TypedValue) {
        match (self, value) {
            (TypedValues::Str(l), TypedValue::Str(v)) => l.push(v),
            (TypedValues::Num(l), TypedValue::Num(v)) => l.push(v),
            (TypedValues::Date(l), TypedValue::Date(v)) => l.push(v),
            (TypedValues::Bool(l), TypedValue::Bool(v)) => l.push(v),
            (TypedValues::Null(l), TypedValue::Null(v)) => l.push(v),
            (TypedValues::Binary(l), TypedValue::Binary(v)) => l.push(v),
            (TypedValues::Ip(l), TypedValue::Ip(v)) => l.push(v),
            (TypedValues::Arn(l), TypedValue::Arn(v)) => l.push(v),
            // INVARIANT: `read` returns the variant of the operator's family, the one
            // `empty` made; a mismatch cannot be built.
            _ => {}
        }
    }
}

/// Reads a value as the operator's type.
///
/// # Errors
/// The message and the help line when the operator cannot compare the value.
pub(crate) fn read(
    op: Operator,
    value: &ConditionValue,
    variables: bool,
) -> Result<TypedValue, (String, String)> {
    let text = value.as_text();
    let name = op.name();
    let template = |text: &str| -> Result<Template, (String, String)> {
        if variables {
            Template::parse(text).map_err(|e| (e.message, e.help))
        } else {
            Ok(Template::text(text))
        }
    };
    match op.family() {
        Family::String => template(text).map(TypedValue::Str),
        Family::Numeric => match value {
            ConditionValue::Bool(_) => Err((
                format!("`{name}` compares numbers, found the boolean `{text}`"),
                "write a number such as `10` or `\"10.5\"`".into(),
            )),
            _ => numeric::parse(text).map(TypedValue::Num).map_err(|why| {
                (
                    if why == "not a number" {
                        format!("`{text}` is not a number")
                    } else {
                        format!("`{text}` is not a number ({why})")
                    },
                    format!("`{name}` compares integers or decimals such as `10` or `10.5`"),
                )
            }),
        },
        Family::Date => match value {
            ConditionValue::Bool(_) => Err((
                format!("`{name}` compares dates, found the boolean `{text}`"),
                "write an ISO 8601 date such as `2024-01-01T00:00:00Z` or epoch seconds".into(),
            )),
            _ => date::parse(text).map(TypedValue::Date).map_err(|why| {
                (
                    format!("`{text}` is not a date ({why})"),
                    "write an ISO 8601 date such as `2024-01-01T00:00:00Z`, or epoch seconds such as `1704067200`".into(),
                )
            }),
        },
        Family::Bool if variables && text.contains("${") => {
            let t = template(text)?;
            if t.has_vars() {
                Ok(TypedValue::Bool(BoolValue::Template(t)))
            } else {
                // Only `${*}`, `${?}` or `${$}`: literal text, which is no boolean.
                Err((
                    format!("`{name}` takes `true` or `false`, found `{text}`"),
                    "write `\"true\"`, `\"false\"` or a policy variable".into(),
                ))
            }
        }
        Family::Bool => parse_bool(text)
            .map(|b| TypedValue::Bool(BoolValue::Fixed(b)))
            .ok_or_else(|| {
                (
                    format!("`{name}` takes `true` or `false`, found `{text}`"),
                    "write `\"true\"` or `\"false\"`".into(),
                )
            }),
        Family::Null => parse_bool(text).map(TypedValue::Null).ok_or_else(|| {
            (
                format!("`{name}` takes `true` or `false`, found `{text}`"),
                "`\"true\"` matches a missing key, `\"false\"` a present one".into(),
            )
        }),
        Family::Binary => binary::decode(text)
            .map(|b| TypedValue::Binary(b.into()))
            .map_err(|why| {
                (
                    format!("`{text}` is not base64 ({why})"),
                    "`BinaryEquals` takes base64-encoded bytes, such as `QmluYXJ5VmFsdWU=`"
                        .into(),
                )
            }),
        Family::Ip => ip::parse_net(text).map(TypedValue::Ip).map_err(|why| {
            (
                format!("`{text}` is not an IP address or CIDR range ({why})"),
                "write an address or range such as `203.0.113.0/24` or `2001:db8::/32`".into(),
            )
        }),
        Family::Arn => {
            let not_an_arn = || {
                (
                    format!("`{text}` is not an ARN"),
                    format!("`{name}` compares ARNs component by component: `arn:partition:service:region:account:resource`"),
                )
            };
            if text == "*" {
                return Ok(TypedValue::Arn(ArnValue::Any));
            }
            let t = template(text)?;
            if t.has_vars() {
                // The substituted value must still have the shape of an ARN.
                if t.shape() != "*" && ArnPattern::new(&t.shape()).is_none() {
                    return Err(not_an_arn());
                }
                return Ok(TypedValue::Arn(ArnValue::Template(t)));
            }
            ArnPattern::from_parts(&t.static_parts())
                .map(|p| TypedValue::Arn(ArnValue::Fixed(Box::new(p))))
                .ok_or_else(not_an_arn)
        }
    }
}
