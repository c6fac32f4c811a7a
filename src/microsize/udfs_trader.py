"""The MF_ functions of what a trader types in: ATR and ATR stops, stop fills,
reward/risk, targets, USD budgets.

Declarations only (see :mod:`microsize.udfs_args`); :mod:`microsize.udfs` re-exports them.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw

from ._targets import (
    atr_stop,
    contracts_usd,
    reward_risk,
    risk_to_settle,
    roi_target,
    stop_fill,
    target_price,
)
from ._volatility import atr_rows, latest_atr
from .udf_boundary import (
    atr_cells,
    cell,
    latest_flag,
    optional,
    short_errors,
    spec_table,
    to_cells,
)
from .udfs_args import (
    CATEGORY,
    TICK_CONTRACT_DOC,
    arg,
)

__all__ = [
    "MF_ATR",
    "MF_ATR_STOP",
    "MF_CONTRACTS_USD",
    "MF_RISK_TO_SETTLE",
    "MF_ROI_TARGET",
    "MF_RR",
    "MF_STOP_FILL",
    "MF_TARGET",
]


@xw.func(category=CATEGORY)
@short_errors
@arg("high", ndim=2, doc="High prices, oldest first (a column or row)")
@arg("low", ndim=2, doc="Low prices, same rows")
@arg("close_price", ndim=2, doc="Close prices, same rows; a row with a blank is skipped")
@arg("periods", ndim=2, doc="Optional number of bars; 14 if omitted")
@arg("method", doc="Optional: wilder (default), simple or exponential")
@arg("latest", doc="Optional: TRUE for the newest ATR alone instead of the column")
def MF_ATR(
    high: Any,
    low: Any,
    close_price: Any,
    periods: Any = None,
    method: Any = None,
    latest: Any = None,
) -> Any:
    """Wilder's average true range beside each bar (n/a before the first full window), or the newest value with latest=TRUE."""
    if latest_flag(latest):
        return to_cells(
            latest_atr(
                cell(high), cell(low), cell(close_price), optional(periods), optional(method)
            )
        )
    values, blank, n = atr_rows(
        cell(high), cell(low), cell(close_price), optional(periods), optional(method)
    )
    return atr_cells(values, blank, n, high)


@xw.func(category=CATEGORY)
@short_errors
@arg("entry", ndim=2)
@arg("atr", ndim=2, doc="Average true range (e.g. from MF_ATR), in price units")
@arg("multiple", ndim=2, doc="How many ATRs from entry (e.g. 2)")
@arg("side", ndim=2)
@arg("contract", ndim=2, doc=TICK_CONTRACT_DOC)
@arg("specs", ndim=2)
def MF_ATR_STOP(
    entry: Any, atr: Any, multiple: Any, side: Any, contract: Any = None, specs: Any = None
) -> Any:
    """Stop multiple x ATR from entry, rounded to the contract's tick away from entry (never nearer than asked)."""
    return to_cells(
        atr_stop(
            cell(entry),
            cell(atr),
            cell(multiple),
            cell(side),
            optional(contract),
            spec_table(specs),
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("stop_price", ndim=2, doc="Stop trigger price: below entry = long, above = short")
@arg("slippage", ndim=2, doc="Fraction of the stop price (0.1% = 0.001), or ticks as text: 2 ticks")
@arg("entry", ndim=2, doc="Entry price (gives the side)")
@arg("contract", ndim=2, doc=TICK_CONTRACT_DOC)
@arg("specs", ndim=2)
def MF_STOP_FILL(
    stop_price: Any, slippage: Any, entry: Any, contract: Any = None, specs: Any = None
) -> Any:
    """Price a stop-market order fills at after slippage, worse than the trigger and on the tick: size against it."""
    return to_cells(
        stop_fill(
            cell(stop_price), cell(slippage), cell(entry), optional(contract), spec_table(specs)
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("entry", ndim=2)
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("target", ndim=2, doc="Take-profit price on the profit side")
@arg("contract", ndim=2, doc="Optional contract (inverse PnL for coin-margined); linear if omitted")
@arg("fee_rate", ndim=2)
@arg("specs", ndim=2)
def MF_RR(
    entry: Any,
    stop_price: Any,
    target: Any,
    contract: Any = None,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Reward to risk: profit at the target over loss at the stop, both after entry and exit fees."""
    return to_cells(
        reward_risk(
            cell(entry),
            cell(stop_price),
            cell(target),
            optional(contract),
            optional(fee_rate),
            spec_table(specs),
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("entry", ndim=2)
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("r_multiple", ndim=2, doc="Reward in multiples of the risk at the stop (e.g. 3 for 3R)")
@arg(
    "contract",
    ndim=2,
    doc="Optional contract: its tick and kind (inverse is exact); linear if omitted",
)
@arg("fee_rate", ndim=2)
@arg("specs", ndim=2)
def MF_TARGET(
    entry: Any,
    stop_price: Any,
    r_multiple: Any,
    contract: Any = None,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Exit price making at least r_multiple R after fees, rounded to the tick away from entry."""
    return to_cells(
        target_price(
            cell(entry),
            cell(stop_price),
            cell(r_multiple),
            optional(contract),
            optional(fee_rate),
            spec_table(specs),
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("entry", ndim=2)
@arg("roi", ndim=2, doc="Return on initial margin as a fraction (50% = 0.5; negative for a loss)")
@arg("leverage", ndim=2, doc="Leverage (e.g. 10 for 10x)")
@arg("side", ndim=2)
@arg("contract", ndim=2, doc="Optional contract: its tick and kind (inverse); linear if omitted")
@arg("fee_rate", ndim=2, doc="Optional fee per side; 0 if omitted, as the exchanges' calculators")
@arg("specs", ndim=2)
def MF_ROI_TARGET(
    entry: Any,
    roi: Any,
    leverage: Any,
    side: Any,
    contract: Any = None,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Exit price for a return on initial margin (PnL / margin) as Binance's and Bybit's calculators define it."""
    return to_cells(
        roi_target(
            cell(entry),
            cell(roi),
            cell(leverage),
            cell(side),
            optional(contract),
            optional(fee_rate),
            spec_table(specs),
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("usd_amount", ndim=2, doc="Risk budget in USD")
@arg("stop_price", ndim=2, doc="Stop price (or its fill, MF_STOP_FILL): where the loss is realised")
@arg("contract", ndim=2)
@arg("specs", ndim=2)
def MF_RISK_TO_SETTLE(usd_amount: Any, stop_price: Any, contract: Any, specs: Any = None) -> Any:
    """A USD risk budget in the settlement currency: coin = USD / stop for inverse contracts (rounded down), unchanged for USD-settled ones."""
    return to_cells(
        risk_to_settle(cell(usd_amount), cell(stop_price), cell(contract), spec_table(specs))
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("usd_amount", ndim=2, doc="Risk budget in USD")
@arg("entry", ndim=2)
@arg("stop_price", ndim=2, doc="Stop price (or its fill, MF_STOP_FILL): below entry = long")
@arg("contract", ndim=2)
@arg("fee_rate", ndim=2)
@arg("specs", ndim=2)
def MF_CONTRACTS_USD(
    usd_amount: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Contracts whose loss at the stop, valued in USD at the stop price, is within a USD budget (inverse and USD-settled linear contracts)."""
    return to_cells(
        contracts_usd(
            cell(usd_amount),
            cell(entry),
            cell(stop_price),
            cell(contract),
            optional(fee_rate),
            spec_table(specs),
        )
    )
