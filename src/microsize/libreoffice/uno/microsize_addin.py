"""LibreOffice Calc add-in: the MF_ functions of microsize.udfs, run by LibreOffice's Python.

This file runs inside LibreOffice (a UNO component loaded by its Python loader), not in
the Python that built the extension. Next to it in the extension: ``functions.json`` (each
function's name and which parameters are optional) and ``env.json`` (the Python version
that built the extension and where it finds microsize, numpy and the rest). Both are
written by ``microsize libreoffice install`` from the installed ``microsize.udfs``.
"""

# mypy: disallow-subclassing-any=False, disallow-untyped-calls=False

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import sys
import traceback
from typing import Any

import unohelper
from com.sun.star.lang import XServiceInfo, XServiceName
from com.sun.star.task import XJob

_HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(_HERE, "functions.json"), encoding="utf-8") as _f:
    _FUNCTIONS: list[dict[str, Any]] = json.load(_f)["functions"]
with open(os.path.join(_HERE, "env.json"), encoding="utf-8") as _f:
    _ENV: dict[str, Any] = json.load(_f)

IMPL_NAME = "org.microsize.calc.MicrosizeAddIn"
JOB_NAME = "org.microsize.calc.RebindJob"
#: Text that starts every cell when the add-in cannot reach microsize.
SETUP_PREFIX = "microsize add-in:"
_DEBUG = bool(os.environ.get("MICROSIZE_ADDIN_DEBUG"))
#: A JSON file to keep, for benchmarks, the seconds spent in Python by each MF_ function
#: and by the re-binding after load (rewritten after every call: for timing runs only).
_PROFILE = os.environ.get("MICROSIZE_ADDIN_PROFILE")
_SPENT: dict[str, list[float]] = {}
_udfs: Any = None
_setup_error: str | None = None


def _load_udfs() -> Any:
    """Import microsize.udfs from the paths of the Python that built the extension."""
    global _udfs, _setup_error
    if _udfs is not None or _setup_error is not None:
        return _udfs
    want = tuple(_ENV.get("python", ()))
    have = tuple(sys.version_info[:2])
    if want != have or _ENV.get("implementation") != sys.implementation.name:
        _setup_error = (
            f"{SETUP_PREFIX} LibreOffice runs Python {have[0]}.{have[1]}, the add-in was "
            f"installed from Python {'.'.join(map(str, want))}: run 'microsize libreoffice "
            f"install' from a Python {have[0]}.{have[1]} that has microsize"
        )
        return None
    for path in reversed(_ENV.get("paths", [])):
        if path not in sys.path:
            sys.path.insert(0, path)
    try:
        import microsize.udfs as udfs
    except Exception as exc:
        if _DEBUG:
            traceback.print_exc()
        _setup_error = f"{SETUP_PREFIX} cannot import microsize ({type(exc).__name__}: {exc})"[:240]
        return None
    _udfs = udfs
    return _udfs


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else "result is not a finite number"
    if hasattr(value, "item"):  # a numpy scalar
        return _cell(value.item())
    return str(value)


