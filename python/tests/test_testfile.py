"""TestFile, its cases and reports; the repository's and the shared suite's test files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import iam_eval
from helpers import ROOT, SHARED, SSE_KMS

INLINE = {
    "description": "reads are allowed",
    "source": "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
    "policies": [
        {
            "kind": "identity",
            "document": {"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]},
        }
    ],
    "cases": [
        {
            "name": "read",
            "why": "the identity policy allows it",
            "expect": "allow",
            "determining": ["Read"],
            "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
        },
        {
            "name": "write",
            "expect": "allow",
            "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:PutObject", "resource": "arn:aws:s3:::b/k"},
        },
    ],
}


def test_parse_and_run_report_every_case() -> None:
    f = iam_eval.TestFile.parse(json.dumps(INLINE), "inline.json")
    assert (f.name, f.description, f.source) == ("inline.json", INLINE["description"], INLINE["source"])
    assert len(f) == 2 and repr(f) == "<TestFile \"inline.json\" cases=2>"
    read, write = f.cases
    assert (read.name, read.why, read.expect) == ("read", "the identity policy allows it", "allow")
    assert read.request.action == "s3:GetObject" and write.why is None
    assert repr(read) == "<TestCase \"read\" expect=allow>"
    assert f.policy_set.evaluate(read.request).decision == "allow"
    report = f.run()
    assert (report.passed, report.failed, report.summary, report.ok) == (1, 1, "1 passed, 1 failed", False)
    ok, failed = report.results
    assert ok.passed and not failed.passed
    assert (failed.file, failed.name, failed.expected, failed.actual) == ("inline.json", "write", "allow", "implicit_deny")
    assert failed.reason == "no statement allows the request"
    assert (failed.determining, failed.missing_determining, failed.problems, failed.why) == ([], [], [], None)
    assert ok.determining == ["0#Read"]
    assert [r.name for r in report.failures] == ["write"]
    assert str(failed).startswith("FAIL inline.json: write\n  expected: allow\n  actual:   implicit_deny")
    assert str(report).endswith("1 passed, 1 failed\n")
    assert repr(report) == "<TestReport 1 passed, 1 failed>" and repr(ok) == "<CaseResult \"read\" passed>"


def test_run_filters_by_name() -> None:
    report = iam_eval.TestFile.parse(json.dumps(INLINE)).run(filter="rea")
    assert [r.name for r in report.results] == ["read"] and report.ok


def test_load_reads_policy_files_beside_it() -> None:
    f = iam_eval.TestFile.load(SSE_KMS / "sse-kms.test.json")
    assert f.run().ok
    with_dir = iam_eval.TestFile.parse((SSE_KMS / "sse-kms.test.json").read_text(), "copy.json", SSE_KMS)
    assert with_dir.run().passed == f.run().passed


@pytest.mark.parametrize(
    ("text", "kind", "line", "match"),
    [
        ('{"cases": [', "syntax", 1, "inline.json:1:"),
        ('{"policies": [], "cases": [], "extra": 1}', "format", 1, "unknown field `extra`"),
        ('{"policies": [{"kind": "identity", "document": {"Statement": 3}}], "cases": []}', "policy", 1, "inline.json"),
    ],
)
def test_test_file_errors(text: str, kind: str, line: int, match: str) -> None:
    with pytest.raises(iam_eval.TestFileError) as info:
        iam_eval.TestFile.parse(text, "inline.json")
    e = info.value
    assert isinstance(e, iam_eval.IamEvalError)
    assert (e.kind, e.file, e.line) == (kind, "inline.json", line)
    assert e.column is not None and e.message
    assert match in str(e)
    if kind == "policy":
        assert e.detail is not None and "Statement" in e.detail


def test_a_missing_file_is_an_io_error(tmp_path: Path) -> None:
    with pytest.raises(iam_eval.TestFileError) as info:
        iam_eval.TestFile.load(tmp_path / "absent.json")
    assert (info.value.kind, info.value.line, info.value.help) == ("io", None, None)
    assert "cannot read the file" in info.value.message


def _test_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.json") if '"cases"' in p.read_text())


@pytest.mark.parametrize("path", _test_files(ROOT / "policies"), ids=lambda p: p.name)
def test_repository_policy_tests_pass(path: Path) -> None:
    report = iam_eval.TestFile.load(path).run()
    assert report.ok, str(report)
    assert report.passed > 0


CONFORMANCE = sorted((SHARED / "conformance").glob("*.json")) if (SHARED / "conformance").is_dir() else []


@pytest.mark.skipif(not CONFORMANCE, reason="the shared conformance suite is not beside this checkout")
@pytest.mark.parametrize("path", CONFORMANCE, ids=lambda p: p.name)
def test_shared_conformance_suite_passes(path: Path) -> None:
    report = iam_eval.TestFile.load(path).run()
    assert report.ok, str(report)
    assert report.passed == len(iam_eval.TestFile.load(path))
