//! `iam-eval test`: runs policy test files and reports every failing case.

use crate::limits::LimitArgs;
use crate::output::{self, Item};
use crate::Status;
use iam_eval::{
    CaseResult, PropertyOutcome, PropertyResult, RunOptions, TestFile, TestFileError, TestReport,
    Trace,
};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Arguments of `iam-eval test`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Test files, or folders searched recursively for test files.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Run only the cases whose name contains TEXT.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Fail cases with warnings (a context key no policy reads, a context value not of
    /// its key's type), and the run when a policy has one (a variable that is literal
    /// text, whitespace kept in a value).
    #[arg(long)]
    deny_warnings: bool,
    /// Print the whole explanation of each failing case's decision, as `eval --explain`
    /// does.
    #[arg(long)]
    explain: bool,
    /// Exit 0 when no case runs (no test files under a path, or a --filter that matches
    /// nothing); by default that is a failure, so CI pointed at the wrong path goes red.
    #[arg(long)]
    allow_empty: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Failing cases and a summary line, for people.
    Text,
    /// JUnit XML, for CI systems.
    Junit,
    /// JSON, one entry per case.
    Json,
    /// SARIF 2.1.0: failing cases and load errors as results at their position.
    Sarif,
    /// GitHub Actions workflow commands, and a summary table in `$GITHUB_STEP_SUMMARY`.
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
}

/// What one test file gave: its results, or why it could not be loaded.
enum FileOutcome {
    Ran { file: String, report: TestReport },
    Broken(TestFileError),
}

pub(crate) fn run(args: &Args) -> Status {
    let filter = args.filter.as_deref();
    let limits = args.limits.limits();
    let options = RunOptions::default()
        .filter(filter)
        .deny_warnings(args.deny_warnings)
        .explain(args.explain);
    let mut outcomes = Vec::new();
    let mut any_file = false;
    let mut empty = false;
    // Broken policy files already shown in full, which other test files may name too.
    let mut shown: Vec<String> = Vec::new();
    // Policy warnings already printed: a policy file named by several test files is
    // warned about once.
    let mut warned: std::collections::HashSet<String> = std::collections::HashSet::new();
    // Each path is discovered on its own so one missing path does not stop the others.
    for path in &args.paths {
        match TestFile::discover(std::slice::from_ref(path)) {
            Ok(files) => {
                if files.is_empty() {
                    empty = true;
                    nothing_ran(
                        args.allow_empty,
                        &format!("no test files under `{}`", path.display()),
                        "a test file is a `.json` file whose top level has a `cases` array",
                    );
                }
                for file in files {
                    any_file = true;
                    let outcome = match TestFile::load_with_limits(&file, &limits) {
                        Ok(loaded) => {
                            // On standard error in every format, like load errors, so
                            // they reach CI logs.
                            for w in loaded.policy_warnings() {
                                let text = w.render();
                                if warned.insert(text.clone()) {
                                    eprintln!("{text}");
                                }
                            }
                            FileOutcome::Ran {
                                file: loaded.name().to_string(),
                                report: loaded.run_with(options),
                            }
                        }
                        Err(e) => FileOutcome::Broken(e),
                    };
                    report(&outcome, args.format, &mut shown);
                    outcomes.push(outcome);
                }
            }
            Err(e) => {
                let outcome = FileOutcome::Broken(e);
                report(&outcome, args.format, &mut shown);
                outcomes.push(outcome);
            }
        }
    }

    let mut total = TestReport::default();
    let mut broken = 0usize;
    for o in &outcomes {
        match o {
            FileOutcome::Ran { report, .. } => total.extend(report.clone()),
            FileOutcome::Broken(_) => broken += 1,
        }
    }
    if any_file && broken == 0 && total.total() == 0 {
        empty = true;
        match filter {
            Some(f) => nothing_ran(
                args.allow_empty,
                &format!("no case name contains `{f}`"),
                "`--filter` runs the cases whose name contains the text, compared case-sensitively",
            ),
            None => nothing_ran(
                args.allow_empty,
                "the test files hold no cases",
                "add cases to their `cases` arrays",
            ),
        }
    }
    match args.format {
        Format::Text => {
            if broken > 0 {
                eprintln!(
                    "error: {broken} {} could not be loaded",
                    if broken == 1 { "file" } else { "files" }
                );
            }
            println!("{}", total.summary());
        }
        Format::Junit => {
            print!("{}", junit(&outcomes));
            eprintln!("{}", total.summary());
        }
        Format::Json => {
            println!("{}", json(&outcomes, &total));
            eprintln!("{}", total.summary());
        }
        Format::Sarif | Format::Github | Format::Gitlab => {
            let items = findings(&outcomes);
            let root = output::repository_root();
            match args.format {
                Format::Sarif => println!("{}", output::sarif(&items, &root)),
                Format::Gitlab => println!("{}", output::gitlab(&items, &root)),
                _ => {
                    print!("{}", output::github(&items));
                    let counts = output::Counts::of(&items);
                    output::write_github_summary("iam-eval test", &items, &counts);
                }
            }
            eprintln!("{}", total.summary());
        }
    }
    let denied_warnings = args.deny_warnings && !warned.is_empty();
    if denied_warnings {
        eprintln!(
            "error: {} policy {} (--deny-warnings)",
            warned.len(),
            if warned.len() == 1 {
                "warning"
            } else {
                "warnings"
            }
        );
    }
    if broken > 0 {
        Status::BadInput
    } else if total.failed() > 0 || denied_warnings || (empty && !args.allow_empty) {
        Status::Failed
    } else {
        Status::Ok
    }
}

