"""The Planner sheet: a table of planned trades, each sized by column calls (one formula
per result column, spilling beside the table), and their combined risk and margin.

Every block is data (:mod:`._planner_rows`): rows of (name, label, cell) that
:func:`._rows.write_block` writes, the blocks by venue and by coin as grids for
:func:`._rows.write_grid`, the table's calculated columns; cells are read by name. The
code below places the blocks (each row from the sizes of the blocks above it) and adds
what rows cannot say: the table, its validations and red rules, merged cells.
"""

from __future__ import annotations

from typing import Any

from ._book import Book, Ref, cell_name
from ._common import contract_validation
from ._planner_rows import (
    ACCOUNT,
    CHECK_SPAN,
    CHECKS,
    COIN_TITLE,
    COINS,
    FORMATS,
    INPUTS,
    NOTE,
    RATIOS,
    TABLE_TITLE,
    TABLE_VALIDATIONS,
    TABLE_WARNINGS,
    TITLE,
    TOTALS,
    TOTALS_TITLE,
    TRADES,
    VENUE_TITLE,
    VENUES,
    VERDICT,
    VERDICT_SPAN,
    WIDTHS,
    coin_grid,
    per_trade,
    trade_results,
    venue_grid,
)
from ._rows import write_block, write_cell, write_grid

__all__ = ["BLOCK_TOP", "COINS", "TABLE_TOP", "TRADES", "VENUES", "planner_sheet"]

#: Zero-based rows and columns. The headings of Account and Totals under the sheet's
#: title and note; the ratios and checks (labels, then their cells two columns right)
#: beside Totals, the verdict right of the ratios.
TOP = 3
TOTALS_COL, SIDE_COL, VERDICT_COL, COIN_COL = 3, 9, 13, 3
#: The blocks by venue and by coin (their header row) one blank row and their heading
#: below the blocks above; the Trades header the same below them (each block: its
#: header, a row per venue or coin listed, "Other" and "All").
BLOCK_TOP = max(TOP + 1 + len(ACCOUNT), TOP + 1 + len(RATIOS) + len(CHECKS)) + 2
TABLE_TOP = BLOCK_TOP + 1 + max(len(VENUES), len(COINS)) + 2 + 2


def planner_sheet(book: Book, keys: str) -> None:
    """The Account inputs, the table Trades, the checks, totals and ratios beside the
    account, the blocks by venue and by coin above the table."""
    s = "Planner"
    ws = book.start(s, TITLE, NOTE, WIDTHS)
    ws.freeze_panes(0, 1)  # each trade's name stays in view beside its results
    cells: dict[str, Ref] = {}
    write_block(book, s, (TOP, 0), ACCOUNT, cells, "Account")
    results = [trade_results(t, book.model.value(cells["account"])) for t in TRADES]
    _trades_table(book, s, keys, cells["account"], results)
    below = write_block(book, s, (TOP + 1 + len(RATIOS), SIDE_COL), CHECKS, cells, gap=2)
    for name, _, _ in CHECKS:
        row, col = cells[name].first
        ws.merge_range(row, col, row, col + CHECK_SPAN - 1, None)
    write_block(book, s, (TOP, TOTALS_COL), TOTALS, cells, TOTALS_TITLE, gap=3)
    write_block(book, s, (TOP + 1, SIDE_COL), RATIOS, cells, gap=2)
    write_cell(book, s, (TOP + 1, VERDICT_COL), VERDICT, cells)
    ws.merge_range(TOP + 1, VERDICT_COL, TOP + 1, VERDICT_COL + VERDICT_SPAN - 1, None)
    assert below + 2 == BLOCK_TOP  # the layout above is what BLOCK_TOP counts
    book.section(s, cell_name(BLOCK_TOP - 1, 0), VENUE_TITLE, span=3)
    end = write_grid(book, s, (BLOCK_TOP, 0), venue_grid(results), cells)
    book.section(s, cell_name(BLOCK_TOP - 1, COIN_COL), COIN_TITLE, span=5)
    for name, spec in FORMATS.items():  # right of right-aligned columns
        if name not in book.fmt:
            book.fmt[name] = book.wb.add_format(spec)
    end = max(end, write_grid(book, s, (BLOCK_TOP, COIN_COL), coin_grid(results), cells))
    assert end + 2 == TABLE_TOP  # the blocks are as long as TABLE_TOP counts


def _trades_table(
    book: Book, s: str, keys: str, account: Ref, results: list[dict[str, Any]]
) -> None:
    """The table Trades under its heading: the typed columns, their validations, the
    calculated columns and their red rules."""
    ws = book.sheets[s]
    top = TABLE_TOP
    book.section(s, cell_name(top - 1, 0), TABLE_TITLE, span=21)
    ws.set_row(top, 30)
    book.table(
        s,
        cell_name(top, 0),
        "Trades",
        [h for h, _ in INPUTS],
        [list(r) for r in TRADES],
        [f for _, f in INPUTS],
        per_trade(results, cell_name(*account.first, absolute=True), keys),
    )
    first, last = top + 1, top + len(TRADES)
    col = {h: i for i, h in enumerate(book.model.tables["Trades"].header)}
    for header, validation in TABLE_VALIDATIONS:
        rule = contract_validation(keys) if validation is None else dict(validation)
        ws.data_validation(first, col[header], last, col[header], rule)
    for header, warning in TABLE_WARNINGS:
        rule = {k: v.format(cell=cell_name(first, col[header])) for k, v in warning.items()}
        ws.conditional_format(
            first, col[header], last, col[header], rule | {"format": book.fmt["warn"]}
        )
