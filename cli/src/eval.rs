//! `iam-eval eval`: decides one request against the given policies.

use crate::limits::LimitArgs;
use crate::style::{stdout_wants_colour, Painter, Style};
use crate::Status;
use iam_eval::{
    Decision, Limits, Policy, PolicyKind, PolicySet, Principal, Request, RequestSpec, Response,
    Trace,
};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Arguments of `iam-eval eval`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    policies: PolicyArgs,
    /// The request as a JSON object in the test-file format (`principal`, `action`,
    /// `resource`, `resource_account`, `context`).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["principal", "action", "resource_arn", "resource_account", "context"])]
    request: Option<PathBuf>,
    /// The caller: an IAM ARN, `*` for anonymous, `service:NAME` for a service
    /// principal, `federated:PROVIDER` or `canonical-user:ID`.
    #[arg(long, value_name = "ARN", required_unless_present = "request")]
    principal: Option<String>,
    /// The action, `service:ActionName`.
    #[arg(long, value_name = "ACTION", required_unless_present = "request")]
    action: Option<String>,
    /// The target resource ARN.
    #[arg(long, value_name = "ARN", required_unless_present = "request")]
    resource_arn: Option<String>,
    /// Account that owns the resource, when its ARN has none.
    #[arg(long, value_name = "ID")]
    resource_account: Option<String>,
    /// A request context key and value; repeat a key to make it multivalued.
    #[arg(long, value_name = "KEY=VALUE")]
    context: Vec<String>,

    /// Print the whole explanation: every policy, statement and condition.
    #[arg(long)]
    explain: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    limits: LimitArgs,
}

/// The policies in force, by kind: what `eval`, `prove` and their kin read.
#[derive(Debug, clap::Args)]
pub(crate) struct PolicyArgs {
    /// Identity-based policy of the caller (repeatable).
    #[arg(long, value_name = "FILE")]
    identity: Vec<PathBuf>,
    /// Resource-based policy of the target, such as a bucket policy (repeatable).
    #[arg(long, value_name = "FILE")]
    resource: Vec<PathBuf>,
    /// Service control policy in force for the caller (repeatable; when given, exactly
    /// these SCPs are in force).
    #[arg(long, value_name = "FILE")]
    scp: Vec<PathBuf>,
    /// A role's trust policy (repeatable): a resource-based policy that must itself allow
    /// the requests that assume the role.
    #[arg(long, value_name = "FILE")]
    trust_policy: Vec<PathBuf>,
    /// Resource control policy of the resource owner's organization (repeatable).
    #[arg(long, value_name = "FILE")]
    rcp: Vec<PathBuf>,
    /// Permissions boundary of the caller (repeatable).
    #[arg(long, value_name = "FILE")]
    boundary: Vec<PathBuf>,
    /// Session policy of the caller's session (repeatable).
    #[arg(long, value_name = "FILE")]
    session: Vec<PathBuf>,
    /// Account that owns the resource of the --resource policies (for ARNs without an
    /// account, such as S3's).
    #[arg(long, value_name = "ACCOUNT")]
    resource_owner: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Readable text.
    Text,
    /// A JSON object.
    Json,
}

pub(crate) fn run(args: &Args) -> Status {
    let set = match policy_set(&args.policies, &args.limits.limits()) {
        Ok(set) => set,
        Err(()) => return Status::BadInput,
    };
    let request = match request(args) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("{message}");
            return Status::BadInput;
        }
    };
    let (response, trace) = if args.explain {
        let (response, trace) = set.explain(&request);
        (response, Some(trace))
    } else {
        (set.evaluate(&request), None)
    };
    // What looks wrong with the request: a context key no policy reads (often a typo),
    // a context value that is not of its key's type.
    let warnings: Vec<String> = set
        .unread_context_keys(&request)
        .iter()
        .map(|k| k.to_string())
        .chain(request.context_warnings().iter().map(|w| w.to_string()))
        .collect();
    match args.format {
        Format::Text => print_text(&response, trace.as_ref(), &warnings),
        Format::Json => println!("{}", json(&response, trace.as_ref(), &warnings)),
    }
    match response.decision() {
        Decision::Allow => Status::Ok,
        Decision::ExplicitDeny | Decision::ImplicitDeny => Status::Failed,
    }
}

