//! Terraform plans: the JSON that `terraform show -json PLANFILE` prints.
//! <https://developer.hashicorp.com/terraform/internals/json-format>
//!
//! Resource instances are read from `planned_values` (root module and `child_modules`,
//! recursively). `planned_values` omits values unknown until apply, so each instance's
//! `resource_changes[].change.after_unknown` tells an unknown attribute from an absent one.
//! Data sources that Terraform could read while planning are in `prior_state`; those it
//! defers to apply are in `planned_values` with their attributes unknown.
//!
//! Attachments are linked by value where the value is known (a role's `name`, a policy's
//! `arn`), and otherwise by the references in the plan's `configuration`, which name the
//! resource an expression refers to even when its value is unknown.
//!
//! Attribute names follow the AWS provider's resource documentation
//! (<https://registry.terraform.io/providers/hashicorp/aws/latest/docs>).

use super::tree::{Node, Value};
use super::{
    check_policy, not_recognized, placeholder, Attached, Cause, Extraction, Format, Found,
    IacError, IacErrorKind, Locator, Options, Origin, Position, PrincipalRecord, PrincipalType,
    Problem, Skipped, Unresolved,
};
use crate::PolicyKind;
use std::collections::HashMap;

/// Resource types with a policy this reader does not return, and the attribute.
const NOT_READ: [(&str, &str); 9] = [
    ("aws_s3_access_point", "policy"),
    ("aws_s3control_access_point_policy", "policy"),
    ("aws_secretsmanager_secret_policy", "policy"),
    ("aws_ecr_repository_policy", "policy"),
    ("aws_cloudwatch_log_resource_policy", "policy_document"),
    ("aws_vpc_endpoint", "policy"),
    ("aws_backup_vault_policy", "policy"),
    ("aws_efs_file_system_policy", "policy"),
    ("aws_opensearch_domain_policy", "access_policies"),
];

/// One resource instance of the plan.
struct Instance<'a> {
    address: String,
    module: String,
    mode: &'a str,
    ty: &'a str,
    name: &'a str,
    /// The `count` or `for_each` key as it appears in addresses: `0`, `"web"`.
    key: Option<String>,
    values: Option<&'a Node>,
    node: &'a Node,
    origin: Origin,
    after_unknown: Option<&'a Node>,
}

impl<'a> Instance<'a> {
    fn value(&self, attribute: &str) -> Option<&'a Node> {
        self.values
            .and_then(|v| v.get(attribute))
            .filter(|v| !v.is_null())
    }

    fn text(&self, attribute: &str) -> Option<&'a str> {
        self.value(attribute)
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
    }

    /// Whether the value at `path` is unknown until apply: `after_unknown` is `true` there
    /// or at an enclosing value.
    fn unknown(&self, path: &[Step<'_>]) -> bool {
        let mut at = self.after_unknown;
        for step in path {
            match at {
                Some(Node {
                    value: Value::Bool(true),
                    ..
                }) => return true,
                Some(n) => {
                    at = match step {
                        Step::Key(k) => n.get(k),
                        Step::Index(i) => n.as_array().and_then(|a| a.get(*i)),
                    }
                }
                None => return false,
            }
        }
        matches!(
            at,
            Some(Node {
                value: Value::Bool(true),
                ..
            })
        )
    }
}

#[derive(Clone, Copy)]
enum Step<'s> {
    Key(&'s str),
    Index(usize),
}

