//! Policy entries that name a policy inside a Terraform plan or a CloudFormation
//! template instead of a policy file:
//!
//! - `{"terraform": "plan.json", "address": "aws_s3_bucket_policy.uploads"}`,
//! - `{"cloudformation": "template.yaml", "logical_id": "UploadsBucketPolicy"}`,
//! - `{"terraform": "plan.json", "principal": "aws_iam_role.uploader"}`: every policy in
//!   force for the role or user (its identity-based policies, its permissions boundary,
//!   a role's trust policy).
//!
//! The kind comes from the resource type (`kind` may override it). A policy with values
//! the file cannot give (unknown until apply, an unresolved intrinsic) is refused with the
//! list of them, unless the entry supplies them.

use super::error::{TestFileError, TestFileErrorKind};
use super::read::Reader;
#[cfg(feature = "iac")]
use crate::json::JsonKind;
use crate::json::{Fields, Json};
use crate::{Limits, Policy, PolicyKind};
use std::path::Path;
#[cfg(feature = "iac")]
use std::path::PathBuf;

/// The fields an IaC entry may have besides `kind` and `account`.
pub(crate) const IAC_FIELDS: [&str; 11] = [
    "terraform",
    "cloudformation",
    "address",
    "logical_id",
    "attribute",
    "principal",
    "parameters",
    "values",
    "account_id",
    "region",
    "managed",
];

/// One policy an IaC entry brings in.
pub(crate) struct IacPolicy {
    pub(crate) kind: PolicyKind,
    pub(crate) trust: bool,
    pub(crate) policy: Policy,
}

/// Whether a policy entry names an IaC source.
pub(crate) fn is_iac_entry(fields: &Fields<'_>) -> bool {
    fields.get("terraform").is_some() || fields.get("cloudformation").is_some()
}

/// Reads the policies an IaC entry names.
#[cfg(feature = "iac")]
pub(crate) fn read_entry(
    reader: &Reader<'_>,
    fields: &Fields<'_>,
    entry: &Json,
    what: &str,
    kind: Option<PolicyKind>,
    dir: Option<&Path>,
    limits: &Limits,
) -> Result<Vec<IacPolicy>, TestFileError> {
    use crate::iac::{self, PolicyRef};

    let err = |at: &Json, message: String| {
        reader.err(
            TestFileErrorKind::Format,
            at.span.start,
            format!("{what}: {message}"),
        )
    };
    let (source_json, terraform) = match (fields.get("terraform"), fields.get("cloudformation")) {
        (Some(t), None) => (t, true),
        (None, Some(c)) => (c, false),
        _ => {
            return Err(err(
                entry,
                "names both `terraform` and `cloudformation`; a policy comes from one file".into(),
            ))
        }
    };
    let file = reader.string(
        source_json,
        if terraform {
            "`terraform`"
        } else {
            "`cloudformation`"
        },
    )?;
    let path = dir.map_or_else(|| PathBuf::from(file), |d| d.join(file));
    let options = options(reader, fields)?;
    let extraction = iac::read_path(&path, &options).map_err(|e| {
        let mut message = e.render();
        if let Some(h) = e.help() {
            message.push_str(&format!("\n  help: {h}"));
        }
        reader.err(
            TestFileErrorKind::Policy,
            source_json.span.start,
            format!("{what}: cannot read `{}`: {message}", path.display()),
        )
    })?;
    let is_plan = matches!(extraction.format, iac::Format::TerraformPlan);
    if terraform != is_plan {
        return Err(err(
            source_json,
            format!(
                "`{}` is {}, not {}",
                path.display(),
                if is_plan {
                    "a Terraform plan"
                } else {
                    "a CloudFormation template"
                },
                if terraform {
                    "a Terraform plan"
                } else {
                    "a CloudFormation template"
                }
            ),
        ));
    }
    let locator_field = if terraform { "address" } else { "logical_id" };
    let attribute = match fields.get("attribute") {
        Some(a) => Some(reader.string(a, "`attribute`")?),
        None => None,
    };
    let mut chosen: Vec<(&iac::Found, PolicyKind, bool)> = Vec::new();
    let mut extra: Vec<(Policy, PolicyKind)> = Vec::new();
    match (fields.get(locator_field), fields.get("principal")) {
        (Some(l), None) => {
            let locator = reader.string(l, &format!("`{locator_field}`"))?;
            let found = if terraform {
                extraction.by_address(locator)
            } else {
                extraction.by_logical_id(locator)
            };
            let found: Vec<&iac::Found> = found
                .into_iter()
                .filter(|f| attribute.is_none_or(|a| f.attribute == a))
                .collect();
            if found.is_empty() {
                let known: Vec<String> = extraction.found.iter().map(|f| f.id()).collect();
                return Err(err(
                    l,
                    format!("no policy at `{locator}` in `{}`", path.display()),
                )
                .with_help(Some(format!("the file holds `{}`", known.join("`, `")))));
            }
            for f in found {
                chosen.push((f, f.kind, f.trust_policy_of.is_some()));
            }
        }
        (None, Some(p)) => {
            let principal = reader.string(p, "`principal`")?;
            let in_force = extraction.in_force_for(principal).map_err(|e| {
                err(p, e.message().to_string()).with_help(e.help().map(str::to_string))
            })?;
            if let Some(u) = in_force.unresolved.first() {
                return Err(err(
                    p,
                    format!(
                        "the policies attached to `{principal}` are not all known: {} (supply `{}` under `values`)",
                        u.reason, u.what
                    ),
                ));
            }
            for f in &in_force.identity {
                chosen.push((f, PolicyKind::Identity, false));
            }
            if let Some(t) = in_force.trust_policy {
                chosen.push((t, PolicyKind::Resource, true));
            }
            let managed = fields.get("managed");
            let mut external: Vec<(&str, PolicyKind)> = in_force
                .external
                .iter()
                .map(|arn| (*arn, PolicyKind::Identity))
                .collect();
            match in_force.boundary {
                Some(PolicyRef::Found(b)) => chosen.push((b, PolicyKind::Boundary, false)),
                Some(PolicyRef::Arn(arn)) => external.push((arn, PolicyKind::Boundary)),
                None => {}
            }
            for (arn, kind) in external {
                let file = managed
                    .and_then(|m| m.member(arn))
                    .ok_or_else(|| {
                        err(
                            p,
                            format!(
                                "`{principal}` has the policy `{arn}` attached, which `{}` does not hold",
                                path.display()
                            ),
                        )
                        .with_help(Some(format!(
                            "map it to a policy file: `\"managed\": {{\"{arn}\": \"policy.json\"}}`"
                        )))
                    })?;
                let file = reader.string(file, "a `managed` file")?;
                let policy_path = dir.map_or_else(|| PathBuf::from(file), |d| d.join(file));
                let text = std::fs::read_to_string(&policy_path).map_err(|e| {
                    reader.err(
                        TestFileErrorKind::Io,
                        p.span.start,
                        format!(
                            "cannot read the policy file `{}`: {e}",
                            policy_path.display()
                        ),
                    )
                })?;
                let policy = Policy::parse_with_limits(&text, limits).map_err(|e| {
                    TestFileError::new(
                        TestFileErrorKind::Policy,
                        &policy_path.display().to_string(),
                        e.to_string(),
                    )
                })?;
                extra.push((policy, kind));
            }
        }
        _ => {
            return Err(err(
                entry,
                format!("names a policy with exactly one of `{locator_field}` and `principal`"),
            ))
        }
    }
    let mut out = Vec::with_capacity(chosen.len() + extra.len());
    for (found, inferred, trust) in chosen {
        if let Some(u) = found.unresolved.first() {
            let list: Vec<String> = found
                .unresolved
                .iter()
                .map(|u| format!("`{}` at `{}`: {}", u.what, u.path, u.reason))
                .collect();
            return Err(err(
                entry,
                format!(
                    "`{}` has values that are not known before deployment: {}",
                    found.id(),
                    list.join("; ")
                ),
            )
            .with_help(Some(format!(
                "supply them under `\"values\"`, as in `\"values\": {{\"{}\": \"…\"}}`",
                u.what
            ))));
        }
        let at = |e: TestFileError| match found.position {
            Some(p) => e.at(p.line, p.column),
            None => e,
        };
        if let Some(problem) = found.problems.first() {
            return Err(at(TestFileError::new(
                TestFileErrorKind::Policy,
                &path.display().to_string(),
                format!("{what}: `{}`: {}", found.id(), problem.message),
            )
            .with_help(problem.help.clone())));
        }
        let policy = Policy::parse_with_limits(&found.policy_json, limits).map_err(|e| {
            at(TestFileError::new(
                TestFileErrorKind::Policy,
                &path.display().to_string(),
                format!("{what}: `{}` is not a valid policy: {e}", found.id()),
            ))
        })?;
        let kind = kind.unwrap_or(inferred);
        out.push(IacPolicy {
            kind,
            trust: trust && kind == PolicyKind::Resource,
            policy,
        });
    }
    out.extend(extra.into_iter().map(|(policy, kind)| IacPolicy {
        kind,
        trust: false,
        policy,
    }));
    Ok(out)
}

