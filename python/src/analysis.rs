//! Proving: `Shape`, `PolicySet.prove`, `diff`, `equivalent`, and their answer,
//! `Verdict`, with its `Counterexample`.

use crate::error;
use crate::request::PyRequest;
use crate::set::{PyPolicySet, PyResponse};
use crate::trace::PyTrace;
use iam_eval::analysis::{self, Expect, Options, Shape, Stats, Verdict};
use iam_eval::PolicySet;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use std::time::Duration;

/// A set of requests a question is about: who asks (`principals`, `principal_accounts`,
/// `any_principal`), which actions (`actions`, patterns such as `s3:Put*`) on which
/// resources (`resources`, ARN patterns), the account that owns them
/// (`resource_account`, for ARNs that name none), and what the context may hold: an IAM
/// `Condition` block (`condition`, a dict or its JSON text) read exactly as in a
/// policy. A list left empty means everything: any caller, every action, every
/// resource; a context key the condition does not name may hold anything or be absent.
/// `multivalued` names keys that requests may give as lists.
///
/// Callers are written as `Request` takes them: an IAM ARN, `*` (anonymous),
/// `service:NAME`, `federated:PROVIDER` or `canonical-user:ID`.
///
/// Raises `ShapeError` for a caller, account or condition that cannot be read.
#[pyclass(frozen, module = "iam_eval", name = "Shape")]
pub(crate) struct PyShape {
    inner: Shape,
}

#[pymethods]
impl PyShape {
    #[new]
    #[pyo3(signature = (*, principals=Vec::new(), principal_accounts=Vec::new(), any_principal=false, actions=Vec::new(), resources=Vec::new(), resource_account=None, condition=None, multivalued=Vec::new()))]
    #[expect(
        clippy::too_many_arguments,
        reason = "the keyword arguments of the Python constructor, one per part of a shape"
    )]
    fn new(
        py: Python<'_>,
        principals: Vec<String>,
        principal_accounts: Vec<String>,
        any_principal: bool,
        actions: Vec<String>,
        resources: Vec<String>,
        resource_account: Option<String>,
        condition: Option<&Bound<'_, PyAny>>,
        multivalued: Vec<String>,
    ) -> PyResult<Self> {
        let mut b = Shape::builder();
        for p in &principals {
            b.principal(p);
        }
        for a in &principal_accounts {
            b.principal_account(a);
        }
        if any_principal {
            b.any_principal();
        }
        for a in &actions {
            b.action(a);
        }
        for r in &resources {
            b.resource(r);
        }
        if let Some(a) = &resource_account {
            b.resource_account(a);
        }
        if let Some(c) = condition {
            let text = if let Ok(s) = c.cast::<PyString>() {
                s.to_cow()?.into_owned()
            } else if c.is_instance_of::<PyDict>() {
                let json = py.import("json")?;
                json.call_method1("dumps", (c,))?.extract::<String>()?
            } else {
                return Err(PyTypeError::new_err(format!(
                    "a condition is a dict or its JSON text, not a `{}`",
                    c.get_type().name()?
                )));
            };
            b.condition_json(&text);
        }
        for k in &multivalued {
            b.multivalued(k);
        }
        b.build()
            .map(|inner| PyShape { inner })
            .map_err(|e| error::shape_error(py, &e))
    }
    /// The callers, as written: an account's IAM principals as `account:ID`, and
    /// `any` for every caller (what a shape given no caller has).
    #[getter]
    fn principals(&self) -> Vec<String> {
        self.inner
            .principals()
            .iter()
            .map(|p| match p {
                analysis::ShapePrincipal::Caller(p) => crate::request::principal_text(p),
                analysis::ShapePrincipal::Account(a) => format!("account:{a}"),
                _ => "any".to_string(),
            })
            .collect()
    }
    /// The action patterns, as written (`*` for a shape given none).
    #[getter]
    fn actions(&self) -> Vec<String> {
        self.inner.actions().to_vec()
    }
    /// The resource patterns, as written (`*` for a shape given none).
    #[getter]
    fn resources(&self) -> Vec<String> {
        self.inner.resources().to_vec()
    }
    /// The account that owns the resource, when the shape fixes it.
    #[getter]
    fn resource_account(&self) -> Option<&str> {
        self.inner.resource_account()
    }
    /// The `Condition` block as JSON text, if any.
    #[getter]
    fn condition(&self) -> Option<&str> {
        self.inner.condition()
    }
    fn __repr__(&self) -> String {
        format!(
            "<Shape principals={:?} actions={:?} resources={:?}>",
            self.principals(),
            self.inner.actions(),
            self.inner.resources()
        )
    }
}

