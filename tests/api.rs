#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! Small parts of the public API: numeric context values, loading a policy file, and
//! errors that read well through `?`.

use iam_eval::{Decision, LoadErrorKind, Policy, PolicyKind, PolicySet, Request};
use std::error::Error as _;

fn value_of(value: impl iam_eval::ContextInput) -> String {
    let request = Request::builder()
        .principal("*")
        .action("s3:ListBucket")
        .resource("arn:aws:s3:::b")
        .context("k", value)
        .build()
        .unwrap();
    request
        .context()
        .get("k")
        .and_then(|v| v.single())
        .unwrap()
        .to_string()
}

/// Numbers are written as AWS sends them: plain decimal, no exponent, no `.0`.
#[test]
fn numbers_are_written_as_aws_sends_them() {
    assert_eq!(value_of(42_u64), "42");
    assert_eq!(value_of(-1_i64), "-1");
    assert_eq!(value_of(u64::MAX), "18446744073709551615");
    assert_eq!(value_of(3.5_f64), "3.5");
    assert_eq!(value_of(2.0_f64), "2");
    assert_eq!(value_of(0.001_f64), "0.001");
    assert_eq!(value_of(1e21_f64), "1000000000000000000000");
    assert_eq!(value_of(0.1_f32), "0.1");
    assert_eq!(value_of(7_usize), "7");
}

/// A number set from Rust compares under the `Numeric` operators.
#[test]
fn numeric_context_values_are_compared_as_numbers() {
    let set = PolicySet::builder()
        .add_json(
            PolicyKind::Identity,
            "list",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket",
              "Resource": "*", "Condition": {"NumericLessThanEquals": {"s3:max-keys": "10"}}}]}"#,
        )
        .unwrap()
        .build()
        .unwrap();
    let decide = |value: f64| {
        let request = Request::builder()
            .principal("arn:aws:iam::111122223333:user/alice")
            .action("s3:ListBucket")
            .resource("arn:aws:s3:::b")
            .context("s3:max-keys", value)
            .build()
            .unwrap();
        set.evaluate(&request).decision()
    };
    assert_eq!(decide(10.0), Decision::Allow);
    assert_eq!(decide(9.5), Decision::Allow);
    assert_eq!(decide(10.5), Decision::ImplicitDeny);
    // NaN is no number: the condition cannot be judged, and nothing is allowed.
    assert_eq!(decide(f64::NAN), Decision::ImplicitDeny);
}

struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!("iam-eval-api-{}-{name}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn from_file_reads_a_policy() {
    let file = TempFile::new(
        "ok.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
    );
    let policy = Policy::from_file(&file.0).unwrap();
    assert_eq!(policy.statements().len(), 1);
}

/// A broken file names itself, keeps the parse error and its diagnostics, and reads
/// as `FILE:LINE:COL: message` with the help through `Display`.
#[test]
fn from_file_names_the_file_and_keeps_the_parse_error() {
    let file = TempFile::new(
        "typo.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Efect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]\n}\n",
    );
    let err = Policy::from_file(&file.0).unwrap_err();
    assert_eq!(err.path(), file.0.as_path());
    assert!(matches!(err.kind(), LoadErrorKind::Parse(_)));
    let parse = err.parse_error().unwrap();
    assert_eq!(parse.diagnostics()[0].line(), 3);
    let name = file.0.display().to_string();
    assert_eq!(
        err.to_string(),
        format!("{name}:3:18: unknown element `Efect` in a statement (at `Statement[0].Efect`)\n  help: did you mean `Effect`?")
    );
    assert!(err.render().starts_with(&format!(
        "{name}:3:18: error: unknown element `Efect` in a statement\n  |\n3 |"
    )));
    let source = err.source().unwrap();
    assert!(
        source.to_string().starts_with("invalid policy: 3:18:"),
        "{source}"
    );
}

#[test]
fn from_file_reports_a_file_it_cannot_read() {
    let path = std::env::temp_dir().join("iam-eval-api-no-such-file.json");
    let err = Policy::from_file(&path).unwrap_err();
    assert!(matches!(err.kind(), LoadErrorKind::Io(_)));
    assert!(err.parse_error().is_none());
    assert!(
        err.to_string()
            .starts_with(&format!("{}: cannot read the file: ", path.display())),
        "{err}"
    );
    assert!(err
        .source()
        .unwrap()
        .downcast_ref::<std::io::Error>()
        .is_some());
}

/// `?` into a boxed error keeps the message a person can act on.
#[test]
fn errors_read_well_through_question_mark() {
    fn load() -> Result<Policy, Box<dyn std::error::Error>> {
        Ok(Policy::parse(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "*", "Resource": "*"}]}"#,
        )?)
    }
    let err = load().unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("invalid policy: 1:52: "), "{text}");
    assert!(text.contains("\n  help: "), "{text}");
}

/// The builder takes every caller the commands and test files take.
#[test]
fn the_builder_takes_prefixed_principals() {
    for (text, kind) in [
        (
            "service:cloudtrail.amazonaws.com",
            iam_eval::PrincipalKind::Service,
        ),
        (
            "federated:cognito-identity.amazonaws.com",
            iam_eval::PrincipalKind::WebIdentity,
        ),
        (
            "canonical-user:79a59df900b949e55d96a1e698fbaced",
            iam_eval::PrincipalKind::CanonicalUser,
        ),
        ("*", iam_eval::PrincipalKind::Anonymous),
    ] {
        let request = Request::builder()
            .principal(text)
            .action("s3:GetObject")
            .resource("arn:aws:s3:::b/k")
            .build()
            .unwrap();
        assert_eq!(request.principal().kind(), kind, "{text}");
        assert_eq!(text.parse::<iam_eval::Principal>().unwrap().kind(), kind);
    }
    let err = Request::builder()
        .principal("service:")
        .action("s3:GetObject")
        .resource("*")
        .build()
        .unwrap_err();
    assert_eq!(err.to_string(), "`service:` names no service");
}
