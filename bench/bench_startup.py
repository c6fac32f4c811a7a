"""Benchmark the command line's start-up against ``python3 -c "import numpy"``, side by side.

Run from the repository root::

    python bench/bench_startup.py [--runs N] [--json PATH]

Each case is a fresh interpreter (``subprocess``), timed by wall clock from start to exit,
interleaved run by run so both see the same machine load:

(base)  ``python -c "import numpy"``: the floor, since sizing needs numpy
(size)  ``python -m microsize.cli size 2000 1.5% 3520 3450 binance:ETHUSDT --fee 0.05%``
(help)  ``python -m microsize.cli --help`` (parses nothing, builds every subcommand)

The median of N runs (default 15) is reported per case, and the ratio of each to the
base; the target is ``size`` at most 2x the base. The script exits 1 when a command fails
or the target is missed. The package is taken from ``src/`` next to this file, not from
an installed copy. Nothing is written unless ``--json`` is given.
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
TARGET = 2.0

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


def _once(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):  # 1: sized, with a warning row
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-300:]}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--json", help="write the results to this file")
    opts = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for args in CASES.values():  # warm the file cache and the bytecode
        _once(args, env)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(opts.runs):
        for name, args in CASES.items():
            times[name].append(_once(args, env))
    base = statistics.median(times["base: import numpy"])
    print(f"python {platform.python_version()} on {platform.machine()}, {opts.runs} runs each")
    print(f"{'case':<20} {'median s':>9} {'min s':>7} {'ratio':>6}")
    result = {}
    for name, ts in times.items():
        med = statistics.median(ts)
        result[name] = {"median_s": med, "min_s": min(ts), "ratio": med / base}
        print(f"{name:<20} {med:>9.3f} {min(ts):>7.3f} {med / base:>6.2f}")
    ratio = result["microsize size"]["ratio"]
    ok = ratio <= TARGET
    print(
        f"size / import numpy = {ratio:.2f} (target at most {TARGET:g}): {'ok' if ok else 'MISSED'}"
    )
    if opts.json:
        Path(opts.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