/// Reads, parses and validates every policy file, printing each problem found. `Err`
/// once all have been reported.
pub(crate) fn policy_set(args: &PolicyArgs, limits: &Limits) -> Result<PolicySet, ()> {
    let groups: [(PolicyKind, &[PathBuf]); 6] = [
        (PolicyKind::Identity, &args.identity),
        (PolicyKind::Resource, &args.resource),
        (PolicyKind::Scp, &args.scp),
        (PolicyKind::Rcp, &args.rcp),
        (PolicyKind::Boundary, &args.boundary),
        (PolicyKind::Session, &args.session),
    ];
    let mut builder = PolicySet::builder();
    let mut ok = true;
    for file in &args.trust_policy {
        match load_policy(file, PolicyKind::Resource, limits) {
            Some(policy) => {
                builder.add_trust_policy(file.display().to_string(), policy);
            }
            None => ok = false,
        }
    }
    for (kind, files) in groups {
        for file in files {
            let Some(policy) = load_policy(file, kind, limits) else {
                ok = false;
                continue;
            };
            let id = file.display().to_string();
            match (&args.resource_owner, kind) {
                (Some(owner), PolicyKind::Resource) => {
                    builder.add_owned(kind, id, policy, owner);
                }
                _ => {
                    builder.add(kind, id, policy);
                }
            }
        }
    }
    if !ok {
        return Err(());
    }
    builder.build().map_err(|e| {
        // Validation already passed, so this is a repeated id or a statement that
        // could not be compiled.
        let shown: Vec<String> = e
            .diagnostics()
            .iter()
            .map(|d| d.render(e.policy_id()))
            .collect();
        eprintln!(
            "error: {} policy `{}`: {}",
            e.policy_kind(),
            e.policy_id(),
            e.message()
        );
        for s in shown {
            eprint!("{s}");
        }
    })
}

/// Reads a policy file and checks it as `kind`, printing every problem.
pub(crate) fn load_policy(file: &Path, kind: PolicyKind, limits: &Limits) -> Option<Policy> {
    let name = file.display().to_string();
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{name}: error: cannot read the file: {e}");
            return None;
        }
    };
    let policy = match Policy::parse_bytes(&bytes, limits) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", e.render(&name));
            return None;
        }
    };
    if let Err(e) = policy.validate(kind) {
        eprintln!("{}", e.render(&name));
        return None;
    }
    // Where AWS reads the policy otherwise than it looks (a variable that is literal
    // text, whitespace inside a value): a warning, not a reason to stop.
    for finding in policy.silent_changes() {
        eprintln!("{}", finding.render(&name));
    }
    Some(policy)
}

/// `error: MESSAGE` and, if there is advice, a help line.
fn request_error(e: &iam_eval::RequestError, file: Option<&str>) -> String {
    let mut out = match file {
        Some(name) => format!("{name}: error: {e}"),
        None => format!("error: {e}"),
    };
    if let Some(help) = e.help() {
        out.push_str(&format!("\n  help: {help}"));
    }
    out
}

/// Builds the request from --request or from the request flags; `Err` is the whole
/// message to print.
fn request(args: &Args) -> Result<Request, String> {
    let mut builder = Request::builder();
    if let Some(path) = &args.request {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{name}: error: cannot read the request file: {e}"))?;
        // The error names the file, line and column already.
        let spec = RequestSpec::from_json(&text, &name).map_err(|e| e.to_string())?;
        return spec
            .build(&mut builder)
            .map_err(|e| request_error(&e, Some(&name)));
    }
    let (Some(principal), Some(action), Some(resource)) =
        (&args.principal, &args.action, &args.resource_arn)
    else {
        return Err(
            "error: give --principal, --action and --resource-arn, or --request FILE".into(),
        );
    };
    let principal: Principal = principal
        .parse()
        .map_err(|e: iam_eval::RequestError| request_error(&e, None))?;
    builder.principal_value(principal);
    builder.action(action).resource(resource);
    if let Some(account) = &args.resource_account {
        builder.resource_account(account);
    }
    let mut seen = HashSet::new();
    for pair in &args.context {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(format!(
                "error: `--context {pair}` has no `=`\n  help: write `--context KEY=VALUE`"
            ));
        };
        if key.is_empty() {
            return Err(format!(
                "error: `--context {pair}` has no key\n  help: write `--context KEY=VALUE`"
            ));
        }
        // Keys are case-insensitive, so `aws:SourceIp` and `aws:sourceip` are one key.
        if seen.insert(key.to_lowercase()) {
            builder.context(key, value);
        } else {
            builder.context_push(key, value);
        }
    }
    builder.build().map_err(|e| request_error(&e, None))
}

