"""Excel functions (xlwings UDFs): thin wrappers over the microsize core.

Set ``UDF Modules`` to ``microsize.udfs`` in the workbook's ``xlwings.conf`` sheet and
import the functions once (see the README). Each function here normalises what Excel
hands over (1x1 ranges, empty cells, nested tuples), calls the core, and returns plain
Python values. Errors become exceptions whose message xlwings shows in the cell.

Excel parameter names avoid VBA keywords: ``stop`` is a VBA statement, so the Excel
argument is ``stop_price`` (the Python API keeps ``stop``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import xlwings as xw

from . import __version__
from ._contracts import load_specs, max_spec_age_days, spec_field
from ._hedge import beta, hedge, hedge_ratio, hedge_stats, portfolio_hedge, rolling_beta
from ._ladder import ladder, ladder_prices, ladder_weights, scale_out
from ._margin import (
    funding,
    liq_price,
    maintenance_margin,
    margin,
    max_contracts_for_margin,
    max_leverage,
)
from ._planner import (
    betas_from_table,
    exposures,
    liquidation_checks,
    plan_totals,
    plan_trades,
    risk_budgets,
)
from ._size_table import size_trade
from ._sizing import (
    avg_entry,
    breakeven,
    contracts,
    convert,
    notional,
    pnl,
    risk,
    risk_amount,
)
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
    no_liquidation,
    optional,
    rolling_beta_cells,
    short_errors,
    spec_table,
    to_cells,
    today,
)

_F = TypeVar("_F", bound=Callable[..., Any])

__all__ = [
    "MF_ATR",
    "MF_ATR_STOP",
    "MF_AVG_ENTRY",
    "MF_BETA",
    "MF_BETAS",
    "MF_BREAKEVEN",
    "MF_CONTRACTS",
    "MF_CONTRACTS_USD",
    "MF_CONVERT",
    "MF_EXPOSURE",
    "MF_FUNDING",
    "MF_HEDGE",
    "MF_HEDGE_RATIO",
    "MF_HEDGE_STATS",
    "MF_LADDER",
    "MF_LADDER_PRICES",
    "MF_LIQ_CHECK",
    "MF_LIQ_PRICE",
    "MF_MAINT_MARGIN",
    "MF_MARGIN",
    "MF_MAX_CONTRACTS_MARGIN",
    "MF_MAX_LEVERAGE",
    "MF_NOTIONAL",
    "MF_PLAN",
    "MF_PLAN_TOTALS",
    "MF_PNL",
    "MF_PORTFOLIO_HEDGE",
    "MF_RISK",
    "MF_RISK_AMOUNT",
    "MF_RISK_BUDGETS",
    "MF_RISK_TO_SETTLE",
    "MF_ROI_TARGET",
    "MF_ROLLING_BETA",
    "MF_RR",
    "MF_SCALE_OUT",
    "MF_SIZE",
    "MF_SPEC",
    "MF_SPECS",
    "MF_STOP_FILL",
    "MF_TARGET",
    "MF_VERSION",
    "MF_WEIGHTS",
]

CATEGORY = "microsize"

#: Every argument reads an Excel error value (#N/A, #DIV/0!) as its text instead of as an
#: empty cell, so an error in an optional argument is refused rather than read as "omitted".
arg = functools.partial(xw.arg, err_to_str=True)


_SPEC_DOC = (
    "Optional spec table with a header row (the workbook's Specs table); bundled table if omitted"
)
_CONTRACT_DOC = "Contract key exchange:symbol (e.g. cme:MBT, binance:ETHUSDT) or a contract size"
_FEE_DOC = "Optional fee as a fraction of notional per side (0.05% = 0.0005); 0 if omitted"


@xw.func(category=CATEGORY)
@short_errors
@arg("equity", ndim=2, doc="Account size in the settlement currency")
@arg("risk", ndim=2, doc="Fraction of the account to risk (1.5% = 0.015)")
def MF_RISK_AMOUNT(equity: Any, risk: Any) -> Any:
    """Money at risk: equity x risk."""
    return to_cells(risk_amount(cell(equity), cell(risk)))


@xw.func(category=CATEGORY)
@short_errors
@arg("risk_amount", ndim=2, doc="Risk budget in the settlement currency")
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("equity", ndim=2, doc="Account size in the settlement currency")
@arg("risk", ndim=2, doc="Fraction of the account to risk (1.5% = 0.015)")
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("leverage", ndim=2, doc="Optional leverage for margin and liquidation; 1 (1x) if omitted")
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_NOTIONAL(contracts: Any, price: Any, contract: Any, specs: Any = None) -> Any:
    """Position value in the settlement currency (coin for inverse contracts)."""
    return to_cells(notional(cell(contracts), cell(price), cell(contract), spec_table(specs)))


@xw.func(category=CATEGORY)
@short_errors
@arg("contracts", ndim=2, doc="Signed position: positive long, negative short")
@arg("entry", ndim=2, doc="Entry price")
@arg("exit_price", ndim=2, doc="Exit price")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_AVG_ENTRY(prices: Any, contracts: Any, contract: Any = None, specs: Any = None) -> Any:
    """Average entry price: quantity-weighted for linear contracts, harmonic for inverse."""
    return to_cells(avg_entry(cell(prices), cell(contracts), optional(contract), spec_table(specs)))


@xw.func(category=CATEGORY)
@short_errors
@arg("entry", ndim=2, doc="Entry price")
@arg("side", ndim=2, doc="long or short (or 1 / -1)")
@arg("fee_rate_open", ndim=2, doc="Optional entry fee as a fraction of notional; 0 if omitted")
@arg("fee_rate_close", ndim=2, doc="Optional exit fee; same as fee_rate_open if omitted")
@arg("contract", ndim=2, doc="Optional contract; linear if omitted")
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("contract", doc=_CONTRACT_DOC)
@arg(
    "field",
    doc="Field name: contract_size, lot_step, min_qty, tick_size, kind, settle, max_leverage, taker_fee, mmr, as_of, source, ...",
)
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("contracts", ndim=2, doc="Contracts of from_contract (signed)")
@arg("from_contract", doc="Contract the position is in")
@arg("to_contract", doc="Contract to express it in")
@arg("price", ndim=2, doc="Price, needed when a linear contract meets an inverse one")
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("risk_amount", ndim=2, doc="Risk budget for the whole ladder, in the settlement currency")
@arg("entries", ndim=2, doc="Entry prices (a row or column), all on one side of the stop")
@arg("stop_price", ndim=2, doc="The one stop for every entry")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg(
    "weights",
    ndim=2,
    doc="Optional shares of quantity per entry (30/40/30 or 0.3/0.4/0.3); equal if omitted",
)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("targets", ndim=2, doc="Take-profit prices (a row or column) on the profit side")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("weights", ndim=2, doc="Optional shares of the position per target; equal if omitted")
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("specs", ndim=2, doc=_SPEC_DOC)
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


@xw.func(category=CATEGORY)
@short_errors
@arg("contracts", ndim=2, doc="Position size in the venue's order unit")
@arg("price", ndim=2, doc="Entry or mark price")
@arg("leverage", ndim=2, doc="Leverage (e.g. 10 for 10x)")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_MARGIN(contracts: Any, price: Any, leverage: Any, contract: Any, specs: Any = None) -> Any:
    """Initial margin: notional / leverage, in the settlement currency."""
    return to_cells(
        margin(cell(contracts), cell(price), cell(leverage), cell(contract), spec_table(specs))
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("contracts", ndim=2, doc="Position size in the venue's order unit")
@arg("price", ndim=2, doc="Mark price")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_MAINT_MARGIN(contracts: Any, price: Any, contract: Any, specs: Any = None) -> Any:
    """Maintenance margin: notional x rate - maintenance amount of the contract's margin tier."""
    return to_cells(
        maintenance_margin(cell(contracts), cell(price), cell(contract), spec_table(specs))
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("entry", ndim=2, doc="Entry price")
@arg("contracts", ndim=2, doc="Signed position: positive long, negative short")
@arg("leverage", ndim=2, doc="Leverage (e.g. 10 for 10x)")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("wallet_balance", ndim=2, doc="Optional isolated margin; the initial margin if omitted")
@arg(
    "mmr",
    ndim=2,
    doc="Optional maintenance margin rate (0.4% = 0.004); the contract's tier if omitted",
)
@arg("maint_amount", ndim=2, doc="Optional maintenance amount; the contract's tier if omitted")
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("mmr", ndim=2, doc="Optional maintenance margin rate; the contract's first tier if omitted")
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_MAX_CONTRACTS_MARGIN(
    available: Any, price: Any, leverage: Any, contract: Any, specs: Any = None
) -> Any:
    """The most contracts (lot steps) whose initial margin fits the available margin."""
    return to_cells(
        max_contracts_for_margin(
            cell(available), cell(price), cell(leverage), cell(contract), spec_table(specs)
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("asset_prices", ndim=2, doc="Asset prices, oldest first (a column or row)")
@arg(
    "hedge_prices",
    ndim=2,
    doc="Hedge instrument prices, same rows; blank rows are dropped pairwise",
)
@arg(
    "lam",
    ndim=2,
    doc="Optional decay 0 < lam < 1 (e.g. 0.94) for the exponentially weighted beta; OLS if omitted",
)
def MF_BETA(asset_prices: Any, hedge_prices: Any, lam: Any = None) -> Any:
    """Beta of the asset's simple returns on the hedge's: OLS slope, or zero-mean exponentially weighted with lam."""
    return to_cells(beta(cell(asset_prices), cell(hedge_prices), optional(lam)))


@xw.func(category=CATEGORY)
@short_errors
@arg("spot_prices", ndim=2, doc="Spot prices, oldest first")
@arg("futures_prices", ndim=2, doc="Futures prices, same rows")
def MF_HEDGE_RATIO(spot_prices: Any, futures_prices: Any) -> Any:
    """Minimum-variance hedge ratio rho x sd(dS) / sd(dF) from price changes (Hull ch. 3)."""
    return to_cells(hedge_ratio(cell(spot_prices), cell(futures_prices)))


@xw.func(category=CATEGORY)
@short_errors
@arg("spot_prices", ndim=2, doc="Spot prices, oldest first")
@arg("futures_prices", ndim=2, doc="Futures prices, same rows")
def MF_HEDGE_STATS(spot_prices: Any, futures_prices: Any) -> Any:
    """Hedge ratio, correlation, volatilities of price changes and hedge effectiveness (rho squared) as a spill."""
    return to_cells(hedge_stats(cell(spot_prices), cell(futures_prices)).rows())


@xw.func(category=CATEGORY)
@short_errors
@arg("asset_prices", ndim=2, doc="Asset prices, oldest first")
@arg("hedge_prices", ndim=2, doc="Hedge instrument prices, same rows")
@arg("window", ndim=2, doc="Number of returns in each window")
def MF_ROLLING_BETA(asset_prices: Any, hedge_prices: Any, window: Any) -> Any:
    """A column of OLS betas over a moving window of returns; the first value belongs beside price window+1."""
    return rolling_beta_cells(rolling_beta(cell(asset_prices), cell(hedge_prices), cell(window)))


@xw.func(category=CATEGORY)
@short_errors
@arg("exposure", ndim=2, doc="Position value in USD (negative for a short)")
@arg("beta", ndim=2, doc="Beta of the position to the hedge instrument")
@arg("hedge_price", ndim=2, doc="Price of the hedge contract")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("target_beta", ndim=2, doc="Optional beta to reach; 0 (fully hedged) if omitted")
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_HEDGE(
    exposure: Any,
    beta: Any,
    hedge_price: Any,
    contract: Any,
    target_beta: Any = None,
    specs: Any = None,
) -> Any:
    """Signed contracts to trade (negative = sell) to move the exposure's beta to target_beta, nearest lot step."""
    target = optional(target_beta)
    return to_cells(
        hedge(
            cell(exposure),
            cell(beta),
            cell(hedge_price),
            cell(contract),
            0.0 if target is None else target,
            spec_table(specs),
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("exposures", ndim=2, doc="Position values in USD, one per holding (negative for shorts)")
@arg("betas", ndim=2, doc="Beta of each holding to the hedge instrument")
@arg("hedge_price", ndim=2, doc="Price of the hedge contract")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("target_beta", ndim=2, doc="Optional portfolio beta to reach; 0 if omitted")
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_PORTFOLIO_HEDGE(
    exposures: Any,
    betas: Any,
    hedge_price: Any,
    contract: Any,
    target_beta: Any = None,
    specs: Any = None,
) -> Any:
    """Portfolio beta and the hedge that moves it to target_beta: two-column spill (label, value)."""
    target = optional(target_beta)
    plan = portfolio_hedge(
        cell(exposures),
        cell(betas),
        cell(hedge_price),
        cell(contract),
        0.0 if target is None else target,
        spec_table(specs),
    )
    return to_cells(plan.rows())


@xw.func(category=CATEGORY)
@short_errors
def MF_VERSION() -> str:
    """The microsize package version."""
    return __version__


# ----------------------------------------------------------------- trader inputs
_SIDE_DOC = "long or short (or 1 / -1)"
_TICK_CONTRACT_DOC = "Optional contract whose tick size rounds the price; unrounded if omitted"


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
@arg("entry", ndim=2, doc="Entry price")
@arg("atr", ndim=2, doc="Average true range (e.g. from MF_ATR), in price units")
@arg("multiple", ndim=2, doc="How many ATRs from entry (e.g. 2)")
@arg("side", ndim=2, doc=_SIDE_DOC)
@arg("contract", ndim=2, doc=_TICK_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("contract", ndim=2, doc=_TICK_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("target", ndim=2, doc="Take-profit price on the profit side")
@arg("contract", ndim=2, doc="Optional contract (inverse PnL for coin-margined); linear if omitted")
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("r_multiple", ndim=2, doc="Reward in multiples of the risk at the stop (e.g. 3 for 3R)")
@arg(
    "contract",
    ndim=2,
    doc="Optional contract: its tick and kind (inverse is exact); linear if omitted",
)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("entry", ndim=2, doc="Entry price")
@arg("roi", ndim=2, doc="Return on initial margin as a fraction (50% = 0.5; negative for a loss)")
@arg("leverage", ndim=2, doc="Leverage (e.g. 10 for 10x)")
@arg("side", ndim=2, doc=_SIDE_DOC)
@arg("contract", ndim=2, doc="Optional contract: its tick and kind (inverse); linear if omitted")
@arg("fee_rate", ndim=2, doc="Optional fee per side; 0 if omitted, as the exchanges' calculators")
@arg("specs", ndim=2, doc=_SPEC_DOC)
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
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_RISK_TO_SETTLE(usd_amount: Any, stop_price: Any, contract: Any, specs: Any = None) -> Any:
    """A USD risk budget in the settlement currency: coin = USD / stop for inverse contracts (rounded down), unchanged for USD-settled ones."""
    return to_cells(
        risk_to_settle(cell(usd_amount), cell(stop_price), cell(contract), spec_table(specs))
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("usd_amount", ndim=2, doc="Risk budget in USD")
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price (or its fill, MF_STOP_FILL): below entry = long")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
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


# --------------------------------------------------------------- table columns (worksheets)
@xw.func(category=CATEGORY)
@short_errors
@arg("entry", ndim=2, doc="Entry price of each trade (a column)")
@arg("stop_price", ndim=2, doc="Stop price of each trade: below entry = long, above = short")
@arg("contracts", ndim=2, doc="Size of each trade in the venue's order unit (MF_CONTRACTS)")
@arg("leverage", ndim=2, doc="Leverage of each trade (20 = 20x); blank = no leverage")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_LIQ_CHECK(
    entry: Any,
    stop_price: Any,
    contracts: Any,
    leverage: Any,
    contract: Any,
    specs: Any = None,
) -> Any:
    """A column of sentences, one per trade: the isolated liquidation price and whether it comes before the stop (then the highest leverage that keeps it beyond)."""

    return liquidation_checks(
        cell(entry),
        cell(stop_price),
        cell(contracts),
        cell(leverage),
        cell(contract),
        spec_table(specs),
    )


@xw.func(category=CATEGORY)
@short_errors
@arg("prices", ndim=2, doc="Price table with a header row naming each column, oldest first")
@arg("assets", ndim=2, doc="Column name of each holding's asset (a column of names)")
@arg("hedge_column", ndim=2, doc="Column name of the hedge instrument, e.g. BTC")
@arg(
    "lam",
    ndim=2,
    doc="Optional decay 0 < lam < 1 for exponentially weighted betas; OLS if omitted",
)
def MF_BETAS(prices: Any, assets: Any, hedge_column: Any, lam: Any = None) -> Any:
    """A column of betas, one per named asset, each on the hedge column of the same price table (OLS slope of simple returns)."""

    return betas_from_table(cell(prices), cell(assets), cell(hedge_column), optional(lam))


@xw.func(category=CATEGORY)
@short_errors
@arg("equity", ndim=2, doc="Account size in the settlement currency")
@arg(
    "risk",
    ndim=2,
    doc="Fraction of the account per trade (1.5% = 0.015); blank where an amount is given",
)
@arg("risk_amount", ndim=2, doc="Money to risk per trade; blank where a risk % is given")
def MF_RISK_BUDGETS(equity: Any, risk: Any, risk_amount: Any) -> Any:
    """A column of risk budgets, one per trade: the trade's risk amount, or equity x its risk %; each row gives exactly one."""

    return risk_budgets(cell(equity), cell(risk), cell(risk_amount))


# ------------------------------------------- signed exposure and trade plans (worksheets)
@xw.func(category=CATEGORY)
@short_errors
@arg(
    "contracts",
    ndim=2,
    doc="Signed position in the venue's order unit: positive long, negative short",
)
@arg("price", ndim=2, doc="Price (mark or last)")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_EXPOSURE(contracts: Any, price: Any, contract: Any, specs: Any = None) -> Any:
    """Signed USD exposure: positive long, negative short (MF_NOTIONAL is unsigned); per row over columns, a bad row shows its message."""

    return to_cells(exposures(cell(contracts), cell(price), cell(contract), spec_table(specs)))


_PLAN_ARGS = (
    ("equity", "Account size in USD"),
    ("risk", "Fraction of the account per trade (1.5% = 0.015); blank where an amount is given"),
    ("risk_amount", "USD to risk per trade; blank where a risk % is given"),
    ("entry", "Entry price of each trade (a column)"),
    ("stop_price", "Stop price of each trade: below entry = long, above = short"),
    ("contract", _CONTRACT_DOC),
    ("fee_rate", "Optional fee per side of each trade; a blank cell is 0"),
    ("leverage", "Optional leverage of each trade (20 = 20x); a blank cell is no leverage (1x)"),
    ("specs", _SPEC_DOC),
)


def _plan_args(fn: _F) -> _F:
    for name, doc in reversed(_PLAN_ARGS):
        fn = arg(name, ndim=2, doc=doc)(fn)
    return fn


def _plan_cells(*args: Any) -> tuple[Any, ...]:
    """MF_PLAN's and MF_PLAN_TOTALS's arguments (equity .. leverage, specs) as the planner
    takes them: each a cell's value, the last a spec table."""
    *values, specs = args
    return (*(cell(v) for v in values), spec_table(specs))


@xw.func(category=CATEGORY)
@short_errors
@_plan_args
def MF_PLAN(
    equity: Any,
    risk: Any,
    risk_amount: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    leverage: Any = None,
    specs: Any = None,
) -> Any:
    """One row per planned trade, in USD: Risk budget, Contracts, Risk at stop, Exposure (short -), Margin, Check; a bad row shows its message in Check and the others compute."""

    return plan_trades(
        *_plan_cells(
            equity, risk, risk_amount, entry, stop_price, contract, fee_rate, leverage, specs
        )
    )


@xw.func(category=CATEGORY)
@short_errors
@_plan_args
def MF_PLAN_TOTALS(
    equity: Any,
    risk: Any,
    risk_amount: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    leverage: Any = None,
    specs: Any = None,
) -> Any:
    """A column: combined risk at stop, combined margin, net exposure (USD) of MF_PLAN's trades; text naming the rows with errors if any trade failed."""

    return plan_totals(
        *_plan_cells(
            equity, risk, risk_amount, entry, stop_price, contract, fee_rate, leverage, specs
        )
    )
