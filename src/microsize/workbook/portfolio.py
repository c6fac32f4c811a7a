"""The Prices and Portfolio sheets."""

from __future__ import annotations

from ._book import SPECS, Ref, _Book, cell_name
from ._common import (
    _POSITIVE_VALIDATION,
    _contract_validation,
    _inputs,
    _label_value_styler,
    _protect,
)
from ._data import SAMPLE_PRICES


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
