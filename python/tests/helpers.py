"""Where the repository, the shared suite and the command are, for the tests."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SSE_KMS = ROOT / "policies" / "sse-kms"
# The project's shared test material sits beside a checkout; a clone without it skips
# the tests that read it.
SHARED = ROOT.parent / "shared"
ALICE = "arn:aws:iam::111122223333:user/alice"
OBJECT = "arn:aws:s3:::example-bucket/report.csv"
SSE = "s3:x-amz-server-side-encryption"


def cli_binary() -> Path | None:
    """The `iam-eval` binary: `IAM_EVAL_CLI`, else the release build in `target/`."""
    path = Path(os.environ.get("IAM_EVAL_CLI", ROOT / "target" / "release" / "iam-eval"))
    return path if path.is_file() else None
