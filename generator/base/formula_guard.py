"""Spreadsheet-safe text (OWASP "CSV injection"): a cell that begins like a formula.

Excel and WPS treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after a
tab or carriage return, often the same) as a formula, even in a CSV file, so a record name
such as ``=HYPERLINK(...)`` would run when a leader opens the open data. Every text cell the
project writes to a CSV file gets a leading apostrophe; in a workbook it is stored as a
string with Excel's "quote prefix" style instead. JSON keeps the raw value.
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_cell(value: Any) -> Any:
    """The value as written into a CSV cell: formula-like text gets a leading apostrophe."""
    return "'" + value if looks_like_formula(value) else value
