#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! The decision API beyond what a JSON corpus can say: the Response (deciding statements,
//! reasons, problems), `explain` agreeing with `evaluate` on every corpus case, the
//! thread-safety of a PolicySet, and build errors.

use iam_eval::TestFile;
use iam_eval::{
    BuildErrorKind, Decision, PolicyKind, PolicySet, ProblemKind, Reason, Request, Response,
    StatementRef,
};
use std::path::Path;

// A compiled set is shared across threads.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PolicySet>();
    assert_send_sync::<Request>();
};

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

fn set(policies: &[(PolicyKind, &str, &str)]) -> PolicySet {
    let mut b = PolicySet::builder();
    for (kind, id, json) in policies {
        if let Err(e) = b.add_json(*kind, *id, json) {
            panic!("policy `{id}` does not parse:\n{}", e.render(id));
        }
    }
    b.build().unwrap_or_else(|e| panic!("{e}"))
}

fn req(principal: &str, action: &str, resource: &str, ctx: &[(&str, &str)]) -> Request {
    let mut b = Request::builder();
    b.principal(principal).action(action).resource(resource);
    for (k, v) in ctx {
        b.context(k, *v);
    }
    b.build().unwrap()
}

fn owned(principal: &str, action: &str, resource: &str, owner: &str) -> Request {
    let mut b = Request::builder();
    b.principal(principal)
        .action(action)
        .resource(resource)
        .resource_account(owner);
    b.build().unwrap()
}

fn labels(r: &Response<'_>) -> Vec<String> {
    r.determining().map(|s| s.to_string()).collect()
}

const IDENTITY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowRead", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::locked/*"},
    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}
  ]
}"#;

#[test]
fn determining_labels_use_the_sid_or_the_index() {
    let s = set(&[(PolicyKind::Identity, "team-policy", IDENTITY)]);
    let r = req(ALICE, "s3:GetObject", "arn:aws:s3:::b/k", &[]);
    let resp = s.evaluate(&r);
    assert_eq!(resp.decision(), Decision::Allow);
    assert_eq!(resp.reason(), Reason::IdentityAllow);
    assert_eq!(labels(&resp), ["team-policy#AllowRead"]);
    let st: StatementRef<'_> = resp.determining().next().unwrap();
    assert_eq!(
        (
            st.policy_id(),
            st.policy_index(),
            st.index(),
            st.sid(),
            st.kind()
        ),
        ("team-policy", 0, 0, Some("AllowRead"), PolicyKind::Identity)
    );
    assert_eq!(resp.determining_omitted(), 0);
    assert_eq!(
        resp.to_string(),
        "allow (allowed by the caller's identity-based policy) by team-policy#AllowRead"
    );

    // A statement without a Sid is labelled by its 0-based index.
    let r = req(ALICE, "s3:PutObject", "arn:aws:s3:::locked/k", &[]);
    let resp = s.evaluate(&r);
    assert_eq!(resp.decision(), Decision::ExplicitDeny);
    assert_eq!(resp.reason(), Reason::ExplicitDeny);
    assert_eq!(labels(&resp), ["team-policy#1"]);
    let st = resp.determining().next().unwrap();
    assert_eq!((st.index(), st.sid()), (1, None));

    let r = req(ALICE, "s3:PutObject", "arn:aws:s3:::open/k", &[]);
    assert_eq!(labels(&s.evaluate(&r)), ["team-policy#2"]);

    // Nothing allows: no deciding statement.
    let r = req(ALICE, "s3:DeleteObject", "arn:aws:s3:::b/k", &[]);
    let resp = s.evaluate(&r);
    assert_eq!(
        (resp.decision(), resp.reason()),
        (Decision::ImplicitDeny, Reason::NoAllow)
    );
    assert_eq!(resp.determining().count(), 0);
}

#[test]
fn every_deny_that_applies_is_listed() {
    let s = set(&[
        (PolicyKind::Identity, "a", IDENTITY),
        (
            PolicyKind::Scp,
            "scp",
            r#"{"Version":"2012-10-17","Statement":[
                {"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"},
                {"Sid":"NoLocked","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::locked/*"}]}"#,
        ),
    ]);
    let r = req(ALICE, "s3:PutObject", "arn:aws:s3:::locked/k", &[]);
    let resp = s.evaluate(&r);
    assert_eq!(resp.decision(), Decision::ExplicitDeny);
    let mut got = labels(&resp);
    got.sort();
    assert_eq!(got, ["a#1", "scp#NoLocked"]);
}

