"""Exact position sizing, risk, PnL and notional (average entry, breakeven and conversion:
:mod:`microsize._position`).

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
from ._checks import check
from ._checks import distinct as _distinct
from ._checks import fee as _fee
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
from ._errors import MicrosizeError, TooManyStepsError
from ._exact import clean_money, clean_multiple, count_steps, exact
from ._inputs import (
    FloatArray,
    Numeric,
    Result,
    as_float_array,
    broadcast,
    to_result,
)
from ._kind import INVERSE as INVERSE
from ._kind import (
    fee_per_size,
    inverse_mask,
    price_move,
    side_from_stop,
    unit_loss,
    value_at,
)
from ._loss import floor_money_array, unit_loss_of
from ._loss import full_array as full_array
from ._loss import loss_shown as loss_shown
from ._loss import money_product as money_product
from ._one_cell import contracts_of_one

__all__ = [
    "Sizing",
    "contracts",
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
    return np.asarray(c * size * price_move(kind, e, x), dtype=np.float64)


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
    check("risk", "a fraction of the account: 1.5% is 0.015", r, r > 1, verb="is")
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
    per_step = unit * step
    # prices near the smallest floats lose 0 a lot step (underflow); a budget near the
    # largest counts an infinity of steps: a message, never inf or nan contracts
    check("entry", "far enough from zero that a lot step loses more than 0", e, ~(per_step > 0))
    with np.errstate(over="ignore"):
        q = budget / per_step
    rule = "small enough to count in lot steps at these prices"
    check("risk_amount", rule, budget, ~np.isfinite(q), error=TooManyStepsError)

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
    """Size positions and return every intermediate (see :func:`contracts`).

    Parameters
    ----------
    risk_amount, entry, stop, contract, fee_rate, specs
        As in :func:`contracts`.
    """
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

    Parameters
    ----------
    contracts : float or array_like
        Position size in the venue's order unit, >= 0.
    entry, stop : float or array_like
        Prices > 0; a stop below entry is a long, above a short.
    contract : str or float
        A key ``exchange:symbol`` (case-insensitive) or a positive number: a linear
        contract of that size.
    fee_rate : float or array_like, optional
        Fraction of notional charged on entry and on exit (0 to 0.01); 0 when omitted.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled (or user) table when omitted.

    Examples
    --------
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

    Parameters
    ----------
    contracts : float or array_like
        Position size in the venue's order unit (the sign is ignored).
    price : float or array_like
        Price, > 0.
    contract : str or float
        A key ``exchange:symbol`` (case-insensitive) or a positive number: a linear
        contract of that size.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled (or user) table when omitted.

    Examples
    --------
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

    Parameters
    ----------
    contracts : float or array_like
        Signed position: positive long, negative short.
    entry : float or array_like
        Entry price, > 0.
    exit_price : float or array_like
        Exit price, > 0.
    contract : str or float
        A key ``exchange:symbol`` (case-insensitive) or a positive number: a linear
        contract of that size.
    fee_rate : float or array_like, optional
        Fraction of notional charged on entry and on exit (0 to 0.01); 0 when omitted.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled (or user) table when omitted.

    Examples
    --------
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
