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
TIMEFRAMES = ("1m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w")


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


def _writable(path: str) -> None:
    """Refuse a --csv that cannot be written (a folder, a missing folder) before downloading."""
    from pathlib import Path

    from .outfiles import show_path

    target = Path(path)
    if target.is_dir():
        raise MicrosizeError(f"--csv {show_path(path)} is a folder: give a file name")
    if not target.parent.is_dir():
        raise MicrosizeError(
            f"--csv {show_path(path)}: folder {show_path(target.parent)} does not exist"
        )


def _cmd_prices(args: argparse.Namespace) -> int:
    from .outfiles import write_atomic

    _writable(args.csv)  # before any download
    history = download_prices(args.contracts, _timeframe(args.timeframe), _bars(args.bars))
    write_atomic(args.csv, csv_bytes(history.csv_rows()))
    print(f"wrote {args.csv}: " + "\n".join(describe_history(history)))
    return 0


def _cmd_positions(args: argparse.Namespace) -> int:
    from . import venues_live
    from .outfiles import write_atomic

    if args.csv:
        _writable(args.csv)
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
            "MICROSIZE_<VENUE>_API_KEY, MICROSIZE_<VENUE>_SECRET and, for OKX, Bitget and WEEX, "
            "MICROSIZE_<VENUE>_PASSWORD (Hyperliquid: MICROSIZE_HYPERLIQUID_WALLET_ADDRESS). "
            "The account size is the total of the USD coins (USDT, USDC, USD ...)."
        ),
        epilog="examples:\n  microsize positions okx",
    )
    p.add_argument("venue", metavar="VENUE", help="binance, okx, bybit, deribit ...")
    p.add_argument("--csv", metavar="FILE", help="also write the positions as CSV")
    p.set_defaults(func=_cmd_positions)


# ------------------------------------------------------------------ workbook updates
def add_workbook_options(p: Any) -> None:
    """The options of ``workbook update-prices`` and ``workbook update-holdings``."""
    p.add_argument("--timeframe", default="1d", help="update-prices: bar length (default 1d)")
    p.add_argument("--bars", default="365", help="update-prices: closed bars (default 365)")
    p.add_argument(
        "--bars-from",
        metavar="NAME",
        help="update-prices: the contract whose bars fill the Bars table (default the first)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="update-prices, update-holdings: print what would change, write nothing",
    )


def with_workbook_updates(command: Any) -> Any:
    """``command`` (``microsize workbook``) that hands update-prices and update-holdings here."""

    def run(args: argparse.Namespace) -> int:
        target = list(args.target)
        if target and target[0] in ("update-prices", "update-holdings"):
            return workbook_update(target, args)
        return int(command(args))

    return run


def _book(path: str) -> str:
    from pathlib import Path

    from .outfiles import show_path

    if not Path(path).is_file():
        raise MicrosizeError(f"book must be an existing workbook file (got {show_path(path)})")
    return path


def workbook_update(target: list[str], args: argparse.Namespace) -> int:
    """``workbook update-prices BOOK CONTRACT...`` / ``update-holdings BOOK VENUE...``."""
    if len(target) < 3:
        what = "CONTRACT..." if target[0] == "update-prices" else "VENUE..."
        raise MicrosizeError(f"usage: microsize workbook {target[0]} BOOK {what} [--dry-run]")
    book = _book(target[1])
    if target[0] == "update-prices":
        return _update_prices(book, target[2:], args)
    return _update_holdings(book, target[2:], args)


