"""Ladder prices and weights: the levels from a first to a last price (even or geometric
steps, on the tick) and the weight presets (equal, pyramid, increasing) a ladder takes."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import number_text, single
from ._checks import positive as _positive
from ._contracts import SpecsLike
from ._errors import MicrosizeError
from ._exact import clean_multiple, count_steps, exact
from ._inputs import FloatArray, Numeric, Spacing, WeightPreset, describe, is_missing
from ._sizing import one_contract
from ._sums import total

__all__ = ["ladder_prices", "ladder_weights"]


def _legs(value: Any) -> int:
    n = single(value, "legs")
    if n != int(n) or not 1 <= n <= 1000:
        raise MicrosizeError(f"legs must be a whole number from 1 to 1000 (got {describe(n)})")
    return int(n)


_SPACINGS = {
    "even": "even",
    "arithmetic": "even",
    "linear": "even",
    "geometric": "geometric",
    "ratio": "geometric",
}


def ladder_prices(
    first_price: Numeric,
    last_price: Numeric,
    legs: Numeric,
    spacing: Spacing | None = None,
    tick: Numeric | None = None,
    specs: SpecsLike = None,
) -> FloatArray:
    """Prices for ``legs`` levels from ``first_price`` to ``last_price``, both included.

    ``spacing`` is ``"even"`` (equal differences, as grid bots' arithmetic grid) or
    ``"geometric"`` (equal ratios, P_i = first x (last / first)^(i / (legs - 1))).
    ``tick`` is a tick size, or a contract key whose tick_size is used; prices are then
    rounded to the nearest tick (halves away from zero).

    Parameters
    ----------
    first_price, last_price : float
        The first and the last level, > 0, both included.
    legs : int
        Number of levels, a whole number from 1 to 1000.
    spacing : {"even", "geometric"}, optional
        Equal differences (the default) or equal ratios.
    tick : float or str, optional
        A tick size, or a contract key whose tick size is used; unrounded when omitted.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled (or user) table when omitted.

    Examples
    --------
    >>> ladder_prices(3520, 3480, 3).tolist()
    [3520.0, 3500.0, 3480.0]
    >>> ladder_prices(100, 400, 3, "geometric").tolist()
    [100.0, 200.0, 400.0]
    """
    a = single(_positive(first_price, "first_price"), "first_price")
    b = single(_positive(last_price, "last_price"), "last_price")
    n = _legs(legs)
    if n > 1 and a == b:
        raise MicrosizeError(
            f"last_price must differ from first_price for {n} legs (got {describe(a)} twice)"
        )
    key = "even" if spacing is None or is_missing(spacing) else str(spacing).strip().lower()
    if key not in _SPACINGS:
        raise MicrosizeError(f"spacing must be even or geometric (got {describe(spacing)})")
    i = np.arange(n, dtype=np.float64)
    frac = i / (n - 1) if n > 1 else i
    prices = a + (b - a) * frac if _SPACINGS[key] == "even" else a * (b / a) ** frac
    prices[-1] = b if n > 1 else a
    if tick is None or is_missing(tick):
        return prices
    if isinstance(tick, str):
        spec = one_contract(tick, specs, "tick")
        if spec.tick_size is None:
            raise MicrosizeError(
                f"tick: {spec.key} has no tick_size in the spec table; type a tick size"
            )
        size = spec.tick_size
    else:
        size = single(_positive(tick, "tick"), "tick")
    steps = count_steps(prices / size, "nearest", lambda j: exact(float(prices[j])) / exact(size))
    rounded = clean_multiple(steps, np.asarray(size))
    if np.any(rounded <= 0):
        at = int(np.argmax(rounded <= 0))
        raise MicrosizeError(
            f"tick {number_text(size)} rounds the price {describe(float(prices[at]))} at item {at + 1} "
            "to 0: use a smaller tick or higher prices"
        )
    if n > 1 and np.any(np.diff(rounded) == 0):
        raise MicrosizeError(
            f"levels are closer than one tick ({number_text(size)}): use fewer legs or a wider range"
        )
    return rounded


_PRESETS = {
    "equal": "equal",
    "flat": "equal",
    "pyramid": "decreasing",
    "decreasing": "decreasing",
    "increasing": "increasing",
    "inverse pyramid": "increasing",
}


def ladder_weights(legs: Numeric, preset: WeightPreset | None = None) -> FloatArray:
    """Weight presets as shares summing to 1: equal, pyramid (decreasing n, n-1, ..., 1),
    increasing (1, 2, ..., n).

    Parameters
    ----------
    legs : int
        Number of legs, a whole number from 1 to 1000.
    preset : {"equal", "pyramid", "increasing"}, optional
        Equal shares (the default), decreasing n, n-1, ..., 1, or increasing 1, ..., n.

    Examples
    --------
    >>> ladder_weights(3, "pyramid").tolist()
    [0.5, 0.3333333333333333, 0.16666666666666666]
    """
    n = _legs(legs)
    key = "equal" if preset is None or is_missing(preset) else str(preset).strip().lower()
    if key not in _PRESETS:
        raise MicrosizeError(
            f"preset must be equal, pyramid or increasing (got {describe(preset)})"
        )
    raw = {
        "equal": np.ones(n),
        "decreasing": np.arange(n, 0, -1, dtype=np.float64),
        "increasing": np.arange(1, n + 1, dtype=np.float64),
    }[_PRESETS[key]]

    return np.asarray(raw / total(raw), dtype=np.float64)
