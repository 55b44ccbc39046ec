//! The validated, typed form of a policy document.
//!
//! Either/or elements are enums, so a statement with both `Action` and `NotAction` (or
//! neither) cannot be represented. Values keep the text the policy author wrote, for
//! writing the policy back and for explanations; beside it, lowering keeps each value
//! read as its type (numbers, dates, CIDRs, bytes, ARN patterns, strings split at their
//! policy variables), which is what a policy set compiles.
//!
//! Positions are not part of a policy's meaning: a policy parsed from reformatted text
//! equals the original.
//! Grammar: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>.

use super::value::TypedValues;
use crate::operator::ConditionOperator;
use crate::template::Template;

/// The policy language version (`Version` element).
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html>
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `2012-10-17`: the current language, with policy variables.
    V2012_10_17,
    /// `2008-10-17`: the old language; `${...}` is literal text.
    V2008_10_17,
}

impl Version {
    /// The version string as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2012_10_17 => "2012-10-17",
            Version::V2008_10_17 => "2008-10-17",
        }
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// The statement grants.
    Allow,
    /// The statement denies; an explicit deny overrides every allow.
    Deny,
}

impl Effect {
    /// `Allow` or `Deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

impl std::fmt::Display for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A 1-based line and column in the policy source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SourcePos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// A parsed policy document.
///
/// Two policies are equal when they mean the same: positions and the source text are
/// not compared.
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) version: Option<Version>,
    pub(crate) id: Option<String>,
    pub(crate) statements: Vec<Statement>,
    pub(crate) source: SourceText,
}

impl PartialEq for Policy {
    fn eq(&self, other: &Self) -> bool {
        // Not `source`: the text it was parsed from is not its meaning.
        self.version == other.version && self.id == other.id && self.statements == other.statements
    }
}

/// The text a policy was parsed from, kept (shared, not copied) so that errors found
/// after parsing can show the offending line.
#[derive(Clone, Default)]
pub(crate) struct SourceText(pub(crate) Option<std::sync::Arc<str>>);

impl SourceText {
    /// The text, if the policy was parsed from text.
    pub(crate) fn text(&self) -> &str {
        self.0.as_deref().unwrap_or_default()
    }
}

impl std::fmt::Debug for SourceText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "SourceText(..)"
        } else {
            "SourceText(None)"
        })
    }
}

impl Policy {
    /// The `Version` element, if present.
    pub fn version(&self) -> Option<Version> {
        self.version
    }
    /// The `Id` element, if present.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    /// The statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }
    /// Whether `${...}` policy variables are substituted: only with `Version` `2012-10-17`.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>
    pub fn variables_enabled(&self) -> bool {
        self.version == Some(Version::V2012_10_17)
    }

