"""Reading a workbook as a branch wrote it: each sheet recognised by its header row
(found among the first rows, under a title or a merged group header), merged cells
read as the value they show in every cell they cover, blank rows skipped."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from services.importer import cells
from services.importer.kinds import KINDS, Field, SheetKind

HEADER_ROWS = 10  # how far down a header row is looked for (titles, notes above it)


class NotAWorkbook(ValueError):
    """The upload is not an .xlsx workbook openpyxl can read."""


@dataclass(frozen=True)
class Column:
    field: Field
    index: int  # 1-based
    header: str  # as written in the sheet

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)


@dataclass(frozen=True)
class Row:
    sheet: str
    number: int  # as the spreadsheet numbers it
    kind: SheetKind
    values: dict[str, Any]  # field key -> the raw cell value (None: empty)
    columns: dict[str, Column]


@dataclass(frozen=True)
class Sheet:
    title: str
    kind: SheetKind | None  # None: not recognised
    header_row: int
    columns: tuple[Column, ...]
    ignored: tuple[str, ...]  # headers of columns no field takes
    rows: tuple[Row, ...]


def read_workbook(data: bytes) -> list[Sheet]:
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise NotAWorkbook(f"not an .xlsx workbook: {exc}") from None
    return [read_sheet(sheet) for sheet in book.worksheets]


def read_sheet(sheet: Worksheet) -> Sheet:
    grid = _grid(sheet)
    best: tuple[tuple[int, bool, int], int, SheetKind, list[Column], list[str]] | None = None
    for number in range(1, min(HEADER_ROWS, len(grid)) + 1):
        above = grid[number - 2] if number > 1 else []
        headers = _headers(grid[number - 1], above)
        for kind in KINDS:
            columns, ignored = _match(kind, headers)
            taken = {column.field.key for column in columns}
            if not all(f.key in taken for f in kind.fields if f.required):
                continue
            # The most columns taken; of kinds taking as many, the one the sheet's name
            # names (a 住户 sheet of 地址, 户主, 联系党员 registers households), then the
            # one with fewest fields (on a sheet named neither, those are the links).
            score = (len(columns), kind.zh in sheet.title, -len(kind.fields))
            if best is None or score > best[0]:
                best = (score, number, kind, columns, ignored)
    if best is None:
        return Sheet(sheet.title, None, 0, (), (), ())
    _, header_row, kind, columns, ignored = best
    by_key = {column.field.key: column for column in columns}
    rows = []
    for number in range(header_row + 1, len(grid) + 1):
        line = grid[number - 1]
        values = {
            column.field.key: line[column.index - 1] if column.index <= len(line) else None
            for column in columns
        }
        if all(cells.text(value) is None for value in values.values()):
            continue  # a blank row, or a row of only columns no field takes
        rows.append(Row(sheet.title, number, kind, values, by_key))
    return Sheet(sheet.title, kind, header_row, tuple(columns), tuple(ignored), tuple(rows))


def _grid(sheet: Worksheet) -> list[list[Any]]:
    """The sheet's values, each merged range's value in every cell it covers."""
    grid = [list(row) for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        value = sheet.cell(merged.min_row, merged.min_col).value
        for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
            line = grid[r - 1]
            line.extend([None] * (merged.max_col - len(line)))
            for c in range(merged.min_col, merged.max_col + 1):
                line[c - 1] = value
    return grid


def _headers(line: list[Any], above: list[Any]) -> list[tuple[str, ...]]:
    """Each column's candidate headers: its own, and its own under a group header
    (走访 over 时间 and 方式 reads 走访时间 as well)."""
    candidates = []
    for index, value in enumerate(line):
        own = cells.header(value)
        group = cells.header(above[index]) if index < len(above) else ""
        options = [own]
        if group and group != own:
            options.append(group + own)
        candidates.append(tuple(option for option in options if option))
    return candidates


def _match(kind: SheetKind, headers: list[tuple[str, ...]]) -> tuple[list[Column], list[str]]:
    columns: list[Column] = []
    ignored: list[str] = []
    taken: set[str] = set()
    for index, options in enumerate(headers, start=1):
        field = next(
            (
                f
                for option in options
                for f in kind.fields
                if f.key not in taken and option in f.headers
            ),
            None,
        )
        if field is None:
            if options:
                ignored.append(options[0])
            continue
        taken.add(field.key)
        columns.append(Column(field, index, options[0]))
    return columns, ignored
