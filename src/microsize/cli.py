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
from ._liq_check import liquidation_check
from ._margin import liq_price, maintenance_margin, margin
from ._size_table import size_trade
from ._trade import MAX_EQUITY
from .cli_args import (
    CONTRACT_HELP,
    amount,
    csv_value,
    examples_epilog,
    money,
    named,
    parse_fraction,
    percent,
    price,
    ratio,
    slippage_warning,
    warn,
)
from .cli_args import Units as _Units
from .cli_args import parse_contract as _contract
from .cli_args import show_value as _show
from .cli_args import spec_of as _spec
from .cli_hedge import add_commands as add_hedge_commands
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


def _fee(args: argparse.Namespace) -> float | None:
    if args.fee is None:
        return None
    return parse_fraction(
        args.fee, "fee", limit=0.01, hint="the fee per side is a fraction of notional, e.g. 0.05%"
    )


def _account(text: str, name: str = "account") -> float:
    """An account size or a risk budget, checked here so the message names the argument
    as typed (the core calls it equity): positive, and not beyond any trading account."""
    value = _number(text, name)
    if value <= 0:
        raise MicrosizeError(f"{name} must be positive (got {text[:40]!r})")
    if value > MAX_EQUITY:
        raise MicrosizeError(
            f"{name} {text[:40]} is beyond any trading account (above "
            f"{_show(MAX_EQUITY)}): check the number"
        )
    return value


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
        _account(args.account),
        parse_fraction(
            args.risk,
            "risk",
            positive=True,
            hint="the risk per trade is a share of the account, e.g. 1.5%",
        ),
        _number(args.entry, "entry"),
        _number(args.stop, "stop"),
        contract,
        _fee(args),
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
_COLUMN_KINDS = {
    "Entry": "price",
    "Target": "price",
    "Avg entry": "price",
    "Weight": "percent",
    "Contracts": "qty",
    "Cum contracts": "qty",
    "Cum risk": "loss",
    "PnL": "money",
    "Cum PnL": "money",
    "R": "r",
}


def _cell(kind: str, value: Any, units: _Units) -> str:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return _show(value)
    x = float(value)
    if kind == "price":
        return price(x, units.tick)
    if kind == "percent":
        return percent(x)
    if kind in ("loss", "money"):
        return amount(x, units.money, down=kind == "loss")
    if kind == "r":
        return ratio(x, "R")
    return _show(x)


def _header(name: str, kind: str, units: _Units) -> str:
    unit = {"price": units.price, "qty": units.qty, "loss": units.money, "money": units.money}
    shown = unit.get(kind, "")
    if kind == "qty" and shown.startswith("contracts "):  # "contracts of 0.001 units"
        shown = shown.removeprefix("contracts ")
    return f"{name} ({shown})" if shown else name


