"""Command line: ``microsize COMMAND ...``; ``microsize --help`` lists every command, and
:func:`build_parser` (with the trader, workbook and LibreOffice modules' ``add_commands``)
declares them.

The CLI sits at the edge: it parses text, calls the core and prints; it holds no formula.
It imports only the core (numpy): the workbook builder, XlsxWriter, openpyxl, xlwings and
pandas are imported by the commands that need them, so ``microsize size`` starts fast.
"""

from __future__ import annotations

import argparse
import csv
import numbers
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import __version__, clock
from ._contracts import (
    MAX_AGE_ENV,
    SpecTable,
    load_margin_tiers,
    load_specs,
    max_spec_age_days,
    spec_age_days,
)
from ._errors import MicrosizeError
from ._size_table import size_trade
from .cli_args import (
    CONTRACT_HELP,
    FEE_HELP,
    account_amount,
    csv_value,
    examples_epilog,
    fee_option,
    money,
    named,
    parse_fraction,
    percent,
    slippage_warning,
    warn,
)
from .cli_args import Units as _Units
from .cli_args import parse_contract as _contract
from .cli_args import show_value as _show
from .cli_args import spec_of as _spec
from .cli_examples import EXAMPLE_FILES as EXAMPLE_FILES
from .cli_examples import add_commands as add_examples_commands
from .cli_examples import example_files as example_files
from .cli_hedge import add_commands as add_hedge_commands
from .cli_ladder import add_commands as add_ladder_commands
from .cli_liq import add_commands as add_liq_commands
from .cli_live import add_commands as add_live_commands
from .csvfiles import parse_number as _number
from .csvfiles import read_rows
from .workbook_cli import add_commands as add_workbook_commands

__all__ = ["main", "parse_fraction"]


def _today() -> Any:
    return clock.today()


def _max_age(args: argparse.Namespace) -> float:
    if getattr(args, "max_age_days", None) is None:
        return max_spec_age_days()
    days = _number(args.max_age_days, "--max-age-days")
    if not days >= 0:
        raise MicrosizeError(f"--max-age-days must be 0 or more (got {args.max_age_days!r})")
    return days


#: money rows cut toward zero (a loss, a budget, what is left of it: never shown above it)
_MONEY_DOWN = {"Risk budget", "Risk at stop", "Unused budget"}
_MONEY_NEAREST = {"Notional", "Fees", "Margin"}


def _size_value(label: str, value: Any, units: _Units) -> str:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return re.sub(r"\(pass mmr\)", "(pass --mmr)", _show(value))  # the option, as typed
    if label == "Risk %":
        return percent(float(value), down=True)
    if label == "Contracts":
        return _Units.join(_show(value), _show(units.qty) or "contracts")
    if label == "Quantity":
        return _Units.join(_show(value), units.coin)
    if label in _MONEY_DOWN or label in _MONEY_NEAREST:
        return money(float(value), units.money, down=label in _MONEY_DOWN)
    if label in ("Liquidation price", "Stop fill"):
        return units.show_price(float(value))
    if label == "Risk at stop (USD)":
        return money(float(value), "USD", down=True)
    if label in ("Leverage", "Max leverage"):
        return f"{_show(value)}x"
    return _show(value)


def _warn(text: str) -> int:
    """Say on stderr that the Warnings row is not empty; the exit status is then 1."""
    return warn(text)


# ------------------------------------------------------------------------ commands
def _spec_table(args: argparse.Namespace) -> SpecTable | None:
    if getattr(args, "specs", None) is None:
        return None
    return SpecTable.from_rows(read_rows(args.specs, "--specs"), origin=f"--specs {args.specs}")


