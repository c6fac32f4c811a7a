"""The Prices sheet (a table of price histories) and the Portfolio sheet (holdings in any
contracts on any venues, betas from the Prices table, the hedge in a chosen micro)."""

from __future__ import annotations

from typing import Any

from .. import udfs
from ._book import SPECS, SPECS_REF, Book, Col, Computed, cell_name, this_row
from ._common import (
    POSITIVE_VALIDATION,
    contract_validation,
    input_block,
    label_value_styler,
    prices_to_the_tick,
    shown_check,
    step_column,
    tick_cell,
)
from ._data import SAMPLE_PRICES
from .charts import fit_caption, fitted_scatter

PRICE_ASSETS = ("BTC", "ETH", "SOL", "LINK")

# An ETH-heavy book on four venues, valued at the last closes of the Prices table.
HOLDINGS: tuple[tuple[str, str, str, float, float], ...] = (
    ("ETH perpetual", "ETH", "binance:ETHUSDT", 45, 1610.84),
    ("ETH swap", "ETH", "okx:ETH-USDT-SWAP", 150, 1610.84),
    ("ETH micro futures", "ETH", "cme:MET", 100, 1610.84),
    ("SOL perpetual", "SOL", "binance:SOLUSDT", 150, 83.84),
)


def prices_sheet(book: Book) -> dict[str, Col]:
    s = "Prices"
    ws = book.sheet(s)
    ws.set_column("A:G", 13)
    ws.set_column("I:I", 60)
    header = ["Week", *PRICE_ASSETS]
    rows = [[i + 1, *r] for i, r in enumerate(SAMPLE_PRICES)]
    btc, eth = ([r[1 + PRICE_ASSETS.index(a)] for r in rows] for a in ("BTC", "ETH"))
    cols = book.table(
        s,
        "A1",
        "Prices",
        header,
        rows,
        ["out_num", *(["in_price"] * len(PRICE_ASSETS))],
        [
            step_column("Prices", "BTC", "BTC return", btc, "return"),
            step_column("Prices", "ETH", "ETH return", eth, "return"),
        ],
    )
    book.write(
        s,
        "I1",
        "Illustrative weekly closes, made up for this example, oldest first. This is an Excel "
        "table named Prices: in Excel, type a new week in the row below it and the table grows (in "
        "LibreOffice, insert a row above the last week, copy the last week into it and type the new "
        "week over the last); add an "
        "asset by inserting a column into the table and naming it in the header. Every beta reads the table's "
        "columns (Prices[ETH], Prices[BTC]), whatever their length. A row with a blank in "
        "either series is skipped. The grey columns, weekly simple returns of BTC and ETH, "
        "are the table's own (the Portfolio sheet's chart draws them).",
        "note",
    )
    ws.merge_range("I1:I9", None)
    ws.freeze_panes(1, 0)
    return cols


def _returns_chart(book: Book, s: str, n: int, where: str) -> None:
    fitted_scatter(
        book,
        (s, where),
        (["Prices", 2, 5, 1 + n, 5], ["Prices", 2, 6, 1 + n, 6]),
        (
            "Weekly returns",
            "Fitted line (slope = ETH's beta)",
            "ETH vs BTC weekly returns (Prices)",
        ),
        ("BTC return", "ETH return", "0%"),
        width=520,
    )


