"""The worked sheets' blocks as data (``workbook/_rows.py``): a row's position is its index,
its cell is read by name, MF_ arguments are names, quoted texts or values, and a formula
template's value is the one its cached result shows."""

from __future__ import annotations

import io

import pytest

from microsize import load_bundled_specs, udfs
from microsize.workbook._book import SPECS, Book, Ref
from microsize.workbook._rows import (
    GridRow,
    Input,
    Mf,
    Plain,
    Row,
    Shown,
    Spilled,
    Text,
    Warn,
    formula_text,
    write_block,
    write_grid,
)


def _book() -> Book:
    book = Book(io.BytesIO(), load_bundled_specs().rows())
    book.add_sheets(["S"])
    return book


ROWS: tuple[Row, ...] = (
    ("entry", "Entry", Input(60000, "in_price")),
    ("stop", "Stop", Input(57000, "in_price")),
    ("contract", "Contract", Input("binance:BTCUSDT", "in")),
    ("tick", "Tick", Mf("MF_SPEC", ("contract", '"tick_size"', SPECS))),
    (
        "ticks",
        "Stop distance in ticks",
        Plain("=ABS({entry}-{stop})/{tick:rel}", lambda v: abs(v["entry"] - v["stop"]) / v["tick"]),
    ),
)


def test_rows_sit_at_their_index_and_are_read_by_name() -> None:
    book, cells = _book(), dict[str, Ref]()
    below = write_block(book, "S", (3, 1), ROWS, cells, "Heading")
    assert below == 3 + 1 + len(ROWS)  # the heading, then one row each
    assert {k: r.first for k, r in cells.items()} == {
        "entry": (4, 2),
        "stop": (5, 2),
        "contract": (6, 2),
        "tick": (7, 2),
        "ticks": (8, 2),
    }
    values = book.model.values
    assert values[("S", 3, 1)] == "Heading"
    assert [values[("S", r, 1)] for r in range(4, 9)] == [row[1] for row in ROWS]
    tick = udfs.MF_SPEC("binance:BTCUSDT", "tick_size", load_bundled_specs().rows())
    assert tick == pytest.approx(0.1)  # Binance BTCUSDT's tick, from the bundled table
    assert values[("S", 7, 2)] == tick
    assert values[("S", 8, 2)] == pytest.approx(30000)
    mf = book.model.formulas[-1]
    assert (mf.function, mf.formula) == ("MF_SPEC", '=MF_SPEC(C7,"tick_size",Specs[[#All]])')


def test_a_template_names_cells_absolute_or_relative_and_nothing_else() -> None:
    cells = {"entry": Ref("S", (4, 2)), "Liquidation price": Ref("S", (36, 4))}
    assert formula_text("=ABS({entry}-{Liquidation price:rel})", cells) == "=ABS($C$5-E37)"
    with pytest.raises(ValueError, match="name:rel"):
        formula_text("={entry:abs}", cells)
    with pytest.raises(KeyError):
        formula_text("={stop}", cells)


def test_a_formula_heading_is_written_after_the_cells_it_reads() -> None:
    book, cells = _book(), dict[str, Ref]()
    title = Plain('="Trade: "&{contract}', lambda v: f"Trade: {v['contract']}", "h2")
    write_block(book, "S", (0, 0), ROWS[2:3], cells, title)
    assert book.model.values[("S", 0, 0)] == "Trade: binance:BTCUSDT"
    assert book.model.values[("S", 0, 1)] is None  # the heading's underline
    assert cells["contract"].first == (1, 1)


