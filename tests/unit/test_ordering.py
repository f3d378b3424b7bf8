"""Names sort with their numbers as numbers, in Chinese numerals or in digits."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from services.projection.ordering import NUMBER, natural_key

NUMERALS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """How a number below 10^8 is written out: 十一, 一百零五, 一万零一, 十万."""
    if n == 0:
        return "零"

    def section(n: int) -> str:
        out, gap = "", False
        digits = (n // 1000, n // 100 % 10, n // 10 % 10, n % 10)
        for digit, unit in zip(digits, "千百十 ", strict=True):
            if digit == 0:
                gap = bool(out)
                continue
            out += ("零" if gap else "") + NUMERALS[digit] + unit.strip()
            gap = False
        return out

    high, low = divmod(n, 10_000)
    written = section(high) + "万" if high else ""
    if low:
        written += ("零" if high and low < 1000 else "") + section(low)
    return written[1:] if written.startswith("一十") else written


def full_width(n: int) -> str:
    return "".join(chr(0xFF10 + int(d)) for d in str(n))


words = st.text(st.characters(codec="utf-8"), max_size=6).filter(
    lambda text: not NUMBER.search(text)
)
numbers = st.integers(min_value=0, max_value=10**8 - 1)
spellings = st.sampled_from([chinese, str, full_width])


def test_the_alleys_sort_as_a_branch_counts_them() -> None:
    alleys = ["一巷", "三巷", "二巷", "五巷", "四巷", "十一巷", "十巷", "二十巷"]
    assert sorted(alleys, key=natural_key) == [
        "一巷",
        "二巷",
        "三巷",
        "四巷",
        "五巷",
        "十巷",
        "十一巷",
        "二十巷",
    ]
    assert sorted(["长安街10号", "长安街2号", "长安街1号"], key=natural_key) == [
        "长安街1号",
        "长安街2号",
        "长安街10号",
    ]


@given(st.tuples(words, words), numbers, numbers, st.tuples(spellings, spellings))
def test_numbers_sort_as_numbers_however_written(
    around: tuple[str, str], n: int, m: int, spelt: tuple[Callable[[int], str], ...]
) -> None:
    (prefix, suffix), (spell_n, spell_m) = around, spelt
    a, b = f"{prefix}{spell_n(n)}{suffix}", f"{prefix}{spell_m(m)}{suffix}"
    if n < m:
        assert natural_key(a) < natural_key(b)
    elif n > m:
        assert natural_key(a) > natural_key(b)


@given(st.lists(st.text(max_size=12)))
def test_any_names_sort_in_one_fixed_order(names: list[str]) -> None:
    ordered = sorted(names, key=natural_key)
    assert sorted(reversed(ordered), key=natural_key) == ordered
    assert len({natural_key(name) for name in names}) == len(set(names))
