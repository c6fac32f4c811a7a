"""The Planner sheet: a table of planned trades, each sized by column calls (one formula
per result column, spilling beside the table), and their combined risk and margin."""

from __future__ import annotations

from typing import Any

from .. import udfs
from .._errors import MicrosizeError
from ._book import SPECS, SPECS_REF, Computed, _Book, this_row
from ._common import (
    _PCT_VALIDATION,
    _POSITIVE_VALIDATION,
    _contract_validation,
    _inputs,
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
        "One row per planned trade in the table Trades (in Excel, type a row below it to add one; "
        "in LibreOffice, insert a row above its last row, copy the last row into it, type over the last). "
        "The grey columns are the table's own: each sizes its row with MF_PLAN, and Excel "
        "fills them into a new row (in LibreOffice, copy them down from the row above). "
        "A blank Fee is 0, a blank Leverage no leverage; a row with an error says why in "
        "Check and the totals name it. A short's exposure is negative.",
        [
            ("A:A", 24),
            ("B:B", 20),
            ("C:D", 11),
            ("E:E", 8),
            ("F:F", 11),
            ("G:H", 10),
            ("I:I", 11),
            ("J:J", 10),
            ("K:M", 12),
            ("N:N", 58),
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
    book.section(
        s,
        "A8",
        "Planned trades (table Trades), sized by MF_PLAN row by row (USD; a short's exposure is negative)",
        span=14,
    )
    header = ["Trade", "Contract", "Entry", "Stop", "Risk %", "Risk amount", "Fee", "Leverage"]
    ws.set_row(8, 30)
    t = book.table(
        s,
        "A9",
        "Trades",
        header,
        [list(r) for r in TRADES],
        ["in", "in", "in_price", "in_price", "in_pct", "in_money", "in_pct", "in_lev"],
        _per_trade(book.model.value(account)),
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
    # "error: ..." and "liquidation ... comes before the stop" are the only checks sorting
    # before "m" ("n/a ...", "no ...", "not checked ...", "ok ..." come after): a cell-value
    # rule on the table's Check column
    ws.conditional_format(
        9,
        13,
        9 + n - 1,
        13,
        {"type": "cell", "criteria": "<", "value": '"m"', "format": book.fmt["warn"]},
    )
    book.write(s, "J7", "Trades computed", "label")
    _shown_check(
        book,
        s,
        "L7",
        ("COUNTA(Trades[Check])", "ROWS(Trades[Entry])", "trades"),
        (n, n),
        ": copy the grey cells of the row above into the new row",
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
        "N5",
        f'=IF(ISNUMBER($G$5),IF($L$5>$B$6,"{above}","{within}"),$G$5)',
        (above if total_risk / acct > lim else within) if ok else total_risk,
        "out",
    )
    # red unless it reads ok (a trade with an error, or the risk above the limit)
    ws.conditional_format(
        "N5",
        {"type": "formula", "criteria": '=LEFT($N$5,3)<>"ok:"', "format": book.fmt["warn"]},
    )


#: The calculated columns of Trades: (header, column of MF_PLAN's row, format).
PLAN_COLUMNS = (
    ("Risk budget", 1, "out_money"),
    ("Contracts", 2, "out_num"),
    ("Risk at stop", 3, "out_money"),
    ("Exposure", 4, "out_money"),
    ("Margin", 5, "out_money"),
    ("Check", 6, "out"),
)


def _plan_call(leverage: bool = True) -> str:
    """MF_PLAN over the formula's own row of Trades. A blank Fee or Leverage goes in as ""
    (read as blank: no fee, no leverage), never as the cell itself: LibreOffice hands an
    add-in an empty single cell as 0, and a leverage of 0 is refused. Without
    ``leverage`` the call leaves it out: risk budget, contracts, risk at stop and exposure
    do not depend on it, and the liquidation check it would run is most of MF_PLAN's time
    (a row whose leverage is refused shows the error in Check, and n/a in those columns)."""
    r = {h: this_row("Trades", h) for h in ("Risk %", "Risk amount", "Entry", "Stop")}
    r |= {h: this_row("Trades", h) for h in ("Contract", "Fee", "Leverage")}
    lev = f'IF({r["Leverage"]}="","",{r["Leverage"]})' if leverage else '""'
    fee = f'IF({r["Fee"]}="","",{r["Fee"]})'  # blank: no fee (and no cell where none is)
    args = [
        "$B$5",
        r["Risk %"],
        r["Risk amount"],
        r["Entry"],
        r["Stop"],
        r["Contract"],
        fee,
        lev,
        SPECS_REF,
    ]
    return f"MF_PLAN({','.join(args)})"


def _per_trade(account: float) -> list[Computed]:
    """One calculated column per MF_PLAN result: a row stands alone, and a row MF_PLAN
    refuses shows "n/a: see Check" and its message in Check (as the totals name it)."""
    plan, quick = _plan_call(), _plan_call(leverage=False)
    rows: list[list[Any]] = []
    for t in TRADES:
        _, contract, entry, stop, risk, amount, fee, lev = t
        try:
            with_lev = udfs.MF_PLAN(account, risk, amount, entry, stop, contract, fee, lev)[0]
            without = udfs.MF_PLAN(account, risk, amount, entry, stop, contract, fee)[0]
            rows.append([*without[:4], *with_lev[4:]])
        except MicrosizeError as exc:
            rows.append(["n/a: see Check"] * 5 + [f"error: {exc}"])
    # The five numbers read "n/a" when Check says error, without calling MF_PLAN again. An
    # MF_ call is never the whole of an IFERROR's first argument alone: LibreOffice 7.4
    # binds an add-in function read from a file only where its formula shows an error.
    check = this_row("Trades", "Check")
    out = []
    for header, k, fmt in PLAN_COLUMNS:
        if k < 6:
            call = quick if k < 5 else plan
            formula = f'=IF(LEFT({check},6)="error:","n/a: see Check",INDEX({call},1,{k}))'
        else:
            formula = f'=IFERROR(INDEX({plan},1,{k}),"error: "&{plan})'
        out.append(Computed(header, formula, [r[k - 1] for r in rows], fmt))
    return out


def _a1(row: int, col: int) -> str:
    from ._book import cell_name

    return cell_name(row, col)
