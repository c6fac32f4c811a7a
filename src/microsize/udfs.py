"""Excel functions (xlwings UDFs): thin wrappers over the microsize core.

Set ``UDF Modules`` to ``microsize.udfs`` in the workbook's ``xlwings.conf`` sheet and
import the functions once (see the README). Each function here normalises what Excel
hands over (1x1 ranges, empty cells, nested tuples), calls the core, and returns plain
Python values. Errors become exceptions whose message xlwings shows in the cell.

Excel parameter names avoid VBA keywords: ``stop`` is a VBA statement, so the Excel
argument is ``stop_price`` (the Python API keeps ``stop``).
"""

from __future__ import annotations

import functools
import inspect
import math
import re
import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
import xlwings as xw

from . import __version__, clock
from ._contracts import SpecTable, load_specs, max_spec_age_days
from ._errors import MicrosizeError
from ._hedge import beta, hedge, hedge_ratio, hedge_stats, portfolio_hedge, rolling_beta
from ._inputs import describe, is_missing
from ._ladder import ladder, ladder_prices, ladder_weights, scale_out
from ._margin import (
    funding,
    liq_price,
    maintenance_margin,
    margin,
    max_contracts_for_margin,
    max_leverage,
)
from ._size_table import size_trade
from ._sizing import (
    avg_entry,
    breakeven,
    contracts,
    convert,
    notional,
    pnl,
    risk,
    risk_amount,
)

CATEGORY = "microsize"

#: Every argument reads an Excel error value (#N/A, #DIV/0!) as its text instead of as an
#: empty cell, so an error in an optional argument is refused rather than read as "omitted".
arg = functools.partial(xw.arg, err_to_str=True)


def _com_exception() -> Any:
    """The COM server's exception type when running inside Excel's xlwings server, else None."""
    if "xlwings.com_server" not in sys.modules:
        return None
    try:
        from win32com.server.exception import COMException
    except ImportError:
        return None
    return COMException


def _short_errors(fn: _F) -> _F:
    """Show bad-input messages alone in the cell, and never a blank, NaN or infinity.

    pywin32 reports any other exception as "Unexpected Python Error" followed by the whole
    traceback; a ``COMException`` carries just its description to ``Err.Description``,
    which the xlwings VBA wrapper writes into the cell. Outside Excel the
    :class:`MicrosizeError` is raised unchanged.

    Arithmetic that leaves the range of floats (an overflow, a division by a number that
    underflowed to 0) and any cell of the result that is not finite become a message
    naming the argument of the most extreme magnitude: with inputs near 1e308 or 1e-308
    that is where the trouble comes from.
    """
    names = list(inspect.signature(fn).parameters)
    renames = {core: excel for core, excel in _RENAMES.items() if excel in names}

    @functools.wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        try:
            try:
                given = _named(names, args, kwargs)
                _refuse_huge_ints(given)
                # numpy's overflow warnings go unseen in a cell: _check_cells refuses
                # what they would warn about
                with np.errstate(all="ignore"):
                    result = fn(*args, **kwargs)
            except (OverflowError, ZeroDivisionError, FloatingPointError):
                given = _named(names, args, kwargs)
                raise MicrosizeError(f"numbers out of range: {_extreme(given)}") from None
            except MicrosizeError as exc:
                raise MicrosizeError(_user_words(str(exc), names, renames)) from None
            if isinstance(result, _Checked):
                return list(result)
            _check_cells(result, _named(names, args, kwargs))
            return _row_messages(result, names, renames)
        except MicrosizeError as exc:
            com = _com_exception()
            if com is None:
                raise
            raise com(desc=str(exc)) from exc

    return cast(_F, inner)


#: the core's name of an argument -> the Excel name, where Excel needs another one
#: (``stop`` is a VBA statement; ``close`` a VBA keyword)
_RENAMES = {"stop": "stop_price", "close": "close_price"}
#: the longest message a cell shows (docs/CONVENTIONS.md, Errors: under about 200)
MAX_MESSAGE = 199
_LONG_TEXT = re.compile(r"text '([^']{12})[^']*' \((\d+) characters\)")
_LINE_UP = re.compile(r"^ranges do not line up: (.*); use ranges of the same size or single cells$")


#: how a function whose rows stand alone shows a bad row's message in its own row
_ROW_ERROR = "error: "


def _row_messages(result: Any, names: list[str], renames: dict[str, str]) -> Any:
    """The result with each row's own message (``error: ...``, rows that stand alone) in
    the words of the MF_ function, as a message of the whole call is."""
    if not isinstance(result, list):
        return result
    out = []
    for row in result:
        if isinstance(row, list):
            out.append(_row_messages(row, names, renames))
        elif isinstance(row, str) and row.startswith(_ROW_ERROR):
            out.append(_ROW_ERROR + _user_words(row[len(_ROW_ERROR) :], names, renames))
        else:
            out.append(row)
    return out


def _user_words(message: str, names: list[str], renames: dict[str, str]) -> str:
    """A core message in the words of the MF_ function: its argument names (the core's
    ``stop`` is ``stop_price`` in Excel), no array the user never typed (a contract's lot
    step), and under :data:`MAX_MESSAGE` characters."""
    for core, excel in renames.items():
        # the argument's name, not the word in prose ("the stop", the row "Risk at stop")
        message = re.sub(
            rf"(?<![\w':.])(?<!the )(?<!a )(?<!at )(?<!one ){core}(?![\w'])", excel, message
        )
    lined = _LINE_UP.match(message)
    if lined:
        parts = [p for p in lined.group(1).split(", ") if p.split(" ", 1)[0] in names]
        message = (
            f"ranges do not line up: {', '.join(parts)}; use ranges of the same size or "
            "single cells"
        )
    if len(message) > MAX_MESSAGE:
        message = _LONG_TEXT.sub(r"text '\1…' (\2 characters)", message)
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return message


