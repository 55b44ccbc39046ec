//! Values a plan or template cannot give: parameters, pseudo parameters, values unknown
//! until apply.

use super::error::{IacError, IacErrorKind};
use std::collections::BTreeMap;

/// The account id that `AWS::AccountId` stands for unless set.
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";
/// The region that `AWS::Region` stands for unless set.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The stack name that `AWS::StackName` stands for unless set.
pub const DEFAULT_STACK_NAME: &str = "iam-eval-stack";

/// The pseudo parameters a template may `Ref`.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html>
const PSEUDO: [&str; 8] = [
    "AWS::AccountId",
    "AWS::Region",
    "AWS::Partition",
    "AWS::URLSuffix",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
];

/// Values that a plan or template does not hold, given by the caller (`--param NAME=VALUE`
/// on the command line, values in a test file).
///
/// Pseudo parameters have these defaults unless set with [`Options::pseudo_parameter`]:
///
/// | pseudo parameter | default |
/// | --- | --- |
/// | `AWS::AccountId` | `123456789012` |
/// | `AWS::Region` | `us-east-1` |
/// | `AWS::Partition` | from the region: `aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`, else `aws` |
/// | `AWS::URLSuffix` | `amazonaws.com.cn` in `aws-cn`, else `amazonaws.com` |
/// | `AWS::StackName` | `iam-eval-stack` |
/// | `AWS::StackId` | `arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/STACKNAME/00000000-0000-0000-0000-000000000000` |
/// | `AWS::NotificationARNs` | an empty list (a value set here is split at commas) |
///
/// `AWS::NoValue` cannot be set: it removes the property or list item that holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    parameters: BTreeMap<String, String>,
    pseudo: BTreeMap<String, String>,
    supplied: BTreeMap<String, String>,
}

impl Options {
    /// No parameters, pseudo parameters at their defaults, nothing supplied.
    pub fn new() -> Options {
        Options::default()
    }

    /// Sets a template parameter's value (it wins over the parameter's `Default`). A list
    /// parameter (`CommaDelimitedList`, `List<...>`) takes its items separated by commas.
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Options {
        self.parameters.insert(name.into(), value.into());
        self
    }

    /// Sets a parameter from a `NAME=VALUE` argument, as given to `--param`. A name of a
    /// pseudo parameter (`AWS::Region=eu-west-1`) sets that pseudo parameter.
    ///
    /// # Errors
    /// [`IacErrorKind::Malformed`] when the argument has no `=` or an empty name, or names
    /// a pseudo parameter that cannot be set.
    pub fn parameter_arg(self, arg: &str) -> Result<Options, IacError> {
        let Some((name, value)) = arg.split_once('=').filter(|(n, _)| !n.trim().is_empty()) else {
            return Err(IacError::new(
                IacErrorKind::Malformed,
                format!("`{arg}` is not a parameter setting"),
            )
            .with_help("write `NAME=VALUE`, such as `Environment=prod`"));
        };
        let name = name.trim();
        if name.starts_with("AWS::") {
            self.pseudo_parameter(name, value)
        } else {
            Ok(self.parameter(name, value))
        }
    }

    /// Sets a pseudo parameter, such as `AWS::AccountId`.
    ///
    /// # Errors
    /// [`IacErrorKind::Malformed`] for a name that is not a pseudo parameter, or for
    /// `AWS::NoValue`.
    pub fn pseudo_parameter(
        mut self,
        name: &str,
        value: impl Into<String>,
    ) -> Result<Options, IacError> {
        if !PSEUDO.contains(&name) || name == "AWS::NoValue" {
            return Err(IacError::new(
                IacErrorKind::Malformed,
                format!("`{name}` is not a pseudo parameter that can be set"),
            )
            .with_help(format!(
                "the pseudo parameters are `{}`",
                PSEUDO
                    .iter()
                    .filter(|p| **p != "AWS::NoValue")
                    .copied()
                    .collect::<Vec<_>>()
                    .join("`, `")
            )));
        }
        self.pseudo.insert(name.to_string(), value.into());
        Ok(self)
    }

    /// Sets `AWS::AccountId`.
    pub fn account_id(mut self, account: impl Into<String>) -> Options {
        self.pseudo.insert("AWS::AccountId".into(), account.into());
        self
    }

    /// Sets `AWS::Region`.
    pub fn region(mut self, region: impl Into<String>) -> Options {
        self.pseudo.insert("AWS::Region".into(), region.into());
        self
    }

    /// Sets `AWS::Partition`.
    pub fn partition(mut self, partition: impl Into<String>) -> Options {
        self.pseudo
            .insert("AWS::Partition".into(), partition.into());
        self
    }

