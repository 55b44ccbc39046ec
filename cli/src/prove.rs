//! `iam-eval prove`: proves that every request of a shape gets a decision, or shows a
//! request that does not.

use crate::eval::{policy_set, PolicyArgs};
use crate::limits::LimitArgs;
use crate::style::{stdout_wants_colour, Painter, Style};
use crate::Status;
use iam_eval::analysis::{self, Counterexample, Expect, Options, Shape, Stats, Verdict};
use iam_eval::{Request, Trace};
use std::time::Duration;

/// Arguments of `iam-eval prove`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    policies: PolicyArgs,
    #[command(flatten)]
    shape: ShapeArgs,
    /// What every request of the shape must get: `allow`, `deny` (not allowed) or
    /// `explicit_deny` (denied by a `Deny` statement).
    #[arg(long, value_enum)]
    expect: ExpectArg,
    #[command(flatten)]
    search: SearchArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    limits: LimitArgs,
}

/// The requests a question is about.
#[derive(Debug, clap::Args)]
pub(crate) struct ShapeArgs {
    /// A caller of the shape: an IAM ARN, `*` for anonymous, `service:NAME`,
    /// `federated:PROVIDER` or `canonical-user:ID` (repeatable).
    #[arg(long, value_name = "ARN")]
    principal: Vec<String>,
    /// Every IAM principal of this account (repeatable).
    #[arg(long, value_name = "ACCOUNT")]
    principal_account: Vec<String>,
    /// Every caller: IAM principals of any account, anonymous callers, services,
    /// providers and canonical users (the default when no caller is given).
    #[arg(long)]
    any_principal: bool,
    /// An action pattern, such as `s3:PutObject` or `s3:*` (repeatable; default `*`).
    #[arg(long, value_name = "PATTERN")]
    action: Vec<String>,
    /// A resource pattern, such as `arn:aws:s3:::example-bucket/*` (repeatable; default
    /// `*`).
    #[arg(long, value_name = "PATTERN")]
    resource_arn: Vec<String>,
    /// The account that owns the resource, when its ARN names none.
    #[arg(long, value_name = "ACCOUNT")]
    resource_account: Option<String>,
    /// The context as an IAM `Condition` block, such as
    /// `{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}`; keys it does
    /// not name may hold anything or be absent.
    #[arg(long = "where", value_name = "JSON")]
    condition: Option<String>,
    /// A context key that requests may give as a list (repeatable).
    #[arg(long, value_name = "KEY")]
    multivalued: Vec<String>,
}

impl ShapeArgs {
    /// The shape; `Err` is the message to print.
    pub(crate) fn shape(&self) -> Result<Shape, String> {
        let mut b = Shape::builder();
        for p in &self.principal {
            b.principal(p);
        }
        for a in &self.principal_account {
            b.principal_account(a);
        }
        if self.any_principal {
            b.any_principal();
        }
        for a in &self.action {
            b.action(a);
        }
        for r in &self.resource_arn {
            b.resource(r);
        }
        if let Some(a) = &self.resource_account {
            b.resource_account(a);
        }
        if let Some(c) = &self.condition {
            b.condition_json(c);
        }
        for k in &self.multivalued {
            b.multivalued(k);
        }
        b.build().map_err(|e| {
            let mut out = format!("error: {e}");
            if let Some(h) = e.help() {
                out.push_str(&format!("\n  help: {h}"));
            }
            out
        })
    }
}

/// How long the search may take.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct SearchArgs {
    /// Seconds the search may take before the answer is unknown.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    deadline: f64,
}

