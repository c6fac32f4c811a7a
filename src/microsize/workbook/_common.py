"""Pieces every worked sheet uses: validations, input blocks, warnings, protection."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any

from ._book import (
    NUMBER_KINDS,
    SPECS,
    SPECS_REF,
    TICK_FORMATS,
    Book,
    Call,
    Computed,
    Ref,
    cell_name,
    this_row,
)

# --------------------------------------------------------------------------- content
SIZE_ROW_FORMATS = {
    "Risk budget": "out_money",
    "Notional": "out_money",
    "Risk at stop": "out_money",
    "Risk %": "out_pct",
    "Unused budget": "out_money",
    "Fees": "out_money",
    "Leverage": "out_lev",
    "Margin": "out_money",
    "Liquidation price": "out_price",
    "Max leverage": "out_lev",
    "Risk at stop (USD)": "out_usd",
    "Stop fill": "out_price",
    "Contracts": "out_contracts",
    "Stop distance (% of entry)": "out_pct",
}
#: Format names that hold numbers: a header over such a column is right-aligned.
NUMBER_FORMATS = frozenset(f"{io}_{kind}" for io in ("in", "out") for kind in NUMBER_KINDS)


def contract_validation(keys_ref: str) -> dict[str, Any]:
    return {
        "validate": "list",
        "source": keys_ref,
        "error_type": "warning",
        "input_title": "Contract",
        "input_message": "Pick exchange:symbol from the list, or type a number (units of the underlying per contract).",
        "error_title": "Not in the Specs table",
        "error_message": "This is not a key of the Specs table. Keep it only if it is a number of units per contract or a row you added to Specs.",
    }


PCT_VALIDATION = {
    "validate": "decimal",
    "criteria": "between",
    "minimum": 0,
    "maximum": 1,
    "input_title": "Percent",
    "input_message": "Type it with a % sign: 1.5% (stored as 0.015).",
    "error_title": "Percent",
    "error_message": "Type a percentage between 0% and 100%, e.g. 1.5%.",
}
POSITIVE_VALIDATION = {
    "validate": "decimal",
    "criteria": ">",
    "value": 0,
    "error_title": "Positive number",
    "error_message": "Type a number greater than zero.",
}
LEVERAGE_VALIDATION = {
    "validate": "decimal",
    "criteria": ">",
    "value": 0,
    "input_title": "Leverage",
    "input_message": "Optional. Leave blank for no leverage rows; 20 means 20x.",
    "error_title": "Leverage",
    "error_message": "Type a leverage greater than zero, e.g. 20.",
}


def warn_if_not(book: Book, sheet: str, a1: str, ok_text: str) -> None:
    """Red fill on a result cell unless it says ok_text. A cell-value rule, not a formula
    rule: LibreOffice paints a formula rule on a cell of an array formula whatever it holds."""
    book.sheets[sheet].conditional_format(
        a1,
        {
            "type": "cell",
            "criteria": "not equal to",
            "value": f'"{ok_text}"',
            "format": book.fmt["warn"],
        },
    )


def protect_sheet(ws: Any) -> None:
    """Protect against accidental edits outside the yellow cells; no password."""
    ws.protect(
        "",
        {
            "format_cells": True,
            "format_columns": True,
            "format_rows": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
            "sort": True,
            "autofilter": True,
        },
    )


def unprotect_sheets_with_tables(book: Book) -> None:
    """No protection on a sheet that holds an Excel Table: protection would stop the table
    from growing (locked cells below it, no row insertion) in Excel and in LibreOffice."""
    for ws in book.sheets.values():
        if ws.tables:
            ws.protect_options = {}


def input_block(
    book: Book,
    sheet: str,
    top: int,
    col: int,
    items: Sequence[tuple[str, Any, str, dict[str, Any] | None]],
) -> list[Ref]:
    """Label/value input pairs down a column pair; returns the value refs."""
    ws = book.sheets[sheet]
    refs = []
    for i, (label, value, fmt, validation) in enumerate(items):
        book.write(sheet, cell_name(top + i, col), label, "label")
        a1 = cell_name(top + i, col + 1)
        refs.append(book.write(sheet, a1, value, fmt))
        if validation is not None:
            ws.data_validation(a1, validation)
    return refs


def label_value_styler(formats: dict[str, str]) -> Callable[[int, int, list[list[Any]]], str]:
    def styler(i: int, j: int, rows: list[list[Any]]) -> str:
        return "label" if j == 0 else formats.get(str(rows[i][0]), "out")

    return styler


def _header_styler(col_formats: Sequence[str]) -> Callable[[int, int, list[list[Any]]], str]:
    def styler(i: int, j: int, rows: list[list[Any]]) -> str:
        if i == 0:
            return "header_num" if col_formats[j] in NUMBER_FORMATS else "header"
        return col_formats[j]

    return styler


def shown_check(
    book: Book,
    sheet: str,
    a1: str,
    counted: tuple[str, str, str],
    counts: tuple[int, int],
    note: str = "",
) -> None:
    """A check cell (red unless it reads ok) for a spill that may show fewer rows than
    there are: Excel shows #SPILL! where a longer result runs into a block below, and
    LibreOffice keeps an array formula's range as saved and cuts a longer result without
    a word. ``counted`` is (formula counting the rows shown, formula giving how many there
    are, what they are); ``counts`` the two numbers in the template, for the cached value;
    ``note`` ends the sentence when rows are missing."""
    shown, want, what = counted
    formula = (
        f'=IF({shown}={want},"ok: all "&{want}&" {what} shown",'
        f'"only "&{shown}&" of "&{want}&" {what} shown{note}")'
    )
    n, total = counts
    value = (
        f"ok: all {total} {what} shown" if n == total else f"only {n} of {total} {what} shown{note}"
    )
    if "check" not in book.fmt:  # not wrapped: the sentence runs on into the empty cells
        book.fmt["check"] = book.wb.add_format({"bg_color": "#F2F2F2", "valign": "top"})
    book.plain(sheet, a1, formula, value, "check")
    absolute = "$" + re.sub(r"(\d+)$", r"$\1", a1)
    book.sheets[sheet].conditional_format(
        a1,
        {"type": "formula", "criteria": f'=LEFT({absolute},3)<>"ok:"', "format": book.fmt["warn"]},
    )


# --------------------------------------------------------------------------- ticks
def tick_decimals(tick: str) -> str:
    """Formula text: how many decimals the tick in cell ``tick`` has (0.1 -> 1, 0.25 -> 2,
    5 -> 0; ROUND, not TEXT, so that no locale's decimal sign matters), 2 when the cell
    holds no positive number (a contract size typed has no tick)."""
    expr = str(len(TICK_FORMATS) - 1)
    for d in range(len(TICK_FORMATS) - 2, -1, -1):
        expr = f"IF(ROUND({tick},{d})={tick},{d},{expr})"
    return f"IF(ISNUMBER({tick}),IF({tick}>0,{expr},2),2)"


def decimals_of(tick: Any) -> int:
    """What :func:`tick_decimals` gives, in Python: 0.1 -> 1, 0.25 -> 2, text -> 2.

    >>> [decimals_of(t) for t in (5.0, 0.1, 0.25, 0.0001, "n/a")]
    [0, 1, 2, 4, 2]
    """
    if not isinstance(tick, int | float) or isinstance(tick, bool) or tick <= 0:
        return 2
    return next((d for d in range(len(TICK_FORMATS)) if round(tick, d) == tick), 8)


def tick_rule(tick: str, d: int) -> str:
    """Formula text: the tick in cell ``tick`` is a positive number written exactly with
    ``d`` decimals (so with the fewest such ``d`` first, the first rule that holds wins)."""
    return f"AND(ISNUMBER({tick}),{tick}>0,ROUND({tick},{d})={tick})"


def prices_to_the_tick(book: Book, sheet: str, cells: Sequence[str], tick: str) -> None:
    """Show the price ``cells`` to the tick in cell ``tick`` (an absolute A1 name):
    57,228.9 for a 0.1 tick, as the sentences write it. One conditional number format per
    count of decimals (:data:`TICK_FORMATS`), the fewest that write the tick exactly
    first; a tick that is not a positive number leaves the workbook's price format."""
    ws = book.sheets[sheet]
    for d, code in enumerate(TICK_FORMATS):
        name = f"tick{d}"
        if name not in book.fmt:
            book.fmt[name] = book.wb.add_format({"num_format": code})
        ws.conditional_format(
            cells[0],
            {
                "type": "formula",
                "criteria": f"={tick_rule(tick, d)}",
                "format": book.fmt[name],
                "multi_range": " ".join(cells),
            },
        )


def tick_cell(
    book: Book, s: str, at: tuple[int, int], contract: Ref, label: str | None = None
) -> Ref:
    """The contract's tick (MF_SPEC) in cell ``at`` (row, col), which the sheet's prices
    are shown to; with ``label``, the label in the cell to its left; without, the cell
    reads "tick 5". A contract size typed has no tick ("n/a: size typed")."""
    row, col = at
    c = cell_name(*contract.first, absolute=True)
    if label is not None:
        book.write(s, cell_name(row, col - 1), label, "label")
    value: Any = "n/a: size typed"
    if not isinstance(book.model.value(contract), int | float):
        value = book.model.value(Call("MF_SPEC", (contract, "tick_size", SPECS)))
    formula = f'=IF(ISNUMBER({c}),"n/a: size typed",MF_SPEC({c},"tick_size",{SPECS_REF}))'
    fmt = book.fmt["out" if label is not None else "out_tick"]
    # a dynamic-array formula like every MF_ formula (so Excel adds no implicit @)
    book.sheets[s].write_dynamic_array_formula(row, col, row, col, formula, fmt, value)
    book.model.values[(s, row, col)] = value
    return Ref(s, (row, col))


# --------------------------------------------------------------------------- printing
#: Printable area of a landscape page that is both A4 and Letter (the smaller of each:
#: Letter's 11 in width, A4's 8.27 in height, less the default margins and a header), in
#: pixels at 96 dpi, with a little room for the difference between screen and printer.
_PAGE_W, _PAGE_H = 880, 640
#: Narrowest print scale: below it 11-point text prints under 8 points.
_MIN_SCALE = 0.75


def _breaks(sizes: Sequence[float], room: float, keep: Sequence[tuple[int, int]]) -> list[int]:
    """Page breaks (first index of each new page) over cells of ``sizes`` pixels, each page
    at most ``room``, never inside a span of ``keep`` ((first, last) indices: a chart),
    preferring a gap (a narrow column) to a break inside a block."""
    out: list[int] = []
    start, used = 0, 0.0
    for i, size in enumerate(sizes):
        if used + size <= room or i == start:
            used += size
            continue
        cut = i
        for first, last in keep:  # a chart across the cut moves to the next page
            if first < cut <= last and first > start:
                cut = first
        gaps = [j for j in range(start + 1, cut + 1) if min(sizes[j - 1], sizes[j]) <= 30]
        if cut == i and gaps and gaps[-1] > start + (i - start) // 2:
            cut = gaps[-1]
        out.append(cut)
        start, used = cut, sum(sizes[cut : i + 1])
    return out


def _print_setup(ws: Any, repeat_header: bool = False) -> None:
    """A print area over the used range and the charts, landscape, at the scale that
    fits one page width if it is legible (at least 75%), otherwise at 75% with column
    breaks at the narrow gap columns between blocks; no break splits a chart."""
    charts = []
    for row, col, chart, x_off, y_off, x_scale, y_scale, *_ in ws.charts:
        w, h = chart.width * x_scale + x_off, chart.height * y_scale + y_off
        r1, c1 = row, col
        while h > 0:
            h -= ws._size_row(r1)
            r1 += 1
        while w > 0:
            w -= ws._size_col(c1)
            c1 += 1
        charts.append((row, col, r1 - 1, c1 - 1))
    last_row = max([ws.dim_rowmax or 0, *(c[2] for c in charts)])
    last_col = max([ws.dim_colmax or 0, *(c[3] for c in charts)])
    widths = [ws._size_col(c) for c in range(last_col + 1)]
    heights = [ws._size_row(r) for r in range(last_row + 1)]
    ws.print_area(0, 0, last_row, last_col)
    ws.set_landscape()
    ws.set_paper(9)  # A4; the page room above fits Letter too
    ws.center_horizontally()
    scale = max(_MIN_SCALE, min(1.0, _PAGE_W / sum(widths)))
    if sum(widths) * scale > _PAGE_W:
        ws.set_v_pagebreaks(_breaks(widths, _PAGE_W / scale, [(c[1], c[3]) for c in charts]))
    ws.set_print_scale(int(scale * 100))
    ws.set_h_pagebreaks(_breaks(heights, _PAGE_H / scale, [(c[0], c[2]) for c in charts]))
    if repeat_header:
        ws.repeat_rows(0)


def print_setup(book: Book, tables: Sequence[str] = ("Specs", "Tiers", "Spec changes")) -> None:
    """Page setup of every sheet, once it is filled: see :func:`_print_setup`."""
    for name, ws in book.sheets.items():
        if name != "Lists":
            _print_setup(ws, repeat_header=name in tables)


def step_column(table: str, column: str, header: str, values: Sequence[Any], kind: str) -> Computed:
    """A calculated column of ``column``'s change from the row above: ``kind`` "return"
    (x / previous - 1, as a percentage) or "change" (x - previous). The first row, and a
    row where either price is blank or text (or the previous 0, for a return), is ""."""
    cur = this_row(table, column)
    # the row's number in the table, and the cell above it (INDEX, not OFFSET: OFFSET is
    # volatile and would recalculate every beta at every change)
    i = f"ROW()-ROW({table}[[#Headers],[{column}]])"
    prev = f"INDEX({table}[{column}],{i}-1)"
    if kind == "return":
        test, step = f"AND(ISNUMBER({cur}),ISNUMBER({prev}),{prev}<>0)", f"{cur}/{prev}-1"
    else:
        test, step = f"AND(ISNUMBER({cur}),ISNUMBER({prev}))", f"{cur}-{prev}"
    formula = f'=IF({i}<2,"",IF({test},{step},""))'
    out: list[Any] = [""]
    for a, b in itertools.pairwise(values):
        ok = all(isinstance(x, int | float) for x in (a, b)) and (kind != "return" or a != 0)
        out.append("" if not ok else b / a - 1 if kind == "return" else b - a)
    return Computed(header, formula, out, "out_pct" if kind == "return" else "out_ratio")
