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

The average true range itself is in :mod:`microsize._volatility`.

References
----------
Binance, "How to Use the Binance Futures Calculator" (target price for an ROI on initial
margin, USDⓈ-M and COIN-M). Bybit, "How to use Bybit calculator" (target price for an
ROI, inverse example). Deribit Insights, "Deribit Inverse Contracts - Calculating Profit
in BTC and USD" (inverse PnL: amount x (1/entry - 1/exit) in coin).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from ._checks import distinct as _distinct
from ._checks import fee as _fee
from ._checks import first_index
from ._checks import nonneg as _nonneg
from ._checks import positive as _positive
from ._contracts import ContractLike, ContractSpec, SpecsLike
from ._errors import MicrosizeError
from ._exact import clean_money, clean_multiple, count_steps, exact
from ._inputs import (
    FloatArray,
    Numeric,
    Result,
    as_float_array,
    broadcast,
    describe,
    position,
    to_result,
)
from ._kind import side_from_stop, unit_loss, unit_loss_exact, unit_pnl_exact
from ._loss import unit_loss_of
from ._sizing import (
    INVERSE,
    contracts,
    one_contract,
    side_sign,
)

__all__ = [
    "atr_stop",
    "contracts_usd",
    "reward_risk",
    "risk_to_settle",
    "roi_target",
    "stop_fill",
    "target_price",
]

_USD = {"USD", "USDT", "USDC", "BUSD", "FDUSD", "USDE"}
_TICKS = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:ticks?|t)\s*$", re.IGNORECASE)


# ------------------------------------------------------------------------ helpers
def _one_spec(contract: Any, specs: Any) -> ContractSpec:
    """One contract, or a message naming the argument (a ragged range included)."""
    try:
        return one_contract(contract, specs)
    except MicrosizeError:
        raise
    except ValueError:  # numpy refuses a ragged range before the lookup sees it
        raise MicrosizeError(
            "contract must be a single contract key or size, not a ragged range"
        ) from None


def _contract_or_none(contract: Any, specs: Any) -> ContractSpec | None:
    if contract is None or (isinstance(contract, str) and contract.strip() == ""):
        return None
    return _one_spec(contract, specs)


def _sides(side: Any) -> FloatArray:
    """+1 long, -1 short per cell; an empty or ragged range is refused."""
    try:
        sd = side_sign(side)
    except MicrosizeError:
        raise
    except ValueError:
        raise MicrosizeError("side must be long, short, 1 or -1, not a ragged range") from None
    if sd.size == 0:
        raise MicrosizeError("side is an empty range: type long or short")
    return sd


def _tick(spec: ContractSpec | None) -> float | None:
    return None if spec is None else spec.tick_size


def _finite(result: FloatArray, names: str) -> FloatArray:
    """Refuse an overflow (huge inputs) with a message naming the arguments."""
    if not np.all(np.isfinite(result)):
        raise MicrosizeError(f"{names}: the result is too large to compute (check the inputs)")
    return result


def _round_to_tick(
    price: FloatArray,
    up: npt.NDArray[np.bool_],
    tick: float | None,
    exact_price: Callable[[tuple[int, ...]], Fraction],
) -> FloatArray:
    """Prices on the tick grid: up (ceil) where ``up`` is true, else down (floor).

    Boundaries are decided exactly: ``exact_price(index)`` gives the unrounded price as a
    fraction of the decimals the user typed. Without a tick the price is the decimal of
    15 significant digits next to the exact price in the same direction: a float alone
    can land a hair short of the promise (an R of 2 - 1e-14), this never does, and a price
    that is a short decimal (110, 3581.95) stays that decimal.
    """
    if tick is None:
        out = np.empty(np.shape(price))
        flags = np.broadcast_to(up, out.shape)
        for idx in np.ndindex(out.shape):
            out[idx] = _decimal_toward(exact_price(idx), bool(flags[idx]))
        return out
    t = exact(tick)
    with np.errstate(over="ignore", invalid="ignore"):
        q = price / tick
        down = count_steps(q, "floor", lambda i: exact_price(i) / t)
        ceil = -count_steps(-q, "floor", lambda i: -exact_price(i) / t)
    steps = np.where(up, ceil, down)
    return clean_multiple(steps, np.asarray(tick))


