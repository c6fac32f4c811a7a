"""The command liq: the isolated liquidation price, the margin, and the check against a
stop (the MF_LIQ_PRICE and MF_SIZE rows)."""

from __future__ import annotations

import argparse
from typing import Any

from ._errors import MicrosizeError
from ._kind import side_from_stop
from ._liq_check import liquidation_check
from ._margin import liq_price, maintenance_margin, margin
from .cli_args import (
    CONTRACT_HELP,
    examples_epilog,
    money,
    named,
    parse_fraction,
    warn,
)
from .cli_args import Units as _Units
from .cli_args import parse_contract as _contract
from .cli_args import show_value as _show
from .cli_args import spec_of as _spec
from .csvfiles import parse_number as _number

__all__ = ["add_commands"]


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
    # the side the stop implies must be the count's (a stop at the entry: liquidation_check)
    if stop is not None and qty != 0 and stop != entry and side_from_stop(entry, stop) * qty < 0:
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
    return warn("; ".join(warnings)) if warnings else 0


def add_commands(sub: Any) -> None:
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
