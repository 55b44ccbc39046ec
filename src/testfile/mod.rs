//! Policy test files: the policies in force and requests with the decision each must
//! get. The format is documented in `docs/test-file-format.md`; the CLI's
//! `iam-eval test` and the crate's own tests run files through this module.
//!
//! ```
//! use iam_eval::TestFile;
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

mod discover;
mod error;
mod iac;
mod property;
mod read;
mod run;
mod spec;

pub use error::{PolicyReference, TestFileError, TestFileErrorKind};
pub use property::{Property, PropertyOutcome, PropertyResult};
pub use run::{CaseResult, RunOptions, TestReport};
pub use spec::RequestSpec;

use crate::json::{Issue, JsonKind};
use crate::{Decision, Diagnostic, Limits, Policy, PolicyKind, PolicySet, Request};
use error::Cause;
use read::Reader;
use std::path::{Path, PathBuf};

/// One case of a test file.
#[derive(Debug, Clone)]
pub struct TestCase {
    name: String,
    why: Option<String>,
    expect: Decision,
    determining: Vec<String>,
    request: Request,
    position: crate::SourcePos,
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
    /// Where the case's object starts in its test file.
    pub fn position(&self) -> crate::SourcePos {
        self.position
    }
}

/// A loaded test file: its policies compiled into a set, and its cases.
///
/// The policies are added to the set with their position in the file's `policies` list
/// as their id, so statements are named `0#Sid` (or `0#2` for a statement without a
/// Sid).
#[derive(Debug, Clone)]
pub struct TestFile {
    name: String,
    description: Option<String>,
    source: Option<String>,
    set: PolicySet,
    cases: Vec<TestCase>,
    properties: Vec<Property>,
    warnings: Vec<PolicyWarning>,
}

/// A place where AWS reads a policy of a test file otherwise than it looks (a variable
/// that is literal text without `"Version": "2012-10-17"`, whitespace kept inside a
/// value): the lints of [`Lint::changes_meaning`](crate::lint::Lint::changes_meaning),
/// positioned in the file the policy was read from.
#[derive(Debug, Clone)]
pub struct PolicyWarning {
    file: String,
    finding: crate::lint::Finding,
}

impl PolicyWarning {
    /// The file the policy was read from: its own file, or the test file for a policy
    /// written inline.
    pub fn file(&self) -> &str {
        &self.file
    }
    /// The finding, with its line and column in [`PolicyWarning::file`].
    pub fn finding(&self) -> &crate::lint::Finding {
        &self.finding
    }
    /// The warning as `iam-eval check` prints it: `FILE:LINE:COL: warning: …`, the
    /// source line and the advice.
    pub fn render(&self) -> String {
        self.finding.render(&self.file)
    }
}

