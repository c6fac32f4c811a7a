"""ATR stops and stop fills: where a stop goes, and where a stop-market order fills after
slippage (formulas and rounding in :mod:`microsize._targets`' table).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import numpy as np

from ._checks import check, first_index
from ._checks import distinct as _distinct
from ._checks import positive as _positive
from ._contracts import ContractLike, SpecsLike
from ._errors import MicrosizeError
from ._exact import exact
from ._inputs import (
    FloatArray,
    Numeric,
    Result,
    SideLike,
    Slippage,
    as_float_array,
    broadcast,
    describe,
    position,
    to_result,
)
from ._kind import side_from_stop
from ._price_grid import (
    all_finite,
    round_to_tick,
    scalar_index,
    side_signs,
    spec_or_none,
    tick_of,
)

__all__ = ["atr_stop", "stop_fill"]

_TICKS = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:ticks?|t)\s*$", re.IGNORECASE)


# ------------------------------------------------------------------------ ATR stop
def atr_stop(
    entry: Numeric,
    atr: Numeric,
    multiple: Numeric,
    side: SideLike,
    contract: ContractLike | None = None,
    specs: SpecsLike = None,
) -> Result:
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
    sd = side_signs(side)
    spec = spec_or_none(contract, specs)
    e, a, k, sd = broadcast(entry=e, atr=a, multiple=k, side=sd)
    with np.errstate(over="ignore", invalid="ignore"):
        raw = all_finite(e - sd * k * a, "entry, atr, multiple")
    get = scalar_index(raw.shape)

    def exact_stop(i: tuple[int, ...]) -> Fraction:
        return exact(get(e, i)) - int(get(sd, i)) * exact(get(k, i)) * exact(get(a, i))

    stop = round_to_tick(raw, sd < 0, tick_of(spec), exact_stop)
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
    rule = "a fraction of the price from 0 to below 1, e.g. 0.001 for 0.1%"
    check("slippage", rule, arr, (arr < 0) | (arr >= 1))
    return arr, False


def stop_fill(
    stop: Numeric,
    slippage: Slippage,
    entry: Numeric,
    contract: ContractLike | None = None,
    specs: SpecsLike = None,
) -> Result:
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
    spec = spec_or_none(contract, specs)
    tick = tick_of(spec)
    if ticks and tick is None:
        what = "a contract" if spec is None else f"{spec.key or 'this contract'}: no tick_size"
        raise MicrosizeError(f"slippage in ticks needs a contract with a tick size ({what})")
    s, amount, e = broadcast(stop=s, slippage=amount, entry=e)
    _distinct(e, s)
    side = side_from_stop(e, s)
    with np.errstate(over="ignore", invalid="ignore"):
        move = amount * tick if ticks and tick is not None else amount * s
        raw = all_finite(s - side * move, "stop, slippage")
    get = scalar_index(raw.shape)

    def exact_fill(i: tuple[int, ...]) -> Fraction:
        S, A = exact(get(s, i)), exact(get(amount, i))
        mv = A * exact(tick) if ticks and tick is not None else A * S
        return S - int(get(side, i)) * mv

    fill = round_to_tick(raw, side < 0, tick, exact_fill)
    if np.any(fill <= 0):
        raise MicrosizeError("slippage: the fill would be at or below 0; use less slippage")
    return to_result(fill)
