"""Native Excel charts (XlsxWriter) on the worked sheets, drawn from MF_ results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._book import SPECS, SPECS_REF, Book, Call, Ref, cell_name

#: Exit prices on the P&L curve of the Margin sheet.
PNL_POINTS = 23


def pnl_chart(
    book: Book, s: str, trade: tuple[Ref, Ref, Ref, Ref], liq: Ref, top: int
) -> list[str]:
    """Profit and loss across exit prices (MF_LADDER_PRICES, MF_PNL, fees included) with
    the entry, two targets, the liquidation price and the stop marked, in columns F to H
    from row ``top``. ``trade`` is (entry, contracts, stop, contract). The targets (1R and
    2R, MF_TARGET), the fee (the contract's taker fee, MF_SPEC) and the chart's range
    (from the lowest to the highest mark) are formulas of the trade: type over them to
    choose others. Past the liquidation price the curve stays at the loss at liquidation:
    the exchange has closed the position there. Returns the ranges that hold prices
    (targets, the chart's range, the marks, the exit prices), to show them to the tick."""
    entry, size, stop, contract = trade
    book.section(s, cell_name(top, 5), "Profit and loss across exit prices: MF_PNL", span=3)
    labels = ("Target 1 (1R)", "Target 2 (2R)", "Chart from", "Chart to", "Fee rate (each side)")
    for i, label in enumerate(labels):
        book.write(s, cell_name(top + 1 + i, 5), label, "label")
    book.write(s, cell_name(top + 1, 7), "MF_TARGET, MF_SPEC; type to override", "note")
    book.sheets[s].merge_range(top + 1, 7, top + 4, 7, None)  # its lines, not cut
    targets = []
    fee_at = (top + 5, 6)
    # a contract size typed has no fee in Specs: 0, shown in the yellow cell to type over
    c = cell_name(*contract.first, absolute=True)
    key = book.model.value(contract)
    fee = (
        0
        if isinstance(key, int | float)
        else book.model.value(Call("MF_SPEC", (contract, "taker_fee", SPECS)))
    )
    book.sheets[s].write_dynamic_array_formula(
        *fee_at,
        *fee_at,
        f'=IF(ISNUMBER({c}),0,MF_SPEC({c},"taker_fee",{SPECS_REF}))',
        book.fmt["in_pct"],
        fee,
    )
    book.model.values[(s, *fee_at)] = fee
    fee_ref = Ref(s, fee_at)
    for i, r in enumerate((1, 2)):
        t = book.formula(
            s,
            cell_name(top + 1 + i, 6),
            "MF_TARGET",
            entry,
            stop,
            r,
            contract,
            fee_ref,
            SPECS,
            fmt="in_price",
        )
        targets.append(Ref(s, (t.row, t.col)))
    t1, t2 = targets
    r = top + 7
    marks = (
        ("Entry", entry),
        ("Target 1", t1),
        ("Target 2", t2),
        ("Liquidation", liq),
        ("Stop", stop),  # last: drawn over the liquidation marker when they are close
    )
    mark_cells = ",".join(cell_name(r + 1 + i, 6, absolute=True) for i in range(len(marks)))
    values = [book.model.value(ref) for _, ref in marks]
    numbers = [v for v in values if isinstance(v, int | float)]
    low = book.plain(
        s, cell_name(top + 3, 6), f"=MIN({mark_cells})*0.99", min(numbers) * 0.99, "in_price"
    )
    high = book.plain(
        s, cell_name(top + 4, 6), f"=MAX({mark_cells})*1.01", max(numbers) * 1.01, "in_price"
    )
    for j, title in enumerate(("Mark", "Price", "PnL")):
        book.write(s, cell_name(r, 5 + j), title, "header_num" if j else "header")
    for i, (label, ref) in enumerate(marks):
        row = r + 1 + i
        book.write(s, cell_name(row, 5), label, "label")
        a = cell_name(*ref.first, absolute=True)
        book.plain(s, cell_name(row, 6), f"={a}", values[i], "out_price")
        book.formula(
            s,
            cell_name(row, 7),
            "MF_PNL",
            size,
            entry,
            Ref(s, (row, 6)),
            contract,
            fee_ref,
            SPECS,
            fmt="out_money",
        )
    _pnl_curve(book, s, (entry, size, contract, fee_ref), (low, high), (r + 4, r + 7))
    _pnl_scatter(book, s, r, marks, top)
    r2 = r + 7
    return [
        f"{cell_name(top + 1, 6)}:{cell_name(top + 4, 6)}",
        f"{cell_name(r + 1, 6)}:{cell_name(r + len(marks), 6)}",
        f"{cell_name(r2 + 1, 5)}:{cell_name(r2 + PNL_POINTS, 5)}",
    ]


def _pnl_curve(
    book: Book,
    s: str,
    trade: tuple[Ref, Ref, Ref, Ref],
    span: tuple[Ref, Ref],
    rows: tuple[int, int],
) -> None:
    """The exit prices, their PnL (MF_PNL), and the PnL the position really makes: the
    loss at liquidation for an exit beyond it (plain formulas the chart draws)."""
    entry, size, contract, fee = trade
    low, high = span
    liq_row, r2 = rows
    for j, title in enumerate(("Exit price", "PnL", "PnL, flat past liquidation")):
        book.write(s, cell_name(r2, 5 + j), title, "header_num")
    exits = Call("MF_LADDER_PRICES", (low, high, PNL_POINTS, "even", contract, SPECS))
    px = book.formula(s, cell_name(r2 + 1, 5), exits.function, *exits.args, fmt="out_price")
    pnl = book.formula(
        s, cell_name(r2 + 1, 6), "MF_PNL", size, entry, exits, contract, fee, SPECS, fmt="out_money"
    )
    liq, liq_pnl = cell_name(liq_row, 6, absolute=True), cell_name(liq_row, 7, absolute=True)
    n = cell_name(size.first[0], size.first[1], absolute=True)
    liq_value = book.model.value(Ref(s, (liq_row, 6)))
    liq_loss = book.model.value(Ref(s, (liq_row, 7)))
    sign = book.model.value(size)
    for i in range(PNL_POINTS):
        row = r2 + 1 + i
        x, y = cell_name(row, 5), cell_name(row, 6)
        price = px.result[i][0]
        gone = isinstance(liq_value, int | float) and (
            (sign > 0 and price <= liq_value) or (sign < 0 and price >= liq_value)
        )
        book.plain(
            s,
            cell_name(row, 7),
            f"=IF(AND(ISNUMBER({liq}),OR(AND({n}>0,{x}<={liq}),AND({n}<0,{x}>={liq}))),{liq_pnl},{y})",
            liq_loss if gone else pnl.result[i][0],
            "out_money",
        )


def _pnl_scatter(book: Book, s: str, r: int, marks: tuple[tuple[str, Ref], ...], top: int) -> None:
    r2 = r + 7
    chart = book.wb.add_chart({"type": "scatter", "subtype": "straight"})
    chart.add_series(
        {
            "name": "PnL (flat past liquidation)",
            "categories": [s, r2 + 1, 5, r2 + PNL_POINTS, 5],
            "values": [s, r2 + 1, 7, r2 + PNL_POINTS, 7],
            "line": {"color": "#1F4E79", "width": 2},
        }
    )
    style = {
        "Entry": ("diamond", 9, "#404040", True),
        "Target 1": ("triangle", 9, "#00B050", True),
        "Target 2": ("triangle", 9, "#00B050", True),
        "Liquidation": ("circle", 14, "#FF0000", False),  # a ring: the stop shows inside it
        "Stop": ("square", 8, "#C00000", True),
    }
    for i, (label, _ref) in enumerate(marks):
        row = r + 1 + i
        shape, size, color, filled = style[label]
        marker: dict[str, Any] = {
            "type": shape,
            "size": size,
            "border": {"color": color, "width": 2 if not filled else 0.75},
        }
        marker["fill"] = {"color": color} if filled else {"none": True}
        chart.add_series(
            {
                "name": label,
                "categories": [s, row, 6, row, 6],
                "values": [s, row, 7, row, 7],
                "marker": marker,
                "line": {"none": True},
            }
        )
    chart.set_title({"name": "Profit and loss at exit", "name_font": {"size": 11}})
    # no fixed minimum or maximum: the axis follows Chart from / Chart to
    chart.set_x_axis({"num_format": "#,##0", "name": "Exit price", "label_position": "low"})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 600, "height": 340})
    book.sheets[s].insert_chart(cell_name(top + 1, 9), chart)