_UP = Context(prec=15, rounding=ROUND_CEILING, Emax=999_999, Emin=-999_999)
_DOWN = Context(prec=15, rounding=ROUND_FLOOR, Emax=999_999, Emin=-999_999)


def _decimal_toward(q: Fraction, up: bool) -> float:
    """The 15-significant-digit decimal next to ``q``: at or above it when ``up``, else at
    or below; as a float whose shortest repr is that decimal (15 digits round-trip).

    >>> _decimal_toward(Fraction(1, 3), True), _decimal_toward(Fraction(1, 3), False)
    (0.333333333333334, 0.333333333333333)
    """
    ctx = _UP if up else _DOWN
    return float(ctx.divide(Decimal(q.numerator), Decimal(q.denominator)))


def _on_the_grid(price: FloatArray, names: str, tick: float | None) -> npt.NDArray[np.bool_]:
    """Cells whose rounded price is 0 or less (the tick is as large as the price); a price
    beyond floats is refused here naming ``names``."""
    _finite(price, names)
    return np.asarray(price <= 0)


def _tick_text(tick: float | None) -> str:
    return "" if tick is None else f" on the tick {format(tick, 'g')}"


def _scalar_index(shape: tuple[int, ...]) -> Callable[[Any, tuple[int, ...]], float]:
    """``get(arr, i)``: element ``i`` of ``arr`` broadcast to ``shape`` (each array is
    broadcast once, not once per element: a column recounted cell by cell)."""
    seen: dict[int, tuple[Any, Any]] = {}  # id -> (the array, kept alive; its view)

    def get(arr: Any, i: tuple[int, ...]) -> float:
        got = seen.get(id(arr))
        if got is None:
            got = seen[id(arr)] = (arr, np.broadcast_to(arr, shape))
        return float(got[1][i])

    return get


# ------------------------------------------------------------------------ ATR stop
def atr_stop(
    entry: Numeric,
    atr: Numeric,
    multiple: Numeric,
    side: Any,
    contract: ContractLike | None = None,
    specs: SpecsLike = None,
) -> Any:
    """Stop ``multiple`` x ATR from entry, on the tick, never nearer than asked.

    ``stop = entry - s x multiple x atr`` (s = +1 long, -1 short), rounded to the contract's
    tick away from entry (down for a long, up for a short). Without a contract, or for a
    contract with no tick size, the stop is not rounded.

    Parameters
    ----------
    entry, atr, multiple : float or array_like
        Entry price, average true range (price units, e.g. from :func:`latest_atr`) and the
        number of ATRs, all > 0; ranges broadcast.
    side : {"long", "short", 1, -1} or array_like
        The trade's side: the stop goes below entry for a long, above for a short.
    contract : str or float, optional
        A contract key whose ``tick_size`` rounds the stop.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.

    Returns
    -------
    float or ndarray
        The stop price, at least ``multiple x atr`` from entry and less than one tick more.

    Raises
    ------
    MicrosizeError
        For bad input, or a long whose stop would be at or below 0.

    Examples
    --------
    >>> atr_stop(60000, 1234.5, 2, "long", "cme:MBT")
    57530.0
    >>> atr_stop(3520, 41.3, 1.5, "short")
    3581.95
    """
    e = _positive(entry, "entry")
    a = _positive(atr, "atr")
    k = _positive(multiple, "multiple")
    sd = _sides(side)
    spec = _contract_or_none(contract, specs)
    e, a, k, sd = broadcast(entry=e, atr=a, multiple=k, side=sd)
    with np.errstate(over="ignore", invalid="ignore"):
        raw = _finite(e - sd * k * a, "entry, atr, multiple")
    get = _scalar_index(raw.shape)

    def exact_stop(i: tuple[int, ...]) -> Fraction:
        return exact(get(e, i)) - int(get(sd, i)) * exact(get(k, i)) * exact(get(a, i))

    stop = _round_to_tick(raw, sd < 0, _tick(spec), exact_stop)
    bad = stop <= 0
    if bad.any():
        idx = first_index(bad)
        raise MicrosizeError(
            f"multiple x atr ({describe(float(k[idx] * a[idx]))}) puts a long's stop at or "
            f"below 0 from entry {describe(float(e[idx]))}{position(idx, stop.shape)}"
        )
    return to_result(stop)


