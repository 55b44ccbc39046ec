//! The exception classes, one per library error type, under a common base, and the
//! conversion of each library error into its exception.
//!
//! An exception's `str()` is the library's rendered diagnostic; its attributes carry the
//! same facts as the Rust error's accessors.

use crate::names::snake;
use crate::policy::PyDiagnostic;
use iam_eval::Diagnostic;
use pyo3::prelude::*;
use pyo3::types::PyList;

pyo3::create_exception!(
    iam_eval,
    IamEvalError,
    pyo3::exceptions::PyException,
    "The base class of every error this package raises for bad policies, requests or test files."
);
pyo3::create_exception!(
    iam_eval,
    ParseError,
    IamEvalError,
    "A policy document could not be parsed.\n\n`diagnostics` lists every problem found, in source order, each with its JSON path, line, column, message and help; `str()` renders them as `iam-eval check` does."
);
pyo3::create_exception!(
    iam_eval,
    ValidationError,
    IamEvalError,
    "A parsed policy breaks a rule of the kind it is used as.\n\n`policy_kind` is the kind it was checked as; `diagnostics` lists every statement at fault."
);
pyo3::create_exception!(
    iam_eval,
    BuildError,
    IamEvalError,
    "A policy could not be added to a set.\n\n`kind` is `duplicate_id` or `invalid_for_kind`; `position` is the entry's index, `policy_id` and `policy_kind` name it, and `diagnostics` lists the rules of its kind it breaks."
);
pyo3::create_exception!(
    iam_eval,
    RequestError,
    IamEvalError,
    "A request could not be built.\n\n`kind` is `missing_principal`, `invalid_principal`, `invalid_action` or `wildcard_action` (and, for columnar input, `missing_action` or `missing_resource` for a null); `message` and `help` say what is wrong and what would be valid; `row` is the row of a batch, or None."
);
pyo3::create_exception!(
    iam_eval,
    ShapeError,
    IamEvalError,
    "A request shape could not be read: a caller, an account or the condition block.\n\n`message` and `help` say what is wrong and what would be valid."
);
pyo3::create_exception!(
    iam_eval,
    TestFileError,
    IamEvalError,
    "A test file could not be read, parsed or built.\n\n`kind` says which (`io`, `not_utf8`, `syntax`, `format`, `policy`, `build`, `request`); `file`, `line` and `column` say where; `message`, `help` and `detail` (a policy's rendered diagnostics) say what."
);

fn diagnostics<'py>(py: Python<'py>, list: &[Diagnostic]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, list.iter().map(|d| PyDiagnostic::from(d.clone())))
}

