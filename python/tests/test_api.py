"""The public API: every name exported, documented, and listed in the README's reference."""

from __future__ import annotations

import inspect

import iam_eval
import iam_eval._native
from helpers import ROOT

PUBLIC = [name for name in iam_eval.__all__ if name != "__version__"]


def test_the_package_exports_what_the_compiled_module_has() -> None:
    assert sorted(iam_eval.__all__) == sorted(iam_eval._native.__all__)
    assert iam_eval.__version__ == iam_eval._native.__version__
    assert iam_eval.__version__.count(".") == 2


def test_every_public_name_and_member_has_a_docstring() -> None:
    undocumented = []
    for name in PUBLIC:
        obj = getattr(iam_eval, name)
        if not inspect.getdoc(obj):
            undocumented.append(name)
        # Functions have no members; exceptions have those of `Exception`.
        if not inspect.isclass(obj) or issubclass(obj, BaseException):
            continue
        for member, value in vars(obj).items():
            if not member.startswith("_") and not inspect.getdoc(value):
                undocumented.append(f"{name}.{member}")
    assert undocumented == []


def test_every_exception_derives_from_the_base() -> None:
    errors = [getattr(iam_eval, n) for n in PUBLIC if n.endswith("Error")]
    assert len(errors) == 7
    for e in errors:
        assert issubclass(e, iam_eval.IamEvalError) and issubclass(e, Exception)
        assert e.__module__ == "iam_eval"


def test_the_readme_reference_lists_every_public_name() -> None:
    readme = (ROOT / "python" / "README.md").read_text()
    reference = readme.split("## API reference", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in iam_eval.__all__ if f"| `{name}` |" not in reference]
    assert missing == []
