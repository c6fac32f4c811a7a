"""Live contract specs: load markets from the venues through ccxt, diff, write safely.

The edge of :mod:`microsize._refresh`: this module talks to the exchanges (through ccxt,
an optional extra: ``pip install "microsize[refresh]"``) and writes files; the mapping
and the diff are pure and live in the core.

Safety rules:

- each venue is loaded on its own; a network error, a timeout, an exchange error or a
  malformed market leaves that venue's rows exactly as they were, and the report says
  which venue failed and why; the other venues proceed;
- nothing is written unless asked (``apply``/``out``), and a table is written only after
  it passed the same validation as the loader, to a temporary file that then replaces
  the target (``os.replace``), so a reader never sees half a file.

The refresh stamps rows with :func:`microsize.clock.today` (the package's one clock);
``today`` here is that same function, kept importable for code written against it.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import clock
from ._contracts import (
    MarginTier,
    SpecTable,
    clear_spec_caches,
    tiers_from_rows,
    user_home,
)
from ._errors import MicrosizeError
from ._refresh import (
    ALL_LISTED,
    DOCUMENTED_ONLY,
    STAMP_FIELDS,
    TIER_VENUES,
    VENUE_CCXT,
    MalformedMarket,
    SpecDiff,
    diff_specs,
    diff_tiers,
    map_tiers,
    map_venue,
    merge_specs,
    merge_tiers,
    spec_csv_rows,
    tier_csv_rows,
)
from .clock import today as today

__all__ = [
    "INSTALL_HINT",
    "RefreshResult",
    "VenueReport",
    "ccxt_exchange",
    "check_venues",
    "describe_failure",
    "home_dir",
    "refresh_specs",
    "reload_tables",
    "today",
    "write_table",
    "write_tiers",
]

INSTALL_HINT = 'pip install "microsize[refresh]"'
#: ccxt options per venue: only the market types the table can hold.
CCXT_OPTIONS: dict[str, dict[str, Any]] = {
    "binance": {"fetchMarkets": {"types": ["linear", "inverse"]}, "fetchCurrencies": False},
    "bybit": {"fetchMarkets": {"types": ["linear", "inverse"]}},
    "okx": {"fetchMarkets": {"types": ["swap", "future"]}},
    "hyperliquid": {"fetchMarkets": {"types": ["swap"]}},
    "bitget": {"fetchMarkets": {"types": ["swap"]}},
    "gate": {"fetchMarkets": {"types": ["swap", "future"]}},
}


def reload_tables() -> None:
    """Forget every cached table, so the next call reads the user's files again: the
    package's one reset, :func:`microsize.clear_spec_caches`."""
    clear_spec_caches()


# ------------------------------------------------------------------------- exchanges
def _ccxt() -> Any:
    try:
        import ccxt
    except ImportError:
        raise MicrosizeError(
            f"refreshing specs needs ccxt, which is not installed: {INSTALL_HINT}"
        ) from None
    return ccxt


def ccxt_exchange(ccxt_id: str, *, timeout_s: float = 20.0) -> Any:
    """A ccxt exchange object with a timeout and the rate limiter on (no API keys)."""
    ccxt = _ccxt()
    cls = getattr(ccxt, ccxt_id, None)
    if cls is None:
        raise MicrosizeError(f"ccxt {ccxt.__version__} has no exchange {ccxt_id!r}")
    opts = CCXT_OPTIONS.get(ccxt_id, {})
    return cls({"timeout": int(timeout_s * 1000), "enableRateLimit": True, "options": opts})


def _ccxt_version(exchange: Any) -> str:
    """``ccxt <version>`` for the source column (an exchange may say its own, as fakes do;
    a real ccxt exchange's ``version`` is its API version, so it is not used)."""
    import sys

    version = getattr(exchange, "ccxt_version", None)
    if version is None:
        version = getattr(sys.modules.get("ccxt"), "__version__", None)
    return f"ccxt {version}" if version else "ccxt"


