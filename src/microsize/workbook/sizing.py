"""The Sizing sheet: two worked trades, the ATR / reward-to-risk block.

Every block is data: rows of (name, label, cell) that :func:`._rows.write_block` writes,
each row at its index in its block, each cell read by its name (``cells["entry"]``, the
MF_SIZE spill's rows by their labels: ``cells["Liquidation price"]``). The code below
places the blocks and adds what rows cannot say: the MF_SIZE spill, row heights and the
conditional formats over named cells.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import udfs
from ._book import (
    COIN_FORMAT,
    TICK_FORMATS,
    Book,
    Computed,
    Ref,
    cell_name,
    one_cell_range,
)
from ._common import SIZE_ROW_FORMATS, label_value_styler, protect_sheet, warn_if_not
from ._rows import arg, write_block, write_cell
from ._sizing_rows import (
    ABOUT_THE_CONTRACT,
    ATR_BARS,
    ATR_INPUTS,
    ATR_NOTE,
    ATR_RESULTS,
    ATR_VALUES,
    BEYOND_THE_SIZE,
    CHECKS,
    COIN_MONEY,
    COIN_QUANTITIES,
    MESSAGE_LINES,
    QUOTED_NOTE,
    SIDE_CHECK,
    SIZE_ARGS,
    TICK_PRICES,
    TITLE,
    TRADE_INPUTS,
    TRADES,
    inputs,
)

__all__ = ["ATR_BARS", "INPUT_TOP", "SIZE_TOP", "sizing_sheet"]

#: About how many characters of a result fit on one line of the 30-wide value columns.
_LINE = 28
#: Zero-based rows: the first input, the MF_SIZE spill (under the side check, a blank
#: row and its heading).
INPUT_TOP = 4
SIZE_TOP = INPUT_TOP + len(TRADE_INPUTS) + 1 + 2


def _format(book: Book, name: str, spec: Mapping[str, Any]) -> Any:
    """A format of this sheet's own, added to the book once."""
    if name not in book.fmt:
        book.fmt[name] = book.wb.add_format(dict(spec))
    return book.fmt[name]


def sizing_sheet(book: Book, keys: str) -> None:
    """The two worked trades side by side (inputs, side check, MF_SIZE, what lies beyond
    the size), the checks on trade 1 and trade 2's contract under them, the ATR block on
    the right."""
    s = "Sizing"
    ws = book.start(
        s,
        "Size a trade",
        "Type in the yellow cells; the grey cells are results of MF_ formulas. "
        "Contracts are in the exchange's own order unit (see Start).",
        [("A:A", 30), ("B:B", 30), ("C:C", 3), ("D:D", 26), ("E:E", 30)],
    )
    heights: dict[int, float] = {}  # row -> height that shows every wrapped result
    trades = []
    _format(book, "check_wrap", {"bg_color": "#F2F2F2", "text_wrap": True, "valign": "top"})
    for col, values in TRADES:
        cells: dict[str, Ref] = {}
        rows = [*inputs(keys, TRADE_INPUTS, values), SIDE_CHECK]
        write_block(book, s, (INPUT_TOP - 1, col), rows, cells, title=TITLE)
        heights[cells["side_check"].first[0]] = 30
        _red_unless_ok(book, s, cells["side_check"])
        below = _size(book, s, col, cells, heights)
        end = write_block(book, s, (below + 1, col), BEYOND_THE_SIZE, cells, "Beyond the size")
        _to_the_tick(book, s, cells)
        _coin_amounts(book, s, cells["Currency"], [cells[k] for k in COIN_MONEY])
        _coin_quantities(book, s, [cells[k] for k in COIN_QUANTITIES])
        for name, lines in MESSAGE_LINES.items():
            row = cells[name].first[0]
            heights[row] = max(heights.get(row, 15), 15 * lines)
        trades.append(cells)
    for row, height in heights.items():
        ws.set_row(row, height)

    eth, btc = trades
    top = end + 1  # one blank row below the blocks of the trades
    checks = dict(eth)
    write_block(book, s, (top, 0), CHECKS, checks, "Checks on trade 1")
    write_cell(book, s, (top + 1, 3), QUOTED_NOTE, checks)
    ws.merge_range(top + 1, 3, top + len(CHECKS), 4, None)
    write_block(
        book,
        s,
        (top + len(CHECKS) + 2, 3),
        ABOUT_THE_CONTRACT,
        dict(btc),
        "About the contract of trade 2",
    )
    _atr_block(book, s, keys)
    protect_sheet(ws)


