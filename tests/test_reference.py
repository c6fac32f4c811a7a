"""Results pinned to outside numbers: the seed scenario and exchanges' worked examples.

Each case names its source. "derived" marks a value computed by hand from the source's
inputs where the source rounds, truncates or cuts its own result off.
"""

from __future__ import annotations

import pytest

import microsize as ms
from microsize.udfs import MF_CONTRACTS, MF_RISK, MF_SIZE


# --------------------------------------------------------------------- seed scenario
def test_seed_eth_micro() -> None:
    """$2,000 account risking 1.5% on an ETH micro of 0.001 ETH, entry 3,520, stop 3,450.

    The seed article answers 431 contracts, which loses $30.17 and breaks the $30 budget;
    the largest size within budget is 428 (losing $29.96).
    """
    assert ms.risk_amount(2000, 0.015) == 30.0
    assert MF_CONTRACTS(30, 3520, 3450, 0.001) == 428.0
    assert MF_RISK(428, 3520, 3450, 0.001) == 29.96
    assert MF_RISK(431, 3520, 3450, 0.001) == 30.17
    assert MF_RISK(429, 3520, 3450, 0.001) > 30
    table = dict(MF_SIZE(2000, 0.015, 3520, 3450, 0.001))
    assert table["Side"] == "Long"
    assert table["Contracts"] == 428.0
    assert table["Risk at stop"] == 29.96
    assert table["Unused budget"] == 0.04
    assert table["Warnings"] == "none"


def test_floor_is_exact_for_typed_decimals() -> None:
    """Issue 2: 0.9 / (0.1 x 3) is 3 contracts; naive float division gives 2.9999999999999996."""
    assert 0.9 / (0.1 * 3) < 3  # the float trap this guards against
    assert MF_CONTRACTS(0.9, 10, 7, 0.1) == 3.0
    assert MF_CONTRACTS(30, 3520, 3450, 0.001) == 428.0


def test_results_are_clean_decimals() -> None:
    """docs/CONVENTIONS.md, Rounding: 431 x 0.001 is 0.431, not 0.43100000000000005."""
    assert repr(ms.contracts(30.17, 3520, 3450, "binance:ETHUSDT")) == "0.431"
    assert repr(ms.risk(0.431, 3520, 3450, "binance:ETHUSDT")) == "30.17"


# ------------------------------------------------------- position-size walk-throughs
@pytest.mark.parametrize(
    ("budget", "entry", "stop", "contract", "expected", "source"),
    [
        # Binance Square post: "$10 risk / $700 stop = 0.014 BTC" (0.0142857 floored to 0.001)
        (10, 116200, 115500, "binance:BTCUSDT", 0.014, "binance.bh square post 26784745046810"),
        # Binance Square: "Entry = 66,000 Stop Loss = 65,500 ... Risk = $2 ... 2 / 500 = 0.004 BTC"
        (2, 66000, 65500, "binance:BTCUSDT", 0.004, "binance.bh square creator post"),
        # cryptopulsehq: $100 risk, ETH 2,500 stop 2,400: "$100 / $100 = 1 ETH"
        (100, 2500, 2400, "binance:ETHUSDT", 1.0, "cryptopulsehq.com sizing guide"),
        # marginpad.io: $50 risk, BTC 60,000 stop 58,800: "about 0.0417 BTC" -> 0.041 in 0.001 lots
        (50, 60000, 58800, "binance:BTCUSDT", 0.041, "marginpad.io how-to-calculate-position-size"),
        # same trades in CME micros: 0.0417 BTC is 0 MBT (0.1 BTC each): below one contract
        (50, 60000, 58800, "cme:MBT", 0.0, "derived from marginpad.io inputs"),
    ],
)
def test_outside_sizing_examples(
    budget: float, entry: float, stop: float, contract: str, expected: float, source: str
) -> None:
    assert ms.contracts(budget, entry, stop, contract) == expected, source


