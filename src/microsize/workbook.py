"""The template workbook: built from the bundled data, deterministically, with XlsxWriter.

``build_workbook(path)`` writes ``microsize.xlsm``: a first sheet that explains what to do,
worked sheets (Sizing, Ladder, Hedge, Portfolio with its Prices, Margin) driven by MF_
formulas, the exchange multiplier table (Specs, an Excel Table) and the margin Tiers, the
``xlwings.conf`` sheet (``UDF Modules`` = ``microsize.udfs``) and the VBA project of
xlwings' standalone quickstart workbook, byte for byte.

Every MF_ formula is stored as a dynamic-array formula (so Excel never inserts an
implicit ``@``) and carries the value our own functions compute for it, so any reader
shows real numbers before Excel recalculates. Every formula that takes a contract passes
the workbook's own ``Specs[[#All]]``, so edits to the Specs table take effect.

This module sits at the edge (it writes files); the core never imports it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from . import __version__, udfs
from ._contracts import (
    SPEC_COLUMNS,
    TIER_COLUMNS,
    MarginTier,
    load_bundled_margin_tiers,
    load_bundled_specs,
    load_margin_tiers,
    load_specs,
)
from ._errors import MicrosizeError

#: File name of the template, in ``workbook/`` of the repository.
WORKBOOK_NAME = "microsize.xlsm"

#: Sheet names, in tab order.
SHEETS = (
    "Start",
    "Sizing",
    "Ladder",
    "Hedge",
    "Portfolio",
    "Prices",
    "Margin",
    "Specs",
    "Tiers",
    "Spec changes",
    "xlwings.conf",
    "Lists",
)

#: Name of the Excel Table that holds the contract specs; formulas pass ``Specs[[#All]]``.
SPECS_TABLE = "Specs"
SPECS_REF = "Specs[[#All]]"
#: Rows reserved for the contract-key dropdown list on the hidden Lists sheet.
LIST_ROWS = 200

_FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)

# Illustrative weekly closes (made up, oldest first) for the Portfolio example: replace them
# with your own history. Columns: BTC (the hedge), ETH, SOL, LINK.
SAMPLE_PRICES: tuple[tuple[float, float, float, float], ...] = (
    (60000.00, 3000.00, 150.00, 15.00),
    (60002.95, 2782.00, 150.57, 14.85),
    (60724.28, 2776.93, 157.78, 15.96),
    (60062.04, 2736.65, 153.75, 15.53),
    (57960.07, 2631.05, 150.81, 14.86),
    (56915.49, 2458.76, 146.26, 14.83),
    (54702.08, 2311.10, 142.49, 14.24),
    (54833.84, 2250.73, 153.67, 14.15),
    (57853.62, 2342.74, 161.01, 14.21),
    (56725.72, 2362.03, 157.92, 13.95),
    (55335.18, 2237.85, 148.66, 13.40),
    (56430.09, 2288.85, 154.07, 14.29),
    (57241.43, 2391.00, 148.34, 14.86),
    (57483.30, 2361.42, 145.01, 14.90),
    (55383.17, 2250.72, 135.80, 14.80),
    (55318.41, 2255.02, 141.79, 14.59),
    (56878.53, 2336.02, 156.55, 15.60),
    (53901.01, 2111.03, 135.17, 14.86),
    (52923.35, 2069.89, 126.39, 14.96),
    (49047.82, 1967.96, 116.47, 13.27),
    (46582.00, 1765.95, 97.58, 12.84),
    (43273.69, 1658.75, 85.37, 11.24),
    (42868.67, 1646.02, 83.76, 10.27),
    (40749.49, 1519.35, 82.66, 9.69),
    (41194.05, 1634.46, 86.97, 9.44),
    (41453.15, 1684.90, 86.37, 9.56),
    (41144.35, 1610.84, 83.84, 10.39),
)

# Hull, Options, Futures, and Other Derivatives, Table 3.2 (Example 3.3): monthly changes
# in the heating-oil futures price and the jet-fuel price, $ per gallon. Prices are
# rebuilt from 2.000 so that MF_HEDGE_RATIO (which takes prices) sees Hull's changes.
HULL_TABLE_3_2: tuple[tuple[float, float], ...] = (
    (0.021, 0.029),
    (0.035, 0.020),
    (-0.046, -0.044),
    (0.001, 0.008),
    (0.044, 0.026),
    (-0.029, -0.019),
    (-0.026, -0.010),
    (-0.029, -0.007),
    (0.048, 0.043),  # solutioninn prints +0.048; the coursehero preview's "-0.048" gives
    # σF = 0.0304 and ρ = 0.589, not Hull's 0.0313 and 0.928, so it is a misprint
    (-0.006, 0.011),
    (-0.036, -0.036),
    (-0.011, -0.018),
    (0.019, 0.009),
    (-0.027, -0.032),
    (0.029, 0.023),
)


def hull_prices() -> tuple[list[float], list[float]]:
    """Jet-fuel (spot) and heating-oil futures prices rebuilt from Table 3.2's changes."""
    futures, spot = [2.0], [2.0]
    for d_f, d_s in HULL_TABLE_3_2:
        futures.append(round(futures[-1] + d_f, 3))
        spot.append(round(spot[-1] + d_s, 3))
    return spot, futures


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


