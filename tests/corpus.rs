#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! Runs every policy test file of the project: the examples under `policies/` and the
//! project's own corpus under `tests/corpus/`, through the same code as `iam-eval test`.
//! Every failure and every file that cannot be loaded is printed before the test fails.

use iam_eval::{TestFile, TestReport};
use std::path::{Path, PathBuf};

/// The corpus must not shrink unnoticed: an empty or truncated folder must not pass.
const MIN_CASES: usize = 400;
/// Every corpus file says where its rules come from.
const MIN_CORPUS_FILES: usize = 20;

fn roots() -> Vec<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["policies", "tests/corpus"]
        .iter()
        .map(|d| base.join(d))
        .filter(|p| p.exists())
        .collect()
}

#[test]
fn every_test_file_passes() {
    let files = TestFile::discover(&roots()).expect("the test folders can be read");
    let corpus_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let corpus_files = files.iter().filter(|f| f.starts_with(&corpus_dir)).count();
    assert!(
        corpus_files >= MIN_CORPUS_FILES,
        "expected at least {MIN_CORPUS_FILES} test files under tests/corpus, found {corpus_files}"
    );

    let mut report = TestReport::default();
    let mut load_errors = Vec::new();
    let mut undocumented = Vec::new();
    for path in &files {
        match TestFile::load(path) {
            Ok(file) => {
                if path.starts_with(&corpus_dir) {
                    if file.source().is_none() || file.description().is_none() {
                        undocumented.push(format!(
                            "{}: a corpus file needs `source` and `description`",
                            path.display()
                        ));
                    }
                    for case in file.cases() {
                        if case.why().is_none_or(str::is_empty) {
                            undocumented.push(format!(
                                "{}: case `{}` has no `why`",
                                path.display(),
                                case.name()
                            ));
                        }
                    }
                }
                report.extend(file.run());
            }
            Err(e) => load_errors.push(e.to_string()),
        }
    }

    for e in &load_errors {
        eprintln!("{e}\n");
    }
    for u in &undocumented {
        eprintln!("{u}");
    }
    // The report's Display prints every failure, then the summary line.
    eprintln!("{report}");

    assert!(
        load_errors.is_empty(),
        "{} test file(s) could not be loaded (printed above)",
        load_errors.len()
    );
    assert!(
        undocumented.is_empty(),
        "{} corpus entries lack their documentation (printed above)",
        undocumented.len()
    );
    assert_eq!(
        report.failed(),
        0,
        "{} of {} cases failed (every failure is printed above)",
        report.failed(),
        report.results.len()
    );
    assert!(
        report.results.len() >= MIN_CASES,
        "only {} cases ran; expected at least {MIN_CASES}",
        report.results.len()
    );
}
