"""Trader inputs: ATR stops, stop slippage, reward to risk, R and ROI targets, USD budgets.

Pure and vectorised like :mod:`microsize._sizing`: numeric arguments broadcast, a scalar
in gives a Python float out. Prices that land on the exchange's grid are rounded to the
contract's ``tick_size`` in the direction that keeps the promise of the function, counted
exactly (with :class:`fractions.Fraction`) where a price falls on a tick boundary:

===================  ===============================================  ==================
function             price                                            tick rounding
===================  ===============================================  ==================
``atr_stop``         E - s k ATR                                      away from entry
``stop_fill``        S (1 - s x) or S - s n tick                      away from entry
``target_price``     reward after fees = R x risk after fees          away from entry
``roi_target``       (PnL - fees) / initial margin = roi              away from entry
===================  ===============================================  ==================

``s`` is +1 for a long, -1 for a short. Per order unit of a contract of size ``k``, fee
rate ``f`` on each side, entry E, stop S, exit T:

=========  ==================================  ======================================
kind       risk (loss at S, both fees)         reward (profit at T, both fees)
=========  ==================================  ======================================
linear     k (|E - S| + f (E + S))             k (|T - E| - f (E + T))
inverse    k (|1/S - 1/E| + f (1/E + 1/S))     k (|1/E - 1/T| - f (1/E + 1/T))
=========  ==================================  ======================================

Quanto contracts follow the linear formula in price (their PnL is linear in price).

The average true range itself is in :mod:`microsize._volatility`. ``atr_stop`` and
``stop_fill`` are in :mod:`microsize._stops`, the USD budgets (``risk_to_settle``,
``contracts_usd``) in :mod:`microsize._usd_budget` and the tick rounding all of them share
in :mod:`microsize._price_grid`; this module names them all.

References
----------
Binance, "How to Use the Binance Futures Calculator" (target price for an ROI on initial
margin, USDⓈ-M and COIN-M). Bybit, "How to use Bybit calculator" (target price for an
ROI, inverse example). Deribit Insights, "Deribit Inverse Contracts - Calculating Profit
in BTC and USD" (inverse PnL: amount x (1/entry - 1/exit) in coin).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ._checks import distinct as _distinct
from ._checks import fee as _fee
from ._checks import first_index, nonneg, refuse
from ._checks import positive as _positive
from ._contracts import ContractLike, SpecsLike
from ._errors import MicrosizeError
from ._exact import clean_money, exact
from ._inputs import (
    Numeric,
    Result,
    SideLike,
    as_float_array,
    broadcast,
    describe,
    position,
    to_result,
)
from ._kind import exit_for_gain, exit_for_roi, side_from_stop, unit_loss_exact, unit_pnl_exact
from ._price_grid import (
    all_finite,
    on_the_grid,
    round_to_tick,
    scalar_index,
    side_signs,
    spec_or_none,
    tick_of,
    tick_text,
)
from ._stops import atr_stop as atr_stop
from ._stops import stop_fill as stop_fill
from ._usd_budget import contracts_usd as contracts_usd
from ._usd_budget import risk_to_settle as risk_to_settle

__all__ = [
    "atr_stop",
    "contracts_usd",
    "reward_risk",
    "risk_to_settle",
    "roi_target",
    "stop_fill",
    "target_price",
]


# ------------------------------------------------------------------ reward to risk
def _unit_risk(kind: str, e: Any, s: Any, f: Any) -> Any:
    """Loss at the stop per unit of contract size, both fees (floats, arrays or Fractions),
    by the one formula of :func:`microsize._kind.unit_loss_exact`."""
    return unit_loss_exact(kind == "inverse", _ONE, e, s, f)


def _unit_reward(kind: str, e: Any, s: Any, t: Any, f: Any) -> Any:
    """Profit at the target per unit of contract size, both fees, for the side the stop
    implies, by the one formula of :func:`microsize._kind.unit_pnl_exact`."""
    return unit_pnl_exact(kind == "inverse", _ONE, side_from_stop(e, s), e, t, f)


#: A contract size of 1 that keeps floats float and fractions exact (a Fraction 1 would
#: turn a float array into an object array).
_ONE: Any = 1


def reward_risk(
    entry: Numeric,
    stop: Numeric,
    target: Numeric,
    contract: ContractLike | None = None,
    fee_rate: Numeric | None = None,
    specs: SpecsLike = None,
) -> Result:
    """Reward to risk after fees: profit at the target over loss at the stop.

    Both include the entry fee and the exit fee (at the target, at the stop). Without fees
    it is ``|T - E| / |E - S|`` for linear contracts, the ratio TradingView's long/short
    position tool shows; inverse contracts use ``|1/E - 1/T| / |1/S - 1/E|``, the ratio of
    the coin PnLs. The side comes from the stop; the target must be on the profit side.

    Parameters
    ----------
    entry, stop, target : float or array_like
        Prices > 0; stop below entry sizes a long, above a short; the target lies on the
        profit side. Ranges broadcast.
    contract : str or float, optional
        Its kind chooses the PnL formula (inverse: coin PnL); linear when omitted.
    fee_rate : float or array_like, optional
        Fraction of notional charged on entry and on exit (0 to 0.01).
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.

    Returns
    -------
    float or ndarray
        Reward over risk, both per unit and after fees (negative when fees eat the reward).

    Examples
    --------
    >>> reward_risk(100, 95, 110)
    2.0
    >>> round(reward_risk(3520, 3450, 3660, 0.001, 0.0005), 4)  # 2R before fees
    1.8563
    """
    e = _positive(entry, "entry")
    s = _positive(stop, "stop")
    t = _positive(target, "target")
    f = _fee(fee_rate, "fee_rate")
    spec = spec_or_none(contract, specs)
    e, s, t, f = broadcast(entry=e, stop=s, target=t, fee_rate=f)
    _distinct(e, s)
    long = side_from_stop(e, s) > 0
    wrong = np.where(long, t <= e, t >= e)
    if wrong.any():
        idx = first_index(wrong)
        rule = "above entry for a long" if long[idx] else "below entry for a short"
        got = (
            f"stop {describe(float(s[idx]))}, entry {describe(float(e[idx]))}, "
            f"target {describe(float(t[idx]))}"
        )
        refuse(f"target must be {rule}", idx, t.shape, got)
    kind = "linear" if spec is None else spec.kind
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        risk = _unit_risk(kind, e, s, f)
        reward = _unit_reward(kind, e, s, t, f)
        rr = all_finite(np.asarray(reward / risk), "entry, stop, target")
        return to_result(clean_money(rr))


def _target_exact(
    kind: str, side: int, E: Fraction, S: Fraction, R: Fraction, F: Fraction
) -> Fraction | None:
    target: Fraction | None = exit_for_gain(
        kind == "inverse", side, E, F, R * _unit_risk(kind, E, S, F)
    )
    return target


def target_price(
    entry: Numeric,
    stop: Numeric,
    r_multiple: Numeric,
    contract: ContractLike | None = None,
    fee_rate: Numeric | None = None,
    specs: SpecsLike = None,
) -> Result:
    """Exit price that makes at least ``r_multiple`` R after fees, on the tick.

    R is the loss at the stop with both fees; the target's profit with both fees is
    ``r_multiple`` x R. Linear and quanto (long): ``T = (E (1 + f) + r risk) / (1 - f)``,
    short ``T = (E (1 - f) - r risk) / (1 + f)``; inverse (long):
    ``1/T = ((1 - f)/E - r risk) / (1 + f)``, short ``1/T = ((1 + f)/E + r risk) / (1 - f)``,
    exact in the coin PnL, which is not linear in price. The price is then rounded to the
    tick away from entry, so the R reached is never below ``r_multiple``.

    Parameters
    ----------
    entry, stop : float or array_like
        Prices > 0, different; the side comes from the stop.
    r_multiple : float or array_like
        The reward wanted in multiples of the loss at the stop, >= 0 (0 = breakeven after
        fees).
    contract : str or float, optional
        Its kind chooses the PnL formula and its ``tick_size`` the rounding; linear and
        unrounded when omitted.
    fee_rate : float or array_like, optional
        Fraction of notional charged on entry and on exit (0 to 0.01).
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.

    Returns
    -------
    float or ndarray
        The exit price: with a tick, the tick price nearest to entry whose R after fees
        is at least ``r_multiple``.

    Raises
    ------
    MicrosizeError
        For bad input, or an R no price reaches (an inverse long's coin profit is capped at
        ``size / entry``; a short's price cannot fall below 0).

    Examples
    --------
    >>> target_price(100, 95, 2)
    110.0
    >>> target_price(60000, 57000, 3, "cme:MBT")
    69000.0
    >>> target_price(60000, 57000, 3, "bybit:BTCUSD")  # inverse: further than 3 x 3000
    71250.0
    """
    e = _positive(entry, "entry")
    s = _positive(stop, "stop")
    r = nonneg(r_multiple, "r_multiple")
    f = _fee(fee_rate, "fee_rate")
    spec = spec_or_none(contract, specs)
    kind = "linear" if spec is None else spec.kind
    e, s, r, f = broadcast(entry=e, stop=s, r_multiple=r, fee_rate=f)
    _distinct(e, s)
    side = side_from_stop(e, s)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        gain = r * _unit_risk(kind, e, s, f)
    raw = np.asarray(exit_for_gain(kind == "inverse", np.asarray(side), e, f, gain))
    get = scalar_index(raw.shape)

    def exact_t(i: tuple[int, ...]) -> Fraction:
        t = _target_exact(
            kind,
            int(get(side, i)),
            exact(get(e, i)),
            exact(get(s, i)),
            exact(get(r, i)),
            exact(get(f, i)),
        )
        assert t is not None  # unreachable targets were refused before rounding
        return t

    with np.errstate(over="ignore", invalid="ignore"):
        unreachable = ~(raw > 0) & np.isfinite(e * r)
    if unreachable.any():
        idx = first_index(unreachable)
        why = (
            "an inverse long's profit is capped"
            if kind == "inverse"
            else "it would be at or below 0"
        )
        raise MicrosizeError(
            f"r_multiple {describe(float(r[idx]))} cannot be reached{position(idx, raw.shape)}: "
            f"{why}"
        )
    raw = all_finite(raw, "entry, stop, r_multiple")
    price = round_to_tick(raw, side > 0, tick_of(spec), exact_t)
    zero = on_the_grid(price, "entry, stop, r_multiple", tick_of(spec))
    if zero.any():
        idx = first_index(zero)
        raise MicrosizeError(
            f"r_multiple {describe(float(r[idx]))} cannot be reached{position(idx, raw.shape)}: "
            f"a short's target would round to 0{tick_text(tick_of(spec))}"
        )
    return to_result(price)


# ---------------------------------------------------------------------- ROI target
def roi_target(
    entry: Numeric,
    roi: Numeric,
    leverage: Numeric,
    side: SideLike,
    contract: ContractLike | None = None,
    fee_rate: Numeric | None = None,
    specs: SpecsLike = None,
) -> Result:
    """Exit price for a return on initial margin, as the Binance and Bybit calculators define it.

    ROI is PnL / initial margin, the initial margin being the notional at entry /
    leverage. Without fees (the calculators leave them out) a linear long exits at
    ``E (1 + roi / L)``, a short at ``E (1 - roi / L)``; an inverse contract at
    ``s E / (s - roi / L)`` (Binance COIN-M). With ``fee_rate`` both fees come out of the
    PnL: linear long ``E (1 + f + roi/L) / (1 - f)``, short ``E (1 - f - roi/L) / (1 + f)``;
    inverse long ``E (1 + f) / (1 - f - roi/L)``, short ``E (1 - f) / (1 + f + roi/L)``.
    ``roi`` is a fraction (50% = 0.5) and may be negative (a loss); the price is rounded to
    the tick in the direction that reaches at least ``roi``.

    Parameters
    ----------
    entry : float or array_like
        Entry price > 0.
    roi : float or array_like
        PnL / initial margin wanted, a fraction (50% = 0.5); negative for a loss.
    leverage : float or array_like
        Leverage > 0 (initial margin = notional at entry / leverage).
    side : {"long", "short", 1, -1} or array_like
        The position's side.
    contract : str or float, optional
        Its kind chooses the formula (inverse: coin PnL and coin margin) and its
        ``tick_size`` the rounding; linear and unrounded when omitted.
    fee_rate : float or array_like, optional
        Fraction of notional charged on entry and on exit; 0 (as the calculators) if omitted.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.

    Returns
    -------
    float or ndarray
        The exit price, rounded to the tick toward more profit.

    References
    ----------
    Binance, "How to Use the Binance Futures Calculator" (FAQ 360036498511): long target
    = entry x (ROI / leverage + 1), short = entry x (1 - ROI / leverage); COIN-M target =
    side x entry / (side - ROI x IMR). Bybit, "How to use Bybit calculator", Example 2:
    long 5x, entry 7,000, ROI 20% -> about 7,292 (inverse BTCUSD).

    Examples
    --------
    >>> roi_target(60000, 0.5, 10, "long")
    63000.0
    >>> roi_target(7000, 0.2, 5, "long", "bybit:BTCUSD")  # Bybit's example: about 7292
    7292.0
    """
    e = _positive(entry, "entry")
    g = as_float_array(roi, "roi")
    lev = _positive(leverage, "leverage")
    sd = side_signs(side)
    f = _fee(fee_rate, "fee_rate")
    spec = spec_or_none(contract, specs)
    kind = "linear" if spec is None else spec.kind
    e, g, lev, sd, f = broadcast(entry=e, roi=g, leverage=lev, side=sd, fee_rate=f)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        m = g / lev
    raw = np.asarray(exit_for_roi(kind == "inverse", np.asarray(sd), e, f, m))
    with np.errstate(over="ignore", invalid="ignore"):
        bad = ~(raw > 0) & np.isfinite(e * m)
    if bad.any():
        idx = first_index(bad)
        raise MicrosizeError(
            f"roi {describe(float(g[idx]))} cannot be reached at leverage "
            f"{describe(float(lev[idx]))}{position(idx, raw.shape)}: the exit price would be "
            "at or below 0 or beyond any price"
        )
    raw = all_finite(raw, "entry, roi, leverage")
    get = scalar_index(raw.shape)

    def exact_t(i: tuple[int, ...]) -> Fraction:
        E, G, L, F = (exact(get(x, i)) for x in (e, g, lev, f))
        price: Fraction = exit_for_roi(kind == "inverse", float(get(sd, i)), E, F, G / L)
        return price

    price = round_to_tick(raw, sd > 0, tick_of(spec), exact_t)
    zero = on_the_grid(price, "entry, roi, leverage", tick_of(spec))
    if zero.any():
        idx = first_index(zero)
        raise MicrosizeError(
            f"roi {describe(float(g[idx]))} cannot be reached at leverage "
            f"{describe(float(lev[idx]))}{position(idx, raw.shape)}: the exit price would "
            f"round to 0{tick_text(tick_of(spec))}"
        )
    return to_result(price)
