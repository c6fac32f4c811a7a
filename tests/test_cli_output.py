"""What the command line prints: a unit after every number, no exponent anywhere (CSV
included), money to the cent, prices to the tick, one percent style, losses never shown
above their budget; implausible input warned, conflicting options refused (issue 19)."""

from __future__ import annotations

import csv
import io
import math
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microsize.cli import main
from microsize.cli_args import money, percent, price, show_value, slippage_warning

EXPONENT = re.compile(r"\d[eE][+-]?\d")
#: a number, then its unit: a currency or coin word, "contracts of ...", x, R or %
NUMBER_WITH_UNIT = re.compile(r"^-?\d[\d,]*(\.\d+)?(x|R|%| [A-Za-z(]\S*)")


def _rows(out: str) -> dict[str, str]:
    pairs = [re.split(r"\s{2,}", line, maxsplit=1) for line in out.splitlines()]
    return {p[0]: p[1] for p in pairs if len(p) == 2}


# ------------------------------------------------------------------ the formats
def test_the_issue_s_numbers() -> None:
    """The values issue 19 found, as they are shown now."""
    assert money(-1441.678186, "USD") == "-1,441.68 USD"  # was -1,441.678186 USD
    assert money(9.1755, "USDT", down=True) == "9.17 USDT"  # a loss: cut, never 9.18
    assert percent(0.0091755, down=True) == "0.91%"  # was 0.0091755 (0.9175%)
    assert price(57228.91566, 0.1) == "57,228.9"  # to BTCUSDT's tick, as its warning
    assert price(3508.5714285, 0.01) == "3,508.57"
    assert price(3520.25, 0.25) == "3,520.25"  # a tick of 0.25 needs 2 decimals
    assert price(57530.0, 5) == "57,530"
    assert show_value(3e201).replace(",", "") == "3" + "0" * 201  # was 3e+201
    assert show_value(1e-05) == "0.00001"
    assert money(0.00175438596491, "BTC", down=True) == "0.00175438 BTC"  # a coin: 8 places
    assert money(0.004, "USDT") == "0.004 USDT"  # not a false 0.00


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300))
def test_show_value_never_uses_an_exponent_and_reads_back(x: float) -> None:
    shown = show_value(x)
    assert not EXPONENT.search(shown)
    back = float(shown.replace(",", ""))
    if abs(x) >= 1e-300:
        # 10 significant digits after the point, 15 in all: a relative error below 1e-9
        # wherever a digit is left to show (tiny values round to the 10th decimal place)
        assert math.isclose(back, x, rel_tol=1e-9, abs_tol=0.5e-9 if abs(x) < 1 else 0)


@given(
    st.floats(min_value=0, max_value=1e12, allow_nan=False),
    st.sampled_from(["USDT", "USD", "BTC", "ETH", "quote currency"]),
)
def test_a_loss_is_cut_toward_zero_never_above_its_value(x: float, currency: str) -> None:
    shown = money(x, currency, down=True)
    number, _unit = shown.rsplit(" ", 1) if currency != "quote currency" else (shown[:-15], "")
    assert Decimal(number.replace(",", "")) <= Decimal(repr(x))
    places = 8 if currency in ("BTC", "ETH") else 2
    assert Decimal(repr(x)) - Decimal(number.replace(",", "")) < Decimal(1).scaleb(-places)
    assert not EXPONENT.search(shown)


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_a_risk_share_is_never_shown_above_itself(r: float) -> None:
    shown = percent(r, down=True)
    assert shown.endswith("%")
    assert Decimal(shown[:-1].replace(",", "")) <= Decimal(repr(r)) * 100


def test_shown_risk_never_exceeds_the_shown_budget(capsys: pytest.CaptureFixture[str]) -> None:
    """A budget at its lot boundary: 0.01 BTC from 60,000 to 57,000 with fees loses
    29.999... of a 30.00 budget; both are cut, the loss stays at or below the budget."""
    for argv in (
        ["size", "2000", "1.5%", "3520", "3450", "binance:ETHUSDT", "--fee", "0.05%"],
        ["size", "1000", "1%", "60000", "57000", "binance:BTCUSDT", "--fee", "0.055%"],
        ["size", "3000", "1%", "60000", "57000", "binance:BTCUSDT"],
        ["size", "777", "0.77%", "3333.33", "3210.99", "okx:ETH-USDT-SWAP", "--fee", "0.05%"],
    ):
        main(argv)
        rows = _rows(capsys.readouterr().out)
        budget = Decimal(rows["Risk budget"].split()[0].replace(",", ""))
        loss = Decimal(rows["Risk at stop"].split()[0].replace(",", ""))
        assert loss <= budget, argv
        asked = Decimal(argv[2].rstrip("%"))
        assert Decimal(rows["Risk %"].rstrip("%")) <= asked, argv