# ------------------------------------------------------------------------------ fees
def test_binance_usdm_fee_example() -> None:
    """Binance FAQ 360033544231: 1 BTC at 10,104, taker 0.05% -> 5.052 USDT; 1 BTC at
    11,104, maker 0.02% -> 2.2208 USDT. A round trip at one price pays the fee twice."""
    assert ms.notional(1, 10104, "binance:BTCUSDT") == 10104
    assert ms.pnl(1, 10104, 10104, "binance:BTCUSDT", 0.0005) == -2 * 5.052
    assert ms.pnl(1, 11104, 11104, "binance:BTCUSDT", 0.0002) == -2 * 2.2208


def test_binance_coinm_fee_example() -> None:
    """Binance FAQ 360033544231, COIN-M: 10 contracts of 100 USD at 10,104 is
    1,000 / 10,104 = 0.09897 BTC; taker 0.05% -> 0.000049485 BTC (source rounds)."""
    assert ms.notional(10, 10104, "binance:BTCUSD_PERP") == pytest.approx(0.09897, abs=5e-6)
    one_side = -ms.pnl(10, 10104, 10104, "binance:BTCUSD_PERP", 0.0005) / 2
    assert one_side == pytest.approx(0.000049485, abs=1e-9)


def test_deribit_futures_example() -> None:
    """deribit.com/docs/example-futures: 100 contracts of US$10 (1,000 USD) bought at 600,
    sold at 700: "1000/600 - 1000/700 = 0,238095BTC". Fee 2 x 0.05% of 1000 USD debited in
    BTC: 0.5/600 + 0.5/700 (the page adds this to 0.00154755; exactly 0.00154762, derived)."""
    gross = ms.pnl(1000, 600, 700, "deribit:BTC-PERPETUAL")
    assert gross == pytest.approx(0.238095, abs=5e-7)
    fees = gross - ms.pnl(1000, 600, 700, "deribit:BTC-PERPETUAL", 0.0005)
    assert fees == pytest.approx(0.5 / 600 + 0.5 / 700, rel=1e-12)
    assert fees == pytest.approx(0.0015476, abs=5e-8)
    # Deribit amounts are USD in multiples of 10: sizing never returns 1,005 USD
    assert ms.contracts(0.01, 600, 590, "deribit:BTC-PERPETUAL") % 10 == 0


# ------------------------------------------------------------------------------- PnL
@pytest.mark.parametrize(
    ("contracts", "entry", "exit_price", "contract", "expected", "tol", "source"),
    [
        # Bybit "P&L calculations (USDT Contract)": long 0.2 from 7,000 to 7,500 = 100 USDT
        (0.2, 7000, 7500, "bybit:BTCUSDT", 100.0, 0, "Bybit help 900000630066"),
        # same page: short 0.4 from 6,000 to 5,000 = 400 USDT
        (-0.4, 6000, 5000, "bybit:BTCUSDT", 400.0, 0, "Bybit help 900000630066"),
        # Bybit inverse P&L: 1,000 x (1/5,000 - 1/5,500) = 0.01819 BTC (source rounds; 0.0181818)
        (1000, 5000, 5500, "bybit:BTCUSD", 0.0181818, 1e-7, "Bybit help, P&L inverse contracts"),
        # Binance "How to Calculate PnL" (Covest copy): (1/50,000 - 1/55,000) x 10,000 = 0.018182
        (
            100,
            50000,
            55000,
            "binance:BTCUSD_PERP",
            0.018182,
            5e-7,
            "Binance PnL FAQ copy (covesthelp)",
        ),
        # Crypto Facilities: (1/5,000 - 1/6,000) x 10,000 = 0.33 bitcoin (1/3 exactly)
        (10000, 5000, 6000, "kraken:PI_XBTUSD", 1 / 3, 1e-12, "Crypto Facilities P&L article"),
        # BitMEX quanto (blog 'Hedging a Quanto Perpetual Swap'): 100,000 ETHUSD, 500 -> 750 = 25 XBT
        (100000, 500, 750, "bitmex:ETHUSD", 25.0, 0, "BitMEX blog, quanto hedging"),
        (-100000, 500, 750, "bitmex:ETHUSD", -25.0, 0, "BitMEX blog, quanto hedging (short)"),
        # BitMEX linear futures guide: 1,000,000 x 1 x (0.000015 - 0.000010) = 5.0 XBT
        (1_000_000, 0.00001, 0.000015, 1.0, 5.0, 0, "bitmex.com/app/linearFuturesGuide"),
        # Poloniex: 1,000 contracts of 0.001 BTC, 10,000 -> 11,000 = 1,000 USDT
        (1000, 10000, 11000, 0.001, 1000.0, 0, "Poloniex futures support article"),
        # OKEx Academy: (9186.8 - 9600) x 1111 x 0.0001 (page prints 45.9, sign dropped)
        (1111, 9600, 9186.8, 0.0001, -45.90652, 0, "OKEx Academy USDT-margined tutorial"),
        # CME: one tick of MBT ($5 per BTC) is $0.50; of MET ($0.50 per ETH) is $0.05
        (1, 50000, 50005, "cme:MBT", 0.5, 0, "cmegroup.com Micro Bitcoin overview"),
        (1, 4000, 4000.5, "cme:MET", 0.05, 0, "cmegroup.com Micro Ether overview"),
    ],
)
def test_pnl_examples(
    contracts: float,
    entry: float,
    exit_price: float,
    contract: object,
    expected: float,
    tol: float,
    source: str,
) -> None:
    got = ms.pnl(contracts, entry, exit_price, contract)
    if tol:
        assert got == pytest.approx(expected, abs=tol), source
    else:
        assert got == expected, source


