"""The template workbook: current, deterministic, evaluated, rendered, and updatable.

* the committed ``workbook/microsize.xlsm`` is what the builder makes now: every part
  exact except numbers (cached cell values, chart caches, numeric attributes), which agree
  within 1e-12; two builds are byte for byte the same (on other CPU kernels too:
  tests/test_same_numbers.py);
* a formula engine (``formulas``) with our functions registered under their Excel names
  recomputes every formula cell, which must equal the cached value in the file;
* key cells are pinned to the outside numbers of the seed scenarios and Hull's example;
* every MF_ formula is a dynamic-array formula and passes ``Specs[[#All]]`` where it can;
* the VBA is xlwings' standalone project, and the wrappers xlwings generates for
  ``microsize.udfs`` declare every MF_ function the workbook calls with a fitting arity;
* LibreOffice opens the file and renders every sheet (PDF, PNG, per-sheet CSV);
* the Specs and Tiers tables round-trip to the package's tables;
* ``update-specs`` replaces them, keeps the user's rows and every other part of the file.
"""

from __future__ import annotations

import csv
import html
import inspect
import io
import math
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from openpyxl.utils.cell import get_column_letter, range_boundaries

from microsize import clock, udfs
from microsize._contracts import (
    SpecTable,
    load_bundled_margin_tiers,
    load_bundled_specs,
    tiers_from_rows,
)
from microsize._errors import MicrosizeError
from microsize.cli import main as cli_main
from microsize.workbook import (
    SHEETS,
    XLWINGS_VBA_VERSION,
    build_workbook,
    build_workbook_bytes,
    tier_rows,
    update_specs,
    xlwings_vba_project,
)
from microsize.workbook._ooxml import Package, table_values
from microsize.workbook.sizing import SIZE_TOP
from microsize.xlsxcompare import workbook_differences
from tests.test_excel_path import ExcelPath, excel  # noqa: F401
from tests.test_excel_path import vba_blocks as _vba_blocks

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbook" / "microsize.xlsm"
MF_CALL = re.compile(r"\b(MF_[A-Z_]+)\(")
#: the MF_SIZE spills on the Sizing sheet start in row SIZE_TOP + 1 (under the inputs and
#: the side check); their last row holds Warnings
SIZE_END = SIZE_TOP + len(udfs.MF_SIZE(2000, 0.015, 3520, 3450, 0.001))
SIZE_A = f"A{SIZE_TOP + 1}"
#: the Checks on trade 1 block: MF_CONTRACTS and MF_RISK of the size to test, below the
#: "Beyond the size" block (a heading, 9 rows and a blank row on each side)
CONTRACTS_ROW, QUOTED_LOSS_ROW = SIZE_END + 15, SIZE_END + 17


@pytest.fixture(scope="module")
def fresh() -> bytes:
    return build_workbook_bytes()


@pytest.fixture(scope="module")
def book_path(tmp_path_factory: pytest.TempPathFactory, fresh: bytes) -> Path:
    path = tmp_path_factory.mktemp("book") / "microsize.xlsm"
    path.write_bytes(fresh)
    return path


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _sheet_parts(data: bytes) -> dict[str, str]:
    """Sheet name -> its XML text."""
    pkg = Package.__new__(Package)
    pkg.parts = _parts(data)
    wb = pkg.parts["xl/workbook.xml"].decode()
    rels = pkg.parts["xl/_rels/workbook.xml.rels"].decode()
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    # openpyxl writes Target before Id, and absolute targets
    targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
    out = {}
    for name, rid in re.findall(r'<sheet\b[^>]*?\bname="([^"]+)"[^>]*? r:id="([^"]+)"', wb):
        out[name] = pkg.parts["xl/" + targets[rid].removeprefix("/xl/")].decode()
    return out


def _calls(text: str) -> list[tuple[str, list[str]]]:
    """Every MF_ call in a formula, nested ones too: (name, its top-level argument texts)."""
    out = []
    for m in MF_CALL.finditer(text):
        depth, args, start = 0, [], m.end()
        for i in range(m.end(), len(text)):
            ch = text[i]
            if ch in "([":
                depth += 1
            elif ch in ")]" and depth:
                depth -= 1
            elif ch == ")" and not depth:
                args.append(text[start:i])
                break
            elif ch == "," and not depth:
                args.append(text[start:i])
                start = i + 1
        out.append((m.group(1), [a for a in args if a != ""]))
    return out


def _formulas(data: bytes) -> list[tuple[str, str, str, str]]:
    """(sheet, anchor, ref, formula text) of every formula cell."""
    out = []
    for sheet, xml in _sheet_parts(data).items():
        for m in re.finditer(r'<c r="([A-Z]+\d+)"([^>]*)><f([^>]*)>([^<]*)</f>', xml):
            ref = re.search(r'ref="([^"]+)"', m.group(3))
            out.append((sheet, m.group(1), ref.group(1) if ref else m.group(1), m.group(4)))
    return out


# ------------------------------------------------------------------ committed and stable
def test_committed_template_is_current(fresh: bytes) -> None:
    assert COMMITTED.is_file(), "workbook/microsize.xlsm is missing"
    assert workbook_differences(COMMITTED.read_bytes(), fresh) == [], (
        "workbook/microsize.xlsm is stale: run `microsize workbook workbook/microsize.xlsm --force`"
    )


