//! Policies as they will be deployed: read out of Terraform plans and CloudFormation (and
//! CDK) templates, offline.
//!
//! Compiled with the `iac` feature.
//!
//! - [`read_terraform_plan`] reads the output of `terraform show -json PLANFILE`
//!   (<https://developer.hashicorp.com/terraform/internals/json-format>).
//! - [`read_cloudformation`] reads a template in JSON or YAML, including the short-form
//!   intrinsic tags, and CDK output (`cdk.out/*.template.json`), resolving intrinsic
//!   functions (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html>).
//! - [`read_path`] and [`read_text`] tell the format from the content.
//!
//! Every policy found is a [`Found`]: where it is ([`Locator`] and attribute), what kind
//! of policy it is, what it is attached to, its JSON text and its position in the file.
//! Nothing that could not be read is passed over in silence: a value unknown until apply
//! or an intrinsic that could not be resolved is an [`Unresolved`] entry on the policy (the
//! policy text holds a placeholder there, see [`placeholder`]); a policy that does not
//! parse carries a [`Problem`]; a resource that holds no IAM policy of a kind this library
//! evaluates (a tag policy, ...) is a [`Skipped`] entry. [`Found::policy`] refuses a policy
//! with unresolved values or problems, so a caller cannot mistake a placeholder for a value.
//!
//! Values the file cannot give (parameters, pseudo parameters, values unknown until apply,
//! imports) come from [`Options`]; reading again with them set resolves the policy.
//!
//! [`Extraction::in_force_for`] assembles the policies in force for a role or user: its
//! inline and attached policies found in the file, the ARNs of attached policies the file
//! does not hold (AWS managed policies), its permissions boundary and its trust policy.

mod cloudformation;
mod error;
mod options;
mod terraform;
mod tree;
mod yaml;

pub use error::{IacError, IacErrorKind};
pub use options::{Options, DEFAULT_ACCOUNT_ID, DEFAULT_REGION, DEFAULT_STACK_NAME};

use crate::{Policy, PolicyKind};
use std::fmt;
use std::path::Path;

/// The kind of file an [`Extraction`] was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// `terraform show -json PLANFILE` output.
    TerraformPlan,
    /// A CloudFormation template in JSON (CDK output included).
    CloudFormationJson,
    /// A CloudFormation template in YAML.
    CloudFormationYaml,
}

/// How [`read_cloudformation`] should read the template text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TemplateFormat {
    /// JSON (CDK output is JSON).
    Json,
    /// YAML.
    Yaml,
    /// JSON if the text starts with `{`, YAML otherwise.
    #[default]
    Detect,
}

/// Where a policy is in its file: a Terraform resource address or a CloudFormation logical
/// id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Locator {
    /// A Terraform resource instance address, such as
    /// `module.app.aws_iam_role.this["web"]` or `data.aws_iam_policy_document.read`.
    Address(String),
    /// A CloudFormation logical id, such as `UploadsBucketPolicy`.
    LogicalId(String),
}

impl Locator {
    /// The address or logical id.
    pub fn as_str(&self) -> &str {
        match self {
            Locator::Address(s) | Locator::LogicalId(s) => s,
        }
    }
}

impl fmt::Display for Locator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A 1-based line and a 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

/// Which part of the file a policy was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// A plan's `planned_values`: managed resources, and data sources read during apply.
    PlannedValues,
    /// A plan's `prior_state`: data sources that Terraform read while planning.
    PriorState,
    /// A CloudFormation template's `Resources`.
    Template,
}

/// Why a value could not be resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cause {
    /// Terraform knows the value only after apply (`after_unknown`).
    UnknownUntilApply,
    /// The attribute is absent (or null) in the plan's `planned_values`.
    AbsentFromPlan,
    /// A template parameter with no default and no value given.
    NoParameterValue,
    /// A resource's `Ref` or attribute that is generated at deploy time or cannot be
    /// derived from the template (a key id, a bucket without `BucketName`, ...).
    GeneratedAtDeploy,
    /// `Fn::ImportValue`: the export lives in another stack.
    Import,
    /// `Fn::GetAZs`: the zones depend on the account.
    AvailabilityZones,
    /// A condition that depends on something unresolved.
    Condition,
    /// A reference to something the template does not define.
    UnknownReference,
    /// An intrinsic function this reader does not evaluate.
    UnsupportedIntrinsic,
    /// An intrinsic function whose arguments do not have the shape it takes.
    InvalidIntrinsic,
}

