"""The order a branch reads names in: numbers as numbers, whether written in Chinese
numerals or in digits — 一巷, 二巷, 三巷 … 十巷, 十一巷; 长安街2号 before 长安街10号; 第五党小组
before 第十党小组. Every list of areas, addresses, groups and people sorts by this key."""

from __future__ import annotations

import re

DIGITS = {
    **{str(d): d for d in range(10)},
    **{chr(0xFF10 + d): d for d in range(10)},  # full-width ０-９
    **dict(zip("零一二三四五六七八九", range(10), strict=True)),
    "〇": 0,
    "两": 2,
}
UNITS = {"十": 10, "百": 100, "千": 1000}
WAN, YI = "万", "亿"
NUMBER = re.compile("([" + "".join([*DIGITS, *UNITS, WAN, YI]) + "]+)")

# A part of a name: (0, the number, "") or (1, 0, the text); numbers first.
Part = tuple[int, int, str]


def natural_key(text: str) -> tuple[tuple[Part, ...], str]:
    """Sort key: the text in runs of words and numbers, then the text itself, so that
    different spellings of one number (二, 2, ２) still come in a fixed order."""
    parts: list[Part] = []
    for index, run in enumerate(NUMBER.split(text)):
        if index % 2:
            parts.append((0, _value(run), ""))
        elif run:
            parts.append((1, 0, run))
    return tuple(parts), text


def _value(numeral: str) -> int:
    """二〇〇九 -> 2009, 十一 -> 11, 一百零五 -> 105, 3万 -> 30000, 一亿二千万 -> 120000000;
    any run of numeral characters gets some number, so the key is defined for every text."""
    if all(c in DIGITS for c in numeral):
        value = 0
        for character in numeral:  # digit by digit: no limit on the length
            value = value * 10 + DIGITS[character]
        return value
    total = section = digits = 0
    for character in numeral:
        if character in DIGITS:
            digits = digits * 10 + DIGITS[character]
        elif character in UNITS:
            section += (digits or 1) * UNITS[character]  # 十一: the 一 of 一十 goes unsaid
            digits = 0
        elif character == WAN:  # 万 scales what came since the last 亿
            total += (section + digits) * 10_000
            section = digits = 0
        else:  # 亿 scales everything before it (一万亿)
            total = (total + section + digits) * 100_000_000
            section = digits = 0
    return total + section + digits
