//! `TestFile` and its results: policy tests in the format `iam-eval test` runs.

use crate::error;
use crate::request::PyRequest;
use crate::set::PyPolicySet;
use iam_eval::{CaseResult, TestFile, TestReport};
use pyo3::prelude::*;
use std::path::PathBuf;

/// A loaded policy test file: its policies compiled into a set, and its cases (each a
/// request and the decision it must get). The format is the one `iam-eval test` runs.
///
/// The policies are added to the set with their position in the file's `policies`
/// list as their id, so statements are named `0#Sid` (or `0#2` without a Sid).
#[pyclass(frozen, module = "iam_eval", name = "TestFile")]
pub(crate) struct PyTestFile {
    inner: TestFile,
}

#[pymethods]
impl PyTestFile {
    /// Reads and loads a test file; policy `file` entries are read relative to its
    /// folder.
    ///
    /// Raises `TestFileError` with the file, line and column of the problem.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        TestFile::load(&path)
            .map(|inner| PyTestFile { inner })
            .map_err(|e| error::test_file_error(py, &e))
    }
    /// Loads a test file from text; `name` names it in messages, and `dir` is the
    /// folder `file` entries are relative to (None: they cannot be used).
    ///
    /// Raises `TestFileError` with the line and column of the problem.
    #[staticmethod]
    #[pyo3(signature = (text, name="<string>", dir=None))]
    fn parse(py: Python<'_>, text: &str, name: &str, dir: Option<PathBuf>) -> PyResult<Self> {
        TestFile::parse(text, name, dir.as_deref())
            .map(|inner| PyTestFile { inner })
            .map_err(|e| error::test_file_error(py, &e))
    }
    /// Runs every case, or those whose name contains `filter`, and reports the results.
    #[pyo3(signature = (filter=None))]
    fn run(&self, py: Python<'_>, filter: Option<&str>) -> PyTestReport {
        let report = py.detach(|| self.inner.run_filtered(filter));
        PyTestReport::from(report)
    }
    /// The file's name, as given when it was loaded.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }
    /// The file's `description`, or None.
    #[getter]
    fn description(&self) -> Option<&str> {
        self.inner.description()
    }
    /// The file's `source` (the AWS page it follows), or None.
    #[getter]
    fn source(&self) -> Option<&str> {
        self.inner.source()
    }
    /// The file's policies, compiled (a copy: the file keeps its own).
    #[getter]
    fn policy_set(&self) -> PyPolicySet {
        PyPolicySet::new_shared(self.inner.policy_set().clone())
    }
    /// The cases, in file order.
    #[getter]
    fn cases(&self) -> Vec<PyTestCase> {
        self.inner
            .cases()
            .iter()
            .map(|c| PyTestCase {
                name: c.name().to_string(),
                why: c.why().map(str::to_string),
                expect: c.expect().as_str(),
                request: c.request().clone(),
            })
            .collect()
    }
    fn __len__(&self) -> usize {
        self.inner.cases().len()
    }
    fn __repr__(&self) -> String {
        format!(
            "<TestFile {:?} cases={}>",
            self.inner.name(),
            self.inner.cases().len()
        )
    }
}

/// One case of a test file: a request and the decision it must get.
#[pyclass(frozen, module = "iam_eval", name = "TestCase")]
pub(crate) struct PyTestCase {
    /// The case's name.
    #[pyo3(get)]
    name: String,
    /// The rule the case pins, or None.
    #[pyo3(get)]
    why: Option<String>,
    /// The decision expected: `allow`, `explicit_deny` or `implicit_deny`.
    #[pyo3(get)]
    expect: &'static str,
    request: iam_eval::Request,
}

#[pymethods]
impl PyTestCase {
    /// The case's request.
    #[getter]
    fn request(&self) -> PyRequest {
        PyRequest {
            inner: self.request.clone(),
        }
    }
    fn __repr__(&self) -> String {
        format!("<TestCase {:?} expect={}>", self.name, self.expect)
    }
}

/// The result of one case.
#[pyclass(frozen, module = "iam_eval", name = "CaseResult")]
#[derive(Clone)]
pub(crate) struct PyCaseResult {
    /// The file.
    #[pyo3(get)]
    file: String,
    /// The case's name.
    #[pyo3(get)]
    name: String,
    /// The rule the case pins, or None.
    #[pyo3(get)]
    why: Option<String>,
    /// The decision expected.
    #[pyo3(get)]
    expected: &'static str,
    /// The decision made.
    #[pyo3(get)]
    actual: &'static str,
    /// The reason for the decision, in words.
    #[pyo3(get)]
    reason: String,
    /// The statements that decided, as `policy-index#Sid`.
    #[pyo3(get)]
    determining: Vec<String>,
    /// Entries of the case's `determining` that were not among the deciding statements.
    #[pyo3(get)]
    missing_determining: Vec<String>,
    /// Problems the evaluator reported, in words.
    #[pyo3(get)]
    problems: Vec<String>,
    /// Whether the case passed.
    #[pyo3(get)]
    passed: bool,
    text: String,
}

impl From<CaseResult> for PyCaseResult {
    fn from(r: CaseResult) -> Self {
        PyCaseResult {
            passed: r.passed(),
            text: r.to_string(),
            file: r.file,
            name: r.name,
            why: r.why,
            expected: r.expected.as_str(),
            actual: r.actual.as_str(),
            reason: r.reason,
            determining: r.determining,
            missing_determining: r.missing_determining,
            problems: r.problems,
        }
    }
}

#[pymethods]
impl PyCaseResult {
    /// The failure block `iam-eval test` prints for a failing case.
    fn __str__(&self) -> &str {
        &self.text
    }
    fn __repr__(&self) -> String {
        format!(
            "<CaseResult {:?} {}>",
            self.name,
            if self.passed { "passed" } else { "failed" }
        )
    }
}

/// The results of running a test file.
#[pyclass(frozen, module = "iam_eval", name = "TestReport")]
pub(crate) struct PyTestReport {
    /// Every case's result, in file order.
    #[pyo3(get)]
    results: Vec<PyCaseResult>,
    /// How many cases passed.
    #[pyo3(get)]
    passed: usize,
    /// How many cases failed.
    #[pyo3(get)]
    failed: usize,
    /// `N passed, M failed`.
    #[pyo3(get)]
    summary: String,
    text: String,
}

impl From<TestReport> for PyTestReport {
    fn from(r: TestReport) -> Self {
        PyTestReport {
            passed: r.passed(),
            failed: r.failed(),
            summary: r.summary(),
            text: r.to_string(),
            results: r.results.into_iter().map(PyCaseResult::from).collect(),
        }
    }
}

#[pymethods]
impl PyTestReport {
    /// The results of the cases that failed.
    #[getter]
    fn failures(&self) -> Vec<PyCaseResult> {
        self.results.iter().filter(|r| !r.passed).cloned().collect()
    }
    /// Whether every case passed.
    #[getter]
    fn ok(&self) -> bool {
        self.failed == 0
    }
    /// Each failure's block and the summary line, as `iam-eval test` prints them.
    fn __str__(&self) -> &str {
        &self.text
    }
    fn __repr__(&self) -> String {
        format!("<TestReport {}>", self.summary)
    }
}