def test_the_liquidation_row_and_its_warning_agree(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["size", "1000", "1%", "60000", "57000", "binance:BTCUSDT", "--leverage", "20"],
        ["liq", "60000", "0.01", "20", "binance:BTCUSDT", "--stop", "57000"],
        ["size", "1000", "1%", "3520", "3350", "binance:ETHUSDT", "--leverage", "25"],
    ):
        assert main(argv) == 1
        rows = _rows(capsys.readouterr().out)
        row = rows["Liquidation price"].split()[0]
        said = re.search(r"liquidation at ([\d,.]+) comes", rows["Warnings"])
        assert said is not None, rows["Warnings"]
        assert said.group(1) == row, argv


def test_specs_csv_writes_every_number_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["specs", "--csv"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out)))
    ticks = {f"{r[0]}:{r[1]}": r[rows[0].index("tick_size")] for r in rows[1:]}
    assert ticks["binance:DOGEUSDT"] == "0.00001"  # was 1e-05
    numbers = [c for r in rows[1:] for c in r if re.fullmatch(r"[-+\d.eE]+", c)]
    assert numbers
    assert not [c for c in numbers if "e" in c.lower()]


# ------------------------------------------------------------------ every command
EXTREME = [
    # huge: the most a budget may be, a stop a hair away, a tiny contract
    ["size", "1000000000000", "100%", "3520", "3519.999", "0.00000001"],
    ["size", "1e12", "1%", "3520", "3519.999999999", "binance:ETHUSDT"],
    ["size", "0.01", "0.01%", "60000", "59999.9", "deribit:BTC-PERPETUAL", "--leverage", "100"],
    ["size", "2000", "1%", "0.00001", "0.000009", "binance:DOGEUSDT", "--leverage", "75"],
    ["size", "2000", "1%", "1e9", "9e8", "cme:MET", "--mmr", "0.5%", "--leverage", "50"],
    ["size", "50", "1%", "60000", "59000", "bitmex:XBTUSD", "--slippage", "7%"],
    ["ladder", "1e12", "3519", "0.000001", "--entries", "3520", "3519.5"],
    ["ladder", "0.001", "61000", "binance:BTCUSD_PERP", "--entries", "60000", "59000"],
    ["scale-out", "1e9", "60000", "58000", "cme:MBT", "--targets", "1e9", "2e9"],
    ["liq", "1e9", "1e6", "125", "binance:BTCUSDT"],
    ["liq", "0.00002", "-1e9", "3", "binance:DOGEUSDT", "--stop", "0.00003"],
    ["hedge", "1e12", "0.001", "cme:MBT", "--beta", "100"],
    ["hedge", "-1", "1e9", "binance:BTCUSD_PERP", "--beta", "0.0001", "--target", "-100"],
    ["specs", "--exchange", "hyperliquid"],
    ["atr-stop", "1e9", "1e8", "3", "-1", "cme:MBT"],
    ["atr-stop", "0.0001", "0.00001", "2", "1", "binance:DOGEUSDT"],
    ["stop-fill", "0.00001", "30%", "0.00002", "binance:DOGEUSDT"],
    ["rr", "1e9", "0.01", "2e9"],
    ["target", "60000", "59999.5", "1000", "bybit:BTCUSD", "--fee", "0.1%"],
    ["roi-target", "0.00002", "1000000%", "125", "1", "binance:DOGEUSDT"],
    ["usd-budget", "1e12", "60000", "59999.5", "deribit:BTC-PERPETUAL", "--fee", "0.05%"],
    ["usd-budget", "0.01", "0.0001", "0.00009", "binance:DOGEUSDT", "--slippage", "2 ticks"],
    # the commands that read files: a book of a trillion and a dust one, sub-cent bars
    [
        "portfolio-hedge",
        "book.csv",
        "0.00001",
        "binance:DOGEUSDT",
        "--prices",
        "px.csv",
        "--hedge-col",
        "BTC",
    ],
    [
        "portfolio-hedge",
        "book.csv",
        "1e9",
        "cme:MBT",
        "--prices",
        "px.csv",
        "--hedge-col",
        "BTC",
        "--target",
        "-9.99",
    ],
    ["atr", "bars.csv", "--periods", "3"],
    ["atr", "bars.csv", "--periods", "2", "--all", "--method", "exponential"],
]


