"""The Planner's trader fields (issue 22): Side, Target and R:R, the trade's name beside
its results, initial margin by venue and exposure by coin.

The template's four trades, sized by hand (account 10,000; the loss per unit at the stop
is the stop distance plus the fee on entry and stop, each rounded down to the lot step):

- BTC breakout, hyperliquid:BTC, long 60,000 -> 59,200, 1%: 100 / (800 + 0.00045 x
  119,200 = 853.64) = 0.117146 -> 0.11714 BTC; notional 7,028.40, margin at 5x 1,405.68.
- ETH short, binance:ETHUSDT, short 3,500 -> 3,600, 1%: 100 / (100 + 0.0005 x 7,100 =
  103.55) = 0.9657 -> 0.965 ETH; exposure -3,377.50, margin at 10x 337.75.
- SOL pullback, binance:SOLUSDT, long 150 -> 142, 50 USD: 50 / (8 + 0.0005 x 292 = 8.146)
  = 6.14 -> 6 SOL; notional 900, margin at 20x 45.
- BTC at 20x, binance:BTCUSDT, long 60,000 -> 57,000, 1%: 100 / (3,000 + 0.0005 x
  117,000 = 3,058.5) = 0.0327 -> 0.032 BTC; notional 1,920, margin at 20x 96.

So Hyperliquid's wallet holds 1,405.68 of margin and Binance's 337.75 + 45 + 96 = 478.75
(together 1,884.43); BTC is 7,028.40 + 1,920 = 8,948.40 long, ETH 3,377.50 short (net
-3,377.50, gross 3,377.50), SOL 900 long; net 6,470.90, gross 13,225.90. The BTC
breakout's reward to risk with both fees: (2,400 - 0.00045 x 122,400 = 2,344.92) /
853.64 = 2.7470.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.test_analyst_edits import TEMPLATE, cells, edited

#: Trades' columns: inputs A:J, then Results of (K), Side check (L), Risk budget (M),
#: Contracts (N), Risk at stop (O), R:R (P), Exposure (Q), Margin (R), Venue (S), Coin
#: (T), Check (U); the first trade in row 20.
FIRST = 20


def _block(got: dict[str, Any], ref: str) -> dict[str, list[Any]]:
    """A block by venue or coin: its first column's text -> the rest of its row."""
    return {str(r[0]): r[1:] for r in cells(got, f"PLANNER!{ref}")}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return edited(tmp_path_factory.mktemp("planner"), [])


def test_margin_by_venue_sums_to_the_combined_margin(template: dict[str, Any]) -> None:
    venues = _block(template, "A12:C16")
    assert venues["hyperliquid"][0] == pytest.approx(1405.68, abs=0.005)
    assert venues["binance"][0] == pytest.approx(478.75, abs=0.005)
    assert venues["bybit"][0] == 0
    assert venues["Other venues"][0] == 0
    assert [venues[v][1] for v in ("hyperliquid", "binance", "bybit", "Other venues")] == [
        1,
        3,
        0,
        0,
    ]
    combined = cells(template, "PLANNER!G6")[0][0]  # MF_PLAN_TOTALS, another path
    assert combined == pytest.approx(1884.43, abs=0.005)
    assert venues["All venues"][0] == pytest.approx(combined)
    assert sum(venues[v][0] for v in ("hyperliquid", "binance", "bybit", "Other venues")) == (
        pytest.approx(combined)
    )


def test_exposure_by_coin_long_short_net_gross(template: dict[str, Any]) -> None:
    coins = _block(template, "D12:H16")
    assert coins["BTC"] == pytest.approx([8948.40, 0, 8948.40, 8948.40], abs=0.005)
    # the short: nothing long, its exposure negative, its gross the size of it
    assert coins["ETH"] == pytest.approx([0, -3377.50, -3377.50, 3377.50], abs=0.005)
    assert coins["SOL"] == pytest.approx([900, 0, 900, 900], abs=0.005)
    assert coins["Other coins"] == [0, 0, 0, 0]
    assert coins["All coins"] == pytest.approx([9848.40, -3377.50, 6470.90, 13225.90], abs=0.005)
    net = cells(template, "PLANNER!G7")[0][0]  # MF_PLAN_TOTALS' net exposure
    assert coins["All coins"][2] == pytest.approx(net)


