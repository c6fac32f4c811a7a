"""Column-wise checks for a table of planned trades and a table of holdings.

Pure functions (numbers and keys in, rows out) for worksheets whose inputs are table
columns of any length: the liquidation check of each planned trade, the beta and signed
exposure of each holding, and a whole trade plan with its totals.

Rows stand alone (docs/CONVENTIONS.md, "Columns"): a blank cell in an optional column is
that row's default, and a row that is refused shows ``error: <message>`` in its own cells
while the other rows compute. Only a problem of the whole range (columns of different
lengths, a 2-D block, a bad account size, a price table without a header) is raised. A
column of one row raises its message as a single-cell function does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._contracts import as_spec_table, tier_table
from ._errors import MicrosizeError
from ._hedge import beta, exposure
from ._histories import decay_of
from ._inputs import Numeric, describe, is_missing
from ._kind import side_from_stop
from ._margin import liq_price, margin, max_leverage
from ._resolve import ContractLike, SpecsLike
from ._sizing import risk
from ._targets import contracts_usd

#: How a refused row begins, in each cell of a column function that shows its message.
ERROR = "error: "
#: What the other cells of a refused row of a multi-column result show.
NOT_COMPUTED = "n/a: see Check"


def _column(value: Any, name: str) -> list[Any]:
    """A cell or a column (or row) of cells as a flat list; a 2-D block is refused."""
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list):
        return [value]
    if value and all(isinstance(r, list | tuple) for r in value):
        if all(len(r) == 1 for r in value):
            return [r[0] for r in value]
        if len(value) == 1:
            return list(value[0])
        raise MicrosizeError(f"{name} must be one column or one row (got {describe(value)})")
    if any(isinstance(r, list | tuple) for r in value):
        raise MicrosizeError(f"{name} must be a rectangular range")
    if not value:
        raise MicrosizeError(f"{name} is an empty range")
    return value


def _columns(named: Sequence[tuple[str, Any]]) -> tuple[int, list[list[Any]]]:
    """Equal-length columns (a single cell is repeated); the row count."""
    cols = [_column(v, n) for n, v in named]
    n = max(len(c) for c in cols)
    for (name, _), col in zip(named, cols, strict=True):
        if len(col) not in (1, n):
            raise MicrosizeError(
                f"{name} has {len(col)} rows, the longest argument has {n}: "
                "give every column the same rows, or a single cell"
            )
    return n, [c * n if len(c) == 1 else c for c in cols]


def _decimals(tick: float | None) -> int:
    if not tick or not math.isfinite(tick) or tick <= 0:
        return 2
    return max(0, min(10, -math.floor(math.log10(tick) + 1e-9)))


def _by_row(
    n: int, compute: Callable[[int], list[Any]], failed: Callable[[str], list[Any]]
) -> list[list[Any]]:
    """``compute(i)`` for each row; a row refused shows ``failed(message)`` instead, and the
    other rows still compute. With one row the message is raised (a single cell shows it)."""
    out: list[list[Any]] = []
    for i in range(n):
        try:
            out.append(compute(i))
        except MicrosizeError as exc:
            if n == 1:
                raise
            out.append(failed(ERROR + _short(str(exc))))
    return out


def _short(message: str) -> str:
    return message if len(message) <= 200 else message[:197] + "..."


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or is_missing(v)


def _number(v: Any, name: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise MicrosizeError(f"{name} must be a number (got {describe(v)})")
    return float(v)


def liquidation_checks(
    entry: Numeric,
    stop: Numeric,
    contracts: Numeric,
    leverage: Numeric,
    contract: ContractLike,
    specs: SpecsLike = None,
) -> list[list[str]]:
    """One sentence per planned trade: where an isolated position at ``leverage`` would be
    liquidated, and whether that comes before the stop (then the highest leverage that
    keeps it beyond the stop). The side follows the stop: below the entry is a long.

    ``contracts`` are unsigned sizes in the venue's order unit (as MF_CONTRACTS gives
    them); a blank leverage means no leverage (nothing to check), 0 contracts nothing held.
    A row refused shows ``error: <message>``; the other rows are still checked.

    Parameters
    ----------
    entry, stop : column of float
        Each trade's entry and stop price, > 0; a stop below entry is a long.
    contracts : column of float
        Each trade's size in the venue's order unit, >= 0 (as MF_CONTRACTS gives it).
    leverage : column of float
        Each trade's leverage, > 0; a blank cell is no leverage (nothing to check).
    contract : column of str or float
        Each trade's contract key or size.
    specs : SpecTable or 2-D range, optional
        A spec table with a header row; the bundled (or user) table when omitted.
    """
    n, (entries, stops, sizes, levs, keys) = _columns(
        [
            ("entry", entry),
            ("stop_price", stop),
            ("contracts", contracts),
            ("leverage", leverage),
            ("contract", contract),
        ]
    )
    table = as_spec_table(specs)

    def row(i: int) -> list[str]:
        e, s, q, lev = _checked_row(entries[i], stops[i], sizes[i], levs[i])
        table.lookup(keys[i])
        if lev is None:
            return ["no leverage: nothing to check"]
        if q == 0:
            return ["no position: 0 contracts"]
        return [_liquidation_sentence(e, s, q, lev, keys[i], table)]

    return _by_row(n, row, lambda message: [message])


def _checked_row(e: Any, s: Any, q: Any, lev: Any) -> tuple[float, float, float, Any]:
    """One planned trade's numbers, refused naming the argument; a blank leverage is None."""
    e, s, q = _number(e, "entry"), _number(s, "stop_price"), _number(q, "contracts")
    if e <= 0:
        raise MicrosizeError(f"entry must be > 0 (got {describe(e)})")
    if s <= 0:
        raise MicrosizeError(f"stop_price must be > 0 (got {describe(s)})")
    if q < 0:
        raise MicrosizeError(f"contracts must be >= 0 (got {describe(q)})")
    if e == s:
        raise MicrosizeError(f"stop_price must differ from entry (got {describe(s)})")
    if _blank(lev):
        return e, s, q, None
    if (
        isinstance(lev, bool)
        or not isinstance(lev, int | float)
        or not math.isfinite(lev)
        or lev <= 0
    ):
        raise MicrosizeError(f"leverage must be a number > 0 (got {describe(lev)})")
    return e, s, q, lev


