//! Request shapes: the set of requests a question is about.

use crate::pattern::{Case, Pattern};
use crate::policy::{ConditionBlock, Policy};
use crate::request::Principal;
use std::fmt;

/// Who may be asking, in a [`Shape`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapePrincipal {
    /// Exactly this caller.
    Caller(Principal),
    /// Any IAM principal of this account: its root user, users, roles, role sessions
    /// and federated users.
    Account(String),
    /// Any caller at all: IAM principals of any account, anonymous callers, services,
    /// web identity and SAML providers, and canonical users.
    Any,
}

/// A set of requests: who asks, which actions on which resources, and what the context
/// may hold.
///
/// The context is constrained by an IAM `Condition` block, read exactly as in a policy
/// (missing keys, `IfExists`, set operators and variables included); a request is in the
/// shape when every condition of the block holds. A key the block does not mention is
/// unconstrained: any value, or absent. Keys AWS derives from the caller
/// (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username`,
/// `aws:PrincipalIsAWSService`, `aws:PrincipalServiceName`) are never free: a condition on
/// them constrains the caller. A key is single-valued unless AWS documents it as
/// multivalued, the shape declares it so ([`ShapeBuilder::multivalued`]), or some policy
/// in the question or the shape tests it with `ForAnyValue` or `ForAllValues`.
///
/// ```
/// use iam_eval::analysis::Shape;
///
/// let shape = Shape::builder()
///     .any_principal()
///     .action("s3:PutObject")
///     .resource("arn:aws:s3:::example-bucket/*")
///     .condition_json(r#"{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}"#)
///     .build()?;
/// assert_eq!(shape.actions(), ["s3:PutObject"]);
/// # Ok::<(), iam_eval::analysis::ShapeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Shape {
    pub(crate) principals: Vec<ShapePrincipal>,
    pub(crate) actions: Vec<String>,
    pub(crate) resources: Vec<String>,
    pub(crate) resource_account: Option<String>,
    /// The `Condition` block as written, for showing the shape.
    pub(crate) condition_text: Option<String>,
    /// The block, read as a policy's.
    pub(crate) conditions: Vec<ConditionBlock>,
    /// Keys declared multivalued, lowercase.
    pub(crate) multivalued: Vec<String>,
}

impl Shape {
    /// Starts a shape.
    pub fn builder() -> ShapeBuilder {
        ShapeBuilder::default()
    }
    /// The callers.
    pub fn principals(&self) -> &[ShapePrincipal] {
        &self.principals
    }
    /// The action patterns, as written.
    pub fn actions(&self) -> &[String] {
        &self.actions
    }
    /// The resource patterns, as written.
    pub fn resources(&self) -> &[String] {
        &self.resources
    }
    /// The account that owns the resource, when the shape fixes it.
    pub fn resource_account(&self) -> Option<&str> {
        self.resource_account.as_deref()
    }
    /// The `Condition` block as written, if any.
    pub fn condition(&self) -> Option<&str> {
        self.condition_text.as_deref()
    }

    /// The action patterns, lowercase, as statements compare them.
    pub(crate) fn action_patterns(&self) -> Vec<Pattern> {
        self.actions
            .iter()
            .map(|a| Pattern::new(&a.to_ascii_lowercase(), Case::Sensitive))
            .collect()
    }

    /// The resource patterns.
    pub(crate) fn resource_patterns(&self) -> Vec<Pattern> {
        self.resources
            .iter()
            .map(|r| Pattern::new(r, Case::Sensitive))
            .collect()
    }
}

/// Builds a [`Shape`]. Every list is repeatable; a list left empty means everything
/// (any caller, every action `*`, every resource `*`).
#[derive(Debug, Clone, Default)]
pub struct ShapeBuilder {
    principals: Vec<Result<ShapePrincipal, ShapeError>>,
    actions: Vec<String>,
    resources: Vec<String>,
    resource_account: Option<String>,
    condition: Option<String>,
    multivalued: Vec<String>,
}

