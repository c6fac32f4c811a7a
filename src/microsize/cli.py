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
import math
import numbers
import re
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import __version__, clock
from ._contracts import (
    MAX_AGE_ENV,
    ContractSpec,
    SpecTable,
    load_margin_tiers,
    load_specs,
    max_spec_age_days,
    spec_age_days,
)
from ._errors import MicrosizeError
from ._hedge import beta, hedge, portfolio_hedge
from ._hedge import exposure as signed_exposure
from ._ladder import ladder, scale_out
from ._margin import liq_price, liquidation_check, maintenance_margin, margin
from ._size_table import size_trade
from ._trade import MAX_EQUITY
from .cli_args import parse_contract as _contract
from .cli_args import parse_fraction
from .cli_args import show_value as _show
from .csvfiles import parse_number as _number
from .csvfiles import read_csv, read_text
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


# ------------------------------------------------------------------------ units
class _Units:
    """The unit of each kind of number for one contract: order quantity, coin, money, price."""

    def __init__(self, spec: ContractSpec | None):
        self.qty = (spec.qty_unit or "") if spec else ""
        if spec is None or not spec.exchange:  # a typed contract size: units of anything
            self.money = self.price = ""
            self.coin = "units"
            return
        self.money = spec.settle or ""
        self.price = spec.quote or ""
        self.coin = f"{spec.settle} per point" if spec.kind == "quanto" else spec.base or ""

    @staticmethod
    def join(shown: str, unit: str) -> str:
        return f"{shown} {unit}" if unit else shown


def _spec(contract: Any, table: SpecTable | None) -> ContractSpec | None:
    if isinstance(contract, float):
        return ContractSpec.numeric(contract) if math.isfinite(contract) else None
    try:
        return (table or load_specs()).lookup(contract)
    except MicrosizeError:
        return None


_MONEY_ROWS = {"Risk budget", "Notional", "Risk at stop", "Unused budget", "Fees", "Margin"}


def _size_value(label: str, value: Any, units: _Units) -> str:
    shown = _show(value)
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return shown
    if label == "Risk %":
        return f"{shown} ({format(float(value) * 100, '.4g')}%)"
    if label == "Contracts":
        return _Units.join(shown, units.qty)
    if label == "Quantity":
        return _Units.join(shown, units.coin)
    if label in _MONEY_ROWS:
        return _Units.join(shown, units.money)
    if label in ("Liquidation price", "Stop fill"):
        return _Units.join(shown, units.price)
    if label == "Risk at stop (USD)":
        return _Units.join(shown, "USD")
    if label in ("Leverage", "Max leverage"):
        return f"{shown}x"
    return shown


def _warn(text: str) -> int:
    """Say on stderr that the Warnings row is not empty; the exit status is then 1."""
    print(f"microsize: warning: {text}", file=sys.stderr)
    return 1


# ------------------------------------------------------------------------ commands
def _spec_table(args: argparse.Namespace) -> SpecTable | None:
    if getattr(args, "specs", None) is None:
        return None
    from ._contracts import _parse_csv

    text = read_text(args.specs, "--specs")
    return SpecTable.from_rows(_parse_csv(text), origin=f"--specs {args.specs}")


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
            f"{format(MAX_EQUITY, 'g')}): check the number"
        )
    return value


def _cmd_size(args: argparse.Namespace) -> int:
    table = _spec_table(args)
    contract = _contract(args.contract)
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
    width = max(len(r[0]) for r in rows)
    warnings = ""
    for label, value in rows:
        print(f"{label:<{width}}  {_size_value(label, value, units)}")
        if label == "Warnings" and value not in ("", "none", None):
            warnings = str(value)
    return _warn(warnings) if warnings else 0


def _slippage(text: str | None) -> Any:
    if text is None:
        return None
    from .cli_trader import parse_slippage

    return parse_slippage(text)


