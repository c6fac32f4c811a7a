"""The command line prints the MF_SIZE table and the spec table."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import microsize as ms
from microsize.cli import main, parse_fraction


def _rows(out: str) -> dict[str, str]:
    pairs = [re.split(r"\s{2,}", line, maxsplit=1) for line in out.splitlines()]
    return {p[0]: p[1] for p in pairs if len(p) == 2}


def test_size_prints_the_mf_size_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["size", "2000", "1.5%", "3520", "3450", "0.001"]) == 0
    out = capsys.readouterr().out
    pairs = [re.split(r"\s{2,}", line, maxsplit=1) for line in out.splitlines()]
    lines = {p[0]: p[1] for p in pairs}
    assert lines["Contracts"] == "428 contracts of 0.001 units"
    # a typed contract size names no currency: its Currency row says "quote currency"
    assert lines["Risk at stop"] == "29.96 quote currency"
    assert lines["Side"] == "Long"
    assert lines["Risk %"] == "1.49%"  # 29.96 / 2,000 = 1.498%, cut toward zero
    labels = [r[0] for r in ms.size_trade(2000, 0.015, 3520, 3450, 0.001)]
    assert [p[0] for p in pairs] == labels


def test_size_flags_liquidation_before_the_stop(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 5's seed: 20x with a 5% stop on BTCUSDT is liquidated before the stop."""
    assert (
        main(["size", "1000", "1%", "60000", "57000", "binance:BTCUSDT", "--leverage", "20"]) == 1
    )
    out, err = capsys.readouterr()
    # prices to BTCUSDT's tick of 0.1, the same in the row and in the warning
    assert "liquidation at 57,228.9 comes before the stop at 57,000.0" in out
    assert _rows(out)["Liquidation price"] == "57,228.9 USDT"
    assert "Max leverage" in out
    # exit status 1: sized, but the Warnings row says what threatens the trade (stderr too)
    assert err.startswith("microsize: warning: ")
    assert "comes before the stop" in err


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
    assert code in (0, 1)
    rows = _rows(capsys.readouterr().out)
    assert rows["Contracts"] == "0.408 ETH"  # 0.409 would lose 30.05 with fees
    assert rows["Margin"] == "143.62 USDT"  # 1,436.16 / 10 = 143.616, to the cent


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["size", "2000", "1.5", "3520", "3450", "0.001"], "write 1.5% or 0.015"),
        (["size", "2000", "1.5%", "3520", "3520", "0.001"], "stop must differ from entry"),
        (["size", "2000", "1.5%", "abc", "3450", "0.001"], "entry must be a number (got 'abc')"),
        (["size", "2000", "1.5%", "3520", "3450", "cme:NOPE"], "unknown contract 'cme:NOPE'"),
        (["size", "2000", "1.5%", "3520", "3450", "0.001", "--fee", "5%"], "fee 5% is above 1%"),
        (["size", "2000", "1.5%", "3520", "3450", "0.001", "--fee", "0.05"], "write 0.05% or"),
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
    monkeypatch.setattr("microsize.clock.today", lambda: dt.date(2026, 11, 22))
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
    assert re.split(r"\s{2,}", lines[0]) == [  # each column's unit in its header
        "Entry (quote currency)",
        "Weight",
        "Contracts (of 0.001 units)",
        "Cum contracts (of 0.001 units)",
        "Avg entry (quote currency)",
        "Cum risk (quote currency)",
        "Note",
    ]
    assert [line.split()[2] for line in lines[1:]] == ["180", "240", "180"]
    assert [line.split()[1] for line in lines[1:]] == ["30.00%", "40.00%", "30.00%"]
    assert lines[-1].split()[5] == "30.00"
    argv = ["scale-out", "10", "60000", "58000", "cme:MBT", "--targets", "62000", "64000", "66000"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[2] for line in lines[1:]] == ["4", "3", "3"]
    assert re.split(r"\s{2,}", lines[0])[:4] == [
        "Target (USD)",
        "Weight",
        "Contracts (of 0.1 BTC)",
        "PnL (USD)",
    ]
    assert [line.split()[5] for line in lines[1:]] == ["1.00R", "2.00R", "3.00R"]
    assert main(["ladder", "30", "3450", "0.001", "--entries", "3520", "3400"]) == 2
    assert "one side of the stop" in capsys.readouterr().err


