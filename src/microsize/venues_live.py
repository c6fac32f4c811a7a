"""Live data from the venues through ccxt: price history, funding, open positions, balance.

The edge of the package that talks to the exchanges for the user's own data (the spec
refresh, :mod:`microsize.refresh`, talks to them for the contract table). ccxt is the
optional ``refresh`` extra; every function here takes an ``exchange_factory`` so the
tests drive real ccxt exchange objects with recorded HTTP answers and no network.

Rules:

- **Prices** need no key. Bars are fetched page by page (``fetch_ohlcv`` with ``since``)
  until the current bar, with ccxt's rate limiter on; the bar still forming (its period
  not over at ``now``) is dropped, so every row is a closed bar. Contracts are aligned on
  the bars' opening times (UTC): the rows are the union of every contract's times, oldest
  first, the last ``bars`` of them kept; a contract without a bar at a time (listed later,
  or a gap in the venue's history) has blank cells in that row, and betas and ATRs skip a
  row with a blank (pairwise). Any failed request fails the whole download: nothing is
  written.
- **Positions and balance** need a read-only API key, read from environment variables
  (:func:`key_variables`) or, when the ``keyring`` package is importable, from the OS
  keyring (service ``microsize``, user ``VENUE_api_key`` and so on). Keys are never
  written anywhere and every message that leaves this module is scrubbed of them
  (:func:`scrub`): ccxt's error texts may carry request URLs (signed query strings) and
  response bodies.
- **Units**: a position is counted in the venue's own order unit (docs/CONVENTIONS.md,
  Units), the number typed into that venue's order form. ccxt's ``contracts`` is that
  number on the venues listed in :data:`CONTRACTS_ARE_ORDER_UNITS` (checked against
  recorded answers); elsewhere it is taken only when the market's ccxt ``contractSize``
  equals the spec table's ``contract_size`` (both then count the same contracts), and the
  position is refused otherwise, never converted by a guess.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._errors import MicrosizeError
from ._refresh import DOCUMENTED_ONLY, VENUE_CCXT, market_symbol

__all__ = [
    "CONTRACTS_ARE_ORDER_UNITS",
    "Account",
    "Position",
    "PriceHistory",
    "fetch_account",
    "fetch_funding",
    "fetch_prices",
    "key_variables",
    "scrub",
]

#: Venues where ccxt's position ``contracts`` is the venue's own order unit, verified on
#: recorded answers (tests/test_live.py): Binance USDⓈ-M (coin) and COIN-M (contracts),
#: OKX (contracts), Deribit (USD), Bybit (coin for linear, USD for inverse).
CONTRACTS_ARE_ORDER_UNITS = ("binance", "okx", "deribit", "bybit")
#: ccxt credential name -> the suffix of its environment variable.
CREDENTIAL_SUFFIX = {
    "apiKey": "API_KEY",
    "secret": "SECRET",
    "password": "PASSWORD",
    "uid": "UID",
    "walletAddress": "WALLET_ADDRESS",
    "privateKey": "PRIVATE_KEY",
}
#: Credentials needed to read positions, where ccxt's requiredCredentials ask for more
#: (Hyperliquid reads a wallet's positions with its address; the private key signs orders).
READ_CREDENTIALS = {"hyperliquid": ("walletAddress",)}
#: Private calls per venue: the market type of each call (a call per margin family).
PRIVATE_CALLS: dict[str, tuple[dict[str, Any], ...]] = {
    "binance": ({"type": "swap", "subType": "linear"}, {"type": "swap", "subType": "inverse"}),
    "bybit": ({"type": "swap", "subType": "linear"}, {"type": "swap", "subType": "inverse"}),
}
#: Currencies counted in the account size (worth one US dollar each); others are listed.
USD_COINS = ("USDT", "USDC", "USD", "FDUSD", "BUSD", "DAI", "USDE")
#: Bars asked for in one request (a venue returns at most its own limit; pages continue).
PAGE = 1000
INSTALL_HINT = 'pip install "microsize[refresh]"'

Factory = Callable[[str, Mapping[str, str] | None], Any]
Progress = Callable[[str], None]


# --------------------------------------------------------------------------- secrets
def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without secrets, URL query strings (signatures) or header dumps, in one line.

    >>> scrub("binance GET https://fapi.binance.com/fapi/v2/account?timestamp=1&signature=ab "
    ...       "{'X-MBX-APIKEY': 'k3y'}", ["k3y"])
    'binance GET https://fapi.binance.com/fapi/v2/account?... {***}'
    """
    out = " ".join(str(text).split())
    for s in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        out = out.replace(s, "***")
    out = re.sub(r"(https?://[^\s?#'\"]+)\?[^\s'\"]*", r"\1?...", out)
    header = r"""['"][\w-]*(?:KEY|SIGN|PASSPHRASE|AUTHORIZATION|TOKEN|SECRET)[\w-]*['"]\s*:"""
    out = re.sub(r"\{[^{}]*" + header + r"[^{}]*\}", "{***}", out, flags=re.I)
    return out[:300]


