"""Margin, maintenance margin, liquidation, maximum leverage and funding.

Each case names its source. "derived" marks a value computed by hand from a source's
inputs and its published formula where the source shows no final figure (or shows it
only in an image); the hand computation is written out in the test.
"""

from __future__ import annotations

import csv
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import microsize as ms
from microsize import MicrosizeError
from microsize._liq_check import liquidation_check
from microsize._margin import (
    DEFAULT_MAX_LEVERAGE,
    funding,
    liq_price,
    maintenance_margin,
    margin,
    margin_tier,
    max_contracts_for_margin,
    max_leverage,
)

from .badinput import BAD_VALUES, NO_TYPED_DEFAULT, Matrix
from .strategies import typed_decimal

# Binance BTCUSDT and ETHUSDT brackets of 2021 (notional floor, cap, mmr, cum), the tables
# the Binance FAQ's liquidation example was computed with. Source: highfestiva's gist
# b71e76f51eed84d56c1be8ebbcc286b5 (2021-03-26, read from Binance's front-end constants
# bracketNotionalFloor / bracketMaintenanceMarginRate / cumFastMaintenanceAmount).
BTC_2021 = [
    (0, 50_000, 0.004, 0),
    (50_000, 250_000, 0.005, 50),
    (250_000, 1_000_000, 0.01, 1_300),
    (1_000_000, 10_000_000, 0.025, 16_300),
    (10_000_000, 20_000_000, 0.05, 266_300),
    (20_000_000, 50_000_000, 0.10, 1_266_300),
    (50_000_000, 100_000_000, 0.125, 2_516_300),
    (100_000_000, 200_000_000, 0.15, 5_016_300),
    (200_000_000, 300_000_000, 0.25, 25_016_300),
    (300_000_000, 500_000_000, 0.50, 100_016_300),
]
ETH_2021 = [
    (0, 10_000, 0.005, 0),
    (10_000, 100_000, 0.0065, 15),
    (100_000, 500_000, 0.01, 365),
    (500_000, 1_000_000, 0.02, 5_365),
    (1_000_000, 2_000_000, 0.05, 35_365),
    (2_000_000, 5_000_000, 0.10, 135_365),
    (5_000_000, 10_000_000, 0.125, 260_365),
    (10_000_000, 20_000_000, 0.15, 510_365),
    (20_000_000, 5_000_000_000, 0.25, 2_510_365),
]


def tier_table(rows: list[tuple[float, float, float, float]], amounts: bool = True) -> list[Any]:
    """A tiers range as a workbook would hold it: header row, then brackets."""
    if amounts:
        return [["floor", "cap", "mmr", "maint_amount"], *[list(r) for r in rows]]
    return [["floor", "cap", "mmr"], *[list(r[:3]) for r in rows]]


# ==================================================================== Binance USDⓈ-M
@pytest.mark.parametrize(
    ("wallet", "cum", "qty", "entry", "mmr", "expected"),
    [
        # freqtrade tests/exchange/test_binance.py test_liquidation_price_binance, isolated
        # cases on the inputs of Binance's FAQ example (expected rounded to the cent there)
        (1535443.01, 135365.00, 3683.979, 1456.84, 0.10, 1114.78),
        (1535443.01, 16300.000, 109.488, 32481.980, 0.025, 18778.73),
    ],
)
def test_binance_usdm_isolated_freqtrade_cases(
    wallet: float, cum: float, qty: float, entry: float, mmr: float, expected: float
) -> None:
    got = liq_price(entry, qty, 5, "binance:ETHUSDT", wallet, mmr, cum)
    assert round(got, 2) == expected


def test_binance_usdm_faq_cross_example() -> None:
    """Binance FAQ b3c689c1f50a44cabb3a84e663b81d93 worked example (cross margin, one-way):
    WB 1,535,443.01; ETHUSDT long 3,683.979 at 1,456.84 (mmr 10%, cum 135,365) with
    TMM1 = 71,200.81144 and UPNL1 = -56,354.57 liquidates at 1,153.26; BTCUSDT long 109.488
    at 32,481.98 (mmr 2.5%, cum 16,300) with TMM1 = 356,512.508 and UPNL1 = -448,192.89 at
    26,316.89 (the cases freqtrade's test_liquidation_price_binance checks). The isolated
    formula is the cross one with TMM = UPNL = 0, so WB - TMM1 + UPNL1 reproduces it."""
    eth = liq_price(
        1456.84, 3683.979, 5, "binance:ETHUSDT", 1535443.01 - 71200.81144 - 56354.57, 0.10, 135365
    )
    btc = liq_price(
        32481.98, 109.488, 5, "binance:BTCUSDT", 1535443.01 - 356512.508 - 448192.89, 0.025, 16300
    )
    assert round(eth, 2) == 1153.26
    assert round(btc, 2) == 26316.89
    # the same with the brackets looked up, not typed: the bracket at the liquidation price
    # is the one the FAQ used (ETH 2M-5M at 10%, BTC 1M-10M at 2.5%)
    eth_t = liq_price(
        1456.84,
        3683.979,
        5,
        "binance:ETHUSDT",
        1535443.01 - 71200.81144 - 56354.57,
        tiers=tier_table(ETH_2021),
    )
    btc_t = liq_price(
        32481.98,
        109.488,
        5,
        "binance:BTCUSDT",
        1535443.01 - 356512.508 - 448192.89,
        tiers=tier_table(BTC_2021),
    )
    assert eth_t == eth
    assert btc_t == btc


def test_binance_maintenance_amount_examples() -> None:
    """Binance FAQ b3c689c1...: "if the position of BTC/USDT is 264,000 USDT, the
    maintenance margin rate would be 1%"; "if the position is 500,000 USDT, the maintenance
    amount would be 1,300 USDT ... = 250,000 x (1% - 0.5%) + 50 USDT = 1,300 USDT". The
    chain amount(n) = amount(n-1) + floor(n) (mmr(n) - mmr(n-1)) rebuilds every cum of the
    2021 tables from their floors and rates alone."""
    for rows in (BTC_2021, ETH_2021):
        derived = tier_table(rows, amounts=False)
        for floor, _cap, _mmr, cum in rows:
            assert margin_tier(
                floor, "binance:BTCUSDT", tiers=derived
            ).maint_amount == pytest.approx(cum, abs=1e-6)
    t = margin_tier(264_000, "binance:BTCUSDT", tiers=tier_table(BTC_2021, amounts=False))
    assert t.mmr == 0.01
    t = margin_tier(500_000, "binance:BTCUSDT", tiers=tier_table(BTC_2021, amounts=False))
    assert t.maint_amount == 1300


