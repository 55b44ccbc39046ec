//! The `iam-eval` command: runs policy test files, decides single requests and checks
//! policy files. Each subcommand lives in its own module; this file only parses the
//! arguments and turns a command's outcome into the exit status.

mod check;
mod config;
mod diff;
mod eval;
mod extract;
mod limits;
mod output;
mod prove;
mod style;
mod test;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Decide AWS access requests offline, exactly as AWS does.
#[derive(Debug, Parser)]
#[command(name = "iam-eval", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run policy test files (`*.json` files with a `cases` array) and report failures.
    ///
    /// The format is described in docs/test-file-format.md.
    ///
    /// Exit status: 0 when every case passes, 1 when any fails or no case ran (unless
    /// --allow-empty), 2 when a file cannot be read or parsed.
    Test(test::Args),
    /// Decide one request against the given policies.
    ///
    /// Exit status: 0 for allow, 1 for an explicit or implicit deny, 2 for bad input.
    Eval(Box<eval::Args>),
    /// Check policy files: that they parse (and, with --kind, are valid as that kind),
    /// and what the lints find in them (docs/lints.md).
    ///
    /// Exit status: 0 when no file has errors (warnings do not count unless
    /// --deny-warnings), 1 when any has, 2 when a file cannot be read.
    Check(check::Args),
    /// Prove that every request of a shape gets a decision, or show one that does not.
    ///
    /// The shape is the callers (--principal, --principal-account, --any-principal), the
    /// actions and resources (patterns) and a condition block on the context (--where).
    /// A counterexample is confirmed by evaluate and printed as a test case.
    ///
    /// Exit status: 0 when proved, 1 for a counterexample, 2 for bad input, 3 when the
    /// answer is unknown (a budget ran out, or a construct outside what the analysis
    /// decides exactly).
    Prove(Box<prove::Args>),
    /// List what the new policy allows that the old one does not, one request each.
    ///
    /// Exit status: 0 when nothing new is allowed, 1 when something is, 2 for bad input,
    /// 3 when the search could not finish and found nothing.
    Diff(Box<diff::Args>),
    /// List the policies inside Terraform plans and CloudFormation or CDK templates, with
    /// every value that could not be resolved; `--write DIR` writes them as policy files.
    ///
    /// Exit status: 0 when every policy is complete, 1 when any has unresolved values or
    /// problems (or a resource was skipped), 2 when a file cannot be read.
    Extract(extract::Args),
}

/// How a command ended, mapped to the exit status every command shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Everything passed / allowed / valid.
    Ok,
    /// A case failed, the request was denied, or a policy is invalid.
    Failed,
    /// Input could not be read or understood.
    BadInput,
    /// No answer could be given.
    Unknown,
}

impl Status {
    fn code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Failed => 1,
            Status::BadInput => 2,
            Status::Unknown => 3,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Test(args) => test::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Extract(args) => extract::run(&args),
        Command::Prove(args) => prove::run(&args),
        Command::Diff(args) => diff::run(&args),
    };
    ExitCode::from(status.code())
}