fn path_text(path: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn key_text(index: &Node) -> Option<String> {
    match &index.value {
        Value::Number(n) => Some(n.clone()),
        Value::String(s) => {
            let mut out = String::new();
            super::tree::write_string(s, &mut out);
            Some(out)
        }
        _ => None,
    }
}

fn collect<'a>(
    module: &'a Node,
    origin: Origin,
    changes: &HashMap<&str, &'a Node>,
    out: &mut Vec<Instance<'a>>,
) {
    let module_address = module
        .get("address")
        .and_then(Node::as_str)
        .unwrap_or_default();
    for r in module
        .get("resources")
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        let (Some(address), Some(ty), Some(name)) = (
            r.get("address").and_then(Node::as_str),
            r.get("type").and_then(Node::as_str),
            r.get("name").and_then(Node::as_str),
        ) else {
            continue;
        };
        out.push(Instance {
            address: address.to_string(),
            module: module_address.to_string(),
            mode: r.get("mode").and_then(Node::as_str).unwrap_or("managed"),
            ty,
            name,
            key: r.get("index").and_then(key_text),
            values: r.get("values"),
            node: r,
            origin,
            after_unknown: changes
                .get(address)
                .and_then(|c| c.get("after_unknown"))
                .filter(|_| origin == Origin::PlannedValues),
        });
    }
    for child in module
        .get("child_modules")
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        collect(child, origin, changes, out);
    }
}

/// The module call names in a module address: `module.a["x"].module.b` gives `a`, `b`.
fn module_calls(address: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        names.push(after.get(..end).unwrap_or_default());
        rest = after.get(end..).unwrap_or_default();
        if rest.starts_with('[') {
            // Skip the instance key, which may hold dots inside its quotes.
            let mut in_string = false;
            let mut escaped = false;
            let mut close = rest.len();
            for (i, c) in rest.char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' if in_string => escaped = true,
                    '"' => in_string = !in_string,
                    ']' if !in_string => {
                        close = i + 1;
                        break;
                    }
                    _ => {}
                }
            }
            rest = rest.get(close..).unwrap_or_default();
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    names
}

struct Plan<'a> {
    instances: Vec<Instance<'a>>,
    configuration: Option<&'a Node>,
    options: &'a Options,
}

impl<'a> Plan<'a> {
    /// The configuration block of an instance's resource.
    fn config(&self, inst: &Instance<'_>) -> Option<&'a Node> {
        let mut module = self.configuration?.get("root_module")?;
        for call in module_calls(&inst.module) {
            module = module.get("module_calls")?.get(call)?.get("module")?;
        }
        module.get("resources")?.as_array()?.iter().find(|r| {
            r.get("mode").and_then(Node::as_str).unwrap_or("managed") == inst.mode
                && r.get("type").and_then(Node::as_str) == Some(inst.ty)
                && r.get("name").and_then(Node::as_str) == Some(inst.name)
        })
    }

    /// Whether the configuration sets `attribute` (as an argument or a block). Without a
    /// configuration section this cannot be told, and the answer is yes.
    fn configured(&self, inst: &Instance<'_>, attribute: &str) -> bool {
        match self.configuration {
            None => true,
            Some(_) => self
                .config(inst)
                .and_then(|c| c.get("expressions"))
                .is_some_and(|e| e.get(attribute).is_some()),
        }
    }

    /// The instances an attribute's expression refers to, of one of `types`, in the same
    /// module: an indexed reference names its instance; an unindexed one names the single
    /// instance, or the one with the same key (a `for_each` over the same collection).
    fn referenced(&self, inst: &Instance<'_>, attribute: &str, types: &[&str]) -> Vec<usize> {
        let Some(refs) = self
            .config(inst)
            .and_then(|c| c.get("expressions"))
            .and_then(|e| e.get(attribute))
            .and_then(|e| e.get("references"))
            .and_then(Node::as_array)
        else {
            return Vec::new();
        };
        let mut out: Vec<usize> = Vec::new();
        for r in refs.iter().filter_map(Node::as_str) {
            let (mode, rest) = match r.strip_prefix("data.") {
                Some(rest) => ("data", rest),
                None => ("managed", r),
            };
            let Some((ty, after)) = rest.split_once('.') else {
                continue;
            };
            if !types.contains(&ty) {
                continue;
            }
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = after.get(..end).unwrap_or_default();
            let key = after
                .get(end..)
                .filter(|k| k.starts_with('['))
                .and_then(|k| k.get(1..k.find(']')?));
            let candidates: Vec<usize> = self
                .instances
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    c.mode == mode && c.ty == ty && c.name == name && c.module == inst.module
                })
                .map(|(i, _)| i)
                .collect();
            let chosen = match key {
                Some(k) => candidates
                    .iter()
                    .copied()
                    .find(|&c| self.instances.get(c).and_then(|x| x.key.as_deref()) == Some(k)),
                None if candidates.len() == 1 => candidates.first().copied(),
                None => candidates.iter().copied().find(|&c| {
                    inst.key.is_some()
                        && self.instances.get(c).and_then(|x| x.key.as_deref())
                            == inst.key.as_deref()
                }),
            };
            if let Some(c) = chosen {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        out
    }
}

/// A policy attribute of an instance.
struct Spot<'s> {
    path: Vec<Step<'s>>,
    kind: PolicyKind,
    name: Option<String>,
    trust: bool,
    /// Whether an unset value is a problem; unset optional values are reported only when
    /// the configuration sets them.
    required: bool,
}

