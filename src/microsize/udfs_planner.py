"""The MF_ functions over a worksheet table of trades, one row per trade: the trade plan
and its totals, exposures, betas, liquidation checks and risk budgets.

Declarations only (see :mod:`microsize.udfs_args`); :mod:`microsize.udfs` re-exports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import xlwings as xw

from ._planner import (
    betas_from_table,
    exposures,
    liquidation_checks,
    plan_totals,
    plan_trades,
    risk_budgets,
)
from .udf_boundary import (
    cell,
    optional,
    short_errors,
    spec_table,
    to_cells,
)
from .udfs_args import (
    CATEGORY,
    CONTRACT_DOC,
    SPEC_DOC,
    arg,
)

__all__ = [
    "MF_BETAS",
    "MF_EXPOSURE",
    "MF_LIQ_CHECK",
    "MF_PLAN",
    "MF_PLAN_TOTALS",
    "MF_RISK_BUDGETS",
]


@xw.func(category=CATEGORY)
@short_errors
@arg("entry", ndim=2, doc="Entry price of each trade (a column)")
@arg("stop_price", ndim=2, doc="Stop price of each trade: below entry = long, above = short")
@arg("contracts", ndim=2, doc="Size of each trade in the venue's order unit (MF_CONTRACTS)")
@arg("leverage", ndim=2, doc="Leverage of each trade (20 = 20x); blank = no leverage")
@arg("contract", ndim=2)
@arg("specs", ndim=2)
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
@arg("equity", ndim=2)
@arg(
    "risk",
    ndim=2,
    doc="Fraction of the account per trade (1.5% = 0.015); blank where an amount is given",
)
@arg("risk_amount", ndim=2, doc="Money to risk per trade; blank where a risk % is given")
def MF_RISK_BUDGETS(equity: Any, risk: Any, risk_amount: Any) -> Any:
    """A column of risk budgets, one per trade: the trade's risk amount, or equity x its risk %; each row gives exactly one."""

    return risk_budgets(cell(equity), cell(risk), cell(risk_amount))


@xw.func(category=CATEGORY)
@short_errors
@arg(
    "contracts",
    ndim=2,
    doc="Signed position in the venue's order unit: positive long, negative short",
)
@arg("price", ndim=2, doc="Price (mark or last)")
@arg("contract", ndim=2)
@arg("specs", ndim=2)
def MF_EXPOSURE(contracts: Any, price: Any, contract: Any, specs: Any = None) -> Any:
    """Signed USD exposure: positive long, negative short (MF_NOTIONAL is unsigned); per row over columns, a bad row shows its message."""

    return to_cells(exposures(cell(contracts), cell(price), cell(contract), spec_table(specs)))


_F = TypeVar("_F", bound=Callable[..., Any])

_PLAN_ARGS = (
    ("equity", "Account size in USD"),
    ("risk", "Fraction of the account per trade (1.5% = 0.015); blank where an amount is given"),
    ("risk_amount", "USD to risk per trade; blank where a risk % is given"),
    ("entry", "Entry price of each trade (a column)"),
    ("stop_price", "Stop price of each trade: below entry = long, above = short"),
    ("contract", CONTRACT_DOC),
    ("fee_rate", "Optional fee per side of each trade; a blank cell is 0"),
    ("leverage", "Optional leverage of each trade (20 = 20x); a blank cell is no leverage (1x)"),
    ("specs", SPEC_DOC),
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