const BUCKET: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "GrantCarol", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:user/carol"},
     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"},
    {"Sid": "GrantAlice", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
     "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::shared"}
  ]
}"#;

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// One request per reason the evaluator gives.
#[test]
fn reasons() {
    let allow_all = r#"{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":["s3:*","kms:*","sqs:*"],"Resource":"*"}]}"#;
    let only_get = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Get","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let key_policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Bob","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"kms:Decrypt","Resource":"*"}]}"#;
    let bad_deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Big","Effect":"Deny","Action":"sqs:*","Resource":"*","Condition":{"NumericGreaterThan":{"test:n":"10"}}}]}"#;
    let s = set(&[
        (PolicyKind::Identity, "id", allow_all),
        (PolicyKind::Resource, "bucket", BUCKET),
        (PolicyKind::Identity, "deny", bad_deny),
    ]);
    let carol = "arn:aws:iam::444455556666:user/carol";
    let shared = "arn:aws:s3:::shared/k";
    let rows: Vec<(Request, Decision, Reason, &str)> = vec![
        (
            req(ALICE, "s3:GetObject", "arn:aws:s3:::b/k", &[]),
            Decision::Allow,
            Reason::IdentityAllow,
            "identity allow, same account",
        ),
        (
            owned(carol, "s3:GetObject", shared, "111122223333"),
            Decision::Allow,
            Reason::IdentityAndResourceAllow,
            "cross-account, both sides",
        ),
        (
            owned(carol, "s3:PutObject", shared, "111122223333"),
            Decision::ImplicitDeny,
            Reason::CrossAccountNeedsResourceAllow,
            "cross-account, identity only",
        ),
        (
            req("*", "s3:ListBucket", "arn:aws:s3:::shared", &[]),
            Decision::ImplicitDeny,
            Reason::NoAllow,
            "anonymous, nothing grants",
        ),
        (
            req(
                "arn:aws:iam::111122223333:root",
                "ec2:RunInstances",
                "*",
                &[],
            ),
            Decision::Allow,
            Reason::RootUser,
            "root in its own account",
        ),
        (
            req(
                ALICE,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:111122223333:q",
                &[("test:n", "many")],
            ),
            Decision::ImplicitDeny,
            Reason::UnjudgedDeny,
            "a Deny with a value of the wrong type",
        ),
        (
            req(
                ALICE,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:111122223333:q",
                &[("test:n", "11")],
            ),
            Decision::ExplicitDeny,
            Reason::ExplicitDeny,
            "the same Deny, judged",
        ),
    ];
    let mut failures = Vec::new();
    let mut check = |set: &PolicySet, rows: Vec<(Request, Decision, Reason, &str)>| {
        for (r, decision, reason, what) in rows {
            let resp = set.evaluate(&r);
            if (resp.decision(), resp.reason()) != (decision, reason) {
                failures.push(format!(
                    "{what}: expected {decision} ({reason:?}), got {} ({:?})",
                    resp.decision(),
                    resp.reason()
                ));
            }
        }
    };
    check(&s, rows);

    // Cross-account, resource side only.
    let s2 = set(&[
        (PolicyKind::Identity, "id", only_get),
        (PolicyKind::Resource, "bucket", BUCKET),
    ]);
    let s2_rows = vec![(
        owned(
            "arn:aws:iam::444455556666:user/carol",
            "s3:ListBucket",
            "arn:aws:s3:::shared",
            "111122223333",
        ),
        Decision::ImplicitDeny,
        Reason::NoAllow,
        "cross-account, neither side allows ListBucket for carol",
    )];
    check(&s2, s2_rows);

    let s3 = set(&[
        (PolicyKind::Identity, "id", allow_all),
        (PolicyKind::Boundary, "bnd", only_get),
        (
            PolicyKind::Scp,
            "scp",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sqs:*"],"Resource":"*"}]}"#,
        ),
    ]);
    let s3_rows = vec![
        (
            req(ALICE, "s3:PutObject", "arn:aws:s3:::b/k", &[]),
            Decision::ImplicitDeny,
            Reason::BoundaryDoesNotAllow,
            "boundary",
        ),
        (
            req(ALICE, "kms:Decrypt", KEY, &[]),
            Decision::ImplicitDeny,
            Reason::ScpDoesNotAllow,
            "SCP",
        ),
    ];
    check(&s3, s3_rows);

    let s4 = set(&[
        (PolicyKind::Identity, "id", allow_all),
        (PolicyKind::Session, "sess", only_get),
    ]);
    let s4_rows = vec![(
        req(
            "arn:aws:sts::111122223333:assumed-role/app/s1",
            "s3:PutObject",
            "arn:aws:s3:::b/k",
            &[],
        ),
        Decision::ImplicitDeny,
        Reason::SessionPolicyDoesNotAllow,
        "session policy",
    )];
    check(&s4, s4_rows);

    let s5 = set(&[
        (PolicyKind::Identity, "id", allow_all),
        (PolicyKind::Resource, "key", key_policy),
    ]);
    let s5_rows = vec![
        (
            req(ALICE, "kms:Decrypt", KEY, &[]),
            Decision::ImplicitDeny,
            Reason::KeyPolicyDoesNotAllow,
            "KMS key policy without the account statement",
        ),
        (
            req(
                "arn:aws:iam::111122223333:user/bob",
                "kms:Decrypt",
                KEY,
                &[],
            ),
            Decision::Allow,
            Reason::ResourceAllow,
            "KMS key policy names bob",
        ),
    ];
    check(&s5, s5_rows);

    let queue = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sqs:SendMessage","Resource":"*"}]}"#;
    let s6 = set(&[
        (PolicyKind::Identity, "id", only_get),
        (PolicyKind::Resource, "queue", queue),
    ]);
    let s6_rows = vec![(
        req(
            ALICE,
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:444455556666:q",
            &[],
        ),
        Decision::ImplicitDeny,
        Reason::CrossAccountNeedsIdentityAllow,
        "cross-account, resource side only",
    )];
    check(&s6, s6_rows);

    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn wrong_type_values_are_reported() {
    let json = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"Small","Effect":"Allow","Action":"s3:ListBucket","Resource":"*",
         "Condition":{"NumericLessThan":{"s3:max-keys":"100"}}},
        {"Sid":"Recent","Effect":"Allow","Action":"s3:GetObject","Resource":"*",
         "Condition":{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}},
        {"Sid":"Net","Effect":"Allow","Action":"s3:PutObject","Resource":"*",
         "Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}},
        {"Sid":"Tls","Effect":"Allow","Action":"s3:DeleteObject","Resource":"*",
         "Condition":{"Bool":{"aws:SecureTransport":"true"}}},
        {"Sid":"Bytes","Effect":"Allow","Action":"s3:GetObjectTagging","Resource":"*",
         "Condition":{"BinaryEquals":{"test:bin":"QQ=="}}},
        {"Sid":"Src","Effect":"Allow","Action":"s3:PutObjectTagging","Resource":"*",
         "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:*"}}}
    ]}"#;
    let s = set(&[(PolicyKind::Identity, "typed", json)]);
    let rows = [
        (
            "s3:ListBucket",
            "s3:max-keys",
            "lots",
            ProblemKind::NotANumber,
            "typed#Small",
            "is not a number",
        ),
        (
            "s3:GetObject",
            "aws:CurrentTime",
            "yesterday",
            ProblemKind::NotADate,
            "typed#Recent",
            "is not a date",
        ),
        (
            "s3:PutObject",
            "aws:SourceIp",
            "home",
            ProblemKind::NotAnIpAddress,
            "typed#Net",
            "is not an IP address",
        ),
        (
            "s3:DeleteObject",
            "aws:SecureTransport",
            "yes",
            ProblemKind::NotABool,
            "typed#Tls",
            "is not `true` or `false`",
        ),
        (
            "s3:GetObjectTagging",
            "test:bin",
            "%%",
            ProblemKind::NotBase64,
            "typed#Bytes",
            "is not base64",
        ),
        (
            "s3:PutObjectTagging",
            "aws:SourceArn",
            "topic",
            ProblemKind::NotAnArn,
            "typed#Src",
            "is not an ARN",
        ),
    ];
    for (action, key, value, kind, label, words) in rows {
        let r = req(ALICE, action, "arn:aws:s3:::b/k", &[(key, value)]);
        let resp = s.evaluate(&r);
        assert_eq!(
            resp.decision(),
            Decision::ImplicitDeny,
            "{action}: the condition is false"
        );
        let problems: Vec<_> = resp.problems().collect();
        assert_eq!(problems.len(), 1, "{action}: {problems:?}");
        let p = problems[0];
        assert_eq!(
            (p.kind(), p.key(), p.value()),
            (kind, key, value),
            "{action}"
        );
        assert!(p.kind().unjudged(), "{action}");
        assert_eq!(p.statement().to_string(), label);
        let text = p.to_string();
        assert!(
            text.contains(words)
                && text.contains(value)
                && text.contains(key)
                && text.starts_with(label),
            "{action}: {text}"
        );
        // explain reports the same problem and marks the condition as unjudged.
        let (_, trace) = s.explain(&r);
        assert_eq!(trace.problems, std::slice::from_ref(&text), "{action}");
    }
}

