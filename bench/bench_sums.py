"""Benchmark the sums that are the same on every CPU against numpy's, in the same run.

Run from the repository root::

    python bench/bench_sums.py [--repeat R]

Cases, on seeded normal values, for sizes from an Excel column (1,000 and 10,000 rows)
to a long history (1,000,000):

(a)  ``microsize._sums.total`` (exactly rounded up to 2,048 values, fixed-order TwoSum
     lanes beyond) vs ``np.sum`` (pairwise, an order numpy may change)
(b)  ``microsize._sums.dot`` vs ``x @ y`` (BLAS: the kernel, and so the last digit,
     depends on the CPU)
(c)  ``microsize._sums.window_sums`` (pairwise doubling) over windows of 14 and 500 vs
     ``np.convolve`` with ones (what ATR "simple" used)

Each case is the best of R runs (``time.perf_counter``); the ratio is microsize's time
over numpy's (the price of a result that does not depend on the CPU). The script also
prints the error of each sum in units in the last place of the exact sum (from exact
fractions, for the sizes where that is quick). Nothing is written.
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

from microsize._sums import dot, total, window_sums


def best(func: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def ulps(got: float, values: np.ndarray) -> float:
    exact = float(sum((Fraction(v) for v in values.tolist()), Fraction(0)))
    return abs(got - exact) / math.ulp(exact)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    rng = np.random.default_rng(11)
    rows = []
    for n in (1_000, 10_000, 1_000_000):
        x, y = rng.normal(1.0, 1.0, n), rng.normal(0.0, 1.0, n)
        r = max(3, args.repeat if n < 1_000_000 else args.repeat // 2)
        err = n <= 10_000
        rows.append(
            (
                f"(a) total, {n:,} values",
                best(lambda x=x: total(x), r),
                best(lambda x=x: np.sum(x), r),
                f"{ulps(total(x), x):.0f} vs {ulps(float(np.sum(x)), x):.0f}" if err else "",
            )
        )
        rows.append(
            (
                f"(b) dot, {n:,} values",
                best(lambda x=x, y=y: dot(x, y), r),
                best(lambda x=x, y=y: x @ y, r),
                f"{ulps(dot(x, y), x * y):.0f} vs {ulps(float(x @ y), x * y):.0f}" if err else "",
            )
        )
    tr = rng.uniform(50, 150, 200_000)
    for w in (14, 500):
        rows.append(
            (
                f"(c) window sums, 200,000 values, width {w}",
                best(lambda w=w: window_sums(tr, w), args.repeat),
                best(lambda w=w: np.convolve(tr, np.ones(w), mode="valid"), args.repeat),
                "",
            )
        )
    print(f"Python {platform.python_version()}, numpy {np.__version__}")
    print(
        f"{'case':<44} {'microsize':>11} {'numpy':>10} {'ratio':>7}  error in ulps (ours vs numpy)"
    )
    for name, ours, ref, err_text in rows:
        print(f"{name:<44} {ours * 1e3:>9.3f}ms {ref * 1e3:>8.3f}ms {ours / ref:>7.1f}  {err_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
