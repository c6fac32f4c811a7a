"""Recorded venue answers for the live-data tests, served to real ccxt exchange objects.

ccxt's own code builds each request, signs it, and parses the answer; only the HTTP
session is replaced (``exchange.session``), so nothing leaves the machine. The answers
follow the layouts documented by the venues and quoted in the response comments of
ccxt 4.5.90's binance.py, okx.py, deribit.py and bybit.py (fetch_ohlcv, fetch_funding_rate,
fetch_positions, fetch_balance); the prices are a made-up but fixed series
(:func:`close`), so the tests can type the same numbers by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlparse

import requests
from requests.structures import CaseInsensitiveDict

FIX = Path(__file__).resolve().parent / "fixtures" / "ccxt"
DAY = 86_400_000
#: 2026-11-30T12:00Z: "now" for every test (a bar of 2026-11-30 is still forming)
NOW = 1_795_996_800_000 + 12 * 3_600_000
FIRST = 1_795_996_800_000 - 59 * DAY  # the oldest bar served: 60 daily bars to 2026-11-30


def close(name: str, t: int) -> float:
    """A fixed made-up daily close of ``name`` at bar time ``t``."""
    k = (t - FIRST) // DAY
    wiggle = ((k * 7) % 11 - 5) / 100
    if name == "BTC":
        return round(60000 * (1 + 0.002 * k + wiggle), 1)
    return round(3000 * (1 + 0.001 * k + 1.5 * wiggle + ((k * 3) % 5 - 2) / 200), 2)


def bar(name: str, t: int) -> tuple[int, float, float, float, float]:
    c = close(name, t)
    return t, c, round(c * 1.02, 2), round(c * 0.97, 2), c


def times(first: int = FIRST) -> list[int]:
    return list(range(first, NOW, DAY))  # includes the forming bar of 2026-11-30


class Http(requests.Session):
    """A requests session answering from ``routes`` (URL path -> handler(query))."""

    def __init__(self, routes: dict[str, Callable[[dict[str, str]], Any]]) -> None:
        super().__init__()
        self.routes = routes
        self.calls: list[str] = []
        self.fail_after: int | None = None  # raise a connection error after N calls
        self.status: dict[str, tuple[int, Any]] = {}  # path -> (status, body) override

    def request(self, method: str, url: str, *args: Any, **kw: Any) -> requests.Response:  # type: ignore[override]
        if self.fail_after is not None and len(self.calls) >= self.fail_after:
            raise requests.exceptions.ConnectionError(f"Connection refused: {url}")
        self.calls.append(url)
        parsed = urlparse(url)
        query = dict(parse_qsl(parsed.query))
        if parsed.path in self.status:
            status, body = self.status[parsed.path]
        elif parsed.path in self.routes:
            status, body = 200, self.routes[parsed.path](query)
        else:
            status, body = 404, {"code": -1, "msg": f"no recorded answer for {parsed.path}"}
        r = requests.Response()
        r.status_code = status
        r.reason = {200: "OK", 404: "Not Found", 429: "Too Many Requests"}.get(status, "Error")
        r._content = json.dumps(body).encode()
        r.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        r.url = url
        return r


# ------------------------------------------------------------------------- binance
BINANCE_PAGE = 7  # this venue answers at most 7 bars a request: forces pagination
#: first bar of a contract listed later than FIRST (SOLUSDT: 40 days later)
LISTED = {"SOLUSDT": FIRST + 40 * DAY}


def binance_routes(assets: dict[str, str]) -> dict[str, Callable[[dict[str, str]], Any]]:
    """USDⓈ-M and COIN-M klines (``assets``: venue symbol -> price series name)."""

    def klines(q: dict[str, str]) -> Any:
        name = assets[q["symbol"]]
        start = max(int(q.get("startTime", FIRST)), LISTED.get(q["symbol"], FIRST))
        limit = min(int(q.get("limit", 500)), BINANCE_PAGE)
        out = [
            [t, str(o), str(h), str(lo), str(c), "100.0", t + DAY - 1, "1", 10, "50", "1", "0"]
            for t, o, h, lo, c in (bar(name, t) for t in times() if t >= start)
        ]
        return out[:limit]

    def premium(q: dict[str, str]) -> Any:
        return {
            "symbol": q["symbol"],
            "markPrice": "61000.0",
            "indexPrice": "60990.0",
            "estimatedSettlePrice": "60995.0",
            "lastFundingRate": "0.00006250",
            "interestRate": "0.00010000",
            "nextFundingTime": NOW + 4 * 3_600_000,
            "time": NOW,
        }

    def brackets(q: dict[str, str]) -> Any:
        return [
            {
                "symbol": "BTCUSDT",
                "brackets": [
                    {"bracket": 1, "initialLeverage": 125, "notionalCap": 50000,
                     "notionalFloor": 0, "maintMarginRatio": 0.004, "cum": 0.0},
                ],
            },
            {
                "symbol": "ETHUSDT",
                "brackets": [
                    {"bracket": 1, "initialLeverage": 125, "notionalCap": 50000,
                     "notionalFloor": 0, "maintMarginRatio": 0.004, "cum": 0.0},
                ],
            },
        ]  # fmt: skip

    def risk(q: dict[str, str]) -> Any:
        def pos(sym: str, amt: str, entry: str, mark: str) -> dict[str, Any]:
            notional = str(round(float(amt) * float(mark), 8))  # signed, as Binance sends it
            return {
                "symbol": sym, "positionSide": "BOTH", "positionAmt": amt, "entryPrice": entry,
                "breakEvenPrice": entry, "markPrice": mark, "unRealizedProfit": "0",
                "liquidationPrice": "0", "isolatedMargin": "0", "notional": notional,
                "isolatedWallet": "0", "updateTime": NOW, "initialMargin": "0", "maintMargin": "0",
                "positionInitialMargin": "0", "openOrderInitialMargin": "0", "adl": "2",
                "bidNotional": "0", "askNotional": "0", "marginAsset": "USDT",
            }  # fmt: skip

        return [
            pos("BTCUSDT", "0.015", "60100.0", "61000.0"),
            pos("ETHUSDT", "-1.25", "3050.5", "3010.2"),
        ]

    def account(q: dict[str, str]) -> Any:
        def asset(name: str, wallet: str) -> dict[str, Any]:
            return {
                "asset": name, "walletBalance": wallet, "unrealizedProfit": "0",
                "marginBalance": wallet, "maintMargin": "0", "initialMargin": "0",
                "positionInitialMargin": "0", "openOrderInitialMargin": "0",
                "crossWalletBalance": wallet, "crossUnPnl": "0", "availableBalance": wallet,
                "maxWithdrawAmount": wallet, "updateTime": NOW,
            }  # fmt: skip

        return {
            "totalInitialMargin": "0",
            "totalWalletBalance": "5250.5",
            "assets": [asset("USDT", "5000.5"), asset("USDC", "250"), asset("BNB", "0.5")],
            "positions": [],
        }

    def coin_risk(q: dict[str, str]) -> Any:
        return [
            {
                "symbol": "BTCUSD_PERP", "positionAmt": "-3", "entryPrice": "60500.0",
                "markPrice": "61000.0", "unRealizedProfit": "0", "liquidationPrice": "0",
                "leverage": "5", "maxQty": "100", "marginType": "cross", "isolatedMargin": "0",
                "isAutoAddMargin": "false", "positionSide": "BOTH", "notionalValue": "-0.0049",
                "isolatedWallet": "0", "updateTime": NOW, "breakEvenPrice": "60500.0",
            }
        ]  # fmt: skip

    def coin_brackets(q: dict[str, str]) -> Any:
        return [
            {"pair": "BTCUSD", "brackets": [
                {"bracket": 1, "initialLeverage": 125, "qtyCap": 5, "qtylFloor": 0,
                 "maintMarginRatio": 0.004, "cum": 0.0}]},
        ]  # fmt: skip

    return {
        "/fapi/v1/klines": klines,
        "/dapi/v1/klines": klines,
        "/fapi/v1/premiumIndex": premium,
        "/fapi/v1/leverageBracket": brackets,
        "/fapi/v3/positionRisk": risk,
        "/fapi/v3/account": account,
        "/dapi/v1/positionRisk": coin_risk,
        "/dapi/v2/leverageBracket": coin_brackets,
        "/dapi/v1/leverageBracket": coin_brackets,
    }


# ----------------------------------------------------------------------------- okx
def okx_routes() -> dict[str, Callable[[dict[str, str]], Any]]:
    def candles(q: dict[str, str]) -> Any:
        name = "ETH" if q["instId"].startswith("ETH") else "BTC"
        after = int(q.get("after", NOW + DAY))  # OKX: records older than after
        before = int(q.get("before", 0))  # and newer than before, newest first
        limit = int(q.get("limit", 100))
        rows = [
            [str(t), str(o), str(h), str(lo), str(c), "10", "0.1", "6000", "1"]
            for t, o, h, lo, c in (bar(name, t) for t in times())
            if before < t < after
        ]
        return {"code": "0", "msg": "", "data": list(reversed(rows))[:limit]}

    def positions(q: dict[str, str]) -> Any:
        def pos(inst: str, qty: str, side: str, avg: str, mark: str) -> dict[str, Any]:
            return {
                "adl": "1", "availPos": "", "avgPx": avg, "cTime": str(NOW), "ccy": "USDT",
                "instId": inst, "instType": "SWAP", "lever": "10", "liqPx": "",
                "markPx": mark, "mgnMode": "cross", "mgnRatio": "", "mmr": "0", "notionalUsd": "0",
                "pos": qty, "posCcy": "", "posId": "1", "posSide": side, "upl": "0",
                "uTime": str(NOW), "imr": "0", "last": mark, "margin": "", "markPrice": mark,
            }  # fmt: skip

        return {
            "code": "0",
            "msg": "",
            "data": [
                pos("BTC-USDT-SWAP", "150", "net", "60200.5", "61000.1"),
                pos("ETH-USDT-SWAP", "-40", "net", "3020.1", "3011.0"),
            ],
        }

    def balance(q: dict[str, str]) -> Any:
        return {
            "code": "0",
            "msg": "",
            "data": [
                {
                    "totalEq": "10012.3", "uTime": str(NOW),
                    "details": [
                        {"ccy": "USDT", "eq": "10000.5", "cashBal": "10000.5",
                         "availBal": "9000", "frozenBal": "1000.5", "uTime": str(NOW)},
                    ],
                }
            ],
        }  # fmt: skip

    def funding(q: dict[str, str]) -> Any:
        return {
            "code": "0",
            "msg": "",
            "data": [
                {
                    "instId": q["instId"], "instType": "SWAP", "fundingRate": "0.0000792",
                    "fundingTime": str(NOW + 4 * 3_600_000), "nextFundingRate": "",
                    "nextFundingTime": str(NOW + 12 * 3_600_000), "method": "current_period",
                }
            ],
        }  # fmt: skip

    return {
        "/api/v5/market/candles": candles,
        "/api/v5/market/history-candles": candles,
        "/api/v5/account/positions": positions,
        "/api/v5/account/balance": balance,
        "/api/v5/public/funding-rate": funding,
    }


# ------------------------------------------------------------------------- deribit
def deribit_routes() -> dict[str, Callable[[dict[str, str]], Any]]:
    def chart(q: dict[str, str]) -> Any:
        start, end = int(q["start_timestamp"]), int(q["end_timestamp"])
        rows = [bar("BTC", t) for t in times() if start <= t <= end]
        return {
            "jsonrpc": "2.0",
            "result": {
                "ticks": [r[0] for r in rows],
                "open": [r[1] for r in rows],
                "high": [r[2] for r in rows],
                "low": [r[3] for r in rows],
                "close": [r[4] for r in rows],
                "volume": [1.0 for _ in rows],
                "cost": [100.0 for _ in rows],
                "status": "ok",
            },
        }

    def positions(q: dict[str, str]) -> Any:
        return {
            "jsonrpc": "2.0",
            "result": [
                {
                    "average_price": 60321.5, "delta": -0.0082, "direction": "sell",
                    "estimated_liquidation_price": 90000, "floating_profit_loss": 0,
                    "index_price": 61000.0, "initial_margin": 0.0001, "instrument_name":
                    "BTC-PERPETUAL", "kind": "future", "leverage": 10,
                    "maintenance_margin": 0.00005, "mark_price": 61002.5, "open_orders_margin": 0,
                    "realized_funding": 0, "realized_profit_loss": 0, "settlement_price": 61000,
                    "size": -500, "size_currency": -0.0082, "total_profit_loss": 0,
                }
            ],
        }  # fmt: skip

    def summaries(q: dict[str, str]) -> Any:
        return {
            "jsonrpc": "2.0",
            "result": {
                "summaries": [
                    {"currency": "BTC", "balance": 0.05, "equity": 0.0501,
                     "available_funds": 0.04, "margin_balance": 0.0501},
                    {"currency": "USDC", "balance": 1200.0, "equity": 1200.0,
                     "available_funds": 1200.0, "margin_balance": 1200.0},
                ]
            },
        }  # fmt: skip

    return {
        "/api/v2/public/get_tradingview_chart_data": chart,
        "/api/v2/private/get_positions": positions,
        "/api/v2/private/get_account_summaries": summaries,
    }


# --------------------------------------------------------------------------- bybit
def bybit_routes() -> dict[str, Callable[[dict[str, str]], Any]]:
    """A unified trading account (uta 1): BTCUSDT 0.01 BTC long, BTCUSD 2,500 USD short."""

    def ok(result: Any) -> Any:
        return {"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": NOW}

    def position(sym: str, side: str, size: str, entry: str, mark: str) -> dict[str, Any]:
        return {
            "positionIdx": 0, "riskId": 1, "symbol": sym, "side": side, "size": size,
            "avgPrice": entry, "positionValue": "0", "tradeMode": 0, "autoAddMargin": 0,
            "positionStatus": "Normal", "leverage": "10", "markPrice": mark, "liqPrice": "",
            "bustPrice": "", "positionIM": "0", "positionMM": "0", "positionBalance": "0",
            "takeProfit": "", "stopLoss": "", "trailingStop": "0", "unrealisedPnl": "0",
            "cumRealisedPnl": "0", "createdTime": str(NOW), "updatedTime": str(NOW),
            "tpslMode": "Full", "riskLimitValue": "", "activePrice": "", "curRealisedPnl": "0",
            "seq": 1, "isReduceOnly": False, "adlRankIndicator": 2,
        }  # fmt: skip

    def positions(q: dict[str, str]) -> Any:
        if q.get("category") == "inverse":
            rows = [position("BTCUSD", "Sell", "2500", "60400.5", "61000.5")]
        else:
            rows = [position("BTCUSDT", "Buy", "0.01", "60150", "61000")]
        return ok({"list": rows, "category": q.get("category"), "nextPageCursor": ""})

    def query_api(q: dict[str, str]) -> Any:
        return ok({"id": "1", "note": "read only", "apiKey": "", "readOnly": 1, "secret": "",
                   "permissions": {"ContractTrade": [], "Wallet": ["AccountTransfer"]},
                   "ips": ["*"], "type": 1, "deadlineDay": 83, "unified": 0, "uta": 1,
                   "userID": 1, "isMaster": True})  # fmt: skip

    def account_info(q: dict[str, str]) -> Any:
        return ok({"marginMode": "REGULAR_MARGIN", "updatedTime": str(NOW),
                   "unifiedMarginStatus": 4, "dcpStatus": "OFF", "timeWindow": 10,
                   "smpGroup": 0, "isMasterTrader": False, "spotHedgingStatus": "OFF"})  # fmt: skip

    def wallet(q: dict[str, str]) -> Any:
        def coin(name: str, equity: str) -> dict[str, Any]:
            return {"coin": name, "equity": equity, "walletBalance": equity, "usdValue": equity,
                    "locked": "0", "borrowAmount": "0", "totalPositionIM": "0",
                    "totalOrderIM": "0", "totalPositionMM": "0", "unrealisedPnl": "0",
                    "cumRealisedPnl": "0", "availableToWithdraw": equity, "accruedInterest": "0",
                    "bonus": "0", "collateralSwitch": True, "marginCollateral": True}  # fmt: skip

        return ok({"list": [{"accountType": "UNIFIED", "totalEquity": "3100.25",
                             "totalWalletBalance": "3100.25", "accountIMRate": "0",
                             "accountMMRate": "0", "totalMarginBalance": "3100.25",
                             "totalAvailableBalance": "3100.25", "totalPerpUPL": "0",
                             "totalInitialMargin": "0", "totalMaintenanceMargin": "0",
                             "coin": [coin("USDT", "3000.25"), coin("BTC", "0.0016")]}]})  # fmt: skip

    return {
        "/v5/position/list": positions,
        "/v5/user/query-api": query_api,
        "/v5/account/info": account_info,
        "/v5/account/wallet-balance": wallet,
    }


ROUTES = {
    "binance": lambda: binance_routes(
        {"BTCUSDT": "BTC", "ETHUSDT": "ETH", "BTCUSD_PERP": "BTC", "SOLUSDT": "ETH"}
    ),
    "okx": okx_routes,
    "deribit": deribit_routes,
    "bybit": bybit_routes,
}


def markets(ccxt_id: str) -> list[dict[str, Any]]:
    """The recorded markets of the spec refresh (tests/fixtures/ccxt). Binance's recorded
    COIN-M answer left out ``baseAssetPrecision``, which ccxt's position parser reads:
    it is 8 in Binance's /dapi/v1/exchangeInfo, as in ccxt's own response comment."""
    doc: dict[str, Any] = json.loads((FIX / f"{ccxt_id}.json").read_text(encoding="utf-8"))
    out = list(doc["markets"].values())
    for m in out:
        if m.get("precision", {}).get("base") is None:
            m["precision"] = {**m.get("precision", {}), "base": 1e-08}
    return out


class Venues:
    """An exchange factory for :mod:`microsize.venues_live`: the production factory's ccxt
    exchanges (rate limiter on, timeouts, keys), markets from the recorded fixtures, HTTP
    from :class:`Http`. ``made`` keeps every exchange built, ``http`` every session."""

    def __init__(self) -> None:
        self.http = {cid: Http(make()) for cid, make in ROUTES.items()}
        self.made: list[Any] = []

    def __call__(self, ccxt_id: str, creds: Any) -> Any:
        from microsize.venues_live import make_exchange

        ex = make_exchange(ccxt_id, creds)
        ex.session = self.http[ccxt_id]
        ex.rateLimit = 1  # ms: the limiter stays on, the tests stay fast
        ex.set_markets(markets(ccxt_id))
        self.made.append(ex)
        return ex


def install_fakes(monkeypatch: Any) -> Venues:
    """The recorded venues in place of ccxt's network, the clock at NOW, no OS keyring:
    what every live-data test starts from."""
    from microsize import cli_live, venues_live

    fake = Venues()
    monkeypatch.setattr(cli_live, "EXCHANGE_FACTORY", fake)
    monkeypatch.setattr(cli_live, "NOW_MS", NOW)
    monkeypatch.setattr(venues_live, "_keyring_value", lambda venue, name: None)
    return fake
