"""The worked sheets' blocks as data (``workbook/_rows.py``): a row's position is its index,
its cell is read by name, MF_ arguments are names, quoted texts or values, and a formula
template's value is the one its cached result shows."""

from __future__ import annotations

import io

import pytest

from microsize import load_bundled_specs, udfs
from microsize.workbook._book import SPECS, Book, Ref
from microsize.workbook._rows import Input, Mf, Plain, Row, formula_text, write_block


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
