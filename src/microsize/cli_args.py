"""How the command line reads its arguments and shows numbers (shared by every command).

Numbers are never written with an exponent: positional digits, thousands separated, at
most 10 significant digits after the point and 15 in all (beyond them a float holds no
more digits: 9e22 is ``90,000,000,000,000,000,000,000``). Money is shown to the cent
(8 decimals for a coin), prices to the contract's tick, shares as one percent style
(``0.91%``: 2 decimals, more only where needed to be non-zero). Losses and budgets are cut
toward zero (docs/CONVENTIONS.md, Rounding), so a shown loss is never above its budget.

>>> show_value(0.00001), show_value(1234567.891), show_value(9e22)
('0.00001', '1,234,567.891', '90,000,000,000,000,000,000,000')
>>> money(9.1755, "USDT", down=True), percent(0.0091755, down=True), price(57228.91566, 0.1)
('9.17 USDT', '0.91%', '57,228.9')
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext
from typing import TYPE_CHECKING, Any

from ._checks import account
from ._contracts import ContractSpec, SpecTable, load_specs
from ._csvtext import decimal_value
from ._errors import MicrosizeError
from .csvfiles import parse_number

if TYPE_CHECKING:  # argparse is imported by the command line that calls these
    import argparse

__all__ = [
    "CONTRACT_HELP",
    "FEE_HELP",
    "Units",
    "account_amount",
    "amount",
    "examples_epilog",
    "fee_option",
    "money",
    "named",
    "no_exponent",
    "parse_contract",
    "parse_fraction",
    "parse_side",
    "percent",
    "price",
    "print_rows",
    "refuse_together",
    "show_value",
    "slippage_warning",
    "spec_of",
    "typed_names",
    "warn",
]


def _finite_or_refuse(value: float, text: str, name: str) -> float:
    if not math.isfinite(value):
        raise MicrosizeError(f"{name} must be a finite number (got {text[:40]!r})")
    return value


def parse_fraction(
    text: str, name: str, *, limit: float = 1.0, positive: bool = False, hint: str = ""
) -> float:
    """Read ``1.5%`` or ``0.015`` as 0.015; refuse ``1.5`` (ambiguous), junk, ``inf``.

    ``limit`` is the largest sensible value (1 = 100%); ``positive`` refuses 0 as well as
    negatives; ``hint`` follows the message when the value is above ``limit``.

    >>> parse_fraction("1.5%", "risk")
    0.015
    >>> parse_fraction("0.015", "risk")
    0.015
    """
    raw = text.strip()
    quoted = repr(text[:40])
    try:
        value = decimal_value(raw[:-1].strip() if raw.endswith("%") else raw)  # 1,5% too
        if raw.endswith("%") and math.isfinite(value):
            value = float(f"{value}e-2")  # 1.5% -> 0.015 exactly: shift the decimal point
    except ValueError:
        raise MicrosizeError(f"{name} must be a number like 1.5% or 0.015 (got {quoted})") from None
    _finite_or_refuse(value, text, name)
    if value < 0 or (positive and value == 0):
        raise MicrosizeError(
            f"{name} must be {'positive' if positive else 'zero or more'} (got {quoted})"
        )
    if value > limit:
        if not raw.endswith("%") and value / 100 <= limit:  # 1.5 meant as 1.5%
            raise MicrosizeError(
                f"{name} is a fraction: write {raw}% or {value / 100:g} (got {quoted})"
            )
        raise MicrosizeError(
            f"{name} {format(value * 100, '.6g')}% is above {format(limit * 100, 'g')}%"
            f"{': ' + hint if hint else ''} (got {quoted})"
        )
    return value


def parse_side(text: str) -> Any:
    """A side as typed: ``long``/``short`` (the core reads the words), or a number: ``1``
    or ``-1`` typed on the command line is the number, not the text '1'.

    >>> parse_side("1"), parse_side("-1"), parse_side("long")
    (1.0, -1.0, 'long')
    """
    try:
        number = float(text.strip())
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def warn(text: str) -> int:
    """Say on stderr that the Warnings row is not empty (numbers written out); the exit
    status is then 1."""
    print(f"microsize: warning: {no_exponent(text)}", file=sys.stderr)
    return 1


def parse_contract(text: str) -> Any:
    """A contract argument: a number is a contract size, anything else a key."""
    try:
        return decimal_value(text)  # 0,5 too: docs/CONVENTIONS.md, Numbers as typed
    except ValueError:
        return text


#: significant digits a float holds: digits beyond them are shown as zeros
_FLOAT_DIGITS = 15


def _decimal(x: float) -> Decimal:
    """The shortest decimal that reads back as ``x`` (what Python prints), exactly."""
    return Decimal(repr(float(x)))


def _digits(d: Decimal) -> str:
    """A Decimal in positional notation, thousands separated, trailing zeros kept."""
    return format(d, ",f")


def _quantized(x: float, decimals: int, down: bool) -> Decimal:
    d = _decimal(x)
    if d.adjusted() >= _FLOAT_DIGITS:  # beyond a float's digits: round the digits away
        d = Decimal(format(float(x), f".{_FLOAT_DIGITS}g"))
    with localcontext() as ctx:  # every digit of a float up to 1.8e308 and down to 5e-324
        ctx.prec = 800
        return d.quantize(Decimal(1).scaleb(-decimals), ROUND_DOWN if down else ROUND_HALF_UP)


def fixed(x: float, decimals: int, *, down: bool = False) -> str:
    """``x`` with exactly ``decimals`` decimals (more where fewer would show a non-zero
    value as 0), rounded half away from zero, or cut toward zero with ``down``.

    >>> fixed(1441.678186, 2), fixed(0.004, 2), fixed(-0.0000123, 2, down=True)
    ('1,441.68', '0.004', '-0.000012')
    """
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    d = _quantized(x, decimals, down)
    if d == 0 and x != 0:  # 0.004 at cents: two significant digits, not a false 0
        decimals = max(decimals, -_decimal(x).adjusted() + 1)
        return _digits(_quantized(x, decimals, down)).rstrip("0")
    return _digits(d) if d != 0 else _digits(Decimal(0).quantize(Decimal(1).scaleb(-decimals)))


def _is_coin(currency: str) -> bool:
    """Money in a coin (BTC, ETH: 8 decimals) rather than dollars or a stablecoin (cents)."""
    c = currency.upper()
    return bool(c) and not (c.startswith("USD") or c in {"EUR", "DAI", "FDUSD", "QUOTE CURRENCY"})


def amount(x: float, currency: str, *, down: bool = False) -> str:
    """An amount of money without its currency: to the cent, or to 8 decimals in a coin;
    ``down`` cuts toward zero (a loss or a budget: never shown above what it is)."""
    return fixed(x, 8 if _is_coin(currency) else 2, down=down)


def money(x: float, currency: str, *, down: bool = False) -> str:
    """An amount of money followed by its currency (see :func:`amount`)."""
    return f"{amount(x, currency, down=down)} {currency}".rstrip()


def tick_decimals(tick: float | None) -> int | None:
    """Decimals of a price on this tick (0.1 -> 1, 0.25 -> 2, 5 -> 0); None without a tick."""
    if tick is None or not math.isfinite(tick) or tick <= 0:
        return None
    return len(format(_decimal(tick).normalize(), "f").partition(".")[2])


def price(x: float, tick: float | None) -> str:
    """A price to its contract's tick (nearest, as the warnings write it), or as
    :func:`show_value` without a tick."""
    decimals = tick_decimals(tick)
    return show_value(x) if decimals is None else f"{float(x):,.{min(10, decimals)}f}"


def percent(fraction: float, *, down: bool = False, exact: bool = False) -> str:
    """A fraction as a percent: 2 decimals, more where needed to be non-zero; with
    ``exact`` (a rate from a spec table) every decimal the rate has.

    >>> percent(0.015), percent(1 / 3), percent(0.0000123), percent(0.00055, exact=True)
    ('1.50%', '33.33%', '0.0012%', '0.055%')
    """
    scaled = _decimal(fraction).scaleb(2)
    written = format(scaled.normalize(), ",f")
    if exact and len(written.partition(".")[2]) > 2:
        return f"{written}%"
    return f"{fixed(float(scaled), 2, down=down)}%"


def ratio(x: float, unit: str) -> str:
    """A multiple (reward to risk, beta, leverage) to 2 decimals, cut toward zero so that
    an R is never shown above what it is; ``unit`` follows (``R``, ``x``)."""
    return f"{fixed(x, 2, down=True)}{unit}"


_EXPONENT = re.compile(r"(?<![\w.])(-?\d+(?:\.\d+)?[eE][+-]?\d+)(?![\w.])")


def no_exponent(text: str) -> str:
    """A message with every number written in exponent notation written out.

    >>> no_exponent("notional 3.168e+18 USD is beyond the limit (1e10)")
    'notional 3,168,000,000,000,000,000 USD is beyond the limit (10,000,000,000)'
    """
    return _EXPONENT.sub(lambda m: show_value(float(m.group(1))), text)


#: a stop fill this far from its trigger (a share of the stop price) is warned about
SLIPPAGE_WARNED = 0.05


def slippage_warning(stop: float, fill: float, option: str) -> str | None:
    """The warning for a stop fill 5% or more from its trigger: a slippage that large is
    more likely a typed percentage (5 for 0.05%) than an expected fill.

    >>> slippage_warning(57000, 51300, "--slippage")
    'slippage 10.00% of the stop price (5% or more): check --slippage'
    >>> slippage_warning(57000, 56943, "--slippage") is None
    True
    """
    share = abs(fill - stop) / abs(stop) if stop else 0.0
    if not share >= SLIPPAGE_WARNED * (1 - 1e-9):
        return None
    return (
        f"slippage {percent(share)} of the stop price ({show_value(SLIPPAGE_WARNED * 100)}% "
        f"or more): check {option}"
    )


@contextmanager
def typed_names(**names: str) -> Iterator[None]:
    """Messages from the core name its arguments (``hedge_price``, ``wallet_balance``,
    ``weights``); the command line says what the user typed (``price``, ``--wallet``,
    ``--weights``): ``core_name="typed"`` pairs, applied to a refusal on its way out.

    >>> with typed_names(wallet_balance="--wallet"):
    ...     raise MicrosizeError("wallet_balance must be zero or more (got -1)")
    Traceback (most recent call last):
    microsize._errors.MicrosizeError: --wallet must be zero or more (got -1)
    """
    try:
        yield
    except MicrosizeError as exc:
        text = str(exc)
        for core, typed in names.items():
            text = re.sub(rf"(?<![\w'-]){re.escape(core)}(?![\w'-])", typed, text)
        text = re.sub(r" has (\d+) cells\b", r" has \1 values", text)
        raise MicrosizeError(text) from None


#: core argument names and how the command line's user typed them, shared by commands
TYPED = {
    "stop_price": "stop",
    "fee_rate": "--fee",
    "maint_amount": "--maint-amount",
    "pass mmr": "pass --mmr",
    "target_beta": "--target",
    "hedge_price": "price",
    "lam": "--lam",
    "usd_amount": "usd",
}


def named(func: Callable[[Any], int], **names: str) -> Callable[[Any], int]:
    """A command whose refusals name what the user typed (:data:`TYPED`, then ``names``)."""

    def run(args: Any) -> int:
        with typed_names(**{**TYPED, **names}):
            return func(args)

    return run


def show_value(value: Any) -> str:
    """A number in positional notation with up to 10 significant digits after the point
    and 15 in all, thousands separated: 0.00001, never 1e-05; text is returned as it is,
    with any number in it that has an exponent written out."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return no_exponent(str(value)) if isinstance(value, str) else str(value)
    x = float(value)
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    mag = _decimal(x).adjusted()
    text = _digits(_quantized(x, max(0, 9 - mag), False))
    return text.rstrip("0").rstrip(".") if "." in text else text


