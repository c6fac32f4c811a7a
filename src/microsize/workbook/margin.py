"""The Margin sheet: margin, liquidation, leverage, funding."""

from __future__ import annotations

from ._book import SPECS, TICK_FORMATS, Book, Ref, cell_name
from ._common import (
    LEVERAGE_VALIDATION,
    PCT_VALIDATION,
    POSITIVE_VALIDATION,
    contract_validation,
    decimals_of,
    input_block,
    prices_to_the_tick,
    protect_sheet,
    tick_cell,
    tick_decimals,
    tick_rule,
)
from .charts import pnl_chart


def margin_sheet(book: Book, keys: str) -> None:
    s = "Margin"
    ws = book.start(
        s,
        "Margin, liquidation, leverage, funding",
        "Isolated margin, one-way mode, by the exchange's own formula. "
        "Maintenance rates come from the package's margin tiers (see Tiers).",
        [
            ("A:A", 54),
            ("B:B", 22),
            ("C:C", 3),
            ("D:D", 44),
            ("E:E", 2),
            ("F:F", 19),
            ("G:G", 12),
            ("H:H", 15),
        ],
    )
    book.section(s, "A4", "Position")
    entry, size, lev, stop, contract, rate, periods, avail, wallet, mmr, amount = input_block(
        book,
        s,
        4,
        0,
        [
            ("Entry price", 60000, "in_price", POSITIVE_VALIDATION),
            ("Contracts (signed, - = short)", 0.01, "in_contracts", None),
            ("Leverage", 20, "in_lev", LEVERAGE_VALIDATION),
            ("Stop price", 57000, "in_price", POSITIVE_VALIDATION),
            ("Contract", "binance:BTCUSDT", "in", contract_validation(keys)),
            ("Funding rate per interval", 0.0001, "in_pct", None),
            ("Funding intervals", 21, "in_num", POSITIVE_VALIDATION),
            ("Margin available", 1000, "in_money", POSITIVE_VALIDATION),
            ("Wallet balance (optional)", None, "in_money", None),
            ("Maintenance rate (optional)", None, "in_pct", PCT_VALIDATION),
            ("Maintenance amount (optional)", None, "in_money", None),
        ],
    )
    rows = [
        (
            "Initial margin: MF_MARGIN",
            "MF_MARGIN",
            (size, entry, lev, contract, SPECS),
            "out_money",
        ),
        (
            "Maintenance margin: MF_MAINT_MARGIN",
            "MF_MAINT_MARGIN",
            (size, entry, contract, SPECS),
            "out_money",
        ),
        (
            "Liquidation price: MF_LIQ_PRICE",
            "MF_LIQ_PRICE",
            (entry, size, lev, contract, wallet, mmr, amount, SPECS),
            "out_price",
        ),
        (
            "Max leverage for the stop: MF_MAX_LEVERAGE",
            "MF_MAX_LEVERAGE",
            (entry, stop, contract, mmr, SPECS),
            "out_lev",
        ),
        (
            "Funding paid (+) / received (-): MF_FUNDING",
            "MF_FUNDING",
            (size, entry, rate, periods, contract, SPECS),
            "out_money",
        ),
        (
            "Max contracts for the margin: MF_MAX_CONTRACTS_MARGIN",
            "MF_MAX_CONTRACTS_MARGIN",
            (avail, entry, lev, contract, SPECS),
            "out_contracts",
        ),
        ("Notional: MF_NOTIONAL", "MF_NOTIONAL", (size, entry, contract, SPECS), "out_money"),
    ]
    top = 17
    book.section(s, cell_name(top - 1, 0), "Results")
    for i, (label, fn, args, fmt) in enumerate(rows):
        book.write(s, cell_name(top + i, 0), label, "label")
        book.formula(s, cell_name(top + i, 1), fn, *args, fmt=fmt)
    tick = tick_cell(book, s, (top + len(rows), 1), contract, "Tick size: MF_SPEC")
    liq, stop_cell = cell_name(top + 2, 1, absolute=True), cell_name(7, 1, absolute=True)
    size_cell = cell_name(5, 1, absolute=True)
    before = (
        f"AND(ISNUMBER({liq}),OR(AND({size_cell}>0,{liq}>={stop_cell}),"
        f"AND({size_cell}<0,{liq}<={stop_cell})))"
    )
    _red_to_the_tick(book, s, cell_name(top + 2, 1), before, cell_name(*tick.first, absolute=True))
    book.write(
        s,
        cell_name(top, 3),
        "The liquidation price turns red when it comes before the stop: the exchange would "
        "close the position before your stop. Lower the leverage to at most the max leverage "
        "shown below it. Leave the optional cells blank to use the contract's margin tier.",
        "note",
    )
    ws.merge_range(top, 3, top + 3, 3, None)
    liq_ref = Ref(s, (top + 2, 1))
    _now_sentence(book, s, top + 4, (liq_ref, Ref(s, (top + 3, 1)), stop), tick)
    ws.merge_range(top + 4, 3, top + 6, 3, None)  # the sentence gets its three lines
    prices = pnl_chart(book, s, (entry, size, stop, contract), liq_ref, 3)
    where = [cell_name(*r.first) for r in (entry, stop, liq_ref)]
    prices_to_the_tick(book, s, [*where, *prices], cell_name(*tick.first, absolute=True))
    protect_sheet(ws)