    /// The condition keys the policy reads, as written, in document order and each
    /// once (compared case-insensitively): the keys its conditions test and those its
    /// policy variables name, in `Resource` and in condition values.
    pub fn condition_keys(&self) -> Vec<&str> {
        let mut all: Vec<&str> = Vec::new();
        for s in &self.statements {
            for t in &s.resource_patterns {
                all.extend(t.variables().map(|v| &*v.key));
            }
            for block in &s.condition {
                for entry in &block.entries {
                    all.push(&entry.key);
                    all.extend(entry.typed.variables().map(|v| &*v.key));
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        all.retain(|key| seen.insert(key.to_lowercase()));
        all
    }
}

/// One statement.
///
/// Two statements are equal when they mean the same: where they are in the source is
/// not compared, so a policy reformatted, or written with `Statement` as an object
/// instead of an array, is equal.
#[derive(Debug, Clone)]
pub struct Statement {
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    pub(crate) principal: Option<PrincipalSpec>,
    pub(crate) action: ActionSpec,
    pub(crate) resource: Option<ResourceSpec>,
    /// INVARIANT: the values of `resource` in order, split at their policy variables;
    /// empty when there is no `Resource`/`NotResource`.
    pub(crate) resource_patterns: Vec<Template>,
    pub(crate) condition: Vec<ConditionBlock>,
    pub(crate) pos: StatementPositions,
}

impl PartialEq for Statement {
    fn eq(&self, other: &Self) -> bool {
        // Not `pos`; `resource_patterns` follows from `resource`.
        self.sid == other.sid
            && self.effect == other.effect
            && self.principal == other.principal
            && self.action == other.action
            && self.resource == other.resource
            && self.condition == other.condition
    }
}

/// Where a statement's elements are in the source, for errors found after parsing.
#[derive(Debug, Clone, Default)]
pub(crate) struct StatementPositions {
    pub(crate) path: String,
    pub(crate) statement: SourcePos,
    pub(crate) principal: Option<SourcePos>,
}

impl Statement {
    /// The `Sid`, if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }
    /// `Allow` or `Deny`.
    pub fn effect(&self) -> Effect {
        self.effect
    }
    /// `Principal` or `NotPrincipal`, if present.
    pub fn principal(&self) -> Option<&PrincipalSpec> {
        self.principal.as_ref()
    }
    /// `Action` or `NotAction`.
    pub fn action(&self) -> &ActionSpec {
        &self.action
    }
    /// `Resource` or `NotResource`, if present.
    pub fn resource(&self) -> Option<&ResourceSpec> {
        self.resource.as_ref()
    }
    /// The condition blocks (operator → keys → values), in document order; empty when the
    /// statement has no `Condition`.
    pub fn condition(&self) -> &[ConditionBlock] {
        &self.condition
    }
    /// Where the statement starts in the source.
    pub fn position(&self) -> SourcePos {
        self.pos.statement
    }
}

/// `Principal` or `NotPrincipal`.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>
#[derive(Debug, Clone, PartialEq)]
pub enum PrincipalSpec {
    /// The statement applies to the principals listed.
    Principal(Principals),
    /// The statement applies to every principal except those listed.
    NotPrincipal(Principals),
}

/// The value of a `Principal`/`NotPrincipal` element.
#[derive(Debug, Clone, PartialEq)]
pub enum Principals {
    /// `"*"`: everyone, anonymous callers included.
    Any,
    /// `{"AWS": ..., "Service": ..., ...}`.
    Map(Vec<PrincipalEntry>),
}

/// The principal types of the `Principal` map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    /// `AWS`: account ids, IAM ARNs, or `*`.
    Aws,
    /// `Service`: service principals such as `cloudtrail.amazonaws.com`.
    Service,
    /// `Federated`: identity providers.
    Federated,
    /// `CanonicalUser`: S3 canonical user ids.
    CanonicalUser,
}

impl PrincipalType {
    /// The key as written.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
    /// All principal types.
    pub const ALL: [PrincipalType; 4] = [
        PrincipalType::Aws,
        PrincipalType::Service,
        PrincipalType::Federated,
        PrincipalType::CanonicalUser,
    ];
}

/// One key of the `Principal` map with its values.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalEntry {
    pub(crate) kind: PrincipalType,
    pub(crate) values: Vec<String>,
}

impl PrincipalEntry {
    /// The principal type.
    pub fn kind(&self) -> PrincipalType {
        self.kind
    }
    /// The values listed.
    pub fn values(&self) -> &[String] {
        &self.values
    }
}

/// `Action` or `NotAction`.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionSpec {
    /// The statement covers the actions matched by these patterns.
    Action(Vec<String>),
    /// The statement covers every action except those matched.
    NotAction(Vec<String>),
}

/// `Resource` or `NotResource`.
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceSpec {
    /// The statement covers the resources matched by these patterns.
    Resource(Vec<String>),
    /// The statement covers every resource except those matched.
    NotResource(Vec<String>),
}

/// One operator of a `Condition` element with its keys.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionBlock {
    pub(crate) operator: ConditionOperator,
    pub(crate) entries: Vec<ConditionEntry>,
}

impl ConditionBlock {
    /// The operator.
    pub fn operator(&self) -> ConditionOperator {
        self.operator
    }
    /// The keys tested under this operator, each with its values.
    pub fn entries(&self) -> &[ConditionEntry] {
        &self.entries
    }
}

/// One condition key with the policy's values for it.
#[derive(Debug, Clone)]
pub struct ConditionEntry {
    pub(crate) key: String,
    pub(crate) values: Vec<ConditionValue>,
    /// INVARIANT: `values` read as the block's operator compares them.
    pub(crate) typed: TypedValues,
}

impl PartialEq for ConditionEntry {
    fn eq(&self, other: &Self) -> bool {
        // `typed` follows from `values` and the operator.
        self.key == other.key && self.values == other.values
    }
}

impl ConditionEntry {
    /// The condition key as written (compared case-insensitively).
    pub fn key(&self) -> &str {
        &self.key
    }
    /// The values (ORed for positive operators).
    pub fn values(&self) -> &[ConditionValue] {
        &self.values
    }
}

/// A condition value as written: JSON string, number or boolean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionValue {
    /// A JSON string.
    String(String),
    /// A JSON number, as its literal text.
    Number(String),
    /// A JSON boolean.
    Bool(bool),
}

impl ConditionValue {
    /// The value as text, the way AWS compares it: numbers as written, booleans as
    /// `true`/`false`.
    pub fn as_text(&self) -> &str {
        match self {
            ConditionValue::String(s) | ConditionValue::Number(s) => s,
            ConditionValue::Bool(true) => "true",
            ConditionValue::Bool(false) => "false",
        }
    }
}