# ---------------------------------------------------------------------- stop fill
def _slippage(value: Any) -> tuple[FloatArray, bool]:
    """(amount, in_ticks): a fraction of the stop price, or ticks written as '2 ticks'."""
    if isinstance(value, str):
        m = _TICKS.match(value)
        if m is None:
            raise MicrosizeError(
                "slippage must be a fraction of the price (0.1% = 0.001) or ticks "
                f"written like '2 ticks' (got {describe(value[:40])})"
            )
        return np.asarray(float(m.group(1))), True
    arr = as_float_array(value, "slippage")
    bad = (arr < 0) | (arr >= 1)
    if bad.any():
        idx = first_index(bad)
        raise MicrosizeError(
            "slippage must be a fraction of the price from 0 to below 1, e.g. 0.001 for 0.1% "
            f"(got {describe(float(arr[idx]))}{position(idx, arr.shape)})"
        )
    return arr, False


def stop_fill(
    stop: Numeric,
    slippage: Any,
    entry: Numeric,
    contract: ContractLike | None = None,
    specs: SpecsLike = None,
) -> Any:
    """The price a stop-market order fills at after slippage: the price to size against.

    ``slippage`` is a fraction of the stop price (0.1% = 0.001), or a number of ticks
    written as text (``"2 ticks"``, which needs a contract with a tick size). The fill is
    worse than the trigger: below it for a long (stop below entry), above it for a short,
    and rounded to the tick away from entry. ``MF_CONTRACTS(risk, entry, fill, contract)``
    then keeps the loss within budget when the stop slips that much.

    Parameters
    ----------
    stop, entry : float or array_like
        Stop trigger and entry price, > 0 and different; the side comes from the stop.
    slippage : float, array_like or str
        A fraction of the stop price, 0 <= x < 1 (0.1% = 0.001), or text ``"N ticks"``.
    contract : str or float, optional
        A contract key whose ``tick_size`` rounds the fill (and measures ticks).
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.

    Returns
    -------
    float or ndarray
        ``S (1 - s x)`` or ``S - s n tick`` (s = +1 long), on the tick away from entry.

    Examples
    --------
    >>> stop_fill(3450, 0.001, 3520)
    3446.55
    >>> stop_fill(57000, "2 ticks", 60000, "cme:MBT")
    56990.0
    >>> stop_fill(3450, 0.001, 3400, "binance:ETHUSDT")  # a short: fills above
    3453.45
    """
    s = _positive(stop, "stop")
    amount, ticks = _slippage(slippage)
    e = _positive(entry, "entry")
    spec = _contract_or_none(contract, specs)
    tick = _tick(spec)
    if ticks and tick is None:
        what = "a contract" if spec is None else f"{spec.key or 'this contract'}: no tick_size"
        raise MicrosizeError(f"slippage in ticks needs a contract with a tick size ({what})")
    s, amount, e = broadcast(stop=s, slippage=amount, entry=e)
    _distinct(e, s)
    side = side_from_stop(e, s)
    with np.errstate(over="ignore", invalid="ignore"):
        move = amount * tick if ticks and tick is not None else amount * s
        raw = _finite(s - side * move, "stop, slippage")
    get = _scalar_index(raw.shape)

    def exact_fill(i: tuple[int, ...]) -> Fraction:
        S, A = exact(get(s, i)), exact(get(amount, i))
        mv = A * exact(tick) if ticks and tick is not None else A * S
        return S - int(get(side, i)) * mv

    fill = _round_to_tick(raw, side < 0, tick, exact_fill)
    if np.any(fill <= 0):
        raise MicrosizeError("slippage: the fill would be at or below 0; use less slippage")
    return to_result(fill)


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
    spec = _contract_or_none(contract, specs)
    e, s, t, f = broadcast(entry=e, stop=s, target=t, fee_rate=f)
    _distinct(e, s)
    long = side_from_stop(e, s) > 0
    wrong = np.where(long, t <= e, t >= e)
    if wrong.any():
        idx = first_index(wrong)
        rule = "above entry for a long" if long[idx] else "below entry for a short"
        raise MicrosizeError(
            f"target must be {rule} (stop {describe(float(s[idx]))}, entry "
            f"{describe(float(e[idx]))}, got target {describe(float(t[idx]))}{position(idx, t.shape)})"
        )
    kind = "linear" if spec is None else spec.kind
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        risk = _unit_risk(kind, e, s, f)
        reward = _unit_reward(kind, e, s, t, f)
        rr = _finite(np.asarray(reward / risk), "entry, stop, target")
        return to_result(clean_money(rr))


