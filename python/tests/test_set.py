"""PolicySet: building it, evaluate, explain, and what they answer."""

from __future__ import annotations

import json

import pytest

import iam_eval
from helpers import ALICE, OBJECT, SSE, SSE_KMS

ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


def put(context: dict[str, str] | None = None) -> iam_eval.Request:
    return iam_eval.Request(ALICE, "s3:PutObject", OBJECT, context=context)


def test_the_walkthrough_decisions(seed_set: iam_eval.PolicySet) -> None:
    allowed = seed_set.evaluate(put({SSE: "aws:kms"}))
    assert allowed.decision == "allow" and allowed.allowed
    assert allowed.reason == "allowed by the caller's identity-based policy"
    assert allowed.reason_code == "identity_allow"
    assert [s.label for s in allowed.determining] == ["uploader#AllowObjectReadWrite"]
    for context in (None, {SSE: "AES256"}):
        denied = seed_set.evaluate(put(context))
        assert denied.decision == "explicit_deny" and not denied.allowed
        assert denied.reason_code == "explicit_deny"
        assert [str(s) for s in denied.determining] == ["bucket#DenyUploadIfNotSSEKMSEncrypted"]
    read = seed_set.evaluate(iam_eval.Request(ALICE, "s3:GetObject", OBJECT))
    assert read.decision == "allow"
    nothing = seed_set.evaluate(iam_eval.Request(ALICE, "s3:DeleteObject", OBJECT))
    assert (nothing.decision, nothing.reason_code, nothing.determining) == ("implicit_deny", "no_allow", [])


def test_statement_refs_name_the_statement(seed_set: iam_eval.PolicySet) -> None:
    (s,) = seed_set.evaluate(put()).determining
    assert (s.policy_id, s.policy_index, s.kind, s.index, s.sid, s.effect) == (
        "bucket",
        1,
        "resource",
        0,
        "DenyUploadIfNotSSEKMSEncrypted",
        "Deny",
    )
    assert repr(s) == "<StatementRef bucket#DenyUploadIfNotSSEKMSEncrypted (resource Deny)>"
    assert s == seed_set.evaluate(put({SSE: "AES256"})).determining[0]


def test_response_text(seed_set: iam_eval.PolicySet) -> None:
    r = seed_set.evaluate(put())
    assert str(r) == "explicit_deny (an explicit Deny statement applies) by bucket#DenyUploadIfNotSSEKMSEncrypted"
    assert repr(r) == f"<Response {r}>"
    assert (r.determining_omitted, r.problems, r.problems_omitted) == (0, [], 0)


def test_evaluate_takes_a_request_dict(seed_set: iam_eval.PolicySet) -> None:
    d = {"principal": ALICE, "action": "s3:PutObject", "resource": OBJECT, "context": {SSE: "aws:kms"}}
    assert seed_set.evaluate(d).decision == "allow"
    assert seed_set.explain(d).decision == "allow"
    with pytest.raises(TypeError, match="a request is a `Request` or a dict, not a `str`"):
        seed_set.evaluate("s3:PutObject")  # type: ignore[arg-type]


def test_policies_can_be_given_as_text_and_with_an_owner() -> None:
    bucket = (SSE_KMS / "bucket-policy.json").read_text()
    s = iam_eval.PolicySet([("resource", "bucket", bucket, "111122223333"), ("identity", "all", ALLOW_ALL)])
    assert len(s) == 2 and repr(s) == "<PolicySet policies=2>"
    assert s.evaluate(put()).decision == "explicit_deny"


def test_problems_report_what_could_not_be_judged() -> None:
    deny_old = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyBefore2020",
                    "Effect": "Deny",
                    "Action": "s3:*",
                    "Resource": "*",
                    "Condition": {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
                }
            ],
        }
    )
    s = iam_eval.PolicySet([("identity", "all", ALLOW_ALL), ("identity", "old", deny_old)])
    r = s.evaluate(iam_eval.Request(ALICE, "s3:GetObject", OBJECT, context={"aws:CurrentTime": "yesterday"}))
    assert r.decision == "implicit_deny"
    assert r.reason_code == "unjudged_deny"
    (p,) = r.problems
    assert (p.kind, p.key, p.value) == ("not_a_date", "aws:CurrentTime", "yesterday")
    assert p.statement.label == "old#DenyBefore2020"
    assert str(p) == p.message and "is not a date" in p.message
    assert repr(p).startswith("<Problem not_a_date:")
    ok = s.evaluate(iam_eval.Request(ALICE, "s3:GetObject", OBJECT, context={"aws:CurrentTime": "2024-01-01T00:00:00Z"}))
    assert (ok.decision, ok.problems) == ("allow", [])


