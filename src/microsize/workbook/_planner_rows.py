"""The Planner sheet's blocks as data: the template's trades, the Account, Totals and
checks blocks as rows of (name, label, cell) for :func:`._rows.write_block`, the blocks
by venue and by coin as grids for :func:`._rows.write_grid`, and the Trades table's
calculated columns. Cells are read by name; the sheet's layout is in :mod:`.planner`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import udfs
from .._errors import MicrosizeError
from ._book import SPECS, SPECS_REF, Col, Computed, this_row
from ._common import PCT_VALIDATION, POSITIVE_VALIDATION
from ._rows import GridRow, Input, Mf, Plain, Row, Shown, Spilled, Text, Values, Warn

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

SIDE_VALIDATION = {
    "validate": "list",
    "source": ["long", "short"],
    "input_title": "Side",
    "input_message": "long or short. The stop decides what is sized; a side that disagrees "
    "with it turns Side check red.",
}
#: The validations of typed columns of Trades (``None``: the Specs table's keys).
TABLE_VALIDATIONS: tuple[tuple[str, Mapping[str, Any] | None], ...] = (
    ("Contract", None),
    ("Side", SIDE_VALIDATION),
    ("Risk %", PCT_VALIDATION),
)
#: Red rules on calculated columns of Trades, ``{cell}`` the column's first cell.
#: "error: ..." and "liquidation ... comes before the stop" are the only checks sorting
#: before "m" ("n/a ...", "no ...", "not checked ...", "ok ..." come after): a cell-value
#: rule on the Check column.
TABLE_WARNINGS: tuple[tuple[str, Mapping[str, str]], ...] = (
    ("Check", {"type": "cell", "criteria": "<", "value": '"m"'}),
    ("Side check", {"type": "formula", "criteria": '=LEFT({cell},3)<>"ok:"'}),
    ("R:R", {"type": "formula", "criteria": '=AND(ISTEXT({cell}),LEFT({cell},4)<>"n/a:")'}),
)

TITLE = "Plan several trades"
NOTE = (
    "One row per planned trade in the table Trades (in Excel, type a row below it to add one; "
    "in LibreOffice, insert a row above its last row, copy the last row into it, type over the last). "
    "The grey columns are the table's own: each sizes its row with MF_PLAN, and Excel "
    "fills them into a new row (in LibreOffice, copy them down from the row above). "
    "A blank Fee is 0, a blank Leverage no leverage, a blank Target no R:R; a row with an "
    "error says why in Check and the totals name it. The stop decides long or short: a "
    "Side that disagrees turns Side check red. A short's exposure is negative."
)
WIDTHS = [
    *(("A:A", 22), ("B:B", 20), ("C:C", 8), ("D:F", 11), ("G:G", 11), ("H:H", 12)),
    *(("I:I", 9), ("J:J", 9), ("K:K", 15), ("L:L", 24), ("M:M", 12), ("N:N", 16)),
    *(("O:O", 12), ("P:P", 8), ("Q:R", 12), ("S:S", 12), ("T:T", 7), ("U:U", 58)),
]
TABLE_TITLE = (
    "Planned trades (table Trades), sized by MF_PLAN row by row (USD; a short's exposure is "
    "negative)"
)
VENUE_TITLE = "Initial margin by venue (each venue its own wallet)"
COIN_TITLE = "Exposure by coin (USD notional; short -)"
#: Formats of this sheet's own: indented right of a right-aligned column.
FORMATS: dict[str, dict[str, Any]] = {
    "header_indent": {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "align": "left"}
    | {"indent": 1},
    "label_indent": {"bold": True, "valign": "top", "align": "left", "indent": 1},
    "in_indent": {"bg_color": "#FFF2CC", "font_color": "#1F4E79", "locked": False, "border": 1}
    | {"valign": "top", "align": "left", "indent": 1},
}

# --------------------------------------------------------------------------- account, totals
ACCOUNT: tuple[Row, ...] = (
    ("account", "Account size", Input(10000, "in_usd", POSITIVE_VALIDATION)),
    ("limit", "Combined risk limit", Input(0.03, "in_pct", PCT_VALIDATION)),
)

_PLAN_ARGS = ("Risk %", "Risk amount", "Entry", "Stop", "Contract", "Fee", "Leverage")
#: MF_PLAN_TOTALS over the Trades table, its three rows labelled.
TOTALS: tuple[Row, ...] = (
    (
        "total_risk",
        "Combined risk at stop",
        Mf(
            "MF_PLAN_TOTALS", ("account", *(Col("Trades", h) for h in _PLAN_ARGS), SPECS), "out_usd"
        ),
    ),
    ("total_margin", "Combined margin", Spilled()),
    ("total_net", "Net exposure (long +, short -)", Spilled()),
)
TOTALS_TITLE = "Totals (USD): MF_PLAN_TOTALS"


def totals_ok(v: Values) -> bool:
    """Every total is a number (no trade has an error)."""
    return all(isinstance(v[name], float) for name, _, _ in TOTALS)


#: The totals against the account.
RATIOS: tuple[Row, ...] = (
    (
        "risk_ratio",
        "Risk / account",
        Plain(
            '=IF(ISNUMBER({total_risk}),{total_risk}/{account},"n/a")',
            lambda v: v["total_risk"] / v["account"] if totals_ok(v) else "n/a",
            "out_pct",
        ),
    ),
    (
        "margin_ratio",
        "Margin / account",
        Plain(
            '=IF(ISNUMBER({total_margin}),{total_margin}/{account},"n/a")',
            lambda v: v["total_margin"] / v["account"] if totals_ok(v) else "n/a",
            "out_pct",
        ),
    ),
)
_ABOVE = "Combined risk is above your limit: cut a trade's risk %"
_WITHIN = "ok: combined risk within your limit"


def _verdict_value(v: Values) -> Any:
    if not totals_ok(v):
        return v["total_risk"]
    return _ABOVE if v["total_risk"] / v["account"] > v["limit"] else _WITHIN


#: Beside the ratios: the combined risk against the limit (red unless ok: a trade with an
#: error, or the risk above the limit), merged over this many columns.
VERDICT = Warn(
    Plain(
        f'=IF(ISNUMBER({{total_risk}}),IF({{risk_ratio}}>{{limit}},"{_ABOVE}","{_WITHIN}"),'
        "{total_risk})",
        _verdict_value,
        "out",
    )
)
VERDICT_SPAN = 8


# --------------------------------------------------------------------------- checks
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


_SIDES_OK = "ok: every side agrees with its stop"
_SIDES_BAD = "the side typed disagrees with the stop (or is blank): see Side check"


def _sides_value(v: Values) -> str:
    wrong = sum(1 for t in TRADES if _side_text(t[2], t[3], t[4])[:3] != "ok:")
    return _SIDES_OK if wrong == 0 else f"{wrong} of {len(TRADES)} trades: {_SIDES_BAD}"


_BAD_SIDES = 'SUMPRODUCT((LEFT(Trades[Side check],3)<>"ok:")*1)'
#: Every trade computed (its calculated columns filled in), every typed side agreeing
#: with its stop (or how many do not): red unless ok.
CHECKS: tuple[Row, ...] = (
    (
        "trades_shown",
        "Trades computed",
        Shown(
            ("COUNTA(Trades[Check])", "ROWS(Trades[Entry])", "trades"),
            (len(TRADES), len(TRADES)),
            ": copy the grey cells of the row above into the new row",
        ),
    ),
    (
        "sides",
        "Sides",
        Warn(
            Plain(
                f'=IF({_BAD_SIDES}=0,"{_SIDES_OK}",{_BAD_SIDES}&" of "&ROWS(Trades[Side])'
                f'&" trades: {_SIDES_BAD}")',
                _sides_value,
                "check",
            )
        ),
    ),
)


#: Columns each check is merged over (L to R): its longest sentence, one saying what is
#: missing ("only 3 of 4 trades shown: copy the grey cells ..."), on one line in its grey.
CHECK_SPAN = 7


# --------------------------------------------------------------------------- venues, coins
_NA = "n/a: see Check"


def _not_listed(column: str, listed: Sequence[str]) -> str:
    """SUMIFS criteria pairs leaving out every listed cell: ``column,"<>"&{venue 0},...``."""
    return ",".join(f'{column},"<>"&{{{name}}}' for name in listed)


def _venue_row(
    key: str,
    label: Text,
    margin: tuple[str, Callable[[Values], Any]],
    count: tuple[str, Callable[[Values], Any]],
    warn: bool = False,
) -> GridRow:
    """A row of the block by venue: its label, the margin (the formula inside the check
    that the totals are numbers, and its value), the count of trades (formula, value);
    the margin red when not 0 if ``warn``."""
    cell = Plain(
        f'=IF(ISNUMBER({{total_margin}}),{margin[0]},"{_NA}")', _ok_or_na(margin[1]), "out_usd"
    )
    return (
        (f"venue {key}", label),
        (f"margin {key}", Warn(cell, "zero") if warn else cell),
        (f"count {key}", Plain(count[0], count[1], "out_num")),
    )


def venue_grid(results: Sequence[Mapping[str, Any]]) -> list[GridRow]:
    """Initial margin by venue (each venue is its own wallet): SUMIFS over Trades[Margin] by
    Trades[Venue], which grow with the table; the venues are typed; "Other venues" sums
    the rest (red when not 0) and "All venues" is the combined margin. ``results``: the
    template trades' calculated columns, for the cached values."""
    margins = [(r["Venue"], r["Margin"]) for r in results]
    counts = [(x, 1) for x, _ in margins]
    head = [("head venue", Text("Venue", "header"))]
    head += [(f"head {h}", Text(h, "header_num")) for h in ("Margin (USD)", "Trades")]
    rows: list[GridRow] = [head]
    for i, venue in enumerate(VENUES):
        name = f"venue {i}"
        rows.append(
            _venue_row(
                str(i),
                Text(venue, "in"),
                (f"SUMIFS(Trades[Margin],Trades[Venue],{{{name}}})", _matching(margins, name)),
                (f"=COUNTIF(Trades[Venue],{{{name}}})", _matching(counts, name)),
            )
        )
    listed = _not_listed("Trades[Venue]", [f"venue {i}" for i in range(len(VENUES))])
    rest = [m for x, m in margins if x not in VENUES]
    counted = f"{{count 0:rel}}:{{count {len(VENUES) - 1}:rel}}"
    rows.append(
        _venue_row(
            "other",
            Text("Other venues", "label"),
            (f"SUMIFS(Trades[Margin],{listed})", _fixed(sum(rest))),
            (f"=ROWS(Trades[Venue])-SUM({counted})", _fixed(len(rest))),
            warn=True,
        )
    )
    everything = "SUM({margin 0:rel}:{margin other:rel})"
    rows.append(
        _venue_row(
            "all",
            Text("All venues", "label"),
            (everything, _fixed(sum(m for _, m in margins))),
            ("=ROWS(Trades[Venue])", _fixed(len(margins))),
        )
    )
    return rows