_KINDS = (  # ccxt error class names, most specific first, and what to call them
    ("RequestTimeout", "timed out"),
    ("AuthenticationError", "needs API keys"),
    ("PermissionDenied", "needs API keys"),
    ("NotSupported", "not supported by ccxt"),
    ("DDoSProtection", "rate limited"),
    ("ExchangeNotAvailable", "exchange not available"),
    ("NetworkError", "network error"),
    ("BadSymbol", "exchange error"),
    ("ExchangeError", "exchange error"),
)


def describe_failure(exc: BaseException) -> str:
    """A short reason for a failed venue, by ccxt's error class names (so fakes work).

    >>> class RequestTimeout(Exception): ...
    >>> describe_failure(RequestTimeout("binance GET https://fapi... timed out"))
    'timed out: binance GET https://fapi... timed out'
    """
    names = [c.__name__ for c in type(exc).__mro__]
    text = " ".join(str(exc).split())[:200] or type(exc).__name__
    if isinstance(exc, MalformedMarket):
        return f"malformed market: {text}"
    for name, label in _KINDS:
        if name in names:
            return f"{label}: {text}"
    if isinstance(exc, MicrosizeError):
        return text
    return f"unexpected {type(exc).__name__}: {text}"


def _needs_keys(exc: BaseException) -> bool:
    names = {c.__name__ for c in type(exc).__mro__}
    return bool(names & {"AuthenticationError", "PermissionDenied", "ArgumentsRequired"})


# ---------------------------------------------------------------------------- result
@dataclass(frozen=True)
class VenueReport:
    """How one venue went: ``ok`` False means its rows were kept as they were."""

    venue: str
    ok: bool
    message: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RefreshResult:
    """The refreshed tables, their diffs against the current ones, and a report per venue."""

    old: SpecTable
    table: SpecTable
    old_tiers: tuple[MarginTier, ...]
    tiers: tuple[MarginTier, ...]
    reports: tuple[VenueReport, ...]
    as_of: str
    diff: SpecDiff = field(init=False)
    tier_diff: SpecDiff = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "diff", diff_specs(self.old, self.table))
        object.__setattr__(self, "tier_diff", diff_tiers(self.old_tiers, self.tiers))

    @property
    def failed(self) -> list[str]:
        return [r.venue for r in self.reports if not r.ok]

    @property
    def all_failed(self) -> bool:
        return bool(self.reports) and all(not r.ok for r in self.reports)

    def visible_diff(self, *, stamps: bool = False) -> SpecDiff:
        """The spec diff, without the source/as-of re-stamps unless ``stamps``."""
        return diff_specs(self.old, self.table, ignore=() if stamps else STAMP_FIELDS)

    def visible_tier_diff(self, *, stamps: bool = False) -> SpecDiff:
        return diff_tiers(self.old_tiers, self.tiers, ignore=() if stamps else STAMP_FIELDS)


def _split_add(add: Iterable[str]) -> dict[str, list[str]]:
    """``venue:SYMBOL`` adds one contract; a bare venue name (or ``venue:*``) adds every
    perpetual the venue lists (:data:`ALL_LISTED`).

    >>> _split_add(["bitmex:ETHUSDT", "mexc", "gate:*"])
    {'bitmex': ['ETHUSDT'], 'mexc': ['*'], 'gate': ['*']}
    """
    out: dict[str, list[str]] = {}
    for key in add:
        ex, sep, sym = key.strip().partition(":")
        if not sep and ex.lower() in (*VENUE_CCXT, *DOCUMENTED_ONLY):
            sym = ALL_LISTED
        elif not sep or not ex or not sym.strip():
            raise MicrosizeError(
                f"add must be keys like bitmex:ETHUSDT or a venue like mexc (got {key!r})"
            )
        out.setdefault(ex.lower(), []).append(sym.strip())
    return out


