"""Benchmark MF_LADDER against the number of legs, as ratios to a baseline in the same run.

Run from the repository root::

    PYTHONPATH=src python bench/bench_ladder.py [--repeat N]

Cases: MF_LADDER with 10, 100, 500 and 2,000 legs (Excel-shaped columns: lists of
1-element lists, as xlwings passes a range), entries 0.01 apart above a 3,450 stop, equal
weights, on a linear contract (binance:ETHUSDT, lot 0.001) and an inverse one
(binance:BTCUSD_PERP, whose exact fractions have the largest denominators), with a budget
that pays every leg and with the seed's $30 for the whole ladder, where the leftover
hand-out places every lot.

A second table: a user Specs row with a lot step from 1e-3 down to 1e-7 and a minimum
order of 1, three entries and a budget that empties one leg below its minimum, so the
other two share millions of lot steps in the leftover hand-out (the case that took 17.5 s
at 1e-7 when the hand-out gave one lot step per round). Its time must not grow with
min_qty / lot_step: the ratio to the 1e-3 row stays near 1, and 1e-7 is under 0.1 s.

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


SPEC_HEADER = ["exchange", "symbol", "kind", "contract_size", "lot_step", "min_qty", "tick_size"]
LOTS = (1e-3, 1e-5, 1e-6, 1e-7)


def tiny_lots(repeat: int) -> bool:
    """The min_qty / lot_step table; False when a ladder breaks its budget or the lot
    step, or 1e-7 takes 0.1 s or more."""
    base_specs = [SPEC_HEADER, ["my", "X", "linear", 1, 1e-3, 1, 0.01]]
    base = best(lambda: MF_CONTRACTS(140, 3520, 3450, "my:X", None, base_specs), 20)
    print("\nA Specs row with minimum 1 and a tiny lot step, $140 over 3520/3500/3480 to 3450")
    print(f"baseline one MF_CONTRACTS call on that row = {base * 1e3:.3f} ms")
    print(f"{'lot_step':>9} {'min/lot':>9} {'seconds':>10} {'x baseline':>11} {'x lot 1e-3':>11}")
    ok = True
    first = 0.0
    for lot in LOTS:
        specs = [SPEC_HEADER, ["my", "X", "linear", 1, lot, 1, 0.01]]
        out: list[Any] = []
        t = best(
            lambda s=specs, o=out: o.append(
                MF_LADDER(140, [[3520], [3500], [3480]], 3450, "my:X", None, None, s)
            ),
            repeat,
        )
        first = first or t
        print(f"{lot:>9g} {1 / lot:>9.0f} {t:>10.4f} {t / base:>11.0f} {t / first:>11.1f}")
        legs = [row[2] for row in out[-1][1:]]
        if out[-1][-1][5] > 140 or any(abs(q / lot - round(q / lot)) > 1e-6 for q in legs):
            print(f"  FAILED: legs {legs} break the budget or the lot step {lot}")
            ok = False
        if lot == LOTS[-1] and t >= 0.1:
            print(f"  FAILED: {t:.3f} s at lot {lot} (target under 0.1 s)")
            ok = False
    return ok


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
    if not tiny_lots(args.repeat):
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
