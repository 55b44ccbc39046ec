//! Findings as `check` and `test` report them, and the formats CI systems read: JSON,
//! SARIF 2.1.0, GitHub workflow commands and GitLab Code Quality. `docs/lints.md`
//! documents each format.

use iam_eval::{Diagnostic, Lint, Severity};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Codes of findings that are not lints: the command's own.
pub(crate) const INVALID_POLICY: &str = "invalid-policy";
pub(crate) const INVALID_FOR_KIND: &str = "invalid-for-kind";
pub(crate) const UNREADABLE_FILE: &str = "unreadable-file";
pub(crate) const TEST_FAILURE: &str = "test-failure";
pub(crate) const TEST_FILE_ERROR: &str = "test-file-error";
pub(crate) const UNRESOLVED_VALUE: &str = "unresolved-value";
pub(crate) const SKIPPED_RESOURCE: &str = "skipped-resource";

const DOCS: &str = "docs/lints.md";

/// One thing to report: a lint finding, a parse or validation error, a file that could
/// not be read, a failing test case.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// The file as named on the command line.
    pub(crate) file: String,
    /// 1-based; `None` for a problem with the whole file (it could not be read).
    pub(crate) line: Option<usize>,
    pub(crate) column: Option<usize>,
    pub(crate) severity: Severity,
    pub(crate) code: String,
    pub(crate) message: String,
    /// The JSON path of the value; empty for the document itself.
    pub(crate) path: String,
    pub(crate) help: Option<String>,
    /// For the text format: the position with its source line.
    pub(crate) diagnostic: Option<Diagnostic>,
    /// What suppressed it (`--allow`, or the config file that did), if anything.
    pub(crate) suppressed_by: Option<String>,
}

impl Item {
    pub(crate) fn from_diagnostic(
        file: &str,
        severity: Severity,
        code: &str,
        d: &Diagnostic,
    ) -> Item {
        Item {
            file: file.to_string(),
            line: Some(d.line()),
            column: Some(d.column()),
            severity,
            code: code.to_string(),
            message: d.message().to_string(),
            path: d.path().to_string(),
            help: d.help().map(str::to_string),
            diagnostic: Some(d.clone()),
            suppressed_by: None,
        }
    }

    pub(crate) fn whole_file(file: &str, code: &str, message: String) -> Item {
        Item {
            file: file.to_string(),
            line: None,
            column: None,
            severity: Severity::Error,
            code: code.to_string(),
            message,
            path: String::new(),
            help: None,
            diagnostic: None,
            suppressed_by: None,
        }
    }

    /// Whether this is a lint finding (rather than an error of the command's own).
    fn is_lint(&self) -> bool {
        Lint::from_code(&self.code).is_some()
    }

    /// The text format: the diagnostic rendering, with the lint's code for lint findings.
    pub(crate) fn render_text(&self) -> String {
        let mut out = match (&self.diagnostic, self.line, self.column) {
            (Some(d), _, _) => d.render_as(&self.file, self.severity.as_str()),
            // A place without its source line (a policy inside a plan or template).
            (None, Some(line), Some(column)) => {
                let mut out = format!(
                    "{}:{line}:{column}: {}: {}\n",
                    self.file, self.severity, self.message
                );
                let gutter = " ".repeat(line.to_string().len());
                if !self.path.is_empty() {
                    let _ = writeln!(out, "{gutter} = at: {}", self.path);
                }
                if let Some(help) = &self.help {
                    let _ = writeln!(out, "{gutter} = help: {help}");
                }
                out
            }
            (None, _, _) => {
                let mut out = format!("{}: {}: {}\n", self.file, self.severity, self.message);
                if !self.path.is_empty() {
                    let _ = writeln!(out, "  = at: {}", self.path);
                }
                if let Some(help) = &self.help {
                    let _ = writeln!(out, "  = help: {help}");
                }
                out
            }
        };
        if self.is_lint() {
            let gutter = " ".repeat(self.line.unwrap_or(1).to_string().len());
            let _ = writeln!(out, "{gutter} = lint: {}", self.code);
            if let Some(by) = &self.suppressed_by {
                let _ = writeln!(out, "{gutter} = suppressed by {by}");
            }
        }
        out
    }
}