def _ok_or_na(value: Callable[[Values], Any]) -> Callable[[Values], Any]:
    """A block's cell value: ``value`` when every total is a number, else n/a."""
    return lambda v: value(v) if totals_ok(v) else _NA


def _matching(pairs: Sequence[tuple[Any, Any]], name: str) -> Callable[[Values], Any]:
    """The sum of the values of ``pairs`` whose key is the named cell's value."""
    return lambda v: sum(x for key, x in pairs if key == v[name])


def _fixed(value: Any) -> Callable[[Values], Any]:
    """A value the template's trades give, whatever the cells."""
    return lambda v: value


_SIDES: tuple[tuple[str, str, Callable[[float], bool]], ...] = (
    ("long", '">0"', lambda e: e > 0),
    ("short", '"<0"', lambda e: e < 0),
)


def _coin_row(key: str, label: Text, criteria: str, values: list[float], last: bool) -> GridRow:
    """A coin's long and short exposure (SUMIFS by ``criteria`` and sign), net and gross;
    the gross of the last row ("Other coins") red when not 0."""
    row: list[tuple[str, Any]] = [(f"coin {key}", label)]
    for side, sign, keep in _SIDES:
        row.append(
            (
                f"{side} {key}",
                Plain(
                    "=IF(ISNUMBER({total_net}),SUMIFS(Trades[Exposure],"
                    f'{criteria},Trades[Exposure],{sign}),"{_NA}")',
                    _ok_or_na(_fixed(sum(e for e in values if keep(e)))),
                    "out_usd",
                ),
            )
        )
    lo, sh = f"{{long {key}:rel}}", f"{{short {key}:rel}}"
    long_, short = sum(e for e in values if e > 0), sum(e for e in values if e < 0)
    for name, op, total in (("net", "+", long_ + short), ("gross", "-", long_ - short)):
        cell = Plain(
            f'=IF(ISNUMBER({lo}),{lo}{op}{sh},"{_NA}")', _ok_or_na(_fixed(total)), "out_usd"
        )
        row.append((f"{name} {key}", Warn(cell, "zero") if last and name == "gross" else cell))
    return row