def _liquidation_sentence(e: float, s: float, q: float, lev: Any, key: Any, table: Any) -> str:
    """Where one position is liquidated and whether that comes before its stop."""
    long = side_from_stop(e, s) > 0
    try:
        liq = float(np.asarray(liq_price(e, q if long else -q, lev, key, specs=table)))
        top = float(np.asarray(max_leverage(e, s, key, specs=table)))
    except MicrosizeError as exc:  # this row only: the others are still checked
        return f"not checked: {exc.brief[:120]}"
    d = _decimals(table.lookup(key).tick_size)
    if (long and liq <= 0) or (not long and not math.isfinite(liq)):
        return "ok: cannot be liquidated"
    if (long and liq >= s) or (not long and liq <= s):
        return f"liquidation {liq:,.{d}f} comes before the stop: use at most {top:.0f}x"
    return f"ok: liquidation {liq:,.{d}f}, beyond the stop"


def betas_from_table(
    prices: Sequence[Sequence[Any]],
    assets: Sequence[Any] | str,
    hedge_column: str,
    lam: Numeric | None = None,
) -> list[list[float | str]]:
    """The beta of each named asset on the hedge column of a price table.

    ``prices`` has a header row naming each column (oldest prices first below it);
    ``assets`` names one column per holding; ``hedge_column`` names the hedge's column.
    Names match without regard to case or surrounding spaces. An asset that is no column,
    or whose prices give no beta, shows ``error: <message>`` in its row.

    Parameters
    ----------
    prices : 2-D range
        A price table with a header row naming each column, oldest prices first below.
    assets : column of str
        The column name of each holding's asset.
    hedge_column : str
        The column name of the hedge instrument.
    lam : float, optional
        Decay 0 < lam < 1 for exponentially weighted betas; OLS when omitted.
    """
    if not isinstance(prices, list) or len(prices) < 2 or not isinstance(prices[0], list):
        raise MicrosizeError(
            f"prices must be a table with a header row and prices below (got {describe(prices)})"
        )
    width = len(prices[0])
    if any(not isinstance(r, list) or len(r) != width for r in prices):
        raise MicrosizeError("prices must be a rectangular range")
    names_shown = [str(h).strip() if h is not None else "" for h in prices[0]]
    header = [h.lower() for h in names_shown]

    def column(name: Any, arg: str) -> list[Any]:
        if not isinstance(name, str) or not name.strip():
            raise MicrosizeError(f"{arg} must name a column of prices (got {describe(name)})")
        key = name.strip().lower()
        if key not in header:
            shown = ", ".join(h for h in names_shown[:8] if h)
            raise MicrosizeError(
                f"{arg}: {name.strip()[:30]!r} is not a column of prices ({shown[:80]})"
            )
        j = header.index(key)
        return [r[j] for r in prices[1:]]

    hedge_prices = column(hedge_column, "hedge_column")
    decay_of(lam)  # the same for every row: refused for the whole column
    names = _column(assets, "assets")
    return _by_row(
        len(names),
        lambda i: [beta(column(names[i], "assets"), hedge_prices, lam)],
        lambda message: [message],
    )


