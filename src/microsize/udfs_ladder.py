"""The MF_ functions of ladders: scaling into a position over several entries and out of
it over several targets, the ladder's prices and weights.

Declarations only (see :mod:`microsize.udfs_args`); :mod:`microsize.udfs` re-exports them.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw

from ._ladder import ladder, scale_out
from ._ladder_grid import ladder_prices, ladder_weights
from .udf_boundary import (
    cell,
    optional,
    short_errors,
    spec_table,
    to_cells,
)
from .udfs_args import (
    CATEGORY,
    arg,
)

__all__ = [
    "MF_LADDER",
    "MF_LADDER_PRICES",
    "MF_SCALE_OUT",
    "MF_WEIGHTS",
]


@xw.func(category=CATEGORY)
@short_errors
@arg("risk_amount", ndim=2, doc="Risk budget for the whole ladder, in the settlement currency")
@arg("entries", ndim=2, doc="Entry prices (a row or column), all on one side of the stop")
@arg("stop_price", ndim=2, doc="The one stop for every entry")
@arg("contract", ndim=2)
@arg(
    "weights",
    ndim=2,
    doc="Optional shares of quantity per entry (30/40/30 or 0.3/0.4/0.3); equal if omitted",
)
@arg("fee_rate", ndim=2)
@arg("specs", ndim=2)
def MF_LADDER(
    risk_amount: Any,
    entries: Any,
    stop_price: Any,
    contract: Any,
    weights: Any = None,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Scale-in ladder under one stop and one budget: Entry, Weight, Contracts, Cum contracts, Avg entry, Cum risk, Note."""
    lad = ladder(
        cell(risk_amount),
        cell(entries),
        cell(stop_price),
        cell(contract),
        optional(weights),
        optional(fee_rate),
        spec_table(specs),
    )
    return to_cells(lad.rows())


@xw.func(category=CATEGORY)
@short_errors
@arg(
    "contracts",
    ndim=2,
    doc="Position to close, in the venue's order unit (a multiple of the lot step)",
)
@arg("entry", ndim=2)
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("targets", ndim=2, doc="Take-profit prices (a row or column) on the profit side")
@arg("contract", ndim=2)
@arg("weights", ndim=2, doc="Optional shares of the position per target; equal if omitted")
@arg("fee_rate", ndim=2)
@arg("specs", ndim=2)
def MF_SCALE_OUT(
    contracts: Any,
    entry: Any,
    stop_price: Any,
    targets: Any,
    contract: Any,
    weights: Any = None,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Scale-out plan whose legs sum to the position: Target, Weight, Contracts, PnL, Cum PnL, R, Note."""
    plan = scale_out(
        cell(contracts),
        cell(entry),
        cell(stop_price),
        cell(targets),
        cell(contract),
        optional(weights),
        optional(fee_rate),
        spec_table(specs),
    )
    return to_cells(plan.rows())


@xw.func(category=CATEGORY)
@short_errors
@arg("first_price", ndim=2, doc="First ladder price")
@arg("last_price", ndim=2, doc="Last ladder price")
@arg("legs", ndim=2, doc="Number of prices, first and last included")
@arg("spacing", doc="Optional: even (equal steps, default) or geometric (equal ratios)")
@arg("tick", ndim=2, doc="Optional tick size, or a contract key whose tick size is used")
@arg("specs", ndim=2)
def MF_LADDER_PRICES(
    first_price: Any,
    last_price: Any,
    legs: Any,
    spacing: Any = None,
    tick: Any = None,
    specs: Any = None,
) -> Any:
    """A column of ladder prices from first_price to last_price, evenly or geometrically spaced, rounded to the tick."""
    prices = ladder_prices(
        cell(first_price),
        cell(last_price),
        cell(legs),
        optional(spacing),
        optional(tick),
        spec_table(specs),
    )
    return to_cells(prices.reshape(-1, 1))


@xw.func(category=CATEGORY)
@short_errors
@arg("legs", ndim=2, doc="Number of legs")
@arg("preset", doc="Optional: equal (default), pyramid (decreasing) or increasing")
def MF_WEIGHTS(legs: Any, preset: Any = None) -> Any:
    """A column of ladder weights summing to 1: equal, pyramid (n, n-1, ..., 1) or increasing."""
    return to_cells(ladder_weights(cell(legs), optional(preset)).reshape(-1, 1))