def key_variables(venue: str, names: Sequence[str] = ("apiKey", "secret")) -> list[str]:
    """The environment variables holding ``venue``'s credentials.

    >>> key_variables("okx", ["apiKey", "secret", "password"])
    ['MICROSIZE_OKX_API_KEY', 'MICROSIZE_OKX_SECRET', 'MICROSIZE_OKX_PASSWORD']
    """
    return [f"MICROSIZE_{venue.upper()}_{CREDENTIAL_SUFFIX[n]}" for n in names]


def _keyring_value(venue: str, name: str) -> str | None:
    import importlib

    try:
        keyring: Any = importlib.import_module("keyring")  # optional: only if installed
    except ImportError:
        return None
    try:
        value = keyring.get_password("microsize", f"{venue}_{CREDENTIAL_SUFFIX[name].lower()}")
    except Exception:  # a keyring without a backend: as if it held nothing
        return None
    return value or None


def credentials(
    venue: str, needed: Sequence[str], environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The credentials ``needed`` for ``venue``, from the environment or the OS keyring;
    refused in one line naming the variables when one is missing."""
    env = os.environ if environ is None else environ
    found: dict[str, str] = {}
    missing: list[str] = []
    for name, var in zip(needed, key_variables(venue, needed), strict=True):
        value = (env.get(var) or "").strip() or _keyring_value(venue, name)
        if value:
            found[name] = value
        else:
            missing.append(var)
    if missing:
        raise MicrosizeError(
            f"{venue} positions need a read-only API key: set {', '.join(missing)} "
            "(see README, Live data)"
        )
    return found


# ------------------------------------------------------------------------- exchanges
def _ccxt() -> Any:
    try:
        import ccxt
    except ImportError:
        raise MicrosizeError(
            f"live data needs ccxt, which is not installed: {INSTALL_HINT}"
        ) from None
    return ccxt


def ccxt_id(venue: str) -> str:
    low = venue.strip().lower()
    if low in DOCUMENTED_ONLY:
        raise MicrosizeError(
            f"{venue!r} is not served by ccxt: give its prices or positions as a CSV "
            f"(venues: {', '.join(VENUE_CCXT)})"
        )
    if low not in VENUE_CCXT:
        raise MicrosizeError(f"exchange must be one of {', '.join(VENUE_CCXT)} (got {venue!r})")
    return VENUE_CCXT[low]


def make_exchange(
    ccxt_name: str, creds: Mapping[str, str] | None = None, *, timeout_s: float = 20.0
) -> Any:
    """A real ccxt exchange: a timeout, the rate limiter on, swaps by default, keys if given."""
    from .refresh import CCXT_OPTIONS

    ccxt = _ccxt()
    cls = getattr(ccxt, ccxt_name, None)
    if cls is None:
        raise MicrosizeError(f"ccxt {ccxt.__version__} has no exchange {ccxt_name!r}")
    opts = {**CCXT_OPTIONS.get(ccxt_name, {}), "defaultType": "swap"}
    config: dict[str, Any] = {
        "timeout": int(timeout_s * 1000),
        "enableRateLimit": True,
        "options": opts,
    }
    config.update(creds or {})
    return cls(config)


_KINDS = (  # ccxt error class names, most specific first
    ("BadSymbol", "unknown symbol"),
    ("RequestTimeout", "timed out"),
    ("AuthenticationError", "the key was refused"),
    ("PermissionDenied", "the key may not read this"),
    ("RateLimitExceeded", "rate limited, try again later"),
    ("DDoSProtection", "rate limited, try again later"),
    ("ExchangeNotAvailable", "exchange not available"),
    ("NetworkError", "no connection to the venue"),
    ("NotSupported", "not supported by ccxt"),
    ("ExchangeError", "exchange error"),
)


def failure(exc: BaseException, what: str, secrets: Iterable[str] = ()) -> MicrosizeError:
    """One line for a failed request, by ccxt's error class names, scrubbed of secrets."""
    if isinstance(exc, MicrosizeError):
        return MicrosizeError(scrub(f"{what}: {exc}", secrets))
    names = [c.__name__ for c in type(exc).__mro__]
    label = next((lab for name, lab in _KINDS if name in names), f"unexpected {type(exc).__name__}")
    detail = scrub(str(exc), secrets)[:160]
    return MicrosizeError(
        f"{what}: {label}" + (f" ({detail})" if detail else "") + "; nothing written"
    )


# ------------------------------------------------------------------------ contracts
@dataclass(frozen=True)
class Wanted:
    """One contract asked for: its column name, our key, the venue."""

    name: str
    key: str
    venue: str


def parse_contracts(items: Sequence[str], bases: Mapping[str, str | None]) -> list[Wanted]:
    """``[NAME=]exchange:symbol`` items; NAME defaults to the spec table's base asset
    (``bases``: key -> base), else the symbol. Two contracts with one name are refused.

    >>> [w.name for w in parse_contracts(["binance:BTCUSDT", "E=okx:ETH-USDT-SWAP"], {})]
    ['BTCUSDT', 'E']
    """
    out: list[Wanted] = []
    for item in items:
        name, eq, key = item.strip().rpartition("=")
        venue, sep, symbol = key.strip().partition(":")
        if not sep or not venue or not symbol.strip():
            raise MicrosizeError(
                f"contract must be exchange:symbol, e.g. binance:BTCUSDT (got {item!r})"
            )
        ccxt_id(venue)
        key = f"{venue.strip().lower()}:{symbol.strip()}"
        if not eq:
            name = bases.get(key.lower()) or symbol.strip()
        name = name.strip()
        if not name or re.search(r"[\[\]#'\",]", name):
            raise MicrosizeError(f"column name {name!r} of {item!r}: letters, digits, _ or - only")
        out.append(Wanted(name, key, venue.strip().lower()))
    seen: dict[str, str] = {}
    for w in out:
        if w.name.lower() in seen:
            raise MicrosizeError(
                f"{seen[w.name.lower()]} and {w.key} are both named {w.name}: name one, "
                f"e.g. {w.name}_{w.venue}={w.key}"
            )
        seen[w.name.lower()] = w.key
    return out


def find_market(exchange: Any, venue: str, symbol: str) -> dict[str, Any]:
    """The ccxt market of our ``symbol`` (the venue's own id), loading the markets once."""
    markets = exchange.load_markets()
    for m in (markets or {}).values():
        ours = isinstance(m, Mapping) and (market_symbol(venue, m) or "").lower() == symbol.lower()
        if ours and m.get("contract"):
            return dict(m)
    raise MicrosizeError(f"{venue}:{symbol}: unknown symbol, {venue} lists no such contract")


# --------------------------------------------------------------------------- prices
@dataclass(frozen=True)
class PriceHistory:
    """Closed bars of several contracts on one time axis (oldest first)."""

    timeframe: str
    names: tuple[str, ...]
    keys: tuple[str, ...]
    times: tuple[int, ...]  # bar opening times, ms since the epoch, UTC
    # per contract: (high, low, close) per row, None where the contract has no bar
    bars: tuple[tuple[tuple[float, float, float] | None, ...], ...]
    gaps: tuple[int, ...] = field(default=())  # blank rows per contract

    def stamp(self, t: int) -> str:
        when = dt.datetime.fromtimestamp(t / 1000, tz=dt.UTC)
        if when.hour == when.minute == 0:
            return when.date().isoformat()
        return when.strftime("%Y-%m-%dT%H:%MZ")

    def csv_rows(self) -> list[list[Any]]:
        """``date`` then per contract its close (named NAME), ``NAME_high``, ``NAME_low``."""
        header: list[Any] = ["date"]
        for n in self.names:
            header += [n, f"{n}_high", f"{n}_low"]
        rows: list[list[Any]] = [header]
        for i, t in enumerate(self.times):
            row: list[Any] = [self.stamp(t)]
            for series in self.bars:
                b = series[i]
                row += [None, None, None] if b is None else [b[2], b[0], b[1]]
            rows.append(row)
        return rows


def _bar(raw: Any, what: str) -> tuple[int, float, float, float]:
    try:
        t, h, lo, c = int(raw[0]), float(raw[2]), float(raw[3]), float(raw[4])
    except (TypeError, ValueError, IndexError):
        raise MicrosizeError(
            f"{what}: the venue returned a malformed bar {str(raw)[:60]}; nothing written"
        ) from None
    if not all(math.isfinite(x) and x > 0 for x in (h, lo, c)) or h < lo or not lo <= c <= h:
        raise MicrosizeError(
            f"{what}: the venue returned an impossible bar {str(raw)[:80]}; nothing written"
        )
    return t, h, lo, c


def _download(
    exchange: Any,
    market: Mapping[str, Any],
    w: Wanted,
    timeframe: str,
    bars: int,
    now_ms: int,
    progress: Progress,
) -> dict[int, tuple[float, float, float]]:
    """Every closed bar of one contract from ``bars`` periods back, page by page."""
    step = int(exchange.parse_timeframe(timeframe) * 1000)
    cursor = now_ms - (bars + 1) * step
    out: dict[int, tuple[float, float, float]] = {}
    for _ in range(bars + 50):  # every page adds a bar or ends the loop: a safety net only
        page = exchange.fetch_ohlcv(market["symbol"], timeframe, since=cursor, limit=PAGE)
        fresh = [_bar(b, w.key) for b in page or []]
        fresh = [b for b in fresh if b[0] >= cursor and b[0] not in out]
        for t, h, lo, c in fresh:
            if t + step <= now_ms:  # the bar still forming is not a bar yet
                out[t] = (h, lo, c)
        progress(f"{w.key}: {min(len(out), bars)} of {bars} bars")
        if not fresh:
            break
        last = max(b[0] for b in fresh)
        if last + step > now_ms - step:
            break
        cursor = last + 1
    else:
        raise MicrosizeError(
            f"{w.key}: the venue kept returning pages without reaching now; nothing written"
        )
    return out


def fetch_prices(
    items: Sequence[str],
    *,
    timeframe: str = "1d",
    bars: int = 365,
    now_ms: int | None = None,
    exchange_factory: Factory | None = None,
    progress: Progress | None = None,
    bases: Mapping[str, str | None] | None = None,
) -> PriceHistory:
    """Closed bars of each contract (public data, no key), aligned as the module says."""
    if bars < 2:
        raise MicrosizeError(f"--bars must be at least 2 (got {bars})")
    wanted = parse_contracts(items, bases or {})
    make = exchange_factory or (lambda cid, creds: make_exchange(cid, creds))
    if exchange_factory is None:
        _ccxt()
    now = int(time.time() * 1000) if now_ms is None else now_ms
    say = progress or (lambda text: None)
    exchanges: dict[str, Any] = {}
    series: list[dict[int, tuple[float, float, float]]] = []
    for w in wanted:
        cid = ccxt_id(w.venue)
        try:
            ex: Any = exchanges.get(cid) or exchanges.setdefault(cid, make(cid, None))
            if timeframe not in (getattr(ex, "timeframes", None) or {timeframe: 1}):
                raise MicrosizeError(
                    f"--timeframe {timeframe!r}: {cid} offers {', '.join(ex.timeframes)}"
                )
            market = find_market(ex, w.venue, w.key.partition(":")[2])
            got = _download(ex, market, w, timeframe, bars, now, say)
        except MicrosizeError:
            raise
        except Exception as exc:
            raise failure(exc, f"{w.key} prices") from None
        if not got:
            raise MicrosizeError(
                f"{w.key}: the venue returned no closed {timeframe} bars; nothing written"
            )
        series.append(got)
    times = sorted(set().union(*series))[-bars:]
    aligned = tuple(tuple(s.get(t) for t in times) for s in series)
    gaps = tuple(sum(b is None for b in col) for col in aligned)
    return PriceHistory(
        timeframe,
        tuple(w.name for w in wanted),
        tuple(w.key for w in wanted),
        tuple(times),
        aligned,
        gaps,
    )


def fetch_funding(
    keys: Sequence[str], *, exchange_factory: Factory | None = None
) -> dict[str, tuple[float, str | None]]:
    """The current funding rate per interval of each contract, with the next funding time."""
    make = exchange_factory or (lambda cid, creds: make_exchange(cid, creds))
    out: dict[str, tuple[float, str | None]] = {}
    for key in keys:
        venue, _, symbol = key.partition(":")
        cid = ccxt_id(venue)
        try:
            ex = make(cid, None)
            market = find_market(ex, venue.lower(), symbol)
            got = ex.fetch_funding_rate(market["symbol"])
        except MicrosizeError:
            raise
        except Exception as exc:
            raise failure(exc, f"{key} funding") from None
        rate = got.get("fundingRate") if isinstance(got, Mapping) else None
        if not isinstance(rate, int | float) or not math.isfinite(rate) or abs(rate) > 0.1:
            raise MicrosizeError(f"{key}: the venue returned no usable funding rate ({rate!r})")
        out[key] = (float(rate), got.get("fundingDatetime"))
    return out


# ------------------------------------------------------------------------ positions
@dataclass(frozen=True)
class Position:
    """One open position: signed contracts in the venue's order unit (- short)."""

    key: str
    base: str
    contracts: float
    entry: float | None
    mark: float | None


@dataclass(frozen=True)
class Account:
    """A venue's open positions and balance; ``refused`` are positions not converted."""

    venue: str
    positions: tuple[Position, ...]
    balances: tuple[tuple[str, float], ...]  # currency, total
    account_size: float  # the total of USD_COINS
    refused: tuple[str, ...] = ()

    def csv_rows(self) -> list[list[Any]]:
        rows: list[list[Any]] = [["contract", "asset", "contracts", "entry", "mark"]]
        rows += [[p.key, p.base, p.contracts, p.entry, p.mark] for p in self.positions]
        return rows


def _num(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def position_of(
    venue: str, raw: Mapping[str, Any], markets: Mapping[str, Any], specs: Mapping[str, Any]
) -> Position | str | None:
    """A ccxt position in our unit; a reason string when it cannot be converted safely."""
    contracts = _num(raw.get("contracts"))
    if not contracts:
        return None  # a closed or empty slot
    market = markets.get(str(raw.get("symbol"))) or {}
    symbol = market_symbol(venue, market) if market else None
    if symbol is None:
        return f"{raw.get('symbol')}: not in {venue}'s market list"
    key = f"{venue}:{symbol}"
    spec = specs.get(key.lower())
    if venue not in CONTRACTS_ARE_ORDER_UNITS:
        size = _num(market.get("contractSize"))
        ours = getattr(spec, "contract_size", None)
        if spec is None or size is None or not math.isclose(size, ours or 0.0, rel_tol=1e-9):
            return (
                f"{key}: ccxt's contract size {size} is not the table's "
                f"{ours if spec else '(not in the table)'}: position left out"
            )
    side = str(raw.get("side") or "").lower()
    if side not in ("long", "short"):
        return f"{key}: position side {side or 'missing'!r} is neither long nor short"
    signed = -abs(contracts) if side == "short" else abs(contracts)
    base = str(market.get("base") or getattr(spec, "base", "") or symbol)
    return Position(key, base, signed, _num(raw.get("entryPrice")), _num(raw.get("markPrice")))


def needed_credentials(venue: str, cid: str) -> tuple[str, ...]:
    """The credentials ccxt asks for to read ``venue``'s account (its requiredCredentials),
    except where reading needs less (:data:`READ_CREDENTIALS`)."""
    if venue in READ_CREDENTIALS:
        return READ_CREDENTIALS[venue]
    ccxt = _ccxt()
    cls = getattr(ccxt, cid, None)
    if cls is None:
        raise MicrosizeError(f"ccxt {ccxt.__version__} has no exchange {cid!r}")
    required = cls().requiredCredentials
    return tuple(n for n in CREDENTIAL_SUFFIX if required.get(n))


def fetch_account(
    venue: str,
    *,
    exchange_factory: Factory | None = None,
    environ: Mapping[str, str] | None = None,
    specs: Mapping[str, Any] | None = None,
) -> Account:
    """Open positions and the balance of ``venue`` with the user's read-only key."""
    cid = ccxt_id(venue)
    low = venue.strip().lower()
    creds = credentials(low, needed_credentials(low, cid), environ)
    secrets = list(creds.values())
    make = exchange_factory or (lambda cid, c: make_exchange(cid, c))
    table = specs if specs is not None else _spec_index()
    positions: list[Position] = []
    refused: list[str] = []
    totals: dict[str, float] = {}
    try:
        ex = make(cid, creds)
        markets = ex.load_markets()
        for params in PRIVATE_CALLS.get(low, ({},)):
            for raw in ex.fetch_positions(None, dict(params)) or []:
                got = position_of(low, raw, markets, table)
                if isinstance(got, Position):
                    positions.append(got)
                elif got:
                    refused.append(got)
        balance = ex.fetch_balance(dict(PRIVATE_CALLS.get(low, ({},))[0]))
    except MicrosizeError as exc:
        raise failure(exc, f"{low} positions", secrets) from None
    except Exception as exc:
        raise failure(exc, f"{low} positions", secrets) from None
    for cur, total in (balance.get("total") or {}).items():
        x = _num(total)
        if x:
            totals[str(cur)] = totals.get(str(cur), 0.0) + x
    size = sum(v for c, v in totals.items() if c.upper() in USD_COINS)
    return Account(low, tuple(positions), tuple(sorted(totals.items())), size, tuple(refused))


def _spec_index() -> dict[str, Any]:
    from ._contracts import load_specs

    return {s.key.lower(): s for s in load_specs().filter(None)}


def stderr_progress() -> Progress:
    """A one-line progress display on stderr (rewritten in place on a terminal)."""
    tty = sys.stderr.isatty()
    last = [""]

    def show(text: str) -> None:
        if tty:
            sys.stderr.write("\r" + text.ljust(len(last[0])))
            sys.stderr.flush()
        elif text.split(":")[0] != last[0].split(":")[0] and last[0]:
            print(last[0], file=sys.stderr)
        last[0] = text

    def done() -> None:
        if last[0]:
            sys.stderr.write("\n" if tty else last[0] + "\n")

    show.done = done  # type: ignore[attr-defined]
    return show