#[test]
fn variables_without_values_are_reported() {
    let json = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"Home","Effect":"Allow","Action":"s3:GetObject",
         "Resource":"arn:aws:s3:::home/${aws:username}/*"},
        {"Sid":"Team","Effect":"Allow","Action":"s3:PutObject","Resource":"*",
         "Condition":{"StringEquals":{"s3:prefix":"${aws:PrincipalTag/team}"}}}
    ]}"#;
    let s = set(&[(PolicyKind::Identity, "vars", json)]);
    let session = "arn:aws:sts::111122223333:assumed-role/app/s1";
    let r = req(session, "s3:GetObject", "arn:aws:s3:::home/app/x", &[]);
    let resp = s.evaluate(&r);
    assert_eq!(resp.decision(), Decision::ImplicitDeny);
    let p: Vec<_> = resp.problems().collect();
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0].kind(), p[0].key(), p[0].value()),
        (ProblemKind::VariableWithoutValue, "aws:username", "")
    );
    assert!(
        !p[0].kind().unjudged(),
        "AWS defines a missing variable as matching nothing"
    );
    assert_eq!(p[0].statement().to_string(), "vars#Home");
    assert!(p[0].to_string().contains("${aws:username}"), "{}", p[0]);

    let r = req(
        ALICE,
        "s3:PutObject",
        "arn:aws:s3:::b/k",
        &[("s3:prefix", "x")],
    );
    let resp = s.evaluate(&r);
    assert_eq!(resp.decision(), Decision::ImplicitDeny);
    let p: Vec<_> = resp.problems().collect();
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0].kind(), p[0].key()),
        (ProblemKind::VariableWithoutValue, "aws:PrincipalTag/team")
    );

    // A multivalued key cannot be a variable.
    let mut b = Request::builder();
    b.principal(ALICE)
        .action("s3:PutObject")
        .resource("arn:aws:s3:::b/k")
        .context("s3:prefix", "x")
        .context(
            "aws:PrincipalTag/team",
            vec!["x".to_string(), "y".to_string()],
        );
    let r = b.build().unwrap();
    let resp = s.evaluate(&r);
    assert_eq!(resp.decision(), Decision::ImplicitDeny);
    let kinds: Vec<_> = resp.problems().map(|p| p.kind()).collect();
    assert_eq!(kinds, [ProblemKind::MultivaluedVariable]);

    // With a value there is no problem.
    let r = req(ALICE, "s3:GetObject", "arn:aws:s3:::home/alice/x", &[]);
    let resp = s.evaluate(&r);
    assert_eq!(resp.decision(), Decision::Allow);
    assert_eq!(resp.problems().count(), 0);
}

