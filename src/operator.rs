//! The condition operator table: every operator's name, family and negation come from
//! one table (the `operators!` invocation below), and nowhere else.
//!
//! Source: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>.

use std::fmt;

/// Declares [`Operator`] and its table in one place, so that a row cannot be missing or
/// out of place.
macro_rules! operators {
    ($($op:ident: $family:ident, $cmp:ident, $negated:expr;)*) => {
        /// A condition operator without its qualifiers, one variant per row of the AWS
        /// table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[expect(
            missing_docs,
            reason = "each variant is the AWS operator of the same name"
        )]
        pub enum Operator {
            $($op,)*
        }

        impl Operator {
            /// Every operator, in the order of the AWS table.
            pub const ALL: &'static [Operator] = &[$(Operator::$op,)*];

            /// This operator's row of the table.
            pub(crate) const fn info(self) -> OperatorInfo {
                match self {
                    $(Operator::$op => OperatorInfo {
                        name: stringify!($op),
                        family: Family::$family,
                        comparison: Comparison::$cmp,
                        negated: $negated,
                    },)*
                }
            }
        }
    };
}

operators! {
    StringEquals: String, Equals, false;
    StringNotEquals: String, Equals, true;
    StringEqualsIgnoreCase: String, EqualsIgnoreCase, false;
    StringNotEqualsIgnoreCase: String, EqualsIgnoreCase, true;
    StringLike: String, Like, false;
    StringNotLike: String, Like, true;
    NumericEquals: Numeric, Equals, false;
    NumericNotEquals: Numeric, Equals, true;
    NumericLessThan: Numeric, LessThan, false;
    NumericLessThanEquals: Numeric, LessThanEquals, false;
    NumericGreaterThan: Numeric, GreaterThan, false;
    NumericGreaterThanEquals: Numeric, GreaterThanEquals, false;
    DateEquals: Date, Equals, false;
    DateNotEquals: Date, Equals, true;
    DateLessThan: Date, LessThan, false;
    DateLessThanEquals: Date, LessThanEquals, false;
    DateGreaterThan: Date, GreaterThan, false;
    DateGreaterThanEquals: Date, GreaterThanEquals, false;
    Bool: Bool, Equals, false;
    BinaryEquals: Binary, Equals, false;
    IpAddress: Ip, InRange, false;
    NotIpAddress: Ip, InRange, true;
    ArnEquals: Arn, Like, false;
    ArnLike: Arn, Like, false;
    ArnNotEquals: Arn, Like, true;
    ArnNotLike: Arn, Like, true;
    Null: Null, Presence, false;
}

/// The operator families; each has its own value type and comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// `String*`: text, optionally case-folded or wildcard-matched.
    String,
    /// `Numeric*`: exact decimal numbers.
    Numeric,
    /// `Date*`: instants, ISO 8601 or epoch seconds.
    Date,
    /// `Bool`: `true` or `false`.
    Bool,
    /// `BinaryEquals`: base64-encoded bytes.
    Binary,
    /// `IpAddress`, `NotIpAddress`: IPv4 and IPv6 ranges.
    Ip,
    /// `Arn*`: ARNs matched component by component.
    Arn,
    /// `Null`: whether the key is present.
    Null,
}

/// How an operator compares one request value with one policy value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Comparison {
    /// Equal (strings: exact; numbers and dates: same value).
    Equals,
    /// Equal ignoring case.
    EqualsIgnoreCase,
    /// Wildcard match (`*`, `?`).
    Like,
    /// Request value less than the policy value.
    LessThan,
    /// Request value less than or equal to the policy value.
    LessThanEquals,
    /// Request value greater than the policy value.
    GreaterThan,
    /// Request value greater than or equal to the policy value.
    GreaterThanEquals,
    /// Address inside the range.
    InRange,
    /// Presence test (`Null`).
    Presence,
}

/// One row of the operator table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OperatorInfo {
    /// The name as written in a policy.
    pub(crate) name: &'static str,
    /// The family.
    pub(crate) family: Family,
    /// The positive comparison it is built on.
    pub(crate) comparison: Comparison,
    /// Whether it is a negated operator: it holds when the request value matches none of
    /// the policy values, and on a missing key.
    pub(crate) negated: bool,
}

impl Operator {
    /// The name as written in a policy (`StringEquals`).
    pub fn name(self) -> &'static str {
        self.info().name
    }
    /// The operator family.
    pub fn family(self) -> Family {
        self.info().family
    }
    /// Whether the operator is negated (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`, ...):
    /// it holds when the request value matches none of the policy values, and on a
    /// missing key.
    pub fn is_negated(self) -> bool {
        self.info().negated
    }
    /// The positive comparison the operator is built on.
    pub(crate) fn comparison(self) -> Comparison {
        self.info().comparison
    }
    /// Whether `${...}` policy variables are substituted in this operator's values: the
    /// String and Arn families, and `Bool` ("You can use a policy variable with the
    /// Boolean condition operator").
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-wheretouse>,
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean>
    pub fn takes_variables(self) -> bool {
        matches!(self.family(), Family::String | Family::Arn | Family::Bool)
    }
    /// Looks an operator up by its exact name.
    pub fn from_name(name: &str) -> Option<Operator> {
        Operator::ALL.iter().copied().find(|op| op.name() == name)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The set qualifiers for multivalued context keys.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// `ForAllValues:`: every request value must match; true on a missing key or empty set.
    ForAllValues,
    /// `ForAnyValue:`: at least one request value must match; false on a missing key or empty set.
    ForAnyValue,
}

