"""microsize: precise risk allocation with crypto micro-futures.

Size trades so the loss at the stop never exceeds the budget, in the venue's own order
unit, for linear, inverse and quanto contracts. The same functions back the ``MF_``
Excel functions in :mod:`microsize.udfs`.

>>> import microsize as ms
>>> ms.contracts(30, 3520, 3450, "binance:ETHUSDT")
0.428
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # the names below, for type checkers; at run time each module loads on first use
    from ._contracts import (
        SPEC_COLUMNS,
        ContractLike,
        ContractSpec,
        MarginTier,
        SpecsLike,
        SpecTable,
        clear_spec_caches,
        load_bundled_margin_tiers,
        load_bundled_specs,
        load_margin_tiers,
        load_specs,
        max_spec_age_days,
        spec_age_days,
        stale_warning,
        user_home,
    )
    from ._errors import MicrosizeError
    from ._hedge import (
        HedgeStats,
        PortfolioHedge,
        beta,
        hedge,
        hedge_ratio,
        hedge_stats,
        portfolio_hedge,
        rolling_beta,
    )
    from ._inputs import (
        AtrMethod,
        Numeric,
        Result,
        Side,
        SideLike,
        Slippage,
        Spacing,
        WeightPreset,
    )
    from ._ladder import Ladder, ScaleOut, ladder, scale_out
    from ._ladder_grid import ladder_prices, ladder_weights
    from ._liq_check import LiquidationCheck, liquidation_check
    from ._margin import (
        funding,
        liq_price,
        maintenance_margin,
        margin,
        margin_tier,
        max_contracts_for_margin,
        max_leverage,
    )
    from ._planner import betas_from_table, liquidation_checks, risk_budgets
    from ._position import avg_entry, breakeven, convert
    from ._refresh import SpecDiff, diff_specs, diff_tiers
    from ._size_table import size_trade
    from ._sizing import (
        Sizing,
        contracts,
        notional,
        pnl,
        risk,
        risk_amount,
        sizing,
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
    from ._tiers import TierLike
    from ._volatility import atr, latest_atr, true_range

# Which core module holds each public name. Importing ``microsize`` (as every command
# line does, ``microsize.cli`` being a submodule) loads none of them: ``microsize size``
# does not pay for hedging, ladders or spec diffs (see bench/bench_startup.py).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "_contracts": (
        "SPEC_COLUMNS",
        "ContractLike",
        "ContractSpec",
        "MarginTier",
        "SpecsLike",
        "SpecTable",
        "clear_spec_caches",
        "load_bundled_margin_tiers",
        "load_bundled_specs",
        "load_margin_tiers",
        "load_specs",
        "max_spec_age_days",
        "spec_age_days",
        "stale_warning",
        "user_home",
    ),
    "_errors": ("MicrosizeError",),
    # the types of the public signatures (Literal values, aliases)
    "_inputs": (
        "AtrMethod",
        "Numeric",
        "Result",
        "Side",
        "SideLike",
        "Slippage",
        "Spacing",
        "WeightPreset",
    ),
    "_hedge": (
        "HedgeStats",
        "PortfolioHedge",
        "beta",
        "hedge",
        "hedge_ratio",
        "hedge_stats",
        "portfolio_hedge",
        "rolling_beta",
    ),
    "_ladder": (
        "Ladder",
        "ScaleOut",
        "ladder",
        "scale_out",
    ),
    "_ladder_grid": ("ladder_prices", "ladder_weights"),
    "_liq_check": ("LiquidationCheck", "liquidation_check"),
    "_margin": (
        "funding",
        "liq_price",
        "maintenance_margin",
        "margin",
        "margin_tier",
        "max_contracts_for_margin",
        "max_leverage",
    ),
    # the Python twins of MF_LIQ_CHECK, MF_BETAS and MF_RISK_BUDGETS (columns in, a column out)
    "_planner": ("betas_from_table", "liquidation_checks", "risk_budgets"),
    "_position": ("avg_entry", "breakeven", "convert"),
    "_refresh": (
        "SpecDiff",
        "diff_specs",
        "diff_tiers",
    ),
    "_size_table": ("size_trade",),
    "_sizing": (
        "Sizing",
        "contracts",
        "notional",
        "pnl",
        "risk",
        "risk_amount",
        "sizing",
    ),
    "_targets": (
        "atr_stop",
        "contracts_usd",
        "reward_risk",
        "risk_to_settle",
        "roi_target",
        "stop_fill",
        "target_price",
    ),
    "_tiers": ("TierLike",),
    "_volatility": (
        "atr",
        "latest_atr",
        "true_range",
    ),
}

_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}


if not TYPE_CHECKING:  # at run time only: type checkers see the imports above, so a
    # misspelt name is still an error to them

    def __getattr__(name: str) -> Any:
        """Load the core module that holds ``name`` on first use (PEP 562), then keep it."""
        module = _MODULE_OF.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(_MODULE_OF))


__all__ = [
    "SPEC_COLUMNS",
    "AtrMethod",
    "ContractLike",
    "ContractSpec",
    "HedgeStats",
    "Ladder",
    "LiquidationCheck",
    "MarginTier",
    "MicrosizeError",
    "Numeric",
    "PortfolioHedge",
    "Result",
    "ScaleOut",
    "Side",
    "SideLike",
    "Sizing",
    "Slippage",
    "Spacing",
    "SpecDiff",
    "SpecTable",
    "SpecsLike",
    "TierLike",
    "WeightPreset",
    "__version__",
    "atr",
    "atr_stop",
    "avg_entry",
    "beta",
    "betas_from_table",
    "breakeven",
    "clear_spec_caches",
    "contracts",
    "contracts_usd",
    "convert",
    "diff_specs",
    "diff_tiers",
    "funding",
    "hedge",
    "hedge_ratio",
    "hedge_stats",
    "ladder",
    "ladder_prices",
    "ladder_weights",
    "latest_atr",
    "liq_price",
    "liquidation_check",
    "liquidation_checks",
    "load_bundled_margin_tiers",
    "load_bundled_specs",
    "load_margin_tiers",
    "load_specs",
    "maintenance_margin",
    "margin",
    "margin_tier",
    "max_contracts_for_margin",
    "max_leverage",
    "max_spec_age_days",
    "notional",
    "pnl",
    "portfolio_hedge",
    "reward_risk",
    "risk",
    "risk_amount",
    "risk_budgets",
    "risk_to_settle",
    "roi_target",
    "rolling_beta",
    "scale_out",
    "size_trade",
    "sizing",
    "spec_age_days",
    "stale_warning",
    "stop_fill",
    "target_price",
    "true_range",
    "user_home",
]
