//! `PolicySet` and what it answers: `Response`, `StatementRef`, `Problem`.

use crate::error;
use crate::names::{self, snake};
use crate::policy::PyPolicy;
use crate::request::{self, PyRequest};
use crate::trace::PyTrace;
use iam_eval::{Decision, Policy, PolicySet, Problem, Request, Response, StatementRef};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use std::sync::Arc;

/// An immutable, compiled set of policies, built from `(kind, id, policy)` entries
/// (`(kind, id, policy, account)` for a resource-based policy on resources whose ARN
/// names no account, such as S3 buckets). `kind` is `identity`, `resource`, `scp`,
/// `rcp`, `boundary` or `session`; `id` names the policy in explanations
/// (`id#Sid`); `policy` is a `Policy` or its JSON text.
///
/// A set can be shared by threads: `evaluate_many` releases the GIL while it decides.
///
/// Raises `BuildError` when a policy breaks a rule of its kind or two ids repeat,
/// `ParseError` for policy text that does not parse, `ValueError` for an unknown kind
/// and `TypeError` for an entry of the wrong shape.
#[pyclass(frozen, module = "iam_eval", name = "PolicySet")]
pub(crate) struct PyPolicySet {
    pub(crate) inner: Arc<PolicySet>,
}

impl PyPolicySet {
    pub(crate) fn new_shared(set: PolicySet) -> Self {
        PyPolicySet {
            inner: Arc::new(set),
        }
    }
}

fn entry_error() -> PyErr {
    PyTypeError::new_err(
        "a policy set entry is not `(kind, id, policy)` or `(kind, id, policy, account)`\n  help: for example `(\"identity\", \"uploader\", Policy.parse(text))`",
    )
}