/// A value in a policy that could not be resolved. The policy's text holds
/// [`placeholder`]`(what)` in its place.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Unresolved {
    /// Where the value is, inside the resource: `Properties.PolicyDocument.Statement[0].Resource`
    /// for a template, the attribute (`policy`, `inline_policy[0].policy`) for a plan.
    pub path: String,
    /// What would give the value, and the key under which [`Options::supply`] takes it:
    /// `GetAtt UploadsBucket.Arn`, `Ref Environment`, `ImportValue shared-key-arn`,
    /// `Condition IsProd`, `GetAZs us-east-1`, or for a plan `ADDRESS.ATTRIBUTE`, such as
    /// `aws_s3_bucket_policy.uploads.policy`.
    pub what: String,
    /// Why it could not be resolved.
    pub cause: Cause,
    /// The reason in words.
    pub reason: String,
}

/// A problem with a policy that was found: it does not parse, for instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Problem {
    /// Where, inside the resource (or the policy, for a parse error: then the policy's own
    /// JSON path, such as `Statement[0].Effect`).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// Advice, if there is some.
    pub help: Option<String>,
}

/// One policy read out of a plan or template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Found {
    /// The file it was read from, when read with [`read_path`] or [`read_text`] with a name.
    pub source: Option<String>,
    /// The resource that holds it.
    pub locator: Locator,
    /// The resource type: `aws_iam_role`, `AWS::S3::BucketPolicy`, ...
    pub resource_type: String,
    /// Where the policy is inside the resource: `policy`, `assume_role_policy`,
    /// `inline_policy[1].policy`, `json`, `Properties.Policies[1].PolicyDocument`, ...
    pub attribute: String,
    /// The policy's name where the resource gives one (an inline policy's name, a managed
    /// policy's name).
    pub name: Option<String>,
    /// What the policy is used as. A permissions boundary is an identity-based managed
    /// policy ([`PolicyKind::Identity`]) that principals name as their boundary: see
    /// [`InForce::boundary`].
    pub kind: PolicyKind,
    /// For a role's trust policy (a resource-based policy on the role, with no `Resource`
    /// element), the role's address or logical id.
    pub trust_policy_of: Option<String>,
    /// What the policy applies to: roles, users, groups, buckets, keys, queues, topics or
    /// organization targets, as addresses or logical ids when they are in the file and as
    /// names, ARNs or URLs otherwise.
    pub attached_to: Vec<String>,
    /// The policy as JSON text, after resolution.
    pub policy_json: String,
    /// Where the policy value starts in the file.
    pub position: Option<Position>,
    /// Which part of the file it came from.
    pub origin: Origin,
    /// Values that could not be resolved: while this is not empty, the text holds
    /// placeholders.
    pub unresolved: Vec<Unresolved>,
    /// Problems with the policy, such as a text that does not parse.
    pub problems: Vec<Problem>,
}

impl Found {
    /// A name for messages and test files: `LOCATOR#ATTRIBUTE`.
    pub fn id(&self) -> String {
        format!("{}#{}", self.locator, self.attribute)
    }

    /// Whether the policy is complete: nothing unresolved and no problems.
    pub fn is_complete(&self) -> bool {
        self.unresolved.is_empty() && self.problems.is_empty()
    }

    /// Parses the policy.
    ///
    /// # Errors
    /// [`IacErrorKind::Unresolved`] while any value is unresolved (the text holds
    /// placeholders), [`IacErrorKind::InvalidPolicy`] when the policy has problems or its
    /// text does not parse.
    pub fn policy(&self) -> Result<Policy, IacError> {
        if let Some(first) = self.unresolved.first() {
            return Err(IacError::new(
                IacErrorKind::Unresolved,
                format!(
                    "`{}` has {} unresolved value(s), the first at `{}`: {}",
                    self.id(),
                    self.unresolved.len(),
                    first.path,
                    first.reason
                ),
            )
            .with_help(format!("supply a value for `{}`", first.what)));
        }
        if let Some(first) = self.problems.first() {
            let mut err = IacError::new(
                IacErrorKind::InvalidPolicy,
                format!("`{}` is not a valid policy: {}", self.id(), first.message),
            );
            if let Some(help) = &first.help {
                err = err.with_help(help.clone());
            }
            return Err(err);
        }
        Policy::parse(&self.policy_json).map_err(|e| {
            IacError::new(
                IacErrorKind::InvalidPolicy,
                format!("`{}` is not a valid policy: {e}", self.id()),
            )
        })
    }
}

