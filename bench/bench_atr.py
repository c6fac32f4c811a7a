"""Benchmark the average true range against pandas, in the same run.

Run from the repository root::

    python bench/bench_atr.py [--bars N] [--periods P]

Cases, on one seeded history of N bars (default 200,000), oldest first:

(a)  ``microsize.atr`` (Wilder) on numpy arrays vs pandas: true range from shifted
     closes, the first ``P`` true ranges averaged, then ``ewm(alpha=1/P, adjust=False)``
(b)  ``MF_ATR`` on Excel-shaped columns (lists of 1-element lists in, a column out)
     vs the same pandas computation starting from those lists
(c)  ``microsize.atr(..., "simple")`` vs pandas ``rolling(P).mean()`` of the true range

Each case is the best of several runs (``time.perf_counter``); the ratio is microsize's
time over pandas' (below 1 = faster). The script checks that the answers agree (relative
1e-9) and exits 1 if one does not. Nothing is downloaded or written.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from microsize import udfs
from microsize._volatility import atr


def make_bars(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = np.round(60_000 * np.cumprod(1 + rng.normal(0, 0.001, n)), 1)
    high = np.round(close * (1 + rng.uniform(0, 0.002, n)), 1)
    low = np.round(close * (1 - rng.uniform(0, 0.002, n)), 1)
    return high, low, close


def best(func: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t0)
    return min(times), out


def pandas_atr(h: Any, lo: Any, c: Any, n: int, how: str) -> np.ndarray:
    df = pd.DataFrame({"h": h, "l": lo, "c": c})
    prev = df["c"].shift(1)
    tr = pd.concat([df["h"] - df["l"], (df["h"] - prev).abs(), (df["l"] - prev).abs()], axis=1)
    tr = tr.max(axis=1)
    if how == "simple":
        return tr.rolling(n).mean().to_numpy()
    seeded = tr.copy()
    seeded.iloc[: n - 1] = np.nan
    seeded.iloc[n - 1] = tr.iloc[:n].mean()
    return seeded.ewm(alpha=1 / n, adjust=False, ignore_na=True).mean().to_numpy()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bars", type=int, default=200_000)
    ap.add_argument("--periods", type=int, default=14)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n, p = args.bars, args.periods
    h, lo, c = make_bars(n, 7)
    cols = [[[float(v)] for v in x] for x in (h, lo, c)]
    rows = []
    ok = True

    def agree(ours: Any, theirs: np.ndarray) -> bool:
        ours = np.asarray(ours, dtype=np.float64).reshape(-1)
        good = ~np.isnan(theirs)
        return bool(np.allclose(ours[good], theirs[good], rtol=1e-9, atol=0))

    t_ref, ref = best(lambda: pandas_atr(h, lo, c, p, "wilder"), args.repeat)
    t_ms, ours = best(lambda: atr(h, lo, c, p), args.repeat)
    ok &= agree(ours, ref)
    rows.append(("(a) microsize.atr (Wilder) on numpy arrays", t_ms, t_ref))

    def from_lists() -> np.ndarray:
        return pandas_atr(*([r[0] for r in col] for col in cols), p, "wilder")

    t_ref, ref = best(from_lists, args.repeat)
    t_ms, cells = best(lambda: udfs.MF_ATR(*cols, p), args.repeat)
    ok &= agree([r[0] for r in cells[p - 1 :]], ref[p - 1 :])
    rows.append(("(b) MF_ATR on Excel-shaped columns", t_ms, t_ref))

    t_ref, ref = best(lambda: pandas_atr(h, lo, c, p, "simple"), args.repeat)
    t_ms, ours = best(lambda: atr(h, lo, c, p, "simple"), args.repeat)
    ok &= agree(ours, ref)
    rows.append(("(c) microsize.atr simple vs rolling mean", t_ms, t_ref))

    print(f"{n:,} bars, {p} periods; Python {platform.python_version()}, numpy {np.__version__}")
    print(f"{'case':<46} {'microsize s':>12} {'pandas s':>10} {'ratio':>7}")
    for name, a, b in rows:
        print(f"{name:<46} {a:>12.4f} {b:>10.4f} {a / b:>7.2f}")
    print("answers agree" if ok else "ANSWERS DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
