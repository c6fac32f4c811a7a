"""Exact position sizing, PnL, notional, average entry, breakeven and conversion.

Pure and vectorised: every numeric argument may be a scalar or an array; arrays broadcast
like numpy and the result has the broadcast shape (a Python float for scalar inputs).

Per order unit of a contract of size ``k`` (see :class:`~microsize.ContractSpec`):

=========  ===============================  =================================
kind       PnL of ``c`` units, entry E, X    notional at price P
=========  ===============================  =================================
linear     c k (X - E)        (quote)        |c| k P
inverse    c k (1/E - 1/X)    (coin)         |c| k / P
quanto     c k (X - E)        (settle coin)  |c| k P
=========  ===============================  =================================

Fees are ``fee_rate`` x notional on each side (entry at E, exit at X).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ._checks import MAX_FEE as MAX_FEE
from ._checks import distinct as _distinct
from ._checks import fee as _fee
from ._checks import first_index
from ._checks import nonneg as _nonneg
from ._checks import positive as _positive
from ._checks import zero_or_more_count as _zero_or_more_count
from ._contracts import (
    KIND_CODE,
    ContractArrays,
    ContractLike,
    ContractSpec,
    SpecsLike,
    resolve_contracts,
)
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
from ._kind import INVERSE as INVERSE
from ._kind import LINEAR, fee_per_size, inverse_mask, side_from_stop, unit_loss, value_at
from ._loss import floor_money_array, unit_loss_of
from ._loss import full_array as full_array
from ._loss import loss_shown as loss_shown
from ._loss import money_product as money_product
from ._one_cell import contracts_of_one

__all__ = [
    "Sizing",
    "avg_entry",
    "breakeven",
    "contracts",
    "convert",
    "notional",
    "pnl",
    "risk",
    "risk_amount",
    "sizing",
]

# kept importable from here for code written against them; the kind's home is _kind
_unit_loss, _unit_loss_exact = unit_loss, unit_loss_of


def _contract(contract: Any, specs: Any, name: str = "contract") -> ContractArrays:
    return resolve_contracts(contract, specs, name)


# ----------------------------------------------------------------------- formulas
def _pnl_raw(
    kind: FloatArray, size: FloatArray, c: FloatArray, e: FloatArray, x: FloatArray
) -> FloatArray:
    lin = c * size * (x - e)
    inv = c * size * (1.0 / e - 1.0 / x)
    return np.where(kind == INVERSE, inv, lin)


def _notional_raw(kind: FloatArray, size: FloatArray, c: FloatArray, p: FloatArray) -> FloatArray:
    return np.asarray(value_at(inverse_mask(kind), np.abs(c) * size, p), dtype=np.float64)


# ----------------------------------------------------------------------- public API
def risk_amount(equity: Numeric, risk: Numeric) -> Result:
    """Money at risk: ``equity x risk``.

    Parameters
    ----------
    equity : float or array_like
        Account size in the settlement currency, > 0.
    risk : float or array_like
        Fraction of the account to risk, 0 to 1 (1.5% is 0.015).

    Returns
    -------
    float or ndarray
        ``equity * risk``, in the settlement currency.

    Examples
    --------
    >>> risk_amount(2000, 0.015)
    30.0
    """
    eq = _positive(equity, "equity")
    r = _nonneg(risk, "risk")
    if np.any(r > 1):
        idx = first_index(r > 1)
        raise MicrosizeError(
            f"risk is a fraction of the account: 1.5% is 0.015 "
            f"(got {describe(float(r[idx]))}{position(idx, r.shape)})"
        )
    eq, r = broadcast(equity=eq, risk=r)
    return to_result(money_product(eq, r))


@dataclass(frozen=True)
class Sizing:
    """Everything one sizing computes, as broadcast arrays.

    ``contracts`` is in the venue's order unit; ``below_min`` marks elements where the
    budget bought at least one lot step but less than the minimum order quantity (they are
    0); ``loss`` is the loss at the stop of ``contracts`` including fees; ``side`` is +1
    for long (stop below entry) and -1 for short.
    """

    contracts: FloatArray
    below_min: np.ndarray
    loss: FloatArray
    fees: FloatArray
    side: FloatArray
    unit_loss: FloatArray
    contract: ContractArrays


def _params(ca: ContractArrays) -> tuple[Any, Any, Any, Any]:
    """(kind, size, step, min_qty): plain numbers for one contract, else arrays."""
    one = ca.single
    if one is not None:
        return KIND_CODE[one.kind], one.contract_size, one.lot_step, one.min_qty
    return ca.kind, ca.size, ca.step, ca.min_qty


@dataclass(frozen=True)
class _Lots:
    contracts: FloatArray  # in the venue's order unit, a multiple of the lot step
    raw_steps: FloatArray  # lot steps the budget buys, before the minimum order rule
    min_steps: Any
    unit: FloatArray
    kind: Any
    size: Any
    step: Any
    entry: FloatArray
    stop: FloatArray
    fee: FloatArray
    contract: ContractArrays


def _lots(
    risk_amount: Any, entry: Any, stop: Any, contract: Any, fee_rate: Any, specs: Any
) -> _Lots:
    """The lot count alone: validation, unit loss, exact floor, minimum, clean decimals."""
    budget = _nonneg(risk_amount, "risk_amount")
    e = _positive(entry, "entry")
    s = _positive(stop, "stop")
    f = _fee(fee_rate, "fee_rate")
    ca = _contract(contract, specs)
    budget, e, s, f, _ = broadcast(
        risk_amount=budget, entry=e, stop=s, fee_rate=f, contract=ca.kind
    )
    _distinct(e, s)
    kind, size, step, min_qty = _params(ca)
    unit = unit_loss(kind, size, e, s, f)
    q = budget / (unit * step)

    def exact_q(i: tuple[int, ...]) -> Fraction:
        k, sz, st = (float(full_array(x, q.shape)[i]) for x in (kind, size, step))
        u = unit_loss_of(int(k), sz, float(e[i]), float(s[i]), float(f[i]))
        return exact(float(budget[i])) / (u * exact(st))

    raw = count_steps(q, "floor", exact_q)
    min_steps = np.ceil(np.divide(min_qty, step) - 1e-9)
    n = np.where(raw < min_steps, 0.0, raw) if np.any(raw < min_steps) else raw
    qty = clean_multiple(n, step)
    # The loss is within budget exactly; its 12 shown digits must be too (MF_RISK of this
    # count, MF_SIZE's Risk at stop). Only a loss within float noise below a 12-digit
    # decimal, with a budget typed between the two, can fail this: that element is sized
    # against the budget rounded down to 12 digits instead.
    # (a budget of at most 12 significant digits is a 12-digit decimal itself: a loss
    # within it shows within it, so only longer budgets need the check)
    long_budget = clean_money(budget) != budget
    over = long_budget.any() and long_budget & (loss_shown(qty, kind, size, e, s, f) > budget)
    if np.any(over):
        cap = floor_money_array(budget)
        fewer = np.minimum(n - 1.0, np.floor(cap / (unit * step)))
        n = np.where(over, fewer, n)
        n = np.where(n < min_steps, 0.0, n)
        qty = clean_multiple(n, step)
    return _Lots(
        contracts=qty,
        raw_steps=raw,
        min_steps=min_steps,
        unit=unit,
        kind=kind,
        size=size,
        step=step,
        entry=e,
        stop=s,
        fee=f,
        contract=ca,
    )


def sizing(
    risk_amount: Numeric,
    entry: Numeric,
    stop: Numeric,
    contract: ContractLike,
    fee_rate: Numeric | None = None,
    specs: SpecsLike = None,
) -> Sizing:
    """Size positions and return every intermediate (see :func:`contracts`)."""
    c = _lots(risk_amount, entry, stop, contract, fee_rate, specs)
    e, s, f = c.entry, c.stop, c.fee
    below = (c.raw_steps > 0) & (c.raw_steps < c.min_steps)
    per_unit_fee = fee_per_size(c.kind, e, s, f)
    shape = c.contracts.shape
    return Sizing(
        contracts=c.contracts,
        below_min=full_array(below, shape),
        loss=loss_shown(c.contracts, c.kind, c.size, e, s, f),
        fees=clean_money(c.contracts * c.size * per_unit_fee),
        side=side_from_stop(e, s),
        unit_loss=full_array(c.unit, shape),
        contract=c.contract,
    )


def contracts(
    risk_amount: Numeric,
    entry: Numeric,
    stop: Numeric,
    contract: ContractLike,
    fee_rate: Numeric | None = None,
    specs: SpecsLike = None,
) -> Result:
    """Contracts to trade: the most lot steps whose loss at the stop is within budget.

    Parameters
    ----------
    risk_amount : float or array_like
        Budget in the contract's settlement currency (quote for linear, coin for inverse).
    entry, stop : float or array_like
        Prices > 0. Stop below entry sizes a long, above a short.
    contract : str, float or array_like
        A key ``exchange:symbol`` (case-insensitive) or a positive number: a linear
        contract of that many underlying units, whole contracts only.
    fee_rate : float or array_like, optional
        Fraction of notional charged on entry and again on exit at the stop (0 to 0.01).
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.

    Returns
    -------
    float or ndarray
        Contracts in the venue's order unit, a multiple of the lot step; 0 where the
        budget buys less than the minimum order quantity.

    Notes
    -----
    Loss of one unit, fees included: linear and quanto ``k (|E - S| + f (E + S))``;
    inverse ``k (|1/S - 1/E| + f (1/E + 1/S))``. Contracts are
    ``floor(budget / (loss x step)) x step``, counted exactly for decimal inputs.

    Examples
    --------
    The seed scenario, $30 on an ETH micro of 0.001 ETH from 3,520 to 3,450:

    >>> contracts(30, 3520, 3450, 0.001)
    428.0
    >>> contracts(0.9, 10, 7, 0.1)
    3.0
    >>> contracts(30, 3520, 3450, "binance:ETHUSDT")
    0.428
    """
    one = contracts_of_one(risk_amount, entry, stop, contract, fee_rate, specs)
    if one is not None:  # one trade of plain numbers: the same steps on floats
        return one
    return to_result(_lots(risk_amount, entry, stop, contract, fee_rate, specs).contracts)


def risk(
    contracts: Numeric,
    entry: Numeric,
    stop: Numeric,
    contract: ContractLike,
    fee_rate: Numeric | None = None,
    specs: SpecsLike = None,
) -> Result:
    """Loss at the stop of a given size, fees included (reverse sizing).

    ``contracts`` is a count (>= 0); the side comes from the stop as in :func:`contracts`.

    >>> risk(428, 3520, 3450, 0.001)
    29.96
    >>> risk(431, 3520, 3450, 0.001)
    30.17
    """
    c = _zero_or_more_count(contracts, "contracts")
    e = _positive(entry, "entry")
    s = _positive(stop, "stop")
    f = _fee(fee_rate, "fee_rate")
    ca = _contract(contract, specs)
    c, e, s, f, kind, size = broadcast(
        contracts=c, entry=e, stop=s, fee_rate=f, contract=ca.kind, size=ca.size
    )
    _distinct(e, s)
    return to_result(loss_shown(c, kind, size, e, s, f))


def notional(
    contracts: Numeric, price: Numeric, contract: ContractLike, specs: SpecsLike = None
) -> Result:
    """Position value in the settlement currency, >= 0 whatever the side.

    Linear and quanto ``|c| k P``; inverse ``|c| k / P`` (coin).

    >>> notional(0.428, 3520, "binance:ETHUSDT")
    1506.56
    >>> notional(10, 50000, "binance:BTCUSD_PERP")
    0.02
    """
    c = as_float_array(contracts, "contracts")
    p = _positive(price, "price")
    ca = _contract(contract, specs)
    c, p, kind, size = broadcast(contracts=c, price=p, contract=ca.kind, size=ca.size)
    return to_result(clean_money(_notional_raw(kind, size, c, p)))


def pnl(
    contracts: Numeric,
    entry: Numeric,
    exit_price: Numeric,
    contract: ContractLike,
    fee_rate: Numeric | None = None,
    specs: SpecsLike = None,
) -> Result:
    """Profit (positive) or loss of a position, fees deducted, in the settlement currency.

    ``contracts`` is signed: positive long, negative short.

    >>> pnl(1, 3000, 3100, "cme:MET")
    10.0
    >>> pnl(-100, 50000, 40000, "binance:BTCUSD_PERP")  # short 10,000 USD, price falls
    0.05
    """
    c = as_float_array(contracts, "contracts")
    e = _positive(entry, "entry")
    x = _positive(exit_price, "exit_price")
    f = _fee(fee_rate, "fee_rate", allow_rebate=True)
    ca = _contract(contract, specs)
    c, e, x, f, kind, size = broadcast(
        contracts=c, entry=e, exit_price=x, fee_rate=f, contract=ca.kind, size=ca.size
    )
    gross = _pnl_raw(kind, size, c, e, x)
    fees = f * (_notional_raw(kind, size, c, e) + _notional_raw(kind, size, c, x))
    return to_result(clean_money(gross - fees))


def one_contract(contract: Any, specs: Any, name: str = "contract") -> ContractSpec:
    ca = _contract(contract, specs, name)
    if ca.single is None:
        raise MicrosizeError(f"{name} must be a single contract, not a range of different ones")
    return ca.single


def avg_entry(
    prices: Numeric,
    contracts: Numeric,
    contract: ContractLike | None = None,
    specs: SpecsLike = None,
) -> float:
    """Average entry price of several fills: quantity-weighted for linear and quanto,
    harmonic (weighted by contracts over price) for inverse.

    ``contracts`` may be signed but must all share one side.

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
    from ._sums import dot, total  # sums that are the same on every CPU

    total_c = total(c)
    if total_c == 0:
        raise MicrosizeError("contracts must not all be zero")
    kind = "linear" if contract is None else one_contract(contract, specs).kind
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        num, den = (total_c, total(c / p)) if kind == "inverse" else (dot(c, p), total_c)
        value = np.float64(num) / np.float64(den)
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
    side: Any,
    fee_rate_open: Numeric | None = None,
    fee_rate_close: Numeric | None = None,
    contract: ContractLike | None = None,
    specs: SpecsLike = None,
) -> Result:
    """Exit price at which the PnL after both fees is zero.

    ``fee_rate_close`` defaults to ``fee_rate_open``; both default to 0. Linear and quanto:
    long ``E (1 + fo) / (1 - fc)``, short ``E (1 - fo) / (1 + fc)``. Inverse: long
    ``E (1 + fc) / (1 - fo)``, short ``E (1 - fc) / (1 + fo)``.

    >>> breakeven(3000, "long", 0.0005)
    3003.001500750375
    """
    e = _positive(entry, "entry")
    sd = side_sign(side)
    fo = _fee(fee_rate_open, "fee_rate_open", allow_rebate=True)
    fc = fo if fee_rate_close is None else _fee(fee_rate_close, "fee_rate_close", allow_rebate=True)
    kind = np.asarray(LINEAR) if contract is None else _contract(contract, specs).kind
    e, sd, fo, fc, kind = broadcast(
        entry=e, side=sd, fee_rate_open=fo, fee_rate_close=fc, contract=kind
    )
    lin = np.where(sd > 0, e * (1 + fo) / (1 - fc), e * (1 - fo) / (1 + fc))
    inv = np.where(sd > 0, e * (1 + fc) / (1 - fo), e * (1 - fc) / (1 + fo))
    return to_result(np.where(kind == INVERSE, inv, lin))


_ALIASES = {"XBT": "BTC"}


def convert(
    contracts: Numeric,
    from_contract: ContractLike,
    to_contract: ContractLike,
    price: Numeric | None = None,
    specs: SpecsLike = None,
) -> Any:
    """The same underlying exposure in another contract, to the nearest lot step.

    Exposure is measured in the underlying coin: linear ``c k``; inverse ``c k / price``
    (so ``price`` is needed when a linear contract meets an inverse one). Quanto contracts
    have no coin exposure without a second price and are refused.

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
    if src.kind == dst.kind:
        target = c * k1 / k2
    elif src.kind == "inverse":
        target = c * k1 / p / k2
    else:
        target = c * k1 * p / k2

    def exact_q(i: tuple[int, ...]) -> Fraction:
        C, P = exact(float(c[i])), exact(float(p[i]))
        K1, K2 = exact(k1), exact(k2)
        if src.kind == dst.kind:
            t = C * K1 / K2
        elif src.kind == "inverse":
            t = C * K1 / P / K2
        else:
            t = C * K1 * P / K2
        return t / exact(step)

    n = count_steps(target / step, "nearest", exact_q)
    return to_result(clean_multiple(n, np.asarray(step)))
