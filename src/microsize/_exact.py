"""Exact step counting for the decimals users type, and clean decimal results.

Floats cannot hold 0.1 or 0.001, so ``0.9 / (3 * 0.1 * 3)`` is 0.9999999999999999 and a
naive floor loses a whole contract. Every element is first counted in float; the few
whose count lies within a relative 1e-9 of a rounding boundary are recounted exactly
with :class:`fractions.Fraction` built from the shortest decimal of each input (the
number the user typed). The answer is therefore exact for decimal inputs while the
bulk of the work stays vectorised.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_FLOOR, Context, Decimal
from fractions import Fraction
from functools import lru_cache
from math import floor, isfinite, log10
from typing import Any, cast

import numpy as np

from ._inputs import FloatArray

__all__ = [
    "clean_money",
    "clean_money_at_most",
    "clean_multiple",
    "clean_one",
    "count_steps",
    "exact",
    "floor_grid",
    "floor_money",
    "places",
    "repr_decimals",
    "step_parts",
]

_TOL = 1e-9
math_inf = float("inf")


@lru_cache(maxsize=4096)
def exact(x: float) -> Fraction:
    """The decimal the float stands for, as an exact fraction.

    >>> exact(0.1)
    Fraction(1, 10)
    """
    return Fraction(repr(float(x)))


def count_steps(
    q: FloatArray, mode: str, exact_q: Callable[[tuple[int, ...]], Fraction]
) -> FloatArray:
    """Whole step counts of ``q`` (a ratio already divided by the step).

    ``mode`` is ``"floor"`` (round down) or ``"nearest"`` (halves away from zero).
    ``exact_q(index)`` recomputes one element exactly; it is called only where the
    float result is within a relative 1e-9 of a boundary.
    """
    scale = np.maximum(np.abs(q), 1.0)
    if mode == "floor":
        out = np.floor(q)
        near = np.abs(q - np.rint(q)) <= scale * _TOL
    elif mode == "nearest":
        out = np.sign(q) * np.floor(np.abs(q) + 0.5) + 0.0  # + 0.0 turns -0.0 into 0.0
        frac = np.abs(q) - np.floor(np.abs(q))
        near = np.abs(frac - 0.5) <= _TOL * scale
    else:  # pragma: no cover - internal misuse
        raise ValueError(mode)
    if near.any():
        out = np.array(out, dtype=np.float64, copy=True)
        for row in np.argwhere(near):
            idx = tuple(int(i) for i in row)
            f = exact_q(idx)
            if mode == "floor":
                out[idx] = floor(f)
            else:
                n = floor(abs(f) + Fraction(1, 2))
                out[idx] = n if f >= 0 else -n
    return out


@lru_cache(maxsize=256)
def step_parts(step: float) -> tuple[int, int]:
    """(integer units, decimals) with step = units / 10**decimals, for decimal steps."""
    d = Decimal(repr(step)).normalize()
    exp = d.as_tuple().exponent
    assert isinstance(exp, int)
    decimals = max(0, -exp)
    if decimals > 15:  # not a typed decimal: no cleaning possible
        return 0, 0
    return int(d.scaleb(decimals)), decimals


def clean_multiple(n: FloatArray, step: FloatArray) -> FloatArray:
    """``n * step`` as the clean decimal (431 x 0.001 is 0.431, not 0.43100000000000005).

    >>> float(clean_multiple(np.asarray(431.0), np.asarray(0.001)))
    0.431
    """
    if np.ndim(step) == 0:  # one contract: one step, no grouping needed
        units, decimals = step_parts(float(step))
        if units:
            return np.asarray((n * units) / 10.0**decimals, dtype=np.float64)
        return np.asarray(n * step, dtype=np.float64)
    n, step = np.broadcast_arrays(n, step)
    out = np.array(n * step, dtype=np.float64)
    for s in np.unique(step):
        units, decimals = step_parts(float(s))
        if units == 0:
            continue
        mask = step == s
        # an integer product divided by a power of ten rounds once, to the nearest float
        out[mask] = (n[mask] * units) / 10.0**decimals
    return out + 0.0


# 10^k for k = _P10_LOW .. 308, each the double nearest 10^k (Python reads decimals
# exactly rounded): np.power and np.log10 differ in the last bit per SIMD path (AVX-512 or
# not), which moved 12-digit rounding at 1e16 and 1e-12 from one CPU to the next
_P10_LOW = -340
_P10 = np.array([float(f"1e{k}") for k in range(_P10_LOW, 309)])


def pow10(e: Any) -> FloatArray:
    """10.0**e for whole-number floats e, the same on every CPU (inf above 1e308)."""
    e = np.asarray(e, dtype=np.float64)
    idx = (np.clip(e, _P10_LOW, 308) - _P10_LOW).astype(np.int64)
    return np.asarray(np.where(e > 308, np.inf, _P10[idx]), dtype=np.float64)


def _twelve_digit_scale(x: FloatArray) -> FloatArray:
    """10^(11 - floor(log10 |x|)), exactly: x times it has 12 digits before the point."""
    ax = np.abs(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.floor(np.log10(ax))
    mag = np.where(np.isfinite(mag), mag, 0.0)
    ok = np.isfinite(ax) & (ax > 0)  # log10 may be off by one next to a power of ten
    mag = mag + (ok & (ax >= pow10(mag + 1))) - (ok & (ax < pow10(mag)))
    return pow10(11 - mag)


def clean_money(x: FloatArray) -> FloatArray:
    """Round to 12 significant digits, so 0.428 x 70 shows 29.96, not 29.960000000000004.

    >>> float(clean_money(np.asarray(0.1 + 0.2)))
    0.3
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0:  # one cell: the same steps on a Python float, without array overhead
        return cast(FloatArray, np.float64(clean_one(float(x))))
    if x.size <= 4:  # a few cells: likewise, one at a time
        return np.array([clean_one(v) for v in x.ravel().tolist()]).reshape(x.shape) + 0.0
    scale = _twelve_digit_scale(x)
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.rint(x * scale) / scale
    return np.where(np.isfinite(out), out, x) + 0.0


