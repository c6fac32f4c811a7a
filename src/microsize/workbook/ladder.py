"""The Ladder sheet: scale in under one stop, scale out.

The legs and the exits are the tables Entries and Targets: their own grey columns
(calculated columns) take each row's row of MF_LADDER / MF_SCALE_OUT over the whole
table, so a row added to the table (typed below it in Excel, inserted in LibreOffice) has
its results, and the legs' sum stays the position. The evenly spaced prices and weights
are not spills (LibreOffice 7.4 keeps an array formula's range as saved and would cut a
longer result without a word): a formula in each of :data:`LEG_ROWS` rows shows its leg
while the leg is at most the Legs typed, and a check cell beside them counts the rows
shown against Legs.
"""

from __future__ import annotations

from typing import Any

from ._book import (
    PCT_FORMAT,
    PRICE_FORMAT,
    SPECS,
    SPECS_REF,
    Book,
    Call,
    Computed,
    Ref,
    cell_name,
    one_cell_range,
    this_row,
)
from ._common import (
    PCT_VALIDATION,
    POSITIVE_VALIDATION,
    contract_validation,
    input_block,
    protect_sheet,
)
from .charts import ladder_chart

#: Rows below the legs and the exits (the tables Entries and Targets) before their checks.
ROOM = 10
#: Rows written for the evenly spaced prices and weights: Legs up to this many are shown.
LEG_ROWS = 20

# Row numbers (1-based, as the sheet shows them) of each block.
_LADDER_HEAD = 17  # the header row of Entries; legs below it
_PRICES_TOP = 31  # the evenly spaced block's inputs and headers
_OUT_TOP = 54  # scale-out inputs
_PLAN_HEAD = 67  # the header row of Targets; exits below it


def _array_cell(
    book: Book, s: str, at: tuple[int, int], formula: str, value: Any, fmt: str
) -> None:
    """A one-cell formula holding an MF_ call inside other functions, stored as a
    dynamic-array formula like every MF_ formula (so Excel adds no implicit @)."""
    row, col = at
    book.sheets[s].write_dynamic_array_formula(row, col, row, col, formula, book.fmt[fmt], value)
    book.model.values[(s, row, col)] = value


def _evenly_spaced(book: Book, s: str) -> None:
    """Evenly spaced entries (MF_LADDER_PRICES) beside pyramid weights (MF_WEIGHTS), one
    row per leg: :data:`LEG_ROWS` rows are written, row k showing the k-th price and
    weight while the function's result has k rows, and "" below. Not a spill: LibreOffice
    7.4 keeps an array formula's saved range (5 rows for 5 legs, whatever Legs says
    later), while a formula in each row follows Legs in both applications. Check cells
    beside the rows count the prices and weights shown against Legs, and say so when Legs
    is more than the rows written or a function refuses its inputs (its message)."""
    top = _PRICES_TOP - 1  # zero-based row of the inputs and headers
    book.section(
        s,
        cell_name(top - 1, 0),
        "Evenly spaced entries: MF_LADDER_PRICES, pyramid weights: MF_WEIGHTS",
        span=5,
    )
    first, last, n_legs, tick = input_block(
        book,
        s,
        top,
        0,
        [
            ("First price", 3520, "in_price", POSITIVE_VALIDATION),
            ("Last price", 3480, "in_price", POSITIVE_VALIDATION),
            (f"Legs (1 to {LEG_ROWS})", 5, "in_num", POSITIVE_VALIDATION),
            ("Tick (or a contract)", "binance:ETHUSDT", "in", None),
        ],
    )
    for j, title in enumerate(("Leg", "Price", "Weight")):
        book.write(s, cell_name(top, 2 + j), title, "header_num")
    a = {
        k: cell_name(*r.first, absolute=True)
        for k, r in zip("flnt", (first, last, n_legs, tick), strict=True)
    }
    calls = {
        "prices": f'MF_LADDER_PRICES({a["f"]},{a["l"]},{a["n"]},"even",'
        f"{one_cell_range(a['t'])},{SPECS_REF})",
        "weights": f'MF_WEIGHTS({a["n"]},"pyramid")',
    }
    results = {
        "prices": book.model.value(
            Call("MF_LADDER_PRICES", (first, last, n_legs, "even", tick, SPECS))
        ),
        "weights": book.model.value(Call("MF_WEIGHTS", (n_legs, "pyramid"))),
    }
    first_row = top + 1
    rows = (first_row, first_row + LEG_ROWS - 1)
    for col, what, fmt in ((3, "prices", "even_price"), (4, "weights", "even_pct")):
        values = results[what]
        for k in range(1, LEG_ROWS + 1):
            # ROWS(call)<k: past the legs typed, or a refusal (the message is one cell,
            # shown in the first row). No guard reads another cell holding an MF_ result
            # or hides the call's own error (IFERROR, ISNUMBER): LibreOffice 7.4 binds an
            # add-in function read from a file only in a formula that shows the error of
            # the unbound call, and would leave such a row blank or #NAME?
            formula = (
                f"=INDEX({calls[what]},1)"
                if k == 1
                else f'=IF(ROWS({calls[what]})<{k},"",INDEX({calls[what]},{k}))'
            )
            value = values[k - 1][0] if k <= len(values) else ""
            _array_cell(book, s, (first_row + k - 1, col), formula, value, _fmt(book, fmt))
    for k in range(1, LEG_ROWS + 1):
        r = first_row + k - 1
        shown = k <= len(results["prices"])
        book.plain(
            s,
            cell_name(r, 2),
            f'=IF(ISNUMBER({cell_name(r, 3)}),{k},"")',
            k if shown else "",
            _fmt(book, "even_num"),
        )
    book.sheets[s].conditional_format(
        first_row,
        2,
        rows[1],
        4,
        {
            "type": "formula",
            "criteria": f'=${cell_name(first_row, 3)}<>""',
            "format": _fmt(book, "even_shown", raw=True),
        },
    )
    book.write(
        s,
        cell_name(top + 5, 0),
        f"Type the number of legs in Legs: the rows beside follow it, up to {LEG_ROWS}.",
        "note",
    )
    book.sheets[s].merge_range(top + 5, 0, top + 6, 1, None)
    # the checks right of the block, where a function's message has room to be read
    book.write(s, cell_name(top, 6), "Check", "header")
    for i, (what, col) in enumerate((("prices", 3), ("weights", 4))):
        at = cell_name(first_row + i, 6)
        _legs_check(book, s, at, (what, col, rows), (a["n"], len(results[what])))


