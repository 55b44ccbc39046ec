//! `iam-eval diff`: what a new version of a policy allows that the old one does not.

use crate::eval::load_policy;
use crate::limits::LimitArgs;
use crate::prove::{self, Format, SearchArgs, ShapeArgs};
use crate::style::{stdout_wants_colour, Painter, Style};
use crate::Status;
use iam_eval::analysis;
use iam_eval::{PolicyKind, PolicySet};
use std::path::PathBuf;

/// Arguments of `iam-eval diff`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The policy as it was.
    #[arg(value_name = "OLD")]
    old: PathBuf,
    /// The policy as it is to be.
    #[arg(value_name = "NEW")]
    new: PathBuf,
    /// The kind of both policies: identity, resource, scp, rcp, boundary or session.
    #[arg(long, value_name = "KIND")]
    kind: String,
    /// Account that owns the resource, for a resource-based policy of a resource whose
    /// ARN names none.
    #[arg(long, value_name = "ACCOUNT")]
    resource_owner: Option<String>,
    #[command(flatten)]
    shape: ShapeArgs,
    /// The most new accesses to list.
    #[arg(long, value_name = "N", default_value_t = 20)]
    limit: usize,
    #[command(flatten)]
    search: SearchArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    limits: LimitArgs,
}

pub(crate) fn run(args: &Args) -> Status {
    let kind: PolicyKind = match args.kind.parse() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return Status::BadInput;
        }
    };
    let limits = args.limits.limits();
    let load = |path: &PathBuf| -> Option<PolicySet> {
        let policy = load_policy(path, kind, &limits)?;
        let id = path.display().to_string();
        let mut b = PolicySet::builder();
        match &args.resource_owner {
            Some(owner) if kind == PolicyKind::Resource => b.add_owned(kind, id, policy, owner),
            _ => b.add(kind, id, policy),
        };
        b.build().map_err(|e| eprintln!("error: {e}")).ok()
    };
    let (Some(old), Some(new)) = (load(&args.old), load(&args.new)) else {
        return Status::BadInput;
    };
    let shape = match args.shape.shape() {
        Ok(s) => s,
        Err(message) => {
            eprintln!("{message}");
            return Status::BadInput;
        }
    };
    let report = analysis::diff_all(&old, &new, &shape, args.limit, &args.search.options());
    match args.format {
        Format::Text => print_text(&report),
        Format::Json => {
            let doc = serde_json::json!({
                "new_access": report.findings.iter().map(prove::counterexample_json).collect::<Vec<_>>(),
                "complete": report.complete,
                "stopped": report.unknown.as_ref().map(|u| u.message().to_string()),
            });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
    }
    if !report.findings.is_empty() {
        Status::Failed
    } else if report.unknown.is_some() {
        Status::Unknown
    } else {
        Status::Ok
    }
}

fn print_text(report: &analysis::DiffReport) {
    let paint = Painter::new(stdout_wants_colour());
    for (i, c) in report.findings.iter().enumerate() {
        println!("{} {}:", paint.paint(Style::Red, "NEW ACCESS"), i + 1);
        print!("{}", prove::request_text(c.request()));
        if let Some((d, r)) = c.before() {
            println!("  old: {} ({r})", d.as_str());
        }
        println!(
            "  new: {} ({}), confirmed by evaluate",
            c.decision().as_str(),
            c.reason()
        );
        let granted: Vec<String> = c
            .trace()
            .determining
            .iter()
            .map(|l| l.to_string())
            .collect();
        if !granted.is_empty() {
            println!("  granted by: {}", granted.join(", "));
        }
        prove::print_case(c, &format!("new access {}", i + 1));
        println!();
    }
    let n = report.findings.len();
    let summary = match (n, &report.unknown, report.complete) {
        (0, None, _) => format!(
            "{}: the new policy allows nothing of this shape that the old one does not ({})",
            paint.paint(Style::Green, "no new access"),
            prove::work(&report.stats)
        ),
        (0, Some(u), _) => format!("{}: {u}", paint.paint(Style::Yellow, "unknown")),
        (_, Some(u), _) => format!("{} listed; the search stopped: {u}", accesses(n)),
        (_, None, false) => format!("{} listed (the limit; there may be more)", accesses(n)),
        (1, None, true) => "1 new access".to_string(),
        (_, None, true) => format!(
            "{}, each in a different region of actions and resources",
            accesses(n)
        ),
    };
    println!("{summary}");
}

fn accesses(n: usize) -> String {
    if n == 1 {
        "1 new access".into()
    } else {
        format!("{n} new accesses")
    }
}