def csv_value(value: Any) -> str:
    """A value for a CSV cell: a number in positional notation with every digit Python
    prints (0.00001, not 1e-05), no thousands separators; text as it is.

    >>> csv_value(1e-05), csv_value(125.0), csv_value("binance:BTCUSDT")
    ('0.00001', '125', 'binance:BTCUSDT')
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return "" if value is None else str(value)
    x = float(value)
    if not math.isfinite(x):
        return str(x)
    text = format(_decimal(x), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class Units:
    """The unit of each kind of number for one contract: order quantity, coin, money, price,
    and the tick prices are shown to. A typed contract size names no currency: its money
    and prices are in the "quote currency", as its Currency row says."""

    def __init__(self, spec: ContractSpec | None):
        self.qty = no_exponent(spec.qty_unit or "") if spec else ""  # "of 0.000001 units"
        self.tick = spec.tick_size if spec else None
        if spec is None or not spec.exchange:  # a typed contract size: units of anything
            self.money = self.price = "quote currency"
            self.coin = "units"
            return
        self.money = spec.settle or "settlement currency"
        self.price = spec.quote or "quote currency"
        self.coin = f"{spec.settle} per point" if spec.kind == "quanto" else spec.base or "units"

    @staticmethod
    def join(shown: str, unit: str) -> str:
        return f"{shown} {unit}" if unit else shown

    def show_price(self, x: float) -> str:
        return self.join(price(x, self.tick), self.price)


def spec_of(contract: Any, table: SpecTable | None) -> ContractSpec | None:
    if isinstance(contract, float):
        return ContractSpec.numeric(contract) if math.isfinite(contract) else None
    try:
        return (table or load_specs()).lookup(contract)
    except MicrosizeError:
        return None


def print_rows(rows: list[tuple[str, str]], warnings: list[str]) -> int:
    """Label-value rows, then a Warnings row when there is a warning (exit status 1)."""
    if warnings:
        rows = [*rows, ("Warnings", "; ".join(warnings))]
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {show_value(value)}")
    return warn("; ".join(warnings)) if warnings else 0


def examples_epilog(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


CONTRACT_HELP = "exchange:symbol (see microsize specs) or a contract size in underlying units"
FEE_HELP = "fee per side: 0.05%% or 0.0005 (default 0)"


def refuse_together(args: argparse.Namespace, option: str, others: Sequence[str], why: str) -> None:
    """Refuse ``option`` given together with any of ``others``, naming both."""
    if getattr(args, option.lstrip("-").replace("-", "_")) is None:
        return
    for other in others:
        if getattr(args, other.lstrip("-").replace("-", "_")) is not None:
            raise MicrosizeError(f"{option} and {other} cannot be given together: {why}")


def fee_option(args: argparse.Namespace) -> float | None:
    if args.fee is None:
        return None
    return parse_fraction(
        args.fee, "fee", limit=0.01, hint="the fee per side is a fraction of notional, e.g. 0.05%"
    )


def account_amount(text: str, name: str = "account") -> float:
    """An account size or a risk budget, checked here so the message names the argument
    as typed (the core calls it equity): positive, and not beyond any trading account."""
    return float(account(parse_number(text, name), name))
