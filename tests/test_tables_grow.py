"""Tables that grow, in LibreOffice as a user grows them (issue 21).

A copy of the template is opened in LibreOffice with the add-in; one row is added to each
input table the way the README tells a LibreOffice user to (select the table's last row,
insert a row above it, copy the last row into it, type the new values over the last row:
the table, its calculated columns, the formulas over its columns, the validations and the
charts drawn from it all grow). After a recalculation the new rows' own results equal the
Python functions on the new inputs, the totals include them, and every chart series drawn
from a table covers its new last row.

Excel grows a table when a row is typed below it and fills the calculated columns into it
(the file's ``calculatedColumnFormula``); the engine tests of tests/test_analyst_edits.py
type rows below the tables that way. No Excel runs here: that Excel extends the charts
with their tables is not checked.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from microsize import udfs as U
from tests.test_libreoffice import UNO_CONNECT

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook" / "microsize.xlsm"

pytestmark = pytest.mark.office

_CLIENT = (
    r"""
import json, sys, time, uno
pipe, book, todo = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
"""
    + UNO_CONNECT
    + r"""desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
hidden = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
hidden.Name, hidden.Value = "Hidden", True
doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(book), "_blank", 0, (hidden,))

def area(name):
    a = doc.DatabaseRanges.getByName(name).DataArea
    return a.Sheet, a.StartColumn, a.StartRow, a.EndColumn, a.EndRow

def charts():
    out = {}
    for sheet in doc.Sheets:
        for i in range(sheet.Charts.Count):
            obj = sheet.Charts.getByIndex(i).EmbeddedObject
            out.setdefault(sheet.Name, []).append(list(obj.getUsedRangeRepresentations()))
    return out

before = {t["table"]: area(t["table"]) for t in todo["tables"]}
refused = {}
charts_before = charts()
for t in todo["tables"]:
    sheet = doc.Sheets.getByName(t["sheet"])
    s, c0, r0, c1, last = area(t["table"])
    try:
        sheet.Rows.insertByIndex(last, 1)  # a row above the last: inside the table
    except Exception as exc:  # Calc refuses to cut through an array formula
        refused[t["table"]] = str(exc)[:200]
        continue
    src = sheet.getCellRangeByPosition(c0, last + 1, c1, last + 1).RangeAddress
    dst = sheet.getCellByPosition(c0, last).CellAddress
    sheet.copyRange(dst, src)  # the last row, its grey cells too, copied into it
    for j, v in enumerate(t["values"]):  # the new values typed over the last row
        cell = sheet.getCellByPosition(c0 + j, last + 1)
        if v is None:
            cell.setString("")
        elif isinstance(v, str):
            cell.setString(v)
        else:
            cell.setValue(v)
doc.calculateAll()
after = {t["table"]: area(t["table"]) for t in todo["tables"]}
cells = {}
for sheet_name, ref in todo["read"]:
    rng = doc.Sheets.getByName(sheet_name).getCellRangeByName(ref)
    cells[f"{sheet_name}!{ref}"] = [list(r) for r in rng.getDataArray()]
checks = {}
for sheet_name, ref in todo["validations"]:
    v = doc.Sheets.getByName(sheet_name).getCellRangeByName(ref).Validation
    checks[f"{sheet_name}!{ref}"] = [int(v.Type.value == "LIST"), v.getFormula1()]
result = {"before": before, "after": after, "cells": cells, "refused": refused,
          "validations": checks,
          "charts_before": charts_before, "charts": charts()}
if todo.get("pdf"):
    pdf = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    pdf.Name, pdf.Value = "FilterName", "calc_pdf_Export"
    doc.storeToURL(uno.systemPathToFileUrl(todo["pdf"]), (pdf,))
doc.close(True)
try:
    desktop.terminate()
except Exception:
    pass
