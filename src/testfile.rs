//! Policy test files: the policies in force and requests with the decision each must
//! get. The format is specified in `spec/test-file-format.md` (v1); the CLI's
//! `iam-eval test` and the crate's own tests run files through this module.
//!
//! ```
//! use iam_eval::testfile::TestFile;
//!
//! let file = TestFile::parse(r#"{
//!   "policies": [{"kind": "identity", "document": {"Version": "2012-10-17",
//!     "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
//!   "cases": [{"name": "read", "expect": "allow", "request": {
//!     "principal": "arn:aws:iam::111122223333:user/alice",
//!     "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key"}}]
//! }"#, "inline.json", None).unwrap();
//! let report = file.run();
//! assert_eq!((report.passed(), report.failed()), (1, 0));
//! ```

use crate::policy::json::{self, Json, JsonKind, LineIndex};
use crate::{Decision, Limits, Policy, PolicyKind, PolicySet, Principal, Request, RequestBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A test file could not be read, parsed or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TestFileError {
    file: String,
    line: usize,
    column: usize,
    message: String,
    detail: Option<String>,
}

impl TestFileError {
    fn at(file: &str, line: usize, column: usize, message: String) -> Self {
        TestFileError {
            file: file.to_string(),
            line,
            column,
            message,
            detail: None,
        }
    }
    /// The file at fault.
    pub fn file(&self) -> &str {
        &self.file
    }
    /// 1-based line of the problem (0 when the file could not be read).
    pub fn line(&self) -> usize {
        self.line
    }
    /// 1-based column of the problem (0 when the file could not be read).
    pub fn column(&self) -> usize {
        self.column
    }
    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The rendered diagnostics of a policy in the file, if that is what failed.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl fmt::Display for TestFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: error: {}",
                self.file, self.line, self.column, self.message
            )?;
        } else {
            write!(f, "{}: error: {}", self.file, self.message)?;
        }
        if let Some(d) = &self.detail {
            write!(f, "\n{}", d.trim_end())?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    source: Option<String>,
    policies: Vec<RawPolicy>,
    cases: Vec<RawCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    kind: String,
    #[serde(default)]
    document: Option<serde_json::Value>,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    account: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    request: RequestSpec,
    expect: Decision,
    #[serde(default)]
    determining: Option<Vec<String>>,
    #[serde(default)]
    why: Option<String>,
}

