"""The same numbers on any CPU.

* :mod:`microsize._sums` is exactly rounded up to ``EXACT_UP_TO`` values (checked against
  exact fractions, in any order), within an ulp beyond, and overflows to inf, not an error;
* its window sums and powers are close to the exact ones; money cut to 12 digits uses
  exact powers of ten (np.power and np.log10 differ per SIMD path);
* :func:`microsize.xlsxcompare.workbook_differences` lets a number in any XML part move in
  its last digits and nothing else: formulas, strings, number formats stay exact;
* a panel of results (beta, EWMA beta, rolling beta, hedge statistics, ATR, average entry,
  ladder weights) on histories long enough for the fixed-order lanes, and the template
  itself, come out byte for byte the same in subprocesses that switch OpenBLAS to another
  kernel (``OPENBLAS_CORETYPE``) and turn off numpy's SIMD paths
  (``NPY_DISABLE_CPU_FEATURES``).
"""

from __future__ import annotations

import io
import json
import math
import os
import platform
import subprocess
import sys
import zipfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microsize._exact import clean_money, pow10
from microsize._sums import EXACT_UP_TO, LANES, dot, mean, powers, total, window_sums
from microsize.xlsxcompare import workbook_differences

ROOT = Path(__file__).resolve().parents[1]

finite = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False)


def exact_sum(values: list[float]) -> float:
    return float(sum((Fraction(v) for v in values), Fraction(0)))


# ------------------------------------------------------------------ sums
@settings(max_examples=200, deadline=None)
@given(st.lists(finite, max_size=60), st.randoms(use_true_random=False))
def test_short_sums_are_exactly_rounded_in_any_order(values: list[float], rnd: object) -> None:
    want = exact_sum(values)
    assert total(values) == want
    shuffled = list(values)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert total(np.asarray(shuffled)) == want


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-1e150, max_value=1e150, allow_nan=False),
            st.floats(min_value=-1e150, max_value=1e150, allow_nan=False),
        ),
        max_size=40,
    )
)
def test_dot_is_the_exactly_rounded_sum_of_the_products(pairs: list[tuple[float, float]]) -> None:
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    assert dot(a, b) == exact_sum([x * y for x, y in pairs])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_long_sums_are_within_an_ulp_of_the_exact_sum(seed: int) -> None:
    """Beyond EXACT_UP_TO values the lanes carry their rounding errors: an ulp at most,
    where numpy's pairwise sum of the same values may be off by several."""
    rng = np.random.default_rng(seed)
    n = 3 * LANES + EXACT_UP_TO + 17  # full rows and a partial one
    x = np.ldexp(rng.normal(0, 1, n), rng.integers(-30, 30, n))
    m = n // 2
    x[m : 2 * m] = -x[:m] + rng.normal(0, 1e-6, m)  # heavy cancellation
    want = exact_sum(x.tolist())
    assert abs(total(x) - want) <= math.ulp(want)
    y = rng.normal(1, 0.1, n)
    assert abs(dot(x, y) - exact_sum((x * y).tolist())) <= math.ulp(want)
    assert mean(y) == pytest.approx(exact_sum(y.tolist()) / n, rel=1e-15)


def test_sums_overflow_to_inf_and_carry_nan() -> None:
    assert total([1e308, 1e308]) == math.inf
    assert total([-1e308, -1e308]) == -math.inf
    assert total([1e308, 1e308, -1e308]) == 1e308  # no intermediate overflow
    assert total(np.full(EXACT_UP_TO * 2, 1e305)) == math.inf
    assert total(np.full(EXACT_UP_TO * 2, -1e300)) == pytest.approx(-EXACT_UP_TO * 2e300)
    assert math.isnan(total([1.0, math.nan]))
    assert math.isnan(total([math.inf, -math.inf]))
    assert total([math.inf, 1.0]) == math.inf
    assert dot([1e300, 1.0], [1e10, 1.0]) == math.inf
    assert total([]) == 0.0
    assert math.isnan(mean([]))


@pytest.mark.parametrize("width", [1, 2, 3, 14, 16, 31, 100])
def test_window_sums_are_within_a_few_ulps_of_the_exact_sums(width: int) -> None:
    v = np.random.default_rng(width).uniform(50, 150, 400)
    got = window_sums(v, width)
    want = [exact_sum(v[i : i + width].tolist()) for i in range(v.size - width + 1)]
    assert got.shape == (len(want),)
    for g, w in zip(got.tolist(), want, strict=True):
        assert abs(g - w) <= 4 * math.ulp(w)


def test_powers_are_a_running_product_close_to_the_exact_powers() -> None:
    p = powers(0.94, 500)
    assert p[0] == 1.0
    assert np.array_equal(p[1:], p[:-1] * 0.94)
    for k in (1, 2, 10, 100, 499):
        exact = float(Fraction(0.94) ** k)
        assert abs(p[k] - exact) <= (k + 1) * math.ulp(exact)
    assert powers(0.5, 0).size == 0
    assert powers(1e-200, 3)[2] == 0.0  # underflow is no error


