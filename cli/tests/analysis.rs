#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! Runs the built `iam-eval` binary on `prove` and `diff`: verdicts, exit statuses, the
//! counterexamples it prints (run again through `iam-eval test`) and the JSON output.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

const SSE: &str = "s3:x-amz-server-side-encryption";
const NOT_KMS: &str = r#"{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}"#;
const AES256: &str = r#"{"StringEquals":{"s3:x-amz-server-side-encryption":"AES256"}}"#;

/// A fresh folder under the system temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "iam-eval-analysis-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn iam_eval<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_iam-eval"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A file of the repository's `policies/sse-kms/`, as an absolute path.
fn sse(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../policies/sse-kms")
        .join(name)
        .canonicalize()
        .unwrap()
        .display()
        .to_string()
}

/// `prove` of the walkthrough's question: any caller uploading to the bucket, with the
/// uploader's identity policy and `bucket` as the bucket policy.
fn prove(bucket: &str, condition: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "prove".to_string(),
        "--identity".into(),
        sse("uploader-identity.json"),
        "--resource".into(),
        sse(bucket),
        "--any-principal".into(),
        "--action".into(),
        "s3:PutObject".into(),
        "--resource-arn".into(),
        "arn:aws:s3:::example-bucket/*".into(),
        "--where".into(),
        condition.into(),
        "--expect".into(),
        "explicit_deny".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    iam_eval(&args)
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The test case printed after `as a test case:` (the last thing `prove` prints).
fn printed_case(stdout: &str) -> Value {
    let (_, case) = stdout
        .split_once("as a test case:\n")
        .unwrap_or_else(|| panic!("no test case in:\n{stdout}"));
    json(case)
}

/// Runs `case` through `iam-eval test` in a test file with these policies; the run.
fn run_case(policies: &[(&str, String)], case: &Value) -> Run {
    let scratch = Scratch::new();
    let policies: Vec<Value> = policies
        .iter()
        .map(|(kind, file)| serde_json::json!({"kind": kind, "file": file}))
        .collect();
    let file = scratch.write(
        "counterexample.test.json",
        &serde_json::json!({"policies": policies, "cases": [case]}).to_string(),
    );
    iam_eval(&["test".as_ref(), file.as_os_str()])
}

#[test]
fn prove_proves_that_the_bucket_policy_denies_uploads_without_kms() {
    let run = prove("bucket-policy.json", NOT_KMS, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("proved: every request of this shape is explicitly denied")),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("REFUTED"), "{}", run.stdout);
}

