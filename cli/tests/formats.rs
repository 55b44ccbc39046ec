#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! `check` with the lints, its flags and side file, and the output formats of `check` and
//! `test`: text and JSON pinned exactly, SARIF validated against the SARIF 2.1.0 schema,
//! GitHub and GitLab output checked field by field.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh folder, removed when dropped; the binary runs inside it so file names are short.
struct Dir(PathBuf);

impl Dir {
    fn new() -> Dir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "iam-eval-formats-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Dir, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iam-eval"));
    cmd.args(args)
        .current_dir(dir.path())
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The seed example: four ways a policy can parse and still not do what it says.
const SEED: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Deny",
    "Principal": "*",
    "Action": ["s3:PutObjects"],
    "Resource": "arn:aws:s3:::example-bucket/*",
    "Condition": {
      "StringNotEquals": {"s3:x-amz-server-side-encrytion": "aws:kms "},
      "StringEquals": {"aws:TagKeys": "team"}
    }
  }]
}
"#;

const SEED_TEXT: &str = r#"seed.json:6:16: warning: unknown action `s3:PutObjects`: `s3` has no action `PutObjects`
  |
6 |     "Action": ["s3:PutObjects"],
  |                ^
  = at: Statement[0].Action[0]
  = help: did you mean `s3:PutObject`?
  = lint: unknown-action

seed.json:9:27: warning: unknown condition key `s3:x-amz-server-side-encrytion`
  |
9 |       "StringNotEquals": {"s3:x-amz-server-side-encrytion": "aws:kms "},
  |                           ^
  = at: Statement[0].Condition.StringNotEquals["s3:x-amz-server-side-encrytion"]
  = help: did you mean `s3:x-amz-server-side-encryption`?
  = lint: unknown-condition-key

seed.json:9:61: warning: `aws:kms ` ends with whitespace, which AWS keeps as part of it
  |
9 |       "StringNotEquals": {"s3:x-amz-server-side-encrytion": "aws:kms "},
  |                                                             ^
  = at: Statement[0].Condition.StringNotEquals["s3:x-amz-server-side-encrytion"]
  = help: write `aws:kms`
  = lint: whitespace-in-value

seed.json:10:24: warning: `aws:TagKeys` is multivalued, but `StringEquals` tests it without `ForAllValues:` or `ForAnyValue:`
   |
10 |       "StringEquals": {"aws:TagKeys": "team"}
   |                        ^
   = at: Statement[0].Condition.StringEquals["aws:TagKeys"]
   = help: write `ForAllValues:StringEquals` (every value of the request must match) or `ForAnyValue:StringEquals` (at least one must)
   = lint: multivalued-key-without-set-operator

1 file checked: 0 errors, 4 warnings, 0 security findings, 0 suggestions
"#;

#[test]
fn text_reports_every_seed_problem_and_warnings_do_not_fail() {
    let dir = Dir::new();
    dir.write("seed.json", SEED);
    let r = run(&dir, &["check", "seed.json"], &[]);
    assert_eq!(r.stderr, SEED_TEXT);
    assert_eq!(r.stdout, "seed.json: ok\n");
    assert_eq!(r.code, 0);
    let r = run(&dir, &["check", "--deny-warnings", "seed.json"], &[]);
    assert_eq!(r.code, 1);
}

