"""Command line for the trader inputs: ``atr``, ``atr-stop``, ``stop-fill``, ``rr``, ``target``,
``roi-target`` and ``usd-budget``, plus the ``size --slippage`` option's parsing.

An edge module like :mod:`microsize.cli` (which registers these commands): it parses text,
calls the core in :mod:`microsize._trader` and prints; it holds no formula.
"""

from __future__ import annotations

import argparse
from typing import Any

from ._errors import MicrosizeError
from ._loss import inverse_loss_in_usd
from ._sizing import risk
from .cli_args import (
    Units,
    money,
    named,
    parse_contract,
    parse_fraction,
    parse_side,
    ratio,
    slippage_warning,
    spec_of,
    warn,
)
from .cli_args import show_value as _show

__all__ = ["EXAMPLES", "add_commands", "parse_slippage"]

#: The example of each command's help, runnable as printed (tests run every one).
EXAMPLES = {
    "atr": "microsize atr bars.csv --periods 14",
    "atr-stop": "microsize atr-stop 60000 1234.5 2 long cme:MBT",
    "stop-fill": "microsize stop-fill 57000 0.1% 60000 deribit:BTC-PERPETUAL",
    "rr": "microsize rr 60000 57000 69000 cme:MBT --fee 0.05%",
    "target": "microsize target 60000 57000 3 bybit:BTCUSD --fee 0.055%",
    "roi-target": "microsize roi-target 60000 50% 10 long binance:BTCUSDT",
    "usd-budget": "microsize usd-budget 100 60000 57000 deribit:BTC-PERPETUAL --fee 0.05%",
}


def _num(text: str, name: str) -> float:
    from .csvfiles import parse_number

    return parse_number(text, name)


def _fraction(text: str, name: str, *, limit: float = 1.0, signed: bool = False) -> float:
    raw = text.strip()
    if signed and raw.startswith("-"):
        return -parse_fraction(raw[1:], name, limit=limit)
    return parse_fraction(raw, name, limit=limit)


def _fee(args: argparse.Namespace) -> float | None:
    return None if args.fee is None else _fraction(args.fee, "fee", limit=0.01)


def _contract(text: str | None) -> Any:
    return None if text is None else parse_contract(text)


def _units(contract: Any) -> Units:
    """The units of a contract argument; without one, prices are in the quote currency."""
    return Units(None if contract is None else spec_of(contract, None))


def parse_slippage(text: str) -> Any:
    """``0.1%`` or ``0.001`` -> 0.001 (a fraction of the stop price); ``2 ticks`` stays text.

    >>> parse_slippage("0.1%")
    0.001
    >>> parse_slippage("2 ticks")
    '2 ticks'
    """
    if any(c.isalpha() for c in text.replace("e", "").replace("E", "")):
        return text
    return _fraction(text, "slippage", limit=0.999999)


def _print_rows(rows: list[tuple[str, Any]], warnings: Any = ()) -> int:
    """Label-value rows, then a Warnings row when there is a warning: exit status 1, and
    the warning on stderr as well (as ``microsize size`` does)."""
    said = [w for w in warnings if w]
    if said:
        rows = [*rows, ("Warnings", "; ".join(said))]
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {_show(value)}")
    return warn("; ".join(said)) if said else 0


# ------------------------------------------------------------------------ commands
def _read_bars(path: str, cols: tuple[str, str, str]) -> list[list[list[Any]]]:
    from .csvfiles import read_csv

    table = read_csv(path, "prices")
    return [[[v] for v in table.column(name)] for name in cols]


#: an ATR is in the prices' own unit, which a CSV of bars does not name
_ATR_UNIT = "price units"


def _cmd_atr(args: argparse.Namespace) -> int:
    from ._volatility import atr

    high, low, close = _read_bars(args.prices, (args.high_col, args.low_col, args.close_col))
    periods = int(_num(args.periods, "--periods")) if args.periods else None
    values = atr(high, low, close, periods, args.method)
    n = periods or 14
    if args.all:
        print(f"row  ATR ({_ATR_UNIT})")
        for i, v in enumerate(values, start=2):
            print(f"{i:>3}  {'n/a' if v != v else _show(float(v))}")
        return 0
    good = [float(v) for v in values if v == v]
    if not good:
        raise MicrosizeError(f"prices: {n} bars are needed for a {n}-bar ATR (got {len(values)})")
    return _print_rows(
        [
            ("ATR", f"{_show(good[-1])} {_ATR_UNIT}"),
            ("Periods", f"{n} bars"),
            ("Method", args.method or "wilder"),
        ]
    )