#[test]
fn prove_refutes_the_null_only_policy_with_a_real_request() {
    let run = prove("bucket-policy-null-only.json", AES256, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with("REFUTED: a request of this shape is not explicitly denied"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("decision: allow (confirmed by evaluate), expected explicit_deny"),
        "{}",
        run.stdout
    );
    let case = printed_case(&run.stdout);
    assert_eq!(case["expect"], "allow");
    assert_eq!(case["request"]["context"][SSE], "AES256");
    assert_eq!(
        case["request"]["resource"]
            .as_str()
            .map(|r| r.starts_with("arn:aws:s3:::example-bucket/")),
        Some(true)
    );
    // The case is a real counterexample: the same policies decide it as printed.
    let policies = [
        ("identity", sse("uploader-identity.json")),
        ("resource", sse("bucket-policy-null-only.json")),
    ];
    let test = run_case(&policies, &case);
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
    assert!(
        test.stdout.contains("1 passed, 0 failed"),
        "{}",
        test.stdout
    );
    // And it refutes the claim: under the policy that requires aws:kms, it is denied.
    let policies = [
        ("identity", sse("uploader-identity.json")),
        ("resource", sse("bucket-policy.json")),
    ];
    let test = run_case(&policies, &case);
    assert_eq!(test.code, 1, "{}{}", test.stdout, test.stderr);
}

#[test]
fn prove_json_for_a_proof_and_a_refutation() {
    let run = prove("bucket-policy.json", NOT_KMS, &["--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(doc["verdict"], "proved");
    assert_eq!(doc["expect"], "explicit_deny");
    assert!(doc["stats"]["principal_cases"].as_u64().unwrap() > 0);
    assert_eq!(doc["stats"]["unconfirmed_models"], 0);
    assert!(doc.get("counterexample").is_none());

    let run = prove(
        "bucket-policy-null-only.json",
        AES256,
        &["--format", "json"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(doc["verdict"], "refuted");
    assert_eq!(doc["expect"], "explicit_deny");
    let c = &doc["counterexample"];
    assert_eq!(c["decision"], "allow");
    assert_eq!(c["reason"], "allowed by the caller's identity-based policy");
    assert_eq!(c["request"]["context"][SSE], "AES256");
    assert_eq!(c["trace"]["decision"], "allow", "{}", c["trace"]);
    // `before` belongs to comparisons only.
    assert!(c.get("before").is_none());
}

#[test]
fn prove_bad_where_is_bad_input() {
    let run = prove("bucket-policy.json", r#"{"StringEquals": {"#, &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("error: the condition block is not valid"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    let run = prove(
        "bucket-policy.json",
        r#"{"StringEqualz": {"s3:x-amz-server-side-encryption": "AES256"}}"#,
        &[],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("unknown condition operator `StringEqualz`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("help: did you mean `StringEquals`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn prove_unknown_expect_is_bad_input() {
    let run = iam_eval(&[
        "prove",
        "--resource",
        &sse("bucket-policy.json"),
        "--expect",
        "allowed",
    ]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("'allowed'"), "{}", run.stderr);
    assert!(run.stderr.contains("explicit_deny"), "{}", run.stderr);
}

#[test]
fn prove_past_its_deadline_is_unknown() {
    // `*a` followed by 16 `?` is included in the same with a `*` after it, but showing
    // it visits about 2^17 sets of automaton states: far more than a millisecond's worth.
    let pattern = format!("*a{}", "?".repeat(16));
    let scratch = Scratch::new();
    let bucket = scratch.write(
        "bucket.json",
        &serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"StringLike": {"s3:prefix": format!("{pattern}*")}}}]})
        .to_string(),
    );
    let condition = serde_json::json!({"StringLike": {"s3:prefix": pattern}}).to_string();
    let args = |format: &str| {
        vec![
            "prove".to_string(),
            "--resource".into(),
            bucket.display().to_string(),
            "--action".into(),
            "s3:GetObject".into(),
            "--where".into(),
            condition.clone(),
            "--expect".into(),
            "explicit_deny".into(),
            "--deadline".into(),
            "0.001".into(),
            "--format".into(),
            format.into(),
        ]
    };
    let run = iam_eval(&args("text"));
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with("unknown: deadline reached"),
        "{}",
        run.stdout
    );
    let run = iam_eval(&args("json"));
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(doc["verdict"], "unknown");
    assert_eq!(doc["reason"], "deadline reached");
}

/// The uploader's policy with one more statement, allowing `s3:ListBucket` on the bucket.
fn uploader_with_list() -> String {
    let mut doc = json(&std::fs::read_to_string(sse("uploader-identity.json")).unwrap());
    doc["Statement"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "Sid": "AllowList", "Effect": "Allow", "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::example-bucket"
        }));
    doc.to_string()
}

#[test]
fn diff_of_identical_policies_finds_nothing() {
    let old = sse("uploader-identity.json");
    let run = iam_eval(&["diff", &old, &old, "--kind", "identity"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with(
            "no new access: the new policy allows nothing of this shape that the old one does not"
        ),
        "{}",
        run.stdout
    );
    let run = iam_eval(&["diff", &old, &old, "--kind", "identity", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(doc["new_access"], serde_json::json!([]));
    assert_eq!(doc["complete"], true);
    assert_eq!(doc["stopped"], Value::Null);
}

#[test]
fn diff_lists_the_access_a_new_allow_statement_grants() {
    let scratch = Scratch::new();
    let old = sse("uploader-identity.json");
    let new = scratch.write("new.json", &uploader_with_list());
    let new = new.display().to_string();
    let run = iam_eval(&["diff", &old, &new, "--kind", "identity"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("NEW ACCESS 1:\n"), "{}", run.stdout);
    assert!(!run.stdout.contains("NEW ACCESS 2"), "{}", run.stdout);
    let action = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("  action:    "))
        .unwrap();
    // As the new policy writes it.
    assert_eq!(action, "s3:ListBucket");
    assert!(
        run.stdout
            .contains("  resource:  arn:aws:s3:::example-bucket\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  old: implicit_deny (no statement allows the request)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(&format!("  granted by: {new}#AllowList")),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().last(), Some("1 new access"));

    let run = iam_eval(&["diff", &old, &new, "--kind", "identity", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(doc["complete"], true);
    assert_eq!(doc["stopped"], Value::Null);
    let found = doc["new_access"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{doc}");
    let f = &found[0];
    assert_eq!(f["decision"], "allow");
    assert_eq!(f["before"]["decision"], "implicit_deny");
    assert_eq!(f["request"]["resource"], "arn:aws:s3:::example-bucket");
    assert_eq!(f["request"]["action"], "s3:ListBucket");

    // The printed request is allowed by the new policy and not by the old one.
    let case = serde_json::json!({
        "name": "new access", "request": f["request"], "expect": "allow"
    });
    let test = run_case(&[("identity", new.clone())], &case);
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
    let test = run_case(&[("identity", old.clone())], &case);
    assert_eq!(test.code, 1, "{}{}", test.stdout, test.stderr);
}
