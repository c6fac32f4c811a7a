"""Input checks shared by the core, and the messages they raise.

Every check names the argument the user typed, the rule, the position of the first bad
cell of a range ("at row 3") and the value received, in that order, built before raising:
``stop must differ from entry at row 2 (got entry=3520, stop=3520)``. The rules a user
meets are written in the repository's docs/CONVENTIONS.md ("Errors"); a module that checks
an argument calls one of these helpers instead of writing the message again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._errors import MicrosizeError
from ._inputs import FloatArray, as_float_array, describe, first_index, position

__all__ = [
    "MAX_FEE",
    "distinct",
    "fail",
    "fee",
    "first_index",
    "fraction",
    "nonneg",
    "nonzero",
    "number_text",
    "positive",
    "single",
    "zero_or_more_count",
]

#: Fee rates above this per side (1%) are taken for a per-cent typing mistake.
MAX_FEE = 0.01


def fail(name: str, rule: str, arr: FloatArray, bad: Any) -> None:
    """Raise ``{name} must be {rule}{position} (got {value})`` for the first bad cell."""
    if np.any(bad):
        idx = first_index(np.broadcast_to(bad, arr.shape))
        raise MicrosizeError(
            f"{name} must be {rule}{position(idx, arr.shape)} (got {describe(float(arr[idx]))})"
        )


def positive(value: Any, name: str) -> FloatArray:
    """``value`` as floats, every cell above zero."""
    arr = as_float_array(value, name)
    if arr.min() <= 0:
        fail(name, "positive", arr, arr <= 0)
    return arr


def nonneg(value: Any, name: str) -> FloatArray:
    """``value`` as floats, every cell zero or more."""
    arr = as_float_array(value, name)
    if arr.min() < 0:
        fail(name, "zero or more", arr, arr < 0)
    return arr


def zero_or_more_count(value: Any, name: str) -> FloatArray:
    """Unsigned contracts (the side comes from the stop), every cell zero or more."""
    arr = as_float_array(value, name)
    if np.any(arr < 0):
        idx = first_index(arr < 0)
        raise MicrosizeError(
            f"{name} must be zero or more: the side comes from the stop"
            f"{position(idx, arr.shape)} (got {describe(float(arr[idx]))})"
        )
    return arr


def fee(value: Any, name: str, *, allow_rebate: bool = False) -> FloatArray:
    """A fee rate per side: a fraction in [0, 0.01] ([-0.01, 0.01] with a maker rebate);
    ``None`` is no fee."""
    if value is None:
        return np.asarray(0.0)
    arr = as_float_array(value, name)
    low = -MAX_FEE if allow_rebate else 0.0
    bad = (arr < low) | (arr > MAX_FEE)
    if np.any(bad):
        idx = first_index(bad)
        got = describe(float(arr[idx]))
        rule = "between -0.01 and 0.01" if allow_rebate else "between 0 and 0.01"
        raise MicrosizeError(
            f"{name} must be a fraction {rule}, e.g. 0.0005 for 0.05% "
            f"(got {got}{position(idx, arr.shape)})"
        )
    return arr


def fraction(value: Any, name: str, example: str = "0.005 for 0.5%") -> FloatArray:
    """A rate in [0, 1), such as a maintenance margin rate."""
    arr = as_float_array(value, name)
    bad = (arr < 0) | (arr >= 1)
    if np.any(bad):
        idx = first_index(bad)
        raise MicrosizeError(
            f"{name} must be a fraction in [0, 1), e.g. {example}{position(idx, arr.shape)} "
            f"(got {describe(float(arr[idx]))})"
        )
    return arr


def nonzero(value: Any, name: str) -> FloatArray:
    """Signed contracts: positive for a long, negative for a short, never zero."""
    arr = as_float_array(value, name)
    if np.any(arr == 0):
        idx = first_index(arr == 0)
        raise MicrosizeError(
            f"{name} must not be zero: positive for a long, negative for a short"
            f"{position(idx, arr.shape)} (got 0)"
        )
    return arr


def distinct(entry: FloatArray, stop: FloatArray, a: str = "entry", b: str = "stop") -> None:
    """The stop (``b``) must differ from the entry (``a``) in every cell.

    >>> distinct(np.asarray(3520.0), np.asarray(3520.0))
    Traceback (most recent call last):
    ...
    microsize._errors.MicrosizeError: stop must differ from entry (got entry=3520, stop=3520)
    """
    entry, stop = np.broadcast_arrays(np.asarray(entry), np.asarray(stop))
    same = entry == stop
    if np.any(same):
        idx = first_index(same)
        raise MicrosizeError(
            f"{b} must differ from {a}{position(idx, entry.shape)} "
            f"(got {a}={describe(float(entry[idx]))}, {b}={describe(float(stop[idx]))})"
        )


def single(value: Any, name: str, why: str = "") -> float:
    """A single-cell argument as a float; ``why`` says why one cell (": one trade is
    checked").

    >>> single([[2.5]], "leverage")
    2.5
    """
    arr = as_float_array(value, name)
    if arr.size != 1:
        raise MicrosizeError(f"{name} must be a single cell{why} (got {arr.size} cells)")
    return float(arr.reshape(()))


def number_text(x: float) -> str:
    """A number as messages and warnings show it: ten significant digits, thousands
    separated.

    >>> number_text(6208.1692605)
    '6,208.16926'
    """
    return format(x, ",.10g")