#[test]
fn quiet_prints_only_problems() {
    let dir = Dir::new();
    dir.write("clean.json", r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}"#);
    let r = run(&dir, &["check", "--quiet", "clean.json"], &[]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    let r = run(&dir, &["check", "clean.json"], &[]);
    assert_eq!(r.stdout, "clean.json: ok\n");
    assert_eq!(
        r.stderr,
        "1 file checked: 0 errors, 0 warnings, 0 security findings, 0 suggestions\n"
    );
}

#[test]
fn json_is_pinned() {
    let dir = Dir::new();
    dir.write("seed.json", SEED);
    let r = run(
        &dir,
        &[
            "check",
            "--format",
            "json",
            "--allow",
            "whitespace-in-value",
            "seed.json",
        ],
        &[],
    );
    assert_eq!(r.code, 0);
    let expected = r#"{
  "version": 1,
  "tool": {
    "name": "iam-eval",
    "version": "VERSION",
    "service_reference": "REFERENCE"
  },
  "findings": [
    {
      "file": "seed.json",
      "line": 6,
      "column": 16,
      "severity": "warning",
      "code": "unknown-action",
      "message": "unknown action `s3:PutObjects`: `s3` has no action `PutObjects`",
      "path": "Statement[0].Action[0]",
      "help": "did you mean `s3:PutObject`?"
    },
    {
      "file": "seed.json",
      "line": 9,
      "column": 27,
      "severity": "warning",
      "code": "unknown-condition-key",
      "message": "unknown condition key `s3:x-amz-server-side-encrytion`",
      "path": "Statement[0].Condition.StringNotEquals[\"s3:x-amz-server-side-encrytion\"]",
      "help": "did you mean `s3:x-amz-server-side-encryption`?"
    },
    {
      "file": "seed.json",
      "line": 10,
      "column": 24,
      "severity": "warning",
      "code": "multivalued-key-without-set-operator",
      "message": "`aws:TagKeys` is multivalued, but `StringEquals` tests it without `ForAllValues:` or `ForAnyValue:`",
      "path": "Statement[0].Condition.StringEquals[\"aws:TagKeys\"]",
      "help": "write `ForAllValues:StringEquals` (every value of the request must match) or `ForAnyValue:StringEquals` (at least one must)"
    }
  ],
  "suppressed": [
    {
      "file": "seed.json",
      "line": 9,
      "column": 61,
      "severity": "warning",
      "code": "whitespace-in-value",
      "message": "`aws:kms ` ends with whitespace, which AWS keeps as part of it",
      "path": "Statement[0].Condition.StringNotEquals[\"s3:x-amz-server-side-encrytion\"]",
      "help": "write `aws:kms`",
      "suppressed_by": "--allow"
    }
  ],
  "summary": {
    "files": 1,
    "errors": 0,
    "warnings": 3,
    "security": 0,
    "suggestions": 0,
    "suppressed": 1
  }
}
"#
    .replace("VERSION", env!("CARGO_PKG_VERSION"))
    .replace("REFERENCE", iam_eval::service_reference_version().unwrap());
    assert_eq!(r.stdout, expected);
}

#[test]
fn deny_makes_a_code_an_error_and_unknown_codes_are_refused() {
    let dir = Dir::new();
    dir.write("seed.json", SEED);
    let r = run(
        &dir,
        &["check", "--deny", "unknown-action", "seed.json"],
        &[],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with("seed.json:6:16: error: unknown action"),
        "{}",
        r.stderr
    );
    let r = run(
        &dir,
        &["check", "--allow", "unknown-actoin", "seed.json"],
        &[],
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: unknown lint `unknown-actoin` in `--allow`\n  help: did you mean `unknown-action`?\n"
    );
}

#[test]
fn side_file_suppresses_by_glob_and_says_so() {
    let dir = Dir::new();
    dir.write("legacy/seed.json", SEED);
    dir.write("new/seed.json", SEED);
    dir.write(
        "iam-eval.toml",
        "allow = [\"whitespace-in-value\"]\n\n[[suppress]]\nfiles = \"legacy/*.json\"\ncodes = [\"unknown-action\", \"unknown-condition-key\"]\nreason = \"written for a retired service\"\n",
    );
    let r = run(
        &dir,
        &[
            "check",
            "--format",
            "json",
            "legacy/seed.json",
            "new/seed.json",
        ],
        &[],
    );
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let by: Vec<(String, String, String)> = doc["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["suppressed_by"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let pair =
        |file: &str, code: &str, by: &str| (file.to_string(), code.to_string(), by.to_string());
    assert_eq!(
        by,
        vec![
            pair(
                "legacy/seed.json",
                "unknown-action",
                "iam-eval.toml (suppress `legacy/*.json`)"
            ),
            pair(
                "legacy/seed.json",
                "unknown-condition-key",
                "iam-eval.toml (suppress `legacy/*.json`)"
            ),
            pair(
                "legacy/seed.json",
                "whitespace-in-value",
                "iam-eval.toml (allow)"
            ),
            pair(
                "new/seed.json",
                "whitespace-in-value",
                "iam-eval.toml (allow)"
            ),
        ]
    );
    assert_eq!(doc["summary"]["warnings"], 4);
    // --verbose shows suppressed findings in the text output, with what suppressed them.
    let r = run(&dir, &["check", "--verbose", "legacy/seed.json"], &[]);
    assert!(r.stderr.contains(
        "  = lint: unknown-action\n  = suppressed by iam-eval.toml (suppress `legacy/*.json`)\n"
    ));
    // A broken side file is bad input.
    dir.write("iam-eval.toml", "allow = [\"no-such-lint\"]\n");
    let r = run(&dir, &["check", "new/seed.json"], &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown lint `no-such-lint`"),
        "{}",
        r.stderr
    );
}

#[test]
fn unreadable_files_exit_2() {
    let dir = Dir::new();
    let r = run(&dir, &["check", "--format", "json", "missing.json"], &[]);
    assert_eq!(r.code, 2);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["findings"][0]["code"], "unreadable-file");
    assert_eq!(doc["findings"][0]["line"], Value::Null);
}

