"""The command line's input and exit statuses: one CSV reader for every command (the
encodings, delimiters and decimal convention Excel writes; binary files refused), one
decimal rule for numbers typed and read, and every failure in one line with its exit
status (2 refused or a path that cannot be used, 3 internal error, 130 interrupted)."""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
import signal
import stat
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import microsize as ms
from microsize import workbook_pictures
from microsize._csvtext import COMMA, POINT, decimal_value, readings
from microsize._errors import MicrosizeError
from microsize.cli import main
from microsize.cli_args import ratio
from microsize.csvfiles import parse_number
from microsize.workbook import build_workbook_bytes

from .test_refresh import fake_ccxt  # noqa: F401  (fixture: the venues are fakes)
from .test_trader import QQQ


def _rows(out: str) -> dict[str, str]:
    pairs = [re.split(r"\s{2,}", line, maxsplit=1) for line in out.splitlines()]
    return {p[0]: p[1] for p in pairs if len(p) == 2}


def _one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# ------------------------------------------------------------------ the decimal rule
@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("0,52", 0.52),  # a comma before two digits cannot group thousands
        ("-0,52", -0.52),
        ("0,520", 0.52),  # a thousands group never starts with a lone 0
        ("3450,5", 3450.5),
        ("3520,500", 3520.5),  # four digits before the comma: no thousands group
        ("1,2345", 1.2345),
        ("1,234,567", 1234567.0),  # groups of three, twice: thousands
        ("1,234.5", 1234.5),  # a decimal point: the comma groups thousands
        ("1.234,5", 1234.5),  # a decimal comma: the point groups thousands
        ("12.345.678,9", 12345678.9),
        ("1234.5", 1234.5),
        ("1e3", 1000.0),
        ("1_000", 1000.0),
    ],
)
def test_a_number_reads_one_way_only(typed: str, value: float) -> None:
    assert parse_number(typed, "entry") == value


@pytest.mark.parametrize("typed", ["1,234", "12,345", "999,999", "-1,000"])
def test_a_thousands_group_alone_is_ambiguous_and_refused(typed: str) -> None:
    with pytest.raises(MicrosizeError) as info:
        parse_number(typed, "entry")
    plain = typed.replace(",", "")
    assert f"type {plain} or {typed.replace(',', '.')}" in str(info.value)


@pytest.mark.parametrize("typed", ["1,2,3", "1,234,5", "12,34,567", "1.234.5", "1,23.4", "0,5,5"])
def test_a_garbled_number_is_refused(typed: str) -> None:
    with pytest.raises(MicrosizeError, match="must be a number"):
        parse_number(typed, "entry")


def test_readings_of_both_conventions() -> None:
    assert readings("1,234") == {POINT: "1234", COMMA: "1.234"}
    assert readings("1.234") == {POINT: "1.234", COMMA: "1234"}
    assert readings("0,52") == {COMMA: "0.52"}
    assert readings("100") == {POINT: "100", COMMA: "100"}
    assert readings("2024-01-02") == {}
    assert readings("BTC") == {}
    # a decimal comma is never a silent thousands separator, for any digits after it
    for digits in ("5", "52", "5200", "52000"):
        assert decimal_value(f"0,{digits}") == float(f"0.{digits}")


def _spellings(value: Decimal) -> list[str]:
    """``value`` as people type it: plain, with thousands commas, European, decimal comma."""
    plain = format(value, "f")
    grouped = format(value, ",f")
    european = grouped.replace(",", "_").replace(".", ",").replace("_", ".")
    return [plain, grouped, european, plain.replace(".", ",")]


_DECIMALS = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4, allow_nan=False
).map(lambda d: d.normalize() if d != 0 else Decimal(0))


@settings(max_examples=500, deadline=None)
@given(_DECIMALS)
def test_every_spelling_reads_as_its_value_or_is_refused(value: Decimal) -> None:
    """Never a silent different number: each spelling of a value reads as that value or is
    refused; the plain spelling always reads."""
    assert parse_number(format(value, "f"), "entry") == float(value)
    for typed in _spellings(value):
        if "," not in typed and typed != format(value, "f"):
            # the European spelling of a whole number (1.250 for 1250): with no comma typed
            # a point is a decimal point, as everywhere on the command line (CONVENTIONS);
            # 1.953.125 is no number at all
            try:
                assert parse_number(typed, "entry") == float(typed), typed
            except MicrosizeError:
                assert typed.count(".") > 1, typed
            continue
        try:
            got = parse_number(typed, "entry")
        except MicrosizeError:
            continue
        assert got == float(value), typed