impl SearchArgs {
    pub(crate) fn options(&self) -> Options {
        let secs = if self.deadline.is_finite() && self.deadline > 0.0 {
            self.deadline
        } else {
            1.0
        };
        Options::default().deadline(Duration::from_secs_f64(secs.min(86_400.0)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExpectArg {
    /// Every request is allowed.
    Allow,
    /// No request is allowed.
    Deny,
    /// Every request is denied by a `Deny` statement.
    #[value(name = "explicit_deny")]
    ExplicitDeny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Readable text.
    Text,
    /// A JSON object.
    Json,
}

pub(crate) fn run(args: &Args) -> Status {
    let Ok(set) = policy_set(&args.policies, &args.limits.limits()) else {
        return Status::BadInput;
    };
    let shape = match args.shape.shape() {
        Ok(s) => s,
        Err(message) => {
            eprintln!("{message}");
            return Status::BadInput;
        }
    };
    let expect = match args.expect {
        ExpectArg::Allow => Expect::Allow,
        ExpectArg::Deny => Expect::Deny,
        ExpectArg::ExplicitDeny => Expect::ExplicitDeny,
    };
    let verdict = analysis::always_with(&set, &shape, expect, &args.search.options());
    match args.format {
        Format::Text => print_text(&verdict, expect),
        Format::Json => println!("{}", json(&verdict, expect)),
    }
    match verdict {
        Verdict::Proved(_) => Status::Ok,
        Verdict::Counterexample(..) => Status::Failed,
        _ => Status::Unknown,
    }
}

fn print_text(verdict: &Verdict, expect: Expect) {
    let paint = Painter::new(stdout_wants_colour());
    let what = expect.describe();
    match verdict {
        Verdict::Proved(s) => {
            println!(
                "{}: every request of this shape is {what} ({})",
                paint.paint(Style::Green, "proved"),
                work(s)
            );
        }
        Verdict::Counterexample(c, s) => {
            println!(
                "{}: a request of this shape is not {what} ({})",
                paint.paint(Style::Red, "REFUTED"),
                work(s)
            );
            print!("{}", request_text(c.request()));
            println!(
                "decision: {} (confirmed by evaluate), expected {}",
                paint.paint(Style::Red, c.decision().as_str()),
                expect
            );
            println!("reason: {}", c.reason());
            print_explanation(c.trace());
            print_case(c, "counterexample");
        }
        Verdict::Unknown(u, s) => {
            println!(
                "{}: {u} ({})",
                paint.paint(Style::Yellow, "unknown"),
                work(s)
            );
            println!("  help: narrow the shape, or give the search more time with `--deadline`");
        }
        _ => {}
    }
}

/// The work done, in a few words.
pub(crate) fn work(s: &Stats) -> String {
    format!(
        "{} caller cases, {:.2} ms",
        s.principal_cases,
        s.elapsed.as_secs_f64() * 1000.0
    )
}

/// The request, one field a line; context keys the request does not set are absent.
pub(crate) fn request_text(r: &Request) -> String {
    let mut out = String::new();
    out.push_str(&format!("  principal: {}\n", principal_text(r)));
    out.push_str(&format!("  action:    {}\n", r.action()));
    out.push_str(&format!("  resource:  {}\n", r.resource()));
    if let Some(a) = r.resource_account() {
        out.push_str(&format!("  resource account: {a}\n"));
    }
    let context = r.context();
    let keys: Vec<String> = context
        .iter()
        .filter(|(key, _)| !context.is_derived(key))
        .map(|(key, values)| {
            let list: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
            if values.is_multivalued() {
                format!("{key} = [{}]", list.join(", "))
            } else {
                format!("{key} = {}", list.join(", "))
            }
        })
        .collect();
    if keys.is_empty() {
        out.push_str("  context:   (none: every key the policies read is absent)\n");
    } else {
        for (i, k) in keys.iter().enumerate() {
            let label = if i == 0 {
                "  context:   "
            } else {
                "             "
            };
            out.push_str(&format!("{label}{k}\n"));
        }
    }
    out
}

fn principal_text(r: &Request) -> String {
    r.principal().to_string()
}

pub(crate) fn print_explanation(trace: &Trace) {
    println!("explanation:");
    for line in trace.to_string().lines() {
        if line.is_empty() {
            println!();
        } else {
            println!("  {line}");
        }
    }
}

pub(crate) fn print_case(c: &Counterexample, name: &str) {
    println!("as a test case:");
    println!("{}", c.to_test_case(name));
}

/// The `--format json` document.
fn json(verdict: &Verdict, expect: Expect) -> String {
    let stats = |s: &Stats| {
        serde_json::json!({
            "principal_cases": s.principal_cases,
            "conflicts": s.conflicts,
            "unconfirmed_models": s.unconfirmed,
            "milliseconds": s.elapsed.as_secs_f64() * 1000.0,
        })
    };
    let doc = match verdict {
        Verdict::Proved(s) => serde_json::json!({
            "verdict": "proved",
            "expect": expect.as_str(),
            "stats": stats(s),
        }),
        Verdict::Counterexample(c, s) => serde_json::json!({
            "verdict": "refuted",
            "expect": expect.as_str(),
            "counterexample": counterexample_json(c),
            "stats": stats(s),
        }),
        Verdict::Unknown(u, s) => serde_json::json!({
            "verdict": "unknown",
            "expect": expect.as_str(),
            "reason": u.message(),
            "stats": stats(s),
        }),
        _ => serde_json::json!({"verdict": "unknown"}),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// A counterexample as JSON: the request (as a test-file request), the decision with its
/// reason, and the explanation.
pub(crate) fn counterexample_json(c: &Counterexample) -> serde_json::Value {
    let case: serde_json::Value =
        serde_json::from_str(&c.to_test_case("counterexample")).unwrap_or_default();
    let mut doc = serde_json::json!({
        "request": case.get("request").cloned().unwrap_or_default(),
        "decision": c.decision().as_str(),
        "reason": c.reason().describe(),
        "trace": c.trace(),
    });
    if let (Some((d, r)), Some(map)) = (c.before(), doc.as_object_mut()) {
        map.insert(
            "before".into(),
            serde_json::json!({"decision": d.as_str(), "reason": r.describe()}),
        );
    }
    doc
}
