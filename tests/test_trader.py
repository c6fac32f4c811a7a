"""Trader inputs pinned to outside numbers: ATR, ATR stops, stop fills, R:R, R and ROI targets,
USD budgets on coin-margined contracts; with the properties each promises."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import microsize as ms
from microsize import MicrosizeError
from microsize import udfs as U
from microsize._exact import exact

# StockCharts ChartSchool, "Average True Range (ATR)", worked 14-day table for QQQ,
# 1 April to 13 May 2010 (https://school.stockcharts.com/doku.php?id=technical_indicators:
# average_true_range_atr, spreadsheet cs-atr.xls): high, low, close, TR and ATR as printed
# (2 decimals). The first ATR is printed 0.56; the mean of the 14 printed true ranges is
# 7.76 / 14 = 0.5543, and every later printed ATR follows from 0.5543 (from 0.56 the next
# would be 0.60, not the printed 0.59), so the first row is checked against that mean.
QQQ = [
    # high, low, close, TR, ATR
    (48.70, 47.79, 48.16, 0.91, None),
    (48.72, 48.14, 48.61, 0.58, None),
    (48.90, 48.39, 48.75, 0.51, None),
    (48.87, 48.37, 48.63, 0.50, None),
    (48.82, 48.24, 48.74, 0.58, None),
    (49.05, 48.64, 49.03, 0.41, None),
    (49.20, 48.94, 49.07, 0.26, None),
    (49.35, 48.86, 49.32, 0.49, None),
    (49.92, 49.50, 49.91, 0.60, None),
    (50.19, 49.87, 50.13, 0.32, None),
    (50.12, 49.20, 49.53, 0.93, None),
    (49.66, 48.90, 49.50, 0.76, None),
    (49.88, 49.43, 49.75, 0.45, None),
    (50.19, 49.73, 50.03, 0.46, 0.55),  # printed 0.56: see above
    (50.36, 49.26, 50.31, 1.10, 0.59),
    (50.57, 50.09, 50.52, 0.48, 0.59),
    (50.65, 50.30, 50.41, 0.35, 0.57),
    (50.43, 49.21, 49.34, 1.22, 0.62),
    (49.63, 48.98, 49.37, 0.65, 0.62),
    (50.33, 49.61, 50.23, 0.96, 0.64),
    (50.29, 49.20, 49.24, 1.09, 0.67),
    (50.17, 49.43, 49.93, 0.93, 0.69),
    (49.32, 48.08, 48.43, 1.85, 0.78),
    (48.50, 47.64, 48.18, 0.86, 0.78),
    (48.32, 41.55, 46.57, 6.77, 1.21),
    (46.80, 44.28, 45.41, 2.52, 1.30),
    (47.80, 47.31, 47.77, 2.39, 1.38),
    (48.39, 47.20, 47.72, 1.19, 1.37),
    (48.66, 47.90, 48.62, 0.94, 1.34),
    (48.79, 47.73, 47.85, 1.06, 1.32),
]


def _col(values: Any) -> list[list[float]]:
    return [[float(v)] for v in values]


def _qqq() -> tuple[list[float], list[float], list[float]]:
    return [r[0] for r in QQQ], [r[1] for r in QQQ], [r[2] for r in QQQ]


# ------------------------------------------------------------------------------ ATR
def test_true_range_matches_the_stockcharts_table() -> None:
    tr = ms.true_range(*_qqq())
    assert np.round(tr, 2).tolist() == [r[3] for r in QQQ]


def test_atr_matches_the_stockcharts_table() -> None:
    values = ms.atr(*_qqq())
    assert np.isnan(values[:13]).all()
    assert values[13] == pytest.approx(7.76 / 14, abs=1e-12)
    printed = [r[4] for r in QQQ]
    # printed to 2 decimals from a spreadsheet whose own prices carry more decimals than the
    # printed cents: two rows (0.6149 printed 0.62, 0.7749 printed 0.78) sit just past the
    # rounding boundary, so the check allows 0.006
    np.testing.assert_allclose(values[13:], printed[13:], atol=0.006, rtol=0)
    assert np.round(values[13:], 3).tolist()[:5] == [0.554, 0.593, 0.585, 0.568, 0.615]
    assert ms.latest_atr(*_qqq()) == pytest.approx(values[-1])


def _pandas_atr(df: pd.DataFrame, n: int, how: str) -> pd.Series:
    """An independent computation with pandas: TR from shifted closes, then rolling/ewm."""
    prev = df["close"].shift(1)
    tr = pd.concat(
        [df["high"] - df["low"], (df["high"] - prev).abs(), (df["low"] - prev).abs()], axis=1
    ).max(axis=1)  # max skips the NaN of the first bar: high - low
    if how == "simple":
        return tr.rolling(n).mean()
    seeded = tr.copy()
    seeded.iloc[: n - 1] = np.nan
    seeded.iloc[n - 1] = tr.iloc[:n].mean()
    alpha = 1 / n if how == "wilder" else 2 / (n + 1)
    out = seeded.ewm(alpha=alpha, adjust=False, ignore_na=True).mean()
    out.iloc[: n - 1] = np.nan
    return out


@pytest.mark.parametrize("how", ["wilder", "simple", "exponential"])
@pytest.mark.parametrize("n", [1, 5, 14])
def test_atr_matches_pandas(how: str, n: int) -> None:
    rng = np.random.default_rng(n)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, 200)))
    high = close * (1 + rng.uniform(0, 0.02, 200))
    low = close * (1 - rng.uniform(0, 0.02, 200))
    df = pd.DataFrame({"high": high, "low": low, "close": close})
    ours = ms.atr(_col(high), _col(low), _col(close), n, how)
    theirs = _pandas_atr(df, n, how).to_numpy()
    assert np.array_equal(np.isnan(ours), np.isnan(theirs))
    ok = ~np.isnan(theirs)
    np.testing.assert_allclose(ours[ok], theirs[ok], rtol=1e-9)


def test_blank_rows_are_skipped_and_marked() -> None:
    h, lo, c = _qqq()
    with_blank = [*h[:20], None, *h[20:]], [*lo[:20], None, *lo[20:]], [*c[:20], None, *c[20:]]
    ours = ms.atr(*(_col_or_blank(x) for x in with_blank))
    plain = ms.atr(*_qqq())
    assert np.isnan(ours[20])
    np.testing.assert_allclose(np.delete(ours, 20)[13:], plain[13:], rtol=1e-12)
    cells = U.MF_ATR(*(_col_or_blank(x) for x in with_blank))
    assert cells[20] == ["n/a: blank row"]
    assert cells[0] == ["n/a: fewer than 14 bars"]


def _col_or_blank(values: list[Any]) -> list[list[Any]]:
    return [[v] for v in values]


def test_mf_atr_column_row_and_latest() -> None:
    h, lo, c = _qqq()
    column = U.MF_ATR(_col(h), _col(lo), _col(c))
    assert len(column) == len(QQQ)
    assert all(len(r) == 1 for r in column)
    assert all(isinstance(r[0], str) for r in column[:13])
    assert all(isinstance(r[0], float) for r in column[13:])
    row = U.MF_ATR([h], [lo], [c])
    assert row == [[r[0] for r in column]]
    assert U.MF_ATR(_col(h), _col(lo), _col(c), None, None, True) == column[-1][0]
    assert U.MF_ATR(_col(h), _col(lo), _col(c), 14, "simple", True) == pytest.approx(
        np.mean([r[3] for r in QQQ][-14:]), abs=1e-9
    )
    with pytest.raises(MicrosizeError, match="20 bars with prices are needed"):
        U.MF_ATR(_col(h[:10]), _col(lo[:10]), _col(c[:10]), 20, None, True)


# ------------------------------------------------------------------------ ATR stop
def test_atr_stop_rounds_away_from_entry() -> None:
    # CME Micro Bitcoin: tick 5 USD. 60000 - 2 x 1234.5 = 57531 -> 57530 (lower, farther)
    assert ms.atr_stop(60000, 1234.5, 2, "long", "cme:MBT") == 57530.0
    assert ms.atr_stop(60000, 1234.5, 2, "short", "cme:MBT") == 62470.0
    # exactly on the tick stays there: 3520 + 1.5 x 41.3 = 3581.95 on a 0.01 tick
    assert ms.atr_stop(3520, 41.3, 1.5, "short", "binance:ETHUSDT") == 3581.95
    assert ms.atr_stop(3520, 41.3, 1.5, -1) == pytest.approx(3581.95)


@settings(max_examples=150, deadline=None)
@given(
    entry=st.decimals(min_value=100, max_value=100000, places=2),
    atr_=st.decimals(min_value="0.01", max_value=500, places=2),
    k=st.decimals(min_value="0.5", max_value=5, places=1),
    side=st.sampled_from([1, -1]),
    key=st.sampled_from(["cme:MBT", "binance:BTCUSDT", "bybit:BTCUSD", "deribit:ETH-PERPETUAL"]),
)
def test_atr_stop_is_never_nearer_than_asked(
    entry: Any, atr_: Any, k: Any, side: int, key: str
) -> None:
    e, a, m = float(entry), float(atr_), float(k)
    if e - m * a <= 1:
        return
    stop = ms.atr_stop(e, a, m, side, key)
    tick = exact(ms.load_specs(bundled=True)[key].tick_size)
    dist = abs(exact(stop) - exact(e))
    want = exact(m) * exact(a)
    assert want <= dist < want + tick
    assert (exact(stop) / tick).denominator == 1


# ----------------------------------------------------------------------- stop fill
def test_stop_fill_fraction_and_ticks() -> None:
    assert ms.stop_fill(3450, 0.001, 3520) == pytest.approx(3446.55)
    assert ms.stop_fill(3450, 0.001, 3520, "binance:ETHUSDT") == 3446.55
    assert ms.stop_fill(3450, 0.001, 3400, "binance:ETHUSDT") == 3453.45  # short
    assert ms.stop_fill(57000, "2 ticks", 60000, "cme:MBT") == 56990.0
    assert ms.stop_fill(57000, "2 ticks", 55000, "cme:MBT") == 57010.0
    # 57000 x 0.9997 = 56982.9, down to Deribit's 0.5 tick: 56982.5
    assert ms.stop_fill(57000, 0.0003, 60000, "deribit:BTC-PERPETUAL") == 56982.5
    assert ms.stop_fill(57000, 0, 60000) == 57000.0


@settings(max_examples=150, deadline=None)
@given(
    risk=st.decimals(min_value=1, max_value=5000, places=2),
    entry=st.decimals(min_value=1000, max_value=90000, places=1),
    dist=st.decimals(min_value="0.005", max_value="0.2", places=3),
    slip=st.decimals(min_value=0, max_value="0.01", places=4),
    side=st.sampled_from([1, -1]),
    key=st.sampled_from(["cme:MBT", "binance:BTCUSDT", "bybit:BTCUSD", "deribit:BTC-PERPETUAL"]),
    fee=st.sampled_from([None, 0.0005]),
)
def test_slippage_only_ever_reduces_the_size(
    risk: Any, entry: Any, dist: Any, slip: Any, side: int, key: str, fee: Any
) -> None:
    e = float(entry)
    stop = float(ms.atr_stop(e, e * float(dist), 1, side, key))
    fill = ms.stop_fill(stop, float(slip), e, key)
    assert (fill <= stop) if side > 0 else (fill >= stop)
    n_stop = ms.contracts(float(risk), e, stop, key, fee)
    n_fill = ms.contracts(float(risk), e, fill, key, fee)
    assert n_fill <= n_stop
    # sized against the fill, the loss when the stop slips that far stays within budget
    assert ms.risk(n_fill, e, fill, key, fee) <= float(risk)


def test_mf_size_slippage_sizes_against_the_fill() -> None:
    plain = dict(U.MF_SIZE(2000, 0.015, 3520, 3450, "binance:ETHUSDT", 0.0005))
    slipped = dict(U.MF_SIZE(2000, 0.015, 3520, 3450, "binance:ETHUSDT", 0.0005, None, None, 0.001))
    assert plain["Stop fill"] == 3450.0
    assert slipped["Stop fill"] == 3446.55
    assert slipped["Contracts"] < plain["Contracts"]
    assert slipped["Contracts"] == ms.contracts(30, 3520, 3446.55, "binance:ETHUSDT", 0.0005)
    assert slipped["Risk at stop"] <= 30
    assert plain["Risk at stop (USD)"] == "n/a: the risk is already in USDT"


# ------------------------------------------------------------------- reward to risk
@pytest.mark.parametrize(
    ("entry", "stop", "target", "rr"),
    [
        # Binance Square, #RiskRewardRatio worked examples: long 50 / 48 / 55 risks 2 for 5,
        # short 100 / 103 / 95 risks 3 for 5 (printed as risk/reward 0.4 and 0.6); Overcharts'
        # Risk/Reward tool defines the ratio as ProfitOnTarget / LossOnStop.
        (50, 48, 55, 2.5),
        (100, 103, 95, 5 / 3),
        # TradingView-style long position: entry 100, stop 95, target 110 is 2R
        (100, 95, 110, 2.0),
    ],
)
def test_reward_to_risk_worked_examples(
    entry: float, stop: float, target: float, rr: float
) -> None:
    assert ms.reward_risk(entry, stop, target) == pytest.approx(rr, rel=1e-10)
    assert U.MF_RR(entry, stop, target) == pytest.approx(rr, rel=1e-10)


def test_reward_to_risk_after_fees_by_hand() -> None:
    # 3520 -> 3450 stop, 3660 target, 0.05% a side: risk 70 + 0.0005 x 6970 = 73.485,
    # reward 140 - 0.0005 x 7180 = 136.41
    assert ms.reward_risk(3520, 3450, 3660, 0.001, 0.0005) == pytest.approx(136.41 / 73.485)
    # inverse: coin PnL ratio (1/E - 1/T) / (1/S - 1/E), not the price ratio
    want = (1 / 60000 - 1 / 66000) / (1 / 57000 - 1 / 60000)
    assert ms.reward_risk(60000, 57000, 66000, "bybit:BTCUSD") == pytest.approx(want)
    assert want < 2.0


# -------------------------------------------------------------------------- targets
def test_target_examples() -> None:
    # EarnForex-style take-profit at 2R: entry 100, stop 95 -> 110; 3R from 60000/57000 -> 69000
    assert ms.target_price(100, 95, 2) == 110.0
    assert ms.target_price(60000, 57000, 3, "cme:MBT") == 69000.0
    assert ms.target_price(60000, 63000, 3, "cme:MBT") == 51000.0
    # inverse, by hand from the coin PnL: 1/T = 1/60000 - 3 (1/57000 - 1/60000) -> 71250
    assert ms.target_price(60000, 57000, 3, "bybit:BTCUSD") == 71250.0
    assert U.MF_TARGET(60000, 57000, 3, "bybit:BTCUSD") == 71250.0


def _r_exact(kind: str, e: float, s: float, t: float, f: float) -> Fraction:
    E, S, T, F = exact(e), exact(s), exact(t), exact(f)
    if kind == "inverse":
        risk = abs(1 / S - 1 / E) + F * (1 / E + 1 / S)
        reward = abs(1 / E - 1 / T) - F * (1 / E + 1 / T)
    else:
        risk = abs(E - S) + F * (E + S)
        reward = abs(T - E) - F * (E + T)
    return reward / risk


@settings(max_examples=200, deadline=None)
@given(
    entry=st.decimals(min_value=1000, max_value=90000, places=1),
    dist=st.decimals(min_value="0.005", max_value="0.1", places=3),
    r=st.decimals(min_value=0, max_value=6, places=2),
    side=st.sampled_from([1, -1]),
    key=st.sampled_from(["cme:MBT", "binance:BTCUSDT", "bybit:BTCUSD", "deribit:BTC-PERPETUAL"]),
    fee=st.sampled_from([0.0, 0.0005, 0.00075]),
)
def test_target_reaches_at_least_the_asked_r_and_one_tick_less_would_not(
    entry: Any, dist: Any, r: Any, side: int, key: str, fee: float
) -> None:
    e = float(entry)
    stop = float(ms.atr_stop(e, e * float(dist), 1, side, key))
    try:
        t = ms.target_price(e, stop, float(r), key, fee)
    except MicrosizeError as exc:
        message = str(exc)
        t = None
    if t is None:
        assert "cannot be reached" in message
        return
    spec = ms.load_specs(bundled=True)[key]
    tick = spec.tick_size
    assert (exact(t) / exact(tick)).denominator == 1
    got = _r_exact(spec.kind, e, stop, t, fee)
    assert got >= exact(float(r))
    nearer = float(exact(t) - side * exact(tick))
    if (nearer - e) * side > 0:
        assert _r_exact(spec.kind, e, stop, nearer, fee) < exact(float(r))


# ---------------------------------------------------------------------- ROI targets
def test_roi_target_bybit_inverse_example() -> None:
    # Bybit, "How to use Bybit calculator" (https://help.bybit.com/hc/en-us/articles/
    # 360039260154), Example 2 (target price, fees excluded): buy long
    # 5x, qty 10,000, entry 7,000, ROI 20% -> "around 7292 USD". Exactly 7000 / 0.96.
    assert ms.roi_target(7000, 0.2, 5, "long") != ms.roi_target(
        7000, 0.2, 5, "long", "bybit:BTCUSD"
    )
    raw = ms.roi_target(7000, 0.2, 5, "long", "okx:BTC-USD-SWAP")  # inverse, tick 0.1
    assert raw == 7291.7  # 7291.666... up to the tick
    assert ms.roi_target(7000, 0.2, 5, "long", "bybit:BTCUSD") == 7292.0  # tick 0.5
    assert U.MF_ROI_TARGET(7000, 0.2, 5, "long", "bybit:BTCUSD") == 7292.0


@pytest.mark.parametrize(
    ("entry", "roi", "lev", "side", "contract", "want"),
    [
        # Binance, "How to Use the Binance Futures Calculator" (binance.com support FAQ
        # 360036498511, updated 27 Aug 2024): USDⓈ-M long target =
        # entry x (ROI / leverage + 1), short = entry x (1 - ROI / leverage)
        (60000, 0.5, 10, "long", "binance:BTCUSDT", 63000.0),
        (60000, 0.5, 10, "short", "binance:BTCUSDT", 57000.0),
        (3520, 1.0, 20, "long", None, 3696.0),
        # COIN-M: target = side x entry / (side - ROI x IMR), IMR = 1 / leverage
        (60000, 0.5, 10, "long", "binance:BTCUSD_PERP", 63157.9),  # 60000 / 0.95, tick 0.1 up
        (60000, 0.5, 10, "short", "binance:BTCUSD_PERP", 57142.8),  # 60000 / 1.05, tick down
    ],
)
def test_roi_target_binance_formulas(
    entry: float, roi: float, lev: float, side: str, contract: Any, want: float
) -> None:
    assert ms.roi_target(entry, roi, lev, side, contract) == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize("key", ["binance:BTCUSDT", "binance:BTCUSD_PERP", "cme:MBT"])
@pytest.mark.parametrize("side", [1, -1])
@pytest.mark.parametrize("fee", [0.0, 0.0005])
def test_roi_target_reaches_the_roi_on_margin(key: str, side: int, fee: float) -> None:
    """PnL after fees over initial margin, from the package's own PnL and margin, is at least
    the ROI asked, and less one tick nearer."""
    e, roi, lev = 60000.0, 0.37, 12.0
    t = ms.roi_target(e, roi, lev, side, key, fee)
    tick = ms.load_specs(bundled=True)[key].tick_size

    def roi_at(x: float) -> float:
        return float(ms.pnl(side, e, x, key, fee) / ms.margin(1, e, lev, key))

    assert roi_at(t) >= roi - 1e-12
    assert roi_at(t - side * tick) < roi


# ------------------------------------------------------------- USD budget, inverse
def test_usd_budget_deribit_hand_computation() -> None:
    # Deribit inverse PnL (BTC) = amount x (1/entry - 1/exit), amount in USD, worth that
    # many BTC x the BTC price in dollars (Deribit Insights, "Deribit Inverse Contracts -
    # Calculating Profit in BTC and USD", 2020, https://insights.deribit.com/uncategorized/
    # deribit-inverse-contracts-calculating-profit-in-btc-and-usd/).
    # $100 at a 57,000 stop is 100 / 57000 = 0.00175438596491228... BTC (rounded down).
    coin = ms.risk_to_settle(100, 57000, "deribit:BTC-PERPETUAL")
    assert coin == 0.00175438596491228
    assert exact(coin) <= Fraction(100, 57000)
    # with 0.05% a side the loss per USD of amount valued at the stop is
    # (1 - 57000/60000) + 0.0005 (57000/60000 + 1) = 0.050975 USD, so $100 buys
    # 100 / 0.050975 = 1961.7 USD of amount: 1960 in Deribit's steps of 10
    n = ms.contracts(coin, 60000, 57000, "deribit:BTC-PERPETUAL", 0.0005)
    assert n == 1960.0
    rows = dict(U.MF_SIZE(0.05, coin / 0.05, 60000, 57000, "deribit:BTC-PERPETUAL", 0.0005))
    assert rows["Risk at stop (USD)"] == pytest.approx(1960 * 0.050975, abs=1e-9)
    assert rows["Risk at stop (USD)"] <= 100


def test_usd_budget_linear_and_quanto() -> None:
    assert ms.risk_to_settle(100, 57000, "binance:BTCUSDT") == 100.0
    assert ms.risk_to_settle(100, 57000, 0.001) == 100.0
    with pytest.raises(MicrosizeError, match="quanto"):
        ms.risk_to_settle(100, 3000, "bitmex:ETHUSD")


#: USD budgets on inverse contracts: the trades both USD-budget properties draw.
usd_trades = given(
    usd=st.decimals(min_value=1, max_value=100000, places=2),
    entry=st.decimals(min_value=1000, max_value=200000, places=1),
    dist=st.decimals(min_value="0.001", max_value="0.5", places=3),
    side=st.sampled_from([1, -1]),
    key=st.sampled_from(
        ["deribit:BTC-PERPETUAL", "bybit:BTCUSD", "bitmex:XBTUSD", "binance:BTCUSD_PERP"]
    ),
    fee=st.sampled_from([None, 0.0005, 0.001]),
)


def _usd_loss_per_contract(key: str, e: float, stop: float, fee: Any) -> Fraction:
    """USD value, at the stop, of one contract's coin loss with both fees, by hand from the
    inverse PnL formula (Deribit Insights): k (|1/S - 1/E| + f (1/E + 1/S)) x S."""
    spec = ms.load_specs(bundled=True)[key]
    E, S, F = exact(e), exact(stop), exact(fee or 0.0)
    return exact(spec.contract_size) * (abs(1 / S - 1 / E) + F * (1 / E + 1 / S)) * S


@settings(max_examples=300, deadline=None)
@usd_trades
def test_usd_loss_at_the_stop_never_exceeds_the_usd_budget(
    usd: Any, entry: Any, dist: Any, side: int, key: str, fee: Any
) -> None:
    e = float(entry)
    stop = float(e * (1 - side * float(dist)))
    coin = ms.risk_to_settle(float(usd), stop, key)
    n = ms.contracts(coin, e, stop, key, fee)
    assert exact(n) * _usd_loss_per_contract(key, e, stop, fee) <= exact(float(usd))


def test_contracts_usd_is_exact_at_a_lot_boundary() -> None:
    # $100 from 60,000 to 57,000 on Deribit: amount x (1/57000 - 1/60000) x 57000 =
    # amount x 0.05 USD, so $100 buys exactly 2,000 USD of amount, whose loss is $100.00
    assert ms.contracts_usd(100, 60000, 57000, "deribit:BTC-PERPETUAL") == 2000.0
    assert U.MF_CONTRACTS_USD(100, 60000, 57000, "deribit:BTC-PERPETUAL") == 2000.0
    # the two-step route rounds the coin budget down first: one lot step short, never over
    coin = ms.risk_to_settle(100, 57000, "deribit:BTC-PERPETUAL")
    assert ms.contracts(coin, 60000, 57000, "deribit:BTC-PERPETUAL") == 1990.0
    # linear USD(T)-settled contracts: the USD budget is the budget
    assert ms.contracts_usd(30, 3520, 3450, "binance:ETHUSDT") == 0.428


@settings(max_examples=300, deadline=None)
@usd_trades
def test_contracts_usd_within_budget_and_one_more_lot_would_not_be(
    usd: Any, entry: Any, dist: Any, side: int, key: str, fee: Any
) -> None:
    e = float(entry)
    stop = float(e * (1 - side * float(dist)))
    n = ms.contracts_usd(float(usd), e, stop, key, fee)
    unit_usd = _usd_loss_per_contract(key, e, stop, fee)
    assert exact(n) * unit_usd <= exact(float(usd))
    spec = ms.load_specs(bundled=True)[key]
    more = exact(n) + exact(spec.lot_step)
    if n > 0 or more >= exact(spec.min_qty):
        assert more * unit_usd > exact(float(usd))
    assert n >= ms.contracts(ms.risk_to_settle(float(usd), stop, key), e, stop, key, fee)
