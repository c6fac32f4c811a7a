"""Excel functions (xlwings UDFs): every MF_ function, in one module the spreadsheets read.

Set ``UDF Modules`` to ``microsize.udfs`` in the workbook's ``xlwings.conf`` sheet and
import the functions once (see the README). xlwings registers each decorated function it
finds in this module's namespace; xlwings Lite (``microsize.lite``) and the LibreOffice
add-in read the names in ``__all__``.

The functions are declared by family (the modules listed in ``udfs_args.FAMILIES``):

- ``udfs_sizing``: contracts for a risk budget, risk, notional, PnL, average entry,
  break-even, conversion, the spec table, the version;
- ``udfs_ladder``: ladders in and out;
- ``udfs_margin``: margin, liquidation, leverage, funding;
- ``udfs_hedge``: betas and hedges;
- ``udfs_trader``: ATR, stops, stop fills, reward/risk, targets, USD budgets;
- ``udfs_planner``: the worksheet columns (the trade plan, exposures, betas, checks).

Each declaration normalises what Excel hands over (1x1 ranges, empty cells, nested
tuples), calls the core and returns plain Python values; a bad input becomes the short
message xlwings shows in the cell (:mod:`microsize.udf_boundary`).

Excel parameter names avoid VBA keywords: ``stop`` is a VBA statement, so the Excel
argument is ``stop_price`` (the Python API keeps ``stop``).
"""

from __future__ import annotations

from .udfs_hedge import (
    MF_BETA,
    MF_HEDGE,
    MF_HEDGE_RATIO,
    MF_HEDGE_STATS,
    MF_PORTFOLIO_HEDGE,
    MF_ROLLING_BETA,
)
from .udfs_ladder import (
    MF_LADDER,
    MF_LADDER_PRICES,
    MF_SCALE_OUT,
    MF_WEIGHTS,
)
from .udfs_margin import (
    MF_FUNDING,
    MF_LIQ_PRICE,
    MF_MAINT_MARGIN,
    MF_MARGIN,
    MF_MAX_CONTRACTS_MARGIN,
    MF_MAX_LEVERAGE,
)
from .udfs_planner import (
    MF_BETAS,
    MF_EXPOSURE,
    MF_LIQ_CHECK,
    MF_PLAN,
    MF_PLAN_TOTALS,
    MF_RISK_BUDGETS,
)
from .udfs_sizing import (
    MF_AVG_ENTRY,
    MF_BREAKEVEN,
    MF_CONTRACTS,
    MF_CONVERT,
    MF_NOTIONAL,
    MF_PNL,
    MF_RISK,
    MF_RISK_AMOUNT,
    MF_SIZE,
    MF_SPEC,
    MF_SPECS,
    MF_VERSION,
)
from .udfs_trader import (
    MF_ATR,
    MF_ATR_STOP,
    MF_CONTRACTS_USD,
    MF_RISK_TO_SETTLE,
    MF_ROI_TARGET,
    MF_RR,
    MF_STOP_FILL,
    MF_TARGET,
)

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
