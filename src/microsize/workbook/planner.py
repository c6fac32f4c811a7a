"""The Planner sheet: a table of planned trades, each sized by column calls (one formula
per result column, spilling beside the table), and their combined risk and margin."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .. import udfs
from .._errors import MicrosizeError
from ._book import SPECS, SPECS_REF, Book, Computed, Ref, cell_name, this_row
from ._common import (
    PCT_VALIDATION,
    POSITIVE_VALIDATION,
    contract_validation,
    input_block,
    shown_check,
)

# Planned trades on two venues (Hyperliquid, Binance): (trade, contract, side, entry, stop,
# target, risk %, risk amount, fee, leverage); a row gives a risk % or a risk amount.
TRADES: tuple[
    tuple[str, str, str, float, float, float | None, float | None, float | None, float, float],
    ...,
] = (
    ("BTC breakout", "hyperliquid:BTC", "long", 60000, 59200, 62400, 0.01, None, 0.00045, 5),
    ("ETH short", "binance:ETHUSDT", "short", 3500, 3600, 3250, 0.01, None, 0.0005, 10),
    ("SOL pullback", "binance:SOLUSDT", "long", 150, 142, 170, None, 50, 0.0005, 20),
    ("BTC at 20x", "binance:BTCUSDT", "long", 60000, 57000, 66000, 0.01, None, 0.0005, 20),
)
#: The typed columns of Trades, their formats.
INPUTS = (
    ("Trade", "in"),
    ("Contract", "in"),
    ("Side", "in"),
    ("Entry", "in_price"),
    ("Stop", "in_price"),
    ("Target", "in_price"),
    ("Risk %", "in_pct"),
    ("Risk amount", "in_usd"),
    ("Fee", "in_pct"),
    ("Leverage", "in_lev"),
)
#: Venues and coins the template's blocks list (yellow: type others over them).
VENUES = ("hyperliquid", "binance", "bybit")
COINS = ("BTC", "ETH", "SOL")
#: Zero-based rows: the blocks by venue and by coin (their header row), the Trades header.
BLOCK_TOP = 10
TABLE_TOP = 18

_SIDE_VALIDATION = {
    "validate": "list",
    "source": ["long", "short"],
    "input_title": "Side",
    "input_message": "long or short. The stop decides what is sized; a side that disagrees "
    "with it turns Side check red.",
}


def planner_sheet(book: Book, keys: str) -> None:
    s = "Planner"
    ws = book.start(
        s,
        "Plan several trades",
        "One row per planned trade in the table Trades (in Excel, type a row below it to add one; "
        "in LibreOffice, insert a row above its last row, copy the last row into it, type over the last). "
        "The grey columns are the table's own: each sizes its row with MF_PLAN, and Excel "
        "fills them into a new row (in LibreOffice, copy them down from the row above). "
        "A blank Fee is 0, a blank Leverage no leverage, a blank Target no R:R; a row with an "
        "error says why in Check and the totals name it. The stop decides long or short: a "
        "Side that disagrees turns Side check red. A short's exposure is negative.",
        [
            ("A:A", 22),
            ("B:B", 20),
            ("C:C", 8),
            ("D:F", 11),
            ("G:G", 11),
            ("H:H", 12),
            ("I:I", 9),
            ("J:J", 9),
            ("K:K", 15),
            ("L:L", 24),
            ("M:M", 12),
            ("N:N", 16),
            ("O:O", 12),
            ("P:P", 8),
            ("Q:R", 12),
            ("S:S", 12),
            ("T:T", 7),
            ("U:U", 58),
        ],
    )
    ws.freeze_panes(0, 1)  # each trade's name stays in view beside its results
    book.section(s, "A4", "Account")
    account, limit = input_block(
        book,
        s,
        4,
        0,
        [
            ("Account size", 10000, "in_usd", POSITIVE_VALIDATION),
            ("Combined risk limit", 0.03, "in_pct", PCT_VALIDATION),
        ],
    )
    n = len(TRADES)
    top = TABLE_TOP
    book.section(
        s,
        cell_name(top - 1, 0),
        "Planned trades (table Trades), sized by MF_PLAN row by row (USD; a short's exposure is negative)",
        span=21,
    )
    ws.set_row(top, 30)
    t = book.table(
        s,
        cell_name(top, 0),
        "Trades",
        [h for h, _ in INPUTS],
        [list(r) for r in TRADES],
        [f for _, f in INPUTS],
        _per_trade(book.model.value(account), keys),
    )
    first, last = top + 1, top + n
    ws.data_validation(first, 1, last, 1, contract_validation(keys))
    ws.data_validation(first, 2, last, 2, _SIDE_VALIDATION)
    ws.data_validation(first, 6, last, 6, PCT_VALIDATION)
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
    col = {h: i for i, h in enumerate(book.model.tables["Trades"].header)}
    # "error: ..." and "liquidation ... comes before the stop" are the only checks sorting
    # before "m" ("n/a ...", "no ...", "not checked ...", "ok ..." come after): a cell-value
    # rule on the table's Check column
    ws.conditional_format(
        first,
        col["Check"],
        last,
        col["Check"],
        {"type": "cell", "criteria": "<", "value": '"m"', "format": book.fmt["warn"]},
    )
    side_check = cell_name(first, col["Side check"])
    ws.conditional_format(
        first,
        col["Side check"],
        last,
        col["Side check"],
        {
            "type": "formula",
            "criteria": f'=LEFT({side_check},3)<>"ok:"',
            "format": book.fmt["warn"],
        },
    )
    rr = cell_name(first, col["R:R"])
    ws.conditional_format(
        first,
        col["R:R"],
        last,
        col["R:R"],
        {
            "type": "formula",
            "criteria": f'=AND(ISTEXT({rr}),LEFT({rr},4)<>"n/a:")',
            "format": book.fmt["warn"],
        },
    )
    book.write(s, "J7", "Trades computed", "label")
    shown_check(
        book,
        s,
        "L7",
        ("COUNTA(Trades[Check])", "ROWS(Trades[Entry])", "trades"),
        (n, n),
        ": copy the grey cells of the row above into the new row",
    )
    _sides_check(book, s, n)
    book.section(s, "D4", "Totals (USD): MF_PLAN_TOTALS", span=4)
    totals = book.formula(s, "G5", "MF_PLAN_TOTALS", *plan_args, fmt="out_usd")
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
    ws.merge_range("N5:U5", None)
    # red unless it reads ok (a trade with an error, or the risk above the limit)
    ws.conditional_format(
        "N5",
        {"type": "formula", "criteria": '=LEFT($N$5,3)<>"ok:"', "format": book.fmt["warn"]},
    )
    _by_venue(book, s, ok)
    _by_coin(book, s, ok)


def _sides_check(book: Book, s: str, n: int) -> None:
    """J8/L8: every typed side agrees with its stop, or how many do not (red)."""
    book.write(s, "J8", "Sides", "label")
    bad = 'SUMPRODUCT((LEFT(Trades[Side check],3)<>"ok:")*1)'
    formula = (
        f'=IF({bad}=0,"ok: every side agrees with its stop",{bad}&" of "&ROWS(Trades[Side])'
        '&" trades: the side typed disagrees with the stop (or is blank): see Side check")'
    )
    wrong = sum(1 for t in TRADES if _side_text(t[2], t[3], t[4])[:3] != "ok:")
    value = (
        "ok: every side agrees with its stop"
        if wrong == 0
        else f"{wrong} of {n} trades: the side typed disagrees with the stop (or is blank): "
        "see Side check"
    )
    book.plain(s, "L8", formula, value, "check")
    book.sheets[s].conditional_format(
        "L8",
        {"type": "formula", "criteria": '=LEFT($L$8,3)<>"ok:"', "format": book.fmt["warn"]},
    )


def _not_listed(column: str, listed: Sequence[str]) -> str:
    """SUMIFS criteria pairs leaving out every listed cell: ``column,"<>"&A12,...``."""
    return ",".join(f'{column},"<>"&{a}' for a in listed)


def _by_venue(book: Book, s: str, ok: bool) -> None:
    """Initial margin by venue (each venue is its own wallet): SUMIFS over Trades[Margin] by
    Trades[Venue], which grow with the table; the venues are typed; "Other venues" sums
    the rest (red when not 0) and "All venues" is the combined margin."""
    top = BLOCK_TOP
    book.section(
        s, cell_name(top - 1, 0), "Initial margin by venue (each venue its own wallet)", span=3
    )
    for j, (h, f) in enumerate(
        (("Venue", "header"), ("Margin (USD)", "header_num"), ("Trades", "header_num"))
    ):
        book.write(s, cell_name(top, j), h, f)
    margins = _rows_by("Venue", "Margin")
    cells = [cell_name(top + 1 + i, 0, absolute=True) for i in range(len(VENUES))]
    na = '"n/a: see Check"'
    for i, venue in enumerate(VENUES):
        r = top + 1 + i
        book.write(s, cell_name(r, 0), venue, "in")
        book.plain(
            s,
            cell_name(r, 1),
            f"=IF(ISNUMBER($G$6),SUMIFS(Trades[Margin],Trades[Venue],{cells[i]}),{na})",
            sum(m for v, m in margins if v == venue) if ok else "n/a: see Check",
            "out_usd",
        )
        book.plain(
            s,
            cell_name(r, 2),
            f"=COUNTIF(Trades[Venue],{cells[i]})",
            sum(1 for v, _ in margins if v == venue),
            "out_num",
        )
    r = top + 1 + len(VENUES)
    book.write(s, cell_name(r, 0), "Other venues", "label")
    rest = [m for v, m in margins if v not in VENUES]
    other = book.plain(
        s,
        cell_name(r, 1),
        f"=IF(ISNUMBER($G$6),SUMIFS(Trades[Margin],{_not_listed('Trades[Venue]', cells)}),{na})",
        sum(rest) if ok else "n/a: see Check",
        "out_usd",
    )
    book.plain(
        s,
        cell_name(r, 2),
        f"=ROWS(Trades[Venue])-SUM({cell_name(top + 1, 2)}:{cell_name(r - 1, 2)})",
        len(rest),
        "out_num",
    )
    _warn_unless_zero(book, s, other)
    book.write(s, cell_name(r + 1, 0), "All venues", "label")
    book.plain(
        s,
        cell_name(r + 1, 1),
        f"=IF(ISNUMBER($G$6),SUM({cell_name(top + 1, 1)}:{cell_name(r, 1)}),{na})",
        sum(m for _, m in margins) if ok else "n/a: see Check",
        "out_usd",
    )
    book.plain(s, cell_name(r + 1, 2), "=ROWS(Trades[Venue])", len(margins), "out_num")


def _by_coin(book: Book, s: str, ok: bool) -> None:
    """Long, short, net (long + short, a short being negative) and gross (long - short)
    exposure by coin: SUMIFS over Trades[Exposure] by Trades[Coin] and by sign."""
    top, left = BLOCK_TOP, 3
    book.section(s, cell_name(top - 1, left), "Exposure by coin (USD notional; short -)", span=5)
    if "header_indent" not in book.fmt:  # right of the right-aligned "Trades"
        book.fmt["header_indent"] = book.wb.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "align": "left", "indent": 1}
        )
        book.fmt["label_indent"] = book.wb.add_format(
            {"bold": True, "valign": "top", "align": "left", "indent": 1}
        )
    for j, h in enumerate(("Coin", "Long", "Short", "Net", "Gross")):
        book.write(s, cell_name(top, left + j), h, "header_num" if j else "header_indent")
    exposures = _rows_by("Coin", "Exposure")
    cells = [cell_name(top + 1 + i, left, absolute=True) for i in range(len(COINS))]
    na = '"n/a: see Check"'
    groups: list[tuple[str, str, list[float]]] = [
        (coin, f"Trades[Coin],{cells[i]}", [e for c, e in exposures if c == coin])
        for i, coin in enumerate(COINS)
    ]
    groups.append(
        (
            "Other coins",
            _not_listed("Trades[Coin]", cells),
            [e for c, e in exposures if c not in COINS],
        )
    )
    for i, (coin, criteria, values) in enumerate(groups):
        r = top + 1 + i
        if "in_indent" not in book.fmt:  # right of the right-aligned trade counts
            book.fmt["in_indent"] = book.wb.add_format(
                {"bg_color": "#FFF2CC", "font_color": "#1F4E79", "locked": False, "border": 1}
                | {"valign": "top", "align": "left", "indent": 1}
            )
        book.write(s, cell_name(r, left), coin, "in_indent" if i < len(COINS) else "label_indent")
        long_, short = sum(e for e in values if e > 0), sum(e for e in values if e < 0)
        for j, (sign, v) in enumerate((('">0"', long_), ('"<0"', short))):
            book.plain(
                s,
                cell_name(r, left + 1 + j),
                f"=IF(ISNUMBER($G$7),SUMIFS(Trades[Exposure],{criteria},Trades[Exposure],{sign}),{na})",
                v if ok else "n/a: see Check",
                "out_usd",
            )
        lo, sh = cell_name(r, left + 1), cell_name(r, left + 2)
        for j, (formula, v) in enumerate(
            ((f"{lo}+{sh}", long_ + short), (f"{lo}-{sh}", long_ - short))
        ):
            ref = book.plain(
                s,
                cell_name(r, left + 3 + j),
                f"=IF(ISNUMBER({lo}),{formula},{na})",
                v if ok else "n/a: see Check",
                "out_usd",
            )
            if i == len(COINS) and j == 1:
                _warn_unless_zero(book, s, ref)
    r = top + 1 + len(groups)
    book.write(s, cell_name(r, left), "All coins", "label_indent")
    for j in range(4):
        c = left + 1 + j
        total_v = [
            sum(e for _, e in exposures if e > 0),
            sum(e for _, e in exposures if e < 0),
            sum(e for _, e in exposures),
            sum(abs(e) for _, e in exposures),
        ][j]
        book.plain(
            s,
            cell_name(r, c),
            f"=IF(ISNUMBER($G$7),SUM({cell_name(top + 1, c)}:{cell_name(r - 1, c)}),{na})",
            total_v if ok else "n/a: see Check",
            "out_usd",
        )


def _warn_unless_zero(book: Book, s: str, ref: Ref) -> None:
    """Red on an "Other" cell that is not 0: a venue or coin the block does not list."""
    a1 = cell_name(*ref.first)
    book.sheets[s].conditional_format(
        a1,
        {"type": "cell", "criteria": "not equal to", "value": 0, "format": book.fmt["warn"]},
    )


def _rows_by(key: str, value: str) -> list[tuple[str, float]]:
    """(key, value) of each template trade from the cached calculated columns."""
    out = []
    for t in TRADES:
        row = _trade_results(t)
        out.append((row[key], row[value]))
    return out


def _side_text(side: Any, entry: Any, stop: Any) -> str:
    """What Side check shows (the formula of :func:`_side_formula`, in Python)."""
    if not all(isinstance(x, int | float) for x in (entry, stop)) or entry == stop:
        return "n/a: type an entry and a different stop"
    if side is None or not str(side).strip():
        return "type long or short"
    made = "long" if stop < entry else "short"
    where = "below" if stop < entry else "above"
    if str(side).strip().lower() == made:
        return f"ok: {made}, stop {where} entry"
    return f"stop {where} entry: a {made.upper()}, not the {side} typed"


def _side_formula() -> str:
    """Side check: the side typed against the side the stop makes (MF_PLAN sizes by the
    stop: below entry is a long); nothing is flipped, a disagreement is red."""
    e, st, sd = (this_row("Trades", h) for h in ("Entry", "Stop", "Side"))
    made = f'IF({st}<{e},"long","short")'
    where = f'IF({st}<{e},"below","above")'
    return (
        f"=IF(OR(NOT(ISNUMBER({e})),NOT(ISNUMBER({st}))),"
        f'"n/a: type an entry and a different stop",IF({e}={st},'
        f'"n/a: type an entry and a different stop",IF(TRIM({sd})="","type long or short",'
        f'IF(LOWER(TRIM({sd}))={made},"ok: "&{made}&", stop "&{where}&" entry",'
        f'"stop "&{where}&" entry: a "&UPPER({made})&", not the "&{sd}&" typed"))))'
    )


#: The calculated columns of Trades: (header, column of MF_PLAN's row or a name, format).
PLAN_COLUMNS: tuple[tuple[str, int | str, str], ...] = (
    ("Results of", "name", "out_text"),
    ("Side check", "side", "out_text"),
    ("Risk budget", 1, "out_usd"),
    ("Contracts", 2, "out_contracts"),
    ("Risk at stop", 3, "out_usd"),
    ("R:R", "rr", "out_rr"),
    ("Exposure", 4, "out_usd"),
    ("Margin", 5, "out_usd"),
    ("Venue", "venue", "out_text"),
    ("Coin", "coin", "out_text"),
    ("Check", 6, "out_text"),
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
    args = [
        "$B$5",
        r["Risk %"],
        r["Risk amount"],
        r["Entry"],
        r["Stop"],
        r["Contract"],
        _fee(),
        lev,
        SPECS_REF,
    ]
    return f"MF_PLAN({','.join(args)})"


def _fee() -> str:
    fee = this_row("Trades", "Fee")
    return f'IF({fee}="","",{fee})'  # blank: no fee (and no cell where none is)


def _spec_field(field: str, key: str, keys: str) -> str:
    """A column of the key's row of the Specs table, or a note when no row has the key."""
    return f'IFERROR(INDEX(Specs[{field}],MATCH({key},{keys.lstrip("=")},0)),"n/a: not in Specs")'