impl TestFile {
    /// The fields of a test file's top level. Any other field is an error.
    pub const FIELDS: &'static [&'static str] =
        &["description", "source", "policies", "cases", "properties"];
    /// The fields of an entry of `policies`: a policy written inline or in a file, or
    /// taken from a Terraform plan or a CloudFormation template.
    pub const POLICY_FIELDS: &'static [&'static str] = &[
        "kind",
        "document",
        "file",
        "account",
        "trust_policy",
        "terraform",
        "cloudformation",
        "address",
        "logical_id",
        "attribute",
        "principal",
        "parameters",
        "values",
        "account_id",
        "region",
        "managed",
    ];
    /// The fields of an entry of `cases`.
    pub const CASE_FIELDS: &'static [&'static str] =
        &["name", "request", "expect", "determining", "why"];
    /// The fields of an entry of `properties`.
    pub const PROPERTY_FIELDS: &'static [&'static str] = &["name", "shape", "expect", "why"];
    /// The fields of a property's `shape`.
    pub const SHAPE_FIELDS: &'static [&'static str] = property::SHAPE_FIELDS;

    /// Finds the test files under the given paths: files as given, folders searched
    /// recursively for `*.json` files whose top level has a `cases` array. Sorted, so
    /// runs are repeatable.
    ///
    /// # Errors
    /// A [`TestFileError`] for a path that cannot be read.
    pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, TestFileError> {
        discover::discover(paths)
    }

    /// Reads and loads a test file; policy `file` entries are read relative to its folder.
    ///
    /// ```
    /// use iam_eval::TestFile;
    ///
    /// let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
    ///     .join("policies/sse-kms/sse-kms.test.json");
    /// let file = TestFile::load(&path)?;
    /// let report = file.run();
    /// assert_eq!(report.failed(), 0, "{report}");
    /// # Ok::<(), iam_eval::TestFileError>(())
    /// ```
    ///
    /// # Errors
    /// A [`TestFileError`] with the file, line and column of the problem.
    pub fn load(path: &Path) -> Result<TestFile, TestFileError> {
        TestFile::load_with_limits(path, &Limits::default())
    }

    /// As [`TestFile::load`], parsing the file's policies with the given limits.
    ///
    /// # Errors
    /// As [`TestFile::load`].
    pub fn load_with_limits(path: &Path, limits: &Limits) -> Result<TestFile, TestFileError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| {
            TestFileError::new(
                TestFileErrorKind::Io,
                &name,
                format!("cannot read the file: {e}"),
            )
        })?;
        let src = String::from_utf8(bytes).map_err(|e| {
            TestFileError::new(
                TestFileErrorKind::NotUtf8,
                &name,
                format!(
                    "the file is not UTF-8 (byte {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        TestFile::parse_with_limits(&src, &name, path.parent(), limits)
    }

    /// Loads a test file from text. `name` names it in errors and results; `dir` is the
    /// folder `file` entries are relative to (`None`: the current folder).
    ///
    /// ```
    /// use iam_eval::{TestFile, TestFileErrorKind};
    ///
    /// let err = TestFile::parse(r#"{"policies": [], "cases": [{"name": "x",
    ///   "expect": "alow", "request": {}}]}"#, "typo.test.json", None).unwrap_err();
    /// assert_eq!(err.kind(), TestFileErrorKind::Format);
    /// assert_eq!(err.to_string(), "typo.test.json:2:13: error: unknown decision `alow` in `expect`\n  help: did you mean `allow`?");
    /// ```
    ///
    /// # Errors
    /// A [`TestFileError`] with the file, line and column of the problem.
    pub fn parse(src: &str, name: &str, dir: Option<&Path>) -> Result<TestFile, TestFileError> {
        TestFile::parse_with_limits(src, name, dir, &Limits::default())
    }

    /// As [`TestFile::parse`], parsing the file's policies with the given limits.
    ///
    /// # Errors
    /// As [`TestFile::parse`].
    pub fn parse_with_limits(
        src: &str,
        name: &str,
        dir: Option<&Path>,
        limits: &Limits,
    ) -> Result<TestFile, TestFileError> {
        let reader = Reader::new(src, name);
        let tree = reader.tree()?;
        let top = reader.object(&tree, "a test file", TestFile::FIELDS)?;
        let description = match top.get("description") {
            Some(v) => Some(reader.string(v, "`description`")?.to_string()),
            None => None,
        };
        let source = match top.get("source") {
            Some(v) => Some(reader.string(v, "`source`")?.to_string()),
            None => None,
        };
        let policies_json = reader.array(
            reader.required(&top, "policies", &tree, "a test file")?,
            "`policies`",
        )?;
        let cases_json = reader.array(
            reader.required(&top, "cases", &tree, "a test file")?,
            "`cases`",
        )?;
        let mut warnings = Vec::new();
        let set = policy_set(&reader, policies_json, dir, limits, &mut warnings)?;
        let mut cases = Vec::with_capacity(cases_json.len());
        let mut builder = Request::builder();
        for (i, cj) in cases_json.iter().enumerate() {
            let what = format!("cases[{i}]");
            let fields = reader.object(cj, &what, TestFile::CASE_FIELDS)?;
            let name_json = reader.required(&fields, "name", cj, &what)?;
            let case_name = reader.string(name_json, "`name`")?.to_string();
            let expect_json = reader.required(&fields, "expect", cj, &what)?;
            let expect = decision(&reader, expect_json)?;
            let spec = RequestSpec::read(
                &reader,
                reader.required(&fields, "request", cj, &what)?,
                "`request`",
            )?;
            let mut determining = Vec::new();
            if let Some(list) = fields.get("determining") {
                for item in reader.array(list, "`determining`")? {
                    determining.push(
                        reader
                            .string(item, "an entry of `determining`")?
                            .to_string(),
                    );
                }
            }
            let why = match fields.get("why") {
                Some(v) => Some(reader.string(v, "`why`")?.to_string()),
                None => None,
            };
            let request = spec.build_at(&reader, &mut builder, &format!("{what} `{case_name}`"))?;
            let (line, column) = reader.line_col(cj.span.start);
            cases.push(TestCase {
                position: crate::SourcePos { line, column },
                name: case_name,
                why,
                expect,
                determining,
                request,
            });
        }
        let mut properties = Vec::new();
        if let Some(list) = top.get("properties") {
            for (i, pj) in reader.array(list, "`properties`")?.iter().enumerate() {
                properties.push(property::read(&reader, pj, &format!("properties[{i}]"))?);
            }
        }
        Ok(TestFile {
            name: name.to_string(),
            description,
            source,
            set,
            cases,
            properties,
            warnings,
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

    /// Where AWS reads one of the file's policies otherwise than it looks, in the order
    /// the policies are listed; policies read from Terraform plans and CloudFormation
    /// templates are left to `iam-eval check`, which positions findings in those files.
    pub fn policy_warnings(&self) -> &[PolicyWarning] {
        &self.warnings
    }
}

/// `expect`: one of the three decisions.
fn decision(reader: &Reader<'_>, json: &crate::json::Json) -> Result<Decision, TestFileError> {
    let text = reader.string(json, "`expect`")?;
    let options = [
        Decision::Allow,
        Decision::ExplicitDeny,
        Decision::ImplicitDeny,
    ];
    if let Some(d) = options.into_iter().find(|d| d.as_str() == text) {
        return Ok(d);
    }
    let help = match crate::suggest::best(text, options.map(Decision::as_str)) {
        Some(best) => format!("did you mean `{best}`?"),
        None => "expected `allow`, `explicit_deny` or `implicit_deny`".into(),
    };
    Err(reader
        .err(
            TestFileErrorKind::Format,
            json.span.start,
            format!("unknown decision `{text}` in `expect`"),
        )
        .with_help(Some(help)))
}

/// Reads every entry of `policies` and builds the set. Each policy is added with its
/// position in the list as its id.
fn policy_set(
    reader: &Reader<'_>,
    policies: &[crate::json::Json],
    dir: Option<&Path>,
    limits: &Limits,
    warnings: &mut Vec<PolicyWarning>,
) -> Result<PolicySet, TestFileError> {
    let mut builder = PolicySet::builder();
    // The entry each policy added to the builder came from: an IaC entry can bring in
    // several.
    let mut entry_of: Vec<usize> = Vec::new();
    for (i, pj) in policies.iter().enumerate() {
        let what = format!("policies[{i}]");
        let fields = reader.object(pj, &what, TestFile::POLICY_FIELDS)?;
        if iac::is_iac_entry(&fields) {
            let kind = match fields.get("kind") {
                Some(k) => Some(reader.string(k, "`kind`")?.parse().map_err(
                    |e: crate::UnknownKindError| {
                        reader.err(TestFileErrorKind::Format, k.span.start, e.to_string())
                    },
                )?),
                None => None,
            };
            let account = match fields.get("account") {
                Some(a) => Some(reader.string(a, "`account`")?.to_string()),
                None => None,
            };
            let found = iac::read_entry(reader, &fields, pj, &what, kind, dir, limits)?;
            let several = found.len() > 1;
            for (k, p) in found.into_iter().enumerate() {
                // One policy keeps the entry's index as its id, several get `i.k`.
                let id = if several {
                    format!("{i}.{k}")
                } else {
                    i.to_string()
                };
                match &account {
                    _ if p.trust => builder.add_trust_policy(id, p.policy),
                    Some(a) if p.kind == PolicyKind::Resource => {
                        builder.add_owned(p.kind, id, p.policy, a)
                    }
                    _ => builder.add(p.kind, id, p.policy),
                };
                entry_of.push(i);
            }
            continue;
        }
        for field in iac::IAC_FIELDS {
            if let Some(f) = fields.get(field) {
                return Err(reader.err(
                    TestFileErrorKind::Format,
                    f.span.start,
                    format!("{what}: `{field}` goes with `terraform` or `cloudformation`"),
                ));
            }
        }
        let kind_json = reader.required(&fields, "kind", pj, &what)?;
        let kind: PolicyKind =
            reader
                .string(kind_json, "`kind`")?
                .parse()
                .map_err(|e: crate::UnknownKindError| {
                    reader.err(
                        TestFileErrorKind::Format,
                        kind_json.span.start,
                        e.to_string(),
                    )
                })?;
        let account = match fields.get("account") {
            Some(a) => Some(reader.string(a, "`account`")?.to_string()),
            None => None,
        };
        let trust = match fields.get("trust_policy") {
            Some(t) => match t.kind {
                JsonKind::Bool(b) => b,
                _ => {
                    return Err(reader.issue(Issue::wrong_type(
                        t,
                        "`trust_policy`",
                        "`true` or `false`",
                    )))
                }
            },
            None => false,
        };
        if trust && kind != PolicyKind::Resource {
            let at = fields
                .get("trust_policy")
                .map_or(pj.span.start, |t| t.span.start);
            return Err(reader
                .err(
                    TestFileErrorKind::Format,
                    at,
                    format!("{what}: only a `resource` policy can be a role's trust policy"),
                )
                .with_help(Some(
                    "write `\"kind\": \"resource\", \"trust_policy\": true`".into(),
                )));
        }
        if trust && account.is_some() {
            let at = fields
                .get("account")
                .map_or(pj.span.start, |a| a.span.start);
            return Err(reader.err(
                TestFileErrorKind::Format,
                at,
                format!("{what}: a trust policy's role names its account; remove `account`"),
            ));
        }
        let (text, file_name, base) = match (fields.get("document"), fields.get("file")) {
            (Some(doc), None) => {
                let text = reader
                    .src
                    .get(doc.span.start..doc.span.end)
                    .unwrap_or("")
                    .to_string();
                (text, reader.name.to_string(), Some(doc.span.start))
            }
            (None, Some(f)) => {
                let f = reader.string(f, "`file`")?;
                let path = dir.map_or_else(|| PathBuf::from(f), |d| d.join(f));
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    reader.err(
                        TestFileErrorKind::Io,
                        pj.span.start,
                        format!("cannot read the policy file `{}`: {e}", path.display()),
                    )
                })?;
                (text, path.display().to_string(), None)
            }
            _ => {
                return Err(reader.err(
                    TestFileErrorKind::Format,
                    pj.span.start,
                    format!("{what} needs exactly one of `document` and `file`"),
                ))
            }
        };
        let reference = base.is_none().then(|| {
            let (line, column) = reader.line_col(pj.span.start);
            PolicyReference {
                file: reader.name.to_string(),
                line,
                column,
                entry: what.clone(),
                kind: kind.as_str().to_string(),
            }
        });
        let broken = |diagnostics: &[Diagnostic], kind: TestFileErrorKind, cause: Cause| {
            policy_error(reader, &file_name, base, diagnostics, reference.clone())
                .map_kind(kind)
                .caused_by(cause)
        };
        let policy = Policy::parse_with_limits(&text, limits).map_err(|e| {
            broken(
                e.diagnostics(),
                TestFileErrorKind::Policy,
                Cause::Parse(e.clone()),
            )
        })?;
        // Checked here rather than left to the builder, so the problems point into the
        // policy's own file.
        if let Err(e) = policy.validate(kind) {
            return Err(broken(
                e.diagnostics(),
                TestFileErrorKind::Build,
                Cause::Validation(e.clone()),
            ));
        }
        for finding in policy.silent_changes() {
            let diagnostic = place(reader, base, &finding.diagnostic);
            warnings.push(PolicyWarning {
                file: file_name.clone(),
                finding: crate::lint::Finding {
                    diagnostic,
                    ..finding
                },
            });
        }
        match &account {
            _ if trust => builder.add_trust_policy(i.to_string(), policy),
            Some(a) => builder.add_owned(kind, i.to_string(), policy, a),
            None => builder.add(kind, i.to_string(), policy),
        };
        entry_of.push(i);
    }
    builder.build().map_err(|e| {
        // INVARIANT: `entry_of` has an entry for every policy added to the builder.
        let i = entry_of.get(e.position()).copied().unwrap_or_default();
        let at = policies.get(i).map_or(0, |j| j.span.start);
        let detail: Vec<String> = e.diagnostics().iter().map(|d| d.to_string()).collect();
        reader
            .err(
                TestFileErrorKind::Build,
                at,
                format!("policies[{i}]: {}", e.message()),
            )
            .with_detail((!detail.is_empty()).then(|| detail.join("\n")))
            .caused_by(Cause::Build(e))
    })
}

/// A problem in a policy, positioned in the file the policy was read from: as found for
/// a policy file, moved into the test file for a document written inline at `base`.
fn place(reader: &Reader<'_>, base: Option<usize>, d: &Diagnostic) -> Diagnostic {
    match base {
        None => d.clone(),
        Some(offset) => {
            let (l0, c0) = reader.line_col(offset);
            let (line, column) = if d.line() == 1 {
                (l0, c0 + d.column() - 1)
            } else {
                (l0 + d.line() - 1, d.column())
            };
            Diagnostic {
                line,
                column,
                line_text: std::sync::Arc::from(reader.index.line_text(reader.src, line)),
                ..d.clone()
            }
        }
    }
}

/// The error for a policy that could not be parsed or is not valid as its kind: every
/// problem positioned in the file the policy was read from. `base` is where an inline
/// document starts in the test file, whose positions and lines the problems then take.
fn policy_error(
    reader: &Reader<'_>,
    file_name: &str,
    base: Option<usize>,
    diagnostics: &[Diagnostic],
    reference: Option<PolicyReference>,
) -> TestFileError {
    let placed: Vec<Diagnostic> = diagnostics.iter().map(|d| place(reader, base, d)).collect();
    let detail: Vec<String> = placed
        .iter()
        .map(|d| {
            let mut s = format!(
                "{file_name}:{}:{}: error: {}",
                d.line(),
                d.column(),
                d.message()
            );
            if !d.path().is_empty() {
                s.push_str(&format!(" (at `{}`)", d.path()));
            }
            if let Some(h) = d.help() {
                s.push_str(&format!("\n  help: {h}"));
            }
            s
        })
        .collect();
    let first = placed.first();
    let mut err = TestFileError::new(
        TestFileErrorKind::Policy,
        file_name,
        first.map_or_else(|| "invalid policy".to_string(), |d| d.message().to_string()),
    );
    if let Some(d) = first {
        err = err
            .at(d.line(), d.column())
            .with_help(d.help().map(str::to_string));
    }
    err.with_detail(Some(detail.join("\n")))
        .with_diagnostics(placed, reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader checks entries against `POLICY_FIELDS`, so an IaC field missing from it
    /// would be refused as unknown.
    #[test]
    fn policy_fields_hold_the_iac_fields() {
        for field in iac::IAC_FIELDS {
            assert!(TestFile::POLICY_FIELDS.contains(&field), "{field}");
        }
    }
}