print(json.dumps(result))
"""
)

#: (sheet, table, the new last row's input values)
NEW_ROWS: list[tuple[str, str, list[Any]]] = [
    ("Planner", "Trades", ["XRP", "binance:XRPUSDT", "long", 2.5, 2.4, 2.8, None, 75, None, 5]),
    ("Portfolio", "Holdings", ["BTC perpetual", "BTC", "bybit:BTCUSDT", -0.5, 41144.35]),
    ("Prices", "Prices", [28, 43000.0, 1700.0, 90.0, 11.0]),
    ("Hedge", "Hull", [16, 2.3, 2.25]),
    ("Ladder", "Entries", [3460, 20]),
    ("Ladder", "Targets", [3800, 10]),
]
#: Not grown here: Sizing's Bars table. Calc refuses to insert a row through an array
#: formula, and the ATR column beside Bars (J6:J25) is one.

#: What is read after the rows are added (rows below an added row have moved down one).
READ = [
    ("Planner", "A20:U24"),
    ("Planner", "A12:C16"),
    ("Planner", "D12:H16"),
    ("Planner", "G5:G7"),
    ("Planner", "L7"),
    ("Portfolio", "A6:H10"),
    ("Portfolio", "K11:L17"),
    ("Portfolio", "F3"),
    ("Portfolio", "L5"),
    ("Portfolio", "L30"),
    ("Prices", "A1:G29"),
    ("Hedge", "D15:H31"),
    ("Hedge", "A20:B20"),
    ("Ladder", "B29"),
]


def _run(tmp_path: Path, pdf: Path | None = None) -> dict[str, Any]:
    from microsize.libreoffice import _office
    from microsize.libreoffice._install import env_args, install, write_profile_settings
    from tests.test_libreoffice import office_or_skip, office_python

    office = office_or_skip()
    profile = tmp_path / "profile"
    write_profile_settings(profile)
    install(profile, office)
    book = tmp_path / "grown.xlsm"
    shutil.copy2(TEMPLATE, book)
    script = tmp_path / "client.py"
    script.write_text(_CLIENT, encoding="utf-8")
    todo = {
        "tables": [{"sheet": s, "table": t, "values": v} for s, t, v in NEW_ROWS],
        "read": READ,
        "validations": [("Planner", "B24"), ("Planner", "G24"), ("Portfolio", "C10")],
        "pdf": str(pdf) if pdf else "",
    }
    pipe = f"microsize-grow-{os.getpid()}"
    env = _office.tool_env()
    soffice = subprocess.Popen(
        [
            str(office.soffice),
            *env_args(profile),
            "--headless",
            "--norestore",
            f"--accept=pipe,name={pipe};urp;",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        done = subprocess.run(
            [office_python(office), str(script), pipe, str(book), json.dumps(todo)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        try:
            soffice.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(soffice.pid, signal.SIGKILL)
            soffice.wait()
    assert done.returncode == 0, done.stderr[-800:]
    got: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return got


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _run(tmp_path_factory.mktemp("grow"))


def _blank(v: Any) -> Any:
    return None if v == "" else v


def test_every_table_grows_by_the_row_added(grown: dict[str, Any]) -> None:
    assert grown["refused"] == {}
    for _sheet, table, _values in NEW_ROWS:
        b, a = grown["before"][table], grown["after"][table]
        assert (a[0], a[1], a[3]) == (b[0], b[1], b[3]), table  # same sheet, same columns
        assert a[4] - a[2] == b[4] - b[2] + 1, table  # one row more


def test_the_new_trade_has_its_own_results_and_the_totals_are_their_sums(
    grown: dict[str, Any],
) -> None:
    rows = grown["cells"]["Planner!A20:U24"]
    assert rows[-1][:10] == [_blank(v) if v is not None else "" for v in NEW_ROWS[0][2]]
    for row in rows:  # inputs A:J (Trade, Contract, Side, Entry, Stop, Target, Risk %, ...)
        args = [_blank(row[k]) for k in (6, 7, 3, 4, 1, 8, 9)]
        want = U.MF_PLAN(10000, *args)[0]
        # Risk budget, Contracts, Risk at stop (M:O), Exposure, Margin (Q:R), Check (U)
        assert [row[k] for k in (12, 13, 14, 16, 17)] == pytest.approx(want[:5]), row[0]
        assert row[20] == want[5], row[0]
    totals = [t[0] for t in grown["cells"]["Planner!G5:G7"]]
    assert totals[0] == pytest.approx(sum(r[14] for r in rows))
    assert totals[1] == pytest.approx(sum(r[17] for r in rows))
    assert totals[2] == pytest.approx(sum(r[16] for r in rows))
    assert grown["cells"]["Planner!L7"] == [["ok: all 5 trades shown"]]
    # the blocks by venue and by coin read the grown columns: the XRP trade on Binance
    venues = {r[0]: r[1] for r in grown["cells"]["Planner!A12:C16"]}
    assert venues["binance"] == pytest.approx(sum(r[17] for r in rows if r[18] == "binance"))
    assert venues["All venues"] == pytest.approx(totals[1])
    coins = {r[0]: r[1:] for r in grown["cells"]["Planner!D12:H16"]}
    assert coins["Other coins"][0] == pytest.approx(rows[-1][16])  # XRP: not listed, red


def test_the_new_holding_and_week_reach_the_hedge(grown: dict[str, Any]) -> None:
    prices = grown["cells"]["Prices!A1:G29"]
    table = [r[:5] for r in prices]
    assert table[-1] == NEW_ROWS[2][2]
    btc, eth = [r[1] for r in table[1:]], [r[2] for r in table[1:]]
    assert prices[-1][5] == pytest.approx(btc[-1] / btc[-2] - 1)  # the new week's returns
    assert prices[-1][6] == pytest.approx(eth[-1] / eth[-2] - 1)
    held = grown["cells"]["Portfolio!A6:H10"]
    assert held[-1][:5] == NEW_ROWS[1][2]
    for h in held:
        exposure = U.MF_EXPOSURE(h[3], h[4], h[2])
        beta = U.MF_BETAS(table, h[1], "BTC")[0][0]
        assert h[5:8] == pytest.approx([exposure, beta, exposure * beta]), h[0]
    assert held[-1][5] == pytest.approx(-20572.175)  # short 0.5 BTC at 41,144.35
    plan = dict(map(tuple, grown["cells"]["Portfolio!K11:L17"]))
    assert len(plan) == 7  # the MF_PORTFOLIO_HEDGE block, one row lower
    assert plan["Exposure"] == pytest.approx(sum(h[5] for h in held))
    assert plan["Beta-weighted exposure"] == pytest.approx(sum(h[7] for h in held))
    assert grown["cells"]["Portfolio!L5"] == [[43000.0]]  # the new week's BTC close
    ewma = U.MF_BETA([[x] for x in eth], [[x] for x in btc], 0.94)
    assert grown["cells"]["Portfolio!L30"][0][0] == pytest.approx(ewma)
    assert grown["cells"]["Portfolio!F3"] == [["ok: all 5 holdings shown"]]


def test_the_new_month_reaches_the_hedge_ratio(grown: dict[str, Any]) -> None:
    hull = grown["cells"]["Hedge!D15:H31"]
    assert hull[-1][:3] == NEW_ROWS[3][2]
    spot, fut = [r[1] for r in hull], [r[2] for r in hull]
    assert hull[-1][3] == pytest.approx(fut[-1] - fut[-2])
    assert hull[-1][4] == pytest.approx(spot[-1] - spot[-2])
    want = U.MF_HEDGE_RATIO([[x] for x in spot], [[x] for x in fut])
    assert grown["cells"]["Hedge!A20:B20"][0] == [
        "Hedge ratio: MF_HEDGE_RATIO",
        pytest.approx(want),
    ]


def test_a_ladder_spill_says_it_shows_fewer_legs(grown: dict[str, Any]) -> None:
    """The Ladder's results are spills (one table of legs per formula): LibreOffice keeps
    their saved range, and the check cell says a leg is not shown."""
    assert grown["cells"]["Ladder!B29"] == [["only 3 of 4 legs shown: room for 10"]]


def _covers(ranges: list[str], sheet: str, column: str, last_row: int) -> bool:
    want = f"${column}${last_row}"
    return any(r.endswith(want) and sheet in r for r in ranges)


def test_the_charts_drawn_from_tables_cover_the_new_rows(grown: dict[str, Any]) -> None:
    """Portfolio: beta-weighted exposure per holding (Holdings' Holding and Beta-weighted
    columns, row 10 now) and ETH vs BTC returns (Prices' return columns, row 29 now);
    Hedge: Hull's changes (row 31 now)."""
    portfolio = [r for chart in grown["charts"]["Portfolio"] for r in chart]
    assert _covers(portfolio, "Portfolio", "A", 10)
    assert _covers(portfolio, "Portfolio", "H", 10)
    assert _covers(portfolio, "Prices", "F", 29)
    assert _covers(portfolio, "Prices", "G", 29)
    hedge = [r for chart in grown["charts"]["Hedge"] for r in chart]
    assert _covers(hedge, "Hedge", "G", 31)
    assert _covers(hedge, "Hedge", "H", 31)
    before = [r for chart in grown["charts_before"]["Portfolio"] for r in chart]
    assert _covers(before, "Portfolio", "H", 9)  # one row shorter before


def test_the_new_rows_keep_their_dropdowns(grown: dict[str, Any]) -> None:
    """The contract dropdown and the percent check reach the new last rows."""
    v = grown["validations"]
    assert v["Planner!B24"][0] == 1
    assert "Lists" in v["Planner!B24"][1]
    assert v["Portfolio!C10"][0] == 1
    assert v["Planner!G24"][0] == 0  # a decimal between 0% and 100%, not a list
    assert v["Planner!G24"][1] == "0"