def _cmd_atr_stop(args: argparse.Namespace) -> int:
    from ._targets import atr_stop

    contract = _contract(args.contract)
    stop = atr_stop(
        _num(args.entry, "entry"),
        _num(args.atr, "atr"),
        _num(args.multiple, "multiple"),
        parse_side(args.side),
        contract,
    )
    return _print_rows([("Stop", _units(contract).show_price(float(stop)))])


def _cmd_stop_fill(args: argparse.Namespace) -> int:
    from ._targets import stop_fill

    contract, stop = _contract(args.contract), _num(args.stop, "stop")
    fill = float(
        stop_fill(stop, parse_slippage(args.slippage), _num(args.entry, "entry"), contract)
    )
    return _print_rows(
        [("Stop fill", _units(contract).show_price(fill))],
        [slippage_warning(stop, fill, "slippage")],
    )


def _cmd_rr(args: argparse.Namespace) -> int:
    from ._targets import reward_risk

    rr = reward_risk(
        _num(args.entry, "entry"),
        _num(args.stop, "stop"),
        _num(args.target, "target"),
        _contract(args.contract),
        _fee(args),
    )
    return _print_rows([("Reward to risk", ratio(float(rr), "R"))])


def _cmd_target(args: argparse.Namespace) -> int:
    from ._targets import reward_risk, target_price

    entry, stop = _num(args.entry, "entry"), _num(args.stop, "stop")
    r = _num(args.r_multiple, "r_multiple")
    contract, fee = _contract(args.contract), _fee(args)
    t = float(target_price(entry, stop, r, contract, fee))
    reached = float(reward_risk(entry, stop, t, contract, fee))
    return _print_rows(
        [("Target", _units(contract).show_price(t)), ("R at target", ratio(reached, "R"))]
    )


def _cmd_roi_target(args: argparse.Namespace) -> int:
    from ._targets import roi_target

    contract = _contract(args.contract)
    t = roi_target(
        _num(args.entry, "entry"),
        _fraction(args.roi, "roi", limit=1e6, signed=True),
        _num(args.leverage, "leverage"),
        parse_side(args.side),
        contract,
        _fee(args),
    )
    return _print_rows([("Target", _units(contract).show_price(float(t)))])


def _cmd_usd_budget(args: argparse.Namespace) -> int:
    from ._targets import contracts_usd, risk_to_settle, stop_fill

    usd = _num(args.usd, "usd")
    entry, stop = _num(args.entry, "entry"), _num(args.stop, "stop")
    contract, fee = _contract(args.contract), _fee(args)
    fill = (
        stop_fill(stop, parse_slippage(args.slippage), entry, contract)
        if args.slippage is not None
        else stop
    )
    budget = risk_to_settle(usd, fill, contract)
    n = contracts_usd(usd, entry, fill, contract, fee)
    loss = risk(n, entry, fill, contract, fee)
    from ._contracts import resolve_contracts

    spec = resolve_contracts(contract).single
    inverse = spec is not None and spec.kind == "inverse"
    units = Units(spec)
    settle = units.money
    rows: list[tuple[str, Any]] = [
        ("USD budget", money(usd, "USD", down=True)),
        ("Stop fill", units.show_price(float(fill))),
        ("Budget", money(float(budget), settle, down=True)),
        ("Contracts", f"{_show(float(n))} {units.qty or 'contracts'}"),
        ("Risk at stop", money(float(loss), settle, down=True)),
    ]
    if inverse and spec is not None:
        f = 0.0 if fee is None else fee
        in_usd = inverse_loss_in_usd(float(n), spec.contract_size, entry, float(fill), f)
        rows.append(("Risk at stop (USD)", money(in_usd, "USD", down=True)))
    warned = (
        slippage_warning(stop, float(fill), "--slippage") if args.slippage is not None else None
    )
    return _print_rows(rows, [warned])


# Long on purpose: declarations only: six argparse subcommands, one block each.
def _command(sub: Any, name: str, **texts: str) -> Any:
    """A subcommand whose help ends with its example from :data:`EXAMPLES`."""
    return sub.add_parser(name, epilog=f"examples:\n  {EXAMPLES[name]}", **texts)


