//! `Request`, and reading a request from keyword arguments or a dict.

use crate::error;
use crate::names::snake;
use iam_eval::{Principal, PrincipalKind, Request, RequestBuilder};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};

/// An access request: who calls (`principal`), what they do (`action`), to which
/// resource, and the request context.
///
/// `principal` is a caller ARN (`arn:aws:iam::111122223333:user/alice`, a role, a role
/// session, a federated user or an account root), `*` for an anonymous caller,
/// `service:NAME`, `federated:PROVIDER` or `canonical-user:ID`. `action` is
/// `service:ActionName`. `context` maps condition keys (case-insensitive) to a value:
/// a string, bool, int or float for a single-valued key, a list or tuple of them for a
/// multivalued key; a key that is absent (or None) is missing, which differs from an
/// empty string or an empty list. The global keys a real request carries
/// (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username`,
/// `aws:PrincipalIsAWSService`, `aws:PrincipalServiceName`) are derived from the
/// principal unless the context sets them.
///
/// Raises `RequestError` when the principal or the action is not valid.
#[pyclass(frozen, eq, module = "iam_eval", name = "Request")]
#[derive(PartialEq)]
pub(crate) struct PyRequest {
    pub(crate) inner: Request,
}

/// The principal as this package's callers write it (the form `Request` accepts).
pub(crate) fn principal_text(p: &Principal) -> String {
    match p.kind() {
        PrincipalKind::Service => format!("service:{}", p.id()),
        PrincipalKind::WebIdentity => format!("federated:{}", p.id()),
        PrincipalKind::CanonicalUser => format!("canonical-user:{}", p.id()),
        PrincipalKind::Anonymous => "*".into(),
        _ => p.id().to_string(),
    }
}

/// Sets a context key from a Python value; None leaves the key missing.
fn set_context(b: &mut RequestBuilder, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
    if value.is_none() {
        return Ok(());
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for item in value.try_iter()? {
            items.push(scalar(key, &item?)?);
        }
        b.context(key, items);
    } else {
        b.context(key, scalar(key, value)?);
    }
    Ok(())
}

/// A single context value as text: strings as they are, booleans as `true`/`false`,
/// numbers as Python writes them.
fn scalar(key: &str, v: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(if b.is_true() { "true" } else { "false" }.into());
    }
    if v.is_instance_of::<PyInt>() || v.is_instance_of::<PyFloat>() {
        return Ok(v.str()?.to_cow()?.into_owned());
    }
    Err(PyTypeError::new_err(format!(
        "the value of context key `{key}` is a `{}`\n  help: a context value is a str, bool, int or float, or a list of them for a multivalued key",
        v.get_type().name()?
    )))
}

/// Builds a request from its parts with `b`, which is left reset.
pub(crate) fn build(
    py: Python<'_>,
    b: &mut RequestBuilder,
    principal: &str,
    action: &str,
    resource: &str,
    resource_account: Option<&str>,
    context: Option<&Bound<'_, PyAny>>,
) -> PyResult<Request> {
    let principal = principal
        .parse::<Principal>()
        .map_err(|e| error::request_error(py, &e, None))?;
    b.principal_value(principal)
        .action(action)
        .resource(resource);
    if let Some(a) = resource_account {
        b.resource_account(a);
    }
    if let Some(ctx) = context {
        let map = ctx.cast::<PyMapping>().map_err(|_| {
            PyTypeError::new_err(
                "`context` is not a mapping\n  help: pass a dict of condition keys and values",
            )
        })?;
        for item in map.items()?.try_iter()? {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
            let key = k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err("a context key is not a str\n  help: keys are condition keys such as `aws:SourceIp`")
            })?;
            set_context(b, &key.to_cow()?, &v)?;
        }
    }
    b.build().map_err(|e| error::request_error(py, &e, None))
}

const FIELDS: [&str; 5] = [
    "principal",
    "action",
    "resource",
    "resource_account",
    "context",
];