def coin_grid(results: Sequence[Mapping[str, Any]]) -> list[GridRow]:
    """Long, short, net (long + short, a short being negative) and gross (long - short)
    exposure by coin: SUMIFS over Trades[Exposure] by Trades[Coin] and by sign; "Other
    coins" sums the coins not listed (its gross red when not 0), "All coins" all."""
    exposures = [(r["Coin"], r["Exposure"]) for r in results]
    head = [("head coin", Text("Coin", "header_indent"))]
    head += [(f"head {h}", Text(h, "header_num")) for h in ("Long", "Short", "Net", "Gross")]
    rows: list[GridRow] = [head]
    for i, coin in enumerate(COINS):
        mine = [e for c, e in exposures if c == coin]
        rows.append(
            _coin_row(str(i), Text(coin, "in_indent"), f"Trades[Coin],{{coin {i}}}", mine, False)
        )
    others = _not_listed("Trades[Coin]", [f"coin {i}" for i in range(len(COINS))])
    rest = [e for c, e in exposures if c not in COINS]
    rows.append(_coin_row("other", Text("Other coins", "label_indent"), others, rest, True))
    every = [e for _, e in exposures]
    totals = (
        sum(e for e in every if e > 0),
        sum(e for e in every if e < 0),
        sum(every),
        sum(abs(e) for e in every),
    )
    all_row: list[tuple[str, Any]] = [("coin all", Text("All coins", "label_indent"))]
    for col, total in zip(("long", "short", "net", "gross"), totals, strict=True):
        all_row.append(
            (
                f"{col} all",
                Plain(
                    f"=IF(ISNUMBER({{total_net}}),SUM({{{col} 0:rel}}:{{{col} other:rel}}),"
                    f'"{_NA}")',
                    _ok_or_na(_fixed(total)),
                    "out_usd",
                ),
            )
        )
    rows.append(all_row)
    return rows


