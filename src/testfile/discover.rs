//! Finding test files under folders.

use super::error::{TestFileError, TestFileErrorKind};
use crate::json::JsonKind;
use std::path::{Path, PathBuf};

/// Finds the test files under the given paths: files as given, folders searched
/// recursively for `*.json` files whose top level has a `cases` array. Sorted, so runs
/// are repeatable.
///
/// # Errors
/// A [`TestFileError`] for a path that cannot be read.
pub(crate) fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, TestFileError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| {
            TestFileError::new(
                TestFileErrorKind::Io,
                &p.display().to_string(),
                format!("cannot read: {e}"),
            )
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), TestFileError> {
    let err = |e: std::io::Error| {
        TestFileError::new(
            TestFileErrorKind::Io,
            &dir.display().to_string(),
            format!("cannot read the folder: {e}"),
        )
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") && is_test_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether a JSON file's top level has a `cases` array (policy files do not).
fn is_test_file(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return true;
    };
    match crate::json::parse(&text, 64) {
        Ok(tree) => tree
            .member("cases")
            .is_some_and(|c| matches!(c.kind, JsonKind::Array(_))),
        // A broken file is reported when it is loaded, not skipped.
        Err(_) => text.contains("\"cases\""),
    }
}