def portfolio_sheet(book: Book, prices: dict[str, Col], keys: str) -> None:
    s = "Portfolio"
    ws = book.start(
        s,
        "Hedge a portfolio by beta",
        "Positions in any contracts on any venues (a table: in Excel, type a row below it to add one; "
        "in LibreOffice, insert a row above its last row, copy the last row into it, type over the last). "
        "Contracts are signed (a short is negative); the grey columns are the table's own: "
        "exposure in signed USD from MF_EXPOSURE (short -), the beta from the Prices table "
        "against BTC (MF_BETAS); Excel fills them into a new row (in LibreOffice, copy them "
        "down from the row above). The hedge is MF_PORTFOLIO_HEDGE in the micro you choose.",
        [
            ("A:A", 20),
            ("B:B", 8),
            ("C:C", 21),
            ("D:E", 11),
            ("F:F", 15),
            ("G:G", 9),
            ("H:H", 15),
            ("I:J", 2),
            ("K:K", 44),
            ("L:L", 15),
            ("M:M", 15),
        ],
    )
    book.section(s, "A4", "Holdings (table Holdings): exposure in USD, short -", span=8)
    h = book.table(
        s,
        "A5",
        "Holdings",
        ["Holding", "Asset", "Contract", "Contracts", "Price"],
        [list(r) for r in HOLDINGS],
        ["in", "in", "in", "in_num", "in_price"],
        _per_holding(book, prices),
    )
    n = len(HOLDINGS)
    ws.data_validation(5, 2, 5 + n - 1, 2, contract_validation(keys))
    exposure, betas = h["Exposure"], h["Beta"]
    book.write(s, "A3", "Check: every holding computed", "label")
    shown_check(
        book,
        s,
        "F3",
        ("COUNTA(Holdings[Beta-weighted])", "ROWS(Holdings[Contracts])", "holdings"),
        (n, n),
        ": copy the grey cells of the row above into the new row",
    )

    book.section(s, "K4", "Hedge")
    book.write(s, "K5", "Hedge price (BTC): latest in Prices", "label")
    latest = SAMPLE_PRICES[-1][PRICE_ASSETS.index("BTC")]
    price = book.plain(s, "L5", "=INDEX(Prices[BTC],ROWS(Prices[BTC]))", latest, "in_price")
    ws.data_validation(
        "L5",
        {
            **POSITIVE_VALIDATION,
            "input_title": "Hedge price",
            "input_message": "The last BTC close of the Prices table; type a price to override.",
        },
    )
    contract, target = input_block(
        book,
        s,
        5,
        10,
        [
            ("Hedge contract", "cme:MBT", "in", contract_validation(keys)),
            ("Target beta (keep some ETH view)", 0.5, "in_num", None),
        ],
    )
    # beside the contract, its tick ("tick 5"), which the hedge price is shown to
    tick = tick_cell(book, s, (5, 12), contract)
    prices_to_the_tick(book, s, [cell_name(*price.first)], cell_name(*tick.first, absolute=True))
    book.section(s, "K9", "Portfolio hedge: MF_PORTFOLIO_HEDGE")
    plan = book.formula(
        s,
        "K10",
        "MF_PORTFOLIO_HEDGE",
        exposure,
        betas,
        price,
        contract,
        target,
        SPECS,
        styler=label_value_styler(
            {
                "Exposure": "out_usd",
                "Beta-weighted exposure": "out_usd",
                "Portfolio beta": "out_ratio",
                "Hedge contracts": "out_contracts",
                "Hedge notional": "out_usd",
                "Beta after hedge": "out_ratio",
                "Beta-weighted after hedge": "out_usd",
            }
        ),
    )
    values = {str(r[0]): r[1] for r in plan.result}
    book.write(s, "K18", "Notional of one hedge contract: MF_NOTIONAL", "label")
    one = book.formula(s, "L18", "MF_NOTIONAL", 1, price, contract, SPECS, fmt="out_usd")
    _one_more_or_fewer(book, s, values, one.result)
    _portfolio_chart(book, s, values, n)
    _returns_chart(book, s, len(SAMPLE_PRICES) - 1, "A32")
    fit_caption(
        book,
        (s, "A31"),
        ("Prices[ETH return]", "Prices[BTC return]"),
        ("Fitted line: ", "ETH return", "BTC return", " (its slope: ETH's beta)"),
        (
            [r[0] for r in book.model.value(prices["ETH return"])],
            [r[0] for r in book.model.value(prices["BTC return"])],
        ),
    )
    book.write(s, "K29", "EWMA beta of ETH (lambda 0.94): MF_BETA", "label")
    book.formula(s, "L29", "MF_BETA", prices["ETH"], prices["BTC"], 0.94, fmt="out_ratio")