/// Builds an exception whose `str()` is `text` and sets its attributes.
fn raise<E: pyo3::PyTypeInfo>(
    py: Python<'_>,
    text: String,
    attrs: &[(&str, Bound<'_, PyAny>)],
) -> PyErr {
    let err = PyErr::new::<E, _>(text);
    let value = err.value(py);
    for (name, v) in attrs {
        if let Err(e) = value.setattr(*name, v) {
            return e;
        }
    }
    err
}

fn text(rendered: &str) -> String {
    rendered.trim_end().to_string()
}

/// A [`iam_eval::ParseError`] of the document named `file` (`<string>` for text).
pub(crate) fn parse_error(py: Python<'_>, e: &iam_eval::ParseError, file: &str) -> PyErr {
    match diagnostics(py, e.diagnostics()) {
        Ok(list) => raise::<ParseError>(
            py,
            text(&e.render(file)),
            &[("diagnostics", list.into_any())],
        ),
        Err(err) => err,
    }
}

/// A [`iam_eval::ValidationError`] of the document named `file`.
pub(crate) fn validation_error(py: Python<'_>, e: &iam_eval::ValidationError, file: &str) -> PyErr {
    let attrs = || -> PyResult<Vec<(&'static str, Bound<'_, PyAny>)>> {
        Ok(vec![
            (
                "policy_kind",
                e.policy_kind().as_str().into_pyobject(py)?.into_any(),
            ),
            ("diagnostics", diagnostics(py, e.diagnostics())?.into_any()),
        ])
    };
    match attrs() {
        Ok(a) => {
            let head = format!("not valid as {}", e.policy_kind().with_article());
            raise::<ValidationError>(py, format!("{head}\n{}", text(&e.render(file))), &a)
        }
        Err(err) => err,
    }
}

/// A [`iam_eval::BuildError`].
pub(crate) fn build_error(py: Python<'_>, e: &iam_eval::BuildError) -> PyErr {
    let attrs = || -> PyResult<Vec<(&'static str, Bound<'_, PyAny>)>> {
        Ok(vec![
            ("kind", snake(e.kind()).into_pyobject(py)?.into_any()),
            ("position", e.position().into_pyobject(py)?.into_any()),
            ("policy_id", e.policy_id().into_pyobject(py)?.into_any()),
            (
                "policy_kind",
                e.policy_kind().as_str().into_pyobject(py)?.into_any(),
            ),
            ("diagnostics", diagnostics(py, e.diagnostics())?.into_any()),
        ])
    };
    match attrs() {
        Ok(a) => {
            let mut message = format!(
                "{} policy `{}`: {}",
                e.policy_kind(),
                e.policy_id(),
                e.message()
            );
            if let Some(v) = e.validation() {
                message.push('\n');
                message.push_str(&text(&v.render(e.policy_id())));
            }
            raise::<BuildError>(py, message, &a)
        }
        Err(err) => err,
    }
}

/// A request error of `kind` (a library kind's snake_case name, or one of this
/// package's for columnar input), in `row` of a batch if given.
pub(crate) fn request_error_parts(
    py: Python<'_>,
    kind: &str,
    message: &str,
    help: Option<&str>,
    row: Option<usize>,
) -> PyErr {
    let attrs = || -> PyResult<Vec<(&'static str, Bound<'_, PyAny>)>> {
        Ok(vec![
            ("kind", kind.into_pyobject(py)?.into_any()),
            ("message", message.into_pyobject(py)?.into_any()),
            ("help", help.into_pyobject(py)?.into_any()),
            ("row", row.into_pyobject(py)?.into_any()),
        ])
    };
    match attrs() {
        Ok(a) => {
            let mut s = match row {
                Some(r) => format!("row {r}: {message}"),
                None => message.to_string(),
            };
            if let Some(h) = help {
                s.push_str("\n  help: ");
                s.push_str(h);
            }
            raise::<RequestError>(py, s, &a)
        }
        Err(err) => err,
    }
}

/// A [`iam_eval::RequestError`], in `row` of a batch if given.
pub(crate) fn request_error(
    py: Python<'_>,
    e: &iam_eval::RequestError,
    row: Option<usize>,
) -> PyErr {
    request_error_parts(py, &snake(e.kind()), e.message(), e.help(), row)
}

/// A [`iam_eval::TestFileError`].
pub(crate) fn test_file_error(py: Python<'_>, e: &iam_eval::TestFileError) -> PyErr {
    let attrs = || -> PyResult<Vec<(&'static str, Bound<'_, PyAny>)>> {
        Ok(vec![
            ("kind", snake(e.kind()).into_pyobject(py)?.into_any()),
            ("file", e.file().into_pyobject(py)?.into_any()),
            ("line", e.line().into_pyobject(py)?.into_any()),
            ("column", e.column().into_pyobject(py)?.into_any()),
            ("message", e.message().into_pyobject(py)?.into_any()),
            ("help", e.help().into_pyobject(py)?.into_any()),
            ("detail", e.detail().into_pyobject(py)?.into_any()),
        ])
    };
    match attrs() {
        Ok(a) => raise::<TestFileError>(py, e.to_string(), &a),
        Err(err) => err,
    }
}

/// An [`iam_eval::analysis::ShapeError`].
pub(crate) fn shape_error(py: Python<'_>, e: &iam_eval::analysis::ShapeError) -> PyErr {
    let attrs = || -> PyResult<Vec<(&'static str, Bound<'_, PyAny>)>> {
        Ok(vec![
            ("message", e.message().into_pyobject(py)?.into_any()),
            ("help", e.help().into_pyobject(py)?.into_any()),
        ])
    };
    match attrs() {
        Ok(a) => {
            let mut s = e.message().to_string();
            if let Some(h) = e.help() {
                s.push_str("\n  help: ");
                s.push_str(h);
            }
            raise::<ShapeError>(py, s, &a)
        }
        Err(err) => err,
    }
}
