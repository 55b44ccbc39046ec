//! `iam-eval check`: validates policy files, runs the lints, and reports every problem
//! with its position, in the format asked for.

use crate::config::{Config, Finder};
use crate::extract::ValueArgs;
use crate::limits::LimitArgs;
use crate::output::{self, Counts, Item};
use crate::Status;
use iam_eval::{Limits, Lint, Policy, PolicyKind, Severity};
use std::path::{Path, PathBuf};

/// Arguments of `iam-eval check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Policy files, Terraform plans (`terraform show -json`) and CloudFormation or CDK
    /// templates: every policy inside a plan or template is checked.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Also check the rules of this kind of policy (`Principal` required in resource
    /// policies and RCPs and forbidden elsewhere, `Resource` required except in resource
    /// policies).
    #[arg(long, value_parser = kind_parser())]
    kind: Option<PolicyKind>,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    values: ValueArgs,
    /// Fail (exit status 1) on warnings and security findings too, not only on errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Do not report findings of this lint (repeatable).
    #[arg(long, value_name = "CODE")]
    allow: Vec<String>,
    /// Report findings of this lint as errors (repeatable).
    #[arg(long, value_name = "CODE")]
    deny: Vec<String>,
    /// The side file of suppressions to use for every policy, instead of the
    /// `iam-eval.toml` found next to each policy or in a folder above it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Skip the lints: only check that the policies parse (and are valid as --kind).
    #[arg(long)]
    no_lints: bool,
    /// Print only problems: no line for a file without any, no summary when all is well.
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print suppressed findings, each with what suppressed it.
    #[arg(long, short)]
    verbose: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// rustc-style text, for people.
    Text,
    /// One JSON document with every finding.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands, and a summary table in `$GITHUB_STEP_SUMMARY`.
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
}

/// The kinds by their names in the test-file format, listed in `--help`.
fn kind_parser() -> impl clap::builder::TypedValueParser<Value = PolicyKind> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(PolicyKind::ALL.map(PolicyKind::as_str))
        .try_map(|s: String| s.parse::<PolicyKind>())
}

/// The lint code nearest to `code`, for "did you mean" help.
pub(crate) fn suggest_code(code: &str) -> Option<&'static str> {
    let distance = |a: &str, b: &str| {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row.first().copied().unwrap_or(0);
            if let Some(first) = row.first_mut() {
                *first = i + 1;
            }
            for (j, cb) in b.iter().enumerate() {
                let cost = usize::from(ca != *cb);
                let above = row.get(j + 1).copied().unwrap_or(usize::MAX);
                let left = row.get(j).copied().unwrap_or(usize::MAX);
                let value = (prev + cost).min(above + 1).min(left + 1);
                prev = above;
                if let Some(slot) = row.get_mut(j + 1) {
                    *slot = value;
                }
            }
        }
        row.last().copied().unwrap_or(usize::MAX)
    };
    Lint::ALL
        .iter()
        .map(|l| (distance(code, l.code()), l.code()))
        .filter(|(d, _)| *d <= code.len().max(3) / 3)
        .min()
        .map(|(_, c)| c)
}

/// Checks that each `--allow`/`--deny` code is a lint.
fn check_codes(codes: &[String], flag: &str) -> Result<(), String> {
    for code in codes {
        if Lint::from_code(code).is_none() {
            let help = match suggest_code(code) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "docs/lints.md lists the codes".into(),
            };
            return Err(format!(
                "error: unknown lint `{code}` in `{flag}`\n  help: {help}"
            ));
        }
    }
    Ok(())
}