#: the largest magnitude a float holds (Excel's own limit, 9.99e307, is below it)
_FLOAT_MAX = 2**1024


def _refuse_huge_ints(given: list[tuple[str, Any]]) -> None:
    """A Python int beyond the range of floats (10**400) is refused by name, before any
    arithmetic: Excel cannot hold it, and float() of it raises."""
    for name, value in given:
        found = _huge_int(value)
        if found is not None:
            where, n = found
            raise MicrosizeError(
                f"{name} must be a number between -1e308 and 1e308{where} (got {describe(n)})"
            )


def _is_huge(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and abs(x) >= _FLOAT_MAX


def _huge_int(value: Any) -> tuple[str, int] | None:
    """(where, the int) of the first Python int beyond the float range in a cell or range."""
    if _is_huge(value):
        return "", value
    if not isinstance(value, list | tuple):
        return None
    for i, row in enumerate(value):
        if _is_huge(row):
            return f" at item {i + 1}", row
        for j, cell in enumerate(row if isinstance(row, list | tuple) else ()):
            if _is_huge(cell):
                where = f" at row {i + 1}" if len(row) == 1 else f" at row {i + 1}, column {j + 1}"
                return where, cell
    return None


def _magnitude(value: Any) -> tuple[float, Any]:
    """(largest |log10 |x||, that x) over the finite non-zero numbers in a cell or range."""
    best: tuple[float, Any] = (-1.0, None)
    if isinstance(value, list | tuple | np.ndarray):
        for item in value:
            best = max(best, _magnitude(item), key=lambda t: t[0])
        return best
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    ):
        try:
            f = float(value)
        except OverflowError:  # a Python int beyond the float range: its digits tell
            return math.log10(abs(int(value))), value
        if math.isfinite(f) and f != 0:
            return abs(math.log10(abs(f))), f
    return best


