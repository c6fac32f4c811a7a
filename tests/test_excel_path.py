"""The classic xlwings path, run for real on Linux: VBA wrappers, argument conversion, errors.

On Windows, "Import Functions" runs ``xlwings.udfs.import_udfs``, which writes one VBA
``Function`` per decorated function, and each cell calls ``XLPy.CallUDF`` ->
``xlwings.com_server.XLPython.CallUDF`` -> ``xlwings.udfs.call_udf``, which converts the
arguments with ``xlwings.conversion`` and ``xlwings._xlwindows``, calls the function and
converts the result back. All of that is plain Python: with a fake pywin32
(``tests/fake_pywin32.py``) the real modules import and run here, against
``microsize.udfs`` decorated by the real ``xlwings.udfs.xlfunc/xlarg/xlret``.

What this cannot show: that the VBA compiles and runs inside Excel, and what pywin32's C++
layer does with values and exceptions (modelled where noted).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import importlib
import importlib.util
import inspect
import io
import math
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
import xlwings
import xlwings.main

import microsize
from microsize import MicrosizeError
from microsize import udfs as plain_udfs
from microsize.udfs_args import redeclared

from . import fake_pywin32 as fake
from .fake_pywin32 import MISSING, XL_ERRORS, FakeComRange

MODULE = "microsize.udfs"
CALLER = FakeComRange([[None]], row=5, column=3)  # Application.Caller: the formula's cell
EMPTY_CELL = FakeComRange([[None]])  # a reference to a blank cell


@contextlib.contextmanager
def cell_error(match: str) -> Iterator[pytest.ExceptionInfo[Any]]:
    """Inside Excel's COM server a bad input surfaces as a COMException whose description
    (what the cell shows) is the MicrosizeError's short message."""
    with pytest.raises(fake.COMException) as info:
        yield info
    assert isinstance(info.value.__cause__, MicrosizeError)
    description = fake.com_error_description(info.value)
    assert description == str(info.value.__cause__)
    assert re.search(match, description), description


FOUNDATION = {
    # The SPEC's Excel signatures (Optional = [bracketed] there); stop is a VBA statement,
    # so the Excel argument is stop_price.
    "MF_RISK_AMOUNT": "equity, risk",
    "MF_CONTRACTS": "risk_amount, entry, stop_price, contract, Optional fee_rate, Optional specs",
    "MF_SIZE": (  # slippage, then mmr, came later: after specs, released positions never move
        "equity, risk, entry, stop_price, contract, Optional fee_rate, Optional leverage, "
        "Optional specs, Optional slippage, Optional mmr"
    ),
    "MF_RISK": "contracts, entry, stop_price, contract, Optional fee_rate, Optional specs",
    "MF_NOTIONAL": "contracts, price, contract, Optional specs",
    "MF_PNL": "contracts, entry, exit_price, contract, Optional fee_rate, Optional specs",
    "MF_AVG_ENTRY": "prices, contracts, Optional contract, Optional specs",
    "MF_BREAKEVEN": (
        "entry, side, Optional fee_rate_open, Optional fee_rate_close, Optional contract, "
        "Optional specs"
    ),
    "MF_SPEC": "contract, field, Optional specs",
    "MF_SPECS": "Optional exchange",
    "MF_CONVERT": "contracts, from_contract, to_contract, Optional price, Optional specs",
    "MF_LADDER": (
        "risk_amount, entries, stop_price, contract, Optional weights, Optional fee_rate, "
        "Optional specs"
    ),
    "MF_SCALE_OUT": (
        "contracts, entry, stop_price, targets, contract, Optional weights, Optional fee_rate, "
        "Optional specs"
    ),
    "MF_LADDER_PRICES": (
        "first_price, last_price, legs, Optional spacing, Optional tick, Optional specs"
    ),
    "MF_WEIGHTS": "legs, Optional preset",
    "MF_MARGIN": "contracts, price, leverage, contract, Optional specs",
    "MF_MAINT_MARGIN": "contracts, price, contract, Optional specs",
    "MF_LIQ_PRICE": (
        "entry, contracts, leverage, contract, Optional wallet_balance, Optional mmr, "
        "Optional maint_amount, Optional specs"
    ),
    "MF_MAX_LEVERAGE": "entry, stop_price, contract, Optional mmr, Optional specs",
    "MF_FUNDING": "contracts, price, rate, periods, contract, Optional specs",
    "MF_MAX_CONTRACTS_MARGIN": "available, price, leverage, contract, Optional specs",
    "MF_BETA": "asset_prices, hedge_prices, Optional lam",
    "MF_HEDGE_RATIO": "spot_prices, futures_prices",
    "MF_HEDGE_STATS": "spot_prices, futures_prices",
    "MF_ROLLING_BETA": "asset_prices, hedge_prices, window",
    "MF_HEDGE": "exposure, beta, hedge_price, contract, Optional target_beta, Optional specs",
    "MF_PORTFOLIO_HEDGE": (
        "exposures, betas, hedge_price, contract, Optional target_beta, Optional specs"
    ),
    "MF_VERSION": "",
    "MF_ATR": "high, low, close_price, Optional periods, Optional method, Optional latest",
    "MF_ATR_STOP": "entry, atr, multiple, side, Optional contract, Optional specs",
    "MF_STOP_FILL": "stop_price, slippage, entry, Optional contract, Optional specs",
    "MF_RR": "entry, stop_price, target, Optional contract, Optional fee_rate, Optional specs",
    "MF_TARGET": (
        "entry, stop_price, r_multiple, Optional contract, Optional fee_rate, Optional specs"
    ),
    "MF_ROI_TARGET": (
        "entry, roi, leverage, side, Optional contract, Optional fee_rate, Optional specs"
    ),
    "MF_RISK_TO_SETTLE": "usd_amount, stop_price, contract, Optional specs",
    "MF_CONTRACTS_USD": (
        "usd_amount, entry, stop_price, contract, Optional fee_rate, Optional specs"
    ),
    "MF_LIQ_CHECK": "entry, stop_price, contracts, leverage, contract, Optional specs",
    "MF_BETAS": "prices, assets, hedge_column, Optional lam",
    "MF_RISK_BUDGETS": "equity, risk, risk_amount",
    "MF_EXPOSURE": "contracts, price, contract, Optional specs",
    "MF_PLAN": (
        "equity, risk, risk_amount, entry, stop_price, contract, Optional fee_rate, "
        "Optional leverage, Optional specs"
    ),
    "MF_PLAN_TOTALS": (
        "equity, risk, risk_amount, entry, stop_price, contract, Optional fee_rate, "
        "Optional leverage, Optional specs"
    ),
}