fn spot<'s>(path: Vec<Step<'s>>, kind: PolicyKind) -> Spot<'s> {
    Spot {
        path,
        kind,
        name: None,
        trust: false,
        required: true,
    }
}

/// Guesses the kind of a policy document data source from its statements: a document that
/// names principals is resource-based.
fn document_kind(json: &str) -> PolicyKind {
    let names_principal = serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| {
            v.get("Statement").map(|s| match s {
                serde_json::Value::Array(items) => items
                    .iter()
                    .any(|st| st.get("Principal").is_some() || st.get("NotPrincipal").is_some()),
                st => st.get("Principal").is_some() || st.get("NotPrincipal").is_some(),
            })
        })
        .unwrap_or(false);
    if names_principal {
        PolicyKind::Resource
    } else {
        PolicyKind::Identity
    }
}

/// Reads a plan tree.
pub(crate) fn read(root: &Node, options: &Options) -> Result<Extraction, IacError> {
    let Some(version) = root.get("format_version").and_then(Node::as_str) else {
        return Err(not_recognized());
    };
    if version.split('.').next() != Some("1") {
        return Err(IacError::new(
            IacErrorKind::UnsupportedFormatVersion,
            format!(
                "the plan's `format_version` is `{version}`, and this reader knows only version 1"
            ),
        )
        .with_help("produce the plan JSON with a Terraform release that writes format 1.x"));
    }
    let Some(planned) = root.get("planned_values") else {
        let mut err = IacError::new(
            IacErrorKind::NotRecognized,
            "the JSON has a `format_version` but no `planned_values`: it is not a plan",
        );
        if root.get("values").is_some() {
            err = err.with_help("this is state output; run `terraform show -json PLANFILE` on a saved plan (`terraform plan -out PLANFILE`)");
        }
        return Err(err);
    };
    let malformed = |what: &str, n: &Node| {
        IacError::new(
            IacErrorKind::Malformed,
            format!("the plan's `{what}` is not an object"),
        )
        .with_position(n.line, n.column)
    };
    if planned.as_object().is_none() {
        return Err(malformed("planned_values", planned));
    }
    let mut changes: HashMap<&str, &Node> = HashMap::new();
    for c in root
        .get("resource_changes")
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        if c.get("deposed").is_some() {
            continue;
        }
        if let (Some(address), Some(change)) =
            (c.get("address").and_then(Node::as_str), c.get("change"))
        {
            changes.insert(address, change);
        }
    }
    let mut instances = Vec::new();
    if let Some(module) = planned.get("root_module") {
        collect(module, Origin::PlannedValues, &changes, &mut instances);
    }
    let mut prior = Vec::new();
    if let Some(module) = root
        .get("prior_state")
        .and_then(|s| s.get("values"))
        .and_then(|v| v.get("root_module"))
    {
        collect(module, Origin::PriorState, &changes, &mut prior);
    }
    // Data sources read while planning; where planned_values has the same address (read
    // deferred to apply), the prior value is stale and planned_values wins.
    for p in prior {
        if p.mode == "data" && !instances.iter().any(|i| i.address == p.address) {
            instances.push(p);
        }
    }
    let plan = Plan {
        instances,
        configuration: root.get("configuration"),
        options,
    };
    let mut out = Extraction::new(Format::TerraformPlan);
    // (instance, attribute path) of each found policy, for linking.
    let mut found_at: Vec<(usize, String)> = Vec::new();
    for (i, inst) in plan.instances.iter().enumerate() {
        for s in spots(&plan, inst, &mut out) {
            let found = read_spot(&plan, inst, &s);
            found_at.push((i, path_text(&s.path)));
            out.found.push(found);
        }
    }
    link(&plan, &mut out, &found_at);
    Ok(out)
}

