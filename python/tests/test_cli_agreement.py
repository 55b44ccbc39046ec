"""Property: the Python package and the `iam-eval` command decide every request alike.

Random requests over a vocabulary that reaches every statement of the policies in
`tests/data/` (identity, bucket, boundary and SCP) are decided through `PolicySet` and
through `iam-eval eval --format json`; decision, reason, deciding statements and
problems must be the same. The command is the release build in `target/` (or
`IAM_EVAL_CLI`); without it the test is skipped, unless `IAM_EVAL_REQUIRE_CLI` is set,
as CI sets it.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import iam_eval
from helpers import cli_binary

DATA = Path(__file__).parent / "data"
POLICIES = [
    ("identity", "identity.json"),
    ("resource", "bucket.json"),
    ("boundary", "boundary.json"),
    ("scp", "scp.json"),
]
CLI = cli_binary()
if CLI is None and os.environ.get("IAM_EVAL_REQUIRE_CLI"):
    raise RuntimeError("IAM_EVAL_REQUIRE_CLI is set but the iam-eval binary was not found; build it with `cargo build --release`")
pytestmark = pytest.mark.skipif(CLI is None, reason="the iam-eval binary is not built (cargo build --release)")

PRINCIPALS = [
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:user/bob",
    "arn:aws:sts::111122223333:assumed-role/app/session",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::444455556666:user/partner",
    "arn:aws:iam::999999999999:user/stranger",
    "*",
    "service:logging.s3.amazonaws.com",
    "federated:cognito-identity.amazonaws.com",
]
ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:DeleteObject",
    "s3:DeleteBucket",
    "kms:Decrypt",
    "iam:PassRole",
    "S3:getobject",
]
RESOURCES = [
    "arn:aws:s3:::example-bucket",
    "arn:aws:s3:::example-bucket/report.csv",
    "arn:aws:s3:::example-bucket/public/logo.png",
    "arn:aws:s3:::example-bucket/logs/2026/11/27.log",
    "arn:aws:s3:::home-bucket/alice/notes.txt",
    "arn:aws:s3:::home-bucket/bob/notes.txt",
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd",
    "arn:aws:iam::111122223333:role/worker",
    "*",
]
SINGLE: dict[str, list[str]] = {
    "s3:x-amz-server-side-encryption": ["aws:kms", "AES256", ""],
    "aws:SourceIp": ["10.1.2.3", "192.0.2.10", "2001:db8::1", "not-an-ip"],
    "aws:MultiFactorAuthPresent": ["true", "false", "maybe"],
    "aws:MultiFactorAuthAge": ["60", "7200", "soon"],
    "aws:SecureTransport": ["true", "false"],
    "aws:CurrentTime": ["2026-11-27T12:00:00Z", "2031-01-01T00:00:00Z", "1800000000", "yesterday"],
    "aws:RequestedRegion": ["us-east-1", "ap-south-1"],
}
MULTI: dict[str, list[str]] = {"aws:TagKeys": ["team-a", "teams", "project", "Team"]}


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for key, values in SINGLE.items():
        if draw(st.booleans()):
            context[key] = draw(st.sampled_from(values))
    for key, values in MULTI.items():
        if draw(st.booleans()):
            context[key] = draw(st.lists(st.sampled_from(values), max_size=3))
    request: dict[str, Any] = {
        "principal": draw(st.sampled_from(PRINCIPALS)),
        "action": draw(st.sampled_from(ACTIONS)),
        "resource": draw(st.sampled_from(RESOURCES)),
        "context": context,
    }
    if draw(st.booleans()):
        request["resource_account"] = draw(st.sampled_from(["111122223333", "444455556666"]))
    return request


@pytest.fixture(scope="module")
def policy_set() -> iam_eval.PolicySet:
    # The command names each policy by its path as given; the set uses the same ids.
    return iam_eval.PolicySet([(kind, str(DATA / name), iam_eval.Policy.from_file(DATA / name)) for kind, name in POLICIES])


def cli_decides(request: dict[str, Any]) -> dict[str, Any]:
    assert CLI is not None
    args = [str(CLI), "eval", "--format", "json"]
    for kind, name in POLICIES:
        args += [f"--{kind}", str(DATA / name)]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(request, f)
    try:
        done = subprocess.run([*args, "--request", f.name], capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(f.name)
    assert done.returncode in (0, 1), done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests())
def test_python_and_the_command_decide_alike(policy_set: iam_eval.PolicySet, request: dict[str, Any]) -> None:
    response = policy_set.evaluate(request)
    cli = cli_decides(request)
    assert response.decision == cli["decision"]
    assert response.reason == cli["reason"]
    assert [s.label for s in response.determining] == cli["determining"]
    assert [p.message for p in response.problems] == cli["problems"]
    assert (0 if response.allowed else 1) == (0 if cli["decision"] == "allow" else 1)


def test_the_vocabulary_reaches_every_decision(policy_set: iam_eval.PolicySet) -> None:
    """Guards the property against a vocabulary that only ever denies."""
    seen = set()
    for principal in PRINCIPALS:
        for action in ACTIONS:
            for resource in RESOURCES:
                for sse in ("aws:kms", None):
                    request = {"principal": principal, "action": action, "resource": resource, "context": {"s3:x-amz-server-side-encryption": sse, "aws:SecureTransport": "true"}}
                    seen.add(policy_set.evaluate(request).decision)
    assert seen == {"allow", "explicit_deny", "implicit_deny"}