def test_binance_faq_maintenance_margin_values() -> None:
    """Binance FAQ example: "Maintenance Margin of BTCUSDT = 71200.81144 (3500032.458 x
    2.50% - 16300)" and "Maintenance Margin of ETHUSDT = 356,512.508 (4918775.081 x 10.00%
    - 135365)"; the positions are 109.488 BTC and 3,683.979 ETH at marks 31,967.27 and
    1,335.18 (the FAQ truncates; freqtrade passes the same numbers)."""
    btc = maintenance_margin(109.488, 31967.27, "binance:BTCUSDT", tiers=tier_table(BTC_2021))
    eth = maintenance_margin(3683.979, 1335.18, "binance:ETHUSDT", tiers=tier_table(ETH_2021))
    assert btc == pytest.approx(71200.81144, abs=1e-5)
    assert eth == pytest.approx(356512.508, abs=1e-3)


def test_bundled_binance_bracket_amounts_follow_the_chain() -> None:
    """The bundled snapshot (freqtrade@c9ae5e1 binance_leverage_tiers.json) lists cum values;
    they must equal the chain from its floors and rates, or brackets would jump."""
    for key in ("binance:BTCUSDT", "binance:ETHUSDT", "binance:SOLUSDT"):
        tiers = [t for t in ms.load_margin_tiers() if t.key.lower() == key.lower()]
        assert tiers
        amount = 0.0
        for prev, t in zip([None, *tiers[:-1]], tiers, strict=True):
            if prev is not None:
                amount += t.floor * (t.mmr - prev.mmr)
            assert t.maint_amount == pytest.approx(amount, abs=1e-6), (key, t.tier)


def test_bracket_recomputed_at_the_liquidation_price() -> None:
    """Derived (Binance FAQ: "if your position calculated at the liquidation price and the
    current position are of different levels, substitute the rate and amount of the level
    at the liquidation price"). 1 BTC at 55,000 with 10x: 55,000 USDT sits in bracket 2
    (0.5%, cum 50), which would give (55,000 - 5,500 - 50) / 0.995 = 49,698.49, whose notional
    is below 50,000: bracket 1 (0.4%, cum 0) applies: (55,000 - 5,500) / 0.996 = 49,698.80."""
    got = liq_price(55000, 1, 10, "binance:BTCUSDT")
    assert got == pytest.approx((55000 - 5500) / 0.996, rel=1e-12)
    entry_bracket = liq_price(55000, 1, 10, "binance:BTCUSDT", mmr=0.005, maint_amount=50)
    assert entry_bracket == pytest.approx((55000 - 5500 - 50) / 0.995, rel=1e-12)
    assert got > entry_bracket  # the recomputed price is the nearer one
    assert margin_tier(got * 1, "binance:BTCUSDT").tier == 1
    assert margin_tier(55000, "binance:BTCUSDT").tier == 2


# ======================================================================== Bybit
@pytest.mark.parametrize(
    ("entry", "contracts", "lev", "expected", "source"),
    [
        # Bybit help "Liquidation Price (USDT Contract)", Example 1: long 1 BTC at 20,000
        # with 50x, MMR 0.5%: IM 400, MM 100, "LP = 20,000 - (400 - 100) = 19,700 USDT"
        (20000, 1, 50, 19700.0, "Bybit help Liquidation-Price-USDT-Contract, example 1"),
        # Bybit help 900000181046 (older): long 1 BTC at 10,000, 50x:
        # "10,000 USDT * (1 - 2% + 0.5%) = 9,850 USDT"
        (10000, 1, 50, 9850.0, "Bybit help 900000181046, long"),
        # same page, short 1 BTC at 8,000 with 40x: "8,000 USDT * (1 + 2.5% - 0.5%) = 8160 USDT"
        (8000, -1, 40, 8160.0, "Bybit help 900000181046, short"),
    ],
)
def test_bybit_linear_examples(
    entry: float, contracts: float, lev: float, expected: float, source: str
) -> None:
    assert liq_price(entry, contracts, lev, "bybit:BTCUSDT", mmr=0.005) == expected, source


def test_bybit_linear_margins() -> None:
    """Bybit "Liquidation Price (USDT Contract)" example 1: "Initial Margin = 1 x 20,000
    USDT / 50 = 400 USDT", "Maintenance Margin = 1 x 20,000 x 0.5% - 0 = 100 USDT"."""
    assert margin(1, 20000, 50, "bybit:BTCUSDT") == 400.0
    assert maintenance_margin(1, 20000, "bybit:BTCUSDT", mmr=0.005) == 100.0


def test_bybit_inverse_uta_example() -> None:
    """Bybit help "Liquidation Price Calculation under Isolated Mode (Unified Trading
    Account)", inverse example: long 60,000 USD of BTCUSD at 50,000 with 10x, MMR 0.5%:
    "Position Value = 60,000 / 50,000 = 1.2 BTC", "Initial Margin = 1.2 / 10 = 0.12 BTC",
    maintenance 1.2 x 0.5% = 0.006 BTC. The stored copy cuts off the final figure:
    derived, 2024 text  LP = Q / [PV + (IM - MM)] = 60,000 / 1.314 = 45,662.10;
    2026 text (the default)  LP = Q (MMR + 1) / (Q/E + Q/E/L) = 60,300 / 1.32 = 45,681.82."""
    assert ms.notional(60000, 50000, "bybit:BTCUSD") == 1.2
    assert margin(60000, 50000, 10, "bybit:BTCUSD") == 0.12
    assert maintenance_margin(60000, 50000, "bybit:BTCUSD", mmr=0.005) == 0.006
    old = liq_price(50000, 60000, 10, "bybit:BTCUSD", mmr=0.005, mm_basis="entry")
    assert old == pytest.approx(60000 / (1.2 + 0.12 - 0.006), rel=1e-12)
    assert round(old, 2) == 45662.10
    new = liq_price(50000, 60000, 10, "bybit:BTCUSD", mmr=0.005)
    assert new == pytest.approx(60000 * 1.005 / 1.32, rel=1e-12)
    assert round(new, 2) == 45681.82


