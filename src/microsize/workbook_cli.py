"""``microsize workbook [PATH]`` and ``microsize workbook update-specs BOOK``.

Registered on the command line's parser without importing :mod:`microsize.workbook`
(which imports XlsxWriter, openpyxl and, through the UDF module, xlwings): the builder is
imported only when this command runs, so ``microsize size`` starts as fast as numpy.
"""

from __future__ import annotations

from typing import Any

from ._errors import MicrosizeError

__all__ = ["add_commands"]

WORKBOOK_NAME = "microsize.xlsm"


def add_commands(sub: Any) -> None:
    """Register ``microsize workbook`` on an argparse subparsers object."""
    p = sub.add_parser(
        "workbook",
        help="write the template workbook, or update the specs of an existing one",
        description=(
            "microsize workbook [PATH]: write the template (default ./microsize.xlsm). "
            "microsize workbook update-specs BOOK [--backup FILE]: replace the Specs and Tiers "
            "tables of BOOK with the package's current tables, keeping your own rows, every other "
            "sheet and the macros; a backup is written first (BOOK.bak.xlsm, then "
            "BOOK.bak-2.xlsm and so on: a backup is never overwritten). "
            "microsize workbook pictures BOOK DIR [--resolution DPI]: a PNG of each worked "
            "sheet of BOOK as LibreOffice renders it with the microsize add-in. "
            "microsize workbook update-prices BOOK CONTRACT... [--timeframe TF] [--bars N] "
            "[--bars-from NAME] [--dry-run]: the venues' closed bars into the Prices and Bars "
            "tables and the current funding rate into the Margin sheet (no key). "
            "microsize workbook update-holdings BOOK VENUE... [--dry-run]: your open positions "
            "into the Holdings table and the balance into every Account size (read-only keys, "
            "see microsize positions --help). Both write the same backup as update-specs."
        ),
        epilog="examples:\n  microsize workbook microsize.xlsm\n"
        "  microsize workbook update-specs microsize.xlsm\n"
        "  microsize workbook pictures microsize.xlsm pictures\n"
        "  microsize workbook update-prices microsize.xlsm binance:BTCUSDT binance:ETHUSDT "
        "--timeframe 1w --bars 104\n"
        "  microsize workbook update-holdings microsize.xlsm okx binance --dry-run",
    )
    p.add_argument(
        "target",
        nargs="*",
        metavar="PATH | update-specs BOOK | pictures BOOK DIR | update-prices BOOK CONTRACT... | "
        "update-holdings BOOK VENUE...",
    )
    p.add_argument(
        "--backup",
        help="update-specs: where to write the backup (a new file; default BOOK.bak.xlsm)",
    )
    p.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    p.add_argument(
        "--resolution",
        type=int,
        default=150,
        help="pictures: dots per inch of the PNGs (default 150; raised so that each is "
        "at least 1,400 pixels wide)",
    )
    from .cli_live import add_workbook_options, with_workbook_updates

    add_workbook_options(p)  # update-prices, update-holdings
    p.set_defaults(func=with_workbook_updates(_cmd_workbook))


def _cmd_workbook(args: Any) -> int:
    from pathlib import Path

    from . import workbook  # XlsxWriter, openpyxl and xlwings: only for this command

    target = list(args.target)
    if target and target[0] == "pictures":
        if len(target) != 3:
            raise MicrosizeError("usage: microsize workbook pictures BOOK DIR [--resolution DPI]")
        from .workbook_pictures import render_pictures

        for path in render_pictures(target[1], target[2], args.resolution):
            print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
        return 0
    if target and target[0] == "update-specs":
        if len(target) != 2:
            raise MicrosizeError("usage: microsize workbook update-specs BOOK [--backup FILE]")
        report = workbook.update_specs(target[1], backup=args.backup)
        print("\n".join(report.lines()))
        for row in report.spec_changes[1:] + report.tier_changes[1:]:
            print("  " + " | ".join("" if v is None else str(v) for v in row))
        return 0
    if len(target) > 1:
        raise MicrosizeError(f"workbook takes one PATH (got {' '.join(target)[:80]})")
    path = Path(target[0] if target else WORKBOOK_NAME)
    from .outfiles import show_path

    if path.parent.exists() and not path.parent.is_dir():
        raise MicrosizeError(
            f"cannot write {show_path(path)}: {show_path(path.parent)} is a file, not a folder"
        )
    if path.is_dir():
        raise MicrosizeError(f"{show_path(path)} is a folder: give a file name ending in .xlsm")
    if path.exists() and not args.force:
        from .xlsxcompare import workbook_differences

        if not workbook_differences(path.read_bytes(), workbook.build_workbook_bytes()):
            print(f"{path} is already up to date")
            return 0
        raise MicrosizeError(
            f"{path} exists and differs: pass --force to overwrite it, or use "
            f"`microsize workbook update-specs {path}` to refresh the specs of your own workbook"
        )
    workbook.build_workbook(path)
    print(f"wrote {path}")
    return 0
