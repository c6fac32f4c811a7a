"""Reference sheets: Specs (with the key column every contract dropdown lists), Tiers,
Spec changes, xlwings.conf."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._contracts import (
    TIER_COLUMNS,
    MarginTier,
)
from ._book import LEV_FORMAT, SPECS_TABLE, Book
from ._common import protect_sheet

#: The Specs table's calculated column of contract keys, and the workbook name every
#: contract dropdown reads: the whole column, so a row added to Specs is in every dropdown
#: (Excel and LibreOffice both take a name over a table column as a list's source).
KEY_COLUMN = "key"
CONTRACT_KEYS = "ContractKeys"
KEY_FORMULA = f'={SPECS_TABLE}[[#This Row],[exchange]]&":"&{SPECS_TABLE}[[#This Row],[symbol]]'


def specs_sheet(book: Book, rows: list[list[Any]]) -> None:
    s = "Specs"
    ws = book.sheets[s]
    header, data = [*rows[0], KEY_COLUMN], rows[1:]
    pct = {"maker_fee", "taker_fee", "mmr"}
    columns = []
    for name in header:
        col: dict[str, Any] = {"header": name}
        if name in pct:
            col["format"] = book.fmt["spec_pct"]
        columns.append(col)
    columns[-1]["formula"] = KEY_FORMULA
    ws.add_table(
        0,
        0,
        len(data),
        len(header) - 1,
        {
            "name": SPECS_TABLE,
            "columns": columns,
            "data": [["" if v is None else v for v in r] for r in data],
            "style": "Table Style Light 9",
        },
    )
    for i, r in enumerate(data):  # the key of each row, cached
        ws.write_formula(i + 1, len(header) - 1, KEY_FORMULA, None, f"{r[0]}:{r[1]}")
    book.wb.define_name(CONTRACT_KEYS, f"={SPECS_TABLE}[{KEY_COLUMN}]")
    widths = {"source": 60, "exchange": 12, "symbol": 16, "qty_unit": 14, "as_of": 11}
    widths[KEY_COLUMN] = 24
    for j, name in enumerate(header):  # each header fits its column: none runs into the next
        ws.set_column(j, j, max(widths.get(name, 10), len(str(name)) + 3))
    ws.freeze_panes(1, 2)
    note_col = len(header) + 1
    ws.set_column(note_col, note_col, 50)
    ws.write(
        0,
        note_col,
        "The exchange multiplier table every MF_ formula in this workbook reads (Specs[[#All]]). "
        "Edit a value or add a row at the bottom of the table and the formulas follow. "
        "The key column (exchange:symbol, the table's own formula) is what a Contract cell "
        "takes: every contract dropdown lists it (the name ContractKeys), a row you add too. "
        "contract_size is the value of one unit of the exchange's order quantity (qty_unit); "
        "fees and mmr are fractions shown as %. Each row names its source and as-of date. "
        "`microsize workbook update-specs` refreshes the package's rows and keeps yours.",
        book.fmt["note"],
    )
    ws.set_row(0, 30)


def tiers_sheet(book: Book, rows: list[list[Any]]) -> None:
    s = "Tiers"
    ws = book.sheets[s]
    header, data = rows[0], rows[1:]
    ws.add_table(
        0,
        0,
        len(data),
        len(header) - 1,
        {
            "name": "Tiers",
            "columns": [_tier_column(book, h) for h in header],
            "data": [["" if v is None else v for v in r] for r in data],
            "style": "Table Style Light 9",
        },
    )
    widths = {"source": 60, "floor_unit": 14, "as_of": 11}
    for j, name in enumerate(header):
        ws.set_column(j, j, max(widths.get(name, 12), len(str(name)) + 3))
    note_col = len(header) + 1
    ws.set_column(note_col, note_col, 50)
    ws.write(
        0,
        note_col,
        "Maintenance-margin brackets the liquidation functions use: these are the package's "
        "tiers, shown for reference. Editing them here does not change results; pass mmr and "
        "maint_amount to MF_LIQ_PRICE to use other values.",
        book.fmt["note"],
    )
    ws.freeze_panes(1, 2)
    protect_sheet(ws)


def _tier_column(book: Book, name: str) -> dict[str, Any]:
    """A Tiers column: mmr as a percent, floors, caps and amounts with thousands
    separators, leverage as 20x."""
    fmt = {
        "mmr": ("spec_pct", None),
        "floor": ("tier_amount", "#,##0.########"),
        "cap": ("tier_amount", "#,##0.########"),
        "maint_amount": ("tier_amount", "#,##0.########"),
        "max_leverage": ("tier_lev", LEV_FORMAT),
    }.get(name)
    if fmt is None:
        return {"header": name}
    key, num = fmt
    if key not in book.fmt:
        book.fmt[key] = book.wb.add_format({"num_format": num})
    return {"header": name, "format": book.fmt[key]}


def changes_sheet(book: Book) -> None:
    s = "Spec changes"
    ws = book.sheets[s]
    ws.set_column("A:A", 10)
    ws.set_column("B:C", 24)
    ws.set_column("D:E", 30)
    for j, h in enumerate(("change", "key", "field", "old", "new")):
        ws.write(0, j, h, book.fmt["header"])
    # not wrapped: the note runs on over the empty columns B to E (wrapped in column A it
    # was cut); not merged either, since update-specs writes its rows from row 2
    book.fmt.setdefault("note_line", book.wb.add_format({"italic": True, "font_color": "#595959"}))
    ws.write(
        1,
        0,
        "No refresh applied yet: `microsize workbook update-specs` lists here what it changed.",
        book.fmt["note_line"],
    )


def conf_sheet(book: Book) -> None:
    s = "xlwings.conf"
    ws = book.sheets[s]
    ws.set_column("A:A", 18)
    ws.set_column("B:B", 18)
    ws.set_column("D:D", 80)
    ws.write("A1", "UDF Modules")
    ws.write("B1", "microsize.udfs")
    ws.write(
        "D1",
        "xlwings reads its settings from this sheet: one setting per row, name in column A, "
        "value in column B, from A1 down with no gap. UDF Modules tells it where the MF_ "
        "functions live. Add a row such as Interpreter_Win with the full path to pythonw.exe "
        "(xlwings' default interpreter is pythonw) if Excel does not find your Python. Keep "
        "notes out of columns A and B.",
        book.fmt["note"],
    )
    ws.set_row(0, 75)


def tier_rows(tiers: Sequence[MarginTier]) -> list[list[Any]]:
    """Margin tiers as a header row plus rows, in ``TIER_COLUMNS`` order."""
    out: list[list[Any]] = [list(TIER_COLUMNS)]
    for t in tiers:
        out.append([getattr(t, c) for c in TIER_COLUMNS])
    return out


#: xlwings version whose standalone VBA project the template embeds (see pyproject.toml).