def _target_exact(
    kind: str, side: int, E: Fraction, S: Fraction, R: Fraction, F: Fraction
) -> Fraction | None:
    risk = _unit_risk(kind, E, S, F)
    if kind == "inverse":
        inv = ((1 - F) / E - R * risk) / (1 + F) if side > 0 else ((1 + F) / E + R * risk) / (1 - F)
        return None if inv <= 0 else 1 / inv
    t = (E * (1 + F) + R * risk) / (1 - F) if side > 0 else (E * (1 - F) - R * risk) / (1 + F)
    return None if t <= 0 else t


def target_price(
    entry: Numeric,
    stop: Numeric,
    r_multiple: Numeric,
    contract: ContractLike | None = None,
    fee_rate: Numeric | None = None,
    specs: SpecsLike = None,
) -> Any:
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
    r = as_float_array(r_multiple, "r_multiple")
    if np.any(r < 0):
        idx = first_index(r < 0)
        raise MicrosizeError(
            f"r_multiple must be zero or more (got {describe(float(r[idx]))}{position(idx, r.shape)})"
        )
    f = _fee(fee_rate, "fee_rate")
    spec = _contract_or_none(contract, specs)
    kind = "linear" if spec is None else spec.kind
    e, s, r, f = broadcast(entry=e, stop=s, r_multiple=r, fee_rate=f)
    _distinct(e, s)
    side = side_from_stop(e, s)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        risk = _unit_risk(kind, e, s, f)
        if kind == "inverse":
            inv = np.where(
                side > 0, ((1 - f) / e - r * risk) / (1 + f), ((1 + f) / e + r * risk) / (1 - f)
            )
            raw = np.where(inv > 0, 1 / inv, np.nan)
        else:
            raw = np.where(
                side > 0, (e * (1 + f) + r * risk) / (1 - f), (e * (1 - f) - r * risk) / (1 + f)
            )
    get = _scalar_index(raw.shape)

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
    raw = _finite(raw, "entry, stop, r_multiple")
    price = _round_to_tick(raw, side > 0, _tick(spec), exact_t)
    zero = _on_the_grid(price, "entry, stop, r_multiple", _tick(spec))
    if zero.any():
        idx = first_index(zero)
        raise MicrosizeError(
            f"r_multiple {describe(float(r[idx]))} cannot be reached{position(idx, raw.shape)}: "
            f"a short's target would round to 0{_tick_text(_tick(spec))}"
        )
    return to_result(price)


# ---------------------------------------------------------------------- ROI target
def roi_target(
    entry: Numeric,
    roi: Numeric,
    leverage: Numeric,
    side: Any,
    contract: ContractLike | None = None,
    fee_rate: Numeric | None = None,
    specs: SpecsLike = None,
) -> Any:
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
    sd = _sides(side)
    f = _fee(fee_rate, "fee_rate")
    spec = _contract_or_none(contract, specs)
    kind = "linear" if spec is None else spec.kind
    e, g, lev, sd, f = broadcast(entry=e, roi=g, leverage=lev, side=sd, fee_rate=f)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        m = g / lev
        if kind == "inverse":
            den = np.where(sd > 0, 1 - f - m, 1 + f + m)
            raw = np.where(den > 0, e * np.where(sd > 0, 1 + f, 1 - f) / den, np.nan)
        else:
            raw = np.where(sd > 0, e * (1 + f + m) / (1 - f), e * (1 - f - m) / (1 + f))
    with np.errstate(over="ignore", invalid="ignore"):
        bad = ~(raw > 0) & np.isfinite(e * m)
    if bad.any():
        idx = first_index(bad)
        raise MicrosizeError(
            f"roi {describe(float(g[idx]))} cannot be reached at leverage "
            f"{describe(float(lev[idx]))}{position(idx, raw.shape)}: the exit price would be "
            "at or below 0 or beyond any price"
        )
    raw = _finite(raw, "entry, roi, leverage")
    get = _scalar_index(raw.shape)

    def exact_t(i: tuple[int, ...]) -> Fraction:
        E, G, L, F = (exact(get(x, i)) for x in (e, g, lev, f))
        M = G / L
        if kind == "inverse":
            if get(sd, i) > 0:
                return E * (1 + F) / (1 - F - M)
            return E * (1 - F) / (1 + F + M)
        if get(sd, i) > 0:
            return E * (1 + F + M) / (1 - F)
        return E * (1 - F - M) / (1 + F)

    price = _round_to_tick(raw, sd > 0, _tick(spec), exact_t)
    zero = _on_the_grid(price, "entry, roi, leverage", _tick(spec))
    if zero.any():
        idx = first_index(zero)
        raise MicrosizeError(
            f"roi {describe(float(g[idx]))} cannot be reached at leverage "
            f"{describe(float(lev[idx]))}{position(idx, raw.shape)}: the exit price would "
            f"round to 0{_tick_text(_tick(spec))}"
        )
    return to_result(price)