@settings(max_examples=150, deadline=None)
@given(st.lists(_DECIMALS, min_size=1, max_size=8), st.sampled_from([0, 2, 3]))
def test_a_csv_column_reads_as_its_values_or_is_refused(
    values: list[Decimal], spelling: int
) -> None:
    """A column written in one spelling (plain, European, decimal comma), semicolon
    separated: read back exactly, or the file refused; never other numbers."""
    import tempfile

    from microsize.csvfiles import read_csv

    cells = [_spellings(v)[spelling] for v in values]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "px.csv"
        path.write_text("x;y\n" + "".join(f"{c};1\n" for c in cells), encoding="utf-8")
        try:
            got: list[float | None] | str = read_csv(str(path), "--prices").column("x")
        except MicrosizeError as exc:
            got = str(exc)
    if isinstance(got, str):
        assert "px.csv" in got  # refused, naming the file
    else:
        assert got == [float(v) for v in values], cells


def test_a_decimal_comma_price_is_sized_as_the_decimal_point_price(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The issue's case: 0,52 was read as 52, the trade sized about 1000x wrong, exit 0.
    30 USD of risk over a 0.02 stop distance on a contract of 1 unit is 1,500 contracts."""
    assert ms.contracts(30, 0.52, 0.50, 1.0) == 1500
    assert main(["size", "2000", "1.5%", "0.52", "0.50", "1"]) == 0
    points = capsys.readouterr().out
    assert main(["size", "2000", "1.5%", "0,52", "0,50", "1"]) == 0
    commas = capsys.readouterr().out
    assert commas == points
    assert _rows(commas)["Contracts"].startswith("1,500 ")
    # a risk and a contract size typed with decimal commas too
    assert main(["size", "2000", "1.5%", "3520", "3450", "0.001"]) == 0
    points = capsys.readouterr().out
    assert _rows(points)["Contracts"] == "428 contracts of 0.001 units"  # README's example
    assert main(["size", "2000", "1,5%", "3520", "3450", "0,001"]) == 0
    assert capsys.readouterr().out == points
    assert main(["size", "2000", "1.5%", "3,520", "3450", "cme:MET"]) == 2
    assert "type 3520 or 3.520" in _one_line(capsys.readouterr().err)


# ------------------------------------------------------------------ CSV files as Excel saves them
def _bars_text(sep: str = ",", decimal: str = ".", note: str = "") -> str:
    lines = [sep.join(["date", "high", "low", "close", "note"])]
    for i, (h, lo, c, *_) in enumerate(QQQ):
        cells = [f"2010-04-{i + 1:02d}", *(f"{x:.2f}".replace(".", decimal) for x in (h, lo, c))]
        lines.append(sep.join([*cells, note]))
    return "\n".join(lines) + "\n"


def _saved(text: str, how: str) -> bytes:
    if how == "utf-8":
        return text.encode("utf-8")
    if how == "utf-8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if how == "utf-16-le":  # Excel's "Unicode Text": TAB separated, BOM first
        return codecs.BOM_UTF16_LE + text.replace(",", "\t").encode("utf-16-le")
    if how == "utf-16-be":
        return codecs.BOM_UTF16_BE + text.replace(",", "\t").encode("utf-16-be")
    if how == "cp1252":
        return text.encode("cp1252")
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be", "cp1252"])
def test_atr_reads_every_encoding_excel_writes(
    how: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """StockCharts' QQQ table (tests/test_trader.py): a 14-bar Wilder ATR of 1.316... at its
    last row, whatever the file's encoding; "Société €" differs between cp1252 and UTF-8."""
    path = tmp_path / "bars.csv"
    path.write_bytes(_saved(_bars_text(note="Société €"), how))
    assert main(["atr", str(path)]) == 0
    assert _rows(capsys.readouterr().out)["ATR"].startswith("1.316")


def test_atr_reads_a_decimal_comma_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Excel's CSV in a decimal-comma locale: semicolons, 48,70; the same ATR as 48.70."""
    path = tmp_path / "bars.csv"
    path.write_bytes(_saved(_bars_text(";", ",", "Société"), "cp1252"))
    assert "48,70" in path.read_text(encoding="cp1252")
    assert main(["atr", str(path)]) == 0
    assert _rows(capsys.readouterr().out)["ATR"].startswith("1.316")
    assert main(["atr", str(path), "--all"]) == 0
    commas = capsys.readouterr().out
    plain = tmp_path / "plain.csv"
    plain.write_text(_bars_text(), encoding="utf-8")
    assert main(["atr", str(plain), "--all"]) == 0
    assert capsys.readouterr().out == commas


def test_hedge_reads_a_decimal_comma_price_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    btc, sol = [60000.5, 60600.25, 60300.75, 61000.0], [150.5, 156.25, 153.0, 160.75]
    rows = ["BTC;SOL"] + [f"{b};{s}".replace(".", ",") for b, s in zip(btc, sol, strict=True)]
    px = tmp_path / "px.csv"
    px.write_text("\n".join(rows) + "\n", encoding="cp1252")
    argv = ["hedge", "50000", "60000", "cme:MBT", "--prices", str(px)]
    assert main([*argv, "--asset", "SOL", "--hedge-col", "BTC"]) == 0
    b = ms.beta(sol, btc)
    assert 0 < b < 10
    assert _rows(capsys.readouterr().out)["Beta"] == ratio(b, "x")


def test_portfolio_hedge_reads_a_decimal_comma_beta(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """beta 1,2 in a semicolon file is 1.2 (it used to be refused; never 12)."""
    book = tmp_path / "book.csv"
    book.write_text("symbol;exposure;beta\nETH;100000;1,2\n", encoding="cp1252")
    assert main(["portfolio-hedge", str(book), "60000", "cme:MBT"]) == 0
    got = _rows(capsys.readouterr().out)
    plan = ms.portfolio_hedge([100000], [1.2], 60000, "cme:MBT").rows()
    assert got["Hedge contracts"].startswith(f"{plan[3][1]:,.10g} ")  # -20 contracts of 0.1 BTC
    assert plan[3][1] == -20


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        # 1,5 and 1.5 in one file: which is the decimal mark?
        ("symbol;exposure;beta\nETH;100000;1,5\nSOL;50000;1.5\n", "use one of them"),
        # every number reads as a thousands group and as a decimal comma
        ("symbol;exposure;beta\nETH;100,000;1,234\n", "No other number in the file tells"),
        # an unquoted decimal comma in a comma-separated file shifts the columns
        ("symbol,exposure,beta\nETH,100000,1,2\n", "row 2 has 4 values, the header 3"),
        ("symbol,exposure,beta\nETH,lots,1.2\n", "column 'exposure' is not a number ('lots')"),
    ],
)
def test_a_csv_whose_numbers_are_unclear_is_refused(
    text: str, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "book.csv"
    book.write_text(text, encoding="utf-8")
    assert main(["portfolio-hedge", str(book), "60000", "cme:MBT"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert needle in line
    assert "book.csv" in line


def _spec_rows(decimal: str) -> list[list[str]]:
    """The bundled table plus mybroker:ETH5, a contract of 0.05 ETH, numbers spelt with
    ``decimal`` as the decimal mark."""
    rows = ms.load_bundled_specs().rows()
    header, met = rows[0], next(r for r in rows if r[1] == "MET")
    mine = list(met)
    mine[0], mine[1] = "mybroker", "ETH5"
    mine[header.index("contract_size")] = 0.05
    mine[header.index("qty_unit")] = "contracts of 0.05 ETH"

    def cell(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            return format(v, "f").rstrip("0").rstrip(".").replace(".", decimal)
        return str(v)

    return [[cell(v) for v in r] for r in [*rows, mine]]


def _csv(rows: list[list[str]], delimiter: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def test_size_specs_reads_a_decimal_comma_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """30 USD over 70 points x 0.05 ETH = 8.57: 8 contracts, from either spelling."""
    comma = tmp_path / "comma.csv"  # Excel's "Unicode Text"
    comma.write_bytes(codecs.BOM_UTF16_LE + _csv(_spec_rows(","), "\t").encode("utf-16-le"))
    point = tmp_path / "point.csv"
    point.write_text(_csv(_spec_rows("."), ","), encoding="utf-8")
    argv = ["size", "2000", "1.5%", "3520", "3450", "mybroker:ETH5", "--specs"]
    outs = []
    for path in (point, comma):
        assert main([*argv, str(path)]) in (0, 1)
        outs.append(capsys.readouterr().out)
    assert _rows(outs[0])["Contracts"] == "8 contracts of 0.05 ETH"
    assert outs[1] == outs[0].replace(str(point), str(comma))


def test_the_user_table_is_read_like_any_csv(microsize_home: Path) -> None:
    """A user table saved by Excel in a decimal-comma locale (semicolons, cp1252)."""
    microsize_home.mkdir(parents=True, exist_ok=True)
    (microsize_home / "contract_specs.csv").write_bytes(
        _csv(_spec_rows(","), ";").encode("cp1252", errors="replace")
    )
    assert ms.load_specs()["mybroker:ETH5"].contract_size == 0.05
    assert ms.load_specs()["cme:MET"].contract_size == 0.1


def test_the_user_tier_table_is_read_like_any_csv(microsize_home: Path) -> None:
    """The bundled margin tiers saved with semicolons and decimal commas (0,004) read back
    as the same tiers, every rate and amount."""
    from microsize._refresh import tier_csv_rows

    def comma(cell: str) -> str:
        try:
            float(cell)
        except ValueError:
            return cell
        return cell.replace(".", ",")

    bundled = ms.load_bundled_margin_tiers()
    rows = [[comma(c) for c in r] for r in tier_csv_rows(bundled)]
    assert any("0,004" in r for r in rows)
    source = rows[0].index("source")
    rows[1][source] = "my copy"  # shows that the user's file is the one read
    microsize_home.mkdir(parents=True, exist_ok=True)
    (microsize_home / "margin_tiers.csv").write_text(_csv(rows, ";"), encoding="utf-8")
    mine = ms.load_margin_tiers()
    assert mine[0].source == "my copy"
    # the table writer keeps 15 significant digits (1/30 is written 0.0333333333333333)
    assert len(mine) == len(bundled)
    for t, u in zip(mine, bundled, strict=True):
        for a, b in ((t.mmr, u.mmr), (t.maint_amount, u.maint_amount), (t.floor, u.floor)):
            assert (a is None and b is None) or math.isclose(a, b, rel_tol=1e-14), (t, u)
        assert t.cap == u.cap


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (bytes(range(256)) * 4, "not a text CSV file (it holds binary data)"),
        (b"PK\x03\x04" + bytes(200), "is a workbook or zip file, not CSV"),
        (b"%PDF-1.4\n\x00\x01\x02 stream", "not a text CSV file"),
    ],
)
def test_a_binary_file_is_refused_by_every_command_in_one_line(
    data: bytes, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    p = str(path)
    commands = [
        ["atr", p],
        ["hedge", "50000", "60000", "cme:MBT", "--prices", p, "--asset", "A", "--hedge-col", "B"],
        ["portfolio-hedge", p, "60000", "cme:MBT"],
        ["size", "2000", "1%", "3520", "3450", "cme:MET", "--specs", p],
    ]
    for argv in commands:
        assert main(argv) == 2, argv
        line = _one_line(capsys.readouterr().err)
        assert needle in line, line
        assert "data.csv" in line, line


def test_a_binary_user_table_is_a_message(microsize_home: Path) -> None:
    microsize_home.mkdir(parents=True, exist_ok=True)
    (microsize_home / "contract_specs.csv").write_bytes(bytes(range(256)))
    with pytest.raises(MicrosizeError, match=r"user table .* binary data"):
        ms.load_specs()


# ------------------------------------------------------------------ paths that cannot be used
def test_every_unusable_path_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests run as root here, so a read-only folder cannot be made: a path under a regular
    file and a missing folder give the same OS errors (NotADirectory, FileNotFound)."""
    afile = tmp_path / "file.txt"
    afile.write_text("x", encoding="utf-8")
    under = str(afile / "out.csv")
    missing = str(tmp_path / "no" / "such.csv")
    cases = [
        (["atr", under], "file.txt/out.csv"),
        (["atr", missing], "such.csv"),
        (["atr", str(tmp_path)], str(tmp_path)),  # a folder
        (
            [
                "hedge",
                "1",
                "60000",
                "cme:MBT",
                "--prices",
                missing,
                "--asset",
                "A",
                "--hedge-col",
                "B",
            ],
            "such.csv",
        ),
        (["portfolio-hedge", under, "60000", "cme:MBT"], "file.txt/out.csv"),
        (["size", "2000", "1%", "3520", "3450", "cme:MET", "--specs", under], "file.txt/out.csv"),
        (["workbook", str(afile / "book.xlsm")], "file.txt"),
        (["workbook", str(tmp_path)], str(tmp_path)),
        (["workbook", "pictures", str(afile), str(afile)], "file.txt"),
        (["workbook", "pictures", str(afile), str(tmp_path / "nope")], "nope"),
    ]
    for argv, needle in cases:
        assert main(argv) == 2, argv
        line = _one_line(capsys.readouterr().err)
        assert line.startswith("microsize: error: "), line
        assert needle in line, line
    assert {p.name for p in tmp_path.iterdir()} <= {"file.txt", "microsize-home"}  # none written


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("template") / "book.xlsm"
    assert main(["workbook", str(path)]) == 0
    return path.read_bytes()


def _book(tmp_path: Path, template: bytes) -> Path:
    folder = tmp_path / "books"
    folder.mkdir()
    book = folder / "my book.xlsm"
    book.write_bytes(template)
    return book


def test_update_specs_with_an_unwritable_backup_changes_nothing(
    tmp_path: Path, template: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _book(tmp_path, template)
    afile = tmp_path / "file.txt"
    afile.write_text("x", encoding="utf-8")
    argv = ["workbook", "update-specs", str(book), "--backup", str(afile / "b.xlsm")]
    assert main(argv) == 2
    line = _one_line(capsys.readouterr().err)
    assert "file.txt/b.xlsm" in line
    assert "is a file, not a folder" in line
    assert book.read_bytes() == template
    assert [p.name for p in book.parent.iterdir()] == [book.name]


@pytest.mark.parametrize("failure", ["os-error", "ctrl-c"])
def test_a_failed_or_interrupted_write_leaves_nothing_partial(
    failure: str,
    tmp_path: Path,
    template: bytes,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The book is written to a temporary file beside it and renamed: when the rename
    fails (a read-only folder) or Ctrl-C comes, the book is as it was and no temporary
    file is left; the backup, a whole copy of the book, is the only new file."""
    book = _book(tmp_path, template)
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst) == book:
            if failure == "ctrl-c":
                raise KeyboardInterrupt
            raise PermissionError(13, "Permission denied", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    code = main(["workbook", "update-specs", str(book)])
    line = _one_line(capsys.readouterr().err)
    if failure == "ctrl-c":
        assert (code, line) == (130, "microsize: interrupted")
    else:
        assert code == 2
        assert line == f"microsize: error: cannot write {str(book)!r} (Permission denied)"
    assert book.read_bytes() == template
    names = sorted(p.name for p in book.parent.iterdir())
    assert names == ["my book.bak.xlsm", "my book.xlsm"]
    assert (book.parent / "my book.bak.xlsm").read_bytes() == template


def test_a_new_workbook_is_written_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    assert main(["workbook", str(tmp_path / "new.xlsm")]) == 130
    assert _one_line(capsys.readouterr().err) == "microsize: interrupted"
    assert [p.name for p in tmp_path.iterdir() if p.name != "microsize-home"] == []


# ------------------------------------------------------------------ helper programs, internal errors
def test_a_failing_pdftoppm_is_one_line_and_leaves_no_picture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No LibreOffice run: the render of the template is faked, pdfinfo counts a page per
    sheet, and pdftoppm fails as it does on a damaged PDF."""
    import zipfile

    from microsize.libreoffice import _recalc

    book, out = tmp_path / "book.xlsm", tmp_path / "pictures"
    book.write_bytes((Path(__file__).parents[1] / "workbook" / "microsize.xlsm").read_bytes())
    with zipfile.ZipFile(book) as z:
        sheets = z.read("xl/workbook.xml").decode().count("<sheet ")
    out.mkdir()

    class Result:
        pdf = tmp_path / "render.pdf"

    monkeypatch.setattr(_recalc, "recalc_many", lambda *a, **k: [Result()])
    monkeypatch.setattr(workbook_pictures, "_tool", lambda name: f"/usr/bin/{name}")

    def run(cmd: list[str], **kwargs: Any) -> Any:
        if cmd[0].endswith("pdfinfo"):
            return subprocess.CompletedProcess(cmd, 0, f"Pages:          {sheets}\n", "")
        raise subprocess.CalledProcessError(1, cmd, b"", b"Syntax Error: Couldn't read xref\n")

    monkeypatch.setattr("microsize.workbook_pictures.subprocess.run", run)
    assert main(["workbook", "pictures", str(book), str(out)]) == 3
    line = _one_line(capsys.readouterr().err)
    assert line == (
        "microsize: error: pdftoppm failed with exit status 1: Syntax Error: Couldn't read xref"
    )
    assert list(out.iterdir()) == []


def test_an_internal_error_is_one_line_with_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import microsize.cli as cli

    def broken(args: Any) -> int:
        return 1 // 0

    monkeypatch.setattr(cli, "_cmd_size", broken)
    argv = ["size", "2000", "1%", "3520", "3450", "cme:MET"]
    monkeypatch.delenv("MICROSIZE_DEBUG", raising=False)
    assert main(argv) == 3
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("microsize: internal error: ZeroDivisionError: integer division")
    assert "please report this with the command you ran" in line
    assert "MICROSIZE_DEBUG=1" in line
    monkeypatch.setenv("MICROSIZE_DEBUG", "1")  # developers see the traceback
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "in broken" in err


# ------------------------------------------------------------------ as a separate process
def _microsize(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from microsize.cli import main; sys.exit(main())",
            *args,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_a_binary_file_in_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "bin.csv"
    path.write_bytes(bytes(range(256)))
    proc = _microsize("atr", str(path))
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert (
        _one_line(err)
        == f"microsize: error: prices {str(path)!r} is not a text CSV file (it holds binary data)"
    )


def test_ctrl_c_in_a_real_process_prints_one_line_and_exits_130() -> None:
    """``microsize atr /dev/stdin`` waits for its input; SIGINT (what Ctrl-C sends) then
    interrupts the read. Sent before Python has set up its handler, the signal ends the
    process at once (-2): the test waits longer and tries again."""
    for wait in (1.0, 3.0, 8.0):
        proc = _microsize("atr", "/dev/stdin")
        time.sleep(wait)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
        if proc.returncode != -signal.SIGINT:
            break
    assert proc.returncode == 130, err
    assert _one_line(err) == "microsize: interrupted"


def test_any_os_error_names_its_path_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The last net under every command (specs refresh --out, the LibreOffice commands):
    an OSError that reaches main() is one line naming the path(s), exit 2."""
    import microsize.cli as cli

    def fails(args: Any) -> int:
        raise NotADirectoryError(20, "Not a directory", "notes.txt/out.csv")

    monkeypatch.setattr(cli, "_cmd_specs", fails)
    assert main(["specs"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line == "microsize: error: cannot use 'notes.txt/out.csv' (Not a directory)"


@pytest.mark.usefixtures("fake_ccxt")
def test_specs_refresh_out_under_a_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """specs refresh writes through its own atomic writer; its OSError reaches main()."""
    afile = tmp_path / "notes.txt"
    afile.write_text("x", encoding="utf-8")
    argv = ["specs", "refresh", "--exchange", "okx", "--out", str(afile / "review.csv")]
    assert main(argv) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("microsize: error: cannot use ")
    assert "notes.txt" in line
    assert afile.read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_written_file_keeps_the_permissions_a_user_expects(tmp_path: Path) -> None:
    """The temporary file behind an atomic write is made 0600; the file written must not
    be: a new one gets what the umask gives any program's output, and a book rewritten in
    place (update-specs, update-prices) keeps its own permissions, and its backup takes
    them too (a private book's backup stays private)."""
    from microsize.outfiles import write_atomic, write_new

    old = os.umask(0o022)
    try:
        new = write_atomic(tmp_path / "new.xlsm", b"one")
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        shared = tmp_path / "shared.xlsm"
        shared.write_bytes(b"old")
        shared.chmod(0o664)  # a book a team shares
        write_atomic(shared, b"new")
        assert shared.read_bytes() == b"new"
        assert stat.S_IMODE(shared.stat().st_mode) == 0o664
        assert write_new(tmp_path / "any.txt", b"new")
        assert stat.S_IMODE((tmp_path / "any.txt").stat().st_mode) == 0o644
        mine = tmp_path / "mine.xlsm"
        mine.write_bytes(build_workbook_bytes())
        mine.chmod(0o600)  # a private book
        assert main(["workbook", "update-specs", str(mine)]) == 0
        assert stat.S_IMODE(mine.stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "mine.bak.xlsm").stat().st_mode) == 0o600
        os.umask(0o077)
        private = write_atomic(tmp_path / "private.xlsm", b"x")
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_file_system_that_stores_no_modes_still_gets_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAT on a USB stick refuses chmod (EPERM): the book is written all the same."""
    from microsize.outfiles import write_atomic

    def refused(fd: int, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchmod", refused)
    assert write_atomic(tmp_path / "on-a-stick.xlsm", b"book").read_bytes() == b"book"
