//! `Trace` and its parts: the explanation of one decision, down to each condition key.

use crate::names::snake;
use crate::set::PyResponse;
use iam_eval::{ConditionTrace, PolicyTrace, StatementTrace, Trace};
use pyo3::prelude::*;

/// One condition key under one operator, as evaluated for the request.
#[pyclass(frozen, module = "iam_eval", name = "ConditionTrace")]
#[derive(Clone)]
pub(crate) struct PyConditionTrace {
    /// The operator with its qualifiers, as written (`ForAnyValue:StringLike`).
    #[pyo3(get)]
    operator: String,
    /// The condition key as written in the policy.
    #[pyo3(get)]
    key: String,
    /// The request's values for the key; None when the key is missing.
    #[pyo3(get)]
    request_values: Option<Vec<String>>,
    /// The policy's values, as written.
    #[pyo3(get)]
    policy_values: Vec<String>,
    /// Whether the condition held (false when it does not hold or cannot be judged).
    #[pyo3(get)]
    matched: bool,
    /// How the outcome came about: `compared`, `missing`, `missing_if_exists`,
    /// `missing_for_all_values`, `missing_for_any_value`, `empty_set`, `presence` or
    /// `unjudged`.
    #[pyo3(get)]
    outcome: String,
}

impl From<&ConditionTrace> for PyConditionTrace {
    fn from(c: &ConditionTrace) -> Self {
        PyConditionTrace {
            operator: c.operator.to_string(),
            key: c.key.to_string(),
            request_values: c.request_values.clone(),
            policy_values: c.policy_values.to_vec(),
            matched: c.matched,
            outcome: snake(c.outcome),
        }
    }
}

#[pymethods]
impl PyConditionTrace {
    fn __repr__(&self) -> String {
        format!(
            "<ConditionTrace {} {} matched={}>",
            self.operator,
            self.key,
            if self.matched { "True" } else { "False" }
        )
    }
}

/// One statement, as evaluated for the request.
#[pyclass(frozen, module = "iam_eval", name = "StatementTrace")]
#[derive(Clone)]
pub(crate) struct PyStatementTrace {
    /// `policy-id#Sid` or `policy-id#index`.
    #[pyo3(get)]
    label: String,
    /// `Allow` or `Deny`.
    #[pyo3(get)]
    effect: &'static str,
    /// How the `Action`/`NotAction` element went: `matched`, `not_matched`, `absent` or
    /// `skipped` (not evaluated because an earlier element did not match).
    #[pyo3(get)]
    action: String,
    /// How the `Resource`/`NotResource` element went, as for `action`.
    #[pyo3(get)]
    resource: String,
    /// How the `Principal`/`NotPrincipal` element went, as for `action`.
    #[pyo3(get)]
    principal: String,
    /// Each condition key evaluated, in order; evaluation stops at the first false one.
    #[pyo3(get)]
    conditions: Vec<PyConditionTrace>,
    /// Whether the statement applies to the request.
    #[pyo3(get)]
    applies: bool,
    /// A note, such as how a resource-policy grant counts, or None.
    #[pyo3(get)]
    note: Option<&'static str>,
}

impl From<&StatementTrace> for PyStatementTrace {
    fn from(s: &StatementTrace) -> Self {
        PyStatementTrace {
            label: s.label.to_string(),
            effect: s.effect.as_str(),
            action: snake(s.action),
            resource: snake(s.resource),
            principal: snake(s.principal),
            conditions: s.conditions.iter().map(PyConditionTrace::from).collect(),
            applies: s.applies,
            note: s.note,
        }
    }
}

#[pymethods]
impl PyStatementTrace {
    fn __repr__(&self) -> String {
        format!(
            "<StatementTrace {} {} applies={}>",
            self.effect,
            self.label,
            if self.applies { "True" } else { "False" }
        )
    }
}

