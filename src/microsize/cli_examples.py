"""The command examples: the files the help examples read, written to a folder so every
example runs as pasted."""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from typing import Any

from ._contracts import (
    load_specs,
)
from ._errors import MicrosizeError
from .cli_args import (
    csv_value,
    examples_epilog,
)

__all__ = ["EXAMPLE_FILES", "add_commands", "example_files"]


# ------------------------------------------------------------------------ examples
#: the files ``microsize examples DIR`` writes: every help example reads only these
EXAMPLE_FILES = ("prices.csv", "bars.csv", "holdings.csv", "specs.csv", "microsize.xlsm")


def _csv_text(rows: Sequence[Sequence[Any]]) -> str:
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[csv_value(v) for v in r] for r in rows])
    return buffer.getvalue()


def example_files() -> dict[str, bytes]:
    """The sample files of the help examples, from the package's own sample data: the
    template's weekly prices (BTC, ETH, SOL, LINK), its daily BTC bars for the ATR, its
    holdings valued at the last closes, the bundled spec table, and the template itself."""
    from . import workbook  # XlsxWriter: only for this command
    from ._sizing import notional
    from .workbook._data import SAMPLE_PRICES
    from .workbook.portfolio import HOLDINGS, PRICE_ASSETS
    from .workbook.sizing import ATR_BARS

    prices = [["week", *PRICE_ASSETS]] + [[i, *r] for i, r in enumerate(SAMPLE_PRICES, 1)]
    bars = [["day", "high", "low", "close"]] + [[i, *b] for i, b in enumerate(ATR_BARS, 1)]
    holdings: list[list[Any]] = [["name", "symbol", "exposure", "beta"]]
    for name, symbol, key, qty, last in HOLDINGS:
        holdings.append([name, symbol, float(notional(qty, last, key)), None])
    table = load_specs()
    text = {
        "prices.csv": _csv_text(prices),
        "bars.csv": _csv_text(bars),
        "holdings.csv": _csv_text(holdings),
        "specs.csv": _csv_text(table.rows(None)),
    }
    files = {name: body.encode("utf-8") for name, body in text.items()}
    files["microsize.xlsm"] = workbook.build_workbook_bytes()
    return files


def _cmd_examples(args: argparse.Namespace) -> int:
    from pathlib import Path

    folder = Path(args.dir)
    files = example_files()
    if not args.force:
        there = [name for name in files if (folder / name).exists()]
        if there:
            raise MicrosizeError(
                f"{folder / there[0]} exists: examples writes {', '.join(files)}; "
                "choose a new folder, or add --force to overwrite them"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, body in files.items():
            (folder / name).write_bytes(body)
    except OSError as exc:
        raise MicrosizeError(
            f"examples: cannot write into {args.dir[:80]} ({exc.strerror or exc})"
        ) from None
    print(f"wrote {', '.join(files)} into {folder}")
    print(f"every example of microsize COMMAND --help runs from there: cd {folder}")
    return 0


def add_commands(sub: Any) -> None:
    p = sub.add_parser(
        "examples",
        help="write the sample files the help examples use into a folder",
        description="Write the files every help example reads into DIR: prices.csv (weekly "
        "closes of BTC, ETH, SOL, LINK), bars.csv (daily high, low, close of BTC), "
        "holdings.csv (symbol, exposure, blank betas), specs.csv (the bundled spec table) "
        "and microsize.xlsm (the template workbook). The samples are made up, from the "
        "template's own data. Then cd DIR: each example of microsize COMMAND --help runs "
        "as pasted.",
        epilog=examples_epilog("microsize examples microsize-examples"),
    )
    p.add_argument("dir", metavar="DIR", help="the folder to write into (made if missing)")
    p.add_argument("--force", action="store_true", help="overwrite the sample files in DIR")
    p.set_defaults(func=_cmd_examples)
