"""Proving from Python: Shape, PolicySet.prove, diff, equivalent, Verdict, Counterexample."""

from __future__ import annotations

import json
import time

import pytest

import iam_eval
from helpers import ALICE, SSE, SSE_KMS

BUCKET = "arn:aws:s3:::example-bucket/*"


@pytest.fixture
def uploader_only() -> iam_eval.PolicySet:
    """The walkthrough's set without its bucket policy."""
    return iam_eval.PolicySet([("identity", "uploader", iam_eval.Policy.from_file(SSE_KMS / "uploader-identity.json"))])


def test_a_true_claim_is_proved(seed_set: iam_eval.PolicySet) -> None:
    shape = iam_eval.Shape(actions=["s3:PutObject"], resources=[BUCKET], condition={"StringNotEquals": {SSE: "aws:kms"}})
    verdict = seed_set.prove(shape, expect="explicit_deny")
    assert (verdict.verdict, verdict.proved, verdict.counterexample, verdict.reason) == ("proved", True, None, None)
    assert set(verdict.stats) == {"principal_cases", "conflicts", "unconfirmed", "seconds"}
    assert verdict.stats["principal_cases"] >= 1
    # The same condition as JSON text.
    text = iam_eval.Shape(actions=["s3:PutObject"], resources=[BUCKET], condition=json.dumps({"StringNotEquals": {SSE: "aws:kms"}}))
    assert seed_set.prove(text, expect="explicit_deny").proved
    assert seed_set.prove(shape, expect="deny").proved


def test_a_false_claim_has_a_counterexample_that_evaluate_confirms(seed_set: iam_eval.PolicySet) -> None:
    shape = iam_eval.Shape(principals=[ALICE], actions=["s3:PutObject"], resources=[BUCKET])
    verdict = seed_set.prove(shape, expect="explicit_deny")
    assert (verdict.verdict, verdict.proved, verdict.reason) == ("counterexample", False, None)
    cx = verdict.counterexample
    assert cx is not None
    assert cx.request.principal == ALICE and cx.request.action.lower() == "s3:putobject"
    assert cx.request.resource.startswith("arn:aws:s3:::example-bucket/")
    # Not explicitly denied: so it sends the header with `aws:kms`, and is allowed.
    assert cx.decision == "allow" and cx.expected == "explicit_deny" and cx.before is None
    assert cx.request.context[SSE] == "aws:kms"
    assert seed_set.evaluate(cx.request).decision == cx.decision == cx.response.decision
    assert cx.trace.decision == cx.decision
    assert [str(s) for s in cx.response.determining] == ["uploader#AllowObjectReadWrite"]
    case = json.loads(cx.to_test_case("alice may upload with SSE-KMS"))
    assert case["name"] == "alice may upload with SSE-KMS" and case["expect"] == "allow"
    assert iam_eval.Request.from_dict(case["request"]) == cx.request
    assert "counterexample" in repr(verdict)


def test_diff_shows_new_access(seed_set: iam_eval.PolicySet, uploader_only: iam_eval.PolicySet) -> None:
    shape = iam_eval.Shape(principals=[ALICE], actions=["s3:*"], resources=[BUCKET])
    # Dropping the bucket policy allows uploads it denied.
    verdict = iam_eval.diff(seed_set, uploader_only, shape)
    assert verdict.verdict == "counterexample"
    cx = verdict.counterexample
    assert cx is not None and cx.before is not None
    assert (cx.before.decision, cx.response.decision, cx.decision) == ("explicit_deny", "allow", "allow")
    assert seed_set.evaluate(cx.request).decision == "explicit_deny"
    assert uploader_only.evaluate(cx.request).decision == "allow"
    assert cx.expected is None
    # Adding it back allows nothing new; a set is equivalent to itself.
    assert iam_eval.diff(uploader_only, seed_set, shape).proved
    assert iam_eval.equivalent(seed_set, seed_set, iam_eval.Shape()).proved
    # Either way round, the counterexample's response is the allowing set's.
    for a, b in [(seed_set, uploader_only), (uploader_only, seed_set)]:
        cx = iam_eval.equivalent(a, b, shape).counterexample
        assert cx is not None and cx.before is not None
        assert (cx.response.decision, cx.before.decision) == ("allow", "explicit_deny")


def test_no_answer_within_the_deadline_is_unknown() -> None:
    # `*a` and sixteen `?` against its case-insensitive self: the exact answer needs
    # about 2^17 state sets, more than the search may visit.
    pattern = "s3:*a" + "?" * 16
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": pattern, "Resource": "*"}]}
    s = iam_eval.PolicySet([("identity", "p", json.dumps(policy))])
    start = time.perf_counter()
    verdict = s.prove(iam_eval.Shape(actions=["s3:*A" + "?" * 16]), expect="allow", deadline=0.3)
    assert time.perf_counter() - start < 3
    assert (verdict.verdict, verdict.proved, verdict.counterexample, verdict.unknown_kind) == ("unknown", False, None, "budget")
    assert verdict.reason
    assert verdict.reason in repr(verdict)


def test_shapes_and_their_errors(seed_set: iam_eval.PolicySet) -> None:
    shape = iam_eval.Shape(
        principals=[ALICE, "service:cloudtrail.amazonaws.com", "*"],
        principal_accounts=["444455556666"],
        actions=["s3:Put*"],
        resources=[BUCKET],
        resource_account="111122223333",
        condition={"Bool": {"aws:SecureTransport": "true"}},
        multivalued=["aws:TagKeys"],
    )
    assert shape.principals == [ALICE, "service:cloudtrail.amazonaws.com", "*", "account:444455556666"]
    assert (shape.actions, shape.resources, shape.resource_account) == (["s3:Put*"], [BUCKET], "111122223333")
    assert shape.condition is not None and json.loads(shape.condition) == {"Bool": {"aws:SecureTransport": "true"}}
    everything = iam_eval.Shape()
    assert (everything.principals, everything.actions, everything.resources, everything.condition) == (["any"], ["*"], ["*"], None)
    assert iam_eval.Shape(any_principal=True).principals == ["any"]
    with pytest.raises(iam_eval.ShapeError) as info:
        iam_eval.Shape(principals=["alice"])
    assert "`alice`" in info.value.message and info.value.help
    with pytest.raises(iam_eval.ShapeError, match="not an account id"):
        iam_eval.Shape(principal_accounts=["1234"])
    with pytest.raises(iam_eval.ShapeError):
        iam_eval.Shape(condition={"StringEqualz": {"aws:username": "x"}})
    with pytest.raises(TypeError, match="a dict or its JSON text"):
        iam_eval.Shape(condition=["x"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown expectation `maybe`"):
        seed_set.prove(shape, expect="maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`deadline`"):
        seed_set.prove(shape, expect="allow", deadline=0)
    with pytest.raises(ValueError, match="`deadline`"):
        iam_eval.diff(seed_set, seed_set, shape, deadline=float("nan"))