# One valid call per function: its required arguments as Excel hands them over (numbers
# as float, literal arrays as nested tuples). A new MF_ function needs a row here.
EXCEL_CALLS: dict[str, tuple[Any, ...]] = {
    "MF_RISK_AMOUNT": (2000.0, 0.015),
    "MF_CONTRACTS": (30.0, 3520.0, 3450.0, "binance:ETHUSDT"),
    "MF_SIZE": (2000.0, 0.015, 3520.0, 3450.0, "binance:ETHUSDT"),
    "MF_RISK": (0.428, 3520.0, 3450.0, "binance:ETHUSDT"),
    "MF_NOTIONAL": (0.428, 3520.0, "binance:ETHUSDT"),
    "MF_PNL": (0.428, 3520.0, 3600.0, "binance:ETHUSDT"),
    "MF_AVG_ENTRY": (((3500.0,), (3400.0,)), ((1.0,), (2.0,))),
    "MF_BREAKEVEN": (3520.0, "long"),
    "MF_SPEC": ("cme:MBT", "contract_size"),
    "MF_SPECS": (),
    "MF_CONVERT": (1.0, "cme:MBT", "binance:BTCUSDT"),
    "MF_LADDER": (30.0, ((3520.0,), (3500.0,), (3480.0,)), 3450.0, 0.001),
    "MF_SCALE_OUT": (10.0, 60000.0, 58000.0, ((62000.0, 64000.0, 66000.0),), "cme:MBT"),
    "MF_LADDER_PRICES": (3520.0, 3480.0, 3.0),
    "MF_WEIGHTS": (3.0,),
    "MF_MARGIN": (0.01, 60000.0, 20.0, "binance:BTCUSDT"),
    "MF_MAINT_MARGIN": (0.01, 60000.0, "binance:BTCUSDT"),
    "MF_LIQ_PRICE": (60000.0, 0.01, 20.0, "binance:BTCUSDT"),
    "MF_MAX_LEVERAGE": (60000.0, 57000.0, "binance:BTCUSDT"),
    "MF_FUNDING": (0.01, 60000.0, 0.0001, 3.0, "binance:BTCUSDT"),
    "MF_MAX_CONTRACTS_MARGIN": (100.0, 60000.0, 10.0, "binance:BTCUSDT"),
    "MF_BETA": (((100.0,), (102.0,), (101.0,), (105.0,)), ((50.0,), (50.5,), (50.2,), (51.0,))),
    "MF_HEDGE_RATIO": (
        ((100.0,), (102.0,), (101.0,), (105.0,)),
        ((50.0,), (50.5,), (50.2,), (51.0,)),
    ),
    "MF_HEDGE_STATS": (
        ((100.0,), (102.0,), (101.0,), (105.0,)),
        ((50.0,), (50.5,), (50.2,), (51.0,)),
    ),
    "MF_ROLLING_BETA": (
        ((100.0,), (102.0,), (101.0,), (105.0,), (104.0,)),
        ((50.0,), (50.5,), (50.2,), (51.0,), (50.9,)),
        2.0,
    ),
    "MF_HEDGE": (250000.0, 1.2, 60000.0, "cme:MBT"),
    "MF_PORTFOLIO_HEDGE": (((100000.0,), (50000.0,)), ((1.2,), (0.8,)), 60000.0, "cme:MBT"),
    "MF_VERSION": (),
    "MF_ATR": (
        ((48.70,), (48.72,), (48.90,)),
        ((47.79,), (48.14,), (48.39,)),
        ((48.16,), (48.61,), (48.75,)),
    ),
    "MF_ATR_STOP": (60000.0, 1234.5, 2.0, "long"),
    "MF_STOP_FILL": (57000.0, 0.001, 60000.0),
    "MF_RR": (100.0, 95.0, 110.0),
    "MF_TARGET": (60000.0, 57000.0, 3.0),
    "MF_ROI_TARGET": (60000.0, 0.5, 10.0, "long"),
    "MF_RISK_TO_SETTLE": (100.0, 57000.0, "deribit:BTC-PERPETUAL"),
    "MF_CONTRACTS_USD": (100.0, 60000.0, 57000.0, "deribit:BTC-PERPETUAL"),
    "MF_LIQ_CHECK": (
        ((60000.0,), (3500.0,)),
        ((57000.0,), (3600.0,)),
        ((0.01,), (1.2,)),
        ((20.0,), (10.0,)),
        (("binance:BTCUSDT",), ("binance:ETHUSDT",)),
    ),
    "MF_BETAS": (
        (("BTC", "ETH"), (50.0, 100.0), (50.5, 102.0), (50.2, 101.0), (51.0, 105.0)),
        (("ETH",), ("BTC",)),
        "BTC",
    ),
    "MF_RISK_BUDGETS": (10000.0, ((0.01,), (None,)), ((None,), (150.0,))),
    "MF_EXPOSURE": (-2.0, 60000.0, "cme:MBT"),
    "MF_PLAN": (
        10000.0,
        ((0.01,), (None,)),
        ((None,), (150.0,)),
        ((60000.0,), (3500.0,)),
        ((57000.0,), (3600.0,)),
        (("binance:BTCUSDT",), ("binance:ETHUSDT",)),
    ),
    "MF_PLAN_TOTALS": (
        10000.0,
        ((0.01,), (None,)),
        ((None,), (150.0,)),
        ((60000.0,), (3500.0,)),
        ((57000.0,), (3600.0,)),
        (("binance:BTCUSDT",), ("binance:ETHUSDT",)),
    ),
}

