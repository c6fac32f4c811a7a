"""The Planner sheet: a table of planned trades, each sized by column calls (one formula
per result column, spilling beside the table), and their combined risk and margin."""

from __future__ import annotations

from ._book import SPECS, _Book
from ._common import (
    _PCT_VALIDATION,
    _POSITIVE_VALIDATION,
    _contract_validation,
    _inputs,
    _protect,
    _shown_check,
)

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
        "The grey columns are one formula over the table's columns: they grow with the table. "
        "A blank Fee is 0, a blank Leverage no leverage; a row with an error says why in "
        "Check and the totals name it. A short's exposure is negative.",
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
    plan_args = (
        account,
        t["Risk %"],
        t["Risk amount"],
        t["Entry"],
        t["Stop"],
        t["Contract"],
        t["Fee"],
        t["Leverage"],
        SPECS,
    )
    book.section(s, "J8", "Per trade (USD): MF_PLAN, one formula over the table", span=6)
    titles = ("Risk budget", "Contracts", "Risk at stop", "Exposure (short -)", "Margin", "Check")
    for j, title in enumerate(titles):
        book.write(s, _a1(8, 9 + j), title, "header" if title == "Check" else "header_num")
    book.formula(
        s,
        "J10",
        "MF_PLAN",
        *plan_args,
        styler=lambda i, j, rows: (
            "out_money",
            "out_num",
            "out_money",
            "out_money",
            "out_money",
            "out",
        )[j],
    )
    # "error: ..." and "liquidation ... comes before the stop" are the only checks sorting
    # before "m" ("n/a ...", "no ...", "not checked ...", "ok ..." come after): a cell-value
    # rule, which LibreOffice applies to array cells (a text rule there it never applies)
    ws.conditional_format(
        9,
        14,
        9 + 200,
        14,
        {"type": "cell", "criteria": "<", "value": '"m"', "format": book.fmt["warn"]},
    )

    book.write(s, "J7", "Trades shown", "label")
    _shown_check(
        book,
        s,
        "L7",
        ("COUNTA($O$10:$O$209)", "ROWS(Trades[Entry])", "trades"),
        (n, n),
        ": the totals count them all",
    )

    book.section(s, "D4", "Totals (USD): MF_PLAN_TOTALS", span=4)
    totals = book.formula(s, "G5", "MF_PLAN_TOTALS", *plan_args, fmt="out_money")
    for i, label in enumerate(
        ("Combined risk at stop", "Combined margin", "Net exposure (long +, short -)")
    ):
        book.write(s, f"D{5 + i}", label, "label")
    total_risk, total_margin = totals.result[0][0], totals.result[1][0]
    acct = book.model.value(account)
    lim = book.model.value(limit)
    ok = all(isinstance(r[0], float) for r in totals.result)
    book.write(s, "J5", "Risk / account", "label")
    book.plain(
        s,
        "L5",
        '=IF(ISNUMBER($G$5),$G$5/$B$5,"n/a")',
        total_risk / acct if ok else "n/a",
        "out_pct",
    )
    book.write(s, "J6", "Margin / account", "label")
    book.plain(
        s,
        "L6",
        '=IF(ISNUMBER($G$6),$G$6/$B$5,"n/a")',
        total_margin / acct if ok else "n/a",
        "out_pct",
    )
    above = "Combined risk is above your limit: cut a trade's risk %"
    within = "ok: combined risk within your limit"
    book.plain(
        s,
        "O5",
        f'=IF(ISNUMBER($G$5),IF($L$5>$B$6,"{above}","{within}"),$G$5)',
        (above if total_risk / acct > lim else within) if ok else total_risk,
        "out",
    )
    # red unless it reads ok (a trade with an error, or the risk above the limit)
    ws.conditional_format(
        "O5",
        {"type": "formula", "criteria": '=LEFT($O$5,3)<>"ok:"', "format": book.fmt["warn"]},
    )
    _protect(ws)


def _a1(row: int, col: int) -> str:
    from ._book import cell_name

    return cell_name(row, col)
