"""The MF_ functions of margin, liquidation, leverage and funding (perpetual and margined
futures).

Declarations only (see :mod:`microsize.udfs_args`); :mod:`microsize.udfs` re-exports them.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw

from ._margin import (
    funding,
    liq_price,
    maintenance_margin,
    margin,
    max_contracts_for_margin,
    max_leverage,
)
from .udf_boundary import (
    cell,
    no_liquidation,
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
    "MF_FUNDING",
    "MF_LIQ_PRICE",
    "MF_MAINT_MARGIN",
    "MF_MARGIN",
    "MF_MAX_CONTRACTS_MARGIN",
    "MF_MAX_LEVERAGE",
]


@xw.func(category=CATEGORY)
@short_errors
@arg("contracts", ndim=2, doc="Position size in the venue's order unit")
@arg("price", ndim=2, doc="Entry or mark price")
@arg("leverage", ndim=2, doc="Leverage (e.g. 10 for 10x)")
@arg("contract", ndim=2)
@arg("specs", ndim=2)
def MF_MARGIN(contracts: Any, price: Any, leverage: Any, contract: Any, specs: Any = None) -> Any:
    """Initial margin: notional / leverage, in the settlement currency."""
    return to_cells(
        margin(cell(contracts), cell(price), cell(leverage), cell(contract), spec_table(specs))
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("contracts", ndim=2, doc="Position size in the venue's order unit")
@arg("price", ndim=2, doc="Mark price")
@arg("contract", ndim=2)
@arg("specs", ndim=2)
def MF_MAINT_MARGIN(contracts: Any, price: Any, contract: Any, specs: Any = None) -> Any:
    """Maintenance margin: notional x rate - maintenance amount of the contract's margin tier."""
    return to_cells(
        maintenance_margin(cell(contracts), cell(price), cell(contract), spec_table(specs))
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("entry", ndim=2)
@arg("contracts", ndim=2, doc="Signed position: positive long, negative short")
@arg("leverage", ndim=2, doc="Leverage (e.g. 10 for 10x)")
@arg("contract", ndim=2)
@arg("wallet_balance", ndim=2, doc="Optional isolated margin; the initial margin if omitted")
@arg(
    "mmr",
    ndim=2,
    doc="Optional maintenance margin rate (0.4% = 0.004); the contract's tier if omitted",
)
@arg("maint_amount", ndim=2, doc="Optional maintenance amount; the contract's tier if omitted")
@arg("specs", ndim=2)
def MF_LIQ_PRICE(
    entry: Any,
    contracts: Any,
    leverage: Any,
    contract: Any,
    wallet_balance: Any = None,
    mmr: Any = None,
    maint_amount: Any = None,
    specs: Any = None,
) -> Any:
    """Isolated-margin liquidation price (one-way mode) by the formula the contract's exchange publishes."""
    result = liq_price(
        cell(entry),
        cell(contracts),
        cell(leverage),
        cell(contract),
        optional(wallet_balance),
        optional(mmr),
        optional(maint_amount),
        spec_table(specs),
    )
    return to_cells(no_liquidation(result))


@xw.func(category=CATEGORY)
@short_errors
@arg("entry", ndim=2)
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("contract", ndim=2)
@arg("mmr", ndim=2, doc="Optional maintenance margin rate; the contract's first tier if omitted")
@arg("specs", ndim=2)
def MF_MAX_LEVERAGE(
    entry: Any, stop_price: Any, contract: Any, mmr: Any = None, specs: Any = None
) -> Any:
    """Highest whole-number leverage at which the isolated liquidation price stays beyond the stop."""
    return to_cells(
        max_leverage(
            cell(entry), cell(stop_price), cell(contract), optional(mmr), spec_table(specs)
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("contracts", ndim=2, doc="Signed position: positive long, negative short")
@arg("price", ndim=2, doc="Mark price")
@arg("rate", ndim=2, doc="Funding rate per interval (0.01% = 0.0001)")
@arg("periods", ndim=2, doc="Number of funding intervals")
@arg("contract", ndim=2)
@arg("specs", ndim=2)
def MF_FUNDING(
    contracts: Any, price: Any, rate: Any, periods: Any, contract: Any, specs: Any = None
) -> Any:
    """Funding paid (positive) or received (negative) over periods funding intervals."""
    return to_cells(
        funding(
            cell(contracts),
            cell(price),
            cell(rate),
            cell(periods),
            cell(contract),
            spec_table(specs),
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("available", ndim=2, doc="Margin available, in the settlement currency")
@arg("price", ndim=2, doc="Entry price")
@arg("leverage", ndim=2, doc="Leverage (e.g. 10 for 10x)")
@arg("contract", ndim=2)
@arg("specs", ndim=2)
def MF_MAX_CONTRACTS_MARGIN(
    available: Any, price: Any, leverage: Any, contract: Any, specs: Any = None
) -> Any:
    """The most contracts (lot steps) whose initial margin fits the available margin."""
    return to_cells(
        max_contracts_for_margin(
            cell(available), cell(price), cell(leverage), cell(contract), spec_table(specs)
        )
    )