def _print_table(rows: list[list[Any]]) -> None:
    grid = [[_show(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in grid) for i in range(len(grid[0]))]
    for r in grid:
        cells = [
            c.rjust(w) if j < len(r) - 1 else c
            for j, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


def _numbers(values: list[str], name: str) -> list[float]:
    return [_number(v, name) for v in values]


def _units_line(contract: Any, table: SpecTable | None = None) -> None:
    u = _Units(_spec(contract, table))
    parts = [f"Contracts: {u.qty}" if u.qty else "", f"money: {u.money}" if u.money else ""]
    shown = "; ".join(p for p in parts if p)
    if shown:
        print(f"({shown})")


def _cmd_ladder(args: argparse.Namespace) -> int:
    contract = _contract(args.contract)
    lad = ladder(
        _account(args.risk_amount, "risk_amount"),
        _numbers(args.entries, "--entries"),
        _number(args.stop, "stop"),
        contract,
        _numbers(args.weights, "--weights") if args.weights else None,
        _fee(args),
    )
    _print_table(lad.rows())
    _units_line(contract)
    return 0


def _cmd_scale_out(args: argparse.Namespace) -> int:
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
    _print_table(plan.rows())
    _units_line(contract)
    return 0


def _liq_text(x: float, entry: float, qty: float, unit: str) -> str:
    if x == 0 or x == float("inf"):
        return "none: cannot be liquidated"
    if (qty > 0 and x >= entry) or (qty < 0 and x <= entry):
        return "at once: margin below maintenance"
    return _Units.join(_show(x), unit)


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
    rows: list[list[Any]] = [
        ["Liquidation price", _liq_text(lp, entry, qty, units.price)],
        [
            "Initial margin",
            _Units.join(_show(float(margin(abs(qty), entry, lev, contract))), units.money),
        ],
        [
            "Maintenance margin",
            _Units.join(
                _show(
                    float(
                        maintenance_margin(abs(qty), entry, contract, mmr=mmr, maint_amount=amount)
                    )
                ),
                units.money,
            ),
        ],
    ]
    warnings: list[str] = []
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
        print(f"{label:<{width}}  {value}")
    return _warn("; ".join(warnings)) if warnings else 0


def _lam(args: argparse.Namespace) -> float | None:
    return _number(args.lam, "--lam") if args.lam is not None else None


def _cmd_hedge(args: argparse.Namespace) -> int:
    if args.beta is not None:
        b = _number(args.beta, "--beta")
    elif args.prices and args.asset and args.hedge_col:
        prices = read_csv(args.prices, "--prices")
        b = beta(
            prices.column(args.asset),
            prices.column(args.hedge_col),
            _lam(args),
        )
    else:
        raise MicrosizeError(
            "give --beta B, or --prices FILE with --asset COLUMN and --hedge-col COLUMN"
        )
    target = _number(args.target, "--target") if args.target is not None else 0.0
    contract = _contract(args.contract)
    price = _number(args.price, "price")
    units = _Units(_spec(contract, None))
    exposure = _number(args.exposure, "exposure")
    n = float(hedge(exposure, b, price, contract, target))
    # the hedge's value in the exposure's money (the contract's quote currency)
    value = float(portfolio_hedge([exposure], [b], price, contract, target).notional)
    action = "sell" if n < 0 else "buy" if n > 0 else "nothing to trade"
    print(f"Beta            {_show(float(b))}")
    print(f"Target beta     {_show(target)}")
    print(f"Hedge contracts {_Units.join(_show(n), units.qty)}  ({action})")
    print(f"Hedge notional  {_Units.join(_show(value), units.price)} at {_show(price)}")
    return 0


def _holding_exposures(holdings: Any) -> list[float | None]:
    """Signed USD exposures (a short is negative): the exposure column, or each row's
    contracts (signed), price and contract through the same function as MF_EXPOSURE."""
    by_contracts = {"contracts", "price", "contract"} <= set(holdings.header)
    if "exposure" in holdings.header or not by_contracts:
        exposures: list[float | None] = holdings.column("exposure")
        if any(x is None for x in exposures):
            raise MicrosizeError("holdings: every row needs an exposure")
        return exposures
    out: list[float | None] = []
    for i, (n, p) in enumerate(
        zip(holdings.column("contracts"), holdings.column("price"), strict=True)
    ):
        key = (holdings.rows[i].get("contract") or "").strip()
        if n is None or p is None or not key:
            raise MicrosizeError(f"holdings row {i + 2}: give contracts, price and contract")
        out.append(float(signed_exposure(n, p, _contract(key))))
    return out


def _cmd_portfolio_hedge(args: argparse.Namespace) -> int:
    holdings = read_csv(args.holdings, "holdings")
    exposures = _holding_exposures(holdings)
    betas: list[float | None] = (
        holdings.column("beta") if "beta" in holdings.header else [None for _ in holdings.rows]
    )
    history = read_csv(args.prices, "--prices") if args.prices else None
    for i, row in enumerate(holdings.rows):
        if betas[i] is not None:
            continue
        symbol = (row.get("symbol") or "").strip()
        if history is None or not args.hedge_col:
            raise MicrosizeError(
                f"holdings row {i + 2} ({symbol[:40] or 'no symbol'}) has no beta: add one, or "
                "give --prices FILE --hedge-col COLUMN to estimate it"
            )
        betas[i] = beta(
            history.column(symbol),
            history.column(args.hedge_col),
            _lam(args),
        )
        print(f"beta of {symbol} estimated from {args.prices}: {_show(float(betas[i] or 0.0))}")
    target = _number(args.target, "--target") if args.target is not None else 0.0
    contract = _contract(args.contract)
    units = _Units(_spec(contract, None))
    plan = portfolio_hedge(exposures, betas, _number(args.price, "price"), contract, target)
    rows = plan.rows()
    width = max(len(str(r[0])) for r in rows)
    for label, value in rows:
        shown = _show(value)
        if label == "Hedge contracts":
            shown = _Units.join(shown, units.qty)
        elif label in ("Exposure", "Beta-weighted exposure", "Hedge notional") or (
            str(label).startswith("Beta-weighted")
        ):
            shown = _Units.join(shown, units.price)  # money in the hedge's quote currency
        print(f"{label:<{width}}  {shown}")
    return 0


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


def _cmd_specs(args: argparse.Namespace) -> int:
    table = load_specs()
    specs = table.filter(args.exchange)
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        for row in table.rows(args.exchange):
            writer.writerow(["" if v is None else v for v in row])
        return 0
    limit, now = _max_age(args), _today()
    grid = [list(_BRIEF)]
    stale = 0
    for s in specs:
        row = ["" if s.get(c) is None else _show(s.get(c)) for c in _BRIEF]
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


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


_CONTRACT_HELP = "exchange:symbol (see microsize specs) or a contract size in underlying units"
_FEE_HELP = "fee per side: 0.05%% or 0.0005 (default 0)"


# Long on purpose: declarations only: three argparse subcommands, one block each.
def _add_sizing_commands(sub: Any) -> None:
    """The commands size, ladder and scale-out: the sizing tables."""
    p = sub.add_parser(
        "size",
        help="size one trade (the MF_SIZE table)",
        description="Size one trade so the loss at the stop stays within the risk budget. "
        "Exit status 1 when the Warnings row is not empty.",
        epilog=_examples(
            "microsize size 2000 1.5% 3520 3450 binance:ETHUSDT --fee 0.05%",
            "microsize size 1000 1% 60000 57000 binance:BTCUSDT --leverage 10",
            "microsize size 5000 0.5% 3520 3600 cme:MET --leverage 5 --mmr 1%",
        ),
    )
    p.add_argument("account", help="account size in the settlement currency")
    p.add_argument("risk", help="risk per trade: 1.5%% or 0.015")
    p.add_argument("entry", help="entry price")
    p.add_argument("stop", help="stop price (below entry = long, above = short)")
    p.add_argument("contract", help=_CONTRACT_HELP)
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
    p.set_defaults(func=_cmd_size)

    p = sub.add_parser(
        "ladder",
        help="size a scale-in ladder under one stop (the MF_LADDER table)",
        description="Size several entries under one stop so the whole ladder, filled and "
        "stopped, loses at most the risk amount.",
        epilog=_examples(
            "microsize ladder 30 3450 binance:ETHUSDT --entries 3520 3500 3480 --weights 30 40 30"
        ),
    )
    p.add_argument("risk_amount", help="budget for the whole ladder, in the settlement currency")
    p.add_argument("stop", help="the one stop price")
    p.add_argument("contract", help=_CONTRACT_HELP)
    p.add_argument("--entries", nargs="+", required=True, help="entry prices")
    p.add_argument("--weights", nargs="+", help="shares of quantity per entry (default equal)")
    p.add_argument("--fee", help=_FEE_HELP)
    p.set_defaults(func=_cmd_ladder)

    p = sub.add_parser(
        "scale-out",
        help="split a position across targets (the MF_SCALE_OUT table)",
        description="Split a position across take-profit targets; legs sum to the position.",
        epilog=_examples("microsize scale-out 10 60000 58000 cme:MBT --targets 62000 64000 66000"),
    )
    p.add_argument("contracts", help="position size in the venue's order unit")
    p.add_argument("entry", help="entry price")
    p.add_argument("stop", help="stop price (below entry = long, above = short)")
    p.add_argument("contract", help=_CONTRACT_HELP)
    p.add_argument("--targets", nargs="+", required=True, help="take-profit prices")
    p.add_argument("--weights", nargs="+", help="shares of the position per target (default equal)")
    p.add_argument("--fee", help=_FEE_HELP)
    p.set_defaults(func=_cmd_scale_out)


def _add_margin_commands(sub: Any) -> None:
    """The commands liq: liquidation price, margin and the check against a stop."""
    p = sub.add_parser(
        "liq",
        help="isolated liquidation price, margin, and the check against a stop",
        description="Isolated-margin liquidation price in one-way mode, by the formula the "
        "contract's exchange publishes. Exit status 1 when the Warnings row is not empty.",
        epilog=_examples(
            "microsize liq 60000 0.01 20 binance:BTCUSDT --stop 57000",
            "microsize liq 60000 -0.01 10 binance:BTCUSDT --stop 63000 --equity 1000",
        ),
    )
    p.add_argument("entry", help="entry price")
    p.add_argument("contracts", help="signed position: positive long, negative short")
    p.add_argument("leverage", help="leverage, e.g. 20")
    p.add_argument("contract", help=_CONTRACT_HELP)
    p.add_argument("--wallet", help="isolated margin (default: the initial margin)")
    p.add_argument("--mmr", help="maintenance margin rate: 0.4%% or 0.004 (default: the tier)")
    p.add_argument("--maint-amount", help="maintenance amount (default: the tier)")
    p.add_argument("--stop", help="stop price: warn when liquidation comes first")
    p.add_argument("--equity", help="account size, to warn when the margin exceeds it")
    p.set_defaults(func=_cmd_liq)


def _add_hedges_commands(sub: Any) -> None:
    """The commands hedge and portfolio-hedge."""
    p = sub.add_parser(
        "hedge",
        help="contracts that move one exposure's beta to a target",
        description="Contracts to trade (negative = sell) so the exposure's beta reaches the "
        "target; the beta is given or estimated from a CSV of prices (UTF-8, UTF-16 or "
        "Windows text, comma, semicolon or TAB separated).",
        epilog=_examples(
            "microsize hedge 250000 60000 cme:MBT --beta 1.2",
            "microsize hedge 100000 60000 cme:MBT --prices px.csv --asset SOL --hedge-col BTC",
        ),
    )
    p.add_argument("exposure", help="position value in USD (negative for a short)")
    p.add_argument("price", help="price of the hedge contract")
    p.add_argument("contract", help="hedge contract: " + _CONTRACT_HELP)
    p.add_argument("--beta", help="beta of the exposure to the hedge instrument")
    p.add_argument("--prices", help="CSV of price histories (oldest first) to estimate the beta")
    p.add_argument("--asset", help="column of the asset's prices in --prices")
    p.add_argument("--hedge-col", help="column of the hedge instrument's prices in --prices")
    p.add_argument("--lam", help="decay for an exponentially weighted beta, e.g. 0.94")
    p.add_argument("--target", help="beta to reach (default 0)")
    p.set_defaults(func=_cmd_hedge)

    p = sub.add_parser(
        "portfolio-hedge",
        help="hedge a CSV of holdings by beta (the MF_PORTFOLIO_HEDGE table)",
        description="HOLDINGS is a CSV with columns symbol, exposure (signed USD: a short is "
        "negative) and optionally beta, or symbol, contracts (signed), price and contract "
        "instead of exposure; missing betas are estimated from --prices (columns named by "
        "symbol). CSVs as Excel "
        "saves them: UTF-8, UTF-16 (Unicode Text) or Windows text, comma, semicolon or TAB "
        "separated.",
        epilog=_examples(
            "microsize portfolio-hedge book.csv 60000 cme:MBT --prices px.csv --hedge-col BTC"
        ),
    )
    p.add_argument(
        "holdings",
        help="CSV of holdings: symbol, exposure[, beta], or symbol, contracts, price, contract[, beta]",
    )
    p.add_argument("price", help="price of the hedge contract")
    p.add_argument("contract", help="hedge contract: " + _CONTRACT_HELP)
    p.add_argument("--prices", help="CSV of price histories, oldest first, a column per symbol")
    p.add_argument("--hedge-col", help="column of the hedge instrument's prices in --prices")
    p.add_argument("--lam", help="decay for an exponentially weighted beta, e.g. 0.94")
    p.add_argument("--target", help="portfolio beta to reach (default 0)")
    p.set_defaults(func=_cmd_portfolio_hedge)


def _add_specs_commands(sub: Any) -> None:
    """The commands specs and specs refresh."""
    p = sub.add_parser(
        "specs",
        help="list the contract specs (the user table if there is one), or refresh them",
        description="List the contract table in use: the user table in $MICROSIZE_HOME "
        "(default ~/.microsize) if there is one, else the bundled table. Rows older than "
        "--max-age-days are marked stale.",
        epilog=_examples("microsize specs --exchange cme", "microsize specs --csv"),
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
        epilog=_examples(
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
        epilog="exit status: 0 done; 1 done, but read the Warnings row; 2 refused (bad input)",
    )
    parser.add_argument("--version", action="version", version=f"microsize {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_sizing_commands(sub)
    _add_margin_commands(sub)
    _add_hedges_commands(sub)
    _add_specs_commands(sub)
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        # the core checks every result for overflow and NaN and refuses with a message;
        # numpy's own floating-point warnings on the way would only add noise to stderr
        with np.errstate(all="ignore"):
            return int(args.func(args))
    except MicrosizeError as exc:
        print(f"microsize: error: {_for_the_command_line(str(exc))}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
