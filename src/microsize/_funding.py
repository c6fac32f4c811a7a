"""Funding payments of perpetual futures: paid (positive) or received (negative) over a
number of funding intervals, in the settlement currency.

References
----------
BitMEX "Perpetual Contracts Guide" (Funding Amount = Mark Value x Funding Rate); Binance
and Bybit funding FAQs (position value x funding rate; longs pay when it is positive).
"""

from __future__ import annotations

import numpy as np

from ._checks import first_index
from ._checks import nonneg as _nonneg
from ._checks import positive as _positive
from ._contracts import (
    ContractLike,
    SpecsLike,
    as_spec_table,
    resolve_contracts,
)
from ._errors import MicrosizeError
from ._exact import clean_money
from ._inputs import (
    Numeric,
    Result,
    as_float_array,
    broadcast,
    describe,
    position,
    to_result,
)
from ._kind import inverse_mask, value_at

__all__ = ["MAX_FUNDING_RATE", "funding"]

#: Funding rates above this per interval are taken for a per-cent typing mistake.
MAX_FUNDING_RATE = 0.1


def funding(
    contracts: Numeric,
    price: Numeric,
    rate: Numeric,
    periods: Numeric,
    contract: ContractLike,
    specs: SpecsLike = None,
) -> Result:
    """Funding paid (positive) or received (negative) over ``periods`` intervals.

    Parameters
    ----------
    contracts : float or array_like
        Signed position in the venue's order unit: positive long, negative short.
    price : float or array_like
        Mark price at the funding times, > 0.
    rate : float or array_like
        Funding rate per interval as a fraction (0.01% is 0.0001); positive: longs pay
        shorts. At most 0.1 in size (larger values are taken for per cents).
    periods : float or array_like
        Number of funding intervals held, >= 0 (8h, 4h or 1h by venue).
    contract : str, float or array_like
        A key ``exchange:symbol`` or a positive number.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled table when omitted.

    Returns
    -------
    float or ndarray
        ``sign(c) x value x rate x periods`` in the settlement currency, with value the
        position value at ``price``: linear and quanto ``|c| k P``, inverse
        ``|c| k / P`` (coin). A long pays when the rate is positive; a short receives.

    References
    ----------
    BitMEX "Perpetual Contracts Guide" (Funding Amount = Mark Value x Funding Rate);
    Binance and Bybit funding FAQs (position value x funding rate).

    Examples
    --------
    BitMEX's guide: long 15,000 XBTUSD at 750 (20 XBT), funding 0.25%, pays 0.05 XBT:

    >>> funding(15000, 750, 0.0025, 1, "bitmex:XBTUSD")
    0.05
    """
    c = as_float_array(contracts, "contracts")
    p = _positive(price, "price")
    r = as_float_array(rate, "rate")
    if np.any(np.abs(r) > MAX_FUNDING_RATE):
        idx = first_index(np.abs(r) > MAX_FUNDING_RATE)
        raise MicrosizeError(
            f"rate is a fraction per funding interval: 0.01% is 0.0001"
            f"{position(idx, r.shape)} (got {describe(float(r[idx]))})"
        )
    n = _nonneg(periods, "periods")
    ca = resolve_contracts(contract, as_spec_table(specs))
    c, p, r, n, kind, size = broadcast(
        contracts=c, price=p, rate=r, periods=n, contract=ca.kind, size=ca.size
    )
    value = value_at(inverse_mask(kind), c * size, p)
    return to_result(clean_money(value * r * n))
