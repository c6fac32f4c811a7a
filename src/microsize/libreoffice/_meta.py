"""What a spreadsheet needs to know about each MF_ function, read from ``microsize.udfs``.

Names, parameter names, which parameters are optional, the function's description and
each parameter's description come from the UDF module itself: the signatures, the
docstrings and the ``@arg(name, doc=...)`` decorators. Outside Windows, xlwings'
decorators are no-ops that keep nothing, so the declarations are executed once more, as a
private copy (``udfs_args.redeclared``), with decorators that record their arguments.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ..udfs_args import redeclared

__all__ = ["Function", "Param", "functions"]


@dataclass(frozen=True)
class Param:
    name: str
    optional: bool
    description: str


@dataclass(frozen=True)
class Function:
    name: str
    description: str
    category: str
    params: tuple[Param, ...]


def _recorded_module() -> tuple[ModuleType, dict[str, dict[str, Any]]]:
    """A private copy of microsize.udfs whose decorators record their keyword arguments."""
    docs: dict[str, dict[str, Any]] = {}

    def func(f: Any = None, *_args: Any, **kwargs: Any) -> Any:
        def inner(g: Any) -> Any:
            docs.setdefault(g.__name__, {})["__func__"] = kwargs
            return g

        return inner if f is None else inner(f)

    def arg(name: str, *_args: Any, **kwargs: Any) -> Any:
        def inner(g: Any) -> Any:
            docs.setdefault(g.__name__, {})[name] = kwargs
            return g

        return inner

    def ret(*_args: Any, **_kwargs: Any) -> Any:
        return lambda g: g

    return redeclared("microsize._udfs_signatures", func, arg, ret), docs


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split())


def functions() -> list[Function]:
    """Every MF_ function of microsize.udfs, sorted by name, with its descriptions."""
    module, docs = _recorded_module()
    out = []
    for name in sorted(n for n in vars(module) if n.startswith("MF_")):
        fn = getattr(module, name)
        if not callable(fn):
            continue
        recorded = docs.get(name, {})
        params = []
        for p in inspect.signature(fn).parameters.values():
            if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                raise TypeError(f"{name}: parameter {p.name} must be positional")
            doc = recorded.get(p.name, {}).get("doc") or p.name.replace("_", " ")
            params.append(Param(p.name, p.default is not inspect.Parameter.empty, str(doc)))
        category = str(recorded.get("__func__", {}).get("category") or "microsize")
        description = _first_paragraph(inspect.getdoc(fn) or name)
        out.append(Function(name, description, category, tuple(params)))
    return out
