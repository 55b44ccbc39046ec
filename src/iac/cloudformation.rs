//! CloudFormation templates: the resources that hold policies, and the intrinsic functions
//! in them.
//!
//! Template anatomy: <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html>.
//! Intrinsic functions: <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html>.
//! What `Ref` and `Fn::GetAtt` return for each resource type is on that type's page in the
//! template reference (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html>).

use super::tree::{write_string, Node, Value};
use super::{
    check_policy, not_recognized, placeholder, Attached, Cause, Extraction, Format, Found,
    IacError, IacErrorKind, Locator, Options, Origin, Position, PrincipalRecord, PrincipalType,
    Problem, Skipped, Unresolved,
};
use crate::PolicyKind;
use std::collections::HashMap;

/// How many resources and conditions one value may go through (`Fn::GetAtt` of a bucket
/// whose name is a `Fn::Sub` of a parameter, ...) before the chain is called too long. It
/// also stops cycles that the in-progress check would miss.
const MAX_CHAIN: usize = 32;

/// Resource types that hold policies this reader does not return, and the property.
const NOT_READ: [(&str, &str); 14] = [
    ("AWS::S3::AccessPoint", "Policy"),
    ("AWS::S3::MultiRegionAccessPointPolicy", "Policy"),
    ("AWS::S3Express::BucketPolicy", "PolicyDocument"),
    ("AWS::KMS::ReplicaKey", "KeyPolicy"),
    ("AWS::SecretsManager::ResourcePolicy", "ResourcePolicy"),
    ("AWS::ECR::Repository", "RepositoryPolicyText"),
    ("AWS::Lambda::Permission", "Principal"),
    ("AWS::Logs::ResourcePolicy", "PolicyDocument"),
    ("AWS::Events::EventBusPolicy", "Statement"),
    ("AWS::EC2::VPCEndpoint", "PolicyDocument"),
    ("AWS::Backup::BackupVault", "AccessPolicy"),
    ("AWS::EFS::FileSystem", "FileSystemPolicy"),
    ("AWS::OpenSearchService::Domain", "AccessPolicies"),
    ("AWS::Serverless::Function", "Policies"),
];

/// Why a value could not be resolved, on its way up to the element that records it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Unres {
    what: String,
    cause: Cause,
    reason: String,
}

impl Unres {
    fn new(what: impl Into<String>, cause: Cause, reason: impl Into<String>) -> Unres {
        Unres {
            what: what.into(),
            cause,
            reason: reason.into(),
        }
    }

    fn invalid(function: &str, reason: impl Into<String>) -> Unres {
        Unres::new(function, Cause::InvalidIntrinsic, reason)
    }
}

type R<T> = Result<T, Unres>;

struct Template<'a> {
    parameters: &'a [(String, Node)],
    mappings: Option<&'a Node>,
    conditions: Option<&'a Node>,
    resources: &'a [(String, Node)],
    options: &'a Options,
}

impl Template<'_> {
    fn resource(&self, id: &str) -> Option<&Node> {
        self.resources.iter().find(|(k, _)| k == id).map(|(_, v)| v)
    }

    fn resource_type(&self, id: &str) -> Option<&str> {
        self.resource(id)
            .and_then(|r| r.get("Type"))
            .and_then(Node::as_str)
    }

    fn pseudo(&self, name: &str) -> String {
        self.options.pseudo_value(name).unwrap_or_default()
    }
}

/// Resolves intrinsic functions inside one policy (or one other value), collecting what it
/// could not resolve.
struct Resolver<'t, 'a> {
    t: &'t Template<'a>,
    unresolved: Vec<Unresolved>,
    conditions: HashMap<String, R<bool>>,
    /// Resources and conditions being resolved, to stop cycles.
    chain: Vec<String>,
}

fn member_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn is_intrinsic(key: &str) -> bool {
    key == "Ref" || key.starts_with("Fn::")
}

/// The single key of a one-member mapping that names an intrinsic function.
fn intrinsic_of(node: &Node) -> Option<(&str, &Node)> {
    match node.as_object() {
        Some([(key, arg)]) if is_intrinsic(key) => Some((key.as_str(), arg)),
        _ => None,
    }
}

fn string_node(s: String, at: &Node) -> Node {
    Node::at(Value::String(s), at)
}

fn values_equal(a: &Node, b: &Node) -> bool {
    match (a.scalar_text(), b.scalar_text()) {
        (Some(x), Some(y)) => x == y,
        _ => a.to_json() == b.to_json(),
    }
}

/// Base64 as `Fn::Base64` encodes: standard alphabet, padded.
fn base64(input: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |i: u32| char::from(*ALPHABET.get((i & 63) as usize).unwrap_or(&b'='));
    let mut out = String::new();
    for chunk in input.as_bytes().chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if chunk.len() > 1 { sym(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(n) } else { '=' });
    }
    out
}

impl<'t, 'a> Resolver<'t, 'a> {
    fn new(t: &'t Template<'a>) -> Resolver<'t, 'a> {
        Resolver {
            t,
            unresolved: Vec::new(),
            conditions: HashMap::new(),
            chain: Vec::new(),
        }
    }

    fn record(&mut self, path: &str, u: Unres) {
        self.unresolved.push(Unresolved {
            path: path.to_string(),
            what: u.what,
            cause: u.cause,
            reason: u.reason,
        });
    }

