"""The Sizing sheet's blocks as data: rows of (name, label, cell) for
:func:`._rows.write_block`, the trades' inputs and the ATR example's bars. Cells are read
by name (the MF_SIZE spill's rows by their labels); the sheet's layout is in
:mod:`.sizing`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._book import SPECS, Col
from ._common import (
    LEVERAGE_VALIDATION,
    PCT_VALIDATION,
    POSITIVE_VALIDATION,
    SIZE_ROW_FORMATS,
    contract_validation,
)
from ._rows import Input, Mf, Plain, Row, Values

_SIDE_VALIDATION = {
    "validate": "list",
    "source": ["long", "short"],
    "input_title": "Side",
    "input_message": "long or short. The stop decides what is sized; a side that disagrees "
    "with it turns the side check red.",
}
#: The validation of a contract cell: a dropdown of the Specs table's keys.
KEYS = "the Specs table's keys"

InputSpec = tuple[str, str, str, Mapping[str, Any] | str | None]


def inputs(keys: str, spec: Sequence[InputSpec], values: Mapping[str, Any]) -> list[Row]:
    """Input rows (name, label, format, validation) with their values by name."""
    return [
        (
            name,
            label,
            # a text in place of a validation is KEYS: the contract dropdown
            Input(values[name], fmt, contract_validation(keys) if isinstance(val, str) else val),
        )
        for name, label, fmt, val in spec
    ]


def _text(x: Any) -> str:
    """A number as a spreadsheet joins it into text (up to 15 significant digits)."""
    return format(float(x), ".15g") if isinstance(x, int | float) else str(x)


def _money(x: Any) -> str:
    return f"${x:,.2f}" if isinstance(x, int | float) else str(x)


# --------------------------------------------------------------------------- the trades
#: The inputs of each worked trade, from row INPUT_TOP down.
TRADE_INPUTS: tuple[InputSpec, ...] = (
    ("account", "Account size", "in_money", POSITIVE_VALIDATION),
    ("risk", "Risk per trade", "in_pct", PCT_VALIDATION),
    ("entry", "Entry price", "in_price", POSITIVE_VALIDATION),
    ("stop", "Stop price", "in_price", POSITIVE_VALIDATION),
    ("contract", "Contract", "in", KEYS),
    ("fee", "Fee rate (each side)", "in_pct", PCT_VALIDATION),
    ("leverage", "Leverage (optional)", "in_lev", LEVERAGE_VALIDATION),
    ("side", "Side (long or short)", "in", _SIDE_VALIDATION),
    ("target", "Target price", "in_price", POSITIVE_VALIDATION),
    ("slippage", "Stop slippage (optional)", "in_pct", PCT_VALIDATION),
    ("mmr", "Maintenance rate (optional)", "in_pct", PCT_VALIDATION),
    ("margin_available", "Margin available", "in_money", POSITIVE_VALIDATION),
    ("funding_rate", "Funding rate per interval", "in_pct", None),
    ("funding_per_day", "Funding intervals a day", "in_num", POSITIVE_VALIDATION),
)

#: The two worked trades: their column and their inputs.
TRADES: tuple[tuple[int, dict[str, Any]], ...] = (
    (
        0,
        {
            **{"account": 2000, "risk": 0.015, "entry": 3520, "stop": 3450, "contract": 0.001},
            **{"fee": 0, "leverage": None, "side": "long", "target": 3660, "slippage": None},
            **{"mmr": 0.005, "margin_available": 1000, "funding_rate": 0.0001},
            "funding_per_day": 3,
        },
    ),
    (
        3,
        {
            **{"account": 2000, "risk": 0.015, "entry": 60000, "stop": 57000},
            **{"contract": "binance:BTCUSDT", "fee": 0.0005, "leverage": 20, "side": "long"},
            **{"target": 66000, "slippage": None, "mmr": None, "margin_available": 1000},
            **{"funding_rate": 0.0001, "funding_per_day": 3},
        },
    ),
)


def _title_value(v: Values) -> str:
    contract, leverage = v["contract"], v["leverage"]
    text = "Trade: " + (
        f"{_text(contract)} units a contract" if isinstance(contract, int | float) else contract
    )
    return text + (
        f" at {_text(leverage)}x" if isinstance(leverage, int | float) else ", no leverage"
    )


#: The heading of a trade, built from its contract and leverage cells (no figure in it
#: stays put when they change).
TITLE = Plain(
    '="Trade: "&IF(ISNUMBER({contract}),{contract}&" units a contract",{contract})'
    '&IF(ISNUMBER({leverage})," at "&{leverage}&"x",", no leverage")',
    _title_value,
    "h2",
)


def _side_check_value(v: Values) -> str:
    where = "below" if v["stop"] < v["entry"] else "above"
    want = "long" if v["stop"] < v["entry"] else "short"
    if str(v["side"]).strip().lower() == want:
        return f"ok: {want}, stop {where} entry"
    return f"stop {where} entry: a {want.upper()}, not the {v['side']} typed"


#: The side typed against the side the stop makes: MF_SIZE sizes by the stop (below entry
#: is a long), so a side that disagrees turns this cell red; nothing is flipped.
SIDE_CHECK: Row = (
    "side_check",
    "Side check",
    Plain(
        "=IF(OR(NOT(ISNUMBER({entry})),NOT(ISNUMBER({stop})),{entry}={stop}),"
        '"n/a: type an entry and a different stop",IF(TRIM({side})="","type long or short",'
        'IF(LOWER(TRIM({side}))=IF({stop}<{entry},"long","short"),"ok: "&IF({stop}<{entry},'
        '"long","short")&", stop "&IF({stop}<{entry},"below","above")&" entry","stop "&IF('
        '{stop}<{entry},"below","above")&" entry: a "&UPPER(IF({stop}<{entry},"long","short"))'
        '&", not the "&{side}&" typed")))',
        _side_check_value,
        "check_wrap",
    ),
)


#: MF_SIZE's arguments, by name.
SIZE_ARGS = (
    "account",
    "risk",
    "entry",
    "stop",
    "contract",
    "fee",
    "leverage",
    SPECS,
    "slippage",
    "mmr",
)


def _ticks(v: Values) -> Any:
    if isinstance(v["contract"], int | float):
        return "n/a: a contract size typed has no tick"
    return abs(v["entry"] - v["stop"]) / v.mf("MF_SPEC", "contract", '"tick_size"', SPECS)


def _to_liquidation(v: Values) -> Any:
    liq = v["Liquidation price"]
    return abs(v["entry"] - liq) / v["entry"] if isinstance(liq, int | float) else liq


#: What a trader reads beside the size: stop distance, reward to risk, break-even, room
#: to liquidation, the most the margin allows and the funding it costs.
BEYOND_THE_SIZE: tuple[Row, ...] = (
    (
        "stop_pct",
        "Stop distance (% of entry)",
        Plain(
            "=ABS({entry}-{stop})/{entry}",
            lambda v: abs(v["entry"] - v["stop"]) / v["entry"],
            "out_pct",
        ),
    ),
    (
        "stop_ticks",
        "Stop distance (ticks)",
        Plain(
            '=IF(ISNUMBER({contract}),"n/a: a contract size typed has no tick",'
            'ABS({entry}-{stop})/MF_SPEC({contract},"tick_size",Specs[[#All]]))',
            _ticks,
            "out_ticks",
            array=True,
        ),
    ),
    (
        "rr",
        "Reward to risk: MF_RR",
        Mf("MF_RR", ("entry", "stop", "target", "contract", "fee", SPECS), "out_rr"),
    ),
    (
        "breakeven",
        "Break-even: MF_BREAKEVEN",
        Mf("MF_BREAKEVEN", ("entry", "Side", "fee", "fee", "contract", SPECS), "out_price"),
    ),
    (
        "to_liquidation",
        "Entry to liquidation (%)",
        Plain(
            "=IF(ISNUMBER({Liquidation price:rel}),"
            "ABS({entry}-{Liquidation price:rel})/{entry},{Liquidation price:rel})",
            _to_liquidation,
            "out_pct",
        ),
    ),
    (
        "max_contracts",
        "Most the margin allows",
        Mf(
            "MF_MAX_CONTRACTS_MARGIN",
            ("margin_available", "entry", "Leverage", "contract", SPECS),
            "out_contracts",
        ),
    ),
    # the sign from the stop, as MF_SIZE infers the side: an IF comparing the spill's
    # "Short" cell kept the long sign in LibreOffice (LibreOffice 7.4 finds a text an
    # add-in returned unequal to the same text typed: =E24="USDT" is FALSE where E24
    # shows USDT)
    (
        "signed",
        "Contracts, signed (- = short)",
        Plain(
            "=IF({stop}>{entry},-1,1)*{Contracts:rel}",
            lambda v: (-1 if v["stop"] > v["entry"] else 1) * v["Contracts"],
            "out_contracts",
        ),
    ),
    (
        "funding_interval",
        "Funding per interval",
        Mf("MF_FUNDING", ("signed", "entry", "funding_rate", 1, "contract", SPECS), "out_money"),
    ),
    (
        "funding_day",
        "Funding per day: MF_FUNDING",
        Mf(
            "MF_FUNDING",
            ("signed", "entry", "funding_rate", "funding_per_day", "contract", SPECS),
            "out_money",
        ),
    ),
)
#: Prices shown to the contract's tick (not the break-even: to the tick it would read
#: below the price that breaks even), and money shown to the satoshi for a coin.
TICK_PRICES = ("entry", "stop", "target", "Stop fill", "Liquidation price")
COIN_MONEY: tuple[str, ...] = ("account", "margin_available", "funding_interval", "funding_day")
COIN_MONEY += tuple(k for k, f in SIZE_ROW_FORMATS.items() if f == "out_money")
#: A coin amount shown to its own decimals, at most to the satoshi (never General's ten
#: digits or its scientific notation).
COIN_QUANTITIES = ("Quantity",)
#: Lines of text each row keeps room for: a message some contract or input gives in
#: place of a number, wrapped in the 30-wide value column (about 33 characters a line as
#: LibreOffice draws it in Carlito, Calibri's metrics), would otherwise run over the row
#: below. The longest such message is quoted (the template's own results may ask more).
MESSAGE_LINES = {
    "Risk at stop (USD)": 2,  # n/a: quanto, value the BTC loss at the BTC price
    "Liquidation price": 2,  # unknown: no maintenance-margin data for this contract (pass mmr)
    "Spec as of": 3,  # 2021-02-08 (2128 days old, limit 180: check the venue or run micro...
    "Warnings": 5,  # several warnings at once run longer: the row keeps five lines
    "rr": 3,  # target must be below entry for a short (got stop_price 63000, entry 60000, ...
    "to_liquidation": 2,  # the Liquidation price's message
    "max_contracts": 2,  # leverage must be at most 50 for deribit:BTC-PERPETUAL (got 200)
}


# --------------------------------------------------------------------------- under them
#: Checks on trade 1: the often-quoted size against MF_CONTRACTS.
CHECKS: tuple[Row, ...] = (
    (
        "budget",
        "Risk budget: MF_RISK_AMOUNT",
        Mf("MF_RISK_AMOUNT", ("account", "risk"), "out_money"),
    ),
    (
        "contracts",
        "Contracts: MF_CONTRACTS",
        Mf("MF_CONTRACTS", ("budget", "entry", "stop", "contract", "fee", SPECS), "out_contracts"),
    ),
    ("quoted", "A size to test (type any)", Input(431, "in_contracts")),
    (
        "quoted_loss",
        "Its loss at the stop: MF_RISK",
        Mf("MF_RISK", ("quoted", "entry", "stop", "contract", "fee", SPECS), "out_money"),
    ),
)


def _quoted_value(v: Values) -> str:
    loss, budget = v["quoted_loss"], v["budget"]
    return (
        f"{_text(v['quoted'])} contracts lose {_money(loss)} at the stop: "
        f"{'over' if loss > budget else 'within'} the {_money(budget)} budget. Sized to the "
        f"budget (never over): {_text(v['contracts'])} lose {_money(v['Risk at stop'])}."
    )


#: The checks in words, beside them: the size tested, its loss, the budget, MF_CONTRACTS'
#: size and the MF_SIZE risk at the stop.
QUOTED_NOTE = Plain(
    '={quoted}&" contracts lose "&TEXT({quoted_loss},"$#,##0.00")&" at the stop: "'
    '&IF({quoted_loss}>{budget},"over","within")&" the "&TEXT({budget},"$#,##0.00")'
    '&" budget. Sized to the budget (never over): "&{contracts}&" lose "'
    '&TEXT({Risk at stop},"$#,##0.00")&"."',
    _quoted_value,
    "note",
)

#: About the contract of trade 2: its fields from MF_SPEC.
ABOUT_THE_CONTRACT: tuple[Row, ...] = tuple(
    (fld, label, Mf("MF_SPEC", ("contract", f'"{fld}"', SPECS), fmt))
    for label, fld, fmt in (
        ("Order unit: MF_SPEC qty_unit", "qty_unit", "out"),
        ("Lot step: MF_SPEC lot_step", "lot_step", "out"),
        ("Minimum: MF_SPEC min_qty", "min_qty", "out"),
        ("Max leverage: MF_SPEC", "max_leverage", "out_lev"),
        ("Specs row as of: MF_SPEC", "as_of", "out"),
    )
)


# --------------------------------------------------------------------------- ATR block
# Illustrative daily bars of a BTC micro, made up for the ATR example, oldest first.
ATR_BARS: tuple[tuple[float, float, float], ...] = (
    (60450, 59210, 59880),
    (60920, 59500, 60710),
    (61380, 60150, 60240),
    (60880, 59390, 59620),
    (60210, 58760, 59950),
    (61040, 59720, 60890),
    (61650, 60320, 61420),
    (62190, 60980, 61130),
    (61600, 60040, 60380),
    (60950, 59600, 60770),
    (61820, 60510, 61690),
    (62480, 61150, 62260),
    (62910, 61770, 62020),
    (62350, 60890, 61240),
    (61780, 60250, 61530),
    (62440, 61100, 62170),
    (63060, 61820, 62850),
    (63400, 62010, 62380),
    (62900, 61530, 61800),
    (62250, 60700, 61950),
)

#: The ATR block's inputs and their values, from the row under its heading down.
ATR_INPUTS: tuple[InputSpec, ...] = (
    ("entry", "Entry price", "in_price", POSITIVE_VALIDATION),
    ("periods", "ATR periods", "in_num", POSITIVE_VALIDATION),
    ("method", "ATR method", "in", None),
    ("multiple", "ATR multiple for the stop", "in_num", POSITIVE_VALIDATION),
    ("side", "Side", "in", None),
    ("contract", "Contract", "in", KEYS),
    ("fee", "Fee rate (each side)", "in_pct", PCT_VALIDATION),
    ("slippage", "Stop slippage", "in_pct", PCT_VALIDATION),
    ("r_multiple", "Target in R", "in_num", POSITIVE_VALIDATION),
    ("usd_budget", "Risk budget in USD", "in_money", POSITIVE_VALIDATION),
    ("roi", "Target ROI on margin", "in_pct", None),
    ("leverage", "Leverage for the ROI", "in_lev", LEVERAGE_VALIDATION),
)
ATR_VALUES = {
    **{"entry": 61950, "periods": 14, "method": "wilder", "multiple": 2, "side": "long"},
    **{"contract": "cme:MBT", "fee": 0.0005, "slippage": 0.001, "r_multiple": 3},
    **{"usd_budget": 300, "roi": 0.5, "leverage": 10},
}

#: The ATR block's results, each MF_ call named by its function.
ATR_RESULTS: tuple[Row, ...] = (
    (
        "MF_ATR",
        "ATR now: MF_ATR(..., TRUE)",
        Mf(
            "MF_ATR",
            (
                Col("Bars", "High"),
                Col("Bars", "Low"),
                Col("Bars", "Close"),
                "periods",
                "method",
                True,
            ),
            "out_price",
        ),
    ),
    (
        "MF_ATR_STOP",
        "ATR stop: MF_ATR_STOP",
        Mf("MF_ATR_STOP", ("entry", "MF_ATR", "multiple", "side", "contract", SPECS), "out_price"),
    ),
    (
        "MF_STOP_FILL",
        "Stop fill: MF_STOP_FILL",
        Mf("MF_STOP_FILL", ("MF_ATR_STOP", "slippage", "entry", "contract", SPECS), "out_price"),
    ),
    (
        "MF_CONTRACTS_USD",
        "Contracts for the USD budget",
        Mf(
            "MF_CONTRACTS_USD",
            ("usd_budget", "entry", "MF_STOP_FILL", "contract", "fee", SPECS),
            "out_contracts",
        ),
    ),
    (
        "MF_TARGET",
        "Target at R: MF_TARGET",
        Mf(
            "MF_TARGET",
            ("entry", "MF_ATR_STOP", "r_multiple", "contract", "fee", SPECS),
            "out_price",
        ),
    ),
    (
        "MF_RR",
        "Reward to risk: MF_RR",
        Mf("MF_RR", ("entry", "MF_ATR_STOP", "MF_TARGET", "contract", "fee", SPECS), "out_rr"),
    ),
    (
        "MF_ROI_TARGET",
        "Exit for the ROI: MF_ROI_TARGET",
        Mf(
            "MF_ROI_TARGET",
            ("entry", "roi", "leverage", "side", "contract", "fee", SPECS),
            "out_price",
        ),
    ),
)


def _atr_note_value(v: Values) -> str:
    where = "above" if v["side"] in ("short", "sell", "s", -1) else "below"
    return (
        f"The stop is {_text(v['multiple'])} ATR {where} entry, rounded to the tick away from "
        "entry; sizing uses the price the stop fills at after slippage, so a slipped stop "
        f"stays within the budget. The target makes at least {_text(v['r_multiple'])}R after "
        f"both fees. ATR: {v['method']}, n/a until {_text(v['periods'])} bars."
    )


#: What the ATR block does, its figures taken from its input cells.
ATR_NOTE = Plain(
    '="The stop is "&{multiple}&" ATR "&IF(OR({side}="short",{side}="sell",{side}="s",'
    '{side}=-1),"above","below")&" entry, rounded to the tick away from entry; sizing uses '
    "the price the stop fills at after slippage, so a slipped stop stays within the budget. "
    'The target makes at least "&{r_multiple}&"R after both fees. ATR: "&{method}&", n/a '
    'until "&{periods}&" bars."',
    _atr_note_value,
    "note",
)