/// A rule of the SARIF `tool.driver.rules` list: every lint and the command's own codes.
struct Rule {
    code: &'static str,
    summary: &'static str,
    url: Option<&'static str>,
    severity: Severity,
}

fn rules() -> Vec<Rule> {
    let mut rules: Vec<Rule> = Lint::ALL
        .iter()
        .map(|l| Rule {
            code: l.code(),
            summary: l.summary(),
            url: Some(l.url()),
            severity: l.severity(),
        })
        .collect();
    let own = [
        (INVALID_POLICY, "The document is not a policy AWS accepts: JSON syntax, unknown or misplaced elements, values of the wrong type."),
        (INVALID_FOR_KIND, "The policy breaks a rule of the kind it is checked as (`--kind`)."),
        (UNREADABLE_FILE, "The file could not be read."),
        (TEST_FAILURE, "A test case did not get the decision it expects."),
        (TEST_FILE_ERROR, "A test file could not be loaded."),
        (UNRESOLVED_VALUE, "A value in a policy inside a Terraform plan or CloudFormation template is not known before deployment, so the policy is not checked."),
        (SKIPPED_RESOURCE, "A resource in a plan or template holds a policy of a kind iam-eval does not read."),
    ];
    rules.extend(own.into_iter().map(|(code, summary)| Rule {
        code,
        summary,
        url: None,
        severity: Severity::Error,
    }));
    rules
}

/// Counts by severity of the items not suppressed.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub(crate) struct Counts {
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
    pub(crate) security: usize,
    pub(crate) suggestions: usize,
    pub(crate) suppressed: usize,
}

impl Counts {
    pub(crate) fn of(items: &[Item]) -> Counts {
        let mut c = Counts::default();
        for i in items {
            if i.suppressed_by.is_some() {
                c.suppressed += 1;
                continue;
            }
            match i.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Security => c.security += 1,
                Severity::Suggestion => c.suggestions += 1,
            }
        }
        c
    }

    /// `1 error, 2 warnings, 1 security finding, 0 suggestions (3 suppressed)`.
    pub(crate) fn sentence(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut s = [
            plural(self.errors, "error", "errors"),
            plural(self.warnings, "warning", "warnings"),
            plural(self.security, "security finding", "security findings"),
            plural(self.suggestions, "suggestion", "suggestions"),
        ]
        .join(", ");
        if self.suppressed > 0 {
            let _ = write!(s, " ({} suppressed)", self.suppressed);
        }
        s
    }
}

// ---------------------------------------------------------------------------------------
// JSON

#[derive(serde::Serialize)]
struct JsonItem<'a> {
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    severity: &'static str,
    code: &'a str,
    message: &'a str,
    path: &'a str,
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed_by: Option<&'a str>,
}

impl<'a> From<&'a Item> for JsonItem<'a> {
    fn from(i: &'a Item) -> Self {
        JsonItem {
            file: &i.file,
            line: i.line,
            column: i.column,
            severity: i.severity.as_str(),
            code: &i.code,
            message: &i.message,
            path: &i.path,
            help: i.help.as_deref(),
            suppressed_by: i.suppressed_by.as_deref(),
        }
    }
}

#[derive(serde::Serialize)]
struct JsonTool {
    name: &'static str,
    version: &'static str,
    service_reference: Option<&'static str>,
}

#[derive(serde::Serialize)]
struct JsonSummary {
    files: usize,
    #[serde(flatten)]
    counts: Counts,
}

#[derive(serde::Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: JsonTool,
    findings: Vec<JsonItem<'a>>,
    suppressed: Vec<JsonItem<'a>>,
    summary: JsonSummary,
}

