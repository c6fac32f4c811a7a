"""``microsize prices`` and ``microsize positions``: live data from the venues (ccxt).

Registered on the command line's parser by :func:`add_commands`; ccxt is imported only
when a command runs (:mod:`microsize.venues_live`). Tests set :data:`EXCHANGE_FACTORY`
(and :data:`NOW_MS`) to drive real ccxt objects with recorded answers.
"""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Sequence
from typing import Any

from ._errors import MicrosizeError
from .cli_args import csv_value, show_value, warn

__all__ = ["EXCHANGE_FACTORY", "NOW_MS", "add_commands", "csv_bytes"]

#: ``(ccxt_id, credentials) -> exchange``; None: real ccxt exchanges (tests replace it)
EXCHANGE_FACTORY: Any = None
#: the clock for "which bar is closed", ms since the epoch; None: the system clock
NOW_MS: int | None = None
TIMEFRAMES = ("1m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M")


def csv_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([[csv_value(v) for v in r] for r in rows])
    return buf.getvalue().encode("utf-8")


def _bars(text: str) -> int:
    try:
        n = int(text.strip())
    except ValueError:
        raise MicrosizeError(f"--bars must be a whole number of bars (got {text[:40]!r})") from None
    if not 2 <= n <= 100_000:
        raise MicrosizeError(f"--bars must be between 2 and 100000 (got {text[:40]!r})")
    return n


def _timeframe(text: str) -> str:
    if text not in TIMEFRAMES:
        raise MicrosizeError(
            f"--timeframe must be one of {', '.join(TIMEFRAMES)} (got {text[:20]!r})"
        )
    return text


def bases() -> dict[str, str | None]:
    """key -> base asset of every contract in the spec table (the default column names)."""
    from ._contracts import load_specs

    return {s.key.lower(): s.base for s in load_specs().filter(None)}


def download_prices(contracts: Sequence[str], timeframe: str, bars: int) -> Any:
    """The aligned history, with a progress line on stderr."""
    from . import venues_live

    progress = venues_live.stderr_progress()
    try:
        return venues_live.fetch_prices(
            contracts,
            timeframe=timeframe,
            bars=bars,
            now_ms=NOW_MS,
            exchange_factory=EXCHANGE_FACTORY,
            progress=progress,
            bases=bases(),
        )
    finally:
        progress.done()  # type: ignore[attr-defined]


def describe_history(history: Any) -> list[str]:
    first, last = history.stamp(history.times[0]), history.stamp(history.times[-1])
    lines = [f"{len(history.times)} closed {history.timeframe} bars, {first} to {last} (UTC)"]
    for name, key, gaps in zip(history.names, history.keys, history.gaps, strict=True):
        note = f"; blank in {gaps} rows (listed later, or a gap)" if gaps else ""
        lines.append(f"  {name}: {key}{note}")
    return lines


def _cmd_prices(args: argparse.Namespace) -> int:
    from .outfiles import write_atomic

    history = download_prices(args.contracts, _timeframe(args.timeframe), _bars(args.bars))
    write_atomic(args.csv, csv_bytes(history.csv_rows()))
    print(f"wrote {args.csv}: " + "\n".join(describe_history(history)))
    return 0


def _cmd_positions(args: argparse.Namespace) -> int:
    from . import venues_live
    from .outfiles import write_atomic

    account = venues_live.fetch_account(args.venue, exchange_factory=EXCHANGE_FACTORY)
    rows = account.csv_rows()
    if args.csv:
        write_atomic(args.csv, csv_bytes(rows))
    widths = [
        max(len(show_value(r[i]) if r[i] is not None else "") for r in rows) for i in range(5)
    ]
    if account.positions:
        for r in rows:
            cells = ["" if v is None else show_value(v) for v in r]
            print(
                "  ".join(
                    c.rjust(w) if i >= 2 else c.ljust(w)
                    for i, (c, w) in enumerate(zip(cells, widths, strict=True))
                ).rstrip()
            )
    else:
        print(f"{account.venue}: no open positions")
    print("contracts are signed (- short), in the venue's order unit (microsize specs shows it)")
    for cur, total in account.balances:
        print(f"balance {cur}: {show_value(total)}")
    print(f"account size (USD coins): {show_value(account.account_size)}")
    if args.csv:
        print(f"wrote {args.csv}")
    if account.refused:
        return warn("; ".join(account.refused))
    return 0


def add_commands(sub: Any) -> None:
    """Register ``microsize prices`` and ``microsize positions``."""
    p = sub.add_parser(
        "prices",
        help="download closed bars from the venues (ccxt, no key) into a CSV",
        description=(
            "Closed bars of each CONTRACT from its venue (public data, no API key), aligned on "
            "the bars' opening times (UTC): a row per time any contract has a bar, the last "
            "--bars of them; a contract without a bar at a time (listed later, or a gap) has "
            "blank cells there, and betas and ATRs skip rows with a blank. Columns: date, then "
            "per contract NAME (the close), NAME_high, NAME_low; NAME is the contract's base "
            "asset (BTC) unless given as NAME=exchange:symbol. Nothing is written unless every "
            "request succeeded."
        ),
        epilog="examples:\n  microsize prices binance:BTCUSDT binance:ETHUSDT --timeframe 1w "
        "--bars 104 --csv prices.csv",
    )
    p.add_argument("contracts", nargs="+", metavar="CONTRACT", help="[NAME=]exchange:symbol")
    p.add_argument("--timeframe", default="1d", help="bar length: 1h, 4h, 1d (default), 1w ...")
    p.add_argument("--bars", default="365", help="closed bars wanted (default 365)")
    p.add_argument("--csv", required=True, metavar="FILE", help="the CSV to write")
    p.set_defaults(func=_cmd_prices)

    p = sub.add_parser(
        "positions",
        help="open positions and balance of a venue account (ccxt, read-only key)",
        description=(
            "Open positions (signed contracts in the venue's own order unit, entry, mark) and "
            "the account's balance, read with a read-only API key from the environment: "
            "MICROSIZE_<VENUE>_API_KEY, MICROSIZE_<VENUE>_SECRET and, for OKX and Bitget, "
            "MICROSIZE_<VENUE>_PASSWORD (Hyperliquid: MICROSIZE_HYPERLIQUID_WALLET_ADDRESS). "
            "The account size is the total of the USD coins (USDT, USDC, USD ...)."
        ),
        epilog="examples:\n  microsize positions okx",
    )
    p.add_argument("venue", metavar="VENUE", help="binance, okx, bybit, deribit ...")
    p.add_argument("--csv", metavar="FILE", help="also write the positions as CSV")
    p.set_defaults(func=_cmd_positions)
