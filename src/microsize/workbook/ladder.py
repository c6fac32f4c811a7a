"""The Ladder sheet: scale in under one stop, scale out.

Every spill has room below it for :data:`ROOM` rows (legs, prices, targets), and a check
cell beside it says whether every row is shown: Excel shows #SPILL! where a longer result
would run into the next block, and LibreOffice keeps an array formula's range as saved and
cuts a longer result without a word, so the check cell counts the rows shown against the
rows there should be.
"""

from __future__ import annotations

from typing import Any

from ._book import SPECS, Ref, _Book, cell_name
from ._common import (
    _PCT_VALIDATION,
    _POSITIVE_VALIDATION,
    _contract_validation,
    _header_styler,
    _inputs,
    _protect,
    _shown_check,
    _warn_if_not,
)
from .charts import ladder_chart

#: Rows below each spill of the Ladder sheet (legs, prices, targets) before the next block.
ROOM = 10

# Row numbers (1-based, as the sheet shows them) of each block.
_LADDER_HEAD = 17  # MF_LADDER's header row; legs below it
_PRICES_TOP = 31  # the evenly spaced block's inputs and headers
_OUT_TOP = 44  # scale-out inputs and the Targets table's header
_PLAN_HEAD = 57  # MF_SCALE_OUT's header row


def _check(
    book: _Book,
    s: str,
    row: int,
    label: str,
    first: str,
    want: str,
    what: str,
    counts: tuple[int, int],
) -> None:
    """A label in A and a check in B: how many numbers the ROOM cells from ``first`` (a
    column) show, against ``want`` (a formula: how many there are)."""
    col, r0 = first[0], int(first[1:])
    shown = f"COUNT(${col}${r0}:${col}${r0 + ROOM - 1})"
    book.write(s, f"A{row}", label, "label")
    _shown_check(book, s, f"B{row}", (shown, want, what), counts, f": room for {ROOM}")


def _ladder_sheet(book: _Book, keys: str) -> None:
    s = "Ladder"
    ws = book.start(
        s,
        "Scale in and scale out",
        "One budget, one stop, several entries: if every entry fills and the stop is hit, the "
        "whole ladder loses at most the budget. Weights are shares of quantity (30/40/30). "
        f"Each table and result has room for {ROOM} rows; the check cells say when a row "
        "is not shown.",
        [("A:A", 34), ("B:H", 14), ("G:G", 40)],
    )
    book.section(s, "A4", "Scale-in inputs")
    acct, risk_pct, stop, contract, fee = _inputs(
        book,
        s,
        4,
        0,
        [
            ("Account size", 2000, "in_money", _POSITIVE_VALIDATION),
            ("Risk per trade", 0.015, "in_pct", _PCT_VALIDATION),
            ("Stop price", 3450, "in_price", _POSITIVE_VALIDATION),
            ("Contract", 0.001, "in", _contract_validation(keys)),
            ("Fee rate (each side)", 0, "in_pct", _PCT_VALIDATION),
        ],
    )
    book.write(s, "A10", "Risk budget: MF_RISK_AMOUNT", "label")
    budget = book.formula(s, "B10", "MF_RISK_AMOUNT", acct, risk_pct, fmt="out_money")
    scale_in = book.table(
        s,
        "D4",
        "Entries",
        ["Entry", "Weight"],
        [[3520, 30], [3500, 40], [3480, 30]],
        ["in_price", "in_num"],
    )
    ws.data_validation(4, 3, 4 + ROOM - 1, 4, _POSITIVE_VALIDATION)
    entries, weights = scale_in["Entry"], scale_in["Weight"]
    head = _LADDER_HEAD - 1  # zero-based
    book.section(s, cell_name(head - 1, 0), "Scale-in ladder: MF_LADDER", span=7)
    lad = book.formula(
        s,
        cell_name(head, 0),
        "MF_LADDER",
        Ref(s, (budget.row, budget.col)),
        entries,
        stop,
        contract,
        weights,
        fee,
        SPECS,
        styler=_header_styler(
            ["out_price", "out_pct", "out_num", "out_num", "out_price", "out_money", "out"]
        ),
    )
    legs = len(lad.result) - 1
    for i in range(1, legs + 1):  # a value rule: a blank cell below would turn red
        _warn_if_not(book, s, cell_name(head + i, 6), "ok")
    check_row = _LADDER_HEAD + ROOM + 1
    _check(
        book,
        s,
        check_row,
        "Check: every leg of Entries shown",
        f"A{_LADDER_HEAD + 1}",
        "ROWS(Entries[Entry])",
        "legs",
        (legs, legs),
    )

    top = _PRICES_TOP - 1
    book.section(
        s,
        cell_name(top - 1, 0),
        "Evenly spaced entries: MF_LADDER_PRICES, pyramid weights: MF_WEIGHTS",
        span=5,
    )
    first, last, n_legs, tick = _inputs(
        book,
        s,
        top,
        0,
        [
            ("First price", 3520, "in_price", _POSITIVE_VALIDATION),
            ("Last price", 3480, "in_price", _POSITIVE_VALIDATION),
            ("Legs", 5, "in_num", _POSITIVE_VALIDATION),
            ("Tick (or a contract)", "binance:ETHUSDT", "in", None),
        ],
    )
    book.write(s, cell_name(top, 3), "Price", "header_num")
    book.write(s, cell_name(top, 4), "Weight", "header_num")
    prices = book.formula(
        s,
        cell_name(top + 1, 3),
        "MF_LADDER_PRICES",
        first,
        last,
        n_legs,
        "even",
        tick,
        SPECS,
        fmt="out_price",
    )
    book.formula(s, cell_name(top + 1, 4), "MF_WEIGHTS", n_legs, "pyramid", fmt="out_pct")
    n = len(prices.result)
    legs_cell = cell_name(n_legs.first[0], n_legs.first[1], absolute=True)
    for i, (what, col) in enumerate((("prices", "D"), ("weights", "E"))):
        _check(
            book,
            s,
            _PRICES_TOP + 5 + i,
            f"Check: every {what[:-1]} shown",
            f"{col}{_PRICES_TOP + 1}",
            legs_cell,
            what,
            (n, n),
        )
    _scale_out(book, s, keys, lad.result)
    ladder_chart(book, s, (head, 0), legs, "I4")
    _protect(ws)


