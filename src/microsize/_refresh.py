"""Refreshing contract specs: ccxt's unified markets mapped into spec rows, and diffs.

Pure: market dictionaries (as ccxt's ``load_markets`` returns them) and tables in, spec
rows, tier rows and diffs out. No ccxt, no network, no files: the calls to the venues and
the writing live in :mod:`microsize.refresh`.

The mapping follows ccxt's market structure (``contractSize``, ``linear``/``inverse``,
``precision`` as step sizes, ``limits``) and overrides it where ccxt's generic value is
not the value of one unit of the venue's order quantity:

==============  ==========================================================================
venue           what the mapping does beyond ccxt's generic fields
==============  ==========================================================================
binance         contractSize as is (1 for USDⓈ-M, 100/10 USD for COIN-M); leverage, mmr
                and fees kept (exchangeInfo has none; ccxt's fees are its defaults)
bybit           inverse contracts are 1 USD each (ccxt reports minOrderQty as the size)
okx             contractSize = ctVal, contracts of ctVal
deribit         orders are USD amounts: size 1 USD, lot = the instrument's contract_size,
                minimum = min_trade_amount, max leverage from the instrument
bitmex          from the raw instrument (``info``): quanto multiplier in the settlement
                coin, inverse 1 USD, linear 1 / underlyingToPositionMultiplier; lotSize,
                tickSize, 1 / initMargin, maintMargin, maker/taker fees
kraken          PF_ in base units, PI_ 1 USD; leverage and mmr from marginLevels[0]
hyperliquid     lot 10^-szDecimals, no fixed tick, mmr = 1 / (2 x max leverage), quote USD
mexc            orders (``vol``) count contracts: contracts of contractSize coin, lot volUnit,
                minimum minVol; fees and mmr from the contract itself
gate            orders (``size``) count contracts: contracts of quanto_multiplier coin; mmr
                = maintenance_rate; ccxt's fees are its own defaults, so none are taken
bingx           quantity in coin (contractSize 1); fees from the contract itself (ccxt's are
                its defaults); its leverage field is per account, so it is not taken
weex            quantity in coin: ccxt's contractSize is contractVal, the coin step, while
                ccxt sends the coin amount, so size 1 and lot = contractVal
bitget          quantity in coin (contractSize 1), lot sizeMultiplier, fees of the contract
==============  ==========================================================================

Coin-margined (inverse) contracts of these five venues are refused rather than mapped on
a guess: on BingX, WEEX and Bitget they also take a coin quantity, which an inverse row
(one unit = a fixed USD amount) cannot hold, and on MEXC and Gate their unit is not
verified here.

Fields a venue does not give keep the table's current value. CME and Coinbase
Derivatives rows have no venue feed here and stay as documented.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ._contracts import (
    SPEC_COLUMNS,
    TIER_COLUMNS,
    ContractSpec,
    MarginTier,
    SpecTable,
    tiers_from_rows,
)
from ._errors import MicrosizeError
from ._spec_diff import DIFF_HEADER as DIFF_HEADER
from ._spec_diff import STAMP_FIELDS as STAMP_FIELDS
from ._spec_diff import Change as Change
from ._spec_diff import SpecDiff as SpecDiff
from ._spec_diff import diff_specs as diff_specs
from ._spec_diff import diff_tiers as diff_tiers
from ._spec_table import spec_from_record

__all__ = [
    "ALL_LISTED",
    "DIFF_HEADER",
    "DOCUMENTED_ONLY",
    "STAMP_FIELDS",
    "TIER_VENUES",
    "VENUE_CCXT",
    "Change",
    "MalformedMarket",
    "SpecDiff",
    "VenueUpdate",
    "diff_specs",
    "diff_tiers",
    "map_market",
    "map_tiers",
    "map_venue",
    "market_symbol",
    "merge_specs",
    "merge_tiers",
    "spec_csv_rows",
    "tier_csv_rows",
]

#: Our exchange name -> the ccxt exchange id whose markets refresh it.
VENUE_CCXT = {
    "binance": "binance",
    "bybit": "bybit",
    "okx": "okx",
    "deribit": "deribit",
    "bitmex": "bitmex",
    "kraken": "krakenfutures",
    "hyperliquid": "hyperliquid",
    "mexc": "mexc",
    "bingx": "bingx",
    "weex": "weex",
    "bitget": "bitget",
    "gate": "gate",
}
#: Exchanges whose rows stay as documented (no public feed mapped here).
DOCUMENTED_ONLY = ("cme", "coinbase")
#: Venues whose margin tiers are refreshed, with verified units (see :func:`map_tiers`).
TIER_VENUES = ("binance", "kraken")
#: Venues whose maker/taker fees come from the instrument itself; elsewhere ccxt's
#: per-market fees are its own default schedule, so the table's value is kept.
FEES_FROM_VENUE = ("deribit", "bitmex", "mexc", "bingx", "weex", "bitget")
#: Venues whose coin-margined contracts are not mapped: a coin quantity (BingX, WEEX,
#: Bitget) or a unit not verified (MEXC, Gate).
NO_INVERSE_VENUES = ("mexc", "gate", "bingx", "weex", "bitget")
#: ``--add VENUE`` (or ``VENUE:*``): every listed perpetual of the venue.
ALL_LISTED = "*"


class MalformedMarket(MicrosizeError):
    """A market structure the mapping cannot trust (missing or non-positive size, ...)."""


# --------------------------------------------------------------------------- mapping
def _f(value: Any, what: str, *, positive: bool = True) -> float | None:
    """A number from a market field (ccxt numbers, or the venue's strings in ``info``)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MalformedMarket(f"{what} is not a number (got {value!r})")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise MalformedMarket(f"{what} is not a number (got {value!r})") from None
    if not math.isfinite(x):
        raise MalformedMarket(f"{what} is not a finite number (got {value!r})")
    if positive and x <= 0:
        raise MalformedMarket(f"{what} must be positive (got {value!r})")
    return x


def _need(value: float | None, what: str) -> float:
    if value is None:
        raise MalformedMarket(f"{what} is missing")
    return value


def _g(x: float) -> str:
    """A plain decimal for text: 0.000001, not 1e-06."""
    return _cell(x)


def market_symbol(venue: str, market: Mapping[str, Any]) -> str | None:
    """Our symbol for a ccxt market: the venue's own id (``BTCUSDT``, ``PF_XBTUSD``),
    except Hyperliquid, whose ccxt id is an asset number and whose name is the coin.

    >>> market_symbol("okx", {"id": "BTC-USDT-SWAP"})
    'BTC-USDT-SWAP'
    >>> market_symbol("hyperliquid", {"id": "0", "baseName": "BTC", "base": "BTC"})
    'BTC'
    """
    if venue == "hyperliquid":
        name = market.get("baseName") or market.get("base")
        return str(name) if name else None
    mid = market.get("id")
    return str(mid) if mid else None


def _is_derivative(market: Mapping[str, Any]) -> bool:
    return bool(market.get("contract")) and market.get("type") in ("swap", "future")


def _kind(market: Mapping[str, Any], what: str) -> str:
    if market.get("linear") is True:
        return "linear"
    if market.get("inverse") is True:
        return "inverse"
    raise MalformedMarket(
        f"{what}: neither linear nor inverse "
        f"(linear={market.get('linear')!r}, inverse={market.get('inverse')!r})"
    )


def _nested(market: Mapping[str, Any], *path: str) -> Any:
    node: Any = market
    for p in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(p)
    return node


def _bitmex(market: Mapping[str, Any], what: str) -> dict[str, Any]:
    """BitMEX from the raw instrument: ccxt's contractSize for BitMEX has changed meaning
    between versions (the raw multiplier, multiplier / lotSize) and is not the value of
    one contract. Multipliers are in the settlement currency's smallest unit (XBt =
    1e-8 XBT, USDt = 1e-6 USDT)."""
    info = market.get("info")
    if not isinstance(info, Mapping):
        raise MalformedMarket(f"{what}: no raw instrument (info)")
    settle_scale = {"xbt": 1e8, "usdt": 1e6}.get(str(info.get("settlCurrency", "")).lower())
    mult = _f(info.get("multiplier"), f"{what} info.multiplier", positive=False)
    if info.get("isQuanto") is True:
        kind = "quanto"
        if settle_scale is None or mult is None or mult <= 0:
            raise MalformedMarket(
                f"{what}: quanto multiplier {info.get('multiplier')!r} in "
                f"{info.get('settlCurrency')!r} cannot be read"
            )
        size = mult / settle_scale
        unit = "contracts (quanto)"
    elif info.get("isInverse") is True:
        kind = "inverse"
        u2s = _f(info.get("underlyingToSettleMultiplier"), f"{what} info.u2s", positive=False)
        size = abs(mult) / abs(u2s) if mult and u2s else 1.0
        unit = f"contracts of {_g(size)} {market.get('quote') or 'USD'}"
    else:
        kind = "linear"
        u2p = _f(info.get("underlyingToPositionMultiplier"), f"{what} info.u2p")
        q2s = _f(info.get("quoteToSettleMultiplier"), f"{what} info.q2s")
        if u2p:
            size = 1.0 / u2p
        elif mult and q2s:
            size = mult / q2s
        else:
            raise MalformedMarket(f"{what}: no underlyingToPositionMultiplier")
        unit = f"contracts of {_g(size)} {market.get('base') or 'units'}"
    lot = _f(info.get("lotSize"), f"{what} info.lotSize")
    init = _f(info.get("initMargin"), f"{what} info.initMargin")
    return {
        "kind": kind,
        "contract_size": size,
        "lot_step": lot,
        "min_qty": lot,
        "tick_size": _f(info.get("tickSize"), f"{what} info.tickSize"),
        "max_leverage": round(1.0 / init, 4) if init else None,
        "mmr": _f(info.get("maintMargin"), f"{what} info.maintMargin", positive=False),
        "maker_fee": _f(info.get("makerFee"), f"{what} info.makerFee", positive=False),
        "taker_fee": _f(info.get("takerFee"), f"{what} info.takerFee", positive=False),
        "qty_unit": unit,
    }


# Long on purpose: one ccxt market to one spec row, field by field in ccxt's order, so a reader checks it against ccxt's market structure.
def map_market(  # noqa: C901 (one ccxt market to one spec row: a branch per ccxt field, in ccxt's order, so it reads against ccxt's market structure)
    venue: str,
    market: Mapping[str, Any],
    *,
    as_of: str,
    source: str,
    previous: ContractSpec | None = None,
) -> ContractSpec:
    """One ccxt unified market as our spec row (see the module docstring per venue).

    Parameters
    ----------
    venue : str
        Our exchange name (``binance``, ``kraken``, ...; see :data:`VENUE_CCXT`).
    market : mapping
        ccxt's market structure, ``info`` holding the venue's raw instrument.
    as_of, source : str
        The refresh date (ISO) and the text for the ``source`` column.
    previous : ContractSpec, optional
        The table's current row: fields the venue does not give keep its values, and
        its symbol spelling and extra columns are kept.

    Raises
    ------
    MalformedMarket
        When the size, kind, lot step or a number cannot be trusted; the caller keeps
        the venue's rows as they were.

    Examples
    --------
    >>> m = {"id": "BTC-USDT-SWAP", "type": "swap", "contract": True, "linear": True,
    ...      "inverse": False, "base": "BTC", "quote": "USDT", "settle": "USDT",
    ...      "contractSize": 0.01, "precision": {"amount": 0.01, "price": 0.1},
    ...      "limits": {"amount": {"min": 0.01}, "leverage": {"max": 100}},
    ...      "info": {"ctValCcy": "BTC"}}
    >>> s = map_market("okx", m, as_of="2026-11-22", source="test")
    >>> s.key, s.contract_size, s.lot_step, s.qty_unit
    ('okx:BTC-USDT-SWAP', 0.01, 0.01, 'contracts of 0.01 BTC')
    """
    symbol = market_symbol(venue, market)
    what = f"{venue}:{symbol or '?'}"
    if not symbol:
        raise MalformedMarket(f"{what}: market has no id")
    info = market.get("info") if isinstance(market.get("info"), Mapping) else {}
    assert isinstance(info, Mapping)
    base, quote, settle = market.get("base"), market.get("quote"), market.get("settle")
    lot = _f(_nested(market, "precision", "amount"), f"{what} precision.amount")
    min_qty = _f(_nested(market, "limits", "amount", "min"), f"{what} limits.amount.min")
    tick = _f(_nested(market, "precision", "price"), f"{what} precision.price")
    max_lev = _f(_nested(market, "limits", "leverage", "max"), f"{what} limits.leverage.max")
    csize = _f(market.get("contractSize"), f"{what} contractSize")
    rec: dict[str, Any] = {
        "maker_fee": _f(market.get("maker"), f"{what} maker", positive=False),
        "taker_fee": _f(market.get("taker"), f"{what} taker", positive=False),
        "mmr": None,
    }
    if venue == "bitmex":
        rec.update(_bitmex(market, what))
    else:
        kind = _kind(market, what)
        size = _need(csize, f"{what} contractSize")
        unit = str(base) if kind == "linear" else f"contracts of {_g(size)} {quote or 'USD'}"
        if venue == "bybit" and kind == "inverse":
            size, unit = 1.0, f"contracts of 1 {quote or 'USD'}"  # 1 contract = 1 USD
        elif venue == "okx":
            ccy = info.get("ctValCcy") or (base if kind == "linear" else quote)
            unit = f"contracts of {_g(size)} {ccy}"
        elif venue == "deribit":
            if kind == "inverse":
                # amounts are USD; they must be multiples of the instrument's contract_size
                lot = _f(info.get("contract_size"), f"{what} info.contract_size") or size
                size = 1.0
                unit = "USD" if lot == 1 else f"USD (multiples of {_g(lot)})"
            else:
                size, unit = 1.0, str(base)
            max_lev = _f(info.get("max_leverage"), f"{what} info.max_leverage")
        elif venue == "kraken":
            levels = info.get("marginLevels")
            if isinstance(levels, Sequence) and levels and isinstance(levels[0], Mapping):
                im = _f(levels[0].get("initialMargin"), f"{what} marginLevels[0].initialMargin")
                max_lev = round(1.0 / im, 4) if im else None
                rec["mmr"] = _f(
                    levels[0].get("maintenanceMargin"),
                    f"{what} marginLevels[0].maintenanceMargin",
                    positive=False,
                )
        elif venue in NO_INVERSE_VENUES and kind == "inverse":
            raise MalformedMarket(
                f"{what}: coin-margined contract, its order unit on {venue} is not "
                "verified (a coin quantity or a USD amount): not mapped"
            )
        elif venue in ("mexc", "gate"):
            if kind == "linear":
                unit = f"contracts of {_g(size)} {base}"
            mmr_field = "maintenanceMarginRate" if venue == "mexc" else "maintenance_rate"
            rec["mmr"] = _f(info.get(mmr_field), f"{what} info.{mmr_field}", positive=False)
            if venue == "gate":  # ccxt hard-codes 0.0002/0.0005, not Gate's schedule
                rec["maker_fee"] = rec["taker_fee"] = None
        elif venue == "bingx":
            rec["maker_fee"] = _f(
                info.get("makerFeeRate"), f"{what} info.makerFeeRate", positive=False
            )
            rec["taker_fee"] = _f(
                info.get("takerFeeRate"), f"{what} info.takerFeeRate", positive=False
            )
            max_lev = None  # maxLongLeverage is the account's setting, not the venue's cap
        elif venue == "weex":
            # ccxt: contractSize = contractVal, yet it sends the amount as the coin quantity;
            # contractVal is the coin step (minOrderSize equals it), so one unit is one coin
            step = _f(info.get("contractVal"), f"{what} info.contractVal")
            size = 1.0
            if step is not None:
                lot = step if lot is None else max(lot, step)
        elif venue == "hyperliquid":
            size, tick = 1.0, None  # prices: significant figures, no fixed tick
            quote = "USD"  # quoted in USD, margined and settled in USDC (ccxt: USDC/USDC)
            if max_lev is None:
                max_lev = _f(info.get("maxLeverage"), f"{what} info.maxLeverage")
            rec["mmr"] = 1.0 / (2.0 * max_lev) if max_lev else None  # Hyperliquid docs
        rec.update(
            kind=kind,
            contract_size=size,
            lot_step=_need(lot, f"{what} precision.amount (lot step)"),
            min_qty=min_qty if min_qty is not None else lot,
            tick_size=tick,
            max_leverage=max_lev,
            qty_unit=unit,
        )
    if venue not in FEES_FROM_VENUE and previous is not None:
        rec["maker_fee"], rec["taker_fee"] = previous.maker_fee, previous.taker_fee
    if venue in ("binance", "bybit", "okx", "deribit") and previous is not None:
        rec["mmr"] = previous.mmr  # a tier property there, not a market field
    rec.update(
        exchange=previous.exchange if previous else venue,
        symbol=previous.symbol if previous else symbol,
        base=base,
        quote=quote,
        settle=settle,
        source=source,
        as_of=as_of,
    )
    if previous is not None:
        for f in SPEC_COLUMNS:
            if rec.get(f) is None:
                rec[f] = getattr(previous, f)
        rec.update(previous.extra)
    if rec["lot_step"] is not None and rec["min_qty"] is not None:
        # a venue minimum below one lot step means one lot step
        rec["min_qty"] = max(rec["min_qty"], rec["lot_step"])
    try:
        return spec_from_record(rec, f"{venue} market {symbol}")
    except MalformedMarket:
        raise
    except MicrosizeError as exc:
        raise MalformedMarket(str(exc)) from None


@dataclass(frozen=True)
class VenueUpdate:
    """What one venue's markets say about the table's rows of that venue."""

    venue: str
    specs: tuple[ContractSpec, ...]  # mapped rows: the table's keys found, then additions
    markets: Mapping[str, Mapping[str, Any]]  # our lower-case key -> the ccxt market
    missing: tuple[str, ...]  # table keys the venue does not list (kept, or pruned)
    inactive: tuple[str, ...]  # table keys the venue lists as not trading (kept)
    skipped: tuple[str, ...] = ()  # listed perpetuals a whole-venue add could not map, why


#: Settlement coins of Bitget's demo-trading (simulated) contracts, never added.
_DEMO_SETTLE = frozenset({"SUSDT", "SUSDC"})


def _listed_perpetual(market: Mapping[str, Any]) -> bool:
    """A trading perpetual (a swap without expiry) that is not a demo contract."""
    return (
        market.get("type") == "swap"
        and market.get("expiry") is None
        and market.get("active") is not False
        and str(market.get("settle") or "").upper() not in _DEMO_SETTLE
    )


def map_venue(  # noqa: C901 (one venue's markets: filter, map, report each refusal by reason)
    venue: str,
    markets: Mapping[str, Any] | Sequence[Any],
    current: Sequence[ContractSpec],
    *,
    add: Sequence[str] = (),
    as_of: str,
    source: str,
) -> VenueUpdate:
    """Map a venue's markets onto its rows in the table (and the symbols in ``add``).

    Only derivatives (swaps and futures) are matched. Any malformed market among the
    wanted ones raises :class:`MalformedMarket`, so the caller keeps the whole venue as
    it was rather than half of it.

    ``add`` holding :data:`ALL_LISTED` (``"*"``) adds every listed perpetual the table
    does not have yet: trading swaps without expiry, demo contracts left out. There a
    market that cannot be mapped is skipped and reported in ``skipped`` (with the
    reason) instead of failing the venue: the table's own rows and the named additions
    still have to map.
    """
    values = list(markets.values()) if isinstance(markets, Mapping) else list(markets)
    by_symbol: dict[str, Mapping[str, Any]] = {}
    for m in values:
        if not isinstance(m, Mapping):
            raise MalformedMarket(f"{venue}: a market is not a mapping (got {type(m).__name__})")
        if not _is_derivative(m):
            continue
        sym = market_symbol(venue, m)
        if sym:
            by_symbol.setdefault(sym.lower(), m)
    out: list[ContractSpec] = []
    found: dict[str, Mapping[str, Any]] = {}
    missing: list[str] = []
    inactive: list[str] = []
    seen = set()
    for spec in current:
        m = by_symbol.get(spec.symbol.lower())
        seen.add(spec.symbol.lower())
        if m is None:
            missing.append(spec.key)
            continue
        if m.get("active") is False:
            inactive.append(spec.key)
        out.append(map_market(venue, m, as_of=as_of, source=source, previous=spec))
        found[spec.key.lower()] = m
    everything = any(sym.strip() == ALL_LISTED for sym in add)
    for sym in add:
        low = sym.strip().lower()
        if low in seen or low == ALL_LISTED:
            continue
        seen.add(low)
        m = by_symbol.get(low)
        if m is None:
            raise MalformedMarket(f"{venue} lists no derivative {sym.strip()!r} to add")
        spec = map_market(venue, m, as_of=as_of, source=source)
        out.append(spec)
        found[spec.key.lower()] = m
    skipped: list[str] = []
    if everything:
        for low, m in by_symbol.items():
            if low in seen or not _listed_perpetual(m):
                continue
            seen.add(low)
            try:
                spec = map_market(venue, m, as_of=as_of, source=source)
            except MalformedMarket as exc:
                skipped.append(str(exc))
                continue
            out.append(spec)
            found[spec.key.lower()] = m
    return VenueUpdate(venue, tuple(out), found, tuple(missing), tuple(inactive), tuple(skipped))


def merge_specs(
    current: SpecTable,
    updates: Iterable[ContractSpec],
    *,
    remove: Iterable[str] = (),
    origin: str = "refreshed table",
) -> SpecTable:
    """The current table with rows replaced by ``updates`` (same key), new keys placed
    after the last row of their exchange, and the keys in ``remove`` dropped. Every other
    row (other venues, CME, Coinbase, the user's own contracts) is kept as it is."""
    new = {u.key.lower(): u for u in updates}
    drop = {k.strip().lower() for k in remove}
    rows: list[ContractSpec] = []
    for k, spec in current.items():
        if k in drop:
            continue
        rows.append(new.pop(k, spec))
    for spec in new.values():
        last = max(
            (i for i, s in enumerate(rows) if s.exchange.lower() == spec.exchange.lower()),
            default=len(rows) - 1,
        )
        rows.insert(last + 1, spec)
    return SpecTable(rows, origin=origin)


# ----------------------------------------------------------------------------- tiers
def map_tiers(
    venue: str,
    spec: ContractSpec,
    tiers: Sequence[Mapping[str, Any]],
    *,
    as_of: str,
    source: str,
) -> tuple[MarginTier, ...]:
    """ccxt leverage tiers of one contract as our tier rows, validated.

    Units of ``minNotional``/``maxNotional`` differ by venue and are stated in
    ``floor_unit``: Binance USDⓈ-M brackets are quote notional (``notionalFloor``),
    COIN-M brackets are contracts (``qtyFloor``); Kraken's marginLevels count
    ``numNonContractUnits`` (USD notional, flexible futures) or ``contracts`` (1 USD
    each, inverse). The maintenance amount is Binance's ``cum``; elsewhere it is left
    empty and the margin module chains it from the floors.
    """
    if venue not in TIER_VENUES:
        raise MalformedMarket(f"{venue}: tier units are not verified, tiers not refreshed")
    what = f"{spec.key} tiers"
    if not tiers:
        raise MalformedMarket(f"{what}: the venue returned no tiers")
    first = tiers[0].get("info") if isinstance(tiers[0].get("info"), Mapping) else {}
    assert isinstance(first, Mapping)
    if venue == "binance":
        unit = f"{spec.quote} notional" if "notionalFloor" in first else "contracts"
    elif "numNonContractUnits" in first:
        unit = "USD notional (numNonContractUnits)"
    else:
        unit = "contracts (1 USD each)" if spec.kind == "inverse" else "contracts"
    rows: list[list[Any]] = [list(TIER_COLUMNS)]
    for i, t in enumerate(tiers, start=1):
        info = t.get("info") if isinstance(t.get("info"), Mapping) else {}
        assert isinstance(info, Mapping)
        floor = _f(t.get("minNotional"), f"{what} {i} minNotional", positive=False)
        cap = _f(t.get("maxNotional"), f"{what} {i} maxNotional")
        mmr = _f(t.get("maintenanceMarginRate"), f"{what} {i} maintenanceMarginRate")
        lev = _f(t.get("maxLeverage"), f"{what} {i} maxLeverage")
        cum = _f(info.get("cum"), f"{what} {i} cum", positive=False) if venue == "binance" else None
        rows.append(
            [
                spec.exchange,
                spec.symbol,
                i,
                _need(floor, f"{what} {i} minNotional"),
                cap,
                unit,
                _need(mmr, f"{what} {i} maintenanceMarginRate"),
                cum,
                None if lev is None else round(lev, 4),
                source,
                as_of,
            ]
        )
    try:
        return tiers_from_rows(rows, f"{venue} tiers of {spec.key}")
    except MicrosizeError as exc:
        raise MalformedMarket(str(exc)) from None


def merge_tiers(
    current: Sequence[MarginTier], updates: Mapping[str, Sequence[MarginTier]]
) -> tuple[MarginTier, ...]:
    """Current tiers with every contract in ``updates`` (lower-case key) replaced whole;
    new contracts' tiers go at the end."""
    todo = {k.lower(): tuple(v) for k, v in updates.items()}
    out: list[MarginTier] = []
    for t in current:
        k = t.key.lower()
        if k in todo:
            out.extend(todo.pop(k))
            todo[k] = ()  # written once
        else:
            out.append(t)
    for v in todo.values():
        out.extend(v)
    return tuple(out)


# ------------------------------------------------------------------------------- CSV
def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        text = format(v, ".15g")
        if "e" in text:
            text = format(Decimal(repr(v)), "f")
        return text
    return str(v)


def spec_csv_rows(table: SpecTable) -> list[list[str]]:
    """The table as CSV text cells: :data:`SPEC_COLUMNS`, then any extra user columns.

    >>> from microsize import load_bundled_specs
    >>> rows = spec_csv_rows(load_bundled_specs())
    >>> rows[0][:3], [r for r in rows if r[1] == "ETHUSD"][0][6]
    (['exchange', 'symbol', 'kind'], '0.000001')
    """
    extra = list(dict.fromkeys(k for s in table.values() for k in s.extra))
    out = [[*SPEC_COLUMNS, *extra]]
    for s in table.values():
        out.append(
            [_cell(getattr(s, c)) for c in SPEC_COLUMNS] + [_cell(s.extra.get(k)) for k in extra]
        )
    return out


def tier_csv_rows(tiers: Sequence[MarginTier]) -> list[list[str]]:
    """Margin tiers as CSV text cells with the :data:`TIER_COLUMNS` header."""
    out = [list(TIER_COLUMNS)]
    for t in tiers:
        out.append([_cell(getattr(t, c)) for c in TIER_COLUMNS])
    return out
