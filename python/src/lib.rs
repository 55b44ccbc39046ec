//! The `iam_eval` Python package: the iam-eval library's public API, wrapped with PyO3.
//!
//! Every decision is made by the Rust library; this crate only converts between Python
//! objects and the library's types. Doc comments on the classes and methods below are
//! the Python docstrings, so they are written for Python users.
//!
//! Modules, one per part of the Python API:
//!
//! - `error`: the exception classes and the conversion of each library error;
//! - `policy`: `Policy`, `Limits`, `Diagnostic`;
//! - `request`: `Request` and reading a request from a dict;
//! - `set`: `PolicySet`, `Response`, `StatementRef`, `Problem`;
//! - `trace`: `Trace` and its parts;
//! - `batch`: `PolicySet.evaluate_many` over lists and Arrow data, and `Decisions`;
//! - `testfile`: `TestFile`, `TestCase`, `TestReport`, `CaseResult`;
//! - `lint`: `Lint`, `Finding`, `check`, `service_reference_version`;
//! - `analysis`: `Shape`, `PolicySet.prove`, `diff`, `equivalent`, `Verdict`,
//!   `Counterexample`.
//!
//! A new part of the library gets a module of its own here, its
//! classes registered in `_native`, its errors deriving from `IamEvalError`.

mod analysis;
mod batch;
mod error;
mod lint;
mod names;
mod policy;
mod request;
mod set;
mod testfile;
mod trace;

use pyo3::prelude::*;

/// The compiled part of the `iam_eval` package; import `iam_eval` instead.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("IamEvalError", py.get_type::<error::IamEvalError>())?;
    m.add("ParseError", py.get_type::<error::ParseError>())?;
    m.add("ValidationError", py.get_type::<error::ValidationError>())?;
    m.add("BuildError", py.get_type::<error::BuildError>())?;
    m.add("RequestError", py.get_type::<error::RequestError>())?;
    m.add("TestFileError", py.get_type::<error::TestFileError>())?;
    m.add("ShapeError", py.get_type::<error::ShapeError>())?;
    m.add_class::<policy::PyDiagnostic>()?;
    m.add_class::<policy::PyLimits>()?;
    m.add_class::<policy::PyPolicy>()?;
    m.add_class::<request::PyRequest>()?;
    m.add_class::<set::PyPolicySet>()?;
    m.add_class::<set::PyResponse>()?;
    m.add_class::<set::PyStatementRef>()?;
    m.add_class::<set::PyProblem>()?;
    m.add_class::<trace::PyTrace>()?;
    m.add_class::<trace::PyPolicyTrace>()?;
    m.add_class::<trace::PyStatementTrace>()?;
    m.add_class::<trace::PyConditionTrace>()?;
    m.add_class::<batch::PyDecisions>()?;
    m.add_class::<testfile::PyTestFile>()?;
    m.add_class::<testfile::PyTestCase>()?;
    m.add_class::<testfile::PyTestReport>()?;
    m.add_class::<testfile::PyCaseResult>()?;
    m.add_class::<lint::PyLint>()?;
    m.add_class::<lint::PyFinding>()?;
    m.add_function(wrap_pyfunction!(lint::check, m)?)?;
    m.add_function(wrap_pyfunction!(lint::service_reference_version, m)?)?;
    m.add_class::<analysis::PyShape>()?;
    m.add_class::<analysis::PyVerdict>()?;
    m.add_class::<analysis::PyCounterexample>()?;
    m.add_function(wrap_pyfunction!(analysis::diff, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::equivalent, m)?)?;
    Ok(())
}