    /// Resolves a value: `None` when it is `AWS::NoValue` (the property or item is removed).
    /// Inside plain mappings and lists, an element that cannot be resolved is recorded at
    /// its path and replaced by a placeholder; an intrinsic that cannot be resolved as a
    /// whole is returned as an error to the element that holds it.
    fn resolve(&mut self, node: &Node, path: &str) -> R<Option<Node>> {
        if let Some((function, arg)) = intrinsic_of(node) {
            return self.intrinsic(function, arg, node, path);
        }
        match &node.value {
            Value::Object(members) => {
                let mut out = Vec::with_capacity(members.len());
                for (key, value) in members {
                    let p = member_path(path, key);
                    match self.resolve(value, &p) {
                        Ok(Some(v)) => out.push((key.clone(), v)),
                        Ok(None) => {}
                        Err(u) => {
                            let text = placeholder(&u.what);
                            self.record(&p, u);
                            out.push((key.clone(), string_node(text, value)));
                        }
                    }
                }
                Ok(Some(Node::at(Value::Object(out), node)))
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    match self.resolve(item, &p) {
                        Ok(Some(v)) => out.push(v),
                        Ok(None) => {}
                        Err(u) => {
                            let text = placeholder(&u.what);
                            self.record(&p, u);
                            out.push(string_node(text, item));
                        }
                    }
                }
                Ok(Some(Node::at(Value::Array(out), node)))
            }
            _ => Ok(Some(node.clone())),
        }
    }

    /// Resolves a value that must exist (not `AWS::NoValue`).
    fn value(&mut self, node: &Node, path: &str, function: &str) -> R<Node> {
        self.resolve(node, path)?.ok_or_else(|| {
            Unres::invalid(
                function,
                format!("`AWS::NoValue` cannot be an argument of `{function}`"),
            )
        })
    }

    fn string(&mut self, node: &Node, path: &str, function: &str) -> R<String> {
        self.value(node, path, function)?
            .scalar_text()
            .ok_or_else(|| {
                Unres::invalid(
                    function,
                    format!("`{function}` takes a string here, not a list or mapping"),
                )
            })
    }

    fn list(&mut self, node: &Node, path: &str, function: &str) -> R<Vec<Node>> {
        match &node.value {
            Value::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if let Some(v) = self.resolve(item, &format!("{path}[{i}]"))? {
                        out.push(v);
                    }
                }
                Ok(out)
            }
            _ => match self.value(node, path, function)?.value {
                Value::Array(items) => Ok(items),
                _ => Err(Unres::invalid(
                    function,
                    format!("`{function}` takes a list here"),
                )),
            },
        }
    }

    fn args<'n>(arg: &'n Node, function: &str, counts: &[usize]) -> R<&'n [Node]> {
        match arg.as_array() {
            Some(items) if counts.contains(&items.len()) => Ok(items),
            _ => Err(Unres::invalid(
                function,
                format!(
                    "`{function}` takes a list of {} arguments",
                    counts
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            )),
        }
    }

    fn intrinsic(
        &mut self,
        function: &str,
        arg: &Node,
        node: &Node,
        path: &str,
    ) -> R<Option<Node>> {
        match function {
            "Ref" => {
                let name = arg
                    .as_str()
                    .ok_or_else(|| Unres::invalid("Ref", "`Ref` takes the name of a parameter or resource"))?;
                self.reference(name, node)
            }
            "Fn::GetAtt" => {
                let (id, attribute) = match &arg.value {
                    Value::String(s) => match s.split_once('.') {
                        Some((id, attr)) => (id.to_string(), attr.to_string()),
                        None => return Err(Unres::invalid("Fn::GetAtt", format!("`{s}` is not `LogicalId.Attribute`"))),
                    },
                    _ => {
                        let items = Self::args(arg, "Fn::GetAtt", &[2])?;
                        let (Some(id), Some(attr)) = (items.first(), items.get(1)) else {
                            return Err(Unres::invalid("Fn::GetAtt", "`Fn::GetAtt` takes a logical id and an attribute name"));
                        };
                        let id = id.as_str().ok_or_else(|| Unres::invalid("Fn::GetAtt", "the logical id of `Fn::GetAtt` must be a string"))?;
                        (id.to_string(), self.string(attr, path, "Fn::GetAtt")?)
                    }
                };
                self.get_att(&id, &attribute).map(|s| Some(string_node(s, node)))
            }
            "Fn::Sub" => self.sub(arg, node, path).map(Some),
            "Fn::Join" => {
                let items = Self::args(arg, "Fn::Join", &[2])?;
                let (Some(delimiter), Some(list)) = (items.first(), items.get(1)) else {
                    return Err(Unres::invalid("Fn::Join", "`Fn::Join` takes a delimiter and a list"));
                };
                let delimiter = self.string(delimiter, path, "Fn::Join")?;
                let parts = self.list(list, path, "Fn::Join")?;
                let mut texts = Vec::with_capacity(parts.len());
                for p in &parts {
                    texts.push(p.scalar_text().ok_or_else(|| Unres::invalid("Fn::Join", "`Fn::Join` joins strings, not lists or mappings"))?);
                }
                Ok(Some(string_node(texts.join(&delimiter), node)))
            }
            "Fn::Select" => {
                let items = Self::args(arg, "Fn::Select", &[2])?;
                let (Some(index), Some(list)) = (items.first(), items.get(1)) else {
                    return Err(Unres::invalid("Fn::Select", "`Fn::Select` takes an index and a list"));
                };
                let index_text = self.string(index, path, "Fn::Select")?;
                let index: usize = index_text
                    .parse()
                    .map_err(|_| Unres::invalid("Fn::Select", format!("the index `{index_text}` is not a whole number")))?;
                let list = self.list(list, path, "Fn::Select")?;
                let len = list.len();
                list.into_iter().nth(index).map(Some).ok_or_else(|| {
                    Unres::invalid("Fn::Select", format!("the index {index} is out of range for a list of {len}"))
                })
            }
            "Fn::Split" => {
                let items = Self::args(arg, "Fn::Split", &[2])?;
                let (Some(delimiter), Some(source)) = (items.first(), items.get(1)) else {
                    return Err(Unres::invalid("Fn::Split", "`Fn::Split` takes a delimiter and a string"));
                };
                let delimiter = self.string(delimiter, path, "Fn::Split")?;
                if delimiter.is_empty() {
                    return Err(Unres::invalid("Fn::Split", "the delimiter of `Fn::Split` is empty"));
                }
                let source = self.string(source, path, "Fn::Split")?;
                let parts = source
                    .split(delimiter.as_str())
                    .map(|p| string_node(p.to_string(), node))
                    .collect();
                Ok(Some(Node::at(Value::Array(parts), node)))
            }
            "Fn::If" => {
                let items = Self::args(arg, "Fn::If", &[3])?;
                let (Some(condition), Some(yes), Some(no)) = (items.first(), items.get(1), items.get(2)) else {
                    return Err(Unres::invalid("Fn::If", "`Fn::If` takes a condition name and two values"));
                };
                let name = condition
                    .as_str()
                    .ok_or_else(|| Unres::invalid("Fn::If", "the first argument of `Fn::If` is a condition name"))?;
                let chosen = if self.condition(name)? { yes } else { no };
                self.resolve(chosen, path)
            }
            "Fn::FindInMap" => {
                let items = Self::args(arg, "Fn::FindInMap", &[3, 4])?;
                let mut keys = Vec::with_capacity(3);
                for item in items.iter().take(3) {
                    keys.push(self.string(item, path, "Fn::FindInMap")?);
                }
                let found = self
                    .t
                    .mappings
                    .and_then(|m| m.get(keys.first()?))
                    .and_then(|m| m.get(keys.get(1)?))
                    .and_then(|m| m.get(keys.get(2)?))
                    .cloned();
                match (found, items.get(3)) {
                    (Some(v), _) => self.resolve(&v, path),
                    // The fourth argument is `{"DefaultValue": ...}` (AWS::LanguageExtensions).
                    (None, Some(default)) => match default.get("DefaultValue") {
                        Some(d) => self.resolve(d, path),
                        None => Err(Unres::invalid("Fn::FindInMap", "the fourth argument of `Fn::FindInMap` is `{DefaultValue: ...}`")),
                    },
                    (None, None) => Err(Unres::new(
                        format!("FindInMap {}", keys.join(".")),
                        Cause::UnknownReference,
                        format!("the mapping has no entry `{}`", keys.join(".")),
                    )),
                }
            }
            "Fn::ImportValue" => {
                let name = self.string(arg, path, "Fn::ImportValue")?;
                let what = format!("ImportValue {name}");
                match self.t.options.supplied(&what) {
                    Some(v) => Ok(Some(string_node(v.to_string(), node))),
                    None => Err(Unres::new(
                        what,
                        Cause::Import,
                        format!("the value is exported by another stack as `{name}`"),
                    )),
                }
            }
            "Fn::Base64" => {
                let text = self.string(arg, path, "Fn::Base64")?;
                Ok(Some(string_node(base64(&text), node)))
            }
            "Fn::GetAZs" => {
                let mut region = self.string(arg, path, "Fn::GetAZs")?;
                if region.is_empty() {
                    region = self.t.pseudo("AWS::Region");
                }
                let what = format!("GetAZs {region}");
                match self.t.options.supplied(&what) {
                    Some(v) => Ok(Some(Node::at(
                        Value::Array(v.split(',').map(|z| string_node(z.trim().to_string(), node)).collect()),
                        node,
                    ))),
                    None => Err(Unres::new(
                        what,
                        Cause::AvailabilityZones,
                        format!("the availability zones of `{region}` depend on the account"),
                    )),
                }
            }
            "Fn::Length" => {
                let list = self.list(arg, path, "Fn::Length")?;
                Ok(Some(Node::at(Value::Number(list.len().to_string()), node)))
            }
            "Fn::ToJsonString" => {
                let value = self.value(arg, path, "Fn::ToJsonString")?;
                Ok(Some(string_node(compact_json(&value), node)))
            }
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => Err(Unres::invalid(
                function,
                format!("`{function}` belongs in the `Conditions` section; use `Fn::If` with a condition name here"),
            )),
            other => Err(Unres::new(
                other,
                Cause::UnsupportedIntrinsic,
                format!("`{other}` is not evaluated by this reader"),
            )),
        }
    }

    /// `Fn::Sub`, both forms. A variable that cannot be resolved is recorded and replaced
    /// by a placeholder inside the string, so the rest of the string stays readable.
    fn sub(&mut self, arg: &Node, node: &Node, path: &str) -> R<Node> {
        let (template, variables) = match &arg.value {
            Value::String(s) => (s.clone(), None),
            Value::Array(items) if items.len() == 2 => {
                let template = items.first().and_then(Node::as_str).ok_or_else(|| {
                    Unres::invalid("Fn::Sub", "the first argument of `Fn::Sub` is a string")
                })?;
                let variables = items.get(1).and_then(Node::as_object).ok_or_else(|| {
                    Unres::invalid(
                        "Fn::Sub",
                        "the second argument of `Fn::Sub` maps variable names to values",
                    )
                })?;
                (template.to_string(), Some(variables))
            }
            _ => {
                return Err(Unres::invalid(
                    "Fn::Sub",
                    "`Fn::Sub` takes a string, or a string and a mapping of variables",
                ))
            }
        };
        let mut out = String::new();
        let mut rest = template.as_str();
        while let Some(start) = rest.find("${") {
            out.push_str(rest.get(..start).unwrap_or_default());
            let after = rest.get(start + 2..).unwrap_or_default();
            let Some(end) = after.find('}') else {
                // An unclosed `${` is literal text.
                out.push_str(rest.get(start..).unwrap_or_default());
                rest = "";
                break;
            };
            let name = after.get(..end).unwrap_or_default();
            rest = after.get(end + 1..).unwrap_or_default();
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let value = match variables.and_then(|vars| vars.iter().find(|(k, _)| k == name)) {
                Some((_, v)) => self.string(v, path, "Fn::Sub"),
                None => self.sub_variable(name),
            };
            match value {
                Ok(v) => out.push_str(&v),
                Err(u) => {
                    out.push_str(&placeholder(&u.what));
                    self.record(path, u);
                }
            }
        }
        out.push_str(rest);
        Ok(string_node(out, node))
    }

    fn sub_variable(&mut self, name: &str) -> R<String> {
        let value = if name.starts_with("AWS::") || !name.contains('.') {
            self.reference(name, &Node::new(Value::Null, 0, 0))?
        } else {
            let (id, attribute) = name.split_once('.').unwrap_or((name, ""));
            return self.get_att(id, attribute);
        };
        value.and_then(|v| v.scalar_text()).ok_or_else(|| {
            Unres::invalid(
                "Fn::Sub",
                format!("`${{{name}}}` is not a string and cannot be put in one"),
            )
        })
    }

    fn reference(&mut self, name: &str, node: &Node) -> R<Option<Node>> {
        let what = format!("Ref {name}");
        if let Some(v) = self.t.options.supplied(&what) {
            return Ok(Some(string_node(v.to_string(), node)));
        }
        match name {
            "AWS::NoValue" => return Ok(None),
            "AWS::NotificationARNs" => {
                let arns = self.t.options.notification_arns();
                return Ok(Some(Node::at(
                    Value::Array(arns.into_iter().map(|a| string_node(a, node)).collect()),
                    node,
                )));
            }
            _ => {}
        }
        if let Some(v) = self.t.options.pseudo_value(name) {
            return Ok(Some(string_node(v, node)));
        }
        if let Some((_, declaration)) = self.t.parameters.iter().find(|(k, _)| k == name) {
            return self.parameter(name, declaration, node).map(Some);
        }
        if self.t.resource(name).is_some() {
            return self.resource_ref(name).map(|s| Some(string_node(s, node)));
        }
        Err(Unres::new(
            what,
            Cause::UnknownReference,
            format!("`{name}` is not a parameter, resource or pseudo parameter of the template"),
        ))
    }

    fn parameter(&mut self, name: &str, declaration: &Node, node: &Node) -> R<Node> {
        let ty = declaration
            .get("Type")
            .and_then(Node::as_str)
            .unwrap_or("String");
        let given = self.t.options.parameter_value(name).map(str::to_string);
        if given.is_none() && ty.starts_with("AWS::SSM::Parameter::Value") {
            return Err(Unres::new(
                format!("Ref {name}"),
                Cause::NoParameterValue,
                format!("the parameter `{name}` is read from Systems Manager at deploy time"),
            ));
        }
        let value = given.or_else(|| declaration.get("Default").and_then(Node::scalar_text));
        let Some(value) = value else {
            return Err(Unres::new(
                format!("Ref {name}"),
                Cause::NoParameterValue,
                format!("the parameter `{name}` has no default and no value was given"),
            ));
        };
        // List parameters: items separated by commas, each trimmed of spaces.
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
        if ty == "CommaDelimitedList"
            || ty.starts_with("List<")
            || ty.starts_with("AWS::SSM::Parameter::Value<List<")
        {
            let items = value
                .split(',')
                .map(|s| string_node(s.trim().to_string(), node))
                .collect();
            return Ok(Node::at(Value::Array(items), node));
        }
        Ok(string_node(value, node))
    }

    /// A property of another resource, as a string, resolved on its own: whatever it
    /// cannot resolve makes the whole reference unresolved.
    fn property(&mut self, id: &str, property: &str, what: &str) -> R<Option<String>> {
        let Some(value) = self
            .t
            .resource(id)
            .and_then(|r| r.get("Properties"))
            .and_then(|p| p.get(property))
        else {
            return Ok(None);
        };
        if self.chain.iter().any(|c| c == id) || self.chain.len() >= MAX_CHAIN {
            return Err(Unres::invalid(
                what,
                format!("`{id}` refers to itself through `{property}`"),
            ));
        }
        self.chain.push(id.to_string());
        let mark = self.unresolved.len();
        let result = self.string(value, &format!("Properties.{property}"), what);
        self.chain.pop();
        let nested = self.unresolved.split_off(mark);
        let first = nested
            .into_iter()
            .next()
            .map(|u| Unres::new(u.what, u.cause, u.reason));
        match (result, first) {
            (Ok(s), None) => Ok(Some(s)),
            (Err(inner), _) | (Ok(_), Some(inner)) => Err(Unres::new(
                what,
                inner.cause,
                format!(
                    "`{id}`'s `{property}` depends on `{}`: {}",
                    inner.what, inner.reason
                ),
            )),
        }
    }

    fn named(&mut self, id: &str, property: &str, what: &str) -> R<String> {
        self.property(id, property, what)?.ok_or_else(|| {
            Unres::new(
                what,
                Cause::GeneratedAtDeploy,
                format!(
                    "`{id}` has no `{property}`: CloudFormation generates the name at deploy time"
                ),
            )
        })
    }

    fn iam_arn(&mut self, id: &str, kind: &str, name_property: &str, what: &str) -> R<String> {
        let name = self.named(id, name_property, what)?;
        let path = self
            .property(id, "Path", what)?
            .unwrap_or_else(|| "/".to_string());
        Ok(format!(
            "arn:{}:iam::{}:{kind}{path}{name}",
            self.t.pseudo("AWS::Partition"),
            self.t.pseudo("AWS::AccountId")
        ))
    }

    fn resource_ref(&mut self, id: &str) -> R<String> {
        let what = format!("Ref {id}");
        let ty = self.t.resource_type(id).unwrap_or_default().to_string();
        match ty.as_str() {
            "AWS::S3::Bucket" => self.named(id, "BucketName", &what),
            "AWS::IAM::Role" => self.named(id, "RoleName", &what),
            "AWS::IAM::User" => self.named(id, "UserName", &what),
            "AWS::IAM::Group" => self.named(id, "GroupName", &what),
            "AWS::IAM::ManagedPolicy" => self.iam_arn(id, "policy", "ManagedPolicyName", &what),
            "AWS::KMS::Alias" => self.named(id, "AliasName", &what),
            "AWS::SNS::Topic" => self.get_att(id, "TopicArn"),
            "AWS::SQS::Queue" => self.get_att(id, "QueueUrl"),
            _ => Err(Unres::new(
                what,
                Cause::GeneratedAtDeploy,
                format!("the `Ref` of `{id}` ({ty}) is generated at deploy time"),
            )),
        }
    }

    fn get_att(&mut self, id: &str, attribute: &str) -> R<String> {
        let what = format!("GetAtt {id}.{attribute}");
        if let Some(v) = self.t.options.supplied(&what) {
            return Ok(v.to_string());
        }
        let Some(ty) = self.t.resource_type(id).map(str::to_string) else {
            return Err(Unres::new(
                what,
                Cause::UnknownReference,
                format!("`{id}` is not a resource of the template"),
            ));
        };
        let partition = self.t.pseudo("AWS::Partition");
        let region = self.t.pseudo("AWS::Region");
        let account = self.t.pseudo("AWS::AccountId");
        let suffix = self.t.pseudo("AWS::URLSuffix");
        match (ty.as_str(), attribute) {
            ("AWS::S3::Bucket", "Arn") => Ok(format!(
                "arn:{partition}:s3:::{}",
                self.named(id, "BucketName", &what)?
            )),
            ("AWS::S3::Bucket", "DomainName") => Ok(format!(
                "{}.s3.{suffix}",
                self.named(id, "BucketName", &what)?
            )),
            ("AWS::S3::Bucket", "RegionalDomainName") => Ok(format!(
                "{}.s3.{region}.{suffix}",
                self.named(id, "BucketName", &what)?
            )),
            ("AWS::IAM::Role", "Arn") => self.iam_arn(id, "role", "RoleName", &what),
            ("AWS::IAM::User", "Arn") => self.iam_arn(id, "user", "UserName", &what),
            ("AWS::IAM::Group", "Arn") => self.iam_arn(id, "group", "GroupName", &what),
            ("AWS::IAM::ManagedPolicy", "PolicyArn") => {
                self.iam_arn(id, "policy", "ManagedPolicyName", &what)
            }
            ("AWS::SQS::Queue", "Arn") => Ok(format!(
                "arn:{partition}:sqs:{region}:{account}:{}",
                self.named(id, "QueueName", &what)?
            )),
            ("AWS::SQS::Queue", "QueueName") => self.named(id, "QueueName", &what),
            ("AWS::SQS::Queue", "QueueUrl") => Ok(format!(
                "https://sqs.{region}.{suffix}/{account}/{}",
                self.named(id, "QueueName", &what)?
            )),
            ("AWS::SNS::Topic", "TopicArn") => Ok(format!(
                "arn:{partition}:sns:{region}:{account}:{}",
                self.named(id, "TopicName", &what)?
            )),
            ("AWS::SNS::Topic", "TopicName") => self.named(id, "TopicName", &what),
            _ => Err(Unres::new(
                what,
                Cause::GeneratedAtDeploy,
                format!("`{id}.{attribute}` ({ty}) is known only once the stack is deployed"),
            )),
        }
    }

    /// A condition's value.
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html>
    fn condition(&mut self, name: &str) -> R<bool> {
        let what = format!("Condition {name}");
        if let Some(v) = self.t.options.supplied(&what) {
            return match v {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(Unres::invalid(
                    &what,
                    format!("the value supplied for `{what}` is `{v}`, not `true` or `false`"),
                )),
            };
        }
        if let Some(cached) = self.conditions.get(name) {
            return cached.clone();
        }
        let Some(expression) = self.t.conditions.and_then(|c| c.get(name)) else {
            return Err(Unres::new(
                what,
                Cause::UnknownReference,
                format!("the template has no condition `{name}`"),
            ));
        };
        if self.chain.contains(&what) || self.chain.len() >= MAX_CHAIN {
            return Err(Unres::invalid(
                &what,
                format!("the condition `{name}` depends on itself"),
            ));
        }
        self.chain.push(what.clone());
        let result = self.condition_expression(expression).map_err(|inner| {
            if inner.what == what {
                inner
            } else {
                Unres::new(
                    &what,
                    if inner.cause == Cause::InvalidIntrinsic {
                        Cause::InvalidIntrinsic
                    } else {
                        Cause::Condition
                    },
                    format!(
                        "the condition `{name}` depends on `{}`: {}",
                        inner.what, inner.reason
                    ),
                )
            }
        });
        self.chain.pop();
        self.conditions.insert(name.to_string(), result.clone());
        result
    }

    fn condition_expression(&mut self, node: &Node) -> R<bool> {
        let Some([(function, arg)]) = node.as_object() else {
            return Err(Unres::invalid(
                "Conditions",
                "a condition is `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not` or `Condition`",
            ));
        };
        match function.as_str() {
            "Condition" => {
                let name = arg.as_str().ok_or_else(|| {
                    Unres::invalid("Condition", "`Condition` takes a condition name")
                })?;
                self.condition(name)
            }
            "Fn::Equals" => {
                let items = Self::args(arg, "Fn::Equals", &[2])?;
                let (Some(a), Some(b)) = (items.first(), items.get(1)) else {
                    return Err(Unres::invalid(
                        "Fn::Equals",
                        "`Fn::Equals` takes two values",
                    ));
                };
                let a = self.value(a, "", "Fn::Equals")?;
                let b = self.value(b, "", "Fn::Equals")?;
                Ok(values_equal(&a, &b))
            }
            "Fn::Not" => {
                let items = Self::args(arg, "Fn::Not", &[1])?;
                let inner = items
                    .first()
                    .ok_or_else(|| Unres::invalid("Fn::Not", "`Fn::Not` takes one condition"))?;
                Ok(!self.condition_expression(inner)?)
            }
            "Fn::And" | "Fn::Or" => {
                let items = arg
                    .as_array()
                    .filter(|i| (2..=10).contains(&i.len()))
                    .ok_or_else(|| {
                        Unres::invalid(function, format!("`{function}` takes 2 to 10 conditions"))
                    })?;
                // Three-valued: a known `false` decides an `Fn::And` even when another
                // operand is unresolved (likewise a known `true` for `Fn::Or`).
                let decisive = function == "Fn::Or";
                let mut first_error = None;
                for item in items {
                    match self.condition_expression(item) {
                        Ok(v) if v == decisive => return Ok(decisive),
                        Ok(_) => {}
                        Err(u) => {
                            first_error.get_or_insert(u);
                        }
                    }
                }
                match first_error {
                    Some(u) => Err(u),
                    None => Ok(!decisive),
                }
            }
            other => Err(Unres::invalid(
                other,
                format!("`{other}` cannot be used in a condition"),
            )),
        }
    }
}

