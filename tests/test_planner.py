"""Column functions for the Planner and Portfolio sheets: MF_LIQ_CHECK, MF_BETAS and
MF_RISK_BUDGETS.

MF_LIQ_CHECK is pinned to the liquidation price Binance's published isolated-margin formula
gives for 0.01 BTC long at 60,000 and 20x (57,228.92, as the CLI and workbook tests pin)
and to the highest leverage that keeps it beyond a 57,000 stop (18x); MF_BETAS must equal
MF_BETA column by column. Bad input names the argument and the row.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from microsize import MicrosizeError
from microsize import udfs as U

COLS: dict[str, Any] = {
    "entry": [[60000.0], [3500.0]],
    "stop_price": [[57000.0], [3600.0]],
    "contracts": [[0.01], [1.2]],
    "leverage": [[20.0], [10.0]],
    "contract": [["binance:BTCUSDT"], ["binance:ETHUSDT"]],
}
PRICES = [
    ["Week", "BTC", "ETH", "SOL"],
    [1, 100.0, 50.0, 10.0],
    [2, 102.0, 50.5, 10.4],
    [3, 101.0, 50.2, 10.1],
    [4, 105.0, 51.0, 10.9],
    [5, 104.0, 50.9, 10.6],
]


def _check(**change: Any) -> Any:
    args = {**COLS, **change}
    return U.MF_LIQ_CHECK(*args.values())


def test_liq_check_pins_binances_20x_example_and_the_safe_leverage() -> None:
    rows = _check()
    assert rows[0] == ["liquidation 57,228.9 comes before the stop: use at most 18x"]
    liq = U.MF_LIQ_PRICE(60000, 0.01, 20, "binance:BTCUSDT")
    assert round(liq, 2) == 57228.92  # the sentence shows it to the contract's 0.1 tick
    assert U.MF_MAX_LEVERAGE(60000, 57000, "binance:BTCUSDT") == 18
    # the short ETH trade: liquidation above the 3,600 stop, so the stop comes first
    short_liq = U.MF_LIQ_PRICE(3500, -1.2, 10, "binance:ETHUSDT")
    assert short_liq > 3600
    assert rows[1] == [f"ok: liquidation {short_liq:,.2f}, beyond the stop"]
    # at the safe leverage the check passes; each row is one trade
    assert _check(leverage=[[18.0], [10.0]])[0][0].startswith("ok: liquidation")


def test_liq_check_blank_leverage_and_no_position() -> None:
    assert _check(leverage=[[None], [10.0]])[0] == ["no leverage: nothing to check"]
    assert _check(contracts=[[0.0], [1.2]])[0] == ["no position: 0 contracts"]
    one = U.MF_LIQ_CHECK(60000, 57000, 0.01, 20, "binance:BTCUSDT")
    assert one == [["liquidation 57,228.9 comes before the stop: use at most 18x"]]


@pytest.mark.parametrize(
    ("arg", "value", "row", "words"),
    [
        ("entry", [["abc"], [3500.0]], 0, "entry must be a number (got text 'abc')"),
        ("entry", [[float("nan")], [3500.0]], 0, "entry must be a number"),
        ("stop_price", [[57000.0], [None]], 1, "stop_price must be a number"),
        ("stop_price", [[60000.0], [3600.0]], 0, "stop_price must differ from entry"),
        ("contracts", [[-0.01], [1.2]], 0, "contracts must be >= 0"),
        ("contracts", [[0.01], ["#N/A"]], 1, "contracts must be a number"),
        ("leverage", [[20.0], [-5.0]], 1, "leverage must be a number > 0"),
        ("leverage", [[20.0], ["#N/A"]], 1, "leverage must be a number > 0"),
        ("contract", [["binance:BTCUSDT"], ["nowhere:XYZ"]], 1, "contract"),
    ],
)
def test_liq_check_a_bad_row_shows_its_message_and_the_others_are_checked(
    arg: str, value: Any, row: int, words: str
) -> None:
    """Rows stand alone: the bad row says why in its own cell, the other row is checked
    as if alone (on main one bad cell turned every row into the error)."""
    got = _check(**{arg: value})
    good = _check()
    assert got[row][0].startswith("error: " + words), got
    assert len(got[row][0]) < 250
    assert got[1 - row] == good[1 - row]


@pytest.mark.parametrize(
    ("arg", "value", "words"),
    [
        ("entry", [[60000.0], [3500.0], [3400.0]], "has 2 rows"),
        ("entry", [[60000.0, 1.0], [3500.0, 2.0]], "entry must be one column or one row"),
        ("entry", [["abc"]], "entry must be a number"),  # one row: the message is raised
    ],
)
def test_liq_check_refuses_bad_ranges_naming_the_argument(arg: str, value: Any, words: str) -> None:
    change: dict[str, Any] = {arg: value}
    if value == [["abc"]]:
        change = {k: [v[0]] for k, v in COLS.items()} | change
    with pytest.raises(MicrosizeError) as exc:
        _check(**change)
    assert words in str(exc.value)
    assert len(str(exc.value)) < 250


def test_betas_equal_mf_beta_per_column() -> None:
    got = U.MF_BETAS(PRICES, [["ETH"], ["sol "], ["BTC"]], "BTC")
    col = {name: [[r[j]] for r in PRICES[1:]] for j, name in enumerate(PRICES[0])}
    assert len(got) == 3
    assert math.isclose(got[0][0], U.MF_BETA(col["ETH"], col["BTC"]), rel_tol=1e-12)
    assert math.isclose(got[1][0], U.MF_BETA(col["SOL"], col["BTC"]), rel_tol=1e-12)
    assert math.isclose(got[2][0], 1.0, rel_tol=1e-12)  # the hedge on itself
    ewma = U.MF_BETAS(PRICES, "ETH", "BTC", 0.94)
    assert math.isclose(ewma[0][0], U.MF_BETA(col["ETH"], col["BTC"], 0.94), rel_tol=1e-12)
    # a tuple-of-tuples range, as LibreOffice hands it over, works the same
    as_tuples = tuple(tuple(r) for r in PRICES)
    assert U.MF_BETAS(as_tuples, (("ETH",),), "BTC") == [[got[0][0]]]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((PRICES, "DOGE", "BTC"), "assets: 'DOGE' is not a column of prices (Week, BTC"),
        ((PRICES, [["ETH"], ["DOGE"]], "BTC", 1.5), "lam"),  # the same for every row
        ((PRICES, "ETH", "XBT"), "hedge_column: 'XBT' is not a column of prices"),
        ((PRICES, None, "BTC"), "assets must name a column of prices"),
        ((PRICES, "ETH", 3), "hedge_column must name a column of prices"),
        ((5, "ETH", "BTC"), "prices must be a table with a header row"),
        ((PRICES[:1], "ETH", "BTC"), "prices must be a table with a header row"),
        (([*PRICES[:-1], [6, 1.0]], "ETH", "BTC"), "prices must be a rectangular range"),
        ((PRICES, "ETH", "BTC", 1.5), "lam"),
        (([*PRICES[:1], [1, 100.0, "x", 1.0], *PRICES[2:]], "ETH", "BTC"), "asset_prices"),
    ],
)
def test_betas_refuse_bad_input_naming_the_argument(args: Any, words: str) -> None:
    with pytest.raises(MicrosizeError) as exc:
        U.MF_BETAS(*args)
    assert words in str(exc.value)
    assert len(str(exc.value)) < 250


def test_risk_budgets_take_a_percent_or_an_amount_per_row() -> None:
    got = U.MF_RISK_BUDGETS(10000, [[0.01], [None], [0.005], [0.0]], [[None], [150], [0], [40]])
    assert got == [[100.0], [150.0], [50.0], [40.0]]  # 0 is blank (LibreOffice's blank)
    assert U.MF_RISK_BUDGETS(2000, 0.015, None) == [[30.0]]  # the seed's $30


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((10000, [[0.01]], [[100]]), "give a risk % or a risk amount (got both)"),
        ((10000, [[1.5]], [[None]]), "risk is a fraction of the account: type 1.5%"),
        ((10000, [[-0.01]], [[None]]), "risk must be >= 0"),
        ((10000, [[None]], [["abc"]]), "risk_amount must be a number"),
        ((10000, [[None]], [[float("nan")]]), "risk_amount must be a number"),
        ((0, [[0.01]], [[None]]), "equity must be > 0"),
        (("#N/A", [[0.01]], [[None]]), "equity must be a number"),
        ((10000, [[0.01], [0.02]], [[None], [None], [None]]), "has 2 rows"),
    ],
)
def test_risk_budgets_refuse_bad_input(args: Any, words: str) -> None:
    with pytest.raises(MicrosizeError) as exc:
        U.MF_RISK_BUDGETS(*args)
    assert words in str(exc.value)


def test_risk_budgets_a_bad_row_shows_its_message_and_the_others_compute() -> None:
    got = U.MF_RISK_BUDGETS(
        10000, [[0.01], [None], [0.05], [1.5], [""]], [[None], [None], [20], [None], ["x"]]
    )
    assert got[0] == [100.0]
    assert got[1] == ["error: give a risk % or a risk amount (got neither)"]
    assert got[2] == ["error: give a risk % or a risk amount (got both)"]
    assert got[3][0].startswith("error: risk is a fraction of the account: type 1.5%")
    assert got[4][0].startswith("error: risk_amount must be a number")


def test_betas_an_unknown_asset_shows_its_message_and_the_others_compute() -> None:
    got = U.MF_BETAS(PRICES, [["ETH"], ["DOGE"], [None], ["SOL"]], "BTC")
    col = {name: [[r[j]] for r in PRICES[1:]] for j, name in enumerate(PRICES[0])}
    assert math.isclose(got[0][0], U.MF_BETA(col["ETH"], col["BTC"]), rel_tol=1e-12)
    assert got[1][0].startswith("error: assets: 'DOGE' is not a column of prices")
    assert got[2][0].startswith("error: assets must name a column of prices")
    assert math.isclose(got[3][0], U.MF_BETA(col["SOL"], col["BTC"]), rel_tol=1e-12)


# ------------------------------------------------------------------ signed exposure
def test_exposure_is_signed_usd_pinned_to_hand_numbers() -> None:
    # a short BTC holding of -2 MBT (0.1 BTC each) at 60,000: -2 x 0.1 x 60,000
    assert U.MF_EXPOSURE(-2, 60000, "cme:MBT") == -12000
    assert U.MF_NOTIONAL(-2, 60000, "cme:MBT") == 12000  # unsigned, unchanged
    assert U.MF_EXPOSURE(10, 3000, "cme:MET") == 3000  # 10 x 0.1 ETH x 3,000
    # inverse: the face value in USD, whatever the price (100 USD a contract)
    assert U.MF_EXPOSURE(-100, 50000, "binance:BTCUSD_PERP") == -10000
    assert U.MF_EXPOSURE(0.5, 40000, 0.001) == 20  # a number is units per contract
    col = U.MF_EXPOSURE(
        [[10], [-2], [5]], [[3000], [60000], [3000]], [["cme:MET"], ["cme:MBT"], ["no:X"]]
    )
    assert col[:2] == [[3000.0], [-12000.0]]
    assert col[2][0].startswith("error: contract")
    with pytest.raises(MicrosizeError, match="quanto"):
        U.MF_EXPOSURE(1, 3000, "bitmex:ETHUSD")


def test_a_short_holding_lowers_the_portfolio_hedge() -> None:
    """10 MET long at 3,000 (beta 1.5) and 2 MBT short at 60,000 (beta 1): the book is net
    short 9,000 USD, beta-weighted -7,500, so the hedge buys 1.25 MBT-worth: 1 MBT at 60,000
    is 6,000 USD, nearest lot: 1 contract (buy)."""
    exp = U.MF_EXPOSURE([[10], [-2]], [[3000], [60000]], [["cme:MET"], ["cme:MBT"]])
    plan = dict(U.MF_PORTFOLIO_HEDGE(exp, [[1.5], [1.0]], 60000, "cme:MBT"))
    assert plan["Exposure"] == -9000
    assert plan["Beta-weighted exposure"] == -7500
    assert plan["Hedge contracts"] == 1  # buy: the book is short
    # counting the short as a long (MF_NOTIONAL) would sell 3: the wrong side
    unsigned = U.MF_NOTIONAL([[10], [-2]], [[3000], [60000]], [["cme:MET"], ["cme:MBT"]])
    assert (
        dict(U.MF_PORTFOLIO_HEDGE(unsigned, [[1.5], [1.0]], 60000, "cme:MBT"))["Hedge contracts"]
        == -3
    )


# ------------------------------------------------------------------ the trade plan
PLAN: dict[str, Any] = {
    "equity": 10000,
    "risk": [[0.01], [None]],
    "risk_amount": [[None], [50]],
    "entry": [[3500], [3500]],
    "stop_price": [[3450], [3600]],
    "contract": [["binance:ETHUSDT"], ["binance:ETHUSDT"]],
    "fee_rate": [[0], [None]],
    "leverage": [[10], [None]],
}


def _plan(**change: Any) -> Any:
    return U.MF_PLAN(*{**PLAN, **change}.values())


def _totals(**change: Any) -> Any:
    return U.MF_PLAN_TOTALS(*{**PLAN, **change}.values())


def test_plan_pinned_to_hand_numbers_a_short_is_negative() -> None:
    """Long: $100 over a 50 stop distance is 2 ETH, 7,000 USD, margin 700 at 10x. Short:
    $50 over 100 is 0.5 ETH, -1,750 USD; blank fee 0, blank leverage 1x (margin 1,750)."""
    long, short = _plan()
    assert long[:5] == [100, 2, 100, 7000, 700]
    assert long[5].startswith("ok: liquidation")
    assert short[:5] == [50, 0.5, 50, -1750, 1750]
    assert short[5] == "no leverage: nothing to check"
    assert _totals() == [[150], [2450], [5250]]  # risk, margin, net exposure (7,000 - 1,750)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"fee_rate": [[0], [0.05]]}, "error: fee_rate"),  # 5% typed where 0.05% was meant
        ({"contract": [["binance:ETHUSDT"], ["nowhere:XYZ"]]}, "error: contract"),
        ({"risk": [[0.01], [0.01]]}, "error: give a risk % or a risk amount (got both)"),
        ({"stop_price": [[3450], [3500]]}, "error: stop"),
        ({"leverage": [[10], ["x"]]}, "error: leverage must be a number > 0"),
    ],
)
def test_plan_a_bad_row_shows_its_message_and_the_totals_name_it(
    change: dict[str, Any], words: str
) -> None:
    """On main a blank or bad cell in one row turned every row into the error text, SUM
    read 0 and the status said ok: now the other row computes, and every total names the
    row that failed instead of adding up part of the plan."""
    rows = _plan(**change)
    assert rows[0] == _plan()[0]
    assert rows[1][5].startswith(words), rows[1]
    assert rows[1][:5] == ["n/a: see Check"] * 5
    assert _totals(**change) == [["n/a: 1 trade has an error: row 2"]] * 3


def test_plan_totals_count_and_name_every_failed_row() -> None:
    bad = {k: v * 2 if isinstance(v, list) else v for k, v in PLAN.items()}
    bad["fee_rate"] = [[0], [0.05], [0], ["abc"]]
    assert _totals(**bad) == [["n/a: 2 trades have errors: rows 2, 4"]] * 3
    with pytest.raises(MicrosizeError, match="equity must be > 0"):
        _totals(equity=0)


def test_plan_values_coin_settled_trades_in_usd() -> None:
    """An inverse trade is sized against a USD budget (MF_CONTRACTS_USD): its risk at stop
    and margin are in USD, so the totals add dollars to dollars."""
    row = U.MF_PLAN(10000, 0.01, None, 60000, 57000, "deribit:BTC-PERPETUAL")[0]
    assert row[1] == U.MF_CONTRACTS_USD(100, 60000, 57000, "deribit:BTC-PERPETUAL") == 2000
    assert math.isclose(row[2], 100, rel_tol=1e-9)  # 2,000 USD x (1/57,000 - 1/60,000) x 57,000
    assert row[3] == 2000  # face value
    assert math.isclose(row[4], 2000, rel_tol=1e-9)  # 1x: the whole face value


def test_portfolio_hedge_command_counts_a_short_holding_as_negative(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """``microsize portfolio-hedge`` takes signed contracts, price and contract per holding
    (the sheet's MF_EXPOSURE) as well as a signed exposure: both give -9,000 USD."""
    from microsize.cli import main

    by_contracts = tmp_path / "held.csv"
    by_contracts.write_text(
        "symbol,contracts,price,contract,beta\nETH,10,3000,cme:MET,1.5\nBTC,-2,60000,cme:MBT,1\n"
    )
    by_value = tmp_path / "value.csv"
    by_value.write_text("symbol,exposure,beta\nETH,3000,1.5\nBTC,-12000,1\n")
    shown = []
    for path in (by_contracts, by_value):
        assert main(["portfolio-hedge", str(path), "60000", "cme:MBT"]) == 0
        shown.append(capsys.readouterr().out)
    assert shown[0] == shown[1]
    rows = {}
    for line in shown[0].splitlines():
        label, _, value = line.partition("  ")
        number = re.match(r"\s*(-?[\d,]+(?:\.\d+)?)", value)
        if number:
            rows[label.strip()] = float(number.group(1).replace(",", ""))
    assert rows["Exposure"] == -9000
    assert rows["Beta-weighted exposure"] == -7500
    assert rows["Hedge contracts"] == 1  # buy: the book is short
