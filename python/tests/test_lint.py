"""The lints from Python: Lint, Finding, Policy.lint, Policy.silent_changes and check."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

import iam_eval
from helpers import ROOT, SSE, cli_binary

# One statement per problem, each on a line of its own, so that positions are known.
FLAWED = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"},
    {"Effect": "Allow", "Action": ["s3:*", "s3:GetObject"], "Resource": "arn:aws:s3:::b/*"},
    {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
     "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms "}}},
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
  ]
}"""


def by_code(findings: list[iam_eval.Finding]) -> dict[str, iam_eval.Finding]:
    return {f.code: f for f in findings}


def test_findings_say_what_where_and_how_bad() -> None:
    findings = iam_eval.check(FLAWED)
    found = by_code(findings)
    assert {"unknown-action", "redundant-action", "whitespace-in-value", "pass-role-on-any-role"} <= set(found)
    typo = found["unknown-action"]
    assert (typo.severity, typo.line, typo.column, typo.path) == ("warning", 4, 35, "Statement[0].Action")
    assert typo.message == "unknown action `s3:GetObjekt`: `s3` has no action `GetObjekt`"
    assert typo.help == "did you mean `s3:GetObject`?"
    assert typo.source_line.strip().startswith('{"Effect": "Allow", "Action": "s3:GetObjekt"')
    assert typo.lint == iam_eval.Lint.from_code("unknown-action")
    assert found["redundant-action"].severity == "suggestion"
    assert found["redundant-action"].path == "Statement[1].Action[1]"
    assert found["pass-role-on-any-role"].severity == "security"
    space = found["whitespace-in-value"]
    assert (space.line, space.column, space.help) == (7, 75, "write `aws:kms`")
    # Source order.
    assert [f.line for f in findings] == sorted(f.line for f in findings)
    # The text and rendering of the command.
    assert str(typo).startswith("warning [unknown-action]: ")
    rendered = typo.render("flawed.json")
    assert rendered.startswith("flawed.json:4:35: warning: unknown action `s3:GetObjekt`")
    assert "= lint: unknown-action" in rendered
    assert repr(typo).startswith('Finding(code="unknown-action", line=4, column=35')


def test_policy_lint_and_check_agree() -> None:
    policy = iam_eval.Policy.parse(FLAWED)
    codes = [(f.code, f.line, f.column) for f in policy.lint()]
    assert codes == [(f.code, f.line, f.column) for f in iam_eval.check(policy)]
    assert codes == [(f.code, f.line, f.column) for f in iam_eval.check(FLAWED)]
    assert [f.code for f in policy.lint("identity")] == [f.code for f in iam_eval.check(FLAWED, kind="identity")]
    # The lints that change meaning, alone.
    assert [f.code for f in policy.silent_changes()] == ["whitespace-in-value"]
    clean = iam_eval.Policy.from_file(ROOT / "policies" / "sse-kms" / "uploader-identity.json")
    assert clean.lint() == [] and iam_eval.check(clean, kind="identity") == []


def test_check_refuses_what_is_not_a_valid_policy_of_its_kind() -> None:
    with pytest.raises(iam_eval.ParseError):
        iam_eval.check('{"Statement": [{"Efect": "Allow"}]}')
    # An identity policy has no Principal; a resource policy needs one.
    with pytest.raises(iam_eval.ValidationError) as info:
        iam_eval.check(FLAWED, kind="resource")
    assert info.value.policy_kind == "resource"
    with pytest.raises(ValueError, match="bucket"):
        iam_eval.check(FLAWED, kind="bucket")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a `int`"):
        iam_eval.check(42)  # type: ignore[arg-type]
    with pytest.raises(iam_eval.ParseError):
        iam_eval.check(FLAWED, limits=iam_eval.Limits(max_statements=2))


def test_the_lint_table() -> None:
    lints = iam_eval.Lint.all()
    codes = [lint.code for lint in lints]
    assert len(codes) == len(set(codes)) > 15
    documented = (ROOT / "docs" / "lints.md").read_text()
    for lint in lints:
        assert f"### {lint.code}" in documented
        assert lint.severity in ("error", "warning", "security", "suggestion")
        assert lint.url.startswith("https://docs.aws.amazon.com/")
        assert lint.summary
        assert iam_eval.Lint.from_code(lint.code) == lint
        assert str(lint) == lint.code
    assert iam_eval.Lint.from_code("no-such-lint") is None
    assert {lint for lint in lints if lint.changes_meaning} == {
        iam_eval.Lint.from_code("whitespace-in-value"),
        iam_eval.Lint.from_code("variable-without-version"),
    }
    # The package is built with the service reference: its lints run.
    assert iam_eval.Lint.from_code("unknown-action").needs_service_reference  # type: ignore[union-attr]
    assert iam_eval.service_reference_version()


CLI = cli_binary()
if CLI is None and os.environ.get("IAM_EVAL_REQUIRE_CLI"):
    raise RuntimeError("IAM_EVAL_REQUIRE_CLI is set but the iam-eval binary was not found; build it with `cargo build --release`")


def cli_findings(path: Path, kind: str | None) -> list[tuple[Any, ...]]:
    assert CLI is not None
    args = [str(CLI.resolve()), "check", "--format", "json", str(path)] + (["--kind", kind] if kind else [])
    out = subprocess.run(args, capture_output=True, text=True, check=False, cwd=path.parent)
    report = json.loads(out.stdout)
    items = report["findings"] + report["suppressed"]
    return sorted((i["code"], i["line"], i["column"], i["path"], i["message"], i["help"]) for i in items)


@pytest.mark.skipif(CLI is None, reason="the iam-eval binary is not built (cargo build --release)")
def test_check_finds_what_the_command_finds(tmp_path: Path) -> None:
    flawed = tmp_path / "flawed.json"
    flawed.write_text(FLAWED)
    bucket = json.loads((ROOT / "policies" / "sse-kms" / "bucket-policy.json").read_text())
    bucket["Statement"][0]["Condition"] = {"StringNotEquals": {SSE: ["aws:kms", " AES256"]}}
    public = tmp_path / "public.json"
    public.write_text(json.dumps(bucket, indent=2))
    files = [(flawed, None), (flawed, "identity"), (public, "resource")]
    for p in sorted((ROOT / "policies").rglob("*.json")):
        doc = json.loads(p.read_text())
        if isinstance(doc, dict) and "Statement" in doc:
            files.append((p, None))
    assert len(files) > 5
    for path, kind in files:
        try:
            findings = iam_eval.check(path.read_text(), kind=kind)  # type: ignore[arg-type]
        except iam_eval.ParseError:
            continue
        mine = sorted((f.code, f.line, f.column, f.path, f.message, f.help) for f in findings)
        assert mine == cli_findings(path, kind), path