def _fmt(book: Book, name: str, raw: bool = False) -> Any:
    """The evenly spaced block's formats, made on first use: its cells have no fill of
    their own (rows past Legs are blank); a conditional format greys the rows shown."""
    if name not in book.fmt:
        spec: dict[str, Any] = {"valign": "top"}
        spec |= {
            "even_price": {"num_format": PRICE_FORMAT},
            "even_pct": {"num_format": PCT_FORMAT},
            "even_num": {"num_format": "General"},
            "even_shown": {"bg_color": "#F2F2F2"},
        }[name]
        book.fmt[name] = book.wb.add_format(spec)
    return book.fmt[name] if raw else name


def _legs_check(
    book: Book, s: str, a1: str, column: tuple[str, int, tuple[int, int]], legs: tuple[str, int]
) -> None:
    """A check cell (red unless it reads ok) beside the evenly spaced block: the function's
    message when its first row holds one, else the numbers shown in ``column`` (what,
    zero-based column, first and last rows) against Legs (``legs``: its cell, and the
    template's count for the cached text)."""
    what, col, (r0, r1) = column
    n, count = legs
    head = cell_name(r0, col, absolute=True)
    span = f"{head}:{cell_name(r1, col, absolute=True)}"
    formula = (
        f'=IF(NOT(ISNUMBER({head})),"error: "&{head},IF(COUNT({span})={n},'
        f'"ok: all "&{n}&" {what} shown","only "&COUNT({span})&" of "&{n}&" {what} shown: '
        f'the sheet has rows for {LEG_ROWS} legs"))'
    )
    if "check" not in book.fmt:
        book.fmt["check"] = book.wb.add_format({"bg_color": "#F2F2F2", "valign": "top"})
    book.plain(s, a1, formula, f"ok: all {count} {what} shown", "check")
    absolute = "$" + a1[0] + "$" + a1[1:]
    book.sheets[s].conditional_format(
        a1,
        {"type": "formula", "criteria": f'=LEFT({absolute},3)<>"ok:"', "format": book.fmt["warn"]},
    )