/// A resource that holds a policy this reader does not return, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Skipped {
    /// The resource.
    pub locator: Locator,
    /// Its type.
    pub resource_type: String,
    /// Why it was skipped.
    pub reason: String,
}

/// What kind of IAM principal a role, user or group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PrincipalType {
    /// An IAM role.
    Role,
    /// An IAM user.
    User,
    /// An IAM group (not a principal that signs requests, but its policies apply to its
    /// users).
    Group,
}

/// A policy attached by reference: one in the file, or an ARN the file does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyRef<'a> {
    /// A policy found in the file.
    Found(&'a Found),
    /// The ARN of a policy the file does not hold (an AWS managed policy, or one managed
    /// elsewhere): the caller must supply it.
    Arn(&'a str),
}

/// The policies in force for a role or user, as far as the file tells.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InForce<'a> {
    /// The role or user.
    pub principal: &'a Locator,
    /// Role or user.
    pub principal_type: PrincipalType,
    /// Identity-based policies found in the file: inline policies, attached managed
    /// policies and, for a user, its groups' policies.
    pub identity: Vec<&'a Found>,
    /// ARNs of attached policies that the file does not hold: the caller must supply them.
    pub external: Vec<&'a str>,
    /// The permissions boundary, if one is set.
    pub boundary: Option<PolicyRef<'a>>,
    /// A role's trust policy.
    pub trust_policy: Option<&'a Found>,
    /// Attachments that could not be linked (a role name or policy ARN unknown until apply
    /// with no reference to follow): the policies in force may be more than listed.
    pub unresolved: &'a [Unresolved],
}

/// An attachment as a reader records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Attached {
    Found(usize),
    Arn(String),
}

/// A role, user or group and what is attached to it, as indexes into `found`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrincipalRecord {
    pub(crate) locator: Locator,
    pub(crate) principal_type: PrincipalType,
    pub(crate) trust: Option<usize>,
    pub(crate) inline: Vec<usize>,
    pub(crate) attached: Vec<Attached>,
    pub(crate) boundary: Option<Attached>,
    /// For a user: the records of its groups.
    pub(crate) groups: Vec<usize>,
    pub(crate) unresolved: Vec<Unresolved>,
}

impl PrincipalRecord {
    pub(crate) fn new(locator: Locator, principal_type: PrincipalType) -> PrincipalRecord {
        PrincipalRecord {
            locator,
            principal_type,
            trust: None,
            inline: Vec::new(),
            attached: Vec::new(),
            boundary: None,
            groups: Vec::new(),
            unresolved: Vec::new(),
        }
    }
}

/// Everything read out of one plan or template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Extraction {
    /// The kind of file.
    pub format: Format,
    /// The file, when known.
    pub source: Option<String>,
    /// Every policy found, in file order.
    pub found: Vec<Found>,
    /// Resources that hold a policy this reader does not return.
    pub skipped: Vec<Skipped>,
    /// Problems with the file as a whole: a template `Transform` that changes resources
    /// before deployment, a resource with no type, ...
    pub problems: Vec<Problem>,
    principals: Vec<PrincipalRecord>,
}

impl Extraction {
    pub(crate) fn new(format: Format) -> Extraction {
        Extraction {
            format,
            source: None,
            found: Vec::new(),
            skipped: Vec::new(),
            problems: Vec::new(),
            principals: Vec::new(),
        }
    }

    /// The policies of the Terraform resource instance at `address`, such as
    /// `module.app.aws_iam_role.this["web"]` (a role gives its trust policy and inline
    /// policies).
    pub fn by_address(&self, address: &str) -> Vec<&Found> {
        self.found
            .iter()
            .filter(|f| matches!(&f.locator, Locator::Address(a) if a == address))
            .collect()
    }

    /// The policies of the CloudFormation resource `logical_id`.
    pub fn by_logical_id(&self, logical_id: &str) -> Vec<&Found> {
        self.found
            .iter()
            .filter(|f| matches!(&f.locator, Locator::LogicalId(a) if a == logical_id))
            .collect()
    }

    /// The policy with this [`Found::id`] (`LOCATOR#ATTRIBUTE`).
    pub fn get(&self, id: &str) -> Option<&Found> {
        self.found.iter().find(|f| f.id() == id)
    }

