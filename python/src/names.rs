//! The names Python sees for the library's enums: the snake_case form of each variant.

use iam_eval::PolicyKind;
use pyo3::exceptions::PyValueError;
use pyo3::PyResult;

/// `IdentityAllow` → `identity_allow`. The library's enums are `#[non_exhaustive]`; naming
/// a variant by its `Debug` form keeps a variant added later nameable without a release
/// of this package.
pub(crate) fn snake(value: impl std::fmt::Debug) -> String {
    let camel = format!("{value:?}");
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            // A variant with fields (`Presence { present: true }`) is named by its tag.
            break;
        }
    }
    out
}

/// Reads a policy kind: `identity`, `resource`, `scp`, `rcp`, `boundary` or `session`.
pub(crate) fn kind(name: &str) -> PyResult<PolicyKind> {
    name.parse::<PolicyKind>()
        .map_err(|e| PyValueError::new_err(e.to_string()))
}