def _parse(a1: str) -> tuple[int, int]:
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

    def value(self, arg: Any) -> Any:
        if isinstance(arg, _SpecsArg):
            return self.specs_rows
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
class _Book:
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
            "label": f({"bold": True}),
            "text": f({"text_wrap": True, "valign": "top"}),
            "note": f(
                {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"}
            ),
            "header": f({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": True}),
            "warn": f({"bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True}),
            "good": f({"bg_color": "#C6EFCE", "font_color": "#006100"}),
        }
        base_in = {"bg_color": "#FFF2CC", "font_color": "#1F4E79", "locked": False, "border": 1}
        for name, num in {
            "in": None,
            "in_money": "#,##0.00######",
            "in_price": "#,##0.00######",
            "in_pct": "0.00##%",
            "in_num": "General",
            "in_lev": '0.##"x"',
        }.items():
            spec = dict(base_in)
            if num:
                spec["num_format"] = num
            self.fmt[name] = f(spec)
        for name, num in {
            "out": "General",
            "out_money": "#,##0.00######",
            "out_price": "#,##0.00######",
            "out_pct": "0.00##%",
            "out_num": "General",
            "out_lev": '0.##"x"',
            "out_ratio": "0.0000",
        }.items():
            self.fmt[name] = f({"num_format": num, "bg_color": "#F2F2F2", "text_wrap": True})

    # -- sheets -------------------------------------------------------------------------
    def add_sheets(self, names: Sequence[str]) -> None:
        """Create every sheet up front, in tab order; they are filled in any order later."""
        for name in names:
            ws = self.wb.add_worksheet(name)
            ws.set_header(f"&L&A&Rmicrosize {__version__}")
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
            self.sheets[name] = ws

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
        self.write(sheet, "A2", note, "note")
        return ws

    def section(self, sheet: str, a1: str, title: str, span: int = 2) -> None:
        """A section heading in a1, its underline carried over ``span`` columns."""
        row, col = _parse(a1)
        self.write(sheet, a1, title, "h2")
        for j in range(1, span):
            self.write(sheet, cell_name(row, col + j), None, "h2")

    def write(self, sheet: str, a1: str, value: Any, fmt: str | None = None) -> Ref:
        row, col = _parse(a1)
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
        row, col = _parse(a1)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                self.write(sheet, cell_name(row + i, col + j), v, fmt)
        return Ref(sheet, (row, col), (row + len(rows) - 1, col + len(rows[0]) - 1))

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
        text_args = [_arg_text(a, sheet) for a in args_l]
        formula = f"={function}({','.join(text_args)})"
        values = [self.model.value(a) for a in args_l]
        result = getattr(udfs, function)(*values)
        rows: list[list[Any]] = result if isinstance(result, list) else [[result]]
        n_rows, n_cols = len(rows), max(len(r) for r in rows)
        row, col = _parse(a1)
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


def _arg_text(a: Any, here: str) -> str:
    if isinstance(a, _SpecsArg):
        return SPECS_REF
    if isinstance(a, Ref):
        return a.text(here)
    return _literal(a)


# --------------------------------------------------------------------------- content
_SIZE_ROW_FORMATS = {
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
    "Risk at stop (USD)": "out_money",
    "Stop fill": "out_price",
}


def _contract_validation(keys_ref: str) -> dict[str, Any]:
    return {
        "validate": "list",
        "source": keys_ref,
        "error_type": "warning",
        "input_title": "Contract",
        "input_message": "Pick exchange:symbol from the list, or type a number (units of the underlying per contract).",
        "error_title": "Not in the Specs table",
        "error_message": "This is not a key of the Specs table. Keep it only if it is a number of units per contract or a row you added to Specs.",
    }


_PCT_VALIDATION = {
    "validate": "decimal",
    "criteria": "between",
    "minimum": 0,
    "maximum": 1,
    "input_title": "Percent",
    "input_message": "Type it with a % sign: 1.5% (stored as 0.015).",
    "error_title": "Percent",
    "error_message": "Type a percentage between 0% and 100%, e.g. 1.5%.",
}
_POSITIVE_VALIDATION = {
    "validate": "decimal",
    "criteria": ">",
    "value": 0,
    "error_title": "Positive number",
    "error_message": "Type a number greater than zero.",
}
_LEVERAGE_VALIDATION = {
    "validate": "decimal",
    "criteria": ">",
    "value": 0,
    "input_title": "Leverage",
    "input_message": "Optional. Leave blank for no leverage rows; 20 means 20x.",
    "error_title": "Leverage",
    "error_message": "Type a leverage greater than zero, e.g. 20.",
}


def _warn_if_not(book: _Book, sheet: str, a1: str, ok_text: str) -> None:
    """Red fill on a result cell unless it says ok_text (or is empty)."""
    row, col = _parse(a1)
    ref = cell_name(row, col, absolute=True)
    book.sheets[sheet].conditional_format(
        a1,
        {
            "type": "formula",
            "criteria": f'=AND({ref}<>"{ok_text}",{ref}<>"")',
            "format": book.fmt["warn"],
        },
    )


def _protect(ws: Any) -> None:
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


def _inputs(
    book: _Book,
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


def _label_value_styler(formats: dict[str, str]) -> Callable[[int, int, list[list[Any]]], str]:
    def styler(i: int, j: int, rows: list[list[Any]]) -> str:
        return "label" if j == 0 else formats.get(str(rows[i][0]), "out")

    return styler


def _header_styler(col_formats: Sequence[str]) -> Callable[[int, int, list[list[Any]]], str]:
    def styler(i: int, j: int, rows: list[list[Any]]) -> str:
        return "header" if i == 0 else col_formats[j]

    return styler


def _sizing_sheet(book: _Book, keys: str) -> None:
    s = "Sizing"
    ws = book.start(
        s,
        "Size a trade",
        "Type in the yellow cells; the grey cells are results of MF_ formulas. "
        "Contracts are in the exchange's own order unit (see Start).",
        [("A:A", 26), ("B:B", 24), ("C:C", 3), ("D:D", 26), ("E:E", 24)],
    )
    scenarios: list[tuple[int, str, list[Any]]] = [
        (0, "ETH micro (0.001 ETH), no leverage", [2000, 0.015, 3520, 3450, 0.001, 0, None]),
        (
            3,
            "BTC at 20x: liquidation first",
            [2000, 0.015, 60000, 57000, "binance:BTCUSDT", 0.0005, 20],
        ),
    ]
    for col, title, values in scenarios:
        book.section(s, cell_name(3, col), title)
        labels: list[tuple[str, str, dict[str, Any] | None]] = [
            ("Account size", "in_money", _POSITIVE_VALIDATION),
            ("Risk per trade", "in_pct", _PCT_VALIDATION),
            ("Entry price", "in_price", _POSITIVE_VALIDATION),
            ("Stop price", "in_price", _POSITIVE_VALIDATION),
            ("Contract", "in", _contract_validation(keys)),
            ("Fee rate (each side)", "in_pct", _PCT_VALIDATION),
            ("Leverage (optional)", "in_lev", _LEVERAGE_VALIDATION),
        ]
        refs = _inputs(
            book,
            s,
            4,
            col,
            [(lbl, v, f, val) for (lbl, f, val), v in zip(labels, values, strict=True)],
        )
        book.section(s, cell_name(12, col), "Result: MF_SIZE")
        size = book.formula(
            s,
            cell_name(13, col),
            "MF_SIZE",
            *refs,
            SPECS,
            styler=_label_value_styler(_SIZE_ROW_FORMATS),
        )
        labels_out = [r[0] for r in size.result]
        warn = 13 + labels_out.index("Warnings")
        _warn_if_not(book, s, cell_name(warn, col + 1), "none")
        ws.set_row(warn, 75)
        if "Spec as of" in labels_out:  # a date and its age: room for three wrapped lines
            ws.set_row(13 + labels_out.index("Spec as of"), 45)
        if col == 0:
            eth = refs
        else:
            btc = refs

    top = 13 + len(labels_out) + 1  # one blank row below the MF_SIZE tables
    book.section(s, cell_name(top, 0), "Checks on the ETH micro")
    book.write(s, cell_name(top + 1, 0), "Risk budget: MF_RISK_AMOUNT", "label")
    budget = book.formula(
        s, cell_name(top + 1, 1), "MF_RISK_AMOUNT", eth[0], eth[1], fmt="out_money"
    )
    book.write(s, cell_name(top + 2, 0), "Contracts: MF_CONTRACTS", "label")
    book.formula(
        s,
        cell_name(top + 2, 1),
        "MF_CONTRACTS",
        Ref(s, (budget.row, budget.col)),
        eth[2],
        eth[3],
        eth[4],
        eth[5],
        SPECS,
    )
    book.write(s, cell_name(top + 3, 0), "Often-quoted size", "label")
    quoted = book.write(s, cell_name(top + 3, 1), 431, "in_num")
    book.write(s, cell_name(top + 4, 0), "Its loss at the stop: MF_RISK", "label")
    book.formula(
        s,
        cell_name(top + 4, 1),
        "MF_RISK",
        quoted,
        eth[2],
        eth[3],
        eth[4],
        eth[5],
        SPECS,
        fmt="out_money",
    )
    book.write(
        s,
        cell_name(top + 1, 3),
        "431 contracts is the answer often quoted for this trade; it loses $30.17 at the stop, "
        "over the $30 budget. MF_CONTRACTS never goes over: 428 lose $29.96.",
        "note",
    )
    ws.merge_range(top + 1, 3, top + 4, 4, None)

    book.section(s, cell_name(top + 6, 3), "About the BTC contract")
    for i, (label, fld) in enumerate(
        (
            ("Order unit: MF_SPEC qty_unit", "qty_unit"),
            ("Lot step: MF_SPEC lot_step", "lot_step"),
            ("Minimum: MF_SPEC min_qty", "min_qty"),
            ("Max leverage: MF_SPEC", "max_leverage"),
            ("Specs row as of: MF_SPEC", "as_of"),
        )
    ):
        book.write(s, cell_name(top + 7 + i, 3), label, "label")
        book.formula(s, cell_name(top + 7 + i, 4), "MF_SPEC", btc[4], fld, SPECS)
    _atr_block(book, s, keys)
    _protect(ws)


# Illustrative daily bars of a BTC micro, made up for the ATR example, oldest first.
ATR_BARS: tuple[tuple[float, float, float], ...] = (
    (60450, 59210, 59880),
    (60920, 59500, 60710),
    (61380, 60150, 60240),
    (60880, 59390, 59620),
    (60210, 58760, 59950),
    (61040, 59720, 60890),
    (61650, 60320, 61420),
    (62190, 60980, 61130),
    (61600, 60040, 60380),
    (60950, 59600, 60770),
    (61820, 60510, 61690),
    (62480, 61150, 62260),
    (62910, 61770, 62020),
    (62350, 60890, 61240),
    (61780, 60250, 61530),
    (62440, 61100, 62170),
    (63060, 61820, 62850),
    (63400, 62010, 62380),
    (62900, 61530, 61800),
    (62250, 60700, 61950),
)


def _atr_block(book: _Book, s: str, keys: str) -> None:
    """ATR stop, stop slippage, 3R target, reward to risk and a USD-sized position, in
    columns G to J of the Sizing sheet: bars, MF_ATR beside them, inputs and results."""
    ws = book.sheets[s]
    ws.set_column("F:F", 3)
    ws.set_column("G:I", 11)
    ws.set_column("J:J", 24)
    ws.set_column("K:K", 3)
    ws.set_column("L:L", 30)
    ws.set_column("M:M", 16)
    book.section(s, "G4", "ATR and reward to risk: bars", span=4)
    for j, name in enumerate(("High", "Low", "Close", "ATR: MF_ATR")):
        book.write(s, cell_name(4, 6 + j), name, "header")
    bars = book.block(s, "G6", [list(b) for b in ATR_BARS], "in_price")
    assert bars.last is not None
    r0, r1 = bars.first[0], bars.last[0]
    high, low, close = (Ref(s, (r0, c), (r1, c)) for c in (6, 7, 8))
    book.section(s, "L4", "ATR stop, target and R:R")
    entry, periods, method, multiple, side, contract, fee, slip, r_mult, usd, roi, lev = _inputs(
        book,
        s,
        4,
        11,
        [
            ("Entry price", 61950, "in_price", _POSITIVE_VALIDATION),
            ("ATR periods", 14, "in_num", _POSITIVE_VALIDATION),
            ("ATR method", "wilder", "in", None),
            ("ATR multiple for the stop", 2, "in_num", _POSITIVE_VALIDATION),
            ("Side", "long", "in", None),
            ("Contract", "cme:MBT", "in", _contract_validation(keys)),
            ("Fee rate (each side)", 0.0005, "in_pct", _PCT_VALIDATION),
            ("Stop slippage", 0.001, "in_pct", _PCT_VALIDATION),
            ("Target in R", 3, "in_num", _POSITIVE_VALIDATION),
            ("Risk budget in USD", 300, "in_money", _POSITIVE_VALIDATION),
            ("Target ROI on margin", 0.5, "in_pct", None),
            ("Leverage for the ROI", 10, "in_lev", _LEVERAGE_VALIDATION),
        ],
    )
    book.formula(s, cell_name(5, 9), "MF_ATR", high, low, close, periods, method, fmt="out_price")
    results = [
        ("ATR now: MF_ATR(..., TRUE)", "out_price", "MF_ATR"),
        ("ATR stop: MF_ATR_STOP", "out_price", "MF_ATR_STOP"),
        ("Stop fill: MF_STOP_FILL", "out_price", "MF_STOP_FILL"),
        ("Contracts for the USD budget", "out_num", "MF_CONTRACTS_USD"),
        ("Target at R: MF_TARGET", "out_price", "MF_TARGET"),
        ("Reward to risk: MF_RR", "out_ratio", "MF_RR"),
        ("Exit for the ROI: MF_ROI_TARGET", "out_price", "MF_ROI_TARGET"),
    ]
    top = 17
    book.section(s, cell_name(top, 11), "Results")
    cells: dict[str, Ref] = {}
    for i, (label, fmt, fn) in enumerate(results):
        row = top + 1 + i
        book.write(s, cell_name(row, 11), label, "label")
        args: tuple[Any, ...]
        if fn == "MF_ATR":
            args = (high, low, close, periods, method, True)
        elif fn == "MF_ATR_STOP":
            args = (entry, cells["MF_ATR"], multiple, side, contract, SPECS)
        elif fn == "MF_STOP_FILL":
            args = (cells["MF_ATR_STOP"], slip, entry, contract, SPECS)
        elif fn == "MF_CONTRACTS_USD":
            args = (usd, entry, cells["MF_STOP_FILL"], contract, fee, SPECS)
        elif fn == "MF_TARGET":
            args = (entry, cells["MF_ATR_STOP"], r_mult, contract, fee, SPECS)
        elif fn == "MF_RR":
            args = (entry, cells["MF_ATR_STOP"], cells["MF_TARGET"], contract, fee, SPECS)
        else:
            args = (entry, roi, lev, side, contract, fee, SPECS)
        f = book.formula(s, cell_name(row, 12), fn, *args, fmt=fmt)
        cells[fn] = Ref(s, (f.row, f.col))
    book.write(
        s,
        cell_name(top + 9, 11),
        "The stop is 2 ATR below entry, rounded to the tick away from entry; sizing uses the "
        "price the stop fills at after slippage, so a slipped stop stays within the budget. "
        "The target makes at least 3R after both fees. ATR: Wilder's (first value the mean of "
        "the first 14 true ranges), n/a until 14 bars.",
        "note",
    )
    ws.merge_range(top + 9, 11, top + 13, 12, None)


def _ladder_sheet(book: _Book, keys: str) -> None:
    s = "Ladder"
    ws = book.start(
        s,
        "Scale in and scale out",
        "One budget, one stop, several entries: if every entry fills and the stop is hit, the "
        "whole ladder loses at most the budget. Weights are shares of quantity (30/40/30).",
        [("A:A", 24), ("B:H", 14), ("G:G", 40)],
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
    book.write(s, "D4", "Entries", "header")
    book.write(s, "E4", "Weights", "header")
    entries = book.block(s, "D5", [[3520], [3500], [3480]], "in_price")
    weights = book.block(s, "E5", [[30], [40], [30]], "in_num")
    for ref in (entries, weights):
        assert ref.last is not None
        ws.data_validation(
            ref.first[0], ref.first[1], ref.last[0], ref.last[1], _POSITIVE_VALIDATION
        )
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
    book.write(s, "D27", "Targets", "header")
    book.write(s, "E27", "Weights", "header")
    targets = book.block(s, "D28", [[3550], [3600], [3700]], "in_price")
    out_w = book.block(s, "E28", [[50], [30], [20]], "in_num")
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
    _protect(ws)


def _hedge_sheet(book: _Book, keys: str) -> None:
    s = "Hedge"
    ws = book.start(
        s,
        "Hedge one position by beta",
        "Contracts to trade (negative = sell) to move the position's beta to the target: "
        "(target - beta) x exposure / value of one contract, to the nearest lot step.",
        [("A:A", 30), ("B:B", 18), ("C:C", 3), ("D:F", 14)],
    )
    book.section(s, "A4", "Position")
    exposure, beta_in, price, contract, target = _inputs(
        book,
        s,
        4,
        0,
        [
            ("Exposure (USD, long +)", 250000, "in_money", None),
            ("Beta to BTC", 1.2, "in_num", None),
            ("Hedge price (BTC)", 60000, "in_price", _POSITIVE_VALIDATION),
            ("Hedge contract", "cme:MBT", "in", _contract_validation(keys)),
            ("Target beta", 0, "in_num", None),
        ],
    )
    book.write(s, "A10", "Contracts to trade: MF_HEDGE", "label")
    n = book.formula(s, "B10", "MF_HEDGE", exposure, beta_in, price, contract, target, SPECS)
    book.write(s, "A11", "Their notional: MF_NOTIONAL", "label")
    book.formula(
        s, "B11", "MF_NOTIONAL", Ref(s, (n.row, n.col)), price, contract, SPECS, fmt="out_money"
    )

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
    book.write(s, "D14", "Month", "header")
    book.write(s, "E14", "Jet fuel", "header")
    book.write(s, "F14", "Heating oil fut.", "header")
    book.block(s, "D15", [[i] for i in range(len(spot))], "out_num")
    spot_ref = book.block(s, "E15", [[v] for v in spot], "in_price")
    fut_ref = book.block(s, "F15", [[v] for v in fut], "in_price")
    book.write(s, "A20", "Hedge ratio: MF_HEDGE_RATIO", "label")
    book.formula(s, "B20", "MF_HEDGE_RATIO", spot_ref, fut_ref, fmt="out_ratio")
    book.write(s, "A22", "Statistics: MF_HEDGE_STATS", "label")
    book.formula(
        s,
        "A23",
        "MF_HEDGE_STATS",
        spot_ref,
        fut_ref,
        styler=_label_value_styler(
            {
                "Hedge ratio": "out_ratio",
                "Correlation": "out_ratio",
                "SD of spot changes": "out_ratio",
                "SD of futures changes": "out_ratio",
                "Hedge effectiveness": "out_ratio",
            }
        ),
    )
    _protect(ws)


def _prices_sheet(book: _Book) -> Ref:
    s = "Prices"
    ws = book.sheet(s)
    ws.set_column("A:E", 13)
    ws.set_column("G:G", 60)
    book.write(s, "A1", "Week", "header")
    for j, name in enumerate(("BTC", "ETH", "SOL", "LINK")):
        book.write(s, cell_name(0, j + 1), name, "header")
    book.block(s, "A2", [[i + 1] for i in range(len(SAMPLE_PRICES))], "out_num")
    ref = book.block(s, "B2", [list(r) for r in SAMPLE_PRICES], "in_price")
    book.write(
        s,
        "G1",
        "Illustrative weekly closes, made up for this example, oldest first. Paste your own "
        "history over them (same layout, one column per asset, BTC in column B is the hedge). "
        "A row with a blank in either series is skipped by MF_BETA.",
        "note",
    )
    ws.merge_range("G1:G6", None)
    ws.freeze_panes(1, 0)
    return ref


def _portfolio_sheet(book: _Book, prices: Ref, keys: str) -> None:
    s = "Portfolio"
    ws = book.start(
        s,
        "Hedge a portfolio by beta",
        "Holdings in USD; each beta is estimated from the Prices sheet against BTC with MF_BETA "
        "(OLS slope of weekly returns). The hedge is a BTC micro contract.",
        [("A:A", 30), ("B:C", 18), ("D:D", 3), ("E:F", 24)],
    )
    assert prices.last is not None
    r0, r1 = prices.first[0], prices.last[0]
    btc = Ref("Prices", (r0, 1), (r1, 1))
    book.write(s, "A4", "Holding", "header")
    book.write(s, "B4", "Exposure (USD)", "header")
    book.write(s, "C4", "Beta: MF_BETA", "header")
    holdings = [("ETH", 120000, 2), ("SOL", 60000, 3), ("LINK", 20000, 4)]
    for i, (name, usd, col) in enumerate(holdings):
        book.write(s, cell_name(4 + i, 0), name, "in")
        book.write(s, cell_name(4 + i, 1), usd, "in_money")
        book.formula(
            s,
            cell_name(4 + i, 2),
            "MF_BETA",
            Ref("Prices", (r0, col), (r1, col)),
            btc,
            fmt="out_ratio",
        )
    exposures = Ref(s, (4, 1), (4 + len(holdings) - 1, 1))
    betas = Ref(s, (4, 2), (4 + len(holdings) - 1, 2))
    book.section(s, "A9", "Hedge")
    price, contract, target = _inputs(
        book,
        s,
        9,
        0,
        [
            ("Hedge price (BTC)", 60000, "in_price", _POSITIVE_VALIDATION),
            ("Hedge contract", "cme:MBT", "in", _contract_validation(keys)),
            ("Target beta", 0, "in_num", None),
        ],
    )
    book.section(s, "E4", "Portfolio hedge: MF_PORTFOLIO_HEDGE")
    book.formula(
        s,
        "E5",
        "MF_PORTFOLIO_HEDGE",
        exposures,
        betas,
        price,
        contract,
        target,
        SPECS,
        styler=_label_value_styler(
            {
                "Exposure": "out_money",
                "Beta-weighted exposure": "out_money",
                "Portfolio beta": "out_ratio",
                "Hedge notional": "out_money",
                "Beta after hedge": "out_ratio",
                "Beta-weighted after hedge": "out_money",
            }
        ),
    )
    book.write(s, "A14", "EWMA beta of ETH (lambda 0.94): MF_BETA", "label")
    book.formula(s, "B14", "MF_BETA", Ref("Prices", (r0, 2), (r1, 2)), btc, 0.94, fmt="out_ratio")
    _protect(ws)


def _margin_sheet(book: _Book, keys: str) -> None:
    s = "Margin"
    ws = book.start(
        s,
        "Margin, liquidation, leverage, funding",
        "Isolated margin, one-way mode, by the formula the contract's exchange publishes. "
        "Maintenance rates come from the package's margin tiers (see Tiers).",
        [("A:A", 34), ("B:B", 22), ("C:C", 3), ("D:D", 60)],
    )
    book.section(s, "A4", "Position")
    entry, size, lev, stop, contract, rate, periods, avail, wallet, mmr, amount = _inputs(
        book,
        s,
        4,
        0,
        [
            ("Entry price", 60000, "in_price", _POSITIVE_VALIDATION),
            ("Contracts (signed, - = short)", 0.01, "in_num", None),
            ("Leverage", 20, "in_lev", _LEVERAGE_VALIDATION),
            ("Stop price", 57000, "in_price", _POSITIVE_VALIDATION),
            ("Contract", "binance:BTCUSDT", "in", _contract_validation(keys)),
            ("Funding rate per interval", 0.0001, "in_pct", None),
            ("Funding intervals", 21, "in_num", _POSITIVE_VALIDATION),
            ("Margin available", 1000, "in_money", _POSITIVE_VALIDATION),
            ("Wallet balance (optional)", None, "in_money", None),
            ("Maintenance rate (optional)", None, "in_pct", _PCT_VALIDATION),
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
            "out_num",
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
        "shown below it. The 20x BTC case: liquidation at 57,228.92, stop at 57,000: at most 18x. "
        "Leave the optional cells blank to use the contract's margin tier.",
        "note",
    )
    ws.merge_range(top, 3, top + 4, 3, None)
    _protect(ws)


def _specs_sheet(book: _Book, rows: list[list[Any]]) -> None:
    s = "Specs"
    ws = book.sheets[s]
    header, data = rows[0], rows[1:]
    pct = {"maker_fee", "taker_fee", "mmr"}
    columns = []
    for name in header:
        col: dict[str, Any] = {"header": name}
        if name in pct:
            col["format"] = book.fmt["spec_pct"]
        columns.append(col)
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
    widths = {"source": 60, "exchange": 12, "symbol": 16, "qty_unit": 14, "as_of": 11}
    for j, name in enumerate(header):
        ws.set_column(j, j, widths.get(name, 10))
    ws.freeze_panes(1, 2)
    note_col = len(header) + 1
    ws.set_column(note_col, note_col, 50)
    ws.write(
        0,
        note_col,
        "The exchange multiplier table every MF_ formula in this workbook reads (Specs[[#All]]). "
        "Edit a value or add a row at the bottom of the table and the formulas follow. "
        "contract_size is the value of one unit of the exchange's order quantity (qty_unit); "
        "fees and mmr are fractions shown as %. Each row names its source and as-of date. "
        "`microsize workbook update-specs` refreshes the package's rows and keeps yours.",
        book.fmt["note"],
    )
    ws.set_row(0, 30)


def _tiers_sheet(book: _Book, rows: list[list[Any]]) -> None:
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
            "columns": [
                {"header": h, "format": book.fmt["spec_pct"]} if h == "mmr" else {"header": h}
                for h in header
            ],
            "data": [["" if v is None else v for v in r] for r in data],
            "style": "Table Style Light 9",
        },
    )
    widths = {"source": 60, "floor_unit": 14, "as_of": 11}
    for j, name in enumerate(header):
        ws.set_column(j, j, widths.get(name, 12))
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
    _protect(ws)


def _changes_sheet(book: _Book) -> None:
    s = "Spec changes"
    ws = book.sheets[s]
    ws.set_column("A:A", 10)
    ws.set_column("B:C", 24)
    ws.set_column("D:E", 30)
    for j, h in enumerate(("change", "key", "field", "old", "new")):
        ws.write(0, j, h, book.fmt["header"])
    ws.write(
        1,
        0,
        "No refresh applied yet: `microsize workbook update-specs` lists here what it changed.",
        book.fmt["note"],
    )


def _conf_sheet(book: _Book) -> None:
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


def _lists_sheet(book: _Book, keys: Sequence[str]) -> str:
    ws = book.sheets["Lists"]
    ws.write(0, 0, "Contract keys (dropdowns)", book.fmt["header"])
    for i, key in enumerate(keys):
        ws.write(i + 1, 0, key)
    ws.set_column("A:A", 26)
    ws.hide()
    return f"=Lists!$A$2:$A${LIST_ROWS + 1}"


def tier_rows(tiers: Sequence[MarginTier]) -> list[list[Any]]:
    """Margin tiers as a header row plus rows, in ``TIER_COLUMNS`` order."""
    out: list[list[Any]] = [list(TIER_COLUMNS)]
    for t in tiers:
        out.append([getattr(t, c) for c in TIER_COLUMNS])
    return out


#: xlwings version whose standalone VBA project the template embeds (see pyproject.toml).
XLWINGS_VBA_VERSION = "0.37.8"


def xlwings_vba_project() -> bytes:
    """``vbaProject.bin`` of xlwings 0.37.8's standalone quickstart workbook, byte for byte.

    It embeds the xlwings VBA module (ImportPythonUDFs, the settings reader, the call into
    ``xlwings64-0.37.8.dll``). It is vendored under ``data/`` (BSD-3, licence alongside) so
    that the template is the same whatever xlwings version builds it; on Windows the
    package pins xlwings to the same version, which the DLL name requires.
    """
    name = f"xlwings-{XLWINGS_VBA_VERSION}-standalone-vbaProject.bin"
    return resources.files("microsize").joinpath("data").joinpath(name).read_bytes()


def template_date() -> dt.date:
    """The date the template is computed for: the newest as-of date in the bundled table.

    Staleness warnings in the cached results are measured from it, not from the day the
    builder runs, so the same data always gives the same file.
    """
    dates = [
        dt.date.fromisoformat(str(s.as_of)) for s in load_bundled_specs().filter(None) if s.as_of
    ]
    return max(dates)


@contextlib.contextmanager
def _pinned_environment() -> Iterator[None]:
    """Compute cached values from the bundled tables only, at :func:`template_date`, with
    the default staleness limit, whatever the user's ~/.microsize and environment hold."""
    from . import clock, refresh
    from ._contracts import HOME_ENV, MAX_AGE_ENV

    saved_today = clock.today
    saved_env = {k: os.environ.get(k) for k in (HOME_ENV, MAX_AGE_ENV)}
    day = template_date()
    with tempfile.TemporaryDirectory() as empty_home:
        os.environ[HOME_ENV] = empty_home
        os.environ.pop(MAX_AGE_ENV, None)
        clock.today = lambda: day
        refresh.reload_tables()
        try:
            yield
        finally:
            clock.today = saved_today
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            refresh.reload_tables()


def build_workbook_bytes() -> bytes:
    """The template as bytes: the same bundled data always gives the same bytes."""
    with _pinned_environment():
        return _build()


def _build() -> bytes:
    specs_rows = load_bundled_specs().rows()
    buf = io.BytesIO()
    book = _Book(buf, specs_rows)
    book.fmt["spec_pct"] = book.wb.add_format({"num_format": "0.00##%"})
    book.wb.add_vba_project(io.BytesIO(xlwings_vba_project()), is_stream=True)
    book.wb.set_vba_name("ThisWorkbook")
    book.add_sheets(SHEETS)
    keys = [f"{r[0]}:{r[1]}" for r in specs_rows[1:]]
    if len(keys) > LIST_ROWS:
        raise MicrosizeError(f"the Lists sheet holds {LIST_ROWS} keys (got {len(keys)})")
    keys_ref = _lists_sheet(book, keys)
    _start_sheet(book, specs_rows)
    _sizing_sheet(book, keys_ref)
    _ladder_sheet(book, keys_ref)
    _hedge_sheet(book, keys_ref)
    prices = _prices_sheet(book)
    _portfolio_sheet(book, prices, keys_ref)
    _margin_sheet(book, keys_ref)
    _specs_sheet(book, specs_rows)
    _tiers_sheet(book, tier_rows(load_bundled_margin_tiers()))
    _changes_sheet(book)
    _conf_sheet(book)
    book.sheets["Start"].activate()
    book.wb.close()
    return buf.getvalue()


def build_workbook(
    path: str | Path = WORKBOOK_NAME, *, clock: Callable[[], Any] | None = None
) -> Path:
    """Write the template workbook to ``path`` (a ``.xlsm``) and return the path."""
    out = Path(path)
    if out.suffix.lower() != ".xlsm":
        raise MicrosizeError(
            f"path must end in .xlsm: the workbook carries macros (got {str(path)!r})"
        )
    if not out.parent.is_dir():
        raise MicrosizeError(
            f"folder {str(out.parent)[:60]!r} does not exist: create it first, or pick another "
            "path for the workbook"
        )
    data = build_workbook_bytes()
    out.write_bytes(data)
    return out


#: How the Start sheet's list of venues begins; ``update-specs`` finds the cell by it.
VENUES_LEAD = "Venues in the Specs table"


def _order_kind(unit: Any) -> str:
    text = str(unit or "").strip().lower()
    if text.startswith("contracts"):
        return "contracts of a fixed size"
    if text.startswith("usd"):
        return "USD amounts"
    return "the coin"


def venue_summary(specs_rows: Sequence[Sequence[Any]]) -> str:
    """The Start sheet's list of venues and their order units, from a spec table's rows
    (header first): the venues in table order, then which count the coin, contracts of a
    fixed size or USD amounts (a venue with several kinds of contract is in several).

    >>> rows = [["exchange", "symbol", "qty_unit"], ["cme", "MBT", "contracts of 0.1 BTC"],
    ...         ["bingx", "BTC-USDT", "BTC"], ["mexc", "BTC_USDT", "contracts of 0.0001 BTC"]]
    >>> print(venue_summary(rows))  # doctest: +NORMALIZE_WHITESPACE
    Venues in the Specs table (3 contracts): cme, bingx, mexc. Order units: the coin on
    bingx; contracts of a fixed size on cme, mexc. MF_SPEC(contract, "qty_unit") gives each
    contract's unit.
    """
    header = [str(h).strip().lower() for h in specs_rows[0]]
    ex, unit = header.index("exchange"), header.index("qty_unit")
    venues: dict[str, None] = {}
    kinds: dict[str, dict[str, None]] = {}
    for row in specs_rows[1:]:
        name = str(row[ex] or "").strip()
        if not name:
            continue
        venues.setdefault(name)
        kinds.setdefault(_order_kind(row[unit]), {}).setdefault(name)
    order = ("the coin", "contracts of a fixed size", "USD amounts")
    parts = [f"{k} on {', '.join(kinds[k])}" for k in sorted(kinds, key=order.index)]
    n = len(specs_rows) - 1
    return (
        f"{VENUES_LEAD} ({n} contract{'s' if n != 1 else ''}): {', '.join(venues)}. "
        f"Order units: {'; '.join(parts)}. "
        'MF_SPEC(contract, "qty_unit") gives each contract\'s unit.'
    )


def _text_height(text: str) -> float:
    return 15.0 * max(1, -(-len(text) // 120))


def _start_sheet(book: _Book, specs_rows: Sequence[Sequence[Any]]) -> None:
    ws = book.sheets["Start"]
    ws.hide_gridlines(2)
    ws.set_column("A:A", 3)
    ws.set_column("B:B", 110)
    for row, (kind, text) in enumerate(START_TEXT):
        if kind == "venues":
            kind, text = "p", venue_summary(specs_rows)
        fmt = {"title": "title", "h2": "h2", "p": "text", "note": "note"}[kind]
        ws.write(row, 1, text, book.fmt[fmt])
        if kind in ("p", "note"):
            ws.set_row(row, _text_height(text))
    _protect(ws)


START_TEXT: tuple[tuple[str, str], ...] = (
    ("title", "microsize: size crypto futures trades without overshooting your risk"),
    (
        "p",
        "Type an account size, a risk per trade, an entry, a stop and a contract; the sheet returns the number of contracts whose loss at the stop, fees included, stays inside the budget. Never one lot step more.",
    ),
    ("h2", "1. Set up once (Windows, classic xlwings)"),
    (
        "p",
        "a) Install Python 3.10 or newer. microsize is not on a package index: get the project folder (a clone of its repository, or the unpacked source), open a terminal in it and run: python -m pip install . (or py -m pip install . if Windows does not find python).",
    ),
    (
        "p",
        'b) In Excel: File > Options > Trust Center > Trust Center Settings > Macro Settings: tick "Trust access to the VBA project object model". Needed once, to import the functions.',
    ),
    (
        "p",
        "c) Open this workbook, click Enable Content (if Windows blocked the file: right-click it in Explorer > Properties > Unblock).",
    ),
    (
        "p",
        "d) Import the functions: press Alt+F8, run ImportPythonUDFs (or, with the xlwings add-in installed, click Import Functions on the xlwings tab). Then press Ctrl+Alt+F9 to recalculate. Do it again after upgrading microsize.",
    ),
    (
        "p",
        "The settings xlwings reads are on the sheet xlwings.conf: UDF Modules = microsize.udfs. Until the functions are imported, Excel shows #NAME? in the grey cells; the numbers saved in the file are what the functions returned when the workbook was built.",
    ),
    ("h2", "2. macOS or Excel on the web (xlwings Lite)"),
    (
        "p",
        "Classic xlwings functions run on Windows only. Elsewhere, add the xlwings Lite add-in (Home > Add-ins), open its editor, put microsize in requirements.txt and, in main.py, the lines given in the README. Not verified here.",
    ),
    ("h2", "3. Where to type"),
    (
        "p",
        "Yellow cells are inputs; everything else is protected against accidental edits (Review > Unprotect Sheet, no password). Grey cells are results. A red cell is a warning: read it.",
    ),
    (
        "p",
        "Sizing: two worked trades. Ladder: a 30/40/30 scale-in under one stop and a scale-out. Hedge: one position hedged by beta, and Hull's minimum-variance hedge ratio. Portfolio: holdings hedged with a BTC micro, betas from the Prices sheet. Margin: liquidation, max leverage, funding. Specs: the contract table the formulas read. Tiers: the margin brackets.",
    ),
    ("h2", "4. Units"),
    (
        "p",
        "Percentages are fractions: type 1.5% (the cell holds 0.015). Money is in the contract's settlement currency: USDT or USD for linear contracts, the coin (BTC) for inverse ones. Contracts are counted in the exchange's own order unit: the coin for Binance USDT-M, Bybit linear, Bitget, BingX and WEEX; contracts of a per-coin size for CME, Coinbase, OKX, MEXC and Gate; USD for Deribit and BitMEX inverse perpetuals (MF_SPEC(contract, \"qty_unit\") says which).",
    ),
    ("venues", ""),
    (
        "p",
        "Contract: a key exchange:symbol from the Specs table (the dropdown lists them), or a plain number: units of the underlying per contract, traded in whole contracts.",
    ),
    ("h2", "5. What the results mean"),
    (
        "p",
        "Contracts: the largest multiple of the lot step whose loss at the stop, both fees included, is at most the budget; 0 below the exchange's minimum, with a warning. Risk at stop: what you lose if the stop fills. Unused budget: what rounding down left. Liquidation price: where the exchange closes an isolated position; if it comes before the stop, the Warnings row says so and the highest leverage that keeps it beyond the stop.",
    ),
    (
        "p",
        'A cell that shows a sentence instead of a number names the argument that is wrong and the value it got, e.g. "stop must differ from entry (got entry=3520, stop=3520)".',
    ),
    ("h2", "6. Keeping the specs current"),
    (
        "p",
        "Exchanges change lot steps, ticks and margin tiers. Each Specs row has a source and an as-of date. To bring a workbook up to date with the installed package: microsize workbook update-specs YOUR.xlsm (a backup is written first, YOUR.bak.xlsm, then YOUR.bak-2.xlsm and so on: none is ever overwritten; your own rows, the other sheets and the macros are kept).",
    ),
    (
        "note",
        "Checked on Linux only: the formulas were evaluated by a formula engine against the Python functions, and the file was opened and rendered by LibreOffice. No copy of Excel was available: that the macros compile and the formulas spill in Excel is taken from xlwings' and Microsoft's documentation.",
    ),
)


# --------------------------------------------------------------------------- update-specs
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass
class UpdateReport:
    """What ``update_specs`` did: the backup, the diff rows and the kept user rows."""

    book: Path
    backup: Path
    spec_changes: list[list[Any]]
    tier_changes: list[list[Any]]
    kept_user_keys: list[str]

    def lines(self) -> list[str]:
        n_spec, n_tier = len(self.spec_changes) - 1, len(self.tier_changes) - 1
        out = [
            f"updated {self.book} (backup: {self.backup})",
            f"Specs: {n_spec} change{'s' if n_spec != 1 else ''}; Tiers: {n_tier} change{'s' if n_tier != 1 else ''}",
        ]
        if self.kept_user_keys:
            out.append("kept your own rows: " + ", ".join(self.kept_user_keys))
        return out


def _xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _cell_xml(ref: str, value: Any, style: str | None) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_xml_escape(str(value))}</t></is></c>'


_ROW_RE = re.compile(r"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_CELL_RE = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)


def _replace_block(
    sheet_xml: str, first_col: int, rows: list[list[Any]], clear_cols: int, clear_rows: int
) -> str:
    """Rewrite the cells of columns first_col .. first_col+clear_cols-1 from row 1 down:
    the old cells there (up to clear_rows rows) go, ``rows`` are written, every other cell
    of the sheet is kept byte for byte. Each column keeps the style of its old cells
    (header style for row 1, first data row's style below)."""
    m = re.search(r"<sheetData>(.*?)</sheetData>|<sheetData/>", sheet_xml, re.S)
    if m is None:
        raise MicrosizeError("the sheet has no cell data")
    old_rows: dict[int, tuple[str, list[str]]] = {}
    for rm in _ROW_RE.finditer(m.group(1) or ""):
        attrs = rm.group(1)
        rnum = int(re.search(r'\br="(\d+)"', attrs).group(1))  # type: ignore[union-attr]
        old_rows[rnum] = (attrs, _CELL_RE.findall(rm.group(2) or ""))
    in_block = range(first_col, first_col + clear_cols)
    styles: dict[tuple[bool, int], str] = {}
    kept: dict[int, list[tuple[int, str]]] = {}
    for rnum, (_attrs, cells) in old_rows.items():
        for cell in cells:
            ref = re.search(r'\br="([A-Z]+\d+)"', cell).group(1)  # type: ignore[union-attr]
            r, c = _parse(ref)
            sm = re.search(r'\bs="(\d+)"', cell)
            if c in in_block and r < max(clear_rows, len(rows)):
                key = (r == 0, c)
                if sm and key not in styles and (r in (0, 1)):
                    styles[key] = sm.group(1)
                continue
            kept.setdefault(rnum, []).append((c, cell))
    new_cells: dict[int, list[tuple[int, str]]] = {k: list(v) for k, v in kept.items()}
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            col = first_col + j
            xml = _cell_xml(cell_name(i, col), v, styles.get((i == 0, col)))
            if xml:
                new_cells.setdefault(i + 1, []).append((col, xml))
    parts: list[str] = []
    for rnum in sorted(set(new_cells) | set(old_rows)):
        attrs = old_rows.get(rnum, (f' r="{rnum}"', []))[0]
        attrs = re.sub(r'\s+spans="[^"]*"', "", attrs)
        row_cells = sorted(new_cells.get(rnum, []))
        parts.append(f"<row{attrs}>" + "".join(x for _, x in row_cells) + "</row>")
    out = (
        sheet_xml[: m.start()]
        + "<sheetData>"
        + "".join(parts)
        + "</sheetData>"
        + sheet_xml[m.end() :]
    )
    return re.sub(r'<dimension ref="[^"]*"/>', "", out)


def _table_xml(xml: str, header: Sequence[str], n_rows: int) -> str:
    last = cell_name(n_rows, len(header) - 1)
    xml = re.sub(r'(<table\b[^>]*?\sref=")[^"]*(")', rf"\g<1>A1:{last}\g<2>", xml, count=1)
    xml = re.sub(r'(<autoFilter\b[^>]*?\sref=")[^"]*(")', rf"\g<1>A1:{last}\g<2>", xml, count=1)
    cols = "".join(
        f'<tableColumn id="{i + 1}" name="{_xml_escape(h)}"/>' for i, h in enumerate(header)
    )
    return re.sub(
        r"<tableColumns\b.*?</tableColumns>",
        f'<tableColumns count="{len(header)}">{cols}</tableColumns>',
        xml,
        count=1,
        flags=re.S,
    )


class _Package:
    """The parts of an .xlsx/.xlsm zip, with sheet and table lookup by name."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as z:
            self.infos = z.infolist()
            self.parts = {i.filename: z.read(i.filename) for i in self.infos}
        wb = self.text("xl/workbook.xml")
        rels = self.text("xl/_rels/workbook.xml.rels")
        targets = dict(re.findall(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
        targets |= {
            k: v
            for v, k in re.findall(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
        }
        self.sheets: dict[str, str] = {}
        for m in re.finditer(r"<sheet\b([^>]*)/>", wb):
            name = re.search(r'name="([^"]*)"', m.group(1))
            rid = re.search(r'r:id="([^"]*)"', m.group(1))
            if name and rid:
                target = targets[rid.group(1)].lstrip("/")
                part = target if target.startswith("xl/") else "xl/" + target
                self.sheets[_unescape(name.group(1))] = part

    def text(self, part: str) -> str:
        return self.parts[part].decode("utf-8")

    def table_part(self, sheet: str, table: str) -> str | None:
        part = self.sheets[sheet]
        rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rels not in self.parts:
            return None
        for target in re.findall(r'Target="([^"]*tables/[^"]+)"', self.text(rels)):
            tpart: str = "xl/tables/" + str(target).rsplit("/", 1)[1]
            if re.search(rf'<table\b[^>]*\sname="{re.escape(table)}"', self.text(tpart)):
                return tpart
        return None

    def write(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for info in self.infos:
                z.writestr(info, self.parts[info.filename])
        tmp.replace(path)


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


def _patch_venues(pkg: _Package, specs_rows: Sequence[Sequence[Any]]) -> bool:
    """Rewrite the Start sheet's list of venues (the cell whose text begins with
    :data:`VENUES_LEAD`, a shared or an inline string) for ``specs_rows``; False when the
    sheet has no such cell (a workbook built before the list existed)."""
    part = pkg.sheets.get("Start")
    if part is None:
        return False
    xml = pkg.text(part)
    index = None
    if "xl/sharedStrings.xml" in pkg.parts:
        items = re.findall(r"<si>(.*?)</si>", pkg.text("xl/sharedStrings.xml"), re.S)
        for i, item in enumerate(items):
            plain = _unescape("".join(re.findall(r"<t\b[^>]*>(.*?)</t>", item, re.S)))
            if plain.startswith(VENUES_LEAD):
                index = i
                break
    text = venue_summary(specs_rows)
    for m in _CELL_RE.finditer(xml):
        cell = m.group(0)
        shared = index is not None and 't="s"' in cell and f"<v>{index}</v>" in cell
        inline = 't="inlineStr"' in cell and f">{VENUES_LEAD}" in cell
        if not (shared or inline):
            continue
        ref = re.search(r'\br="([A-Z]+)(\d+)"', cell)
        style = re.search(r'\bs="(\d+)"', cell)
        assert ref is not None
        new = _cell_xml(ref.group(1) + ref.group(2), text, style.group(1) if style else None)
        xml = xml[: m.start()] + new + xml[m.end() :]
        row = re.search(rf'<row\b[^>]*\br="{ref.group(2)}"[^>]*>', xml)
        if row is not None and ' ht="' in row.group(0):
            tag = re.sub(r'\bht="[^"]*"', f'ht="{_text_height(text):g}"', row.group(0))
            xml = xml[: row.start()] + tag + xml[row.end() :]
        pkg.parts[part] = xml.encode("utf-8")
        return True
    return False


def _table_values(path: Path, sheet: str) -> list[list[Any]]:
    """The values of a sheet's table region, read with openpyxl (header row first)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    ws = wb[sheet]
    table = next(iter(ws.tables.values()))
    cells = ws[table.ref]
    return [[c.value for c in row] for row in cells]


def _write_new(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` only if no file is there (atomic check); False if one is."""
    try:
        with path.open("xb") as fh:
            fh.write(data)
    except FileExistsError:
        return False
    return True


def _next_backup(book: Path, data: bytes) -> Path:
    """Write ``data`` to the first free name of BOOK.bak.xlsm, BOOK.bak-2.xlsm, ...

    An existing backup is never overwritten, so the file as it was before the first update
    survives any number of runs.
    """
    n = 1
    while True:
        tag = ".bak" if n == 1 else f".bak-{n}"
        candidate = book.with_name(book.stem + tag + book.suffix)
        if _write_new(candidate, data):
            return candidate
        n += 1


def update_specs(book: str | Path, *, backup: str | Path | None = None) -> UpdateReport:
    """Replace a workbook's Specs and Tiers tables with the package's current tables.

    Rows of the workbook's Specs table whose key the package does not know (your own
    contracts) are kept, after the package's rows. Every other sheet, the VBA project and
    every other part of the file are copied byte for byte; only the Specs, Tiers, Lists and
    Spec changes sheets, the two tables, the Start sheet's list of venues and the
    workbook's recalculation flag change. A backup copy is written first:
    ``BOOK.bak.xlsm``, or ``BOOK.bak-2.xlsm``, ``-3`` ... when that exists (a backup is
    never overwritten), or ``backup`` if given (which must not exist yet).
    """
    from ._contracts import SpecTable, tiers_from_rows
    from ._refresh import diff_specs, diff_tiers

    path = Path(book)
    if not path.is_file():
        raise MicrosizeError(f"book must be an existing workbook file (got {str(book)[:80]!r})")
    try:
        pkg = _Package(path)
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, OSError) as exc:
        raise MicrosizeError(
            f"{path.name[:60]} is not an Excel workbook (.xlsm/.xlsx): "
            f"{'not a zip file' if isinstance(exc, zipfile.BadZipFile) else 'a part is missing or unreadable'}"
        ) from None
    for needed in ("Specs", "Tiers"):
        if needed not in pkg.sheets:
            raise MicrosizeError(
                f"{path.name} has no sheet named {needed!r}: is it a microsize workbook?"
            )
    specs_part = pkg.table_part("Specs", SPECS_TABLE)
    tiers_part = pkg.table_part("Tiers", "Tiers")
    if specs_part is None or tiers_part is None:
        raise MicrosizeError(
            f"{path.name}: the Specs or Tiers sheet has no table named Specs / Tiers"
        )

    old_rows = _table_values(path, "Specs")
    try:
        old_table: SpecTable | None = SpecTable.from_rows(
            old_rows, origin=f"{path.name} sheet Specs"
        )
    except MicrosizeError as exc:  # a broken table is what an update repairs; say so
        old_table, broken = None, str(exc)
    old_tiers = tiers_from_rows(_table_values(path, "Tiers"), origin=f"{path.name} sheet Tiers")
    new_pkg = load_specs()
    new_keys = {s.key.lower() for s in new_pkg.filter(None)}
    old_header = [str(h).strip().lower() for h in old_rows[0]]
    ex, sym = old_header.index("exchange"), old_header.index("symbol")
    user_rows = [
        r
        for r in old_rows[1:]
        if any(v not in (None, "") for v in r)
        and f"{r[ex]}:{r[sym]}".strip().lower() not in new_keys
    ]
    header = list(SPEC_COLUMNS)
    user_rows = [
        [r[old_header.index(h)] if h in old_header else None for h in header] for r in user_rows
    ]
    new_rows = new_pkg.rows() + user_rows
    new_table = SpecTable.from_rows(new_rows, origin="updated Specs")
    if old_table is None:
        spec_diff = [
            ["change", "key", "field", "old", "new"],
            ["replaced", "", "", f"the old table was not valid: {broken}", ""],
        ]
    else:
        spec_diff = diff_specs(old_table, new_table).rows()
    tier_rows_new = tier_rows(load_margin_tiers())
    tier_diff = diff_tiers(old_tiers, load_margin_tiers()).rows()

    original = path.read_bytes()
    if backup:
        backup_path = Path(backup)
        if backup_path.resolve() == path.resolve():
            raise MicrosizeError(f"backup must differ from the book (got {str(backup)[:80]!r})")
        if not _write_new(backup_path, original):
            raise MicrosizeError(
                f"backup {str(backup)[:80]!r} exists: a backup is never overwritten, pick a new name"
            )
    else:
        backup_path = _next_backup(path, original)

    def patch(
        sheet: str, rows: list[list[Any]], clear_cols: int, clear_rows: int, first_col: int = 0
    ) -> None:
        part = pkg.sheets[sheet]
        xml = _replace_block(pkg.text(part), first_col, rows, clear_cols, clear_rows)
        pkg.parts[part] = xml.encode("utf-8")

    patch(
        "Specs",
        [[None if v is None else v for v in r] for r in new_rows],
        max(len(header), len(old_header)),
        len(old_rows),
    )
    pkg.parts[specs_part] = _table_xml(pkg.text(specs_part), header, len(new_rows) - 1).encode()
    old_tier_len = len(old_tiers) + 1
    patch("Tiers", tier_rows_new, len(TIER_COLUMNS), old_tier_len)
    pkg.parts[tiers_part] = _table_xml(
        pkg.text(tiers_part), list(TIER_COLUMNS), len(tier_rows_new) - 1
    ).encode()
    if "Lists" in pkg.sheets:
        keys = [[f"{r[0]}:{r[1]}"] for r in new_rows[1:]]
        if len(keys) > LIST_ROWS:
            raise MicrosizeError(f"the Lists sheet holds {LIST_ROWS} keys (got {len(keys)})")
        patch("Lists", [["Contract keys (dropdowns)"], *keys], 1, LIST_ROWS + 1)
    _patch_venues(pkg, new_table.rows())  # validated: a blank qty_unit is derived
    if "Spec changes" in pkg.sheets:
        stamp = f"update-specs with microsize {__version__}: {len(spec_diff) - 1} spec and {len(tier_diff) - 1} tier changes"
        body = [*spec_diff, *tier_diff[1:]]
        if len(body) == 1:
            body.append(["none", "", "", "", ""])
        patch("Spec changes", [*body, [], [stamp]], 5, 100000)
    wbxml = pkg.text("xl/workbook.xml")
    if "<calcPr" in wbxml:
        if "fullCalcOnLoad" not in wbxml:
            wbxml = wbxml.replace("<calcPr", '<calcPr fullCalcOnLoad="1"', 1)
    else:
        wbxml = wbxml.replace("</workbook>", '<calcPr fullCalcOnLoad="1"/></workbook>')
    pkg.parts["xl/workbook.xml"] = wbxml.encode("utf-8")
    pkg.write(path)
    return UpdateReport(
        path, backup_path, spec_diff, tier_diff, [f"{r[0]}:{r[1]}" for r in user_rows]
    )
