//! `iam-eval check`: validates policy files and prints every problem with its position.

use crate::Status;
use iam_eval::{Limits, Policy, PolicyKind};
use std::path::PathBuf;

/// Arguments of `iam-eval check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Policy files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Also check the rules of this kind of policy (`Principal` required in resource
    /// policies and RCPs and forbidden elsewhere, `Resource` required except in resource
    /// policies).
    #[arg(long, value_parser = kind_parser())]
    kind: Option<PolicyKind>,
    /// The largest policy accepted, in bytes.
    #[arg(long, value_name = "N")]
    max_bytes: Option<usize>,
}

/// The kinds by their names in the test-file format, listed in `--help`.
fn kind_parser() -> impl clap::builder::TypedValueParser<Value = PolicyKind> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(PolicyKind::ALL.map(PolicyKind::as_str))
        .try_map(|s: String| s.parse::<PolicyKind>())
}

pub(crate) fn run(args: &Args) -> Status {
    let mut limits = Limits::default();
    if let Some(n) = args.max_bytes {
        limits = limits.with_max_policy_bytes(n);
    }
    let (mut unreadable, mut invalid) = (false, false);
    for file in &args.files {
        let name = file.display().to_string();
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{name}: error: cannot read the file: {e}");
                unreadable = true;
                continue;
            }
        };
        let checked = match Policy::parse_bytes(&bytes, &limits) {
            Err(e) => Err(e.render(&name)),
            Ok(policy) => match args.kind.map(|kind| policy.validate(kind)) {
                Some(Err(e)) => Err(e.render(&name)),
                Some(Ok(())) | None => Ok(()),
            },
        };
        match checked {
            Ok(()) => println!("{name}: ok"),
            Err(rendered) => {
                eprintln!("{rendered}");
                invalid = true;
            }
        }
    }
    if unreadable {
        Status::BadInput
    } else if invalid {
        Status::Failed
    } else {
        Status::Ok
    }
}
