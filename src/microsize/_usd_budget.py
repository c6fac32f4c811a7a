"""A USD risk budget for contracts settled in coin: the budget in the settlement currency,
and the contracts whose loss at the stop, valued in USD at the stop, is within it.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ._checks import distinct as _distinct
from ._checks import fee as _fee
from ._checks import nonneg as _nonneg
from ._checks import positive as _positive
from ._contracts import ContractLike, SpecsLike
from ._errors import MicrosizeError
from ._exact import clean_multiple, count_steps, exact
from ._inputs import (
    Numeric,
    Result,
    broadcast,
    to_result,
)
from ._kind import unit_loss
from ._loss import unit_loss_of
from ._price_grid import (
    all_finite,
    one_spec,
    scalar_index,
)
from ._sizing import (
    INVERSE,
    contracts,
)

__all__ = ["contracts_usd", "risk_to_settle"]

_USD = {"USD", "USDT", "USDC", "BUSD", "FDUSD", "USDE"}


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
    usd = _nonneg(usd_amount, "usd_amount")
    s = _positive(stop, "stop")
    spec = one_spec(contract, specs)
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
        all_finite(usd / s * 1.0000001, "usd_amount, stop")
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
) -> Result:
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
    spec = one_spec(contract, specs)
    if spec.kind != "inverse":
        risk_to_settle(usd, stop, contract, specs)  # refuses non-USD settlement and quanto
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            n_lin = contracts(usd_amount, entry, stop, contract, fee_rate, specs)
        all_finite(np.asarray(n_lin), "usd_amount, entry, stop")
        return n_lin
    e = _positive(entry, "entry")
    s = _positive(stop, "stop")
    f = _fee(fee_rate, "fee_rate")
    usd, e, s, f = broadcast(usd_amount=usd, entry=e, stop=s, fee_rate=f)
    _distinct(e, s)
    size, step = spec.contract_size, spec.lot_step
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        q = usd / (s * unit_loss(INVERSE, size, e, s, f) * step)
    get = scalar_index(q.shape)

    def exact_q(i: tuple[int, ...]) -> Fraction:
        unit = unit_loss_of(INVERSE, size, get(e, i), get(s, i), get(f, i))
        return exact(get(usd, i)) / (exact(get(s, i)) * unit * exact(step))

    q = all_finite(q, "usd_amount, entry, stop")
    with np.errstate(over="ignore", invalid="ignore"):
        raw = count_steps(q, "floor", exact_q)
    min_steps = math.ceil(spec.min_qty / step - 1e-9)
    n = np.where(raw < min_steps, 0.0, raw)
    return to_result(clean_multiple(n, np.asarray(step)))