/// A request argument: a `Request`, or a dict that `Request.from_dict` reads.
pub(crate) fn request_arg(py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Py<PyRequest>> {
    if let Ok(r) = request.cast::<PyRequest>() {
        return Ok(r.clone().unbind());
    }
    if let Ok(d) = request.cast::<PyDict>() {
        let inner = request::from_dict(py, &mut Request::builder(), d)?;
        return Py::new(py, PyRequest { inner });
    }
    Err(PyTypeError::new_err(format!(
        "a request is a `Request` or a dict, not a `{}`",
        request.get_type().name()?
    )))
}

#[pymethods]
impl PyPolicySet {
    #[new]
    fn new(py: Python<'_>, entries: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut builder = PolicySet::builder();
        for entry in entries.try_iter()? {
            let entry = entry?;
            let tuple = entry.cast::<PyTuple>().map_err(|_| entry_error())?;
            if !(3..=4).contains(&tuple.len()) {
                return Err(entry_error());
            }
            let kind: String = tuple.get_item(0)?.extract().map_err(|_| entry_error())?;
            let id: String = tuple.get_item(1)?.extract().map_err(|_| entry_error())?;
            let policy_arg = tuple.get_item(2)?;
            let policy: Policy = if let Ok(p) = policy_arg.cast::<PyPolicy>() {
                p.get().inner.clone()
            } else if let Ok(text) = policy_arg.cast::<PyString>() {
                Policy::parse(&text.to_cow()?).map_err(|e| error::parse_error(py, &e, &id))?
            } else {
                return Err(entry_error());
            };
            let kind = names::kind(&kind)?;
            if tuple.len() == 4 {
                let account: String = tuple.get_item(3)?.extract().map_err(|_| entry_error())?;
                builder.add_owned(kind, id, policy, &account);
            } else {
                builder.add(kind, id, policy);
            }
        }
        builder
            .build()
            .map(PyPolicySet::new_shared)
            .map_err(|e| error::build_error(py, &e))
    }

    /// Decides one request (a `Request` or a dict in the test-file format). Never fails
    /// for a valid request: values it cannot judge are listed in `Response.problems`.
    fn evaluate(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<PyResponse> {
        let request = request_arg(py, request)?;
        Ok(PyResponse::from(&self.inner.evaluate(&request.get().inner)))
    }

    /// Decides a request and explains the decision: every policy, statement and
    /// condition key, with the values compared. Runs the same code as `evaluate`, so the
    /// explanation cannot disagree with the decision.
    fn explain(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<PyTrace> {
        let request = request_arg(py, request)?;
        let (response, trace) = self.inner.explain(&request.get().inner);
        Ok(PyTrace::new(PyResponse::from(&response), trace))
    }

    /// Decides many requests with the GIL released, and returns their decisions as a
    /// `Decisions` column.
    ///
    /// `requests` is a list (or any iterable) of `Request` objects or request dicts, or
    /// columnar data read through the Arrow PyCapsule interface (a pyarrow `Table`,
    /// `RecordBatch` or `RecordBatchReader`, a polars or pandas `DataFrame`): columns
    /// `principal`, `action` and `resource` (strings), optional `resource_account`,
    /// and every other column a context key named by the column. A null is a missing
    /// key; a list column is a multivalued key; booleans, integers and floats are
    /// read as text, as condition operators read them, and timestamps and dates as
    /// ISO 8601 in UTC.
    ///
    /// With `on_error="raise"` (the default) the first invalid request raises
    /// `RequestError` whose `row` says where; with `on_error="null"` its decision is
    /// null. Raises `TypeError` for a column of a type that cannot be a context value
    /// and `ValueError` when a required column is missing.
    ///
    /// `threads`: how many threads decide, each a contiguous slice of the rows. None
    /// (the default) takes one per core for an input large enough to gain from it
    /// (32 768 requests or more per thread) and the calling thread alone otherwise.
    /// The decisions and the error raised are the same whatever the number.
    #[pyo3(signature = (requests, *, on_error="raise", threads=None))]
    fn evaluate_many(
        &self,
        py: Python<'_>,
        requests: &Bound<'_, PyAny>,
        on_error: &str,
        threads: Option<usize>,
    ) -> PyResult<crate::batch::PyDecisions> {
        if threads == Some(0) {
            return Err(PyValueError::new_err(
                "`threads` is 0\n  help: give 1 or more threads, or None for one per core",
            ));
        }
        let nulls = match on_error {
            "raise" => false,
            "null" => true,
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown `on_error` value `{other}`\n  help: use `raise` or `null`"
                )))
            }
        };
        crate::batch::evaluate_many(py, &self.inner, requests, nulls, threads)
    }

    /// Proves that every request of `shape` gets `expect` (`allow`, `deny`: not
    /// allowed, or `explicit_deny`: denied by a `Deny` statement), or finds a request
    /// of the shape that does not, and returns the `Verdict`. The search runs without
    /// the GIL and for at most `deadline` seconds; past it the verdict is `unknown`.
    ///
    /// Raises `ValueError` for an unknown expectation or a deadline that is not a
    /// positive number of seconds.
    #[pyo3(signature = (shape, *, expect, deadline=1.0))]
    fn prove(
        &self,
        py: Python<'_>,
        shape: &crate::analysis::PyShape,
        expect: &str,
        deadline: f64,
    ) -> PyResult<crate::analysis::PyVerdict> {
        crate::analysis::prove(py, self, shape, expect, deadline)
    }

    /// The number of policies in the set.
    fn __len__(&self) -> usize {
        self.inner.len()
    }
    fn __repr__(&self) -> String {
        format!("<PolicySet policies={}>", self.inner.len())
    }
}

/// A statement of a policy in a set, as named in responses: `policy-id#Sid`, or
/// `policy-id#index` for a statement without a `Sid`.
#[pyclass(frozen, eq, module = "iam_eval", name = "StatementRef")]
#[derive(PartialEq, Clone)]
pub(crate) struct PyStatementRef {
    /// The id the policy was added with.
    #[pyo3(get)]
    policy_id: String,
    /// The policy's position among the set's entries, from 0.
    #[pyo3(get)]
    policy_index: usize,
    /// The kind the policy was added as.
    #[pyo3(get)]
    kind: &'static str,
    /// The statement's position in its policy, from 0.
    #[pyo3(get)]
    index: usize,
    /// The statement's `Sid`, or None.
    #[pyo3(get)]
    sid: Option<String>,
    /// `Allow` or `Deny`.
    #[pyo3(get)]
    effect: &'static str,
    label: String,
}