# --------------------------------------------------------------------------- Trades' columns
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


def _plan_call(account: str, leverage: bool = True) -> str:
    """MF_PLAN over the formula's own row of Trades, the account in cell ``account``. A
    blank Fee or Leverage goes in as "" (read as blank: no fee, no leverage), never as the
    cell itself: LibreOffice hands an add-in an empty single cell as 0, and a leverage of 0
    is refused. Without ``leverage`` the call leaves it out: risk budget, contracts, risk
    at stop and exposure do not depend on it, and the liquidation check it would run is
    most of MF_PLAN's time (a row whose leverage is refused shows the error in Check, and
    n/a in those columns)."""
    r = {h: this_row("Trades", h) for h in ("Risk %", "Risk amount", "Entry", "Stop")}
    r |= {h: this_row("Trades", h) for h in ("Contract", "Fee", "Leverage")}
    lev = f'IF({r["Leverage"]}="","",{r["Leverage"]})' if leverage else '""'
    args = [
        account,
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


def trade_results(t: Sequence[Any], account: float) -> dict[str, Any]:
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


def per_trade(results: Sequence[Mapping[str, Any]], account: str, keys: str) -> list[Computed]:
    """One calculated column per result (``results``: each template trade's, for the
    cached values; ``account``: the account cell's address): a row stands alone, and a
    row MF_PLAN refuses shows "n/a: see Check" and its message in Check (as the totals
    name it)."""
    plan, quick = _plan_call(account), _plan_call(account, leverage=False)
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
        out.append(Computed(header, formula, [r[header] for r in results], fmt))
    return out
