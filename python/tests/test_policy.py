"""Policy, Limits, Diagnostic, and the errors of parsing and validating policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import iam_eval
from helpers import SSE_KMS

IDENTITY = json.dumps(
    {
        "Version": "2012-10-17",
        "Id": "Uploads",
        "Statement": [
            {"Sid": "Put", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        ],
    }
)


def test_parse_reads_the_elements() -> None:
    p = iam_eval.Policy.parse(IDENTITY)
    assert p.id == "Uploads"
    assert p.version == "2012-10-17"
    assert p.sids == ["Put", None]
    assert len(p) == 2
    assert repr(p) == "<Policy id='Uploads' statements=2>"


def test_equal_policies_differ_only_in_layout() -> None:
    a = iam_eval.Policy.parse(IDENTITY)
    b = iam_eval.Policy.parse(json.dumps(json.loads(IDENTITY), indent=4))
    assert a == b
    assert a != iam_eval.Policy.parse(IDENTITY.replace("PutObject", "DeleteObject"))


def test_to_json_round_trips() -> None:
    p = iam_eval.Policy.parse(IDENTITY)
    assert iam_eval.Policy.parse(p.to_json()) == p
    assert str(p) == p.to_json()
    assert json.loads(p.to_json())["Id"] == "Uploads"


def test_from_file_accepts_str_and_paths() -> None:
    path = SSE_KMS / "bucket-policy.json"
    assert iam_eval.Policy.from_file(path) == iam_eval.Policy.from_file(str(path))
    assert iam_eval.Policy.from_file(path).id == "RequireSSEKMS"


def test_from_file_of_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        iam_eval.Policy.from_file(tmp_path / "absent.json")


def test_parse_error_lists_every_problem_with_positions() -> None:
    text = '{"Version": "2012-10-17", "Statement": [{"Efect": "Allow"}]}'
    with pytest.raises(iam_eval.ParseError) as info:
        iam_eval.Policy.parse(text)
    e = info.value
    assert isinstance(e, iam_eval.IamEvalError)
    messages = [d.message for d in e.diagnostics]
    assert "unknown element `Efect` in a statement" in messages
    typo = next(d for d in e.diagnostics if "Efect" in d.message)
    assert (typo.line, typo.column, typo.path) == (1, 42, "Statement[0].Efect")
    assert typo.help == "did you mean `Effect`?"
    assert typo.source_line == text
    # str() is the rendered diagnostics, as `iam-eval check` prints them.
    # The misspelt element is the cause; "a statement needs an `Effect`" would be its
    # consequence and is not reported. The missing `Action` is a problem of its own.
    assert not any("needs an `Effect`" in m for m in messages)
    assert str(e).startswith("<string>:1:41: error: a statement needs an `Action` or a `NotAction` element")
    assert "= help: did you mean `Effect`?" in str(e)
    assert typo.render("p.json").startswith("p.json:1:42: error: unknown element `Efect`")
    assert str(typo) == "1:42: unknown element `Efect` in a statement (at `Statement[0].Efect`)\n  help: did you mean `Effect`?"
    assert "line=1, column=42" in repr(typo)


def test_parse_error_of_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"Version": "2012-10-17", "Statement": []')
    with pytest.raises(iam_eval.ParseError) as info:
        iam_eval.Policy.from_file(path)
    assert str(info.value).startswith(f"{path}:1:")


def test_limits_apply_and_keep_defaults() -> None:
    default = iam_eval.Limits()
    assert (default.max_policy_bytes, default.max_depth, default.max_statements) == (262144, 32, 4096)
    assert (default.max_values, default.max_pattern_len) == (50000, 4096)
    one = iam_eval.Limits(max_statements=1)
    assert one.max_statements == 1 and one.max_depth == 32
    assert one == iam_eval.Limits(max_statements=1) and one != default
    assert "max_statements=1" in repr(one)
    with pytest.raises(iam_eval.ParseError) as info:
        iam_eval.Policy.parse(IDENTITY, limits=one)
    assert "over the limit of 1" in str(info.value)
    small = iam_eval.Limits(max_policy_bytes=64)
    with pytest.raises(iam_eval.ParseError):
        iam_eval.Policy.from_file(SSE_KMS / "bucket-policy.json", limits=small)


def test_validate_checks_the_rules_of_a_kind() -> None:
    bucket = iam_eval.Policy.from_file(SSE_KMS / "bucket-policy.json")
    bucket.validate("resource")
    with pytest.raises(iam_eval.ValidationError) as info:
        bucket.validate("identity")
    e = info.value
    assert isinstance(e, iam_eval.IamEvalError)
    assert e.policy_kind == "identity"
    assert len(e.diagnostics) == 1
    assert "Principal" in e.diagnostics[0].message
    assert str(e).startswith("not valid as an identity-based policy")


def test_validate_rejects_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown policy kind `bucket`"):
        iam_eval.Policy.parse(IDENTITY).validate("bucket")  # type: ignore[arg-type]
