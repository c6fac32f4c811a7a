"""Benchmark the command line's start-up against ``python3 -c "import numpy"``, side by side.

Run from the repository root::

    python bench/bench_startup.py [--runs N] [--json PATH]

Each case is a fresh interpreter (``subprocess``), timed by wall clock from start to exit,
interleaved run by run so both see the same machine load:

(base)  ``python -c "import numpy"``: the floor, since sizing needs numpy
(size)  ``python -m microsize.cli size 2000 1.5% 3520 3450 binance:ETHUSDT --fee 0.05%``
(help)  ``python -m microsize.cli --help`` (parses nothing, builds every subcommand)

Per case it reports the median and the fastest of N runs (default 15) of the wall clock and
the median CPU time (user + system of the child), each as a ratio to the base measured in
the same run. The target is ``size`` at most 1.5x the base on the fastest run: on a
shared machine the other processes only ever add time, so the fastest of N interleaved
runs is the least disturbed estimate of both (the medians move with the load, e.g. 0.14 s
to 0.34 s for ``import numpy`` within an hour here). The CPU ratio understates the
difference a little: OpenBLAS's threads spin for a while after ``import numpy`` in both.
The script exits 1 when a command fails or the target is missed. The package is taken
from ``src/`` next to this file, not from an installed copy. Nothing is written unless
``--json`` is given.

Bytecode: an installed package has its ``.pyc`` files, so the children run with bytecode
writing allowed (``PYTHONDONTWRITEBYTECODE`` removed) and the warm-up run writes them;
otherwise every run would compile the package's sources, a cost no user pays.

What to look at when the ratio grows: ``python -X importtime -c "import microsize.cli"``
(``import microsize`` loads no core module; the ``size`` command loads the sizing, margin
and contract modules, never the hedge, ladder, refresh or workbook code).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
TARGET = 1.5

CASES: dict[str, list[str]] = {
    "base: import numpy": ["-c", "import numpy"],
    "microsize size": [
        "-m",
        "microsize.cli",
        "size",
        "2000",
        "1.5%",
        "3520",
        "3450",
        "binance:ETHUSDT",
        "--fee",
        "0.05%",
    ],
    "microsize --help": ["-m", "microsize.cli", "--help"],
}


def _once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one fresh interpreter running ``args``; the CPU time
    is the child's own user + system time (``os.wait4``; ``os.times`` where there is none,
    which counts in clock ticks)."""
    t0 = time.perf_counter()
    before = os.times()
    proc = subprocess.Popen(
        [sys.executable, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if hasattr(os, "wait4"):
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
    else:  # pragma: no cover (Windows)
        _, err = proc.communicate()
        elapsed = time.perf_counter() - t0
        after = os.times()
        cpu = (after.children_user - before.children_user) + (
            after.children_system - before.children_system
        )
    if proc.returncode not in (0, 1):  # 1: sized, with a warning row
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err[-300:]}")
    return elapsed, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--json", help="write the results to this file")
    opts = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # see the module docstring: users have .pyc files
    for args in CASES.values():  # warm the file cache and write the bytecode
        _once(args, env)
    wall: dict[str, list[float]] = {name: [] for name in CASES}
    cpu: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(opts.runs):
        for name, args in CASES.items():
            w, c = _once(args, env)
            wall[name].append(w)
            cpu[name].append(c)
    base_name = "base: import numpy"
    base = statistics.median(wall[base_name])
    base_min = min(wall[base_name])
    base_cpu = statistics.median(cpu[base_name])
    print(f"python {platform.python_version()} on {platform.machine()}, {opts.runs} runs each")
    print(
        f"{'case':<20} {'median s':>9} {'ratio':>6} {'min s':>7} {'ratio':>6}"
        f" {'cpu s':>7} {'ratio':>6}"
    )
    result = {}
    for name in CASES:
        med, low, c = statistics.median(wall[name]), min(wall[name]), statistics.median(cpu[name])
        result[name] = {
            "median_s": med,
            "ratio": med / base,
            "min_s": low,
            "min_ratio": low / base_min,
            "cpu_s": c,
            "cpu_ratio": c / base_cpu if base_cpu > 0 else float("nan"),
        }
        print(
            f"{name:<20} {med:>9.3f} {med / base:>6.2f} {low:>7.3f} {low / base_min:>6.2f}"
            f" {c:>7.3f} {result[name]['cpu_ratio']:>6.2f}"
        )
    size = result["microsize size"]
    ok = size["min_ratio"] <= TARGET
    print(
        f"size / import numpy = {size['min_ratio']:.2f} on the fastest run "
        f"(median {size['ratio']:.2f}, CPU {size['cpu_ratio']:.2f}; "
        f"target at most {TARGET:g} on the fastest): {'ok' if ok else 'MISSED'}"
    )
    if opts.json:
        Path(opts.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