def _edit_part(data: bytes, part: str, old: str, new: str) -> bytes:
    """The same zip (entry dates, compression) with one text edit in one part."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as z:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                assert old.encode() in body
                body = body.replace(old.encode(), new.encode(), 1)
            z.writestr(info, body)
    return buf.getvalue()


def test_staleness_check_tolerates_only_last_digit_noise(fresh: bytes) -> None:
    """The check ignores what a BLAS kernel changes (the 16th-17th digit of a cached
    number) and catches what a person changes: a cached number in the 10th digit, a
    formula, a text, a style, another part."""
    xml = _sheet_parts(fresh)["Hedge"]
    cached = re.search(r'<c r="B20"[^>]*>.*?<v>([^<]+)</v>', xml)
    assert cached
    value = float(cached.group(1))
    part = "xl/worksheets/sheet5.xml"
    assert _parts(fresh)[part].decode() == xml  # the Hedge sheet is that part
    old = f"<v>{cached.group(1)}</v>"
    jitter = _edit_part(fresh, part, old, f"<v>{float(np.nextafter(value, 2.0))!r}</v>")
    assert jitter != fresh
    assert workbook_differences(jitter, fresh) == []
    real = _edit_part(fresh, part, old, f"<v>{value * (1 + 1e-10)!r}</v>")
    assert workbook_differences(real, fresh) == [
        f"{part} cell B20: {value * (1 + 1e-10)!r} vs {value!r}"
    ]
    formula = _edit_part(
        fresh, part, "MF_HEDGE_RATIO(Hull[Jet fuel]", "MF_HEDGE_RATIO(Hull[Heating oil]"
    )
    assert workbook_differences(formula, fresh) != []
    style = _edit_part(fresh, part, '<c r="B20" s="', '<c r="B20" s="1')
    assert workbook_differences(style, fresh) != []
    text = _edit_part(fresh, "xl/sharedStrings.xml", "Contracts", "Contract")
    assert workbook_differences(text, fresh) == [
        "xl/sharedStrings.xml differs beyond its numbers (formulas, text, styles or structure)"
    ]


def test_staleness_check_tolerates_last_digit_noise_in_charts_too(fresh: bytes) -> None:
    """A chart caches the numbers it plots (the Portfolio's beta-weighted exposures): the
    check lets them move in the last digit, as the cells they come from, and no more; the
    chart's formulas, texts and number formats stay exact."""
    part = "xl/charts/chart3.xml"
    xml = _parts(fresh)[part].decode()
    cached = re.search(r'<c:numCache>.*?<c:pt idx="0"><c:v>([^<]+)</c:v>', xml)
    assert cached
    value = float(cached.group(1))
    assert value > 1000  # the ETH perpetual's beta-weighted exposure, in USD
    old = f"<c:v>{cached.group(1)}</c:v>"
    last_digit = _edit_part(fresh, part, old, f"<c:v>{float(np.nextafter(value, 0.0))!r}</c:v>")
    assert last_digit != fresh
    assert workbook_differences(last_digit, fresh) == []
    tenth = value * (1 + 1e-10)
    real = _edit_part(fresh, part, old, f"<c:v>{tenth!r}</c:v>")
    assert workbook_differences(real, fresh) == [f"{part} <c:v> of point 0: {tenth!r} vs {value!r}"]
    changed = (
        "xl/charts/chart3.xml differs beyond its numbers (formulas, text, styles or structure)"
    )
    for before, after in (
        ("<c:f>Portfolio!$H$6:$H$9</c:f>", "<c:f>Portfolio!$H$6:$H$8</c:f>"),  # formula
        ("<c:v>ETH perpetual</c:v>", "<c:v>ETH perpetuals</c:v>"),  # a category's text
        ('formatCode="#,##0"', 'formatCode="#,##0.0"'),  # number format
        ('<a:srgbClr val="5B9BD5"/>', '<a:srgbClr val="5B9BD6"/>'),  # style
    ):
        assert workbook_differences(_edit_part(fresh, part, before, after), fresh) == [changed]


def test_build_does_not_depend_on_the_users_tables_or_clock(
    fresh: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user table in MICROSIZE_HOME, another staleness limit or another date change
    nothing: the template is computed from the bundled tables at their newest as-of date."""
    from microsize import refresh

    home = tmp_path / "home"
    home.mkdir()
    rows = load_bundled_specs().rows()
    rows[1][7] = 1  # a different lot step for the first contract
    with (home / "contract_specs.csv").open("w", newline="") as f:
        csv.writer(f).writerows([["" if v is None else v for v in r] for r in rows])
    monkeypatch.setenv("MICROSIZE_HOME", str(home))
    monkeypatch.setenv("MICROSIZE_MAX_SPEC_AGE_DAYS", "1")
    monkeypatch.setattr(clock, "today", lambda: __import__("datetime").date(2030, 1, 1))
    refresh.reload_tables()
    assert build_workbook_bytes() == fresh
    assert clock.today().year == 2030  # restored after the build


def test_sheets_in_order(book_path: Path) -> None:
    wb = openpyxl.load_workbook(book_path, keep_vba=True)
    assert tuple(wb.sheetnames) == SHEETS
    assert all(ws.sheet_state == "visible" for ws in wb.worksheets)  # no hidden list sheet
    assert wb.active.title == "Start"


# ------------------------------------------------------------------ formulas in the file
def test_every_mf_formula_is_a_dynamic_array(fresh: bytes) -> None:
    """Every MF_ formula outside a table is a dynamic array; one inside a table (a
    calculated column: Excel allows no spill there) is a single-cell formula over its own
    row, and the table's definition holds the same formula for the rows Excel adds."""
    parts = _parts(fresh)
    assert b"XLDAPR" in parts["xl/metadata.xml"]  # the dynamic-array cell property
    formulas = _formulas(fresh)
    assert len(formulas) >= 30
    calculated = _calculated_columns(fresh)
    in_tables = 0
    for sheet, xml in _sheet_parts(fresh).items():
        for m in re.finditer(r'<c r="([A-Z]+\d+)"([^>]*)><f([^>]*)>([^<]*)</f>', xml):
            if "MF_" not in m.group(4):
                continue
            assert "@" not in m.group(4)
            if "[#This Row]" in m.group(4) or html.unescape(m.group(4)) in calculated:
                assert m.group(3) == "", (sheet, m.group(1))  # a plain single-cell formula
                assert html.unescape(m.group(4)) in calculated, (sheet, m.group(1))
                in_tables += 1
                continue
            assert 't="array"' in m.group(3), (sheet, m.group(1))
            assert 'cm="1"' in m.group(2), (sheet, m.group(1))
    # Trades: 7 columns x 4 trades (MF_PLAN six, MF_RR one); Holdings: exposure and beta x 4
    # holdings; Bars: the ATR of 20 bars; Entries and Targets: 5 columns x 3 legs or exits
    assert in_tables == 7 * 4 + 2 * 4 + 20 + 5 * 3 + 5 * 3


def _calculated_columns(data: bytes) -> set[str]:
    """The calculatedColumnFormula of every table column that has one (XML unescaped)."""
    out = set()
    for name, body in _parts(data).items():
        if name.startswith("xl/tables/"):
            for f in re.findall(r"<calculatedColumnFormula>([^<]*)<", body.decode()):
                out.add(html.unescape(f))
    return out


def test_every_contract_formula_passes_the_workbooks_specs(fresh: bytes) -> None:
    used = 0
    for sheet, anchor, _ref, text in _formulas(fresh):
        for name, args in _calls(text):
            params = inspect.signature(getattr(udfs, name)).parameters
            if "specs" in params:
                used += 1
                # in the specs argument's place: last, or before slippage and mmr (MF_SIZE)
                at = list(params).index("specs")
                assert len(args) > at, (sheet, anchor, text)
                assert args[at] == "Specs[[#All]]", (sheet, anchor, text)
    assert used >= 20


def test_cached_values_are_in_the_file(book_path: Path) -> None:
    """openpyxl (like any viewer) reads real numbers, not blanks, from the formula cells."""
    wb = openpyxl.load_workbook(book_path, data_only=True)
    size = {r[0].value: r[1].value for r in wb["Sizing"][f"{SIZE_A}:B{SIZE_END}"]}
    assert size["Contracts"] == 428
    assert size["Risk at stop"] == 29.96
    btc = {r[0].value: r[1].value for r in wb["Sizing"][f"D{SIZE_TOP + 1}:E{SIZE_END}"]}
    assert round(btc["Liquidation price"], 2) == 57228.92
    assert "comes before the stop" in btc["Warnings"]
    assert btc["Spec as of"].startswith("2024-10-24 (")  # its age in its own row


# ------------------------------------------------------------------ the formula engine
def _table_ranges(z: zipfile.ZipFile) -> dict[str, str]:
    """Structured reference -> the A1 range the file's own table definitions give it
    (``Specs[[#All]]`` the whole table, ``Prices[BTC]`` a column's data rows)."""
    wbxml = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    target = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    target |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
    out: dict[str, str] = {}
    for name, rid in re.findall(r'<sheet\b[^>]*?\bname="([^"]+)"[^>]*?\br:id="([^"]+)"', wbxml):
        part = "xl/" + target[rid].lstrip("/").removeprefix("xl/")
        rel_part = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rel_part not in z.namelist():
            continue
        for tfile in re.findall(
            r'Target="(?:\.\./|/xl/)tables/([^"]+)"', z.read(rel_part).decode()
        ):
            txml = z.read(f"xl/tables/{tfile}").decode()
            tname = re.search(r' name="([^"]+)"', txml).group(1)  # type: ignore[union-attr]
            ref = re.search(r' ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', txml)
            assert ref
            c0, r0, c1, r1 = ref.groups()
            sheet = f"'{name}'!" if " " in name else f"{name}!"
            out[f"{tname}[[#All]]"] = f"{sheet}${c0}${r0}:${c1}${r1}"
            first = openpyxl.utils.column_index_from_string(c0)
            for j, col in enumerate(re.findall(r'<tableColumn id="\d+" name="([^"]+)"', txml)):
                letter = openpyxl.utils.get_column_letter(first + j)
                out[f"{tname}[{col}]"] = f"{sheet}${letter}${int(r0) + 1}:${letter}${r1}"
                # a calculated column's own row: the row is the formula cell's (see below)
                out[f"{tname}[[#This Row],[{col}]]"] = f"{sheet}${letter}$#"
                out[f"{tname}[[#Headers],[{col}]]"] = f"{sheet}${letter}${r0}"
    return out


def engine_copy(src: Path, dst: Path) -> None:
    """The engine cannot parse structured references: give it each table's A1 range as
    the file's own table definitions say (the same ranges Excel resolves them to)."""
    with zipfile.ZipFile(src) as z:
        ranges = _table_ranges(z)
        with zipfile.ZipFile(dst, "w") as out:
            for info in z.infolist():
                data = z.read(info.filename)
                if info.filename == "xl/workbook.xml":  # a name over a column: ContractKeys
                    for ref in sorted(ranges, key=len, reverse=True):
                        data = data.replace(f">{ref}<".encode(), f">{ranges[ref]}<".encode())
                if info.filename.startswith("xl/worksheets/sheet"):
                    data = _this_row_refs(data, ranges)
                    for ref in sorted(ranges, key=len, reverse=True):
                        data = data.replace(ref.encode(), ranges[ref].encode())
                out.writestr(info, data)


def _this_row_refs(data: bytes, ranges: dict[str, str]) -> bytes:
    """``Trades[[#This Row],[Entry]]`` in the formula of cell X12 -> ``Planner!$C$12``."""
    rows = {k: v for k, v in ranges.items() if "[#This Row]" in k}

    def cell(m: re.Match[str]) -> str:
        text = m.group(0)
        for ref, a1 in rows.items():
            text = text.replace(ref, a1.replace("#", m.group(1)))
        return text

    xml = data.decode()
    xml = re.sub(r'<c r="[A-Z]+(\d+)"[^>]*><f[^>]*>[^<]*</f>', cell, xml)
    return xml.encode()


def _from_engine(x: Any) -> Any:
    import formulas
    import schedula

    if isinstance(x, formulas.ranges.Ranges):
        x = x.value
    if isinstance(x, np.ndarray):
        rows = [
            [None if v is schedula.EMPTY else v.item() if hasattr(v, "item") else v for v in r]
            for r in x.tolist()
        ]
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows
    return x


@pytest.fixture(scope="module")
def engine(book_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("engine") / "engine.xlsx"
    engine_copy(book_path, path)
    return engine_values(path)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return (
            isinstance(a, int | float)
            and isinstance(b, int | float)
            and math.isclose(a, b, rel_tol=1e-15, abs_tol=0)
        )
    return a == b or (a in (None, "") and b in (None, ""))


def test_engine_recomputes_every_formula_cell_to_its_cached_value(
    engine: dict[str, Any], book_path: Path, fresh: bytes
) -> None:
    """Cached value == what the engine computes with our functions, cell by cell
    (floats to 1e-15: the file stores 17 significant digits at most)."""
    import schedula

    wb = openpyxl.load_workbook(book_path, data_only=True)
    checked = 0
    for sheet, _anchor, ref, _text in _formulas(fresh):
        computed = engine[f"{sheet.upper()}!{ref}"]
        cells = wb[sheet][ref]
        rows = cells if isinstance(cells, tuple) else ((cells,),)
        rows = rows if isinstance(rows[0], tuple) else (rows,)
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                value = computed[i][j]
                value = (
                    None
                    if value is schedula.EMPTY
                    else value.item()
                    if hasattr(value, "item")
                    else value
                )
                assert _same(value, cell.value), (sheet, cell.coordinate, value, cell.value)
                checked += 1
    assert checked > 150


def test_engine_agrees_with_the_python_api_and_outside_numbers(engine: dict[str, Any]) -> None:
    """The seed scenarios and Hull's Example 3.3, through the engine."""
    import microsize as ms

    size = {r[0]: r[1] for r in engine[f"SIZING!{SIZE_A}:B{SIZE_END}"].tolist()}
    assert size["Contracts"] == 428 == ms.contracts(30, 3520, 3450, 0.001)  # seed: not 431
    assert size["Risk at stop"] == 29.96
    # the often-quoted 431 breaks the budget
    assert engine[f"SIZING!B{QUOTED_LOSS_ROW}"][0][0] == 30.17
    btc = {r[0]: r[1] for r in engine[f"SIZING!D{SIZE_TOP + 1}:E{SIZE_END}"].tolist()}
    assert (
        round(btc["Liquidation price"], 2) == 57228.92
    )  # Binance FAQ's 60,000 entry, 0.01 BTC at 20x (test_margin)
    assert btc["Max leverage"] == 18
    # the Entries table's own columns: each leg's row of MF_LADDER
    legs = [[engine[f"LADDER!{c}{r}"][0][0] for c in "CDEFG"] for r in (18, 19, 20)]
    assert [r[0] for r in legs] == [180, 240, 180]  # 30/40/30 under one stop
    assert [r[1] for r in legs] == [180, 420, 600]  # the legs sum to the position
    assert legs[-1][3] == 30.0
    assert [r[4] for r in legs] == ["ok"] * 3
    assert round(engine["HEDGE!B20"][0][0], 2) == 0.78  # Hull: h* = 0.78
    stats = {r[0]: r[1] for r in engine["HEDGE!A23:B28"].tolist()}
    assert round(stats["Hedge effectiveness"], 2) == 0.86
    assert engine["MARGIN!B20"][0][0] == pytest.approx(57228.9156627)
    assert engine["MARGIN!B21"][0][0] == 18


def test_sizing_fields_beyond_the_size_hold_hand_numbers(engine: dict[str, Any]) -> None:
    """The fields a trader reads beside the size, through the engine, against hand numbers:
    trade 1 is $2,000 x 1.5% long 3520 / stop 3450 in 0.001 units (428 contracts, 1x),
    trade 2 the Binance BTC long 60,000 / 57,000 at 20x with 0.05% fees."""
    beyond = SIZE_END + 2  # the "Beyond the size" heading
    rows = {
        engine[f"SIZING!A{r}"][0][0]: (engine[f"SIZING!B{r}"][0][0], engine[f"SIZING!E{r}"][0][0])
        for r in range(beyond + 1, beyond + 10)
    }
    eth, btc = zip(*rows.values(), strict=True)
    got = dict(zip(rows, zip(eth, btc, strict=True), strict=True))
    assert got["Stop distance (% of entry)"][0] == pytest.approx(70 / 3520, rel=1e-12)
    assert got["Stop distance (% of entry)"][1] == pytest.approx(0.05, rel=1e-12)
    assert str(got["Stop distance (ticks)"][0]).startswith("n/a: a contract size typed")
    assert got["Stop distance (ticks)"][1] == pytest.approx(30000, rel=1e-12)  # tick 0.1
    # target 3660 = entry + 2 x 70, no fees: exactly 2R
    assert got["Reward to risk: MF_RR"][0] == pytest.approx(2.0, rel=1e-12)
    # no fee on trade 1: break-even is the entry; trade 2: 60,000 x 1.0005 / 0.9995
    assert got["Break-even: MF_BREAKEVEN"][0] == pytest.approx(3520, rel=1e-12)
    assert got["Break-even: MF_BREAKEVEN"][1] == pytest.approx(60000 * 1.0005 / 0.9995)
    assert got["Entry to liquidation (%)"][0] == "none: cannot be liquidated"
    assert got["Entry to liquidation (%)"][1] == pytest.approx((60000 - 57228.92) / 60000, abs=1e-7)
    # $1,000 at 1x buys floor(1000 / 3.52) = 284 units of 0.001 at 3520; at 20x 0.333 BTC
    assert got["Most the margin allows"] == (284, 0.333)
    assert got["Contracts, signed (- = short)"] == (428, 0.009)
    # 428 x 0.001 x 3520 x 0.01% per 8h, 3 a day
    assert got["Funding per interval"][0] == pytest.approx(0.150656, rel=1e-12)
    assert got["Funding per day: MF_FUNDING"][0] == pytest.approx(3 * 0.150656, rel=1e-12)
    assert engine[f"SIZING!B{SIZE_TOP - 2}"][0][0] == "ok: long, stop below entry"


def test_breakeven_of_a_long_with_fees_each_way_is_the_hand_number() -> None:
    """3520 long, 0.05% each way: exit x (1 - 0.0005) = 3520 x (1 + 0.0005) -> 3523.5218."""
    assert udfs.MF_BREAKEVEN(3520, "long", 0.0005, 0.0005) == pytest.approx(
        3520 * 1.0005 / 0.9995, rel=1e-12
    )
    assert round(udfs.MF_BREAKEVEN(3520, "long", 0.0005, 0.0005), 4) == 3523.5218
    # a short's break-even sits below the entry by the same logic
    assert udfs.MF_BREAKEVEN(3520, "short", 0.0005, 0.0005) == pytest.approx(
        3520 * 0.9995 / 1.0005, rel=1e-12
    )


@pytest.mark.parametrize(
    ("side", "stop", "expected"),
    [
        ("long", 3450, "ok: long, stop below entry"),
        ("short", 3600, "ok: short, stop above entry"),
        ("short", 3450, "stop below entry: a LONG, not the short typed"),
        ("long", 3600, "stop above entry: a SHORT, not the long typed"),
        ("", 3450, "type long or short"),
    ],
)
def test_a_side_that_disagrees_with_the_stop_is_a_red_warning(
    book_path: Path, tmp_path: Path, side: str, stop: float, expected: str
) -> None:
    """The typed side never flips the trade: MF_SIZE sizes by the stop and the side check
    says so in words, red (the conditional format reads "ok:")."""
    wb = openpyxl.load_workbook(book_path)
    ws = wb["Sizing"]
    ws["B8"], ws["B12"] = stop, side or None
    wb.save(tmp_path / "edited.xlsx")
    engine_copy(tmp_path / "edited.xlsx", tmp_path / "engine.xlsx")
    values = engine_values(tmp_path / "engine.xlsx")
    check = values[f"SIZING!B{SIZE_TOP - 2}"][0][0]
    assert check.startswith(expected), check
    size = {r[0]: r[1] for r in values[f"SIZING!{SIZE_A}:B{SIZE_END}"].tolist()}
    assert size["Side"] == ("Long" if stop < 3520 else "Short")  # the stop decides
    rules = {str(r.sqref): [x.formula for x in r.rules] for r in ws.conditional_formatting}
    assert rules[f"B{SIZE_TOP - 2}"] == [[f'LEFT($B${SIZE_TOP - 2},3)<>"ok:"']]


def test_engine_follows_an_edit_to_the_specs_table(book_path: Path, tmp_path: Path) -> None:
    """Formulas read the workbook's table: a changed lot step changes the result."""
    formulas = pytest.importorskip("formulas")
    from openpyxl.worksheet.formula import ArrayFormula

    wb = openpyxl.load_workbook(book_path)
    ws = wb["Sizing"]
    ws["B9"] = "cme:MET"  # 0.1 ETH contracts
    wb.save(tmp_path / "edited.xlsx")
    engine_copy(tmp_path / "edited.xlsx", tmp_path / "engine.xlsx")
    assert isinstance(ws[SIZE_A].value, ArrayFormula)
    registry = formulas.get_functions()
    saved = registry.get("MF_CONTRACTS")
    registry["MF_CONTRACTS"] = lambda *a: udfs.MF_CONTRACTS(*[_from_engine(x) for x in a])
    registry["MF_RISK_AMOUNT"] = lambda *a: udfs.MF_RISK_AMOUNT(*[_from_engine(x) for x in a])
    try:
        model = formulas.ExcelModel().loads(str(tmp_path / "engine.xlsx")).finish()
        sol = model.calculate()
    finally:
        registry.pop("MF_RISK_AMOUNT", None)
        if saved is None:
            registry.pop("MF_CONTRACTS", None)
    got = {k.rsplit("!", 1)[1]: v for k, v in sol.items() if "SIZING" in k}
    # $30 / (70 x 0.1) -> 4 MET
    assert float(np.asarray(got[f"B{CONTRACTS_ROW}"].value).ravel()[0]) == 4.0


# ------------------------------------------------------------------ VBA and xlwings
def test_vba_is_xlwings_standalone_project(fresh: bytes) -> None:
    vba = _parts(fresh)["xl/vbaProject.bin"]
    assert vba == xlwings_vba_project()
    assert f"xlwings64-{XLWINGS_VBA_VERSION}.dll".encode("utf-16-le") in vba or b"xlwings" in vba
    import xlwings

    if xlwings.__version__ == XLWINGS_VBA_VERSION:
        src = Path(xlwings.__file__).with_name("quickstart_standalone.xlsm")
        with zipfile.ZipFile(src) as z:
            assert z.read("xl/vbaProject.bin") == vba
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f"xlwings=={XLWINGS_VBA_VERSION}; sys_platform == 'win32'" in pyproject


def test_xlwings_conf_sheet(book_path: Path) -> None:
    ws = openpyxl.load_workbook(book_path)["xlwings.conf"]
    assert ws["A1"].value == "UDF Modules"
    assert ws["B1"].value == "microsize.udfs"
    assert ws["A2"].value is None  # xlwings reads A1 down to the first gap: nothing else
    # xlwings' default interpreter for UDFs is pythonw (xlwings.bas: GetConfig("INTERPRETER",
    # "pythonw")); the README's set-up says the same
    assert "pythonw.exe" in ws["D1"].value
    assert "python.exe" not in ws["D1"].value.replace("pythonw.exe", "")


def test_start_sheet_gives_an_install_command_that_works(book_path: Path) -> None:
    """microsize is not on a package index: the Start sheet installs from the project
    folder, as the README does."""
    text = " ".join(
        str(c.value) for row in openpyxl.load_workbook(book_path)["Start"].iter_rows() for c in row
    )
    assert "python -m pip install ." in text
    assert "pip install microsize" not in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`python -m pip install .`" in readme
    assert "pip install microsize" not in readme


def test_generated_vba_covers_every_function_the_workbook_calls(
    excel: ExcelPath,  # noqa: F811
    fresh: bytes,
) -> None:
    blocks = _vba_blocks(excel.vba("microsize.xlsm"))
    for sheet, anchor, _ref, text in _formulas(fresh):
        for fname, args in _calls(text):
            assert fname in blocks, (sheet, anchor, text)
            params = list(inspect.signature(getattr(udfs, fname)).parameters.values())
            n_args = len(args)
            required = sum(p.default is inspect.Parameter.empty for p in params)
            assert required <= n_args <= len(params), (sheet, anchor, text)
            header = blocks[fname].splitlines()[0]
            assert header.startswith(f"Function {fname}(")


# ------------------------------------------------------------------ inputs and protection
def test_inputs_validated_warnings_highlighted_sheets_protected(book_path: Path) -> None:
    wb = openpyxl.load_workbook(book_path)
    sizing = wb["Sizing"]
    dvs = {str(dv.sqref): dv for dv in sizing.data_validations.dataValidation}
    assert dvs["B9"].type == "list"
    assert dvs["B9"].formula1 == "ContractKeys"  # the Specs table's key column, however long
    assert dvs["B6"].type == "decimal"
    assert dvs["B6"].operator in (None, "between")  # between is the file format's default
    assert (dvs["B6"].formula1, dvs["B6"].formula2) == ("0", "1")
    assert not sizing["B5"].protection.locked  # inputs are unlocked
    assert sizing[SIZE_A].protection.locked
    assert sizing["B6"].number_format == "0.000%"  # the workbook's one percent style
    assert f"E{SIZE_END}" in {str(r.sqref) for r in sizing.conditional_formatting}
    # a sheet with a table is not protected (protection would stop the table growing);
    # the others are, without a password
    for name in SHEETS:
        if wb[name].tables:
            assert not wb[name].protection.sheet, name
        assert not wb[name].protection.password, name
    for name in ("Start", "Margin"):
        assert wb[name].protection.sheet, name
    for name in ("Sizing", "Ladder", "Planner", "Hedge", "Portfolio", "Prices", "Specs", "Tiers"):
        assert not wb[name].protection.sheet, name
    # every contract dropdown lists the Specs table's key column, a row added to it too
    assert str(wb.defined_names["ContractKeys"].attr_text) == "Specs[key]"
    specs = openpyxl.load_workbook(book_path, data_only=True)["Specs"]
    key_col = [c.value for c in specs[1]].index("key") + 1
    keys = [specs.cell(r, key_col).value for r in range(2, specs.max_row + 1)]
    assert keys == [s.key for s in load_bundled_specs().filter(None)]
    (calc,) = [c for c in wb["Specs"].tables["Specs"].tableColumns if c.calculatedColumnFormula]
    assert calc.name == "key"
    assert calc.calculatedColumnFormula.attr_text == (
        'Specs[[#This Row],[exchange]]&":"&Specs[[#This Row],[symbol]]'
    )
    for name in ("Portfolio", "Planner"):
        assert any(dv.type == "list" for dv in wb[name].data_validations.dataValidation), name


def test_specs_and_tiers_round_trip(book_path: Path) -> None:
    rows = table_values(book_path, "Specs")
    table = SpecTable.from_rows(rows, origin="workbook Specs")
    assert table.rows() == load_bundled_specs().rows()
    tiers = tiers_from_rows(table_values(book_path, "Tiers"), origin="workbook Tiers")
    assert tier_rows(tiers) == tier_rows(load_bundled_margin_tiers())
    wb = openpyxl.load_workbook(book_path)
    assert wb["Specs"].tables["Specs"].ref == f"A1:R{len(rows)}"  # the key column last


# ------------------------------------------------------------------ LibreOffice
def _soffice() -> str | None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None and os.environ.get("CI"):
        pytest.fail("LibreOffice (soffice) is required in CI: .ci/run installs it")
    return exe


@pytest.mark.office
def test_libreoffice_renders_every_sheet(book_path: Path, fresh: bytes, tmp_path: Path) -> None:
    """LibreOffice opens the file; every visible sheet renders to PDF (its name is in the
    page header) and PNG; no cell shows #VALUE!, #REF!, #DIV/0! or #N/A, and every cell
    that is not an MF_ formula shows what the file holds.

    LibreOffice 7.x always recalculates array formulas on load, and it cannot call
    Python UDFs, so the MF_ cells show #NAME? there (verified: a dynamic-array =SUM(1)
    with a cached 999 shows 1). The test pins #NAME? to exactly those cells and nowhere else.
    """
    exe = _soffice()
    if exe is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc poppler-utils)")
    env = {**os.environ, "HOME": str(tmp_path)}
    profile = f"-env:UserInstallation=file://{tmp_path}/lo"
    run = [exe, profile, "--headless", "--convert-to"]
    subprocess.run(
        [*run, "pdf", "--outdir", str(tmp_path), str(book_path)],
        check=True,
        env=env,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "microsize.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for sheet in SHEETS:
        assert re.search(rf"^\f?{re.escape(sheet)}\s+microsize", text, re.M), sheet
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True, timeout=240
    )
    assert len(list(tmp_path.glob("page*.png"))) >= len(SHEETS)

    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run(
        [*run, csv_filter, "--outdir", str(tmp_path / "csv"), str(book_path)],
        check=True,
        env=env,
        capture_output=True,
        timeout=240,
    )
    mf_cells: dict[str, set[tuple[int, int]]] = {}
    # LibreOffice without the add-in recalculates array formulas on load (#NAME?) and
    # shows the cached values of the others (the tables' calculated columns)
    for sheet, _anchor, ref, text_f in _formulas(fresh):
        if "MF_" in text_f and "[#This Row]" not in text_f:
            first, _, last = ref.partition(":")
            (r0, c0), (r1, c1) = _rc(first), _rc(last or first)
            mf_cells.setdefault(sheet, set()).update(
                (r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
            )
    wb = openpyxl.load_workbook(book_path, data_only=True)
    names = lazy = 0
    guarded = sum(text_f.startswith("IF(") for _s, _a, _r, text_f in _formulas(fresh))

    def held_of(sheet: str, r: int, c: int) -> Any:
        return wb[sheet].cell(r + 1, c + 1).value

    for sheet in SHEETS:
        path = tmp_path / "csv" / f"microsize-{sheet}.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        for r, row in enumerate(rows):
            for c, shown in enumerate(row):
                assert shown not in ("#VALUE!", "#REF!", "#DIV/0!", "#N/A", "Err:502"), (
                    sheet,
                    r,
                    c,
                )
                if (r, c) in mf_cells.get(sheet, set()):
                    names += shown == "#NAME?"
                    # an IF whose branch with the MF_ call is not taken shows its value
                    lazy += shown != "#NAME?" and shown == str(held_of(sheet, r, c))
                    continue
                assert shown != "#NAME?", (sheet, r, c)
                held = wb[sheet].cell(r + 1, c + 1).value
                if isinstance(held, int | float) and not isinstance(held, bool):
                    assert _shows(shown, held), (
                        sheet,
                        r,
                        c,
                        shown,
                        held,
                    )
                elif held is not None:
                    assert shown == str(held), (sheet, r, c, shown, held)
    assert names + lazy == sum(len(v) for v in mf_cells.values())
    assert lazy <= guarded


def _shows(shown: str, held: float) -> bool:
    """A number as LibreOffice displays it (1.50%, 2,000.00, 20x) is the held value, to
    the decimals shown."""
    text = shown.replace(",", "").strip()
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1], 0.01
    text = text.removesuffix("x").removesuffix(" contracts").removesuffix(" ticks")
    text = text.removesuffix("R")
    decimals = len(text.partition(".")[2])
    return math.isclose(float(text) * scale, held, abs_tol=0.5 * 10**-decimals * scale * 1.000001)


def _rc(a1: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", a1)
    assert m
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


# ------------------------------------------------------------------ update-specs
def _add_user_row_and_edit(path: Path) -> list[Any]:
    """What a user does in Excel: a row of their own, and a package row edited."""
    mine = [
        "mybroker",
        "XYZ",
        "linear",
        "BTC",
        "USD",
        "USD",
        0.01,
        1,
        1,
        0.5,
        None,
        None,
        None,
        None,
        "contracts",
        "my own row",
        "2026-11-01",
    ]
    # typed below the table, as Excel does: the table grows and fills its key column
    append_rows(path, path, {"Specs": [mine]})
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb["Specs"]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("taker_fee") + 1, 0.0009)  # cme:MBT edited by hand
    wb.save(path)
    return mine


def test_update_specs_keeps_user_rows_other_sheets_and_vba(book_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "mine.xlsm"
    shutil.copy(book_path, path)
    grown = {
        "Prices": [[28, 39000.0, 1500.0, 80.0, 9.5]],
        "Holdings": [["BTC perpetual", "BTC", "bybit:BTCUSDT", 0.5, 41144.35]],
        "Trades": [["XRP", "binance:XRPUSDT", "long", 2.5, 2.4, 2.8, None, 75, 0.0005, 5]],
    }
    append_rows(path, path, grown)  # rows the user typed below the tables
    mine = _add_user_row_and_edit(path)
    before = _parts(path.read_bytes())
    report = update_specs(path)
    after = _parts(path.read_bytes())
    assert report.backup == tmp_path / "mine.bak.xlsm"
    assert _parts(report.backup.read_bytes()) == before
    pkg = Package(path)
    changed_parts = {k for k in after if after[k] != before.get(k)}
    # Start too: its list of venues now names the user's own venue
    allowed = {pkg.sheets[s] for s in ("Specs", "Tiers", "Spec changes", "Start")}
    allowed |= {
        pkg.table_part("Specs", "Specs"),
        pkg.table_part("Tiers", "Tiers"),
        "xl/workbook.xml",
    }
    assert changed_parts <= allowed
    assert set(after) == set(before)
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert 'fullCalcOnLoad="1"' in after["xl/workbook.xml"].decode()
    rows = table_values(path, "Specs")
    assert rows[-1][: len(mine)] == mine
    assert SpecTable.from_rows(rows).rows()[:-1] == load_bundled_specs().rows()
    assert report.kept_user_keys == ["mybroker:XYZ"]
    assert ["changed", "cme:MBT", "taker_fee", 0.0009, ""] in report.spec_changes
    wb = openpyxl.load_workbook(path)
    changes = [[c.value for c in r] for r in wb["Spec changes"].iter_rows(max_col=5)]
    assert changes[0] == ["change", "key", "field", "old", "new"]
    assert any(r[1] == "cme:MBT" and r[2] == "taker_fee" for r in changes)
    # the key column (the contract dropdowns' list) reaches the user's row
    key = wb["Specs"].cell(len(rows), rows[0].index("key") + 1).value
    assert key == '=Specs[[#This Row],[exchange]]&":"&Specs[[#This Row],[symbol]]'
    # the rows typed below the tables are still there (their sheets are byte-identical)
    for sheet, table in (("Prices", "Prices"), ("Portfolio", "Holdings"), ("Planner", "Trades")):
        values = [[c.value for c in r] for r in wb[sheet][wb[sheet].tables[table].ref]]
        assert values[-1][: len(grown[table][0])] == grown[table][0], table
    (venues,) = [c.value for c in wb["Start"]["B"] if str(c.value).startswith("Venues in")]
    assert venues.startswith(f"Venues in the Specs table ({len(rows) - 1} contracts): cme,")
    assert "mybroker." in venues
    assert [(*f[:3], html.unescape(f[3])) for f in _formulas(path.read_bytes())] == [
        (*f[:3], html.unescape(f[3])) for f in _formulas(report.backup.read_bytes())
    ]


def test_update_specs_twice_changes_nothing_more(book_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "again.xlsm"
    shutil.copy(book_path, path)
    first = update_specs(path)
    assert first.spec_changes == [["change", "key", "field", "old", "new"]]
    once = table_values(path, "Specs")
    update_specs(path, backup=tmp_path / "b2.xlsm")
    assert table_values(path, "Specs") == once


def test_update_specs_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    with pytest.raises(MicrosizeError, match="book must be an existing workbook file"):
        update_specs(tmp_path / "nope.xlsm")
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.save(plain)
    with pytest.raises(MicrosizeError, match="no sheet named 'Specs'"):
        update_specs(plain)


# ------------------------------------------------------------------ command line
def test_cli_writes_the_template_and_updates_specs(
    fresh: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.xlsm"
    assert cli_main(["workbook", str(out)]) == 0
    assert out.read_bytes() == fresh
    assert cli_main(["workbook", str(out)]) == 0  # same bytes: nothing to do
    assert "already up to date" in capsys.readouterr().out
    out.write_bytes(fresh + b"x")
    assert cli_main(["workbook", str(out)]) == 2  # never overwrites a different file
    assert "--force" in capsys.readouterr().err
    assert cli_main(["workbook", str(out), "--force"]) == 0
    assert cli_main(["workbook", "update-specs", str(out)]) == 0
    assert "backup" in capsys.readouterr().out
    assert cli_main(["workbook", str(tmp_path / "t.xlsx")]) == 2
    assert "must end in .xlsm" in capsys.readouterr().err
    assert build_workbook(tmp_path / "x.xlsm").read_bytes() == fresh
    with pytest.raises(MicrosizeError, match="does not exist: create it first"):
        build_workbook(tmp_path / "sub" / "x.xlsm")  # never creates folders on its own
    assert not (tmp_path / "sub").exists()


# ------------------------------------------------------------------ tables that grow
def test_no_mf_formula_reads_a_fixed_size_range(fresh: bytes) -> None:
    """Data that grows (price histories, bars, holdings, planned trades, ladder legs) is
    read through table columns: no MF_ formula anywhere in the template holds an A1 range."""
    a1_range = re.compile(r"\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)")
    checked = 0
    for sheet, anchor, _ref, text in _formulas(fresh):
        if "MF_" in text:
            checked += 1
            # a one-cell range (B10:B10) is how an optional argument reads one input cell
            # (_book.one_cell_range): it does not grow
            ranges = [m.groups() for m in a1_range.finditer(text)]
            assert all(g[:2] == g[2:] for g in ranges), (sheet, anchor, text)
    assert checked > 45  # every worked sheet's MF_ formulas
    texts = " ".join(t for *_, t in _formulas(fresh))
    for ref in (
        "Prices[ETH]",
        "Prices[[#All]]",
        "Holdings[Contracts]",
        "Trades[Entry]",
        "Bars[High]",
        "Entries[Entry]",
        "Targets[Target]",
        "Hull[Jet fuel]",
    ):
        assert ref in texts, ref
    # the scan itself catches a fixed range
    assert a1_range.search("MF_BETA(Prices!$C$2:$C$28,Prices!$B$2:$B$28)")


def engine_values(path: Path) -> dict[str, Any]:
    """Every cell of an engine copy, MF_ functions registered under their Excel names, at
    the template's date."""
    formulas = pytest.importorskip("formulas")
    from microsize.workbook import template_date

    registry = formulas.get_functions()
    saved = {k: registry.get(k) for k in dir(udfs) if k.startswith("MF_")}
    for name in saved:
        func = getattr(udfs, name)

        def call(*args: Any, func: Any = func) -> Any:
            try:
                result = func(*[_from_engine(a) for a in args])
            except MicrosizeError as exc:  # Excel shows the message in the cell; the
                result = str(exc)  # engine evaluates both branches of an IF
            return np.array(result if isinstance(result, list) else [[result]], dtype=object)

        registry[name] = call
    # ROWS of a function's result (Excel takes an array; the engine only a range)
    saved["ROWS"] = range_rows = registry["ROWS"]

    def rows(ref: Any) -> Any:
        return np.shape(ref)[0] if isinstance(ref, np.ndarray) else range_rows(ref)

    registry["ROWS"] = rows
    mp = pytest.MonkeyPatch()
    mp.setattr(clock, "today", template_date)
    try:
        solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    finally:
        mp.undo()
        for k, v in saved.items():
            if v is None:
                registry.pop(k, None)
            else:
                registry[k] = v
    out: dict[str, Any] = {}
    for key, value in solution.items():
        if "!" in key and "]" in key.rsplit("!", 1)[0]:  # not the engine's "#REF!" node
            sheet, rng = key.rsplit("!", 1)
            out[f"{sheet.split(']', 1)[1].strip(chr(39))}!{rng}"] = getattr(value, "value", value)
    return out


def append_rows(src: Path, dst: Path, rows: dict[str, list[list[Any]]]) -> None:
    """Type rows below tables (as Excel does, the table grows over them, and its
    calculated columns fill the new rows with their formula): openpyxl writes the cells and
    the table's ref."""
    wb = openpyxl.load_workbook(src, keep_vba=True)
    for ws in wb.worksheets:
        for table in list(ws.tables.values()):
            name = table.displayName
            if name not in rows:
                continue
            c0, r0, c1, r1 = range_boundaries(table.ref)
            for i, row in enumerate(rows[name]):
                for j, v in enumerate(row):
                    ws.cell(r1 + 1 + i, c0 + j, v)
                for j, column in enumerate(table.tableColumns):
                    calc = column.calculatedColumnFormula
                    if calc is not None:
                        assert j >= len(row) or row[j] is None, (
                            name,
                            column.name,
                        )  # typed over a formula
                        ws.cell(r1 + 1 + i, c0 + j, "=" + calc.attr_text)
            r1 += len(rows[name])
            table.ref = f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"
            table.autoFilter.ref = table.ref
    wb.save(dst)


def test_rows_added_to_the_tables_change_the_results(book_path: Path, tmp_path: Path) -> None:
    """A longer price history changes the betas; a new holding changes the portfolio
    hedge; a new planned trade changes the combined risk: nothing reads a fixed range."""
    base = tmp_path / "base.xlsx"
    engine_copy(book_path, base)
    before = engine_values(base)
    grown = tmp_path / "grown.xlsm"
    append_rows(
        book_path,
        grown,
        {
            "Prices": [[28, 39000.0, 1500.0, 80.0, 9.5], [29, 42000.0, 1700.0, 88.0, 10.5]],
            "Holdings": [["BTC perpetual", "BTC", "bybit:BTCUSDT", 0.5, 41144.35]],
            "Trades": [["XRP", "binance:XRPUSDT", "long", 2.5, 2.4, 2.8, None, 75, 0.0005, 5]],
        },
    )
    engine = tmp_path / "grown.xlsx"
    engine_copy(grown, engine)
    after = engine_values(engine)

    def cell(values: dict[str, Any], key: str) -> Any:
        v = values[key]
        return float(np.asarray(v, dtype=object).ravel()[0])

    # ETH's EWMA beta reads Prices[ETH] and Prices[BTC]: two more weeks change it
    assert cell(after, "PORTFOLIO!L29") != cell(before, "PORTFOLIO!L29")
    # a fifth holding (0.5 BTC on Bybit) and two more weeks: the beta-weighted exposure is
    # what the functions give for the five holdings and the 29-week table
    from microsize.workbook._data import SAMPLE_PRICES
    from microsize.workbook.portfolio import HOLDINGS

    held = [list(h) for h in HOLDINGS] + [["BTC perpetual", "BTC", "bybit:BTCUSDT", 0.5, 41144.35]]
    table = [["Week", "BTC", "ETH", "SOL", "LINK"]]
    table += [[i + 1, *r] for i, r in enumerate(SAMPLE_PRICES)]
    table += [[28, 39000.0, 1500.0, 80.0, 9.5], [29, 42000.0, 1700.0, 88.0, 10.5]]
    exposure = udfs.MF_NOTIONAL(
        [[h[3]] for h in held], [[h[4]] for h in held], [[h[2]] for h in held]
    )
    betas = udfs.MF_BETAS(table, [[h[1]] for h in held], "BTC")
    want = sum(e[0] * b[0] for e, b in zip(exposure, betas, strict=True))
    assert math.isclose(cell(after, "PORTFOLIO!L27"), want, abs_tol=0.006)
    assert cell(after, "PORTFOLIO!L27") != cell(before, "PORTFOLIO!L27")
    # the new trade's risk at stop joins the combined risk
    xrp = udfs.MF_RISK(
        udfs.MF_CONTRACTS(75.0, 2.5, 2.4, "binance:XRPUSDT", 0.0005),  # a risk amount
        2.5,
        2.4,
        "binance:XRPUSDT",
        0.0005,
    )
    assert 70 < xrp <= 75
    assert math.isclose(cell(after, "PLANNER!G5") - cell(before, "PLANNER!G5"), xrp, rel_tol=1e-9)


# ------------------------------------------------------------------ printing
def test_every_sheet_prints_legibly_and_no_break_splits_a_chart(fresh: bytes) -> None:
    """Each visible sheet has a print area, prints landscape on A4 at 75% or more (11-point
    text stays at 8 points or more), and no page break (row or column) falls inside a chart."""
    with zipfile.ZipFile(io.BytesIO(fresh)) as z:
        wbxml = z.read("xl/workbook.xml").decode()
        areas = re.findall(r'name="_xlnm.Print_Area" localSheetId="(\d+)">([^<]+)<', wbxml)
        names = re.findall(r'<sheet name="([^"]+)"', wbxml)
        assert {names[int(i)] for i, _ in areas} == set(SHEETS)
        split = charts = 0
        for i in range(1, len(names) + 1):
            xml = z.read(f"xl/worksheets/sheet{i}.xml").decode()
            setup = re.search(r"<pageSetup([^>]*)/>", xml)
            assert setup, names[i - 1]
            assert 'orientation="landscape"' in setup.group(1), names[i - 1]
            scale = re.search(r'scale="(\d+)"', setup.group(1))
            assert scale is None or int(scale.group(1)) >= 75, names[i - 1]
            rows = {
                int(b)
                for b in re.findall(r"<rowBreaks.*?</rowBreaks>", xml)
                for b in re.findall(r'<brk id="(\d+)"', b)
            }
            cols = {
                int(b)
                for b in re.findall(r"<colBreaks.*?</colBreaks>", xml)
                for b in re.findall(r'<brk id="(\d+)"', b)
            }
            rel = f"xl/worksheets/_rels/sheet{i}.xml.rels"
            if rel not in z.namelist():
                continue
            for drawing in re.findall(r'Target="\.\./drawings/([^"]+)"', z.read(rel).decode()):
                dxml = z.read(f"xl/drawings/{drawing}").decode()
                for a in re.findall(r"<xdr:twoCellAnchor.*?</xdr:twoCellAnchor>", dxml, re.S):
                    (c0, r0), (c1, r1) = [
                        (int(c), int(r))
                        for c, r in re.findall(
                            r"<xdr:col>(\d+)</xdr:col>.*?<xdr:row>(\d+)</xdr:row>", a, re.S
                        )
                    ][:2]
                    # a break at n starts a page with row (column) n: inside if r0 < n <= r1
                    charts += 1
                    split += any(r0 < n <= r1 for n in rows) or any(c0 < n <= c1 for n in cols)
        assert charts >= 6  # the Ladder's, the Hedge's, the Portfolio's three, the Margin's
        assert split == 0


def test_one_number_style(fresh: bytes) -> None:
    """Every custom number format of the book is one of the workbook's own: one percent
    style (no 1.498% beside 1.3763%), leverage as 20x (never 0.##"x", which Excel shows
    as "20.x"), and the price, money, contracts, ratio, ticks and tier formats."""
    from microsize.workbook import _book as b

    with zipfile.ZipFile(io.BytesIO(fresh)) as z:
        styles = z.read("xl/styles.xml").decode()
    codes = {
        c.replace("&quot;", '"').replace("&gt;", ">").replace("&lt;", "<")
        for c in re.findall(r'formatCode="([^"]*)"', styles)
    }
    allowed = {
        b.PRICE_FORMAT,
        b.MONEY_FORMAT,
        b.USD_FORMAT,
        b.COIN_FORMAT,
        *b.TICK_FORMATS,
        b.PCT_FORMAT,
        b.LEV_FORMAT,
        b.CONTRACTS_FORMAT,
        b.CONTRACT_FORMAT,  # "1 contract", "-1 contract" (a conditional format)
        b.TICK_LABEL_FORMAT,  # "tick 5" beside a contract
        b.RATIO_FORMAT,
        b.RR_FORMAT,
        'General" ticks"',
        "#,##0.########",  # Tiers floors, caps and amounts
    }
    assert codes <= allowed, codes - allowed
    assert {b.PCT_FORMAT, b.LEV_FORMAT, b.PRICE_FORMAT, b.CONTRACTS_FORMAT} <= codes
    assert not any("%" in c for c in codes - {b.PCT_FORMAT})


def test_plan_columns_before_margin_do_not_depend_on_leverage() -> None:
    """The Trades table's first four calculated columns call MF_PLAN without the leverage
    (its liquidation check is most of MF_PLAN's time): for every trade MF_PLAN accepts
    with a leverage, risk budget, contracts, risk at stop and exposure are the same
    without it; a leverage it refuses is an error in Check, and those columns read n/a."""
    rng = np.random.default_rng(21)
    keys = ("binance:BTCUSDT", "binance:ETHUSDT", "binance:SOLUSDT", "hyperliquid:BTC", 0.01)
    compared = refused = 0
    messages: set[str] = set()
    for i in range(300):
        key = keys[i % len(keys)]
        entry = float(np.round(rng.uniform(1, 70000), 2))
        stop = float(np.round(entry * (1 + rng.choice([-1, 1]) * rng.uniform(0.002, 0.2)), 2))
        risk, amount = (0.01, None) if i % 2 else (None, float(np.round(rng.uniform(5, 900), 2)))
        fee = float(rng.choice([0.0, 0.0002, 0.0005]))
        lev = float(rng.choice([1, 2, 5, 10, 20, 50, 125]))
        args = (10000, risk, amount, entry, stop, key, fee)
        try:
            full = udfs.MF_PLAN(*args, lev)[0]
        except Exception as exc:  # MicrosizeError, or xlwings' COM error once it is loaded
            messages.add(str(exc).split(" (got")[0][:80])
            refused += 1
            continue
        assert udfs.MF_PLAN(*args)[0][:4] == full[:4], (args, lev)
        compared += 1
    assert compared > 200
    assert refused > 0  # some leverages are refused: those rows show n/a, not a number
    assert all("leverage must be" in m for m in messages), messages