@pytest.mark.parametrize("argv", EXTREME, ids=[" ".join(a) for a in EXTREME])
def test_extreme_inputs_print_no_exponent_and_a_unit_after_every_number(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "book.csv").write_text(
        "symbol,exposure,beta\nBIG,1000000000000,0.0001\nDUST,-0.000001,\nSOL,1e11,9.5\n"
    )
    (tmp_path / "px.csv").write_text(
        "BTC,DUST\n60000,0.00000001\n60600,0.000000012\n60300,0.000000011\n61000,0.00000001\n"
    )
    (tmp_path / "bars.csv").write_text(
        "high,low,close\n"
        + "".join(f"0.0000{i + 2},0.0000{i + 1},0.0000{i + 1}5\n" for i in range(6))
    )
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, err)
    if code == 2:  # refused: one line, naming the problem
        assert err.startswith("microsize: error: ")
        assert err.count("\n") == 1
        return
    assert out.strip()
    assert not EXPONENT.search(out), out
    assert not EXPONENT.search(err), err
    lines = out.splitlines()
    if argv[0] in ("ladder", "scale-out"):
        _check_table(lines)
        return
    if argv[0] == "specs":
        return
    if "--all" in argv:  # the ATR beside every row: the unit is in the header
        assert lines[0] == "row  ATR (price units)"
        assert all(re.fullmatch(r" *\d+  ([\d,.]+|n/a)", line) for line in lines[1:]), lines
        return
    for label, value in _rows(out).items():
        if re.match(r"-?\d", value) and not re.match(r"\d{4}-\d\d-\d\d", value):  # not a date
            assert NUMBER_WITH_UNIT.match(value), (label, value)


def _check_table(lines: list[str]) -> None:
    """Every numeric column names its unit in its header, or each cell carries it."""
    header = re.split(r"\s{2,}", lines[0].strip())
    cells = [re.split(r"\s{2,}", line.strip()) for line in lines[1:]]
    for j, name in enumerate(header):
        column = [r[j] for r in cells]
        numeric = [c for c in column if re.fullmatch(r"-?[\d,.]+", c)]
        if numeric:
            assert name.endswith(")"), (name, numeric)  # "Entry (USDT)"
        for c in column:
            assert re.fullmatch(r"-?[\d,.]+(%|R)?|[a-z].*", c), (name, c)


# ------------------------------------------------------------------ implausible input
def test_slippage_of_5_percent_or_more_is_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert slippage_warning(57000, 57000 * 0.951, "--slippage") is None
    assert slippage_warning(57000, 57000 * 0.95, "--slippage") is not None
    base = ["size", "2000", "1.5%", "3520", "3450", "binance:ETHUSDT"]
    assert main([*base, "--slippage", "4.9%"]) == 0
    capsys.readouterr()
    assert main([*base, "--slippage", "10%"]) == 1
    out, err = capsys.readouterr()
    assert "slippage 10.00% of the stop price (5% or more): check --slippage" in out
    assert err.startswith("microsize: warning: slippage 10.00%")
    assert main(["stop-fill", "57000", "10%", "60000", "cme:MBT"]) == 1
    assert "check slippage" in _rows(capsys.readouterr().out)["Warnings"]
    argv = ["usd-budget", "100", "60000", "57000", "binance:BTCUSDT", "--slippage", "6%"]
    assert main(argv) == 1
    assert "slippage 6.00%" in _rows(capsys.readouterr().out)["Warnings"]