/// The `--format json` document of `check`.
pub(crate) fn json(items: &[Item], files: usize) -> String {
    let (suppressed, shown): (Vec<&Item>, Vec<&Item>) =
        items.iter().partition(|i| i.suppressed_by.is_some());
    let doc = JsonReport {
        version: 1,
        tool: tool(),
        findings: shown.into_iter().map(JsonItem::from).collect(),
        suppressed: suppressed.into_iter().map(JsonItem::from).collect(),
        summary: JsonSummary {
            files,
            counts: Counts::of(items),
        },
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn tool() -> JsonTool {
    JsonTool {
        name: "iam-eval",
        version: env!("CARGO_PKG_VERSION"),
        service_reference: iam_eval::service_reference_version(),
    }
}

// ---------------------------------------------------------------------------------------
// Paths relative to the repository

/// Where relative paths in SARIF and GitLab reports start: the enclosing git repository's
/// root, else the current folder.
pub(crate) fn repository_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut dir = cwd.as_path();
    loop {
        if dir.join(".git").exists() {
            return dir.to_path_buf();
        }
        match dir.parent() {
            Some(parent) => dir = parent,
            None => return cwd,
        }
    }
}

/// `file` relative to `root`, with `/` separators; as given when it is outside `root`.
pub(crate) fn relative(file: &str, root: &Path) -> String {
    let path = Path::new(file);
    let absolute = path
        .canonicalize()
        .unwrap_or_else(|_| std::env::current_dir().unwrap_or_default().join(path));
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let shown = absolute
        .strip_prefix(&root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf());
    shown
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Percent-encodes a relative path for a URI reference, keeping `/`.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A stable fingerprint: FNV-1a over the code, file, JSON path and message, which do not
/// change when lines move.
fn fingerprint(i: &Item, file: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [i.code.as_str(), file, i.path.as_str(), i.message.as_str()] {
        for b in part.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

// ---------------------------------------------------------------------------------------
// SARIF 2.1.0

/// Sets `key` of a JSON object.
fn set(object: &mut serde_json::Value, key: &str, value: serde_json::Value) {
    if let Some(map) = object.as_object_mut() {
        map.insert(key.to_string(), value);
    }
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning | Severity::Security => "warning",
        Severity::Suggestion => "note",
    }
}

/// A SARIF 2.1.0 log with one run. Suppressed items are left out.
/// <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>
pub(crate) fn sarif(items: &[Item], root: &Path) -> String {
    use serde_json::{json, Value};
    let rules = rules();
    let rule_json: Vec<Value> = rules
        .iter()
        .map(|r| {
            let mut help = format!(
                "{}\n\nSee {DOCS}#{} for an example and the fix.",
                r.summary, r.code
            );
            if let Some(url) = r.url {
                let _ = write!(help, " AWS documentation: {url}");
            }
            let properties = if r.severity == Severity::Security {
                json!({"tags": ["security"], "security-severity": "7.0"})
            } else {
                json!({"tags": [r.severity.as_str()]})
            };
            let mut rule = json!({
                "id": r.code,
                "name": r.code,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": help},
                "defaultConfiguration": {"level": sarif_level(r.severity)},
                "properties": properties,
            });
            if let Some(url) = r.url {
                set(&mut rule, "helpUri", json!(url));
            }
            rule
        })
        .collect();
    let results: Vec<Value> = items
        .iter()
        .filter(|i| i.suppressed_by.is_none())
        .map(|i| {
            let file = relative(&i.file, root);
            let mut text = i.message.clone();
            if let Some(help) = &i.help {
                let _ = write!(text, "\nhelp: {help}");
            }
            let mut physical = json!({
                "artifactLocation": {"uri": uri(&file), "uriBaseId": "SRCROOT"},
            });
            if let (Some(line), Some(column)) = (i.line, i.column) {
                set(
                    &mut physical,
                    "region",
                    json!({"startLine": line, "startColumn": column}),
                );
            }
            let mut location = json!({ "physicalLocation": physical });
            if !i.path.is_empty() {
                set(
                    &mut location,
                    "logicalLocations",
                    json!([{"fullyQualifiedName": i.path, "kind": "element"}]),
                );
            }
            let mut result = json!({
                "ruleId": i.code,
                "level": sarif_level(i.severity),
                "message": {"text": text},
                "locations": [location],
                "partialFingerprints": {"iamEvalFinding/v1": fingerprint(i, &file)},
            });
            if let Some(index) = rules.iter().position(|r| r.code == i.code) {
                set(&mut result, "ruleIndex", json!(index));
            }
            result
        })
        .collect();
    let root_uri = format!(
        "file://{}/",
        uri(&root.to_string_lossy()).trim_end_matches('/')
    );
    let mut driver = json!({
        "name": "iam-eval",
        "version": env!("CARGO_PKG_VERSION"),
        "informationUri": "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies.html",
        "rules": rule_json,
    });
    if let Some(v) = iam_eval::service_reference_version() {
        set(&mut driver, "properties", json!({"serviceReference": v}));
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": {"SRCROOT": {"uri": root_uri}},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// GitHub workflow commands

/// Escapes the message of a workflow command.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn gh_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning | Severity::Security => "warning",
        Severity::Suggestion => "notice",
    }
}

/// One `::error file=…,line=…,col=…,title=…::message` line per item not suppressed.
/// <https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions>
pub(crate) fn github(items: &[Item]) -> String {
    let mut out = String::new();
    for i in items.iter().filter(|i| i.suppressed_by.is_none()) {
        let mut props = format!("file={}", gh_property(&i.file));
        if let (Some(line), Some(col)) = (i.line, i.column) {
            let _ = write!(props, ",line={line},col={col}");
        }
        let _ = write!(
            props,
            ",title={}",
            gh_property(&format!("iam-eval {} {}", i.severity, i.code))
        );
        let mut text = i.message.clone();
        if let Some(help) = &i.help {
            let _ = write!(text, "\nhelp: {help}");
        }
        let _ = writeln!(
            out,
            "::{} {props}::{}",
            gh_level(i.severity),
            gh_data(&text)
        );
    }
    out
}

/// GitHub shows only the first annotations of a step, so the whole list also goes to the
/// job summary as a Markdown table.
pub(crate) fn github_summary(title: &str, items: &[Item], counts: &Counts) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = format!("### {title}\n\n{}\n\n", counts.sentence());
    let shown: Vec<&Item> = items.iter().filter(|i| i.suppressed_by.is_none()).collect();
    if shown.is_empty() {
        return out;
    }
    out.push_str("| file | line | severity | code | message |\n| --- | ---: | --- | --- | --- |\n");
    for i in shown {
        let position = match (i.line, i.column) {
            (Some(l), Some(c)) => format!("{l}:{c}"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "| {} | {position} | {} | `{}` | {} |",
            cell(&i.file),
            i.severity,
            i.code,
            cell(&i.message)
        );
    }
    out
}

/// Appends the summary to `$GITHUB_STEP_SUMMARY` when that is set.
pub(crate) fn write_github_summary(title: &str, items: &[Item], counts: &Counts) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") else {
        return;
    };
    let text = github_summary(title, items, counts);
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    if let Err(e) = written {
        eprintln!(
            "warning: cannot write the job summary to `{}`: {e}",
            PathBuf::from(path).display()
        );
    }
}

// ---------------------------------------------------------------------------------------
// GitLab Code Quality

fn gitlab_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Security => "major",
        Severity::Warning => "minor",
        Severity::Suggestion => "info",
    }
}

