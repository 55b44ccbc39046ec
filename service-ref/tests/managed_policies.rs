//! Coverage of the table over the AWS managed policies in the shared real-world corpus:
//! nearly every action they name exactly (without wildcards) must be known.
//!
//! The corpus sits in `shared/` beside the repository (`CARGO_MANIFEST_DIR/../../shared`);
//! the test is skipped, and says so, where it is absent.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/realworld/managed-iamdataset")
}

fn collect_actions(value: &Value, out: &mut BTreeSet<String>) {
    let statements = match value.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    for statement in statements {
        for element in ["Action", "NotAction"] {
            let names: Vec<&str> = match statement.get(element) {
                Some(Value::String(s)) => vec![s],
                Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            out.extend(
                names
                    .into_iter()
                    .filter(|n| !n.contains(['*', '?']) && n.contains(':'))
                    .map(str::to_owned),
            );
        }
    }
}

#[test]
fn managed_policy_actions_are_known() {
    let dir = corpus();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} not found", dir.display());
        return;
    };
    let mut actions = BTreeSet::new();
    let mut files = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let value: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        collect_actions(&value, &mut actions);
        files += 1;
    }
    assert!(files > 1000, "only {files} policies in {}", dir.display());

    // Two kinds of miss: an action of a service the table knows (a gap in the data, or a
    // name that was never an IAM action, such as `s3:ListObjects`), and an action of a
    // service the reference no longer lists (AWS drops retired services from it).
    let unknown: Vec<&String> = actions
        .iter()
        .filter(|a| iam_eval_service_ref::action(a).is_none())
        .collect();
    let (in_known, in_unknown): (Vec<&String>, Vec<&String>) = unknown.iter().partition(|a| {
        a.split_once(':')
            .is_some_and(|(s, _)| iam_eval_service_ref::service(s).is_some())
    });
    let unknown_services: BTreeSet<&str> = in_unknown
        .iter()
        .filter_map(|a| a.split_once(':').map(|(s, _)| s))
        .collect();
    let percent = |n: usize| n as f64 * 100.0 / actions.len() as f64;
    let report = format!(
        "{} distinct actions in {files} managed policies; {} unknown ({:.2} %): \
         {} of known services ({:.2} %): {in_known:?}; \
         {} of {} services the table lacks ({:.2} %): {unknown_services:?}",
        actions.len(),
        unknown.len(),
        percent(unknown.len()),
        in_known.len(),
        percent(in_known.len()),
        in_unknown.len(),
        unknown_services.len(),
        percent(in_unknown.len()),
    );
    eprintln!("{report}");
    assert!(percent(in_known.len()) < 1.0, "{report}");
    assert!(percent(unknown.len()) < 2.0, "{report}");
    assert!(unknown_services.len() < 20, "{report}");
}
