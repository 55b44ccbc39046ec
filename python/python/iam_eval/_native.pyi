"""Type stubs of the compiled part of the iam_eval package (``iam_eval._native``)."""

import os
from typing import Any, Iterable, Iterator, Literal, Mapping, Optional, Protocol, Sequence, Tuple, Union, final


__version__: str
__all__ = [
    "BuildError",
    "CaseResult",
    "ConditionTrace",
    "Counterexample",
    "Decisions",
    "Diagnostic",
    "Finding",
    "IamEvalError",
    "Limits",
    "Lint",
    "ParseError",
    "Policy",
    "PolicySet",
    "PolicyTrace",
    "Problem",
    "Request",
    "RequestError",
    "Response",
    "Shape",
    "ShapeError",
    "StatementRef",
    "StatementTrace",
    "TestCase",
    "TestFile",
    "TestFileError",
    "TestReport",
    "Trace",
    "ValidationError",
    "Verdict",
    "__version__",
    "check",
    "diff",
    "equivalent",
    "service_reference_version",
]

_PolicyKindName = Literal["identity", "resource", "scp", "rcp", "boundary", "session"]
_DecisionName = Literal["allow", "explicit_deny", "implicit_deny"]
_SeverityName = Literal["error", "warning", "security", "suggestion"]
_EffectName = Literal["Allow", "Deny"]
_ContextScalar = Union[str, bool, int, float]
_ContextValue = Union[_ContextScalar, Sequence[_ContextScalar], None]
_StrPath = Union[str, "os.PathLike[str]"]

_RequestLike = Union["Request", Mapping[str, Any]]
_PolicySetEntry = Union[
    Tuple[str, str, Union["Policy", str]],
    Tuple[str, str, Union["Policy", str], str],
]

class _ArrowStreamExportable(Protocol):
    """Data with the Arrow PyCapsule stream interface (pyarrow, polars, pandas)."""

    def __arrow_c_stream__(self, requested_schema: Any = None) -> object: ...

class _ArrowArrayExportable(Protocol):
    """Data with the Arrow PyCapsule array interface (a pyarrow record batch)."""

    def __arrow_c_array__(self, requested_schema: Any = None) -> Tuple[object, object]: ...

class IamEvalError(Exception):
    """The base class of every error this package raises for bad policies, requests or
    test files."""

class ParseError(IamEvalError):
    """A policy document could not be parsed."""

    diagnostics: list[Diagnostic]

class ValidationError(IamEvalError):
    """A parsed policy breaks a rule of the kind it is used as."""

    policy_kind: _PolicyKindName
    diagnostics: list[Diagnostic]

class BuildError(IamEvalError):
    """A policy could not be added to a set."""

    kind: Literal["duplicate_id", "invalid_for_kind"]
    position: int
    policy_id: str
    policy_kind: _PolicyKindName
    diagnostics: list[Diagnostic]

class RequestError(IamEvalError):
    """A request could not be built."""

    kind: str
    message: str
    help: Optional[str]
    row: Optional[int]

class ShapeError(IamEvalError):
    """A request shape could not be read."""

    message: str
    help: Optional[str]

class TestFileError(IamEvalError):
    """A test file could not be read, parsed or built."""

    kind: Literal["io", "not_utf8", "syntax", "format", "policy", "build", "request"]
    file: str
    line: Optional[int]
    column: Optional[int]
    message: str
    help: Optional[str]
    detail: Optional[str]

@final
class Diagnostic:
    """One problem found in a policy document: where it is and what is wrong."""

    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def message(self) -> str: ...
    @property
    def help(self) -> Optional[str]: ...
    @property
    def source_line(self) -> str: ...
    def render(self, file: str) -> str: ...

