"""Volatility: true range and the average true range (Wilder, simple, exponential).

Price histories arrive as one column (or row) each of highs, lows and closes, oldest
first, as nested lists from Excel, numpy arrays or pandas Series (read like the hedge
module's histories). A row with a blank in any of the three is skipped: its ATR is NaN
and the next bar's previous close is the last close above it. Degenerate results (no full
window yet) are NaN here; the Excel edge shows them as text.

=================  ======================================================================
true range         TR_t = max(H_t - L_t, |H_t - C_{t-1}|, |L_t - C_{t-1}|); TR_0 = H_0 - L_0
wilder (default)   ATR_{n-1} = mean(TR_0 .. TR_{n-1}); ATR_t = ATR_{t-1} + (TR_t - ATR_{t-1}) / n
exponential        same seed; ATR_t = ATR_{t-1} + 2 / (n + 1) (TR_t - ATR_{t-1})
simple             ATR_t = mean(TR_{t-n+1} .. TR_t)
=================  ======================================================================

References
----------
J. W. Wilder, *New Concepts in Technical Trading Systems* (1978): true range and the
average true range with Wilder's smoothing. StockCharts ChartSchool, "Average True Range
(ATR)" (worked 14-day QQQ table; the first ATR is the mean of the first 14 true ranges,
the first of which is high - low). TradingView Pine Script ``ta.atr`` (the same
convention). TA-Lib ``ATR`` drops the first bar instead (see :func:`atr`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._errors import MicrosizeError
from ._exact import clean_money
from ._inputs import AtrMethod, FloatArray, Numeric, as_float_array, describe
from ._sums import mean, window_sums

__all__ = ["ATR_METHODS", "atr", "latest_atr", "true_range"]

#: Smoothing methods of :func:`atr` and the names accepted for each.
ATR_METHODS = {
    "wilder": "wilder",
    "rma": "wilder",
    "smma": "wilder",
    "simple": "simple",
    "sma": "simple",
    "exponential": "exponential",
    "ema": "exponential",
}
MAX_PERIODS = 10_000


def _columns(high: Any, low: Any, close: Any) -> tuple[FloatArray, FloatArray, FloatArray, Any]:
    """Three price columns of one length; blank rows (any of the three) marked, rest checked."""
    from ._histories import price_column  # the hedge module reads price histories the same way

    cols = [price_column(v, n) for v, n in ((high, "high"), (low, "low"), (close, "close"))]
    n = {c.values.size for c in cols}
    if len(n) != 1:
        sizes = ", ".join(
            f"{nm} has {c.values.size}"
            for nm, c in zip(("high", "low", "close"), cols, strict=True)
        )
        raise MicrosizeError(f"high, low and close must have the same number of rows ({sizes})")
    blank = cols[0].blank | cols[1].blank | cols[2].blank
    h, lo, c = (np.where(blank, np.nan, col.values) for col in cols)
    where = cols[0].where
    keep = ~blank
    for name, arr in (("high", h), ("low", lo), ("close", c)):
        bad = keep & ~(arr > 0)
        if bad.any():
            i = int(np.argmax(bad))
            raise MicrosizeError(
                f"{name} must be positive{where(i)} (got {describe(float(arr[i]))})"
            )
    checks = (
        (h < lo, "high must be at least low"),
        ((c < lo) | (c > h), "close must lie between low and high"),
    )
    for bad_rows, rule in checks:
        bad = keep & bad_rows
        if bad.any():
            i = int(np.argmax(bad))
            raise MicrosizeError(
                f"{rule}{where(i)} (got high={describe(float(h[i]))}, low={describe(float(lo[i]))}, "
                f"close={describe(float(c[i]))})"
            )
    return h, lo, c, blank


def _periods(value: Any) -> int:
    if value is None:
        return 14
    arr = as_float_array(value, "periods")
    if arr.size != 1:
        raise MicrosizeError("periods must be a single number of bars, e.g. 14")
    n = float(arr.reshape(-1)[0])
    if n != int(n) or not 1 <= n <= MAX_PERIODS:
        raise MicrosizeError(
            f"periods must be a whole number from 1 to {MAX_PERIODS} (got {describe(n)})"
        )
    return int(n)


def _method(value: Any) -> str:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return "wilder"
    if isinstance(value, str) and value.strip().lower() in ATR_METHODS:
        return ATR_METHODS[value.strip().lower()]
    raise MicrosizeError(f"method must be wilder, simple or exponential (got {describe(value)})")


def _true_range(h: FloatArray, lo: FloatArray, c: FloatArray) -> FloatArray:
    """True range of rows without blanks: the first is high - low (no previous close)."""
    prev = np.concatenate(([np.nan], c[:-1]))
    tr = np.maximum(h - lo, np.maximum(np.abs(h - prev), np.abs(lo - prev)))
    tr[0] = h[0] - lo[0]
    return tr


def atr_rows(
    high: Any, low: Any, close: Any, periods: Any, method: Any
) -> tuple[FloatArray, Any, int]:
    n = _periods(periods)
    how = _method(method)
    h, lo, c, blank = _columns(high, low, close)
    keep = ~blank
    out = np.full(h.shape, np.nan)
    if keep.sum() < n:
        return out, blank, n
    with np.errstate(over="ignore", invalid="ignore"):
        tr = _true_range(h[keep], lo[keep], c[keep])
    values = np.full(tr.shape, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        if how == "simple":
            values[n - 1 :] = window_sums(tr, n) / n
        else:
            alpha = 1.0 / n if how == "wilder" else 2.0 / (n + 1)
            a = mean(tr[:n])
            out_l = [a]
            for x in tr[n:].tolist():  # a recursive filter: each value needs the one before
                a = a + alpha * (x - a)
                out_l.append(a)
            values[n - 1 :] = out_l
    if np.isinf(values).any():
        raise MicrosizeError("high, low, close: the prices are too large to average")
    out[keep] = values
    with np.errstate(over="ignore", invalid="ignore"):
        return clean_money(out), blank, n


def true_range(high: Numeric, low: Numeric, close: Numeric) -> FloatArray:
    """True range of each bar: max(H - L, |H - previous C|, |L - previous C|).

    The first bar has no previous close: its true range is H - L (Wilder; StockCharts).
    Rows with a blank in any of the three columns are skipped (NaN) and the next bar's
    previous close is the last close above it.

    Parameters
    ----------
    high, low, close : array_like
        High, low and close prices of each bar, oldest first, same rows; a row with a
        blank in any of them is skipped.

    Examples
    --------
    >>> true_range([48.70, 48.72], [47.79, 48.14], [48.16, 48.61]).round(2).tolist()
    [0.91, 0.58]
    """
    h, lo, c, blank = _columns(high, low, close)
    out = np.full(h.shape, np.nan)
    keep = ~blank
    if keep.any():
        out[keep] = _true_range(h[keep], lo[keep], c[keep])
    return out


def atr(
    high: Numeric,
    low: Numeric,
    close: Numeric,
    periods: Numeric | None = None,
    method: AtrMethod | None = None,
) -> FloatArray:
    """Average true range beside each bar (NaN before the first full window).

    Parameters
    ----------
    high, low, close : array_like
        One column (or row) each, oldest first, the same number of rows. A row with a blank
        in any of the three is skipped (its ATR is NaN) and the bars around it are joined.
    periods : int, optional
        Bars in the average, 14 if omitted.
    method : {"wilder", "simple", "exponential"}, optional
        ``wilder`` (default): the first ATR, on bar ``periods``, is the plain mean of the
        first ``periods`` true ranges; then ``ATR_t = (ATR_{t-1} (n - 1) + TR_t) / n``.
        ``simple``: the mean of the last ``periods`` true ranges. ``exponential``: the same
        seed, then ``ATR_t = ATR_{t-1} + 2 / (n + 1) (TR_t - ATR_{t-1})``.

    Returns
    -------
    ndarray
        One ATR per row, in price units; NaN where there is no full window yet or the row
        is blank.

    Notes
    -----
    The first bar's true range is its high - low, as in Wilder's book, StockCharts' worked
    table and TradingView's ``ta.atr``. TA-Lib's ``ATR`` instead drops the first bar (its
    first ATR is the mean of true ranges 2 to ``periods + 1``, one bar later), so its
    values differ from these for a while and converge as the smoothing forgets the seed.

    Examples
    --------
    True ranges 1, 1.5, 1.5; the first ATR is their 2-bar mean, then Wilder's smoothing:

    >>> atr([10, 11, 12], [9, 10, 11], [9.5, 10.5, 11.5], 2).tolist()
    [nan, 1.25, 1.375]
    """
    return atr_rows(high, low, close, periods, method)[0]


def latest_atr(
    high: Numeric,
    low: Numeric,
    close: Numeric,
    periods: Numeric | None = None,
    method: AtrMethod | None = None,
) -> float:
    """The newest ATR of :func:`atr` (the last row that has one).

    Parameters
    ----------
    high, low, close, periods, method
        As in :func:`atr`.

    Examples
    --------
    >>> latest_atr([10, 11, 12], [9, 10, 11], [9.5, 10.5, 11.5], 2)
    1.375
    """
    values, blank, n = atr_rows(high, low, close, periods, method)
    ok = np.isfinite(values)
    if not ok.any():
        raise MicrosizeError(
            f"high, low, close: {n} bars with prices are needed for a {n}-bar ATR "
            f"(got {int((~blank).sum())})"
        )
    return float(values[ok][-1])