/// Reports a run in which some path or filter gave nothing to run: an error unless
/// `--allow-empty` was given, since a green run on nothing usually means a wrong path.
fn nothing_ran(allowed: bool, message: &str, help: &str) {
    if allowed {
        eprintln!("warning: {message}");
    } else {
        eprintln!(
            "error: {message}\n  help: {help}; pass `--allow-empty` to accept a run without cases"
        );
    }
}

/// Prints a file's failures (text format only) and load errors (always, on stderr, so
/// they reach CI logs whatever the format) as soon as the file has run.
fn report(outcome: &FileOutcome, format: Format, shown: &mut Vec<String>) {
    match outcome {
        FileOutcome::Ran { .. } if format != Format::Text => {}
        FileOutcome::Ran { report, .. } => {
            for failure in report.failures() {
                // CaseResult's Display ends with a newline; the extra one separates blocks.
                println!("{failure}");
            }
            for failure in report.property_failures() {
                println!("{failure}");
            }
            // A passing case's warnings (a failing case prints them in its block).
            for r in report.results.iter().filter(|r| r.passed()) {
                for w in &r.warnings {
                    eprintln!("warning: {}: {}: {w}", r.file, r.name);
                }
            }
        }
        FileOutcome::Broken(e) => match e.referenced_by() {
            // A broken policy file named by several test files (as the same kind: its
            // problems can depend on the kind) is shown once in full.
            Some(r) if shown.contains(&format!("{} {}", r.kind(), e.file())) => eprintln!(
                "{}:{}:{}: error: `{}` names `{}`, which is broken (shown above)\n",
                r.file(),
                r.line(),
                r.column(),
                r.entry(),
                e.file()
            ),
            Some(r) => {
                shown.push(format!("{} {}", r.kind(), e.file()));
                eprintln!("{e}\n");
            }
            None => eprintln!("{e}\n"),
        },
    }
}

// ---------------------------------------------------------------------------------------
// JUnit XML

/// Escapes text for XML content and attribute values. Characters XML 1.0 cannot hold
/// at all (most control characters) become U+FFFD.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn failure_message(r: &CaseResult) -> String {
    if r.expected != r.actual {
        format!("expected {}, got {}", r.expected, r.actual)
    } else {
        format!(
            "{} as expected, but not decided by {}",
            r.actual,
            r.missing_determining.join(", ")
        )
    }
}

/// A failing property in one line.
fn property_message(p: &PropertyResult) -> String {
    match &p.outcome {
        PropertyOutcome::Refuted { decision, .. } => format!(
            "not every request of the shape is {}: a counterexample gets {decision}",
            p.expect.describe()
        ),
        PropertyOutcome::Unknown(why) => format!("unknown: {why}"),
        _ => "proved".into(),
    }
}

