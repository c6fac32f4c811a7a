"""The commands hedge and portfolio-hedge: a beta given or estimated from a CSV of prices,
and the contracts that move an exposure's or a portfolio's beta to a target."""

from __future__ import annotations

import argparse
from typing import Any

from ._errors import MicrosizeError
from ._trade import MAX_EQUITY, MAX_NOTIONAL
from .cli_args import (
    CONTRACT_HELP,
    examples_epilog,
    fixed,
    money,
    named,
    print_rows,
    refuse_together,
)
from .cli_args import Units as _Units
from .cli_args import parse_contract as _contract
from .cli_args import show_value as _show
from .cli_args import spec_of as _spec
from .csvfiles import parse_number as _number
from .csvfiles import read_csv

__all__ = ["BETA_REFUSED", "BETA_WARNED", "add_commands"]


def _lam(args: argparse.Namespace) -> float | None:
    return _number(args.lam, "--lam") if args.lam is not None else None


#: a beta this large in size is warned about: one asset to BTC is rarely beyond 3
BETA_WARNED = 10.0
#: a beta beyond this cannot be meant: refused (1e9 would hedge trillions)
BETA_REFUSED = 100.0


def _beta_warnings(b: float, name: str, typed: str | None = None) -> list[str]:
    """The warning for an implausible beta (above 10 in size); a beta above 100 in size is
    refused, naming the option or row it came from and the value as typed."""
    shown = typed.strip()[:40] if typed is not None else fixed(b, 2)
    if abs(b) > BETA_REFUSED:
        raise MicrosizeError(
            f"{name} {shown} is not the beta of any asset to a hedge (above "
            f"{_show(BETA_REFUSED)} in size): check the number"
        )
    if abs(b) > BETA_WARNED:
        return [f"{name} {shown} is above {_show(BETA_WARNED)} in size: check the number"]
    return []


def _exposure(value: float, name: str, typed: str) -> float:
    """An exposure to hedge: refused beyond any portfolio (above 1e12 in size), as an
    account size is."""
    if abs(value) > MAX_EQUITY:
        raise MicrosizeError(
            f"{name} {typed.strip()[:40]} is beyond any portfolio (above "
            f"{_show(MAX_EQUITY)} in size): check the number"
        )
    return value


def _hedge_warnings(notional: float, currency: str) -> list[str]:
    if abs(notional) <= MAX_NOTIONAL:
        return []
    return [
        f"hedge notional {money(notional, currency)} is beyond any venue's position limit "
        f"({_show(MAX_NOTIONAL)}): check exposure and beta"
    ]


def _hedge_beta(args: argparse.Namespace) -> float:
    from ._hedge import beta

    refuse_together(
        args,
        "--beta",
        ("--prices", "--asset", "--hedge-col", "--lam"),
        "--beta gives the beta, the others estimate it; give one or the other",
    )
    if args.beta is not None:
        return _number(args.beta, "--beta")
    if args.prices is None:
        for option in ("--asset", "--hedge-col", "--lam"):
            if getattr(args, option[2:].replace("-", "_")) is not None:
                raise MicrosizeError(
                    f"{option} names the history the beta is estimated from: give --prices "
                    "FILE too, or --beta B instead"
                )
    if args.prices and args.asset and args.hedge_col:
        prices = read_csv(args.prices, "--prices")
        return float(beta(prices.column(args.asset), prices.column(args.hedge_col), _lam(args)))
    raise MicrosizeError(
        "give --beta B, or --prices FILE with --asset COLUMN and --hedge-col COLUMN"
    )


def _cmd_hedge(args: argparse.Namespace) -> int:
    from ._hedge import hedge, portfolio_hedge

    b = _hedge_beta(args)
    if args.beta is not None:
        warnings = _beta_warnings(b, "--beta", args.beta)
    else:
        warnings = _beta_warnings(b, f"the beta estimated from {args.prices[:60]}")
    target = _number(args.target, "--target") if args.target is not None else 0.0
    warnings += _beta_warnings(target, "--target", args.target)
    contract = _contract(args.contract)
    price_ = _number(args.price, "price")
    units = _Units(_spec(contract, None))
    exposure = _exposure(_number(args.exposure, "exposure"), "exposure", args.exposure)
    n = float(hedge(exposure, b, price_, contract, target))
    # the hedge's value in the exposure's money (the contract's quote currency)
    value = float(portfolio_hedge([exposure], [b], price_, contract, target).notional)
    action = "sell" if n < 0 else "buy" if n > 0 else "nothing to trade"
    warnings += _hedge_warnings(value, units.price)
    rows = [
        ("Beta", _beta_text(b)),
        ("Target beta", _beta_text(target)),
        ("Hedge contracts", f"{_Units.join(_show(n), units.qty)}  ({action})"),
        ("Hedge notional", f"{money(value, units.price)} at {units.show_price(price_)}"),
    ]
    return print_rows(rows, warnings)


def _holding_exposures(holdings: Any) -> list[float | None]:
    """Signed USD exposures (a short is negative): the exposure column, or each row's
    contracts (signed), price and contract through the same function as MF_EXPOSURE."""
    from ._hedge import exposure as signed_exposure

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


def _beta_text(b: float) -> str:
    """A beta: a multiple of the hedge's move, 2 decimals (more where needed), ``x``."""
    return f"{fixed(b, 2)}x"


