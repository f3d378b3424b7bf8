"""What a cell of a branch's own spreadsheet may hold, made into one value: full-width
digits, letters and spaces (typed with a Chinese input method) made half-width,
whitespace runs made one space and trimmed, Chinese names without the spaces put in
to line them up (王  芳), and dates however they were typed or stored: a date cell, an
Excel serial, 2009-11-29, 2009/11/29, 2009.11.29, 2009年11月29日, 20091129."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

# Full-width ASCII (！ to ～) and the ideographic space, made half-width. Full-width
# punctuation (，。：) is left as written: it is how Chinese is punctuated.
_FULL_WIDTH = {
    **{code: code - 0xFEE0 for code in range(ord("０"), ord("９") + 1)},
    **{code: code - 0xFEE0 for code in range(ord("Ａ"), ord("Ｚ") + 1)},
    **{code: code - 0xFEE0 for code in range(ord("ａ"), ord("ｚ") + 1)},
    ord("－"): ord("-"),
    ord("／"): ord("/"),
    ord("．"): ord("."),
    ord("＋"): ord("+"),
    0x3000: ord(" "),
    0x00A0: ord(" "),
}
_SPACES = re.compile(r"[ \t\u2000-\u200b\u202f\u205f\ufeff]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff·]")
# Excel's day 0 (its serials count from 1900-01-00, and it thinks 1900 was a leap year).
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_TEXT = re.compile(
    r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)


def text(value: object) -> str | None:
    """The cell as one line of text, or None when it shows nothing. Line breaks inside
    a cell are kept (free text); the ends are trimmed."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    if isinstance(value, datetime | date):
        return day(value).isoformat()
    lines = [
        _SPACES.sub(" ", line.translate(_FULL_WIDTH)).strip() for line in str(value).split("\n")
    ]
    joined = "\n".join(line for line in lines if line)
    return joined or None


def name(value: object) -> str | None:
    """A person's or group's name: text, and a Chinese name without the spaces that
    line names up in a printed roster."""
    written = text(value)
    if written is None:
        return None
    if all(_CJK.match(character) for character in written.replace(" ", "")):
        return written.replace(" ", "")
    return written


def day(value: object) -> date:
    """The date a cell means; ValueError saying why when it means none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2_958_466:  # Excel's last day is 9999-12-31
            raise ValueError(f"{value} is not a date")
        return _EXCEL_EPOCH + timedelta(days=int(value))
    written = text(value)
    if written is None:
        raise ValueError("no date")
    match = _DATE_TEXT.fullmatch(written)
    if match is None:
        raise ValueError(f"{written!r} is not a date (write it as 2009-11-29)")
    year, month, dom = (
        (match[1], match[2], match[3]) if match[2] else (match[1], match[4], match[5])
    )
    try:
        return date(int(year), int(month), int(dom))
    except ValueError:
        raise ValueError(f"{written!r} is not a date in the calendar") from None


def header(value: object) -> str:
    """A column header as compared with the kinds' headers: no spaces, no note in
    brackets (姓名（必填）), no asterisk marking it required."""
    written = text(value) or ""
    written = re.sub(r"[（(][^）)]*[）)]", "", written)
    return re.sub(r"[\s*＊:：]", "", written)