def test_liq_command(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 5's seed through the CLI: 20x long BTCUSDT at 60,000 with a 57,000 stop."""
    assert main(["liq", "60000", "0.01", "20", "binance:BTCUSDT", "--stop", "57000"]) == 1
    out = capsys.readouterr().out
    assert "57,228.9 USDT" in out  # to the tick of 0.1, as the warning says it
    assert "at most 18x keeps it beyond the stop" in out
    assert main(["liq", "3520", "4", "5", "cme:MET"]) == 2
    assert "pass --mmr explicitly" in capsys.readouterr().err  # the option, as typed
    assert main(["liq", "3520", "4", "5", "cme:MET", "--mmr", "1%"]) == 0
    assert "Liquidation price" in capsys.readouterr().out


def test_hedge_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Hull ch. 3 index hedge in micro terms: 250,000 USD at beta 1.2 with MBT at 60,000
    (6,000 USD per contract) is 50 contracts to sell; a CSV of holdings goes through the same
    core, with a missing beta estimated from a price history."""
    assert main(["hedge", "250000", "60000", "cme:MBT", "--beta", "1.2"]) == 0
    assert _rows(capsys.readouterr().out)["Hedge contracts"] == "-50 contracts of 0.1 BTC  (sell)"
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
    assert _rows(out)["Hedge contracts"] == f"{expected[3][1]:,.10g} contracts of 0.1 BTC"
    assert _rows(out)["Hedge notional"] == f"{expected[4][1]:,.2f} USD"
    assert _rows(out)["Beta-weighted after hedge"].endswith(" USD")
    assert main(["portfolio-hedge", str(book), "60000", "cme:MBT"]) == 2
    assert "has no beta" in capsys.readouterr().err
    assert main(["hedge", "250000", "60000", "cme:MBT"]) == 2
    assert "give --beta" in capsys.readouterr().err


# ------------------------------------------------------------------ as a person types it
@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        # argparse used to read -1.5% as an unknown option and ask for the contract
        (
            ["size", "2000", "-1.5%", "3520", "3450", "cme:MET"],
            "risk must be positive (got '-1.5%')",
        ),
        (["size", "2000", "0%", "3520", "3450", "cme:MET"], "risk must be positive (got '0%')"),
        # ... and --fee -0.05% as a missing argument
        (
            ["size", "2000", "1.5%", "3520", "3450", "cme:MET", "--fee", "-0.05%"],
            "fee must be zero or more (got '-0.05%')",
        ),
        # a % sign was typed: no "write 150%%" hint meant for a missing one
        (["size", "2000", "150%", "3520", "3450", "cme:MET"], "risk 150% is above 100%"),
        (["size", "2000", "inf", "3520", "3450", "cme:MET"], "risk must be a finite number"),
        (["size", "2000", "nan%", "3520", "3450", "cme:MET"], "risk must be a finite number"),
        (["size", "inf", "1%", "3520", "3450", "cme:MET"], "account must be a finite number"),
        (["size", "2000", "1%", "-inf", "3450", "cme:MET"], "entry must be a finite number"),
        # 3,520 is 3520 or 3.520: refused, never guessed (3520,5 is 3520.5: tests/test_cli_io.py)
        (["size", "2000", "1%", "3,520", "3450", "cme:MET"], "type 3520 or 3.520"),
        (
            ["size", "2000", "1%", "3520", "3450", "cme:MET", "--mmr", "-1%"],
            "--mmr must be positive",
        ),
    ],
)
def test_messages_name_the_real_problem(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "%%" not in err
    assert "required" not in err
    assert "expected one argument" not in err


def test_thousands_separators_are_still_read(capsys: pytest.CaptureFixture[str]) -> None:
    # with a decimal point the comma can only group thousands; 2,000 alone is refused
    # (2000 or 2.000?): docs/CONVENTIONS.md, "Numbers as typed"
    assert main(["size", "2,000.00", "1.5%", "3,520.0", "3,450.0", "0.001"]) == 0
    assert _rows(capsys.readouterr().out)["Contracts"] == "428 contracts of 0.001 units"
    assert main(["size", "2,000", "1.5%", "3520", "3450", "0.001"]) == 2
    assert "type 2000 or 2.000" in capsys.readouterr().err


def test_liq_refuses_a_stop_on_the_wrong_side(capsys: pytest.CaptureFixture[str]) -> None:
    """A long (positive count) with its stop above entry, and the mirror, are refused."""
    assert main(["liq", "60000", "0.01", "20", "binance:BTCUSDT", "--stop", "90000"]) == 2
    err = capsys.readouterr().err
    assert "is a long but --stop 90,000 is above entry 60,000" in err
    assert "negative count for a short" in err
    assert main(["liq", "60000", "-0.01", "20", "binance:BTCUSDT", "--stop", "57000"]) == 2
    assert "is a short but --stop 57,000 is below entry 60,000" in capsys.readouterr().err
    # the right side still works, for a short too (Binance: the short's liquidation is above)
    assert main(["liq", "60000", "-0.01", "10", "binance:BTCUSDT", "--stop", "61000"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert rows["Warnings"] == "none"
    assert float(rows["Liquidation price"].split()[0].replace(",", "")) > 61000


def test_size_takes_every_mf_size_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--mmr and --maint-amount reach the liquidation rows; --specs is MF_SIZE's specs."""
    base = ["size", "5000", "0.5%", "3520", "3450", "cme:MET", "--leverage", "5"]
    main(base)
    without = _rows(capsys.readouterr().out)
    assert "pass --mmr" in without["Liquidation price"]  # CME publishes no tier: ask for it
    main([*base, "--mmr", "1%"])
    with_mmr = _rows(capsys.readouterr().out)
    rows = ms.size_trade(5000, 0.005, 3520, 3450, "cme:MET", None, 5, mmr=0.01)
    expected = {r[0]: r[1] for r in rows}["Liquidation price"]
    assert isinstance(expected, float)
    assert with_mmr["Liquidation price"] == f"{expected:,.1f} USD"  # cme:MET's tick is 0.5
    main([*base, "--mmr", "1%", "--maint-amount", "0.5"])
    rows = ms.size_trade(5000, 0.005, 3520, 3450, "cme:MET", None, 5, mmr=0.01, maint_amount=0.5)
    amount = {r[0]: r[1] for r in rows}["Liquidation price"]
    assert isinstance(amount, float)
    assert amount != expected  # the amount moves the price, and the CLI passes it on
    assert _rows(capsys.readouterr().out)["Liquidation price"] == f"{amount:,.1f} USD"
    # a spec table of one's own: a contract of 0.5 ETH that only this file knows
    table = tmp_path / "mine.csv"
    rows_ = ms.load_bundled_specs().rows()
    header, met = rows_[0], next(r for r in rows_ if r[1] == "MET")
    mine = list(met)
    mine[0], mine[1] = "mybroker", "ETH5"
    mine[header.index("contract_size")] = 0.5
    mine[header.index("qty_unit")] = "contracts of 0.5 ETH"
    table.write_text(  # quoted: the source note holds commas
        "\n".join(",".join(f'"{"" if v is None else v}"' for v in r) for r in [header, mine])
        + "\n",
        encoding="utf-8",
    )
    assert main(
        ["size", "2000", "1.5%", "3520", "3450", "mybroker:ETH5", "--specs", str(table)]
    ) in (0, 1)
    # 30 / (70 x 0.5) = 0.857...: no whole contract fits; 2 x 0.1 ETH of cme:MET would
    assert _rows(capsys.readouterr().out)["Contracts"] == "0 contracts of 0.5 ETH"
    assert main(["size", "2000", "1.5%", "3520", "3450", "mybroker:ETH5"]) == 2
    assert "unknown contract 'mybroker:ETH5'" in capsys.readouterr().err


def test_absurd_inputs_warn_or_refuse(capsys: pytest.CaptureFixture[str]) -> None:
    """A silent absurd answer with exit 0 was the bug: each case now exits non-zero."""
    assert main(["size", "1e300", "1%", "3520", "3450", "cme:MET"]) == 2
    err = capsys.readouterr().err
    assert "account must be at most 1e12, more than any trading account holds (got 1e+300)" in err
    assert main(["size", "-5", "1%", "3520", "3450", "cme:MET"]) == 2
    assert "account must be positive (got -5)" in capsys.readouterr().err
    # a ladder's budget: the same bound, named as the ladder calls it
    assert main(["ladder", "1e300", "3450", "0.001", "--entries", "3520", "3500"]) == 2
    assert (
        "risk_amount must be at most 1e12, more than any trading account holds (got 1e+300)"
        in capsys.readouterr().err
    )
    assert main(["size", "2000", "1%", "3520", "3450", "1e-30"]) == 2
    assert "contract size 1e-30 is outside" in capsys.readouterr().err
    # a stop a billionth below entry: 0.001 ETH lots, 0.01 tick
    assert main(["size", "2000", "1%", "3520", "3519.999999999", "binance:ETHUSDT"]) == 1
    out, err = capsys.readouterr()
    assert "closer than one tick (0.01)" in _rows(out)["Warnings"]
    assert "beyond any venue's position limit" in _rows(out)["Warnings"]
    assert err.startswith("microsize: warning: stop is 0.000000001 from entry")  # no exponent
    # a typed contract size has no tick: the notional (7e13) is what gives it away
    assert main(["size", "2000", "1%", "3520", "3519.999999999", "0.001"]) == 1
    assert "beyond any venue's position limit" in _rows(capsys.readouterr().out)["Warnings"]
    # risk 1 meant as 1%: sized, and the Warnings row shows how to write 1%
    assert main(["size", "2000", "1", "3520", "3450", "cme:MET"]) == 1
    assert "for 1% type 1% or 0.01" in _rows(capsys.readouterr().out)["Warnings"]


def test_units_on_every_number(capsys: pytest.CaptureFixture[str]) -> None:
    """Deribit counts USD, BitMEX/Hyperliquid quantities are never 1e-05, margins carry
    the settlement currency, a hedge shows its notional."""
    main(["size", "2000", "1.5%", "60000", "59000", "deribit:BTC-PERPETUAL"])
    rows = _rows(capsys.readouterr().out)
    assert rows["Contracts"].endswith(" USD (multiples of 10)")
    for label in ("Risk budget", "Notional", "Risk at stop", "Unused budget", "Fees", "Margin"):
        assert rows[label].endswith(" BTC"), (label, rows[label])
    assert rows["Quantity"].endswith(" BTC")
    assert rows["Leverage"] == "1x"
    main(["size", "0.05", "1%", "60000", "59000", "bitmex:XBTUSD"])
    rows = _rows(capsys.readouterr().out)
    assert rows["Risk budget"] == "0.00050000 BTC"  # a coin: 8 decimals
    assert main(["specs", "--exchange", "hyperliquid"]) == 0
    listing = capsys.readouterr().out
    assert "0.00001" in listing
    assert "e-0" not in listing
    main(["liq", "60000", "0.01", "20", "binance:BTCUSDT"])
    rows = _rows(capsys.readouterr().out)
    assert rows["Initial margin"] == "30.00 USDT"
    assert rows["Maintenance margin"].endswith(" USDT")
    assert rows["Liquidation price"].endswith(" USDT")
    main(["hedge", "250000", "60000", "cme:MBT", "--beta", "1.2"])
    rows = _rows(capsys.readouterr().out)
    # Hull ch. 3: 1.2 x 250,000 / (0.1 x 60,000) = 50 contracts, 300,000 USD of BTC sold
    assert rows["Hedge notional"] == "-300,000.00 USD at 60,000 USD"


def test_leverage_rows_agree_with_liq(capsys: pytest.CaptureFixture[str]) -> None:
    """size's Liquidation price at a leverage is liq's for the same position; without
    --leverage both use 1x; 500x on a 125x contract never prints a price past entry."""
    for lev in ("20", None):
        argv = ["size", "1000", "1%", "60000", "57000", "binance:BTCUSDT"]
        main(argv + (["--leverage", lev] if lev else []))
        rows = _rows(capsys.readouterr().out)
        assert rows["Leverage"] == f"{lev or 1}x"
        contracts = rows["Contracts"].split()[0]
        main(["liq", "60000", contracts, lev or "1", "binance:BTCUSDT", "--stop", "57000"])
        liq = _rows(capsys.readouterr().out)
        assert rows["Liquidation price"] == liq["Liquidation price"]
        assert rows["Max leverage"] == liq["Max leverage"]
    main(["size", "1000", "1%", "60000", "57000", "binance:BTCUSDT", "--leverage", "500"])
    rows = _rows(capsys.readouterr().out)
    assert rows["Liquidation price"] == "at once: margin below maintenance"
    assert "above the contract's maximum 125" in rows["Warnings"]
    assert main(["liq", "60000", "0.006", "500", "binance:BTCUSDT"]) == 2
    assert "leverage must be at most 125" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["hedge", "1e308", "60000", "cme:MBT", "--beta", "1e10"],
        ["liq", "1e308", "1e10", "20", "binance:BTCUSDT", "--stop", "1"],
        ["scale-out", "1e300", "60000", "58000", "cme:MBT", "--targets", "62000", "1e308"],
    ],
)
def test_huge_numbers_get_one_message_and_nothing_else(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """No traceback and no numpy RuntimeWarning lines: stderr is the one message."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("microsize: error: ")
    assert err.count("\n") == 1
    assert "Warning" not in err


def test_unknown_contract_points_to_microsize_specs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["size", "2000", "1%", "3520", "3450", "cme:ZZZZZZZ"]) == 2
    err = capsys.readouterr().err
    assert "see microsize specs for the keys" in err
    assert "MF_SPECS" not in err


# ------------------------------------------------------------------ CSVs as Excel saves them
def _encoded(text: str, encoding: str) -> bytes:
    if encoding == "utf-16":  # Excel's "Unicode Text": UTF-16 LE with a BOM, TAB separated
        return codecs.BOM_UTF16_LE + text.replace(",", "\t").encode("utf-16-le")
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "semicolon"])
def test_hedge_csvs_in_every_encoding_excel_writes(
    encoding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "Société" and "€" are where cp1252 and UTF-8 differ
    book = "symbol,exposure,beta,note\nETH,100000,1.2,Société\nSOL,50000,,€ book\n"
    px = "BTC,SOL\n60000,150\n60600,156\n60300,153\n61000,160\n"
    if encoding == "semicolon":  # Excel's CSV in a decimal-comma locale
        book, px, encoding = book.replace(",", ";"), px.replace(",", ";"), "cp1252"
    (tmp_path / "book.csv").write_bytes(_encoded(book, encoding))
    (tmp_path / "px.csv").write_bytes(_encoded(px, encoding))
    argv = ["portfolio-hedge", str(tmp_path / "book.csv"), "60000", "cme:MBT"]
    assert main([*argv, "--prices", str(tmp_path / "px.csv"), "--hedge-col", "BTC"]) == 0
    out = capsys.readouterr().out
    sol_beta = ms.beta([150, 156, 153, 160], [60000, 60600, 60300, 61000])
    expected = ms.portfolio_hedge([100000, 50000], [1.2, sol_beta], 60000, "cme:MBT").rows()
    assert _rows(out)["Hedge contracts"] == f"{expected[3][1]:,.10g} contracts of 0.1 BTC"
    hedge = ["hedge", "50000", "60000", "cme:MBT", "--prices", str(tmp_path / "px.csv")]
    assert main([*hedge, "--asset", "SOL", "--hedge-col", "BTC"]) == 0
    n = ms.hedge(50000, sol_beta, 60000, "cme:MBT")
    shown = _rows(capsys.readouterr().out)["Hedge contracts"]
    assert shown.startswith(f"{n:,.10g} contracts of 0.1 BTC")


# ------------------------------------------------------------------ workbook files
def test_update_specs_on_a_file_that_is_no_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "notes.xlsm"
    text.write_text("not a workbook", encoding="utf-8")
    assert main(["workbook", "update-specs", str(text)]) == 2
    err = capsys.readouterr().err
    assert "notes.xlsm is not an Excel workbook (.xlsm/.xlsx): not a zip file" in err
    other = tmp_path / "other.xlsm"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("hello.txt", "a zip, but no workbook inside")
    assert main(["workbook", "update-specs", str(other)]) == 2
    assert "other.xlsm is not an Excel workbook" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.bak*"))  # nothing written for a refused file


def test_update_specs_never_overwrites_a_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "my book.xlsm"
    assert main(["workbook", str(book)]) == 0
    original = book.read_bytes()
    for _ in range(3):
        assert main(["workbook", "update-specs", str(book)]) == 0
    out = capsys.readouterr().out
    backups = ["my book.bak.xlsm", "my book.bak-2.xlsm", "my book.bak-3.xlsm"]
    assert {p.name for p in tmp_path.glob("*.bak*")} == set(backups)
    assert (tmp_path / backups[0]).read_bytes() == original  # the original survives
    assert f"(backup: {tmp_path / backups[2]})" in out
    assert (
        main(["workbook", "update-specs", str(book), "--backup", str(tmp_path / backups[0])]) == 2
    )
    assert "is never overwritten" in capsys.readouterr().err
    assert (tmp_path / backups[0]).read_bytes() == original


def test_workbook_refuses_a_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no" / "such" / "x.xlsm"
    assert main(["workbook", str(target)]) == 2
    assert "does not exist: create it first" in capsys.readouterr().err
    assert not (tmp_path / "no").exists()


# The help examples run from a `microsize examples` folder: tests/test_cli_examples.py.


# ------------------------------------------------------------------ start-up
HEAVY = ("microsize.workbook", "xlwings", "pandas", "openpyxl", "xlsxwriter")


def test_size_imports_only_what_it_needs() -> None:
    """`microsize size` runs without the workbook builder, xlwings, pandas, openpyxl or
    XlsxWriter (they cost most of the start-up; bench/bench_startup.py times it)."""
    runner = (
        "import json, runpy, sys\n"
        "sys.argv = ['microsize', 'size', '2000', '1.5%', '3520', '3450', 'cme:MET']\n"
        "try:\n"
        "    runpy.run_module('microsize.cli', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}))\n"
    )
    env = dict(os.environ)
    src = str(Path(ms.__file__).resolve().parents[1])
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-c", runner], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["code"] in (0, 1)
    assert "Contracts" in proc.stdout
    loaded = [m for m in result["modules"] if m.split(".")[0] in HEAVY or m in HEAVY]
    assert loaded == []
    assert "microsize._sizing" in result["modules"]  # the runner did run the command
