"""The Hedge sheet: one position hedged by beta; Hull's minimum-variance ratio."""

from __future__ import annotations

from ._book import SPECS, Book, Ref, cell_name
from ._common import (
    POSITIVE_VALIDATION,
    contract_validation,
    input_block,
    label_value_styler,
    prices_to_the_tick,
    step_column,
    tick_cell,
)
from ._data import hull_prices
from .charts import fit_caption, hedge_chart


def hedge_sheet(book: Book, keys: str) -> None:
    s = "Hedge"
    ws = book.start(
        s,
        "Hedge one position by beta",
        "Contracts to trade (negative = sell) for the target beta: (target - beta) x exposure "
        "/ one contract's value, rounded to the lot step.",
        [("A:A", 30), ("B:B", 18), ("C:C", 3), ("D:D", 8), ("E:F", 13), ("G:H", 16)],
    )
    book.section(s, "A4", "Position")
    exposure, beta_in, price, contract, target = input_block(
        book,
        s,
        4,
        0,
        [
            ("Exposure (USD, long +)", 250000, "in_usd", None),
            ("Beta to BTC", 1.2, "in_num", None),
            ("Hedge price (BTC)", 60000, "in_price", POSITIVE_VALIDATION),
            ("Hedge contract", "cme:MBT", "in", contract_validation(keys)),
            ("Target beta", 0, "in_num", None),
        ],
    )
    book.write(s, "A10", "Contracts to trade: MF_HEDGE", "label")
    n = book.formula(
        s, "B10", "MF_HEDGE", exposure, beta_in, price, contract, target, SPECS, fmt="out_contracts"
    )
    book.write(s, "A11", "Their notional: MF_NOTIONAL", "label")
    book.formula(
        s, "B11", "MF_NOTIONAL", Ref(s, (n.row, n.col)), price, contract, SPECS, fmt="out_usd"
    )
    # the hedge price to the hedge contract's tick: 60,000 for CME's 5-dollar tick
    tick = tick_cell(book, s, (11, 1), contract, "Tick size: MF_SPEC")
    prices_to_the_tick(book, s, [cell_name(*price.first)], cell_name(*tick.first, absolute=True))

    book.section(s, "A14", "Minimum-variance hedge ratio (Hull, Example 3.3)")
    book.write(
        s,
        "A15",
        "Jet fuel hedged with heating-oil futures: Hull's Table 3.2 gives h* = 0.78 and a hedge "
        "effectiveness of 0.86. Prices rebuilt from Hull's monthly changes, starting at 2.000.",
        "note",
    )
    ws.merge_range("A15:B18", None)
    spot, fut = hull_prices()
    hull = book.table(
        s,
        "D14",
        "Hull",
        ["Month", "Jet fuel", "Heating oil"],
        [[i, a, b] for i, (a, b) in enumerate(zip(spot, fut, strict=True))],
        ["out_num", "in_price", "in_price"],
        [
            step_column("Hull", "Heating oil", "Futures change", list(fut), "change"),
            step_column("Hull", "Jet fuel", "Spot change", list(spot), "change"),
        ],
    )
    spot_ref, fut_ref = hull["Jet fuel"], hull["Heating oil"]
    hedge_chart(book, s, 15, len(spot) - 1, "J4")
    fit_caption(
        book,
        (s, "J3"),
        ("Hull[Spot change]", "Hull[Futures change]"),
        ("Fitted line: ", "spot change", "futures change", ""),
        (
            [r[0] for r in book.model.value(hull["Spot change"])],
            [r[0] for r in book.model.value(hull["Futures change"])],
        ),
    )
    book.write(s, "A20", "Hedge ratio: MF_HEDGE_RATIO", "label")
    book.formula(s, "B20", "MF_HEDGE_RATIO", spot_ref, fut_ref, fmt="out_ratio")
    book.write(s, "A22", "Statistics: MF_HEDGE_STATS", "label")
    book.formula(
        s,
        "A23",
        "MF_HEDGE_STATS",
        spot_ref,
        fut_ref,
        styler=label_value_styler(
            {
                "Hedge ratio": "out_ratio",
                "Correlation": "out_ratio",
                "SD of spot changes": "out_ratio",
                "SD of futures changes": "out_ratio",
                "Hedge effectiveness": "out_ratio",
            }
        ),
    )