# VBA keywords, statements, built-in names and the xlwings wrapper's own locals
# ("failed" label, argsArray, k): a parameter with one of these names breaks compilation
# or shadows what the wrapper calls.
# fmt: off
VBA_RESERVED = frozenset(
    w.lower()
    for w in (
        "Stop", "Step", "Type", "End", "To", "Next", "String", "Date", "Name", "Open", "Close",
        "Get", "Put", "Input", "Line", "Print", "Width", "Error", "Event", "Property", "Option",
        "Base", "Len", "Array", "Err", "Application", "ThisWorkbook", "XLPy", "failed",
        "argsArray", "k", "Me", "Is", "In", "Or", "And", "Not", "Mod", "As", "Do", "Loop", "If",
        "Then", "Else", "For", "Each", "Call", "Set", "Let", "Dim", "Sub", "Function", "Exit",
        "Resume", "GoTo", "On", "With", "Select", "Case", "Const", "Static", "Public", "Private",
        "Global", "Object", "Variant", "Boolean", "Integer", "Long", "Single", "Double",
        "Currency", "Byte", "Decimal", "Empty", "Null", "Nothing", "True", "False", "New", "ByVal",
        "ByRef", "Optional", "ParamArray", "ReDim", "Preserve", "Erase", "Lock", "Unlock", "Seek",
        "Write", "Debug", "Like", "Xor", "Eqv", "Imp", "Until", "While", "Wend", "Rem", "Enum",
        "Implements", "Friend", "Declare", "Lib", "Alias", "Attribute", "Compare", "Explicit",
        "Binary", "Text", "Module", "Access", "Append", "Output", "Random", "Read", "Shared",
        "Spc", "Tab", "Time", "Val", "Str", "CStr", "CInt", "CLng", "CDbl", "CBool", "CDate",
        "CVar", "Int", "Fix", "Abs", "Sgn",
    )
)
# fmt: on
VBA_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,254}")
CELL_REFERENCE = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*")


def vba_name_problems(func: Callable[..., Any]) -> list[str]:
    """Why the VBA wrapper xlwings writes for ``func`` would not compile (empty if fine)."""
    names = [func.__name__, *inspect.signature(func).parameters]
    problems = []
    for i, name in enumerate(names):
        what = "function name" if i == 0 else "parameter"
        if not VBA_IDENTIFIER.fullmatch(name):
            problems.append(f"{what} {name!r} is not a VBA identifier")
        elif name.lower() in VBA_RESERVED:
            problems.append(f"{what} {name!r} is a VBA keyword or a name the wrapper uses")
        elif i == 0 and CELL_REFERENCE.fullmatch(name):
            problems.append(f"function name {name!r} reads as a cell reference")
    lowered = [n.lower() for n in names]
    clashes = sorted({n for n in lowered if lowered.count(n) > 1})
    if clashes:
        problems.append(f"names equal in case-insensitive VBA: {clashes}")
    return problems