    /// The roles, users and groups in the file.
    pub fn principals(&self) -> impl Iterator<Item = (&Locator, PrincipalType)> {
        self.principals
            .iter()
            .map(|p| (&p.locator, p.principal_type))
    }

    /// Whether every policy is complete and nothing was skipped or reported.
    pub fn is_complete(&self) -> bool {
        self.found.iter().all(Found::is_complete)
            && self.skipped.is_empty()
            && self.problems.is_empty()
            && self.principals.iter().all(|p| p.unresolved.is_empty())
    }

    /// The policies in force for a role or user: a Terraform address
    /// (`aws_iam_role.uploader`) or a CloudFormation logical id (`UploaderRole`).
    ///
    /// # Errors
    /// [`IacErrorKind::NotFound`] when no role or user in the file has that address or
    /// logical id.
    pub fn in_force_for(&self, principal: &str) -> Result<InForce<'_>, IacError> {
        let Some(record) = self
            .principals
            .iter()
            .find(|p| p.locator.as_str() == principal && p.principal_type != PrincipalType::Group)
        else {
            let known: Vec<&str> = self
                .principals
                .iter()
                .filter(|p| p.principal_type != PrincipalType::Group)
                .map(|p| p.locator.as_str())
                .collect();
            let mut err = IacError::new(
                IacErrorKind::NotFound,
                format!("no role or user `{principal}` in the file"),
            );
            if !known.is_empty() {
                err = err.with_help(format!("the roles and users are `{}`", known.join("`, `")));
            }
            return Err(err);
        };
        let mut identity: Vec<&Found> = Vec::new();
        let mut external: Vec<&str> = Vec::new();
        let groups = record.groups.iter().filter_map(|&g| self.principals.get(g));
        for r in std::iter::once(record).chain(groups) {
            identity.extend(r.inline.iter().filter_map(|&i| self.found.get(i)));
            for a in &r.attached {
                match a {
                    Attached::Found(i) => identity.extend(self.found.get(*i)),
                    Attached::Arn(arn) => external.push(arn.as_str()),
                }
            }
        }
        // A policy attached twice (by its `Roles` and by the role's `ManagedPolicyArns`)
        // is in force once.
        let mut seen = std::collections::HashSet::new();
        identity.retain(|f| seen.insert(std::ptr::from_ref(*f)));
        let boundary = record.boundary.as_ref().and_then(|b| match b {
            Attached::Found(i) => self.found.get(*i).map(PolicyRef::Found),
            Attached::Arn(arn) => Some(PolicyRef::Arn(arn)),
        });
        Ok(InForce {
            principal: &record.locator,
            principal_type: record.principal_type,
            identity,
            external,
            boundary,
            trust_policy: record.trust.and_then(|i| self.found.get(i)),
            unresolved: &record.unresolved,
        })
    }

    fn with_source(mut self, source: Option<&str>) -> Extraction {
        if let Some(s) = source {
            self.source = Some(s.to_string());
            for f in &mut self.found {
                f.source = Some(s.to_string());
            }
        }
        self
    }
}

/// The text that stands in a policy for a value that could not be resolved:
/// `<unresolved: WHAT>`, where `WHAT` is [`Unresolved::what`].
pub fn placeholder(what: &str) -> String {
    format!("<unresolved: {what}>")
}

/// Checks a resolved policy text with the library's parser and records what is wrong as
/// problems, so that an unparsable policy is an entry, never a skip.
pub(crate) fn check_policy(found: &mut Found) {
    if !found.unresolved.is_empty() {
        // Placeholders make the text unparsable or meaningless; it is checked again once
        // the values are supplied.
        return;
    }
    if let Err(e) = Policy::parse(&found.policy_json) {
        for d in e.diagnostics() {
            found.problems.push(Problem {
                path: d.path().to_string(),
                message: format!("the policy does not parse: {}", d.message()),
                help: d.help().map(str::to_string),
            });
        }
        if e.diagnostics().is_empty() {
            found.problems.push(Problem {
                path: String::new(),
                message: format!("the policy does not parse: {e}"),
                help: None,
            });
        }
    }
}

