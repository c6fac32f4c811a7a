"""Benchmark: the cost of one MF_ call inside LibreOffice Calc against the same call in Python.

Run from the repository root (needs LibreOffice, python3-uno and a Python of the same
version as LibreOffice's, as ``microsize recalc`` does)::

    python bench/bench_libreoffice.py [--rows N] [--repeat K]   (default 2000 rows, best of 3)

Two workbooks of the same shape go through ``microsize recalc``'s code (copy, throwaway
profile, add-in install, headless load with recalculation, CSV export), each timed whole:

- MF:   N rows of inputs and ``=MF_CONTRACTS(A,B,C,"binance:ETHUSDT")`` per row;
- base: the same inputs and ``=ROUND(A/ABS(B-C),3)`` per row (a built-in formula), plus one
  ``=MF_VERSION()`` cell so that importing microsize inside LibreOffice is paid in both;
- MF as .ods: the MF workbook converted to .ods by LibreOffice with the add-in, so its
  formulas are stored bound to the add-in. LibreOffice 7.4 binds an .xlsx's MF_ formulas
  only by re-entering them after load (the add-in's job); an .ods needs no re-binding,
  so this row shows the cost of the calls alone.

(MF - base) / N is the cost of one add-in call in Calc: UNO argument conversion, the
Python call, the result back. The same N calls made directly in Python
(``microsize.udfs.MF_CONTRACTS`` with the same scalars) give the baseline, and the report
is the ratio of the two, measured in the same run. Each workbook is the best of K runs.
Nothing is downloaded; the workbooks live in a temporary directory.
"""

from __future__ import annotations

import argparse
import csv
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import xlsxwriter

import microsize
from microsize.libreoffice._install import env_args, install, write_profile_settings
from microsize.libreoffice._office import find_office, office_python_version, run
from microsize.libreoffice._recalc import recalc_many
from microsize.udfs import MF_CONTRACTS

KEY = "binance:ETHUSDT"


def inputs(rows: int, seed: int = 7) -> list[tuple[float, float, float]]:
    rng = np.random.default_rng(seed)
    risk = np.round(rng.uniform(10.0, 1000.0, rows), 2)
    entry = np.round(rng.uniform(1000.0, 4000.0, rows), 2)
    stop = np.round(entry * (1 - rng.choice([-1.0, 1.0], rows) * rng.uniform(0.005, 0.1, rows)), 2)
    return [(float(a), float(b), float(c)) for a, b, c in zip(risk, entry, stop, strict=True)]


def write_book(path: Path, rows: list[tuple[float, float, float]], mf: bool) -> None:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Bench")
    for i, (risk, entry, stop) in enumerate(rows):
        ws.write_row(i, 0, (risk, entry, stop))
        r = i + 1
        if mf:
            ws.write_formula(i, 3, f'=MF_CONTRACTS(A{r},B{r},C{r},"{KEY}")')
        else:
            ws.write_formula(i, 3, f"=ROUND(A{r}/ABS(B{r}-C{r}),3)")
    if not mf:
        ws.write_formula(0, 5, "=MF_VERSION()")
    wb.close()


def timed_recalc(book: Path, out: Path) -> float:
    start = time.perf_counter()
    recalc_many([book], out)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows = inputs(args.rows)
    office = find_office()
    with tempfile.TemporaryDirectory(prefix="microsize-bench-") as tmp_name:
        tmp = Path(tmp_name)
        mf_book, base_book = tmp / "mf.xlsx", tmp / "base.xlsx"
        write_book(mf_book, rows, mf=True)
        write_book(base_book, rows, mf=False)
        profile = tmp / "profile"
        write_profile_settings(profile)
        install(profile, office)
        soffice = [str(office.soffice), *env_args(profile), "--headless", "--norestore"]
        run([*soffice, "--convert-to", "ods", "--outdir", str(tmp / "ods"), str(mf_book)], "ods")
        ods_book = tmp / "ods" / "mf.ods"
        t_mf = t_base = t_ods = float("inf")
        for k in range(args.repeat):
            t_base = min(t_base, timed_recalc(base_book, tmp / f"base{k}"))
            t_mf = min(t_mf, timed_recalc(mf_book, tmp / f"mf{k}"))
            t_ods = min(t_ods, timed_recalc(ods_book, tmp / f"ods{k}"))
        with open(tmp / "mf0" / "mf-Bench.csv", encoding="utf-8") as f:
            got = [float(r[3]) for r in csv.reader(f)]
        with open(tmp / "ods0" / "mf-Bench.csv", encoding="utf-8") as f:
            got += [float(r[3]) for r in csv.reader(f)]

    want = [MF_CONTRACTS(a, b, c, KEY) for a, b, c in rows]
    mismatches = sum(abs(g - w) > 1e-9 for g, w in zip(got, want + want, strict=True))
    t_py = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        for a, b, c in rows:
            MF_CONTRACTS(a, b, c, KEY)
        t_py = min(t_py, time.perf_counter() - start)

    n = args.rows
    per_calc = (t_mf - t_base) / n
    per_ods = (t_ods - t_base) / n
    per_py = t_py / n
    v = office_python_version(office)
    print(f"microsize {microsize.__version__}, Python {platform.python_version()}, ", end="")
    print(
        f"LibreOffice at {office.program} (Python {v[0]}.{v[1]}), {n} rows, best of {args.repeat}"
    )
    print(f"  recalc, base workbook (built-in formula):  {t_base:8.3f} s")
    print(f"  recalc, MF_CONTRACTS workbook:             {t_mf:8.3f} s")
    print(f"  recalc, MF_CONTRACTS as .ods (bound):      {t_ods:8.3f} s")
    print(f"  per call in Calc, .xlsx (incl. re-bind):   {per_calc * 1e6:8.1f} us")
    print(f"  per call in Calc, .ods (calls alone):      {per_ods * 1e6:8.1f} us")
    print(f"  per MF_CONTRACTS call in Python:           {per_py * 1e6:8.1f} us")
    print(f"  ratio Calc / Python, .xlsx:                {per_calc / per_py:8.2f}")
    print(f"  ratio Calc / Python, .ods:                 {per_ods / per_py:8.2f}")
    print(f"  cells differing from Python:               {mismatches:8d} of {2 * n}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
