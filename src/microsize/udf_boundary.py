"""Between an Excel cell and the core: what the MF_ functions of :mod:`microsize.udfs` share.

Each MF_ function unwraps what Excel hands over (:func:`cell`, :func:`optional`,
:func:`spec_table`), calls the core and returns plain Python values (:func:`to_cells`).
:func:`short_errors` wraps every one of them: a bad input becomes a short message naming
the argument in Excel's words, never a traceback, a blank, NaN or an infinity.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np

from . import clock
from ._contracts import SpecTable, spec_table_of_cells
from ._errors import MicrosizeError
from ._inputs import describe, is_missing
from ._spec_loader import range_cell_types, spec_table_seen

__all__ = [
    "MAX_MESSAGE",
    "atr_cells",
    "cell",
    "latest_flag",
    "no_liquidation",
    "optional",
    "rolling_beta_cells",
    "short_errors",
    "spec_table",
    "to_cells",
    "today",
]

_F = TypeVar("_F", bound=Callable[..., Any])


def _com_exception() -> Any:
    """The COM server's exception type when running inside Excel's xlwings server, else None."""
    if "xlwings.com_server" not in sys.modules:
        return None
    try:  # pywin32 exists on Windows only, and is needed only inside Excel's COM server
        from win32com.server.exception import COMException
    except ImportError:
        return None
    return COMException


def short_errors(fn: _F) -> _F:
    """Show bad-input messages alone in the cell, and never a blank, NaN or infinity.

    pywin32 reports any other exception as "Unexpected Python Error" followed by the whole
    traceback; a ``COMException`` carries just its description to ``Err.Description``,
    which the xlwings VBA wrapper writes into the cell. Outside Excel the
    :class:`MicrosizeError` is raised unchanged.

    Arithmetic that leaves the range of floats (an overflow, a division by a number that
    underflowed to 0) and any cell of the result that is not finite become a message
    naming the argument of the most extreme magnitude: with inputs near 1e308 or 1e-308
    that is where the trouble comes from.
    """
    names = list(inspect.signature(fn).parameters)
    renames = {core: excel for core, excel in _RENAMES.items() if excel in names}

    @functools.wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        try:
            try:
                given = _named(names, args, kwargs)
                _refuse_huge_ints(given)
                # numpy's overflow warnings go unseen in a cell: _check_cells refuses
                # what they would warn about
                with np.errstate(all="ignore"):
                    result = fn(*args, **kwargs)
            except (OverflowError, ZeroDivisionError, FloatingPointError):
                given = _named(names, args, kwargs)
                raise MicrosizeError(f"numbers out of range: {_extreme(given)}") from None
            except MicrosizeError as exc:
                raise MicrosizeError(_user_words(str(exc), names, renames)) from None
            if isinstance(result, _Checked):
                return list(result)
            _check_cells(result, _named(names, args, kwargs))
            return _row_messages(result, names, renames)
        except MicrosizeError as exc:
            com = _com_exception()
            if com is None:
                raise
            raise com(desc=str(exc)) from exc

    return cast(_F, inner)


#: the core's name of an argument -> the Excel name, where Excel needs another one
#: (``stop`` is a VBA statement; ``close`` a VBA keyword)
_RENAMES = {"stop": "stop_price", "close": "close_price"}
#: the longest message a cell shows (docs/CONVENTIONS.md, Errors: under about 200)
MAX_MESSAGE = 199
_LONG_TEXT = re.compile(r"text '([^']{12})[^']*' \((\d+) characters\)")
_LINE_UP = re.compile(r"^ranges do not line up: (.*); use ranges of the same size or single cells$")


#: how a function whose rows stand alone shows a bad row's message in its own row
_ROW_ERROR = "error: "


def _row_messages(result: Any, names: list[str], renames: dict[str, str]) -> Any:
    """The result with each row's own message (``error: ...``, rows that stand alone) in
    the words of the MF_ function, as a message of the whole call is."""
    if not isinstance(result, list):
        return result
    out = []
    for row in result:
        if isinstance(row, list):
            out.append(_row_messages(row, names, renames))
        elif isinstance(row, str) and row.startswith(_ROW_ERROR):
            out.append(_ROW_ERROR + _user_words(row[len(_ROW_ERROR) :], names, renames))
        else:
            out.append(row)
    return out


def _user_words(message: str, names: list[str], renames: dict[str, str]) -> str:
    """A core message in the words of the MF_ function: its argument names (the core's
    ``stop`` is ``stop_price`` in Excel), no array the user never typed (a contract's lot
    step), and under :data:`MAX_MESSAGE` characters."""
    for core, excel in renames.items():
        # the argument's name, not the word in prose ("the stop", the row "Risk at stop")
        message = re.sub(
            rf"(?<![\w':.])(?<!the )(?<!a )(?<!at )(?<!one ){core}(?![\w'])", excel, message
        )
    lined = _LINE_UP.match(message)
    if lined:
        parts = [p for p in lined.group(1).split(", ") if p.split(" ", 1)[0] in names]
        message = (
            f"ranges do not line up: {', '.join(parts)}; use ranges of the same size or "
            "single cells"
        )
    if len(message) > MAX_MESSAGE:
        message = _LONG_TEXT.sub(r"text '\1…' (\2 characters)", message)
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return message


#: the largest magnitude a float holds (Excel's own limit, 9.99e307, is below it)
_FLOAT_MAX = 2**1024


def _refuse_huge_ints(given: list[tuple[str, Any]]) -> None:
    """A Python int beyond the range of floats (10**400) is refused by name, before any
    arithmetic: Excel cannot hold it, and float() of it raises."""
    for name, value in given:
        found = _huge_int(value)
        if found is not None:
            where, n = found
            raise MicrosizeError(
                f"{name} must be a number between -1e308 and 1e308{where} (got {describe(n)})"
            )


def _is_huge(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and abs(x) >= _FLOAT_MAX


def _holds_no_int(value: Any) -> bool:
    """A 2-D range none of whose cells is an int (a Specs table from Excel or LibreOffice
    holds floats, text and blanks): one pass over the cells' types, not a walk."""
    types = range_cell_types(value)
    return types is not None and not any(issubclass(t, int) and t is not bool for t in types)


