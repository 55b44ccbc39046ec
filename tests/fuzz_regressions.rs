#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
//! Inputs found while fuzzing (`fuzz/`, see `fuzz/README.md`), each pinned as an ordinary
//! test that runs the same code path as the fuzz target and names the bug it found.

use iam_eval::analysis::{self, Expect, Shape, UnknownKind};
use iam_eval::{Decision, Policy, PolicyKind, PolicySet, Reason, Request};

/// A minified policy (one line) with a mistake in each of its many statements.
fn one_line_policy(statement: &str, count: usize) -> String {
    format!(r#"{{"Statement":[{}]}}"#, vec![statement; count].join(","))
}

/// Bug: every diagnostic held its own copy of its source line, and `render` printed all
/// of it. A minified policy is one line, so a 120 KB policy with 10 000 mistakes (well
/// within the size limit) took 5 GB of memory to parse and rendered to 1.9 GB of text.
/// Diagnostics on one line now share it, and `render` shows 120 characters around the
/// column.
#[test]
fn diagnostics_on_one_long_line_share_it() {
    let src = one_line_policy(r#"{"Efect":"Allow","Actio":"a:b","Resource":"*"}"#, 500);
    let e = Policy::parse(&src).unwrap_err();
    let diagnostics = e.diagnostics();
    // Two misspellings per statement; the elements they leave missing are not
    // reported again.
    assert_eq!(diagnostics.len(), 1000);
    let line = diagnostics[0].source_line();
    assert_eq!(line, src);
    for d in diagnostics {
        assert_eq!(d.source_line().as_ptr(), line.as_ptr(), "{d}");
    }
    let rendered = e.render("policy.json");
    assert!(
        rendered.len() < 400 * diagnostics.len(),
        "{} bytes",
        rendered.len()
    );

    // The marker stays under the column in a cut line.
    let last = diagnostics.last().unwrap();
    let text = last.render("policy.json");
    let lines: Vec<&str> = text.lines().collect();
    let marker = lines[3].find('^').unwrap();
    assert!(lines[2][marker..].starts_with("\"Actio\""), "{text}");
    assert!(lines[2].starts_with("1 | ..."), "{text}");

    // The same for the errors found when validating a policy for its kind.
    let src = one_line_policy(r#"{"Effect":"Allow","Action":"a:b"}"#, 500);
    let policy = Policy::parse(&src).unwrap();
    let e = policy.validate(PolicyKind::Identity).unwrap_err();
    assert_eq!(e.diagnostics().len(), 500);
    let line = e.diagnostics()[0].source_line();
    assert_eq!(line, src);
    assert!(e
        .diagnostics()
        .iter()
        .all(|d| d.source_line().as_ptr() == line.as_ptr()));
    assert!(e.render("policy.json").len() < 400 * 500);
}

/// The cut line of `diagnostics_on_one_long_line_share_it` on text with multibyte
/// characters and tabs: cuts fall on character boundaries and the marker lines up.
#[test]
fn long_lines_with_multibyte_text_render() {
    let sid = "é😀".repeat(40);
    let src = format!(
        r#"{{"Statement":[{{"Sid":"{sid}",{}"Effect":"Allów","Action":"*","Resource":"*"}}]}}"#,
        "\t".repeat(20)
    );
    let e = Policy::parse(&src).unwrap_err();
    let d = &e.diagnostics()[0];
    assert_eq!(d.message(), "unknown effect `Allów`");
    let text = d.render("policy.json");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[2].starts_with("1 | ..."), "{text}");
    let (shown, marker) = (lines[2].trim_start_matches("1 | "), lines[3]);
    let marker = marker.trim_start_matches("  | ");
    let at = marker.chars().count() - 1;
    let under: String = shown.chars().skip(at).take(7).collect();
    assert_eq!(under, "\"Allów\"", "{text}");
}

/// Evaluates and explains one request against a resource-based policy given with its
/// owner account, as the `structured` fuzz target does; returns both decisions and reasons.
fn evaluate_and_explain_owned(
    policy: &str,
    owner: &str,
    principal: &str,
    action: &str,
    resource: &str,
) -> ((Decision, Reason), (Decision, Reason)) {
    let set = PolicySet::builder()
        .add_owned(
            PolicyKind::Resource,
            "p0",
            Policy::parse(policy).unwrap(),
            owner,
        )
        .build()
        .unwrap();
    let request = Request::builder()
        .principal(principal)
        .action(action)
        .resource(resource)
        .build()
        .unwrap();
    let evaluated = set.evaluate(&request);
    let (explained, trace) = set.explain(&request);
    assert_eq!(trace.decision, explained.decision());
    (
        (evaluated.decision(), evaluated.reason()),
        (explained.decision(), explained.reason()),
    )
}

/// Bug (found by `structured`; in the statement index, `src/eval/index.rs`): the resource
/// trie skips a statement whose `Principal` names no account of the caller's. But a
/// statement of a resource-based policy given with its owner account that covers the
/// action and resource makes that account the resource's owner, whoever it names
/// (`PolicySet::resource_account`). `explain`, which visits every statement, took the
/// owner 444455556666, the caller's own account, and allowed the account's root user;
/// `evaluate` skipped the statement, took the account in the queue's ARN, and denied a
/// cross-account request.
#[test]
fn skipped_statement_still_names_the_resource_owner() {
    let (evaluated, explained) = evaluate_and_explain_owned(
        r#"{"Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:*:*:*","Principal":{"AWS":"111122223333"}}]}"#,
        "444455556666",
        "arn:aws:iam::444455556666:root",
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:111122223333:queue1",
    );
    assert_eq!(evaluated, explained);
    assert_eq!(evaluated, (Decision::Allow, Reason::RootUser));

    // The input as the fuzzer found it (artifact crash-d57e9b93...).
    let (evaluated, explained) = evaluate_and_explain_owned(
        r#"{"Statement":[{"Sid":"S5","Effect":"Allow","NotAction":"iam:Create????","Resource":["arn:aws:*:*:*:*","arn:aws:s3:::bucket-?/*"],"Principal":{"AWS":["111122223333"]}}]}"#,
        "444455556666",
        "arn:aws:iam::444455556666:root",
        "s3:PutObject",
        "arn:aws:iam::111122223333:user/alice",
    );
    assert_eq!(evaluated, explained);
    assert_eq!(evaluated, (Decision::Allow, Reason::RootUser));
}

/// Bug (found by `structured`, fixed with the previous one in `src/eval/mod.rs`): of two
/// resource-based policies given with owner accounts that both cover the request, the
/// owner was taken from the first one *visited*. `explain` visits in set order and took
/// `p0`'s account, 444455556666: a cross-account request the caller's identity side
/// does not allow. `evaluate` visits the statements without `Resource` (from the action
/// index) before those in the resource trie, took `p1`'s account, the caller's own, and
/// allowed. The owner is the first covering policy in set order, whichever is visited
/// first.
#[test]
fn owner_is_the_first_covering_policy_in_set_order() {
    let covering = |statement: &str| {
        Policy::parse(&format!(
            r#"{{"Version":"2008-10-17","Id":"policy-id","Statement":{statement}}}"#
        ))
        .unwrap()
    };
    let set = PolicySet::builder()
        .add_owned(
            PolicyKind::Resource,
            "p0",
            covering(r#"{"Effect":"Allow","Action":["s3:GetObject*"],"Resource":["arn:aws:s3:::*"],"Principal":"*"}"#),
            "444455556666",
        )
        .add_owned(
            PolicyKind::Resource,
            "p1",
            covering(r#"{"Effect":"Allow","Action":"s3:GetObject","Principal":"*"}"#),
            "111122223333",
        )
        .build()
        .unwrap();
    let request = Request::builder()
        .principal("arn:aws:iam::111122223333:user/alice")
        .action("s3:GetObject")
        .resource("arn:aws:s3:::bucket-a")
        .build()
        .unwrap();
    let evaluated = set.evaluate(&request);
    let (explained, trace) = set.explain(&request);
    let expected = (
        Decision::ImplicitDeny,
        Reason::CrossAccountNeedsIdentityAllow,
    );
    assert_eq!((evaluated.decision(), evaluated.reason()), expected);
    assert_eq!((explained.decision(), explained.reason()), expected);
    assert_eq!(trace.resource_account.as_deref(), Some("444455556666"));
}

fn identity_set(statements: &str) -> PolicySet {
    PolicySet::builder()
        .add_json(
            PolicyKind::Identity,
            "id",
            &format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#),
        )
        .unwrap()
        .build()
        .unwrap()
}

fn verdict_text(v: &analysis::Verdict) -> String {
    match v {
        analysis::Verdict::Counterexample(c, _) => c.to_test_case("counterexample"),
        other => format!("{other:?}"),
    }
}

/// Bug (found by `analysis`; in the encoding, `src/analysis/encode.rs`): a shape with one
/// resource and no wildcard decides `Resource` patterns without atoms, but a pattern with
/// a policy variable was still an atom on the resource's slot, which nothing tied to the
/// shape's resource. The search could then match the pattern with another resource: here
/// `diff` ended "internal check failed" after sixteen such models (two declared keys give
/// enough of them), and a real refutation could be ruled out with the models that did
/// not confirm, so that a claim was proved that a request refutes.
#[test]
fn a_resource_variable_reads_the_shapes_one_resource() {
    let deny_all = identity_set(r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}"#);
    let deny_but = identity_set(
        r#"{"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::bucket-a/${k:b, 'key1'}"}"#,
    );
    let shape = Shape::builder()
        .principal("arn:aws:iam::111122223333:root")
        .action("kms:Decrypt")
        .resource("arn:aws:iam::111122223333:role/app")
        .multivalued("k:x")
        .multivalued("k:y")
        .build()
        .unwrap();
    // The role is never `arn:aws:s3:::bucket-a/...`, so both deny every request.
    let v = analysis::diff(&deny_all, &deny_but, &shape);
    assert!(v.is_proved(), "{}", verdict_text(&v));

    // `k:b` = `alice` makes the pattern the shape's resource: a counterexample.
    let allow = identity_set(
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${k:b}"}"#,
    );
    let shape = Shape::builder()
        .principal("arn:aws:iam::111122223333:user/alice")
        .action("s3:GetObject")
        .resource("arn:aws:s3:::b/alice")
        .build()
        .unwrap();
    let v = analysis::always(&allow, &shape, Expect::Deny);
    let c = v
        .counterexample()
        .unwrap_or_else(|| panic!("{}", verdict_text(&v)));
    assert_eq!(c.request().resource(), "arn:aws:s3:::b/alice");
    assert_eq!(c.decision(), Decision::Allow);
    assert_eq!(allow.evaluate(c.request()).decision(), Decision::Allow);
}

/// Bug (found while fixing the previous one; in the search, `src/analysis/query.rs`): a
/// model that `evaluate` does not confirm is ruled out by its atoms and the search goes
/// on; when it then ran out of models, the claim counted as proved. Under an
/// approximated construct (a `Bool` value mixing text and a variable, a value with more
/// than four variables) the atoms do not decide the construct, so the request that
/// refutes the claim had been ruled out with the one that did not: these claims were
/// proved. Running out of models after one that did not confirm is now unknown.
#[test]
fn running_out_of_models_after_one_that_did_not_confirm_is_no_proof() {
    let shape = Shape::builder()
        .principal("arn:aws:iam::111122223333:user/alice")
        .action("s3:GetObject")
        .resource("arn:aws:s3:::b/alice")
        .build()
        .unwrap();
    for (condition, refuting) in [
        (
            r#"{"Bool": {"k:a": "tr${k:b}"}}"#,
            &[("k:a", "true"), ("k:b", "ue")][..],
        ),
        (
            r#"{"StringEquals": {"k:a": "${k:1}${k:2}${k:3}${k:4}${k:5}"}}"#,
            &[
                ("k:a", "abcde"),
                ("k:1", "a"),
                ("k:2", "b"),
                ("k:3", "c"),
                ("k:4", "d"),
                ("k:5", "e"),
            ][..],
        ),
    ] {
        let set = identity_set(&format!(
            r#"{{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {condition}}}"#
        ));
        // A request of the shape that the set allows: "every request is denied" is false.
        let mut b = Request::builder();
        b.principal("arn:aws:iam::111122223333:user/alice")
            .action("s3:GetObject")
            .resource("arn:aws:s3:::b/alice");
        for (k, v) in refuting {
            b.context(k, *v);
        }
        let request = b.build().unwrap();
        assert_eq!(set.evaluate(&request).decision(), Decision::Allow);
        let v = analysis::always(&set, &shape, Expect::Deny);
        assert!(!v.is_proved(), "{condition}: proved");
        match &v {
            analysis::Verdict::Unknown(u, _) => {
                assert_eq!(u.kind(), UnknownKind::Unsupported, "{condition}: {u}");
            }
            analysis::Verdict::Counterexample(c, _) => {
                assert_eq!(set.evaluate(c.request()).decision(), Decision::Allow);
            }
            other => panic!("{condition}: {other:?}"),
        }
    }
}