/// A GitLab Code Quality report: a JSON array of issues.
/// <https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>
pub(crate) fn gitlab(items: &[Item], root: &Path) -> String {
    use serde_json::json;
    let mut seen = std::collections::HashMap::new();
    let issues: Vec<serde_json::Value> = items
        .iter()
        .filter(|i| i.suppressed_by.is_none())
        .map(|i| {
            let file = relative(&i.file, root);
            let base = fingerprint(i, &file);
            // Fingerprints must be unique in a report; a repeat gets its ordinal.
            let n = seen.entry(base.clone()).or_insert(0usize);
            *n += 1;
            let fp = if *n == 1 { base } else { format!("{base}-{n}") };
            let mut description = format!("{}: {}", i.code, i.message);
            if let Some(help) = &i.help {
                let _ = write!(description, " (help: {help})");
            }
            json!({
                "description": description,
                "check_name": i.code,
                "fingerprint": fp,
                "severity": gitlab_severity(i.severity),
                "location": {"path": file, "lines": {"begin": i.line.unwrap_or(1)}},
            })
        })
        .collect();
    serde_json::to_string_pretty(&issues).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_commands() {
        assert_eq!(gh_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(gh_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn encodes_uris() {
        assert_eq!(uri("dir/my policy.json"), "dir/my%20policy.json");
    }
}