@pytest.mark.parametrize(
    ("contracts", "price", "contract", "expected", "source"),
    [
        (1, 50000, "cme:MBT", 5000.0, "cmegroup.com: MBT notional at $50,000 is $5,000"),
        (1, 4000, "cme:MET", 400.0, "cmegroup.com: MET notional at $4,000 is $400"),
        (100000, 500, "bitmex:ETHUSD", 50.0, "BitMEX blog: $500 x 0.000001 XBT x 100,000 = 50 XBT"),
        (
            10000,
            500,
            "bitmex:ETHUSD",
            5.0,
            "BitMEX 'Quanto for Speculators': IM 2% of this is 0.10 XBT",
        ),
    ],
)
def test_notional_examples(
    contracts: float, price: float, contract: str, expected: float, source: str
) -> None:
    assert ms.notional(contracts, price, contract) == expected, source


# ------------------------------------------------------------------ average entry
@pytest.mark.parametrize(
    ("prices", "qty", "contract", "expected", "source"),
    [
        (
            [10000, 15000],
            [50, 50],
            "bybit:BTCUSD",
            12000.0,
            "Bybit 'How to Calculate Average Entry Price' (inverse)",
        ),
        ([5000, 6000], [1000, 2000], "bybit:BTCUSD", 5625.0, "Bybit P&L inverse contracts"),
        ([5000, 6000], [0.5, 0.3], "bybit:BTCUSDT", 5375.0, "Bybit P&L USDT contract"),
        (
            [10000, 13000],
            [1, 2],
            "bybit:BTCUSDT",
            12000.0,
            "Bybit 'How to Calculate Average Entry Price' (USDT)",
        ),
    ],
)
def test_avg_entry_examples(
    prices: list[float], qty: list[float], contract: str, expected: float, source: str
) -> None:
    assert ms.avg_entry(prices, qty, contract) == expected, source


# ----------------------------------------------------------------------- breakeven
def test_breakeven_tradingcalc() -> None:
    """tradingcalc.io: long 65,000 x 1.0005 / 0.9995 = $65,065.03; maker 0.02% -> $65,026."""
    assert ms.breakeven(65000, "long", 0.0005, 0.0005) == pytest.approx(65065.03, abs=0.005)
    assert ms.breakeven(65000, "long", 0.0002) == pytest.approx(65026.0, abs=0.01)
    # short mirror of the same formula: entry x (1 - fo) / (1 + fc)
    assert ms.breakeven(65000, -1, 0.0005) == pytest.approx(65000 * 0.9995 / 1.0005, rel=1e-15)


