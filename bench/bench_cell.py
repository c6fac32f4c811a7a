"""Benchmark: what one worksheet cell costs in Python (issue 21: one call per row).

Run from the repository root::

    python bench/bench_cell.py [--cells N] [--trades N] [--repeat K]

Every case is timed in this run, best of ``--repeat`` runs of N calls on distinct
seeded inputs (a cell answered from a cache is only timed where a worksheet would hit it):

- ``floor``: an MF_ function that returns 0.0 at once, wrapped like every MF_ function
  (:func:`microsize.udf_boundary.short_errors`): what any cell costs at least.
- ``MF_CONTRACTS``: one trade of numbers (the one-cell path), and the same call through
  the vectorised path that every call took before (``_sizing._lots`` on 0-d arrays, the
  same wrapper): the speed-up in this run.
- ``+ Specs``: MF_CONTRACTS given the workbook's Specs table as LibreOffice hands it to
  the add-in (a fresh tuple of tuples each call, 77 rows x 17 columns).
- ``MF_PLAN``: the six calculated cells of one Trades row (four without leverage, Margin
  and Check with it) with the Specs range, on distinct trades; and the same six with
  nothing remembered between calls (the planner's memo cleared before each call: what
  every cell computed before).
- ``MF_PLAN_TOTALS`` over the N trades once their rows are computed (as a recalculation
  meets it after the rows), and cold.

Checks that the one-cell and vectorised answers agree on every timed cell; exit status 1
if not. Targets: one MF_CONTRACTS cell at most 50 us; reported, not an error.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from microsize import _sizing, udfs  # noqa: E402
from microsize._contracts import load_specs  # noqa: E402
from microsize._spec_loader import forget_answers  # noqa: E402
from microsize.udf_boundary import short_errors, to_cells  # noqa: E402

KEY = "binance:ETHUSDT"
FEE = 0.0005


@short_errors
def _floor(
    risk_amount: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    return 0.0


@short_errors
def _contracts_vectorised(
    risk_amount: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """MF_CONTRACTS as every call ran before the one-cell path: the array steps."""
    lots = _sizing._lots(risk_amount, entry, stop_price, contract, fee_rate, specs)
    return to_cells(lots.contracts.item())


def cells(n: int, seed: int = 21) -> list[tuple[float, float, float]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        entry = round(float(rng.uniform(1000, 4000)), 2)
        side = 1 if rng.random() < 0.5 else -1
        stop = round(entry * (1 - side * float(rng.uniform(0.005, 0.1))), 2)
        out.append((round(float(rng.uniform(10, 1000)), 2), entry, stop))
    return out


def calc_specs() -> tuple[tuple[Any, ...], ...]:
    """The Specs table as LibreOffice passes a range: tuples, '' for blanks, floats."""
    rows = load_specs().rows()
    return tuple(
        tuple("" if c is None else float(c) if isinstance(c, int | float) else c for c in r)
        for r in rows
    )


def fresh(t: tuple[tuple[Any, ...], ...]) -> tuple[tuple[Any, ...], ...]:
    """New objects of the same content (a new call gets new strings and floats)."""
    return tuple(
        tuple(float(repr(c)) if isinstance(c, float) else "".join(list(c)) for c in r) for r in t
    )


def best(fn: Callable[[], Any], calls: int, repeat: int) -> float:
    """Seconds per call: the best of ``repeat`` runs of ``calls`` calls."""
    fn()
    b = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        b = min(b, time.perf_counter() - t)
    return b / calls


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cells", type=int, default=3000, help="calls per timed run (default 3000)")
    p.add_argument("--trades", type=int, default=300, help="trades per MF_PLAN run (default 300)")
    p.add_argument("--repeat", type=int, default=5, help="best of this many runs (default 5)")
    a = p.parse_args()
    n, k = a.cells, a.repeat
    data = cells(n * (k + 1))
    it = itertools.cycle(data)
    specs = calc_specs()
    pool = [fresh(specs) for _ in range(64)]

    # the two paths agree on every timed cell
    agree = all(
        udfs.MF_CONTRACTS(r, e, s, KEY, FEE) == _contracts_vectorised(r, e, s, KEY, FEE)
        for r, e, s in data
    )

    def one(fn: Callable[..., Any], with_specs: bool = False) -> Callable[[], Any]:
        sp = itertools.cycle(pool)

        def call() -> Any:
            r, e, s = next(it)
            if with_specs:
                return fn(r, e, s, KEY, FEE, next(sp))
            return fn(r, e, s, KEY, FEE)

        return call

    t: dict[str, float] = {}
    t["floor"] = best(one(_floor), n, k)
    t["cell"] = best(one(udfs.MF_CONTRACTS), n, k)
    t["vector"] = best(one(_contracts_vectorised), n, k)
    t["floor_specs"] = best(one(_floor, True), n // 4, k)
    t["cell_specs"] = best(one(udfs.MF_CONTRACTS, True), n // 4, k)

    m = a.trades
    trades = [(10000.0, 0.005, "", e, s, KEY, FEE, 5.0) for _, e, s in cells(m * (k + 2), 7)]
    tr = iter(trades)
    sp = itertools.cycle(pool)

    def six(forget: bool) -> Callable[[], Any]:
        def row() -> Any:
            trade, specs_now = next(tr), next(sp)
            for lev in ("", "", "", "", 5.0, 5.0):
                if forget:
                    forget_answers()
                udfs.MF_PLAN(*trade[:-1], lev, specs_now)

        return row

    t["plan_row"] = best(six(False), m, k)
    tr = iter(trades)
    t["plan_row_cold"] = best(six(True), m, k)
    cols = [[[x[j]] for x in trades[:m]] for j in range(7)]
    totals: Any = udfs.MF_PLAN_TOTALS
    forget_answers()
    t0 = time.perf_counter()
    totals(cols[0][0][0], *cols[1:], [[5.0]] * m, specs)
    t["totals_cold"] = time.perf_counter() - t0
    t["totals"] = best(lambda: totals(cols[0][0][0], *cols[1:], [[5.0]] * m, specs), 1, k)

    us = {key: v * 1e6 for key, v in t.items()}
    print(f"python {platform.python_version()}, {platform.machine()}, numpy {np.__version__}")
    print(f"{n} calls per run, best of {k}; {m} trades for MF_PLAN; contract {KEY}, fee {FEE}")
    print()
    print(f"{'case':<58}{'us/call':>10}{'x floor':>9}")
    rows = [
        ("floor: an MF_ function returning 0.0", "floor", "floor"),
        ("MF_CONTRACTS, one cell", "cell", "floor"),
        ("MF_CONTRACTS, one cell, vectorised path (before)", "vector", "floor"),
        ("floor, + Specs range as LibreOffice passes it", "floor_specs", "floor_specs"),
        ("MF_CONTRACTS, one cell + Specs range", "cell_specs", "floor_specs"),
        ("MF_PLAN, a Trades row's six cells + Specs", "plan_row", "floor_specs"),
        ("MF_PLAN, the same six computing every cell (before)", "plan_row_cold", "floor_specs"),
    ]
    for label, key, base in rows:
        print(f"{label:<58}{us[key]:>10.1f}{us[key] / us[base]:>9.1f}")
    print(
        f"MF_PLAN_TOTALS over {m} trades: rows computed {t['totals'] * 1e3:.1f} ms, "
        f"cold {t['totals_cold'] * 1e3:.1f} ms"
    )
    print()
    speed = us["vector"] / us["cell"]
    plan = us["plan_row_cold"] / us["plan_row"]
    ok = us["cell"] <= 50.0
    print(
        f"MF_CONTRACTS one cell: {us['cell']:.1f} us, target <= 50 us -> "
        f"{'MET' if ok else 'MISSED'}; {speed:.1f}x faster than the vectorised path"
    )
    print(
        f"a Trades row's six MF_PLAN cells: {us['plan_row']:.0f} us, {plan:.1f}x faster than "
        f"computing each cell; {m} trades: {us['plan_row'] * m / 1e6:.2f} s in Python"
    )
    print(f"one-cell and vectorised answers agree on {len(data)} cells: {agree}")
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