pub(crate) fn run(args: &Args) -> Status {
    if let Err(e) =
        check_codes(&args.allow, "--allow").and_then(|()| check_codes(&args.deny, "--deny"))
    {
        eprintln!("{e}");
        return Status::BadInput;
    }
    let mut finder = match &args.config {
        Some(path) => match Config::load(path) {
            Ok(c) => Finder::fixed(c),
            Err(e) => {
                eprintln!("error: {e}");
                return Status::BadInput;
            }
        },
        None => Finder::default(),
    };
    let limits = args.limits.limits();
    let mut items: Vec<Item> = Vec::new();
    let mut unreadable = false;
    for file in &args.files {
        let name = file.display().to_string();
        let first = items.len();
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                unreadable = true;
                items.push(Item::whole_file(
                    &name,
                    output::UNREADABLE_FILE,
                    format!("cannot read the file: {e}"),
                ));
                report_file(args, items.get(first..).unwrap_or_default(), &name);
                continue;
            }
        };
        if iac_source(file, &bytes) {
            let iac_items = check_iac(args, file, &name, &limits, &mut finder);
            match iac_items {
                Ok(list) => items.extend(list),
                Err(item) => {
                    unreadable = true;
                    items.push(*item);
                }
            }
            report_file(args, items.get(first..).unwrap_or_default(), &name);
            continue;
        }
        match Policy::parse_bytes(&bytes, &limits) {
            Err(e) => {
                items.extend(e.diagnostics().iter().map(|d| {
                    Item::from_diagnostic(&name, Severity::Error, output::INVALID_POLICY, d)
                }))
            }
            Ok(policy) => {
                if let Some(Err(e)) = args.kind.map(|kind| policy.validate(kind)) {
                    items.extend(e.diagnostics().iter().map(|d| {
                        Item::from_diagnostic(&name, Severity::Error, output::INVALID_FOR_KIND, d)
                    }));
                }
                if !args.no_lints {
                    let findings = match args.kind {
                        Some(kind) => policy.lint_as(kind),
                        None => policy.lint(),
                    };
                    let config = match finder.for_file(file) {
                        Ok(c) => c,
                        Err(e) => {
                            eprintln!("error: {e}");
                            return Status::BadInput;
                        }
                    };
                    for f in findings {
                        let mut item =
                            Item::from_diagnostic(&name, f.severity(), f.code(), f.diagnostic());
                        if args.deny.iter().any(|c| c == f.code()) {
                            item.severity = Severity::Error;
                        } else if args.allow.iter().any(|c| c == f.code()) {
                            item.suppressed_by = Some("--allow".into());
                        } else if let Some(by) =
                            config.as_ref().and_then(|c| c.suppresses(file, f.code()))
                        {
                            item.suppressed_by = Some(by);
                        }
                        items.push(item);
                    }
                }
            }
        }
        // INVARIANT: `first..` are this file's items.
        report_file(args, items.get(first..).unwrap_or_default(), &name);
    }
    let counts = Counts::of(&items);
    let root = output::repository_root();
    match args.format {
        Format::Text => {
            if !args.quiet
                || counts.errors + counts.warnings + counts.security + counts.suggestions > 0
            {
                eprintln!(
                    "{} {} checked: {}",
                    args.files.len(),
                    if args.files.len() == 1 {
                        "file"
                    } else {
                        "files"
                    },
                    counts.sentence()
                );
            }
        }
        Format::Json => println!("{}", output::json(&items, args.files.len())),
        Format::Sarif => println!("{}", output::sarif(&items, &root)),
        Format::Github => {
            print!("{}", output::github(&items));
            output::write_github_summary("iam-eval check", &items, &counts);
        }
        Format::Gitlab => println!("{}", output::gitlab(&items, &root)),
    }
    let fails = counts.errors > 0 || (args.deny_warnings && counts.warnings + counts.security > 0);
    if unreadable {
        Status::BadInput
    } else if fails {
        Status::Failed
    } else {
        Status::Ok
    }
}

/// Prints one file's items in the text format, as soon as the file is checked: problems
/// on stderr, `FILE: ok` on stdout for a file without errors (unless `--quiet`).
fn report_file(args: &Args, items: &[Item], name: &str) {
    if args.format != Format::Text {
        return;
    }
    for item in items {
        if item.suppressed_by.is_none() || args.verbose {
            eprintln!("{}", item.render_text());
        }
    }
    let errors = items
        .iter()
        .any(|i| i.severity == Severity::Error && i.suppressed_by.is_none());
    if !errors && !args.quiet {
        println!("{name}: ok");
    }
}

/// Whether a file is a Terraform plan or a CloudFormation template rather than a policy:
/// YAML by its extension, JSON by its top-level keys (a policy has `Statement`).
fn iac_source(file: &Path, bytes: &[u8]) -> bool {
    let yaml = file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    if yaml {
        return true;
    }
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Object(top)) => {
            !top.contains_key("Statement")
                && (top.contains_key("planned_values")
                    || top.contains_key("Resources")
                    || top.contains_key("AWSTemplateFormatVersion"))
        }
        _ => false,
    }
}

