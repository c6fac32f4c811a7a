"""The Start sheet: what to do first, where to go for each job."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._book import Book
from ._common import protect_sheet
from ._text import wrapped_lines

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


def text_height(text: str) -> float:
    """Points of a row holding ``text`` wrapped in column B (110 wide): 15 a line, the
    lines laid out word by word in Calibri's (Carlito's) widths (a word never splits, as
    in the sheet).

    >>> text_height("a short line"), text_height("word " * 40)
    (15.0, 30.0)
    """
    return 15.0 * wrapped_lines(text, 110)


def start_sheet(book: Book, specs_rows: Sequence[Sequence[Any]]) -> None:
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
            ws.set_row(row, text_height(text))
        elif kind == "title":
            ws.set_row(row, 24)  # the 16-point title in a row of its height
        elif kind == "h2":
            ws.set_row(row, 19)
    protect_sheet(ws)


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
        "Yellow cells are inputs; grey cells are results. Sheets without a table are protected against accidental edits (Review > Unprotect Sheet, no password); sheets with a table are not, so that the table can grow. A red cell is a warning: read it.",
    ),
    (
        "p",
        "Add a row to a table (Trades, Holdings, Entries, Targets, Prices, Hull, Specs): in Excel, type it in the row right below the table; in LibreOffice, select the table's last row, Sheet > Insert Rows > Rows Above, copy the last row into the new row and type the new values over the last. The grey cells compute the new row; the check cell beside a table turns red while a row has no results. (Sizing's Bars, in LibreOffice: select Bars' last row and use Sheet > Insert Cells > Shift cells down.)",
    ),
    ("h2", "4. Where to go for each job"),
    (
        "p",
        "Size one trade (side, contracts, risk at stop, reward to risk, margin, liquidation, funding): Sizing.",
    ),
    (
        "p",
        "Plan several trades against one account: Planner. One row per trade in the table Trades; a Side that disagrees with the stop turns Side check red (the stop decides). Above the table: combined risk and margin, initial margin by venue (each venue is its own wallet) and long, short, net and gross exposure by coin; type your venues and coins over the yellow ones (an Other row turns red when a trade's is not listed).",
    ),
    (
        "p",
        "Scale in under one stop, or scale out at targets: Ladder. A leg is a row of the table Entries, an exit a row of Targets; for evenly spaced entries type the number of legs in Legs (up to 20 rows are shown).",
    ),
    (
        "p",
        "Hedge one position by beta: Hedge. Hedge a whole book held on several venues: Portfolio (table Holdings; betas from the table on the Prices sheet, where you paste your own history).",
    ),
    ("p", "Liquidation, max leverage, funding, and the trade's profit across exit prices: Margin."),
    (
        "p",
        "Contract data: Specs. Every contract dropdown lists the Specs table's keys (the name ContractKeys): to use a contract that is not there, add it as a row of Specs (exchange, symbol, contract size, lot step, tick...) and its key exchange:symbol is in every dropdown and usable in every formula.",
    ),
    ("h2", "5. Units"),
    (
        "p",
        "Percentages are fractions: type 1.5% (the cell holds 0.015). Money is in the contract's settlement currency: USDT or USD for linear contracts, the coin (BTC) for inverse ones. Contracts are counted in the exchange's own order unit: the coin for Binance USDT-M, Bybit linear, Bitget, BingX and WEEX; contracts of a per-coin size for CME, Coinbase, OKX, MEXC and Gate; USD for Deribit and BitMEX inverse perpetuals (MF_SPEC(contract, \"qty_unit\") says which).",
    ),
    ("venues", ""),
    (
        "p",
        "Contract: a key exchange:symbol from the Specs table (the dropdown lists them), or a plain number: units of the underlying per contract, traded in whole contracts.",
    ),
    ("h2", "6. What the results mean"),
    (
        "p",
        "Contracts: the largest multiple of the lot step whose loss at the stop, both fees included, is at most the budget; 0 below the exchange's minimum, with a warning. Risk at stop: what you lose if the stop fills. Unused budget: what rounding down left. Liquidation price: where the exchange closes an isolated position; if it comes before the stop, the Warnings row says so and the highest leverage that keeps it beyond the stop.",
    ),
    (
        "p",
        'A cell that shows a sentence instead of a number names the argument that is wrong and the value it got, e.g. "stop_price must differ from entry (got entry=3520, stop_price=3520)".',
    ),
    ("h2", "7. Keeping the specs current"),
    (
        "p",
        "Exchanges change lot steps, ticks and margin tiers. Each Specs row has a source and an as-of date. To bring a workbook up to date with the installed package: microsize workbook update-specs YOUR.xlsm (a backup is written first, YOUR.bak.xlsm, then YOUR.bak-2.xlsm and so on: none is ever overwritten; your own rows, the other sheets and the macros are kept).",
    ),
    (
        "note",
        "Checked on Linux only: the formulas were evaluated by a formula engine against the Python functions, and the file was opened and rendered by LibreOffice. No copy of Excel was available: that the macros compile and the formulas spill in Excel is taken from xlwings' and Microsoft's documentation.",
    ),
)