def ladder_sheet(book: Book, keys: str) -> None:
    s = "Ladder"
    ws = book.start(
        s,
        "Scale in and scale out",
        "One budget, one stop, several entries: if every entry fills and the stop is hit, the "
        "ladder loses at most the budget. Weights are shares of quantity (30/40/30). Legs and "
        "exits are the tables Entries and Targets; their grey columns compute each row "
        "(MF_LADDER, MF_SCALE_OUT), a new row too. The evenly spaced prices show as many legs "
        f"as Legs says (up to {LEG_ROWS}); the check cells say when a row is missing.",
        [("A:A", 34), ("B:B", 16), ("C:H", 14), ("G:G", 40)],
    )
    book.section(s, "A4", "Scale-in inputs")
    acct, risk_pct, stop, contract, fee = input_block(
        book,
        s,
        4,
        0,
        [
            ("Account size", 2000, "in_money", POSITIVE_VALIDATION),
            ("Risk per trade", 0.015, "in_pct", PCT_VALIDATION),
            ("Stop price", 3450, "in_price", POSITIVE_VALIDATION),
            ("Contract", 0.001, "in", contract_validation(keys)),
            ("Fee rate (each side)", 0, "in_pct", PCT_VALIDATION),
        ],
    )
    book.write(s, "A10", "Risk budget: MF_RISK_AMOUNT", "label")
    budget = book.formula(s, "B10", "MF_RISK_AMOUNT", acct, risk_pct, fmt="out_money")
    head = _LADDER_HEAD - 1  # zero-based
    book.section(
        s, cell_name(head - 1, 0), "Scale-in ladder: table Entries, legs by MF_LADDER", span=7
    )
    inputs = (Ref(s, (budget.row, budget.col)), stop, contract, fee)
    rows = [[3520, 30], [3500, 40], [3480, 30]]
    lad = book.model.value(
        Call(
            "MF_LADDER",
            (inputs[0], [[r[0]] for r in rows], stop, contract, [[r[1]] for r in rows], fee, SPECS),
        )
    )
    book.table(
        s,
        cell_name(head, 0),
        "Entries",
        ["Entry", "Weight"],
        rows,
        ["in_price", "in_num"],
        _leg_columns(inputs, lad),
    )
    ws.data_validation(head + 1, 0, head + ROOM, 1, POSITIVE_VALIDATION)
    legs = len(lad) - 1
    _note_rule(book, s, (head + 1, 6), legs)
    check_row = _LADDER_HEAD + ROOM + 1
    book.write(s, f"A{check_row}", "Check: every leg of Entries computed", "label")
    _rows_check(book, s, f"B{check_row}", ("Entries", "Entry", "legs"), legs)

    _evenly_spaced(book, s)
    _scale_out(book, s, keys, lad)
    ladder_chart(book, s, (head, 0), legs, "I4")
    protect_sheet(ws)


#: The Entries table's calculated columns: (header, column of MF_LADDER's result, format).
LEG_COLUMNS = (
    ("Contracts", 3, "out_num"),
    ("Cum contracts", 4, "out_num"),
    ("Avg entry", 5, "out_price"),
    ("Cum risk", 6, "out_money"),
    ("Note", 7, "out_text"),
)


#: The Targets table's calculated columns: (header, column of MF_SCALE_OUT's result, format).
TARGET_COLUMNS = (
    ("Contracts", 3, "out_num"),
    ("PnL", 4, "out_money"),
    ("Cum PnL", 5, "out_money"),
    ("R", 6, "out_ratio"),
    ("Note", 7, "out_text"),
)


def _per_row(
    table: str, call: str, result: Any, columns: tuple[tuple[str, int, str], ...]
) -> list[Computed]:
    """A table's own result columns: each row takes its own row of ``call`` (MF_LADDER or
    MF_SCALE_OUT over the whole table), so a row typed below the table or inserted inside
    it has its results, and the rows after it follow (with the weights, every row's size
    changes). ``result`` is the call's result for the template's rows (the cached values).
    A call that refuses its inputs shows its message in Note ("error: ...") and "n/a: see
    Note" in the numbers."""
    first = columns[0][0]
    i = f"ROW()-ROW({table}[[#Headers],[{first}]])+1"  # the row's row of the result
    note = this_row(table, "Note")
    out = []
    for header, k, fmt in columns:
        if header == "Note":
            formula = f'=IFERROR(INDEX({call},{i},{k}),"error: "&{call})'
        else:
            formula = f'=IF(LEFT({note},6)="error:","n/a: see Note",INDEX({call},{i},{k}))'
        out.append(Computed(header, formula, [r[k - 1] for r in result[1:]], fmt))
    return out


def _leg_columns(inputs: tuple[Ref, Ref, Ref, Ref], lad: Any) -> list[Computed]:
    """The Entries table's own result columns, each leg's row of MF_LADDER over the whole
    table. ``inputs`` are the budget, stop, contract and fee cells; ``lad`` MF_LADDER's
    result for the template's legs."""
    budget, stop, contract, fee = (cell_name(*r.first, absolute=True) for r in inputs)
    call = (
        f"MF_LADDER({budget},Entries[Entry],{stop},{contract},Entries[Weight],"
        f"{one_cell_range(fee)},{SPECS_REF})"
    )
    return _per_row("Entries", call, lad, LEG_COLUMNS)


