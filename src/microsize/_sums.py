"""Sums, means and dot products that give the same float on every CPU.

numpy hands a dot product (``x @ y``) to BLAS, whose kernel OpenBLAS picks per CPU (Haswell,
SkylakeX, Zen...): each sums in its own order, so the result moves in the last digit from
one machine to the next. ``np.sum`` sums pairwise in blocks, an order numpy may change
between releases and memory layouts; ``np.power`` and ``np.convolve`` also differ per SIMD
path. A number cached in the template or pinned by a test must not. So here:

* up to :data:`EXACT_UP_TO` (2,048) values are summed **exactly rounded**
  (:func:`math.fsum`): the float nearest the exact sum, whatever the order or the machine;
* longer arrays keep numpy's speed with a **fixed order**: :data:`LANES` lanes, each summed
  row by row with its rounding error carried alongside (Knuth's error-free TwoSum, only
  elementwise IEEE additions, which every CPU rounds alike), the lanes folded in halves
  the same way, then the last lanes and their errors by :func:`math.fsum`. The result is
  within an ulp of the exact sum and depends only on the values and their order;
* a dot product sums the elementwise products (each product rounded once, as IEEE
  multiplication is everywhere), never BLAS.

Overflow is not an error: a sum beyond the float range is ±inf, a NaN or inf in the input
gives what IEEE arithmetic gives (NaN, or the infinity), as numpy would.

>>> total([0.1] * 10), total(np.full(10_000, 0.1))
(1.0, 1000.0)
>>> dot([1e16, 1.0, -1e16], [1.0, 1.0, 1.0])
1.0
>>> mean([1.0, 2.0, 4.0])
2.3333333333333335
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._inputs import FloatArray

__all__ = ["EXACT_UP_TO", "LANES", "dot", "mean", "powers", "total", "window_sums"]

#: arrays up to this length are summed exactly rounded (math.fsum)
EXACT_UP_TO = 2048
#: lanes of the fixed-order sum of longer arrays (a power of two)
LANES = 8192
_FOLDED = 64  # lanes left for math.fsum at the end


def _flat(values: Any) -> FloatArray:
    return np.ascontiguousarray(values, dtype=np.float64).reshape(-1)


def _two_sum(
    s: FloatArray, x: FloatArray, err: FloatArray, tmp: tuple[FloatArray, ...]
) -> FloatArray:
    """``s + x`` elementwise, into the first buffer of ``tmp`` (returned), the rounding
    error of each addition added to ``err``: Knuth's TwoSum, t = s + x and
    e = (s - (t - z)) + (x - z) with z = t - s, exactly."""
    t, z, e = tmp
    np.add(s, x, out=t)
    np.subtract(t, s, out=z)
    np.subtract(t, z, out=e)
    np.subtract(s, e, out=e)
    np.subtract(x, z, out=z)
    np.add(e, z, out=e)
    np.add(err, e, out=err)
    return t


def _lanes(a: FloatArray, b: FloatArray | None) -> list[float]:
    """Per-lane sums of ``a`` (or of ``a * b``), rows added in order (the last, partial
    row padded with zeros), folded in halves down to :data:`_FOLDED` lanes, and their
    rounding errors: every addition a TwoSum."""
    full, tail = divmod(a.size, LANES)
    blocks = [v[: full * LANES].reshape(full, LANES) for v in (a, b) if v is not None]
    s, err, x = np.zeros(LANES), np.zeros(LANES), np.zeros(LANES)
    tmp = (np.empty(LANES), np.empty(LANES), np.empty(LANES))
    for i in range(full):
        row = blocks[0][i] if b is None else np.multiply(blocks[0][i], blocks[1][i], out=x)
        s, tmp = _two_sum(s, row, err, tmp), (s, tmp[1], tmp[2])
    if tail:
        x[:] = 0.0
        x[:tail] = a[full * LANES :] if b is None else a[full * LANES :] * b[full * LANES :]
        s, tmp = _two_sum(s, x, err, tmp), (s, tmp[1], tmp[2])
    width = LANES
    while width > _FOLDED:  # lanes i and i + width / 2, in that order
        half = width // 2
        s = _two_sum(s[:half], s[half:width], err[:half], tuple(t[:half] for t in tmp)).copy()
        err[:half] += err[half:width]
        width = half
    return [*s[:width].tolist(), *err[:width].tolist()]


def _sum(a: FloatArray, b: FloatArray | None = None) -> float:
    """The sum of ``a`` (or of ``a * b``), exactly rounded or in fixed-order lanes."""
    if a.size <= EXACT_UP_TO:
        return math.fsum((a if b is None else a * b).tolist())
    return math.fsum(_lanes(a, b))


def _exponent(v: FloatArray) -> int | None:
    """The binary exponent of the largest |value| (0 for all zeros), None for inf or NaN."""
    top = max(float(np.max(v)), -float(np.min(v)))  # exact: no order to depend on
    return math.frexp(top)[1] if math.isfinite(top) else None


def _scaled_sum(a: FloatArray, b: FloatArray | None) -> float:
    """:func:`_sum`, with inputs scaled by powers of two (exact) so that no partial sum
    overflows; inf and NaN inputs give IEEE's answer, which no order changes."""
    exps = [_exponent(v) for v in (a, b) if v is not None]
    if None in exps:
        with np.errstate(over="ignore", invalid="ignore"):
            return float(np.sum(a if b is None else a * b))
    # every partial sum is below 2**(sum of the exponents + bits of the count)
    scale = max(0, sum(e or 0 for e in exps) + a.size.bit_length() - 1000)
    if scale:
        a = np.ldexp(a, -scale)
    with np.errstate(under="ignore"):
        s = _sum(a, b)
    if not scale:
        return s
    try:
        return math.ldexp(s, scale)
    except OverflowError:
        return math.copysign(math.inf, s)


