"""Input checks shared by the core, and the messages they raise.

Every message names the argument the user typed, the rule, the position of the first bad
cell of a range ("at row 3") and the value received, in that order, built in one place
(:func:`refuse`): ``stop must differ from entry at row 2 (got entry=3520, stop=3520)``,
``usd_amount must be zero or more at row 2 (got -1)``. The rules a user meets are written
in the repository's docs/CONVENTIONS.md ("Errors"); a module that checks an argument calls
one of these helpers instead of writing the message again.
"""

from __future__ import annotations

from typing import Any, NoReturn

import numpy as np

from ._errors import MicrosizeError
from ._inputs import FloatArray, as_float_array, describe, first_index, position

__all__ = [
    "MAX_EQUITY",
    "MAX_FEE",
    "account",
    "check",
    "distinct",
    "fail",
    "fee",
    "first_index",
    "fraction",
    "nonneg",
    "nonzero",
    "number_text",
    "one_cell",
    "positive",
    "refuse",
    "single",
    "zero_or_more_count",
]

#: Fee rates above this per side (1%) are taken for a per-cent typing mistake.
MAX_FEE = 0.01
#: No trading account holds a trillion in any settlement currency; above it, a number
#: was mistyped and a table's products would leave the range of floats.
MAX_EQUITY = 1e12


def refuse(
    rule: str,
    index: tuple[int, ...],
    shape: tuple[int, ...],
    got: str,
    *,
    error: type[MicrosizeError] = MicrosizeError,
) -> NoReturn:
    """Raise ``{rule}{position} (got {got})``: the one order of every input message (the
    argument and its rule, where in the range, what was received).

    >>> refuse("usd_amount must be zero or more", (1, 0), (3, 1), "-1")
    Traceback (most recent call last):
    ...
    microsize._errors.MicrosizeError: usd_amount must be zero or more at row 2 (got -1)
    """
    where = f"{rule}{position(index, shape)}"
    raise error(f"{where} (got {got})", brief=where)


def fail(
    name: str,
    rule: str,
    arr: FloatArray,
    bad: Any,
    *,
    verb: str = "must be",
    error: type[MicrosizeError] = MicrosizeError,
) -> NoReturn:
    """Raise ``{name} {verb} {rule}{position} (got {value})`` for the first bad cell.

    Always raises: the caller has found a bad cell (:func:`check` looks first).
    """
    mask = np.broadcast_to(np.asarray(bad), arr.shape)
    if not np.any(mask):
        raise ValueError(f"fail({name!r}) called without a bad cell")
    idx = first_index(mask)
    # + 0.0: a zero typed as -0 is shown as the 0 the user sees in the cell
    got = describe(float(arr[idx]) + 0.0)
    refuse(f"{name} {verb} {rule}", idx, arr.shape, got, error=error)


def check(
    name: str,
    rule: str,
    arr: FloatArray,
    bad: Any,
    *,
    verb: str = "must be",
    error: type[MicrosizeError] = MicrosizeError,
) -> None:
    """:func:`fail` when any cell of ``bad`` is true; nothing otherwise."""
    if np.any(bad):
        fail(name, rule, arr, bad, verb=verb, error=error)


def positive(value: Any, name: str) -> FloatArray:
    """``value`` as floats, every cell above zero."""
    arr = as_float_array(value, name)
    check(name, "positive", arr, arr <= 0)
    return arr


def nonneg(value: Any, name: str) -> FloatArray:
    """``value`` as floats, every cell zero or more."""
    arr = as_float_array(value, name)
    check(name, "zero or more", arr, arr < 0)
    return arr


def account(value: Any, name: str) -> FloatArray:
    """An account size or a risk budget: positive, and at most :data:`MAX_EQUITY`.

    >>> account(1e300, "equity")
    Traceback (most recent call last):
    ...
    microsize._errors.MicrosizeError: equity must be at most 1e12, more than any trading account holds (got 1e+300)
    """
    arr = positive(value, name)
    check(name, "at most 1e12, more than any trading account holds", arr, arr > MAX_EQUITY)
    return arr


def zero_or_more_count(value: Any, name: str) -> FloatArray:
    """Unsigned contracts (the side comes from the stop), every cell zero or more."""
    arr = as_float_array(value, name)
    check(name, "zero or more: the side comes from the stop", arr, arr < 0)
    return arr


def fee(value: Any, name: str, *, allow_rebate: bool = False) -> FloatArray:
    """A fee rate per side: a fraction in [0, 0.01] ([-0.01, 0.01] with a maker rebate);
    ``None`` is no fee."""
    if value is None:
        return np.asarray(0.0)
    arr = as_float_array(value, name)
    low = -MAX_FEE if allow_rebate else 0.0
    span = "between -0.01 and 0.01" if allow_rebate else "between 0 and 0.01"
    rule = f"a fraction {span}, e.g. 0.0005 for 0.05%"
    check(name, rule, arr, (arr < low) | (arr > MAX_FEE))
    return arr


def fraction(value: Any, name: str, example: str = "0.005 for 0.5%") -> FloatArray:
    """A rate in [0, 1), such as a maintenance margin rate."""
    arr = as_float_array(value, name)
    check(name, f"a fraction in [0, 1), e.g. {example}", arr, (arr < 0) | (arr >= 1))
    return arr


def nonzero(value: Any, name: str) -> FloatArray:
    """Signed contracts: positive for a long, negative for a short, never zero."""
    arr = as_float_array(value, name)
    rule = "zero: positive for a long, negative for a short"
    check(name, rule, arr, arr == 0, verb="must not be")
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
        got = f"{a}={describe(float(entry[idx]))}, {b}={describe(float(stop[idx]))}"
        refuse(f"{b} must differ from {a}", idx, entry.shape, got)


def one_cell(value: Any, name: str, why: str = "") -> Any:
    """A single-cell argument as it is (a number or text), a range of one cell unwrapped;
    ``why`` says why one cell (": MF_SIZE sizes one trade").

    >>> one_cell([["cme:MBT"]], "contract")
    'cme:MBT'
    """
    if not isinstance(value, list | tuple | np.ndarray):
        return value
    arr = np.asarray(value, dtype=object)
    if arr.size != 1:
        raise MicrosizeError(f"{name} must be a single cell{why} (got {arr.size} cells)")
    return arr.reshape(()).item()


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