fn spots<'a>(plan: &Plan<'_>, inst: &Instance<'a>, out: &mut Extraction) -> Vec<Spot<'a>> {
    let mut list = Vec::new();
    let managed = inst.mode == "managed";
    match (inst.mode, inst.ty) {
        ("managed", "aws_iam_policy") => {
            let mut s = spot(vec![Step::Key("policy")], PolicyKind::Identity);
            s.name = inst.text("name").map(str::to_string);
            list.push(s);
        }
        ("managed", "aws_iam_role") => {
            let mut s = spot(vec![Step::Key("assume_role_policy")], PolicyKind::Resource);
            s.trust = true;
            list.push(s);
            let blocks = inst
                .value("inline_policy")
                .and_then(Node::as_array)
                .unwrap_or_default();
            for (k, block) in blocks.iter().enumerate() {
                // The provider plans one empty block for a role without inline policies.
                let name = block
                    .get("name")
                    .and_then(Node::as_str)
                    .filter(|n| !n.is_empty());
                let policy = block
                    .get("policy")
                    .and_then(Node::as_str)
                    .filter(|p| !p.is_empty());
                let path = vec![
                    Step::Key("inline_policy"),
                    Step::Index(k),
                    Step::Key("policy"),
                ];
                // The provider plans one block of unknown values for a role whose
                // configuration sets no inline policy; a configured block is reported.
                if name.is_none()
                    && policy.is_none()
                    && (!inst.unknown(&path) || !plan.configured(inst, "inline_policy"))
                {
                    continue;
                }
                let mut s = spot(path, PolicyKind::Identity);
                s.name = name.map(str::to_string);
                list.push(s);
            }
            if blocks.is_empty()
                && inst.unknown(&[Step::Key("inline_policy")])
                && plan.configured(inst, "inline_policy")
            {
                let mut s = spot(vec![Step::Key("inline_policy")], PolicyKind::Identity);
                s.required = true;
                list.push(s);
            }
        }
        ("managed", "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy") => {
            let mut s = spot(vec![Step::Key("policy")], PolicyKind::Identity);
            s.name = inst.text("name").map(str::to_string);
            list.push(s);
        }
        (
            "managed",
            "aws_s3_bucket_policy"
            | "aws_sqs_queue_policy"
            | "aws_sns_topic_policy"
            | "aws_kms_key_policy",
        ) => {
            list.push(spot(vec![Step::Key("policy")], PolicyKind::Resource));
        }
        ("managed", "aws_kms_key") => {
            let mut s = spot(vec![Step::Key("policy")], PolicyKind::Resource);
            s.required = plan.configured(inst, "policy");
            list.push(s);
        }
        // The older inline `policy` argument: read when set.
        ("managed", "aws_s3_bucket" | "aws_sqs_queue" | "aws_sns_topic")
            if inst.text("policy").is_some()
                || (inst.unknown(&[Step::Key("policy")])
                    && plan.configured(inst, "policy")
                    && plan.configuration.is_some()) =>
        {
            list.push(spot(vec![Step::Key("policy")], PolicyKind::Resource));
        }
        ("managed", "aws_organizations_policy") => {
            let kind = match inst.text("type") {
                Some("SERVICE_CONTROL_POLICY") | None => Some(PolicyKind::Scp),
                Some("RESOURCE_CONTROL_POLICY") => Some(PolicyKind::Rcp),
                Some(other) => {
                    out.skipped.push(Skipped {
                        locator: Locator::Address(inst.address.clone()),
                        resource_type: inst.ty.to_string(),
                        reason: format!("its type `{other}` is not an IAM policy (only SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY are)"),
                    });
                    None
                }
            };
            if let Some(kind) = kind {
                let mut s = spot(vec![Step::Key("content")], kind);
                s.name = inst.text("name").map(str::to_string);
                list.push(s);
            }
        }
        ("data", "aws_iam_policy_document") => {
            let kind = inst
                .text("json")
                .map_or(PolicyKind::Identity, document_kind);
            list.push(spot(vec![Step::Key("json")], kind));
        }
        (_, ty) if managed => {
            if let Some((_, attribute)) = NOT_READ.iter().find(|(t, _)| *t == ty) {
                if inst.text(attribute).is_some() || inst.unknown(&[Step::Key(attribute)]) {
                    out.skipped.push(Skipped {
                        locator: Locator::Address(inst.address.clone()),
                        resource_type: ty.to_string(),
                        reason: format!(
                            "its `{attribute}` is a policy this reader does not return"
                        ),
                    });
                }
            }
        }
        _ => {}
    }
    list
}