# --------------------------------------------------------------- USD budget, inverse
def _floor_decimal(q: Fraction, digits: int = 15) -> float:
    """The largest decimal of ``digits`` significant digits not above ``q`` (q >= 0), as a
    float whose shortest repr is that decimal (15 digits always round-trip)."""
    if q <= 0:
        return 0.0
    e = math.floor(math.log10(q.numerator) - math.log10(q.denominator))
    scale = Fraction(10) ** (digits - 1 - e)
    n = math.floor(q * scale)
    while n >= 10**digits:  # log10 estimate one too low
        scale /= 10
        n = math.floor(q * scale)
    value = float(Fraction(n) / scale)
    while exact(value) > q:  # pragma: no cover - 15 digits round-trip; belt and braces
        value = math.nextafter(value, 0.0)
    return value


def risk_to_settle(
    usd_amount: Numeric, stop: Numeric, contract: ContractLike, specs: SpecsLike = None
) -> Result:
    """A USD risk budget in the contract's settlement currency, valued at the stop.

    For an inverse (coin-margined) contract the budget in coin is ``usd_amount / stop``,
    rounded down (15 significant digits): the loss is realised at the stop, so a coin loss
    within this budget is worth at most ``usd_amount`` dollars there. Use the stop's fill
    price (:func:`stop_fill`) when the stop may slip. For a linear contract settled in USD
    or a USD stablecoin (USDT, USDC: taken at par) the budget is returned unchanged.
    Quanto contracts settle in a coin whose price is not ``stop``: they are refused.

    Feed the result to :func:`~microsize.contracts` as ``risk_amount``: the dollar value of
    the loss at the stop then never exceeds ``usd_amount``.

    Parameters
    ----------
    usd_amount : float or array_like
        Budget in USD, >= 0.
    stop : float or array_like
        The price the loss is realised at (the stop, or its fill), > 0.
    contract : str or float
        A single contract: inverse, or linear settled in USD or a USD stablecoin.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.

    Returns
    -------
    float or ndarray
        The budget in the settlement currency, never worth more than ``usd_amount`` at
        ``stop``.

    References
    ----------
    Deribit and Bybit inverse PnL: amount x (1/entry - 1/exit) coins for an amount in USD;
    its dollar value where it is realised is that coin amount x the exit price (Deribit
    Insights, "Deribit Inverse Contracts - Calculating Profit in BTC and USD", 2020).

    Examples
    --------
    >>> risk_to_settle(100, 57000, "deribit:BTC-PERPETUAL")
    0.00175438596491228
    >>> risk_to_settle(100, 57000, "binance:BTCUSDT")
    100.0
    """
    usd = as_float_array(usd_amount, "usd_amount")
    if np.any(usd < 0):
        idx = first_index(usd < 0)
        raise MicrosizeError(
            f"usd_amount must be zero or more (got {describe(float(usd[idx]))}{position(idx, usd.shape)})"
        )
    s = _positive(stop, "stop")
    spec = _one_spec(contract, specs)
    usd, s = broadcast(usd_amount=usd, stop=s)
    if spec.kind == "linear":
        settle = (spec.settle or spec.quote or "USD").upper()
        if settle not in _USD:
            raise MicrosizeError(
                f"contract {spec.key} settles in {settle}, not in USD: convert the budget yourself"
            )
        return to_result(np.array(usd, dtype=np.float64))
    if spec.kind != "inverse":
        raise MicrosizeError(
            f"contract {spec.key} is quanto: it settles in {spec.settle or 'a coin'} whose price "
            "is not the stop price; divide the USD budget by that coin's price"
        )
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _finite(usd / s * 1.0000001, "usd_amount, stop")
    out = np.empty(usd.shape)
    for idx in np.ndindex(usd.shape):
        out[idx] = _floor_decimal(exact(float(usd[idx])) / exact(float(s[idx])))
    return to_result(out)