def ladder_chart(book: Book, s: str, anchor: tuple[int, int], legs: int, where: str) -> None:
    """Entries, cumulative average entry (lines) and cumulative risk (columns, right axis)
    from the MF_LADDER spill whose header row is at ``anchor``."""
    r0, c0 = anchor
    first, last = r0 + 1, r0 + legs
    cols = book.wb.add_chart({"type": "column"})
    cols.add_series(
        {
            "name": [s, r0, c0 + 5],
            "categories": [s, first, c0, last, c0],
            "values": [s, first, c0 + 5, last, c0 + 5],
            "fill": {"color": "#F4B183"},
            "y2_axis": True,
            "data_labels": {"value": True, "num_format": "#,##0.00"},
        }
    )
    line = book.wb.add_chart({"type": "line"})
    for k, color in ((0, "#1F4E79"), (4, "#00B050")):
        line.add_series(
            {
                "name": [s, r0, c0 + k],
                "categories": [s, first, c0, last, c0],
                "values": [s, first, c0 + k, last, c0 + k],
                "marker": {"type": "circle", "size": 7, "fill": {"color": color}},
                "line": {"color": color, "width": 2},
            }
        )
    line.combine(cols)
    line.set_title(
        {"name": "Ladder: entries, average entry, risk if stopped", "name_font": {"size": 11}}
    )
    line.set_x_axis({"name": "Leg (entry price)"})
    line.set_y_axis({"num_format": "#,##0", "name": "Price"})
    cols.set_y2_axis({"num_format": "#,##0", "name": "Cumulative risk"})
    line.set_legend({"position": "bottom"})
    line.set_size({"width": 520, "height": 280})
    book.sheets[s].insert_chart(where, line)