@pytest.mark.parametrize(
    ("contracts", "expected"),
    [
        # Bybit help 360039261334 "How to calculate Liquidation Price (Inverse Contract)":
        # Trader A buys long at 8,000 USD with 50x; Trader B sells short at 8,000 with 50x;
        # MMR 0.5%. The page's formula (an image) is E L / (L + 1 - MMR L) for a long and
        # E L / (L - 1 + MMR L) for a short (as the public bybit backtester doctest quoting
        # that page computes): derived 400,000 / 50.75 and 400,000 / 49.25.
        (10000, 7881.77),
        (-10000, 8121.83),
    ],
)
def test_bybit_inverse_help_examples(contracts: float, expected: float) -> None:
    got = liq_price(8000, contracts, 50, "bybit:BTCUSD", mmr=0.005, mm_basis="entry")
    assert round(got, 2) == expected


def test_bybit_inverse_initial_margin_example() -> None:
    """Bybit help "Initial Margin (Inverse Contract)": "A trader buys 12,000 BTCUSD contracts
    at 8,000 USD with 50x leverage = 12,000/(8,000x50) = 0.03 BTC"; the same 0.03 BTC at 50x
    buys back exactly 12,000 contracts."""
    assert margin(12000, 8000, 50, "bybit:BTCUSD") == 0.03
    assert max_contracts_for_margin(0.03, 8000, 50, "bybit:BTCUSD") == 12000.0


# ==================================================================== inverse, other
def test_coinm_formula_sign_conventions() -> None:
    """Derived, Binance COIN-M FAQ ceccfcfb...: LP = Q (MMR + s) / (WB + cum + s Q / E).
    Long 100 BTCUSD_PERP (10,000 USD) at 50,000 with 10x: WB = 0.02 BTC, LP = 10,050 / 0.22
    = 45,681.82. At LP the isolated balance plus PnL equals the maintenance margin, for
    either side and with a maintenance amount."""
    assert liq_price(50000, 100, 10, "binance:BTCUSD_PERP", mmr=0.005) == pytest.approx(
        10050 / 0.22
    )
    for c, cum in ((100, 0.0), (-100, 0.0), (300, 0.0001), (-300, 0.0001)):
        q, e, lev, mmr = abs(c) * 100, 50000.0, 10, 0.005
        lp = liq_price(e, c, lev, "binance:BTCUSD_PERP", mmr=mmr, maint_amount=cum)
        s = 1 if c > 0 else -1
        equity = q / e / lev + s * q * (1 / e - 1 / lp)
        assert equity == pytest.approx(q / lp * mmr - cum, abs=1e-12)
        assert (lp < e) if s > 0 else (lp > e)


def test_inverse_short_at_1x_cannot_be_liquidated() -> None:
    """Derived: an inverse short margined with its full face value loses at most Q/E, which
    is its balance, while its maintenance margin shrinks: no liquidation price (inf)."""
    assert liq_price(50000, -100, 1, "binance:BTCUSD_PERP", mmr=0.005) == math.inf
    assert max_leverage(50000, 90000, "binance:BTCUSD_PERP", 0.005) >= 1


def test_hyperliquid_formula() -> None:
    """Derived, Hyperliquid docs "Liquidations": liq_price = price - side x margin_available
    / position_size / (1 - l x side), l = 1 / (2 x max leverage), margin_available = isolated
    margin - maintenance margin. Long 0.1 BTC at 60,000 with 40x (l = 1.25%): margin 150,
    maintenance 75, LP = 60,000 - 75 / 0.1 / 0.9875 = 59,240.51."""
    got = liq_price(60000, 0.1, 40, "hyperliquid:BTC")
    assert got == pytest.approx(60000 - 75 / 0.1 / 0.9875, rel=1e-12)
    short = liq_price(60000, -0.1, 40, "hyperliquid:BTC")
    assert short == pytest.approx(60000 + 75 / 0.1 / 1.0125, rel=1e-12)


def test_kraken_amounts_derived_by_the_chain() -> None:
    """Derived: Kraken's marginLevels (ccxt static krakenfutures.json, bundled) give no
    maintenance amount. PF_XBTUSD: 500,000 x (2% - 1%) = 5,000 at tier 2; 600,000 USD of
    notional then needs 600,000 x 2% - 5,000 = 7,000 USD. PI_XBTUSD counts its brackets in
    contracts (USD face): 600,000 contracts at 60,000 need (600,000 x 2% - 5,000) / 60,000 BTC."""
    t = margin_tier(600_000, "kraken:PF_XBTUSD")
    assert (t.tier, t.mmr, t.maint_amount) == (2, 0.02, 5000.0)
    assert margin_tier(2_000_000, "kraken:PF_XBTUSD").maint_amount == 5000 + 2_000_000 * 0.03
    assert maintenance_margin(6, 100000, "kraken:PF_XBTUSD") == 7000.0
    got = maintenance_margin(600_000, 60000, "kraken:PI_XBTUSD")
    assert got == pytest.approx(7000 / 60000, rel=1e-11)
    # the PI_ bracket does not move with price: one formula, effective rate 2% - 5,000/600,000
    lp = liq_price(60000, 600_000, 20, "kraken:PI_XBTUSD")
    eff = 0.02 - 5000 / 600_000
    assert lp == pytest.approx(600_000 * (eff + 1) / (10 / 20 + 10), rel=1e-11)


def test_spec_mmr_fallback_and_no_data() -> None:
    """BitMEX XBTUSD has no tier table but a maintMargin of 0.5% in its spec (amount 0);
    CME and Binance COIN-M rows have neither: the caller must pass mmr."""
    t = margin_tier(1, "bitmex:XBTUSD")
    assert (t.mmr, t.maint_amount) == (0.005, 0.0)
    assert maintenance_margin(60000, 60000, "bitmex:XBTUSD") == 0.005
    for fn, args in (
        (liq_price, (60000, 1, 2, "cme:MBT")),
        (maintenance_margin, (1, 60000, "binance:BTCUSD_PERP")),
        (max_leverage, (60000, 57000, 0.001)),
    ):
        with pytest.raises(MicrosizeError, match=r"has no maintenance-margin data.*pass mmr"):
            fn(*args)
    assert liq_price(60000, 1, 2, "cme:MBT", mmr=0.05) == pytest.approx(60000 * 0.5 / 0.95)