def _huge_int(value: Any) -> tuple[str, int] | None:
    """(where, the int) of the first Python int beyond the float range in a cell or range."""
    if _is_huge(value):
        return "", value
    if not isinstance(value, list | tuple) or _holds_no_int(value):
        return None
    for i, row in enumerate(value):
        if _is_huge(row):
            return f" at item {i + 1}", row
        for j, cell in enumerate(row if isinstance(row, list | tuple) else ()):
            if _is_huge(cell):
                where = f" at row {i + 1}" if len(row) == 1 else f" at row {i + 1}, column {j + 1}"
                return where, cell
    return None


def _magnitude(value: Any) -> tuple[float, Any]:
    """(largest |log10 |x||, that x) over the finite non-zero numbers in a cell or range."""
    best: tuple[float, Any] = (-1.0, None)
    if isinstance(value, list | tuple | np.ndarray):
        for item in value:
            best = max(best, _magnitude(item), key=lambda t: t[0])
        return best
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    ):
        try:
            f = float(value)
        except OverflowError:  # a Python int beyond the float range: its digits tell
            return math.log10(abs(int(value))), value
        if math.isfinite(f) and f != 0:
            return abs(math.log10(abs(f))), f
    return best


def _named(
    names: list[str], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> list[tuple[str, Any]]:
    """(parameter name, value) for what the caller passed, by position or by keyword."""
    return [*zip(names, args, strict=False), *kwargs.items()]


def _extreme(given: list[tuple[str, Any]]) -> str:
    """Which argument to check: the one holding the most extreme magnitude."""
    scored = [(_magnitude(a), n) for n, a in given]
    if not scored:
        return "check the inputs"
    (mag, value), name = max(scored, key=lambda t: t[0][0])
    if value is None or mag < 6:
        return "check the inputs"
    return f"check {name} (got {describe(value)})"


def _check_cells(result: Any, given: list[tuple[str, Any]]) -> None:
    """Refuse a result with a cell Excel would show blank, NaN or infinite."""
    if isinstance(result, list) and not result:
        empty = [n for n, a in given if _empty_range(a)]
        where = f"{empty[0]} is an empty range" if empty else "no result"
        raise MicrosizeError(f"{where}: give at least one value")
    bad = _first_bad_cell(result)
    if bad is None:
        return
    label, value = bad
    raise MicrosizeError(f"{label}is not a finite number ({describe(value)}): {_extreme(given)}")


def _empty_range(x: Any) -> bool:
    x = cell(x)
    return isinstance(x, list) and (not x or all(isinstance(r, list) and not r for r in x))


def _first_bad_cell(result: Any) -> tuple[str, Any] | None:
    """(label for the message, value) of the first cell that is None, NaN or infinite."""

    def bad(x: Any) -> bool:
        if x is None:
            return True
        if isinstance(x, float | np.floating):
            return not math.isfinite(float(x))
        return False

    if not isinstance(result, list):
        return ("the result ", result) if bad(result) else None
    header = result[0] if result and isinstance(result[0], list) else None
    for r, row in enumerate(result):
        cells = row if isinstance(row, list) else [row]
        for c, x in enumerate(cells):
            if isinstance(x, list) and not x:
                return ("an empty row ", None)
            if bad(x):
                if c > 0 and isinstance(cells[0], str):  # a (label, value) table
                    return (f"{cells[0]} ", x)
                if header is not None and r > 0 and c < len(header) and isinstance(header[c], str):
                    return (f"{header[c]} at row {r} ", x)
                return (f"the result at row {r + 1} ", x)
    return None


def cell(x: Any) -> Any:
    """Unwrap a 1x1 range to its value; turn tuples (literal arrays) into lists."""
    if isinstance(x, tuple):
        x = [list(r) if isinstance(r, tuple) else r for r in x]
    while isinstance(x, list) and len(x) == 1 and (not isinstance(x[0], list) or len(x[0]) == 1):
        x = x[0]
    return x


def optional(x: Any) -> Any:
    """An optional argument: omitted or empty means None (the default)."""
    x = cell(x)
    return None if is_missing(x) else x


def spec_table(x: Any) -> SpecTable | None:
    """The optional ``specs`` argument: a range with a header row (the workbook's Specs
    table), read once per content (:func:`~microsize._spec_loader.spec_table_of_cells`)."""
    if type(x) is tuple and len(x) > 1:  # LibreOffice's rows: a table read before, uncopied
        seen = spec_table_seen(x)
        if seen is not None:
            return seen
    x = optional(x)
    if x is None:
        return None
    if isinstance(x, SpecTable):
        return x
    if not isinstance(x, list) or not x or not isinstance(x[0], list):
        raise MicrosizeError(
            f"specs must be a range with a header row, like the Specs table (got {describe(x)})"
        )
    return spec_table_of_cells(x)


class _Checked(list):  # type: ignore[type-arg]
    """Cells already proven finite in one vectorised pass (a float array's ``tolist``)."""


def to_cells(result: Any) -> Any:
    """Plain Python values for Excel (every function's cells are then checked by
    :func:`short_errors`: a non-finite number is an error, never a blank)."""
    if isinstance(result, np.ndarray):
        if result.dtype.kind in "fiu" and result.ndim and result.size and np.isfinite(result).all():
            return _Checked(result.tolist())  # a column of 100,000 needs no cell walk
        return result.tolist()
    return result


def today() -> Any:
    """Today's date for the staleness check (tests replace ``microsize.clock.today``)."""
    return clock.today()


def no_liquidation(result: Any) -> Any:
    """0 (a long that cannot be liquidated) or infinity (a short) show as text, not a number."""
    arr = np.asarray(result, dtype=np.float64)
    none = (arr == 0) | np.isinf(arr)
    if not none.any():
        return result
    out = np.where(none, "none: cannot be liquidated", arr.astype(object))
    return out.item() if out.ndim == 0 else out.tolist()


def atr_cells(values: Any, blank: Any, n: int, high: Any) -> Any:
    """ATR values as cells: text where a bar has none (never a blank cell); a row stays a row."""
    arr = np.asarray(values, dtype=np.float64)
    text = np.where(blank, "n/a: blank row", f"n/a: fewer than {n} bars")
    cells = np.where(np.isfinite(arr), arr.astype(object), text)
    h = cell(high)
    if isinstance(h, list) and len(h) == 1 and isinstance(h[0], list) and len(h[0]) > 1:
        return [cells.tolist()]
    return cells.reshape(-1, 1).tolist()


def latest_flag(x: Any) -> bool:
    x = optional(x)
    if x is None or x is False or (_is_number(x) and x == 0):
        return False
    if x is True or (_is_number(x) and x == 1):
        return True
    raise MicrosizeError(f"latest must be TRUE or FALSE (got {describe(x)})")


def _is_number(x: Any) -> bool:
    """A single number (an array or range is not, whatever it holds)."""
    return isinstance(x, int | float | np.integer | np.floating)


def rolling_beta_cells(values: Any) -> Any:
    """A column of rolling betas as cells: text where the hedge is flat in a window."""
    arr = np.asarray(values, dtype=np.float64)
    col = np.where(np.isfinite(arr), arr.astype(object), "n/a: hedge flat in this window")
    return col.reshape(-1, 1).tolist()