def test_a_beta_above_10_warns_and_one_above_100_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hedge = ["hedge", "250000", "60000", "cme:MBT"]
    assert main([*hedge, "--beta", "1.2"]) == 0
    assert "Warnings" not in capsys.readouterr().out
    assert main([*hedge, "--beta", "12"]) == 1
    assert "--beta 12 is above 10" in _rows(capsys.readouterr().out)["Warnings"]
    # issue 19: --beta 1e9 hedged -250 trillion USD, exit 0
    assert main([*hedge, "--beta", "1e9"]) == 2
    assert "--beta 1e9 is not the beta of any asset" in capsys.readouterr().err
    assert main([*hedge, "--beta", "1", "--target", "-11"]) == 1
    assert "--target -11 is above 10 in size" in capsys.readouterr().out
    book = tmp_path / "book.csv"
    book.write_text("symbol,exposure,beta\nETH,100000,15\n", encoding="utf-8")
    assert main(["portfolio-hedge", str(book), "60000", "cme:MBT"]) == 1
    assert "holdings row 2 (ETH): beta 15" in capsys.readouterr().out
    assert main(["hedge", "1e13", "60000", "cme:MBT", "--beta", "1"]) == 2
    assert "exposure 1e13 is beyond any portfolio" in capsys.readouterr().err


# ------------------------------------------------------------------ conflicting options
@pytest.mark.parametrize(
    ("argv", "both"),
    [
        (
            ["hedge", "1", "60000", "cme:MBT", "--beta", "1", "--prices", "p.csv"],
            ("--beta", "--prices"),
        ),
        (
            ["hedge", "1", "60000", "cme:MBT", "--beta", "1", "--lam", "0.94"],
            ("--beta", "--lam"),
        ),
        (["hedge", "1", "60000", "cme:MBT", "--asset", "SOL"], ("--asset", "--prices")),
        (
            ["liq", "60000", "0.01", "20", "binance:BTCUSDT", "--equity", "50"],
            ("--equity", "--stop"),
        ),
        (
            ["size", "2000", "1%", "3520", "3450", "0.001", "--specs", "mine.csv"],
            ("--specs", "contract size"),
        ),
        (["specs", "--csv", "--max-age-days", "30"], ("--csv", "--max-age-days")),
        (
            ["portfolio-hedge", "book.csv", "60000", "cme:MBT", "--hedge-col", "BTC"],
            ("--hedge-col", "every row"),
        ),
    ],
)
def test_conflicting_options_are_refused_naming_both(
    argv: list[str],
    both: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "book.csv").write_text("symbol,exposure,beta\nETH,100000,1.2\n")
    (tmp_path / "p.csv").write_text("BTC,SOL\n1,2\n2,3\n3,5\n")
    (tmp_path / "mine.csv").write_text("exchange,symbol\n")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("microsize: error: ")
    assert err.count("\n") == 1
    for name in both:
        assert name in err, (name, err)


# ------------------------------------------------------------------ messages
def test_a_side_typed_as_a_number_is_the_number(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 19: `atr-stop 60000 1234.5 2 1 cme:MBT` said "(got text '1')"."""
    assert main(["atr-stop", "60000", "1234.5", "2", "1", "cme:MBT"]) == 0
    long_stop = _rows(capsys.readouterr().out)["Stop"]
    assert main(["atr-stop", "60000", "1234.5", "2", "long", "cme:MBT"]) == 0
    assert _rows(capsys.readouterr().out)["Stop"] == long_stop
    assert main(["roi-target", "7000", "20%", "5", "-1", "bybit:BTCUSD"]) == 0
    assert main(["roi-target", "7000", "20%", "5", "short", "bybit:BTCUSD"]) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert first == second
    assert main(["atr-stop", "60000", "1234.5", "2", "2", "cme:MBT"]) == 2
    assert "(got 2)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "typed", "internal"),
    [
        (
            ["liq", "60000", "0.01", "20", "binance:BTCUSDT", "--wallet", "-1"],
            "--wallet",
            "wallet_balance",
        ),
        (["hedge", "1", "0", "cme:MBT", "--beta", "1"], "price must be positive", "hedge_price"),
        (["usd-budget", "-5", "60000", "57000", "deribit:BTC-PERPETUAL"], "usd must", "usd_amount"),
        (
            ["ladder", "30", "3450", "0.001", "--entries", "3520", "3500", "--weights", "1"],
            "--weights has 1 values but --entries has 2",
            "cells",
        ),
        (
            ["size", "2000", "1%", "3520", "3450", "cme:MET", "--maint-amount", "-5"],
            "--maint-amount",
            "maint_amount",
        ),
        (["size", "2000", "1%", "3520", "3450", "cme:MET", "--leverage", "0"], "--leverage", "xx"),
    ],
)
def test_messages_name_what_the_user_typed(
    argv: list[str], typed: str, internal: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert typed in err
    assert internal not in err