def test_a_gap_puts_the_cell_columns_right_of_its_label_under_a_wider_heading() -> None:
    book, cells = _book(), dict[str, Ref]()
    below = write_block(book, "S", (2, 3), ROWS[:2], cells, "Totals", gap=3)
    assert below == 2 + 1 + 2
    assert cells["entry"].first == (3, 6)
    assert cells["stop"].first == (4, 6)
    values = book.model.values
    assert values[("S", 3, 3)] == "Entry"
    assert values[("S", 3, 6)] == 60000
    assert ("S", 3, 4) not in values  # nothing between the label and its cell
    # the heading's underline runs over the label's column to the cell's
    assert [values[("S", 2, c)] for c in range(3, 7)] == ["Totals", None, None, None]
    assert ("S", 2, 7) not in values


def test_spilled_rows_name_the_cells_an_mf_spill_fills() -> None:
    book, cells = _book(), dict[str, Ref]()
    bars = [[3], [5], [4]]
    rows: tuple[Row, ...] = (
        ("first", "First", Mf("MF_ATR", (bars, bars, bars, 1, '"sma"'))),
        ("second", "Second", Spilled()),
        ("third", "Third", Spilled()),
        ("sum", "Sum", Plain("={first}+{third}", lambda v: v["first"] + v["third"])),
    )
    write_block(book, "S", (0, 0), rows, cells)
    spill = udfs.MF_ATR(bars, bars, bars, 1, "sma")
    assert [r[0] for r in spill] == [0, 2, 1]  # true range: 0, |5-3|, |4-5|
    assert [cells[k].first for k in ("first", "second", "third")] == [(0, 1), (1, 1), (2, 1)]
    assert book.model.values[("S", 3, 1)] == 1  # read through the spilled cell's name
    assert book.sheets["S"].table[3][1].formula == "$B$1+$B$3"


def test_a_grid_names_each_cell_left_to_right_and_reads_those_written() -> None:
    book, cells = _book(), dict[str, Ref]()
    grid: list[GridRow] = [
        (("h1", Text("Venue", "header")), ("h2", Text("Margin", "header_num"))),
        (("v", Text("binance", "in")), ("m", Input(120, "in_usd"))),
        (("w", Text("bybit", "in")), ("n", Input(80, "in_usd"))),
        (
            ("all", Text("All", "label")),
            ("sum", Plain("=SUM({m:rel}:{n:rel})", lambda v: v["m"] + v["n"], "out_usd")),
        ),
    ]
    assert write_grid(book, "S", (5, 2), grid, cells) == 9
    assert cells["v"].first == (6, 2)
    assert cells["n"].first == (7, 3)
    assert book.model.values[("S", 5, 2)] == "Venue"
    assert book.model.values[("S", 8, 3)] == 200
    assert book.sheets["S"].table[8][3].formula == "SUM(D7:D8)"


def test_warn_and_shown_cells_carry_their_red_rules() -> None:
    book, cells = _book(), dict[str, Ref]()
    rows: tuple[Row, ...] = (
        ("a", "A", Input(3, "in_num")),
        ("ok", "Ok", Warn(Plain('=IF({a}>2,"ok: big","small")', lambda v: "ok: big"))),
        ("zero", "Zero", Warn(Plain("={a}-3", lambda v: v["a"] - 3), "zero")),
        ("shown", "Shown", Shown(("COUNTA(T[x])", "ROWS(T[x])", "rows"), (2, 3), ": copy")),
    )
    write_block(book, "S", (0, 0), rows, cells)
    values = book.model.values
    assert (values[("S", 1, 1)], values[("S", 2, 1)]) == ("ok: big", 0)
    assert values[("S", 3, 1)] == "only 2 of 3 rows shown: copy"
    rules = book.sheets["S"].cond_formats
    assert rules["B2"][0]["criteria"] == '=LEFT($B$2,3)<>"ok:"'
    assert (rules["B3"][0]["criteria"], rules["B3"][0]["value"]) == ("notEqual", 0)
    assert rules["B4"][0]["criteria"] == '=LEFT($B$4,3)<>"ok:"'
    assert "B1" not in rules
    with pytest.raises(ValueError, match="'ok' or 'zero'"):
        write_block(book, "S", (9, 0), (("x", "X", Warn(Input(1, "in"), "one")),), cells)