/// A request that refutes a claim, confirmed by evaluating it: the request, the
/// response it gets (for `diff` and `equivalent`, from the second set) and its
/// explanation, and for a comparison the response of the first set.
#[pyclass(frozen, module = "iam_eval", name = "Counterexample")]
pub(crate) struct PyCounterexample {
    /// The request.
    #[pyo3(get)]
    request: Py<PyRequest>,
    /// The response the request gets (for `diff` and `equivalent`, from the second
    /// set).
    #[pyo3(get)]
    response: Py<PyResponse>,
    /// For `diff` and `equivalent`: the response of the first set.
    #[pyo3(get)]
    before: Option<Py<PyResponse>>,
    /// The explanation of the decision (for a comparison, by the second set).
    #[pyo3(get)]
    trace: Py<PyTrace>,
    inner: analysis::Counterexample,
}

#[pymethods]
impl PyCounterexample {
    /// The decision the request gets: `allow`, `explicit_deny` or `implicit_deny`.
    #[getter]
    fn decision(&self) -> &'static str {
        self.inner.decision().as_str()
    }
    /// What `prove` expected (`allow`, `deny` or `explicit_deny`), which the decision
    /// does not meet; None for a comparison.
    #[getter]
    fn expected(&self) -> Option<&'static str> {
        self.inner.expected().map(Expect::as_str)
    }
    /// The request as a test-file case that pins its decision, as JSON text, named
    /// `name`: ready to paste into a test file's `cases`.
    fn to_test_case(&self, name: &str) -> String {
        self.inner.to_test_case(name)
    }
    fn __repr__(&self) -> String {
        let r = &self.request.get().inner;
        format!(
            "<Counterexample {} {} {} -> {}>",
            crate::request::principal_text(r.principal()),
            r.action(),
            r.resource(),
            self.decision()
        )
    }
}

/// The answer to a question: `verdict` is `proved` (no request of the shape refutes
/// the claim), `counterexample` (one does: `counterexample` shows it, confirmed by
/// evaluating it) or `unknown` (neither could be shown within the deadline or the
/// fragment the analysis decides exactly: `reason` says why).
#[pyclass(frozen, module = "iam_eval", name = "Verdict")]
pub(crate) struct PyVerdict {
    /// `proved`, `counterexample` or `unknown`.
    #[pyo3(get)]
    verdict: &'static str,
    /// The request that refutes the claim, for `counterexample`; else None.
    #[pyo3(get)]
    counterexample: Option<Py<PyCounterexample>>,
    /// Why there is no answer, for `unknown`; else None.
    #[pyo3(get)]
    reason: Option<String>,
    /// What kind of reason, for `unknown`: `budget` (the deadline or another limit ran
    /// out), `unsupported` (a construct outside the fragment decided exactly) or
    /// `internal`; else None.
    #[pyo3(get)]
    unknown_kind: Option<String>,
    stats: Stats,
}

#[pymethods]
impl PyVerdict {
    /// Whether the claim is proved.
    #[getter]
    fn proved(&self) -> bool {
        self.verdict == "proved"
    }
    /// The work the question took: a dict with `principal_cases` (cases of caller
    /// considered), `conflicts` (of the search), `unconfirmed` (models the search found
    /// that evaluation did not confirm) and `seconds` (wall-clock time).
    #[getter]
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("principal_cases", self.stats.principal_cases)?;
        d.set_item("conflicts", self.stats.conflicts)?;
        d.set_item("unconfirmed", self.stats.unconfirmed)?;
        d.set_item("seconds", self.stats.elapsed.as_secs_f64())?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        match (&self.counterexample, &self.reason) {
            (Some(c), _) => format!("<Verdict counterexample {}>", c.get().__repr__()),
            (None, Some(r)) => format!("<Verdict unknown: {r}>"),
            (None, None) => format!("<Verdict {}>", self.verdict),
        }
    }
}

fn options(deadline: f64) -> PyResult<Options> {
    if !(deadline.is_finite() && deadline > 0.0) {
        return Err(PyValueError::new_err(format!(
            "`deadline` is {deadline}\n  help: give a number of seconds above 0"
        )));
    }
    Ok(Options::default().deadline(Duration::from_secs_f64(deadline.min(86_400.0))))
}

