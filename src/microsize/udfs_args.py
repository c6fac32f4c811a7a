"""What every MF_ declaration module shares: the category, the ``arg`` decorator and the
argument descriptions used by more than one function.

The declaration modules (``udfs_*``) hold declarations only (xlwings UDFs): each function
unwraps what Excel hands over (``cell``, ``optional``, ``spec_table``), calls the core and
returns plain values.

The MF_ functions are declared by family in ``udfs_sizing``, ``udfs_ladder``,
``udfs_margin``, ``udfs_hedge``, ``udfs_trader`` and ``udfs_planner``; :mod:`microsize.udfs`
re-exports them all (:data:`FAMILIES`), and that is the module xlwings, xlwings Lite and the
LibreOffice add-in read. :func:`redeclared` executes the declarations once more with other
decorators (the LibreOffice add-in records the argument descriptions that way, and the
Excel-path test applies the Windows decorators).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

import xlwings as xw

__all__ = [
    "ARG_DOCS",
    "CATEGORY",
    "CONTRACT_DOC",
    "FAMILIES",
    "FEE_DOC",
    "SIDE_DOC",
    "SPEC_DOC",
    "TICK_CONTRACT_DOC",
    "arg",
    "redeclared",
]

F = TypeVar("F", bound=Callable[..., Any])

CATEGORY = "microsize"

#: The modules that declare the MF_ functions, one per family; ``microsize.udfs`` lists
#: exactly their ``__all__``.
FAMILIES = (
    "microsize.udfs_sizing",
    "microsize.udfs_ladder",
    "microsize.udfs_margin",
    "microsize.udfs_hedge",
    "microsize.udfs_trader",
    "microsize.udfs_planner",
)

SPEC_DOC = (
    "Optional spec table with a header row (the workbook's Specs table); bundled table if omitted"
)
CONTRACT_DOC = "Contract key exchange:symbol (e.g. cme:MBT, binance:ETHUSDT) or a contract size"
FEE_DOC = "Optional fee as a fraction of notional per side (0.05% = 0.0005); 0 if omitted"
SIDE_DOC = "long or short (or 1 / -1)"
TICK_CONTRACT_DOC = "Optional contract whose tick size rounds the price; unrounded if omitted"

#: The description of an argument that means the same in every MF_ function taking it:
#: ``arg(name, ndim=2)`` uses it unless the function gives its own ``doc``.
ARG_DOCS = {
    "specs": SPEC_DOC,
    "contract": CONTRACT_DOC,
    "fee_rate": FEE_DOC,
    "entry": "Entry price",
    "side": SIDE_DOC,
    "equity": "Account size in the settlement currency",
}


def arg(name: str, **kwargs: Any) -> Callable[[F], F]:
    """``xlwings.arg`` reading an Excel error value (#N/A, #DIV/0!) as its text instead of
    as an empty cell, so an error in an optional argument is refused rather than read as
    "omitted". Without a ``doc``, the argument's description is :data:`ARG_DOCS`'s.
    ``xlwings.arg`` is looked up at each call, so :func:`redeclared` can swap it.
    """
    if "doc" not in kwargs and name in ARG_DOCS:
        kwargs["doc"] = ARG_DOCS[name]
    decorator: Callable[[F], F] = xw.arg(name, err_to_str=True, **kwargs)
    return decorator


def _origin(module: str) -> str:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:  # pragma: no cover - the package is installed
        raise ImportError(f"cannot find {module}")
    return spec.origin


def redeclared(name: str, func: Any, arg: Any, ret: Any) -> ModuleType:
    """A fresh copy of ``microsize.udfs`` whose MF_ functions were declared while
    ``xlwings.func``, ``xlwings.arg`` and ``xlwings.ret`` were the given decorators.

    Each family module is executed again into a new module object (named ``name``, an
    underscore and the family); the imported ``microsize.udfs`` and its families are left
    untouched. The copy lists its functions in ``__all__``, as ``microsize.udfs`` does.
    """
    copy = ModuleType(name, "The MF_ functions, declared with other decorators.")
    copy.__file__ = _origin("microsize.udfs")  # xlwings reads the file's time
    names: list[str] = []
    saved = {n: getattr(xw, n) for n in ("func", "arg", "ret")}
    try:
        xw.func, xw.arg, xw.ret = func, arg, ret
        for family in FAMILIES:
            private = f"{name}_{family.rpartition('.')[2]}"
            spec = importlib.util.spec_from_file_location(private, _origin(family))
            if spec is None or spec.loader is None:  # pragma: no cover - found above
                raise ImportError(f"cannot read {family}")
            module = importlib.util.module_from_spec(spec)
            module.__package__ = "microsize"
            spec.loader.exec_module(module)
            for fn_name in module.__all__:
                setattr(copy, fn_name, getattr(module, fn_name))
            names += module.__all__
    finally:
        for n, v in saved.items():
            setattr(xw, n, v)
    copy.__all__ = sorted(names)  # type: ignore[attr-defined]
    return copy
