"""Cells for spreadsheet programs, one rule for every export that writes them (the
ledgers, the audit log's CSV). Excel, WPS and LibreOffice run a cell that begins with
``=``, ``+``, ``-`` or ``@`` (some also after a tab, a carriage return, blanks or a
quote) as a formula, so text that a resident or a member typed must reach them as
text: in .xlsx a string cell (never a formula, and marked as typed text so editing it
keeps it text), in .csv prefixed with a single quote (OWASP, "CSV Injection")."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

# Full-width forms too: some input methods and spreadsheet locales read them as the
# ASCII ones.
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")
# What may stand before a formula and still let a spreadsheet program run it.
_LEADING = frozenset("\"'")
BOM = "\ufeff"  # so spreadsheet programs read the Chinese as UTF-8

CellValue = str | int | float | date | None


def formula_like(text: str) -> bool:
    """Whether a spreadsheet program could take this text for a formula."""
    for character in text:
        if character in FORMULA_STARTS:
            return True
        if not (character.isspace() or character in _LEADING):
            return False
    return False


def csv_text(text: str) -> str:
    """The text as a CSV cell: neutralised with a leading ``'`` when it could be run."""
    return "'" + text if formula_like(text) else text


def put(sheet: Worksheet, row: int, column: int, value: CellValue) -> Cell:
    """Write a value to an .xlsx cell; text is always a string cell, never a formula."""
    cell = sheet.cell(row=row, column=column)
    assert isinstance(cell, Cell), "ledgers merge no cells"
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        cell.quotePrefix = formula_like(value)
    return cell


class CsvSheet:
    """CSV in UTF-8 with a byte-order mark, every text cell through ``csv_text``; for
    long exports, ``take`` hands over what is written so far."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._buffer.write(BOM)
        self._writer = csv.writer(self._buffer)

    def row(self, cells: Iterable[CellValue]) -> None:
        self._writer.writerow(
            "" if cell is None else csv_text(cell) if isinstance(cell, str) else cell
            for cell in cells
        )

    @property
    def size(self) -> int:
        return self._buffer.tell()

    def take(self) -> bytes:
        written = self._buffer.getvalue().encode("utf-8")
        self._buffer.seek(0)
        self._buffer.truncate()
        return written