/// One policy of the set, as evaluated for the request.
#[pyclass(frozen, module = "iam_eval", name = "PolicyTrace")]
#[derive(Clone)]
pub(crate) struct PyPolicyTrace {
    /// The id the policy was added with.
    #[pyo3(get)]
    id: String,
    /// The kind it is used as.
    #[pyo3(get)]
    kind: &'static str,
    /// Whether it takes part in this request (an SCP does not apply to an anonymous
    /// caller, for instance).
    #[pyo3(get)]
    applies: bool,
    /// Why it does not apply, or None.
    #[pyo3(get)]
    note: Option<String>,
    /// Its statements.
    #[pyo3(get)]
    statements: Vec<PyStatementTrace>,
}

impl From<&PolicyTrace> for PyPolicyTrace {
    fn from(p: &PolicyTrace) -> Self {
        PyPolicyTrace {
            id: p.id.to_string(),
            kind: p.kind.as_str(),
            applies: p.applies,
            note: p.note.clone(),
            statements: p.statements.iter().map(PyStatementTrace::from).collect(),
        }
    }
}

#[pymethods]
impl PyPolicyTrace {
    fn __repr__(&self) -> String {
        format!("<PolicyTrace {} policy {}>", self.kind, self.id)
    }
}

/// The explanation of one decision: the response, every policy and statement of the
/// set, and every condition key with the values compared. `str()` is the text
/// `iam-eval eval --explain` prints; `to_json()` the JSON of `--format json`.
#[pyclass(frozen, module = "iam_eval", name = "Trace")]
pub(crate) struct PyTrace {
    /// The response, as `PolicySet.evaluate` gives it.
    #[pyo3(get)]
    response: PyResponse,
    /// Every policy in the set, in the order added.
    #[pyo3(get)]
    policies: Vec<PyPolicyTrace>,
    trace: Trace,
}

impl PyTrace {
    pub(crate) fn new(response: PyResponse, trace: Trace) -> Self {
        PyTrace {
            response,
            policies: trace.policies.iter().map(PyPolicyTrace::from).collect(),
            trace,
        }
    }
}

#[pymethods]
impl PyTrace {
    /// `allow`, `explicit_deny` or `implicit_deny`.
    #[getter]
    fn decision(&self) -> &'static str {
        self.trace.decision.as_str()
    }
    /// Why, in words.
    #[getter]
    fn reason(&self) -> String {
        self.trace.reason.to_string()
    }
    /// Every statement that decided (not capped, unlike `Response.determining`), as
    /// `policy-id#Sid` labels.
    #[getter]
    fn determining(&self) -> Vec<String> {
        self.trace
            .determining
            .iter()
            .map(ToString::to_string)
            .collect()
    }
    /// Problems met, in words.
    #[getter]
    fn problems(&self) -> Vec<String> {
        self.trace.problems.clone()
    }
    /// The caller, as explanations name it.
    #[getter]
    fn principal(&self) -> &str {
        &self.trace.principal
    }
    /// The action.
    #[getter]
    fn action(&self) -> &str {
        &self.trace.action
    }
    /// The resource.
    #[getter]
    fn resource(&self) -> &str {
        &self.trace.resource
    }
    /// The account taken to own the resource, or None when unknown.
    #[getter]
    fn resource_account(&self) -> Option<&str> {
        self.trace.resource_account.as_deref()
    }
    /// Whether caller and resource are in the same account.
    #[getter]
    fn same_account(&self) -> bool {
        self.trace.same_account
    }
    /// The explanation as text, as `iam-eval eval --explain` prints it.
    #[getter]
    fn text(&self) -> String {
        self.trace.to_string()
    }
    /// The explanation as pretty-printed JSON.
    fn to_json(&self) -> String {
        self.trace.to_json()
    }
    fn __str__(&self) -> String {
        self.trace.to_string()
    }
    fn __repr__(&self) -> String {
        format!("<Trace {} ({})>", self.trace.decision, self.trace.reason)
    }
}