    /// Sets `AWS::StackName`.
    pub fn stack_name(mut self, name: impl Into<String>) -> Options {
        self.pseudo.insert("AWS::StackName".into(), name.into());
        self
    }

    /// Supplies the value of something the file cannot resolve, under the key an
    /// [`super::Unresolved`] entry gives as its `what`: `GetAtt AuditKey.Arn`,
    /// `ImportValue shared-key-arn`, `Condition IsProd` (`true` or `false`), `GetAZs
    /// us-east-1` (zones separated by commas), or for a plan `ADDRESS.ATTRIBUTE`, such
    /// as `aws_s3_bucket_policy.uploads.policy` (the policy's JSON text).
    pub fn supply(mut self, what: impl Into<String>, value: impl Into<String>) -> Options {
        self.supplied.insert(what.into(), value.into());
        self
    }

    /// A value given with [`Options::supply`].
    pub fn supplied(&self, what: &str) -> Option<&str> {
        self.supplied.get(what).map(String::as_str)
    }

    /// A template parameter's value given with [`Options::parameter`].
    pub fn parameter_value(&self, name: &str) -> Option<&str> {
        self.parameters.get(name).map(String::as_str)
    }

    /// The value a pseudo parameter stands for, its default if not set; `None` for a name
    /// that is not a pseudo parameter, for `AWS::NoValue` and for `AWS::NotificationARNs`
    /// (a list: see the table above).
    pub fn pseudo_value(&self, name: &str) -> Option<String> {
        if let Some(v) = self.pseudo.get(name) {
            if name != "AWS::NotificationARNs" {
                return Some(v.clone());
            }
        }
        let region = || self.pseudo_value("AWS::Region").unwrap_or_default();
        let partition = || self.pseudo_value("AWS::Partition").unwrap_or_default();
        match name {
            "AWS::AccountId" => Some(DEFAULT_ACCOUNT_ID.to_string()),
            "AWS::Region" => Some(DEFAULT_REGION.to_string()),
            // https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
            "AWS::Partition" => {
                let r = region();
                Some(
                    if r.starts_with("cn-") {
                        "aws-cn"
                    } else if r.starts_with("us-gov-") {
                        "aws-us-gov"
                    } else {
                        "aws"
                    }
                    .to_string(),
                )
            }
            "AWS::URLSuffix" => Some(if partition() == "aws-cn" {
                "amazonaws.com.cn".to_string()
            } else {
                "amazonaws.com".to_string()
            }),
            "AWS::StackName" => Some(DEFAULT_STACK_NAME.to_string()),
            "AWS::StackId" => Some(format!(
                "arn:{}:cloudformation:{}:{}:stack/{}/00000000-0000-0000-0000-000000000000",
                partition(),
                region(),
                self.pseudo_value("AWS::AccountId").unwrap_or_default(),
                self.pseudo_value("AWS::StackName").unwrap_or_default()
            )),
            _ => None,
        }
    }

    /// `AWS::NotificationARNs`: empty unless set.
    pub(crate) fn notification_arns(&self) -> Vec<String> {
        self.pseudo
            .get("AWS::NotificationARNs")
            .map(|v| {
                v.split(',')
                    .map(str::to_string)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_region() {
        let o = Options::new();
        assert_eq!(o.pseudo_value("AWS::Partition").as_deref(), Some("aws"));
        assert_eq!(
            o.pseudo_value("AWS::StackId").as_deref(),
            Some("arn:aws:cloudformation:us-east-1:123456789012:stack/iam-eval-stack/00000000-0000-0000-0000-000000000000")
        );
        let cn = Options::new().region("cn-north-1");
        assert_eq!(cn.pseudo_value("AWS::Partition").as_deref(), Some("aws-cn"));
        assert_eq!(
            cn.pseudo_value("AWS::URLSuffix").as_deref(),
            Some("amazonaws.com.cn")
        );
        assert_eq!(Options::new().pseudo_value("AWS::NoValue"), None);
    }

    #[test]
    fn parameter_arguments() {
        let o = Options::new().parameter_arg("Env=prod=1").unwrap();
        assert_eq!(o.parameter_value("Env"), Some("prod=1"));
        let o = o.parameter_arg("AWS::AccountId=111122223333").unwrap();
        assert_eq!(
            o.pseudo_value("AWS::AccountId").as_deref(),
            Some("111122223333")
        );
        assert!(Options::new().parameter_arg("novalue").is_err());
        assert!(Options::new().parameter_arg("=x").is_err());
        let err = Options::new().parameter_arg("AWS::NoValue=x").unwrap_err();
        assert!(err.message().contains("`AWS::NoValue`"));
    }
}
