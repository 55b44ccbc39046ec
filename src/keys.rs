//! Facts about AWS's global condition keys that evaluation relies on, from "AWS global
//! condition context keys"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>):
//! which keys are multivalued, and which have a typed value a request can get wrong.

/// The global keys the page documents as multivalued ("Value type - Multivalued"),
/// lowercase. A plain operator on one of them cannot be judged.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
const MULTIVALUED: [&str; 7] = [
    "aws:calledvia",
    "aws:principalorgpaths",
    "aws:principalservicenameslist",
    "aws:resourceorgpaths",
    "aws:sourceorgpaths",
    "aws:tagkeys",
    "aws:vpceorgpaths",
];

/// Whether a lowercase key is documented as multivalued: a multivalued global key or,
/// with the `service-ref` feature, a key the service reference types as an array
/// (`ArrayOfString`, ...).
pub(crate) fn is_multivalued(lower: &str) -> bool {
    if MULTIVALUED.contains(&lower) {
        return true;
    }
    #[cfg(feature = "service-ref")]
    {
        iam_eval_service_ref::condition_key(lower).is_some_and(|k| k.multivalued())
    }
    #[cfg(not(feature = "service-ref"))]
    {
        false
    }
}

/// What a typed global key's value must read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyType {
    /// An IP address.
    Ip,
    /// A date (ISO 8601 or epoch seconds).
    Date,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// An ARN.
    Arn,
}

impl KeyType {
    /// The type's name for messages, with its article.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            KeyType::Ip => "an IP address",
            KeyType::Date => "a date",
            KeyType::Number => "a number",
            KeyType::Bool => "`true` or `false`",
            KeyType::Arn => "an ARN",
        }
    }
}

/// The typed global keys, lowercase, with their types as the page gives them.
const TYPED: [(&str, KeyType); 17] = [
    ("aws:sourceip", KeyType::Ip),
    ("aws:vpcsourceip", KeyType::Ip),
    ("aws:ec2instancesourceprivateipv4", KeyType::Ip),
    ("aws:currenttime", KeyType::Date),
    ("aws:tokenissuetime", KeyType::Date),
    ("aws:multifactorauthage", KeyType::Number),
    ("aws:multifactorauthpresent", KeyType::Bool),
    ("aws:securetransport", KeyType::Bool),
    ("aws:viaawsservice", KeyType::Bool),
    ("aws:principalisawsservice", KeyType::Bool),
    ("aws:assumedroot", KeyType::Bool),
    ("aws:principalarn", KeyType::Arn),
    ("aws:sourcearn", KeyType::Arn),
    ("aws:sourcevpcarn", KeyType::Arn),
    ("aws:chatbotsourcearn", KeyType::Arn),
    ("lambda:sourcefunctionarn", KeyType::Arn),
    ("ssm:sourceinstancearn", KeyType::Arn),
];

/// The type of a lowercase global key, if it has one a request could get wrong.
/// `aws:EpochTime` is left out: the page documents it with both date and numeric
/// operators.
pub(crate) fn key_type(lower: &str) -> Option<KeyType> {
    TYPED
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|&(_, t)| t)
}

/// The action names (lowercase) that assume a role or are checked while assuming one:
/// for these, on a role, the role's trust policy must allow the caller.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage-assume.html>
const ASSUME_ROLE_ACTIONS: [&str; 5] = [
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:setsourceidentity",
    "sts:tagsession",
];

/// Whether a lowercase action is one that a role's trust policy governs.
pub(crate) fn is_assume_role_action(action_lower: &str) -> bool {
    ASSUME_ROLE_ACTIONS.contains(&action_lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_lowercase_and_unique() {
        let mut names: Vec<&str> = MULTIVALUED
            .iter()
            .copied()
            .chain(TYPED.iter().map(|(n, _)| *n))
            .chain(ASSUME_ROLE_ACTIONS)
            .collect();
        for n in &names {
            assert_eq!(*n, n.to_lowercase(), "{n}");
        }
        let len = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), len);
        assert!(is_multivalued("aws:tagkeys"));
        assert!(!is_multivalued("aws:sourceip"));
        assert_eq!(key_type("aws:sourceip"), Some(KeyType::Ip));
        assert!(is_assume_role_action("sts:assumerole"));
        assert!(!is_assume_role_action("sts:getcalleridentity"));
    }

    /// With the service reference, a service key it types as an array is multivalued
    /// too (`events:detail-type`: a PutEvents request batches entries).
    #[cfg(feature = "service-ref")]
    #[test]
    fn service_reference_array_keys_are_multivalued() {
        assert!(is_multivalued("events:detail-type"));
        assert!(!is_multivalued("s3:x-amz-server-side-encryption"));
    }
}