def _per_holding(book: Book, prices: dict[str, Col]) -> list[Computed]:
    """Exposure, beta and beta-weighted exposure of each holding, in its own row."""
    r = {c: this_row("Holdings", c) for c in ("Asset", "Contract", "Contracts", "Price")}
    table = book.model.value(prices["#All"])
    exposures, betas, weighted = [], [], []
    for _, asset, contract, contracts, price in HOLDINGS:
        e = udfs.MF_EXPOSURE(contracts, price, contract)
        b = udfs.MF_BETAS(table, asset, "BTC")[0][0]
        exposures.append(e)
        betas.append(b)
        weighted.append(e * b)
    exposure = f"=MF_EXPOSURE({r['Contracts']},{r['Price']},{r['Contract']},{SPECS_REF})"
    beta = f'=MF_BETAS(Prices[[#All]],{r["Asset"]},"BTC")'
    e, b = this_row("Holdings", "Exposure"), this_row("Holdings", "Beta")
    both = f'=IF(AND(ISNUMBER({e}),ISNUMBER({b})),{e}*{b},"n/a: see left")'
    return [
        Computed("Exposure", exposure, exposures, "out_usd"),
        Computed("Beta", beta, betas, "out_ratio"),
        Computed("Beta-weighted", both, weighted, "out_usd"),
    ]


def _one_more_or_fewer(book: Book, s: str, values: dict[str, Any], one: float) -> None:
    """The beta left by the hedge, one micro more sold and one fewer (plain formulas on
    the MF_PORTFOLIO_HEDGE results: (beta-weighted exposure + n x one contract) / exposure)."""
    book.section(s, "K20", "One micro more or fewer", span=3)
    for j, title in enumerate(("", "Hedge contracts", "Beta left")):
        book.write(s, f"{'KLM'[j]}21", title, "header_num" if j else "header")
    n = values["Hedge contracts"]
    exp, bwe = values["Exposure"], values["Beta-weighted exposure"]
    for i, (label, delta) in enumerate(
        (("One more sold", -1), ("The hedge", 0), ("One fewer sold", 1))
    ):
        r = 22 + i
        book.write(s, f"K{r}", label, "label")
        book.plain(s, f"L{r}", f"=$L$13{delta:+d}" if delta else "=$L$13", n + delta, "out_num")
        book.plain(
            s,
            f"M{r}",
            f"=IF($L$10=0,0,($L$11+L{r}*$L$18)/$L$10)",
            0 if exp == 0 else (bwe + (n + delta) * one) / exp,
            "out_ratio",
        )


def _portfolio_chart(book: Book, s: str, values: dict[str, Any], n: int) -> None:
    """Beta-weighted exposure per holding, the hedge leg, and the portfolio before / after."""
    book.write(s, "K26", "Portfolio bars of the chart", "h2")
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "Beta-weighted exposure per holding (USD)",
            "categories": [s, 5, 0, 5 + n - 1, 0],
            "values": [s, 5, 7, 5 + n - 1, 7],
            "fill": {"color": "#5B9BD5"},
            "data_labels": {"value": True, "num_format": "#,##0"},
        }
    )
    book.write(s, "K27", "Before hedge", "label")
    book.plain(s, "L27", "=$L$11", values["Beta-weighted exposure"], "out_usd")
    book.write(s, "K28", "After hedge", "label")
    book.plain(s, "L28", "=$L$16", values["Beta-weighted after hedge"], "out_usd")
    chart.set_title({"name": "Beta-weighted exposure (BTC equivalent)", "name_font": {"size": 11}})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 620, "height": 300})
    book.sheets[s].insert_chart("K31", chart, {"x_offset": 5, "y_offset": 5})
    both = book.wb.add_chart({"type": "column"})
    both.add_series(
        {
            "name": "Portfolio beta-weighted exposure (USD)",
            "categories": [s, 26, 10, 27, 10],
            "values": [s, 26, 11, 27, 11],
            "points": [{"fill": {"color": "#5B9BD5"}}, {"fill": {"color": "#ED7D31"}}],
            "data_labels": {"value": True, "num_format": "#,##0"},
        }
    )
    both.set_title({"name": "Before and after the hedge", "name_font": {"size": 11}})
    both.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    both.set_legend({"none": True})
    both.set_size({"width": 360, "height": 300})
    book.sheets[s].insert_chart("K47", both, {"x_offset": 5, "y_offset": 5})
