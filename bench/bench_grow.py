"""Benchmark: what per-row formulas cost when a table grows (issue 21).

Run from the repository root (needs LibreOffice, python3-uno and a Python of the same
version as LibreOffice's, as ``microsize recalc`` does)::

    python bench/bench_grow.py [--trades N] [--repeat K]   (default 1000 trades, best of 3)

1. ``microsize recalc``'s code (copy, throwaway profile, add-in install, headless load with
   recalculation, CSV export) on the template and on the template with its Trades table
   grown to N trades, their calculated columns filled as Excel fills them (six MF_PLAN
   calls per trade). Both books go through the same openpyxl round trip, so only the
   trades differ. Reported: seconds of each, the difference and the ratio.
2. In Python, the calls a trade's calculated cells make: ``MF_PLAN`` on a single trade
   with its leverage (Margin, Check) and without (the four columns before Margin), against
   one ``MF_PLAN`` over all N trades divided by N (the cost per row of a single spill);
   and one ``MF_CONTRACTS`` call on scalars. Same run, same inputs.

Nothing is downloaded; the workbooks live in a temporary directory.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from microsize import udfs  # noqa: E402
from microsize.libreoffice._recalc import recalc_many  # noqa: E402

TEMPLATE = ROOT / "workbook" / "microsize.xlsm"
KEYS = ("binance:BTCUSDT", "binance:ETHUSDT", "binance:SOLUSDT", "hyperliquid:BTC")


def trades(n: int, seed: int = 11) -> list[list[Any]]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        key = KEYS[i % len(KEYS)]
        entry = {"B": 60000.0, "E": 3500.0, "S": 150.0, "h": 60000.0}[key.split(":")[1][0]]
        entry = round(entry * float(rng.uniform(0.9, 1.1)), 2)
        stop = round(entry * (1 - float(rng.choice([-1, 1])) * float(rng.uniform(0.01, 0.05))), 2)
        side = "long" if stop < entry else "short"
        target = round(2 * entry - stop, 2)
        out.append([f"T{i + 1}", key, side, entry, stop, target, 0.005, None, 0.0005, 5])
    return out


def books(tmp: Path, n: int) -> tuple[Path, Path]:
    import openpyxl

    from tests.test_workbook import append_rows

    base, grown = tmp / "template.xlsm", tmp / f"planner{n}.xlsm"
    openpyxl.load_workbook(TEMPLATE, keep_vba=True).save(base)
    append_rows(TEMPLATE, grown, {"Trades": trades(n - 4)})
    return base, grown


def timed_recalc(book: Path, out: Path, repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        (result,) = recalc_many([book], out)
        best = min(best, time.perf_counter() - t)
    return best, result


def per_call(fn: Any, args: tuple[Any, ...], calls: int = 2000) -> float:
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(calls):
            fn(*args)
        best = min(best, (time.perf_counter() - t) / calls)
    return best


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--trades", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}, N = {a.trades} trades")

    one = trades(1)[0]
    # MF_PLAN's arguments: Risk %, Risk amount, Entry, Stop, Contract, Fee, Leverage
    row = (10000, one[6], one[7], one[3], one[4], one[1], one[8], one[9])
    all_rows = trades(a.trades)
    cols = [[[r[k]] for r in all_rows] for k in (6, 7, 3, 4, 1, 8, 9)]
    contracts = per_call(udfs.MF_CONTRACTS, (50.0, 3500.0, 3400.0, "binance:ETHUSDT", 0.0005))
    plan_row = per_call(udfs.MF_PLAN, row, calls=500)
    quick = per_call(udfs.MF_PLAN, row[:-1], calls=500)  # no leverage: no liquidation check
    spill = per_call(udfs.MF_PLAN, (10000, *cols), calls=3) / a.trades
    cells = 4 * quick + 2 * plan_row  # Trades' six calculated cells of one trade
    print(f"MF_CONTRACTS, one scalar call:              {contracts * 1e6:8.1f} us")
    print(f"MF_PLAN, one trade (Margin, Check):         {plan_row * 1e6:8.1f} us")
    print(f"MF_PLAN, one trade without leverage (x4):   {quick * 1e6:8.1f} us")
    print(f"MF_PLAN over {a.trades} trades, per trade:       {spill * 1e6:8.1f} us")
    print(f"one-trade call / per-trade share of a spill: {plan_row / spill:6.2f}x")
    print(f"a trade's six cells / its share of a spill:  {cells / spill:6.2f}x")
    print(f"{a.trades} trades' cells, in Python:             {cells * a.trades:6.2f} s")

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        base, grown = books(tmp, a.trades)
        t0, _ = timed_recalc(base, tmp / "out0", a.repeat)
        t1, result = timed_recalc(grown, tmp / "out1", a.repeat)
        errors = result.error_cells()
    print(f"recalc, template (4 trades):    {t0:6.2f} s")
    print(f"recalc, {a.trades} trades:            {t1:6.2f} s")
    print(f"added by {a.trades - 4} trades: {t1 - t0:6.2f} s  (ratio {t1 / t0:.2f})")
    if errors:
        print(f"error cells in the grown book: {errors[:5]}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
