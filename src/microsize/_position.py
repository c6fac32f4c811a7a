"""A position's average entry, its breakeven exit and the same exposure in another
contract: the arithmetic around a position once sized (:mod:`microsize._sizing`).

Every kind formula comes from :mod:`microsize._kind`; the side of a position typed as
long or short from :func:`side_sign`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ._checks import MAX_FEE as MAX_FEE
from ._checks import fee as _fee
from ._checks import positive as _positive
from ._contracts import (
    ContractLike,
    SpecsLike,
    resolve_contracts,
)
from ._errors import MicrosizeError
from ._exact import clean_money, clean_multiple, count_steps, exact
from ._inputs import (
    FloatArray,
    Numeric,
    Result,
    SideLike,
    as_float_array,
    broadcast,
    describe,
    position,
    to_result,
)
from ._kind import INVERSE as INVERSE
from ._kind import (
    LINEAR,
    average_entry,
    breakeven_exit,
    coin_quantity,
    contracts_for_coins,
    is_inverse,
    value_at,
)
from ._loss import full_array as full_array
from ._loss import loss_shown as loss_shown
from ._loss import money_product as money_product
from ._sizing import one_contract
from ._sums import total

__all__ = ["avg_entry", "breakeven", "convert", "side_sign"]


def avg_entry(
    prices: Numeric,
    contracts: Numeric,
    contract: ContractLike | None = None,
    specs: SpecsLike = None,
) -> float:
    """Average entry price of several fills: quantity-weighted for linear and quanto,
    harmonic (weighted by contracts over price) for inverse.

    ``contracts`` may be signed but must all share one side.

    Parameters
    ----------
    prices : array_like
        Fill prices, > 0 (a row, a column or a list).
    contracts : array_like
        Contracts filled at each price, one cell per price; signed, all on one side, not
        all zero.
    contract : str or float, optional
        Its kind chooses the average (inverse: harmonic); linear when omitted.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled (or user) table when omitted.

    Examples
    --------
    >>> avg_entry([100, 200], [1, 1])
    150.0
    >>> round(avg_entry([100, 200], [1, 1], "bybit:BTCUSD"), 6)
    133.333333
    """
    p = _positive(prices, "prices")
    c = as_float_array(contracts, "contracts")
    if p.shape != c.shape and p.size != c.size:
        raise MicrosizeError(
            f"prices and contracts must have the same number of cells (got {p.size} and {c.size})"
        )
    p, c = p.ravel(), c.ravel()
    if np.any(c > 0) and np.any(c < 0):
        raise MicrosizeError("contracts must all be on one side (all positive or all negative)")
    total_c = total(c)  # sums that are the same on every CPU
    if total_c == 0:
        raise MicrosizeError("contracts must not all be zero")
    inverse = contract is not None and is_inverse(one_contract(contract, specs))
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        fills = total(value_at(inverse, c, p))
        value = average_entry(inverse, np.float64(total_c), np.float64(fills))
    if not np.isfinite(value):
        raise MicrosizeError("prices and contracts are out of range: check their magnitudes")
    return float(clean_money(np.asarray(value)))


_SIDES = {"long": 1.0, "buy": 1.0, "l": 1.0, "short": -1.0, "sell": -1.0, "s": -1.0}


def side_sign(side: Any) -> FloatArray:
    def one(v: Any, where: str) -> float:
        if isinstance(v, str) and v.strip().lower() in _SIDES:
            return _SIDES[v.strip().lower()]
        if (
            isinstance(v, int | float | np.integer | np.floating)
            and not isinstance(v, bool)
            and v in (1, -1)
        ):
            return float(v)
        raise MicrosizeError(f"side must be long, short, 1 or -1{where} (got {describe(v)})")

    if isinstance(side, list | tuple | np.ndarray):
        try:
            arr = np.empty(np.shape(side), dtype=object)
            arr[...] = side if not isinstance(side, np.ndarray) else side.tolist()
        except ValueError:  # ragged nested lists
            raise MicrosizeError("side must be a rectangular range of long/short") from None
        if arr.size == 0:
            raise MicrosizeError("side is an empty range: type long or short (or 1 / -1)")
        out = np.empty(arr.shape)
        for idx, v in np.ndenumerate(arr):
            out[idx] = one(v, position(tuple(int(i) for i in idx), arr.shape))
        return out
    return np.asarray(one(side, ""))


def breakeven(
    entry: Numeric,
    side: SideLike,
    fee_rate_open: Numeric | None = None,
    fee_rate_close: Numeric | None = None,
    contract: ContractLike | None = None,
    specs: SpecsLike = None,
) -> Result:
    """Exit price at which the PnL after both fees is zero.

    ``fee_rate_close`` defaults to ``fee_rate_open``; both default to 0. Linear and quanto:
    long ``E (1 + fo) / (1 - fc)``, short ``E (1 - fo) / (1 + fc)``. Inverse: long
    ``E (1 + fc) / (1 - fo)``, short ``E (1 - fc) / (1 + fo)``.

    Parameters
    ----------
    entry : float or array_like
        Entry price, > 0.
    side : {"long", "short", 1, -1} or array_like
        The position's side (buy / sell read the same).
    fee_rate_open : float or array_like, optional
        Entry fee as a fraction of notional (-0.01 to 0.01: a maker rebate is negative); 0
        when omitted.
    fee_rate_close : float or array_like, optional
        Exit fee; ``fee_rate_open`` when omitted.
    contract : str or float, optional
        Its kind chooses the formula (inverse: coin PnL); linear when omitted.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled (or user) table when omitted.

    Examples
    --------
    >>> breakeven(3000, "long", 0.0005)
    3003.001500750375
    """
    e = _positive(entry, "entry")
    sd = side_sign(side)
    fo = _fee(fee_rate_open, "fee_rate_open", allow_rebate=True)
    fc = fo if fee_rate_close is None else _fee(fee_rate_close, "fee_rate_close", allow_rebate=True)
    kind = np.asarray(LINEAR) if contract is None else resolve_contracts(contract, specs).kind
    e, sd, fo, fc, kind = broadcast(
        entry=e, side=sd, fee_rate_open=fo, fee_rate_close=fc, contract=kind
    )
    return to_result(breakeven_exit(kind, sd, e, fo, fc))


_ALIASES = {"XBT": "BTC"}


def convert(
    contracts: Numeric,
    from_contract: ContractLike,
    to_contract: ContractLike,
    price: Numeric | None = None,
    specs: SpecsLike = None,
) -> Result:
    """The same underlying exposure in another contract, to the nearest lot step.

    Exposure is measured in the underlying coin: linear ``c k``; inverse ``c k / price``
    (so ``price`` is needed when a linear contract meets an inverse one). Quanto contracts
    have no coin exposure without a second price and are refused.

    Parameters
    ----------
    contracts : float or array_like
        Contracts of ``from_contract`` (signed).
    from_contract : str or float
        The contract the position is in.
    to_contract : str or float
        The contract to express it in, on the same underlying.
    price : float or array_like, optional
        Price, needed when a linear contract meets an inverse one (checked when given).
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled (or user) table when omitted.

    Examples
    --------
    >>> convert(1, "cme:MBT", "binance:BTCUSDT")
    0.1
    >>> convert(2, "binance:BTCUSD_PERP", "bybit:BTCUSD")
    200.0
    """
    c = as_float_array(contracts, "contracts")
    src = one_contract(from_contract, specs, "from_contract")
    dst = one_contract(to_contract, specs, "to_contract")
    for name, spec in (("from_contract", src), ("to_contract", dst)):
        if spec.kind == "quanto":
            raise MicrosizeError(
                f"{name} {spec.key} is quanto: its exposure depends on a second price, "
                "so it cannot be converted"
            )
    b1, b2 = (_ALIASES.get(x.base or "", x.base) for x in (src, dst))
    if b1 and b2 and b1 != b2:
        raise MicrosizeError(
            f"from_contract {src.key} is on {src.base} but to_contract {dst.key} is on {dst.base}"
        )
    needs_price = (src.kind == "inverse") != (dst.kind == "inverse")
    # a price given but not needed is still checked: an error value there is a mistake
    given = None if price is None else _positive(price, "price")
    if needs_price:
        if given is None:
            raise MicrosizeError(
                f"price is needed to convert between {src.kind} {src.key} and {dst.kind} {dst.key}"
            )
        p = given
    else:  # not needed, but a column of prices still gives a column (its shape counts)
        p = np.ones(np.shape(given)) if given is not None else np.asarray(1.0)
    c, p = broadcast(contracts=c, price=p)
    k1, k2, step = src.contract_size, dst.contract_size, dst.lot_step

    def converted(c: Any, p: Any, k1: Any, k2: Any) -> Any:
        """Contracts of dst holding the coins c contracts of src hold (same kind: no price)."""
        if src.kind == dst.kind:
            return c * k1 / k2
        return contracts_for_coins(
            is_inverse(dst), coin_quantity(is_inverse(src), c * k1, p), p, k2
        )

    target = converted(c, p, k1, k2)

    def exact_q(i: tuple[int, ...]) -> Fraction:
        C, P = exact(float(c[i])), exact(float(p[i]))
        t: Fraction = converted(C, P, exact(k1), exact(k2))
        return t / exact(step)

    n = count_steps(target / step, "nearest", exact_q)
    return to_result(clean_multiple(n, np.asarray(step)))
