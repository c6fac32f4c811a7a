"""The commands ladder and scale-out: a scale-in ladder under one stop and one budget, and
a scale-out plan whose legs sum to the position (the MF_LADDER and MF_SCALE_OUT tables)."""

from __future__ import annotations

import argparse
import numbers
from typing import Any

from .cli_args import (
    CONTRACT_HELP,
    FEE_HELP,
    account_amount,
    amount,
    examples_epilog,
    fee_option,
    named,
    percent,
    price,
    ratio,
)
from .cli_args import Units as _Units
from .cli_args import parse_contract as _contract
from .cli_args import show_value as _show
from .cli_args import spec_of as _spec
from .csvfiles import parse_number as _number

__all__ = ["add_commands"]


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
        account_amount(args.risk_amount, "risk_amount"),
        _numbers(args.entries, "--entries"),
        _number(args.stop, "stop"),
        contract,
        _numbers(args.weights, "--weights") if args.weights else None,
        fee_option(args),
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
        fee_option(args),
    )
    _print_table(plan.rows(), _Units(_spec(contract, None)))
    return 0


def add_commands(sub: Any) -> None:
    """The commands ladder and scale-out."""
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
    p.add_argument("--fee", help=FEE_HELP)
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
    p.add_argument("--fee", help=FEE_HELP)
    p.set_defaults(func=named(_cmd_scale_out, targets="--targets", weights="--weights"))
