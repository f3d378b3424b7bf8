"""The workbooks the import hands out: the checked workbook (the branch's own, with
each problem marked on its row — the cell filled and commented, a 问题 column — and
a sheet listing them all, so the secretary fixes the sheet and imports again), and
the template (each kind of sheet with its headers, drop-down lists for the choices
and an example row)."""

from __future__ import annotations

import io
from collections import defaultdict

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from services.importer.kinds import KINDS
from services.importer.running import Report
from shared.spreadsheets import CellValue, put

PROBLEM_FILL = PatternFill("solid", start_color="FFF4CCCC", end_color="FFF4CCCC")
NOTICE_FILL = PatternFill("solid", start_color="FFFFF2CC", end_color="FFFFF2CC")
PROBLEMS_HEADER = "问题 / Problems"
FINDINGS_SHEET = "导入检查结果"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def checked_workbook(data: bytes, report: Report) -> bytes:
    book = load_workbook(io.BytesIO(data))
    _mark(book, report)
    _list(book, report)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _mark(book: Workbook, report: Report) -> None:
    """Each finding on its cell (filled, with a comment in both languages) or its row,
    and every row's findings in a 问题 column after the sheet's own."""
    by_row: dict[tuple[str, int], list[str]] = defaultdict(list)
    for finding in report.findings:
        sheet = book[finding.sheet]
        fill = PROBLEM_FILL if finding.refused else NOTICE_FILL
        by_row[(finding.sheet, finding.row)].append(finding.zh)
        marked = [sheet[f"{finding.letter}{finding.row}"]] if finding.letter else sheet[finding.row]
        for cell in marked:
            cell.fill = fill
        if finding.letter and not isinstance(marked[0], MergedCell):
            # A merged cell's comment would be its first cell's.
            marked[0].comment = Comment(
                f"{finding.zh}\n{finding.en}", "liaison", width=300, height=120
            )
    for summary in report.sheets:
        if not summary.header_row:
            continue
        sheet = book[summary.title]
        column = sheet.max_column + 1
        put(sheet, summary.header_row, column, PROBLEMS_HEADER).font = Font(
            bold=True, color="FFC00000"
        )
        sheet.column_dimensions[get_column_letter(column)].width = 40
        for (title, row), said in by_row.items():
            if title == summary.title:
                put(sheet, row, column, "；".join(said)).alignment = Alignment(wrap_text=True)


def _list(book: Workbook, report: Report) -> None:
    """Every finding, one a line, on a sheet of its own put first."""
    listing = book.create_sheet(FINDINGS_SHEET, 0)
    titles = ("工作表 Sheet", "行 Row", "列 Column", "内容 Value", "问题", "Problem", "类型 Kind")
    for column, title in enumerate(titles, start=1):
        put(listing, 1, column, title).font = Font(bold=True)
    for number, finding in enumerate(report.findings, start=2):
        values: tuple[CellValue, ...] = (
            finding.sheet,
            finding.row,
            f"{finding.column} ({finding.letter})" if finding.letter else "（整行）",
            finding.value,  # as typed: put writes it as text, never as a formula
            finding.zh,
            finding.en,
            finding.why,
        )
        for column, value in enumerate(values, start=1):
            put(listing, number, column, value)
    for letter, width in zip("ABCDEFG", (14, 8, 18, 20, 40, 50, 24), strict=True):
        listing.column_dimensions[letter].width = width


def template() -> bytes:
    """One sheet per kind, in the order they are imported, each with its headers (the
    required ones marked *), drop-down lists for the choices and an example row."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for kind in KINDS:
        sheet = book.create_sheet(kind.zh)
        for column, f in enumerate(kind.fields, start=1):
            cell = put(sheet, 1, column, f.title + ("*" if f.required else ""))
            cell.font = Font(bold=True)
            put(sheet, 2, column, f.example or None)
            letter = get_column_letter(column)
            sheet.column_dimensions[letter].width = max(12, 2 * len(f.title) + 4)
            if f.choices:
                listed = ",".join(f.choices)
                validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
                validation.error = f"请从下拉列表中选择：{'、'.join(f.choices)}"
                validation.errorTitle = f.title
                validation.add(f"{letter}2:{letter}2000")
                sheet.add_data_validation(validation)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
