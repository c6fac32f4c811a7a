"""The MF_SIZE table: its rows, the spec's date in its own row, and the warnings that
catch typing mistakes (a risk of 1 meant as 1%, a stop inside one tick, an absurd size).

Liquidation figures are checked against :func:`microsize.liq_price`, the exchange's
published formula, which test_margin pins to the exchanges' worked examples.
"""

from __future__ import annotations

import datetime as dt

import pytest

import microsize as ms
from microsize import MicrosizeError
from microsize.udfs import MF_SIZE

ROWS = [
    "Contract",
    "Side",
    "Currency",
    "Risk budget",
    "Contracts",
    "Quantity",
    "Notional",
    "Risk at stop",
    "Risk %",
    "Unused budget",
    "Fees",
    "Leverage",
    "Margin",
    "Liquidation price",
    "Max leverage",
    "Spec as of",
    "Warnings",
]
DAY = dt.date(2026, 11, 22)


def table(*args: object, **kw: object) -> dict[str, object]:
    return dict(ms.size_trade(*args, **kw))  # type: ignore[arg-type]


def in_order(labels: list[str]) -> list[str]:
    """The labels of ROWS among ``labels``, in the order they come (rows added later, e.g.
    for slippage, may sit between them)."""
    return [x for x in labels if x in ROWS]


def test_rows_in_order() -> None:
    rows = ms.size_trade(2000, 0.015, 3520, 3450, "binance:ETHUSDT", 0.0005, 5, today=DAY)
    assert in_order([r[0] for r in rows]) == ROWS
    assert rows[-2][0] == "Spec as of"
    assert rows[-1][0] == "Warnings"
    excel = MF_SIZE(2000, 0.015, 3520, 3450, "binance:ETHUSDT", 0.0005, 5)
    assert in_order([r[0] for r in excel]) == ROWS


def test_staleness_is_its_own_row_and_not_a_warning() -> None:
    """Every bundled Binance row is dated 2024-10-24: 759 days before 2026-11-22."""
    t = table(2000, 0.015, 3520, 3450, "binance:ETHUSDT", today=DAY)
    assert t["Spec as of"] == (
        "2024-10-24 (759 days old, limit 180: check the venue or run microsize specs refresh)"
    )
    assert t["Warnings"] == "none"
    assert table(2000, 0.015, 3520, 3450, "cme:MET", today=DAY)["Spec as of"] == (
        "2026-11-22 (0 days old)"
    )
    assert table(2000, 0.015, 3520, 3450, "binance:ETHUSDT")["Spec as of"] == "2024-10-24"
    assert table(2000, 0.015, 3520, 3450, 0.001, today=DAY)["Spec as of"] == (
        "n/a: contract size typed"
    )
    fresh = table(2000, 0.015, 3520, 3450, "binance:ETHUSDT", today=DAY, max_age_days=1000)
    assert fresh["Spec as of"] == "2024-10-24 (759 days old)"


def test_mf_size_dates_the_spec_with_todays_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("microsize.clock.today", lambda: DAY)
    t = dict(MF_SIZE(2000, 0.015, 3520, 3450, "binance:ETHUSDT"))
    assert str(t["Spec as of"]).startswith("2024-10-24 (759 days old, limit 180")
    assert t["Warnings"] == "none"


@pytest.mark.parametrize(
    ("risk", "warned"),
    [
        (1, "risk 100% of equity per trade: for 1% type 1% or 0.01"),
        (0.1, "risk 10% of equity per trade: for 1% type 1% or 0.01"),
        (0.5, "risk 50% of equity per trade"),
        (0.099, None),
        (0.015, None),
    ],
)
def test_a_risk_of_ten_percent_or_more_is_probably_a_typed_percentage(
    risk: float, warned: str | None
) -> None:
    w = str(table(200_000, risk, 3520, 3450, "binance:ETHUSDT", None, 100)["Warnings"])
    if warned is None:
        assert "of equity per trade" not in w
    else:
        assert warned in w