fn read_spot(plan: &Plan<'_>, inst: &Instance<'_>, s: &Spot<'_>) -> Found {
    let attribute = path_text(&s.path);
    let what = format!("{}.{attribute}", inst.address);
    let mut value = inst.values;
    for step in &s.path {
        value = value.and_then(|v| match step {
            Step::Key(k) => v.get(k),
            Step::Index(i) => v.as_array().and_then(|a| a.get(*i)),
        });
    }
    let text = value.and_then(Node::as_str).filter(|t| !t.is_empty());
    let position = value.filter(|v| !v.is_null()).unwrap_or(inst.node);
    let mut found = Found {
        source: None,
        locator: Locator::Address(inst.address.clone()),
        resource_type: inst.ty.to_string(),
        attribute: attribute.clone(),
        name: s.name.clone(),
        kind: s.kind,
        trust_policy_of: s.trust.then(|| inst.address.clone()),
        attached_to: Vec::new(),
        policy_json: String::new(),
        position: Some(Position {
            line: position.line,
            column: position.column,
        }),
        origin: inst.origin,
        unresolved: Vec::new(),
        problems: Vec::new(),
    };
    let supplied = plan.options.supplied(&what);
    let missing = |cause: Cause, reason: String| Unresolved {
        path: attribute.clone(),
        what: what.clone(),
        cause,
        reason,
    };
    match (supplied, text) {
        (Some(v), _) => found.policy_json = v.to_string(),
        (None, _) if inst.unknown(&s.path) && !s.required => {
            found.unresolved.push(missing(
                Cause::UnknownUntilApply,
                format!("`{attribute}` of `{}` is not set in the configuration: AWS gives the resource its default policy, known only after apply", inst.address),
            ));
        }
        (None, _) if inst.unknown(&s.path) => {
            found.unresolved.push(missing(
                Cause::UnknownUntilApply,
                format!(
                    "`{attribute}` of `{}` is known only after apply",
                    inst.address
                ),
            ));
        }
        (None, Some(t)) => found.policy_json = t.to_string(),
        (None, None) if !s.required => {
            found.unresolved.push(missing(
                Cause::UnknownUntilApply,
                format!("`{attribute}` of `{}` is not set: AWS gives the resource its default policy, known only after apply", inst.address),
            ));
        }
        (None, None) => {
            found.unresolved.push(missing(
                Cause::AbsentFromPlan,
                format!(
                    "`{attribute}` of `{}` is absent from the plan's `planned_values`",
                    inst.address
                ),
            ));
        }
    }
    if !found.unresolved.is_empty() {
        let mut json = String::new();
        super::tree::write_string(&placeholder(&what), &mut json);
        found.policy_json = json;
    }
    check_policy(&mut found);
    found
}

/// What a policy or principal attribute points at.
enum Target {
    Instance(usize),
    Text(String),
    Unknown,
}

