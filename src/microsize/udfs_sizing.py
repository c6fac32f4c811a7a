"""The MF_ functions of sizing: contracts for a risk budget, risk, notional, PnL, average
entry, breakeven, conversion between contracts; the spec table and the version.

Declarations only (see :mod:`microsize.udfs_args`); :mod:`microsize.udfs` re-exports them.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw

from . import __version__
from ._contracts import load_specs, max_spec_age_days, spec_field
from ._position import avg_entry, breakeven, convert
from ._size_table import size_trade
from ._sizing import (
    contracts,
    notional,
    pnl,
    risk,
    risk_amount,
)
from .udf_boundary import (
    cell,
    optional,
    short_errors,
    spec_table,
    to_cells,
    today,
)
from .udfs_args import (
    CATEGORY,
    arg,
)

__all__ = [
    "MF_AVG_ENTRY",
    "MF_BREAKEVEN",
    "MF_CONTRACTS",
    "MF_CONVERT",
    "MF_NOTIONAL",
    "MF_PNL",
    "MF_RISK",
    "MF_RISK_AMOUNT",
    "MF_SIZE",
    "MF_SPEC",
    "MF_SPECS",
    "MF_VERSION",
]


@xw.func(category=CATEGORY)
@short_errors
@arg("equity", ndim=2)
@arg("risk", ndim=2, doc="Fraction of the account to risk (1.5% = 0.015)")
def MF_RISK_AMOUNT(equity: Any, risk: Any) -> Any:
    """Money at risk: equity x risk."""
    return to_cells(risk_amount(cell(equity), cell(risk)))


@xw.func(category=CATEGORY)
@short_errors
@arg("risk_amount", ndim=2, doc="Risk budget in the settlement currency")
@arg("entry", ndim=2)
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("contract", ndim=2)
@arg("fee_rate", ndim=2)
@arg("specs", ndim=2)
def MF_CONTRACTS(
    risk_amount: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Contracts to trade: the largest multiple of the lot step whose loss at the stop, fees included, is within risk_amount; 0 below the minimum order size."""
    return to_cells(
        contracts(
            cell(risk_amount),
            cell(entry),
            cell(stop_price),
            cell(contract),
            optional(fee_rate),
            spec_table(specs),
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("equity", ndim=2)
@arg("risk", ndim=2, doc="Fraction of the account to risk (1.5% = 0.015)")
@arg("entry", ndim=2)
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("contract", ndim=2)
@arg("fee_rate", ndim=2)
@arg("leverage", ndim=2, doc="Optional leverage for margin and liquidation; 1 (1x) if omitted")
@arg("specs", ndim=2)
@arg("slippage", ndim=2, doc="Optional stop slippage: fraction of the stop price or '2 ticks'")
@arg(
    "mmr",
    ndim=2,
    doc="Optional maintenance margin rate (0.5% = 0.005) for the liquidation rows; the contract's tier if omitted",
)
def MF_SIZE(
    equity: Any,
    risk: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    leverage: Any = None,
    specs: Any = None,
    slippage: Any = None,
    mmr: Any = None,
) -> Any:
    """One trade sized in full: a two-column table (label, value) with side, contracts, notional, risk at stop, fees, margin, liquidation, the spec's date and warnings."""
    return to_cells(
        size_trade(
            cell(equity),
            cell(risk),
            cell(entry),
            cell(stop_price),
            cell(contract),
            optional(fee_rate),
            optional(leverage),
            spec_table(specs),
            optional(slippage),
            today=today(),
            max_age_days=max_spec_age_days(),
            mmr=optional(mmr),
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("contracts", ndim=2, doc="Position size in the venue's order unit (>= 0)")
@arg("entry", ndim=2)
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("contract", ndim=2)
@arg("fee_rate", ndim=2)
@arg("specs", ndim=2)
def MF_RISK(
    contracts: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Loss at the stop of a given size, fees included, in the settlement currency."""
    return to_cells(
        risk(
            cell(contracts),
            cell(entry),
            cell(stop_price),
            cell(contract),
            optional(fee_rate),
            spec_table(specs),
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("contracts", ndim=2, doc="Position size in the venue's order unit")
@arg("price", ndim=2, doc="Price")
@arg("contract", ndim=2)
@arg("specs", ndim=2)
def MF_NOTIONAL(contracts: Any, price: Any, contract: Any, specs: Any = None) -> Any:
    """Position value in the settlement currency (coin for inverse contracts)."""
    return to_cells(notional(cell(contracts), cell(price), cell(contract), spec_table(specs)))


@xw.func(category=CATEGORY)
@short_errors
@arg("contracts", ndim=2, doc="Signed position: positive long, negative short")
@arg("entry", ndim=2)
@arg("exit_price", ndim=2, doc="Exit price")
@arg("contract", ndim=2)
@arg("fee_rate", ndim=2)
@arg("specs", ndim=2)
def MF_PNL(
    contracts: Any,
    entry: Any,
    exit_price: Any,
    contract: Any,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Profit or loss after fees in the settlement currency (linear, inverse and quanto formulas)."""
    return to_cells(
        pnl(
            cell(contracts),
            cell(entry),
            cell(exit_price),
            cell(contract),
            optional(fee_rate),
            spec_table(specs),
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("prices", ndim=2, doc="Fill prices")
@arg("contracts", ndim=2, doc="Contracts filled at each price (one side)")
@arg("contract", ndim=2, doc="Optional contract; linear (quantity-weighted) if omitted")
@arg("specs", ndim=2)
def MF_AVG_ENTRY(prices: Any, contracts: Any, contract: Any = None, specs: Any = None) -> Any:
    """Average entry price: quantity-weighted for linear contracts, harmonic for inverse."""
    return to_cells(avg_entry(cell(prices), cell(contracts), optional(contract), spec_table(specs)))


@xw.func(category=CATEGORY)
@short_errors
@arg("entry", ndim=2)
@arg("side", ndim=2, doc="long or short (or 1 / -1)")
@arg("fee_rate_open", ndim=2, doc="Optional entry fee as a fraction of notional; 0 if omitted")
@arg("fee_rate_close", ndim=2, doc="Optional exit fee; same as fee_rate_open if omitted")
@arg("contract", ndim=2, doc="Optional contract; linear if omitted")
@arg("specs", ndim=2)
def MF_BREAKEVEN(
    entry: Any,
    side: Any,
    fee_rate_open: Any = None,
    fee_rate_close: Any = None,
    contract: Any = None,
    specs: Any = None,
) -> Any:
    """Exit price at which profit after entry and exit fees is zero."""
    return to_cells(
        breakeven(
            cell(entry),
            cell(side),
            optional(fee_rate_open),
            optional(fee_rate_close),
            optional(contract),
            spec_table(specs),
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("contracts", ndim=2, doc="Contracts of from_contract (signed)")
@arg("from_contract", doc="Contract the position is in")
@arg("to_contract", doc="Contract to express it in")
@arg("price", ndim=2, doc="Price, needed when a linear contract meets an inverse one")
@arg("specs", ndim=2)
def MF_CONVERT(
    contracts: Any, from_contract: Any, to_contract: Any, price: Any = None, specs: Any = None
) -> Any:
    """The same underlying exposure in another contract, to the nearest lot step."""
    return to_cells(
        convert(
            cell(contracts),
            cell(from_contract),
            cell(to_contract),
            optional(price),
            spec_table(specs),
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("contract")
@arg(
    "field",
    doc="Field name: contract_size, lot_step, min_qty, tick_size, kind, settle, max_leverage, taker_fee, mmr, as_of, source, ...",
)
@arg("specs", ndim=2)
def MF_SPEC(contract: Any, field: Any, specs: Any = None) -> Any:
    """One field of a contract's spec, e.g. MF_SPEC("cme:MBT", "contract_size")."""
    return spec_field(cell(contract), cell(field), spec_table(specs))


@xw.func(category=CATEGORY)
@short_errors
@arg("exchange", doc="Optional exchange (cme, binance, okx, ...); all if omitted")
def MF_SPECS(exchange: Any = None) -> Any:
    """The contract-spec table in use (your refreshed table in ~/.microsize if any, else the bundled one) with a header row, optionally for one exchange."""
    rows = load_specs().rows(optional(exchange))
    return [["" if v is None else v for v in row] for row in rows]


@xw.func(category=CATEGORY)
@short_errors
def MF_VERSION() -> str:
    """The microsize package version."""
    return __version__