def _holdings_betas(
    args: argparse.Namespace, holdings: Any, warnings: list[str]
) -> list[float | None]:
    """The holdings' betas: the beta column, missing ones estimated from --prices."""
    from ._hedge import beta

    betas: list[float | None] = (
        holdings.column("beta") if "beta" in holdings.header else [None for _ in holdings.rows]
    )
    missing = [i for i, b in enumerate(betas) if b is None]
    if not missing:
        for option in ("--prices", "--hedge-col", "--lam"):
            if getattr(args, option[2:].replace("-", "_")) is not None:
                raise MicrosizeError(
                    f"{option} is for estimating missing betas, but every row of "
                    f"{args.holdings[:60]} has one: leave {option} out"
                )
    history = read_csv(args.prices, "--prices") if args.prices else None
    for i, b in enumerate(betas):
        symbol = (holdings.rows[i].get("symbol") or "").strip()
        if b is not None:
            warnings += _beta_warnings(b, f"holdings row {i + 2} ({symbol[:40]}): beta")
            continue
        if history is None or not args.hedge_col:
            raise MicrosizeError(
                f"holdings row {i + 2} ({symbol[:40] or 'no symbol'}) has no beta: add one, or "
                "give --prices FILE --hedge-col COLUMN to estimate it"
            )
        betas[i] = float(beta(history.column(symbol), history.column(args.hedge_col), _lam(args)))
        print(f"beta of {symbol} estimated from {args.prices}: {_beta_text(betas[i] or 0.0)}")
        warnings += _beta_warnings(betas[i] or 0.0, f"the estimated beta of {symbol[:40]}")
    return betas


def _cmd_portfolio_hedge(args: argparse.Namespace) -> int:
    from ._hedge import portfolio_hedge

    holdings = read_csv(args.holdings, "holdings")
    exposures = _holding_exposures(holdings)
    for i, x in enumerate(exposures):
        _exposure(float(x or 0.0), f"holdings row {i + 2}: exposure", _show(x))
    warnings: list[str] = []
    betas = _holdings_betas(args, holdings, warnings)
    target = _number(args.target, "--target") if args.target is not None else 0.0
    warnings += _beta_warnings(target, "--target", args.target)
    contract = _contract(args.contract)
    units = _Units(_spec(contract, None))
    plan = portfolio_hedge(exposures, betas, _number(args.price, "price"), contract, target)
    warnings += _hedge_warnings(float(plan.notional), units.price)
    rows: list[tuple[str, str]] = []
    for label, value in plan.rows():
        if label == "Hedge contracts":
            shown = _Units.join(_show(value), units.qty)
        elif label in ("Portfolio beta", "Beta after hedge"):
            shown = _beta_text(float(value))
        else:  # money in the hedge's quote currency
            shown = money(float(value), units.price)
        rows.append((str(label), shown))
    return print_rows(rows, warnings)


def add_commands(sub: Any) -> None:
    """The commands hedge and portfolio-hedge."""
    p = sub.add_parser(
        "hedge",
        help="contracts that move one exposure's beta to a target",
        description="Contracts to trade (negative = sell) so the exposure's beta reaches the "
        "target; the beta is given or estimated from a CSV of prices (UTF-8, UTF-16 or "
        "Windows text, comma, semicolon or TAB separated).",
        epilog=examples_epilog(
            "microsize hedge 250000 60000 cme:MBT --beta 1.2",
            "microsize hedge 100000 60000 cme:MBT --prices prices.csv --asset SOL --hedge-col BTC",
        ),
    )
    p.add_argument("exposure", help="position value in USD (negative for a short)")
    p.add_argument("price", help="price of the hedge contract")
    p.add_argument("contract", help="hedge contract: " + CONTRACT_HELP)
    p.add_argument("--beta", help="beta of the exposure to the hedge instrument")
    p.add_argument("--prices", help="CSV of price histories (oldest first) to estimate the beta")
    p.add_argument("--asset", help="column of the asset's prices in --prices")
    p.add_argument("--hedge-col", help="column of the hedge instrument's prices in --prices")
    p.add_argument("--lam", help="decay for an exponentially weighted beta, e.g. 0.94")
    p.add_argument("--target", help="beta to reach (default 0)")
    p.set_defaults(
        func=named(
            _cmd_hedge, asset_prices="the --asset column", hedge_prices="the --hedge-col column"
        )
    )

    p = sub.add_parser(
        "portfolio-hedge",
        help="hedge a CSV of holdings by beta (the MF_PORTFOLIO_HEDGE table)",
        description="HOLDINGS is a CSV with columns symbol, exposure (signed USD: a short is "
        "negative) and optionally beta, or symbol, contracts (signed), price and contract "
        "instead of exposure; missing betas are estimated from --prices (columns named by "
        "symbol). CSVs as Excel "
        "saves them: UTF-8, UTF-16 (Unicode Text) or Windows text, comma, semicolon or TAB "
        "separated.",
        epilog=examples_epilog(
            "microsize portfolio-hedge holdings.csv 60000 cme:MBT --prices prices.csv "
            "--hedge-col BTC"
        ),
    )
    p.add_argument(
        "holdings",
        help="CSV of holdings: symbol, exposure[, beta], or symbol, contracts, price, contract[, beta]",
    )
    p.add_argument("price", help="price of the hedge contract")
    p.add_argument("contract", help="hedge contract: " + CONTRACT_HELP)
    p.add_argument("--prices", help="CSV of price histories, oldest first, a column per symbol")
    p.add_argument("--hedge-col", help="column of the hedge instrument's prices in --prices")
    p.add_argument("--lam", help="decay for an exponentially weighted beta, e.g. 0.94")
    p.add_argument("--target", help="portfolio beta to reach (default 0)")
    p.set_defaults(
        func=named(
            _cmd_portfolio_hedge,
            exposures="the holdings' exposures",
            betas="the holdings' betas",
            asset_prices="the holding's column of --prices",
            hedge_prices="the --hedge-col column",
        )
    )