/// Checks every policy inside a plan or template. A finding is placed where the policy
/// value starts in the file (its path inside the policy is in the message's path); a
/// value that could not be resolved is reported, and the policy holding it is not
/// linted (its placeholders are not values). `Err` when the file cannot be read.
fn check_iac(
    args: &Args,
    file: &Path,
    name: &str,
    limits: &Limits,
    finder: &mut Finder,
) -> Result<Vec<Item>, Box<Item>> {
    let options = args
        .values
        .options()
        .map_err(|m| Box::new(Item::whole_file(name, output::UNREADABLE_FILE, m)))?;
    let extraction = iam_eval::iac::read_path(file, &options).map_err(|e| {
        let mut item = Item::whole_file(name, output::UNREADABLE_FILE, e.message().to_string());
        item.line = e.line();
        item.column = e.column();
        item.help = e.help().map(str::to_string);
        Box::new(item)
    })?;
    let config = finder.for_file(file).ok().flatten();
    let mut items = Vec::new();
    for found in &extraction.found {
        let at =
            |severity: Severity, code: &str, path: &str, message: String, help: Option<String>| {
                let mut item = Item::whole_file(name, code, message);
                item.severity = severity;
                item.line = found.position.map(|p| p.line);
                item.column = found.position.map(|p| p.column);
                item.path = if path.is_empty() {
                    found.id()
                } else {
                    format!("{} {path}", found.id())
                };
                item.help = help;
                item
            };
        for u in &found.unresolved {
            items.push(at(
                Severity::Warning,
                output::UNRESOLVED_VALUE,
                &u.path,
                format!("{} (`{}`)", u.reason, u.what),
                Some(format!(
                    "give it with `--supply '{}=VALUE'` (or `--param` for a template parameter)",
                    u.what
                )),
            ));
        }
        for p in &found.problems {
            items.push(at(
                Severity::Error,
                output::INVALID_POLICY,
                &p.path,
                p.message.clone(),
                p.help.clone(),
            ));
        }
        if !found.is_complete() {
            continue;
        }
        let policy = match Policy::parse_with_limits(&found.policy_json, limits) {
            Ok(p) => p,
            Err(e) => {
                for d in e.diagnostics() {
                    items.push(at(
                        Severity::Error,
                        output::INVALID_POLICY,
                        d.path(),
                        d.message().to_string(),
                        d.help().map(str::to_string),
                    ));
                }
                continue;
            }
        };
        let kind = args.kind.unwrap_or(found.kind);
        if let Err(e) = policy.validate(kind) {
            for d in e.diagnostics() {
                items.push(at(
                    Severity::Error,
                    output::INVALID_FOR_KIND,
                    d.path(),
                    d.message().to_string(),
                    d.help().map(str::to_string),
                ));
            }
        }
        if args.no_lints {
            continue;
        }
        for f in policy.lint_as(kind) {
            let d = f.diagnostic();
            let mut item = at(
                f.severity(),
                f.code(),
                d.path(),
                d.message().to_string(),
                d.help().map(str::to_string),
            );
            if args.deny.iter().any(|c| c == f.code()) {
                item.severity = Severity::Error;
            } else if args.allow.iter().any(|c| c == f.code()) {
                item.suppressed_by = Some("--allow".into());
            } else if let Some(by) = config.as_ref().and_then(|c| c.suppresses(file, f.code())) {
                item.suppressed_by = Some(by);
            }
            items.push(item);
        }
    }
    for s in &extraction.skipped {
        let mut item = Item::whole_file(
            name,
            output::SKIPPED_RESOURCE,
            format!(
                "{} ({}) is not checked: {}",
                s.locator, s.resource_type, s.reason
            ),
        );
        item.severity = Severity::Suggestion;
        items.push(item);
    }
    for p in &extraction.problems {
        let mut item = Item::whole_file(name, output::INVALID_POLICY, p.message.clone());
        item.severity = Severity::Warning;
        item.help = p.help.clone();
        items.push(item);
    }
    Ok(items)
}