fn compact_json(node: &Node) -> String {
    let mut out = String::new();
    compact(node, &mut out);
    out
}

fn compact(node: &Node, out: &mut String) {
    match &node.value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(n),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                compact(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                compact(v, out);
            }
            out.push('}');
        }
    }
}

/// A policy property of a resource, before resolution.
struct Spot<'n> {
    node: std::borrow::Cow<'n, Node>,
    attribute: String,
    kind: PolicyKind,
    name: Option<String>,
    trust_policy_of: Option<String>,
    /// Properties naming what the policy applies to, with the principal type they name.
    targets: Vec<(Option<PrincipalType>, String)>,
}

/// What the second pass needs to link a policy to its principals.
enum Link {
    None,
    Trust(String),
    Inline(String),
    /// A managed or standalone policy and the principals it names (logical ids or names).
    Attached(Vec<(PrincipalType, String)>),
}

/// Reads a template tree.
pub(crate) fn read(root: &Node, format: Format, options: &Options) -> Result<Extraction, IacError> {
    if root.as_object().is_none()
        || (root.get("Resources").is_none() && root.get("AWSTemplateFormatVersion").is_none())
    {
        return Err(not_recognized());
    }
    let section = |name: &str| -> Result<Option<&Node>, IacError> {
        match root.get(name) {
            None => Ok(None),
            Some(n) if n.as_object().is_some() => Ok(Some(n)),
            Some(n) => Err(IacError::new(
                IacErrorKind::Malformed,
                format!("the `{name}` section is not a mapping"),
            )
            .with_position(n.line, n.column)),
        }
    };
    let resources = section("Resources")?
        .and_then(Node::as_object)
        .unwrap_or_default();
    let template = Template {
        parameters: section("Parameters")?
            .and_then(Node::as_object)
            .unwrap_or_default(),
        mappings: section("Mappings")?,
        conditions: section("Conditions")?,
        resources,
        options,
    };
    let mut out = Extraction::new(format);
    if let Some(transform) = root.get("Transform") {
        out.problems.push(Problem {
            path: "Transform".into(),
            message: format!(
                "the template declares the transform {}: CloudFormation rewrites resources before deploying them, and this reader sees the template before the transform",
                compact_json(transform)
            ),
            help: Some("read the processed template instead (`aws cloudformation get-template --template-stage Processed`, or `sam build` output)".into()),
        });
    }
    let mut links: Vec<Link> = Vec::new();
    for (id, resource) in resources {
        if id.starts_with("Fn::ForEach") {
            out.problems.push(Problem {
                path: format!("Resources.{id}"),
                message: format!("`{id}` repeats resources with `Fn::ForEach`, which this reader does not expand"),
                help: Some("read the processed template instead".into()),
            });
            continue;
        }
        let Some(ty) = resource.get("Type").and_then(Node::as_str) else {
            out.problems.push(Problem {
                path: format!("Resources.{id}"),
                message: format!("the resource `{id}` has no `Type`"),
                help: None,
            });
            continue;
        };
        if let Some((_, property)) = NOT_READ.iter().find(|(t, _)| *t == ty) {
            if resource
                .get("Properties")
                .and_then(|p| p.get(property))
                .is_some()
            {
                out.skipped.push(Skipped {
                    locator: Locator::LogicalId(id.clone()),
                    resource_type: ty.to_string(),
                    reason: format!("its `{property}` is a policy this reader does not return"),
                });
            }
            continue;
        }
        let mut resolver = Resolver::new(&template);
        // A resource whose condition is false is not created.
        let mut created_unresolved = None;
        if let Some(condition) = resource.get("Condition") {
            match condition.as_str().map(|c| (c, resolver.condition(c))) {
                Some((_, Ok(true))) => {}
                Some((c, Ok(false))) => {
                    out.skipped.push(Skipped {
                        locator: Locator::LogicalId(id.clone()),
                        resource_type: ty.to_string(),
                        reason: format!(
                            "the condition `{c}` is false, so the resource is not created"
                        ),
                    });
                    continue;
                }
                Some((_, Err(u))) => created_unresolved = Some(u),
                None => {
                    created_unresolved = Some(Unres::invalid(
                        "Condition",
                        "a resource's `Condition` is a condition name",
                    ))
                }
            }
        }
        let spots = match spots(id, ty, resource, &mut out) {
            Some(s) => s,
            None => continue,
        };
        for spot in spots {
            let mut resolver = Resolver::new(&template);
            if let Some(u) = &created_unresolved {
                resolver.record("Condition", u.clone());
            }
            let policy = match resolver.resolve(&spot.node, &spot.attribute) {
                Ok(Some(n)) => n,
                Ok(None) => {
                    resolver.record(
                        &spot.attribute,
                        Unres::new(
                            "Ref AWS::NoValue",
                            Cause::InvalidIntrinsic,
                            "the policy is `AWS::NoValue`",
                        ),
                    );
                    string_node(placeholder("Ref AWS::NoValue"), &spot.node)
                }
                Err(u) => {
                    let text = placeholder(&u.what);
                    resolver.record(&spot.attribute, u);
                    string_node(text, &spot.node)
                }
            };
            let policy_json = match &policy.value {
                // A policy given as JSON text (the `Json` property type takes both).
                Value::String(s) => s.clone(),
                _ => policy.to_json(),
            };
            // A principal's own policies and a key's policy apply to the resource itself.
            let mut attached_to = if matches!(
                ty,
                "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" | "AWS::KMS::Key"
            ) {
                vec![id.clone()]
            } else {
                Vec::new()
            };
            let mut link_targets = Vec::new();
            for (principal_type, property) in &spot.targets {
                let Some(node) = resource.get("Properties").and_then(|p| p.get(property)) else {
                    continue;
                };
                let path = format!("Properties.{property}");
                let items: Vec<(String, &Node)> = match node.as_array() {
                    Some(items) => items
                        .iter()
                        .enumerate()
                        .map(|(i, n)| (format!("{path}[{i}]"), n))
                        .collect(),
                    None => vec![(path.clone(), node)],
                };
                for (p, item) in items {
                    let target = match target_id(item, &template) {
                        Some(id) => Ok(id),
                        None => resolver.string(item, &p, property),
                    };
                    match target {
                        Ok(t) => {
                            if let Some(pt) = principal_type {
                                link_targets.push((*pt, t.clone()));
                            }
                            attached_to.push(t);
                        }
                        Err(u) => {
                            attached_to.push(placeholder(&u.what));
                            resolver.record(&p, u);
                        }
                    }
                }
            }
            let link = if let Some(owner) = &spot.trust_policy_of {
                Link::Trust(owner.clone())
            } else if matches!(ty, "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group") {
                Link::Inline(id.clone())
            } else if matches!(
                ty,
                "AWS::IAM::RolePolicy" | "AWS::IAM::UserPolicy" | "AWS::IAM::GroupPolicy"
            ) {
                match link_targets.first() {
                    Some((_, owner)) => Link::Inline(owner.clone()),
                    None => Link::None,
                }
            } else if link_targets.is_empty() {
                Link::None
            } else {
                Link::Attached(link_targets)
            };
            let mut found = Found {
                source: None,
                locator: Locator::LogicalId(id.clone()),
                resource_type: ty.to_string(),
                attribute: spot.attribute,
                name: spot.name,
                kind: spot.kind,
                trust_policy_of: spot.trust_policy_of,
                attached_to,
                policy_json,
                position: (spot.node.line > 0).then_some(Position {
                    line: spot.node.line,
                    column: spot.node.column,
                }),
                origin: Origin::Template,
                unresolved: resolver.unresolved,
                problems: Vec::new(),
            };
            check_policy(&mut found);
            out.found.push(found);
            links.push(link);
        }
    }
    link_principals(&template, &mut out, &links);
    Ok(out)
}

