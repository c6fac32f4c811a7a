"""Normalise and check numeric inputs: scalars, lists, nested lists, tuples, numpy arrays.

Pure helpers shared by the core functions and the Excel edge. They turn whatever a caller
or xlwings hands over (float, int, None for an empty cell, str, bool, nested tuples for a
range, numpy arrays, pandas Series) into float arrays, and turn every kind of bad value
into a :class:`MicrosizeError` whose message names the argument, the position in the range
and the value.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from typing import Any, Literal, TypeAlias, cast

import numpy as np
import numpy.typing as npt

from ._errors import MicrosizeError

__all__ = [
    "QUOTE_CHARS",
    "AtrMethod",
    "Column",
    "FloatArray",
    "Numeric",
    "Result",
    "Side",
    "SideLike",
    "Slippage",
    "Spacing",
    "WeightPreset",
    "as_float_array",
    "broadcast",
    "clip",
    "describe",
    "first_index",
    "is_missing",
    "position",
    "to_result",
]

FloatArray = npt.NDArray[np.float64]

#: A numeric argument of the Python API: a number, a sequence or nested sequence (a range),
#: or an array; Excel's other cell values (text, None) are refused with a message.
Numeric: TypeAlias = npt.ArrayLike

#: A column of cells where blanks are allowed (a price history, holdings): numbers or
#: None for an empty cell.
Column: TypeAlias = npt.ArrayLike | Sequence[float | None]

#: What a vectorised function returns: a float for scalar inputs, else an array of the
#: broadcast shape.
Result: TypeAlias = float | FloatArray

#: A side as typed (docs/CONVENTIONS.md, Side): long or short (buy or sell, l or s, in any
#: case, are read the same), or +1 / -1.
Side: TypeAlias = Literal["long", "short", "buy", "sell", 1, -1]

#: One side, or a range of them (a row, a column, a 2-D range) for a vectorised function.
SideLike: TypeAlias = Side | Sequence[Side] | Sequence[Sequence[Side]] | npt.NDArray[Any]

#: Stop slippage: a fraction of the stop price (0.1% = 0.001; a number or a range), or
#: ticks written as text, ``"2 ticks"``.
Slippage: TypeAlias = Numeric | str

#: How :func:`~microsize.atr` smooths the true range (``rma``, ``sma``, ``ema`` and the
#: other names in ``ATR_METHODS`` are read the same); None is wilder.
AtrMethod: TypeAlias = Literal["wilder", "simple", "exponential"]

#: How :func:`~microsize.ladder_prices` spaces its levels: equal differences or equal
#: ratios (``arithmetic``, ``linear`` and ``ratio`` are read the same); None is even.
Spacing: TypeAlias = Literal["even", "geometric"]

#: A :func:`~microsize.ladder_weights` preset (``flat``, ``decreasing`` and ``inverse
#: pyramid`` are read the same); None is equal.
WeightPreset: TypeAlias = Literal["equal", "pyramid", "increasing"]


#: characters of a received text or object a message quotes (Excel shows about 255 in all)
QUOTE_CHARS = 40


def clip(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis.

    >>> clip("x" * 50, 10)
    'xxxxxxxxx…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(value: Any) -> str:
    """How a received value reads in a message: text quoted, numbers short, empty named.

    Long text and odd objects are cut, so a message stays short whatever the cell held.

    >>> describe("x" * 1000)
    "text 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (1000 characters)"
    """
    if value is None:
        return "an empty cell"
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        if value.strip() == "":
            return "an empty text"
        if len(value) > QUOTE_CHARS:
            return f"text {clip(value)!r} ({len(value)} characters)"
        return f"text {value!r}"
    if isinstance(value, _dt.datetime | _dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, float | np.floating):
        f = float(value)
        if math.isnan(f):
            return "NaN"
        return format(f, ".15g")
    if isinstance(value, int | np.integer):
        n = int(value)
        if abs(n) >= 10**QUOTE_CHARS:  # str() of a huge int is slow, and refused past 4,300
            digits = len(str(abs(n))) if n.bit_length() < 14_000 else "over 4,000"
            return f"an integer of {digits} digits"
        return str(n)
    return clip(repr(value))


def position(index: tuple[int, ...], shape: tuple[int, ...]) -> str:
    """Where an element sits in a range, 1-based, in spreadsheet words."""
    if len(shape) == 0:
        return ""
    if len(shape) == 1:
        return f" at item {index[0] + 1}"
    if len(shape) == 2:
        rows, cols = shape
        if cols == 1:
            return f" at row {index[0] + 1}"
        if rows == 1:
            return f" at column {index[1] + 1}"
        return f" at row {index[0] + 1}, column {index[1] + 1}"
    return f" at position {tuple(i + 1 for i in index)}"


def first_index(bad: npt.ArrayLike) -> tuple[int, ...]:
    """Index of the first True cell of ``bad`` (row-major, as a user reads a range).

    >>> first_index([[False, False], [True, True]])
    (1, 0)
    """
    return tuple(int(i) for i in np.argwhere(np.asarray(bad))[0])


def is_missing(value: Any) -> bool:
    """True for what Excel hands over for an empty cell (None, or a blank string)."""
    return value is None or (isinstance(value, str) and value.strip() == "")


def _first_bad(obj: Any) -> tuple[tuple[int, ...], Any] | None:
    """Locate the first element of a nested sequence that is not a finite real number."""
    if isinstance(obj, np.ndarray):
        obj = obj.tolist()
    if isinstance(obj, Sequence) and not isinstance(obj, str | bytes):
        for i, item in enumerate(obj):
            found = _first_bad(item)
            if found is not None:
                return (i, *found[0]), found[1]
        return None
    if isinstance(obj, bool | np.bool_) or not isinstance(
        obj, int | float | np.integer | np.floating
    ):
        return (), obj
    try:
        if not math.isfinite(float(obj)):
            return (), obj
    except OverflowError:  # a Python int beyond the range of floats
        return (), obj
    return None


def has_bool(seq: list[Any] | tuple[Any, ...], arr: npt.NDArray[Any]) -> bool:
    """True when a list holds a boolean, which numpy has silently turned into 0 or 1.

    Only cells that became 0 or 1 can have been booleans, so only those are looked at.
    """
    for idx in np.argwhere((arr == 0) | (arr == 1)):
        item: Any = seq
        for i in idx:
            item = item[int(i)]
        if isinstance(item, bool | np.bool_):
            return True
    return False


def as_float_array(value: Any, name: str) -> FloatArray:  # noqa: C901 (the one converter of every cell type (bool, text, None, nested lists, arrays) to floats)
    """Convert a scalar or range to a float array, or raise naming ``name`` and the value.

    Empty cells, text, booleans, dates, NaN and infinities are refused: each would
    otherwise become a silent number or a blank cell.

    >>> as_float_array([[1.0], [2.5]], "entry").shape
    (2, 1)
    >>> as_float_array("abc", "entry")
    Traceback (most recent call last):
    ...
    microsize._errors.MicrosizeError: entry must be a number (got text 'abc')
    """
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    ):
        try:
            f = float(value)
        except OverflowError:  # a Python int beyond the range of floats
            raise MicrosizeError(
                f"{name} must be a number between -1e308 and 1e308 (got {describe(value)})"
            ) from None
        if not math.isfinite(f):
            raise MicrosizeError(f"{name} must be a finite number (got {describe(f)})")
        return np.asarray(f, dtype=np.float64)
    if value is None or isinstance(value, str | bool | np.bool_ | _dt.date):
        if is_missing(value):
            raise MicrosizeError(f"{name} is empty: type a number")
        raise MicrosizeError(f"{name} must be a number (got {describe(value)})")
    if hasattr(value, "to_numpy"):  # pandas Series / DataFrame
        value = value.to_numpy()
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise MicrosizeError(f"{name} must be a rectangular range of numbers") from exc
    if arr.dtype.kind in "fiu" and not (isinstance(value, list | tuple) and has_bool(value, arr)):
        with np.errstate(over="ignore"):  # a huge integer becomes inf, refused below
            out = arr.astype(np.float64, copy=False)
        # a finite sum proves every cell finite in one pass; else look closer
        with np.errstate(over="ignore", invalid="ignore"):
            total = out.sum()
        if out.size and not np.isfinite(total) and not np.isfinite(out).all():
            idx = first_index(~np.isfinite(out))
            raise MicrosizeError(
                f"{name} must be a finite number{position(idx, out.shape)} "
                f"(got {describe(float(out[idx]))})"
            )
        if out.size == 0:
            raise MicrosizeError(f"{name} is an empty range")
        return out
    found = _first_bad(value)
    if found is None:  # e.g. object array of valid numbers
        try:
            return as_float_array(np.asarray(value, dtype=np.float64), name)
        except (TypeError, ValueError, OverflowError):
            raise MicrosizeError(f"{name} must be a number (got {describe(value)})") from None
    idx, bad = found
    where = position(idx, arr.shape) if arr.ndim == len(idx) else ""
    if is_missing(bad):
        raise MicrosizeError(f"{name} has an empty cell{where}: every cell needs a number")
    raise MicrosizeError(f"{name} must be a number{where} (got {describe(bad)})")


def _shape_words(shape: tuple[int, ...]) -> str:
    if len(shape) == 0:
        return "a single value"
    if len(shape) == 1:
        return f"{shape[0]} values"
    if len(shape) == 2:
        return f"{shape[0]} rows x {shape[1]} columns"
    return "shape " + "x".join(str(s) for s in shape)


def broadcast(**arrays: npt.NDArray[Any]) -> tuple[FloatArray, ...]:
    """Broadcast named arrays like numpy, or say which ranges do not line up.

    >>> a, b = broadcast(entry=np.ones((3, 1)), stop=np.asarray(2.0))
    >>> b.shape
    (3, 1)
    """
    try:
        return tuple(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        parts = ", ".join(
            f"{k} has {_shape_words(np.shape(v))}" for k, v in arrays.items() if np.ndim(v) > 0
        )
        raise MicrosizeError(
            f"ranges do not line up: {parts}; use ranges of the same size or single cells"
        ) from None


def to_result(arr: npt.NDArray[Any]) -> Result:
    """A Python scalar for a 0-d result, else the array itself."""
    if arr.ndim == 0:
        return cast(float, arr.item())
    return cast(FloatArray, arr)
