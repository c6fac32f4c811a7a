"""Price histories as they arrive from a spreadsheet, a list or pandas: one column or one
row, oldest first, blanks dropped pairwise (docs/CONVENTIONS.md, Ranges), and the simple
returns and slopes the beta and hedge-ratio estimates are built from.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._checks import single
from ._errors import MicrosizeError
from ._inputs import (
    FloatArray,
    describe,
    has_bool,
    is_missing,
    position,
)
from ._sums import dot, mean

__all__: list[str] = []  # private helpers of the hedge module

#: Fewest prices a beta or hedge ratio is estimated from (two returns).
MIN_PRICES = 3
FLOAT_EPS = float(np.finfo(np.float64).eps)
# A variance below this share of sum(x^2) is rounding noise: a flat or constant-return series.
_FLAT = (64 * FLOAT_EPS) ** 2


# ------------------------------------------------------------------------ ranges
@dataclass(frozen=True)
class _Column:
    """One range of numbers, flattened: NaN where a cell is blank (``blank`` marks them)."""

    values: FloatArray
    blank: npt.NDArray[np.bool_]
    where: Callable[[int], str]  # " at row 5" for flat item 4, in the caller's words
    labels: Any | None  # the pandas index, when the range was a Series


def _is_pandas(value: Any) -> bool:
    """A pandas Series or DataFrame, recognised without importing pandas."""
    return hasattr(value, "isna") and hasattr(value, "to_numpy") and hasattr(value, "index")


def as_series(value: Any, name: str) -> Any:
    """A Series as is; a one-column DataFrame as its column."""
    if getattr(value, "ndim", 1) == 2:
        if value.shape[1] != 1:
            raise MicrosizeError(
                f"{name} must be one column of numbers (got a table of {value.shape[1]} columns)"
            )
        return value.iloc[:, 0]
    return value


def _bad_cell(name: str, where: str, item: Any, first: bool) -> MicrosizeError:
    if is_missing(item):  # pragma: no cover - blanks are handled before
        return MicrosizeError(f"{name} has an empty cell{where}")
    hint = "; select the numbers without the header" if first and isinstance(item, str) else ""
    if isinstance(item, float | np.floating) and not math.isfinite(float(item)):
        return MicrosizeError(f"{name} must be a finite number{where} (got {describe(item)})")
    return MicrosizeError(f"{name} must be a number{where} (got {describe(item)}){hint}")


def _parse_objects(
    items: list[Any], name: str, where: Callable[[int], str], missing: Any = None
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Cell by cell: numbers kept, blanks (or ``missing[i]``) marked, anything else refused."""
    out = np.empty(len(items))
    blank = np.zeros(len(items), dtype=bool)
    for i, item in enumerate(items):
        if (missing is not None and missing[i]) or is_missing(item):
            out[i] = np.nan
            blank[i] = True
        elif isinstance(item, int | float | np.integer | np.floating) and not isinstance(
            item, bool | np.bool_
        ):
            f = float(item)
            if not math.isfinite(f):
                raise _bad_cell(name, where(i), item, i == 0)
            out[i] = f
        else:
            raise _bad_cell(name, where(i), item, i == 0)
    return out, blank


