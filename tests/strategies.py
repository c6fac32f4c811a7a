"""Hypothesis strategies (the decimals users type, the bundled contracts) and the exact
oracles the property tests check the core against: the decimal a float stands for, a
contract's spec, and the loss and PnL of one order unit as docs/CONVENTIONS.md (Units,
Fees) defines them, in fractions (written here from the document, not from the core)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
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


# ------------------------------------------------------------------------ oracles
def typed_decimal(x: object) -> Fraction:
    """The decimal a float stands for (its shortest repr, as a cell shows it), exactly."""
    return Fraction(repr(float(x)))  # type: ignore[arg-type]


def spec_of(contract: object) -> ms.ContractSpec:
    """The bundled spec of a key, or the linear contract of a typed size."""
    if isinstance(contract, str):
        return ms.load_specs()[contract]
    assert isinstance(contract, float)
    return ms.ContractSpec.numeric(contract)


def unit_loss(spec: ms.ContractSpec, e: float, s: float, f: float) -> Fraction:
    """Loss of one order unit entered at ``e`` and stopped at ``s``, fee ``f`` on both
    sides: linear and quanto ``k (|E - S| + f (E + S))``, inverse
    ``k (|1/S - 1/E| + f (1/E + 1/S))``."""
    k, E, S, Fe = (typed_decimal(x) for x in (spec.contract_size, e, s, f))
    if spec.kind == "inverse":
        return k * (abs(1 / S - 1 / E) + Fe * (1 / E + 1 / S))
    return k * (abs(E - S) + Fe * (E + S))


def unit_pnl(inverse: bool, side: int, e: Fraction, x: Fraction, f: Fraction) -> Fraction:
    """PnL per unit of contract size of a ``side`` position from ``e`` to ``x``, both fees
    deducted: linear ``side (X - E) - f (E + X)``, inverse ``side (1/E - 1/X) - f (1/E + 1/X)``."""
    if inverse:
        return side * (1 / e - 1 / x) - f * (1 / e + 1 / x)
    return side * (x - e) - f * (e + x)
