"""Command line: ``microsize size``, ``microsize specs`` and ``microsize specs refresh``.

The CLI sits at the edge: it parses text, calls the core and prints; it holds no formula.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__
from ._contracts import (
    MAX_AGE_ENV,
    load_margin_tiers,
    load_specs,
    max_spec_age_days,
    spec_age_days,
)
from ._errors import MicrosizeError
from ._hedge import beta, hedge, portfolio_hedge
from ._ladder import ladder, scale_out
from ._margin import liq_price, liquidation_check, maintenance_margin, margin
from ._sizing import size_trade

__all__ = ["main", "parse_fraction"]


def parse_fraction(text: str, name: str, *, limit: float = 1.0) -> float:
    """Read ``1.5%`` or ``0.015`` as 0.015; refuse ``1.5`` (ambiguous) and junk.

    >>> parse_fraction("1.5%", "risk")
    0.015
    >>> parse_fraction("0.015", "risk")
    0.015
    """
    raw = text.strip()
    try:
        # 1.5% -> 0.015 exactly: shift the decimal, do not divide the float
        value = float(f"{float(raw[:-1].strip())}e-2") if raw.endswith("%") else float(raw)
    except ValueError:
        raise MicrosizeError(f"{name} must be a number like 1.5% or 0.015 (got {text!r})") from None
    if value != value or value < 0:
        raise MicrosizeError(f"{name} must be zero or more (got {text!r})")
    if value > limit:
        raise MicrosizeError(
            f"{name} is a fraction: write {raw}% or {value / 100:g} (got {text!r})"
        )
    return value


def _number(text: str, name: str) -> float:
    try:
        return float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise MicrosizeError(f"{name} must be a number (got {text!r})") from None


def _contract(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def _show(value: Any) -> str:
    if isinstance(value, float):
        return format(value, ",.10g")
    return str(value)


def _today() -> Any:
    from . import refresh  # the one clock; no ccxt import at this point

    return refresh.today()


def _max_age(args: argparse.Namespace) -> float:
    if getattr(args, "max_age_days", None) is None:
        return max_spec_age_days()
    days = _number(args.max_age_days, "--max-age-days")
    if not days >= 0:
        raise MicrosizeError(f"--max-age-days must be 0 or more (got {args.max_age_days!r})")
    return days


def _cmd_size(args: argparse.Namespace) -> int:
    rows = size_trade(
        _number(args.account, "account"),
        parse_fraction(args.risk, "risk"),
        _number(args.entry, "entry"),
        _number(args.stop, "stop"),
        _contract(args.contract),
        parse_fraction(args.fee, "fee", limit=0.01) if args.fee is not None else None,
        _number(args.leverage, "leverage") if args.leverage is not None else None,
        None,
        _slippage(args.slippage),
        today=_today(),
        max_age_days=_max_age(args),
    )
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        shown = _show(value)
        if label == "Risk %" and isinstance(value, float):
            shown += f" ({value * 100:.4g}%)"
        print(f"{label:<{width}}  {shown}")
    return 0


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


def _cmd_ladder(args: argparse.Namespace) -> int:
    lad = ladder(
        _number(args.risk_amount, "risk_amount"),
        _numbers(args.entries, "entries"),
        _number(args.stop, "stop"),
        _contract(args.contract),
        _numbers(args.weights, "weights") if args.weights else None,
        parse_fraction(args.fee, "fee", limit=0.01) if args.fee is not None else None,
    )
    _print_table(lad.rows())
    return 0


def _cmd_scale_out(args: argparse.Namespace) -> int:
    plan = scale_out(
        _number(args.contracts, "contracts"),
        _number(args.entry, "entry"),
        _number(args.stop, "stop"),
        _numbers(args.targets, "targets"),
        _contract(args.contract),
        _numbers(args.weights, "weights") if args.weights else None,
        parse_fraction(args.fee, "fee", limit=0.01) if args.fee is not None else None,
    )
    _print_table(plan.rows())
    return 0


def _liq_text(x: float) -> str:
    return "none: cannot be liquidated" if x == 0 or x == float("inf") else _show(x)


def _cmd_liq(args: argparse.Namespace) -> int:
    entry = _number(args.entry, "entry")
    qty = _number(args.contracts, "contracts")
    lev = _number(args.leverage, "leverage")
    contract = _contract(args.contract)
    wallet = _number(args.wallet, "wallet") if args.wallet is not None else None
    mmr = parse_fraction(args.mmr, "mmr") if args.mmr is not None else None
    amount = _number(args.maint_amount, "maint_amount") if args.maint_amount is not None else None
    lp = float(liq_price(entry, qty, lev, contract, wallet, mmr, amount))
    rows: list[list[Any]] = [
        ["Liquidation price", _liq_text(lp)],
        ["Initial margin", float(margin(abs(qty), entry, lev, contract))],
        [
            "Maintenance margin",
            float(maintenance_margin(abs(qty), entry, contract, mmr=mmr, maint_amount=amount)),
        ],
    ]
    if args.stop is not None:
        stop = _number(args.stop, "stop")
        # without an account size, the margin-above-account check has nothing to compare
        equity = _number(args.equity, "equity") if args.equity is not None else rows[1][1]
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
        rows.append(["Max leverage", "unknown" if chk.max_leverage is None else chk.max_leverage])
        rows.append(["Warnings", "; ".join(chk.warnings) if chk.warnings else "none"])
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {_show(value)}")
    return 0


def _read_csv(path: str, what: str) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise MicrosizeError(f"{what}: cannot read {path!r} ({exc.strerror})") from None
    if not rows:
        raise MicrosizeError(f"{what}: {path!r} has a header row but no data rows")
    return rows


def _column(rows: list[dict[str, str]], name: str, what: str) -> list[float | None]:
    if name not in rows[0]:
        raise MicrosizeError(f"{what}: no column {name!r} (columns: {', '.join(rows[0])})")
    out: list[float | None] = []
    for i, row in enumerate(rows, start=2):
        cell = (row.get(name) or "").strip()
        if not cell:
            out.append(None)  # a blank: the row is dropped pairwise
            continue
        try:
            out.append(float(cell.replace(",", "")))
        except ValueError:
            raise MicrosizeError(
                f"{what}: column {name!r} row {i} is not a number ({cell!r})"
            ) from None
    return out


def _lam(args: argparse.Namespace) -> float | None:
    return _number(args.lam, "lam") if args.lam is not None else None


def _cmd_hedge(args: argparse.Namespace) -> int:
    if args.beta is not None:
        b = _number(args.beta, "beta")
    elif args.prices and args.asset and args.hedge_col:
        rows = _read_csv(args.prices, "prices")
        b = beta(
            _column(rows, args.asset, "prices"), _column(rows, args.hedge_col, "prices"), _lam(args)
        )
    else:
        raise MicrosizeError(
            "give --beta B, or --prices FILE with --asset COLUMN and --hedge-col COLUMN"
        )
    target = _number(args.target, "target") if args.target is not None else 0.0
    n = hedge(
        _number(args.exposure, "exposure"),
        b,
        _number(args.price, "price"),
        _contract(args.contract),
        target,
    )
    print(f"Beta            {_show(float(b))}")
    print(f"Target beta     {_show(target)}")
    print(
        f"Hedge contracts {_show(float(n))}  ({'sell' if n < 0 else 'buy' if n > 0 else 'nothing to trade'})"
    )
    return 0


def _cmd_portfolio_hedge(args: argparse.Namespace) -> int:
    holdings = _read_csv(args.holdings, "holdings")
    exposures = _column(holdings, "exposure", "holdings")
    if any(x is None for x in exposures):
        raise MicrosizeError("holdings: every row needs an exposure")
    has_beta = "beta" in holdings[0]
    betas: list[float | None] = (
        _column(holdings, "beta", "holdings") if has_beta else [None for _ in holdings]
    )
    history = _read_csv(args.prices, "prices") if args.prices else None
    for i, row in enumerate(holdings):
        if betas[i] is not None:
            continue
        symbol = (row.get("symbol") or "").strip()
        if history is None or not args.hedge_col:
            raise MicrosizeError(
                f"holdings row {i + 2} ({symbol or 'no symbol'}) has no beta: add one, or give "
                "--prices FILE --hedge-col COLUMN to estimate it"
            )
        betas[i] = beta(
            _column(history, symbol, "prices"),
            _column(history, args.hedge_col, "prices"),
            _lam(args),
        )
        print(f"beta of {symbol} estimated from {args.prices}: {_show(float(betas[i] or 0.0))}")
    target = _number(args.target, "target") if args.target is not None else 0.0
    plan = portfolio_hedge(
        exposures, betas, _number(args.price, "price"), _contract(args.contract), target
    )
    rows = plan.rows()
    width = max(len(str(r[0])) for r in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {_show(value)}")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="microsize",
        description="Precise risk allocation with crypto micro-futures.",
    )
    parser.add_argument("--version", action="version", version=f"microsize {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "size",
        help="size one trade (the MF_SIZE table)",
        description="Size one trade so the loss at the stop stays within the risk budget.",
        epilog="example: microsize size 2000 1.5%% 3520 3450 binance:ETHUSDT --fee 0.05%%",
    )
    p.add_argument("account", help="account size in the settlement currency")
    p.add_argument("risk", help="risk per trade: 1.5%% or 0.015")
    p.add_argument("entry", help="entry price")
    p.add_argument("stop", help="stop price (below entry = long, above = short)")
    p.add_argument("contract", help="exchange:symbol (e.g. cme:MBT) or a contract size")
    p.add_argument("--fee", help="fee per side: 0.05%% or 0.0005 (default 0)")
    p.add_argument("--leverage", help="leverage for the margin row (default 1)")
    p.add_argument(
        "--max-age-days",
        help=f"warn when the contract's spec row is older (default ${MAX_AGE_ENV} or 180)",
    )
    p.add_argument("--slippage", help="size against the stop's fill: 0.1%%, 0.001 or '2 ticks'")
    p.set_defaults(func=_cmd_size)

    p = sub.add_parser(
        "ladder",
        help="size a scale-in ladder under one stop (the MF_LADDER table)",
        description="Size several entries under one stop so the whole ladder, filled and "
        "stopped, loses at most the risk amount.",
        epilog="example: microsize ladder 30 3450 0.001 --entries 3520 3500 3480 --weights 30 40 30",
    )
    p.add_argument("risk_amount", help="budget for the whole ladder, in the settlement currency")
    p.add_argument("stop", help="the one stop price")
    p.add_argument("contract", help="exchange:symbol (e.g. cme:MET) or a contract size")
    p.add_argument("--entries", nargs="+", required=True, help="entry prices")
    p.add_argument("--weights", nargs="+", help="shares of quantity per entry (default equal)")
    p.add_argument("--fee", help="fee per side: 0.05%% or 0.0005 (default 0)")
    p.set_defaults(func=_cmd_ladder)

    p = sub.add_parser(
        "scale-out",
        help="split a position across targets (the MF_SCALE_OUT table)",
        description="Split a position across take-profit targets; legs sum to the position.",
        epilog="example: microsize scale-out 10 60000 58000 cme:MBT --targets 62000 64000 66000",
    )
    p.add_argument("contracts", help="position size in the venue's order unit")
    p.add_argument("entry", help="entry price")
    p.add_argument("stop", help="stop price (below entry = long, above = short)")
    p.add_argument("contract", help="exchange:symbol or a contract size")
    p.add_argument("--targets", nargs="+", required=True, help="take-profit prices")
    p.add_argument("--weights", nargs="+", help="shares of the position per target (default equal)")
    p.add_argument("--fee", help="fee per side: 0.05%% or 0.0005 (default 0)")
    p.set_defaults(func=_cmd_scale_out)

    p = sub.add_parser(
        "liq",
        help="isolated liquidation price, margin, and the check against a stop",
        description="Isolated-margin liquidation price in one-way mode, by the formula the "
        "contract's exchange publishes.",
        epilog="example: microsize liq 60000 0.01 20 binance:BTCUSDT --stop 57000",
    )
    p.add_argument("entry", help="entry price")
    p.add_argument("contracts", help="signed position: positive long, negative short")
    p.add_argument("leverage", help="leverage, e.g. 20")
    p.add_argument("contract", help="exchange:symbol or a contract size")
    p.add_argument("--wallet", help="isolated margin (default: the initial margin)")
    p.add_argument("--mmr", help="maintenance margin rate: 0.4%% or 0.004 (default: the tier)")
    p.add_argument("--maint-amount", help="maintenance amount (default: the tier)")
    p.add_argument("--stop", help="stop price: warn when liquidation comes first")
    p.add_argument("--equity", help="account size, to warn when the margin exceeds it")
    p.set_defaults(func=_cmd_liq)

    p = sub.add_parser(
        "hedge",
        help="contracts that move one exposure's beta to a target",
        epilog="example: microsize hedge 250000 60000 cme:MBT --beta 1.2",
    )
    p.add_argument("exposure", help="position value in USD (negative for a short)")
    p.add_argument("price", help="price of the hedge contract")
    p.add_argument("contract", help="hedge contract: exchange:symbol or a contract size")
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
        description="HOLDINGS is a CSV with columns symbol, exposure and optionally beta; "
        "missing betas are estimated from --prices (columns named by symbol).",
        epilog="example: microsize portfolio-hedge book.csv 60000 cme:MBT --prices px.csv --hedge-col BTC",
    )
    p.add_argument("holdings", help="CSV of holdings: symbol, exposure[, beta]")
    p.add_argument("price", help="price of the hedge contract")
    p.add_argument("contract", help="hedge contract: exchange:symbol or a contract size")
    p.add_argument("--prices", help="CSV of price histories, oldest first, a column per symbol")
    p.add_argument("--hedge-col", help="column of the hedge instrument's prices in --prices")
    p.add_argument("--lam", help="decay for an exponentially weighted beta, e.g. 0.94")
    p.add_argument("--target", help="portfolio beta to reach (default 0)")
    p.set_defaults(func=_cmd_portfolio_hedge)

    p = sub.add_parser(
        "specs",
        help="list the contract specs (the user table if there is one), or refresh them",
        description="List the contract table in use: the user table in $MICROSIZE_HOME "
        "(default ~/.microsize) if there is one, else the bundled table. Rows older than "
        "--max-age-days are marked stale.",
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
        epilog="examples: microsize specs refresh --exchange binance okx --apply; "
        "microsize specs refresh --exchange mexc --add mexc --out mexc.csv",
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
    from .workbook import add_commands  # the workbook builder sits at the edge too

    add_commands(sub)
    from .cli_trader import add_commands as add_trader_commands

    add_trader_commands(sub)
    from .libreoffice._cli import add_commands as add_libreoffice_commands

    add_libreoffice_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except MicrosizeError as exc:
        print(f"microsize: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