# ======================================================================= funding
def test_bitmex_funding_example() -> None:
    """BitMEX "Perpetual Contracts Guide" examples: long 15,000 XBTUSD at 750 ("XBT Entry
    Value = 15,000 x 1 USD x 1/750 = 20 XBT"), funding rate 0.25%: "Funding Amount = Mark
    Value x Funding Rate = 20 XBT x 0.25% = 0.05 XBT ... the trader pays and his
    counterparty who is short receives 0.05 XBT"."""
    assert ms.notional(15000, 750, "bitmex:XBTUSD") == 20.0
    assert funding(15000, 750, 0.0025, 1, "bitmex:XBTUSD") == 0.05
    assert funding(-15000, 750, 0.0025, 1, "bitmex:XBTUSD") == -0.05


def test_kraken_inverse_funding_example() -> None:
    """Kraken support 360022835911 (inverse perpetual), funding example 1: short 100,000
    contracts, 0.01785% for the hour at 7,000: "you will earn interest of $17.85 ...
    $17.85/$7,000 = 0.00255 BTC" (received: negative)."""
    assert funding(-100000, 7000, 0.0001785, 1, "kraken:PI_XBTUSD") == -0.00255


def test_funding_signs_and_periods() -> None:
    """Derived: 1 BTCUSDT long at 60,000, 0.01% per 8h, 3 intervals = 60,000 x 0.0001 x 3
    = 18 USDT paid; negative rate: received; short mirrored; zero intervals: nothing."""
    assert funding(1, 60000, 0.0001, 3, "binance:BTCUSDT") == 18.0
    assert funding(1, 60000, -0.0001, 3, "binance:BTCUSDT") == -18.0
    assert funding(-1, 60000, -0.0001, 3, "binance:BTCUSDT") == 18.0
    assert funding(1, 60000, 0.0001, 0, "binance:BTCUSDT") == 0.0
    out = funding([[1], [-2]], 60000, 0.0001, 1, "binance:BTCUSDT")
    assert out.shape == (2, 1)
    assert out.tolist() == [[6.0], [-12.0]]


# =================================================================== seed scenario
def test_seed_20x_with_a_5pct_stop_is_flagged() -> None:
    """Issue 5 seed: 20x and a stop 5% away. BTCUSDT long at 60,000, stop 57,000; $30 of
    risk buys 0.01 BTC (600 USDT, bracket 1: 0.4%). Derived: at 20x Binance liquidates at
    60,000 x 0.95 / 0.996 = 57,228.92, before the stop. The most leverage that keeps
    liquidation below 57,000 solves 60,000 (1 - 1/L) / 0.996 < 57,000: L < 18.59, so 18."""
    n = ms.contracts(30, 60000, 57000, "binance:BTCUSDT")
    assert n == 0.01
    lp = liq_price(60000, n, 20, "binance:BTCUSDT")
    assert round(lp, 2) == 57228.92
    assert lp > 57000
    chk = liquidation_check(60000, 57000, n, 20, "binance:BTCUSDT", 2000)
    assert chk.liq_price == lp
    assert chk.margin == 30.0
    assert chk.max_leverage == 18.0
    assert chk.warnings == [  # prices to BTCUSDT's tick of 0.1, as MF_LIQ_CHECK says them
        "liquidation at 57,228.9 comes before the stop at 57,000.0; "
        "at most 18x keeps it beyond the stop"
    ]
    assert max_leverage(60000, 57000, "binance:BTCUSDT") == 18.0
    assert (
        liq_price(60000, n, 18, "binance:BTCUSDT")
        < 57000
        < liq_price(60000, n, 19, "binance:BTCUSDT")
    )
    ok = liquidation_check(60000, 57000, n, 18, "binance:BTCUSDT", 2000)
    assert ok.warnings == []


def test_seed_short_mirror() -> None:
    """Derived: short at 60,000 with the stop 5% above (63,000) at 20x: LP = 60,000 x 1.05 /
    1.004 = 62,749.00 < 63,000, flagged; 60,000 (1 + 1/L) / 1.004 > 63,000 needs L < 18.45."""
    lp = liq_price(60000, -0.01, 20, "binance:BTCUSDT")
    assert lp == pytest.approx(60000 * 1.05 / 1.004, rel=1e-12)
    chk = liquidation_check(60000, 63000, -0.01, 20, "binance:BTCUSDT", 2000)
    assert chk.warnings[0].startswith("liquidation at 62,749.0 comes before the stop at 63,000.0")
    assert max_leverage(60000, 63000, "binance:BTCUSDT") == 18.0


def test_max_leverage_zero_when_even_1x_fails() -> None:
    """Derived: an inverse long at 1x liquidates at E (1 + mmr) / 2 (half the entry, plus):
    a stop at 40% of entry is never reached first, whatever the leverage: 0. A linear short
    at 1x liquidates at about twice entry: a stop at 2.5x entry gives 0 as well."""
    assert liq_price(50000, 100, 1, "binance:BTCUSD_PERP", mmr=0.005) == pytest.approx(
        50000 * 1.005 / 2
    )
    assert max_leverage(50000, 20000, "binance:BTCUSD_PERP", 0.005) == 0.0
    assert max_leverage(100, 250, "binance:ETHUSDT") == 0.0
    chk = liquidation_check(50000, 20000, 100, 2, "binance:BTCUSD_PERP", 1, mmr=0.005)
    assert "no leverage keeps it beyond the stop" in chk.warnings[0]


def test_max_leverage_caps() -> None:
    """A near stop allows the contract's maximum (Kraken PF_: 50x; a number: 125, documented);
    with a size, the bracket's maximum applies (10 BTC at 60,000 = 600,000 USDT, the cap of
    bracket 2: 100x; 10.001 BTC is in bracket 3: 75x)."""
    assert max_leverage(60000, 59990, "kraken:PF_XBTUSD") == 50.0
    assert max_leverage(60000, 59990, 0.001, 0.004) == DEFAULT_MAX_LEVERAGE
    assert max_leverage(60000, 59990, "binance:BTCUSDT") == 125.0
    assert max_leverage(60000, 59990, "binance:BTCUSDT", contracts=10) == 100.0
    assert max_leverage(60000, 59990, "binance:BTCUSDT", contracts=10.001) == 75.0
    # a long whose stop is far below entry needs its liquidation further still: 1x (none)
    assert max_leverage(60000, 1000, "kraken:PF_XBTUSD") == 1.0


