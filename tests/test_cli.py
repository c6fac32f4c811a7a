"""The command line prints the MF_SIZE table and the spec table."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

import microsize as ms
from microsize.cli import main, parse_fraction


def test_size_prints_the_mf_size_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["size", "2000", "1.5%", "3520", "3450", "0.001"]) == 0
    out = capsys.readouterr().out
    pairs = [re.split(r"\s{2,}", line, maxsplit=1) for line in out.splitlines()]
    lines = {p[0]: p[1] for p in pairs}
    assert lines["Contracts"] == "428"
    assert lines["Risk at stop"] == "29.96"
    assert lines["Side"] == "Long"
    assert lines["Risk %"].startswith("0.01498")
    labels = [r[0] for r in ms.size_trade(2000, 0.015, 3520, 3450, 0.001)]
    assert [p[0] for p in pairs] == labels


def test_size_flags_liquidation_before_the_stop(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 5's seed: 20x with a 5% stop on BTCUSDT is liquidated before the stop."""
    assert (
        main(["size", "1000", "1%", "60000", "57000", "binance:BTCUSDT", "--leverage", "20"]) == 0
    )
    out = capsys.readouterr().out
    assert "liquidation at 57,228.92 comes before the stop at 57,000.00" in out
    assert "Max leverage" in out


def test_size_with_fee_and_leverage(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "size",
            "2000",
            "0.015",
            "3520",
            "3450",
            "binance:ETHUSDT",
            "--fee",
            "0.05%",
            "--leverage",
            "10",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "0.408" in out  # 0.409 would lose 30.05 with fees
    assert "143.616" in out  # margin = 1,436.16 / 10


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["size", "2000", "1.5", "3520", "3450", "0.001"], "write 1.5% or 0.015"),
        (["size", "2000", "1.5%", "3520", "3520", "0.001"], "stop must differ from entry"),
        (["size", "2000", "1.5%", "abc", "3450", "0.001"], "entry must be a number (got 'abc')"),
        (["size", "2000", "1.5%", "3520", "3450", "cme:NOPE"], "unknown contract 'cme:NOPE'"),
        (["size", "2000", "1.5%", "3520", "3450", "0.001", "--fee", "5%"], "fee is a fraction"),
        (["specs", "--exchange", "nyse"], "exchange must be one of"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert err.startswith("microsize: error: ")
    assert "Traceback" not in err


def test_specs_listing(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("microsize.refresh.today", lambda: dt.date(2026, 11, 22))
    assert main(["specs", "--exchange", "cme"]) == 0
    table, footer = capsys.readouterr().out.split("\n\n")
    out = table.splitlines()
    # the table says where it came from and marks rows older than 180 days
    assert footer.splitlines()[0] == "table: bundled contract_specs.csv"
    assert "1 row is older than 180 days (stale)" in footer
    assert next(line for line in out if "(stale)" in line).startswith("cme:ETH ")
    assert out[0].split()[:3] == ["key", "kind", "settle"]
    assert [line.split()[0] for line in out[1:]] == [
        "cme:MBT",
        "cme:BTC",
        "cme:MET",
        "cme:ETH",
        "cme:BFF",
        "cme:MSL",
        "cme:SOL",
        "cme:MXP",
        "cme:XRP",
        "cme:QBTC",
        "cme:QETH",
        "cme:QSOL",
        "cme:QXRP",
    ]
    assert main(["specs", "--csv"]) == 0
    csv_lines = capsys.readouterr().out.splitlines()
    assert csv_lines[0] == ",".join(ms.SPEC_COLUMNS)
    assert len(csv_lines) == len(ms.load_specs()) + 1


def test_parse_fraction() -> None:
    assert parse_fraction("1.5%", "risk") == 0.015
    assert parse_fraction(" 0.07 % ", "risk") == 0.0007
    assert parse_fraction("0.015", "risk") == 0.015
    with pytest.raises(ms.MicrosizeError, match="risk must be a number"):
        parse_fraction("lots", "risk")


def test_console_script_runs() -> None:
    """The installed entry point (python -m form) runs end to end."""
    proc = subprocess.run(
        [sys.executable, "-m", "microsize.cli", "size", "2000", "1.5%", "3520", "3450", "cme:MET"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Contracts" in proc.stdout


def test_ladder_and_scale_out_print_the_spill_tables(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "ladder",
        "30",
        "3450",
        "0.001",
        "--entries",
        "3520",
        "3500",
        "3480",
        "--weights",
        "30",
        "40",
        "30",
    ]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "Entry",
        "Weight",
        "Contracts",
        "Cum",
        "contracts",
        "Avg",
        "entry",
        "Cum",
        "risk",
        "Note",
    ]
    assert [line.split()[2] for line in lines[1:]] == ["180", "240", "180"]
    assert lines[-1].split()[5] == "30"
    argv = ["scale-out", "10", "60000", "58000", "cme:MBT", "--targets", "62000", "64000", "66000"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[2] for line in lines[1:]] == ["4", "3", "3"]
    assert main(["ladder", "30", "3450", "0.001", "--entries", "3520", "3400"]) == 2
    assert "one side of the stop" in capsys.readouterr().err


def test_liq_command(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 5's seed through the CLI: 20x long BTCUSDT at 60,000 with a 57,000 stop."""
    assert main(["liq", "60000", "0.01", "20", "binance:BTCUSDT", "--stop", "57000"]) == 0
    out = capsys.readouterr().out
    assert "57,228.91566" in out
    assert "at most 18x keeps it beyond the stop" in out
    assert main(["liq", "3520", "4", "5", "cme:MET"]) == 2
    assert "pass mmr explicitly" in capsys.readouterr().err
    assert main(["liq", "3520", "4", "5", "cme:MET", "--mmr", "1%"]) == 0
    assert "Liquidation price" in capsys.readouterr().out


def test_hedge_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Hull ch. 3 index hedge in micro terms: 250,000 USD at beta 1.2 with MBT at 60,000
    (6,000 USD per contract) is 50 contracts to sell; a CSV of holdings goes through the same
    core, with a missing beta estimated from a price history."""
    assert main(["hedge", "250000", "60000", "cme:MBT", "--beta", "1.2"]) == 0
    assert "Hedge contracts -50  (sell)" in capsys.readouterr().out
    book = tmp_path / "book.csv"
    book.write_text("symbol,exposure,beta\nETH,100000,1.2\nSOL,50000,\n", encoding="utf-8")
    px = tmp_path / "px.csv"
    px.write_text("BTC,SOL\n60000,150\n60600,156\n60300,153\n61000,160\n", encoding="utf-8")
    assert (
        main(
            [
                "portfolio-hedge",
                str(book),
                "60000",
                "cme:MBT",
                "--prices",
                str(px),
                "--hedge-col",
                "BTC",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    sol_beta = ms.beta([150, 156, 153, 160], [60000, 60600, 60300, 61000])
    assert f"beta of SOL estimated from {px}" in out
    expected = ms.portfolio_hedge([100000, 50000], [1.2, sol_beta], 60000, "cme:MBT").rows()
    assert f"{expected[3][1]:,.10g}" in out
    assert main(["portfolio-hedge", str(book), "60000", "cme:MBT"]) == 2
    assert "has no beta" in capsys.readouterr().err
    assert main(["hedge", "250000", "60000", "cme:MBT"]) == 2
    assert "give --beta" in capsys.readouterr().err
