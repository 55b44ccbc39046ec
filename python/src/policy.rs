//! `Policy`, `Limits` and `Diagnostic`.

use crate::error;
use crate::names;
use iam_eval::{Diagnostic, Limits, Policy};
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::path::PathBuf;

/// One problem found in a policy document: where it is and what is wrong.
#[pyclass(frozen, module = "iam_eval", name = "Diagnostic")]
pub(crate) struct PyDiagnostic {
    inner: Diagnostic,
}

impl From<Diagnostic> for PyDiagnostic {
    fn from(inner: Diagnostic) -> Self {
        PyDiagnostic { inner }
    }
}

#[pymethods]
impl PyDiagnostic {
    /// The JSON path of the element, such as `Statement[1].Condition.StringNotEquals`;
    /// empty for the document itself.
    #[getter]
    fn path(&self) -> &str {
        self.inner.path()
    }
    /// The 1-based line in the source.
    #[getter]
    fn line(&self) -> usize {
        self.inner.line()
    }
    /// The 1-based column in the source, counted in characters.
    #[getter]
    fn column(&self) -> usize {
        self.inner.column()
    }
    /// What is wrong.
    #[getter]
    fn message(&self) -> &str {
        self.inner.message()
    }
    /// What would be valid, if there is advice to give.
    #[getter]
    fn help(&self) -> Option<&str> {
        self.inner.help()
    }
    /// The source line the problem is on.
    #[getter]
    fn source_line(&self) -> &str {
        self.inner.source_line()
    }
    /// The diagnostic as `iam-eval check` prints it: `FILE:LINE:COL: error: message`,
    /// the source line with a marker, the JSON path and the help line.
    fn render(&self, file: &str) -> String {
        self.inner.render(file)
    }
    fn __str__(&self) -> String {
        self.inner.to_string()
    }
    fn __repr__(&self) -> String {
        format!(
            "Diagnostic(line={}, column={}, path={:?}, message={:?})",
            self.inner.line(),
            self.inner.column(),
            self.inner.path(),
            self.inner.message()
        )
    }
}

/// Size limits applied when a policy is parsed; policies come from customers, so every
/// dimension that costs memory or time has one. Arguments left out keep their defaults
/// (256 KiB not counting whitespace, nesting depth 32, 4096 statements, 50000 values in
/// a policy, 4096 bytes in a value): every AWS managed policy fits them.
#[pyclass(frozen, eq, module = "iam_eval", name = "Limits")]
#[derive(PartialEq)]
pub(crate) struct PyLimits {
    pub(crate) inner: Limits,
}

#[pymethods]
impl PyLimits {
    #[new]
    #[pyo3(signature = (*, max_policy_bytes=None, max_depth=None, max_statements=None, max_values=None, max_pattern_len=None))]
    fn new(
        max_policy_bytes: Option<usize>,
        max_depth: Option<usize>,
        max_statements: Option<usize>,
        max_values: Option<usize>,
        max_pattern_len: Option<usize>,
    ) -> Self {
        let mut l = Limits::default();
        if let Some(n) = max_policy_bytes {
            l = l.with_max_policy_bytes(n);
        }
        if let Some(n) = max_depth {
            l = l.with_max_depth(n);
        }
        if let Some(n) = max_statements {
            l = l.with_max_statements(n);
        }
        if let Some(n) = max_values {
            l = l.with_max_values(n);
        }
        if let Some(n) = max_pattern_len {
            l = l.with_max_pattern_len(n);
        }
        PyLimits { inner: l }
    }
    /// The largest policy accepted, in bytes not counting whitespace (as AWS counts).
    #[getter]
    fn max_policy_bytes(&self) -> usize {
        self.inner.max_policy_bytes()
    }
    /// The deepest JSON nesting accepted.
    #[getter]
    fn max_depth(&self) -> usize {
        self.inner.max_depth()
    }
    /// The most statements in one policy.
    #[getter]
    fn max_statements(&self) -> usize {
        self.inner.max_statements()
    }
    /// The most values in one policy, all lists together (actions, resources, principals,
    /// condition values).
    #[getter]
    fn max_values(&self) -> usize {
        self.inner.max_values()
    }
    /// The longest single value (pattern, ARN, condition value), in bytes.
    #[getter]
    fn max_pattern_len(&self) -> usize {
        self.inner.max_pattern_len()
    }
    fn __repr__(&self) -> String {
        format!(
            "Limits(max_policy_bytes={}, max_depth={}, max_statements={}, max_values={}, max_pattern_len={})",
            self.max_policy_bytes(),
            self.max_depth(),
            self.max_statements(),
            self.max_values(),
            self.max_pattern_len()
        )
    }
}