def fitted_scatter(
    book: Book,
    where: tuple[str, str],
    points: tuple[list[Any], list[Any]],
    names: tuple[str, str, str],
    axes: tuple[str, str, str],
    width: int = 480,
) -> None:
    """A scatter of y against x with its least-squares line and equation (the line's slope
    is the OLS slope the sheet computes). ``where`` is (sheet, anchor cell); ``points``
    the x and y ranges as XlsxWriter lists; ``names`` (series, fitted line, title);
    ``axes`` (x name, y name, number format)."""
    sheet, anchor = where
    series, fit, title = names
    x_name, y_name, fmt = axes
    chart = book.wb.add_chart({"type": "scatter"})
    chart.add_series(
        {
            "name": series,
            "categories": points[0],
            "values": points[1],
            "marker": {"type": "circle", "size": 6, "fill": {"color": "#1F4E79"}},
            # no equation on the chart: LibreOffice 7.4 ignores a trendline label's number
            # format and draws 15 digits; the caption cell (fit_caption) gives it to 4
            "trendline": {
                "type": "linear",
                "name": fit,
                "line": {"color": "#C00000", "width": 1.5},
            },
        }
    )
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_x_axis({"name": x_name, "num_format": fmt, "label_position": "low"})
    chart.set_y_axis(
        {
            "name": y_name,
            "num_format": fmt,
            "major_gridlines": {"visible": True},
            "label_position": "low",
        }
    )
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": width, "height": 300})
    book.sheets[sheet].insert_chart(anchor, chart)


def hedge_chart(book: Book, s: str, first_row: int, n: int, where: str) -> None:
    """Changes of the hedged price against the hedge's (columns G, H from first_row),
    with the least-squares line, whose slope is the minimum-variance hedge ratio."""
    last = first_row + n - 1
    fitted_scatter(
        book,
        (s, where),
        ([s, first_row, 6, last, 6], [s, first_row, 7, last, 7]),
        (
            "Monthly changes",
            "Fitted line (slope = hedge ratio)",
            "Jet fuel vs heating-oil futures changes",
        ),
        ("Futures change", "Spot change", "0.000"),
    )


def fit_caption(
    book: Book,
    where: tuple[str, str],
    columns: tuple[str, str],
    names: tuple[str, str, str, str],
    values: tuple[Sequence[Any], Sequence[Any]],
) -> None:
    """The fitted line of a chart in words, to four decimals, computed by SLOPE and
    INTERCEPT over the table columns the chart draws (they grow with the table): ``where``
    (sheet, cell); ``columns`` (y, x) structured references; ``names`` (text before, y
    name, x name, text after); ``values`` the y and x of the template, for the cached
    text (pairs where either is not a number are left out, as SLOPE leaves them)."""
    sheet, a1 = where
    y, x = columns
    before, y_name, x_name, after = names
    slope, icept = f"SLOPE({y},{x})", f"INTERCEPT({y},{x})"
    formula = (
        f'="{before}{y_name} = "&TEXT({slope},"0.0000")&" x {x_name} "'
        f'&IF({icept}<0,"- ","+ ")&TEXT(ABS({icept}),"0.0000")&"{after}"'
    )
    pairs = [
        (float(b), float(a))
        for a, b in zip(values[0], values[1], strict=True)
        if isinstance(a, int | float) and isinstance(b, int | float)
    ]
    xs, ys = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    b1 = float(np.sum((xs - xs.mean()) * (ys - ys.mean())) / np.sum((xs - xs.mean()) ** 2))
    b0 = float(ys.mean() - b1 * xs.mean())
    sign = "- " if b0 < 0 else "+ "
    text = f"{before}{y_name} = {b1:.4f} x {x_name} {sign}{abs(b0):.4f}{after}"
    book.plain(sheet, a1, formula, text, "label")