#[test]
fn a_principal_in_an_identity_policy_fails_the_build() {
    let json = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},
         "Action":"s3:GetObject","Resource":"*"}]}"#;
    let mut b = PolicySet::builder();
    b.add_json(PolicyKind::Identity, "ok", IDENTITY).unwrap();
    b.add_json(PolicyKind::Identity, "attached-to-alice", json)
        .unwrap();
    let e = b.build().unwrap_err();
    assert_eq!(e.policy_id(), "attached-to-alice");
    assert_eq!(e.policy_kind(), PolicyKind::Identity);
    assert_eq!(e.kind(), BuildErrorKind::InvalidForKind);
    assert_eq!(e.position(), 1);
    assert!(
        std::error::Error::source(&e).is_some(),
        "the validation error is the source"
    );
    let text = e.to_string();
    assert!(text.contains("`attached-to-alice`"), "{text}");
    assert!(
        e.diagnostics()
            .iter()
            .any(|d| d.to_string().contains("Principal")),
        "{text}"
    );

    // The same document is fine as a resource-based policy.
    let mut b = PolicySet::builder();
    b.add_json(PolicyKind::Resource, "bucket", json).unwrap();
    assert!(b.build().is_ok());

    // Ids must be unique.
    let mut b = PolicySet::builder();
    b.add_json(PolicyKind::Identity, "p", IDENTITY).unwrap();
    b.add_json(PolicyKind::Identity, "p", IDENTITY).unwrap();
    let e = b.build().unwrap_err();
    assert_eq!(e.policy_id(), "p");
    assert!(matches!(e.kind(), BuildErrorKind::DuplicateId));
}

