"""The Planner sheet: a table of planned trades, each sized by column calls (one formula
per result column, spilling beside the table), and their combined risk and margin."""

from __future__ import annotations

from typing import Any

from ._book import SPECS, Call, _Book
from ._common import _PCT_VALIDATION, _POSITIVE_VALIDATION, _contract_validation, _inputs, _protect

# Planned trades on two venues (Hyperliquid, Binance): (trade, contract, entry, stop, risk %, risk amount, fee,
# leverage); a row gives a risk % or a risk amount.
TRADES: tuple[tuple[str, str, float, float, float | None, float | None, float, float], ...] = (
    ("BTC breakout", "hyperliquid:BTC", 60000, 59200, 0.01, None, 0.00045, 5),
    ("ETH short", "binance:ETHUSDT", 3500, 3600, 0.01, None, 0.0005, 10),
    ("SOL pullback", "binance:SOLUSDT", 150, 142, None, 50, 0.0005, 20),
    ("BTC at 20x", "binance:BTCUSDT", 60000, 57000, 0.01, None, 0.0005, 20),
)


def _planner_sheet(book: _Book, keys: str) -> None:
    s = "Planner"
    ws = book.start(
        s,
        "Plan several trades",
        "One row per planned trade in the table Trades (type a row below it to add one). "
        "Each grey column is one formula over the table's columns: it grows with the table.",
        [
            ("A:A", 24),
            ("B:B", 20),
            ("C:D", 11),
            ("E:E", 8),
            ("F:F", 11),
            ("G:H", 10),
            ("I:I", 2),
            ("J:J", 10),
            ("K:N", 12),
            ("O:O", 58),
        ],
    )
    book.section(s, "A4", "Account")
    account, limit = _inputs(
        book,
        s,
        4,
        0,
        [
            ("Account size", 10000, "in_money", _POSITIVE_VALIDATION),
            ("Combined risk limit", 0.03, "in_pct", _PCT_VALIDATION),
        ],
    )
    book.section(s, "A8", "Planned trades (table Trades)", span=8)
    header = ["Trade", "Contract", "Entry", "Stop", "Risk %", "Risk amount", "Fee", "Leverage"]
    ws.set_row(8, 30)
    t = book.table(
        s,
        "A9",
        "Trades",
        header,
        [list(r) for r in TRADES],
        ["in", "in", "in_price", "in_price", "in_pct", "in_money", "in_pct", "in_lev"],
    )
    n = len(TRADES)
    ws.data_validation(9, 1, 9 + n - 1, 1, _contract_validation(keys))
    ws.data_validation(9, 4, 9 + n - 1, 4, _PCT_VALIDATION)
    budget = Call("MF_RISK_BUDGETS", (account, t["Risk %"], t["Risk amount"]))
    size = Call("MF_CONTRACTS", (budget, t["Entry"], t["Stop"], t["Contract"], t["Fee"], SPECS))
    columns: list[tuple[str, Call, str]] = [
        ("Contracts", size, "out_num"),
        (
            "Risk at stop",
            Call("MF_RISK", (size, t["Entry"], t["Stop"], t["Contract"], t["Fee"], SPECS)),
            "out_money",
        ),
        ("Notional", Call("MF_NOTIONAL", (size, t["Entry"], t["Contract"], SPECS)), "out_money"),
        (
            "Margin",
            Call("MF_MARGIN", (size, t["Entry"], t["Leverage"], t["Contract"], SPECS)),
            "out_money",
        ),
        (
            "Liquidation",
            Call(
                "MF_LIQ_CHECK", (t["Entry"], t["Stop"], size, t["Leverage"], t["Contract"], SPECS)
            ),
            "out",
        ),
    ]
    book.section(s, "J8", "Per trade: one formula per column", span=6)
    results: dict[str, Any] = {}
    for j, (title, call, fmt) in enumerate(columns):
        col = 9 + j if j < 4 else 14
        book.write(s, _a1(8, col), title, "header")
        cell = book.formula(s, _a1(9, col), call.function, *call.args, fmt=fmt)
        results[title] = cell
    # "liquidation ... comes before the stop" is the only status sorting before "m" ("no ...",
    # "not checked ...", "ok ..." come after): a cell-value rule, which LibreOffice applies
    # to array cells (a text rule there it never applies)
    ws.conditional_format(
        9,
        14,
        9 + 200,
        14,
        {"type": "cell", "criteria": "<", "value": '"m"', "format": book.fmt["warn"]},
    )

    book.section(s, "D4", "Totals", span=4)
    risk_call = columns[1][1]
    margin_call = columns[3][1]
    total_risk = book.model.value(Call("SUM", (risk_call,)))
    total_margin = book.model.value(Call("SUM", (margin_call,)))
    acct = book.model.value(account)
    lim = book.model.value(limit)
    book.write(s, "D5", "Combined risk at stop", "label")
    book.formula(s, "G5", "SUM", risk_call, fmt="out_money")
    book.write(s, "D6", "Combined margin", "label")
    book.formula(s, "G6", "SUM", margin_call, fmt="out_money")
    book.write(s, "J5", "Risk / account", "label")
    book.plain(s, "L5", "=IF($B$5>0,$G$5/$B$5,0)", total_risk / acct, "out_pct")
    book.write(s, "J6", "Margin / account", "label")
    book.plain(s, "L6", "=IF($B$5>0,$G$6/$B$5,0)", total_margin / acct, "out_pct")
    over = total_risk / acct > lim
    book.plain(
        s,
        "O5",
        '=IF($L$5>$B$6,"Combined risk is above your limit: cut a trade\'s risk %","ok: combined risk within your limit")',
        "Combined risk is above your limit: cut a trade's risk %"
        if over
        else "ok: combined risk within your limit",
        "out",
    )
    ws.conditional_format(
        "O5",
        {
            "type": "text",
            "criteria": "begins with",
            "value": "Combined",
            "format": book.fmt["warn"],
        },
    )
    _protect(ws)


def _a1(row: int, col: int) -> str:
    from ._book import cell_name

    return cell_name(row, col)
