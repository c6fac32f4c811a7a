"""The MF_ functions of betas and hedges: one position, a portfolio, rolling windows.

Declarations only (see :mod:`microsize.udfs_args`); :mod:`microsize.udfs` re-exports them.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw

from ._hedge import beta, hedge, hedge_ratio, hedge_stats, portfolio_hedge, rolling_beta
from .udf_boundary import (
    cell,
    optional,
    rolling_beta_cells,
    short_errors,
    spec_table,
    to_cells,
)
from .udfs_args import (
    CATEGORY,
    arg,
)

__all__ = [
    "MF_BETA",
    "MF_HEDGE",
    "MF_HEDGE_RATIO",
    "MF_HEDGE_STATS",
    "MF_PORTFOLIO_HEDGE",
    "MF_ROLLING_BETA",
]


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
@arg("contract", ndim=2)
@arg("target_beta", ndim=2, doc="Optional beta to reach; 0 (fully hedged) if omitted")
@arg("specs", ndim=2)
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
@arg("contract", ndim=2)
@arg("target_beta", ndim=2, doc="Optional portfolio beta to reach; 0 if omitted")
@arg("specs", ndim=2)
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