def test_explain_agrees_with_evaluate_and_goes_down_to_conditions(seed_set: iam_eval.PolicySet) -> None:
    t = seed_set.explain(put())
    assert t.decision == "explicit_deny" == t.response.decision
    assert t.reason == "an explicit Deny statement applies"
    assert t.determining == ["bucket#DenyUploadIfNotSSEKMSEncrypted"]
    assert (t.principal, t.action, t.resource) == (ALICE, "s3:PutObject", OBJECT)
    assert t.resource_account == "111122223333" and t.same_account
    assert t.problems == []
    identity, bucket = t.policies
    assert (identity.id, identity.kind, identity.applies, identity.note) == ("uploader", "identity", True, None)
    (deny,) = bucket.statements
    assert (deny.label, deny.effect, deny.applies) == ("bucket#DenyUploadIfNotSSEKMSEncrypted", "Deny", True)
    assert (deny.action, deny.resource, deny.principal) == ("matched", "matched", "matched")
    (c,) = deny.conditions
    assert (c.operator, c.key, c.request_values, c.policy_values) == ("StringNotEquals", SSE, None, ["aws:kms"])
    assert (c.matched, c.outcome) == (True, "missing")
    assert "holds because the key is missing" in t.text
    assert str(t) == t.text
    assert t.text.startswith("decision: explicit_deny (an explicit Deny statement applies)")
    doc = json.loads(t.to_json())
    assert doc["decision"] == "explicit_deny"
    assert doc["policies"][1]["statements"][0]["conditions"][0]["outcome"] == {"kind": "missing"}
    assert "matched=True" in repr(c) and "applies=True" in repr(deny) and "resource policy bucket" in repr(bucket)
    assert repr(t) == "<Trace explicit_deny (an explicit Deny statement applies)>"
    with_header = seed_set.explain(put({SSE: "aws:kms"}))
    (c,) = with_header.policies[1].statements[0].conditions
    assert (c.request_values, c.matched, c.outcome) == (["aws:kms"], False, "compared")
    assert with_header.policies[1].statements[0].applies is False


def test_build_error_for_a_policy_invalid_for_its_kind() -> None:
    bucket = iam_eval.Policy.from_file(SSE_KMS / "bucket-policy.json")
    with pytest.raises(iam_eval.BuildError) as info:
        iam_eval.PolicySet([("identity", "all", ALLOW_ALL), ("identity", "bucket", bucket)])
    e = info.value
    assert isinstance(e, iam_eval.IamEvalError)
    assert (e.kind, e.position, e.policy_id, e.policy_kind) == ("invalid_for_kind", 1, "bucket", "identity")
    assert len(e.diagnostics) == 1 and "Principal" in e.diagnostics[0].message
    assert str(e).startswith("identity policy `bucket`: the policy is not valid as an identity-based policy\nbucket:")


def test_build_error_for_a_repeated_id() -> None:
    with pytest.raises(iam_eval.BuildError) as info:
        iam_eval.PolicySet([("identity", "a", ALLOW_ALL), ("identity", "a", ALLOW_ALL)])
    e = info.value
    assert (e.kind, e.position, e.policy_id, e.diagnostics) == ("duplicate_id", 1, "a", [])
    assert str(e) == "identity policy `a`: another policy in the set has this id"


def test_policy_text_that_does_not_parse_is_a_parse_error_named_by_its_id() -> None:
    with pytest.raises(iam_eval.ParseError) as info:
        iam_eval.PolicySet([("identity", "broken", "{")])
    assert str(info.value).startswith("broken:1:")


@pytest.mark.parametrize(
    ("entries", "error", "match"),
    [
        ([("identiy", "a", ALLOW_ALL)], ValueError, "unknown policy kind `identiy`"),
        ([("identity", "a")], TypeError, "is not `\\(kind, id, policy\\)`"),
        (["identity"], TypeError, "is not `\\(kind, id, policy\\)`"),
        ([("identity", "a", 42)], TypeError, "is not `\\(kind, id, policy\\)`"),
        ([("identity", 1, ALLOW_ALL)], TypeError, "is not `\\(kind, id, policy\\)`"),
    ],
)
def test_entries_of_the_wrong_shape(entries: list[object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        iam_eval.PolicySet(entries)  # type: ignore[arg-type]


def test_an_empty_set_denies() -> None:
    s = iam_eval.PolicySet([])
    assert len(s) == 0
    assert s.evaluate(put()).decision == "implicit_deny"
