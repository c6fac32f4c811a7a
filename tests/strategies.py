"""Hypothesis strategies: the decimals users type, and the bundled contracts."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import microsize as ms

KEYS = sorted(s.key for s in ms.load_specs().values())
NUMERIC_SIZES = [0.001, 0.01, 0.1, 1.0, 5.0, 50.0]


def decimals(lo: str, hi: str, places: int) -> st.SearchStrategy[float]:
    """Floats that are exactly the decimal a user would type (at most ``places`` decimals)."""
    return st.decimals(
        min_value=Decimal(lo),
        max_value=Decimal(hi),
        places=places,
        allow_nan=False,
        allow_infinity=False,
    ).map(float)


prices = st.one_of(decimals("0.5", "10", 4), decimals("10", "150000", 2))
budgets = st.one_of(decimals("0", "100", 4), decimals("0", "1000000", 2))
fees = st.sampled_from([0.0, 0.0002, 0.0005, 0.00055, 0.001, 0.0075])
contracts_keys = st.one_of(st.sampled_from(KEYS), st.sampled_from(NUMERIC_SIZES))


@st.composite
def trades(draw: st.DrawFn) -> tuple[float, float, float, object, float]:
    """(budget, entry, stop, contract, fee) with stop != entry."""
    entry = draw(prices)
    stop = draw(prices.filter(lambda s: s != entry))
    return draw(budgets), entry, stop, draw(contracts_keys), draw(fees)


def bounded(max_examples: int) -> Callable[[Any], Any]:
    """The settings of a run over every MF_ function: ``max_examples`` each, reproducible
    (derandomized, no example database), no deadline and no health check (the draws are
    Excel-shaped values of every kind, slow and filtered on purpose)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
