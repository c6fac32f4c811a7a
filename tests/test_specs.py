"""The bundled spec table and the loader's validation of user tables."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from pathlib import Path

import pytest

import microsize as ms
from microsize import MicrosizeError, SpecTable
from microsize.udfs import MF_SPEC, MF_SPECS

# Every key the README's conventions name as examples, plus the CME micros and standards.
SPEC_KEYS = [
    "cme:MBT",
    "binance:ETHUSDT",
    "binance:BTCUSD_PERP",
    "okx:BTC-USDT-SWAP",
    "bybit:BTCUSD",
    "deribit:BTC-PERPETUAL",
    "bitmex:XBTUSD",
    "kraken:PF_XBTUSD",
    "coinbase:BIT",
    "hyperliquid:BTC",
    "cme:MET",
    "cme:BTC",
    "cme:ETH",
]

# Contract sizes gathered by hand from each venue's contract page, one row per contract,
# with the page quoted in the source column (the research behind the bundled table).
RESEARCH_CSV = Path(__file__).resolve().parent / "fixtures" / "contract_specs_research.csv"


@pytest.mark.parametrize("key", SPEC_KEYS)
def test_spec_keys_present_case_insensitive(key: str) -> None:
    table = ms.load_specs()
    assert table[key].key.lower() == key.lower()
    assert table[key.upper()] is table[key.lower()]


def test_every_row_has_source_and_iso_date() -> None:
    for spec in ms.load_specs().values():
        assert spec.source, spec.key
        assert len(spec.source) > 20, spec.key
        assert spec.as_of is not None, spec.key
        # no row is dated after the day its table was last gathered (2026-11-29)
        assert dt.date.fromisoformat(spec.as_of) <= dt.date(2026, 11, 29), spec.key


@pytest.mark.parametrize(
    ("key", "size", "step", "min_qty", "kind"),
    [
        # CME contract specs (cmegroup.com Micro Bitcoin / Micro Ether / Bitcoin Friday /
        # Bitcoin futures contract specs pages)
        ("cme:MBT", 0.1, 1, 1, "linear"),
        ("cme:MET", 0.1, 1, 1, "linear"),
        ("cme:BFF", 0.02, 1, 1, "linear"),
        ("cme:BTC", 5, 1, 1, "linear"),
        # Binance USD-M quantity is in the coin (exchangeInfo LOT_SIZE 0.001)
        ("binance:BTCUSDT", 1, 0.001, 0.001, "linear"),
        # Binance COIN-M: contract multiplier 100 USD (Binance FAQ a4470430)
        ("binance:BTCUSD_PERP", 100, 1, 1, "inverse"),
        # Deribit: amount typed in USD, multiples of 10 (get_instrument min_trade_amount 10)
        ("deribit:BTC-PERPETUAL", 1, 10, 10, "inverse"),
        # BitMEX XBTUSD: 1 USD per contract, lotSize 100
        ("bitmex:XBTUSD", 1, 100, 100, "inverse"),
        # BitMEX ETHUSD quanto multiplier 0.000001 XBT per USD (BitMEX series guide)
        ("bitmex:ETHUSD", 0.000001, 1, 1, "quanto"),
        # OKX ctVal 0.01 BTC
        ("okx:BTC-USDT-SWAP", 0.01, 0.1, 0.1, "linear"),
    ],
)
def test_documented_units(key: str, size: float, step: float, min_qty: float, kind: str) -> None:
    s = ms.load_specs()[key]
    assert (s.contract_size, s.lot_step, s.min_qty, s.kind) == (size, step, min_qty, kind)


def test_contract_sizes_agree_with_research_csv() -> None:
    """Where the research table is in the same unit, the bundled size is the researched one."""
    with RESEARCH_CSV.open(encoding="utf-8") as fh:
        research = list(csv.DictReader(fh))
    assert all(len(row["source"]) > 20 for row in research)
    table = ms.load_specs()
    checked = 0
    for row in research:
        sym = row["symbol"].split(" ")[0]
        for spec in table.values():
            if spec.symbol == sym and row["exchange"].lower().startswith(spec.exchange[:4]):
                if "order amount in USD" in row["contract_size_unit"]:
                    assert spec.contract_size == 1  # one order unit is one USD
                else:
                    assert spec.contract_size == float(row["contract_size"]), spec.key
                checked += 1
    assert checked >= 20


def _rows(**override: object) -> list[list[object]]:
    header = ["Exchange", "Symbol", "Kind", "contract_size", "lot_step", "min_qty"]
    row: dict[str, object] = {
        "Exchange": "test",
        "Symbol": "X",
        "Kind": "linear",
        "contract_size": 0.1,
        "lot_step": 1,
        "min_qty": 1,
    }
    row.update(override)
    return [header, [row[h] for h in header]]


def test_user_table_is_used_by_the_udfs() -> None:
    rows = _rows(contract_size=0.5)
    assert MF_SPEC("test:x", "contract_size", rows) == 0.5
    assert ms.contracts(10, 100, 90, "test:X", specs=rows) == 2.0


@pytest.mark.parametrize(
    ("override", "needle"),
    [
        ({"Kind": "perpetual"}, "row 2 (test:X), field kind"),
        ({"contract_size": -1}, "field contract_size: must be positive"),
        ({"lot_step": "abc"}, "field lot_step must be a number (got text 'abc')"),
        ({"lot_step": None}, "field lot_step is empty"),
        ({"min_qty": 0.5}, "field min_qty: must be at least the lot step"),
        ({"Symbol": None}, "row 2, field symbol: is empty"),
    ],
)
def test_user_table_errors_name_row_and_field(override: dict[str, object], needle: str) -> None:
    with pytest.raises(MicrosizeError, match="specs row 2") as info:
        SpecTable.from_rows(_rows(**override))
    assert needle in str(info.value)


def test_user_table_duplicate_and_header_errors() -> None:
    rows = _rows()
    with pytest.raises(MicrosizeError, match="duplicate key test:X"):
        SpecTable.from_rows([*rows, rows[1]])
    with pytest.raises(MicrosizeError, match="lacks column"):
        SpecTable.from_rows([["exchange", "symbol"], ["a", "b"]])
    with pytest.raises(MicrosizeError, match="no contract rows"):
        SpecTable.from_rows([rows[0], [None] * 6])


def test_min_qty_defaults_to_lot_step() -> None:
    rows = _rows()
    rows[1][5] = None
    assert SpecTable.from_rows(rows)["test:x"].min_qty == 1


def test_mf_specs_spills_header_and_filters() -> None:
    all_rows = MF_SPECS()
    assert all_rows[0] == list(ms.SPEC_COLUMNS)
    assert len(all_rows) == len(ms.load_specs()) + 1
    cme = MF_SPECS("CME")
    assert {r[1] for r in cme[1:]} == {
        *("MBT", "BTC", "MET", "ETH", "BFF"),
        *("MSL", "SOL", "MXP", "XRP"),  # micro and standard SOL and XRP
        *("QBTC", "QETH", "QSOL", "QXRP"),  # spot-quoted futures
    }
    assert all(v is not None for r in all_rows for v in r)  # unknown shows as an empty text
    with pytest.raises(MicrosizeError, match="exchange must be one of"):
        MF_SPECS("nasdaq")


def test_mf_specs_round_trips_through_the_loader() -> None:
    again = SpecTable.from_rows(MF_SPECS())
    assert dict(again) == dict(ms.load_specs())


def test_mf_spec_fields_and_messages() -> None:
    assert MF_SPEC("binance:ETHUSDT", "lot_step") == 0.001
    assert MF_SPEC("bitmex:ETHUSD", "kind") == "quanto"
    assert MF_SPEC("cme:MBT", "as_of") == "2026-11-22"
    with pytest.raises(MicrosizeError, match="cme:MBT has no max_leverage"):
        MF_SPEC("cme:MBT", "max_leverage")
    with pytest.raises(MicrosizeError, match="field must be one of"):
        MF_SPEC("cme:MBT", "multiplier")
    with pytest.raises(MicrosizeError, match="did you mean cme:MBT"):
        MF_SPEC("MBT", "lot_step")


def test_margin_tiers_chain_is_documented_formula() -> None:
    """amount(n) = amount(n-1) + floor(n) x (MMR(n) - MMR(n-1)) (Binance COIN-M FAQ)."""
    tiers = [t for t in ms.load_margin_tiers() if t.key == "binance:BTCUSDT"]
    assert len(tiers) == 12
    for prev, nxt in itertools.pairwise(tiers):
        assert prev.maint_amount is not None
        assert nxt.maint_amount is not None
        assert nxt.maint_amount == pytest.approx(
            prev.maint_amount + nxt.floor * (nxt.mmr - prev.mmr)
        )


def test_text_cells_fit_excel_array_strings() -> None:
    """Arrays returned through VBA to a sheet are safest with strings of 255 characters or
    fewer (a legacy Excel limit on array elements); MF_SPECS spills every source text."""
    for row in ms.load_specs().rows():
        for cell in row:
            if isinstance(cell, str):
                assert len(cell) <= 255, cell[:60]


def test_a_range_table_is_read_once_and_forgotten_by_the_one_reset() -> None:
    """A Specs range passed to many formulas is read once per content; clear_spec_caches()
    (the one reset) forgets it too, so an edited table is never answered from memory."""
    from microsize._contracts import clear_spec_caches, spec_table_of_cells

    rows = [list(r) for r in ms.load_bundled_specs().rows("cme")]
    first = spec_table_of_cells(rows)
    assert spec_table_of_cells([list(r) for r in rows]) is first
    clear_spec_caches()
    again = spec_table_of_cells(rows)
    assert again is not first
    assert list(again) == list(first)
    assert again["cme:MBT"].contract_size == 0.1