/// Without the `iac` feature, an IaC entry is refused, saying why.
#[cfg(not(feature = "iac"))]
pub(crate) fn read_entry(
    reader: &Reader<'_>,
    _fields: &Fields<'_>,
    entry: &Json,
    what: &str,
    _kind: Option<PolicyKind>,
    _dir: Option<&Path>,
    _limits: &Limits,
) -> Result<Vec<IacPolicy>, TestFileError> {
    Err(reader
        .err(
            TestFileErrorKind::Format,
            entry.span.start,
            format!("{what} names a Terraform plan or CloudFormation template, which this build does not read"),
        )
        .with_help(Some("build iam-eval with the `iac` feature (the `iam-eval` command has it)".into())))
}

/// The values the entry supplies: `parameters`, `values`, `account_id`, `region`.
#[cfg(feature = "iac")]
fn options(reader: &Reader<'_>, fields: &Fields<'_>) -> Result<crate::iac::Options, TestFileError> {
    let mut o = crate::iac::Options::new();
    let map = |name: &str| -> Result<Vec<(String, String)>, TestFileError> {
        let Some(json) = fields.get(name) else {
            return Ok(Vec::new());
        };
        let members = json
            .object(&format!("`{name}`"))
            .map_err(|i| reader.issue(i))?;
        members
            .iter()
            .map(|m| match &m.value.kind {
                JsonKind::String(s) => Ok((m.key.clone(), s.clone())),
                _ => Err(reader.issue(crate::json::Issue::wrong_type(
                    &m.value,
                    &format!("`{}`", m.key),
                    "a string",
                ))),
            })
            .collect()
    };
    for (k, v) in map("parameters")? {
        o = o.parameter(k, v);
    }
    for (k, v) in map("values")? {
        o = o.supply(k, v);
    }
    if let Some(a) = fields.get("account_id") {
        o = o.account_id(reader.string(a, "`account_id`")?);
    }
    if let Some(r) = fields.get("region") {
        o = o.region(reader.string(r, "`region`")?);
    }
    Ok(o)
}