def _red_unless_ok(book: Book, s: str, cell: Ref) -> None:
    """Red fill on a check cell unless its text starts with "ok:"."""
    a1, absolute = cell_name(*cell.first), cell_name(*cell.first, absolute=True)
    book.sheets[s].conditional_format(
        a1,
        {"type": "formula", "criteria": f'=LEFT({absolute},3)<>"ok:"', "format": book.fmt["warn"]},
    )


def _size(book: Book, s: str, col: int, cells: dict[str, Ref], heights: dict[int, float]) -> int:
    """MF_SIZE's spill under its heading, its rows named by their labels, each wrapped
    sentence given its lines (in ``heights``). Returns the row below the spill."""
    book.section(s, cell_name(SIZE_TOP - 1, col), "Result: MF_SIZE")
    size = book.formula(
        s,
        cell_name(SIZE_TOP, col),
        "MF_SIZE",
        *(arg(a, cells) for a in SIZE_ARGS),
        styler=label_value_styler(SIZE_ROW_FORMATS),
    )
    cells |= {label: Ref(s, (SIZE_TOP + i, col + 1)) for i, (label, _) in enumerate(size.result)}
    warn_if_not(book, s, cell_name(*cells["Warnings"].first), "none")
    for i, (_, value) in enumerate(size.result):  # a wrapped sentence gets its lines
        if isinstance(value, str) and len(value) > _LINE:
            lines = min(5, -(-len(value) // _LINE))
            heights[SIZE_TOP + i] = max(heights.get(SIZE_TOP + i, 15), 15 * lines)
    return SIZE_TOP + len(size.result)


def _coin_amounts(book: Book, s: str, currency: Ref, cells: list[Ref]) -> None:
    """Money to the satoshi (0.00750000) where MF_SIZE's Currency is a coin (an inverse
    contract settles in BTC or ETH): cents would show a 0.0075 BTC budget as 0.01."""
    c = cell_name(*currency.first, absolute=True)
    # c&"": LibreOffice 7.4 finds a text an add-in returned unequal to the same text typed
    # ($E$24="USDT" is FALSE where E24 shows USDT); a text built from it compares right
    fiat = ",".join(f'{c}&""<>"{x}"' for x in ("USD", "USDT", "USDC"))
    book.sheets[s].conditional_format(
        cell_name(*cells[0].first),
        {
            "type": "formula",
            "criteria": f'=AND(ISTEXT({c}),{fiat},LEFT({c},5)<>"quote")',
            "format": _format(book, "coin", {"num_format": COIN_FORMAT}),
            "multi_range": " ".join(cell_name(*r.first) for r in cells),
        },
    )


def _coin_quantities(book: Book, s: str, cells: list[Ref]) -> None:
    """Coin amounts to their own decimals, at most eight (the satoshi): 0.375, 0.009,
    617.34433333 for the BTC of an inverse contract's USD contracts; one conditional
    number format per count of decimals, the first that shows the amount whole wins."""
    q = cell_name(*cells[0].first)  # relative: each cell of the range tests itself
    for d, code in enumerate(TICK_FORMATS):
        whole = "TRUE" if d == len(TICK_FORMATS) - 1 else f"ABS({q}-ROUND({q},{d}))<=1E-12*ABS({q})"
        book.sheets[s].conditional_format(
            q,
            {
                "type": "formula",
                "criteria": f"=AND(ISNUMBER({q}),{whole})",
                "format": _format(book, f"tick{d}", {"num_format": code}),
                "multi_range": " ".join(cell_name(*r.first) for r in cells),
            },
        )


def _decimal(x: float) -> str:
    """A small number as formula text without an exponent: 9.999e-05 -> 0.00009999."""
    return format(x, ".12f").rstrip("0")


def _to_the_tick(book: Book, s: str, cells: Mapping[str, Ref]) -> None:
    """The trade's prices (:data:`TICK_PRICES`) to its contract's tick (57,228.9 for a 0.1
    tick, as the warnings write them): one conditional number format per count of
    decimals, the tick read back from the stop distance and its count of ticks (no tick
    for a contract size typed: the workbook's price format stays)."""
    e, st, n = (cell_name(*cells[k].first, absolute=True) for k in ("entry", "stop", "stop_ticks"))
    prices = [cells[k] for k in TICK_PRICES]
    ranges = " ".join(cell_name(*c.first) for c in prices)
    for d, code in enumerate(TICK_FORMATS):
        book.sheets[s].conditional_format(
            cell_name(*prices[0].first),
            {
                "type": "formula",
                "criteria": f"=AND(ISNUMBER({n}),{n}>0,ABS({e}-{st})/{n}>={_decimal(0.9999 * 10.0**-d)})",
                "format": _format(book, f"tick{d}", {"num_format": code}),
                "multi_range": ranges,
            },
        )


def _atr_block(book: Book, s: str, keys: str) -> None:
    """ATR stop, stop slippage, 3R target, reward to risk and a USD-sized position, in
    columns G to M of the Sizing sheet: the table Bars with its own ATR column, inputs
    and results."""
    ws = book.sheets[s]
    for cols, width in (("F:F", 3), ("G:I", 11), ("J:J", 24), ("K:K", 3), ("L:L", 30), ("M:M", 16)):
        ws.set_column(cols, width)
    top, bars_col, col = INPUT_TOP - 1, 6, 11
    book.section(s, cell_name(top, bars_col), "ATR and reward to risk: bars", span=4)
    cells: dict[str, Ref] = {}
    rows = inputs(keys, ATR_INPUTS, ATR_VALUES)
    below = write_block(book, s, (top, col), rows, cells, "ATR stop, target and R:R")
    book.table(
        s,
        cell_name(top + 1, bars_col),
        "Bars",
        ["High", "Low", "Close"],
        [list(b) for b in ATR_BARS],
        ["in_price"] * 3,
        [_atr_column(book, cells["periods"], cells["method"])],
    )
    # the same n/a sentence down the column is shown once, the repeats faint: a reader
    # sees where the ATR starts, and each cell still holds its text
    atr = bars_col + 3
    head, first, last = (cell_name(top + 2 + i, atr) for i in (0, 1, len(ATR_BARS) - 1))
    ws.conditional_format(
        f"{first}:{last}",
        {
            "type": "formula",
            "criteria": f'=AND(LEFT({first},4)="n/a:",{first}={head})',
            "format": book.wb.add_format({"font_color": "#D0D0D0"}),
        },
    )
    below = write_block(book, s, (below + 1, col), ATR_RESULTS, cells, "Results")
    write_cell(book, s, (below + 1, col), ATR_NOTE, cells)
    ws.merge_range(below + 1, col, below + 5, col + 1, None)


def _atr_column(book: Book, periods: Ref, method: Ref) -> Computed:
    """Bars' own ATR column: each row takes its bar's ATR from MF_ATR over the whole
    table (the ATR of a bar reads only the bars up to it), so a row typed below the table
    or inserted inside it has its ATR and the rows after it follow. A refused input shows
    its message in every row."""
    # optional arguments as one-cell ranges: LibreOffice hands an add-in an empty single
    # cell as 0 (see one_cell_range)
    p, m = (one_cell_range(cell_name(*r.first, absolute=True)) for r in (periods, method))
    call = f"MF_ATR(Bars[High],Bars[Low],Bars[Close],{p},{m})"
    i = "ROW()-ROW(Bars[[#Headers],[High]])"
    formula = f"=IFERROR(INDEX({call},{i},1),INDEX({call},1,1))"
    high, low, close = ([[b[k]] for b in ATR_BARS] for k in range(3))
    result = udfs.MF_ATR(high, low, close, book.model.value(periods), book.model.value(method))
    return Computed("ATR", formula, [r[0] for r in result], "out_price")
