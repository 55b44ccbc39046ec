//! Running a test file's cases and reporting the results.

use super::{PropertyResult, TestFile};
use crate::{Decision, Trace};
use std::fmt;

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// The file.
    pub file: String,
    /// The case name.
    pub name: String,
    /// Where the case is in its test file.
    pub position: crate::SourcePos,
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
    /// What looks wrong with the request though the case ran: context keys no policy
    /// reads (often a typo), context values that do not read as their key's type.
    pub warnings: Vec<String>,
    /// Whether warnings fail the case (see [`RunOptions::deny_warnings`]).
    pub warnings_fail: bool,
    /// The whole explanation of the decision, for a failing case when
    /// [`RunOptions::explain`] asks for it: what `iam-eval eval --explain` prints for the
    /// case's request.
    pub trace: Option<Trace>,
}

impl CaseResult {
    /// Whether the case passed: the decision and the deciding statements are as
    /// expected, and, when warnings fail cases, there are none.
    pub fn passed(&self) -> bool {
        self.expected == self.actual
            && self.missing_determining.is_empty()
            && (!self.warnings_fail || self.warnings.is_empty())
    }
}

/// How to run a test file's cases.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions<'a> {
    filter: Option<&'a str>,
    deny_warnings: bool,
    explain: bool,
}

impl<'a> RunOptions<'a> {
    /// Runs only the cases and properties whose name contains `text`.
    #[must_use]
    pub fn filter(mut self, text: Option<&'a str>) -> Self {
        self.filter = text;
        self
    }
    /// Makes a case with warnings fail.
    #[must_use]
    pub fn deny_warnings(mut self, deny: bool) -> Self {
        self.deny_warnings = deny;
        self
    }
    /// Explains each failing case: its [`CaseResult::trace`] holds the whole trace of
    /// its decision. Passing cases are not explained, so the cost is paid only where
    /// someone will read it.
    #[must_use]
    pub fn explain(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
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
        for w in &self.warnings {
            writeln!(f, "  warning: {w}")?;
        }
        if let Some(trace) = &self.trace {
            writeln!(f, "  explanation:")?;
            for line in trace.to_string().lines() {
                if line.is_empty() {
                    writeln!(f)?;
                } else {
                    writeln!(f, "    {line}")?;
                }
            }
        }
        Ok(())
    }
}

/// The results of running test files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestReport {
    /// Every case's result, in file order.
    pub results: Vec<CaseResult>,
    /// Every property's result, in file order.
    pub properties: Vec<PropertyResult>,
}

impl TestReport {
    /// Cases and properties that passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
            + self.properties.iter().filter(|r| r.passed()).count()
    }
    /// Cases and properties that failed.
    pub fn failed(&self) -> usize {
        self.results.len() + self.properties.len() - self.passed()
    }
    /// How many cases and properties ran.
    pub fn total(&self) -> usize {
        self.results.len() + self.properties.len()
    }
    /// The failing cases.
    pub fn failures(&self) -> impl Iterator<Item = &CaseResult> {
        self.results.iter().filter(|r| !r.passed())
    }
    /// The failing properties.
    pub fn property_failures(&self) -> impl Iterator<Item = &PropertyResult> {
        self.properties.iter().filter(|r| !r.passed())
    }
    /// Adds another report's results.
    pub fn extend(&mut self, other: TestReport) {
        self.results.extend(other.results);
        self.properties.extend(other.properties);
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
        for r in self.property_failures() {
            writeln!(f, "{r}")?;
        }
        writeln!(f, "{}", self.summary())
    }
}

impl TestFile {
    /// Runs every case (or those whose name contains `filter`).
    pub fn run_filtered(&self, filter: Option<&str>) -> TestReport {
        self.run_with(RunOptions::default().filter(filter))
    }

    /// Runs the cases as `options` say.
    ///
    /// ```
    /// use iam_eval::{RunOptions, TestFile};
    ///
    /// let file = TestFile::parse(r#"{
    ///   "policies": [{"kind": "identity", "document": {"Version": "2012-10-17",
    ///     "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
    ///   "cases": [{"name": "write is allowed", "expect": "allow", "request": {
    ///     "principal": "arn:aws:iam::111122223333:user/alice",
    ///     "action": "s3:PutObject", "resource": "arn:aws:s3:::bucket/key"}}]
    /// }"#, "inline.json", None)?;
    /// let report = file.run_with(RunOptions::default().explain(true));
    /// let failure = report.failures().next().expect("the case fails");
    /// assert_eq!(failure.actual.as_str(), "implicit_deny");
    /// // The explanation says why: the statement's action does not match.
    /// let trace = failure.trace.as_ref().expect("explained");
    /// assert!(trace.to_string().contains("Allow 0#0 does not apply: action did not match"));
    /// # Ok::<(), iam_eval::TestFileError>(())
    /// ```
    pub fn run_with(&self, options: RunOptions<'_>) -> TestReport {
        let mut report = TestReport::default();
        for case in self
            .cases
            .iter()
            .filter(|c| options.filter.is_none_or(|f| c.name.contains(f)))
        {
            let response = self.set.evaluate(&case.request);
            let deciding: Vec<_> = response.determining().collect();
            // A case names a deciding statement by its label (`0#Sid`), its Sid alone,
            // or its position (`0#1`).
            let missing = case
                .determining
                .iter()
                .filter(|want| {
                    !deciding.iter().any(|s| {
                        s.sid() == Some(want.as_str())
                            || s.to_string() == **want
                            || format!("{}#{}", s.policy_id(), s.index()) == **want
                    })
                })
                .cloned()
                .collect();
            let mut result = CaseResult {
                file: self.name.clone(),
                name: case.name.clone(),
                position: case.position,
                why: case.why.clone(),
                expected: case.expect,
                actual: response.decision(),
                reason: response.reason().to_string(),
                determining: deciding.iter().map(|s| s.to_string()).collect(),
                missing_determining: missing,
                problems: response.problems().map(|p| p.to_string()).collect(),
                warnings: self
                    .set
                    .unread_context_keys(&case.request)
                    .iter()
                    .map(|k| k.to_string())
                    .chain(
                        case.request
                            .context_warnings()
                            .iter()
                            .map(|w| w.to_string()),
                    )
                    .collect(),
                warnings_fail: options.deny_warnings,
                trace: None,
            };
            if options.explain && !result.passed() {
                result.trace = Some(self.set.explain(&case.request).1);
            }
            report.results.push(result);
        }
        for p in self
            .properties
            .iter()
            .filter(|p| options.filter.is_none_or(|f| p.name.contains(f)))
        {
            report.properties.push(self.prove(p));
        }
        report
    }

    /// Runs every case.
    ///
    /// ```
    /// use iam_eval::TestFile;
    ///
    /// let file = TestFile::parse(r#"{
    ///   "policies": [{"kind": "identity", "document": {"Version": "2012-10-17",
    ///     "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
    ///   "cases": [{"name": "read", "expect": "allow", "request": {
    ///     "principal": "arn:aws:iam::111122223333:user/alice",
    ///     "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key"}}]
    /// }"#, "inline.json", None)?;
    /// let report = file.run();
    /// assert_eq!(report.summary(), "1 passed, 0 failed");
    /// # Ok::<(), iam_eval::TestFileError>(())
    /// ```
    pub fn run(&self) -> TestReport {
        self.run_filtered(None)
    }
}
