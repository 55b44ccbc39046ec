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

/// The test file's JSON tree, read with positions so every error can name its line and
/// column, and with the format's rules checked: unknown fields are an error (a typo in
/// `expect` must not pass silently), duplicate keys too.
struct Reader<'s> {
    src: &'s str,
    name: &'s str,
    index: LineIndex,
}

type Fields<'j> = Vec<(&'j str, &'j Json, usize)>;

impl<'s> Reader<'s> {
    fn new(src: &'s str, name: &'s str) -> Self {
        Reader {
            src,
            name,
            index: LineIndex::new(src),
        }
    }

    fn err(&self, offset: usize, message: String) -> TestFileError {
        let (line, column) = self.index.line_col(self.src, offset);
        TestFileError::at(self.name, line, column, message)
    }

    /// The members of an object, checked against the allowed field names: each is
    /// (name, value, offset of the key).
    fn object<'j>(
        &self,
        json: &'j Json,
        what: &str,
        allowed: &[&str],
    ) -> Result<Fields<'j>, TestFileError> {
        let JsonKind::Object(members) = &json.kind else {
            return Err(self.err(
                json.span.start,
                format!("{what} must be an object, found {}", json.kind.type_name()),
            ));
        };
        let mut out: Fields<'j> = Vec::new();
        for m in members {
            if out.iter().any(|(k, _, _)| *k == m.key) {
                return Err(self.err(
                    m.key_span.start,
                    format!("`{}` appears twice in {what}", m.key),
                ));
            }
            if !allowed.contains(&m.key.as_str()) {
                let help = match crate::policy::suggest::best(&m.key, allowed.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!(
                        "{what} has the fields {}",
                        allowed
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                return Err(self.err(
                    m.key_span.start,
                    format!("unknown field `{}` in {what}; {help}", m.key),
                ));
            }
            out.push((m.key.as_str(), &m.value, m.key_span.start));
        }
        Ok(out)
    }

    fn string<'j>(&self, json: &'j Json, what: &str) -> Result<&'j str, TestFileError> {
        match &json.kind {
            JsonKind::String(s) => Ok(s),
            other => Err(self.err(
                json.span.start,
                format!("{what} must be a string, found {}", other.type_name()),
            )),
        }
    }

    fn array<'j>(&self, json: &'j Json, what: &str) -> Result<&'j [Json], TestFileError> {
        match &json.kind {
            JsonKind::Array(items) => Ok(items),
            other => Err(self.err(
                json.span.start,
                format!("{what} must be an array, found {}", other.type_name()),
            )),
        }
    }

    fn required<'j>(
        &self,
        fields: &Fields<'j>,
        name: &str,
        at: &Json,
        what: &str,
    ) -> Result<&'j Json, TestFileError> {
        fields
            .iter()
            .find(|(k, _, _)| *k == name)
            .map(|(_, v, _)| *v)
            .ok_or_else(|| self.err(at.span.start, format!("{what} needs a `{name}` field")))
    }

    fn request(&self, json: &Json, what: &str) -> Result<RequestSpec, TestFileError> {
        let fields = self.object(
            json,
            what,
            &[
                "principal",
                "action",
                "resource",
                "resource_account",
                "context",
            ],
        )?;
        let principal_json = self.required(&fields, "principal", json, what)?;
        let principal = match &principal_json.kind {
            JsonKind::String(s) => PrincipalIn::Arn(s.clone()),
            JsonKind::Object(_) => {
                let kinds = self.object(principal_json, "a principal object", &["Service", "Federated", "CanonicalUser"])?;
                match kinds.as_slice() {
                    [(kind, value, _)] => {
                        let value = self.string(value, &format!("`{kind}`"))?.to_string();
                        match *kind {
                            "Service" => PrincipalIn::Service(value),
                            "Federated" => PrincipalIn::Federated(value),
                            _ => PrincipalIn::Canonical(value),
                        }
                    }
                    _ => {
                        return Err(self.err(
                            principal_json.span.start,
                            "a principal object names exactly one of `Service`, `Federated` and `CanonicalUser`".into(),
                        ))
                    }
                }
            }
            other => {
                return Err(self.err(
                    principal_json.span.start,
                    format!("`principal` must be an ARN, `*` or an object such as {{\"Service\": ...}}, found {}", other.type_name()),
                ))
            }
        };
        let action = self
            .string(self.required(&fields, "action", json, what)?, "`action`")?
            .to_string();
        let resource = self
            .string(
                self.required(&fields, "resource", json, what)?,
                "`resource`",
            )?
            .to_string();
        let mut spec = RequestSpec {
            principal,
            principal_offset: principal_json.span.start,
            action,
            resource,
            resource_account: None,
            context: Vec::new(),
        };
        for (name, value, _) in &fields {
            match *name {
                "resource_account" => {
                    spec.resource_account =
                        Some(self.string(value, "`resource_account`")?.to_string())
                }
                "context" => {
                    let JsonKind::Object(members) = &value.kind else {
                        return Err(self.err(
                            value.span.start,
                            format!(
                                "`context` must be an object, found {}",
                                value.kind.type_name()
                            ),
                        ));
                    };
                    for m in members {
                        let lower = m.key.to_lowercase();
                        if spec.context.iter().any(|(k, _)| k.to_lowercase() == lower) {
                            return Err(self.err(
                                m.key_span.start,
                                format!("the context sets `{}` twice (condition keys are not case-sensitive)", m.key),
                            ));
                        }
                        let scalar = |j: &Json| -> Result<String, TestFileError> {
                            match &j.kind {
                                JsonKind::String(s) | JsonKind::Number(s) => Ok(s.clone()),
                                JsonKind::Bool(b) => Ok(b.to_string()),
                                other => Err(self.err(
                                    j.span.start,
                                    format!("a context value is a string, a number, a boolean or an array of those, found {}", other.type_name()),
                                )),
                            }
                        };
                        let v = match &m.value.kind {
                            JsonKind::Array(items) => {
                                CtxIn::Many(items.iter().map(scalar).collect::<Result<_, _>>()?)
                            }
                            _ => CtxIn::One(scalar(&m.value)?),
                        };
                        spec.context.push((m.key.clone(), v));
                    }
                }
                _ => {}
            }
        }
        Ok(spec)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PrincipalIn {
    Arn(String),
    Service(String),
    Federated(String),
    Canonical(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum CtxIn {
    One(String),
    Many(Vec<String>),
}

/// A request in the test-file format; also what `iam-eval eval --request` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSpec {
    principal: PrincipalIn,
    principal_offset: usize,
    action: String,
    resource: String,
    resource_account: Option<String>,
    context: Vec<(String, CtxIn)>,
}

impl RequestSpec {
    /// Reads a request object (`principal`, `action`, `resource`, `resource_account`,
    /// `context`) from JSON text; `name` names it in errors.
    ///
    /// # Errors
    /// A [`TestFileError`] with the line and column of the problem.
    pub fn from_json(src: &str, name: &str) -> Result<RequestSpec, TestFileError> {
        let reader = Reader::new(src, name);
        let tree = json::parse(src, 64).map_err(|e| reader.err(e.offset, e.message))?;
        reader.request(&tree, "a request")
    }

    /// Builds the request.
    ///
    /// # Errors
    /// A message when the principal or the action is not valid.
    pub fn build(&self, builder: &mut RequestBuilder) -> Result<Request, String> {
        match &self.principal {
            PrincipalIn::Arn(arn) => {
                builder.principal(arn);
            }
            PrincipalIn::Service(v) => {
                builder.principal_value(Principal::service(v));
            }
            PrincipalIn::Federated(v) => {
                builder.principal_value(Principal::web_identity(v));
            }
            PrincipalIn::Canonical(v) => {
                builder.principal_value(Principal::canonical_user(v));
            }
        }
        builder.action(&self.action).resource(&self.resource);
        if let Some(a) = &self.resource_account {
            builder.resource_account(a);
        }
        for (key, value) in &self.context {
            match value {
                CtxIn::One(v) => builder.context(key, v),
                CtxIn::Many(list) => builder.context(key, list.as_slice()),
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
        let reader = Reader::new(src, name);
        let at = |offset: usize, message: String| reader.err(offset, message);
        let index = &reader.index;
        let tree = json::parse(src, 64).map_err(|e| at(e.offset, e.message))?;
        let top = reader.object(
            &tree,
            "a test file",
            &["description", "source", "policies", "cases"],
        )?;
        let mut description = None;
        let mut source = None;
        for (k, v, _) in &top {
            match *k {
                "description" => description = Some(reader.string(v, "`description`")?.to_string()),
                "source" => source = Some(reader.string(v, "`source`")?.to_string()),
                _ => {}
            }
        }
        let policies_json = reader.array(
            reader.required(&top, "policies", &tree, "a test file")?,
            "`policies`",
        )?;
        let cases_json = reader.array(
            reader.required(&top, "cases", &tree, "a test file")?,
            "`cases`",
        )?;
        let mut builder = PolicySet::builder();
        let mut sids = Vec::new();
        for (i, pj) in policies_json.iter().enumerate() {
            let what = format!("policies[{i}]");
            let fields = reader.object(pj, &what, &["kind", "document", "file", "account"])?;
            let kind_json = reader.required(&fields, "kind", pj, &what)?;
            let kind: PolicyKind = reader.string(kind_json, "`kind`")?.parse().map_err(
                |e: crate::policy::UnknownKindError| at(kind_json.span.start, e.to_string()),
            )?;
            let field = |n: &str| fields.iter().find(|(k, _, _)| *k == n).map(|(_, v, _)| *v);
            let account = match field("account") {
                Some(a) => Some(reader.string(a, "`account`")?.to_string()),
                None => None,
            };
            let (text, file_name, base) = match (field("document"), field("file")) {
                (Some(doc), None) => {
                    let text = src
                        .get(doc.span.start..doc.span.end)
                        .unwrap_or("")
                        .to_string();
                    (text, name.to_string(), Some(doc.span.start))
                }
                (None, Some(f)) => {
                    let f = reader.string(f, "`file`")?;
                    let path = dir.map_or_else(|| PathBuf::from(f), |d| d.join(f));
                    let text = std::fs::read_to_string(&path).map_err(|e| {
                        at(
                            pj.span.start,
                            format!("cannot read the policy file `{}`: {e}", path.display()),
                        )
                    })?;
                    (text, path.display().to_string(), None)
                }
                _ => {
                    return Err(at(
                        pj.span.start,
                        format!("{what} needs exactly one of `document` and `file`"),
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
                        "{what}: {}",
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
            match &account {
                Some(a) => builder.add_owned(kind, i.to_string(), policy, a),
                None => builder.add(kind, i.to_string(), policy),
            };
        }
        let set = builder.build().map_err(|e| {
            let i: usize = e.policy_id().parse().unwrap_or(0);
            let offset = policies_json.get(i).map_or(0, |j| j.span.start);
            let mut err = at(offset, format!("policies[{i}]: {}", e.message()));
            let detail: Vec<String> = e.diagnostics().iter().map(|d| d.to_string()).collect();
            if !detail.is_empty() {
                err.detail = Some(detail.join("\n"));
            }
            err
        })?;
        let mut cases = Vec::with_capacity(cases_json.len());
        let mut builder = Request::builder();
        for (i, cj) in cases_json.iter().enumerate() {
            let what = format!("cases[{i}]");
            let fields = reader.object(
                cj,
                &what,
                &["name", "request", "expect", "determining", "why"],
            )?;
            let name_json = reader.required(&fields, "name", cj, &what)?;
            let case_name = reader.string(name_json, "`name`")?.to_string();
            let expect_json = reader.required(&fields, "expect", cj, &what)?;
            let expect_text = reader.string(expect_json, "`expect`")?;
            let expect = match expect_text {
                "allow" => Decision::Allow,
                "explicit_deny" => Decision::ExplicitDeny,
                "implicit_deny" => Decision::ImplicitDeny,
                other => {
                    let options = ["allow", "explicit_deny", "implicit_deny"];
                    let help = match crate::policy::suggest::best(other, options) {
                        Some(best) => format!("did you mean `{best}`?"),
                        None => "expected `allow`, `explicit_deny` or `implicit_deny`".into(),
                    };
                    return Err(at(
                        expect_json.span.start,
                        format!("unknown decision `{other}` in `expect`; {help}"),
                    ));
                }
            };
            let spec =
                reader.request(reader.required(&fields, "request", cj, &what)?, "`request`")?;
            let mut determining = Vec::new();
            let mut why = None;
            for (k, v, _) in &fields {
                match *k {
                    "determining" => {
                        for item in reader.array(v, "`determining`")? {
                            determining.push(
                                reader
                                    .string(item, "an entry of `determining`")?
                                    .to_string(),
                            );
                        }
                    }
                    "why" => why = Some(reader.string(v, "`why`")?.to_string()),
                    _ => {}
                }
            }
            let request = spec
                .build(&mut builder)
                .map_err(|m| at(spec.principal_offset, format!("{what} `{case_name}`: {m}")))?;
            cases.push(TestCase {
                name: case_name,
                why,
                expect,
                determining,
                request,
            });
        }
        Ok(TestFile {
            name: name.to_string(),
            description,
            source,
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
