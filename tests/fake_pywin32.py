"""Just enough of pywin32 (and of a COM Excel) to run xlwings' Windows UDF code on Linux.

``xlwings.udfs``, ``xlwings.com_server`` and ``xlwings._xlwindows`` import ``pythoncom``,
``pywintypes``, ``win32api``, ``win32com.client`` and friends at module level. The fakes
here satisfy those imports and the few calls the UDF path makes (``CoInitialize``,
``GetWindowThreadProcessId``, ``win32com.server.util.unwrap``, the Range type check);
every other pywin32 entry point is absent, so a new dependency fails loudly.

Nothing happens on import of this module: :func:`install` puts the fakes into
``sys.modules`` through a :class:`pytest.MonkeyPatch`, which takes them out again.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import sys
import traceback
import types
from collections.abc import Iterable
from typing import Any

import pytest

# COM interface ids as pywin32 spells them (pywintypes.IID returns a PyIID; a string
# compares the same way for the one equality test xlwings makes).
IID_IDISPATCH = "{00020400-0000-0000-C000-000000000046}"
IID_IENUMVARIANT = "{00020404-0000-0000-C000-000000000046}"
IID_EXCEL_RANGE = "{00020846-0000-0000-C000-000000000046}"

# What VBA hands over for an omitted Optional Variant argument (DISP_E_PARAMNOTFOUND).
MISSING = -2147352572
E_FAIL = -2147467259
# Excel error values as COM hands them over (VT_ERROR scodes), e.g. a cell showing #N/A.
XL_ERRORS = {
    "#DIV/0!": -2146826281,
    "#N/A": -2146826246,
    "#NAME?": -2146826259,
    "#NULL!": -2146826288,
    "#NUM!": -2146826252,
    "#REF!": -2146826265,
    "#VALUE!": -2146826273,
}

FAKE_MODULES = (
    "pythoncom",
    "pywintypes",
    "win32api",
    "win32con",
    "win32event",
    "win32gui",
    "win32process",
    "win32timezone",
    "win32com",
    "win32com.client",
    "win32com.server",
    "win32com.server.dispatcher",
    "win32com.server.exception",
    "win32com.server.policy",
    "win32com.server.util",
)


class PyIDispatch:
    """Type of a raw IDispatch pointer (pythoncom.TypeIIDs[IID_IDispatch])."""


class ComError(Exception):
    """pywintypes.com_error"""


class COMException(ComError):
    """win32com.server.exception.COMException: a server-side COM error whose
    ``description`` pywin32 hands to the caller verbatim (VBA's Err.Description)."""

    def __init__(
        self,
        description: str | None = None,
        scode: int | None = None,
        source: str | None = None,
        helpfile: str | None = None,
        helpContext: int | None = None,
        desc: str | None = None,
        hresult: int | None = None,
    ) -> None:
        self.description = description or desc
        self.scode = scode or hresult or E_FAIL
        self.source = source
        super().__init__(self.scode, self.description)


def com_error_description(exc: BaseException) -> str:
    """The ``Err.Description`` VBA sees when a method of a Python COM server raises ``exc``.

    A model of pywin32's ``PyCom_ExcepInfoFromPyException`` (com/win32com/src/ErrorUtils.cpp,
    read, not run): a server-side COM exception (an instance of a *subclass* of
    ``pywintypes.com_error``, such as ``COMException``) passes its ``description``; any other
    exception becomes ``"Unexpected Python Error: "`` plus the whole formatted traceback.
    xlwings' ``XLPython.CallUDF`` catches nothing, so a UDF's exception takes this route.
    """
    if isinstance(exc, ComError) and type(exc) is not ComError:
        return getattr(exc, "description", None) or ""
    tb = traceback.format_exception(type(exc), exc, exc.__traceback__, chain=False)
    return "Unexpected Python Error: " + "".join(tb)


class PyTime(dt.datetime):
    """pywintypes.TimeType: how pywin32 hands over a date cell (a datetime subclass)."""


def _module(name: str, **attrs: Any) -> types.ModuleType:
    mod = types.ModuleType(name, f"Fake {name} for tests (see tests/fake_pywin32.py).")
    mod.__dict__.update(attrs)
    return mod


def _unwrap(ob: Any) -> Any:
    # Only objects wrapped by win32com.server.util.wrap can be unwrapped; xlwings'
    # FromVariant relies on this raising for plain values.
    raise ValueError("not a wrapped Python COM object")


def _dispatch(ob: Any, *args: Any, **kwargs: Any) -> Any:
    return ob


def _no_com(*args: Any, **kwargs: Any) -> Any:
    raise ComError("no COM on this machine")


class _UTC:
    @staticmethod
    def utc() -> dt.tzinfo:
        return dt.timezone.utc


def build_modules() -> dict[str, types.ModuleType]:
    """Fresh fake modules, keyed by import name."""
    pythoncom = _module(
        "pythoncom",
        __file__="pythoncom-fake.so",  # _xlwindows does PyDLL(pythoncom.__file__)
        IID_IDispatch=IID_IDISPATCH,
        IID_IEnumVARIANT=IID_IENUMVARIANT,
        TypeIIDs={IID_IDISPATCH: PyIDispatch},
        CoInitialize=lambda: None,
        CoUninitialize=lambda: None,
    )
    pywintypes = _module(
        "pywintypes",
        com_error=ComError,
        error=ComError,
        TimeType=PyTime,
        IID=lambda s: s.upper(),
    )
    client = _module(
        "win32com.client",
        Dispatch=_dispatch,
        DispatchEx=_no_com,
        CDispatch=type("CDispatch", (), {}),
        CoClassBaseClass=type("CoClassBaseClass", (), {}),
        DispatchBaseClass=type("DispatchBaseClass", (), {}),
    )
    server_util = _module("win32com.server.util", wrap=lambda ob, *a, **k: ob, unwrap=_unwrap)
    server_policy = _module("win32com.server.policy", DefaultPolicy=type("DefaultPolicy", (), {}))
    server_dispatcher = _module("win32com.server.dispatcher")
    server_exception = _module("win32com.server.exception", COMException=COMException)
    server = _module(
        "win32com.server",
        __path__=[],
        util=server_util,
        policy=server_policy,
        dispatcher=server_dispatcher,
        exception=server_exception,
    )
    win32com = _module("win32com", __path__=[], client=client, server=server)
    mods = {
        "pythoncom": pythoncom,
        "pywintypes": pywintypes,
        "win32api": _module("win32api", GetCurrentThreadId=lambda: 1),
        "win32con": _module("win32con"),
        "win32event": _module("win32event"),
        "win32gui": _module("win32gui"),
        # App.pid: GetWindowThreadProcessId(hwnd) -> (thread id, process id)
        "win32process": _module("win32process", GetWindowThreadProcessId=lambda h: (1, 4242)),
        "win32timezone": _module("win32timezone", TimeZoneInfo=_UTC),
        "win32com": win32com,
        "win32com.client": client,
        "win32com.server": server,
        "win32com.server.dispatcher": server_dispatcher,
        "win32com.server.exception": server_exception,
        "win32com.server.policy": server_policy,
        "win32com.server.util": server_util,
    }
    assert set(mods) == set(FAKE_MODULES)
    return mods


class _NoOpDLL:
    """ctypes.windll / oledll / PyDLL stand-in: any function, returning None."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _NoOpDLL()  # a library (windll.user32) or a function (CLSIDFromString)

    def __call__(self, *args: Any) -> None:
        return None


def install(mp: pytest.MonkeyPatch) -> None:
    """Put the fake pywin32 modules into sys.modules (undone by ``mp.undo()``)."""
    for name, mod in build_modules().items():
        mp.setitem(sys.modules, name, mod)


def patch_ctypes_for_xlwindows(mp: pytest.MonkeyPatch) -> None:
    """``xlwings._xlwindows`` does ``from ctypes import windll, oledll, PyDLL`` and calls
    ``oledll.ole32.CLSIDFromString`` and ``PyDLL(pythoncom.__file__)`` at import time."""
    mp.setattr(ctypes, "windll", _NoOpDLL(), raising=False)
    mp.setattr(ctypes, "oledll", _NoOpDLL(), raising=False)
    mp.setattr(ctypes, "PyDLL", _NoOpDLL)


# ------------------------------------------------------------------ a COM Excel, in brief
class _Count:
    def __init__(self, n: int) -> None:
        self.Count = n


class FakeApplication:
    Hwnd = 1


class FakeWorkbookObj:
    def __init__(self, name: str = "microsize.xlsm") -> None:
        self.Name = name
        self.Application = FakeApplication()
        self.Worksheets = [FakeWorksheet(self, "Sizing"), FakeWorksheet(self, "xlwings.conf")]


class FakeWorksheet:
    def __init__(self, book: FakeWorkbookObj | None = None, name: str = "Sizing") -> None:
        self.Name = name
        self.Parent = book or FakeWorkbookObj()


class _TypeAttr:
    iid = IID_EXCEL_RANGE


class _OleObj:
    def GetTypeInfo(self) -> Any:
        return types.SimpleNamespace(GetTypeAttr=_TypeAttr)


class FakeComRange:
    """A cell reference as pywin32 hands it to ``call_udf``: an Excel Range dispatch.

    ``.Value`` is what Excel's COM returns: a scalar for one cell (None when empty), a
    tuple of row tuples for more than one cell.
    """

    def __init__(self, rows: Iterable[Iterable[Any]], row: int = 2, column: int = 2) -> None:
        self._rows = tuple(tuple(r) for r in rows)
        self._oleobj_ = _OleObj()
        self.Worksheet = FakeWorksheet()
        self.Row, self.Column = row, column
        self.Rows = _Count(len(self._rows))
        self.Columns = _Count(len(self._rows[0]))
        self.Count = self.Rows.Count * self.Columns.Count

    @property
    def Value(self) -> Any:
        if self.Count == 1:
            return self._rows[0][0]
        return self._rows


class _VBComponents:
    """Records the VBA module xlwings imports (the temp file is deleted afterwards)."""

    def __init__(self) -> None:
        self.imported: list[str] = []

    def __call__(self, name: str) -> Any:
        raise ComError(f"no component {name}")  # nothing imported yet

    def Remove(self, component: Any) -> None:  # pragma: no cover - never reached
        raise AssertionError("Remove called")

    def Import(self, path: str) -> None:
        with open(path, encoding="utf-8") as f:
            self.imported.append(f.read())


class _MacroApplication(FakeApplication):
    Version = "16.0"

    def __init__(self) -> None:
        self.macro_options: list[tuple[str, dict[str, Any]]] = []

    def MacroOptions(self, macro: str, **kwargs: Any) -> None:
        self.macro_options.append((macro, kwargs))


class FakeImportWorkbook(FakeWorkbookObj):
    """The workbook ``import_udfs`` writes into: VBProject and Application.MacroOptions."""

    def __init__(self, name: str = "microsize.xlsm") -> None:
        super().__init__(name)
        self.Application = _MacroApplication()
        self.VBProject = types.SimpleNamespace(VBComponents=_VBComponents())