def _scale_out(book: _Book, s: str, keys: str, ladder_rows: list[list[Any]]) -> None:
    """Scale out of the position the ladder builds: its contracts, average entry, stop,
    contract and fee are formulas of the scale-in block (type over them to plan another)."""
    ws = book.sheets[s]
    top = _OUT_TOP - 1
    book.section(s, cell_name(top - 1, 0), "Scale-out inputs (from the ladder; type to override)")
    legs = "ROWS(Entries[Entry])"
    first, last = _LADDER_HEAD + 1, _LADDER_HEAD + ROOM
    end = ladder_rows[-1]
    items: list[tuple[str, str, Any, str]] = [
        ("Contracts held: the ladder's", f"=INDEX($D${first}:$D${last},{legs})", end[3], "in_num"),
        ("Entry: the ladder's average", f"=INDEX($E${first}:$E${last},{legs})", end[4], "in_price"),
        ("Stop price", "=$B$7", book.model.value(Ref(s, (6, 1))), "in_price"),
        ("Contract", "=$B$8", book.model.value(Ref(s, (7, 1))), "in"),
        ("Fee rate (each side)", "=$B$9", book.model.value(Ref(s, (8, 1))), "in_pct"),
    ]
    refs = []
    for i, (label, formula, value, fmt) in enumerate(items):
        book.write(s, cell_name(top + i, 0), label, "label")
        refs.append(book.plain(s, cell_name(top + i, 1), formula, value, fmt))
    ws.data_validation(cell_name(top + 3, 1), _contract_validation(keys))
    ws.data_validation(cell_name(top + 4, 1), _PCT_VALIDATION)
    held, entry_out, stop_out, contract_out, fee_out = refs
    exits = book.table(
        s,
        cell_name(top, 3),
        "Targets",
        ["Target", "Weight"],
        [[3550, 50], [3600, 30], [3700, 20]],
        ["in_price", "in_num"],
    )
    head = _PLAN_HEAD - 1
    book.section(s, cell_name(head - 1, 0), "Scale-out plan: MF_SCALE_OUT", span=7)
    so = book.formula(
        s,
        cell_name(head, 0),
        "MF_SCALE_OUT",
        held,
        entry_out,
        stop_out,
        exits["Target"],
        contract_out,
        exits["Weight"],
        fee_out,
        SPECS,
        styler=_header_styler(
            ["out_price", "out_pct", "out_num", "out_money", "out_money", "out_ratio", "out"]
        ),
    )
    n = len(so.result) - 1
    for i in range(1, n + 1):
        _warn_if_not(book, s, cell_name(head + i, 6), "ok")
    _check(
        book,
        s,
        _PLAN_HEAD + ROOM + 1,
        "Check: every target of Targets shown",
        f"A{_PLAN_HEAD + 1}",
        "ROWS(Targets[Target])",
        "targets",
        (n, n),
    )
