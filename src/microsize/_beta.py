"""Beta and the minimum-variance hedge ratio from two price histories: OLS or exponentially
weighted betas, a rolling beta, and the hedge statistics of Hull ch. 3. The hedges sized
from them are in :mod:`microsize._hedge`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._errors import MicrosizeError
from ._histories import (
    FLOAT_EPS,
    PricePair,
    as_series,
    decay_of,
    flat_message,
    is_flat,
    ols_slope,
    paired_histories,
    simple_returns,
)
from ._inputs import (
    Column,
    FloatArray,
    Numeric,
    as_float_array,
    describe,
)
from ._sums import dot, mean, powers

__all__ = ["HEDGE_STATS_LABELS", "HedgeStats", "beta", "hedge_ratio", "hedge_stats", "rolling_beta"]

HEDGE_STATS_LABELS = (
    "Hedge ratio",
    "Correlation",
    "SD of spot changes",
    "SD of futures changes",
    "Hedge effectiveness",
    "Price changes",
)


# ------------------------------------------------------------------------ beta
def beta(asset_prices: Column, hedge_prices: Column, lam: Numeric | None = None) -> float:
    """Beta of the asset's simple returns on the hedge instrument's.

    Parameters
    ----------
    asset_prices, hedge_prices : column, row, array or pandas Series
        Prices > 0, oldest first, same number of rows. A row with a blank (``None``) in
        either is dropped; two Series are aligned on their index first and a missing value
        (NaN) in either drops the row. At least 3 rows must remain.
    lam : float, optional
        Decay factor 0 < lam < 1 for the exponentially weighted beta (0.94 is the
        RiskMetrics daily value). Omitted or blank: ordinary least squares.

    Returns
    -------
    float
        Unitless: the asset's return per unit of the hedge's return.

    Raises
    ------
    MicrosizeError
        Ranges of different lengths, fewer than 3 complete rows, a hedge series that does
        not move (OLS: whose returns do not vary; EWMA: whose weighted squared returns sum
        to 0), a price <= 0, text, NaN or TRUE/FALSE in a range, lam outside (0, 1).

    Notes
    -----
    With returns ``x`` (hedge) and ``y`` (asset), ``r_t = (P_t - P_{t-1}) / P_{t-1}``:

    * OLS: ``sum (x - x̄)(y - ȳ) / sum (x - x̄)^2``, which is Excel's
      ``SLOPE(asset returns, hedge returns)`` and pandas' ``y.cov(x) / x.var()``;
    * EWMA: ``sum λ^k x_k y_k / sum λ^k x_k^2`` with ``k = 0`` for the newest return,
      zero-mean as in RiskMetrics (the EWMA covariance over the EWMA variance).

    References
    ----------
    Hull, *Options, Futures, and Other Derivatives*, ch. 3 (β as the slope of the
    regression of the portfolio's returns on the index's); RiskMetrics Technical
    Document (1996), §5.2; Microsoft, SLOPE function.

    Examples
    --------
    An asset that moves twice as much as the hedge, in both directions:

    >>> asset, btc = [100, 104, 101.92, 103.9584], [50, 51, 50.49, 50.9949]
    >>> round(beta(asset, btc), 12), round(beta(asset, btc, 0.94), 12)
    (2.0, 2.0)

    A blank cell drops its row in both ranges (here the hedge's 49):

    >>> round(beta([[100], [None], [104], [101.92]], [[50], [49], [51], [50.49]]), 12)
    2.0
    """
    decay = decay_of(lam)
    pair = paired_histories(asset_prices, hedge_prices, "asset_prices", "hedge_prices")
    y, x = simple_returns(pair.a), simple_returns(pair.b)
    if decay is None:
        return ols_slope(x, y, "hedge_prices", pair.b, "beta")
    w = powers(decay, x.size)[::-1]  # lam**k, k = 0 for the newest return
    with np.errstate(under="ignore"):
        wx = w * x
    den = dot(wx, x)
    if den == 0:
        if np.all(x == 0):
            raise MicrosizeError(flat_message("hedge_prices", pair.b, "beta"))
        raise MicrosizeError(
            "hedge_prices must move within the rows that carry weight: with this lam the "
            "recent rows are flat, so beta is undefined"
        )
    return dot(wx, y) / den


def rolling_beta(asset_prices: Column, hedge_prices: Column, window: Numeric) -> Any:
    """OLS beta over a moving window of ``window`` returns.

    Parameters
    ----------
    asset_prices, hedge_prices : column, row, array or pandas Series
        As for :func:`beta` (oldest first; blank rows dropped pairwise).
    window : int
        Returns per window, a whole number from 2 to the number of returns.

    Returns
    -------
    ndarray or pandas Series
        Only the windows that are full: with ``n`` complete price rows there are
        ``n - window`` values, and value ``i`` is the beta over the returns ending at price
        row ``window + i + 1`` (1-based, blank rows skipped). So the first value belongs
        beside the ``window + 1``-th price. For two Series the result is a Series indexed by
        those rows' labels. A window in which the hedge does not move has no beta: it is
        NaN here, and the Excel edge must show it as text (e.g. ``"n/a"``).

    Notes
    -----
    Vectorised with cumulative sums of the returns centred on their overall mean, so the
    cost is linear in the history whatever the window.

    Examples
    --------
    >>> asset, btc = [100, 104, 101.92, 103.9584, 105], [50, 51, 50.49, 50.9949, 51]
    >>> rolling_beta(asset, btc, 3).round(6).tolist()
    [2.0, 2.003273]
    """
    pair = paired_histories(asset_prices, hedge_prices, "asset_prices", "hedge_prices")
    y, x = simple_returns(pair.a), simple_returns(pair.b)
    m = x.size
    w_arr = as_float_array(window, "window")
    wf = float(w_arr.reshape(-1)[0]) if w_arr.size == 1 else math.nan
    if w_arr.size != 1 or wf != int(wf) or not 2 <= wf <= m:
        got = f"{w_arr.size} cells" if w_arr.size != 1 else describe(wf)
        raise MicrosizeError(
            f"window must be a whole number of returns from 2 to {m} "
            f"(the history has {m + 1} complete rows) (got {got})"
        )
    w = int(wf)
    xc, yc = x - mean(x), y - mean(y)

    def window_sums(v: FloatArray) -> FloatArray:
        c = np.concatenate(([0.0], np.cumsum(v)))
        return np.asarray(c[w:] - c[:-w], dtype=np.float64)

    sx, sy = window_sums(xc), window_sums(yc)
    vxx = window_sums(xc * xc) - sx * sx / w
    cxy = window_sums(xc * yc) - sx * sy / w
    # a window is flat when no return in it differs from the one before (exact), or when
    # its variance is within rounding noise of the running sums
    changes = np.concatenate(([0], np.cumsum(x[1:] != x[:-1])))
    flat = (changes[w - 1 :] - changes[: m - w + 1] == 0) | (
        vxx <= 64 * FLOAT_EPS * dot(xc, xc) * math.log2(m + 1)
    )
    if flat.all():
        raise MicrosizeError(flat_message("hedge_prices", pair.b, "beta"))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(flat, np.nan, cxy / np.where(flat, 1.0, vxx))
    if pair.labels is not None:  # two Series (or one-column frames): a Series back
        series_type = type(as_series(asset_prices, "asset_prices"))
        return series_type(out, index=pair.labels[w:], name="beta")
    return out


# ------------------------------------------------------------------------ hedge ratio
@dataclass(frozen=True)
class HedgeStats:
    """The minimum-variance hedge ratio and the statistics behind it.

    ``sd_spot`` and ``sd_futures`` are sample standard deviations (ddof = 1) of the price
    changes, in price units per period; ``effectiveness`` is ρ², the share of the spot
    variance the optimal hedge removes; ``n`` is the number of price changes used.
    """

    ratio: float
    correlation: float
    sd_spot: float
    sd_futures: float
    effectiveness: float
    n: int

    def rows(self) -> list[list[Any]]:
        """``[label, value]`` rows, as MF_HEDGE_STATS spills them."""
        values = (
            self.ratio,
            self.correlation,
            self.sd_spot,
            self.sd_futures,
            self.effectiveness,
            self.n,
        )
        return [[label, v] for label, v in zip(HEDGE_STATS_LABELS, values, strict=True)]


def _changes(spot_prices: Any, futures_prices: Any) -> tuple[FloatArray, FloatArray, PricePair]:
    pair = paired_histories(spot_prices, futures_prices, "spot_prices", "futures_prices")
    return np.diff(pair.a), np.diff(pair.b), pair


def hedge_ratio(spot_prices: Column, futures_prices: Column) -> float:
    """Minimum-variance hedge ratio from price changes: ``h* = ρ σ_ΔS / σ_ΔF``.

    Parameters
    ----------
    spot_prices, futures_prices : column, row, array or pandas Series
        Prices > 0 of the exposure and of the hedging futures, oldest first, one row per
        period (blank rows dropped pairwise; at least 3 complete rows).

    Returns
    -------
    float
        Futures units per unit of the exposure: the OLS slope of ΔS on ΔF, which equals
        ``ρ σ_ΔS / σ_ΔF`` (the choice of ddof cancels).

    Notes
    -----
    Hull's optimal number of contracts is then ``N* = h* Q_A / Q_F`` (units), or with daily
    settlement ``N* = h* V_A / V_F``; :func:`hedge` with ``beta = h*`` computes the latter.

    References
    ----------
    Hull, *Options, Futures, and Other Derivatives*, ch. 3, "Cross hedging", and
    Example 3.3 (jet fuel hedged with heating oil futures: h* = 0.78).

    Examples
    --------
    >>> hedge_ratio([10, 11, 10.5, 12], [20, 22, 21, 24])
    0.5
    """
    ds, df, pair = _changes(spot_prices, futures_prices)
    return ols_slope(df, ds, "futures_prices", pair.b, "the hedge ratio")


def hedge_stats(spot_prices: Column, futures_prices: Column) -> HedgeStats:
    """Hedge ratio, correlation, volatilities of the changes and effectiveness ρ².

    Same inputs as :func:`hedge_ratio`. Standard deviations are sample ones (ddof = 1),
    as Hull's examples and Excel's STDEV.S; the hedge ratio and ρ do not depend on it.

    Parameters
    ----------
    spot_prices, futures_prices : array_like
        Spot and futures prices, oldest first, same rows (as :func:`hedge_ratio`).

    Raises
    ------
    MicrosizeError
        As :func:`hedge_ratio`, and when the spot changes do not vary (ρ is undefined).

    Examples
    --------
    >>> s = hedge_stats([10, 11, 10.5, 12], [20, 22, 21, 24])
    >>> s.ratio, s.correlation, s.effectiveness, s.n
    (0.5, 1.0, 1.0, 3)
    """
    ds, df, pair = _changes(spot_prices, futures_prices)
    mf, ms = mean(df), mean(ds)
    dfc, dsc = df - mf, ds - ms
    sff, sss, ssf = dot(dfc, dfc), dot(dsc, dsc), dot(dfc, dsc)
    if is_flat(sff, mf, df.size):  # as hedge_ratio: ssf / sff is its slope, to the bit
        raise MicrosizeError(flat_message("futures_prices", pair.b, "the hedge ratio"))
    h = ssf / sff
    if is_flat(sss, ms, ds.size):
        raise MicrosizeError(flat_message("spot_prices", pair.a, "the correlation"))
    rho = max(-1.0, min(1.0, ssf / math.sqrt(sff * sss)))
    n = int(df.size)
    return HedgeStats(
        ratio=h,
        correlation=rho,
        sd_spot=math.sqrt(sss / (n - 1)),
        sd_futures=math.sqrt(sff / (n - 1)),
        effectiveness=rho * rho,
        n=n,
    )
