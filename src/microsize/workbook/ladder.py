"""The Ladder sheet: scale in under one stop, scale out."""

from __future__ import annotations

from ._book import SPECS, Ref, _Book, cell_name
from ._common import (
    _PCT_VALIDATION,
    _POSITIVE_VALIDATION,
    _contract_validation,
    _header_styler,
    _inputs,
    _protect,
    _warn_if_not,
)
from .charts import ladder_chart


def _ladder_sheet(book: _Book, keys: str) -> None:
    s = "Ladder"
    ws = book.start(
        s,
        "Scale in and scale out",
        "One budget, one stop, several entries: if every entry fills and the stop is hit, the "
        "whole ladder loses at most the budget. Weights are shares of quantity (30/40/30).",
        [("A:A", 30), ("B:H", 14), ("G:G", 40)],
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
    ws.data_validation(4, 3, 6, 4, _POSITIVE_VALIDATION)
    entries, weights = scale_in["Entry"], scale_in["Weight"]
    book.section(s, "A12", "Scale-in ladder: MF_LADDER", span=7)
    lad = book.formula(
        s,
        "A13",
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
    for i in range(1, len(lad.result)):
        _warn_if_not(book, s, cell_name(12 + i, 6), "ok")

    book.section(s, "A19", "Evenly spaced entries: MF_LADDER_PRICES", span=1)
    first, last, legs, tick = _inputs(
        book,
        s,
        19,
        0,
        [
            ("First price", 3520, "in_price", _POSITIVE_VALIDATION),
            ("Last price", 3480, "in_price", _POSITIVE_VALIDATION),
            ("Legs", 5, "in_num", _POSITIVE_VALIDATION),
            ("Tick (or a contract)", "binance:ETHUSDT", "in", None),
        ],
    )
    book.formula(
        s, "D20", "MF_LADDER_PRICES", first, last, legs, "even", tick, SPECS, fmt="out_price"
    )
    book.write(s, "E20", "Pyramid weights: MF_WEIGHTS", "label")
    book.formula(s, "E21", "MF_WEIGHTS", legs, "pyramid", fmt="out_pct")

    book.section(s, "A27", "Scale-out inputs")
    held, entry_out, stop_out, contract_out, fee_out = _inputs(
        book,
        s,
        27,
        0,
        [
            ("Contracts held", 600, "in_num", _POSITIVE_VALIDATION),
            ("Entry (average)", 3500, "in_price", _POSITIVE_VALIDATION),
            ("Stop price", 3450, "in_price", _POSITIVE_VALIDATION),
            ("Contract", 0.001, "in", _contract_validation(keys)),
            ("Fee rate (each side)", 0, "in_pct", _PCT_VALIDATION),
        ],
    )
    exits = book.table(
        s,
        "D27",
        "Targets",
        ["Target", "Weight"],
        [[3550, 50], [3600, 30], [3700, 20]],
        ["in_price", "in_num"],
    )
    targets, out_w = exits["Target"], exits["Weight"]
    book.section(s, "A34", "Scale-out plan: MF_SCALE_OUT", span=7)
    so = book.formula(
        s,
        "A35",
        "MF_SCALE_OUT",
        held,
        entry_out,
        stop_out,
        targets,
        contract_out,
        out_w,
        fee_out,
        SPECS,
        styler=_header_styler(
            ["out_price", "out_pct", "out_num", "out_money", "out_money", "out_ratio", "out"]
        ),
    )
    for i in range(1, len(so.result)):
        _warn_if_not(book, s, cell_name(34 + i, 6), "ok")
    ladder_chart(book, s, (12, 0), len(lad.result) - 1, "I4")
    _protect(ws)
