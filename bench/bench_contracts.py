"""Benchmark microsize.contracts and the MF_CONTRACTS Excel function against bare numpy.

Run from the repository root::

    python bench/bench_contracts.py [--rows N] [--json PATH]

Cases (all on the same seeded inputs, a linear contract with a 0.05% fee per side):

(a)  bare numpy: ``floor(risk / (size * (|E - S| + f * (E + S))) / step) * step``
(b)  ``microsize.contracts`` on numpy arrays, contract ``binance:ETHUSDT`` (size 1, step 0.001),
     and a variant with the numeric contract 0.001 (size 0.001, whole contracts)
(c)  ``MF_CONTRACTS`` called once with Excel-shaped columns (lists of 1-element lists, as
     xlwings passes a range with ``ndim=2``); it returns a list of lists
(d)  one ``MF_CONTRACTS(scalar, scalar, scalar, "binance:ETHUSDT")`` call per row: a sample
     of calls is timed and scaled linearly to the row count

Reference and diagnostic rows: numpy including the list -> array -> list conversion an
Excel-shaped call cannot avoid; (c) with the cyclic garbage collector paused; and (b) on
budgets that are each exactly the loss of a whole number of lots, where every row takes
microsize's exact (fractions) recount -- its worst case, timed once.

Each case is the best of several runs (``time.perf_counter``). The script also checks that
(b), (c) and the (d) sample agree and that the boundary budgets give the exact lot count,
and counts the rows where the naive float floor of (a) differs from microsize, by cause.
Nothing is downloaded; no file is written unless ``--json`` is given. Exit status 1 if a
check fails (a missed speed target is reported, not an error).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import microsize
from microsize.udfs import MF_CONTRACTS

KEY = "binance:ETHUSDT"
FEE = 0.0005
TICK = 0.01  # price tick of binance:ETHUSDT; risk is rounded to cents


def make_inputs(rows: int, seed: int) -> dict[str, np.ndarray]:
    """Seeded trades: risk 10..1000, entry 1000..4000, stop 0.5%..10% away on either side.

    Values are rounded to cents / the price tick, as a user would type them.
    """
    rng = np.random.default_rng(seed)
    risk = np.round(rng.uniform(10.0, 1000.0, rows), 2)
    entry = np.round(rng.uniform(1000.0, 4000.0, rows), 2)
    side = rng.choice(np.array([-1.0, 1.0]), rows)
    dist = rng.uniform(0.005, 0.1, rows)
    stop = np.round(entry * (1.0 + side * dist) / TICK) * TICK
    stop = np.round(stop, 2)  # the shortest decimal of the tick multiple
    assert np.all(stop != entry)
    assert np.all(stop > 0)
    return {"risk": risk, "entry": entry, "stop": stop}


def naive(
    risk: np.ndarray, entry: np.ndarray, stop: np.ndarray, size: float, step: float, fee: float
) -> np.ndarray:
    """The bare numpy formula (the linear branch of microsize's ``_unit_loss``)."""
    return np.floor(risk / (size * (np.abs(entry - stop) + fee * (entry + stop))) / step) * step


def best_of(fn: Callable[[], Any], repeat: int, number: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs of ``number`` calls, and the last result."""
    best = float("inf")
    out: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def column(values: np.ndarray) -> list[list[float]]:
    """An Excel column as xlwings hands it over with ndim=2: [[x], [x], ...]."""
    return [[x] for x in values.tolist()]


def compare(naive_q: np.ndarray, exact_q: np.ndarray, step: float) -> dict[str, int]:
    """Rows where the naive result differs from microsize, split by cause."""
    n_naive = np.rint(naive_q / step)
    n_exact = np.rint(exact_q / step)
    lots = n_naive - n_exact
    differ = naive_q != exact_q
    return {
        "rows_differ": int(differ.sum()),
        "naive_one_lot_short": int((lots == -1).sum()),
        "naive_one_lot_over": int((lots == 1).sum()),
        "naive_other_lot_diff": int((np.abs(lots) > 1).sum()),
        "same_lots_float_repr_only": int((differ & (lots == 0)).sum()),
    }


def boundary_risk(entry: np.ndarray, stop: np.ndarray, lots: np.ndarray) -> np.ndarray:
    """Budgets equal to the exact loss of ``lots`` lots of 0.001 ETH, fees included.

    With prices in cents and a 0.05% fee the loss of ``n`` lots of 0.001 is the decimal
    ``n (10000 |E - S| + 5 (E + S)) / 1e9`` (E, S in cents), computed in integers; dividing
    the exact integer by 1e9 gives the float nearest that decimal, i.e. what a user typing
    it (or a cell computing it with MF_RISK) holds. The exact count is ``lots``; the float
    ratio lands on either side of it. The same budgets are ``lots`` whole contracts of the
    numeric contract 0.001.
    """
    assert FEE == 0.0005
    ec = np.rint(entry * 100).astype(np.int64)
    sc = np.rint(stop * 100).astype(np.int64)
    num = lots * (10_000 * np.abs(ec - sc) + 5 * (ec + sc))
    assert num.max() < 2**53
    return num / 1e9


def near_boundary(
    risk: np.ndarray, entry: np.ndarray, stop: np.ndarray, size: float, step: float, fee: float
) -> int:
    """Rows microsize recounts exactly (float count within 1e-9 of a whole step)."""
    unit = size * (np.abs(entry - stop) + fee * (entry + stop))
    q = risk / (unit * step)
    return int((np.abs(q - np.rint(q)) <= 1e-9 * np.maximum(1.0, np.abs(q))).sum())


def git_version() -> str:
    """The repository commit being measured, marked dirty when files differ (no network)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        rev = subprocess.run(
            ["git", "-C", root, "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return rev + ("+dirty" if dirty.strip() else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000, help="rows per column (default 100000)")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    ap.add_argument("--seed", type=int, default=20240, help="random seed (default 20240)")
    ap.add_argument(
        "--repeat",
        type=int,
        default=7,
        help="best of this many runs for the column cases (default 7, min 5)",
    )
    ap.add_argument(
        "--cell-sample",
        type=int,
        default=5000,
        help="single-cell calls timed for (d), scaled to --rows (default 5000)",
    )
    ap.add_argument(
        "--cell-repeat",
        type=int,
        default=3,
        help="best of this many runs of the (d) sample (default 3)",
    )
    args = ap.parse_args(argv)
    if args.rows < 2 or args.cell_sample < 1:
        ap.error("--rows must be at least 2 (a column) and --cell-sample positive")
    rows, repeat = args.rows, max(5, args.repeat)
    fast = max(repeat, 20)
    sample = min(args.cell_sample, rows)
    t_start = time.perf_counter()

    data = make_inputs(rows, args.seed)
    risk, entry, stop = data["risk"], data["entry"], data["stop"]
    spec = microsize.load_specs()[KEY]
    size, step = spec.contract_size, spec.lot_step
    assert (size, step) == (1.0, 0.001)
    num_size, num_step = 0.001, 1.0  # the numeric contract 0.001: whole contracts

    # Excel-shaped inputs are built outside the timing: xlwings builds them before the call.
    xl_risk, xl_entry, xl_stop = column(risk), column(entry), column(stop)
    xl_contract, xl_fee = [[KEY]], [[FEE]]
    cells = list(
        zip(risk[:sample].tolist(), entry[:sample].tolist(), stop[:sample].tolist(), strict=True)
    )

    def column_call() -> Any:
        return MF_CONTRACTS(xl_risk, xl_entry, xl_stop, xl_contract, xl_fee)

    def column_call_nogc() -> Any:  # diagnostic: the same call with the cyclic GC paused
        gc.disable()
        try:
            return column_call()
        finally:
            gc.enable()

    def per_cell() -> list[Any]:
        return [MF_CONTRACTS(r, e, s, KEY, FEE) for r, e, s in cells]

    def per_cell_xl() -> list[Any]:  # what xlwings really passes with ndim=2: 1x1 ranges
        return [MF_CONTRACTS([[r]], [[e]], [[s]], xl_contract, xl_fee) for r, e, s in cells]

    def numpy_xl_io() -> list[Any]:  # reference floor for (c): list -> array -> list
        r, e, s = (np.asarray(x, dtype=np.float64) for x in (xl_risk, xl_entry, xl_stop))
        return naive(r, e, s, size, step, FEE).tolist()

    # warm-up: import-time caches (spec table, lru caches) and first-touch allocations
    microsize.contracts(risk[:10], entry[:10], stop[:10], KEY, FEE)
    MF_CONTRACTS(xl_risk[:10], xl_entry[:10], xl_stop[:10], xl_contract, xl_fee)

    t: dict[str, float] = {}
    t["a"], res_a = best_of(lambda: naive(risk, entry, stop, size, step, FEE), fast)
    t["a2"], res_a2 = best_of(lambda: naive(risk, entry, stop, num_size, num_step, FEE), fast)
    t["b"], res_b = best_of(lambda: microsize.contracts(risk, entry, stop, KEY, FEE), repeat)
    t["b2"], res_b2 = best_of(lambda: microsize.contracts(risk, entry, stop, 0.001, FEE), repeat)
    t["c"], res_c = best_of(column_call, repeat)
    t["c_nogc"], _ = best_of(column_call_nogc, repeat)
    t["a_io"], _ = best_of(numpy_xl_io, repeat)
    t_d_sample, res_d = best_of(per_cell, args.cell_repeat)
    t_dxl_sample, res_dxl = best_of(per_cell_xl, args.cell_repeat)
    t["d"] = t_d_sample / sample * rows
    t["d_xl"] = t_dxl_sample / sample * rows

    # Worst case, also the correctness showcase: every budget is exactly the loss of a
    # whole number of lots, so every row needs microsize's exact recount (timed once).
    lots = np.maximum(1, np.rint(res_b / step)).astype(np.int64)
    b_risk = boundary_risk(entry, stop, lots)
    t["b_edge"], res_b_edge = best_of(lambda: microsize.contracts(b_risk, entry, stop, KEY, FEE), 1)
    res_b2_edge = microsize.contracts(b_risk, entry, stop, 0.001, FEE)
    res_a_edge = naive(b_risk, entry, stop, size, step, FEE)
    res_a2_edge = naive(b_risk, entry, stop, num_size, num_step, FEE)

    # ---------------------------------------------------------------- verification
    c_is_lists = isinstance(res_c, list) and all(isinstance(r, list) and len(r) == 1 for r in res_c)
    c_arr = np.asarray(res_c, dtype=np.float64).ravel()
    b_equals_c = bool(c_is_lists and c_arr.shape == res_b.shape and np.array_equal(c_arr, res_b))
    d_equals_b = bool(np.array_equal(np.asarray(res_d, dtype=np.float64), res_b[:sample]))
    dxl_equals_b = bool(np.array_equal(np.asarray(res_dxl, dtype=np.float64), res_b[:sample]))
    edge_exact = bool(
        np.array_equal(np.rint(res_b_edge / step), lots)
        and np.array_equal(res_b2_edge, lots.astype(np.float64))
    )
    diffs = {
        "random": {
            KEY: {
                **compare(res_a, res_b, step),
                "near_boundary": near_boundary(risk, entry, stop, size, step, FEE),
            },
            "0.001": {
                **compare(res_a2, res_b2, num_step),
                "near_boundary": near_boundary(risk, entry, stop, num_size, num_step, FEE),
            },
        },
        "on_boundary": {
            KEY: {
                **compare(res_a_edge, res_b_edge, step),
                "near_boundary": near_boundary(b_risk, entry, stop, size, step, FEE),
            },
            "0.001": {
                **compare(res_a2_edge, res_b2_edge, num_step),
                "near_boundary": near_boundary(b_risk, entry, stop, num_size, num_step, FEE),
            },
        },
    }

    # ---------------------------------------------------------------- report
    cases = [
        ("a", "(a)  numpy, size 1 step 0.001 (as ETHUSDT)", "a"),
        ("a2", "(a2) numpy, size 0.001 step 1 (as 0.001)", "a2"),
        ("b", f"(b)  contracts(arrays, {KEY!r})", "a"),
        ("b2", "(b2) contracts(arrays, 0.001)", "a2"),
        ("c", "(c)  MF_CONTRACTS once, Excel columns", "a"),
        ("d", f"(d)  MF_CONTRACTS per cell x{rows} [scaled]", "a"),
        ("d_xl", "(d') per cell, 1x1 [[x]] args [scaled]", "a"),
        ("a_io", "ref  numpy + Excel list->array->list", "a"),
        ("c_nogc", "diag (c) with the cyclic GC paused", "a"),
        ("b_edge", "diag (b) every row on a lot boundary, 1 run", "a"),
    ]
    print(
        f"microsize {microsize.__version__} (git {git_version()}) | numpy {np.__version__} | "
        f"Python {platform.python_version()} | {platform.machine()} | {os.cpu_count()} CPUs"
    )
    print(
        f"rows={rows} seed={args.seed} fee_rate={FEE} | {KEY}: size {size:g}, "
        f"lot step {step:g}, min {spec.min_qty:g}"
    )
    print(
        f"inputs: risk 10..1000 (cents), entry 1000..4000, stop = entry x (1 +/- 0.005..0.1), "
        f"prices on the {TICK} tick"
    )
    print(
        f"timing: time.perf_counter, best of {fast} runs for (a), {repeat} for (b), (c), "
        f"ref, diag; GC on unless stated"
    )
    print(
        f"(d), (d'): a sample of {sample} single-cell calls, best of {args.cell_repeat}, "
        f"scaled linearly x{rows / sample:g} to {rows} rows (not run {rows} times)"
    )
    print()
    print(f"{'case':<46} {'seconds':>10} {'x numpy':>10}  base")
    print("-" * 74)
    for key, label, base in cases:
        print(f"{label:<46} {t[key]:>10.5f} {t[key] / t[base]:>10.1f}  ({base})")
    print()

    ratio_ba = t["b"] / t["a"]
    ratio_ca = t["c"] / t["a"]
    ratio_dc = t["d"] / t["c"]
    ok_ca, ok_dc = ratio_ca <= 5.0, ratio_dc >= 50.0
    print("headline ratios")
    print(
        f"  (c) column call vs (a) numpy       : {ratio_ca:9.1f}x   "
        f"target <= 5x  -> {'MET' if ok_ca else 'MISSED'}"
    )
    print(
        f"  (d) per-cell vs (c) column call    : {ratio_dc:9.1f}x   "
        f"target >= 50x -> {'MET' if ok_dc else 'MISSED'}"
    )
    print(f"  (b) contracts() vs (a) numpy       : {ratio_ba:9.1f}x")
    print(f"  (b2) contracts(0.001) vs (a2) numpy: {t['b2'] / t['a2']:9.1f}x")
    print(f"  (c) vs ref numpy with list I/O     : {t['c'] / t['a_io']:9.1f}x")
    print(
        f"  one single-cell call               : {t_d_sample / sample * 1e6:9.1f} us "
        f"(1x1 [[x]] args: {t_dxl_sample / sample * 1e6:.1f} us)"
    )
    print()

    print("verification")
    checks = [
        (f"(c) returns a list of {len(res_c)} one-element lists", c_is_lists),
        (f"(b) == (c) on all {rows} rows", b_equals_c),
        (f"(d) sample == (b) on the first {sample} rows", d_equals_b),
        (f"(d') sample (1x1 args) == (b) on the first {sample} rows", dxl_equals_b),
        ("boundary set: microsize == the exact lot count, both contracts", edge_exact),
    ]
    for label, value in checks:
        print(f"  {label:<64} {value}")
    print()
    print("naive numpy (a) vs microsize (b), rows that differ")
    print(
        f"  {'inputs, contract':<34}{'differ':>8}{'1 short':>9}{'1 over':>8}{'other':>7}"
        f"{'repr':>7}{'exact':>7}"
    )
    for dataset, label in (("random", "random"), ("on_boundary", "boundary")):
        for contract, d in diffs[dataset].items():
            print(
                f"  {label + ', ' + contract:<34}{d['rows_differ']:>8}"
                f"{d['naive_one_lot_short']:>9}{d['naive_one_lot_over']:>8}"
                f"{d['naive_other_lot_diff']:>7}{d['same_lots_float_repr_only']:>7}"
                f"{d['near_boundary']:>7}"
            )
    print("  1 short/over: naive floor is one lot below/above the exact count; repr: same lots,")
    print("  but n*step is not the clean decimal (0.43100000000000005 vs 0.431); exact: rows")
    print("  within 1e-9 of a whole step that microsize recounts with fractions. 'boundary'")
    print("  inputs: each budget is exactly the loss of a whole number of lots (a budget")
    print("  worked back from a size), so the exact answer sits on the floor's edge.")
    elapsed = time.perf_counter() - t_start
    print(f"\ntotal run time {elapsed:.1f} s")

    ok = b_equals_c and d_equals_b and dxl_equals_b and edge_exact
    if args.json:
        result = {
            "rows": rows,
            "seed": args.seed,
            "repeat": {"numpy": fast, "column": repeat, "cell": args.cell_repeat, "boundary": 1},
            "cell_sample": sample,
            "cell_times_scaled_linearly": True,
            "contract": KEY,
            "fee_rate": FEE,
            "environment": {
                "microsize": microsize.__version__,
                "git": git_version(),
                "numpy": np.__version__,
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
            },
            "cases": {
                key: {
                    "label": label,
                    "seconds": t[key],
                    "baseline": base,
                    "ratio_to_baseline": t[key] / t[base],
                }
                for key, label, base in cases
            },
            "cell_call_seconds": {"scalar": t_d_sample / sample, "xl_1x1": t_dxl_sample / sample},
            "ratios": {
                "c_vs_a": ratio_ca,
                "d_vs_c": ratio_dc,
                "b_vs_a": ratio_ba,
                "b2_vs_a2": t["b2"] / t["a2"],
                "c_vs_numpy_with_io": t["c"] / t["a_io"],
            },
            "targets": {"c_vs_a_within_5x": ok_ca, "d_vs_c_at_least_50x": ok_dc},
            "verification": {
                "c_is_list_of_lists": c_is_lists,
                "b_equals_c": b_equals_c,
                "d_sample_equals_b": d_equals_b,
                "d_xl_sample_equals_b": dxl_equals_b,
                "boundary_exact": edge_exact,
                "naive_vs_microsize": diffs,
            },
            "total_seconds": elapsed,
        }
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
            fh.write("\n")
        print(f"JSON written to {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
