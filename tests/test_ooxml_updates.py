"""The books ``workbook update-prices`` and ``workbook update-holdings`` write are valid
OOXML too (tests/test_ooxml.py holds the template and ``update-specs``; what the
validator cannot see is listed there). The venues' answers are the recorded ones of
tests/live_http.py: no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from microsize.cli import main
from microsize.workbook import build_workbook_bytes
from tests import live_http as L  # the recorded answers

audit = pytest.importorskip("openxml_audit")


def _errors(path: Path) -> list[str]:
    result = audit.OpenXmlValidator().validate(str(path))
    return [str(e) for e in result.errors]


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    L.install_fakes(monkeypatch)
    path = tmp_path / "mine.xlsm"
    path.write_bytes(build_workbook_bytes())
    return path


def test_a_book_after_update_prices_is_valid_ooxml(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = book.read_bytes()
    argv = ["workbook", "update-prices", str(book), "binance:BTCUSDT", "okx:ETH-USDT-SWAP"]
    code = main([*argv, "--bars", "40"])
    assert code == 0, capsys.readouterr().err
    assert book.read_bytes() != before  # it did rewrite the book (tables grown to 40 rows)
    assert _errors(book) == []


def test_a_book_after_update_holdings_is_valid_ooxml(
    book: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for var, value in {
        "MICROSIZE_BINANCE_API_KEY": "k",
        "MICROSIZE_BINANCE_SECRET": "s",
        "MICROSIZE_OKX_API_KEY": "k",
        "MICROSIZE_OKX_SECRET": "s",
        "MICROSIZE_OKX_PASSWORD": "p",
    }.items():
        monkeypatch.setenv(var, value)
    before = book.read_bytes()
    code = main(["workbook", "update-holdings", str(book), "binance", "okx"])
    assert code == 0, capsys.readouterr().err
    assert book.read_bytes() != before  # five holdings where the template has four
    assert _errors(book) == []