@final
class Lint:
    """One kind of finding: a stable code, a severity, the AWS page the rule follows."""

    @staticmethod
    def all() -> list[Lint]: ...
    @staticmethod
    def from_code(code: str) -> Optional[Lint]: ...
    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> _SeverityName: ...
    @property
    def summary(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def needs_service_reference(self) -> bool: ...
    @property
    def changes_meaning(self) -> bool: ...

@final
class Finding:
    """A problem a lint found in a policy, with where it is and what to do about it."""

    @property
    def lint(self) -> Lint: ...
    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> _SeverityName: ...
    @property
    def message(self) -> str: ...
    @property
    def help(self) -> Optional[str]: ...
    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def source_line(self) -> str: ...
    def render(self, file: str) -> str: ...

def check(
    policy: Union[Policy, str],
    *,
    kind: Optional[_PolicyKindName] = None,
    limits: Optional[Limits] = None,
) -> list[Finding]: ...
def service_reference_version() -> Optional[str]: ...

@final
class Limits:
    """Size limits applied when a policy is parsed."""

    def __new__(
        cls,
        *,
        max_policy_bytes: Optional[int] = None,
        max_depth: Optional[int] = None,
        max_statements: Optional[int] = None,
        max_values: Optional[int] = None,
        max_pattern_len: Optional[int] = None,
    ) -> Limits: ...
    @property
    def max_policy_bytes(self) -> int: ...
    @property
    def max_depth(self) -> int: ...
    @property
    def max_statements(self) -> int: ...
    @property
    def max_values(self) -> int: ...
    @property
    def max_pattern_len(self) -> int: ...

@final
class Policy:
    """A parsed policy document."""

    @staticmethod
    def parse(text: str, *, limits: Optional[Limits] = None) -> Policy: ...
    @staticmethod
    def from_file(path: _StrPath, *, limits: Optional[Limits] = None) -> Policy: ...
    def validate(self, kind: _PolicyKindName) -> None: ...
    def lint(self, kind: Optional[_PolicyKindName] = None) -> list[Finding]: ...
    def silent_changes(self) -> list[Finding]: ...
    def to_json(self) -> str: ...
    @property
    def id(self) -> Optional[str]: ...
    @property
    def version(self) -> Optional[Literal["2012-10-17", "2008-10-17"]]: ...
    @property
    def sids(self) -> list[Optional[str]]: ...
    def __len__(self) -> int: ...

@final
class Request:
    """An access request: principal, action, resource and context."""

    def __new__(
        cls,
        principal: str,
        action: str,
        resource: str,
        *,
        resource_account: Optional[str] = None,
        context: Optional[Mapping[str, _ContextValue]] = None,
    ) -> Request: ...
    @staticmethod
    def from_dict(request: dict[str, Any]) -> Request: ...
    @property
    def principal(self) -> str: ...
    @property
    def principal_kind(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def resource(self) -> str: ...
    @property
    def resource_account(self) -> Optional[str]: ...
    @property
    def context(self) -> dict[str, Union[str, list[str]]]: ...

@final
class StatementRef:
    """A statement of a policy in a set: ``policy-id#Sid`` or ``policy-id#index``."""

    @property
    def policy_id(self) -> str: ...
    @property
    def policy_index(self) -> int: ...
    @property
    def kind(self) -> _PolicyKindName: ...
    @property
    def index(self) -> int: ...
    @property
    def sid(self) -> Optional[str]: ...
    @property
    def effect(self) -> _EffectName: ...
    @property
    def label(self) -> str: ...

@final
class Problem:
    """Something the evaluator could not judge."""

    @property
    def statement(self) -> StatementRef: ...
    @property
    def kind(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def message(self) -> str: ...

@final
class Response:
    """The answer to one request."""

    @property
    def decision(self) -> _DecisionName: ...
    @property
    def allowed(self) -> bool: ...
    @property
    def reason(self) -> str: ...
    @property
    def reason_code(self) -> str: ...
    @property
    def determining(self) -> list[StatementRef]: ...
    @property
    def determining_omitted(self) -> int: ...
    @property
    def problems(self) -> list[Problem]: ...
    @property
    def problems_omitted(self) -> int: ...

@final
class ConditionTrace:
    """One condition key under one operator, as evaluated for the request."""

    @property
    def operator(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def request_values(self) -> Optional[list[str]]: ...
    @property
    def policy_values(self) -> list[str]: ...
    @property
    def matched(self) -> bool: ...
    @property
    def outcome(self) -> str: ...

@final
class StatementTrace:
    """One statement, as evaluated for the request."""

    @property
    def label(self) -> str: ...
    @property
    def effect(self) -> _EffectName: ...
    @property
    def action(self) -> str: ...
    @property
    def resource(self) -> str: ...
    @property
    def principal(self) -> str: ...
    @property
    def conditions(self) -> list[ConditionTrace]: ...
    @property
    def applies(self) -> bool: ...
    @property
    def note(self) -> Optional[str]: ...

@final
class PolicyTrace:
    """One policy of the set, as evaluated for the request."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> _PolicyKindName: ...
    @property
    def applies(self) -> bool: ...
    @property
    def note(self) -> Optional[str]: ...
    @property
    def statements(self) -> list[StatementTrace]: ...

@final
class Trace:
    """The explanation of one decision."""

    @property
    def response(self) -> Response: ...
    @property
    def policies(self) -> list[PolicyTrace]: ...
    @property
    def decision(self) -> _DecisionName: ...
    @property
    def reason(self) -> str: ...
    @property
    def determining(self) -> list[str]: ...
    @property
    def problems(self) -> list[str]: ...
    @property
    def principal(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def resource(self) -> str: ...
    @property
    def resource_account(self) -> Optional[str]: ...
    @property
    def same_account(self) -> bool: ...
    @property
    def text(self) -> str: ...
    def to_json(self) -> str: ...

@final
class Decisions:
    """The decisions of ``PolicySet.evaluate_many``, one per request in order."""

    def __len__(self) -> int: ...
    def __getitem__(self, index: int, /) -> Optional[_DecisionName]: ...
    def __iter__(self) -> Iterator[Optional[_DecisionName]]: ...
    def to_list(self) -> list[Optional[_DecisionName]]: ...
    def counts(self) -> dict[str, int]: ...
    def __arrow_c_array__(self, requested_schema: Optional[object] = None) -> Tuple[object, object]: ...

@final
class PolicySet:
    """An immutable, compiled set of policies."""

    def __new__(cls, entries: Iterable[_PolicySetEntry]) -> PolicySet: ...
    def evaluate(self, request: _RequestLike) -> Response: ...
    def explain(self, request: _RequestLike) -> Trace: ...
    def evaluate_many(
        self,
        requests: Union[Iterable[_RequestLike], _ArrowStreamExportable, _ArrowArrayExportable],
        *,
        on_error: Literal["raise", "null"] = "raise",
        threads: Optional[int] = None,
    ) -> Decisions: ...
    def prove(
        self,
        shape: Shape,
        *,
        expect: Literal["allow", "deny", "explicit_deny"],
        deadline: float = 1.0,
    ) -> Verdict: ...
    def __len__(self) -> int: ...

@final
class TestCase:
    """One case of a test file: a request and the decision it must get."""

    @property
    def name(self) -> str: ...
    @property
    def why(self) -> Optional[str]: ...
    @property
    def expect(self) -> _DecisionName: ...
    @property
    def request(self) -> Request: ...

@final
class CaseResult:
    """The result of one case."""

    @property
    def file(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def why(self) -> Optional[str]: ...
    @property
    def expected(self) -> _DecisionName: ...
    @property
    def actual(self) -> _DecisionName: ...
    @property
    def reason(self) -> str: ...
    @property
    def determining(self) -> list[str]: ...
    @property
    def missing_determining(self) -> list[str]: ...
    @property
    def problems(self) -> list[str]: ...
    @property
    def passed(self) -> bool: ...

@final
class TestReport:
    """The results of running a test file."""

    @property
    def results(self) -> list[CaseResult]: ...
    @property
    def passed(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def summary(self) -> str: ...
    @property
    def failures(self) -> list[CaseResult]: ...
    @property
    def ok(self) -> bool: ...

@final
class TestFile:
    """A loaded policy test file."""

    @staticmethod
    def load(path: _StrPath) -> TestFile: ...
    @staticmethod
    def parse(text: str, name: str = "<string>", dir: Optional[_StrPath] = None) -> TestFile: ...
    def run(self, filter: Optional[str] = None) -> TestReport: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def source(self) -> Optional[str]: ...
    @property
    def policy_set(self) -> PolicySet: ...
    @property
    def cases(self) -> list[TestCase]: ...
    def __len__(self) -> int: ...

@final
class Shape:
    """A set of requests a question is about."""

    def __new__(
        cls,
        *,
        principals: Sequence[str] = ...,
        principal_accounts: Sequence[str] = ...,
        any_principal: bool = False,
        actions: Sequence[str] = ...,
        resources: Sequence[str] = ...,
        resource_account: Optional[str] = None,
        condition: Union[str, Mapping[str, Any], None] = None,
        multivalued: Sequence[str] = ...,
    ) -> Shape: ...
    @property
    def principals(self) -> list[str]: ...
    @property
    def actions(self) -> list[str]: ...
    @property
    def resources(self) -> list[str]: ...
    @property
    def resource_account(self) -> Optional[str]: ...
    @property
    def condition(self) -> Optional[str]: ...

@final
class Counterexample:
    """A request that refutes a claim, confirmed by evaluating it."""

    @property
    def request(self) -> Request: ...
    @property
    def response(self) -> Response: ...
    @property
    def before(self) -> Optional[Response]: ...
    @property
    def trace(self) -> Trace: ...
    @property
    def decision(self) -> _DecisionName: ...
    @property
    def expected(self) -> Optional[Literal["allow", "deny", "explicit_deny"]]: ...
    def to_test_case(self, name: str) -> str: ...

@final
class Verdict:
    """The answer to a question: proved, a counterexample, or unknown."""

    @property
    def verdict(self) -> Literal["proved", "counterexample", "unknown"]: ...
    @property
    def proved(self) -> bool: ...
    @property
    def counterexample(self) -> Optional[Counterexample]: ...
    @property
    def reason(self) -> Optional[str]: ...
    @property
    def unknown_kind(self) -> Optional[Literal["budget", "unsupported", "internal"]]: ...
    @property
    def stats(self) -> dict[str, Union[int, float]]: ...

def diff(old: PolicySet, new: PolicySet, shape: Shape, *, deadline: float = 1.0) -> Verdict: ...
def equivalent(a: PolicySet, b: PolicySet, shape: Shape, *, deadline: float = 1.0) -> Verdict: ...