def _budget(equity: float, pct: Any, amount: Any) -> float:
    """One row's risk budget: its amount, or equity x its risk %; a blank or 0 is not given."""
    given: dict[str, float] = {}
    for name, v in (("risk", pct), ("risk_amount", amount)):
        if _blank(v):
            continue
        v = _number(v, name)
        if v < 0:
            raise MicrosizeError(f"{name} must be >= 0 (got {describe(v)})")
        if v > 0:
            given[name] = v
    if "risk" in given and given["risk"] >= 1:
        raise MicrosizeError(f"risk is a fraction of the account: type 1.5% (got {describe(pct)})")
    if len(given) != 1:
        what = "both" if given else "neither"
        raise MicrosizeError(f"give a risk % or a risk amount (got {what})")
    return given.get("risk_amount", equity * given.get("risk", 0.0))


def _equity(equity: Any) -> float:
    if isinstance(equity, bool) or not isinstance(equity, int | float):
        raise MicrosizeError(f"equity must be a number (got {describe(equity)})")
    if not math.isfinite(equity) or equity <= 0:
        raise MicrosizeError(f"equity must be > 0 (got {describe(equity)})")
    return float(equity)


def risk_budgets(equity: float, risk: Numeric, risk_amount: Numeric) -> list[list[float | str]]:
    """The risk budget of each planned trade: ``risk_amount`` where the row gives one,
    else ``equity x risk``. A blank or zero cell counts as not given (LibreOffice hands a
    blank cell over as 0); a row must give exactly one of the two, or it shows
    ``error: <message>``.

    Parameters
    ----------
    equity : float
        Account size, > 0.
    risk : column of float
        Each trade's fraction of the account (1.5% = 0.015), or blank.
    risk_amount : column of float
        Each trade's money to risk, or blank; each row gives exactly one of the two.
    """
    eq = _equity(equity)
    n, (pcts, amounts) = _columns([("risk", risk), ("risk_amount", risk_amount)])
    return _by_row(n, lambda i: [_budget(eq, pcts[i], amounts[i])], lambda message: [message])


def exposures(contracts: Any, price: Any, contract: Any, specs: Any = None) -> Any:
    """Signed USD exposure (:func:`~microsize._hedge.exposure`) of each holding, row by
    row: a single value for single cells, else a column whose refused rows show
    ``error: <message>``."""
    if not any(isinstance(v, list | tuple) for v in (contracts, price, contract)):
        return exposure(contracts, price, contract, specs)
    n, (cs, ps, keys) = _columns(
        [("contracts", contracts), ("price", price), ("contract", contract)]
    )
    table = as_spec_table(specs)
    return _by_row(
        n,
        lambda i: [float(np.asarray(exposure(cs[i], ps[i], keys[i], table)))],
        lambda message: [message],
    )


#: Columns of MF_PLAN, one row per planned trade (money in USD).
PLAN_COLUMNS = ("Risk budget", "Contracts", "Risk at stop", "Exposure", "Margin", "Check")
#: Rows of MF_PLAN_TOTALS.
PLAN_TOTALS = ("Combined risk at stop", "Combined margin", "Net exposure")


def _plan_rows(
    equity: Any,
    risk_pct: Any,
    risk_amount: Any,
    entry: Any,
    stop: Any,
    contract: Any,
    fee_rate: Any = None,
    leverage: Any = None,
    specs: Any = None,
) -> list[list[Any]]:
    eq = _equity(equity)
    named = [
        ("risk", risk_pct),
        ("risk_amount", risk_amount),
        ("entry", entry),
        ("stop_price", stop),
        ("contract", contract),
        ("fee_rate", fee_rate),
        ("leverage", leverage),
    ]
    n, (pcts, amounts, entries, stops, keys, fees, levs) = _columns(
        [(name, "" if value is None else value) for name, value in named]
    )
    table = as_spec_table(specs)

    def row(i: int) -> list[Any]:
        budget = _budget(eq, pcts[i], amounts[i])
        e, s = _number(entries[i], "entry"), _number(stops[i], "stop_price")
        fee = None if _blank(fees[i]) else fees[i]
        key = keys[i]
        trade = ("trade", budget, e, s, _tag(key), _tag(fee))
        spec, q = _remembered(table, trade, None, lambda: _sized(budget, e, s, key, fee, table))
        _, _, _, lev = _checked_row(e, s, q, levs[i])
        loss, held = _remembered(
            table, ("valued", *trade[1:]), None, lambda: _valued(spec, q, e, s, key, fee, table)
        )
        tiers = tier_table()  # the brackets in use: a changed user table is another
        im, check = _remembered(
            table,
            ("margin", id(tiers), q, e, s, _tag(lev), _tag(key)),
            tiers,
            lambda: _margin_check(spec, q, e, s, lev, key, table),
        )
        return [budget, q, loss, held, im, check]

    return _by_row(n, row, lambda message: [NOT_COMPUTED] * (len(PLAN_COLUMNS) - 1) + [message])