/// Reads `terraform show -json PLANFILE` output.
///
/// # Errors
/// [`IacErrorKind::JsonSyntax`] with the line and column for text that is not JSON,
/// [`IacErrorKind::NotRecognized`] for JSON that is not a plan (a state file, a template),
/// [`IacErrorKind::UnsupportedFormatVersion`] for a `format_version` other than `1.x`,
/// [`IacErrorKind::Malformed`] for a plan whose sections have the wrong types, and
/// [`IacErrorKind::TooDeep`] for values nested beyond the limit.
pub fn read_terraform_plan(text: &str, options: &Options) -> Result<Extraction, IacError> {
    let root = tree::parse_json(text)?;
    terraform::read(&root, options)
}

/// Reads a CloudFormation template (CDK output included).
///
/// # Errors
/// [`IacErrorKind::JsonSyntax`] or [`IacErrorKind::YamlSyntax`] with the line and column,
/// [`IacErrorKind::NotRecognized`] for a document with neither `Resources` nor
/// `AWSTemplateFormatVersion`, [`IacErrorKind::Malformed`] for sections of the wrong type,
/// [`IacErrorKind::TooDeep`] and [`IacErrorKind::TooLarge`] past the limits (YAML alias
/// expansion included).
pub fn read_cloudformation(
    text: &str,
    format: TemplateFormat,
    options: &Options,
) -> Result<Extraction, IacError> {
    let yaml = match format {
        TemplateFormat::Json => false,
        TemplateFormat::Yaml => true,
        TemplateFormat::Detect => !text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{'),
    };
    let root = if yaml {
        yaml::parse_yaml(text)?
    } else {
        tree::parse_json(text)?
    };
    let format = if yaml {
        Format::CloudFormationYaml
    } else {
        Format::CloudFormationJson
    };
    cloudformation::read(&root, format, options)
}

/// Reads a plan or template from text, telling the format from the content: JSON with
/// `format_version` and `planned_values` is a Terraform plan; a document with `Resources`
/// or `AWSTemplateFormatVersion` is a CloudFormation template. Text that does not start
/// with `{` is read as YAML. `name`, if given, is recorded as the source of each policy
/// and its extension (`.yaml`, `.yml`) forces YAML.
///
/// # Errors
/// As [`read_terraform_plan`] and [`read_cloudformation`]; [`IacErrorKind::NotRecognized`]
/// when the document is neither.
pub fn read_text(
    text: &str,
    name: Option<&str>,
    options: &Options,
) -> Result<Extraction, IacError> {
    let by_extension = name
        .and_then(|n| Path::new(n).extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let yaml = matches!(by_extension.as_deref(), Some("yaml" | "yml"))
        || !text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{');
    let result = if yaml {
        yaml::parse_yaml(text)
            .and_then(|root| cloudformation::read(&root, Format::CloudFormationYaml, options))
    } else {
        tree::parse_json(text).and_then(|root| {
            if root.get("format_version").is_some() && root.get("planned_values").is_some() {
                terraform::read(&root, options)
            } else if root.get("Resources").is_some()
                || root.get("AWSTemplateFormatVersion").is_some()
            {
                cloudformation::read(&root, Format::CloudFormationJson, options)
            } else if root.get("format_version").is_some() {
                terraform::read(&root, options)
            } else {
                Err(not_recognized())
            }
        })
    };
    match (result, name) {
        (Ok(x), name) => Ok(x.with_source(name)),
        (Err(e), Some(name)) => Err(e.with_file(name)),
        (Err(e), None) => Err(e),
    }
}

/// Reads a plan or template file, telling the format as [`read_text`] does.
///
/// # Errors
/// [`IacErrorKind::Io`] when the file cannot be read or is not UTF-8; otherwise as
/// [`read_text`]. Errors carry the file's path.
pub fn read_path(path: impl AsRef<Path>, options: &Options) -> Result<Extraction, IacError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        IacError::new(IacErrorKind::Io, format!("cannot read `{name}`: {e}"))
            .with_file(name.clone())
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        IacError::new(IacErrorKind::Io, format!("`{name}` is not UTF-8 text"))
            .with_file(name.clone())
            .with_help("plans and templates are UTF-8 text")
    })?;
    read_text(&text, Some(&name), options)
}

pub(crate) fn not_recognized() -> IacError {
    IacError::new(
        IacErrorKind::NotRecognized,
        "the document is neither a Terraform plan nor a CloudFormation template",
    )
    .with_help("pass the output of `terraform show -json PLANFILE`, or a template with a `Resources` section")
}