def _other_formulas(keys: str) -> dict[str, str]:
    """The calculated columns that are not a column of MF_PLAN's row."""
    r = {h: this_row("Trades", h) for h in ("Trade", "Contract", "Entry", "Stop", "Target")}
    c = r["Contract"]
    typed = '"(size typed)"'
    return {
        "name": f'={r["Trade"]}&""',
        "side": _side_formula(),
        # a blank Target: no R:R; MF_RR's message where the target is on the stop's side
        # the contract as "" when blank (optional here: LibreOffice hands an empty cell as 0)
        "rr": f'=IF({r["Target"]}="","n/a: no target",MF_RR({r["Entry"]},{r["Stop"]},'
        f'{r["Target"]},IF({c}="","",{c}),{_fee()},{SPECS_REF}))',
        # the Specs row of the key, found in the Lists sheet's keys (a plain formula, not
        # MF_SPEC: LibreOffice 7.4's SUMIFS and COUNTIF do not match text an add-in
        # returned, seen in the Planner's blocks by venue and coin)
        "venue": f"=IF(ISNUMBER({c}),{typed},{_spec_field('exchange', c, keys)})",
        "coin": f"=IF(ISNUMBER({c}),{typed},{_spec_field('base', c, keys)})",
    }


def _message(call: Callable[[], Any]) -> Any:
    """A function's result, or the message a cell shows when it refuses."""
    try:
        return call()
    except MicrosizeError as exc:
        return str(exc)


