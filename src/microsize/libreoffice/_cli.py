"""The ``libreoffice install|uninstall|build`` and ``recalc`` subcommands (argparse only
here; the work, and what it imports, is imported when a command runs).

Exit status: 0 done; 1 ``recalc`` finished but cells show errors (named on stderr); 2 a
refusal with a one-line message (bad argument, a path that cannot be read or written,
LibreOffice missing or failing); 130 interrupted (Ctrl-C), after ending the LibreOffice
processes the command started and removing its temporary files.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["RECALC_EXIT_STATUS", "add_commands", "error_report"]

#: How many error cells ``recalc`` names; the rest are counted.
SHOWN_ERRORS = 10
#: What ``recalc``'s exit status means (its --help says it).
RECALC_EXIT_STATUS = (
    "Exit status: 0 no cell shows an error; 1 a cell shows an error value (#DIV/0!, "
    "Err:502, ...) or an MF_ function's message (up to 10 such cells are named on stderr; "
    "the files are written all the same); 2 refused (the message names the path or "
    "argument); 130 interrupted (Ctrl-C): LibreOffice stopped, no partial file left."
)
_UNOPKG_STOPPED = "unopkg stopped: run the command again to be sure of the add-in's state"


class _Guarded:
    """A command run so that an OSError is a one-line message naming its path (exit 2)
    and Ctrl-C one line on stderr and exit 130; what the command started (soffice,
    unopkg, temporary files) is ended and removed by its own ``finally``."""

    def __init__(self, name: str, on_interrupt: str, func: Any) -> None:
        self.name, self.on_interrupt, self.func = name, on_interrupt, func

    def __call__(self, args: argparse.Namespace) -> int:
        from ._office import OfficeError

        try:
            return int(self.func(args))
        except OSError as exc:
            path = f"{str(exc.filename)[:100]!r}: " if exc.filename is not None else ""
            raise OfficeError(f"{path}{exc.strerror or exc}") from None
        except KeyboardInterrupt:
            print(f"microsize {self.name}: interrupted; {self.on_interrupt}", file=sys.stderr)
            return 130


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
    from pathlib import Path

    from ._extension import build_oxt
    from ._meta import functions
    from ._office import OfficeError
    from ._recalc import atomic_path, make_folder

    path = Path(args.path)
    if path.is_dir():
        raise OfficeError(
            f"PATH {str(path)[:80]!r} is a folder: give a file name such as microsize.oxt"
        )
    make_folder(path.parent, f"PATH {str(path)[:80]!r}: folder")
    funcs = functions()
    with atomic_path(path) as tmp:
        build_oxt(tmp, funcs)
    print(f"wrote {path} ({len(funcs)} MF_ functions)")
    return 0


def _cell_ref(sheet: str, cell: str) -> str:
    """``Sizing!B3``, ``'Spec changes'!B3`` (quoted as a formula would quote it)."""
    import re

    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet):
        return f"{sheet}!{cell}"
    return "'" + sheet.replace("'", "''") + f"'!{cell}"


def error_report(errors: list[tuple[str, str, str]], shown: int = SHOWN_ERRORS) -> str:
    """What ``recalc`` prints on stderr when cells show errors: the count, then up to
    ``shown`` cells with what they show."""
    n = len(errors)
    lines = [
        f"microsize recalc: {n} cell{'s' if n != 1 else ''} show{'' if n != 1 else 's'} an error:"
    ]
    for sheet, cell, text in errors[:shown]:
        short = text if len(text) <= 200 else text[:199] + "…"
        lines.append(f"  {_cell_ref(sheet, cell)}: {short}")
    if n > shown:
        lines.append(f"  ... and {n - shown} more")
    return "\n".join(lines)


def _cmd_recalc(args: argparse.Namespace) -> int:
    from ._recalc import recalc

    result = recalc(args.book, args.out, pdf=args.pdf)
    for sheet, path in result.csv.items():
        print(f"{sheet}: {path}")
    if result.pdf is not None:
        print(f"PDF: {result.pdf}")
    errors = result.error_cells()
    if errors:
        print(error_report(errors), file=sys.stderr)
        return 1
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
        c.set_defaults(func=_Guarded(f"libreoffice {name}", _UNOPKG_STOPPED, func))
    c = lo.add_parser(
        "build",
        help="only write the extension file (.oxt)",
        epilog="examples:\n  microsize libreoffice build microsize.oxt",
    )
    c.add_argument("path", help="where to write the .oxt, e.g. microsize.oxt")
    c.set_defaults(func=_Guarded("libreoffice build", "no file written", _cmd_build))

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
    p.set_defaults(
        func=_Guarded("recalc", "LibreOffice stopped, no partial file left", _cmd_recalc)
    )
    p.description = f"{p.description} {RECALC_EXIT_STATUS}"