/// The logical id a `Ref` or `Fn::GetAtt` names, when it is a resource of the template.
fn target_id(node: &Node, template: &Template<'_>) -> Option<String> {
    let (function, arg) = intrinsic_of(node)?;
    let id = match function {
        "Ref" => arg.as_str()?.to_string(),
        "Fn::GetAtt" => match &arg.value {
            Value::String(s) => s.split_once('.')?.0.to_string(),
            _ => arg.as_array()?.first()?.as_str()?.to_string(),
        },
        _ => return None,
    };
    template.resource(&id).is_some().then_some(id)
}

/// The policies a resource holds, by type.
fn spots<'n>(
    id: &str,
    ty: &str,
    resource: &'n Node,
    out: &mut Extraction,
) -> Option<Vec<Spot<'n>>> {
    let props = resource.get("Properties");
    let prop = |name: &str| props.and_then(|p| p.get(name));
    let literal = |name: &str| prop(name).and_then(Node::as_str).map(str::to_string);
    let spot = |node: &'n Node,
                attribute: &str,
                kind: PolicyKind,
                name: Option<String>,
                targets: &[(Option<PrincipalType>, &str)]| Spot {
        node: std::borrow::Cow::Borrowed(node),
        attribute: attribute.to_string(),
        kind,
        name,
        trust_policy_of: None,
        targets: targets.iter().map(|(t, p)| (*t, p.to_string())).collect(),
    };
    let missing = |out: &mut Extraction, property: &str| {
        out.problems.push(Problem {
            path: format!("Resources.{id}.Properties.{property}"),
            message: format!("`{id}` ({ty}) has no `{property}`"),
            help: Some(format!("CloudFormation requires `{property}` on {ty}")),
        });
    };
    let mut list = Vec::new();
    match ty {
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
            if ty == "AWS::IAM::Role" {
                match prop("AssumeRolePolicyDocument") {
                    Some(node) => {
                        let mut s = spot(
                            node,
                            "Properties.AssumeRolePolicyDocument",
                            PolicyKind::Resource,
                            None,
                            &[],
                        );
                        s.trust_policy_of = Some(id.to_string());
                        list.push(s);
                    }
                    None => missing(out, "AssumeRolePolicyDocument"),
                }
            }
            if let Some(policies) = prop("Policies").and_then(Node::as_array) {
                for (i, p) in policies.iter().enumerate() {
                    let name = p
                        .get("PolicyName")
                        .and_then(Node::as_str)
                        .map(str::to_string);
                    match p.get("PolicyDocument") {
                        Some(doc) => list.push(spot(
                            doc,
                            &format!("Properties.Policies[{i}].PolicyDocument"),
                            PolicyKind::Identity,
                            name,
                            &[],
                        )),
                        None => missing(out, &format!("Policies[{i}].PolicyDocument")),
                    }
                }
            }
        }
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
            let name = literal(if ty == "AWS::IAM::Policy" {
                "PolicyName"
            } else {
                "ManagedPolicyName"
            });
            match prop("PolicyDocument") {
                Some(doc) => list.push(spot(
                    doc,
                    "Properties.PolicyDocument",
                    PolicyKind::Identity,
                    name,
                    &[
                        (Some(PrincipalType::Role), "Roles"),
                        (Some(PrincipalType::User), "Users"),
                        (Some(PrincipalType::Group), "Groups"),
                    ],
                )),
                None => missing(out, "PolicyDocument"),
            }
        }
        "AWS::IAM::RolePolicy" | "AWS::IAM::UserPolicy" | "AWS::IAM::GroupPolicy" => {
            let (pt, owner) = match ty {
                "AWS::IAM::RolePolicy" => (PrincipalType::Role, "RoleName"),
                "AWS::IAM::UserPolicy" => (PrincipalType::User, "UserName"),
                _ => (PrincipalType::Group, "GroupName"),
            };
            match prop("PolicyDocument") {
                Some(doc) => list.push(spot(
                    doc,
                    "Properties.PolicyDocument",
                    PolicyKind::Identity,
                    literal("PolicyName"),
                    &[(Some(pt), owner)],
                )),
                None => missing(out, "PolicyDocument"),
            }
        }
        "AWS::S3::BucketPolicy" => match prop("PolicyDocument") {
            Some(doc) => list.push(spot(
                doc,
                "Properties.PolicyDocument",
                PolicyKind::Resource,
                None,
                &[(None, "Bucket")],
            )),
            None => missing(out, "PolicyDocument"),
        },
        "AWS::SQS::QueuePolicy" => match prop("PolicyDocument") {
            Some(doc) => list.push(spot(
                doc,
                "Properties.PolicyDocument",
                PolicyKind::Resource,
                None,
                &[(None, "Queues")],
            )),
            None => missing(out, "PolicyDocument"),
        },
        "AWS::SNS::TopicPolicy" => match prop("PolicyDocument") {
            Some(doc) => list.push(spot(
                doc,
                "Properties.PolicyDocument",
                PolicyKind::Resource,
                None,
                &[(None, "Topics")],
            )),
            None => missing(out, "PolicyDocument"),
        },
        "AWS::KMS::Key" => match prop("KeyPolicy") {
            Some(doc) => {
                let mut s = spot(doc, "Properties.KeyPolicy", PolicyKind::Resource, None, &[]);
                s.targets.clear();
                list.push(s);
            }
            None => {
                // Without `KeyPolicy`, AWS KMS gives the key its default key policy, which
                // lets the account's IAM policies grant access to the key.
                // https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
                out.problems.push(Problem {
                    path: format!("Resources.{id}.Properties.KeyPolicy"),
                    message: format!("`{id}` has no `KeyPolicy`: AWS KMS gives it the default key policy, which is returned in its place"),
                    help: None,
                });
                return Some(vec![Spot {
                    node: std::borrow::Cow::Owned(default_key_policy(resource)),
                    attribute: "Properties.KeyPolicy".into(),
                    kind: PolicyKind::Resource,
                    name: Some("key-default-1".into()),
                    trust_policy_of: None,
                    targets: Vec::new(),
                }]);
            }
        },
        "AWS::Organizations::Policy" => {
            let policy_type = prop("Type").and_then(Node::as_str).unwrap_or_default();
            let kind = match policy_type {
                "SERVICE_CONTROL_POLICY" => PolicyKind::Scp,
                "RESOURCE_CONTROL_POLICY" => PolicyKind::Rcp,
                other => {
                    out.skipped.push(Skipped {
                        locator: Locator::LogicalId(id.to_string()),
                        resource_type: ty.to_string(),
                        reason: format!("its type `{other}` is not an IAM policy (only SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY are)"),
                    });
                    return None;
                }
            };
            match prop("Content") {
                Some(doc) => list.push(spot(
                    doc,
                    "Properties.Content",
                    kind,
                    literal("Name"),
                    &[(None, "TargetIds")],
                )),
                None => missing(out, "Content"),
            }
        }
        _ => return None,
    }
    Some(list)
}

