"""The Margin sheet: margin, liquidation, leverage, funding."""

from __future__ import annotations

from ._book import SPECS, Book, Ref, cell_name
from ._common import (
    LEVERAGE_VALIDATION,
    PCT_VALIDATION,
    POSITIVE_VALIDATION,
    contract_validation,
    input_block,
    protect_sheet,
)
from .charts import pnl_chart


def margin_sheet(book: Book, keys: str) -> None:
    s = "Margin"
    ws = book.start(
        s,
        "Margin, liquidation, leverage, funding",
        "Isolated margin, one-way mode, by the formula the contract's exchange publishes. "
        "Maintenance rates come from the package's margin tiers (see Tiers).",
        [("A:A", 54), ("B:B", 22), ("C:C", 3), ("D:D", 44), ("E:E", 2), ("F:F", 19), ("G:H", 12)],
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
    liq, stop_cell = cell_name(top + 2, 1, absolute=True), cell_name(7, 1, absolute=True)
    size_cell = cell_name(5, 1, absolute=True)
    ws.conditional_format(
        cell_name(top + 2, 1),
        {
            "type": "formula",
            "criteria": f"=AND(ISNUMBER({liq}),OR(AND({size_cell}>0,{liq}>={stop_cell}),AND({size_cell}<0,{liq}<={stop_cell})))",
            "format": book.fmt["warn"],
        },
    )
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
    _now_sentence(book, s, top + 4, (liq_ref, Ref(s, (top + 3, 1)), stop))
    ws.merge_range(top + 4, 3, top + 6, 3, None)  # the sentence gets its three lines
    pnl_chart(book, s, (entry, size, stop, contract), liq_ref, 3)
    protect_sheet(ws)


def _now_sentence(book: Book, s: str, row: int, cells: tuple[Ref, Ref, Ref]) -> None:
    """This trade in words, built from its results (it follows every input): the cells
    are (liquidation price, max leverage, stop)."""
    liq, top, stop = (cell_name(*r.first, absolute=True) for r in cells)
    size = cell_name(5, 1, absolute=True)
    before = f"OR(AND({size}>0,{liq}>={stop}),AND({size}<0,{liq}<={stop}))"
    verdict = (
        f'IF(ISNUMBER({liq}),IF({before},"comes before the stop: lower the leverage to at '
        f'most "&{top}&"x","is beyond the stop"),"")'
    )
    text = (
        f'="This trade: liquidation at "&IF(ISNUMBER({liq}),TEXT({liq},"#,##0.00"),{liq})'
        f'&", stop at "&TEXT({stop},"#,##0.00")&"; the liquidation "&{verdict}'
    )
    lv, tv, sv = (book.model.value(r) for r in cells)
    n = book.model.value(Ref(s, (5, 1)))
    if isinstance(lv, int | float):
        first = (n > 0 and lv >= sv) or (n < 0 and lv <= sv)
        tail = (
            f"comes before the stop: lower the leverage to at most {tv:g}x"
            if first
            else "is beyond the stop"
        )
        shown = f"{lv:,.2f}"
    else:
        tail, shown = "", str(lv)
    value = f"This trade: liquidation at {shown}, stop at {sv:,.2f}; the liquidation {tail}"
    book.plain(s, cell_name(row, 3), text, value, "note")