impl ShapeBuilder {
    /// Adds one caller: an ARN, `*` for anonymous, `service:NAME`, `federated:PROVIDER` or
    /// `canonical-user:ID` (as [`Principal::parse`] reads them).
    pub fn principal(&mut self, caller: &str) -> &mut Self {
        let p = Principal::parse(caller)
            .map(ShapePrincipal::Caller)
            .map_err(|e| ShapeError::new(e.message().to_string(), e.help().map(str::to_string)));
        self.principals.push(p);
        self
    }
    /// Adds every IAM principal of an account.
    pub fn principal_account(&mut self, account: &str) -> &mut Self {
        let ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        self.principals.push(if ok {
            Ok(ShapePrincipal::Account(account.to_string()))
        } else {
            Err(ShapeError::new(
                format!("`{account}` is not an account id"),
                Some("an account id is twelve digits, such as `111122223333`".into()),
            ))
        });
        self
    }
    /// Adds every caller.
    pub fn any_principal(&mut self) -> &mut Self {
        self.principals.push(Ok(ShapePrincipal::Any));
        self
    }
    /// Adds an action pattern (`s3:PutObject`, `s3:Put*`, `*`); compared without regard
    /// to case, as AWS compares actions.
    pub fn action(&mut self, pattern: &str) -> &mut Self {
        self.actions.push(pattern.to_string());
        self
    }
    /// Adds a resource pattern (`arn:aws:s3:::example-bucket/*`, `*`), compared as a
    /// `Resource` element compares.
    pub fn resource(&mut self, pattern: &str) -> &mut Self {
        self.resources.push(pattern.to_string());
        self
    }
    /// Fixes the account that owns the resource, for resources whose ARN names none (S3
    /// buckets). Without it the owner is the one given with a resource-based policy, or
    /// else the caller's account.
    pub fn resource_account(&mut self, account: &str) -> &mut Self {
        self.resource_account = Some(account.to_string());
        self
    }
    /// Constrains the context with an IAM `Condition` block, as JSON:
    /// `{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}`.
    pub fn condition_json(&mut self, json: &str) -> &mut Self {
        self.condition = Some(json.to_string());
        self
    }
    /// Declares a context key multivalued: requests may give it as a list.
    pub fn multivalued(&mut self, key: &str) -> &mut Self {
        self.multivalued.push(key.to_lowercase());
        self
    }

    /// Builds the shape.
    ///
    /// # Errors
    /// A [`ShapeError`] for a caller that cannot be read, an account that is not twelve
    /// digits, an action pattern that is not `service:Action`, or a `Condition` block
    /// that is not valid as a policy's.
    pub fn build(&mut self) -> Result<Shape, ShapeError> {
        let mut principals = Vec::new();
        for p in std::mem::take(&mut self.principals) {
            principals.push(p?);
        }
        if principals.is_empty() {
            principals.push(ShapePrincipal::Any);
        }
        let mut actions = std::mem::take(&mut self.actions);
        for a in &actions {
            if a != "*" && !a.contains(':') {
                return Err(ShapeError::new(
                    format!("`{a}` is not an action pattern"),
                    Some("an action is `service:ActionName`, such as `s3:PutObject` or `s3:Put*`, or `*`".into()),
                ));
            }
        }
        if actions.is_empty() {
            actions.push("*".into());
        }
        let mut resources = std::mem::take(&mut self.resources);
        if let Some(r) = resources.iter().find(|r| r.is_empty()) {
            return Err(ShapeError::new(
                format!("`{r}` is not a resource pattern"),
                Some("write an ARN pattern such as `arn:aws:s3:::example-bucket/*`, or `*`".into()),
            ));
        }
        if resources.is_empty() {
            resources.push("*".into());
        }
        let condition_text = self.condition.take();
        let conditions = match &condition_text {
            None => Vec::new(),
            Some(json) => read_condition(json)?,
        };
        Ok(Shape {
            principals,
            actions,
            resources,
            resource_account: self.resource_account.take(),
            condition_text,
            conditions,
            multivalued: std::mem::take(&mut self.multivalued),
        })
    }
}

/// Reads a `Condition` block with the policy reader, so that it means what it would in
/// a policy.
fn read_condition(json: &str) -> Result<Vec<ConditionBlock>, ShapeError> {
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {json}}}]}}"#
    );
    let policy = Policy::parse(&text).map_err(|e| {
        let d = e.diagnostics().first();
        ShapeError::new(
            format!(
                "the condition block is not valid: {}",
                d.map_or_else(|| e.to_string(), |d| d.message().to_string())
            ),
            d.and_then(|d| d.help()).map(str::to_string),
        )
    })?;
    Ok(policy
        .statements()
        .first()
        .map(|s| s.condition().to_vec())
        .unwrap_or_default())
}

/// A shape could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    message: String,
    help: Option<String>,
}

impl ShapeError {
    pub(crate) fn new(message: String, help: Option<String>) -> ShapeError {
        ShapeError { message, help }
    }
    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// What would be valid, if there is advice to give.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ShapeError {}
