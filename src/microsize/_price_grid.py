"""Prices on an exchange's grid, shared by the trader inputs (:mod:`microsize._targets`,
:mod:`microsize._stops`, :mod:`microsize._usd_budget`): a contract's tick, rounding to it
in the direction that keeps a function's promise, counted exactly on a tick boundary.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from ._contracts import ContractSpec
from ._errors import MicrosizeError
from ._exact import clean_multiple, count_steps, exact
from ._inputs import (
    FloatArray,
)
from ._position import side_sign
from ._sizing import one_contract

__all__ = [
    "all_finite",
    "decimal_toward",
    "on_the_grid",
    "one_spec",
    "round_to_tick",
    "scalar_index",
    "side_signs",
    "spec_or_none",
    "tick_of",
    "tick_text",
]


# ------------------------------------------------------------------------ helpers
def one_spec(contract: Any, specs: Any) -> ContractSpec:
    """One contract, or a message naming the argument (a ragged range included)."""
    try:
        return one_contract(contract, specs)
    except MicrosizeError:
        raise
    except ValueError:  # numpy refuses a ragged range before the lookup sees it
        raise MicrosizeError(
            "contract must be a single contract key or size, not a ragged range"
        ) from None


def spec_or_none(contract: Any, specs: Any) -> ContractSpec | None:
    if contract is None or (isinstance(contract, str) and contract.strip() == ""):
        return None
    return one_spec(contract, specs)


def side_signs(side: Any) -> FloatArray:
    """+1 long, -1 short per cell; an empty or ragged range is refused."""
    try:
        sd = side_sign(side)
    except MicrosizeError:
        raise
    except ValueError:
        raise MicrosizeError("side must be long, short, 1 or -1, not a ragged range") from None
    if sd.size == 0:
        raise MicrosizeError("side is an empty range: type long or short")
    return sd


def tick_of(spec: ContractSpec | None) -> float | None:
    return None if spec is None else spec.tick_size


def all_finite(result: FloatArray, names: str) -> FloatArray:
    """Refuse an overflow (huge inputs) with a message naming the arguments."""
    if not np.all(np.isfinite(result)):
        raise MicrosizeError(f"{names}: the result is too large to compute (check the inputs)")
    return result


def round_to_tick(
    price: FloatArray,
    up: npt.NDArray[np.bool_],
    tick: float | None,
    exact_price: Callable[[tuple[int, ...]], Fraction],
) -> FloatArray:
    """Prices on the tick grid: up (ceil) where ``up`` is true, else down (floor).

    Boundaries are decided exactly: ``exact_price(index)`` gives the unrounded price as a
    fraction of the decimals the user typed. Without a tick the price is the decimal of
    15 significant digits next to the exact price in the same direction: a float alone
    can land a hair short of the promise (an R of 2 - 1e-14), this never does, and a price
    that is a short decimal (110, 3581.95) stays that decimal.
    """
    if tick is None:
        out = np.empty(np.shape(price))
        flags = np.broadcast_to(up, out.shape)
        for idx in np.ndindex(out.shape):
            out[idx] = decimal_toward(exact_price(idx), bool(flags[idx]))
        return out
    t = exact(tick)
    with np.errstate(over="ignore", invalid="ignore"):
        q = price / tick
        down = count_steps(q, "floor", lambda i: exact_price(i) / t)
        ceil = -count_steps(-q, "floor", lambda i: -exact_price(i) / t)
    steps = np.where(up, ceil, down)
    return clean_multiple(steps, np.asarray(tick))


_UP = Context(prec=15, rounding=ROUND_CEILING, Emax=999_999, Emin=-999_999)
_DOWN = Context(prec=15, rounding=ROUND_FLOOR, Emax=999_999, Emin=-999_999)


def decimal_toward(q: Fraction, up: bool) -> float:
    """The 15-significant-digit decimal next to ``q``: at or above it when ``up``, else at
    or below; as a float whose shortest repr is that decimal (15 digits round-trip).

    >>> decimal_toward(Fraction(1, 3), True), decimal_toward(Fraction(1, 3), False)
    (0.333333333333334, 0.333333333333333)
    """
    ctx = _UP if up else _DOWN
    return float(ctx.divide(Decimal(q.numerator), Decimal(q.denominator)))


def on_the_grid(price: FloatArray, names: str, tick: float | None) -> npt.NDArray[np.bool_]:
    """Cells whose rounded price is 0 or less (the tick is as large as the price); a price
    beyond floats is refused here naming ``names``."""
    all_finite(price, names)
    return np.asarray(price <= 0)


def tick_text(tick: float | None) -> str:
    return "" if tick is None else f" on the tick {format(tick, 'g')}"


def scalar_index(shape: tuple[int, ...]) -> Callable[[Any, tuple[int, ...]], float]:
    """``get(arr, i)``: element ``i`` of ``arr`` broadcast to ``shape`` (each array is
    broadcast once, not once per element: a column recounted cell by cell)."""
    seen: dict[int, tuple[Any, Any]] = {}  # id -> (the array, kept alive; its view)

    def get(arr: Any, i: tuple[int, ...]) -> float:
        got = seen.get(id(arr))
        if got is None:
            got = seen[id(arr)] = (arr, np.broadcast_to(arr, shape))
        return float(got[1][i])

    return get