def check_venues(names: Iterable[str]) -> list[str]:
    """Lower-case venue names, refused with the choices when a venue has no feed."""
    out = []
    for n in names:
        low = n.strip().lower()
        if low in DOCUMENTED_ONLY:
            raise MicrosizeError(
                f"exchange {n!r}: its rows stay as documented, there is no venue feed to "
                f"refresh them from (refreshable: {', '.join(VENUE_CCXT)})"
            )
        if low not in VENUE_CCXT:
            raise MicrosizeError(f"exchange must be one of {', '.join(VENUE_CCXT)} (got {n!r})")
        if low not in out:
            out.append(low)
    return out


# Long on purpose: the refresh sequence (fetch, map, diff, validate, write) kept in one readable order.
def refresh_specs(  # noqa: C901 (the refresh sequence (fetch, map, diff, validate, write) kept in one readable order)
    current: SpecTable,
    current_tiers: Sequence[MarginTier] = (),
    *,
    venues: Sequence[str] | None = None,
    add: Sequence[str] = (),
    prune: bool = False,
    as_of: str | None = None,
    exchange_factory: Callable[[str], Any] | None = None,
    timeout_s: float = 20.0,
) -> RefreshResult:
    """Load the venues' markets through ccxt and build the refreshed tables (nothing written).

    Parameters
    ----------
    current, current_tiers
        The tables to refresh (the user's or the bundled ones); rows of other venues,
        CME, Coinbase and the user's own contracts are carried over unchanged.
    venues : list of str, optional
        Our exchange names to refresh (default: every refreshable exchange in the table
        and in ``add``).
    add : list of str
        Keys to add from the venue, e.g. ``bitmex:ETHUSDT``; a bare venue name such as
        ``mexc`` (or ``mexc:*``) adds every perpetual that venue lists and the table lacks.
    prune : bool
        Drop rows of a refreshed venue that the venue no longer lists (default: keep them
        and report them; their as-of date is not renewed, so they turn stale).
    as_of : str, optional
        The refresh date stamped on refreshed rows (default :func:`microsize.clock.today`).
    exchange_factory : callable, optional
        ``ccxt_id -> exchange object`` with ``load_markets()`` (and
        ``fetch_leverage_tiers(symbols)`` where tiers are refreshed); the default builds
        real ccxt exchanges. Tests pass fakes.
    """
    stamp = as_of or clock.today().isoformat()
    adds = _split_add(add)
    check_venues(adds)
    if venues is None:
        chosen = [e.lower() for e in current.exchanges if e.lower() in VENUE_CCXT]
        chosen += [v for v in adds if v not in chosen]
    else:
        chosen = check_venues(venues)
        chosen += [v for v in check_venues(adds) if v not in chosen]
    if exchange_factory is None:
        _ccxt()  # fail once, clearly, when ccxt is missing

        def factory(ccxt_id: str) -> Any:
            return ccxt_exchange(ccxt_id, timeout_s=timeout_s)

        exchange_factory = factory
    tier_keys = {t.key.lower() for t in current_tiers}
    updates: list[Any] = []
    removed: list[str] = []
    new_tiers: dict[str, tuple[MarginTier, ...]] = {}
    reports: list[VenueReport] = []
    for venue in chosen:
        ccxt_id = VENUE_CCXT[venue]
        rows = [s for s in current.values() if s.exchange.lower() == venue]
        notes: list[str] = []
        try:
            exchange = exchange_factory(ccxt_id)
            markets = exchange.load_markets()
            if not isinstance(markets, Mapping | list) or not markets:
                raise MalformedMarket(f"{ccxt_id}: load_markets returned no markets")
            source = f"{_ccxt_version(exchange)} {ccxt_id} load_markets {stamp}"
            upd = map_venue(
                venue, markets, rows, add=adds.get(venue, ()), as_of=stamp, source=source
            )
        except Exception as exc:  # one bad venue never stops the others
            reports.append(VenueReport(venue, False, describe_failure(exc)))
            continue
        updates.extend(upd.specs)
        added = [s.key for s in upd.specs if s.key.lower() not in current]
        if added:
            shown = ", ".join(added[:8]) + (f" and {len(added) - 8} more" if len(added) > 8 else "")
            notes.append(f"added {len(added)}: {shown}")
        if upd.skipped:
            notes.append(
                f"not added, cannot be mapped ({len(upd.skipped)}): "
                + "; ".join(upd.skipped[:5])
                + (f"; and {len(upd.skipped) - 5} more" if len(upd.skipped) > 5 else "")
            )
        if upd.missing:
            if prune:
                removed.extend(upd.missing)
                notes.append(f"not listed by {ccxt_id}, removed: {', '.join(upd.missing)}")
            else:
                notes.append(f"not listed by {ccxt_id}, kept unchanged: {', '.join(upd.missing)}")
        if upd.inactive:
            notes.append(f"listed as not trading: {', '.join(upd.inactive)}")
        if venue in TIER_VENUES:
            wanted = [
                s for s in upd.specs if s.key.lower() in tier_keys or s.key.lower() not in current
            ]
            if wanted:
                notes.append(_refresh_tiers(venue, exchange, wanted, upd.markets, stamp, new_tiers))
        ok_msg = f"{len(upd.specs)} contract{'s' if len(upd.specs) != 1 else ''} refreshed"
        reports.append(VenueReport(venue, True, ok_msg, tuple(notes)))
    origin = f"{current.origin} refreshed {stamp}"
    table = merge_specs(current, updates, remove=removed, origin=origin)
    kept_tiers = [t for t in current_tiers if t.key.lower() not in {k.lower() for k in removed}]
    tiers = merge_tiers(kept_tiers, new_tiers)
    return RefreshResult(current, table, tuple(current_tiers), tiers, tuple(reports), stamp)