/// The default key policy, placed at the key resource; its account is resolved like any
/// `Fn::Sub`.
fn default_key_policy(resource: &Node) -> Node {
    let text = r#"{"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}, "Action": "kms:*", "Resource": "*"}]}"#;
    let mut node = super::tree::parse_json(text).unwrap_or_else(|_| Node::new(Value::Null, 0, 0));
    node.line = resource.line;
    node.column = resource.column;
    node
}

/// Links each role, user and group to its policies.
fn link_principals(template: &Template<'_>, out: &mut Extraction, links: &[Link]) {
    let mut records: Vec<PrincipalRecord> = Vec::new();
    let mut names: Vec<Option<String>> = Vec::new();
    for (id, resource) in template.resources {
        let (pt, name_property) = match resource.get("Type").and_then(Node::as_str) {
            Some("AWS::IAM::Role") => (PrincipalType::Role, "RoleName"),
            Some("AWS::IAM::User") => (PrincipalType::User, "UserName"),
            Some("AWS::IAM::Group") => (PrincipalType::Group, "GroupName"),
            _ => continue,
        };
        if out.skipped.iter().any(|s| s.locator.as_str() == id) {
            continue;
        }
        let mut resolver = Resolver::new(template);
        names.push(resolver.property(id, name_property, "name").ok().flatten());
        records.push(PrincipalRecord::new(Locator::LogicalId(id.clone()), pt));
    }
    let find = |records: &[PrincipalRecord],
                names: &[Option<String>],
                pt: Option<PrincipalType>,
                key: &str| {
        records.iter().zip(names).position(|(r, n)| {
            pt.is_none_or(|pt| r.principal_type == pt)
                && (r.locator.as_str() == key || n.as_deref() == Some(key))
        })
    };
    // Managed policies by logical id and by ARN, for `ManagedPolicyArns` and boundaries.
    let mut managed: Vec<(String, Option<String>, usize)> = Vec::new();
    for (i, f) in out.found.iter().enumerate() {
        if f.resource_type == "AWS::IAM::ManagedPolicy" {
            let mut resolver = Resolver::new(template);
            let arn = resolver.get_att(f.locator.as_str(), "PolicyArn").ok();
            managed.push((f.locator.as_str().to_string(), arn, i));
        }
    }
    for (i, link) in links.iter().enumerate() {
        match link {
            Link::None => {}
            Link::Trust(owner) => {
                if let Some(r) = find(&records, &names, Some(PrincipalType::Role), owner)
                    .and_then(|r| records.get_mut(r))
                {
                    r.trust = Some(i);
                }
            }
            Link::Inline(owner) => {
                if let Some(r) =
                    find(&records, &names, None, owner).and_then(|r| records.get_mut(r))
                {
                    r.inline.push(i);
                }
            }
            Link::Attached(targets) => {
                for (pt, key) in targets {
                    if let Some(r) =
                        find(&records, &names, Some(*pt), key).and_then(|r| records.get_mut(r))
                    {
                        r.attached.push(Attached::Found(i));
                    }
                }
            }
        }
    }
    for r in &mut records {
        let id = r.locator.as_str().to_string();
        let Some(props) = template.resource(&id).and_then(|res| res.get("Properties")) else {
            continue;
        };
        let mut resolver = Resolver::new(template);
        let attach = |resolver: &mut Resolver<'_, '_>,
                      node: &Node,
                      path: &str|
         -> Result<Attached, Unresolved> {
            if let Some(target) = target_id(node, template) {
                if let Some((_, _, i)) = managed.iter().find(|(m, _, _)| *m == target) {
                    return Ok(Attached::Found(*i));
                }
            }
            match resolver.string(node, path, "ManagedPolicyArns") {
                Ok(arn) => Ok(
                    match managed
                        .iter()
                        .find(|(_, a, _)| a.as_deref() == Some(arn.as_str()))
                    {
                        Some((_, _, i)) => Attached::Found(*i),
                        None => Attached::Arn(arn),
                    },
                ),
                Err(u) => Err(Unresolved {
                    path: format!("{id}.{path}"),
                    what: u.what,
                    cause: u.cause,
                    reason: u.reason,
                }),
            }
        };
        if let Some(arns) = props.get("ManagedPolicyArns").and_then(Node::as_array) {
            for (k, item) in arns.iter().enumerate() {
                match attach(
                    &mut resolver,
                    item,
                    &format!("Properties.ManagedPolicyArns[{k}]"),
                ) {
                    Ok(a) => r.attached.push(a),
                    Err(u) => r.unresolved.push(u),
                }
            }
        }
        if let Some(boundary) = props.get("PermissionsBoundary") {
            match attach(&mut resolver, boundary, "Properties.PermissionsBoundary") {
                Ok(a) => r.boundary = Some(a),
                Err(u) => r.unresolved.push(u),
            }
        }
        r.unresolved
            .extend(resolver.unresolved.drain(..).map(|mut u| {
                u.path = format!("{id}.{}", u.path);
                u
            }));
    }
    // Users' groups: the `Groups` property names groups by name or `Ref`.
    let mut memberships = Vec::new();
    for (u, r) in records.iter().enumerate() {
        if r.principal_type != PrincipalType::User {
            continue;
        }
        let groups = template
            .resource(r.locator.as_str())
            .and_then(|res| res.get("Properties"))
            .and_then(|p| p.get("Groups"))
            .and_then(Node::as_array)
            .unwrap_or_default();
        for item in groups {
            let mut resolver = Resolver::new(template);
            let key =
                target_id(item, template).or_else(|| resolver.string(item, "", "Groups").ok());
            if let Some(g) =
                key.and_then(|k| find(&records, &names, Some(PrincipalType::Group), &k))
            {
                memberships.push((u, g));
            }
        }
    }
    for (u, g) in memberships {
        if let Some(r) = records.get_mut(u) {
            r.groups.push(g);
        }
    }
    out.principals = records;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input), expected);
        }
    }
}