def _update_prices(book: str, contracts: list[str], args: argparse.Namespace) -> int:
    from . import venues_live
    from ._refresh import VENUE_CCXT
    from .workbook._ooxml import label_cells
    from .workbook.update import (
        FUNDING_CONTRACT,
        FUNDING_SHEET,
        check_price_columns,
        update_prices,
    )

    names = [w.name for w in venues_live.parse_contracts(contracts, bases())]
    check_price_columns(book, names)  # before any download
    if args.bars_from and args.bars_from.lower() not in [n.lower() for n in names]:
        raise MicrosizeError(
            f"--bars-from must be one of {', '.join(names)} (got {args.bars_from[:40]!r})"
        )
    history = download_prices(contracts, _timeframe(args.timeframe), _bars(args.bars))
    prices: list[list[Any]] = [["Date", *history.names]]
    for i, t in enumerate(history.times):
        prices.append(
            [history.stamp(t)] + [None if s[i] is None else s[i][2] for s in history.bars]
        )
    chosen = args.bars_from or history.names[0]
    lowered = [n.lower() for n in history.names]
    if chosen.lower() not in lowered:
        raise MicrosizeError(
            f"--bars-from must be one of {', '.join(history.names)} (got {chosen!r})"
        )
    col = lowered.index(chosen.lower())
    bars: list[list[Any]] = [["High", "Low", "Close"]]
    bars += [list(b) for b in history.bars[col] if b is not None]
    funding = None
    from pathlib import Path

    margin = label_cells(Path(book), FUNDING_SHEET, FUNDING_CONTRACT)
    key = str(margin[0][1] or "").strip() if margin else ""
    if key.partition(":")[0].lower() in VENUE_CCXT:
        got = venues_live.fetch_funding([key], exchange_factory=EXCHANGE_FACTORY)
        rate, when = got[key]
        funding = (key, rate, when or "not given")
    key_of = history.keys[col]
    report = update_prices(
        book,
        prices,
        bars,
        funding=funding,
        source=f"; {history.timeframe} closes from {', '.join(history.keys)}",
        note=f"{history.timeframe} closes of {', '.join(history.keys)} from the venues "
        f"(microsize workbook update-prices), {describe_history(history)[0].split(', ', 1)[1]}, "
        "oldest first; a blank: no bar then (listed later, or a gap).",
        backup=args.backup,
        dry_run=args.dry_run,
    )
    print("\n".join(describe_history(history)))
    print(f"Bars from {chosen} ({key_of})")
    if funding is None and key:
        print(f"{FUNDING_SHEET} sheet: {key} is not served by ccxt, funding rate left as is")
    print("\n".join(report.lines()))
    return 0


def _update_holdings(book: str, venues: list[str], args: argparse.Namespace) -> int:
    from pathlib import Path

    from . import venues_live
    from ._contracts import load_specs
    from .workbook._ooxml import table_values_named
    from .workbook.update import unsigned_exposure, update_holdings

    accounts = [venues_live.fetch_account(v, exchange_factory=EXCHANGE_FACTORY) for v in venues]
    refused = [r for a in accounts for r in a.refused]
    if refused:
        raise MicrosizeError("; ".join(refused) + "; nothing written")
    if unsigned_exposure(book):
        table = {s.key.lower(): s for s in load_specs().filter(None)}
        odd = [
            p.key + (" (short)" if p.contracts < 0 else f" ({table[p.key.lower()].kind})")
            for a in accounts
            for p in a.positions
            if p.contracts < 0 or getattr(table.get(p.key.lower()), "kind", "linear") != "linear"
        ]
        if odd:
            raise MicrosizeError(
                f"this workbook values holdings with MF_NOTIONAL, which counts a short as long "
                f"and an inverse contract in coin: {', '.join(odd[:6])} would be wrong there. "
                "Write a new template (microsize workbook NEW.xlsm) and update that; nothing written"
            )
    rows: list[list[Any]] = [["Holding", "Asset", "Contract", "Contracts", "Price"]]
    for a in accounts:
        for p in a.positions:
            side = "long" if p.contracts > 0 else "short"
            rows.append([f"{p.key} {side}", p.base, p.key, p.contracts, p.mark or p.entry])
    size = sum(a.account_size for a in accounts)
    if len(rows) == 1:
        print(f"no open positions on {', '.join(venues)}: the Holdings table is left as it was")
    report = update_holdings(
        book, rows if len(rows) > 1 else None, size, backup=args.backup, dry_run=args.dry_run
    )
    for a in accounts:
        money = ", ".join(f"{c} {show_value(v)}" for c, v in a.balances) or "none"
        print(f"{a.venue}: {len(a.positions)} open positions; balance {money}")
    print(f"account size (USD coins): {show_value(size)}")
    header = {str(h).strip().lower() for h in table_values_named(Path(book), "Prices")[0]}
    missing = sorted({str(r[1]) for r in rows[1:] if str(r[1]).lower() not in header})
    if missing:
        print(
            f"the Prices table has no column for {', '.join(missing)}: their betas are n/a "
            "until microsize workbook update-prices adds one"
        )
    print("\n".join(report.lines()))
    return 0