# Long on purpose: a price history cell by cell: every kind of blank, text and error value an Excel column holds.
def price_column(value: Any, name: str, *, scalar_ok: bool = False) -> _Column:  # noqa: C901 (a price history cell by cell: every kind of blank, text and error value an Excel column holds)
    """Read one row or one column of numbers in which blank cells are allowed."""
    if _is_pandas(value):
        s = as_series(value, name)
        labels = s.index

        def where_label(i: int) -> str:
            return f" at index {labels[i]}"

        if s.dtype.kind in "fiu":
            blank = np.asarray(s.isna().to_numpy(), dtype=bool)
            vals = np.asarray(s.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
            bad = ~blank & ~np.isfinite(vals)
            if bad.any():
                i = int(np.argmax(bad))
                raise _bad_cell(name, where_label(i), float(vals[i]), i == 0)
        else:
            vals, blank = _parse_objects(
                s.to_numpy(dtype=object).tolist(), name, where_label, s.isna().to_numpy()
            )
        if vals.size == 0:
            raise MicrosizeError(f"{name} is empty")
        return _Column(vals, blank, where_label, labels)
    scalar = isinstance(value, int | float | np.number | str | bool) or value is None
    if scalar or not isinstance(value, list | tuple | np.ndarray):
        if not scalar and np.ndim(value) > 0:  # some other array-like
            value = np.asarray(value)
        elif scalar_ok:
            value = [value]
        else:
            got = (
                describe(value)
                if is_missing(value) or isinstance(value, str)
                else f"a single value {describe(value)}"
            )
            got = "an empty cell" if is_missing(value) else got
            raise MicrosizeError(
                f"{name} must be a column or row of prices, oldest first (got {got})"
            )
    cells = _excel_column(value)  # an Excel column: flatten it first, numpy is slow on it
    try:
        arr = np.asarray(value if cells is None else cells)
    except ValueError as exc:  # ragged nested lists
        raise MicrosizeError(f"{name} must be one column or one row of numbers") from exc
    if cells is not None and arr.ndim != 1:  # the rows held ranges: not a column after all
        cells, arr = None, np.asarray(value, dtype=object)
    shape = arr.shape if cells is None else (len(cells), 1)
    if len(shape) > 2 or (len(shape) == 2 and 1 not in shape):
        dims = " x ".join(str(d) for d in shape)
        raise MicrosizeError(f"{name} must be one column or one row (got {dims} cells)")
    if arr.size == 0:
        raise MicrosizeError(f"{name} is an empty range")

    def where(i: int) -> str:
        idx = tuple(int(j) for j in np.unravel_index(i, shape))
        return position(idx, shape)

    seq = value if cells is None else cells
    numeric = arr.dtype.kind in "fiu"
    if numeric and isinstance(seq, list | tuple) and has_bool(seq, arr):
        numeric = False  # numpy turned a TRUE into 1: find it cell by cell
    if numeric:
        vals = arr.reshape(-1).astype(np.float64)
        with np.errstate(over="ignore", invalid="ignore"):  # a sum past 1e308 is no error
            total = vals.sum()
        if not np.isfinite(total) and not np.isfinite(vals).all():
            i = int(np.argmax(~np.isfinite(vals)))
            raise _bad_cell(name, where(i), float(vals[i]), i == 0)
        return _Column(vals, np.zeros(vals.size, dtype=bool), where, None)
    # numpy has turned mixed cells into text or TRUE into 1: read the cells as given
    items = list(np.asarray(seq, dtype=object).reshape(-1))
    vals, blank = _parse_objects(items, name, where)
    return _Column(vals, blank, where, None)


def _excel_column(value: Any) -> list[Any] | None:
    """The cells of a list of one-cell rows (how xlwings passes a column), else None."""
    if isinstance(value, list | tuple) and value and isinstance(value[0], list | tuple):
        try:
            if set(map(len, value)) == {1}:
                return [row[0] for row in value]
        except TypeError:  # a row that is not a sequence
            return None
    return None


@dataclass(frozen=True)
class PricePair:
    """Two price histories after pairwise dropping: ``a`` and ``b`` positive, same length."""

    a: FloatArray
    b: FloatArray
    labels: Any | None  # pandas index of the rows kept, if both were Series


def paired_histories(a: Any, b: Any, a_name: str, b_name: str) -> PricePair:
    """Two price histories, aligned, with blank rows dropped pairwise and prices checked."""
    if _is_pandas(a) and _is_pandas(b):
        a, b = as_series(a, a_name), as_series(b, b_name)
        try:
            a, b = a.align(b, join="inner")
        except (ValueError, TypeError) as exc:
            raise MicrosizeError(
                f"{a_name} and {b_name} could not be aligned on their index: {exc}"
            ) from None
        if getattr(a.index.dtype, "kind", "") == "M" and not a.index.is_monotonic_increasing:
            a, b = a.sort_index(), b.sort_index()  # dates: oldest first whatever the input order
    ca, cb = price_column(a, a_name), price_column(b, b_name)
    if ca.values.size != cb.values.size:
        raise MicrosizeError(
            f"{a_name} and {b_name} must have the same number of rows, oldest first "
            f"(got {ca.values.size} and {cb.values.size})"
        )
    keep = ~(ca.blank | cb.blank)
    for col, name in ((ca, a_name), (cb, b_name)):
        bad = keep & (col.values <= 0)
        if bad.any():
            i = int(np.argmax(bad))
            raise MicrosizeError(
                f"{name} must be positive prices{col.where(i)} (got {describe(float(col.values[i]))})"
            )
    n = int(keep.sum())
    if n < MIN_PRICES:
        dropped = keep.size - n
        note = f" after dropping {dropped} row{'s' if dropped != 1 else ''} with a blank" * (
            dropped > 0
        )
        raise MicrosizeError(
            f"{a_name} and {b_name} need at least {MIN_PRICES} rows with both prices "
            f"(got {n}{note})"
        )
    labels = ca.labels[keep] if ca.labels is not None and cb.labels is not None else None
    if keep.all():
        return PricePair(ca.values, cb.values, labels)
    return PricePair(ca.values[keep], cb.values[keep], labels)


def simple_returns(p: FloatArray) -> FloatArray:
    """Simple returns (P_t - P_{t-1}) / P_{t-1}: a flat price gives an exact 0."""
    return np.asarray(np.diff(p) / p[:-1], dtype=np.float64)


def flat_message(name: str, p: FloatArray, what: str) -> str:
    if np.all(p == p[0]):
        return f"{name} must move: every price is {describe(float(p[0]))}, so {what} is undefined"
    return (
        f"{name} must move unevenly: its {'returns' if what == 'beta' else 'changes'} "
        f"do not vary, so {what} is undefined"
    )


def ols_slope(x: FloatArray, y: FloatArray, x_name: str, px: FloatArray, what: str) -> float:
    """OLS slope of y on x, two-pass; refuses an x without variance. Means and sums of
    products are the same on every CPU (:mod:`microsize._sums`, never BLAS)."""
    mx = mean(x)
    dx = x - mx
    sxx = dot(dx, dx)
    if is_flat(sxx, mx, x.size):
        raise MicrosizeError(flat_message(x_name, px, what))
    return dot(dx, y - mean(y)) / sxx


def is_flat(centred_squares: float, mean_x: float, n: int) -> bool:
    """Whether a sum of squared deviations is rounding noise against the sum of squares
    (``centred_squares + n mean_x**2``): a flat or constant-return series."""
    return centred_squares <= _FLAT * (centred_squares + n * mean_x * mean_x)


def decay_of(lam: Any) -> float | None:
    if lam is None or is_missing(lam):
        return None
    v = single(lam, "lam")
    if not 0 < v < 1:
        raise MicrosizeError(
            f"lam must be a decay factor strictly between 0 and 1, e.g. 0.94 for daily "
            f"RiskMetrics (got {describe(v)})"
        )
    return v