def _p10(k: float) -> float:
    """:func:`pow10` of one whole number."""
    return math_inf if k > 308 else float(_P10[int(max(k, _P10_LOW)) - _P10_LOW])


def clean_one(x: float) -> float:
    """:func:`clean_money` of one float, step for step (``round`` is ``np.rint``: halves to
    even; the magnitude is corrected against the same table of powers of ten)."""
    ax = abs(x)
    if not (ax > 0 and isfinite(ax)):  # 0 (and -0) is 0.0; inf and NaN stay
        return x + 0.0
    mag = float(floor(log10(ax)))
    mag = mag + (ax >= _p10(mag + 1)) - (ax < _p10(mag))
    scale = _p10(11 - mag)
    y = x * scale
    if not isfinite(y):
        return x + 0.0
    out = round(y) / scale
    return (out if isfinite(out) else x) + 0.0


def clean_money_at_most(x: FloatArray, rel_err: FloatArray) -> FloatArray:
    """:func:`clean_money` for a loss shown against a budget: not rounded up.

    Rounding a loss to the nearest 12 significant digits can show a number above the
    exact loss, and so above a budget typed with more digits. Here an element whose
    nearest 12 digits lie above the float ``x`` by more than its error (relative
    ``rel_err``) is rounded down instead. Within that error the nearest stays: it is the
    exact loss when the loss is a clean decimal (29.96), the common case. (A loss within
    the float's error below a 12-digit decimal cannot be told apart here: sizing checks
    the shown loss against the budget itself.) Elements are >= 0.

    >>> x = 30.12345678906  # 12 digits to the nearest would show 30.1234567891
    >>> float(clean_money_at_most(np.asarray(x), np.asarray(1e-15)))
    30.123456789
    >>> float(clean_money_at_most(np.asarray(0.428 * 70), np.asarray(1e-15)))
    29.96
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.asarray(clean_money(x), dtype=np.float64)
    tol = np.asarray(rel_err, dtype=np.float64) * np.abs(x)
    scale = _twelve_digit_scale(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        down = np.floor(x * scale) / scale
    above = (x > 0) & np.isfinite(down) & (out > x + tol)
    return np.where(above, down, out) + 0.0


_FLOOR12 = Context(prec=12, rounding=ROUND_FLOOR)


def floor_money(x: Fraction) -> float:
    """An exact value rounded down to 12 significant digits (toward zero for x >= 0).

    >>> floor_money(Fraction(2, 3))
    0.666666666666
    >>> floor_money(Fraction("29.96"))
    29.96
    """
    if x == 0:
        return 0.0
    return float(_FLOOR12.divide(Decimal(x.numerator), Decimal(x.denominator)))


def repr_decimals(x: float) -> int:
    """Decimals of the shortest repr of ``x`` (99 for exponent notation or non-finite).

    >>> repr_decimals(3520.07), repr_decimals(60000.0), repr_decimals(1e-05)
    (2, 1, 99)
    """
    text = repr(x)
    if "e" in text or "n" in text:  # 1e-05, inf, nan
        return 99
    return len(text) - text.index(".") - 1 if "." in text else 0


def places(x: Any) -> FloatArray:
    """Decimals each element was typed with, 99 beyond 9: the fewest ``k`` with
    ``round(x, k) == x`` (a float's shortest repr for one value).

    >>> places(np.asarray([3520.07, 0.001, 1.0, 0.1 + 0.2])).tolist()
    [2.0, 3.0, 0.0, 99.0]
    """
    if np.ndim(x) == 0:
        return np.asarray(float(min(repr_decimals(float(x)), 99)))
    arr = np.asarray(x, dtype=np.float64)
    d = np.full(arr.shape, 99.0)
    for k in range(9, -1, -1):
        with np.errstate(over="ignore", invalid="ignore"):
            d = np.where(np.round(arr, k) == arr, float(k), d)
    return d


def floor_grid(scaled: FloatArray, dec: FloatArray) -> FloatArray:
    """A decimal N / 10^dec, given ``scaled`` = N within a few ulp (N < 5e14), cut to 12
    significant digits with integer arithmetic: exactly the value rounded down.

    >>> float(floor_grid(np.asarray(30123456789078.0), np.asarray(12.0)))
    30.123456789
    >>> float(floor_grid(np.asarray(2996.0), np.asarray(2.0)))
    29.96
    """
    if np.ndim(scaled) == 0:
        whole, cut = round(float(scaled)), max(len(str(round(float(scaled)))) - 12, 0)
        head, shift = whole // 10**cut, int(dec) - cut
        return np.asarray(head / 10.0**shift if shift >= 0 else head * 10.0**-shift) + 0.0
    n = np.rint(scaled).astype(np.int64)
    t = np.asarray(dec).astype(np.int64)
    digits = np.floor(np.log10(np.maximum(n, 1))).astype(np.int64) + 1
    digits += n >= 10 ** np.minimum(digits, 18)  # log10 is off by one near 10^k
    digits -= n < 10 ** np.maximum(digits - 1, 0)
    drop = np.maximum(digits - 12, 0)
    kept = n // (10**drop)
    power = t - drop  # the value is kept / 10^power
    return np.asarray(
        np.where(
            power >= 0, kept / pow10(np.maximum(power, 0)), kept * pow10(np.maximum(-power, 0))
        )
        + 0.0,
        dtype=np.float64,
    )