def _cmd_size(args: argparse.Namespace) -> int:
    contract = _contract(args.contract)
    if args.specs is not None and isinstance(contract, float):
        raise MicrosizeError(
            f"--specs and a contract size ({args.contract[:40]}) cannot be given together: "
            "--specs is a table to look an exchange:symbol up in"
        )
    table = _spec_table(args)
    extra: dict[str, Any] = {}
    if args.mmr is not None:
        extra["mmr"] = parse_fraction(args.mmr, "--mmr", positive=True)
    if args.maint_amount is not None:
        extra["maint_amount"] = _number(args.maint_amount, "--maint-amount")
    rows = size_trade(
        account_amount(args.account),
        parse_fraction(
            args.risk,
            "risk",
            positive=True,
            hint="the risk per trade is a share of the account, e.g. 1.5%",
        ),
        _number(args.entry, "entry"),
        _number(args.stop, "stop"),
        contract,
        fee_option(args),
        _number(args.leverage, "--leverage") if args.leverage is not None else None,
        table,
        _slippage(args.slippage),
        today=_today(),
        max_age_days=_max_age(args),
        **extra,
    )
    units = _Units(_spec(contract, table))
    rows = _with_slippage_warning(rows, _number(args.stop, "stop"))
    width = max(len(r[0]) for r in rows)
    warnings = ""
    for label, value in rows:
        shown = _size_value(label, value, units)
        print(f"{label:<{width}}  {shown}")
        if label == "Warnings" and value not in ("", "none", None):
            warnings = shown
    return _warn(warnings) if warnings else 0


def _with_slippage_warning(rows: list[list[Any]], stop: float) -> list[list[Any]]:
    """The MF_SIZE rows with the implausible-slippage warning added to the Warnings row."""
    fill = dict(rows).get("Stop fill")
    said = slippage_warning(stop, float(fill), "--slippage") if isinstance(fill, float) else None
    if said is None:
        return rows
    out = []
    for label, value in rows:
        if label == "Warnings":
            value = said if value in ("", "none", None) else f"{value}; {said}"
        out.append([label, value])
    return out


def _slippage(text: str | None) -> Any:
    if text is None:
        return None
    from .cli_trader import parse_slippage

    return parse_slippage(text)


#: how each column of the ladder and scale-out tables is shown: its kind decides the unit
_BRIEF = (
    "key",
    "kind",
    "settle",
    "contract_size",
    "lot_step",
    "min_qty",
    "tick_size",
    "max_leverage",
    "taker_fee",
    "as_of",
)


def _spec_cell(column: str, value: Any) -> str:
    """A cell of the specs listing: leverage as 20x and the fee as a percent."""
    if value is None:
        return ""
    if column == "max_leverage" and isinstance(value, numbers.Real):
        return f"{_show(value)}x"
    if column == "taker_fee" and isinstance(value, numbers.Real):
        return percent(float(value), exact=True)
    return _show(value)


def _cmd_specs(args: argparse.Namespace) -> int:
    table = load_specs()
    specs = table.filter(args.exchange)
    if args.csv and args.max_age_days is not None:
        raise MicrosizeError(
            "--csv and --max-age-days cannot be given together: the CSV has every column "
            "(as_of included) and marks no row stale"
        )
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        for row in table.rows(args.exchange):
            writer.writerow([csv_value(v) for v in row])  # 0.00001, never 1e-05
        return 0
    limit, now = _max_age(args), _today()
    grid = [list(_BRIEF)]
    stale = 0
    for s in specs:
        row = [_spec_cell(c, s.get(c)) for c in _BRIEF]
        age = spec_age_days(s, now)
        if age is not None and age > limit:
            row[-1] += " (stale)"
            stale += 1
        grid.append(row)
    widths = [max(len(r[i]) for r in grid) for i in range(len(_BRIEF))]
    for r in grid:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    print(f"\ntable: {table.origin}")
    if stale:
        print(
            f"{stale} row{'s are' if stale != 1 else ' is'} older than {format(limit, 'g')} "
            "days (stale): check the venue or run microsize specs refresh"
        )
    return 0