fn link(plan: &Plan<'_>, out: &mut Extraction, found_at: &[(usize, String)]) {
    let inst = |i: usize| plan.instances.get(i);
    let found_index =
        |i: usize, attribute: &str| found_at.iter().position(|(x, a)| *x == i && a == attribute);
    // Principals.
    let mut records: Vec<PrincipalRecord> = Vec::new();
    let mut record_of: HashMap<usize, usize> = HashMap::new();
    for (i, p) in plan.instances.iter().enumerate() {
        let pt = match (p.mode, p.ty) {
            ("managed", "aws_iam_role") => PrincipalType::Role,
            ("managed", "aws_iam_user") => PrincipalType::User,
            ("managed", "aws_iam_group") => PrincipalType::Group,
            _ => continue,
        };
        record_of.insert(i, records.len());
        let mut r = PrincipalRecord::new(Locator::Address(p.address.clone()), pt);
        r.trust = found_index(i, "assume_role_policy");
        r.inline = found_at
            .iter()
            .enumerate()
            .filter(|(_, (x, a))| *x == i && a.starts_with("inline_policy"))
            .map(|(f, _)| f)
            .collect();
        records.push(r);
    }
    // Resolves an attribute to an instance of `types`: by reference, else by value.
    let target =
        |i: usize, attribute: &str, value: Option<&str>, types: &[&str], keys: &[&str]| -> Target {
            let Some(x) = inst(i) else {
                return Target::Unknown;
            };
            if let Some(v) = value {
                let by_value = plan.instances.iter().position(|c| {
                    types.contains(&c.ty)
                        && c.mode == "managed"
                        && keys.iter().any(|k| c.text(k) == Some(v))
                });
                return by_value.map_or_else(|| Target::Text(v.to_string()), Target::Instance);
            }
            match plan.referenced(x, attribute, types).as_slice() {
                [one] => Target::Instance(*one),
                _ => Target::Unknown,
            }
        };
    let unlinked = |x: &Instance<'_>, attribute: &str, reason: &str| Unresolved {
        path: attribute.to_string(),
        what: format!("{}.{attribute}", x.address),
        cause: Cause::UnknownUntilApply,
        reason: reason.to_string(),
    };
    // A policy ARN: a customer managed policy of the plan, or an ARN to supply.
    let policy_target = |i: usize, attribute: &str| -> Option<Result<Attached, Unresolved>> {
        let x = inst(i)?;
        let value = x.text(attribute);
        if value.is_none() && !x.unknown(&[Step::Key(attribute)]) {
            return None;
        }
        let by_arn = value.and_then(|arn| {
            plan.instances.iter().position(|c| {
                c.ty == "aws_iam_policy" && c.mode == "managed" && {
                    let path = c.text("path").unwrap_or("/");
                    c.text("arn") == Some(arn)
                        || c.text("name").is_some_and(|n| {
                            arn.split_once(":policy").is_some_and(|(head, tail)| {
                                !head.ends_with(":aws") && tail == format!("{path}{n}")
                            })
                        })
                }
            })
        });
        let linked = match (value, by_arn) {
            (_, Some(p)) => Some(p),
            (Some(_), None) => None,
            (None, None) => match plan
                .referenced(x, attribute, &["aws_iam_policy"])
                .as_slice()
            {
                [one] => Some(*one),
                _ => None,
            },
        };
        Some(match (linked.and_then(|p| found_index(p, "policy")), value) {
            (Some(f), _) => Ok(Attached::Found(f)),
            (None, Some(arn)) => Ok(Attached::Arn(arn.to_string())),
            (None, None) => Err(unlinked(x, attribute, "the policy ARN is known only after apply and the configuration names no policy of the plan")),
        })
    };
    let mut attached_to: Vec<(usize, String)> = Vec::new();
    for (i, x) in plan.instances.iter().enumerate() {
        if x.mode != "managed" {
            continue;
        }
        let principal = |attribute: &str,
                         pt: PrincipalType,
                         value: Option<&str>|
         -> Result<Option<usize>, Unresolved> {
            let ty = match pt {
                PrincipalType::Role => "aws_iam_role",
                PrincipalType::User => "aws_iam_user",
                PrincipalType::Group => "aws_iam_group",
            };
            match target(i, attribute, value, &[ty], &["name", "id"]) {
                Target::Instance(p) => Ok(record_of.get(&p).copied()),
                Target::Text(_) => Ok(None),
                Target::Unknown => Err(unlinked(x, attribute, "the name is known only after apply and the configuration names no principal of the plan")),
            }
        };
        match x.ty {
            "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy" => {
                let (attribute, pt) = match x.ty {
                    "aws_iam_role_policy" => ("role", PrincipalType::Role),
                    "aws_iam_user_policy" => ("user", PrincipalType::User),
                    _ => ("group", PrincipalType::Group),
                };
                let Some(f) = found_index(i, "policy") else {
                    continue;
                };
                match principal(attribute, pt, x.text(attribute)) {
                    Ok(Some(r)) => {
                        if let Some(rec) = records.get_mut(r) {
                            rec.inline.push(f);
                            attached_to.push((f, rec.locator.to_string()));
                        }
                    }
                    Ok(None) => attached_to.extend(x.text(attribute).map(|t| (f, t.to_string()))),
                    Err(u) => {
                        if let Some(found) = out.found.get_mut(f) {
                            found.unresolved.push(u);
                        }
                    }
                }
            }
            "aws_iam_role_policy_attachment"
            | "aws_iam_user_policy_attachment"
            | "aws_iam_group_policy_attachment" => {
                let (attribute, pt) = match x.ty {
                    "aws_iam_role_policy_attachment" => ("role", PrincipalType::Role),
                    "aws_iam_user_policy_attachment" => ("user", PrincipalType::User),
                    _ => ("group", PrincipalType::Group),
                };
                let p = principal(attribute, pt, x.text(attribute));
                let a = policy_target(i, "policy_arn");
                match (p, a) {
                    (Ok(Some(r)), Some(Ok(a))) => {
                        if let (Some(rec), Attached::Found(f)) = (records.get(r), &a) {
                            attached_to.push((*f, rec.locator.to_string()));
                        }
                        if let Some(rec) = records.get_mut(r) {
                            rec.attached.push(a);
                        }
                    }
                    (Ok(Some(r)), Some(Err(u))) => {
                        if let Some(rec) = records.get_mut(r) {
                            rec.unresolved.push(u);
                        }
                    }
                    (Ok(_), _) => {}
                    (Err(u), _) => out.problems.push(Problem {
                        path: format!("{}.{attribute}", x.address),
                        message: format!(
                            "cannot tell which {} `{}` attaches a policy to: {}",
                            attribute, x.address, u.reason
                        ),
                        help: Some(format!(
                            "the policies in force for that {attribute} may be more than listed"
                        )),
                    }),
                }
            }
            "aws_iam_role" | "aws_iam_user" => {
                let Some(&r) = record_of.get(&i) else {
                    continue;
                };
                if let Some(b) = policy_target(i, "permissions_boundary") {
                    if let Some(rec) = records.get_mut(r) {
                        match b {
                            Ok(a) => {
                                if let Attached::Found(f) = a {
                                    attached_to.push((f, rec.locator.to_string()));
                                }
                                rec.boundary = Some(a);
                            }
                            Err(u) => rec.unresolved.push(u),
                        }
                    }
                }
                if x.ty == "aws_iam_role" {
                    if let Some(arns) = x.value("managed_policy_arns").and_then(Node::as_array) {
                        for arn in arns.iter().filter_map(Node::as_str) {
                            let found = plan.instances.iter().position(|c| {
                                c.ty == "aws_iam_policy" && c.text("arn") == Some(arn)
                            });
                            let a = match found.and_then(|p| found_index(p, "policy")) {
                                Some(f) => Attached::Found(f),
                                None => Attached::Arn(arn.to_string()),
                            };
                            if let Some(rec) = records.get_mut(r) {
                                rec.attached.push(a);
                            }
                        }
                    } else if x.unknown(&[Step::Key("managed_policy_arns")])
                        && plan.configured(x, "managed_policy_arns")
                    {
                        let referenced =
                            plan.referenced(x, "managed_policy_arns", &["aws_iam_policy"]);
                        if let Some(rec) = records.get_mut(r) {
                            for p in &referenced {
                                if let Some(f) = found_index(*p, "policy") {
                                    rec.attached.push(Attached::Found(f));
                                }
                            }
                            rec.unresolved.push(unlinked(x, "managed_policy_arns", "the list is known only after apply; only the policies its configuration names are listed"));
                        }
                    }
                }
            }
            "aws_organizations_policy_attachment" => {
                let policy = target(
                    i,
                    "policy_id",
                    x.text("policy_id"),
                    &["aws_organizations_policy"],
                    &["id"],
                );
                if let (Target::Instance(p), Some(t)) = (policy, x.text("target_id")) {
                    if let Some(f) = found_index(p, "content") {
                        attached_to.push((f, t.to_string()));
                    }
                }
            }
            "aws_iam_user_group_membership" => {
                let user = principal("user", PrincipalType::User, x.text("user"));
                let groups: Vec<&str> = x
                    .value("groups")
                    .and_then(Node::as_array)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::as_str)
                    .collect();
                if let Ok(Some(u)) = user {
                    for g in groups {
                        if let Ok(Some(g)) = principal("groups", PrincipalType::Group, Some(g)) {
                            if let Some(rec) = records.get_mut(u) {
                                rec.groups.push(g);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        // Resource policies: what they apply to.
        let target_attribute = match x.ty {
            "aws_s3_bucket_policy" => {
                Some(("bucket", &["aws_s3_bucket"][..], &["bucket", "id"][..]))
            }
            "aws_sqs_queue_policy" => {
                Some(("queue_url", &["aws_sqs_queue"][..], &["url", "id"][..]))
            }
            "aws_sns_topic_policy" => Some(("arn", &["aws_sns_topic"][..], &["arn", "id"][..])),
            "aws_kms_key_policy" => {
                Some(("key_id", &["aws_kms_key"][..], &["key_id", "id", "arn"][..]))
            }
            _ => None,
        };
        if let (Some((attribute, types, keys)), Some(f)) =
            (target_attribute, found_index(i, "policy"))
        {
            match target(i, attribute, x.text(attribute), types, keys) {
                Target::Instance(t) => attached_to.extend(inst(t).map(|t| (f, t.address.clone()))),
                Target::Text(t) => attached_to.push((f, t)),
                Target::Unknown => {
                    if let Some(found) = out.found.get_mut(f) {
                        found
                            .attached_to
                            .push(placeholder(&format!("{}.{attribute}", x.address)));
                        found.unresolved.push(unlinked(
                            x,
                            attribute,
                            "what the policy applies to is known only after apply",
                        ));
                    }
                }
            }
        }
        if matches!(
            x.ty,
            "aws_kms_key" | "aws_s3_bucket" | "aws_sqs_queue" | "aws_sns_topic"
        ) {
            if let Some(f) = found_index(i, "policy") {
                attached_to.push((f, x.address.clone()));
            }
        }
    }
    // Data source documents apply to what uses them.
    for x in &plan.instances {
        if x.mode != "managed" {
            continue;
        }
        let Some(expressions) = plan
            .config(x)
            .and_then(|c| c.get("expressions"))
            .and_then(Node::as_object)
        else {
            continue;
        };
        for (attribute, _) in expressions {
            for d in plan.referenced(x, attribute, &["aws_iam_policy_document"]) {
                if let Some(f) = found_index(d, "json") {
                    attached_to.push((f, x.address.clone()));
                }
            }
        }
    }
    for rec in &records {
        for &f in rec.inline.iter().chain(rec.trust.iter()) {
            attached_to.push((f, rec.locator.to_string()));
        }
    }
    for (f, t) in attached_to {
        if let Some(found) = out.found.get_mut(f) {
            if !found.attached_to.contains(&t) {
                found.attached_to.push(t);
            }
        }
    }
    out.principals = records;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_call_names_skip_instance_keys() {
        assert_eq!(module_calls(""), Vec::<&str>::new());
        assert_eq!(module_calls("module.app"), vec!["app"]);
        assert_eq!(
            module_calls("module.app[\"a.b]\"].module.inner[0]"),
            vec!["app", "inner"]
        );
    }
}