def test_stop_inside_one_tick() -> None:
    """Binance BTCUSDT ticks 0.1: a stop 0.01 below 60,000 cannot be placed."""
    w = str(table(1000, 0.01, 60000, 59999.99, "binance:BTCUSDT")["Warnings"])
    assert "stop is 0.01 from entry, closer than one tick (0.1): check the stop" in w
    # one tick exactly is placeable; decimals are compared exactly (0.3 - 0.2 is a tick)
    w = str(table(1000, 0.01, 60000, 59999.9, "binance:BTCUSDT")["Warnings"])
    assert "closer than one tick" not in w
    specs = [
        ["exchange", "symbol", "kind", "contract_size", "lot_step", "tick_size"],
        ["t", "X", "linear", 1, 0.001, 0.1],
    ]
    w = str(table(100, 0.01, 0.3, 0.2, "t:X", specs=specs)["Warnings"])
    assert "closer than one tick" not in w


def test_a_stop_a_billionth_below_entry_warns_of_the_notional() -> None:
    """$1,000 at risk over a 0.00006 move sizes 16.7 million BTC: 1e12 USDT of notional,
    beyond the largest margin tier any venue in the table publishes (1.8e9 USDT)."""
    t = table(100_000, 0.01, 60000, 59999.99994, "binance:BTCUSDT")
    w = str(t["Warnings"])
    assert "beyond any venue's position limit (1e10): check entry, stop and risk" in w
    assert "closer than one tick" in w
    assert float(t["Notional"]) > 1e10  # type: ignore[arg-type]
    normal = table(100_000, 0.01, 60000, 57000, "binance:BTCUSDT")
    assert "position limit" not in str(normal["Warnings"])


def test_absurd_equity_and_contract_size_are_refused() -> None:
    with pytest.raises(
        MicrosizeError,
        match=r"equity must be at most 1e12, more than any trading account holds \(got 1e\+300\)",
    ):
        ms.size_trade(1e300, 0.01, 60000, 59000, "binance:BTCUSDT")
    with pytest.raises(MicrosizeError, match=r"contract size 1e-30 is outside 1e-12 to 1e12"):
        ms.size_trade(1000, 0.01, 60000, 59000, 1e-30)


def test_without_leverage_the_rows_tell_one_story_at_1x() -> None:
    """No leverage means 1x: margin is the notional, and liquidation is computed at 1x
    (Binance's formula puts a 1x long's liquidation at or below 0: none)."""
    t = table(2000, 0.015, 3520, 3450, "binance:ETHUSDT")
    assert t["Leverage"] == 1.0
    assert t["Margin"] == t["Notional"]
    assert t["Liquidation price"] == "none: cannot be liquidated"
    assert t["Max leverage"] == ms.max_leverage(3520, 3450, "binance:ETHUSDT", contracts=0.428)
    # a 1x short is liquidated when the price about doubles: a price, the formula's
    short = table(2000, 0.015, 3450, 3520, "binance:ETHUSDT")
    c = short["Contracts"]
    assert short["Liquidation price"] == pytest.approx(
        ms.liq_price(3450, -float(c), 1, "binance:ETHUSDT"),  # type: ignore[arg-type]
        rel=1e-11,
    )


def test_leverage_above_the_maximum_is_liquidated_at_once_not_above_entry() -> None:
    """500x on a 125x contract: margin 0.2% of notional is below the 0.4% maintenance
    rate, so the formula's liquidation lies above the long's entry; shown as at once."""
    t = table(1000, 0.01, 60000, 57000, "binance:BTCUSDT", None, 500)
    assert t["Liquidation price"] == "at once: margin below maintenance"
    w = str(t["Warnings"])
    assert "the position would be liquidated at once" in w
    assert "leverage 500 is above the contract's maximum 125" in w
    ok = table(1000, 0.01, 60000, 57000, "binance:BTCUSDT", None, 10)
    assert ok["Liquidation price"] == pytest.approx(
        ms.liq_price(60000, float(ok["Contracts"]), 10, "binance:BTCUSDT"),  # type: ignore[arg-type]
        rel=1e-11,
    )
    assert float(ok["Liquidation price"]) < 57000  # type: ignore[arg-type]


