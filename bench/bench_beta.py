"""Benchmark beta and rolling beta against pandas' own cov / var, in the same run.

Run from the repository root::

    python bench/bench_beta.py [--points N] [--rolling-points M] [--window W] [--json PATH]

Cases, on one seeded history (hedge: a random walk of simple returns; asset: 1.3 x the
hedge's return plus noise), every one starting from prices, oldest first:

(a)  ``microsize._hedge.beta`` (OLS) on numpy arrays of N prices (default 1,000,000)
     vs pandas ``a.pct_change().cov(b.pct_change()) / b.pct_change().var()``
(b)  the same on Excel-shaped columns (lists of 1-element lists, as xlwings hands a
     range to MF_BETA) vs pandas building its Series from the same lists
(c)  the same on two pandas Series with a DatetimeIndex (aligned on the index)
(d)  the exponentially weighted beta (lam = 0.94) vs the same formula in bare numpy
     (pandas' ewm cov is mean-adjusted, a different estimator)
(e)  ``rolling_beta`` over M prices (default 100,000) and a window of W returns (default
     250, then 20) vs pandas ``rolling(W).cov / rolling(W).var`` on the returns

Each case is the best of several runs (``time.perf_counter``); the ratio is microsize's
time over the reference's (below 1 = faster). The script checks that the answers agree
(relative 1e-9) and exits 1 if one does not. Nothing is downloaded or written unless
``--json`` is given.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from microsize._hedge import beta, rolling_beta

TRUE_BETA = 1.3


def make_history(points: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(asset prices, hedge prices), oldest first, rounded to cents as quotes are.

    Volatility is minute-like (0.1% a step) so a million-step walk stays well above 0.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 0.001, points - 1)  # minute-like moves: a long walk stays positive
    y = TRUE_BETA * x + rng.normal(0.0, 0.0008, points - 1)
    hedge_p = np.round(60_000 * np.cumprod(np.concatenate(([1.0], 1 + x))), 2)
    asset_p = np.round(3_000 * np.cumprod(np.concatenate(([1.0], 1 + y))), 2)
    return asset_p, hedge_p


def best(func: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs, and the last result."""
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t0)
    return min(times), out


def pandas_beta(a: pd.Series, b: pd.Series) -> float:
    ra, rb = a.pct_change(), b.pct_change()
    return float(ra.cov(rb) / rb.var())


def numpy_ewma_beta(a: np.ndarray, b: np.ndarray, lam: float) -> float:
    y, x = np.diff(a) / a[:-1], np.diff(b) / b[:-1]
    w = lam ** np.arange(x.size - 1, -1, -1, dtype=np.float64)
    return float((w * x) @ y / ((w * x) @ x))


def pandas_rolling(a: pd.Series, b: pd.Series, window: int) -> np.ndarray:
    ra, rb = a.pct_change(), b.pct_change()
    return (ra.rolling(window).cov(rb) / rb.rolling(window).var()).dropna().to_numpy()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=1_000_000, help="prices for beta")
    ap.add_argument("--rolling-points", type=int, default=100_000, help="prices for rolling beta")
    ap.add_argument("--window", type=int, default=250, help="returns per rolling window")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--seed", type=int, default=20240604)
    ap.add_argument("--json", help="write the results to this file")
    args = ap.parse_args(argv)

    a, b = make_history(args.points, args.seed)
    days = pd.date_range("1990-01-01", periods=args.points, freq="min")
    sa, sb = pd.Series(a, index=days), pd.Series(b, index=days)
    a_xl, b_xl = [[v] for v in a.tolist()], [[v] for v in b.tolist()]
    r = args.repeat
    rows: list[dict[str, Any]] = []
    failures: list[str] = []

    def record(case: str, ours: tuple[float, Any], ref: tuple[float, Any], ref_name: str) -> None:
        got, want = np.asarray(ours[1], dtype=float), np.asarray(ref[1], dtype=float)
        ok = got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-9, atol=1e-12))
        if not ok:
            failures.append(case)
        rows.append(
            {
                "case": case,
                "microsize_s": ours[0],
                "reference": ref_name,
                "reference_s": ref[0],
                "ratio": ours[0] / ref[0],
                "agree": ok,
            }
        )

    record(
        f"(a) beta, {args.points:,} prices, numpy arrays",
        best(lambda: beta(a, b), r),
        best(lambda: pandas_beta(pd.Series(a), pd.Series(b)), r),
        "pandas pct_change + cov/var",
    )
    record(
        f"(b) beta, {args.points:,} prices, Excel-shaped lists",
        best(lambda: beta(a_xl, b_xl), max(1, r // 2)),
        best(
            lambda: pandas_beta(pd.Series([v[0] for v in a_xl]), pd.Series([v[0] for v in b_xl])),
            max(1, r // 2),
        ),
        "pandas from the same lists",
    )
    record(
        f"(c) beta, {args.points:,} prices, two Series (aligned)",
        best(lambda: beta(sa, sb), r),
        best(lambda: pandas_beta(sa, sb), r),
        "pandas cov/var on the Series",
    )
    record(
        f"(d) EWMA beta lam=0.94, {args.points:,} prices",
        best(lambda: beta(a, b, 0.94), r),
        best(lambda: numpy_ewma_beta(a, b, 0.94), r),
        "bare numpy, same formula",
    )
    m = args.rolling_points
    ra, rb = a[:m], b[:m]
    pa, pb = pd.Series(ra), pd.Series(rb)
    for window in (args.window, 20):
        record(
            f"(e) rolling beta, {m:,} prices, window {window}",
            best(lambda w=window: rolling_beta(ra, rb, w), r),
            best(lambda w=window: pandas_rolling(pa, pb, w), r),
            "pandas rolling cov/var",
        )

    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"true beta {TRUE_BETA}; OLS beta of the history {beta(a, b):.6f}\n")
    width = max(len(x["case"]) for x in rows)
    print(f"{'case':<{width}}  {'microsize':>10}  {'reference':>10}  {'ratio':>6}  agree")
    for x in rows:
        print(
            f"{x['case']:<{width}}  {x['microsize_s'] * 1e3:>8.1f}ms  "
            f"{x['reference_s'] * 1e3:>8.1f}ms  {x['ratio']:>6.2f}  {'yes' if x['agree'] else 'NO'}"
        )
        print(f"{'':<{width}}  (reference: {x['reference']})")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"args": vars(args), "results": rows}, fh, indent=2)
    if failures:
        print("\nanswers disagree: " + "; ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
