//! `iam-eval extract`: lists the policies inside Terraform plans and CloudFormation or CDK
//! templates, with everything that could not be read, and writes them out as plain
//! policy files.

use crate::Status;
use iam_eval::iac::{self, Extraction, Found, Options};
use std::path::{Path, PathBuf};

/// Arguments of `iam-eval extract`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Terraform plans (`terraform show -json PLANFILE > plan.json`) and CloudFormation
    /// or CDK templates (JSON or YAML).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    values: ValueArgs,
    /// Write each complete policy to DIR as a plain policy file, named after its
    /// address or logical id and attribute.
    #[arg(long, value_name = "DIR")]
    write: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// The values a plan or template cannot give, for every command that reads them.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ValueArgs {
    /// A template parameter's value, or a pseudo parameter's (`AWS::Region=eu-west-1`)
    /// (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// A value the file cannot resolve, under the name `extract` lists it by (`GetAtt
    /// AuditKey.Arn=arn:aws:kms:…`, `aws_s3_bucket_policy.uploads.policy=…`) (repeatable).
    #[arg(long = "supply", value_name = "WHAT=VALUE")]
    supply: Vec<String>,
    /// `AWS::AccountId` (default 123456789012).
    #[arg(long, value_name = "ID")]
    account_id: Option<String>,
    /// `AWS::Region` (default us-east-1).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
}

impl ValueArgs {
    pub(crate) fn options(&self) -> Result<Options, String> {
        let mut o = Options::new();
        for p in &self.params {
            o = o.parameter_arg(p).map_err(|e| with_help(&e))?;
        }
        for s in &self.supply {
            let Some((what, value)) = s.split_once('=') else {
                return Err(format!(
                    "`--supply {s}` has no `=`\n  help: write `--supply WHAT=VALUE`"
                ));
            };
            o = o.supply(what.trim(), value);
        }
        if let Some(a) = &self.account_id {
            o = o.account_id(a);
        }
        if let Some(r) = &self.region {
            o = o.region(r);
        }
        Ok(o)
    }
}

fn with_help(e: &iac::IacError) -> String {
    match e.help() {
        Some(h) => format!("{}\n  help: {h}", e.render()),
        None => e.render(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Readable text.
    Text,
    /// A JSON document.
    Json,
}

pub(crate) fn run(args: &Args) -> Status {
    let options = match args.values.options() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("error: {message}");
            return Status::BadInput;
        }
    };
    let mut unreadable = false;
    let mut incomplete = false;
    let mut extractions = Vec::new();
    for file in &args.files {
        match iac::read_path(file, &options) {
            Ok(x) => {
                incomplete |= !x.is_complete();
                extractions.push(x);
            }
            Err(e) => {
                eprintln!("{}", with_help(&e));
                unreadable = true;
            }
        }
    }
    match args.format {
        Format::Text => {
            for x in &extractions {
                print!("{}", text(x));
            }
        }
        Format::Json => println!("{}", json(&extractions)),
    }
    if let Some(dir) = &args.write {
        if let Err(message) = write(dir, &extractions) {
            eprintln!("error: {message}");
            return Status::BadInput;
        }
    }
    if unreadable {
        Status::BadInput
    } else if incomplete {
        Status::Failed
    } else {
        Status::Ok
    }
}

fn format_name(x: &Extraction) -> &'static str {
    match x.format {
        iac::Format::TerraformPlan => "Terraform plan",
        iac::Format::CloudFormationJson => "CloudFormation template (JSON)",
        iac::Format::CloudFormationYaml => "CloudFormation template (YAML)",
        _ => "infrastructure file",
    }
}

fn text(x: &Extraction) -> String {
    let source = x.source.as_deref().unwrap_or("-");
    let mut out = format!(
        "{source}: {}, {} {}\n",
        format_name(x),
        x.found.len(),
        if x.found.len() == 1 {
            "policy"
        } else {
            "policies"
        }
    );
    for f in &x.found {
        let at = f
            .position
            .map(|p| format!(" (line {}, column {})", p.line, p.column))
            .unwrap_or_default();
        let kind = match &f.trust_policy_of {
            Some(role) => format!("trust policy of {role}"),
            None => f.kind.to_string(),
        };
        out.push_str(&format!("  {}  {kind}{at}\n", f.id()));
        if !f.attached_to.is_empty() {
            out.push_str(&format!("    attached to: {}\n", f.attached_to.join(", ")));
        }
        for u in &f.unresolved {
            out.push_str(&format!(
                "    unresolved at `{}`: {} (supply `{}`)\n",
                u.path, u.reason, u.what
            ));
        }
        for p in &f.problems {
            out.push_str(&format!("    problem at `{}`: {}\n", p.path, p.message));
        }
    }
    for s in &x.skipped {
        out.push_str(&format!(
            "  skipped {} ({}): {}\n",
            s.locator, s.resource_type, s.reason
        ));
    }
    for p in &x.problems {
        out.push_str(&format!("  problem: {}\n", p.message));
    }
    out
}