def _result(value: Any) -> tuple[tuple[Any, ...], ...]:
    """Python -> Calc: a 2-D tuple of tuples; a scalar is 1x1, a flat list one row."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return ((_cell(value),),)
    if not value:
        return (("",),)
    if isinstance(value[0], (list, tuple)):
        rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in value]
    else:
        rows = [list(value)]
    width = max(len(r) for r in rows)
    return tuple(tuple(_cell(c) for c in r) + ("",) * (width - len(r)) for r in rows)


def _message(exc: Exception) -> str:
    """The short message Excel shows for a microsize error; other errors named by type."""
    text = str(exc)
    if type(exc).__name__ != "MicrosizeError":
        text = f"{type(exc).__name__}: {text}"
    return text[:255]


def _spent(name: str, seconds: float, cpu: float) -> None:
    """Count a call of ``name`` that took ``seconds`` (``cpu`` of them on this thread's
    CPU, which other processes on the machine do not lengthen); rewrite the file."""
    entry = _SPENT.setdefault(name, [0, 0.0, 0.0])
    entry[0] += 1
    entry[1] += seconds
    entry[2] += cpu
    with contextlib.suppress(OSError), open(str(_PROFILE), "w", encoding="utf-8") as f:
        json.dump(_SPENT, f)


def _profiled(name: str, method: Any) -> Any:
    """``method`` timed into the profile file (see ``_PROFILE``)."""
    from time import perf_counter, thread_time

    def timed(self: Any, *args: Any) -> Any:
        start, cpu = perf_counter(), thread_time()
        try:
            return method(self, *args)
        finally:
            _spent(name, perf_counter() - start, thread_time() - cpu)

    timed.__name__ = name
    return timed


def _make(name: str) -> Any:
    def method(self: Any, *args: Any) -> tuple[tuple[Any, ...], ...]:
        udfs = _load_udfs()
        if udfs is None:
            return ((_setup_error,),)
        # What Calc hands an optional (``any``) argument, passed on unchanged:
        #   left out, F(1) or F(1;)            -> None        : microsize.udfs' default
        #   a typed 0, or a cell holding 0     -> 0.0         : 0
        #   a one-cell range B5:B5, B5 empty   -> (('',),)    : read as blank, the default
        #   a one-cell range B5:B5, B5 holds 0 -> ((0.0,),)   : 0
        #   a single cell B5 that is empty     -> 0.0         : 0 (Calc reads it as a 0)
        # Calc evaluates a single-cell reference to its value before the call, so an add-in
        # cannot tell an empty B5 from a B5 holding 0; a range (B5:B5) keeps the blank. The
        # template writes optional references as one-cell ranges; README tells users.
        try:
            return _result(getattr(udfs, name)(*args))
        except Exception as exc:
            if _DEBUG:
                traceback.print_exc()
            return ((_message(exc),),)

    method.__name__ = name
    return _profiled(name, method) if _PROFILE else method


_CLASS: Any = None


def _addin_class() -> Any:
    """Build the component class on first use.

    The interface comes from the extension's own type library, which is not importable
    while ``unopkg add`` imports this file to register it.
    """
    global _CLASS
    if _CLASS is not None:
        return _CLASS
    from org.microsize.calc import XMicrosize

    class MicrosizeAddIn(unohelper.Base, XMicrosize, XServiceName, XServiceInfo):
        def __init__(self, ctx: Any) -> None:
            self.ctx = ctx

        def getServiceName(self) -> str:
            return IMPL_NAME

        def getImplementationName(self) -> str:
            return IMPL_NAME

        def supportsService(self, name: str) -> bool:
            return name == IMPL_NAME

        def getSupportedServiceNames(self) -> tuple[str, ...]:
            return (IMPL_NAME,)

    for entry in _FUNCTIONS:
        setattr(MicrosizeAddIn, entry["name"], _make(entry["name"]))
    _CLASS = MicrosizeAddIn
    return _CLASS


def _create(ctx: Any) -> Any:
    return _addin_class()(ctx)


# LibreOffice 7.4 does not map an OOXML function name to an add-in's compatibility name, so
# MF_ formulas read from .xlsx/.xlsm load as #NAME?. Re-entering such a formula through the
# API (whose grammar knows the compatibility names) binds it. Versions that bind on import
# leave no such cells, and the job does nothing.
_MF = re.compile(r"\bMF_[A-Z_]+\s*\(", re.IGNORECASE)


def rebind(doc: Any) -> int:
    """Re-enter the MF_ formulas LibreOffice imported as unknown names; return how many."""
    from com.sun.star.sheet.FormulaResult import ERROR

    was_modified = doc.isModified()
    # one calculation at the end, not one per re-entered formula
    auto = doc.isAutomaticCalculationEnabled()
    doc.enableAutomaticCalculation(False)
    try:
        count = sum(_rebind_sheet(sheet, ERROR) for sheet in doc.Sheets)
    finally:
        doc.enableAutomaticCalculation(auto)
    if count and not was_modified:
        doc.setModified(False)  # opening a file must not mark it changed
        with contextlib.suppress(Exception):
            doc.UndoManager.clear()
    return count


def _rebind_sheet(sheet: Any, error: int) -> int:
    errors = sheet.queryFormulaCells(error).RangeAddresses
    if not errors:
        return 0
    count = 0
    protected = sheet.isProtected()
    if protected:
        sheet.unprotect("")  # raises for a password-protected sheet: nothing changed
    done: set[tuple[int, int]] = set()
    for block in errors:
        cells = sheet.getCellRangeByPosition(
            block.StartColumn, block.StartRow, block.EndColumn, block.EndRow
        )
        formulas = cells.getFormulaArray()
        flat = [f for row in formulas for f in row]
        if not any(_MF.search(f) for f in flat):
            continue
        if not any(f.startswith("{") for f in flat):
            # plain formulas: the whole block in one call (one call per cell is quadratic)
            cells.setFormulaArray(formulas)
            count += sum(1 for f in flat if _MF.search(f))
            continue
        for row in range(block.StartRow, block.EndRow + 1):
            for col in range(block.StartColumn, block.EndColumn + 1):
                if (col, row) in done:
                    continue
                done.add((col, row))
                cell = sheet.getCellByPosition(col, row)
                formula = cell.getFormula()
                if not _MF.search(formula):
                    continue
                if formula.startswith("{") and formula.endswith("}"):
                    cursor = sheet.createCursorByRange(cell)
                    cursor.collapseToCurrentArray()
                    a = cursor.RangeAddress
                    cursor.setArrayFormula(formula[1:-1])
                    done.update(
                        (c, r)
                        for r in range(a.StartRow, a.EndRow + 1)
                        for c in range(a.StartColumn, a.EndColumn + 1)
                    )
                else:
                    cell.setFormula(formula)
                count += 1
    if protected:
        sheet.protect("")
    return count


class RebindJob(unohelper.Base, XJob, XServiceInfo):
    """Runs rebind() on every spreadsheet LibreOffice finishes loading."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx

    def execute(self, args: Any) -> None:
        model = None
        for a in args:
            if a.Name == "Environment":
                for e in a.Value:
                    if e.Name == "Model":
                        model = e.Value
        try:
            if model is not None and model.supportsService(
                "com.sun.star.sheet.SpreadsheetDocument"
            ):
                if _PROFILE:
                    n = _profiled("rebind", lambda self, m: rebind(m))(None, model)
                else:
                    n = rebind(model)
                if _DEBUG:
                    print(f"microsize: re-bound {n} MF_ formulas", file=sys.stderr)
        except Exception:
            if _DEBUG:
                traceback.print_exc()

    def getImplementationName(self) -> str:
        return JOB_NAME

    def supportsService(self, name: str) -> bool:
        return name == JOB_NAME

    def getSupportedServiceNames(self) -> tuple[str, ...]:
        return (JOB_NAME,)


g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(RebindJob, JOB_NAME, (JOB_NAME,))
g_ImplementationHelper.addImplementation(_create, IMPL_NAME, (IMPL_NAME,))