def add_commands(sub: Any) -> None:
    """Register the trader-input commands on ``microsize``'s subparsers."""
    fee_help = "fee per side: 0.05%% or 0.0005 (default 0)"
    contract_help = "exchange:symbol (its tick and kind) or a contract size"

    p = _command(
        sub,
        "atr",
        help="average true range of a CSV of high/low/close bars (MF_ATR)",
        description="Wilder's ATR (first value the mean of the first PERIODS true ranges, the "
        "first true range high - low) of a CSV with high, low and close columns, oldest first. "
        "Rows with a blank are skipped.",
    )
    p.add_argument("prices", help="CSV with a header row and high, low, close columns")
    p.add_argument("--periods", help="bars in the average (default 14)")
    p.add_argument("--method", help="wilder (default), simple or exponential")
    p.add_argument("--high-col", default="high", help="column of the highs (default high)")
    p.add_argument("--low-col", default="low", help="column of the lows (default low)")
    p.add_argument("--close-col", default="close", help="column of the closes (default close)")
    p.add_argument("--all", action="store_true", help="print the ATR beside every row")
    p.set_defaults(func=named(_cmd_atr, periods="--periods", method="--method"))

    p = _command(
        sub,
        "atr-stop",
        help="stop MULTIPLE x ATR from entry, on the tick (MF_ATR_STOP)",
        description="Stop MULTIPLE x ATR from entry, rounded to the contract's tick away from "
        "entry (never nearer than asked).",
    )
    p.add_argument("entry", help="entry price")
    p.add_argument("atr", help="average true range, in price units")
    p.add_argument("multiple", help="ATRs from entry, e.g. 2")
    p.add_argument("side", help="long or short")
    p.add_argument("contract", nargs="?", help=contract_help)
    p.set_defaults(func=named(_cmd_atr_stop))

    p = _command(
        sub,
        "stop-fill",
        help="price a stop-market order fills at after slippage (MF_STOP_FILL)",
        description="The fill of a stop-market order after SLIPPAGE (0.1% of the price, or "
        "'2 ticks'), worse than the trigger and on the tick: the price to size against.",
    )
    p.add_argument("stop", help="stop trigger price")
    p.add_argument("slippage", help="0.1%%, 0.001 or '2 ticks'")
    p.add_argument("entry", help="entry price (gives the side)")
    p.add_argument("contract", nargs="?", help=contract_help)
    p.set_defaults(func=named(_cmd_stop_fill))

    p = _command(
        sub,
        "rr",
        help="reward to risk after fees (MF_RR)",
        description="Profit at TARGET over loss at STOP, both after entry and exit fees.",
    )
    p.add_argument("entry", help="entry price")
    p.add_argument("stop", help="stop price (below entry = long)")
    p.add_argument("target", help="take-profit price")
    p.add_argument("contract", nargs="?", help=contract_help)
    p.add_argument("--fee", help=fee_help)
    p.set_defaults(func=named(_cmd_rr))

    p = _command(
        sub,
        "target",
        help="exit price for R_MULTIPLE R after fees, on the tick (MF_TARGET)",
        description="The exit whose profit after both fees is at least R_MULTIPLE times the "
        "loss at the stop, rounded to the tick away from entry; exact for inverse contracts.",
    )
    p.add_argument("entry", help="entry price")
    p.add_argument("stop", help="stop price (below entry = long)")
    p.add_argument("r_multiple", help="reward in multiples of the risk, e.g. 3")
    p.add_argument("contract", nargs="?", help=contract_help)
    p.add_argument("--fee", help=fee_help)
    p.set_defaults(func=named(_cmd_target))

    p = _command(
        sub,
        "roi-target",
        help="exit price for a return on initial margin (MF_ROI_TARGET)",
        description="The exit for ROI = PnL / initial margin at LEVERAGE, as the Binance and "
        "Bybit calculators define it (fees excluded unless --fee).",
    )
    p.add_argument("entry", help="entry price")
    p.add_argument("roi", help="return on margin: 50%% or 0.5; a loss as -50%%")
    p.add_argument("leverage", help="leverage, e.g. 10")
    p.add_argument("side", help="long or short")
    p.add_argument("contract", nargs="?", help=contract_help)
    p.add_argument("--fee", help=fee_help)
    p.set_defaults(func=named(_cmd_roi_target))

    p = _command(
        sub,
        "usd-budget",
        help="size from a USD budget, inverse contracts included (MF_RISK_TO_SETTLE)",
        description="Convert a USD risk budget to the settlement currency at the stop (coin = "
        "USD / stop for inverse contracts, rounded down) and size the trade: the dollar value "
        "of the loss at the stop never exceeds USD.",
    )
    p.add_argument("usd", help="risk budget in USD")
    p.add_argument("entry", help="entry price")
    p.add_argument("stop", help="stop price (below entry = long)")
    p.add_argument("contract", help="exchange:symbol, e.g. deribit:BTC-PERPETUAL")
    p.add_argument("--fee", help=fee_help)
    p.add_argument("--slippage", help="stop slippage: 0.1%%, 0.001 or '2 ticks'")
    p.set_defaults(func=named(_cmd_usd_budget, slippage="--slippage"))