fn junit(outcomes: &[FileOutcome]) -> String {
    let (mut tests, mut failures, mut errors) = (0usize, 0usize, 0usize);
    let mut suites = String::new();
    for o in outcomes {
        match o {
            FileOutcome::Ran { file, report } => {
                let (t, f) = (report.total(), report.failed());
                tests += t;
                failures += f;
                let name = xml_escape(file);
                let _ = writeln!(
                    suites,
                    "  <testsuite name=\"{name}\" tests=\"{t}\" failures=\"{f}\" errors=\"0\" skipped=\"0\">"
                );
                for r in &report.results {
                    let case = xml_escape(&r.name);
                    let line = r.position.line;
                    if r.passed() {
                        let _ = writeln!(
                            suites,
                            "    <testcase name=\"{case}\" classname=\"{name}\" file=\"{name}\" line=\"{line}\"/>"
                        );
                    } else {
                        let _ = writeln!(
                            suites,
                            "    <testcase name=\"{case}\" classname=\"{name}\" file=\"{name}\" line=\"{line}\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                            xml_escape(&failure_message(r)),
                            if r.expected == r.actual { "determining" } else { "decision" },
                            xml_escape(&r.to_string()),
                        );
                    }
                }
                for p in &report.properties {
                    let case = xml_escape(&format!("property: {}", p.name));
                    let line = p.position.line;
                    if p.passed() {
                        let _ = writeln!(
                            suites,
                            "    <testcase name=\"{case}\" classname=\"{name}\" file=\"{name}\" line=\"{line}\"/>"
                        );
                    } else {
                        let _ = writeln!(
                            suites,
                            "    <testcase name=\"{case}\" classname=\"{name}\" file=\"{name}\" line=\"{line}\">\n      <failure message=\"{}\" type=\"property\">{}</failure>\n    </testcase>",
                            xml_escape(&property_message(p)),
                            xml_escape(&p.to_string()),
                        );
                    }
                }
                suites.push_str("  </testsuite>\n");
            }
            FileOutcome::Broken(e) => {
                tests += 1;
                errors += 1;
                let name = xml_escape(e.file());
                let _ = writeln!(
                    suites,
                    "  <testsuite name=\"{name}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase name=\"load\" classname=\"{name}\">\n      <error message=\"{}\" type=\"load\">{}</error>\n    </testcase>\n  </testsuite>",
                    xml_escape(e.message()),
                    xml_escape(&e.to_string()),
                );
            }
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"iam-eval\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n{suites}</testsuites>\n"
    )
}

// ---------------------------------------------------------------------------------------
// Findings for SARIF, GitHub and GitLab

/// Failing cases and files that could not be loaded, each at its position.
fn findings(outcomes: &[FileOutcome]) -> Vec<Item> {
    let mut items = Vec::new();
    for o in outcomes {
        match o {
            FileOutcome::Ran { file, report } => {
                for p in report.property_failures() {
                    let mut item = Item::whole_file(
                        file,
                        output::TEST_FAILURE,
                        format!("property `{}`: {}", p.name, property_message(p)),
                    );
                    item.line = Some(p.position.line);
                    item.column = Some(p.position.column);
                    item.help = p.why.clone();
                    items.push(item);
                }
                for r in report.failures() {
                    let mut item = Item::whole_file(
                        file,
                        output::TEST_FAILURE,
                        format!("case `{}`: {}", r.name, failure_message(r)),
                    );
                    item.line = Some(r.position.line);
                    item.column = Some(r.position.column);
                    item.help = r.why.clone();
                    items.push(item);
                }
            }
            FileOutcome::Broken(e) => {
                let mut item =
                    Item::whole_file(e.file(), output::TEST_FILE_ERROR, e.message().to_string());
                item.line = e.line();
                item.column = e.column();
                item.help = e.detail().map(str::to_string);
                items.push(item);
            }
        }
    }
    items
}

// ---------------------------------------------------------------------------------------
// JSON

/// One case in the `--format json` document.
#[derive(serde::Serialize)]
struct CaseJson<'r> {
    file: &'r str,
    name: &'r str,
    expected: &'static str,
    actual: &'static str,
    passed: bool,
    determining: &'r [String],
    missing_determining: &'r [String],
    why: Option<&'r str>,
    reason: &'r str,
    problems: &'r [String],
    warnings: &'r [String],
    /// With `--explain`, the explanation of a failing case.
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<&'r Trace>,
}