@pytest.mark.parametrize(
    ("x", "k"),
    [
        (4.676258848779987e16, -5),  # AVX-512's 10**-5 is an ulp off: showed ...80001e16
        (-5.4259813001695256e16, -5),
        (9.007554596585927e-12, 23),  # the other paths' 10**23 is an ulp off
        (999.9999999999999, 9),  # next to a power of ten, whatever log10 says
        (1000.0, 8),
    ],
)
def test_money_is_cut_to_12_digits_with_the_nearest_powers_of_ten(x: float, k: int) -> None:
    """12 digits: x times the double nearest 10^k, rounded, over it again; np.power and
    np.log10 are not used, as their last bit differs per SIMD path."""
    scale = float(f"1e{k}")
    want = float(np.rint(x * scale) / scale)
    assert float(clean_money(np.asarray(x))) == want
    # a column: numpy's SIMD loops (AVX-512 or not) run on arrays, not on one value
    assert clean_money(np.full(64, x)).tolist() == [want] * 64


def test_powers_of_ten_are_the_nearest_doubles() -> None:
    k = np.arange(-345, 312)
    want = [float(f"1e{int(e)}") for e in k]
    assert pow10(k.astype(np.float64)).tolist() == want


# ------------------------------------------------------------------ comparing parts
def _zip(part: str, xml: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo(part, (2024, 1, 1, 0, 0, 0)), xml)
    return buf.getvalue()


CHART = (
    "<c:chartSpace><c:ser><c:tx><c:v>{name}</c:v></c:tx><c:cat><c:strRef><c:f>S!$A$1</c:f>"
    '<c:strCache><c:pt idx="0"><c:v>{label}</c:v></c:pt></c:strCache></c:strRef></c:cat>'
    "<c:val><c:numRef><c:f>{ref}</c:f><c:numCache><c:formatCode>{fmt}</c:formatCode>"
    '<c:pt idx="0"><c:v>{value}</c:v></c:pt></c:numCache></c:numRef></c:val></c:ser>'
    '<c:valAx><c:scaling><c:max val="{top}"/></c:scaling>'
    '<c:numFmt formatCode="{axis_fmt}" sourceLinked="0"/></c:valAx></c:chartSpace>'
)
BASE = {
    "name": "2024",
    "label": "0.1",
    "ref": "S!$B$1",
    "fmt": "General",
    "value": "84078.93926858414",
    "top": "67000",
    "axis_fmt": "0.000",
}


def _chart(**change: str) -> bytes:
    return _zip("xl/charts/chart1.xml", CHART.format(**(BASE | change)))


def test_a_chart_number_may_move_in_its_last_digits_only() -> None:
    base = _chart()
    assert workbook_differences(_chart(value="84078.93926858413"), base) == []
    assert workbook_differences(_chart(top="67000.00000000001"), base) == []
    assert workbook_differences(_chart(value="84078.93926958414"), base) == [
        "xl/charts/chart1.xml <c:v> of point 0: 84078.93926958414 vs 84078.93926858414"
    ]
    assert workbook_differences(_chart(top="67001"), base) == [
        "xl/charts/chart1.xml <c:max val=...>: 67001.0 vs 67000.0"
    ]
    # the same number written another way is a change, not a rounding
    assert workbook_differences(_chart(top="67000.0"), base) == [
        "xl/charts/chart1.xml <c:max val=...>: 67000.0 written as 67000"
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"name": "2024.0000000000002"},  # a series name is text
        {"label": "0.10000000000000002"},  # a string cache is text
        {"ref": "S!$B$2"},  # a formula
        {"fmt": "0.00"},  # a number format, as text
        {"axis_fmt": "0.0000"},  # a number format, as an attribute
    ],
)
def test_chart_text_formulas_and_formats_stay_exact(change: dict[str, str]) -> None:
    assert workbook_differences(_chart(**change), _chart()) == [
        "xl/charts/chart1.xml differs beyond its numbers (formulas, text, styles or structure)"
    ]


SHEET = (
    '<worksheet><sheetData><row r="1"><c r="A1" s="{style}"{t}><f>{f}</f><v>{v}</v></c>'
    '<c r="B1" t="s"><v>{shared}</v></c></row></sheetData></worksheet>'
)


def _sheet(style: str = "3", t: str = "", f: str = "MF_BETA(A:A,B:B)", v: str = "0.1") -> bytes:
    return _zip("xl/worksheets/sheet1.xml", SHEET.format(style=style, t=t, f=f, v=v, shared="7"))


def test_a_sheet_cell_may_move_in_its_last_digits_only_when_it_is_a_number() -> None:
    base = _sheet()
    assert workbook_differences(_sheet(v="0.10000000000000002"), base) == []
    assert workbook_differences(_sheet(v="0.1000000001"), base) == [
        "xl/worksheets/sheet1.xml cell A1: 0.1000000001 vs 0.1"
    ]
    # a formula's text result (t="str") is a string: exact
    as_text = _sheet(t=' t="str"')
    assert workbook_differences(_sheet(t=' t="str"', v="0.10000000000000002"), as_text) != []
    assert workbook_differences(_sheet(f="MF_BETA(A:A,C:C)"), base) != []
    assert workbook_differences(_sheet(style="4"), base) != []


