"""The Sizing sheet: two worked trades, the ATR / reward-to-risk block."""

from __future__ import annotations

import re
from typing import Any

from .. import udfs
from ._book import (
    COIN_FORMAT,
    SPECS,
    SPECS_REF,
    TICK_FORMATS,
    Book,
    Call,
    Computed,
    Ref,
    cell_name,
    one_cell_range,
    parse_ref,
)
from ._common import (
    LEVERAGE_VALIDATION,
    PCT_VALIDATION,
    POSITIVE_VALIDATION,
    SIZE_ROW_FORMATS,
    contract_validation,
    input_block,
    label_value_styler,
    protect_sheet,
    warn_if_not,
)

#: About how many characters of a result fit on one line of the 30-wide value columns.
_LINE = 28

_SIDE_VALIDATION = {
    "validate": "list",
    "source": ["long", "short"],
    "input_title": "Side",
    "input_message": "long or short. The stop decides what is sized; a side that disagrees "
    "with it turns the side check red.",
}


def _input_rows(keys: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Input rows of each worked trade (label, format, validation), from row 5 down."""
    return [
        ("Account size", "in_money", POSITIVE_VALIDATION),
        ("Risk per trade", "in_pct", PCT_VALIDATION),
        ("Entry price", "in_price", POSITIVE_VALIDATION),
        ("Stop price", "in_price", POSITIVE_VALIDATION),
        ("Contract", "in", contract_validation(keys)),
        ("Fee rate (each side)", "in_pct", PCT_VALIDATION),
        ("Leverage (optional)", "in_lev", LEVERAGE_VALIDATION),
        ("Side (long or short)", "in", _SIDE_VALIDATION),
        ("Target price", "in_price", POSITIVE_VALIDATION),
        ("Stop slippage (optional)", "in_pct", PCT_VALIDATION),
        ("Maintenance rate (optional)", "in_pct", PCT_VALIDATION),
        ("Margin available", "in_money", POSITIVE_VALIDATION),
        ("Funding rate per interval", "in_pct", None),
        ("Funding intervals a day", "in_num", POSITIVE_VALIDATION),
    ]


#: Zero-based rows: the first input, the side check under the inputs, the MF_SIZE spill.
INPUT_TOP = 4
CHECK_ROW = INPUT_TOP + 14  # len(_input_rows(...))
SIZE_TOP = CHECK_ROW + 3


def _text(x: Any) -> str:
    """A number as a spreadsheet joins it into text (up to 15 significant digits)."""
    return format(float(x), ".15g") if isinstance(x, int | float) else str(x)


def _money(x: Any) -> str:
    return f"${x:,.2f}" if isinstance(x, int | float) else str(x)


def _quoted_note(book: Book, s: str, a1: str, cells: tuple[Any, ...]) -> None:
    """The often-quoted size against MF_CONTRACTS, in words built from the cells (size
    tested, its loss, the budget, MF_CONTRACTS' size and the MF_SIZE risk at the stop)."""
    quoted, loss, budget, at_stop = cells
    q, lo, b, c = (cell_name(*_first(x), absolute=True) for x in (quoted, loss, budget, at_stop))
    n = cell_name(budget.row + 1, budget.col, absolute=True)  # MF_CONTRACTS, below the budget
    formula = (
        f'={q}&" contracts lose "&TEXT({lo},"$#,##0.00")&" at the stop: "&IF({lo}>{b},"over",'
        f'"within")&" the "&TEXT({b},"$#,##0.00")&" budget. Sized to the budget (never '
        f'over): "&{n}&" lose "&TEXT({c},"$#,##0.00")&"."'
    )
    v = book.model.value
    qv, lv, bv, cv = v(quoted), v(_ref(loss)), v(_ref(budget)), v(at_stop)
    nv = v(Ref(s, (budget.row + 1, budget.col)))
    value = (
        f"{_text(qv)} contracts lose {_money(lv)} at the stop: "
        f"{'over' if lv > bv else 'within'} the {_money(bv)} budget. Sized to the budget "
        f"(never over): {_text(nv)} lose {_money(cv)}."
    )
    book.plain(s, a1, formula, value, "note")


def _first(x: Any) -> tuple[int, int]:
    return x.first if isinstance(x, Ref) else (x.row, x.col)


def _ref(x: Any) -> Ref:
    return x if isinstance(x, Ref) else Ref(x.sheet, (x.row, x.col))


def _side_check(book: Book, s: str, at: tuple[int, int], refs: list[Ref]) -> None:
    """The side typed against the side the stop makes: MF_SIZE sizes by the stop (below
    entry is a long), so a side that disagrees turns this cell red; nothing is flipped."""
    row, col = at
    e, st, sd = (cell_name(*refs[i].first, absolute=True) for i in (2, 3, 7))
    made = f'IF({st}<{e},"long","short")'
    formula = (
        f"=IF(OR(NOT(ISNUMBER({e})),NOT(ISNUMBER({st})),{e}={st}),"
        f'"n/a: type an entry and a different stop",IF(TRIM({sd})="","type long or short",'
        f'IF(LOWER(TRIM({sd}))={made},"ok: "&{made}&", stop "&IF({st}<{e},"below","above")'
        f'&" entry","stop "&IF({st}<{e},"below","above")&" entry: a "'
        f'&UPPER({made})&", not the "&{sd}&" typed")))'
    )
    ev, sv, side = (book.model.value(refs[i]) for i in (2, 3, 7))
    where = "below" if sv < ev else "above"
    want = "long" if sv < ev else "short"
    if str(side).strip().lower() == want:
        value = f"ok: {want}, stop {where} entry"
    else:
        value = f"stop {where} entry: a {want.upper()}, not the {side} typed"
    book.write(s, cell_name(row, col), "Side check", "label")
    if "check_wrap" not in book.fmt:
        book.fmt["check_wrap"] = book.wb.add_format(
            {"bg_color": "#F2F2F2", "text_wrap": True, "valign": "top"}
        )
    a1 = cell_name(row, col + 1)
    book.plain(s, a1, formula, value, "check_wrap")
    book.sheets[s].set_row(row, 30)
    absolute = cell_name(row, col + 1, absolute=True)
    book.sheets[s].conditional_format(
        a1,
        {"type": "formula", "criteria": f'=LEFT({absolute},3)<>"ok:"', "format": book.fmt["warn"]},
    )


def _array(book: Book, s: str, a1: str, formula: str, value: Any, fmt: str) -> None:
    """A one-cell formula holding an MF_ call inside other functions, stored as a
    dynamic-array formula like every MF_ formula (so Excel adds no implicit @)."""

    row, col = parse_ref(a1)
    book.sheets[s].write_dynamic_array_formula(row, col, row, col, formula, book.fmt[fmt], value)
    book.model.values[(s, row, col)] = value


def _beyond_the_size(
    book: Book, s: str, at: tuple[int, int], refs: list[Ref], row_of: dict[str, int]
) -> int:
    """What a trader reads beside the size: stop distance, reward to risk, break-even,
    room to liquidation, the most the margin allows and the funding it costs. Returns
    the row below the block."""
    top, col = at
    e, st, c, fee, lev = (refs[i] for i in (2, 3, 4, 5, 6))
    side = Ref(s, (row_of["Side"], col + 1))
    n = Ref(s, (row_of["Contracts"], col + 1))
    liq = Ref(s, (row_of["Liquidation price"], col + 1))
    used_lev = Ref(s, (row_of["Leverage"], col + 1))
    target, avail, rate, per_day = refs[8], refs[11], refs[12], refs[13]
    v = book.model.value
    a = {k: cell_name(*r.first, absolute=True) for k, r in {"e": e, "st": st, "c": c}.items()}
    book.section(s, cell_name(top, col), "Beyond the size")
    rows = [
        "Stop distance (% of entry)",
        "Stop distance (ticks)",
        "Reward to risk: MF_RR",
        "Break-even: MF_BREAKEVEN",
        "Entry to liquidation (%)",
        "Most the margin allows",
        "Contracts, signed (- = short)",
        "Funding per interval",
        "Funding per day: MF_FUNDING",
    ]
    for i, label in enumerate(rows):
        book.write(s, cell_name(top + 1 + i, col), label, "label")
    at_ = [cell_name(top + 1 + i, col + 1) for i in range(len(rows))]
    dist = abs(v(e) - v(st))
    book.plain(s, at_[0], f"=ABS({a['e']}-{a['st']})/{a['e']}", dist / v(e), "out_pct")
    if isinstance(v(c), int | float):
        ticks: Any = "n/a: a contract size typed has no tick"
    else:
        ticks = dist / book.model.value(Call("MF_SPEC", (c, "tick_size", SPECS)))
    _array(
        book,
        s,
        at_[1],
        f'=IF(ISNUMBER({a["c"]}),"n/a: a contract size typed has no tick",'
        f'ABS({a["e"]}-{a["st"]})/MF_SPEC({a["c"]},"tick_size",{SPECS_REF}))',
        ticks,
        "out_ticks",
    )
    book.formula(s, at_[2], "MF_RR", e, st, target, c, fee, SPECS, fmt="out_rr")
    book.formula(s, at_[3], "MF_BREAKEVEN", e, side, fee, fee, c, SPECS, fmt="out_price")
    liq_v = v(liq)
    book.plain(
        s,
        at_[4],
        f"=IF(ISNUMBER({liq.text(s)}),ABS({a['e']}-{liq.text(s)})/{a['e']},{liq.text(s)})",
        abs(v(e) - liq_v) / v(e) if isinstance(liq_v, int | float) else liq_v,
        "out_pct",
    )
    book.formula(
        s, at_[5], "MF_MAX_CONTRACTS_MARGIN", avail, e, used_lev, c, SPECS, fmt="out_contracts"
    )
    # the sign from the stop, as MF_SIZE infers the side: an IF comparing the spill's
    # "Short" cell kept the long sign in LibreOffice (LibreOffice 7.4 finds a text an add-in
    # returned unequal to the same text typed: =E24="USDT" is FALSE where E24 shows USDT)
    sign = -1 if v(st) > v(e) else 1
    signed = book.plain(
        s, at_[6], f"=IF({a['st']}>{a['e']},-1,1)*{n.text(s)}", sign * v(n), "out_contracts"
    )
    book.formula(s, at_[7], "MF_FUNDING", signed, e, rate, 1, c, SPECS, fmt="out_money")
    book.formula(s, at_[8], "MF_FUNDING", signed, e, rate, per_day, c, SPECS, fmt="out_money")
    del lev
    prices = [e, st, target, Ref(s, (row_of["Stop fill"], col + 1)), liq]
    # not the break-even: to the tick it would read below the price that breaks even
    _to_the_tick(book, s, prices, (a["e"], a["st"]), at_[1])
    money = [refs[0], refs[11], Ref(s, parse_ref(at_[7])), Ref(s, parse_ref(at_[8]))]
    money += [
        Ref(s, (r, col + 1)) for k, r in row_of.items() if SIZE_ROW_FORMATS.get(k) == "out_money"
    ]
    _coin_amounts(book, s, Ref(s, (row_of["Currency"], col + 1)), money)
    return top + 1 + len(rows)


def _coin_amounts(book: Book, s: str, currency: Ref, cells: list[Ref]) -> None:
    """Money to the satoshi (0.00750000) where MF_SIZE's Currency is a coin (an inverse
    contract settles in BTC or ETH): cents would show a 0.0075 BTC budget as 0.01."""
    c = cell_name(*currency.first, absolute=True)
    # c&"": LibreOffice 7.4 finds a text an add-in returned unequal to the same text typed
    # ($E$24="USDT" is FALSE where E24 shows USDT); a text built from it compares right
    fiat = ",".join(f'{c}&""<>"{x}"' for x in ("USD", "USDT", "USDC"))
    if "coin" not in book.fmt:
        book.fmt["coin"] = book.wb.add_format({"num_format": COIN_FORMAT})
    book.sheets[s].conditional_format(
        cell_name(*cells[0].first),
        {
            "type": "formula",
            "criteria": f'=AND(ISTEXT({c}),{fiat},LEFT({c},5)<>"quote")',
            "format": book.fmt["coin"],
            "multi_range": " ".join(cell_name(*r.first) for r in cells),
        },
    )


def _decimal(x: float) -> str:
    """A small number as formula text without an exponent: 9.999e-05 -> 0.00009999."""
    return format(x, ".12f").rstrip("0")


def _to_the_tick(
    book: Book, s: str, cells: list[Ref], entry_stop: tuple[str, str], ticks: str
) -> None:
    """The trade's prices to its contract's tick (57,228.9 for a 0.1 tick, as the
    warnings write them): one conditional number format per count of decimals, the tick
    read back from the stop distance and its count of ticks (no tick for a contract size
    typed: the workbook's price format stays)."""
    e, st = entry_stop
    n = "$" + re.sub(r"(\d+)$", r"$\1", ticks)
    ws = book.sheets[s]
    ranges = " ".join(cell_name(*c.first) for c in cells)
    for d, code in enumerate(TICK_FORMATS):
        name = f"tick{d}"
        if name not in book.fmt:
            book.fmt[name] = book.wb.add_format({"num_format": code})
        ws.conditional_format(
            cell_name(*cells[0].first),
            {
                "type": "formula",
                "criteria": f"=AND(ISNUMBER({n}),{n}>0,ABS({e}-{st})/{n}>={_decimal(0.9999 * 10.0**-d)})",
                "format": book.fmt[name],
                "multi_range": ranges,
            },
        )


def sizing_sheet(book: Book, keys: str) -> None:
    s = "Sizing"
    ws = book.start(
        s,
        "Size a trade",
        "Type in the yellow cells; the grey cells are results of MF_ formulas. "
        "Contracts are in the exchange's own order unit (see Start).",
        [("A:A", 30), ("B:B", 30), ("C:C", 3), ("D:D", 26), ("E:E", 30)],
    )
    scenarios: list[tuple[int, str, list[Any]]] = [
        (
            0,
            "Trade 1 (the heading is a formula: _title)",
            [2000, 0.015, 3520, 3450, 0.001, 0, None, "long", 3660, None, 0.005, 1000, 0.0001, 3],
        ),
        (
            3,
            "Trade 2 (the heading is a formula: _title)",
            [
                *(2000, 0.015, 60000, 57000, "binance:BTCUSDT", 0.0005, 20),
                *("long", 66000, None, None, 1000, 0.0001, 3),
            ],
        ),
    ]
    heights: dict[int, float] = {}  # row -> height that shows every wrapped result
    for col, title, values in scenarios:
        book.section(s, cell_name(3, col), title)
        _title(book, s, col, values)
        refs = input_block(
            book,
            s,
            INPUT_TOP,
            col,
            [(lbl, v, f, val) for (lbl, f, val), v in zip(_input_rows(keys), values, strict=True)],
        )
        _side_check(book, s, (CHECK_ROW, col), refs)
        book.section(s, cell_name(SIZE_TOP - 1, col), "Result: MF_SIZE")
        size = book.formula(
            s,
            cell_name(SIZE_TOP, col),
            "MF_SIZE",
            *refs[:7],
            SPECS,
            refs[9],
            refs[10],
            styler=label_value_styler(SIZE_ROW_FORMATS),
        )
        labels_out = [r[0] for r in size.result]
        warn = SIZE_TOP + labels_out.index("Warnings")
        warn_if_not(book, s, cell_name(warn, col + 1), "none")
        heights[warn] = 75
        for i, (_, value) in enumerate(size.result):  # a wrapped sentence gets its lines
            if isinstance(value, str) and len(value) > _LINE:
                lines = min(5, -(-len(value) // _LINE))
                heights[SIZE_TOP + i] = max(heights.get(SIZE_TOP + i, 15), 15 * lines)
        row_of = {lbl: SIZE_TOP + i for i, lbl in enumerate(labels_out)}
        more = _beyond_the_size(book, s, (SIZE_TOP + len(labels_out) + 1, col), refs, row_of)
        if col == 0:
            eth = refs
        else:
            btc = refs

    for row, height in heights.items():
        ws.set_row(row, height)
    top = more + 1  # one blank row below the blocks of the trades
    book.section(s, cell_name(top, 0), "Checks on trade 1")
    book.write(s, cell_name(top + 1, 0), "Risk budget: MF_RISK_AMOUNT", "label")
    budget = book.formula(
        s, cell_name(top + 1, 1), "MF_RISK_AMOUNT", eth[0], eth[1], fmt="out_money"
    )
    book.write(s, cell_name(top + 2, 0), "Contracts: MF_CONTRACTS", "label")
    book.formula(
        s,
        cell_name(top + 2, 1),
        "MF_CONTRACTS",
        Ref(s, (budget.row, budget.col)),
        eth[2],
        eth[3],
        eth[4],
        eth[5],
        SPECS,
        fmt="out_contracts",
    )
    book.write(s, cell_name(top + 3, 0), "A size to test (type any)", "label")
    quoted = book.write(s, cell_name(top + 3, 1), 431, "in_contracts")
    book.write(s, cell_name(top + 4, 0), "Its loss at the stop: MF_RISK", "label")
    quoted_loss = book.formula(
        s,
        cell_name(top + 4, 1),
        "MF_RISK",
        quoted,
        eth[2],
        eth[3],
        eth[4],
        eth[5],
        SPECS,
        fmt="out_money",
    )
    at_stop = Ref(s, (SIZE_TOP + labels_out.index("Risk at stop"), 1))
    _quoted_note(book, s, cell_name(top + 1, 3), (quoted, quoted_loss, budget, at_stop))
    ws.merge_range(top + 1, 3, top + 4, 4, None)

    book.section(s, cell_name(top + 6, 3), "About the contract of trade 2")
    for i, (label, fld) in enumerate(
        (
            ("Order unit: MF_SPEC qty_unit", "qty_unit"),
            ("Lot step: MF_SPEC lot_step", "lot_step"),
            ("Minimum: MF_SPEC min_qty", "min_qty"),
            ("Max leverage: MF_SPEC", "max_leverage"),
            ("Specs row as of: MF_SPEC", "as_of"),
        )
    ):
        book.write(s, cell_name(top + 7 + i, 3), label, "label")
        fmt = "out_lev" if fld == "max_leverage" else "out"
        book.formula(s, cell_name(top + 7 + i, 4), "MF_SPEC", btc[4], fld, SPECS, fmt=fmt)
    _atr_block(book, s, keys)
    protect_sheet(ws)


# Illustrative daily bars of a BTC micro, made up for the ATR example, oldest first.
ATR_BARS: tuple[tuple[float, float, float], ...] = (
    (60450, 59210, 59880),
    (60920, 59500, 60710),
    (61380, 60150, 60240),
    (60880, 59390, 59620),
    (60210, 58760, 59950),
    (61040, 59720, 60890),
    (61650, 60320, 61420),
    (62190, 60980, 61130),
    (61600, 60040, 60380),
    (60950, 59600, 60770),
    (61820, 60510, 61690),
    (62480, 61150, 62260),
    (62910, 61770, 62020),
    (62350, 60890, 61240),
    (61780, 60250, 61530),
    (62440, 61100, 62170),
    (63060, 61820, 62850),
    (63400, 62010, 62380),
    (62900, 61530, 61800),
    (62250, 60700, 61950),
)


def _atr_block(book: Book, s: str, keys: str) -> None:
    """ATR stop, stop slippage, 3R target, reward to risk and a USD-sized position, in
    columns G to M of the Sizing sheet: the table Bars with its own ATR column, inputs
    and results."""
    ws = book.sheets[s]
    ws.set_column("F:F", 3)
    ws.set_column("G:I", 11)
    ws.set_column("J:J", 24)
    ws.set_column("K:K", 3)
    ws.set_column("L:L", 30)
    ws.set_column("M:M", 16)
    book.section(s, "G4", "ATR and reward to risk: bars", span=4)
    book.section(s, "L4", "ATR stop, target and R:R")
    entry, periods, method, multiple, side, contract, fee, slip, r_mult, usd, roi, lev = (
        input_block(
            book,
            s,
            4,
            11,
            [
                ("Entry price", 61950, "in_price", POSITIVE_VALIDATION),
                ("ATR periods", 14, "in_num", POSITIVE_VALIDATION),
                ("ATR method", "wilder", "in", None),
                ("ATR multiple for the stop", 2, "in_num", POSITIVE_VALIDATION),
                ("Side", "long", "in", None),
                ("Contract", "cme:MBT", "in", contract_validation(keys)),
                ("Fee rate (each side)", 0.0005, "in_pct", PCT_VALIDATION),
                ("Stop slippage", 0.001, "in_pct", PCT_VALIDATION),
                ("Target in R", 3, "in_num", POSITIVE_VALIDATION),
                ("Risk budget in USD", 300, "in_money", POSITIVE_VALIDATION),
                ("Target ROI on margin", 0.5, "in_pct", None),
                ("Leverage for the ROI", 10, "in_lev", LEVERAGE_VALIDATION),
            ],
        )
    )
    bars = book.table(
        s,
        "G5",
        "Bars",
        ["High", "Low", "Close"],
        [list(b) for b in ATR_BARS],
        ["in_price"] * 3,
        [_atr_column(book, periods, method)],
    )
    high, low, close = bars["High"], bars["Low"], bars["Close"]
    # the same n/a sentence down the column is shown once, the repeats faint: a reader
    # sees where the ATR starts, and each cell still holds its text
    first, last = cell_name(6, 9), cell_name(5 + len(ATR_BARS) - 1, 9)
    ws.conditional_format(
        f"{first}:{last}",
        {
            "type": "formula",
            "criteria": f'=AND(LEFT({first},4)="n/a:",{first}={cell_name(5, 9)})',
            "format": book.wb.add_format({"font_color": "#D0D0D0"}),
        },
    )
    results = [
        ("ATR now: MF_ATR(..., TRUE)", "out_price", "MF_ATR"),
        ("ATR stop: MF_ATR_STOP", "out_price", "MF_ATR_STOP"),
        ("Stop fill: MF_STOP_FILL", "out_price", "MF_STOP_FILL"),
        ("Contracts for the USD budget", "out_contracts", "MF_CONTRACTS_USD"),
        ("Target at R: MF_TARGET", "out_price", "MF_TARGET"),
        ("Reward to risk: MF_RR", "out_rr", "MF_RR"),
        ("Exit for the ROI: MF_ROI_TARGET", "out_price", "MF_ROI_TARGET"),
    ]
    top = 17
    book.section(s, cell_name(top, 11), "Results")
    cells: dict[str, Ref] = {}
    for i, (label, fmt, fn) in enumerate(results):
        row = top + 1 + i
        book.write(s, cell_name(row, 11), label, "label")
        args: tuple[Any, ...]
        if fn == "MF_ATR":
            args = (high, low, close, periods, method, True)
        elif fn == "MF_ATR_STOP":
            args = (entry, cells["MF_ATR"], multiple, side, contract, SPECS)
        elif fn == "MF_STOP_FILL":
            args = (cells["MF_ATR_STOP"], slip, entry, contract, SPECS)
        elif fn == "MF_CONTRACTS_USD":
            args = (usd, entry, cells["MF_STOP_FILL"], contract, fee, SPECS)
        elif fn == "MF_TARGET":
            args = (entry, cells["MF_ATR_STOP"], r_mult, contract, fee, SPECS)
        elif fn == "MF_RR":
            args = (entry, cells["MF_ATR_STOP"], cells["MF_TARGET"], contract, fee, SPECS)
        else:
            args = (entry, roi, lev, side, contract, fee, SPECS)
        f = book.formula(s, cell_name(row, 12), fn, *args, fmt=fmt)
        cells[fn] = Ref(s, (f.row, f.col))
    _atr_note(book, s, cell_name(top + 9, 11), (periods, method, multiple, side, r_mult))
    ws.merge_range(top + 9, 11, top + 13, 12, None)


def _atr_column(book: Book, periods: Ref, method: Ref) -> Computed:
    """Bars' own ATR column: each row takes its bar's ATR from MF_ATR over the whole
    table (the ATR of a bar reads only the bars up to it), so a row typed below the table
    or inserted inside it has its ATR and the rows after it follow. A refused input shows
    its message in every row."""
    # optional arguments as one-cell ranges: LibreOffice hands an add-in an empty single
    # cell as 0 (see one_cell_range)
    p, m = (one_cell_range(cell_name(*r.first, absolute=True)) for r in (periods, method))
    call = f"MF_ATR(Bars[High],Bars[Low],Bars[Close],{p},{m})"
    i = "ROW()-ROW(Bars[[#Headers],[High]])"
    formula = f"=IFERROR(INDEX({call},{i},1),INDEX({call},1,1))"
    high, low, close = ([[b[k]] for b in ATR_BARS] for k in range(3))
    result = udfs.MF_ATR(high, low, close, book.model.value(periods), book.model.value(method))
    return Computed("ATR", formula, [r[0] for r in result], "out_price")


def _title(book: Book, s: str, col: int, values: list[Any]) -> None:
    """The example's heading, built from its contract and leverage cells (no figure in it
    stays put when they change)."""
    key, lev = cell_name(8, col + 1, absolute=True), cell_name(10, col + 1, absolute=True)
    formula = (
        f'="Trade: "&IF(ISNUMBER({key}),{key}&" units a contract",{key})'
        f'&IF(ISNUMBER({lev})," at "&{lev}&"x",", no leverage")'
    )
    contract, leverage = values[4], values[6]
    text = "Trade: " + (
        f"{_text(contract)} units a contract" if isinstance(contract, int | float) else contract
    )
    text += f" at {_text(leverage)}x" if isinstance(leverage, int | float) else ", no leverage"
    book.sheets[s].write_formula(3, col, formula, book.fmt["h2"], text)
    book.model.values[(s, 3, col)] = text


def _atr_note(book: Book, s: str, a1: str, cells: tuple[Ref, ...]) -> None:
    """What the ATR block does, its figures taken from its input cells."""
    periods, method, multiple, side, r_mult = (cell_name(*c.first, absolute=True) for c in cells)
    short = f'OR({side}="short",{side}="sell",{side}="s",{side}=-1)'
    formula = (
        f'="The stop is "&{multiple}&" ATR "&IF({short},"above","below")&" entry, rounded to '
        "the tick away from entry; sizing uses the price the stop fills at after slippage, so "
        'a slipped stop stays within the budget. The target makes at least "&'
        f'{r_mult}&"R after both fees. ATR: "&{method}&", n/a until "&{periods}&" bars."'
    )
    v = [book.model.value(c) for c in cells]
    where = "above" if v[3] in ("short", "sell", "s", -1) else "below"
    value = (
        f"The stop is {_text(v[2])} ATR {where} entry, rounded to the tick away from entry; "
        "sizing uses the price the stop fills at after slippage, so a slipped stop stays "
        f"within the budget. The target makes at least {_text(v[4])}R after both fees. "
        f"ATR: {v[1]}, n/a until {_text(v[0])} bars."
    )
    book.plain(s, a1, formula, value, "note")
