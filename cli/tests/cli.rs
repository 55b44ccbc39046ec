#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! Runs the built `iam-eval` binary and checks what it prints and its exit status.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const OBJECT: &str = "arn:aws:s3:::example-bucket/report.csv";
const SSE: &str = "s3:x-amz-server-side-encryption";

/// A fresh folder under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "iam-eval-cli-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn iam_eval<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out: Output = Command::new(env!("CARGO_BIN_EXE_iam-eval"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn repo_policies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("policies")
}

fn sse_kms(file: &str) -> String {
    repo_policies()
        .join("sse-kms")
        .join(file)
        .display()
        .to_string()
}

const BUCKET_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyUploadIfNotSSEKMSEncrypted",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::example-bucket/*",
      "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}
    }
  ]
}
"#;

const IDENTITY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowPut", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "*"}
  ]
}
"#;

/// A test file using policy files beside it; `cases` is the JSON array text.
fn test_file(cases: &str) -> String {
    format!(
        r#"{{
  "source": "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
  "policies": [
    {{"kind": "identity", "file": "identity.json"}},
    {{"kind": "resource", "file": "bucket.json"}}
  ],
  "cases": {cases}
}}
"#
    )
}

fn case(name: &str, context: &str, expect: &str) -> String {
    format!(
        r#"{{"name": "{name}", "why": "pins {name}", "expect": "{expect}",
      "request": {{"principal": "{ALICE}", "action": "s3:PutObject", "resource": "{OBJECT}", "context": {context}}}}}"#
    )
}