fn sarif_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
    )
    .unwrap();
    // The schema's `language` patterns end in a stray `]`, a literal in ECMA-262 regexes
    // but refused by the validator's; escaping it keeps the meaning. iam-eval never writes
    // `language`.
    let stray = r#"-[a-zA-Z]{2}]?$""#;
    assert_eq!(text.matches(stray).count(), 2);
    let text = text.replace(stray, r#"-[a-zA-Z]{2}\\]?$""#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid_sarif(text: &str) -> Value {
    let doc: Value = serde_json::from_str(text).unwrap();
    let validator = sarif_schema();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    doc
}

#[test]
fn sarif_validates_and_carries_rules_regions_and_fingerprints() {
    let dir = Dir::new();
    dir.write("policies/seed.json", SEED);
    dir.write(
        "policies/broken.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Efect\": \"Allow\"}]}",
    );
    let r = run(
        &dir,
        &[
            "check",
            "--format",
            "sarif",
            "policies/seed.json",
            "policies/broken.json",
        ],
        &[],
    );
    assert_eq!(r.code, 1);
    let doc = assert_valid_sarif(&r.stdout);
    assert_eq!(doc["version"], "2.1.0");
    let run0 = &doc["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    for lint in iam_eval::Lint::ALL {
        let rule = rules.iter().find(|r| r["id"] == lint.code()).unwrap();
        assert_eq!(rule["helpUri"], lint.url());
        assert!(rule["help"]["text"]
            .as_str()
            .unwrap()
            .contains("docs/lints.md#"));
    }
    let results = run0["results"].as_array().unwrap();
    let first = &results[0];
    assert_eq!(first["ruleId"], "unknown-action");
    assert_eq!(
        rules[first["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "unknown-action"
    );
    let location = &first["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "policies/seed.json");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "SRCROOT");
    assert_eq!(location["region"]["startLine"], 6);
    assert_eq!(location["region"]["startColumn"], 16);
    assert_eq!(
        first["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "Statement[0].Action[0]"
    );
    assert_eq!(
        first["partialFingerprints"]["iamEvalFinding/v1"]
            .as_str()
            .unwrap()
            .len(),
        16
    );
    let invalid = results
        .iter()
        .find(|r| r["ruleId"] == "invalid-policy")
        .unwrap();
    assert_eq!(invalid["level"], "error");
    // The fingerprint does not depend on the line: the same finding one line lower
    // keeps it.
    dir.write("policies/seed.json", &format!("\n{SEED}"));
    let moved = run(
        &dir,
        &["check", "--format", "sarif", "policies/seed.json"],
        &[],
    );
    let moved: Value = serde_json::from_str(&moved.stdout).unwrap();
    assert_eq!(
        moved["runs"][0]["results"][0]["partialFingerprints"],
        first["partialFingerprints"]
    );
    assert_eq!(
        moved["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
}

#[test]
fn github_commands_and_step_summary() {
    let dir = Dir::new();
    dir.write("seed.json", SEED);
    let summary = dir.path().join("summary.md");
    let r = run(
        &dir,
        &["check", "--format", "github", "seed.json"],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert_eq!(r.code, 0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0],
        "::warning file=seed.json,line=6,col=16,title=iam-eval warning unknown-action::unknown action `s3:PutObjects`: `s3` has no action `PutObjects`%0Ahelp: did you mean `s3:PutObject`?"
    );
    let table = std::fs::read_to_string(&summary).unwrap();
    assert!(table.starts_with("### iam-eval check\n\n0 errors, 4 warnings, 0 security findings, 0 suggestions\n\n| file | line | severity | code | message |\n"), "{table}");
    assert!(table.contains("| seed.json | 6:16 | warning | `unknown-action` | unknown action `s3:PutObjects`: `s3` has no action `PutObjects` |\n"));
    assert_eq!(
        table
            .lines()
            .filter(|l| l.starts_with("| seed.json"))
            .count(),
        4
    );
}

#[test]
fn gitlab_code_quality() {
    let dir = Dir::new();
    dir.write("seed.json", SEED);
    let r = run(&dir, &["check", "--format", "gitlab", "seed.json"], &[]);
    let issues: Value = serde_json::from_str(&r.stdout).unwrap();
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), 4);
    let first = &issues[0];
    assert_eq!(first["check_name"], "unknown-action");
    assert_eq!(first["severity"], "minor");
    assert_eq!(first["location"]["path"], "seed.json");
    assert_eq!(first["location"]["lines"]["begin"], 6);
    assert!(first["description"]
        .as_str()
        .unwrap()
        .starts_with("unknown-action: unknown action"));
    let mut prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    prints.sort_unstable();
    prints.dedup();
    assert_eq!(prints.len(), 4, "fingerprints are unique");
}

const TESTFILE: &str = r#"{
  "policies": [{"kind": "identity", "document": {"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
  "cases": [
    {"name": "read", "expect": "allow", "request": {
      "principal": "arn:aws:iam::111122223333:user/alice",
      "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key"}},
    {"name": "write", "why": "only reads are allowed", "expect": "allow", "request": {
      "principal": "arn:aws:iam::111122223333:user/alice",
      "action": "s3:PutObject", "resource": "arn:aws:s3:::bucket/key"}}
  ]
}
"#;

#[test]
fn test_formats_report_failing_cases_at_their_line() {
    let dir = Dir::new();
    dir.write("t.test.json", TESTFILE);
    dir.write(
        "broken.test.json",
        "{\"policies\": [], \"cases\": [{\"name\": 1}]}",
    );

    let r = run(
        &dir,
        &[
            "test",
            "--format",
            "sarif",
            "t.test.json",
            "broken.test.json",
        ],
        &[],
    );
    assert_eq!(r.code, 2);
    let doc = assert_valid_sarif(&r.stdout);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let failure = results
        .iter()
        .find(|r| r["ruleId"] == "test-failure")
        .unwrap();
    assert_eq!(
        failure["locations"][0]["physicalLocation"]["region"]["startLine"],
        8
    );
    assert_eq!(
        failure["locations"][0]["physicalLocation"]["region"]["startColumn"],
        5
    );
    assert_eq!(
        failure["message"]["text"],
        "case `write`: expected allow, got implicit_deny\nhelp: only reads are allowed"
    );
    let broken = results
        .iter()
        .find(|r| r["ruleId"] == "test-file-error")
        .unwrap();
    assert_eq!(
        broken["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "broken.test.json"
    );

    let r = run(&dir, &["test", "--format", "github", "t.test.json"], &[]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        "::error file=t.test.json,line=8,col=5,title=iam-eval error test-failure::case `write`: expected allow, got implicit_deny%0Ahelp: only reads are allowed\n"
    );

    let r = run(&dir, &["test", "--format", "gitlab", "t.test.json"], &[]);
    let issues: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(issues[0]["location"]["lines"]["begin"], 8);
    assert_eq!(issues[0]["check_name"], "test-failure");

    let r = run(&dir, &["test", "--format", "junit", "t.test.json"], &[]);
    let xml = roxmltree::Document::parse(&r.stdout).unwrap();
    let cases: Vec<(String, String, String)> = xml
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| {
            (
                n.attribute("name").unwrap().to_string(),
                n.attribute("file").unwrap().to_string(),
                n.attribute("line").unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        cases,
        vec![
            ("read".into(), "t.test.json".into(), "5".into()),
            ("write".into(), "t.test.json".into(), "8".into()),
        ]
    );
}

#[test]
fn eval_prints_silent_changes() {
    let dir = Dir::new();
    dir.write(
        "id.json",
        "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::home/${aws:username}/*\"}]}",
    );
    let r = run(
        &dir,
        &[
            "eval",
            "--identity",
            "id.json",
            "--principal",
            "arn:aws:iam::111122223333:user/alice",
            "--action",
            "s3:GetObject",
            "--resource-arn",
            "arn:aws:s3:::home/alice/x",
        ],
        &[],
    );
    assert!(
        r.stderr
            .starts_with("id.json:1:74: warning: `${aws:username}` is literal text"),
        "{}",
        r.stderr
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
}
