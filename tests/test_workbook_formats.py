"""What the sheets show (issue 22): prices to the contract's tick, money in a coin to the
satoshi and no satoshis on a USDT trade (as LibreOffice draws the Sizing sheet), the
fitted lines' captions to four decimals, table headers right-aligned over numbers.

The template's trade 2 is Binance BTCUSDT (tick 0.1) at 20x: its liquidation price,
57,228.9156..., shows as 57,228.9, as the Warnings row writes it, and so does the same
trade on the Margin sheet (its liquidation, its sentence, its marks and exit prices). Its
money is in USDT: cents (2,000.00, 30.00). The same
trade on Deribit's BTC-PERPETUAL (an inverse contract, settled in BTC) with a 0.5 BTC
account risks 1.5% = 0.0075 BTC: shown as 0.00750000, where cents would show 0.01.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.test_analyst_edits import TEMPLATE


def _pages(book: Path, out: Path) -> list[str]:
    """The text of each sheet's page, LibreOffice recalculating with the add-in."""
    from microsize.libreoffice import _recalc
    from microsize.workbook_pictures import PDF_TARGET
    from tests.test_libreoffice import office_or_skip

    office_or_skip()
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    (result,) = _recalc.recalc_many([book], out, pdf=PDF_TARGET)
    assert result.pdf is not None
    text = subprocess.run(
        [pdftotext, "-layout", str(result.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


@pytest.mark.office
def test_prices_to_the_tick_and_usdt_money_to_the_cent(tmp_path: Path) -> None:
    pages = _pages(TEMPLATE, tmp_path / "out")
    sizing, margin = pages[1], pages[7]
    assert "57,228.9 " in sizing or sizing.count("57,228.9\n") >= 1
    assert "57,228.92" not in sizing
    assert "57,228.92" not in margin  # the Margin sheet: to the same tick
    assert margin.count("57,228.9") >= 3  # the liquidation, its mark, the sentence
    assert "stop at 57,000.0;" in margin
    assert "66,841.9" in margin  # the last exit price (Chart to)
    assert "60,000.0 " in sizing or "60,000.0\n" in sizing  # trade 2's entry, to the tick
    assert "3,520.00" in sizing  # trade 1 (a contract size typed): no tick, cents
    assert "60,060.03" in sizing  # the break-even keeps its cents
    assert "2,000.00 " in sizing or "2,000.00\n" in sizing
    assert "2,000.00000000" not in sizing  # USDT is not a coin
    assert "30.00000000" not in sizing


@pytest.mark.office
def test_margin_prices_follow_the_contracts_tick(tmp_path: Path) -> None:
    """The Margin sheet's trade on Kraken's PF_XBTUSD (tick 1: no decimals; liquidation
    57,575.76 shows as 57,576) and with a contract size typed (no tick: the workbook's
    price format, cents)."""
    from microsize import udfs as U

    books = []
    for name, contract in (("kraken", "kraken:PF_XBTUSD"), ("size", 0.1)):
        book = tmp_path / f"{name}.xlsm"
        wb = openpyxl.load_workbook(TEMPLATE, keep_vba=True)
        wb["Margin"]["B9"] = contract
        wb["Margin"]["B6"] = 1
        wb.save(book)
        books.append(book)
    kraken = _pages(books[0], tmp_path / "kraken")[7]
    liq = U.MF_LIQ_PRICE(60000, 1, 20, "kraken:PF_XBTUSD")
    assert f"{liq:,.0f}" == "57,576"
    assert "57,576" in kraken.split()  # the liquidation price, no decimals
    assert "liquidation at 57,576, stop at 57,000;" in kraken
    assert "57,575.76" not in kraken
    size = _pages(books[1], tmp_path / "size")[7]
    assert "stop at 57,000.00;" in size
    assert "n/a: size typed" in size  # the tick row
    assert "fee_rate" not in size  # no fee in Specs for a size: 0, to type over


@pytest.mark.office
def test_money_in_a_coin_to_the_satoshi(tmp_path: Path) -> None:
    book = tmp_path / "coin.xlsm"
    wb = openpyxl.load_workbook(TEMPLATE, keep_vba=True)
    ws = wb["Sizing"]
    ws["E5"] = 0.5  # account, in BTC
    ws["E9"] = "deribit:BTC-PERPETUAL"
    ws["E16"] = 0.05  # margin available, in BTC
    wb.save(book)
    sizing = _pages(book, tmp_path / "out")[1]
    assert "0.50000000" in sizing
    assert "0.00750000" in sizing  # the risk budget: 1.5% of 0.5 BTC
    assert "57,000.0" in sizing  # Deribit's tick is 0.5: one decimal


def test_fitted_lines_are_captions_to_four_decimals_not_chart_labels(tmp_path: Path) -> None:
    """Hull's Table 3.2 gives h* = 0.78 (0.7777 to four decimals, as MF_HEDGE_RATIO); ETH's
    OLS beta on the weekly returns is 1.1599. The captions are SLOPE and INTERCEPT of the
    columns the charts draw, computed by the formula engine; no chart carries an equation
    (LibreOffice 7.4 draws one with 15 digits whatever its number format)."""
    import zipfile

    from tests.test_analyst_edits import cells, edited

    got = edited(tmp_path, [])
    assert cells(got, "HEDGE!J3") == [
        ["Fitted line: spot change = 0.7777 x futures change + 0.0009"]
    ]
    assert cells(got, "PORTFOLIO!A31") == [
        ["Fitted line: ETH return = 1.1599 x BTC return - 0.0064 (its slope: ETH's beta)"]
    ]
    with zipfile.ZipFile(TEMPLATE) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    fitted = [c for c in charts if "<c:trendline>" in c]
    assert len(fitted) == 2
    assert not any('<c:dispEq val="1"/>' in c for c in fitted)


def test_table_headers_over_numbers_are_right_aligned() -> None:
    wb = openpyxl.load_workbook(TEMPLATE)
    for sheet, right, left in (
        ("Planner", ("D19", "G19", "M19", "N19", "P19", "Q19", "R19"), ("A19", "B19", "U19")),
        ("Portfolio", ("D5", "E5", "F5", "G5", "H5"), ("A5", "C5")),
        ("Hedge", ("D14", "E14", "G14", "H14"), ()),
    ):
        ws = wb[sheet]
        for ref in right:
            assert ws[ref].alignment.horizontal == "right", (sheet, ref, ws[ref].value)
        for ref in left:
            assert ws[ref].alignment.horizontal != "right", (sheet, ref, ws[ref].value)


def test_no_text_of_the_sheets_draws_as_a_box() -> None:
    """Binance's "USDⓈ-M" drew as a box in the rendered Specs sheet: the circled S
    (U+24C8, Enclosed Alphanumerics) is in neither Calibri nor Carlito. The sources say
    "USDS-M"; no text of the sheets holds a character of that block."""
    import zipfile

    with zipfile.ZipFile(TEMPLATE) as z:
        names = [n for n in z.namelist() if n.startswith("xl/") and n.endswith(".xml")]
        text = "".join(z.read(n).decode("utf-8") for n in names if "theme" not in n)
    assert "USDS-M" in text
    assert not [ch for ch in text if 0x2460 <= ord(ch) <= 0x24FF]


#: Characters of a message on one line of Sizing's 30-wide value columns, as LibreOffice
#: wraps them in Carlito (Calibri's metrics): "target must be below entry for a" is a line.
LINE = 33


def _sizing_texts(specs: list[list[object]]) -> dict[str, list[str]]:
    """Every text the Sizing sheet's value cells show, by the label beside them, for each
    bundled contract and a contract size typed, with the stop on either side of entry, no
    leverage or a leverage above any venue's, no maintenance rate or one typed."""
    from microsize import udfs

    def call(f: object, *args: object) -> object:
        try:
            return f(*args)  # type: ignore[operator]
        except Exception as exc:  # in a cell, the message shows in its place
            return str(exc)

    texts: dict[str, list[str]] = {}
    keys: list[object] = [f"{r[0]}:{r[1]}" for r in specs[1:]] + [0.001]
    for key in keys:
        for entry, stop, target in ((60000, 57000, 66000), (60000, 63000, 66000)):
            for lev in (None, 200):
                size = call(udfs.MF_SIZE, 2000, 0.015, entry, stop, key, 0.0005, lev, specs)
                for label, value in size if isinstance(size, list) else [["Contract", size]]:
                    texts.setdefault(str(label), []).append(value)
                liq = dict(size).get("Liquidation price") if isinstance(size, list) else None
                texts.setdefault("Entry to liquidation (%)", []).append(liq)
                most = call(udfs.MF_MAX_CONTRACTS_MARGIN, 1000, entry, lev, key, specs)
                texts.setdefault("Most the margin allows", []).append(most)
            rr = call(udfs.MF_RR, entry, stop, target, key, 0.0005, specs)
            texts.setdefault("Reward to risk: MF_RR", []).append(rr)
    return {k: [v for v in vs if isinstance(v, str)] for k, vs in texts.items()}


def test_sizing_rows_keep_room_for_the_messages_a_contract_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No text of a Sizing value cell runs over the row below (issue 24): each fits the
    lines its row is tall for, wrapped as LibreOffice wraps the column. The Warnings row
    keeps five lines; several warnings at once may run longer."""
    import datetime as dt
    import textwrap

    from microsize import clock, load_bundled_specs

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 1, 1))
    ws = openpyxl.load_workbook(TEMPLATE)["Sizing"]
    row_of = {c.value: c.row for c in ws["A"] if isinstance(c.value, str)}
    checked = 0
    for label, texts in _sizing_texts(load_bundled_specs().rows()).items():
        if label in ("Warnings", "Contract") or not texts:
            continue
        height = ws.row_dimensions[row_of[label]].height or 15
        longest = max(texts, key=lambda t: len(textwrap.wrap(t, LINE)))
        assert len(textwrap.wrap(longest, LINE)) * 15 <= height, (label, longest, height)
        checked += 1
    assert checked >= 6  # the liquidation rows, the USD risk, R:R, the margin's most...


@pytest.mark.office
def test_a_coin_quantity_to_the_satoshi_and_a_linear_one_to_its_lot(tmp_path: Path) -> None:
    """MF_SIZE's Quantity: an inverse contract's coin (USD contracts / entry) to the
    satoshi, never General's ten digits (617.344333333); trade 1's 0.428 units stay
    0.428 (issue 24)."""
    book = tmp_path / "inverse.xlsm"
    wb = openpyxl.load_workbook(TEMPLATE, keep_vba=True)
    wb["Sizing"]["E9"] = "deribit:BTC-PERPETUAL"
    wb["Sizing"]["E8"] = 63000  # the stop above entry: MF_SIZE sizes a short
    wb.save(book)
    sizing = _pages(book, tmp_path / "out")[1]
    assert "617.34433333" in sizing  # 37,040,660 USD contracts / 60,000, to the satoshi
    assert "617.344333333" not in sizing
    assert "0.428 " in sizing or "0.428\n" in sizing
    assert "0.42800000" not in sizing


@pytest.mark.office
def test_one_contract_is_singular_and_every_sign_is_kept(tmp_path: Path) -> None:
    """Contracts read "1 contract" and "-1 contract", every other count "contracts", the
    sign always kept: a conditional format over the contracts format. A number format with
    conditions ("[=1]0" contract";[=-1]-0" contract";General" contracts"") shows -21 as
    "21 contracts" in LibreOffice (the sections after the first drop the sign)."""
    from microsize.workbook._book import Book

    path = tmp_path / "contracts.xlsx"
    values = [1, -1, 0, 0.5, -21, 428, -0.5, 2]
    book = Book(str(path), [])
    book.add_sheets(["Contracts"])
    book.sheets["Contracts"].set_column("A:E", 20)
    for i, v in enumerate(values):
        book.write("Contracts", f"A{i + 1}", v, "out_contracts")
        book.write("Contracts", f"C{i + 1}", v, "in_contracts")
    book.write("Contracts", "E1", -1, "out_num")  # not a count of contracts: untouched
    book.singular_contracts()
    book.wb.close()
    (page,) = [p for p in _pages(path, tmp_path / "out") if p.strip()]
    rows = [line.split("  ") for line in page.splitlines() if line.strip()]
    shown = [[c.strip() for c in r if c.strip()] for r in rows]
    want = [
        "1 contract",
        "-1 contract",
        "0 contracts",
        "0.5 contracts",
        "-21 contracts",
        "428 contracts",
        "-0.5 contracts",
        "2 contracts",
    ]
    assert [r[:2] for r in shown] == [[w, w] for w in want]
    assert shown[0][2] == "-1"


@pytest.mark.office
def test_hedge_price_to_the_hedge_contracts_tick_and_notes_without_a_blank_line(
    tmp_path: Path,
) -> None:
    """CME's Micro Bitcoin (cme:MBT) moves in 5-dollar ticks: the hedge price shows with no
    decimals on Hedge (60,000) and Portfolio (the last BTC close, 41,144.35, as 41,144),
    the tick beside it; Sizing's one contract for the USD budget reads "1 contract". The
    note under each title takes as many lines as LibreOffice draws it in, and no more."""
    pages = _pages(TEMPLATE, tmp_path / "out")
    hedge, portfolio = pages[4], pages[5]
    assert "Hedge price (BTC)" in hedge
    assert "60,000.00" not in hedge
    assert re.search(r"Hedge price \(BTC\)\s+60,000\s", hedge)
    assert re.search(r"Tick size: MF_SPEC\s+5\s", hedge)
    assert "41,144.35" not in portfolio
    assert re.search(r"latest in Prices\s+41,144\s", portfolio)
    assert re.search(r"cme:MBT\s+tick 5\s", portfolio)
    assert re.search(r"MF_ATR_STOP.*\n.*\n.*USD budget\s+1 contract\n", pages[1])
    assert not re.search(r"(?<![\d.,])-?1 contracts", "\f".join(pages))
    wb = openpyxl.load_workbook(TEMPLATE)
    for sheet, page in (("Ladder", 2), ("Hedge", 4), ("Portfolio", 5), ("Margin", 7)):
        note = str(wb[sheet]["A2"].value).split()
        lines = [" ".join(line.split()) for line in pages[page].splitlines()]
        first = next(i for i, t in enumerate(lines) if t.startswith(" ".join(note[:4])))
        last = next(i for i, t in enumerate(lines) if t.endswith(" ".join(note[-3:])))
        height = wb[sheet].row_dimensions[2].height
        assert (last - first + 1) * 15 <= height < (last - first + 2) * 15, sheet