#: Answers a spec table remembers for the planner (in ``SpecTable.memo``, so they go with
#: the table: a changed Specs range, a new user table or clear_spec_caches() is another
#: table): each calculated cell of a Trades row calls MF_PLAN with the same row, and
#: MF_PLAN_TOTALS with every row again. Only answers are kept; a refused row is computed
#: again (its message with it).
_MEMO_SIZE = 1 << 16  # three entries a trade: tables of some 20,000 trades


def _tag(v: Any) -> Any:
    """A cell as a dict key: by type too (TRUE == 1 == 1.0 as keys) and sign of zero."""
    if type(v) is float and v == 0:
        return (float, math.copysign(1.0, v))
    return (type(v), v)


def _remembered(table: Any, key: Any, tiers: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, or the answer ``table`` keeps for ``key`` (computed with the same
    ``tiers``, by identity: the entry holds them, so their id stays theirs)."""
    memo = getattr(table, "memo", None)
    if memo is None:  # a table of another kind: nothing to keep answers on
        return compute()
    try:
        got = memo.get(key)
    except TypeError:  # an unhashable cell: nothing to remember it by
        return compute()
    if got is not None and got[0] is tiers:
        return got[1]
    answer = compute()
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[key] = (tiers, answer)
    return answer


def _sized(budget: float, e: float, s: float, key: Any, fee: Any, table: Any) -> tuple[Any, float]:
    """(spec, contracts) of one planned trade: MF_CONTRACTS_USD."""
    spec = table.lookup(key)
    return spec, float(np.asarray(contracts_usd(budget, e, s, key, fee, table)))


def _valued(
    spec: Any, q: float, e: float, s: float, key: Any, fee: Any, table: Any
) -> tuple[float, float]:
    """(risk at stop in USD, signed exposure) of one sized trade."""
    coin = spec.kind == "inverse"  # risk is in coin: valued in USD at the stop
    loss = float(np.asarray(risk(q, e, s, key, fee, table))) * (s if coin else 1.0)
    held = float(np.asarray(exposure(side_from_stop(e, s) * q, e, key, table)))
    return _money(loss), held


def _margin_check(
    spec: Any, q: float, e: float, s: float, lev: Any, key: Any, table: Any
) -> tuple[float, str]:
    """(initial margin in USD, at 1x where the leverage is blank; the liquidation check)."""
    coin = spec.kind == "inverse"  # margin is in coin: valued in USD at the entry
    im = float(np.asarray(margin(q, e, 1 if lev is None else lev, key, table)))
    check = (
        "no leverage: nothing to check"
        if lev is None
        else "no position: 0 contracts"
        if q == 0
        else _liquidation_sentence(e, s, q, lev, key, table)
    )
    return _money(im * (e if coin else 1.0)), check


def _money(x: float) -> float:
    return round(x, 10) if math.isfinite(x) else x


def plan_trades(*args: Any) -> list[list[Any]]:
    """One row per planned trade, money in USD: the risk budget (MF_RISK_BUDGETS), the
    contracts whose loss at the stop valued in USD is within it (MF_CONTRACTS_USD), the
    risk at stop, the signed exposure (long +, short -), the initial margin (1x where the
    leverage is blank) and the liquidation check (MF_LIQ_CHECK). Arguments: equity, risk,
    risk_amount, entry, stop, contract[, fee_rate, leverage, specs], one column each; a
    blank fee is 0 and a blank leverage no leverage. A refused row shows ``n/a: see
    Check`` and its message in Check; the other rows compute."""
    return _plan_rows(*args)


def plan_totals(*args: Any) -> list[list[Any]]:
    """The plan's combined risk at stop, combined margin and net exposure (USD), one per
    row, when every trade computed; else each reads ``n/a: 2 trades have errors: rows 3,
    5`` (never a total over part of the plan). Arguments as :func:`plan_trades`."""
    rows = _plan_rows(*args)
    failed = [i + 1 for i, r in enumerate(rows) if not isinstance(r[1], float)]
    if failed:
        few = ", ".join(str(i) for i in failed[:12]) + (", ..." if len(failed) > 12 else "")
        what = "1 trade has an error" if len(failed) == 1 else f"{len(failed)} trades have errors"
        text = f"n/a: {what}: row{'s' if len(failed) > 1 else ''} {few}"
        return [[text] for _ in PLAN_TOTALS]
    return [[_money(math.fsum(r[j] for r in rows))] for j in (2, 4, 3)]