/// A folder with the policies and one passing and one failing case file.
fn fixture() -> TempDir {
    let dir = TempDir::new();
    dir.write("identity.json", IDENTITY_POLICY);
    dir.write("bucket.json", BUCKET_POLICY);
    let pass = format!(
        "[{}, {}]",
        case("kms upload", &format!(r#"{{"{SSE}": "aws:kms"}}"#), "allow"),
        case("no header", "{}", "explicit_deny")
    );
    dir.write("pass.test.json", &test_file(&pass));
    dir
}

fn last_line(s: &str) -> &str {
    s.trim_end().lines().last().unwrap_or("")
}

// ---------------------------------------------------------------------------------------
// iam-eval test

#[test]
fn test_passing_file() {
    let dir = fixture();
    let run = iam_eval([
        "test".as_ref(),
        dir.path().join("pass.test.json").as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(last_line(&run.stdout), "2 passed, 0 failed");
    assert!(!run.stdout.contains("FAIL"), "{}", run.stdout);
}

#[test]
fn test_failing_case_is_reported() {
    let dir = fixture();
    let cases = format!(
        "[{}, {}]",
        case("aes upload", &format!(r#"{{"{SSE}": "AES256"}}"#), "allow"),
        case("kms upload", &format!(r#"{{"{SSE}": "aws:kms"}}"#), "allow")
    );
    let file = dir.write("fail.test.json", &test_file(&cases));
    let run = iam_eval(["test".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains(&format!("FAIL {}: aes upload", file.display())),
        "{out}"
    );
    assert!(out.contains("why:      pins aes upload"), "{out}");
    assert!(out.contains("expected: allow"), "{out}");
    assert!(out.contains("actual:   explicit_deny"), "{out}");
    assert!(
        out.contains("decided by: 1#DenyUploadIfNotSSEKMSEncrypted"),
        "{out}"
    );
    assert!(
        !out.contains("kms upload"),
        "passing cases are not listed: {out}"
    );
    assert_eq!(last_line(out), "1 passed, 1 failed");
}

#[test]
fn test_missing_determining_statement_fails() {
    let dir = fixture();
    let cases = r#"[{"name": "no header", "expect": "explicit_deny", "determining": ["SomeOtherSid"],
      "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:PutObject",
                  "resource": "arn:aws:s3:::example-bucket/report.csv"}}]"#;
    let file = dir.write("det.test.json", &test_file(cases));
    let run = iam_eval(["test".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("expected among the deciding statements: SomeOtherSid"),
        "{}",
        run.stdout
    );
}

#[test]
fn test_malformed_file_gives_position_and_others_still_run() {
    let dir = fixture();
    // `alow` is on line 3.
    let broken = dir.write(
        "broken.test.json",
        "{\n  \"policies\": [],\n  \"cases\": [{\"name\": \"x\", \"expect\": \"alow\", \"request\": {}}]\n}\n",
    );
    let run = iam_eval(["test".as_ref(), dir.path().as_os_str()]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    // The position of the value `"alow"`: line 3, column 37.
    let position = format!("{}:3:37:", broken.display());
    assert!(run.stderr.contains(&position), "{}", run.stderr);
    assert!(run.stderr.contains("alow"), "{}", run.stderr);
    assert!(
        run.stderr.contains("1 file could not be loaded"),
        "{}",
        run.stderr
    );
    // The good file beside it still ran.
    assert_eq!(last_line(&run.stdout), "2 passed, 0 failed");
}

#[test]
fn test_malformed_json_exact_position() {
    let dir = fixture();
    let file = dir.write(
        "syntax.test.json",
        "{\n  \"policies\": [],\n  \"cases\": [\n    {\"name\": \"x\" \"expect\": \"allow\"}\n  ]\n}\n",
    );
    let run = iam_eval(["test".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(&format!("{}:4:18: error:", file.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn test_invalid_policy_in_test_file_gives_policy_position() {
    let dir = fixture();
    dir.write(
        "typo.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Efect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]\n}\n",
    );
    let file = dir.write(
        "typo.test.json",
        r#"{"policies": [{"kind": "identity", "file": "typo.json"}], "cases": []}"#,
    );
    let run = iam_eval(["test".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("typo.json:3:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `Effect`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn test_missing_path_does_not_stop_the_others() {
    let dir = fixture();
    let run = iam_eval([
        "test".as_ref(),
        dir.path().join("nope.test.json").as_os_str(),
        dir.path().join("pass.test.json").as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nope.test.json"), "{}", run.stderr);
    assert_eq!(last_line(&run.stdout), "2 passed, 0 failed");
}

#[test]
fn test_filter_runs_matching_cases_only() {
    let dir = fixture();
    let file = dir.path().join("pass.test.json");
    let run = iam_eval([
        "test".as_ref(),
        file.as_os_str(),
        "--filter".as_ref(),
        "header".as_ref(),
    ]);
    assert_eq!(run.code, 0);
    assert_eq!(last_line(&run.stdout), "1 passed, 0 failed");
    let run = iam_eval([
        "test".as_ref(),
        file.as_os_str(),
        "--filter".as_ref(),
        "nothing like this".as_ref(),
    ]);
    // A filter that matches nothing is a mistake, not a green run.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(last_line(&run.stdout), "0 passed, 0 failed");
    assert_eq!(
        run.stderr,
        "error: no case name contains `nothing like this`\n  help: `--filter` runs the cases whose name contains the text, compared case-sensitively; pass `--allow-empty` to accept a run without cases\n"
    );
    let run = iam_eval([
        "test".as_ref(),
        file.as_os_str(),
        "--filter".as_ref(),
        "nothing like this".as_ref(),
        "--allow-empty".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "warning: no case name contains `nothing like this`\n"
    );
}

/// CI pointed at the wrong path must go red: no test files, or no cases, is exit 1.
#[test]
fn test_on_nothing_fails_unless_allowed() {
    let empty = TempDir::new();
    let run = iam_eval(["test".as_ref(), empty.path().as_os_str()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(last_line(&run.stdout), "0 passed, 0 failed");
    assert_eq!(
        run.stderr,
        format!(
            "error: no test files under `{}`\n  help: a test file is a `.json` file whose top level has a `cases` array; pass `--allow-empty` to accept a run without cases\n",
            empty.path().display()
        )
    );
    let run = iam_eval([
        "test".as_ref(),
        empty.path().as_os_str(),
        "--allow-empty".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        format!(
            "warning: no test files under `{}`\n",
            empty.path().display()
        )
    );

    // A folder of policies only: still no test files.
    let policies = TempDir::new();
    policies.write("bucket.json", BUCKET_POLICY);
    let run = iam_eval([
        "test".as_ref(),
        policies.path().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: no test files under `"),
        "{}",
        run.stderr
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (v["passed"].as_u64(), v["failed"].as_u64()),
        (Some(0), Some(0))
    );

    // One good path does not excuse a wrong one beside it.
    let dir = fixture();
    let run = iam_eval([
        "test".as_ref(),
        dir.path().as_os_str(),
        empty.path().as_os_str(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(last_line(&run.stdout), "2 passed, 0 failed");

    // Test files without cases.
    let file = policies.write("none.test.json", r#"{"policies": [], "cases": []}"#);
    let run = iam_eval(["test".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "error: the test files hold no cases\n  help: add cases to their `cases` arrays; pass `--allow-empty` to accept a run without cases\n"
    );
}

/// `test --explain` prints, under each failing case, the trace `eval --explain` gives.
#[test]
fn test_explain_shows_the_trace_of_a_failing_case() {
    let dir = fixture();
    let cases = format!(
        "[{}, {}]",
        case(
            "kms upload",
            &format!(r#"{{"{SSE}": "aws:kms"}}"#),
            "explicit_deny"
        ),
        case("no header", "{}", "explicit_deny")
    );
    let file = dir.write("fail.test.json", &test_file(&cases));
    let run = iam_eval(["test".as_ref(), file.as_os_str(), "--explain".as_ref()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let expected = format!(
        r#"FAIL {file}: kms upload
  why:      pins kms upload
  expected: explicit_deny
  actual:   allow (allowed by the caller's identity-based policy)
  decided by: 0#AllowPut
  explanation:
    decision: allow (allowed by the caller's identity-based policy)
    decided by: 0#AllowPut
    request: {ALICE} s3:PutObject on {OBJECT}
    context:
      s3:x-amz-server-side-encryption = "aws:kms"
      aws:PrincipalArn = "{ALICE}" (derived from the caller)
      aws:PrincipalAccount = "111122223333" (derived from the caller)
      aws:PrincipalIsAWSService = "false" (derived from the caller)
      aws:PrincipalType = "User" (derived from the caller)
      aws:username = "alice" (derived from the caller)
    resource account: 111122223333 (same account)

    identity-based policy 0
      Allow 0#AllowPut APPLIES: action matched, resource matched

    resource-based policy 1
      Deny 1#DenyUploadIfNotSSEKMSEncrypted does not apply: action matched, resource matched, principal matched
        StringNotEquals s3:x-amz-server-side-encryption: request ["aws:kms"], policy ["aws:kms"]: does not hold

1 passed, 1 failed
"#,
        file = file.display()
    );
    assert_eq!(run.stdout, expected);

    // The same trace in JSON, for the failing case only.
    let run = iam_eval([
        "test".as_ref(),
        file.as_os_str(),
        "--explain".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results[0]["passed"], false);
    let condition = &results[0]["trace"]["policies"][1]["statements"][0]["conditions"][0];
    assert_eq!(condition["operator"], "StringNotEquals");
    assert_eq!(condition["matched"], false);
    assert_eq!(condition["outcome"]["kind"], "compared");
    assert_eq!(results[1]["passed"], true);
    assert!(results[1].get("trace").is_none(), "{}", results[1]);

    // Without --explain, no trace.
    let run = iam_eval(["test".as_ref(), file.as_os_str()]);
    assert!(!run.stdout.contains("explanation:"), "{}", run.stdout);
}

/// A broken policy file named by a test file is reported once, at the policy file's own
/// line and column with its source line, then the entry that names it; the cause (a
/// misspelt `Effect`) is not followed by its consequence (no `Effect`).
#[test]
fn test_broken_policy_file_is_reported_once_where_it_is() {
    let dir = TempDir::new();
    dir.write(
        "typo.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Efect\": \"Allow\",\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"*\"\n    }\n  ]\n}\n",
    );
    let file = dir.write(
        "typo.test.json",
        &format!(
            "{{\n  \"policies\": [{{\"kind\": \"identity\", \"file\": \"typo.json\"}}],\n  \"cases\": [{}]\n}}\n",
            case("x", "{}", "allow")
        ),
    );
    let policy = dir.path().join("typo.json");
    let run = iam_eval(["test".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let expected = format!(
        r#"{policy}:5:7: error: unknown element `Efect` in a statement
  |
5 |       "Efect": "Allow",
  |       ^
  = at: Statement[0].Efect
  = help: did you mean `Effect`?
{file}:2:16: note: referenced by `policies[0]` of this test file (kind `identity`)

error: 1 file could not be loaded
"#,
        policy = policy.display(),
        file = file.display()
    );
    assert_eq!(run.stderr, expected);

    let run = iam_eval([
        "test".as_ref(),
        file.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let e = &v["errors"][0];
    assert_eq!(e["file"], policy.display().to_string());
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(5), Some(7))
    );
    assert_eq!(e["message"], "unknown element `Efect` in a statement");
    assert_eq!(e["referenced_by"]["file"], file.display().to_string());
    assert_eq!(e["referenced_by"]["entry"], "policies[0]");
    assert_eq!(
        (
            e["referenced_by"]["line"].as_u64(),
            e["referenced_by"]["column"].as_u64()
        ),
        (Some(2), Some(16))
    );
}

/// A policy file loaded as a kind it does not fit is reported in the policy file, with
/// the kind's name and article right.
#[test]
fn test_policy_of_the_wrong_kind_names_the_policy_file() {
    let dir = TempDir::new();
    let bucket = dir.write("bucket.json", BUCKET_POLICY);
    let file = dir.write(
        "kind.test.json",
        &format!(
            "{{\n  \"policies\": [{{\"kind\": \"identity\", \"file\": \"bucket.json\"}}],\n  \"cases\": [{}]\n}}\n",
            case("x", "{}", "allow")
        ),
    );
    let run = iam_eval(["test".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let expected = format!(
        r#"{bucket}:7:7: error: an identity-based policy cannot have a `Principal` element
  |
7 |       "Principal": "*",
  |       ^
  = at: Statement[0].Principal
  = help: the principal of an identity-based policy, SCP, boundary or session policy is the one it is attached to; remove the element
{file}:2:16: note: referenced by `policies[0]` of this test file (kind `identity`)
"#,
        bucket = bucket.display(),
        file = file.display()
    );
    assert!(run.stderr.starts_with(&expected), "{}", run.stderr);

    // Written inline, the policy's problems are placed in the test file.
    let inline = dir.write(
        "inline.test.json",
        &format!(
            "{{\n  \"policies\": [{{\"kind\": \"scp\", \"document\":\n    {{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Resource\": \"*\"}}]}}}}],\n  \"cases\": [{}]\n}}\n",
            case("x", "{}", "allow")
        ),
    );
    let run = iam_eval(["test".as_ref(), inline.as_os_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "{}:3:65: error: an SCP cannot have a `Principal` element\n  |\n3 |     {{\"Version\"",
            inline.display()
        )),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("note: referenced by"),
        "{}",
        run.stderr
    );
}

#[test]
fn test_junit_is_well_formed_with_counts() {
    let dir = fixture();
    let cases = format!(
        "[{}, {}]",
        case(
            "aes <upload> & \\\"quotes\\\"",
            &format!(r#"{{"{SSE}": "AES256"}}"#),
            "allow"
        ),
        case("kms upload", &format!(r#"{{"{SSE}": "aws:kms"}}"#), "allow")
    );
    dir.write("fail.test.json", &test_file(&cases));
    dir.write("broken.test.json", "{\"cases\": [}");
    let run = iam_eval([
        "test".as_ref(),
        dir.path().as_os_str(),
        "--format".as_ref(),
        "junit".as_ref(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let doc = roxmltree::Document::parse(&run.stdout).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("5"));
    assert_eq!(root.attribute("failures"), Some("1"));
    assert_eq!(root.attribute("errors"), Some("1"));
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert_eq!(suites.len(), 3);
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 5);
    let failed = cases
        .iter()
        .find(|c| c.attribute("name") == Some("aes <upload> & \"quotes\""))
        .unwrap();
    let failure = failed
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(
        failure.attribute("message"),
        Some("expected allow, got explicit_deny")
    );
    assert!(failure
        .text()
        .unwrap()
        .contains("DenyUploadIfNotSSEKMSEncrypted"));
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("error"))
            .count(),
        1
    );
    assert!(run.stderr.contains("3 passed, 1 failed"), "{}", run.stderr);
    // Load errors also reach stderr, so they show in CI logs.
    assert!(run.stderr.contains("broken.test.json:1:"), "{}", run.stderr);
}

#[test]
fn test_json_output_parses() {
    let dir = fixture();
    let cases = format!(
        "[{}]",
        case("aes upload", &format!(r#"{{"{SSE}": "AES256"}}"#), "allow")
    );
    dir.write("fail.test.json", &test_file(&cases));
    let run = iam_eval([
        "test".as_ref(),
        dir.path().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["passed"], 2);
    assert_eq!(v["failed"], 1);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let failed = results.iter().find(|r| r["passed"] == false).unwrap();
    assert_eq!(failed["name"], "aes upload");
    assert_eq!(failed["expected"], "allow");
    assert_eq!(failed["actual"], "explicit_deny");
    assert_eq!(failed["why"], "pins aes upload");
    assert_eq!(failed["reason"], "an explicit Deny statement applies");
    assert_eq!(failed["determining"][0], "1#DenyUploadIfNotSSEKMSEncrypted");
    assert!(failed["file"].as_str().unwrap().ends_with("fail.test.json"));
    assert_eq!(v["errors"].as_array().unwrap().len(), 0);
}

#[test]
fn test_json_reports_load_errors_with_position() {
    let dir = TempDir::new();
    let file = dir.write("broken.test.json", "{\n  \"cases\": [\n    }\n");
    let run = iam_eval([
        "test".as_ref(),
        file.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 2);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let e = &v["errors"][0];
    assert_eq!(e["line"], 3);
    assert_eq!(e["column"], 5);
}

#[test]
fn test_the_repository_examples_pass() {
    let run = iam_eval(["test".as_ref(), repo_policies().as_os_str()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(last_line(&run.stdout).ends_with(" passed, 0 failed"));
}

// ---------------------------------------------------------------------------------------
// iam-eval eval

fn sse_eval(extra: &[&str]) -> Run {
    let identity = sse_kms("uploader-identity.json");
    let bucket = sse_kms("bucket-policy.json");
    let mut args = vec![
        "eval",
        "--identity",
        &identity,
        "--resource",
        &bucket,
        "--principal",
        ALICE,
        "--action",
        "s3:PutObject",
        "--resource-arn",
        OBJECT,
    ];
    args.extend_from_slice(extra);
    iam_eval(args)
}

#[test]
fn eval_denies_upload_without_header() {
    let run = sse_eval(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("decision: explicit_deny"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("bucket-policy.json#DenyUploadIfNotSSEKMSEncrypted"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains('\x1b'), "no colour when piped");
}

#[test]
fn eval_allows_upload_with_kms() {
    let run = sse_eval(&["--context", "s3:x-amz-server-side-encryption=aws:kms"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("decision: allow"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("uploader-identity.json#AllowObjectReadWrite"),
        "{}",
        run.stdout
    );
}

#[test]
fn eval_explain_shows_conditions() {
    let run = sse_eval(&["--explain"]);
    assert_eq!(run.code, 1);
    let out = &run.stdout;
    assert!(out.contains("decision: explicit_deny"), "{out}");
    assert!(
        out.contains("StringNotEquals s3:x-amz-server-side-encryption: request missing"),
        "{out}"
    );
    assert!(
        out.contains("request missing, policy [\"aws:kms\"]: holds because the key is missing (negated operator)"),
        "{out}"
    );
    assert!(
        out.contains("DenyUploadIfNotSSEKMSEncrypted APPLIES"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "no colour when piped: {out}");
}

#[test]
fn eval_json() {
    let run = sse_eval(&["--format", "json"]);
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["decision"], "explicit_deny");
    assert_eq!(v["reason"], "an explicit Deny statement applies");
    assert!(v["determining"][0]
        .as_str()
        .unwrap()
        .ends_with("bucket-policy.json#DenyUploadIfNotSSEKMSEncrypted"));
    assert_eq!(v["problems"].as_array().unwrap().len(), 0);
    assert!(v.get("trace").is_none());

    let run = sse_eval(&[
        "--format",
        "json",
        "--explain",
        "--context",
        "s3:x-amz-server-side-encryption=aws:kms",
    ]);
    assert_eq!(run.code, 0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["decision"], "allow");
    let policies = v["trace"]["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 2);
    let condition = &policies[1]["statements"][0]["conditions"][0];
    assert_eq!(condition["operator"], "StringNotEquals");
    assert_eq!(condition["request_values"][0], "aws:kms");
    assert_eq!(condition["matched"], false);
}

#[test]
fn eval_request_file() {
    let dir = TempDir::new();
    let request = dir.write(
        "request.json",
        &format!(
            r#"{{"principal": "{ALICE}", "action": "s3:PutObject", "resource": "{OBJECT}",
                "context": {{"{SSE}": "AES256"}}}}"#
        ),
    );
    let identity = sse_kms("uploader-identity.json");
    let bucket = sse_kms("bucket-policy.json");
    let run = iam_eval([
        "eval".as_ref(),
        "--identity".as_ref(),
        identity.as_ref(),
        "--resource".as_ref(),
        bucket.as_ref(),
        "--request".as_ref(),
        request.as_os_str(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("explicit_deny"), "{}", run.stdout);

    let bad = dir.write("bad.json", "{\"principal\": \"x\",\n \"action\": 3}");
    let run = iam_eval([
        "eval".as_ref(),
        "--identity".as_ref(),
        identity.as_ref(),
        "--request".as_ref(),
        bad.as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!("{}:2:", bad.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn eval_multivalued_context() {
    let dir = TempDir::new();
    let policy = dir.write(
        "tags.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:CreateTags",
            "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}}]}"#,
    );
    let run_with = |keys: &[&str]| {
        let mut args: Vec<String> = [
            "eval",
            "--identity",
            policy.to_str().unwrap(),
            "--principal",
            ALICE,
            "--action",
            "ec2:CreateTags",
            "--resource-arn",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for k in keys {
            args.push("--context".into());
            args.push(format!("aws:TagKeys={k}"));
        }
        iam_eval(args)
    };
    assert_eq!(run_with(&["env", "team"]).code, 0);
    let denied = run_with(&["env", "owner"]);
    assert_eq!(denied.code, 1);
    assert!(denied.stdout.contains("implicit_deny"), "{}", denied.stdout);
}

#[test]
fn eval_service_principal() {
    let dir = TempDir::new();
    let bucket = dir.write(
        "bucket.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "CloudTrailWrite", "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::trail-bucket/*"}]}"#,
    );
    let run = iam_eval([
        "eval",
        "--resource",
        bucket.to_str().unwrap(),
        "--principal",
        "service:cloudtrail.amazonaws.com",
        "--action",
        "s3:PutObject",
        "--resource-arn",
        "arn:aws:s3:::trail-bucket/log.gz",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("#CloudTrailWrite"), "{}", run.stdout);
}

#[test]
fn eval_bad_input_exits_2() {
    let dir = TempDir::new();
    let typo = dir.write(
        "typo.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Efect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]\n}\n",
    );
    let run = iam_eval([
        "eval",
        "--identity",
        typo.to_str().unwrap(),
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource-arn",
        OBJECT,
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!("{}:3:", typo.display())),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `Effect`?"),
        "{}",
        run.stderr
    );

    let identity = sse_kms("uploader-identity.json");
    let run = iam_eval([
        "eval",
        "--identity",
        &identity,
        "--principal",
        "alice",
        "--action",
        "s3:GetObject",
        "--resource-arn",
        OBJECT,
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`alice` is not a principal ARN"),
        "{}",
        run.stderr
    );

    let run = iam_eval([
        "eval",
        "--identity",
        "/nonexistent/policy.json",
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource-arn",
        OBJECT,
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot read"), "{}", run.stderr);

    // A resource policy without a Principal is not a valid resource policy.
    let run = iam_eval([
        "eval",
        "--resource",
        &identity,
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource-arn",
        OBJECT,
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("uploader-identity.json:"),
        "{}",
        run.stderr
    );
}

#[test]
fn eval_resource_owner_makes_it_cross_account() {
    let run = sse_eval(&[
        "--resource-owner",
        "444455556666",
        "--context",
        "s3:x-amz-server-side-encryption=aws:kms",
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("implicit_deny"), "{}", run.stdout);
    assert!(run.stdout.contains("cross-account"), "{}", run.stdout);
}

// ---------------------------------------------------------------------------------------
// iam-eval check

#[test]
fn check_valid_file() {
    let file = sse_kms("bucket-policy.json");
    let run = iam_eval(["check", &file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim_end(), format!("{file}: ok"));
    let run = iam_eval(["check", "--kind", "resource", &file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn check_typo_names_position_and_suggestion() {
    let dir = TempDir::new();
    let file = dir.write(
        "typo.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Efect\": \"Allow\",\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"*\"\n    }\n  ]\n}\n",
    );
    let run = iam_eval(["check", file.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    let err = &run.stderr;
    assert!(
        err.contains(&format!(
            "{}:5:7: error: unknown element `Efect`",
            file.display()
        )),
        "{err}"
    );
    assert!(err.contains("= help: did you mean `Effect`?"), "{err}");
    assert!(err.contains("= at: Statement[0].Efect"), "{err}");
    assert!(err.contains("      \"Efect\": \"Allow\","), "{err}");
}

#[test]
fn check_non_json_gives_syntax_error_position() {
    let dir = TempDir::new();
    let file = dir.write(
        "broken.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"s3:*\"}\n  ]\n}\n",
    );
    let run = iam_eval(["check", file.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains(&format!("{}:4:24: error:", file.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn check_kind_rules() {
    let file = sse_kms("bucket-policy.json");
    let run = iam_eval(["check", "--kind", "identity", &file]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("`Principal`"), "{}", run.stderr);
}

#[test]
fn check_missing_file_exits_2_and_checks_the_rest() {
    let file = sse_kms("bucket-policy.json");
    let run = iam_eval(["check", "/nonexistent/policy.json", &file]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("/nonexistent/policy.json: error: cannot read"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains(&format!("{file}: ok")),
        "{}",
        run.stdout
    );
}

#[test]
fn check_max_bytes() {
    let file = sse_kms("bucket-policy.json");
    let run = iam_eval(["check", "--max-bytes", "100", &file]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("over the limit of 100 bytes"),
        "{}",
        run.stderr
    );
}

/// A resource that is not an ARN would dodge the bucket policy's Deny (its `Resource`
/// never matches) while an identity policy's `"Resource": "*"` still allows: such a
/// request is refused, naming the resource.
#[test]
fn eval_refuses_a_resource_that_is_not_an_arn() {
    let identity = sse_kms("uploader-identity.json");
    let bucket = sse_kms("bucket-policy.json");
    for resource in ["acme-reports/q1.csv", ""] {
        let run = iam_eval([
            "eval",
            "--identity",
            &identity,
            "--resource",
            &bucket,
            "--principal",
            ALICE,
            "--action",
            "s3:PutObject",
            "--resource-arn",
            resource,
        ]);
        assert_eq!(run.code, 2, "{resource}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.is_empty(), "no decision: {}", run.stdout);
        if resource.is_empty() {
            assert!(
                run.stderr.contains("the request has no resource"),
                "{}",
                run.stderr
            );
        } else {
            assert!(
                run.stderr
                    .contains("error: `acme-reports/q1.csv` is not an ARN"),
                "{}",
                run.stderr
            );
            assert!(run.stderr.contains("help:"), "{}", run.stderr);
        }
    }
}

/// A context key no policy reads is pointed out with the key the policies do read; the
/// explanation prints the request's context.
#[test]
fn eval_points_out_a_mistyped_context_key() {
    let run = sse_eval(&["--context", "s3:x-amz-server-side-encription=aws:kms"]);
    assert_eq!(run.code, 1, "the Deny still applies: {}", run.stderr);
    assert!(
        run.stdout.contains(
            "warning: no policy reads the context key `s3:x-amz-server-side-encription`; did you mean `s3:x-amz-server-side-encryption`?"
        ),
        "{}",
        run.stdout
    );
    let run = sse_eval(&[
        "--context",
        "s3:x-amz-server-side-encription=aws:kms",
        "--explain",
    ]);
    assert!(
        run.stdout
            .contains("did you mean `s3:x-amz-server-side-encryption`?"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  s3:x-amz-server-side-encription = \"aws:kms\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  aws:PrincipalArn = \"arn:aws:iam::111122223333:user/alice\" (derived from the caller)"),
        "{}",
        run.stdout
    );
    let run = sse_eval(&[
        "--context",
        "s3:x-amz-server-side-encription=aws:kms",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1, "{}", run.stdout);
}

/// Test files report keys nobody reads per case; `--deny-warnings` fails those cases.
#[test]
fn test_warns_about_unread_context_keys() {
    let dir = TempDir::new();
    let bucket = sse_kms("bucket-policy.json");
    let identity = sse_kms("uploader-identity.json");
    let file = dir.write(
        "typo.test.json",
        &format!(
            r#"{{"policies": [{{"kind": "identity", "file": {identity:?}}}, {{"kind": "resource", "file": {bucket:?}}}],
  "cases": [{{"name": "typo", "expect": "explicit_deny", "request": {{
    "principal": "{ALICE}", "action": "s3:PutObject", "resource": "{OBJECT}",
    "context": {{"s3:x-amz-server-side-encription": "aws:kms"}}}}}}]}}"#
        ),
    );
    let run = iam_eval(["test".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("typo: no policy reads the context key `s3:x-amz-server-side-encription`; did you mean `s3:x-amz-server-side-encryption`?"),
        "{}",
        run.stderr
    );
    let run = iam_eval([
        "test".as_ref(),
        file.as_os_str(),
        "--deny-warnings".as_ref(),
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("  warning: no policy reads"),
        "{}",
        run.stdout
    );
    assert_eq!(last_line(&run.stdout), "0 passed, 1 failed");
}

/// A policy a test file loads gets the warnings `check` and `eval` give where AWS reads
/// it otherwise than it looks, positioned in its own file (or in the test file, for a
/// document written inline), once however many test files name it; `--deny-warnings`
/// makes them fail the run.
#[test]
fn test_warns_about_policies_read_otherwise_than_they_look() {
    let dir = TempDir::new();
    let policy = dir.write(
        "home.json",
        "{\"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\",\n   \"Resource\": \"arn:aws:s3:::b/${aws:username}/*\"}]}\n",
    );
    let case = r#"{"name": "bob", "expect": "implicit_deny", "request": {"principal": "arn:aws:iam::111122223333:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/bob/x"}}"#;
    for name in ["a.test.json", "b.test.json"] {
        dir.write(
            name,
            &format!(
                r#"{{"policies": [{{"kind": "identity", "file": {policy:?}}}], "cases": [{case}]}}"#
            ),
        );
    }
    dir.write(
        "inline.test.json",
        &format!(
            "{{\"policies\": [{{\"kind\": \"identity\",\n  \"document\": {{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject \", \"Resource\": \"*\"}}]}}}}],\n \"cases\": [{case}]}}"
        ),
    );
    let run = iam_eval(["test".as_ref(), dir.path().as_os_str()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let literal = format!(
        "{}:3:16: warning: `${{aws:username}}` is literal text",
        policy.display()
    );
    assert_eq!(run.stderr.matches(&literal).count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("= lint: variable-without-version"),
        "{}",
        run.stderr
    );
    let inline = dir.path().join("inline.test.json");
    let space = format!(
        "{}:2:85: warning: `s3:GetObject ` ends with whitespace",
        inline.display()
    );
    assert!(run.stderr.contains(&space), "{}", run.stderr);
    assert_eq!(last_line(&run.stdout), "3 passed, 0 failed");
    let run = iam_eval([
        "test".as_ref(),
        dir.path().as_os_str(),
        "--deny-warnings".as_ref(),
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("error: 2 policy warnings (--deny-warnings)"),
        "{}",
        run.stderr
    );
}

/// The limits `check` takes apply to the policies `eval` and `test` read.
#[test]
fn eval_and_test_take_limits() {
    let run = sse_eval(&["--max-bytes", "100"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("bytes without whitespace, over the limit of 100 bytes"),
        "{}",
        run.stderr
    );
    let run = iam_eval([
        "test",
        &repo_policies().display().to_string(),
        "--max-bytes",
        "100",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// A context value that cannot be what its key is stays "cannot be judged" for the
/// conditions on it, and the command says so even when no condition reads it.
#[test]
fn eval_shows_a_context_value_of_the_wrong_type() {
    let run = sse_eval(&["--context", "aws:SourceIp=not-an-ip"]);
    assert!(
        run.stdout.contains(
            "warning: the context value `not-an-ip` of `aws:SourceIp` is not an IP address, so a condition on it cannot be judged"
        ),
        "{}",
        run.stdout
    );
}

/// Every option of `iam-eval test` is in the format reference, which users read.
#[test]
fn every_test_option_is_documented() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/test-file-format.md"),
    )
    .unwrap();
    let run = iam_eval(["test", "--help"]);
    assert_eq!(run.code, 0);
    // The option lines of the help: `      --filter <TEXT>`.
    let options: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.starts_with("--") && *w != "--help")
        .collect();
    assert!(options.contains(&"--allow-empty"), "{}", run.stdout);
    for option in options {
        assert!(
            doc.contains(&format!("`{option}")),
            "`{option}` is not documented in docs/test-file-format.md"
        );
    }
}

/// A request that cannot be built is one `error:` line naming the file, then the advice
/// on its own help line.
#[test]
fn eval_request_errors_put_advice_on_a_help_line() {
    let dir = TempDir::new();
    let file = dir.write(
        "req.json",
        &format!(r#"{{"principal": "{ALICE}", "action": "s3GetObject", "resource": "{OBJECT}"}}"#),
    );
    let run = iam_eval([
        "eval".as_ref(),
        "--identity".as_ref(),
        sse_kms("uploader-identity.json").as_ref(),
        "--request".as_ref(),
        file.as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "{}: error: `s3GetObject` is not an action\n  help: an action is `service:ActionName`, such as `s3:GetObject`\n",
            file.display()
        )
    );
    let run = sse_eval(&["--context", "foo"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: `--context foo` has no `=`\n  help: write `--context KEY=VALUE`\n"
    );
}

/// A broken policy file named by two test files is shown in full once; the second
/// test file's error points at its own entry and the file shown above.
#[test]
fn test_broken_policy_named_twice_is_shown_once() {
    let dir = TempDir::new();
    let policy = dir.write(
        "typo.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Efect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    );
    let body = format!(
        "{{\n  \"policies\": [{{\"kind\": \"identity\", \"file\": \"typo.json\"}}],\n  \"cases\": [{}]\n}}\n",
        case("x", "{}", "allow")
    );
    dir.write("a.test.json", &body);
    let second = dir.write("b.test.json", &body);
    let run = iam_eval(["test".as_ref(), dir.path().as_os_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("unknown element `Efect`").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "{}:2:16: error: `policies[0]` names `{}`, which is broken (shown above)\n",
            second.display(),
            policy.display()
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("error: 2 files could not be loaded"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------
// iam-eval extract

/// The policies inside the seed scenario's plan and template are listed with their
/// kinds, positions and attachments, and written out as policy files equal to the
/// hand-written ones.
#[test]
fn extract_lists_and_writes_the_policies_of_a_plan_and_a_template() {
    let plan = repo_policies().join("sse-kms/terraform/plan.json");
    let template = repo_policies().join("sse-kms/cloudformation/template.yaml");
    let run = iam_eval([
        "extract".as_ref(),
        plan.as_os_str(),
        template.as_os_str(),
        "--account-id".as_ref(),
        "111122223333".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for line in [
        "plan.json: Terraform plan, 3 policies",
        "  aws_s3_bucket_policy.require_sse_kms#policy  resource (line 68, column 23)",
        "  aws_iam_role.uploader#assume_role_policy  trust policy of aws_iam_role.uploader (line 20, column 35)",
        "template.yaml: CloudFormation template (YAML), 3 policies",
        "  ExampleBucketPolicy#Properties.PolicyDocument  resource (line 16, column 9)",
        "    attached to: ExampleBucket",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }
    let dir = TempDir::new();
    let run = iam_eval([
        "extract".as_ref(),
        plan.as_os_str(),
        "--write".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::read_to_string(
        dir.path()
            .join("aws_s3_bucket_policy.require_sse_kms_policy.json"),
    )
    .unwrap();
    let hand: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sse_kms("bucket-policy.json")).unwrap())
            .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&written).unwrap(),
        hand
    );
}

/// A value unknown until apply is listed with what would supply it, and the command
/// fails; JSON output carries the same.
#[test]
fn extract_reports_what_it_could_not_resolve() {
    let plan = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/iac/terraform/plan.json");
    let run = iam_eval(["extract".as_ref(), plan.as_os_str()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("    unresolved at `policy`: `policy` of `aws_s3_bucket_policy.uploads` is known only after apply (supply `aws_s3_bucket_policy.uploads.policy`)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  skipped module.app.aws_organizations_policy.tags"),
        "{}",
        run.stdout
    );
    let run = iam_eval([
        "extract".as_ref(),
        plan.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let uploads = v[0]["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "aws_s3_bucket_policy.uploads#policy")
        .unwrap();
    assert_eq!(uploads["complete"], false);
    assert_eq!(
        uploads["unresolved"][0]["what"],
        "aws_s3_bucket_policy.uploads.policy"
    );
    let run = iam_eval(["extract", "Cargo.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}