/// A parsed policy document: an identity-based policy, a bucket or key policy, an SCP,
/// an RCP, a permissions boundary or a session policy (what it is used as is said when
/// it is added to a `PolicySet`).
///
/// Two policies are equal when they mean the same: layout and positions are not
/// compared.
#[pyclass(frozen, eq, module = "iam_eval", name = "Policy")]
#[derive(PartialEq)]
pub(crate) struct PyPolicy {
    pub(crate) inner: Policy,
}

fn limits_of(limits: Option<&Bound<'_, PyLimits>>) -> Limits {
    limits.map(|l| l.get().inner).unwrap_or_default()
}

#[pymethods]
impl PyPolicy {
    /// Parses a policy document.
    ///
    /// Raises `ParseError` listing every problem in the document (JSON syntax, unknown
    /// or duplicate elements, values of the wrong type, size limits), each with its JSON
    /// path, line and column.
    #[staticmethod]
    #[pyo3(signature = (text, *, limits=None))]
    fn parse(py: Python<'_>, text: &str, limits: Option<&Bound<'_, PyLimits>>) -> PyResult<Self> {
        Policy::parse_with_limits(text, &limits_of(limits))
            .map(|inner| PyPolicy { inner })
            .map_err(|e| error::parse_error(py, &e, "<string>"))
    }
    /// Reads and parses a policy file.
    ///
    /// Raises `OSError` when the file cannot be read and `ParseError` (whose text names
    /// the file) when it is not a valid policy.
    #[staticmethod]
    #[pyo3(signature = (path, *, limits=None))]
    fn from_file(
        py: Python<'_>,
        path: PathBuf,
        limits: Option<&Bound<'_, PyLimits>>,
    ) -> PyResult<Self> {
        let bytes = std::fs::read(&path)?;
        Policy::parse_bytes(&bytes, &limits_of(limits))
            .map(|inner| PyPolicy { inner })
            .map_err(|e| error::parse_error(py, &e, &path.display().to_string()))
    }
    /// Checks the rules that depend on what the policy is used as (`identity`,
    /// `resource`, `scp`, `rcp`, `boundary` or `session`): `Principal` is required in
    /// resource-based policies and RCPs and forbidden elsewhere, `Resource` is required
    /// except in resource-based policies.
    ///
    /// Raises `ValidationError` listing every statement at fault, and `ValueError` for
    /// an unknown kind.
    fn validate(&self, py: Python<'_>, kind: &str) -> PyResult<()> {
        self.inner
            .validate(names::kind(kind)?)
            .map_err(|e| error::validation_error(py, &e, "<policy>"))
    }
    /// Runs every lint on the policy and returns the findings, in source order: as
    /// `kind` (`identity`, `resource`, `scp`, `rcp`, `boundary` or `session`) when
    /// given, else reading a statement with a `Principal` as resource-based and the
    /// others as identity-based. `iam_eval.check` also checks the rules of the kind.
    ///
    /// Raises `ValueError` for an unknown kind.
    #[pyo3(signature = (kind=None))]
    fn lint(&self, kind: Option<&str>) -> PyResult<Vec<crate::lint::PyFinding>> {
        Ok(crate::lint::findings(match kind {
            Some(kind) => self.inner.lint_as(names::kind(kind)?),
            None => self.inner.lint(),
        }))
    }
    /// The findings of the lints that change meaning: where AWS silently reads the
    /// policy otherwise than it looks (a `${...}` variable in a policy without
    /// `Version` 2012-10-17 is literal text; whitespace around a value is part of it).
    fn silent_changes(&self) -> Vec<crate::lint::PyFinding> {
        crate::lint::findings(self.inner.silent_changes())
    }
    /// The policy as JSON text.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }
    /// The `Id` element, or None.
    #[getter]
    fn id(&self) -> Option<&str> {
        self.inner.id()
    }
    /// The `Version` element (`2012-10-17` or `2008-10-17`), or None.
    #[getter]
    fn version(&self) -> Option<&'static str> {
        self.inner.version().map(|v| v.as_str())
    }
    /// The `Sid` of each statement in document order, None for a statement without one.
    #[getter]
    fn sids(&self) -> Vec<Option<&str>> {
        self.inner.statements().iter().map(|s| s.sid()).collect()
    }
    /// The number of statements.
    fn __len__(&self) -> usize {
        self.inner.statements().len()
    }
    fn __str__(&self) -> String {
        self.inner.to_json()
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let id = match self.inner.id() {
            Some(id) => PyString::new(py, id).repr()?.to_string(),
            None => "None".into(),
        };
        Ok(format!(
            "<Policy id={id} statements={}>",
            self.inner.statements().len()
        ))
    }
}