/// `explain` runs the same code as `evaluate`: on every case of every test file the
/// decisions, reasons, deciding statements and problems agree.
#[test]
fn explain_agrees_with_evaluate_on_the_corpus() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let roots: Vec<_> = ["policies", "tests/corpus"]
        .iter()
        .map(|d| base.join(d))
        .filter(|p| p.exists())
        .collect();
    let files = TestFile::discover(&roots).unwrap();
    let mut cases = 0;
    let mut disagreements = Vec::new();
    for path in files {
        let file = TestFile::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let set = file.policy_set();
        for case in file.cases() {
            cases += 1;
            let evaluated = set.evaluate(case.request());
            let (explained, trace) = set.explain(case.request());
            let d = evaluated.decision();
            let same = explained.decision() == d
                && trace.decision == d
                && explained.reason() == evaluated.reason()
                && trace.reason == evaluated.reason()
                && labels(&explained) == labels(&evaluated)
                && trace
                    .determining
                    .iter()
                    .map(|l| l.to_string())
                    .collect::<Vec<_>>()
                    == labels(&evaluated)
                && explained.problems().count() == evaluated.problems().count()
                && trace.problems.len()
                    >= evaluated.problems().count() + evaluated.problems_omitted();
            if !same {
                disagreements.push(format!(
                    "{}: {}: evaluate {} / explain {} / trace {} ({:?} vs {:?})",
                    path.display(),
                    case.name(),
                    evaluated,
                    explained,
                    trace.decision,
                    trace.determining,
                    labels(&evaluated)
                ));
            }
        }
    }
    assert!(cases >= 400, "only {cases} corpus cases found");
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// A context key that no policy of the set reads is reported with the closest key that
/// one does read; derived keys and keys a policy reads are not.
#[test]
fn unread_context_keys_are_reported_with_a_suggestion() {
    let set = PolicySet::builder()
        .add_json(
            PolicyKind::Resource,
            "bucket",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",
                "Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*",
                "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}]}"#,
        )
        .unwrap()
        .build()
        .unwrap();
    let request = Request::builder()
        .principal("arn:aws:iam::111122223333:user/alice")
        .action("s3:PutObject")
        .resource("arn:aws:s3:::b/k")
        .context("s3:x-amz-server-side-encription", "aws:kms")
        .context("S3:X-AMZ-SERVER-SIDE-ENCRYPTION", "aws:kms")
        .build()
        .unwrap();
    let unread = set.unread_context_keys(&request);
    assert_eq!(unread.len(), 1, "{unread:?}");
    assert_eq!(unread[0].key(), "s3:x-amz-server-side-encription");
    assert_eq!(
        unread[0].suggestion(),
        Some("s3:x-amz-server-side-encryption")
    );
    assert_eq!(
        set.condition_keys().collect::<Vec<_>>(),
        ["s3:x-amz-server-side-encryption"]
    );
}