/// A request in the test-file format; also what `iam-eval eval --request` reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    principal: RawPrincipal,
    action: String,
    resource: String,
    #[serde(default)]
    resource_account: Option<String>,
    #[serde(default)]
    context: BTreeMap<String, RawValue>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawPrincipal {
    Arn(String),
    Other(BTreeMap<String, String>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawValue {
    One(Scalar),
    Many(Vec<Scalar>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Bool(bool),
    Number(serde_json::Number),
    String(String),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Bool(b) => b.to_string(),
            Scalar::Number(n) => n.to_string(),
            Scalar::String(s) => s.clone(),
        }
    }
}

impl RequestSpec {
    /// Reads a request object (`principal`, `action`, `resource`, `resource_account`,
    /// `context`).
    ///
    /// # Errors
    /// A message with the line and column of the problem.
    pub fn from_json(src: &str) -> Result<RequestSpec, String> {
        serde_json::from_str(src).map_err(|e| format!("{}:{}: {e}", e.line(), e.column()))
    }

    /// Builds the request.
    ///
    /// # Errors
    /// A message when the principal, action or a context key is not valid.
    pub fn build(&self, builder: &mut RequestBuilder) -> Result<Request, String> {
        match &self.principal {
            RawPrincipal::Arn(arn) => {
                builder.principal(arn);
            }
            RawPrincipal::Other(map) => {
                let mut it = map.iter();
                let principal = match (it.next(), it.next()) {
                    (Some((k, v)), None) => match k.as_str() {
                        "Service" => Principal::service(v),
                        "Federated" => Principal::web_identity(v),
                        "CanonicalUser" => Principal::canonical_user(v),
                        "AWS" => Principal::parse(v).map_err(|e| e.to_string())?,
                        other => return Err(format!("unknown principal type `{other}`; expected `Service`, `Federated` or `CanonicalUser`")),
                    },
                    _ => return Err("a principal object names exactly one of `Service`, `Federated`, `CanonicalUser`".into()),
                };
                builder.principal_value(principal);
            }
        }
        builder.action(&self.action).resource(&self.resource);
        if let Some(a) = &self.resource_account {
            builder.resource_account(a);
        }
        let mut seen: Vec<String> = Vec::new();
        for (key, value) in &self.context {
            let lower = key.to_lowercase();
            if seen.contains(&lower) {
                return Err(format!(
                    "the context sets `{key}` twice (keys are not case-sensitive)"
                ));
            }
            seen.push(lower);
            match value {
                RawValue::One(s) => builder.context(key, s.text()),
                RawValue::Many(list) => {
                    builder.context(key, list.iter().map(Scalar::text).collect::<Vec<_>>())
                }
            };
        }
        builder.build().map_err(|e| match e.help() {
            Some(h) => format!("{e} ({h})"),
            None => e.to_string(),
        })
    }
}

/// One case of a test file.
#[derive(Debug, Clone)]
pub struct TestCase {
    name: String,
    why: Option<String>,
    expect: Decision,
    determining: Vec<String>,
    request: Request,
}

impl TestCase {
    /// The case's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The rule the case pins, if given.
    pub fn why(&self) -> Option<&str> {
        self.why.as_deref()
    }
    /// The expected decision.
    pub fn expect(&self) -> Decision {
        self.expect
    }
    /// The request.
    pub fn request(&self) -> &Request {
        &self.request
    }
}

/// A loaded test file: its policies compiled into a set, and its cases.
#[derive(Debug, Clone)]
pub struct TestFile {
    name: String,
    description: Option<String>,
    source: Option<String>,
    set: PolicySet,
    /// For each policy: its Sids by statement index.
    sids: Vec<Vec<Option<String>>>,
    cases: Vec<TestCase>,
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// The file.
    pub file: String,
    /// The case name.
    pub name: String,
    /// The rule the case pins.
    pub why: Option<String>,
    /// The expected decision.
    pub expected: Decision,
    /// The decision made.
    pub actual: Decision,
    /// The reason for the decision, in words.
    pub reason: String,
    /// The statements that decided, as `policy-index#Sid` or `policy-index#statement-index`.
    pub determining: Vec<String>,
    /// Entries of the case's `determining` that were not among the deciding statements.
    pub missing_determining: Vec<String>,
    /// Problems the evaluator reported.
    pub problems: Vec<String>,
}

impl CaseResult {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.expected == self.actual && self.missing_determining.is_empty()
    }
}

impl fmt::Display for CaseResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "FAIL {}: {}", self.file, self.name)?;
        if let Some(why) = &self.why {
            writeln!(f, "  why:      {why}")?;
        }
        writeln!(f, "  expected: {}", self.expected)?;
        writeln!(f, "  actual:   {} ({})", self.actual, self.reason)?;
        let decided = if self.determining.is_empty() {
            "(none)".to_string()
        } else {
            self.determining.join(", ")
        };
        writeln!(f, "  decided by: {decided}")?;
        if !self.missing_determining.is_empty() {
            writeln!(
                f,
                "  expected among the deciding statements: {}",
                self.missing_determining.join(", ")
            )?;
        }
        for p in &self.problems {
            writeln!(f, "  problem: {p}")?;
        }
        Ok(())
    }
}

/// The results of running test files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestReport {
    /// Every case's result, in file order.
    pub results: Vec<CaseResult>,
}

impl TestReport {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }
    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }
    /// The failures.
    pub fn failures(&self) -> impl Iterator<Item = &CaseResult> {
        self.results.iter().filter(|r| !r.passed())
    }
    /// Adds another report's results.
    pub fn extend(&mut self, other: TestReport) {
        self.results.extend(other.results);
    }
    /// The summary line, `N passed, M failed`.
    pub fn summary(&self) -> String {
        format!("{} passed, {} failed", self.passed(), self.failed())
    }
}

impl fmt::Display for TestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in self.failures() {
            writeln!(f, "{r}")?;
        }
        writeln!(f, "{}", self.summary())
    }
}

