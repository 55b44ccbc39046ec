//! The lints: `Lint`, `Finding`, `Policy.lint`, `Policy.silent_changes`, `check` and
//! `service_reference_version`.

use crate::error;
use crate::names;
use crate::policy::{PyLimits, PyPolicy};
use iam_eval::{Finding, Lint, Policy};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// One kind of finding: a stable kebab-case code (`unknown-action`), a severity, the
/// AWS page the rule follows. `docs/lints.md` documents every code with an example and
/// the fix.
#[pyclass(frozen, eq, hash, module = "iam_eval", name = "Lint")]
#[derive(PartialEq, Eq, Hash, Clone, Copy)]
pub(crate) struct PyLint {
    inner: Lint,
}

#[pymethods]
impl PyLint {
    /// Every lint, in the order `docs/lints.md` lists them.
    #[staticmethod]
    fn all() -> Vec<PyLint> {
        Lint::ALL.iter().map(|&inner| PyLint { inner }).collect()
    }
    /// The lint whose code is `code`, or None.
    #[staticmethod]
    fn from_code(code: &str) -> Option<PyLint> {
        Lint::from_code(code).map(|inner| PyLint { inner })
    }
    /// The stable kebab-case code, such as `unknown-action`.
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code()
    }
    /// The severity of its findings: `error`, `warning`, `security` or `suggestion`.
    #[getter]
    fn severity(&self) -> &'static str {
        self.inner.severity().as_str()
    }
    /// One line saying what the lint finds.
    #[getter]
    fn summary(&self) -> &'static str {
        self.inner.summary()
    }
    /// The AWS documentation page the rule follows.
    #[getter]
    fn url(&self) -> &'static str {
        self.inner.url()
    }
    /// Whether it reads the AWS service reference (actions, resource types, condition
    /// keys), compiled into this package.
    #[getter]
    fn needs_service_reference(&self) -> bool {
        self.inner.needs_service_reference()
    }
    /// Whether its findings are places where AWS silently reads a policy otherwise than
    /// it looks (a variable that is literal text, whitespace that is part of a value).
    #[getter]
    fn changes_meaning(&self) -> bool {
        self.inner.changes_meaning()
    }
    fn __str__(&self) -> &'static str {
        self.inner.code()
    }
    fn __repr__(&self) -> String {
        format!("<Lint {} ({})>", self.inner.code(), self.inner.severity())
    }
}

/// A problem a lint found in a policy: which lint, where (the JSON path of the value,
/// its line and column) and what to do about it.
#[pyclass(frozen, module = "iam_eval", name = "Finding")]
pub(crate) struct PyFinding {
    inner: Finding,
}

#[pymethods]
impl PyFinding {
    /// The lint that found it.
    #[getter]
    fn lint(&self) -> PyLint {
        PyLint {
            inner: self.inner.lint(),
        }
    }
    /// The lint's code, such as `unknown-action`.
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code()
    }
    /// The lint's severity: `error`, `warning`, `security` or `suggestion`.
    #[getter]
    fn severity(&self) -> &'static str {
        self.inner.severity().as_str()
    }
    /// What is wrong.
    #[getter]
    fn message(&self) -> &str {
        self.inner.message()
    }
    /// What to do about it, if there is advice to give.
    #[getter]
    fn help(&self) -> Option<&str> {
        self.inner.help()
    }
    /// The JSON path of the value, such as `Statement[0].Action[1]`.
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
    /// The source line the value is on.
    #[getter]
    fn source_line(&self) -> &str {
        self.inner.source_line()
    }
    /// The finding as `iam-eval check` prints it: `FILE:LINE:COL: warning: message`, the
    /// source line with a marker under the column, the JSON path, the help and the code.
    fn render(&self, file: &str) -> String {
        self.inner.render(file)
    }
    fn __str__(&self) -> String {
        self.inner.to_string()
    }
    fn __repr__(&self) -> String {
        format!(
            "Finding(code={:?}, line={}, column={}, path={:?}, message={:?})",
            self.inner.code(),
            self.inner.line(),
            self.inner.column(),
            self.inner.path(),
            self.inner.message()
        )
    }
}

pub(crate) fn findings(list: Vec<Finding>) -> Vec<PyFinding> {
    list.into_iter().map(|inner| PyFinding { inner }).collect()
}

/// Lints a policy as `iam-eval check` does and returns the findings, in source order.
///
/// `policy` is a `Policy` or its JSON text. With `kind` (`identity`, `resource`, `scp`,
/// `rcp`, `boundary` or `session`) the policy is checked against the rules of that
/// kind first and linted as that kind; without, a statement with a `Principal` is
/// linted as resource-based and the others as identity-based.
///
/// Raises `ParseError` for text that is not a valid policy, `ValidationError` when the
/// policy breaks a rule of `kind`, `ValueError` for an unknown kind.
#[pyfunction]
#[pyo3(signature = (policy, *, kind=None, limits=None))]
pub(crate) fn check(
    py: Python<'_>,
    policy: &Bound<'_, PyAny>,
    kind: Option<&str>,
    limits: Option<&Bound<'_, PyLimits>>,
) -> PyResult<Vec<PyFinding>> {
    let kind = kind.map(names::kind).transpose()?;
    let parsed;
    let policy: &Policy = match policy.cast::<PyPolicy>() {
        Ok(p) => &p.get().inner,
        Err(_) => {
            let Ok(text) = policy.extract::<String>() else {
                return Err(PyTypeError::new_err(format!(
                    "a policy is a `Policy` or JSON text, not a `{}`",
                    policy.get_type().name()?
                )));
            };
            let limits = limits.map(|l| l.get().inner).unwrap_or_default();
            parsed = Policy::parse_with_limits(&text, &limits)
                .map_err(|e| error::parse_error(py, &e, "<string>"))?;
            &parsed
        }
    };
    Ok(findings(match kind {
        Some(kind) => {
            policy
                .validate(kind)
                .map_err(|e| error::validation_error(py, &e, "<policy>"))?;
            policy.lint_as(kind)
        }
        None => policy.lint(),
    }))
}

/// The version of the AWS service reference data the lints read, as the `iam-eval`
/// command's `--version` shows it.
#[pyfunction]
pub(crate) fn service_reference_version() -> Option<&'static str> {
    iam_eval::service_reference_version()
}