impl From<StatementRef<'_>> for PyStatementRef {
    fn from(s: StatementRef<'_>) -> Self {
        PyStatementRef {
            policy_id: s.policy_id().to_string(),
            policy_index: s.policy_index(),
            kind: s.kind().as_str(),
            index: s.index(),
            sid: s.sid().map(str::to_string),
            effect: s.effect().as_str(),
            label: s.to_string(),
        }
    }
}

#[pymethods]
impl PyStatementRef {
    /// `policy-id#Sid` or `policy-id#index`.
    #[getter]
    fn label(&self) -> &str {
        &self.label
    }
    fn __str__(&self) -> &str {
        &self.label
    }
    fn __repr__(&self) -> String {
        format!(
            "<StatementRef {} ({} {})>",
            self.label, self.kind, self.effect
        )
    }
}

/// Something the evaluator could not judge: a request value it could not read as the
/// operator's type, or a policy variable without a value.
#[pyclass(frozen, module = "iam_eval", name = "Problem")]
#[derive(Clone)]
pub(crate) struct PyProblem {
    /// The statement being evaluated.
    #[pyo3(get)]
    statement: PyStatementRef,
    /// What went wrong: `not_a_number`, `not_a_date`, `not_a_bool`, `not_base64`,
    /// `not_an_ip_address`, `not_an_arn`, `variable_without_value` or
    /// `multivalued_variable`.
    #[pyo3(get)]
    kind: String,
    /// The condition key, or the variable's key.
    #[pyo3(get)]
    key: String,
    /// The offending request value (empty for a variable without a value).
    #[pyo3(get)]
    value: String,
    /// The problem in words.
    #[pyo3(get)]
    message: String,
}

impl From<Problem<'_>> for PyProblem {
    fn from(p: Problem<'_>) -> Self {
        PyProblem {
            statement: p.statement().into(),
            kind: snake(p.kind()),
            key: p.key().to_string(),
            value: p.value().to_string(),
            message: p.to_string(),
        }
    }
}

#[pymethods]
impl PyProblem {
    fn __str__(&self) -> &str {
        &self.message
    }
    fn __repr__(&self) -> String {
        format!("<Problem {}: {}>", self.kind, self.message)
    }
}

/// The answer to one request: the decision, why, the statements that decided, and what
/// could not be judged.
#[pyclass(frozen, module = "iam_eval", name = "Response")]
#[derive(Clone)]
pub(crate) struct PyResponse {
    decision: Decision,
    /// Why, in words (`allowed by the caller's identity-based policy`).
    #[pyo3(get)]
    reason: String,
    /// Why, as a name (`identity_allow`, `explicit_deny`, `no_allow`, ...).
    #[pyo3(get)]
    reason_code: String,
    /// The statements that decided: every `Deny` that applied for an explicit deny,
    /// the `Allow` statements relied on for an allow; at most eight.
    #[pyo3(get)]
    determining: Vec<PyStatementRef>,
    /// How many deciding statements did not fit in `determining`.
    #[pyo3(get)]
    determining_omitted: usize,
    /// Values the evaluator could not read and variables without values; at most two.
    #[pyo3(get)]
    problems: Vec<PyProblem>,
    /// How many problems did not fit in `problems`.
    #[pyo3(get)]
    problems_omitted: usize,
    text: String,
}

impl From<&Response<'_>> for PyResponse {
    fn from(r: &Response<'_>) -> Self {
        PyResponse {
            decision: r.decision(),
            reason: r.reason().to_string(),
            reason_code: snake(r.reason()),
            determining: r.determining().map(PyStatementRef::from).collect(),
            determining_omitted: r.determining_omitted(),
            problems: r.problems().map(PyProblem::from).collect(),
            problems_omitted: r.problems_omitted(),
            text: r.to_string(),
        }
    }
}

#[pymethods]
impl PyResponse {
    /// `allow`, `explicit_deny` or `implicit_deny`.
    #[getter]
    fn decision(&self) -> &'static str {
        self.decision.as_str()
    }
    /// Whether the request is allowed.
    #[getter]
    fn allowed(&self) -> bool {
        self.decision == Decision::Allow
    }
    fn __str__(&self) -> &str {
        &self.text
    }
    fn __repr__(&self) -> String {
        format!("<Response {}>", self.text)
    }
}