# ===================================================================== margin sizes
def test_max_contracts_for_margin() -> None:
    """Derived: 30 USDT at 20x buys exactly 600 USDT = 0.01 BTC at 60,000 (exact floor: the
    float quotient is not trusted); the lot step and the minimum apply; at 100x Binance
    (bundled brackets) allows at most a 600,000 USDT position: 10 BTC, whatever the margin."""
    assert max_contracts_for_margin(30, 60000, 20, "binance:BTCUSDT") == 0.01
    assert max_contracts_for_margin(29.99, 60000, 20, "binance:BTCUSDT") == 0.009
    assert max_contracts_for_margin(2, 60000, 20, "binance:BTCUSDT") == 0.0  # below 0.001
    assert max_contracts_for_margin(1_000_000, 60000, 100, "binance:BTCUSDT") == 10.0
    assert max_contracts_for_margin(1_000_000, 60000, 125, "binance:BTCUSDT") == 0.833
    assert max_contracts_for_margin(500, 50000, 10, "cme:MBT") == 1.0  # 5,000 USD per MBT / 10
    out = max_contracts_for_margin([[30], [60]], 60000, 20, "binance:BTCUSDT")
    assert out.tolist() == [[0.01], [0.02]]


# ========================================================================= shapes
def test_ranges_broadcast_and_mixed_contracts() -> None:
    got = liq_price(
        [[60000], [3000]], [[0.01], [-1]], 20, [["binance:BTCUSDT"], ["binance:ETHUSDT"]]
    )
    assert got.shape == (2, 1)
    assert got[0, 0] == liq_price(60000, 0.01, 20, "binance:BTCUSDT")
    assert got[1, 0] == liq_price(3000, -1, 20, "binance:ETHUSDT")
    lev = max_leverage(60000, [57000, 63000, 50000], "binance:BTCUSDT")
    assert lev.tolist() == [18.0, 18.0, max_leverage(60000, 50000, "binance:BTCUSDT")]
    assert margin([1, 2], 60000, 10, "binance:BTCUSDT").tolist() == [6000.0, 12000.0]
    mm = maintenance_margin([[1, 10]], 60000, "binance:BTCUSDT")
    assert mm.tolist() == [[250.0, 600000 * 0.0065 - 950]]


def test_inputs_not_mutated() -> None:
    entry = np.array([60000.0, 3000.0])
    qty = [0.01, -1.0]
    keys = ["binance:BTCUSDT", "binance:ETHUSDT"]
    liq_price(entry, qty, 20, keys)
    assert entry.tolist() == [60000.0, 3000.0]
    assert qty == [0.01, -1.0]
    assert keys == ["binance:BTCUSDT", "binance:ETHUSDT"]


# ======================================================================== MF_SIZE help
def test_liquidation_check_warnings() -> None:
    # margin above the account and leverage above the maximum: warnings, not errors
    chk = liquidation_check(3000, 2990, 10, 1, "binance:ETHUSDT", 1000)
    assert "margin 30,000 exceeds the account 1,000" in chk.warnings
    chk = liquidation_check(3000, 2990, 0.1, 150, "binance:ETHUSDT", 1000)
    assert "leverage 150 is above the contract's maximum 125" in chk.warnings
    assert chk.liq_price is not None
    # no maintenance data: the price is unknown and said so
    chk = liquidation_check(60000, 57000, 1, 2, "cme:MBT", 10000)
    assert chk.liq_price is None
    assert chk.warnings == [
        "liquidation price unknown: cme:MBT has no maintenance-margin data (pass mmr)"
    ]
    # no position, nothing to liquidate
    chk = liquidation_check(60000, 57000, 0, 20, "binance:BTCUSDT", 1000)
    assert chk.liq_price is None
    assert chk.warnings == []
    # a wallet below the maintenance margin is liquidated at once
    chk = liquidation_check(60000, 57000, 1, 10, "binance:BTCUSDT", 10000, wallet_balance=100)
    assert chk.warnings[0].startswith("the position would be liquidated at once")
    # contracts are signed; a stop on the wrong side of the position is refused both ways
    assert liquidation_check(60000, 63000, -0.01, 20, "binance:BTCUSDT", 1000).liq_price == (
        liq_price(60000, -0.01, 20, "binance:BTCUSDT")
    )
    with pytest.raises(MicrosizeError, match="contracts is a short"):
        liquidation_check(60000, 57000, -0.01, 20, "binance:BTCUSDT", 1000)
    with pytest.raises(
        MicrosizeError,
        match=r"contracts is a long \(0.01\) but the stop 90000 is above entry 60000 \(a short\)",
    ):
        liquidation_check(60000, 90000, 0.01, 20, "binance:BTCUSDT", 1000)


def test_liquidation_check_beyond_entry_is_at_once() -> None:
    """500x on Binance BTCUSDT (maximum 125x): the initial margin, 0.2% of notional, is
    below the 0.4% maintenance rate of the first bracket, so Binance's formula puts the
    long's liquidation above its entry. That is liquidation at once, flagged as such."""
    chk = liquidation_check(60000, 57000, 0.01, 500, "binance:BTCUSDT", 1000)
    assert chk.at_once
    assert chk.liq_price is not None
    assert chk.liq_price > 60000
    assert any(w.startswith("the position would be liquidated at once") for w in chk.warnings)
    assert "leverage 500 is above the contract's maximum 125" in chk.warnings
    assert not liquidation_check(60000, 57000, 0.01, 20, "binance:BTCUSDT", 1000).at_once


# ===================================================================== properties
KEYED = [
    ("binance:BTCUSDT", None),
    ("binance:ETHUSDT", None),
    ("binance:SOLUSDT", None),
    ("kraken:PF_XBTUSD", None),
    ("kraken:PF_ETHUSD", None),
    ("kraken:PI_XBTUSD", None),
    ("bitmex:XBTUSD", None),
    ("bitmex:ETHUSD", 0.01),
    ("hyperliquid:BTC", None),
    ("hyperliquid:ETH", None),
    ("bybit:BTCUSDT", 0.005),
    ("bybit:BTCUSD", 0.005),
    ("binance:BTCUSD_PERP", 0.004),
    ("deribit:BTC-PERPETUAL", 0.005),
    ("okx:BTC-USDT-SWAP", 0.004),
    (0.001, 0.004),
]


