"""The cell model and the XlsxWriter book: styles, sheets, formulas with cached results."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import __version__, udfs
from .._sums import total
from ._text import note_height

#: File name of the template, in ``workbook/`` of the repository.
WORKBOOK_NAME = "microsize.xlsm"

#: Sheet names, in tab order.
SHEETS = (
    "Start",
    "Sizing",
    "Ladder",
    "Planner",
    "Hedge",
    "Portfolio",
    "Prices",
    "Margin",
    "Specs",
    "Tiers",
    "Spec changes",
    "xlwings.conf",
)

#: Name of the Excel Table that holds the contract specs; formulas pass ``Specs[[#All]]``.
SPECS_TABLE = "Specs"
SPECS_REF = "Specs[[#All]]"
#: Rows of the contract-key list on the hidden Lists sheet of a workbook built before the
#: dropdowns read the Specs table's key column (the name ContractKeys); the template has
#: no Lists sheet now.
LIST_ROWS = 200

#: The workbook's one number style, defined here and used by every sheet.
#: Prices: cents from 1,000 up (a liquidation shows 57,228.92), four decimals from 1 (a
#: column of SOL or XRP prices lines up: 2.0000, 2.0290), eight below (a DOGE tick);
#: never scientific notation.
PRICE_FORMAT = "[>=1000]#,##0.00;[>=1]0.0000;0.00000000"
#: Money: cents with thousands separators, in the settlement currency the sheet names
#: (USDT, USD, or the coin of an inverse contract: no symbol, the Currency row names it).
MONEY_FORMAT = "#,##0.00"
#: Money that is always US dollars (MF_PLAN, MF_EXPOSURE, MF_PORTFOLIO_HEDGE, budgets in
#: USD): cents with the dollar sign, -$3,377.50 for a short.
USD_FORMAT = '"$"#,##0.00'
#: One percent style: three decimals shows a 1.498% risk, a 0.045% fee and a 0.010%
#: funding rate alike, none rounded away.
PCT_FORMAT = "0.000%"
#: Leverage as 20x (General keeps 6.6667 readable and never shows Excel's "20." that
#: ``0.##"x"`` gives a whole number).
LEV_FORMAT = 'General"x"'
#: Contracts, in the exchange's own order unit: "-21 contracts", and "1 contract" for one
#: either way by a conditional format (:meth:`Book.singular_contracts`). Not a number
#: format with conditions: LibreOffice drops the minus sign in the sections after the first
#: ("[=1]...;[=-1]...;General" contracts"" shows -21 as "21 contracts").
CONTRACTS_FORMAT = 'General" contracts"'
#: The number format of one contract, long or short ("1 contract", "-1 contract").
CONTRACT_FORMAT = 'General" contract"'
#: A contract's tick beside the contract ("tick 5").
TICK_LABEL_FORMAT = '"tick "General'
#: Reward to risk, betas and other ratios.
RATIO_FORMAT = "0.0000"
RR_FORMAT = '0.00"R"'
#: Money in a coin (an inverse contract settles in BTC or ETH): to the satoshi, by a
#: conditional format over the money cells where the sheet names the currency.
COIN_FORMAT = "#,##0.00000000"
#: A price to its contract's tick, where the sheet knows the tick (a conditional format
#: over the price cells, one rule per number of decimals): 57,228.9 for a 0.1 tick.
TICK_FORMATS = tuple("#,##0" + ("." + "0" * d if d else "") for d in range(9))
#: The kinds of format (``out_<kind>``, ``in_<kind>``) that hold numbers: a header over
#: such a column is right-aligned.
NUMBER_KINDS = frozenset(
    ("money", "usd", "price", "pct", "num", "lev", "ratio", "rr", "contracts", "ticks")
)

_FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)


def _cells_with_rules(cond_formats: dict[str, Any]) -> set[tuple[int, int]]:
    """The (row, col) of every cell a conditional format of a sheet covers."""
    out: set[tuple[int, int]] = set()
    for key in cond_formats:
        for part in str(key).split():
            first, _, last = part.partition(":")
            (r0, c0), (r1, c1) = parse_ref(first), parse_ref(last or first)
            out.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
    return out


# --------------------------------------------------------------------------- cell model
def _col_letter(col: int) -> str:
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


def cell_name(row: int, col: int, absolute: bool = False) -> str:
    """A1 name of a zero-based cell: ``cell_name(0, 1)`` is ``'B1'``."""
    d = "$" if absolute else ""
    return f"{d}{_col_letter(col)}{d}{row + 1}"


def parse_ref(a1: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", a1)
    if not m:
        raise ValueError(f"not a cell name: {a1}")
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _sheet_prefix(sheet: str) -> str:
    return f"'{sheet}'!" if re.search(r"[^A-Za-z0-9_]", sheet) else f"{sheet}!"


@dataclass(frozen=True)
class Ref:
    """A cell or a rectangular range used as a formula argument."""

    sheet: str
    first: tuple[int, int]
    last: tuple[int, int] | None = None

    def text(self, here: str) -> str:
        prefix = "" if self.sheet == here else _sheet_prefix(self.sheet)
        a = cell_name(*self.first, absolute=self.last is not None)
        if self.last is None:
            return prefix + a
        return f"{prefix}{a}:{cell_name(*self.last, absolute=True)}"


@dataclass(frozen=True)
class Col:
    """A column of an Excel Table as an argument: ``Prices[BTC]`` (data rows only), or
    the whole table with its header row when ``column`` is ``None``: ``Prices[[#All]]``."""

    table: str
    column: str | None = None

    def text(self, here: str) -> str:
        return f"{self.table}[[#All]]" if self.column is None else f"{self.table}[{self.column}]"


@dataclass(frozen=True)
class Call:
    """A nested call as an argument: an MF_ function, or SUM, or ``*`` of two arguments."""

    function: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Computed:
    """A calculated column of a table: its header, the formula of every row (references to
    the row's own cells as ``Table[[#This Row],[Column]]``), the result of each template
    row (the cached values), and the cells' format."""

    header: str
    formula: str
    values: Sequence[Any]
    fmt: str = "out"


def this_row(table: str, column: str) -> str:
    """``Trades[[#This Row],[Entry]]``: the cell of ``column`` in the formula's own row
    (what Excel shows as ``[@Entry]``)."""
    return f"{table}[[#This Row],[{column}]]"


@dataclass
class _Table:
    sheet: str
    header: list[str]
    top: int  # zero-based row of the header
    left: int
    rows: int


class _SpecsArg:
    """The workbook's Specs table as an argument: ``Specs[[#All]]``."""


SPECS = _SpecsArg()


@dataclass
class FormulaCell:
    """What the builder wrote for one MF_ formula: its text, anchor, shape and result."""

    sheet: str
    row: int
    col: int
    formula: str
    function: str
    result: Any
    shape: tuple[int, int]


@dataclass
class _Model:
    specs_rows: list[list[Any]]
    values: dict[tuple[str, int, int], Any] = field(default_factory=dict)
    formulas: list[FormulaCell] = field(default_factory=list)
    tables: dict[str, _Table] = field(default_factory=dict)

    def value(self, arg: Any) -> Any:
        if isinstance(arg, _SpecsArg):
            return self.specs_rows
        if isinstance(arg, Col):
            t = self.tables[arg.table]
            first = t.top if arg.column is None else t.top + 1
            cols = (
                range(t.left, t.left + len(t.header))
                if arg.column is None
                else [t.left + t.header.index(arg.column)]
            )
            return [
                [self.values.get((t.sheet, r, c)) for c in cols]
                for r in range(first, t.top + t.rows + 1)
            ]
        if isinstance(arg, Call):
            values = [self.value(a) for a in arg.args]
            if arg.function == "SUM":
                return total(np.asarray(values[0], dtype=np.float64))
            if arg.function == "*":
                a, b = (np.asarray(v, dtype=np.float64) for v in values)
                return (a * b).tolist()
            while values and values[-1] is None:
                values.pop()
            return getattr(udfs, arg.function)(*values)
        if isinstance(arg, Ref):
            if arg.last is None:
                return self.values.get((arg.sheet, *arg.first))
            (r0, c0), (r1, c1) = arg.first, arg.last
            return [
                [self.values.get((arg.sheet, r, c)) for c in range(c0, c1 + 1)]
                for r in range(r0, r1 + 1)
            ]
        return arg


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return repr(value) if isinstance(value, float) else str(value)


# --------------------------------------------------------------------------- the builder
class Book:
    """XlsxWriter workbook plus a model of every value written, to compute cached results."""

    def __init__(self, target: Any, specs_rows: list[list[Any]]):
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(target, {"in_memory": True})
        self.wb.set_properties(
            {
                "title": "microsize template",
                "subject": "Risk sizing with crypto micro-futures",
                "author": "microsize",
                "company": "microsize",
                "comments": f"Generated by microsize {__version__} (microsize workbook)",
                "created": _FIXED_TIME,
            }
        )
        self.wb.set_custom_property("microsize_version", __version__)
        self.model = _Model(specs_rows)
        self.sheets: dict[str, Any] = {}
        f = self.wb.add_format
        self.fmt: dict[str, Any] = {
            "title": f({"bold": True, "font_size": 16, "font_color": "#1F4E79"}),
            "h2": f({"bold": True, "font_size": 12, "font_color": "#1F4E79", "bottom": 1}),
            "label": f({"bold": True, "valign": "top"}),
            "text": f({"text_wrap": True, "valign": "top"}),
            "note": f(
                {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"}
            ),
            "header": f({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": True}),
            "header_num": f(
                {
                    **{"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": True},
                    **{"align": "right"},
                }
            ),
            "warn": f({"bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True}),
            "good": f({"bg_color": "#C6EFCE", "font_color": "#006100"}),
        }
        base_in = {
            **{"bg_color": "#FFF2CC", "font_color": "#1F4E79", "locked": False, "border": 1},
            "valign": "top",
        }
        for name, num in {
            "in": None,
            "in_money": MONEY_FORMAT,
            "in_usd": USD_FORMAT,
            "in_price": PRICE_FORMAT,
            "in_pct": PCT_FORMAT,
            "in_num": "General",
            "in_lev": LEV_FORMAT,
            "in_contracts": CONTRACTS_FORMAT,
        }.items():
            spec = dict(base_in)
            if num:
                spec["num_format"] = num
            self.fmt[name] = f(spec)
        for name, num in {
            "out": "General",
            "out_money": MONEY_FORMAT,
            "out_usd": USD_FORMAT,
            "out_price": PRICE_FORMAT,
            "out_pct": PCT_FORMAT,
            "out_num": "General",
            "out_lev": LEV_FORMAT,
            "out_ratio": RATIO_FORMAT,
            "out_rr": RR_FORMAT,
            "out_contracts": CONTRACTS_FORMAT,
            "out_ticks": 'General" ticks"',
        }.items():
            self.fmt[name] = f(
                {"num_format": num, "bg_color": "#F2F2F2", "text_wrap": True, "valign": "top"}
            )
        # a contract's tick beside it ("tick 5"), read with the contract to its left
        self.fmt["out_tick"] = f(
            {"num_format": TICK_LABEL_FORMAT, "bg_color": "#F2F2F2", "align": "left", "indent": 1}
        )
        # text in a table column right of a column of numbers: indented, so that
        # "$96.00" and "binance" do not run together
        self.fmt["out_text"] = f(
            {
                "bg_color": "#F2F2F2",
                "text_wrap": True,
                "valign": "top",
                "align": "left",
                "indent": 1,
            }
        )

    # -- sheets -------------------------------------------------------------------------
    def add_sheets(self, names: Sequence[str]) -> None:
        """Create every sheet up front, in tab order; they are filled in any order later."""
        for name in names:
            ws = self.wb.add_worksheet(name)
            ws.set_header(f"&L&A&Rmicrosize {__version__}")
            self.sheets[name] = ws  # page setup once filled: _common.print_setup

    def singular_contracts(self) -> None:
        """ "1 contract" and "-1 contract": a conditional number format over every cell in
        the contracts format, one rule per run of such cells down a column, on cells that
        carry no other conditional format (LibreOffice applies one rule per cell)."""
        if "one_contract" not in self.fmt:
            self.fmt["one_contract"] = self.wb.add_format({"num_format": CONTRACT_FORMAT})
        styles = {id(self.fmt["in_contracts"]), id(self.fmt["out_contracts"])}
        for ws in self.sheets.values():
            taken = _cells_with_rules(ws.cond_formats)
            cells = sorted(
                (col, row)
                for row, cols in ws.table.items()
                for col, cell in cols.items()
                if id(getattr(cell, "format", None)) in styles and (row, col) not in taken
            )
            runs: list[list[int]] = []  # [col, first row, last row]
            for col, row in cells:
                if runs and runs[-1][0] == col and runs[-1][2] == row - 1:
                    runs[-1][2] = row
                else:
                    runs.append([col, row, row])
            for col, first, last in runs:
                top = cell_name(first, col)
                ws.conditional_format(
                    first,
                    col,
                    last,
                    col,
                    {
                        "type": "formula",
                        "criteria": f"=AND(ISNUMBER({top}),ABS({top})=1)",
                        "format": self.fmt["one_contract"],
                    },
                )

    def sheet(self, name: str) -> Any:
        ws = self.sheets[name]
        ws.hide_gridlines(2)
        return ws

    def start(self, sheet: str, title: str, note: str, widths: Sequence[tuple[str, float]]) -> Any:
        """Open a worked sheet: column widths, the title in A1 and the note under it."""
        ws = self.sheet(sheet)
        for cols, width in widths:
            ws.set_column(cols, width)
        self.write(sheet, "A1", title, "title")
        ws.set_row(0, 24)  # the 16-point title in a row of its height
        self.write(sheet, "A2", note, "note")
        # the note spans the first columns (up to about 110 characters wide), its row
        # tall enough for every line of it and not one line more
        span, width = 0, 0.0
        for cols, w in widths:
            first, _, last = cols.partition(":")
            n = parse_ref(f"{last or first}1")[1] - parse_ref(f"{first}1")[1] + 1
            for _ in range(n):
                if width < 110:
                    span, width = span + 1, width + w
        if span > 1:
            ws.merge_range(1, 0, 1, span - 1, note, self.fmt["note"])
        ws.set_row(1, note_height(note, width, max(1, span)))
        return ws

    def section(self, sheet: str, a1: str, title: str, span: int = 2) -> None:
        """A section heading in a1, its underline carried over ``span`` columns."""
        row, col = parse_ref(a1)
        self.write(sheet, a1, title, "h2")
        for j in range(1, span):
            self.write(sheet, cell_name(row, col + j), None, "h2")

    def write(self, sheet: str, a1: str, value: Any, fmt: str | None = None) -> Ref:
        row, col = parse_ref(a1)
        ws = self.sheets[sheet]
        style = self.fmt[fmt] if fmt else None
        if value is None:
            ws.write_blank(row, col, None, style)
        else:
            ws.write(row, col, value, style)
        self.model.values[(sheet, row, col)] = value
        return Ref(sheet, (row, col))

    def block(
        self, sheet: str, a1: str, rows: Sequence[Sequence[Any]], fmt: str | None = None
    ) -> Ref:
        """Write a rectangle of values; the Ref spans it."""
        row, col = parse_ref(a1)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                self.write(sheet, cell_name(row + i, col + j), v, fmt)
        return Ref(sheet, (row, col), (row + len(rows) - 1, col + len(rows[0]) - 1))

    def table(
        self,
        sheet: str,
        a1: str,
        name: str,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        formats: Sequence[str],
        computed: Sequence[Computed] = (),
    ) -> dict[str, Col]:
        """An Excel Table of inputs (header at a1): Excel extends it when a row is typed
        below it, and formulas read it through its columns. ``computed`` adds calculated
        columns after the inputs: one formula per row over that row's cells
        (``Trades[[#This Row],[Entry]]``), which Excel fills into every new row of the
        table (the file's ``calculatedColumnFormula``); each cell carries its result."""
        row, col = parse_ref(a1)
        ws = self.sheets[sheet]
        columns = [
            {"header": h, "format": self.fmt[f], "header_format": self._table_header(f)}
            for h, f in zip(header, formats, strict=True)
        ]
        columns += [
            {
                "header": c.header,
                "formula": c.formula,
                "format": self.fmt[c.fmt],
                "header_format": self._table_header(c.fmt),
            }
            for c in computed
        ]
        ws.add_table(
            row,
            col,
            row + len(rows),
            col + len(columns) - 1,
            {
                "name": name,
                "columns": columns,
                "data": [list(r) for r in rows],
                "style": "Table Style Light 9",
            },
        )
        for j, h in enumerate([*header, *(c.header for c in computed)]):
            self.model.values[(sheet, row, col + j)] = h
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                self.model.values[(sheet, row + 1 + i, col + j)] = v
        for k, c in enumerate(computed):
            j = col + len(header) + k
            for i, v in enumerate(c.values):
                ws.write_formula(row + 1 + i, j, c.formula, self.fmt[c.fmt], v)
                self.model.values[(sheet, row + 1 + i, j)] = v
        all_header = [*header, *(c.header for c in computed)]
        self.model.tables[name] = _Table(sheet, all_header, row, col, len(rows))
        return {"#All": Col(name), **{h: Col(name, h) for h in all_header}}

    def _table_header(self, fmt: str) -> Any:
        """A table's header cell: bold, wrapped, bottom-aligned, and right-aligned over a
        column of numbers (``fmt`` one of :data:`NUMBER_KINDS`)."""
        kind = fmt.partition("_")[2]
        name = "table_header_" + ("num" if kind in NUMBER_KINDS else kind or "in")
        if name not in self.fmt:
            spec: dict[str, Any] = {"bold": True, "text_wrap": True, "valign": "bottom"}
            if kind in NUMBER_KINDS:
                spec["align"] = "right"
            elif kind == "text":
                spec |= {"align": "left", "indent": 1}  # over the indented text
            self.fmt[name] = self.wb.add_format(spec)
        return self.fmt[name]

    def plain(self, sheet: str, a1: str, text: str, value: Any, fmt: str = "out") -> Ref:
        """A plain (non-MF_) formula with the value it gives, computed by the caller."""
        row, col = parse_ref(a1)
        self.sheets[sheet].write_formula(row, col, text, self.fmt[fmt], value)
        self.model.values[(sheet, row, col)] = value
        return Ref(sheet, (row, col))

    def formula(
        self,
        sheet: str,
        a1: str,
        function: str,
        *args: Any,
        fmt: str = "out",
        styler: Callable[[int, int, list[list[Any]]], str] | None = None,
    ) -> FormulaCell:
        """Write ``=function(args)`` as a dynamic-array formula with its computed result.

        Trailing ``None`` arguments are left out; an optional argument before a given one
        must be a reference (an empty cell is read as omitted by Excel, xlwings and the
        formula engine alike, which an empty argument is not). ``styler(i, j, rows)``
        names the format of each result cell; by default all get ``fmt``.
        """
        args_l = list(args)
        while args_l and args_l[-1] is None:
            args_l.pop()
        if any(a is None for a in args_l):
            raise ValueError(f"{function}: use an input cell, not an empty argument")
        formula = "=" + _arg_text(Call(function, tuple(args_l)), sheet)
        result = self.model.value(Call(function, tuple(args_l)))
        rows: list[list[Any]] = result if isinstance(result, list) else [[result]]
        n_rows, n_cols = len(rows), max(len(r) for r in rows)
        row, col = parse_ref(a1)
        ws = self.sheets[sheet]

        def style(i: int, j: int) -> Any:
            return self.fmt[styler(i, j, rows) if styler else fmt]

        ws.write_dynamic_array_formula(
            row, col, row + n_rows - 1, col + n_cols - 1, formula, style(0, 0), rows[0][0]
        )
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                self.model.values[(sheet, row + i, col + j)] = v
                if i or j:
                    ws.write(row + i, col + j, v, style(i, j))
        cell = FormulaCell(sheet, row, col, formula, function, result, (n_rows, n_cols))
        self.model.formulas.append(cell)
        return cell


def one_cell_range(ref: str) -> str:
    """``B10`` -> ``B10:B10`` (``Sizing!B10`` -> ``Sizing!B10:B10``): how the template writes
    a single cell given to an optional argument. LibreOffice hands an add-in an empty
    single cell as 0, the same as a typed 0, but an empty one-cell range as blank, which
    the functions read as omitted; in Excel the two forms are the same cell.

    >>> one_cell_range("Sizing!B10")
    'Sizing!B10:B10'
    """
    return f"{ref}:{ref.rpartition('!')[2]}"


def _optional(function: str, i: int) -> bool:
    fn = getattr(udfs, function, None) if function.startswith("MF_") else None
    params = list(inspect.signature(fn).parameters.values()) if fn else []
    return i < len(params) and params[i].default is not inspect.Parameter.empty


def _arg_text(a: Any, here: str) -> str:
    if isinstance(a, _SpecsArg):
        return SPECS_REF
    if isinstance(a, Col):
        return a.text(here)
    if isinstance(a, Call):
        args = [
            one_cell_range(_arg_text(x, here))
            if isinstance(x, Ref) and x.last is None and _optional(a.function, i)
            else _arg_text(x, here)
            for i, x in enumerate(a.args)
        ]
        if a.function == "*":
            return "*".join(args)
        return f"{a.function}({','.join(args)})"
    if isinstance(a, Ref):
        return a.text(here)
    return _literal(a)