/// Reads a request from a dict in the test-file format: `principal`, `action`,
/// `resource`, optional `resource_account` and `context`.
pub(crate) fn from_dict(
    py: Python<'_>,
    b: &mut RequestBuilder,
    dict: &Bound<'_, PyDict>,
) -> PyResult<Request> {
    for k in dict.keys() {
        let name: String = k.extract()?;
        if !FIELDS.contains(&name.as_str()) {
            return Err(PyValueError::new_err(format!(
                "unknown field `{name}` in a request\n  help: a request has `principal`, `action`, `resource`, `resource_account` and `context`"
            )));
        }
    }
    let text = |name: &str| -> PyResult<Option<String>> {
        match dict.get_item(name)? {
            Some(v) if !v.is_none() => {
                Ok(Some(v.extract::<String>().map_err(|_| {
                    PyTypeError::new_err(format!("`{name}` is not a str"))
                })?))
            }
            _ => Ok(None),
        }
    };
    let required = |name: &str| -> PyResult<String> {
        text(name)?.ok_or_else(|| {
            PyValueError::new_err(format!(
                "the request has no `{name}`\n  help: a request has `principal`, `action` and `resource`"
            ))
        })
    };
    let principal = required("principal")?;
    let action = required("action")?;
    let resource = required("resource")?;
    let account = text("resource_account")?;
    let context = dict.get_item("context")?.filter(|c| !c.is_none());
    build(
        py,
        b,
        &principal,
        &action,
        &resource,
        account.as_deref(),
        context.as_ref(),
    )
}

#[pymethods]
impl PyRequest {
    #[new]
    #[pyo3(signature = (principal, action, resource, *, resource_account=None, context=None))]
    fn new(
        py: Python<'_>,
        principal: &str,
        action: &str,
        resource: &str,
        resource_account: Option<&str>,
        context: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut b = Request::builder();
        build(
            py,
            &mut b,
            principal,
            action,
            resource,
            resource_account,
            context,
        )
        .map(|inner| PyRequest { inner })
    }
    /// Reads a request from a dict in the test-file format: `principal`, `action`,
    /// `resource`, and optionally `resource_account` and `context`.
    ///
    /// Raises `RequestError` for an invalid principal or action, `ValueError` for a
    /// missing or unknown field and `TypeError` for a value of the wrong type.
    #[staticmethod]
    fn from_dict(py: Python<'_>, request: &Bound<'_, PyDict>) -> PyResult<Self> {
        let mut b = Request::builder();
        from_dict(py, &mut b, request).map(|inner| PyRequest { inner })
    }
    /// The caller, as written to create the request (`*` for anonymous,
    /// `service:NAME` for a service).
    #[getter]
    fn principal(&self) -> String {
        principal_text(self.inner.principal())
    }
    /// What kind of caller it is: `user`, `role`, `assumed_role`, `federated_user`,
    /// `root`, `service`, `web_identity`, `canonical_user` or `anonymous`.
    #[getter]
    fn principal_kind(&self) -> String {
        snake(self.inner.principal().kind())
    }
    /// The action, as given (`s3:PutObject`).
    #[getter]
    fn action(&self) -> &str {
        self.inner.action()
    }
    /// The resource ARN.
    #[getter]
    fn resource(&self) -> &str {
        self.inner.resource()
    }
    /// The account that owns the resource, when set.
    #[getter]
    fn resource_account(&self) -> Option<&str> {
        self.inner.resource_account()
    }
    /// The request context, derived keys included: each key as first written, with a
    /// str for a single-valued key and a list of str for a multivalued one.
    #[getter]
    fn context<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in self.inner.context().iter() {
            if v.is_multivalued() {
                d.set_item(k, v.iter().collect::<Vec<_>>())?;
            } else {
                d.set_item(k, v.single().unwrap_or_default())?;
            }
        }
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "Request(principal={:?}, action={:?}, resource={:?})",
            self.principal(),
            self.inner.action(),
            self.inner.resource()
        )
    }
}