# ----------------------------------------------------------------------- conversion
def test_convert_cme_and_venues() -> None:
    """1 MBT = 0.1 BTC (CME spec) = 0.100 BTCUSDT = 10 OKX contracts of 0.01 BTC; one CME
    standard (5 BTC) = 50 MBT; at 60,000 USD, 0.1 BTC = 6,000 USD of Deribit amount."""
    assert ms.convert(1, "cme:MBT", "binance:BTCUSDT") == 0.1
    assert ms.convert(1, "cme:MBT", "okx:BTC-USDT-SWAP") == 10.0
    assert ms.convert(1, "cme:BTC", "cme:MBT") == 50.0
    assert ms.convert(1, "cme:MBT", "deribit:BTC-PERPETUAL", 60000) == 6000.0
    assert ms.convert(6000, "deribit:BTC-PERPETUAL", "cme:MBT", 60000) == 1.0
    # nearest lot step: 0.1234 BTC is 1 MBT; 0.15 BTC rounds half away from zero to 2
    assert ms.convert(0.1234, "binance:BTCUSDT", "cme:MBT") == 1.0
    assert ms.convert(0.15, "binance:BTCUSDT", "cme:MBT") == 2.0
    assert ms.convert(-0.15, "binance:BTCUSDT", "cme:MBT") == -2.0


# ----------------------------------------------------------------------- MF_SIZE
def test_size_warns_when_budget_buys_nothing() -> None:
    """OKX BTC-USDT-SWAP: lot and minimum 0.1 contract of 0.01 BTC. $1 over a $1,000 stop
    buys 0.001 BTC = 0.1 contract, exactly the minimum; $0.50 buys half a lot: 0, warned."""
    assert ms.contracts(1, 60000, 59000, "okx:BTC-USDT-SWAP") == 0.1
    table = dict(ms.size_trade(100, 0.005, 60000, 59000, "okx:BTC-USDT-SWAP"))
    assert table["Contracts"] == 0.0
    assert table["Warnings"] == "budget too small: one lot step (0.1) would lose 1"


def test_size_below_minimum_order_quantity() -> None:
    """A venue whose minimum (5) is above its lot step (1): a budget for 3 lots gives 0."""
    specs = [
        ["exchange", "symbol", "kind", "contract_size", "lot_step", "min_qty"],
        ["test", "MIN5", "linear", 1, 1, 5],
    ]
    assert ms.contracts(30, 100, 90, "test:MIN5", specs=specs) == 0.0
    assert ms.contracts(50, 100, 90, "test:MIN5", specs=specs) == 5.0
    table = dict(ms.size_trade(1000, 0.03, 100, 90, "test:MIN5", specs=specs))
    assert table["Contracts"] == 0.0
    assert (
        table["Warnings"]
        == "below minimum size: the budget buys 3 but the minimum is 5, so 0 contracts"
    )


def test_size_short_inverse_and_margin() -> None:
    """A short on an inverse contract: budget and results in BTC; margin = notional / leverage."""
    table = dict(ms.size_trade(0.5, 0.01, 60000, 63000, "binance:BTCUSD_PERP", 0.0005, 20))
    assert table["Side"] == "Short"
    assert table["Currency"] == "BTC"
    assert table["Risk budget"] == 0.005
    n = table["Contracts"]
    assert ms.risk(n, 60000, 63000, "binance:BTCUSD_PERP", 0.0005) <= 0.005
    assert ms.risk(n + 1, 60000, 63000, "binance:BTCUSD_PERP", 0.0005) > 0.005
    assert table["Margin"] == pytest.approx(table["Notional"] / 20)
    assert table["Fees"] == pytest.approx(0.0005 * n * 100 * (1 / 60000 + 1 / 63000))


def test_size_flags_margin_above_account_and_leverage_above_max() -> None:
    table = dict(ms.size_trade(1000, 0.02, 3000, 2990, "binance:ETHUSDT", None, 1))
    assert "exceeds the account" in table["Warnings"]
    table = dict(ms.size_trade(1000, 0.02, 3000, 2990, "binance:ETHUSDT", None, 150))
    assert "above the contract's maximum 125" in table["Warnings"]
