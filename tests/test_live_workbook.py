"""``workbook update-prices`` and ``workbook update-holdings`` on the template, with the
venues' recorded answers (tests/live_http.py): what lands in the tables, the backup, the
parts left byte for byte, --dry-run, refusals before any download, nothing written on a
failure, and the planted keys absent from the workbook and its backup."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from microsize._hedge import beta
from microsize.cli import main
from microsize.udfs import MF_ATR, MF_BETAS
from tests import live_http as L  # the recorded answers

TEMPLATE = Path(__file__).resolve().parents[1] / "workbook" / "microsize.xlsm"
KEYS = {
    "MICROSIZE_BINANCE_API_KEY": "planted-binance-key-7f3a9c",
    "MICROSIZE_BINANCE_SECRET": "planted-binance-secret-2b8e",
    "MICROSIZE_OKX_API_KEY": "planted-okx-key-41d0",
    "MICROSIZE_OKX_SECRET": "planted-okx-secret-9c2f",
    "MICROSIZE_OKX_PASSWORD": "planted-okx-pass-77aa",
}


@pytest.fixture
def venues(monkeypatch: pytest.MonkeyPatch) -> L.Venues:
    fake = L.install_fakes(monkeypatch)
    return fake


def with_exposure(source: Path, target: Path, function: str) -> Path:
    """``source`` with its Portfolio's holdings valued by ``function``: MF_EXPOSURE (signed
    USD, the template from issue 24 on) or MF_NOTIONAL (unsigned, settlement currency, the
    templates before), whichever the committed template has."""
    other = "MF_NOTIONAL" if function == "MF_EXPOSURE" else "MF_EXPOSURE"
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(f"{other}(Holdings[".encode(), f"{function}(Holdings[".encode())
            out.writestr(info, data)
    return target


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """The template, valuing holdings with signed exposures."""
    return with_exposure(TEMPLATE, tmp_path / "mine.xlsm", "MF_EXPOSURE")


def table(path: Path, name: str) -> list[list[Any]]:
    wb = openpyxl.load_workbook(path, data_only=False)
    for ws in wb.worksheets:
        if name in ws.tables:
            return [[c.value for c in row] for row in ws[ws.tables[name].ref]]
    raise KeyError(name)


def cell(path: Path, sheet: str, ref: str) -> Any:
    return openpyxl.load_workbook(path, data_only=False)[sheet][ref].value


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def days(n: int) -> list[int]:
    return [t for t in L.times() if t + L.DAY <= L.NOW][-n:]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_update_prices_fills_prices_bars_and_funding(
    venues: L.Venues, book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = book.read_bytes()
    code, out, err = run(
        capsys, "workbook", "update-prices", str(book),
        "binance:BTCUSDT", "okx:ETH-USDT-SWAP", "binance:SOLUSDT", "--bars", "40",
    )  # fmt: skip
    assert code == 0, err
    backup = book.with_name("mine.bak.xlsm")
    assert backup.read_bytes() == before  # the backup is the book as it was
    prices = table(book, "Prices")
    # the calculated return columns stay, after the typed ones, with their formulas
    assert prices[0] == ["Date", "BTC", "ETH", "SOL", "BTC return", "ETH return"]
    assert len(prices) == 41
    assert [r[1] for r in prices[1:]] == [L.close("BTC", t) for t in days(40)]
    assert [r[2] for r in prices[1:]] == [L.close("ETH", t) for t in days(40)]
    assert prices[1][3] is None  # SOL was listed later: a blank, not a zero
    bars = table(book, "Bars")
    assert bars[0] == ["High", "Low", "Close", "ATR"]  # the ATR: the table's own column
    assert [r[:3] for r in bars[1:]] == [list(L.bar("BTC", t)[2:]) for t in days(40)]
    assert all(
        str(r[3]).startswith("=IFERROR(INDEX(MF_ATR(Bars[High],Bars[Low],Bars[Close],$M$6:$M$6,")
        for r in bars[1:]
    )
    # the Margin sheet's contract is binance:BTCUSDT: its current funding rate
    assert cell(book, "Margin", "B9") == "binance:BTCUSDT"
    assert cell(book, "Margin", "B10") == 0.0000625
    assert "Margin!B10 Funding rate per interval: 0.0001 -> 0.0000625 (binance:BTCUSDT" in out
    # every part but the three sheets, their tables and the workbook's flags: byte for byte
    old, new = parts(backup), parts(book)
    changed = {n for n in old if old[n] != new.get(n)}
    assert set(old) == set(new)
    assert all(n.startswith(("xl/worksheets/sheet", "xl/tables/", "xl/charts/"))
               or n == "xl/workbook.xml" for n in changed), changed  # fmt: skip
    # the returns in the table, and the chart that plots them, follow it to row 41
    charts = [new[n].decode() for n in changed if n.startswith("xl/charts/")]
    assert charts
    assert all("Prices!$E$3:$E$41" in c and "Prices!$F$3:$F$41" in c for c in charts)
    tpart = next(n for n in changed if n.startswith("xl/tables/") and b'name="Prices"' in new[n])
    assert new[tpart].decode().count("<calculatedColumnFormula>") == 2
    assert cell(book, "Prices", "E41").startswith("=IF(ROW()-ROW(Prices[[#Headers],[BTC]])")
    assert cell(book, "Prices", "E42") is None
    assert "xl/vbaProject.bin" not in changed
    # the note that called the sample prices made up says where these come from
    from microsize.workbook.update import SAMPLE_NOTE

    notes = [c for r in openpyxl.load_workbook(backup)["Prices"].iter_rows() for c in r
             if isinstance(c.value, str) and c.value.startswith(SAMPLE_NOTE)]  # fmt: skip
    for c in notes:
        now = cell(book, "Prices", c.coordinate)
        assert now.startswith("1d closes of binance:BTCUSDT, okx:ETH-USDT-SWAP, binance:SOLUSDT")
        assert "made up" not in now


def test_betas_and_atr_from_the_updated_book_equal_those_typed_by_hand(
    venues: L.Venues, book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # ETH first: the table keeps BTC in column B and ETH in C, where the returns read them
    argv = ["workbook", "update-prices", str(book), "okx:ETH-USDT-SWAP", "binance:BTCUSDT"]
    assert run(capsys, *argv, "--bars", "30", "--bars-from", "BTC")[0] == 0
    prices = table(book, "Prices")
    assert prices[0] == ["Date", "BTC", "ETH", "BTC return", "ETH return"]
    prices = [r[:3] for r in prices]  # the closes, as typed by hand below
    by_hand_btc = [L.close("BTC", t) for t in days(30)]
    by_hand_eth = [L.close("ETH", t) for t in days(30)]
    from_book = MF_BETAS(prices, [["ETH"]], "BTC")
    by_hand = MF_BETAS(
        [["Week", "BTC", "ETH"]]
        + [[i, b, e] for i, (b, e) in enumerate(zip(by_hand_btc, by_hand_eth, strict=True))],
        [["ETH"]],
        "BTC",
    )
    assert from_book == by_hand
    assert float(from_book[0][0]) == float(
        beta([[x] for x in by_hand_eth], [[x] for x in by_hand_btc], None)
    )
    bars = table(book, "Bars")[1:]
    typed = [L.bar("BTC", t) for t in days(30)]
    got = MF_ATR([[r[0]] for r in bars], [[r[1]] for r in bars], [[r[2]] for r in bars], 14)
    want = MF_ATR([[r[2]] for r in typed], [[r[3]] for r in typed], [[r[4]] for r in typed], 14)
    assert got == want
    assert 1000 < float(got[-1][0]) < 10000  # a number (an ATR of BTC), not an error text


def test_dry_run_writes_nothing(
    venues: L.Venues, book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = book.read_bytes()
    code, out, _ = run(capsys, "workbook", "update-prices", str(book), "binance:BTCUSDT",
                       "binance:ETHUSDT", "--bars", "20", "--dry-run")  # fmt: skip
    assert code == 0
    assert "nothing written (--dry-run); it would change:" in out
    assert (
        "Prices table (Prices): 20 rows x Date, BTC, ETH, BTC return, ETH return "
        "(was 27 rows x 7 columns)" in out
    )
    assert book.read_bytes() == before
    assert sorted(p.name for p in book.parent.iterdir()) == ["mine.xlsm"]


def test_a_column_the_formulas_read_is_refused_before_any_download(
    venues: L.Venues, book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = book.read_bytes()
    code, _, err = run(capsys, "workbook", "update-prices", str(book), "binance:BTCUSDT")
    assert code == 2
    assert "the workbook's formulas read Prices[ETH]" in err
    assert all(not h.calls for h in venues.http.values())
    assert book.read_bytes() == before
    assert sorted(p.name for p in book.parent.iterdir()) == ["mine.xlsm"]


def test_a_failure_midway_leaves_the_book_and_writes_no_backup(
    venues: L.Venues, book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = book.read_bytes()
    venues.http["okx"].fail_after = 0
    code, _, err = run(capsys, "workbook", "update-prices", str(book), "binance:BTCUSDT",
                       "okx:ETH-USDT-SWAP", "--bars", "20")  # fmt: skip
    assert code == 2
    assert "okx:ETH-USDT-SWAP prices: no connection to the venue" in err
    assert book.read_bytes() == before
    assert sorted(p.name for p in book.parent.iterdir()) == ["mine.xlsm"]


def test_update_holdings_and_no_key_in_the_book(
    venues: L.Venues,
    book: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for var, value in KEYS.items():
        monkeypatch.setenv(var, value)
    code, out, err = run(capsys, "workbook", "update-holdings", str(book), "binance", "okx")
    assert code == 0, err
    rows = table(book, "Holdings")
    assert rows[0] == [
        "Holding", "Asset", "Contract", "Contracts", "Price", "Exposure", "Beta", "Beta-weighted"
    ]  # fmt: skip
    assert [r[2:4] for r in rows[1:]] == [
        ["binance:BTCUSDT", 0.015],
        ["binance:ETHUSDT", -1.25],
        ["binance:BTCUSD_PERP", -3],
        ["okx:BTC-USDT-SWAP", 150],
        ["okx:ETH-USDT-SWAP", -40],
    ]
    assert rows[1][1] == "BTC"
    assert rows[1][4] == 61000
    # USDT 5000.5 + USDC 250 on Binance, USDT 10000.5 on OKX (BNB is not a USD coin)
    for sheet, ref in (("Sizing", "B5"), ("Sizing", "E5"), ("Planner", "B5"), ("Ladder", "B5")):
        assert cell(book, sheet, ref) == 15251, (sheet, ref)
    assert "Planner!B5 Account size: 10000 -> 15251" in out
    written = [book, book.with_name("mine.bak.xlsm")]
    for path in written:
        with zipfile.ZipFile(path) as z:
            blob = b"".join(z.read(n) for n in z.namelist())
        for secret in KEYS.values():
            assert secret.encode() not in blob
            assert secret not in out + err


def test_an_unsigned_book_refuses_shorts_and_inverse_holdings(
    venues: L.Venues,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = with_exposure(TEMPLATE, tmp_path / "old.xlsm", "MF_NOTIONAL")
    before = old.read_bytes()
    for var, value in KEYS.items():
        monkeypatch.setenv(var, value)
    code, _, err = run(capsys, "workbook", "update-holdings", str(old), "binance")
    assert code == 2
    assert "this workbook values holdings with MF_NOTIONAL, which counts a short as long" in err
    assert "binance:ETHUSDT (short), binance:BTCUSD_PERP (short)" in err
    assert old.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.xlsm"]


def test_holdings_that_do_not_fit_are_refused(book: Path) -> None:
    from microsize._errors import MicrosizeError
    from microsize.workbook.update import update_holdings

    rows: list[list[Any]] = [["Holding", "Asset", "Contract", "Contracts", "Price"]]
    rows += [[f"h{i}", "BTC", "binance:BTCUSDT", 1, 60000] for i in range(30)]
    before = book.read_bytes()
    with pytest.raises(MicrosizeError, match="cell A31 is in the way"):
        update_holdings(book, rows, None)
    assert book.read_bytes() == before


def test_holdings_without_keys_refuse_in_one_line(
    venues: L.Venues,
    book: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for var in KEYS:
        monkeypatch.delenv(var, raising=False)
    code, _, err = run(capsys, "workbook", "update-holdings", str(book), "binance")
    assert code == 2
    assert err.strip() == (
        "microsize: error: binance positions need a read-only API key: set "
        "MICROSIZE_BINANCE_API_KEY, MICROSIZE_BINANCE_SECRET (see README, Live data)"
    )


def _arrays(path: Path, table: str) -> dict[str, tuple[str, str]]:
    """Array formulas reading ``table``: first cell -> (range, formula), from the file."""
    import re

    out = {}
    for name, data in parts(path).items():
        if name.startswith("xl/worksheets/sheet"):
            for m in re.finditer(
                r'<f\b[^>]*\bt="array"[^>]*\bref="([A-Z]+\d+):([A-Z]+\d+)"[^>]*>(.*?)</f>',
                data.decode(),
            ):
                if f"{table}[" in m.group(3):
                    out[f"{name}!{m.group(1)}"] = (f"{m.group(1)}:{m.group(2)}", m.group(3))
    return out


def test_array_formulas_beside_a_table_follow_its_rows(
    venues: L.Venues,
    book: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import re

    # the template's ATR is the Bars table's own column (no array beside the table): it
    # follows the table to 40 bars, one formula a row
    assert not _arrays(book, "Bars")
    assert table(book, "Bars")[0][-1] == "ATR"
    assert run(capsys, "workbook", "update-prices", str(book), "binance:BTCUSDT",
               "okx:ETH-USDT-SWAP", "--bars", "40")[0] == 0  # fmt: skip
    assert not _arrays(book, "Bars")
    bars = table(book, "Bars")
    assert len(bars) == 41
    assert len({r[3] for r in bars[1:]}) == 1  # the same formula in every row
    assert str(bars[-1][3]).startswith(
        "=IFERROR(INDEX(MF_ATR(Bars[High],Bars[Low],Bars[Close],$M$6:$M$6,"
    )
    # shrinking: Deribit has one position, so the Holdings table's calculated columns
    # (Exposure, Beta, Beta-weighted) hold one row and the old results below it are gone
    # (no stale number left in the sheet), and the chart over them ends on that row
    monkeypatch.setenv("MICROSIZE_DERIBIT_API_KEY", "planted-deribit-key-5e1b")
    monkeypatch.setenv("MICROSIZE_DERIBIT_SECRET", "planted-deribit-secret-0c4d")
    assert len(table(book, "Holdings")) == 5  # the template's four holdings
    assert run(capsys, "workbook", "update-holdings", str(book), "deribit")[0] == 0
    rows = table(book, "Holdings")
    assert len(rows) == 2
    assert all(str(v).startswith("=") for v in rows[1][5:8]), rows[1]
    wb = openpyxl.load_workbook(book, data_only=False)["Portfolio"]
    ref = wb.tables["Holdings"].ref  # e.g. A5:H6
    last_col = re.sub(r"\d", "", ref.split(":")[1])
    first_col = re.sub(r"\d", "", ref.split(":")[0])
    top = int(re.sub(r"\D", "", ref.split(":")[0]))
    for r in range(top + 2, top + 5):
        assert all(wb[f"{c}{r}"].value is None for c in (first_col, last_col)), r
    charts = [d.decode() for n, d in parts(book).items() if n.startswith("xl/charts/")]
    assert any(f"Portfolio!$A${top + 1}:$A${top + 1}" in c for c in charts)