impl TestFile {
    /// Reads and loads a test file; policy `file` entries are read relative to its folder.
    ///
    /// # Errors
    /// A [`TestFileError`] with the file, line and column of the problem.
    pub fn load(path: &Path) -> Result<TestFile, TestFileError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|e| TestFileError::at(&name, 0, 0, format!("cannot read the file: {e}")))?;
        let src = String::from_utf8(bytes).map_err(|e| {
            TestFileError::at(
                &name,
                0,
                0,
                format!(
                    "the file is not UTF-8 (byte {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        TestFile::parse(&src, &name, path.parent())
    }

    /// Loads a test file from text. `dir` is the folder `file` entries are relative to.
    ///
    /// # Errors
    /// A [`TestFileError`] with the file, line and column of the problem.
    pub fn parse(src: &str, name: &str, dir: Option<&Path>) -> Result<TestFile, TestFileError> {
        let index = LineIndex::new(src);
        let at = |offset: usize, message: String| {
            let (line, column) = index.line_col(src, offset);
            TestFileError::at(name, line, column, message)
        };
        let tree = json::parse(src, 64).map_err(|e| at(e.offset, e.message))?;
        let raw: RawFile = serde_json::from_str(src)
            .map_err(|e| TestFileError::at(name, e.line(), e.column(), e.to_string()))?;
        let policies_json = member(&tree, "policies").and_then(array);
        let cases_json = member(&tree, "cases").and_then(array);
        let mut builder = PolicySet::builder();
        let mut sids = Vec::new();
        for (i, p) in raw.policies.iter().enumerate() {
            let pos = policies_json.and_then(|a| a.get(i));
            let pos_offset = pos.map_or(0, |j| j.span.start);
            let kind: PolicyKind = p
                .kind
                .parse()
                .map_err(|e: crate::policy::UnknownKindError| at(pos_offset, e.to_string()))?;
            let (text, file_name, base) = match (&p.document, &p.file) {
                (Some(_), None) => {
                    let doc = pos.and_then(|j| member(j, "document"));
                    let span = doc
                        .map(|d| d.span)
                        .ok_or_else(|| at(pos_offset, "the `document` cannot be located".into()))?;
                    let text = src.get(span.start..span.end).unwrap_or("").to_string();
                    (text, name.to_string(), Some(span.start))
                }
                (None, Some(f)) => {
                    let path = dir.map_or_else(|| PathBuf::from(f), |d| d.join(f));
                    let text = std::fs::read_to_string(&path).map_err(|e| {
                        at(
                            pos_offset,
                            format!("cannot read the policy file `{}`: {e}", path.display()),
                        )
                    })?;
                    (text, path.display().to_string(), None)
                }
                _ => {
                    return Err(at(
                        pos_offset,
                        format!("policies[{i}] needs exactly one of `document` and `file`"),
                    ))
                }
            };
            let policy = Policy::parse_with_limits(&text, &Limits::default()).map_err(|e| {
                let shift = |line: usize, column: usize| match base {
                    Some(offset) => {
                        let (l0, c0) = index.line_col(src, offset);
                        if line == 1 {
                            (l0, c0 + column - 1)
                        } else {
                            (l0 + line - 1, column)
                        }
                    }
                    None => (line, column),
                };
                let first = e.diagnostics().first();
                let (line, column) = first.map_or((0, 0), |d| shift(d.line(), d.column()));
                let mut err = TestFileError::at(
                    &file_name,
                    line,
                    column,
                    format!(
                        "policies[{i}]: {}",
                        first.map_or("invalid policy", |d| d.message())
                    ),
                );
                let detail: Vec<String> = e
                    .diagnostics()
                    .iter()
                    .map(|d| {
                        let (l, c) = shift(d.line(), d.column());
                        let mut s = format!("{file_name}:{l}:{c}: error: {}", d.message());
                        if !d.path().is_empty() {
                            s.push_str(&format!(" (at `{}`)", d.path()));
                        }
                        if let Some(h) = d.help() {
                            s.push_str(&format!("\n  help: {h}"));
                        }
                        s
                    })
                    .collect();
                err.detail = Some(detail.join("\n"));
                err
            })?;
            sids.push(
                policy
                    .statements()
                    .iter()
                    .map(|s| s.sid().map(str::to_string))
                    .collect(),
            );
            match &p.account {
                Some(a) => builder.add_owned(kind, i.to_string(), policy, a),
                None => builder.add(kind, i.to_string(), policy),
            };
        }
        let set = builder.build().map_err(|e| {
            let i: usize = e.policy_id().parse().unwrap_or(0);
            let offset = policies_json
                .and_then(|a| a.get(i))
                .map_or(0, |j| j.span.start);
            let mut err = at(offset, format!("policies[{i}]: {}", e.message()));
            let detail: Vec<String> = e.diagnostics().iter().map(|d| d.to_string()).collect();
            if !detail.is_empty() {
                err.detail = Some(detail.join("\n"));
            }
            err
        })?;
        let mut cases = Vec::with_capacity(raw.cases.len());
        let mut builder = Request::builder();
        for (i, c) in raw.cases.into_iter().enumerate() {
            let offset = cases_json
                .and_then(|a| a.get(i))
                .map_or(0, |j| j.span.start);
            let request = c
                .request
                .build(&mut builder)
                .map_err(|m| at(offset, format!("cases[{i}] `{}`: {m}", c.name)))?;
            cases.push(TestCase {
                name: c.name,
                why: c.why,
                expect: c.expect,
                determining: c.determining.unwrap_or_default(),
                request,
            });
        }
        Ok(TestFile {
            name: name.to_string(),
            description: raw.description,
            source: raw.source,
            set,
            sids,
            cases,
        })
    }

    /// The file name it was loaded as.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The `description`, if any.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    /// The `source` URL, if any.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }
    /// The compiled policies.
    pub fn policy_set(&self) -> &PolicySet {
        &self.set
    }
    /// The cases.
    pub fn cases(&self) -> &[TestCase] {
        &self.cases
    }

    /// Runs every case (or those whose name contains `filter`).
    pub fn run_filtered(&self, filter: Option<&str>) -> TestReport {
        let mut report = TestReport::default();
        for case in self
            .cases
            .iter()
            .filter(|c| filter.is_none_or(|f| c.name.contains(f)))
        {
            let response = self.set.evaluate(&case.request);
            let labels: Vec<(String, String, Option<String>)> = response
                .determining()
                .map(|s| {
                    let sid = self
                        .sids
                        .get(s.policy_index())
                        .and_then(|v| v.get(s.index()))
                        .cloned()
                        .flatten();
                    let label = match &sid {
                        Some(sid) => format!("{}#{sid}", s.policy_index()),
                        None => format!("{}#{}", s.policy_index(), s.index()),
                    };
                    (label, format!("{}#{}", s.policy_index(), s.index()), sid)
                })
                .collect();
            let missing = case
                .determining
                .iter()
                .filter(|want| {
                    !labels.iter().any(|(label, by_index, sid)| {
                        sid.as_deref() == Some(want.as_str())
                            || *by_index == **want
                            || *label == **want
                    })
                })
                .cloned()
                .collect();
            report.results.push(CaseResult {
                file: self.name.clone(),
                name: case.name.clone(),
                why: case.why.clone(),
                expected: case.expect,
                actual: response.decision(),
                reason: response.reason().to_string(),
                determining: labels.into_iter().map(|(l, _, _)| l).collect(),
                missing_determining: missing,
                problems: response.problems().map(|p| p.to_string()).collect(),
            });
        }
        report
    }

    /// Runs every case.
    pub fn run(&self) -> TestReport {
        self.run_filtered(None)
    }
}

fn member<'j>(json: &'j Json, key: &str) -> Option<&'j Json> {
    match &json.kind {
        JsonKind::Object(members) => members.iter().find(|m| m.key == key).map(|m| &m.value),
        _ => None,
    }
}

fn array(json: &Json) -> Option<&[Json]> {
    match &json.kind {
        JsonKind::Array(items) => Some(items),
        _ => None,
    }
}

/// Finds the test files under the given paths: files as given, folders searched
/// recursively for `*.json` files whose top level has a `cases` array. Sorted, so runs
/// are repeatable.
///
/// # Errors
/// A [`TestFileError`] for a path that cannot be read.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, TestFileError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| {
            TestFileError::at(&p.display().to_string(), 0, 0, format!("cannot read: {e}"))
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), TestFileError> {
    let err = |e: std::io::Error| {
        TestFileError::at(
            &dir.display().to_string(),
            0,
            0,
            format!("cannot read the folder: {e}"),
        )
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") && is_test_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether a JSON file's top level has a `cases` array (policy files do not).
fn is_test_file(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return true;
    };
    match json::parse(&text, 64) {
        Ok(tree) => member(&tree, "cases").is_some_and(|c| matches!(c.kind, JsonKind::Array(_))),
        // A broken file is reported when it is loaded, not skipped.
        Err(_) => text.contains("\"cases\""),
    }
}
