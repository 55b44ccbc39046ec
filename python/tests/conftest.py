"""Fixtures of the tests."""

from __future__ import annotations

import pytest

import iam_eval
from helpers import SSE_KMS


@pytest.fixture
def seed_set() -> iam_eval.PolicySet:
    """The SSE-KMS walkthrough: the uploader's identity policy and the bucket policy."""
    return iam_eval.PolicySet(
        [
            ("identity", "uploader", iam_eval.Policy.from_file(SSE_KMS / "uploader-identity.json")),
            ("resource", "bucket", iam_eval.Policy.from_file(SSE_KMS / "bucket-policy.json")),
        ]
    )
