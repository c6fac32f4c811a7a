"""Benchmark: what per-row formulas cost when a table grows (issue 21).

Run from the repository root (needs LibreOffice, python3-uno and a Python of the same
version as LibreOffice's, as ``microsize recalc`` does)::

    python bench/bench_grow.py [--trades N] [--repeat K]   (default 1000 trades, best of 3)

1. ``microsize recalc``'s code (copy, throwaway profile, add-in install, headless load with
   recalculation, CSV export) on the template and on the template with its Trades table
   grown to N trades, their calculated columns filled as Excel fills them (six MF_PLAN
   calls per trade). Both books go through the same openpyxl round trip, so only the
   trades differ. Reported: seconds of each, the difference and the ratio.
2. In Python, the calls a trade's calculated cells make, as Calc makes them: six
   ``MF_PLAN`` calls per trade (the four columns before Margin without leverage, Margin
   and Check with it), each given the Specs table as LibreOffice passes a range (a new
   tuple of tuples), on the N distinct trades; against one ``MF_PLAN`` over all N trades
   divided by N (the cost per row of a single spill); and one ``MF_CONTRACTS`` call on
   scalars. Same run, same inputs.

3. One more recalculation of each book with the add-in's profile on
   (``MICROSIZE_ADDIN_PROFILE``, untimed: it writes a file after every call): the seconds
   spent inside Python by the MF_ calls and by re-binding the formulas after loading
   (LibreOffice 7.4 reads MF_ formulas from an .xlsx as unknown names), so the difference
   of (1) splits into Python, re-binding and LibreOffice's own work.

Nothing is downloaded; the workbooks live in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

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


def profiled(book: Path, out: Path) -> dict[str, list[float]]:
    """{MF_ function or "rebind": [calls, seconds, CPU seconds]} of one recalculation."""
    path = out.with_suffix(".json")
    os.environ["MICROSIZE_ADDIN_PROFILE"] = str(path)
    try:
        recalc_many([book], out)
    finally:
        del os.environ["MICROSIZE_ADDIN_PROFILE"]
    spent: dict[str, list[float]] = json.loads(path.read_text(encoding="utf-8"))
    return spent


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

    from bench_cell import calc_specs, fresh

    from microsize._spec_loader import forget_answers

    all_rows = trades(a.trades)
    specs = calc_specs()
    pool = [fresh(specs) for _ in range(16)]  # a new range object each call, as Calc passes

    def six_cells() -> float:
        """Seconds for every trade's six cells as Calc calls them, with the Specs range."""
        t = time.perf_counter()
        for i, r in enumerate(all_rows):
            sp = pool[i % len(pool)]
            for lev in ("", "", "", "", r[9], r[9]):
                udfs.MF_PLAN(10000.0, r[6], r[7], r[3], r[4], r[1], r[8], lev, sp)
        return time.perf_counter() - t

    # MF_PLAN's arguments: Risk %, Risk amount, Entry, Stop, Contract, Fee, Leverage
    cols = [[[r[k]] for r in all_rows] for k in (6, 7, 3, 4, 1, 8, 9)]
    contracts = per_call(udfs.MF_CONTRACTS, (50.0, 3500.0, 3400.0, "binance:ETHUSDT", 0.0005))
    forget_answers()
    t_spill = time.perf_counter()
    plan: Any = udfs.MF_PLAN
    plan(10000.0, *cols, specs)
    spill = (time.perf_counter() - t_spill) / a.trades
    forget_answers()
    cells = six_cells() / a.trades
    print(f"MF_CONTRACTS, one scalar call:                    {contracts * 1e6:8.1f} us")
    print(f"MF_PLAN over {a.trades} trades (one spill), per trade:  {spill * 1e6:8.1f} us")
    print(f"a trade's six MF_PLAN cells, as Calc calls them:  {cells * 1e6:8.1f} us")
    print(f"six cells / a trade's share of a spill:           {cells / spill:8.2f}x")
    print(f"{a.trades} trades' cells, in Python:                   {cells * a.trades:8.2f} s")

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        base, grown = books(tmp, a.trades)
        t0, _ = timed_recalc(base, tmp / "out0", a.repeat)
        t1, result = timed_recalc(grown, tmp / "out1", a.repeat)
        errors = result.error_cells()
        p0, p1 = profiled(base, tmp / "prof0"), profiled(grown, tmp / "prof1")
    print(f"recalc, template (4 trades):    {t0:6.2f} s")
    print(f"recalc, {a.trades} trades:            {t1:6.2f} s")
    print(f"added by {a.trades - 4} trades: {t1 - t0:6.2f} s  (ratio {t1 / t0:.2f})")
    print("profiled runs: seconds inside the add-in's Python (CPU seconds of its thread, which")
    print("other processes on the machine do not lengthen); the rest is LibreOffice")
    for what, keys in (("MF_ calls", [k for k in p1 if k != "rebind"]), ("re-binding", ["rebind"])):
        s0, c0 = (sum(p0[k][j] for k in keys if k in p0) for j in (1, 2))
        s1, c1 = (sum(p1[k][j] for k in keys if k in p1) for j in (1, 2))
        n1 = sum(int(p1[k][0]) for k in keys if k in p1)
        print(
            f"  {what:<11} template {s0:5.2f} s (CPU {c0:5.2f}), {a.trades} trades {s1:5.2f} s "
            f"(CPU {c1:5.2f}, {n1} calls): added {s1 - s0:5.2f} s (CPU {c1 - c0:5.2f})"
        )
    top = sorted((v[1], k, int(v[0])) for k, v in p1.items() if k != "rebind")[-3:]
    for sec, k, n in reversed(top):
        print(f"    {k:<16} {n:6d} calls {sec:6.2f} s  {sec / n * 1e6:8.1f} us a call")
    if errors:
        print(f"error cells in the grown book: {errors[:5]}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