def test_strings_and_other_parts_stay_exact() -> None:
    strings = "<sst><si><t>{}</t></si></sst>"
    a = _zip("xl/sharedStrings.xml", strings.format("0.1"))
    b = _zip("xl/sharedStrings.xml", strings.format("0.10000000000000002"))
    assert workbook_differences(a, b) != []
    assert workbook_differences(
        _zip("xl/vbaProject.bin", "1.0"), _zip("xl/vbaProject.bin", "1.00")
    ) == ["xl/vbaProject.bin differs"]


# ------------------------------------------------------------------ other CPUs, for real
PANEL = r"""
import hashlib, json, pathlib, sys
import numpy as np
import microsize as ms
from microsize._exact import clean_money
from microsize.workbook import build_workbook_bytes
from microsize.xlsxcompare import workbook_differences

rng = np.random.default_rng(20240604)
n = 20_001  # beyond EXACT_UP_TO: the fixed-order lanes
x = rng.normal(0, 0.01, n - 1)
y = 1.3 * x + rng.normal(0, 0.005, n - 1)
b = 60_000 * np.cumprod(np.concatenate(([1.0], 1 + x)))
a = 3_000 * np.cumprod(np.concatenate(([1.0], 1 + y)))
close = np.round(b, 1)
high, low = close * (1 + np.abs(x[0]) + 0.001), close * (1 - 0.001)
out = {
    "beta": ms.beta(a, b),
    "beta_small": ms.beta(a[:40], b[:40]),
    "ewma": ms.beta(a, b, 0.97),
    "ewma_small": ms.beta(a[:40], b[:40], 0.94),
    "rolling": ms.rolling_beta(a, b, 250).tobytes().hex(),
    "stats": ms.hedge_stats(a, b).rows(),
    "atr": ms.atr(high, low, close, 14).tobytes().hex(),
    "atr_simple": ms.atr(high, low, close, 500, "simple").tobytes().hex(),
    "avg_entry": ms.avg_entry(close[:9000], np.arange(1, 9001)),
    "weights": ms.ladder_weights(7, "pyramid").tolist(),
    "money": hashlib.sha256(
        clean_money(rng.uniform(1, 10, 50_000) * np.array([float(f"1e{k}") for k in
        rng.integers(-20, 25, 50_000)])).tobytes()
    ).hexdigest(),
}
book = build_workbook_bytes()
out["book"] = hashlib.sha256(book).hexdigest()
committed = pathlib.Path("workbook", "microsize.xlsm").read_bytes()
out["vs_committed"] = workbook_differences(committed, book)
json.dump(out, sys.stdout)
"""


def _numpy_dispatch_found() -> list[str]:
    """numpy's SIMD targets this CPU runs (the baseline cannot be turned off)."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import (  # type: ignore[no-redef]
            __cpu_dispatch__,
            __cpu_features__,
        )
    return [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]


def _variants() -> dict[str, dict[str, str]]:
    out = {}
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        # SSE4.2 kernels, which every CPU numpy runs on has; another order than the AVX2
        # (Haswell, Zen) and AVX-512 (SkylakeX) kernels OpenBLAS picks by itself
        out["OPENBLAS_CORETYPE=Nehalem"] = {"OPENBLAS_CORETYPE": "Nehalem"}
    elif machine in ("aarch64", "arm64"):
        out["OPENBLAS_CORETYPE=ARMV8"] = {"OPENBLAS_CORETYPE": "ARMV8"}
    found = _numpy_dispatch_found()
    if found:
        out[f"NPY_DISABLE_CPU_FEATURES={' '.join(found)}"] = {
            "NPY_DISABLE_CPU_FEATURES": " ".join(found)
        }
    return out


def _panel(extra: dict[str, str]) -> dict[str, object]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES")
    }
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", PANEL],
        env=env | extra,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_results_and_template_are_the_same_with_other_cpu_kernels() -> None:
    """Under another OpenBLAS kernel and without numpy's SIMD paths, every result of the
    panel and the template's bytes are the same as with the machine's own choice."""
    variants = _variants()
    if not variants:
        pytest.skip("no other BLAS kernel or SIMD path to switch to on this machine")
    own = _panel({})
    for name, extra in variants.items():
        other = _panel(extra)
        differ = [k for k in own if own[k] != other[k]]
        assert differ == [], f"{name} changes {differ}"
        assert other["vs_committed"] == [], (
            f"built under {name}, the template differs from workbook/microsize.xlsm"
        )


@pytest.mark.parametrize("n", [5, 3_000, 30_001])
def test_hedge_stats_ratio_is_hedge_ratio_to_the_bit(n: int) -> None:
    """hedge_stats computes its ratio from its own centred sums: the same floats as
    hedge_ratio's slope, on the exact path and on the lanes alike."""
    import microsize as ms

    rng = np.random.default_rng(n)
    spot = 100 * np.cumprod(1 + rng.normal(0, 0.01, n))
    futures = 50 * np.cumprod(1 + rng.normal(0, 0.01, n))
    assert ms.hedge_stats(spot, futures).ratio == ms.hedge_ratio(spot, futures)