impl SetQualifier {
    /// The prefix as written, without the colon.
    pub fn name(self) -> &'static str {
        match self {
            SetQualifier::ForAllValues => "ForAllValues",
            SetQualifier::ForAnyValue => "ForAnyValue",
        }
    }
}

/// A condition operator as written in a policy: the operator, an optional set qualifier
/// and the `IfExists` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConditionOperator {
    /// The operator.
    pub op: Operator,
    /// `ForAllValues:` or `ForAnyValue:`, if given.
    pub set: Option<SetQualifier>,
    /// Whether the name ends in `IfExists`.
    pub if_exists: bool,
}

/// Why an operator name was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OperatorNameError {
    pub(crate) message: String,
    pub(crate) help: Option<String>,
}

impl ConditionOperator {
    /// Parses an operator name such as `ForAnyValue:StringNotLikeIfExists`.
    pub(crate) fn parse(name: &str) -> Result<ConditionOperator, OperatorNameError> {
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, name)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let Some(op) = Operator::from_name(base) else {
            return Err(OperatorNameError {
                message: format!("unknown condition operator `{name}`"),
                help: Some(suggest_operator(name)),
            });
        };
        if op == Operator::Null && if_exists {
            return Err(OperatorNameError {
                message: format!("`{name}` is not an operator: `Null` takes no `IfExists` suffix"),
                help: Some("`Null` already tests whether the key exists; use `Null`".into()),
            });
        }
        if op == Operator::Null && set.is_some() {
            return Err(OperatorNameError {
                message: format!("`{name}` is not an operator: `Null` takes no set qualifier"),
                help: Some("`Null` tests whether the key is present; use `Null` alone".into()),
            });
        }
        Ok(ConditionOperator { op, set, if_exists })
    }
}

fn suggest_operator(name: &str) -> String {
    let mut candidates: Vec<String> = Vec::new();
    let (prefix, rest) = match name.split_once(':') {
        Some((p, r)) => (Some(p), r),
        None => (None, name),
    };
    if let Some(p) = prefix {
        if p != "ForAllValues" && p != "ForAnyValue" {
            let best = crate::suggest::best(p, ["ForAllValues", "ForAnyValue"]);
            if let Some(best) = best {
                return format!("did you mean `{best}:{rest}`?");
            }
            return "the only set qualifiers are `ForAllValues:` and `ForAnyValue:`".into();
        }
    }
    for &op in Operator::ALL {
        candidates.push(op.name().to_string());
        if op != Operator::Null {
            candidates.push(format!("{}IfExists", op.name()));
        }
    }
    match crate::suggest::best(rest, candidates.iter().map(String::as_str)) {
        Some(best) => match prefix {
            Some(p) => format!("did you mean `{p}:{best}`?"),
            None => format!("did you mean `{best}`?"),
        },
        None => "see the condition operators in the AWS IAM User Guide: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html".into(),
    }
}

impl fmt::Display for ConditionOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(set) = self.set {
            write!(f, "{}:", set.name())?;
        }
        f.write_str(self.op.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_order() {
        assert_eq!(Operator::ALL.len(), 27);
        for (i, &op) in Operator::ALL.iter().enumerate() {
            assert_eq!(op as usize, i, "{} is out of place", op.name());
            assert_eq!(Operator::from_name(op.name()), Some(op));
        }
    }

    #[test]
    fn every_name_with_and_without_qualifiers() {
        for &base in Operator::ALL {
            for set in [
                None,
                Some(SetQualifier::ForAllValues),
                Some(SetQualifier::ForAnyValue),
            ] {
                for if_exists in [false, true] {
                    let op = ConditionOperator {
                        op: base,
                        set,
                        if_exists,
                    };
                    let text = op.to_string();
                    let parsed = ConditionOperator::parse(&text);
                    if base == Operator::Null && (if_exists || set.is_some()) {
                        assert!(parsed.is_err(), "{text} must be rejected");
                    } else {
                        assert_eq!(parsed, Ok(op), "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn misspelt_names_get_a_suggestion() {
        let rows = [
            ("StringEqual", "did you mean `StringEquals`?"),
            ("stringequals", "did you mean `StringEquals`?"),
            (
                "ForAnyValues:StringLike",
                "did you mean `ForAnyValue:StringLike`?",
            ),
            (
                "StringEqualsIfExist",
                "did you mean `StringEqualsIfExists`?",
            ),
            (
                "ForAllValues:NumericLessThen",
                "did you mean `ForAllValues:NumericLessThan`?",
            ),
        ];
        for (name, help) in rows {
            let err = ConditionOperator::parse(name).unwrap_err();
            assert_eq!(err.help.as_deref(), Some(help), "{name}");
        }
    }

    #[test]
    fn negation_comes_from_the_table() {
        let negated: Vec<&str> = Operator::ALL
            .iter()
            .filter(|op| op.is_negated())
            .map(|op| op.name())
            .collect();
        assert_eq!(
            negated,
            [
                "StringNotEquals",
                "StringNotEqualsIgnoreCase",
                "StringNotLike",
                "NumericNotEquals",
                "DateNotEquals",
                "NotIpAddress",
                "ArnNotEquals",
                "ArnNotLike"
            ]
        );
    }
}
