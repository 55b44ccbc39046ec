#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! The references in `docs/` stay in step with the code: every field the test-file
//! reader accepts, every policy kind and decision, and every field of the JSON
//! explanation is documented.

use iam_eval::{Decision, PolicyKind, PolicySet, Request, RequestSpec, TestFile};
use std::collections::BTreeSet;

fn doc(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_test_file_field_is_documented() {
    let doc = doc("test-file-format.md");
    let groups: [(&str, &[&str]); 6] = [
        ("the top level", TestFile::FIELDS),
        ("a policy entry", TestFile::POLICY_FIELDS),
        ("a case", TestFile::CASE_FIELDS),
        ("a property", TestFile::PROPERTY_FIELDS),
        ("a property's shape", TestFile::SHAPE_FIELDS),
        ("a request", RequestSpec::FIELDS),
    ];
    for (what, fields) in groups {
        assert!(!fields.is_empty());
        for field in fields {
            // Each field is a row of its table, with its type and meaning.
            assert!(
                doc.contains(&format!("| `{field}` |")),
                "the field `{field}` of {what} is not documented in docs/test-file-format.md"
            );
        }
    }
    for field in RequestSpec::PRINCIPAL_FIELDS {
        assert!(
            doc.contains(&format!("`{{\"{field}\":")),
            "the principal object `{{\"{field}\": ...}}` is not documented in docs/test-file-format.md"
        );
    }
}

#[test]
fn every_kind_and_decision_is_documented() {
    let doc = doc("test-file-format.md");
    for kind in PolicyKind::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", kind.as_str())),
            "the kind `{kind}` is not in docs/test-file-format.md"
        );
    }
    for d in [
        Decision::Allow,
        Decision::ExplicitDeny,
        Decision::ImplicitDeny,
    ] {
        assert!(doc.contains(&format!("`{d}`")), "`{d}` is not documented");
    }
}

/// The examples in the format reference load and pass as written.
#[test]
fn the_first_test_file_of_the_reference_passes() {
    let doc = doc("test-file-format.md");
    let blocks: Vec<&str> = doc
        .split("```json\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    let dir = std::env::temp_dir().join(format!("iam-eval-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("reader.json"), blocks[0]).unwrap();
    let file = TestFile::parse(blocks[1], "reader.test.json", Some(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    let report = file.unwrap().run();
    assert_eq!(report.summary(), "2 passed, 0 failed", "{report}");
}

/// Every key of a trace's JSON, found by walking the JSON of traces that use every
/// part of it.
fn keys(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                keys(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn every_field_of_the_json_explanation_is_documented() {
    let set = PolicySet::builder()
        .add_json(
            iam_eval::PolicyKind::Resource,
            "bucket",
            r#"{"Version": "2012-10-17", "Statement": [
              {"Sid": "Grant", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
               "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
               "Condition": {"Null": {"aws:SourceIp": "true"}}}]}"#,
        )
        .unwrap()
        .add_json(
            iam_eval::PolicyKind::Session,
            "session",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
        )
        .unwrap()
        .build()
        .unwrap();
    let request = Request::builder()
        .principal("arn:aws:iam::111122223333:user/alice")
        .action("s3:GetObject")
        .resource("arn:aws:s3:::b/k")
        .context("aws:TagKeys", ["a"])
        .build()
        .unwrap();
    let (_, trace) = set.explain(&request);
    let json: serde_json::Value = serde_json::from_str(&trace.to_json()).unwrap();
    let mut found = BTreeSet::new();
    keys(&json, &mut found);
    // The optional notes and `present` appear in this trace.
    for expected in ["note", "present", "outcome", "derived"] {
        assert!(found.contains(expected), "{expected} missing from {json:#}");
    }
    let doc = doc("explain-json.md");
    for key in &found {
        assert!(
            doc.contains(&format!("`{key}`")),
            "the JSON field `{key}` is not documented in docs/explain-json.md"
        );
    }
}