def _decimals(lo: str, hi: str, places: int) -> st.SearchStrategy[float]:
    return st.decimals(
        min_value=Decimal(lo),
        max_value=Decimal(hi),
        places=places,
        allow_nan=False,
        allow_infinity=False,
    ).map(float)


@st.composite
def positions(draw: st.DrawFn) -> tuple[Any, float | None, float, float, float]:
    """(contract, mmr, entry, signed contracts, highest allowed leverage)."""
    key, mmr = draw(st.sampled_from(KEYED))
    spec = ms.ContractSpec.numeric(key) if isinstance(key, float) else ms.load_specs()[key]
    entry = draw(_decimals("1", "150000", 2))
    lots = draw(st.integers(min_value=1, max_value=20_000))
    qty = float(Decimal(repr(spec.lot_step)) * lots)
    side = draw(st.sampled_from([1.0, -1.0]))
    top = float(spec.max_leverage or DEFAULT_MAX_LEVERAGE)
    if mmr is None:
        # the bracket whose maximum leverage applies: the first whose cap holds the size
        size = qty if key == "kraken:PI_XBTUSD" else ms.notional(qty, entry, key)
        brackets = [t for t in ms.load_margin_tiers() if t.key.lower() == str(key).lower()]
        for t in brackets:
            if t.cap is None or t.cap >= size or t is brackets[-1]:
                top = min(top, t.max_leverage or top)
                break
    return key, mmr, entry, side * qty, math.floor(top + 1e-9)


@settings(max_examples=300, deadline=None)
@given(positions(), st.data())
def test_liq_price_on_the_loss_side_and_moves_away_as_leverage_falls(
    pos: tuple[Any, float | None, float, float, float], data: st.DataObject
) -> None:
    key, mmr, entry, qty, top = pos
    assume(top >= 1)
    l1 = data.draw(st.integers(min_value=1, max_value=int(top)))
    l2 = data.draw(st.integers(min_value=l1, max_value=int(top)))
    p1 = liq_price(entry, qty, l1, key, mmr=mmr)
    p2 = liq_price(entry, qty, l2, key, mmr=mmr)
    if qty > 0:
        assert p1 < entry
        assert p2 < entry
        assert p1 <= p2  # lower leverage: further below entry
        if l1 < l2 and p1 > 0:
            assert p1 < p2
    else:
        assert p1 > entry
        assert p2 > entry
        assert p1 >= p2
        if l1 < l2 and math.isfinite(p1):
            assert p1 > p2


@settings(max_examples=300, deadline=None)
@given(positions(), st.data())
def test_equity_equals_maintenance_at_the_liquidation_price(
    pos: tuple[Any, float | None, float, float, float], data: st.DataObject
) -> None:
    """The definition, checked with the other functions as an oracle: at the liquidation
    price the isolated balance plus the PnL equals the maintenance margin there (valued
    at the liquidation price; at entry for Bybit linear contracts), with the bracket that
    holds the position at that price."""
    key, mmr, entry, qty, top = pos
    assume(top >= 1)
    lev = data.draw(st.integers(min_value=1, max_value=int(top)))
    lp = liq_price(entry, qty, lev, key, mmr=mmr)
    assume(0 < lp < math.inf)
    wallet = margin(qty, entry, lev, key)
    equity = wallet + ms.pnl(qty, entry, lp, key)
    at = entry if key == "bybit:BTCUSDT" else lp
    mm = maintenance_margin(qty, at, key, mmr=mmr)
    scale = ms.notional(qty, entry, key) + ms.notional(qty, lp, key)
    assert equity == pytest.approx(mm, abs=1e-9 * scale)


@settings(max_examples=300, deadline=None)
@given(positions(), _decimals("0.001", "0.7", 3))
def test_max_leverage_is_the_last_one_beyond_the_stop(
    pos: tuple[Any, float | None, float, float, float], dist: float
) -> None:
    key, mmr, entry, qty, top = pos
    long = qty > 0
    stop = float(
        Decimal(repr(entry)) * (1 - Decimal(repr(dist)) if long else 1 + Decimal(repr(dist)))
    )
    stop = round(stop, 2)
    assume(stop > 0 and stop != entry)
    n = max_leverage(entry, stop, key, mmr, contracts=qty)
    assert n == int(n)
    assert 0 <= n <= max(top, 1)

    def beyond(lev: float) -> bool:
        lp = liq_price(entry, qty, lev, key, mmr=mmr)
        return lp < stop if long else lp > stop

    if n >= 1:
        assert beyond(n)
    else:
        assert not beyond(1)
    if n < top:  # not capped by the venue's maximum
        assert not beyond(n + 1)


@settings(max_examples=200, deadline=None)
@given(
    _decimals("0", "100000", 2),
    _decimals("100", "150000", 2),
    st.integers(min_value=1, max_value=50),
    st.sampled_from(["binance:BTCUSDT", "bybit:BTCUSD", "okx:BTC-USDT-SWAP", "cme:MBT", 0.001]),
)
def test_max_contracts_fit_the_margin(available: float, price: float, lev: int, key: Any) -> None:
    """Exactly (fractions of the typed decimals): the margin of the answer fits, one more
    lot step does not, unless the bracket that size falls in forbids the leverage."""
    n = max_contracts_for_margin(available, price, lev, key)
    spec = ms.ContractSpec.numeric(key) if isinstance(key, float) else ms.load_specs()[key]
    F = typed_decimal

    def exact_margin(qty: Fraction) -> Fraction:
        k, p = F(spec.contract_size), F(price)
        return qty * k / p / lev if spec.kind == "inverse" else qty * k * p / lev

    q, step = F(n), F(spec.lot_step)
    assert (q / step).denominator == 1
    assert exact_margin(q) <= F(available)
    if q == 0 and exact_margin(F(spec.min_qty)) <= F(available):
        return  # only a bracket limit can give 0 here, checked below
    if q > 0 or step >= F(spec.min_qty):
        bigger = q + step
        fits = exact_margin(bigger) <= F(available)
        if fits:  # then the venue's bracket must forbid this leverage at that size
            note = ms.notional(float(bigger), price, key)
            assert margin_tier(note, key).max_leverage < lev


