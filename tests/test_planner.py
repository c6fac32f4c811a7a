"""Column functions for the Planner and Portfolio sheets: MF_LIQ_CHECK, MF_BETAS and
MF_RISK_BUDGETS.

MF_LIQ_CHECK is pinned to the liquidation price Binance's published isolated-margin formula
gives for 0.01 BTC long at 60,000 and 20x (57,228.92, as the CLI and workbook tests pin)
and to the highest leverage that keeps it beyond a 57,000 stop (18x); MF_BETAS must equal
MF_BETA column by column. Bad input names the argument and the row.
"""

from __future__ import annotations

import math
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
    ("arg", "value", "words"),
    [
        ("entry", [["abc"], [3500.0]], "entry must be a number (row 1)"),
        ("entry", [[float("nan")], [3500.0]], "entry must be a number (row 1)"),
        ("stop_price", [[57000.0], [None]], "stop_price must be a number (row 2)"),
        ("stop_price", [[60000.0], [3600.0]], "stop_price must differ from entry (row 1)"),
        ("contracts", [[-0.01], [1.2]], "contracts must be >= 0 (row 1)"),
        ("contracts", [[0.01], ["#N/A"]], "contracts must be a number (row 2)"),
        ("leverage", [[20.0], [-5.0]], "leverage must be a number > 0 (row 2)"),
        ("leverage", [[20.0], ["#N/A"]], "leverage must be a number > 0 (row 2)"),
        ("contract", [["binance:BTCUSDT"], ["nowhere:XYZ"]], "contract"),
        ("entry", [[60000.0], [3500.0], [3400.0]], "has 2 rows"),
        ("entry", [[60000.0, 1.0], [3500.0, 2.0]], "entry must be one column or one row"),
    ],
)
def test_liq_check_refuses_bad_input_naming_the_argument(arg: str, value: Any, words: str) -> None:
    with pytest.raises(MicrosizeError) as exc:
        _check(**{arg: value})
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
        (
            (10000, [[0.01], [None]], [[None], [None]]),
            "give a risk % or a risk amount (row 2) (got neither)",
        ),
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