def _named(
    names: list[str], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> list[tuple[str, Any]]:
    """(parameter name, value) for what the caller passed, by position or by keyword."""
    return [*zip(names, args, strict=False), *kwargs.items()]


def _extreme(given: list[tuple[str, Any]]) -> str:
    """Which argument to check: the one holding the most extreme magnitude."""
    scored = [(_magnitude(a), n) for n, a in given]
    if not scored:
        return "check the inputs"
    (mag, value), name = max(scored, key=lambda t: t[0][0])
    if value is None or mag < 6:
        return "check the inputs"
    return f"check {name} (got {describe(value)})"


def _check_cells(result: Any, given: list[tuple[str, Any]]) -> None:
    """Refuse a result with a cell Excel would show blank, NaN or infinite."""
    if isinstance(result, list) and not result:
        empty = [n for n, a in given if _empty_range(a)]
        where = f"{empty[0]} is an empty range" if empty else "no result"
        raise MicrosizeError(f"{where}: give at least one value")
    bad = _first_bad_cell(result)
    if bad is None:
        return
    label, value = bad
    raise MicrosizeError(f"{label}is not a finite number ({describe(value)}): {_extreme(given)}")


def _empty_range(x: Any) -> bool:
    x = _v(x)
    return isinstance(x, list) and (not x or all(isinstance(r, list) and not r for r in x))


def _first_bad_cell(result: Any) -> tuple[str, Any] | None:
    """(label for the message, value) of the first cell that is None, NaN or infinite."""

    def bad(x: Any) -> bool:
        if x is None:
            return True
        if isinstance(x, float | np.floating):
            return not math.isfinite(float(x))
        return False

    if not isinstance(result, list):
        return ("the result ", result) if bad(result) else None
    header = result[0] if result and isinstance(result[0], list) else None
    for r, row in enumerate(result):
        cells = row if isinstance(row, list) else [row]
        for c, x in enumerate(cells):
            if isinstance(x, list) and not x:
                return ("an empty row ", None)
            if bad(x):
                if c > 0 and isinstance(cells[0], str):  # a (label, value) table
                    return (f"{cells[0]} ", x)
                if header is not None and r > 0 and c < len(header) and isinstance(header[c], str):
                    return (f"{header[c]} at row {r} ", x)
                return (f"the result at row {r + 1} ", x)
    return None


_F = TypeVar("_F", bound=Callable[..., Any])

_SPEC_DOC = (
    "Optional spec table with a header row (the workbook's Specs table); bundled table if omitted"
)
_CONTRACT_DOC = "Contract key exchange:symbol (e.g. cme:MBT, binance:ETHUSDT) or a contract size"
_FEE_DOC = "Optional fee as a fraction of notional per side (0.05% = 0.0005); 0 if omitted"


def _v(x: Any) -> Any:
    """Unwrap a 1x1 range to its value; turn tuples (literal arrays) into lists."""
    if isinstance(x, tuple):
        x = [list(r) if isinstance(r, tuple) else r for r in x]
    while isinstance(x, list) and len(x) == 1 and (not isinstance(x[0], list) or len(x[0]) == 1):
        x = x[0]
    return x


def _o(x: Any) -> Any:
    """An optional argument: omitted or empty means None (the default)."""
    x = _v(x)
    return None if is_missing(x) else x


_TABLE_CACHE: dict[Any, SpecTable] = {}


def _specs(x: Any) -> SpecTable | None:
    x = _o(x)
    if x is None:
        return None
    if isinstance(x, SpecTable):
        return x
    if not isinstance(x, list) or not x or not isinstance(x[0], list):
        raise MicrosizeError(
            f"specs must be a range with a header row, like the Specs table (got {describe(x)})"
        )
    try:
        key: Any = tuple(tuple(r) for r in x)
        hash(key)
    except TypeError:
        return SpecTable.from_rows(x)
    table = _TABLE_CACHE.get(key)
    if table is None:
        table = SpecTable.from_rows(x)
        if len(_TABLE_CACHE) > 32:
            _TABLE_CACHE.clear()
        _TABLE_CACHE[key] = table
    return table


class _Checked(list):  # type: ignore[type-arg]
    """Cells already proven finite in one vectorised pass (a float array's ``tolist``)."""


def _out(result: Any) -> Any:
    """Plain Python values for Excel (every function's cells are then checked by
    :func:`_short_errors`: a non-finite number is an error, never a blank)."""
    if isinstance(result, np.ndarray):
        if result.dtype.kind in "fiu" and result.ndim and result.size and np.isfinite(result).all():
            return _Checked(result.tolist())  # a column of 100,000 needs no cell walk
        return result.tolist()
    return result


@xw.func(category=CATEGORY)
@_short_errors
@arg("equity", ndim=2, doc="Account size in the settlement currency")
@arg("risk", ndim=2, doc="Fraction of the account to risk (1.5% = 0.015)")
def MF_RISK_AMOUNT(equity: Any, risk: Any) -> Any:
    """Money at risk: equity x risk."""
    return _out(risk_amount(_v(equity), _v(risk)))


@xw.func(category=CATEGORY)
@_short_errors
@arg("risk_amount", ndim=2, doc="Risk budget in the settlement currency")
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_CONTRACTS(
    risk_amount: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Contracts to trade: the largest multiple of the lot step whose loss at the stop, fees included, is within risk_amount; 0 below the minimum order size."""
    return _out(
        contracts(
            _v(risk_amount), _v(entry), _v(stop_price), _v(contract), _o(fee_rate), _specs(specs)
        )
    )


@xw.func(category=CATEGORY)
@_short_errors
@arg("equity", ndim=2, doc="Account size in the settlement currency")
@arg("risk", ndim=2, doc="Fraction of the account to risk (1.5% = 0.015)")
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("leverage", ndim=2, doc="Optional leverage for margin and liquidation; 1 (1x) if omitted")
@arg("specs", ndim=2, doc=_SPEC_DOC)
@arg("slippage", ndim=2, doc="Optional stop slippage: fraction of the stop price or '2 ticks'")
@arg(
    "mmr",
    ndim=2,
    doc="Optional maintenance margin rate (0.5% = 0.005) for the liquidation rows; the contract's tier if omitted",
)
def MF_SIZE(
    equity: Any,
    risk: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    leverage: Any = None,
    specs: Any = None,
    slippage: Any = None,
    mmr: Any = None,
) -> Any:
    """One trade sized in full: a two-column table (label, value) with side, contracts, notional, risk at stop, fees, margin, liquidation, the spec's date and warnings."""
    return _out(
        size_trade(
            _v(equity),
            _v(risk),
            _v(entry),
            _v(stop_price),
            _v(contract),
            _o(fee_rate),
            _o(leverage),
            _specs(specs),
            _o(slippage),
            today=_today(),
            max_age_days=max_spec_age_days(),
            mmr=_o(mmr),
        )
    )


def _today() -> Any:
    """Today's date for the staleness check (tests replace ``microsize.clock.today``)."""
    return clock.today()


@xw.func(category=CATEGORY)
@_short_errors
@arg("contracts", ndim=2, doc="Position size in the venue's order unit (>= 0)")
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_RISK(
    contracts: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Loss at the stop of a given size, fees included, in the settlement currency."""
    return _out(
        risk(_v(contracts), _v(entry), _v(stop_price), _v(contract), _o(fee_rate), _specs(specs))
    )


@xw.func(category=CATEGORY)
@_short_errors
@arg("contracts", ndim=2, doc="Position size in the venue's order unit")
@arg("price", ndim=2, doc="Price")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_NOTIONAL(contracts: Any, price: Any, contract: Any, specs: Any = None) -> Any:
    """Position value in the settlement currency (coin for inverse contracts)."""
    return _out(notional(_v(contracts), _v(price), _v(contract), _specs(specs)))


@xw.func(category=CATEGORY)
@_short_errors
@arg("contracts", ndim=2, doc="Signed position: positive long, negative short")
@arg("entry", ndim=2, doc="Entry price")
@arg("exit_price", ndim=2, doc="Exit price")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_PNL(
    contracts: Any,
    entry: Any,
    exit_price: Any,
    contract: Any,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Profit or loss after fees in the settlement currency (linear, inverse and quanto formulas)."""
    return _out(
        pnl(_v(contracts), _v(entry), _v(exit_price), _v(contract), _o(fee_rate), _specs(specs))
    )


@xw.func(category=CATEGORY)
@_short_errors
@arg("prices", ndim=2, doc="Fill prices")
@arg("contracts", ndim=2, doc="Contracts filled at each price (one side)")
@arg("contract", ndim=2, doc="Optional contract; linear (quantity-weighted) if omitted")
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_AVG_ENTRY(prices: Any, contracts: Any, contract: Any = None, specs: Any = None) -> Any:
    """Average entry price: quantity-weighted for linear contracts, harmonic for inverse."""
    return _out(avg_entry(_v(prices), _v(contracts), _o(contract), _specs(specs)))


@xw.func(category=CATEGORY)
@_short_errors
@arg("entry", ndim=2, doc="Entry price")
@arg("side", ndim=2, doc="long or short (or 1 / -1)")
@arg("fee_rate_open", ndim=2, doc="Optional entry fee as a fraction of notional; 0 if omitted")
@arg("fee_rate_close", ndim=2, doc="Optional exit fee; same as fee_rate_open if omitted")
@arg("contract", ndim=2, doc="Optional contract; linear if omitted")
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_BREAKEVEN(
    entry: Any,
    side: Any,
    fee_rate_open: Any = None,
    fee_rate_close: Any = None,
    contract: Any = None,
    specs: Any = None,
) -> Any:
    """Exit price at which profit after entry and exit fees is zero."""
    return _out(
        breakeven(
            _v(entry), _v(side), _o(fee_rate_open), _o(fee_rate_close), _o(contract), _specs(specs)
        )
    )


@xw.func(category=CATEGORY)
@_short_errors
@arg("contract", doc=_CONTRACT_DOC)
@arg(
    "field",
    doc="Field name: contract_size, lot_step, min_qty, tick_size, kind, settle, max_leverage, taker_fee, mmr, as_of, source, ...",
)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_SPEC(contract: Any, field: Any, specs: Any = None) -> Any:
    """One field of a contract's spec, e.g. MF_SPEC("cme:MBT", "contract_size")."""
    table = _specs(specs) or load_specs()
    contract, field = _v(contract), _v(field)
    spec = table.lookup(contract)
    if is_missing(field) or not isinstance(field, str):
        raise MicrosizeError(f"field must be a field name such as lot_step (got {describe(field)})")
    value = spec.get(field)
    if value is None or value == "":
        raise MicrosizeError(f"{spec.key} has no {field.strip().lower()} in the spec table")
    return value


@xw.func(category=CATEGORY)
@_short_errors
@arg("exchange", doc="Optional exchange (cme, binance, okx, ...); all if omitted")
def MF_SPECS(exchange: Any = None) -> Any:
    """The contract-spec table in use (your refreshed table in ~/.microsize if any, else the bundled one) with a header row, optionally for one exchange."""
    rows = load_specs().rows(_o(exchange))
    return [["" if v is None else v for v in row] for row in rows]


@xw.func(category=CATEGORY)
@_short_errors
@arg("contracts", ndim=2, doc="Contracts of from_contract (signed)")
@arg("from_contract", doc="Contract the position is in")
@arg("to_contract", doc="Contract to express it in")
@arg("price", ndim=2, doc="Price, needed when a linear contract meets an inverse one")
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_CONVERT(
    contracts: Any, from_contract: Any, to_contract: Any, price: Any = None, specs: Any = None
) -> Any:
    """The same underlying exposure in another contract, to the nearest lot step."""
    return _out(
        convert(_v(contracts), _v(from_contract), _v(to_contract), _o(price), _specs(specs))
    )


@xw.func(category=CATEGORY)
@_short_errors
@arg("risk_amount", ndim=2, doc="Risk budget for the whole ladder, in the settlement currency")
@arg("entries", ndim=2, doc="Entry prices (a row or column), all on one side of the stop")
@arg("stop_price", ndim=2, doc="The one stop for every entry")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg(
    "weights",
    ndim=2,
    doc="Optional shares of quantity per entry (30/40/30 or 0.3/0.4/0.3); equal if omitted",
)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_LADDER(
    risk_amount: Any,
    entries: Any,
    stop_price: Any,
    contract: Any,
    weights: Any = None,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Scale-in ladder under one stop and one budget: Entry, Weight, Contracts, Cum contracts, Avg entry, Cum risk, Note."""
    lad = ladder(
        _v(risk_amount),
        _v(entries),
        _v(stop_price),
        _v(contract),
        _o(weights),
        _o(fee_rate),
        _specs(specs),
    )
    return _out(lad.rows())


@xw.func(category=CATEGORY)
@_short_errors
@arg(
    "contracts",
    ndim=2,
    doc="Position to close, in the venue's order unit (a multiple of the lot step)",
)
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("targets", ndim=2, doc="Take-profit prices (a row or column) on the profit side")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("weights", ndim=2, doc="Optional shares of the position per target; equal if omitted")
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_SCALE_OUT(
    contracts: Any,
    entry: Any,
    stop_price: Any,
    targets: Any,
    contract: Any,
    weights: Any = None,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Scale-out plan whose legs sum to the position: Target, Weight, Contracts, PnL, Cum PnL, R, Note."""
    plan = scale_out(
        _v(contracts),
        _v(entry),
        _v(stop_price),
        _v(targets),
        _v(contract),
        _o(weights),
        _o(fee_rate),
        _specs(specs),
    )
    return _out(plan.rows())


@xw.func(category=CATEGORY)
@_short_errors
@arg("first_price", ndim=2, doc="First ladder price")
@arg("last_price", ndim=2, doc="Last ladder price")
@arg("legs", ndim=2, doc="Number of prices, first and last included")
@arg("spacing", doc="Optional: even (equal steps, default) or geometric (equal ratios)")
@arg("tick", ndim=2, doc="Optional tick size, or a contract key whose tick size is used")
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_LADDER_PRICES(
    first_price: Any,
    last_price: Any,
    legs: Any,
    spacing: Any = None,
    tick: Any = None,
    specs: Any = None,
) -> Any:
    """A column of ladder prices from first_price to last_price, evenly or geometrically spaced, rounded to the tick."""
    prices = ladder_prices(
        _v(first_price), _v(last_price), _v(legs), _o(spacing), _o(tick), _specs(specs)
    )
    return _out(prices.reshape(-1, 1))


@xw.func(category=CATEGORY)
@_short_errors
@arg("legs", ndim=2, doc="Number of legs")
@arg("preset", doc="Optional: equal (default), pyramid (decreasing) or increasing")
def MF_WEIGHTS(legs: Any, preset: Any = None) -> Any:
    """A column of ladder weights summing to 1: equal, pyramid (n, n-1, ..., 1) or increasing."""
    return _out(ladder_weights(_v(legs), _o(preset)).reshape(-1, 1))


def _no_liquidation(result: Any) -> Any:
    """0 (a long that cannot be liquidated) or infinity (a short) show as text, not a number."""
    arr = np.asarray(result, dtype=np.float64)
    none = (arr == 0) | np.isinf(arr)
    if not none.any():
        return result
    out = np.where(none, "none: cannot be liquidated", arr.astype(object))
    return out.item() if out.ndim == 0 else out.tolist()


@xw.func(category=CATEGORY)
@_short_errors
@arg("contracts", ndim=2, doc="Position size in the venue's order unit")
@arg("price", ndim=2, doc="Entry or mark price")
@arg("leverage", ndim=2, doc="Leverage (e.g. 10 for 10x)")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_MARGIN(contracts: Any, price: Any, leverage: Any, contract: Any, specs: Any = None) -> Any:
    """Initial margin: notional / leverage, in the settlement currency."""
    return _out(margin(_v(contracts), _v(price), _v(leverage), _v(contract), _specs(specs)))


@xw.func(category=CATEGORY)
@_short_errors
@arg("contracts", ndim=2, doc="Position size in the venue's order unit")
@arg("price", ndim=2, doc="Mark price")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_MAINT_MARGIN(contracts: Any, price: Any, contract: Any, specs: Any = None) -> Any:
    """Maintenance margin: notional x rate - maintenance amount of the contract's margin tier."""
    return _out(maintenance_margin(_v(contracts), _v(price), _v(contract), _specs(specs)))


@xw.func(category=CATEGORY)
@_short_errors
@arg("entry", ndim=2, doc="Entry price")
@arg("contracts", ndim=2, doc="Signed position: positive long, negative short")
@arg("leverage", ndim=2, doc="Leverage (e.g. 10 for 10x)")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("wallet_balance", ndim=2, doc="Optional isolated margin; the initial margin if omitted")
@arg(
    "mmr",
    ndim=2,
    doc="Optional maintenance margin rate (0.4% = 0.004); the contract's tier if omitted",
)
@arg("maint_amount", ndim=2, doc="Optional maintenance amount; the contract's tier if omitted")
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_LIQ_PRICE(
    entry: Any,
    contracts: Any,
    leverage: Any,
    contract: Any,
    wallet_balance: Any = None,
    mmr: Any = None,
    maint_amount: Any = None,
    specs: Any = None,
) -> Any:
    """Isolated-margin liquidation price (one-way mode) by the formula the contract's exchange publishes."""
    result = liq_price(
        _v(entry),
        _v(contracts),
        _v(leverage),
        _v(contract),
        _o(wallet_balance),
        _o(mmr),
        _o(maint_amount),
        _specs(specs),
    )
    return _out(_no_liquidation(result))


@xw.func(category=CATEGORY)
@_short_errors
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("mmr", ndim=2, doc="Optional maintenance margin rate; the contract's first tier if omitted")
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_MAX_LEVERAGE(
    entry: Any, stop_price: Any, contract: Any, mmr: Any = None, specs: Any = None
) -> Any:
    """Highest whole-number leverage at which the isolated liquidation price stays beyond the stop."""
    return _out(max_leverage(_v(entry), _v(stop_price), _v(contract), _o(mmr), _specs(specs)))


@xw.func(category=CATEGORY)
@_short_errors
@arg("contracts", ndim=2, doc="Signed position: positive long, negative short")
@arg("price", ndim=2, doc="Mark price")
@arg("rate", ndim=2, doc="Funding rate per interval (0.01% = 0.0001)")
@arg("periods", ndim=2, doc="Number of funding intervals")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_FUNDING(
    contracts: Any, price: Any, rate: Any, periods: Any, contract: Any, specs: Any = None
) -> Any:
    """Funding paid (positive) or received (negative) over periods funding intervals."""
    return _out(
        funding(_v(contracts), _v(price), _v(rate), _v(periods), _v(contract), _specs(specs))
    )


@xw.func(category=CATEGORY)
@_short_errors
@arg("available", ndim=2, doc="Margin available, in the settlement currency")
@arg("price", ndim=2, doc="Entry price")
@arg("leverage", ndim=2, doc="Leverage (e.g. 10 for 10x)")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_MAX_CONTRACTS_MARGIN(
    available: Any, price: Any, leverage: Any, contract: Any, specs: Any = None
) -> Any:
    """The most contracts (lot steps) whose initial margin fits the available margin."""
    return _out(
        max_contracts_for_margin(
            _v(available), _v(price), _v(leverage), _v(contract), _specs(specs)
        )
    )


@xw.func(category=CATEGORY)
@_short_errors
@arg("asset_prices", ndim=2, doc="Asset prices, oldest first (a column or row)")
@arg(
    "hedge_prices",
    ndim=2,
    doc="Hedge instrument prices, same rows; blank rows are dropped pairwise",
)
@arg(
    "lam",
    ndim=2,
    doc="Optional decay 0 < lam < 1 (e.g. 0.94) for the exponentially weighted beta; OLS if omitted",
)
def MF_BETA(asset_prices: Any, hedge_prices: Any, lam: Any = None) -> Any:
    """Beta of the asset's simple returns on the hedge's: OLS slope, or zero-mean exponentially weighted with lam."""
    return _out(beta(_v(asset_prices), _v(hedge_prices), _o(lam)))


@xw.func(category=CATEGORY)
@_short_errors
@arg("spot_prices", ndim=2, doc="Spot prices, oldest first")
@arg("futures_prices", ndim=2, doc="Futures prices, same rows")
def MF_HEDGE_RATIO(spot_prices: Any, futures_prices: Any) -> Any:
    """Minimum-variance hedge ratio rho x sd(dS) / sd(dF) from price changes (Hull ch. 3)."""
    return _out(hedge_ratio(_v(spot_prices), _v(futures_prices)))


@xw.func(category=CATEGORY)
@_short_errors
@arg("spot_prices", ndim=2, doc="Spot prices, oldest first")
@arg("futures_prices", ndim=2, doc="Futures prices, same rows")
def MF_HEDGE_STATS(spot_prices: Any, futures_prices: Any) -> Any:
    """Hedge ratio, correlation, volatilities of price changes and hedge effectiveness (rho squared) as a spill."""
    return _out(hedge_stats(_v(spot_prices), _v(futures_prices)).rows())


@xw.func(category=CATEGORY)
@_short_errors
@arg("asset_prices", ndim=2, doc="Asset prices, oldest first")
@arg("hedge_prices", ndim=2, doc="Hedge instrument prices, same rows")
@arg("window", ndim=2, doc="Number of returns in each window")
def MF_ROLLING_BETA(asset_prices: Any, hedge_prices: Any, window: Any) -> Any:
    """A column of OLS betas over a moving window of returns; the first value belongs beside price window+1."""
    values = np.asarray(
        rolling_beta(_v(asset_prices), _v(hedge_prices), _v(window)), dtype=np.float64
    )
    col = np.where(np.isfinite(values), values.astype(object), "n/a: hedge flat in this window")
    return col.reshape(-1, 1).tolist()


@xw.func(category=CATEGORY)
@_short_errors
@arg("exposure", ndim=2, doc="Position value in USD (negative for a short)")
@arg("beta", ndim=2, doc="Beta of the position to the hedge instrument")
@arg("hedge_price", ndim=2, doc="Price of the hedge contract")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("target_beta", ndim=2, doc="Optional beta to reach; 0 (fully hedged) if omitted")
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_HEDGE(
    exposure: Any,
    beta: Any,
    hedge_price: Any,
    contract: Any,
    target_beta: Any = None,
    specs: Any = None,
) -> Any:
    """Signed contracts to trade (negative = sell) to move the exposure's beta to target_beta, nearest lot step."""
    target = _o(target_beta)
    return _out(
        hedge(
            _v(exposure),
            _v(beta),
            _v(hedge_price),
            _v(contract),
            0.0 if target is None else target,
            _specs(specs),
        )
    )


@xw.func(category=CATEGORY)
@_short_errors
@arg("exposures", ndim=2, doc="Position values in USD, one per holding (negative for shorts)")
@arg("betas", ndim=2, doc="Beta of each holding to the hedge instrument")
@arg("hedge_price", ndim=2, doc="Price of the hedge contract")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("target_beta", ndim=2, doc="Optional portfolio beta to reach; 0 if omitted")
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_PORTFOLIO_HEDGE(
    exposures: Any,
    betas: Any,
    hedge_price: Any,
    contract: Any,
    target_beta: Any = None,
    specs: Any = None,
) -> Any:
    """Portfolio beta and the hedge that moves it to target_beta: two-column spill (label, value)."""
    target = _o(target_beta)
    plan = portfolio_hedge(
        _v(exposures),
        _v(betas),
        _v(hedge_price),
        _v(contract),
        0.0 if target is None else target,
        _specs(specs),
    )
    return _out(plan.rows())


@xw.func(category=CATEGORY)
@_short_errors
def MF_VERSION() -> str:
    """The microsize package version."""
    return __version__


# ----------------------------------------------------------------- trader inputs
from ._targets import (  # noqa: E402  (kept as one block for this group of functions)
    atr_stop,
    contracts_usd,
    reward_risk,
    risk_to_settle,
    roi_target,
    stop_fill,
    target_price,
)
from ._volatility import _atr_rows, latest_atr  # noqa: E402

_SIDE_DOC = "long or short (or 1 / -1)"
_TICK_CONTRACT_DOC = "Optional contract whose tick size rounds the price; unrounded if omitted"


def _atr_cells(values: Any, blank: Any, n: int, high: Any) -> Any:
    """ATR values as cells: text where a bar has none (never a blank cell); a row stays a row."""
    arr = np.asarray(values, dtype=np.float64)
    text = np.where(blank, "n/a: blank row", f"n/a: fewer than {n} bars")
    cells = np.where(np.isfinite(arr), arr.astype(object), text)
    h = _v(high)
    if isinstance(h, list) and len(h) == 1 and isinstance(h[0], list) and len(h[0]) > 1:
        return [cells.tolist()]
    return cells.reshape(-1, 1).tolist()


@xw.func(category=CATEGORY)
@_short_errors
@arg("high", ndim=2, doc="High prices, oldest first (a column or row)")
@arg("low", ndim=2, doc="Low prices, same rows")
@arg("close_price", ndim=2, doc="Close prices, same rows; a row with a blank is skipped")
@arg("periods", ndim=2, doc="Optional number of bars; 14 if omitted")
@arg("method", doc="Optional: wilder (default), simple or exponential")
@arg("latest", doc="Optional: TRUE for the newest ATR alone instead of the column")
def MF_ATR(
    high: Any,
    low: Any,
    close_price: Any,
    periods: Any = None,
    method: Any = None,
    latest: Any = None,
) -> Any:
    """Wilder's average true range beside each bar (n/a before the first full window), or the newest value with latest=TRUE."""
    if _latest(latest):
        return _out(latest_atr(_v(high), _v(low), _v(close_price), _o(periods), _o(method)))
    values, blank, n = _atr_rows(_v(high), _v(low), _v(close_price), _o(periods), _o(method))
    return _atr_cells(values, blank, n, high)


def _latest(x: Any) -> bool:
    x = _o(x)
    if x is None or x is False or (_is_number(x) and x == 0):
        return False
    if x is True or (_is_number(x) and x == 1):
        return True
    raise MicrosizeError(f"latest must be TRUE or FALSE (got {describe(x)})")


def _is_number(x: Any) -> bool:
    """A single number (an array or range is not, whatever it holds)."""
    return isinstance(x, int | float | np.integer | np.floating)


@xw.func(category=CATEGORY)
@_short_errors
@arg("entry", ndim=2, doc="Entry price")
@arg("atr", ndim=2, doc="Average true range (e.g. from MF_ATR), in price units")
@arg("multiple", ndim=2, doc="How many ATRs from entry (e.g. 2)")
@arg("side", ndim=2, doc=_SIDE_DOC)
@arg("contract", ndim=2, doc=_TICK_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_ATR_STOP(
    entry: Any, atr: Any, multiple: Any, side: Any, contract: Any = None, specs: Any = None
) -> Any:
    """Stop multiple x ATR from entry, rounded to the contract's tick away from entry (never nearer than asked)."""
    return _out(atr_stop(_v(entry), _v(atr), _v(multiple), _v(side), _o(contract), _specs(specs)))


@xw.func(category=CATEGORY)
@_short_errors
@arg("stop_price", ndim=2, doc="Stop trigger price: below entry = long, above = short")
@arg("slippage", ndim=2, doc="Fraction of the stop price (0.1% = 0.001), or ticks as text: 2 ticks")
@arg("entry", ndim=2, doc="Entry price (gives the side)")
@arg("contract", ndim=2, doc=_TICK_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_STOP_FILL(
    stop_price: Any, slippage: Any, entry: Any, contract: Any = None, specs: Any = None
) -> Any:
    """Price a stop-market order fills at after slippage, worse than the trigger and on the tick: size against it."""
    return _out(stop_fill(_v(stop_price), _v(slippage), _v(entry), _o(contract), _specs(specs)))


@xw.func(category=CATEGORY)
@_short_errors
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("target", ndim=2, doc="Take-profit price on the profit side")
@arg("contract", ndim=2, doc="Optional contract (inverse PnL for coin-margined); linear if omitted")
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_RR(
    entry: Any,
    stop_price: Any,
    target: Any,
    contract: Any = None,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Reward to risk: profit at the target over loss at the stop, both after entry and exit fees."""
    return _out(
        reward_risk(
            _v(entry), _v(stop_price), _v(target), _o(contract), _o(fee_rate), _specs(specs)
        )
    )


@xw.func(category=CATEGORY)
@_short_errors
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price: below entry = long, above = short")
@arg("r_multiple", ndim=2, doc="Reward in multiples of the risk at the stop (e.g. 3 for 3R)")
@arg(
    "contract",
    ndim=2,
    doc="Optional contract: its tick and kind (inverse is exact); linear if omitted",
)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_TARGET(
    entry: Any,
    stop_price: Any,
    r_multiple: Any,
    contract: Any = None,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Exit price making at least r_multiple R after fees, rounded to the tick away from entry."""
    return _out(
        target_price(
            _v(entry), _v(stop_price), _v(r_multiple), _o(contract), _o(fee_rate), _specs(specs)
        )
    )


@xw.func(category=CATEGORY)
@_short_errors
@arg("entry", ndim=2, doc="Entry price")
@arg("roi", ndim=2, doc="Return on initial margin as a fraction (50% = 0.5; negative for a loss)")
@arg("leverage", ndim=2, doc="Leverage (e.g. 10 for 10x)")
@arg("side", ndim=2, doc=_SIDE_DOC)
@arg("contract", ndim=2, doc="Optional contract: its tick and kind (inverse); linear if omitted")
@arg("fee_rate", ndim=2, doc="Optional fee per side; 0 if omitted, as the exchanges' calculators")
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_ROI_TARGET(
    entry: Any,
    roi: Any,
    leverage: Any,
    side: Any,
    contract: Any = None,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Exit price for a return on initial margin (PnL / margin) as Binance's and Bybit's calculators define it."""
    return _out(
        roi_target(
            _v(entry), _v(roi), _v(leverage), _v(side), _o(contract), _o(fee_rate), _specs(specs)
        )
    )


@xw.func(category=CATEGORY)
@_short_errors
@arg("usd_amount", ndim=2, doc="Risk budget in USD")
@arg("stop_price", ndim=2, doc="Stop price (or its fill, MF_STOP_FILL): where the loss is realised")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_RISK_TO_SETTLE(usd_amount: Any, stop_price: Any, contract: Any, specs: Any = None) -> Any:
    """A USD risk budget in the settlement currency: coin = USD / stop for inverse contracts (rounded down), unchanged for USD-settled ones."""
    return _out(risk_to_settle(_v(usd_amount), _v(stop_price), _v(contract), _specs(specs)))


@xw.func(category=CATEGORY)
@_short_errors
@arg("usd_amount", ndim=2, doc="Risk budget in USD")
@arg("entry", ndim=2, doc="Entry price")
@arg("stop_price", ndim=2, doc="Stop price (or its fill, MF_STOP_FILL): below entry = long")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("fee_rate", ndim=2, doc=_FEE_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_CONTRACTS_USD(
    usd_amount: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    specs: Any = None,
) -> Any:
    """Contracts whose loss at the stop, valued in USD at the stop price, is within a USD budget (inverse and USD-settled linear contracts)."""
    return _out(
        contracts_usd(
            _v(usd_amount), _v(entry), _v(stop_price), _v(contract), _o(fee_rate), _specs(specs)
        )
    )


# --------------------------------------------------------------- table columns (worksheets)
@xw.func(category=CATEGORY)
@_short_errors
@arg("entry", ndim=2, doc="Entry price of each trade (a column)")
@arg("stop_price", ndim=2, doc="Stop price of each trade: below entry = long, above = short")
@arg("contracts", ndim=2, doc="Size of each trade in the venue's order unit (MF_CONTRACTS)")
@arg("leverage", ndim=2, doc="Leverage of each trade (20 = 20x); blank = no leverage")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_LIQ_CHECK(
    entry: Any,
    stop_price: Any,
    contracts: Any,
    leverage: Any,
    contract: Any,
    specs: Any = None,
) -> Any:
    """A column of sentences, one per trade: the isolated liquidation price and whether it comes before the stop (then the highest leverage that keeps it beyond)."""
    from ._planner import liquidation_checks

    return liquidation_checks(
        _v(entry), _v(stop_price), _v(contracts), _v(leverage), _v(contract), _specs(specs)
    )


@xw.func(category=CATEGORY)
@_short_errors
@arg("prices", ndim=2, doc="Price table with a header row naming each column, oldest first")
@arg("assets", ndim=2, doc="Column name of each holding's asset (a column of names)")
@arg("hedge_column", ndim=2, doc="Column name of the hedge instrument, e.g. BTC")
@arg(
    "lam",
    ndim=2,
    doc="Optional decay 0 < lam < 1 for exponentially weighted betas; OLS if omitted",
)
def MF_BETAS(prices: Any, assets: Any, hedge_column: Any, lam: Any = None) -> Any:
    """A column of betas, one per named asset, each on the hedge column of the same price table (OLS slope of simple returns)."""
    from ._planner import betas_from_table

    return betas_from_table(_v(prices), _v(assets), _v(hedge_column), _o(lam))


@xw.func(category=CATEGORY)
@_short_errors
@arg("equity", ndim=2, doc="Account size in the settlement currency")
@arg(
    "risk",
    ndim=2,
    doc="Fraction of the account per trade (1.5% = 0.015); blank where an amount is given",
)
@arg("risk_amount", ndim=2, doc="Money to risk per trade; blank where a risk % is given")
def MF_RISK_BUDGETS(equity: Any, risk: Any, risk_amount: Any) -> Any:
    """A column of risk budgets, one per trade: the trade's risk amount, or equity x its risk %; each row gives exactly one."""
    from ._planner import risk_budgets

    return risk_budgets(_v(equity), _v(risk), _v(risk_amount))


# ------------------------------------------- signed exposure and trade plans (worksheets)
@xw.func(category=CATEGORY)
@_short_errors
@arg(
    "contracts",
    ndim=2,
    doc="Signed position in the venue's order unit: positive long, negative short",
)
@arg("price", ndim=2, doc="Price (mark or last)")
@arg("contract", ndim=2, doc=_CONTRACT_DOC)
@arg("specs", ndim=2, doc=_SPEC_DOC)
def MF_EXPOSURE(contracts: Any, price: Any, contract: Any, specs: Any = None) -> Any:
    """Signed USD exposure: positive long, negative short (MF_NOTIONAL is unsigned); per row over columns, a bad row shows its message."""
    from ._planner import exposures

    return _out(exposures(_v(contracts), _v(price), _v(contract), _specs(specs)))


_PLAN_ARGS = (
    ("equity", "Account size in USD"),
    ("risk", "Fraction of the account per trade (1.5% = 0.015); blank where an amount is given"),
    ("risk_amount", "USD to risk per trade; blank where a risk % is given"),
    ("entry", "Entry price of each trade (a column)"),
    ("stop_price", "Stop price of each trade: below entry = long, above = short"),
    ("contract", _CONTRACT_DOC),
    ("fee_rate", "Optional fee per side of each trade; a blank cell is 0"),
    ("leverage", "Optional leverage of each trade (20 = 20x); a blank cell is no leverage (1x)"),
    ("specs", _SPEC_DOC),
)


def _plan_args(fn: _F) -> _F:
    for name, doc in reversed(_PLAN_ARGS):
        fn = arg(name, ndim=2, doc=doc)(fn)
    return fn


@xw.func(category=CATEGORY)
@_short_errors
@_plan_args
def MF_PLAN(
    equity: Any,
    risk: Any,
    risk_amount: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    leverage: Any = None,
    specs: Any = None,
) -> Any:
    """One row per planned trade, in USD: Risk budget, Contracts, Risk at stop, Exposure (short -), Margin, Check; a bad row shows its message in Check and the others compute."""
    from ._planner import plan_trades

    return plan_trades(
        _v(equity),
        _v(risk),
        _v(risk_amount),
        _v(entry),
        _v(stop_price),
        _v(contract),
        _v(fee_rate),
        _v(leverage),
        _specs(specs),
    )


@xw.func(category=CATEGORY)
@_short_errors
@_plan_args
def MF_PLAN_TOTALS(
    equity: Any,
    risk: Any,
    risk_amount: Any,
    entry: Any,
    stop_price: Any,
    contract: Any,
    fee_rate: Any = None,
    leverage: Any = None,
    specs: Any = None,
) -> Any:
    """A column: combined risk at stop, combined margin, net exposure (USD) of MF_PLAN's trades; text naming the rows with errors if any trade failed."""
    from ._planner import plan_totals

    return plan_totals(
        _v(equity),
        _v(risk),
        _v(risk_amount),
        _v(entry),
        _v(stop_price),
        _v(contract),
        _v(fee_rate),
        _v(leverage),
        _specs(specs),
    )