def total(values: Any) -> float:
    """Sum of the values (any shape, read in C order), the same float on every machine.

    Exactly rounded up to :data:`EXACT_UP_TO` values; longer, fixed-order TwoSum lanes.

    >>> total([1e100, 1.0, -1e100]), total([1e308, 1e308]), total([1.0, math.nan])
    (1.0, inf, nan)
    """
    v = _flat(values)
    return _scaled_sum(v, None) if v.size else 0.0


def dot(a: Any, b: Any) -> float:
    """Sum of the elementwise products of two arrays of one size, as :func:`total` (each
    product rounded once, as IEEE multiplication is on every CPU; never BLAS).

    >>> dot([1, 2, 3], [4, 5, 6]), dot([1e300, 1.0], [1e10, 1.0])
    (32.0, inf)
    """
    va, vb = _flat(a), _flat(b)
    if va.size != vb.size:
        raise ValueError(f"dot of arrays of {va.size} and {vb.size} values")
    return _scaled_sum(va, vb) if va.size else 0.0


def mean(values: Any) -> float:
    """:func:`total` over the count (NaN for no values)."""
    v = _flat(values)
    return total(v) / v.size if v.size else math.nan


def window_sums(values: Any, width: int) -> FloatArray:
    """Sum of each ``width`` consecutive values (``size - width + 1`` sums), pairwise in a
    fixed order: sums of 1, 2, 4, ... neighbours, built by doubling, then the powers of
    two that make up ``width``, lowest first. O(size log width), error O(log width) ulps,
    and the same on every machine (elementwise additions only).

    >>> window_sums([1.0, 2.0, 3.0, 4.0], 3).tolist()
    [6.0, 9.0]
    """
    v = _flat(values)
    m = v.size - width + 1
    out: FloatArray | None = None
    offset, span, level = 0, 1, v  # level[i] = sum of v[i : i + span]
    while True:
        if width & span:
            part = level[offset : offset + m]
            out = part.copy() if out is None else out + part
            offset += span
        if 2 * span > width:
            return np.asarray(out, dtype=np.float64)
        level = level[:-span] + level[span:]
        span *= 2


def powers(base: float, count: int) -> FloatArray:
    """``base**k`` for k = 0 .. count - 1 by repeated multiplication, in order (a running
    product: every CPU rounds it alike, where ``np.power`` differs per SIMD path).

    >>> powers(0.5, 4).tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    factors = np.full(count, base, dtype=np.float64)
    if count:
        factors[0] = 1.0
    with np.errstate(under="ignore"):
        return np.asarray(np.multiply.accumulate(factors), dtype=np.float64)