def _print_table(rows: list[list[Any]], units: _Units) -> None:
    """A spill table with its units in the header (``Entry (USDT)``) and each column's
    numbers as their kind is shown: prices to the tick, money to the cent, weights in %."""
    kinds = [_COLUMN_KINDS.get(str(h), "") for h in rows[0]]
    grid = [[_header(str(h), k, units) for h, k in zip(rows[0], kinds, strict=True)]]
    grid += [[_cell(k, v, units) for k, v in zip(kinds, row, strict=True)] for row in rows[1:]]
    widths = [max(len(r[i]) for r in grid) for i in range(len(grid[0]))]
    for r in grid:
        cells = [
            c.rjust(w) if j < len(r) - 1 else c
            for j, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


def _numbers(values: list[str], name: str) -> list[float]:
    return [_number(v, name) for v in values]


def _cmd_ladder(args: argparse.Namespace) -> int:
    from ._ladder import ladder

    contract = _contract(args.contract)
    lad = ladder(
        _account(args.risk_amount, "risk_amount"),
        _numbers(args.entries, "--entries"),
        _number(args.stop, "stop"),
        contract,
        _numbers(args.weights, "--weights") if args.weights else None,
        _fee(args),
    )
    _print_table(lad.rows(), _Units(_spec(contract, None)))
    return 0


def _cmd_scale_out(args: argparse.Namespace) -> int:
    from ._ladder import scale_out

    contract = _contract(args.contract)
    plan = scale_out(
        _number(args.contracts, "contracts"),
        _number(args.entry, "entry"),
        _number(args.stop, "stop"),
        _numbers(args.targets, "--targets"),
        contract,
        _numbers(args.weights, "--weights") if args.weights else None,
        _fee(args),
    )
    _print_table(plan.rows(), _Units(_spec(contract, None)))
    return 0


def _liq_text(x: float, entry: float, qty: float, units: _Units) -> str:
    if x == 0 or x == float("inf"):
        return "none: cannot be liquidated"
    if (qty > 0 and x >= entry) or (qty < 0 and x <= entry):
        return "at once: margin below maintenance"
    return units.show_price(x)


# Long on purpose: reads, computes and prints the liq command's table in its row order.
def _cmd_liq(args: argparse.Namespace) -> int:
    entry = _number(args.entry, "entry")
    qty = _number(args.contracts, "contracts")
    lev = _number(args.leverage, "leverage")
    contract = _contract(args.contract)
    units = _Units(_spec(contract, None))
    wallet = _number(args.wallet, "--wallet") if args.wallet is not None else None
    mmr = parse_fraction(args.mmr, "--mmr", positive=True) if args.mmr is not None else None
    amount = _number(args.maint_amount, "--maint-amount") if args.maint_amount is not None else None
    stop = _number(args.stop, "--stop") if args.stop is not None else None
    if stop is not None and qty != 0 and (stop > entry if qty > 0 else stop < entry):
        side, other = ("a long", "above") if qty > 0 else ("a short", "below")
        raise MicrosizeError(
            f"contracts {_show(qty)} is {side} but --stop {_show(stop)} is {other} entry "
            f"{_show(entry)}: {'use a negative count for a short' if qty > 0 else 'use a positive count for a long'}"
        )
    lp = float(liq_price(entry, qty, lev, contract, wallet, mmr, amount))
    maint = maintenance_margin(abs(qty), entry, contract, mmr=mmr, maint_amount=amount)
    rows: list[list[Any]] = [
        ["Liquidation price", _liq_text(lp, entry, qty, units)],
        ["Initial margin", money(float(margin(abs(qty), entry, lev, contract)), units.money)],
        ["Maintenance margin", money(float(maint), units.money)],
    ]
    warnings: list[str] = []
    if args.equity is not None and stop is None:
        raise MicrosizeError(
            "--equity is compared with the margin only with --stop: give --stop S too, "
            "or leave --equity out"
        )
    if stop is not None:
        # without an account size, the margin-above-account check has nothing to compare
        equity = (
            _number(args.equity, "--equity")
            if args.equity is not None
            else float(margin(abs(qty), entry, lev, contract))
        )
        chk = liquidation_check(
            entry,
            stop,
            qty,
            lev,
            contract,
            equity,
            wallet_balance=wallet,
            mmr=mmr,
            maint_amount=amount,
        )
        rows.append(
            [
                "Max leverage",
                "unknown" if chk.max_leverage is None else f"{_show(chk.max_leverage)}x",
            ]
        )
        warnings = list(chk.warnings)
        rows.append(["Warnings", "; ".join(warnings) if warnings else "none"])
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {_show(value)}")
    return _warn("; ".join(warnings)) if warnings else 0


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


_FEE_HELP = "fee per side: 0.05%% or 0.0005 (default 0)"


# Long on purpose: declarations only: three argparse subcommands, one block each.
def _add_sizing_commands(sub: Any) -> None:
    """The commands size, ladder and scale-out: the sizing tables."""
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
    p.add_argument("--fee", help=_FEE_HELP)
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

    p = sub.add_parser(
        "ladder",
        help="size a scale-in ladder under one stop (the MF_LADDER table)",
        description="Size several entries under one stop so the whole ladder, filled and "
        "stopped, loses at most the risk amount.",
        epilog=examples_epilog(
            "microsize ladder 30 3450 binance:ETHUSDT --entries 3520 3500 3480 --weights 30 40 30"
        ),
    )
    p.add_argument("risk_amount", help="budget for the whole ladder, in the settlement currency")
    p.add_argument("stop", help="the one stop price")
    p.add_argument("contract", help=CONTRACT_HELP)
    p.add_argument("--entries", nargs="+", required=True, help="entry prices")
    p.add_argument("--weights", nargs="+", help="shares of quantity per entry (default equal)")
    p.add_argument("--fee", help=_FEE_HELP)
    p.set_defaults(func=named(_cmd_ladder, entries="--entries", weights="--weights"))

    p = sub.add_parser(
        "scale-out",
        help="split a position across targets (the MF_SCALE_OUT table)",
        description="Split a position across take-profit targets; legs sum to the position.",
        epilog=examples_epilog(
            "microsize scale-out 10 60000 58000 cme:MBT --targets 62000 64000 66000"
        ),
    )
    p.add_argument("contracts", help="position size in the venue's order unit")
    p.add_argument("entry", help="entry price")
    p.add_argument("stop", help="stop price (below entry = long, above = short)")
    p.add_argument("contract", help=CONTRACT_HELP)
    p.add_argument("--targets", nargs="+", required=True, help="take-profit prices")
    p.add_argument("--weights", nargs="+", help="shares of the position per target (default equal)")
    p.add_argument("--fee", help=_FEE_HELP)
    p.set_defaults(func=named(_cmd_scale_out, targets="--targets", weights="--weights"))


def _add_margin_commands(sub: Any) -> None:
    """The commands liq: liquidation price, margin and the check against a stop."""
    p = sub.add_parser(
        "liq",
        help="isolated liquidation price, margin, and the check against a stop",
        description="Isolated-margin liquidation price in one-way mode, by the formula the "
        "contract's exchange publishes. Exit status 1 when the Warnings row is not empty.",
        epilog=examples_epilog(
            "microsize liq 60000 0.01 20 binance:BTCUSDT --stop 57000",
            "microsize liq 60000 -0.01 10 binance:BTCUSDT --stop 63000 --equity 1000",
        ),
    )
    p.add_argument("entry", help="entry price")
    p.add_argument("contracts", help="signed position: positive long, negative short")
    p.add_argument("leverage", help="leverage, e.g. 20")
    p.add_argument("contract", help=CONTRACT_HELP)
    p.add_argument("--wallet", help="isolated margin (default: the initial margin)")
    p.add_argument("--mmr", help="maintenance margin rate: 0.4%% or 0.004 (default: the tier)")
    p.add_argument("--maint-amount", help="maintenance amount (default: the tier)")
    p.add_argument("--stop", help="stop price: warn when liquidation comes first")
    p.add_argument("--equity", help="account size, to warn when the margin exceeds it")
    p.set_defaults(func=named(_cmd_liq, wallet_balance="--wallet", equity="--equity"))


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


def _add_examples_command(sub: Any) -> None:
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
    _add_margin_commands(sub)
    add_hedge_commands(sub)
    _add_specs_commands(sub)
    _add_examples_command(sub)
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