def contracts_usd(
    usd_amount: Numeric,
    entry: Numeric,
    stop: Numeric,
    contract: ContractLike,
    fee_rate: Numeric | None = None,
    specs: SpecsLike = None,
) -> Any:
    """Contracts whose loss at the stop, valued in USD at the stop, is within a USD budget.

    For an inverse contract the count is ``floor(usd / (stop x coin loss of one lot step))``
    lot steps, counted exactly from the typed decimals, so a budget that buys a whole number
    of lots to the last digit buys all of them (the two-step route
    ``contracts(risk_to_settle(usd, stop, c), ...)`` rounds the coin budget down first and
    can then be one lot step short at such an exact boundary, never over). For a linear
    contract settled in USD or a USD stablecoin it is :func:`~microsize.contracts`.
    Below the minimum order quantity the count is 0.

    Parameters
    ----------
    usd_amount : float or array_like
        Budget in USD, >= 0.
    entry, stop : float or array_like
        Prices > 0, different; stop below entry sizes a long. Pass the stop's fill
        (:func:`stop_fill`) when it may slip.
    contract : str or float
        A single contract: inverse, or linear settled in USD or a USD stablecoin.
    fee_rate : float or array_like, optional
        Fraction of notional charged on entry and on exit (0 to 0.01), in coin for inverse.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.

    Returns
    -------
    float or ndarray
        Contracts in the venue's order unit, a multiple of the lot step; 0 below the
        minimum order quantity.

    Notes
    -----
    USD loss of one unit at the stop: ``k (|1/S - 1/E| + f (1/E + 1/S)) x S``.

    Examples
    --------
    >>> contracts_usd(100, 60000, 57000, "deribit:BTC-PERPETUAL")  # $100 exactly at the stop
    2000.0
    >>> contracts(risk_to_settle(100, 57000, "deribit:BTC-PERPETUAL"), 60000, 57000,
    ...           "deribit:BTC-PERPETUAL")
    1990.0
    """
    usd = _nonneg(usd_amount, "usd_amount")
    spec = _one_spec(contract, specs)
    if spec.kind != "inverse":
        risk_to_settle(usd, stop, contract, specs)  # refuses non-USD settlement and quanto
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            n_lin = contracts(usd_amount, entry, stop, contract, fee_rate, specs)
        _finite(np.asarray(n_lin), "usd_amount, entry, stop")
        return n_lin
    e = _positive(entry, "entry")
    s = _positive(stop, "stop")
    f = _fee(fee_rate, "fee_rate")
    usd, e, s, f = broadcast(usd_amount=usd, entry=e, stop=s, fee_rate=f)
    _distinct(e, s)
    size, step = spec.contract_size, spec.lot_step
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        q = usd / (s * unit_loss(INVERSE, size, e, s, f) * step)
    get = _scalar_index(q.shape)

    def exact_q(i: tuple[int, ...]) -> Fraction:
        unit = unit_loss_of(INVERSE, size, get(e, i), get(s, i), get(f, i))
        return exact(get(usd, i)) / (exact(get(s, i)) * unit * exact(step))

    q = _finite(q, "usd_amount, entry, stop")
    with np.errstate(over="ignore", invalid="ignore"):
        raw = count_steps(q, "floor", exact_q)
    min_steps = math.ceil(spec.min_qty / step - 1e-9)
    n = np.where(raw < min_steps, 0.0, raw)
    return to_result(clean_multiple(n, np.asarray(step)))