def _trade_results(t: Sequence[Any], account: float = 10000) -> dict[str, Any]:
    """Every calculated column of one template trade, as the cells show it."""
    name, contract, side, entry, stop, target, risk, amount, fee, lev = t
    out: dict[str | int, Any] = {"name": name, "side": _side_text(side, entry, stop)}
    try:
        with_lev = udfs.MF_PLAN(account, risk, amount, entry, stop, contract, fee, lev)[0]
        without = udfs.MF_PLAN(account, risk, amount, entry, stop, contract, fee)[0]
        plan: list[Any] = [*without[:4], *with_lev[4:]]
    except MicrosizeError as exc:
        plan = ["n/a: see Check"] * 5 + [f"error: {exc}"]
    for i in range(1, 7):
        out[i] = plan[i - 1]
    out["rr"] = (
        "n/a: no target"
        if target is None
        else _message(lambda: udfs.MF_RR(entry, stop, target, contract, fee))
    )
    for key, fld in (("venue", "exchange"), ("coin", "base")):
        if isinstance(contract, int | float):
            out[key] = "(size typed)"
        else:  # what INDEX/MATCH over the Specs table finds
            try:
                out[key] = udfs.MF_SPEC(contract, fld)
            except MicrosizeError:
                out[key] = "n/a: not in Specs"
    return {header: out[k] for header, k, _ in PLAN_COLUMNS}


def _per_trade(account: float, keys: str) -> list[Computed]:
    """One calculated column per result: a row stands alone, and a row MF_PLAN refuses
    shows "n/a: see Check" and its message in Check (as the totals name it)."""
    plan, quick = _plan_call(), _plan_call(leverage=False)
    rows = [_trade_results(t, account) for t in TRADES]
    # The five numbers read "n/a" when Check says error, without calling MF_PLAN again. An
    # MF_ call is never the whole of an IFERROR's first argument alone: LibreOffice 7.4
    # binds an add-in function read from a file only where its formula shows an error.
    check = this_row("Trades", "Check")
    other = _other_formulas(keys)
    out = []
    for header, k, fmt in PLAN_COLUMNS:
        if isinstance(k, str):
            formula = other[k]
        elif k < 6:
            call = quick if k < 5 else plan
            formula = f'=IF(LEFT({check},6)="error:","n/a: see Check",INDEX({call},1,{k}))'
        else:
            formula = f'=IFERROR(INDEX({plan},1,{k}),"error: "&{plan})'
        out.append(Computed(header, formula, [r[header] for r in rows], fmt))
    return out