impl<'r> From<&'r CaseResult> for CaseJson<'r> {
    fn from(r: &'r CaseResult) -> Self {
        CaseJson {
            file: &r.file,
            name: &r.name,
            expected: r.expected.as_str(),
            actual: r.actual.as_str(),
            passed: r.passed(),
            determining: &r.determining,
            missing_determining: &r.missing_determining,
            why: r.why.as_deref(),
            reason: &r.reason,
            problems: &r.problems,
            warnings: &r.warnings,
            trace: r.trace.as_ref(),
        }
    }
}

/// A file that could not be loaded, in the `--format json` document.
#[derive(serde::Serialize)]
struct ErrorJson<'e> {
    file: &'e str,
    /// `None` when the file could not be read at all.
    line: Option<usize>,
    column: Option<usize>,
    message: &'e str,
    detail: Option<&'e str>,
    /// For a broken policy file, the test file's entry that names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    referenced_by: Option<ReferenceJson<'e>>,
    /// The error as the text output prints it.
    rendered: String,
}

/// Where a test file names a broken policy file.
#[derive(serde::Serialize)]
struct ReferenceJson<'e> {
    file: &'e str,
    line: usize,
    column: usize,
    entry: &'e str,
}

impl<'e> From<&'e TestFileError> for ErrorJson<'e> {
    fn from(e: &'e TestFileError) -> Self {
        ErrorJson {
            file: e.file(),
            line: e.line(),
            column: e.column(),
            message: e.message(),
            detail: e.detail(),
            referenced_by: e.referenced_by().map(|r| ReferenceJson {
                file: r.file(),
                line: r.line(),
                column: r.column(),
                entry: r.entry(),
            }),
            rendered: e.to_string(),
        }
    }
}

/// One property in the `--format json` document.
#[derive(serde::Serialize)]
struct PropertyJson<'r> {
    file: &'r str,
    name: &'r str,
    expect: &'static str,
    passed: bool,
    /// `proved`, `refuted` or `unknown`.
    outcome: &'static str,
    why: Option<&'r str>,
    /// For `refuted`: the counterexample as a test-file case.
    #[serde(skip_serializing_if = "Option::is_none")]
    counterexample: Option<serde_json::Value>,
    /// For `unknown`: the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'r str>,
}

impl<'r> From<&'r PropertyResult> for PropertyJson<'r> {
    fn from(p: &'r PropertyResult) -> Self {
        let (outcome, counterexample, reason) = match &p.outcome {
            PropertyOutcome::Refuted { case, .. } => {
                ("refuted", serde_json::from_str(case).ok(), None)
            }
            PropertyOutcome::Unknown(why) => ("unknown", None, Some(why.as_str())),
            _ => ("proved", None, None),
        };
        PropertyJson {
            file: &p.file,
            name: &p.name,
            expect: p.expect.as_str(),
            passed: p.passed(),
            outcome,
            why: p.why.as_deref(),
            counterexample,
            reason,
        }
    }
}

/// The `--format json` document.
#[derive(serde::Serialize)]
struct ReportJson<'a> {
    passed: usize,
    failed: usize,
    errors: Vec<ErrorJson<'a>>,
    results: Vec<CaseJson<'a>>,
    properties: Vec<PropertyJson<'a>>,
}

fn json(outcomes: &[FileOutcome], total: &TestReport) -> String {
    let mut doc = ReportJson {
        passed: total.passed(),
        failed: total.failed(),
        errors: Vec::new(),
        results: Vec::new(),
        properties: Vec::new(),
    };
    for o in outcomes {
        match o {
            FileOutcome::Ran { report, .. } => {
                doc.results
                    .extend(report.results.iter().map(CaseJson::from));
                doc.properties
                    .extend(report.properties.iter().map(PropertyJson::from));
            }
            FileOutcome::Broken(e) => doc.errors.push(ErrorJson::from(e)),
        }
    }
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_xml() {
        assert_eq!(
            xml_escape("a<b>&\"c\"'\n\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;&#10;\u{FFFD}"
        );
    }
}
