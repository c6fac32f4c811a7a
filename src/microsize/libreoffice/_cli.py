"""The ``libreoffice install|uninstall`` and ``recalc`` subcommands (argparse only here;
the work is imported when a command runs)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_commands"]


def _cmd_install(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ._install import install

    print(install(Path(args.profile) if args.profile else None))
    return 0


def _cmd_uninstall(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ._install import uninstall

    print(uninstall(Path(args.profile) if args.profile else None))
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from ._extension import build_oxt
    from ._meta import functions

    funcs = functions()
    path = build_oxt(args.path, funcs)
    print(f"wrote {path} ({len(funcs)} MF_ functions)")
    return 0


def _cmd_recalc(args: argparse.Namespace) -> int:
    from ._recalc import recalc

    result = recalc(args.book, args.out, pdf=args.pdf)
    for sheet, path in result.csv.items():
        print(f"{sheet}: {path}")
    if result.pdf is not None:
        print(f"PDF: {result.pdf}")
    errors = result.error_cells()
    if errors:
        first = ", ".join(f"{s}!{c} {e}" for s, c, e in errors[:3])
        print(f"warning: {len(errors)} cells show an error value ({first})", file=sys.stderr)
    return 0


def add_commands(sub: Any) -> None:
    """Register ``libreoffice`` and ``recalc`` on the CLI's subparsers."""
    p = sub.add_parser(
        "libreoffice",
        help="install the MF_ functions into LibreOffice Calc (a Calc add-in)",
        description="Build the LibreOffice extension from this Python's microsize.udfs and "
        "register it with unopkg (for this user; as root, for every user with --shared). "
        "LibreOffice's own Python must be the same version as this one: the add-in imports "
        "microsize and numpy from this Python's paths.",
        epilog="examples:\n  microsize libreoffice install\n  microsize libreoffice build microsize.oxt",
    )
    lo = p.add_subparsers(
        dest="libreoffice_command", required=True, metavar="{install,uninstall,build}"
    )
    for name, func, text in (
        (
            "install",
            _cmd_install,
            "build and register the add-in for this user; run as root, for every user of "
            "this LibreOffice (unopkg add --shared)",
        ),
        ("uninstall", _cmd_uninstall, "remove the add-in"),
    ):
        c = lo.add_parser(
            name, help=text, description=text, epilog=f"examples:\n  microsize libreoffice {name}"
        )
        c.add_argument(
            "--profile",
            metavar="DIR",
            help="use this LibreOffice profile directory instead of the user's (for tests)",
        )
        c.set_defaults(func=func)
    c = lo.add_parser(
        "build",
        help="only write the extension file (.oxt)",
        epilog="examples:\n  microsize libreoffice build microsize.oxt",
    )
    c.add_argument("path", help="where to write the .oxt, e.g. microsize.oxt")
    c.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "recalc",
        help="recalculate a workbook headless in LibreOffice: one CSV per visible sheet",
        description="Open a copy of BOOK headless in LibreOffice with the microsize add-in "
        "and a throwaway profile, recalculate, and write one CSV of values per visible "
        "sheet (BOOK-SHEET.csv) into DIR, and BOOK.pdf with --pdf. BOOK is never modified.",
        epilog="examples:\n  microsize recalc microsize.xlsm --out report --pdf",
    )
    p.add_argument("book", help="the workbook (.xlsx, .xlsm, .ods)")
    p.add_argument("--out", required=True, metavar="DIR", help="directory for the CSVs")
    p.add_argument("--pdf", action="store_true", help="also write a PDF of the workbook")
    p.set_defaults(func=_cmd_recalc)
