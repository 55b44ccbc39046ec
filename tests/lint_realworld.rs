#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly"
)]
//! The lints over the shared real-world corpus (`../shared/realworld` beside the checkout;
//! skipped where absent): no finding of severity `error` on a document AWS accepts, and no
//! more than 1 % of the AWS managed policies with an unknown action.

#![cfg(feature = "service-ref")]

use iam_eval::{Limits, Policy, Severity};
use std::path::PathBuf;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld")
}

#[test]
fn lints_over_the_real_world_corpus() {
    let root = corpus();
    let Ok(folders) = std::fs::read_dir(&root) else {
        eprintln!("skipped: {} not found", root.display());
        return;
    };
    let limits = Limits::default().with_max_policy_bytes(1 << 24);
    let (mut managed, mut unknown_action, mut documents) = (0usize, 0usize, 0usize);
    for folder in folders {
        let folder = folder.unwrap().path();
        if !folder.is_dir() || folder.ends_with("cases") {
            continue;
        }
        let is_managed = folder.ends_with("managed-iamdataset");
        for file in std::fs::read_dir(&folder).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(policy) = Policy::parse_bytes(&std::fs::read(&file).unwrap(), &limits) else {
                continue;
            };
            documents += 1;
            let findings = policy.lint();
            let errors: Vec<_> = findings
                .iter()
                .filter(|f| f.severity() == Severity::Error)
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", file.display());
            if is_managed {
                managed += 1;
                if findings.iter().any(|f| f.code() == "unknown-action") {
                    unknown_action += 1;
                }
            }
        }
    }
    eprintln!("{documents} documents; {unknown_action} of {managed} managed policies name an unknown action");
    assert!(managed > 1000);
    assert!(
        unknown_action * 100 <= managed,
        "{unknown_action} of {managed}"
    );
}