def test_mmr_reaches_the_liquidation_rows() -> None:
    """CME publishes no maintenance rate: the row says so; an mmr computes it."""
    t = table(100_000, 0.01, 60000, 57000, "cme:MBT", None, 2)
    assert t["Contracts"] == 3.0
    assert t["Liquidation price"] == (
        "unknown: no maintenance-margin data for this contract (pass mmr)"
    )
    assert "liquidation price unknown: cme:MBT" in str(t["Warnings"])
    with_mmr = table(100_000, 0.01, 60000, 57000, "cme:MBT", None, 2, mmr=0.005)
    assert with_mmr["Liquidation price"] == pytest.approx(
        ms.liq_price(60000, 3, 2, "cme:MBT", mmr=0.005), rel=1e-11
    )
    via_excel = dict(MF_SIZE(100_000, 0.01, 60000, 57000, "cme:MBT", None, 2, mmr=0.005))
    assert via_excel["Liquidation price"] == with_mmr["Liquidation price"]
    # at the default 1x no data is no threat: the row says unknown, Warnings stays quiet
    quiet = table(100_000, 0.01, 60000, 57000, "cme:MBT")
    assert str(quiet["Liquidation price"]).startswith("unknown")
    assert quiet["Warnings"] == "none"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        # the cases that used to name `contracts`, which MF_SIZE's user never typed
        (
            (1e200, 0.01, 1e-200, 2e-200, 1.0),
            "equity must be at most 1e12, more than any trading account holds (got 1e+200)",
        ),
        ((1e11, 1, 2e-300, 1e-300, 1.0), "buys more contracts than a number holds"),
        (
            (2000, 0.015, 3520, 3450, "binance:ETHUSDT", None, 5e-324),
            "Margin is not a finite number: check leverage (got 4.94065645841247e-324)",
        ),
        ((2000, 0.01, 1e308, 1e-308, 1e12), "Risk at stop is not a finite number: check equity"),
    ],
)
def test_extreme_inputs_name_what_the_user_typed(args: tuple[object, ...], needle: str) -> None:
    with pytest.raises(MicrosizeError) as info:
        MF_SIZE(*args)
    assert needle in str(info.value)
    assert not str(info.value).startswith(("contracts", "risk_amount"))


def test_mf_size_composes_its_margin_warnings_once() -> None:
    """The margin warning is written by one function from the Margin row's own number:
    once, and with the value the table shows (a long BTC inverse trade at 2x whose margin,
    6,208.17 BTC, is far above the 883.98 BTC account)."""
    rows = dict(
        ms.size_trade(883.98, 0.216, 43517.77, 42901.24, "bybit:BTCUSD", 0.0005, 2, mmr=0.005)
    )
    warnings = rows["Warnings"].split("; ")
    assert len(warnings) == len(set(warnings))
    over = [w for w in warnings if "exceeds the account" in w]
    assert over == [f"margin {format(rows['Margin'], ',.10g')} exceeds the account 883.98"]
    assert rows["Margin"] == pytest.approx(rows["Notional"] / 2, rel=1e-11)


@pytest.mark.parametrize("equity", [1000.0, 1.0])  # a position, and none (budget too small)
def test_mf_size_warns_of_leverage_above_the_maximum_once(equity: float) -> None:
    """Binance BTCUSDT allows at most 125x for its first bracket (Binance leverage
    brackets, bundled margin_tiers.csv): 200x is named once, with or without a position."""
    rows = dict(ms.size_trade(equity, 0.001, 60000, 59990, "binance:BTCUSDT", None, 200))
    over = [w for w in rows["Warnings"].split("; ") if w.startswith("leverage 200")]
    assert over == ["leverage 200 is above the contract's maximum 125"]