def _red_to_the_tick(book: Book, s: str, a1: str, before: str, tick: str) -> None:
    """Red on the liquidation price when ``before`` (it comes before the stop), its number
    still to the tick: one rule per count of decimals joining both (LibreOffice applies
    only the first rule that holds, so a red rule alone would show 57,228.92), then red
    alone (no tick), ahead of the price rules of :func:`prices_to_the_tick`."""
    ws = book.sheets[s]
    for d, code in enumerate(TICK_FORMATS):
        name = f"warn_tick{d}"
        if name not in book.fmt:
            spec = {"bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True}
            book.fmt[name] = book.wb.add_format({**spec, "num_format": code})
        criteria = f"=AND({before},{tick_rule(tick, d)})"
        ws.conditional_format(
            a1, {"type": "formula", "criteria": criteria, "format": book.fmt[name]}
        )
    ws.conditional_format(
        a1, {"type": "formula", "criteria": f"={before}", "format": book.fmt["warn"]}
    )


def _now_sentence(book: Book, s: str, row: int, cells: tuple[Ref, Ref, Ref], tick: Ref) -> None:
    """This trade in words, built from its results (it follows every input): the cells
    are (liquidation price, max leverage, stop); the prices to the contract's ``tick``."""
    liq, top, stop = (cell_name(*r.first, absolute=True) for r in cells)
    size = cell_name(5, 1, absolute=True)
    d = tick_decimals(cell_name(*tick.first, absolute=True))
    before = f"OR(AND({size}>0,{liq}>={stop}),AND({size}<0,{liq}<={stop}))"
    verdict = (
        f'IF(ISNUMBER({liq}),IF({before},"comes before the stop: lower the leverage to at '
        f'most "&{top}&"x","is beyond the stop"),"")'
    )
    text = (
        f'="This trade: liquidation at "&IF(ISNUMBER({liq}),FIXED({liq},{d}),{liq})'
        f'&", stop at "&FIXED({stop},{d})&"; the liquidation "&{verdict}'
    )
    lv, tv, sv = (book.model.value(r) for r in cells)
    places = decimals_of(book.model.value(tick))
    n = book.model.value(Ref(s, (5, 1)))
    if isinstance(lv, int | float):
        first = (n > 0 and lv >= sv) or (n < 0 and lv <= sv)
        tail = (
            f"comes before the stop: lower the leverage to at most {tv:g}x"
            if first
            else "is beyond the stop"
        )
        shown = f"{lv:,.{places}f}"
    else:
        tail, shown = "", str(lv)
    value = f"This trade: liquidation at {shown}, stop at {sv:,.{places}f}; the liquidation {tail}"
    book.plain(s, cell_name(row, 3), text, value, "note")
