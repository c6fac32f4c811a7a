"""Losses at the stop: per unit (float and exact) and as shown, never above the exact loss.

Pure helpers of the sizing core. A loss is shown with 12 significant digits cut
downwards, so a size within a budget shows within it whatever digits the budget has;
the same cut makes a risk budget never exceed equity x risk.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ._exact import (
    clean_money,
    clean_money_at_most,
    exact,
    floor_grid,
    floor_money,
    places,
    repr_decimals,
)
from ._inputs import FloatArray
from ._kind import INVERSE as INVERSE
from ._kind import fee_per_size, stop_move, unit_loss_exact

__all__ = ["floor_money_array"]  # the rest is the sizing core's, imported by name


def full_array(x: Any, shape: tuple[int, ...]) -> FloatArray:
    """``x`` as an array of the broadcast shape (a view when no copy is needed)."""
    return np.broadcast_to(np.asarray(x, dtype=np.float64), shape)


def unit_loss_of(kind: int, size: float, e: float, s: float, f: float) -> Fraction:
    """The exact loss of one order unit for float inputs typed as decimals."""
    return unit_loss_exact(kind == INVERSE, exact(size), exact(e), exact(s), exact(f))


def inverse_loss_in_usd(c: float, size: float, e: float, fill: float, f: float) -> float:
    """``c`` contracts of an inverse contract (size ``size``) entered at ``e``: their coin
    loss at the stop fill, valued in USD at that price (Deribit Insights, "Deribit Inverse
    Contracts - Calculating Profit in BTC and USD"), cut to 12 digits.

    >>> inverse_loss_in_usd(100, 1.0, 50000.0, 40000.0, 0.0)  # 100 USD face: 0.0005 BTC
    20.0
    """
    usd = exact(c) * unit_loss_of(INVERSE, size, e, fill, f) * exact(fill)
    return float(clean_money(np.asarray(float(usd))))


#: A float loss with a relative error above this may sit on the wrong side of a 12-digit
#: decimal (grid points are at least 1e-12 apart, relatively): it is recounted exactly.
_NOISY = 2e-13


def _typed_difference(e: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """|E - S| of the decimals typed, as the nearest float, and where that worked.

    ``e - s`` of two floats is exact when they are close, but each float is off its
    decimal by up to 2^-53 of its size, and the difference of a stop 0.01 from 60,000
    carries that error magnified 10^7 times. Prices typed with at most 9 decimals are
    recovered exactly: their difference is a multiple of 10^-d, so rounding the float
    difference to d decimals gives the decimal difference back (while e x 10^d < 1e15
    keeps the float error below half a unit of the d-th decimal).
    """
    if np.ndim(e) == 0 and np.ndim(s) == 0:  # one trade: read the decimals off repr
        ef, sf = float(e), float(s)
        d1, d2 = repr_decimals(ef), repr_decimals(sf)
        k = max(d1, d2)
        if k <= 9 and max(ef, sf) * 10.0**k < 1e15:
            return np.asarray(round(abs(ef - sf) * 10.0**k) / 10.0**k), np.asarray(True)
        return np.asarray(abs(ef - sf)), np.asarray(False)
    d = np.full(np.shape(e), 99.0)
    for k in range(9, -1, -1):  # the fewest decimals that reproduce both prices
        with np.errstate(over="ignore", invalid="ignore"):
            both = (np.round(e, k) == e) & (np.round(s, k) == s)
        d = np.where(both, float(k), d)
    scale = 10.0 ** np.minimum(d, 9.0)
    with np.errstate(over="ignore", invalid="ignore"):
        ok = (d <= 9) & (np.maximum(e, s) * scale < 1e15)
        diff = np.where(ok, np.rint(np.abs(e - s) * scale) / scale, np.abs(e - s))
    return diff, ok


def loss_shown(
    c: FloatArray, kind: Any, size: Any, e: FloatArray, s: FloatArray, f: FloatArray
) -> FloatArray:
    """Loss at the stop of ``c`` units as shown: the exact loss cut to 12 digits.

    Never above the exact loss, so a loss within a budget shows within it whatever digits
    the budget has; a loss of at most 12 digits (29.96) shows as itself. The entry - stop
    difference is taken as the decimals typed (see :func:`_typed_difference`), so the
    float loss is within a few units in the last place of the exact one. For linear and
    quanto contracts that is enough to read the exact decimal off it (below); inverse
    losses, and prices with more than 9 decimals (whose float difference can be off by
    1.1e-16 x (E + S) / |E - S| of itself), are cut from the float where it is clearly
    on one side of a 12-digit decimal (see :func:`~microsize._exact.clean_money_at_most`)
    and recounted with fractions where it is not. MF_RISK, MF_SIZE and the check in
    :func:`~microsize._sizing._lots` all show a loss through this one function, so they agree.
    """
    diff, typed = _typed_difference(e, s)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        unit = size * (stop_move(kind, diff, e, s) + fee_per_size(kind, e, s, f))
        raw = np.asarray(c * unit, dtype=np.float64)
        rel = np.where(typed, 1e-15, 2.5e-16 * ((e + s) / np.abs(e - s) + 8.0))
    rel = np.broadcast_to(np.where(np.isfinite(rel), rel, 1.0), raw.shape)
    out = np.array(clean_money_at_most(raw, rel), dtype=np.float64, copy=True)
    live = (raw > 0) & np.isfinite(raw)
    linear = np.broadcast_to(np.asarray(kind) != INVERSE, raw.shape)
    # Linear and quanto losses of typed decimals are decimals themselves, with at most
    # T = places(c) + places(k) + places(f) + places(E, S) places: the float, within a
    # few ulp, is rounded to that grid to give the loss exactly, as an integer N / 10^T,
    # and N is cut to 12 digits with integer arithmetic.
    dec = places(c) + places(size) + places(f) + np.maximum(places(e), places(s))
    dec = np.broadcast_to(dec, raw.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = raw * 10.0 ** np.minimum(dec, 40.0)
    exactable = live & linear & typed & (dec <= 30) & (scaled < 5e14)
    if raw.ndim == 0 and bool(exactable):  # one cell
        return floor_grid(scaled, dec)
    if np.any(exactable):
        out[exactable] = floor_grid(scaled[exactable], dec[exactable])
    # the rest (inverse, untyped): recount exactly where the float cannot decide
    todo = live & ~exactable & ((rel >= _NOISY) | (np.abs(out - raw) <= rel * raw))
    if np.any(todo):
        shape = raw.shape
        for row in np.argwhere(todo):
            i = tuple(int(j) for j in row)
            k, sz = (float(full_array(x, shape)[i]) for x in (kind, size))
            ci, ei, si, fi = (float(full_array(x, shape)[i]) for x in (c, e, s, f))
            out[i] = floor_money(exact(ci) * unit_loss_of(int(k), sz, ei, si, fi))
    return out + 0.0


def floor_money_array(x: FloatArray) -> FloatArray:
    """Each element rounded down to 12 significant digits, exactly (x >= 0)."""
    out = np.array(x, dtype=np.float64, copy=True)
    for row in np.argwhere(out > 0):
        i = tuple(int(j) for j in row)
        out[i] = floor_money(exact(float(out[i])))
    return out


def money_product(a: FloatArray, b: FloatArray) -> FloatArray:
    """``a x b`` of typed decimals (>= 0) cut to 12 digits, never above the exact product,
    so a risk budget is never above equity x risk whatever digits they have."""
    prod = np.asarray(a * b, dtype=np.float64)
    out = np.array(clean_money(prod), dtype=np.float64, copy=True)
    dec = np.broadcast_to(places(a) + places(b), prod.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = prod * 10.0 ** np.minimum(dec, 40.0)
    live = (prod > 0) & np.isfinite(prod)
    exactable = live & (dec <= 30) & (scaled < 5e14)
    if prod.ndim == 0:
        if bool(exactable):
            return floor_grid(scaled, dec)
        if bool(live):
            return np.asarray(floor_money(exact(float(a)) * exact(float(b))))
        return out + 0.0
    out[exactable] = floor_grid(scaled[exactable], dec[exactable])
    for row in np.argwhere(live & ~exactable):  # many digits or huge: with fractions
        i = tuple(int(j) for j in row)
        out[i] = floor_money(exact(float(a[i])) * exact(float(b[i])))
    return out + 0.0