# ---------------------------------------------------------------------------- the fixture
XLWINGS_WINDOWS_MODULES = (
    "xlwings._win32patch",
    "xlwings._xlwindows",
    "xlwings.udfs",
    "xlwings.com_server",
)


@dataclass
class ExcelPath:
    udfs: ModuleType  # xlwings.udfs, real
    com_server: ModuleType  # xlwings.com_server, real
    module: ModuleType  # a fresh microsize.udfs decorated by the real xlwings decorators

    def call(self, name: str, *args: Any) -> Any:
        """xlwings.udfs.call_udf: what comes back is xlwings' 2-D list for the cells."""
        return self.udfs.call_udf(MODULE, name, args, None, CALLER)

    def cell(self, name: str, *args: Any) -> Any:
        """XLPython.CallUDF, the COM method VBA calls: a 1x1 result is unwrapped."""
        return self.com_server.XLPython().CallUDF(MODULE, name, args, None, CALLER)

    def functions(self) -> dict[str, Callable[..., Any]]:
        return {
            name: obj
            for name, obj in vars(self.module).items()
            if name.startswith("MF_") and inspect.isfunction(obj)
        }

    def vba(self, workbook_name: str = "microsize.xlsm") -> str:
        out = io.StringIO()
        self.udfs.generate_vba_wrapper(
            MODULE, self.module, out, fake.FakeWorkbookObj(workbook_name)
        )
        return out.getvalue()


def _decorated_module(xlwings_udfs: ModuleType) -> ModuleType:
    """Execute the MF_ declarations behind microsize/udfs.py into a new module object while
    xw.func/arg/ret are the Windows decorators; the already imported microsize.udfs is left
    untouched."""
    return redeclared(MODULE, xlwings_udfs.xlfunc, xlwings_udfs.xlarg, xlwings_udfs.xlret)


@pytest.fixture(scope="module")
def excel() -> Iterator[ExcelPath]:
    saved_modules = {name: sys.modules.get(name) for name in XLWINGS_WINDOWS_MODULES}
    saved_attrs = {name: vars(xlwings).get(name.rpartition(".")[2]) for name in saved_modules}
    xlwindows = com_server = xlwings_udfs = None
    with pytest.MonkeyPatch.context() as mp:
        fake.install(mp)
        try:
            for name in XLWINGS_WINDOWS_MODULES:  # import fresh, against the fakes
                sys.modules.pop(name, None)
            with pytest.MonkeyPatch.context() as ctypes_mp:
                fake.patch_ctypes_for_xlwindows(ctypes_mp)
                xlwindows = importlib.import_module("xlwings._xlwindows")
            xlwings_udfs = importlib.import_module("xlwings.udfs")
            com_server = importlib.import_module("xlwings.com_server")
            # What xlwings/__init__ does on Windows: register the desktop Excel engine,
            # whose clean_value_data / prepare_xl_data_element the conversion uses.
            engine = xlwings.main.Engine(impl=xlwindows.engine)
            mp.setattr(xlwings.engines, "engines", [engine])
            mp.setattr(xlwings.engines, "engines_by_name", {"excel": engine})
            module = _decorated_module(xlwings_udfs)
            mp.setitem(sys.modules, MODULE, module)  # what call_udf's import_module finds
            yield ExcelPath(xlwings_udfs, com_server, module)
        finally:
            if com_server is not None:
                com_server.loop.close()
            if xlwings_udfs is not None:
                xlwings_udfs.com_executor.shutdown(wait=False)
            if xlwindows is not None:
                atexit.unregister(xlwindows.cleanup)
            for name, mod in saved_modules.items():
                attr = name.rpartition(".")[2]
                if mod is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = mod
                if saved_attrs[name] is None:
                    with contextlib.suppress(AttributeError):
                        delattr(xlwings, attr)
                else:
                    setattr(xlwings, attr, saved_attrs[name])