fn print_text(response: &Response<'_>, trace: Option<&Trace>, warnings: &[String]) {
    let paint = Painter::new(stdout_wants_colour());
    for w in warnings {
        println!("{}", paint.paint(Style::Yellow, &format!("warning: {w}")));
    }
    if let Some(trace) = trace {
        print!("{}", colour_trace(&trace.to_string(), &paint));
        return;
    }
    println!(
        "decision: {}",
        paint_decision(&paint, response.decision(), response.decision().as_str())
    );
    println!("reason: {}", response.reason());
    let determining = determining(response);
    if !determining.is_empty() {
        println!("decided by: {}", determining.join(", "));
    }
    for p in problems(response) {
        println!("{}", paint.paint(Style::Yellow, &format!("problem: {p}")));
    }
}

fn determining(response: &Response<'_>) -> Vec<String> {
    let mut out: Vec<String> = response.determining().map(|s| s.to_string()).collect();
    if response.determining_omitted() > 0 {
        out.push(format!(
            "and {} more (use --explain)",
            response.determining_omitted()
        ));
    }
    out
}

fn problems(response: &Response<'_>) -> Vec<String> {
    let mut out: Vec<String> = response.problems().map(|p| p.to_string()).collect();
    if response.problems_omitted() > 0 {
        out.push(format!(
            "and {} more (use --explain)",
            response.problems_omitted()
        ));
    }
    out
}

fn paint_decision(paint: &Painter, decision: Decision, text: &str) -> String {
    let style = match decision {
        Decision::Allow => Style::Green,
        Decision::ExplicitDeny | Decision::ImplicitDeny => Style::Red,
    };
    paint.paint(style, text)
}

/// Colours the trace's text line by line; the words stay exactly as the library wrote
/// them.
fn colour_trace(text: &str, paint: &Painter) -> String {
    let mut out = String::with_capacity(text.len());
    // The summary ends at the first blank line; after it, an unindented line is a
    // policy's heading.
    let mut in_policies = false;
    for line in text.lines() {
        in_policies |= line.is_empty();
        let styled = if let Some(rest) = line.strip_prefix("decision: ") {
            let style = if rest.starts_with("allow") {
                Style::Green
            } else {
                Style::Red
            };
            format!("decision: {}", paint.paint(style, rest))
        } else if line.starts_with("problem: ") {
            paint.paint(Style::Yellow, line)
        } else if in_policies && !line.is_empty() && !line.starts_with(' ') {
            paint.paint(Style::Bold, line)
        } else if line.starts_with("  ") && !line.starts_with("    ") {
            if line.contains(" APPLIES") {
                let style = if line.trim_start().starts_with("Deny") {
                    Style::Red
                } else {
                    Style::Green
                };
                paint.paint(style, line)
            } else {
                paint.paint(Style::Dim, line)
            }
        } else if line.starts_with("    note: ") {
            paint.paint(Style::Cyan, line)
        } else {
            line.to_string()
        };
        out.push_str(&styled);
        out.push('\n');
    }
    out
}

/// The `--format json` document; fields in this order.
#[derive(serde::Serialize)]
struct EvalJson<'t> {
    decision: &'static str,
    reason: &'static str,
    determining: Vec<String>,
    problems: Vec<String>,
    warnings: &'t [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<&'t Trace>,
}

fn json(response: &Response<'_>, trace: Option<&Trace>, warnings: &[String]) -> String {
    // The trace lists every deciding statement and problem; the response at most a few.
    let (determining, problems) = match trace {
        Some(t) => (
            t.determining.iter().map(|l| l.to_string()).collect(),
            t.problems.clone(),
        ),
        None => (
            response.determining().map(|s| s.to_string()).collect(),
            response.problems().map(|p| p.to_string()).collect(),
        ),
    };
    let doc = EvalJson {
        decision: response.decision().as_str(),
        reason: response.reason().describe(),
        determining,
        problems,
        warnings,
        trace,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
