"""Decide AWS access requests offline, exactly as AWS does.

Give it the policies in force (identity-based policies, bucket and key policies, SCPs,
RCPs, permissions boundaries and session policies) and a request, and it answers
``allow``, ``explicit_deny`` or ``implicit_deny``, names the statements that decided,
and can explain the decision down to each condition key.

Every decision is made by the iam-eval Rust library; this package is its Python
interface. See ``python/README.md`` for a walkthrough.
"""

from iam_eval._native import (
    BuildError as BuildError,
    CaseResult as CaseResult,
    ConditionTrace as ConditionTrace,
    Decisions as Decisions,
    Diagnostic as Diagnostic,
    IamEvalError as IamEvalError,
    Limits as Limits,
    ParseError as ParseError,
    Policy as Policy,
    PolicySet as PolicySet,
    PolicyTrace as PolicyTrace,
    Problem as Problem,
    Request as Request,
    RequestError as RequestError,
    Response as Response,
    StatementRef as StatementRef,
    StatementTrace as StatementTrace,
    TestCase as TestCase,
    TestFile as TestFile,
    TestFileError as TestFileError,
    TestReport as TestReport,
    Trace as Trace,
    ValidationError as ValidationError,
    __version__ as __version__,
)

__all__ = [
    "BuildError",
    "CaseResult",
    "ConditionTrace",
    "Decisions",
    "Diagnostic",
    "IamEvalError",
    "Limits",
    "ParseError",
    "Policy",
    "PolicySet",
    "PolicyTrace",
    "Problem",
    "Request",
    "RequestError",
    "Response",
    "StatementRef",
    "StatementTrace",
    "TestCase",
    "TestFile",
    "TestFileError",
    "TestReport",
    "Trace",
    "ValidationError",
    "__version__",
]
