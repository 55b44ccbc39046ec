"""Request: its forms, its context, the derived keys, and its errors."""

from __future__ import annotations

from typing import Any

import pytest

import iam_eval
from helpers import ALICE, OBJECT


def test_fields_and_derived_keys() -> None:
    r = iam_eval.Request(ALICE, "s3:GetObject", OBJECT, resource_account="111122223333")
    assert (r.principal, r.action, r.resource) == (ALICE, "s3:GetObject", OBJECT)
    assert r.resource_account == "111122223333"
    assert r.principal_kind == "user"
    ctx = r.context
    assert ctx["aws:PrincipalArn"] == ALICE
    assert ctx["aws:PrincipalAccount"] == "111122223333"
    assert ctx["aws:PrincipalType"] == "User"
    assert ctx["aws:username"] == "alice"
    assert repr(r) == f"Request(principal={ALICE!r}, action='s3:GetObject', resource={OBJECT!r})".replace("'", '"')


@pytest.mark.parametrize(
    ("principal", "kind"),
    [
        ("*", "anonymous"),
        ("service:cloudtrail.amazonaws.com", "service"),
        ("federated:cognito-identity.amazonaws.com", "web_identity"),
        ("canonical-user:79a59df900b949e55d96a1e698fbaced", "canonical_user"),
        ("arn:aws:sts::111122223333:assumed-role/admin/ops", "assumed_role"),
        ("arn:aws:iam::111122223333:role/admin", "role"),
        ("arn:aws:iam::111122223333:root", "root"),
        ("arn:aws:sts::111122223333:federated-user/bob", "federated_user"),
    ],
)
def test_principal_forms_round_trip(principal: str, kind: str) -> None:
    r = iam_eval.Request(principal, "s3:GetObject", OBJECT)
    assert r.principal == principal
    assert r.principal_kind == kind


def test_context_values_are_read_as_text() -> None:
    r = iam_eval.Request(
        ALICE,
        "s3:GetObject",
        OBJECT,
        context={
            "aws:SecureTransport": True,
            "s3:max-keys": 10,
            "custom:ratio": 1.5,
            "aws:TagKeys": ["a", "b"],
            "custom:tuple": ("x", False),
            "custom:empty": [],
            "custom:missing": None,
        },
    )
    ctx = r.context
    assert ctx["aws:SecureTransport"] == "true"
    assert ctx["s3:max-keys"] == "10"
    assert ctx["custom:ratio"] == "1.5"
    assert ctx["aws:TagKeys"] == ["a", "b"]
    assert ctx["custom:tuple"] == ["x", "false"]
    assert ctx["custom:empty"] == [], "an empty list is an empty set, not a missing key"
    assert "custom:missing" not in ctx, "None is a missing key"


def test_a_context_key_set_by_the_caller_wins() -> None:
    r = iam_eval.Request(ALICE, "s3:GetObject", OBJECT, context={"aws:username": "set-by-caller"})
    assert r.context["aws:username"] == "set-by-caller"


def test_requests_compare_by_value() -> None:
    a = iam_eval.Request(ALICE, "s3:GetObject", OBJECT, context={"k:a": "1"})
    assert a == iam_eval.Request(ALICE, "s3:GetObject", OBJECT, context={"k:a": "1"})
    assert a != iam_eval.Request(ALICE, "s3:GetObject", OBJECT, context={"k:a": "2"})


@pytest.mark.parametrize(
    ("principal", "action", "kind", "message"),
    [
        ("arn:aws:iam::1:user/alice", "s3:GetObject", "invalid_principal", "`arn:aws:iam::1:user/alice` is not a principal ARN"),
        ("service:", "s3:GetObject", "invalid_principal", "`service:` names no service"),
        (ALICE, "s3", "invalid_action", "`s3` is not an action"),
        (ALICE, "s3:Get*", "wildcard_action", "`s3:Get*` has a wildcard"),
    ],
)
def test_request_errors(principal: str, action: str, kind: str, message: str) -> None:
    with pytest.raises(iam_eval.RequestError) as info:
        iam_eval.Request(principal, action, OBJECT)
    e = info.value
    assert isinstance(e, iam_eval.IamEvalError)
    assert (e.kind, e.message, e.row) == (kind, message, None)
    assert e.help
    assert str(e) == f"{message}\n  help: {e.help}"


@pytest.mark.parametrize("value", [object(), {"nested": "dict"}, [["nested"]], b"bytes"])
def test_context_values_of_other_types_are_type_errors(value: Any) -> None:
    with pytest.raises(TypeError, match="context key `k:v`"):
        iam_eval.Request(ALICE, "s3:GetObject", OBJECT, context={"k:v": value})


def test_context_must_be_a_mapping_of_str() -> None:
    with pytest.raises(TypeError, match="not a mapping"):
        iam_eval.Request(ALICE, "s3:GetObject", OBJECT, context=["k:v"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a str"):
        iam_eval.Request(ALICE, "s3:GetObject", OBJECT, context={1: "v"})  # type: ignore[dict-item]


def test_from_dict_reads_the_test_file_format() -> None:
    d = {
        "principal": ALICE,
        "action": "s3:PutObject",
        "resource": OBJECT,
        "resource_account": "111122223333",
        "context": {"s3:x-amz-server-side-encryption": "aws:kms"},
    }
    r = iam_eval.Request.from_dict(d)
    assert r == iam_eval.Request(
        ALICE, "s3:PutObject", OBJECT, resource_account="111122223333", context=d["context"]  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("request_dict", "error", "match"),
    [
        ({"principal": ALICE, "action": "s3:GetObject"}, ValueError, "the request has no `resource`"),
        ({"principal": ALICE, "action": "s3:GetObject", "resource": OBJECT, "contxt": {}}, ValueError, "unknown field `contxt`"),
        ({"principal": ALICE, "action": 3, "resource": OBJECT}, TypeError, "`action` is not a str"),
        ({"principal": "alice", "action": "s3:GetObject", "resource": OBJECT}, iam_eval.RequestError, "not a principal ARN"),
    ],
)
def test_from_dict_errors(request_dict: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        iam_eval.Request.from_dict(request_dict)