# ====================================================================== bad input
VALID: dict[str, tuple[Any, list[Any]]] = {
    "margin": (margin, [0.01, 60000, 20, "binance:BTCUSDT"]),
    "maintenance_margin": (maintenance_margin, [0.01, 60000, "binance:BTCUSDT"]),
    "liq_price": (liq_price, [60000, 0.01, 20, "binance:BTCUSDT", 30, 0.004, 0]),
    "max_leverage": (max_leverage, [60000, 57000, "binance:BTCUSDT", 0.004]),
    "funding": (funding, [0.01, 60000, 0.0001, 3, "binance:BTCUSDT"]),
    "max_contracts_for_margin": (max_contracts_for_margin, [30, 60000, 20, "binance:BTCUSDT"]),
}
NUMERIC = [
    ("margin", 0, "contracts"),
    ("margin", 1, "price"),
    ("margin", 2, "leverage"),
    ("maintenance_margin", 0, "contracts"),
    ("maintenance_margin", 1, "price"),
    ("liq_price", 0, "entry"),
    ("liq_price", 1, "contracts"),
    ("liq_price", 2, "leverage"),
    ("liq_price", 4, "wallet_balance"),
    ("liq_price", 5, "mmr"),
    ("liq_price", 6, "maint_amount"),
    ("max_leverage", 0, "entry"),
    ("max_leverage", 1, "stop"),
    ("max_leverage", 3, "mmr"),
    ("funding", 0, "contracts"),
    ("funding", 1, "price"),
    ("funding", 2, "rate"),
    ("funding", 3, "periods"),
    ("max_contracts_for_margin", 0, "available"),
    ("max_contracts_for_margin", 1, "price"),
    ("max_contracts_for_margin", 2, "leverage"),
]
# optional arguments and what an empty cell means: the initial margin, the contract's tier
OPTIONAL = {
    ("liq_price", 4): NO_TYPED_DEFAULT,
    ("liq_price", 5): NO_TYPED_DEFAULT,
    ("liq_price", 6): NO_TYPED_DEFAULT,
    ("max_leverage", 3): NO_TYPED_DEFAULT,
}
MATRIX = Matrix(VALID, NUMERIC, OPTIONAL, cells=False, empty_says="{name} is empty")


def _call(fname: str, pos: int, value: Any) -> Any:
    return MATRIX.call(fname, pos, value)


@pytest.mark.parametrize("fname", sorted(VALID))
def test_valid_calls(fname: str) -> None:
    MATRIX.valid_call(fname)


@pytest.mark.parametrize(("fname", "pos", "name"), NUMERIC)
@pytest.mark.parametrize("kind", sorted(k for k in BAD_VALUES if k != "date"))
def test_bad_value_names_argument_and_value(fname: str, pos: int, name: str, kind: str) -> None:
    value, shown = BAD_VALUES[kind]
    MATRIX.refused(fname, pos, value, name, shown)


@pytest.mark.parametrize(("fname", "pos", "name"), NUMERIC)
def test_empty_cell(fname: str, pos: int, name: str) -> None:
    """A required empty cell is an error naming the argument; an optional one is the default."""
    MATRIX.empty_cell(fname, pos, name)


def test_an_empty_optional_cell_is_the_default() -> None:
    """liq_price without a wallet balance isolates the initial margin (notional /
    leverage), and without mmr takes the contract's tier: the same number as typing them."""
    tier = margin_tier(600, "binance:BTCUSDT")  # 0.01 BTC at 60,000
    typed = liq_price(60000, 0.01, 20, "binance:BTCUSDT", 30, tier.mmr, tier.maint_amount)
    assert liq_price(60000, 0.01, 20, "binance:BTCUSDT", None, None, None) == typed
    assert max_leverage(60000, 57000, "binance:BTCUSDT", None) == max_leverage(
        60000, 57000, "binance:BTCUSDT", tier.mmr
    )


@pytest.mark.parametrize(
    ("fname", "pos", "value", "message"),
    [
        ("margin", 2, 0, "leverage must be positive (got 0)"),
        ("margin", 2, -5, "leverage must be positive (got -5)"),
        ("margin", 2, 150, "leverage must be at most 125 for binance:BTCUSDT (got 150)"),
        ("liq_price", 2, 0, "leverage must be positive (got 0)"),
        ("liq_price", 2, -2, "leverage must be positive (got -2)"),
        ("liq_price", 2, 126, "leverage must be at most 125 for binance:BTCUSDT (got 126)"),
        (
            "liq_price",
            1,
            0,
            "contracts must not be zero: positive for a long, negative for a short (got 0)",
        ),
        ("liq_price", 4, -1, "wallet_balance must be zero or more (got -1)"),
        ("liq_price", 5, 1, "mmr must be a fraction in [0, 1), e.g. 0.005 for 0.5% (got 1)"),
        ("liq_price", 5, 1.5, "mmr must be a fraction in [0, 1), e.g. 0.005 for 0.5% (got 1.5)"),
        (
            "liq_price",
            5,
            -0.01,
            "mmr must be a fraction in [0, 1), e.g. 0.005 for 0.5% (got -0.01)",
        ),
        ("liq_price", 6, -3, "maint_amount must be zero or more (got -3)"),
        ("liq_price", 3, "binance:NOPE", "contract: unknown contract 'binance:NOPE'"),
        ("liq_price", 3, None, "contract is empty"),
        (
            "liq_price",
            3,
            -1,
            "contract must be a key like cme:MBT or a positive contract size (got -1)",
        ),
        ("max_leverage", 1, 60000, "stop must differ from entry (got entry=60000, stop=60000)"),
        ("max_leverage", 3, 1, "mmr must be a fraction in [0, 1)"),
        ("max_leverage", 2, "nope:X", "exchanges in the table"),
        ("funding", 2, 1, "rate is a fraction per funding interval: 0.01% is 0.0001 (got 1)"),
        ("funding", 3, -1, "periods must be zero or more (got -1)"),
        ("maintenance_margin", 1, 0, "price must be positive (got 0)"),
        ("max_contracts_for_margin", 0, -1, "available must be zero or more (got -1)"),
        ("max_contracts_for_margin", 2, 0, "leverage must be positive (got 0)"),
        (
            "max_contracts_for_margin",
            2,
            200,
            "leverage must be at most 125 for binance:BTCUSDT (got 200)",
        ),
    ],
)
def test_caller_mistakes(fname: str, pos: int, value: Any, message: str) -> None:
    MATRIX.refused(fname, pos, value, message)


