"""Native Excel charts (XlsxWriter) on the worked sheets, drawn from MF_ results."""

from __future__ import annotations

from typing import Any

from ._book import SPECS, Call, Ref, _Book, cell_name


def pnl_chart(
    book: _Book, s: str, entry: Ref, size: Ref, stop: Ref, contract: Ref, liq: Ref, top: int
) -> None:
    """Profit and loss across exit prices (MF_LADDER_PRICES, MF_PNL) with the entry, the
    stop, two targets and the liquidation price marked, in columns F to H from row top."""
    book.section(s, cell_name(top, 5), "Profit and loss across exit prices: MF_PNL", span=3)
    t1, t2 = (
        book.write(s, cell_name(top + 1 + i, 6), v, "in_price")
        for i, v in enumerate((63000, 66000))
    )
    book.write(s, cell_name(top + 1, 5), "Target 1", "label")
    book.write(s, cell_name(top + 2, 5), "Target 2", "label")
    low, high = (
        book.write(s, cell_name(top + 3, 6), 56000, "in_price"),
        book.write(s, cell_name(top + 4, 6), 67000, "in_price"),
    )
    book.write(s, cell_name(top + 3, 5), "Chart from", "label")
    book.write(s, cell_name(top + 4, 5), "Chart to", "label")
    r = top + 6
    for j, title in enumerate(("Mark", "Price", "PnL")):
        book.write(s, cell_name(r, 5 + j), title, "header")
    marks = (
        ("Entry", entry),
        ("Stop", stop),
        ("Target 1", t1),
        ("Target 2", t2),
        ("Liquidation", liq),
    )
    for i, (label, ref) in enumerate(marks):
        row = r + 1 + i
        book.write(s, cell_name(row, 5), label, "label")
        value = book.model.value(ref)
        a = cell_name(*ref.first, absolute=True)
        book.plain(s, cell_name(row, 6), f"={a}", value, "out_price")
        book.formula(
            s,
            cell_name(row, 7),
            "MF_PNL",
            size,
            entry,
            Ref(s, (row, 6)),
            contract,
            0,
            SPECS,
            fmt="out_money",
        )
    r2 = r + 7
    book.write(s, cell_name(r2, 5), "Exit price", "header")
    book.write(s, cell_name(r2, 6), "PnL", "header")
    exits = Call("MF_LADDER_PRICES", (low, high, 23, "even", contract, SPECS))
    book.formula(s, cell_name(r2 + 1, 5), exits.function, *exits.args, fmt="out_price")
    book.formula(
        s, cell_name(r2 + 1, 6), "MF_PNL", size, entry, exits, contract, 0, SPECS, fmt="out_money"
    )
    chart = book.wb.add_chart({"type": "scatter", "subtype": "straight"})
    chart.add_series(
        {
            "name": "PnL",
            "categories": [s, r2 + 1, 5, r2 + 23, 5],
            "values": [s, r2 + 1, 6, r2 + 23, 6],
            "line": {"color": "#1F4E79", "width": 2},
        }
    )
    colors = ("#404040", "#C00000", "#00B050", "#00B050", "#FF0000")
    shapes = ("diamond", "square", "triangle", "triangle", "x")
    for i, (label, _ref) in enumerate(marks):
        row = r + 1 + i
        chart.add_series(
            {
                "name": label,
                "categories": [s, row, 6, row, 6],
                "values": [s, row, 7, row, 7],
                "marker": {
                    "type": shapes[i],
                    "size": 9,
                    "fill": {"color": colors[i]},
                    "border": {"color": colors[i]},
                },
                "line": {"none": True},
            }
        )
    chart.set_title({"name": "Profit and loss at exit (USDT)", "name_font": {"size": 11}})
    chart.set_x_axis(
        {
            "num_format": "#,##0",
            "name": "Exit price",
            "min": 56000,
            "max": 67000,
            "label_position": "low",
        }
    )
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 600, "height": 340})
    book.sheets[s].insert_chart(cell_name(top + 1, 9), chart)


def ladder_chart(book: _Book, s: str, anchor: tuple[int, int], legs: int, where: str) -> None:
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
    book: _Book,
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
            "trendline": {
                "type": "linear",
                "name": fit,
                "display_equation": True,
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


def hedge_chart(book: _Book, s: str, first_row: int, n: int, where: str) -> None:
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