#[derive(serde::Serialize)]
struct FileJson<'a> {
    file: Option<&'a str>,
    format: &'static str,
    policies: Vec<PolicyJson<'a>>,
    skipped: Vec<SkippedJson<'a>>,
    problems: Vec<&'a str>,
}

#[derive(serde::Serialize)]
struct PolicyJson<'a> {
    id: String,
    locator: &'a str,
    resource_type: &'a str,
    attribute: &'a str,
    name: Option<&'a str>,
    kind: String,
    trust_policy_of: Option<&'a str>,
    attached_to: &'a [String],
    line: Option<usize>,
    column: Option<usize>,
    complete: bool,
    unresolved: Vec<UnresolvedJson<'a>>,
    problems: Vec<&'a str>,
    policy: serde_json::Value,
}

#[derive(serde::Serialize)]
struct UnresolvedJson<'a> {
    path: &'a str,
    what: &'a str,
    reason: &'a str,
}

#[derive(serde::Serialize)]
struct SkippedJson<'a> {
    locator: &'a str,
    resource_type: &'a str,
    reason: &'a str,
}

fn policy_json(f: &Found) -> PolicyJson<'_> {
    PolicyJson {
        id: f.id(),
        locator: f.locator.as_str(),
        resource_type: &f.resource_type,
        attribute: &f.attribute,
        name: f.name.as_deref(),
        kind: f.kind.to_string(),
        trust_policy_of: f.trust_policy_of.as_deref(),
        attached_to: &f.attached_to,
        line: f.position.map(|p| p.line),
        column: f.position.map(|p| p.column),
        complete: f.is_complete(),
        unresolved: f
            .unresolved
            .iter()
            .map(|u| UnresolvedJson {
                path: &u.path,
                what: &u.what,
                reason: &u.reason,
            })
            .collect(),
        problems: f.problems.iter().map(|p| p.message.as_str()).collect(),
        // The text with placeholders is still JSON; an unparsable one is a string.
        policy: serde_json::from_str(&f.policy_json)
            .unwrap_or_else(|_| serde_json::Value::String(f.policy_json.clone())),
    }
}

fn json(extractions: &[Extraction]) -> String {
    let files: Vec<FileJson<'_>> = extractions
        .iter()
        .map(|x| FileJson {
            file: x.source.as_deref(),
            format: format_name(x),
            policies: x.found.iter().map(policy_json).collect(),
            skipped: x
                .skipped
                .iter()
                .map(|s| SkippedJson {
                    locator: s.locator.as_str(),
                    resource_type: &s.resource_type,
                    reason: &s.reason,
                })
                .collect(),
            problems: x.problems.iter().map(|p| p.message.as_str()).collect(),
        })
        .collect();
    serde_json::to_string_pretty(&files).unwrap_or_default()
}

/// A file name for a policy: its id with every character that is not safe in a file
/// name replaced.
fn file_name(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.json")
}

/// Writes every complete policy; those with unresolved values or problems are not
/// written (their placeholders are not policies).
fn write(dir: &Path, extractions: &[Extraction]) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the folder `{}`: {e}", dir.display()))?;
    for x in extractions {
        for f in &x.found {
            if !f.is_complete() {
                eprintln!(
                    "warning: `{}` is not written: it has unresolved values or problems",
                    f.id()
                );
                continue;
            }
            let path = dir.join(file_name(&f.id()));
            let mut text = f.policy_json.clone();
            text.push('\n');
            std::fs::write(&path, text)
                .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("module.app.aws_iam_role.this[\"web\"]#inline_policy[0].policy"),
            "module.app.aws_iam_role.this__web___inline_policy_0_.policy.json"
        );
    }
}
