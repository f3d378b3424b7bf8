"""The import's normalisers (``services.importer.cells``) and sheet recognition
(``services.importer.sheets``): however a branch typed a date, a number or a name,
the import reads what it means."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from services.importer import cells
from services.importer.kinds import KINDS
from services.importer.sheets import read_sheet, read_workbook

FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
days = st.dates(min_value=date(1921, 7, 1), max_value=date(2200, 12, 31))


@given(
    days,
    st.sampled_from(["{y}-{m}-{d}", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}年{m}月{d}日"]),
    st.booleans(),
    st.booleans(),
)
def test_a_date_typed_any_way_a_branch_types_it_reads_as_that_date(
    day: date, pattern: str, padded: bool, full_width: bool
) -> None:
    month, dom = (
        (f"{day.month:02d}", f"{day.day:02d}") if padded else (str(day.month), str(day.day))
    )
    written = pattern.format(y=day.year, m=month, d=dom)
    if full_width:
        written = written.translate(FULL_WIDTH_DIGITS)
    assert cells.day(written) == day
    assert cells.day(f"  {written} ") == day


@given(days)
def test_a_date_cell_a_datetime_and_an_excel_serial_read_as_their_date(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    assert cells.day(serial) == day
    assert cells.day(float(serial)) == day
    assert cells.day(datetime.combine(day, datetime.min.time()) + timedelta(hours=9)) == day
    assert cells.day(day) == day
    assert cells.day(f"{day.isoformat()} 00:00:00") == day
    assert cells.day(day.strftime("%Y%m%d")) == day


@pytest.mark.parametrize(
    "written", ["2009-02-30", "2009.13.01", "十一月", "2009-11", "", "   ", "明天", True, -5]
)
def test_what_is_not_a_date_says_so(written: object) -> None:
    with pytest.raises(ValueError, match=r"date"):
        cells.day(written)


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30))
def test_text_is_trimmed_and_half_width_and_never_blank(written: str) -> None:
    read = cells.text(written)
    if read is None:
        return
    assert read == read.strip()
    assert "  " not in read and "\u3000" not in read
    assert not any("０" <= c <= "９" for c in read)
    assert cells.text(read) == read  # reading twice changes nothing


@given(st.integers(min_value=0, max_value=10**11))
def test_full_width_digits_are_the_digits_typed(number: int) -> None:
    assert cells.text(str(number).translate(FULL_WIDTH_DIGITS)) == str(number)
    assert cells.text(float(number)) == str(number)  # a phone number in a number cell


@given(st.text(alphabet="王李张芳强敏伟丽娟", min_size=2, max_size=4), st.integers(0, 3))
def test_a_chinese_name_spaced_out_to_line_up_is_the_name(name: str, spaces: int) -> None:
    spaced = (" " * spaces + "\u3000").join(name) + " "
    assert cells.name(spaced) == name


def test_punctuation_and_english_names_are_kept() -> None:
    assert cells.text("低保，独居：需关注") == "低保，独居：需关注"
    assert cells.name("Li Qiang ") == "Li Qiang"
    assert cells.header(" 姓 名（必填）* ") == "姓名"


def _workbook(*rows: list[object], merge: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_sheet_is_recognised_by_its_headers_under_a_merged_title() -> None:
    data = _workbook(
        ["长安社区党员花名册", None, None, None],
        ["姓名", "性别", "党小组", "党员类别", "备注"],
        [None, None, None, None],
        ["王芳", "女", "第一党小组", "社区党员"],
        merge="A1:D1",
    )
    [sheet] = read_workbook(data)
    assert sheet.kind is not None and sheet.kind.key == "members"
    assert sheet.header_row == 2
    assert sheet.ignored == ("备注",)
    assert [(row.number, row.values["name"]) for row in sheet.rows] == [(4, "王芳")]


def test_a_group_header_over_its_columns_is_read_with_them() -> None:
    """走访 merged over 时间 and 方式: 走访时间 is the visit's date."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["参与人员", "地址", "走访", None, "服务标签"])
    sheet.append([None, None, "时间", "方式", None])
    sheet.append(["王芳", "长安街1号", "2009.11.29", "入户", "政策宣传"])
    sheet.merge_cells("C1:D1")
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:B2")
    sheet.merge_cells("E1:E2")
    read = read_sheet(sheet)
    assert read.kind is not None and read.kind.key == "visits"
    assert [row.values["visited_on"] for row in read.rows] == ["2009.11.29"]


def test_a_sheet_of_nothing_we_keep_is_left_alone() -> None:
    [sheet] = read_workbook(_workbook(["日期", "收入", "支出"], ["2009-11-01", 3, 4]))
    assert sheet.kind is None and sheet.rows == ()


def test_every_kinds_template_headers_are_recognised_as_that_kind() -> None:
    for kind in KINDS:
        [sheet] = read_workbook(_workbook([f.title for f in kind.fields]))
        assert sheet.kind is kind, kind.key


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("住户", "households"),
        ("长安社区住户台账", "households"),
        ("党员联户", "links"),
        ("Sheet1", "links"),
    ],
)
def test_headers_two_kinds_take_alike_go_to_the_kind_the_sheet_is_named_for(
    title: str, kind: str
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(["地址", "户主", "联系党员", "联系日期"])
    sheet.append(["长安街9号", "赵大爷", "王芳", "2009-11-20"])
    read = read_sheet(sheet)
    assert read.kind is not None and read.kind.key == kind