def _refresh_tiers(
    venue: str,
    exchange: Any,
    specs: Sequence[Any],
    markets: Mapping[str, Mapping[str, Any]],
    stamp: str,
    out: dict[str, tuple[MarginTier, ...]],
) -> str:
    """Fetch and map tiers; a failure here is a note, never a failure of the specs."""
    symbols = [str(markets[s.key.lower()].get("symbol")) for s in specs]
    try:
        got = exchange.fetch_leverage_tiers(symbols)
        source = f"{_ccxt_version(exchange)} {VENUE_CCXT[venue]} fetch_leverage_tiers {stamp}"
        mapped = {}
        for spec, sym in zip(specs, symbols, strict=True):
            tiers = got.get(sym) if isinstance(got, Mapping) else None
            if not tiers:
                raise MalformedMarket(f"no tiers returned for {spec.key}")
            mapped[spec.key.lower()] = map_tiers(venue, spec, tiers, as_of=stamp, source=source)
    except Exception as exc:
        if _needs_keys(exc):
            return (
                f"tiers not refreshed: {VENUE_CCXT[venue]} serves margin tiers only with "
                "API keys; current tiers kept"
            )
        return f"tiers not refreshed ({describe_failure(exc)}); current tiers kept"
    out.update(mapped)
    return f"tiers refreshed for {', '.join(s.key for s in specs)}"


# --------------------------------------------------------------------------- writing
def _csv_text(rows: Sequence[Sequence[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(table: SpecTable, path: str | os.PathLike[str]) -> Path:
    """Write a spec table as CSV, validated first, atomically (temp file + os.replace)."""
    target = Path(path).expanduser()
    rows = spec_csv_rows(table)
    SpecTable.from_rows(rows, origin=str(target))  # the loader's own validation
    _atomic_write(target, _csv_text(rows))
    return target


def write_tiers(tiers: Sequence[MarginTier], path: str | os.PathLike[str]) -> Path:
    """Write margin tiers as CSV, validated first, atomically."""
    target = Path(path).expanduser()
    rows = tier_csv_rows(tiers)
    tiers_from_rows(rows, str(target))
    _atomic_write(target, _csv_text(rows))
    return target


def home_dir(home: str | os.PathLike[str] | None = None) -> Path:
    """The user-table directory: ``home`` if given, else ``$MICROSIZE_HOME`` or ~/.microsize."""
    return Path(home).expanduser() if home is not None else user_home()