def test_each_trade_shows_its_name_side_and_reward_to_risk(template: dict[str, Any]) -> None:
    rows = cells(template, f"PLANNER!A{FIRST}:U{FIRST + 3}")
    for r in rows:
        assert r[10] == r[0]  # the name again beside the results
        assert r[11].startswith("ok: "), r  # every side agrees with its stop
    assert rows[0][15] == pytest.approx(2.7470, abs=5e-5)  # BTC breakout's R:R
    assert rows[1][11] == "ok: short, stop above entry"
    assert rows[1][16] == pytest.approx(-3377.50)  # the short's exposure
    assert [r[18] for r in rows] == ["hyperliquid", "binance", "binance", "binance"]
    assert [r[19] for r in rows] == ["BTC", "ETH", "SOL", "BTC"]
    assert cells(template, "PLANNER!L8") == [["ok: every side agrees with its stop"]]


def test_a_side_that_disagrees_with_the_stop_is_red_and_nothing_flips(tmp_path: Path) -> None:
    """The BTC breakout typed short (its stop below entry makes it a long), the SOL trade's
    side left blank, the ETH short's target above its entry and the BTC at 20x without a
    target."""
    got = edited(
        tmp_path,
        [
            ("Planner", f"C{FIRST}", "short"),
            ("Planner", f"C{FIRST + 2}", None),
            ("Planner", f"F{FIRST + 1}", 3700),
            ("Planner", f"F{FIRST + 3}", None),
        ],
    )
    rows = cells(got, f"PLANNER!A{FIRST}:U{FIRST + 3}")
    assert rows[0][11] == "stop below entry: a LONG, not the short typed"
    assert rows[0][16] == pytest.approx(7028.40)  # still sized and counted as the long
    assert rows[2][11] == "type long or short"
    assert str(rows[1][15]).startswith("target must be below entry for a short")
    assert rows[3][15] == "n/a: no target"
    status = cells(got, "PLANNER!L8")[0][0]
    assert status.startswith("2 of 4 trades: the side typed disagrees with the stop")
    ws = openpyxl.load_workbook(TEMPLATE)["Planner"]
    rules = {str(r.sqref): r for r in ws.conditional_formatting}
    assert f"L{FIRST}:L{FIRST + 3}" in rules  # Side check: red unless ok
    assert f"P{FIRST}:P{FIRST + 3}" in rules  # R:R: red when it is a message
    assert "L8" in rules


def test_a_trade_typed_below_the_table_reaches_the_blocks(tmp_path: Path) -> None:
    """A fifth trade on Bybit in a coin the block does not list: Bybit's margin is its
    margin, the Other coins row holds its exposure (and is red), the sums still equal the
    combined margin and the net exposure."""
    trade = ["XRP dip", "bybit:XRPUSDT", "long", 2.5, 2.4, 2.8, None, 30, 0.00055, 10]
    got = edited(tmp_path, [], rows={"Trades": [trade]})
    row = cells(got, f"PLANNER!A{FIRST + 4}:U{FIRST + 4}")[0]
    assert row[18:20] == ["bybit", "XRP"]
    margin, exposure = row[17], row[16]
    assert exposure > 0
    venues = _block(got, "A12:C16")
    assert venues["bybit"] == [pytest.approx(margin), 1]
    combined = cells(got, "PLANNER!G6")[0][0]
    assert venues["All venues"][0] == pytest.approx(combined)
    coins = _block(got, "D12:H16")
    assert coins["Other coins"][0] == pytest.approx(exposure)
    assert coins["All coins"][2] == pytest.approx(cells(got, "PLANNER!G7")[0][0])
    ws = openpyxl.load_workbook(TEMPLATE)["Planner"]
    assert {"B15", "H15"} <= {str(r.sqref) for r in ws.conditional_formatting}