def _print_diff(title: str, rows: list[list[Any]]) -> None:
    print(title)
    if len(rows) == 1:
        return
    grid = [[_show(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in grid) for i in range(len(grid[0]))]
    for r in grid:
        print("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def _cmd_specs_refresh(args: argparse.Namespace) -> int:
    from . import refresh  # lazily: ccxt is imported only when the venues are called

    home = refresh.home_dir(args.home)
    current = load_specs(home=home)
    current_tiers = load_margin_tiers(home=home)
    result = refresh.refresh_specs(
        current,
        current_tiers,
        venues=args.venues,
        add=args.add or (),
        prune=args.prune,
        timeout_s=_number(args.timeout, "--timeout") if args.timeout else 20.0,
    )
    print(f"current table: {current.origin}")
    for r in result.reports:
        status = "ok" if r.ok else "FAILED, rows kept as they were"
        print(f"{r.venue}: {status}: {r.message}")
        for note in r.notes:
            print(f"  {note}")
    diff = result.visible_diff(stamps=args.all_fields)
    tdiff = result.visible_tier_diff(stamps=args.all_fields)
    print()
    _print_diff(f"Spec changes: {diff.summary()}", diff.rows())
    _print_diff(f"Margin tier changes: {tdiff.summary()}", tdiff.rows())
    print()
    if result.all_failed:
        print("every venue failed: nothing written")
        return 1
    written = []
    if args.out:
        written.append(refresh.write_table(result.table, args.out))
    if args.tiers_out:
        written.append(refresh.write_tiers(result.tiers, args.tiers_out))
    if args.apply:
        written.append(refresh.write_table(result.table, home / "contract_specs.csv"))
        written.append(refresh.write_tiers(result.tiers, home / "margin_tiers.csv"))
        refresh.reload_tables()
    for path in written:
        print(f"wrote {path}")
    if args.apply:
        print("the loader now uses these tables (MF_ functions, the command line)")
    elif not written:
        print("nothing written: run again with --apply to use the refreshed table")
    return 0


class _Formatter(argparse.HelpFormatter):
    """Wraps prose as usual but keeps indented lines (the examples) whole, so a pasted
    example is one command."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out = []
        for line in text.splitlines():
            if line.startswith(" "):
                out.append(indent + line)
            else:
                out.append(super()._fill_text(line, width, indent))
        return "\n".join(out)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser for which ``-1.5%``, ``-0.05%``, ``-1e3`` and ``-inf`` are values,
    not unknown options: the command then names the real problem (a negative risk, a
    negative fee) instead of a missing argument."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-(?:\d|\.\d|inf|nan)", re.IGNORECASE)

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        """As argparse's, but an extra argument is refused with the usage of the command
        the user typed (``microsize size ...``), not the list of every command."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            _chosen(self, parsed).error(f"unrecognized arguments: {' '.join(extras)[:120]}")
        return parsed


def _chosen(parser: argparse.ArgumentParser, parsed: Any) -> argparse.ArgumentParser:
    """The (sub)command parser the parsed arguments went to: ``microsize specs refresh``."""
    while True:
        action = next(
            (a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None
        )
        name = getattr(parsed, action.dest, None) if action is not None else None
        if action is None or name not in action.choices:
            return parser
        parser = action.choices[name]


# Long on purpose: declarations only: three argparse subcommands, one block each.
def _add_sizing_commands(sub: Any) -> None:
    """The command size: the MF_SIZE table (ladder and scale-out are in cli_ladder)."""
    p = sub.add_parser(
        "size",
        help="size one trade (the MF_SIZE table)",
        description="Size one trade so the loss at the stop stays within the risk budget. "
        "Exit status 1 when the Warnings row is not empty.",
        epilog=examples_epilog(
            "microsize size 2000 1.5% 3520 3450 binance:ETHUSDT --fee 0.05%",
            "microsize size 1000 1% 60000 57000 binance:BTCUSDT --leverage 10",
            "microsize size 5000 0.5% 3520 3600 cme:MET --leverage 5 --mmr 1%",
            "microsize size 2000 1.5% 3520 3450 binance:ETHUSDT --specs specs.csv",
        ),
    )
    p.add_argument("account", help="account size in the settlement currency")
    p.add_argument("risk", help="risk per trade: 1.5%% or 0.015")
    p.add_argument("entry", help="entry price")
    p.add_argument("stop", help="stop price (below entry = long, above = short)")
    p.add_argument("contract", help=CONTRACT_HELP)
    p.add_argument("--fee", help=FEE_HELP)
    p.add_argument("--leverage", help="leverage for the margin and liquidation rows (default 1)")
    p.add_argument(
        "--mmr", help="maintenance margin rate: 0.5%% or 0.005 (default: the contract's tier)"
    )
    p.add_argument("--maint-amount", help="maintenance amount (default: the contract's tier)")
    p.add_argument(
        "--specs",
        metavar="FILE",
        help="a spec table CSV to look the contract up in (MF_SIZE's specs)",
    )
    p.add_argument(
        "--max-age-days",
        help=f"flag the contract's spec row when older (default ${MAX_AGE_ENV} or 180)",
    )
    p.add_argument("--slippage", help="size against the stop's fill: 0.1%%, 0.001 or '2 ticks'")
    p.set_defaults(func=named(_cmd_size, equity="account", leverage="--leverage"))


def _add_specs_commands(sub: Any) -> None:
    """The commands specs and specs refresh."""
    p = sub.add_parser(
        "specs",
        help="list the contract specs (the user table if there is one), or refresh them",
        description="List the contract table in use: the user table in $MICROSIZE_HOME "
        "(default ~/.microsize) if there is one, else the bundled table. Rows older than "
        "--max-age-days are marked stale.",
        epilog=examples_epilog("microsize specs --exchange cme", "microsize specs --csv"),
    )
    p.add_argument("--exchange", help="only this exchange (cme, binance, okx, ...)")
    p.add_argument("--csv", action="store_true", help="every column, as CSV")
    p.add_argument(
        "--max-age-days", help=f"mark rows older than this (default ${MAX_AGE_ENV} or 180)"
    )
    p.set_defaults(func=_cmd_specs)
    specs_sub = p.add_subparsers(dest="specs_command")
    r = specs_sub.add_parser(
        "refresh",
        help="load the venues' markets through ccxt and show what changed",
        description="Load markets from the venues in the table through ccxt (pip install "
        '"microsize[refresh]"), map them into spec rows and show the differences. Nothing '
        "is written without --apply (the user table in the home directory) or --out. A venue "
        "that fails keeps its rows as they were; CME and Coinbase rows stay as documented.",
        epilog=examples_epilog(
            "microsize specs refresh --exchange binance okx --apply",
            "microsize specs refresh --exchange mexc --add mexc --out mexc.csv",
        ),
    )
    r.add_argument("--exchange", dest="venues", nargs="+", metavar="X", help="only these venues")
    r.add_argument(
        "--add",
        nargs="+",
        metavar="KEY",
        help="also add contracts, e.g. bitmex:ETHUSDT; a venue name (mexc) adds every "
        "perpetual it lists",
    )
    r.add_argument(
        "--prune", action="store_true", help="drop rows the venue no longer lists (default: keep)"
    )
    r.add_argument(
        "--apply",
        action="store_true",
        help="write the refreshed tables to the home directory; the loader prefers them",
    )
    r.add_argument("--out", metavar="FILE", help="also write the refreshed spec table to FILE")
    r.add_argument("--tiers-out", metavar="FILE", help="also write the refreshed tiers to FILE")
    r.add_argument("--home", metavar="DIR", help="user-table directory (default $MICROSIZE_HOME)")
    r.add_argument("--timeout", metavar="SECONDS", help="per-request timeout (default 20)")
    r.add_argument(
        "--all-fields", action="store_true", help="show source and as_of changes in the diff too"
    )
    r.set_defaults(func=_cmd_specs_refresh)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="microsize",
        description="Precise risk allocation with crypto micro-futures.",
        epilog="exit status: 0 done; 1 done, but read the Warnings row; 2 refused (bad input, "
        "or a file or folder that cannot be used); 3 internal error; 130 interrupted\n\n"
        + examples_epilog(
            "microsize size 2000 1.5% 3520 3450 binance:ETHUSDT --fee 0.05%",
            "microsize examples microsize-examples",
        ),
    )
    parser.add_argument("--version", action="version", version=f"microsize {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_sizing_commands(sub)
    add_ladder_commands(sub)
    add_liq_commands(sub)
    add_hedge_commands(sub)
    _add_specs_commands(sub)
    add_examples_commands(sub)
    add_live_commands(sub)  # prices, positions: ccxt is imported when they run
    add_workbook_commands(sub)  # registers the command; the builder is imported when it runs
    from .cli_trader import add_commands as add_trader_commands

    add_trader_commands(sub)
    from .libreoffice._cli import add_commands as add_libreoffice_commands

    add_libreoffice_commands(sub)
    return parser


def _for_the_command_line(message: str) -> str:
    """Core messages are written for Excel cells; on the command line the table of keys is
    ``microsize specs``, not ``MF_SPECS()``."""
    return message.replace("MF_SPECS()", "microsize specs")


def _os_error(exc: OSError) -> str:
    """An OS error in one line naming the path: ``cannot use 'x/y.xlsm' (Not a directory)``."""
    paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
    reason = exc.strerror or str(exc) or type(exc).__name__
    if not paths:
        return reason
    from .outfiles import show_path

    return f"cannot use {' or '.join(show_path(p) for p in paths)} ({reason})"


def _tool_error(exc: Any) -> str:
    """A helper program that failed (a subprocess.CalledProcessError), in one line: its
    name, status and first error line."""
    cmd = exc.cmd if isinstance(exc.cmd, (list, tuple)) else str(exc.cmd).split()
    name = os.path.basename(str(cmd[0])) if cmd else "a helper program"
    detail = exc.stderr or exc.output or b""
    text = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return f"{name} failed with exit status {exc.returncode}" + (
        f": {first[:120]}" if first else ""
    )


def _is_tool_error(exc: BaseException) -> bool:
    # subprocess is imported by the commands that run programs, not at start-up
    sub = sys.modules.get("subprocess")
    return sub is not None and isinstance(exc, sub.CalledProcessError)


#: Set to 1 to see the traceback of an internal error (for developers and bug reports).
DEBUG_ENV = "MICROSIZE_DEBUG"


def _run(args: argparse.Namespace) -> int:
    # the core checks every result for overflow and NaN and refuses with a message;
    # numpy's own floating-point warnings on the way would only add noise to stderr
    with np.errstate(all="ignore"):
        return int(args.func(args))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Exit status: 0 done; 1 done, read the Warnings row; 2 refused (bad
    input, or a file or folder that cannot be read or written, named in one line); 3 an
    internal error or a helper program that failed (one line; ``MICROSIZE_DEBUG=1`` prints
    the traceback); 130 interrupted (Ctrl-C)."""
    try:
        args = build_parser().parse_args(argv)
        return _run(args)
    except MicrosizeError as exc:
        print(f"microsize: error: {_for_the_command_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nmicrosize: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (microsize specs | head): nothing to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (flushed at exit, never read)
        return 141
    except OSError as exc:
        print(f"microsize: error: {_os_error(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # the last resort: one line and exit 3, never a traceback
        if os.environ.get(DEBUG_ENV, "").strip() not in ("", "0"):
            import traceback

            traceback.print_exc()
        if _is_tool_error(exc):
            print(f"microsize: error: {_tool_error(exc)}", file=sys.stderr)
            return 3
        detail = str(exc).splitlines()[0][:160] if str(exc) else ""
        print(
            f"microsize: internal error: {type(exc).__name__}"
            f"{': ' + detail if detail else ''}; please report this with the command you ran "
            f"({DEBUG_ENV}=1 shows the traceback)",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
