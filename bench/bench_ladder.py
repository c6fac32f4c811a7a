"""Benchmark MF_LADDER against the number of legs, as ratios to a baseline in the same run.

Run from the repository root::

    PYTHONPATH=src python bench/bench_ladder.py [--repeat N]

Cases: MF_LADDER with 10, 100, 500 and 2,000 legs (Excel-shaped columns: lists of
1-element lists, as xlwings passes a range), entries 0.01 apart above a 3,450 stop, equal
weights, on a linear contract (binance:ETHUSDT, lot 0.001) and an inverse one
(binance:BTCUSD_PERP, whose exact fractions have the largest denominators), with a budget
that pays every leg and with the seed's $30 for the whole ladder, where the leftover
hand-out places every lot.

Baseline: one ``MF_CONTRACTS`` call on the same contract, timed in the same run, so the
table reads the same on a fast and a slow machine. Each case is the best of ``--repeat``
runs (``time.perf_counter``). The script also checks that every ladder stays within its
budget (the Cum risk column's last cell). Nothing is written; exit status 1 if a check
fails. A benchmark, not a timed test: the figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

import microsize
from microsize.udfs import MF_CONTRACTS, MF_LADDER

LEGS = (10, 100, 500, 2000)
CASES = (
    # (title, key, stop, gap between entries, budget per leg, fixed budget)
    # a budget that pays every leg: the floor of each leg's share does most of the work
    ("ETHUSDT, $1 per leg", "binance:ETHUSDT", 3450.0, 0.01, 1.0, None),
    ("BTCUSD_PERP (inverse), 0.0001 BTC per leg", "binance:BTCUSD_PERP", 60000.0, 0.1, 1e-4, None),
    # the seed's $30 for the whole ladder: most legs floor to 0 and the leftover hand-out
    # decides every lot (the case that grew with the square of the legs)
    ("ETHUSDT, $30 for the whole ladder", "binance:ETHUSDT", 3450.0, 0.01, 0.0, 30.0),
)


def best(fn: Callable[[], Any], repeat: int) -> float:
    """Best wall time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per case (best is kept)")
    args = ap.parse_args(argv)
    print(
        f"microsize {microsize.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}; best of {args.repeat}"
    )
    failed = False
    for title, key, stop, gap, per_leg, fixed in CASES:
        base = best(lambda k=key, s=stop: MF_CONTRACTS(30, s + 70, s, k), max(args.repeat, 20))
        print(f"\n{title}: baseline one MF_CONTRACTS call = {base * 1e3:.3f} ms")
        print(f"{'legs':>6} {'seconds':>10} {'x baseline':>12} {'x 10 legs':>10}")
        ten = 0.0
        for n in LEGS:
            entries = [[round(stop + 70 + i * gap, 2)] for i in range(n)]
            budget = fixed if fixed is not None else per_leg * n
            out: list[Any] = []
            t = best(
                lambda e=entries, b=budget, k=key, s=stop, o=out: o.append(MF_LADDER(b, e, s, k)),
                args.repeat,
            )
            ten = ten or t
            print(f"{n:>6} {t:>10.4f} {t / base:>12.0f} {t / ten:>10.1f}")
            cum_risk = out[-1][-1][5]
            if not cum_risk <= budget:
                print(f"  FAILED: ladder of {n} legs loses {cum_risk} > budget {budget}")
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