def _rows_check(book: Book, s: str, a1: str, names: tuple[str, str, str], n: int) -> None:
    """A check cell (red unless it reads ok) under a table whose Note column holds each
    row's result: an error in any row ("error: see Note"), or a row whose grey cells were
    not filled (LibreOffice fills none into an inserted row), or all rows computed.
    ``names`` is (table, its first column, what the rows are); ``n`` the template's rows."""
    table, first, what = names
    note, rows = f"{table}[Note]", f"ROWS({table}[{first}])"
    formula = (
        # a refused row reads "n/a: see Note" in Contracts (an exact match: no wildcard,
        # no array evaluation of the Note column)
        f'=IF(COUNTIF({table}[Contracts],"n/a: see Note")>0,"error: see Note",'
        f'IF(COUNTA({note})={rows},"ok: all "&{rows}&" {what} shown",'
        f'"only "&COUNTA({note})&" of "&{rows}&" {what} shown: copy the grey cells of the '
        'row above into the new row"))'
    )
    if "check" not in book.fmt:
        book.fmt["check"] = book.wb.add_format({"bg_color": "#F2F2F2", "valign": "top"})
    book.plain(s, a1, formula, f"ok: all {n} {what} shown", "check")
    absolute = "$" + a1[0] + "$" + a1[1:]
    book.sheets[s].conditional_format(
        a1,
        {"type": "formula", "criteria": f'=LEFT({absolute},3)<>"ok:"', "format": book.fmt["warn"]},
    )


def _note_rule(book: Book, s: str, first: tuple[int, int], n: int) -> None:
    """Red on a Note column's cells unless they read "ok" (a cell-value rule)."""
    row, col = first
    book.sheets[s].conditional_format(
        row,
        col,
        row + n - 1,
        col,
        {"type": "cell", "criteria": "not equal to", "value": '"ok"', "format": book.fmt["warn"]},
    )


def _scale_out(book: Book, s: str, keys: str, ladder_rows: list[list[Any]]) -> None:
    """Scale out of the position the ladder builds: its contracts, average entry, stop,
    contract and fee are formulas of the scale-in block (type over them to plan another)."""
    ws = book.sheets[s]
    top = _OUT_TOP - 1
    book.section(s, cell_name(top - 1, 0), "Scale-out inputs (from the ladder; type to override)")
    legs = "ROWS(Entries[Entry])"
    end = ladder_rows[-1]
    items: list[tuple[str, str, Any, str]] = [
        (
            "Contracts held (the ladder's total)",
            f"=INDEX(Entries[Cum contracts],{legs})",
            end[3],
            "in_num",
        ),
        ("Entry (the ladder's average)", f"=INDEX(Entries[Avg entry],{legs})", end[4], "in_price"),
        ("Stop price", "=$B$7", book.model.value(Ref(s, (6, 1))), "in_price"),
        ("Contract", "=$B$8", book.model.value(Ref(s, (7, 1))), "in"),
        ("Fee rate (each side)", "=$B$9", book.model.value(Ref(s, (8, 1))), "in_pct"),
    ]
    refs = []
    for i, (label, formula, value, fmt) in enumerate(items):
        book.write(s, cell_name(top + i, 0), label, "label")
        refs.append(book.plain(s, cell_name(top + i, 1), formula, value, fmt))
    ws.data_validation(cell_name(top + 3, 1), contract_validation(keys))
    ws.data_validation(cell_name(top + 4, 1), PCT_VALIDATION)
    held, entry_out, stop_out, contract_out, fee_out = refs
    head = _PLAN_HEAD - 1
    book.section(
        s, cell_name(head - 1, 0), "Scale-out plan: table Targets, exits by MF_SCALE_OUT", span=7
    )
    rows = [[3550, 50], [3600, 30], [3700, 20]]
    so = book.model.value(
        Call(
            "MF_SCALE_OUT",
            (
                *(held, entry_out, stop_out, [[r[0]] for r in rows], contract_out),
                *([[r[1]] for r in rows], fee_out, SPECS),
            ),
        )
    )
    a = [cell_name(*r.first, absolute=True) for r in refs]
    call = (
        f"MF_SCALE_OUT({a[0]},{a[1]},{a[2]},Targets[Target],{a[3]},Targets[Weight],"
        f"{one_cell_range(a[4])},{SPECS_REF})"
    )
    book.table(
        s,
        cell_name(head, 0),
        "Targets",
        ["Target", "Weight"],
        rows,
        ["in_price", "in_num"],
        _per_row("Targets", call, so, TARGET_COLUMNS),
    )
    ws.data_validation(head + 1, 0, head + ROOM, 1, POSITIVE_VALIDATION)
    n = len(so) - 1
    _note_rule(book, s, (head + 1, 6), n)
    check_row = _PLAN_HEAD + ROOM + 1
    book.write(s, f"A{check_row}", "Check: every target of Targets computed", "label")
    _rows_check(book, s, f"B{check_row}", ("Targets", "Target", "targets"), n)