def test_leverage_above_the_bracket_maximum() -> None:
    """Binance's bracket 3 (600,000 to 3,000,000 USDT) allows 75x: 10.001 BTC at 60,000 with
    100x is refused, naming the value and the bracket; 10 BTC (600,000, the cap of bracket 2,
    "maximum position 600,000 at 100x") is allowed; a range names the cell."""
    assert margin(10, 60000, 100, "binance:BTCUSDT") == 6000.0
    with pytest.raises(MicrosizeError) as info:
        liq_price(60000, 10.001, 100, "binance:BTCUSDT")
    assert str(info.value) == (
        "leverage must be at most 75 for binance:BTCUSDT at this position's size (tier 3) (got 100)"
    )
    with pytest.raises(MicrosizeError, match=r"at row 2 \(got 100\)"):
        margin([[1], [10.001]], 60000, 100, "binance:BTCUSDT")


def test_leverage_above_the_bracket_maximum_is_a_warning_in_the_check() -> None:
    chk = liquidation_check(60000, 59000, 10.001, 100, "binance:BTCUSDT", 10**6)
    assert "leverage 100 is above the maximum 75 for this position's size" in chk.warnings


def test_bad_tiers_and_options() -> None:
    with pytest.raises(MicrosizeError, match="maint_amount needs contracts"):
        max_leverage(60000, 57000, "binance:BTCUSDT", maint_amount=50)
    with pytest.raises(MicrosizeError, match="tiers row 2, field mmr: must be a number"):
        maintenance_margin(1, 100, 1.0, tiers=[["floor", "mmr"], [0, True]])
    with pytest.raises(MicrosizeError, match="tiers row 2: brackets must rise"):
        maintenance_margin(1, 100, 1.0, tiers=[["floor", "mmr"], [0, 0.01], [0, 0.02]])
    with pytest.raises(MicrosizeError, match="tiers row 1, field mmr"):
        maintenance_margin(1, 100, 1.0, tiers=[["floor", "mmr"], [0, 1.2]])
    with pytest.raises(MicrosizeError, match="tiers: header row lacks column"):
        maintenance_margin(1, 100, 1.0, tiers=[["cap", "rate"], [0, 0.01]])
    with pytest.raises(MicrosizeError, match="first bracket must start at 0"):
        maintenance_margin(1, 100, 1.0, tiers=[["floor", "mmr"], [10, 0.01]])
    with pytest.raises(MicrosizeError, match="mm_basis must be 'liquidation' or 'entry'"):
        liq_price(100, 1, 2, 1.0, mmr=0.01, mm_basis="mark")
    with pytest.raises(MicrosizeError, match="notional must be zero or more"):
        margin_tier(-1, "binance:BTCUSDT")
    with pytest.raises(MicrosizeError, match="equity must be positive"):
        liquidation_check(100, 90, 1, 2, 1.0, 0, mmr=0.01)
    with pytest.raises(MicrosizeError, match="entry must be a single cell"):
        liquidation_check([100, 101], 90, 1, 2, 1.0, 10, mmr=0.01)


def test_bundled_tiers_still_validate() -> None:
    tiers = ms.load_margin_tiers()
    assert len(tiers) >= 54
    for t in tiers:
        assert len(t.source) <= 255


# ------------------------------------------------------------- tier tables reload
def _write_doubled_btcusdt_tiers(home: Path) -> None:
    """A user tier table holding Binance BTCUSDT's bundled brackets at twice the rate and
    twice the maintenance amount, up to the last bracket a doubled rate allows (the shape `microsize specs refresh --apply` writes)."""
    from microsize._contracts import TIER_COLUMNS, load_bundled_margin_tiers

    rows = [list(TIER_COLUMNS)]
    for t in load_bundled_margin_tiers():
        if t.key == "binance:BTCUSDT" and 2 * t.mmr < 1:  # the brackets below 50%
            cells = {**t.__dict__, "mmr": 2 * t.mmr, "maint_amount": 2 * (t.maint_amount or 0)}
            rows.append(["" if cells[c] is None else cells[c] for c in TIER_COLUMNS])
    home.mkdir(parents=True, exist_ok=True)
    with (home / "margin_tiers.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


@pytest.mark.parametrize("reset", ["clear_spec_caches", "reload_tables"])
def test_a_refreshed_tier_table_changes_maintenance_margin_in_the_same_process(
    microsize_home: Path, reset: str
) -> None:
    """1 BTC at 60,000 sits in Binance's second bracket: 0.5% less 50 is 250 (Binance FAQ
    "Leverage and Margin of USDⓈ-M Futures"); with the doubled user table, 1% less 100 is
    500. Both public resets reach every cached view of the table (the per-contract
    brackets included), and removing the user table brings the bundled one back."""
    from microsize import refresh

    resets = {"clear_spec_caches": ms.clear_spec_caches, "reload_tables": refresh.reload_tables}
    assert maintenance_margin(1, 60000, "binance:BTCUSDT") == pytest.approx(250.0)
    assert margin_tier(60000, "binance:BTCUSDT").mmr == pytest.approx(0.005)
    _write_doubled_btcusdt_tiers(microsize_home)
    resets[reset]()
    assert maintenance_margin(1, 60000, "binance:BTCUSDT") == pytest.approx(500.0)
    assert margin_tier(60000, "binance:BTCUSDT").mmr == pytest.approx(0.01)
    assert liq_price(60000, 1, 10, "binance:BTCUSDT") > liq_price(
        60000, 1, 10, "binance:BTCUSDT", mmr=0.005, maint_amount=50
    )
    (microsize_home / "margin_tiers.csv").unlink()
    resets[reset]()
    assert maintenance_margin(1, 60000, "binance:BTCUSDT") == pytest.approx(250.0)


def test_one_reset_forgets_the_tier_table_and_its_brackets() -> None:
    """The brackets built per contract hang on the cached table: one reset drops both."""
    from microsize import refresh
    from microsize._contracts import tier_table

    maintenance_margin(1, 60000, "binance:BTCUSDT")
    first = tier_table()
    assert first.views  # the contract's brackets were kept with the table
    assert tier_table() is first
    refresh.reload_tables()
    assert tier_table() is not first
    second = tier_table()
    ms.clear_spec_caches()
    assert tier_table() is not second