/// Wraps a verdict; `old` is the first set of a comparison, `new` the set that decided.
fn verdict(
    py: Python<'_>,
    v: Verdict,
    old: Option<&PolicySet>,
    new: &PolicySet,
) -> PyResult<PyVerdict> {
    let stats = v.stats();
    let mut out = PyVerdict {
        verdict: "proved",
        counterexample: None,
        reason: None,
        unknown_kind: None,
        stats,
    };
    match v {
        Verdict::Proved(_) => {}
        Verdict::Counterexample(c, _) => {
            out.verdict = "counterexample";
            let request = c.request().clone();
            // The response and explanation of the set that decided, as `evaluate` and
            // `explain` give them; the analysis confirmed the decision with the same.
            let (response, trace) = new.explain(&request);
            let response = PyResponse::from(&response);
            let before = old.map(|o| PyResponse::from(&o.evaluate(&request)));
            let cx = PyCounterexample {
                response: Py::new(py, response.clone())?,
                before: before.map(|b| Py::new(py, b)).transpose()?,
                trace: Py::new(py, PyTrace::new(response, trace))?,
                request: Py::new(py, PyRequest { inner: request })?,
                inner: *c,
            };
            out.counterexample = Some(Py::new(py, cx)?);
        }
        Verdict::Unknown(u, _) => {
            out.verdict = "unknown";
            out.reason = Some(u.message().to_string());
            out.unknown_kind = Some(crate::names::snake(u.kind()));
        }
        _ => {
            out.verdict = "unknown";
            out.reason = Some("the analysis gave an answer this package does not know".into());
        }
    }
    Ok(out)
}

fn expect(name: &str) -> PyResult<Expect> {
    Expect::parse(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown expectation `{name}`\n  help: use `allow`, `deny` or `explicit_deny`"
        ))
    })
}

/// Proves that every request of `shape` gets `expect` from `set`, or finds one that
/// does not. Runs without the GIL.
pub(crate) fn prove(
    py: Python<'_>,
    set: &PyPolicySet,
    shape: &PyShape,
    expect_name: &str,
    deadline: f64,
) -> PyResult<PyVerdict> {
    let e = expect(expect_name)?;
    let o = options(deadline)?;
    let s = &set.inner;
    let v = py.detach(|| analysis::always_with(s, &shape.inner, e, &o));
    verdict(py, v, None, s)
}

/// Whether `new` allows nothing of `shape` that `old` does not: `proved`, or a
/// `counterexample` request that `new` allows and `old` does not (its `response` is
/// `new`'s, its `before` is `old`'s). Runs without the GIL.
///
/// Raises `ValueError` for a deadline that is not a positive number of seconds.
#[pyfunction]
#[pyo3(signature = (old, new, shape, *, deadline=1.0))]
pub(crate) fn diff(
    py: Python<'_>,
    old: &PyPolicySet,
    new: &PyPolicySet,
    shape: &PyShape,
    deadline: f64,
) -> PyResult<PyVerdict> {
    let o = options(deadline)?;
    let (a, b) = (&old.inner, &new.inner);
    let v = py.detach(|| analysis::diff_with(a, b, &shape.inner, &o));
    verdict(py, v, Some(a), b)
}

/// Whether `a` and `b` allow exactly the same requests of `shape`: both `diff`s. A
/// `counterexample` is a request one allows and the other does not (its `response` is
/// the allowing set's, its `before` the other's). Runs without the GIL.
///
/// Raises `ValueError` for a deadline that is not a positive number of seconds.
#[pyfunction]
#[pyo3(signature = (a, b, shape, *, deadline=1.0))]
pub(crate) fn equivalent(
    py: Python<'_>,
    a: &PyPolicySet,
    b: &PyPolicySet,
    shape: &PyShape,
    deadline: f64,
) -> PyResult<PyVerdict> {
    let o = options(deadline)?;
    let (x, y) = (&a.inner, &b.inner);
    let v = py.detach(|| analysis::equivalent_with(x, y, &shape.inner, &o));
    // Which direction refuted it: the set that allows the request decided it.
    if let Verdict::Counterexample(c, _) = &v {
        if y.evaluate(c.request()).decision() != iam_eval::Decision::Allow {
            return verdict(py, v, Some(y), x);
        }
    }
    verdict(py, v, Some(x), y)
}