# -------------------------------------------------------------------------- helpers
def _cells(value: Any) -> list[list[Any]]:
    """A plain Python result as the 2-D list xlwings writes (None and NaN as blanks)."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        rows = value
    elif isinstance(value, list):
        rows = [value]
    else:
        rows = [[value]]
    return [
        ["" if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in row]
        for row in rows
    ]


def _n_optional(func: Callable[..., Any]) -> int:
    return sum(
        p.default is not inspect.Parameter.empty
        for p in inspect.signature(func).parameters.values()
    )


def vba_blocks(vba: str) -> dict[str, str]:
    """Each generated ``Function ... End Function`` block, by function name."""
    found = re.finditer(r"^Function (\w+)\(.*?^End Function$", vba, flags=re.M | re.S)
    blocks: dict[str, str] = {}
    for m in found:
        assert m.group(1) not in blocks, f"{m.group(1)} declared twice"
        blocks[m.group(1)] = m.group(0)
    return blocks


# ----------------------------------------------------------------- module and decorators
def test_the_plain_module_is_left_alone(excel: ExcelPath) -> None:
    assert excel.module is not plain_udfs
    assert sys.modules[MODULE] is excel.module
    assert not hasattr(plain_udfs.MF_CONTRACTS, "__xlfunc__")
    assert xlwings.func is not excel.udfs.xlfunc  # the no-op decorator is back


def test_every_mf_function_is_decorated_and_nothing_else(excel: ExcelPath) -> None:
    functions = excel.functions()
    assert set(FOUNDATION) <= set(functions)
    decorated = {n for n, obj in vars(excel.module).items() if hasattr(obj, "__xlfunc__")}
    assert decorated == set(functions)
    assert set(functions) == {n for n in vars(plain_udfs) if n.startswith("MF_")}


def test_function_wizard_metadata(excel: ExcelPath) -> None:
    for name, func in excel.functions().items():
        info = func.__xlfunc__
        assert info["name"] == name
        assert info["category"] == "microsize", name
        assert info["volatile"] is False, name
        assert info["async_mode"] is None, name
        assert "expand" not in info["ret"]["options"], name  # legacy dynamic arrays: no
        doc = info["ret"]["doc"]
        assert doc == func.__doc__, f"{name} has no docstring"
        # Description goes to MacroOptions as is, cut at 255: keep it whole and on one line
        assert 0 < len(doc) < 255, f"{name}: docstring of {len(doc)} characters"
        assert "\n" not in doc, f"{name}: the Function Wizard would show the line breaks"
        for arg in info["args"]:
            assert not arg["doc"].startswith("Positional argument"), f"{name}({arg['name']})"
            assert 0 < len(arg["doc"]) < 255, f"{name}({arg['name']})"
            assert arg["vba"] is None, f"{name}({arg['name']})"
            assert not arg["vararg"], f"{name}({arg['name']})"


# ---------------------------------------------------------------------- generated VBA
def test_vba_wrapper_for_every_function(excel: ExcelPath) -> None:
    vba = excel.vba()
    blocks = vba_blocks(vba)
    functions = excel.functions()
    assert set(blocks) == set(functions)
    for name, func in functions.items():
        params = inspect.signature(func).parameters.values()
        declared = ", ".join(
            ("Optional " if p.default is not inspect.Parameter.empty else "") + p.name
            for p in params
        )
        array = "Array(" + ", ".join(p.name for p in params) + ")"
        lines = [line.strip() for line in blocks[name].splitlines()]
        assert lines[0] == f"Function {name}({declared})"
        assert (
            f'{name} = XLPy.CallUDF("{MODULE}", "{name}", {array}, ThisWorkbook, '
            "Application.Caller)"
        ) in lines
        assert f'{name} = XLPy.CallUDF("{MODULE}", "{name}", {array})' in lines
        # how an exception reaches the cell: the error's description becomes the value
        assert "If TypeOf Application.Caller Is Range Then On Error GoTo failed" in lines
        assert "failed:" in lines
        assert f"{name} = Err.Description" in lines
        assert lines[-1] == "End Function"


@pytest.mark.parametrize(("name", "declared"), FOUNDATION.items())
def test_foundation_signatures_are_the_spec(excel: ExcelPath, name: str, declared: str) -> None:
    first = vba_blocks(excel.vba())[name].splitlines()[0]
    assert first == f"Function {name}({declared})"


@pytest.mark.parametrize(
    ("workbook", "vba_workbook"),
    [("microsize.xlsm", "ThisWorkbook"), ("microsize.xlam", "ActiveWorkbook")],
)
def test_vba_for_a_workbook_and_for_an_add_in(
    excel: ExcelPath, workbook: str, vba_workbook: str
) -> None:
    vba = excel.vba(workbook)
    assert f"{vba_workbook}, Application.Caller)" in vba
    assert vba.count(f"{vba_workbook}, Application.Caller)") == len(excel.functions())


def test_import_functions(excel: ExcelPath) -> None:
    """The whole "Import Functions" button: VBA module imported, MacroOptions per function."""
    book = fake.FakeImportWorkbook("microsize.xlsm")
    excel.udfs.import_udfs(MODULE, book)
    (module_text,) = book.VBProject.VBComponents.imported
    assert module_text.startswith('Attribute VB_Name = "xlwings_udfs"\n')
    assert vba_blocks(module_text).keys() == excel.functions().keys()
    options = dict(book.Application.macro_options)
    assert set(options) == {f"'microsize.xlsm'!{n}" for n in excel.functions()}
    for name, func in excel.functions().items():
        opts = options[f"'microsize.xlsm'!{name}"]
        assert opts["Description"] == func.__doc__
        assert opts["Category"] == "microsize"
        docs = [a["doc"] for a in func.__xlfunc__["args"]]
        assert opts["ArgumentDescriptions"] == (docs or None)


# ------------------------------------------------------------------ names VBA accepts
def test_parameter_and_function_names_are_valid_vba(excel: ExcelPath) -> None:
    problems = {n: vba_name_problems(f) for n, f in excel.functions().items()}
    assert {n: p for n, p in problems.items() if p} == {}
    for name in excel.functions():
        assert re.fullmatch(r"MF_[A-Z0-9_]+", name), name


def test_the_name_check_catches_bad_names() -> None:
    def MF_DUMMY(entry: Any, stop: Any, Type: Any = None, prix_é: Any = None) -> None:
        """Dummy."""

    def MF_CLASH(entry: Any, Entry: Any) -> None:
        """Dummy."""

    def AB12(x: Any) -> None:
        """Dummy."""

    problems = vba_name_problems(MF_DUMMY)
    assert any("'stop'" in p for p in problems)
    assert any("'Type'" in p for p in problems)
    assert any("'prix_é'" in p and "not a VBA identifier" in p for p in problems)
    assert len(problems) == 3
    assert vba_name_problems(MF_CLASH) == ["names equal in case-insensitive VBA: ['entry']"]
    assert vba_name_problems(AB12) == ["function name 'AB12' reads as a cell reference"]
    assert vba_name_problems(plain_udfs.MF_CONTRACTS) == []


# ------------------------------------------------------- values through xlwings' conversion
def test_every_function_has_an_excel_call(excel: ExcelPath) -> None:
    assert set(EXCEL_CALLS) == set(excel.functions())


@pytest.mark.parametrize("name", EXCEL_CALLS)
@pytest.mark.parametrize(
    "blank",
    [MISSING, None, EMPTY_CELL, ""],
    ids=["omitted", "None", "empty-cell", "empty-text"],
)
def test_omitted_or_blank_optional_arguments_mean_the_default(
    excel: ExcelPath, name: str, blank: Any
) -> None:
    required = EXCEL_CALLS[name]
    n_optional = _n_optional(getattr(plain_udfs, name))
    expected = _cells(getattr(plain_udfs, name)(*required))
    assert excel.call(name, *required, *[blank] * n_optional) == expected


def test_floats_and_ints(excel: ExcelPath) -> None:
    assert plain_udfs.MF_CONTRACTS(30, 3520, 3450, 0.001) == 428
    assert excel.call("MF_CONTRACTS", 30.0, 3520.0, 3450.0, 0.001, MISSING, MISSING) == [[428]]
    assert excel.call("MF_CONTRACTS", 30, 3520, 3450, 0.001, MISSING, MISSING) == [[428]]
    assert excel.cell("MF_CONTRACTS", 30.0, 3520.0, 3450.0, 0.001, MISSING, MISSING) == 428


def test_contract_key_text(excel: ExcelPath) -> None:
    assert plain_udfs.MF_CONTRACTS(30, 3520, 3450, "binance:ETHUSDT") == 0.428
    args = (30.0, 3520.0, 3450.0, "binance:ETHUSDT", MISSING, MISSING)
    assert excel.cell("MF_CONTRACTS", *args) == 0.428
    key_in_a_cell = FakeComRange([["binance:ETHUSDT"]])
    assert excel.cell("MF_CONTRACTS", 30.0, 3520.0, 3450.0, key_in_a_cell, MISSING, MISSING) == (
        0.428
    )


def test_optional_fee_rate(excel: ExcelPath) -> None:
    expected = plain_udfs.MF_CONTRACTS(30, 3520, 3450, 0.001, 0.0005)
    assert expected == 408
    assert excel.cell("MF_CONTRACTS", 30.0, 3520.0, 3450.0, 0.001, 0.0005, MISSING) == expected
    fee_cell = FakeComRange([[0.0005]])
    assert excel.cell("MF_CONTRACTS", 30.0, 3520.0, 3450.0, 0.001, fee_cell, MISSING) == expected


@pytest.mark.parametrize(
    ("position", "named"),
    [(0, "risk_amount"), (1, "entry"), (2, "stop"), (3, "contract")],
)
@pytest.mark.parametrize("empty", [None, EMPTY_CELL], ids=["None", "empty-cell"])
def test_empty_required_argument_names_it(
    excel: ExcelPath, position: int, named: str, empty: Any
) -> None:
    args: list[Any] = [30.0, 3520.0, 3450.0, "binance:ETHUSDT", MISSING, MISSING]
    args[position] = empty
    with cell_error(named):
        excel.call("MF_CONTRACTS", *args)


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("abc", "'abc'"),
        (float("nan"), "NaN"),
        (float("inf"), "inf"),
        (True, "TRUE"),
        (fake.PyTime(2024, 1, 2), "date"),
        (FakeComRange([[fake.PyTime(2024, 1, 2)]]), "date"),
        (FakeComRange([[30.0], [float("nan")]]), "row 2"),
        (FakeComRange([[30.0], ["x"]]), "row 2"),
        (FakeComRange([[30.0], [None]]), "empty cell at row 2"),
    ],
    ids=[
        "text",
        "nan",
        "inf",
        "bool",
        "date",
        "date-cell",
        "nan-in-range",
        "text-in-range",
        "blank-in-range",
    ],
)
def test_bad_values_name_the_argument_and_the_value(excel: ExcelPath, bad: Any, says: str) -> None:
    with cell_error("risk_amount") as info:
        excel.call("MF_CONTRACTS", bad, 3520.0, 3450.0, 0.001, MISSING, MISSING)
    assert says in fake.com_error_description(info.value)


def test_bad_text_in_optional_argument(excel: ExcelPath) -> None:
    with cell_error(r"fee_rate.*'abc'"):
        excel.call("MF_CONTRACTS", 30.0, 3520.0, 3450.0, 0.001, "abc", MISSING)


def test_column_in_column_out(excel: ExcelPath) -> None:
    literal = ((30.0,), (60.0,))
    expected = plain_udfs.MF_CONTRACTS([[30], [60]], 3520, 3450, "binance:ETHUSDT")
    assert expected == [[0.428], [0.857]]
    for risk_amount in (literal, FakeComRange(literal)):
        args = (risk_amount, 3520.0, 3450.0, "binance:ETHUSDT", MISSING, MISSING)
        assert excel.call("MF_CONTRACTS", *args) == expected
        assert excel.cell("MF_CONTRACTS", *args) == expected  # spills down


def test_row_in_row_out(excel: ExcelPath) -> None:
    # a 1-row result reaches VBA as a 1-D array, which Excel spills across
    assert excel.cell("MF_RISK_AMOUNT", ((2000.0, 3000.0),), 0.01) == [20.0, 30.0]


def test_ranges_broadcast(excel: ExcelPath) -> None:
    got = excel.call(
        "MF_CONTRACTS", ((30.0,), (60.0,)), 3520.0, ((3450.0, 3400.0),), 0.001, MISSING, MISSING
    )
    assert got == plain_udfs.MF_CONTRACTS([[30], [60]], 3520, [[3450, 3400]], 0.001)
    assert got == [[428.0, 250.0], [857.0, 500.0]]


def test_one_by_one_range_is_a_single_value(excel: ExcelPath) -> None:
    for one in (((30.0,),), FakeComRange([[30.0]])):
        args = (one, 3520.0, ((3450.0,),), "binance:ETHUSDT", MISSING, MISSING)
        assert excel.call("MF_CONTRACTS", *args) == [[0.428]]
        value = excel.cell("MF_CONTRACTS", *args)
        assert value == 0.428
        assert type(value) is float


def test_ranges_that_do_not_line_up(excel: ExcelPath) -> None:
    with cell_error("do not line up"):
        excel.call(
            "MF_CONTRACTS",
            ((30.0,), (60.0,), (90.0,)),
            ((3520.0,), (3500.0,)),
            3450.0,
            0.001,
            MISSING,
            MISSING,
        )


def test_mf_size_is_a_label_value_table(excel: ExcelPath) -> None:
    args = (2000.0, 0.015, 3520.0, 3450.0, "binance:ETHUSDT", 0.0005, 5.0, MISSING)
    table = excel.cell("MF_SIZE", *args)
    assert table == plain_udfs.MF_SIZE(2000, 0.015, 3520, 3450, "binance:ETHUSDT", 0.0005, 5)
    assert all(len(row) == 2 and isinstance(row[0], str) for row in table)
    rows = dict(table)
    assert rows["Contracts"] == excel.cell(
        "MF_CONTRACTS", 30.0, 3520.0, 3450.0, "binance:ETHUSDT", 0.0005, MISSING
    )
    for label in (
        "Side",
        "Risk budget",
        "Contracts",
        "Notional",
        "Risk at stop",
        "Fees",
        "Margin",
        "Warnings",
    ):
        assert label in rows, label
    assert rows["Side"] == "Long"
    assert rows["Risk budget"] == 30


def test_mf_specs_has_a_header_row(excel: ExcelPath) -> None:
    table = excel.cell("MF_SPECS", MISSING)
    header = table[0]
    assert header[:2] == ["exchange", "symbol"]
    assert {"contract_size", "lot_step", "min_qty", "tick_size", "source", "as_of"} <= set(header)
    assert len(table) > 10
    assert all(len(row) == len(header) for row in table)
    assert all(v is not None for row in table for v in row)  # blanks are written as ""
    cme = excel.cell("MF_SPECS", "cme")
    assert cme[0] == header
    assert {row[0] for row in cme[1:]} == {"cme"}


def test_specs_range_from_the_workbook(excel: ExcelPath) -> None:
    """The Specs table as Excel hands it over (blank cells None, typed dates as dates);
    an edit to the table changes the result."""
    table = excel.call("MF_SPECS", MISSING)
    header = table[0]
    as_of, symbol = header.index("as_of"), header.index("symbol")
    lot, min_qty = header.index("lot_step"), header.index("min_qty")
    cells = [list(header)]
    for row in table[1:]:
        row = [None if v == "" else v for v in row]
        row[as_of] = fake.PyTime.fromisoformat(row[as_of])
        cells.append(row)
    args = (30.0, 3520.0, 3450.0, "binance:ETHUSDT", MISSING)
    assert excel.cell("MF_CONTRACTS", *args, FakeComRange(cells)) == 0.428
    eth = next(r for r in cells if r[0] == "binance" and r[symbol] == "ETHUSDT")
    eth[lot] = eth[min_qty] = 0.01
    assert excel.cell("MF_CONTRACTS", *args, FakeComRange(cells)) == 0.42


def test_mf_spec_and_mf_version(excel: ExcelPath) -> None:
    assert excel.cell("MF_SPEC", "cme:MBT", "contract_size", MISSING) == 0.1
    assert excel.cell("MF_SPEC", FakeComRange([["binance:ETHUSDT"]]), "lot_step", MISSING) == 0.001
    assert excel.cell("MF_VERSION") == microsize.__version__


def test_text_side_and_numeric_side(excel: ExcelPath) -> None:
    long_ = excel.cell("MF_BREAKEVEN", 3520.0, "long", 0.0005, MISSING, MISSING, MISSING)
    assert long_ == excel.cell("MF_BREAKEVEN", 3520.0, 1.0, 0.0005, MISSING, MISSING, MISSING)
    assert long_ == plain_udfs.MF_BREAKEVEN(3520, "long", 0.0005)
    assert long_ > 3520


# --------------------------------------------------------------------- error values, NaN
def test_xlwings_writes_nan_and_none_as_blank_cells(excel: ExcelPath) -> None:
    """Why udfs must refuse NaN itself: xlwings would turn it into a silent blank."""
    from xlwings import conversion

    assert conversion.write(float("nan"), None, {}) == [[""]]
    assert conversion.write([[1.0], [None]], None, {}) == [[1.0], [""]]


@pytest.mark.parametrize("error", sorted(XL_ERRORS))
def test_error_value_in_a_required_argument_is_refused(excel: ExcelPath, error: str) -> None:
    # every argument has err_to_str=True: the error's text reaches the message, where
    # without it xlwings would hand over None and the cell would claim an empty argument
    for value in (XL_ERRORS[error], FakeComRange([[XL_ERRORS[error]]])):
        with cell_error(rf"risk_amount must be a number \(got text '{re.escape(error)}'\)"):
            excel.call("MF_CONTRACTS", value, 3520.0, 3450.0, 0.001, MISSING, MISSING)


def test_error_value_in_an_optional_argument_is_refused(excel: ExcelPath) -> None:
    na = FakeComRange([[XL_ERRORS["#N/A"]]])
    with cell_error("fee_rate"):
        excel.call("MF_CONTRACTS", 30.0, 3520.0, 3450.0, 0.001, na, MISSING)


# ------------------------------------------------------------- how an error shows in Excel
def _raised(excel: ExcelPath, name: str, *args: Any) -> BaseException:
    try:
        excel.cell(name, *args)
    except Exception as exc:
        return exc
    raise AssertionError(f"{name}{args} did not raise")


def test_the_message_reaches_err_description(excel: ExcelPath) -> None:
    exc = _raised(excel, "MF_CONTRACTS", None, 3520.0, 3450.0, 0.001, MISSING, MISSING)
    message = str(exc.__cause__)
    assert message == "risk_amount is empty: type a number"
    assert "\n" not in message
    assert len(message) < 255
    assert message in fake.com_error_description(exc)


def test_the_cell_shows_only_the_short_message(excel: ExcelPath) -> None:
    exc = _raised(excel, "MF_CONTRACTS", None, 3520.0, 3450.0, 0.001, MISSING, MISSING)
    assert fake.com_error_description(exc) == "risk_amount is empty: type a number"


def test_the_model_of_pywin32_errors() -> None:
    """com_error_description itself: a COM server exception keeps its description."""
    assert fake.com_error_description(fake.COMException(desc="short")) == "short"
    try:
        raise MicrosizeError("long")
    except MicrosizeError as exc:
        text = fake.com_error_description(exc)
    assert text.startswith("Unexpected Python Error: Traceback (most recent call last):")
    assert text.endswith("MicrosizeError: long\n")


def test_dates_from_the_conversion_are_plain_datetimes(excel: ExcelPath) -> None:
    """pywin32 hands a date cell over as pywintypes.TimeType; xlwings makes a datetime."""
    from xlwings import conversion

    got = conversion.read(None, fake.PyTime(2024, 1, 2, 3, 4), {"ndim": 2})
    assert got == [[dt.datetime(2024, 1, 2, 3, 4)]]
    assert type(got[0][0]) is dt.datetime
