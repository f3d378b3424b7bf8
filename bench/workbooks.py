"""Workbooks as a branch keeps them, for the import's tests and its benchmark: a
roster under a merged title, households, links, posts and monthly visit sheets, with
the mess of real sheets (names spaced out or with trailing spaces, full-width digits,
dates typed four ways or stored as dates and Excel serials, blank rows) and, when
asked, a dozen deliberate errors of different kinds, each recorded with the cell it
is in."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

SURNAMES = "王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高梁"
GIVEN = ["芳", "强", "敏", "静", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞"]
AREAS = ["一巷", "二巷", "三巷", "四巷", "五巷"]
GROUPS = ["第一党小组", "第二党小组", "第三党小组", "第四党小组", "第五党小组"]
VISIT_HEADERS = ["走访对象", "地址", "方式", "时间", "参与人员", "详情", "服务标签"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True)
class Planted:
    """A deliberate error: where it is and the kind the import must name."""

    sheet: str
    row: int
    letter: str
    why: str


@dataclass
class Ledgers:
    data: bytes = b""
    planted: list[Planted] = field(default_factory=list)
    commands: int = 0  # the commands the valid rows make
    members: int = 0
    households: int = 0
    links: int = 0
    visits: int = 0
    posts: int = 0


class _Sheet:
    def __init__(self, book: Workbook, title: str, ledgers: Ledgers) -> None:
        self.sheet: Worksheet = book.create_sheet(title)
        self.title = title
        self.ledgers = ledgers

    def row(self, *values: object) -> int:
        self.sheet.append(list(values))
        return self.sheet.max_row

    def planted(self, why: str, column: int, *values: object) -> None:
        number = self.row(*values)
        self.ledgers.planted.append(Planted(self.title, number, get_column_letter(column), why))


def _names(count: int) -> list[str]:
    names = [s + g for g in GIVEN for s in SURNAMES]
    return [n for n in names if n != "张伟"][:count]


class _BranchBook:
    """The branch's workbook, sheet by sheet, with a dozen deliberate errors."""

    def __init__(self, members: int, households: int) -> None:
        self.rng = random.Random(2009)
        self.ledgers = Ledgers()
        self.book = Workbook()
        first = self.book.active
        assert first is not None
        self.book.remove(first)
        self.names = _names(members)
        self.addresses = [f"长安街{n}号" for n in range(1, households + 1)]
        self.heads = {a: f"户主{n}" for n, a in enumerate(self.addresses, start=1)}
        self.linked = self.addresses[: households * 3 // 4]
        self.linked_to = {a: self.names[n % len(self.names)] for n, a in enumerate(self.linked)}

    def groups(self) -> None:
        groups = _Sheet(self.book, "党小组", self.ledgers)
        groups.row("党小组", "组建方式", "组长")
        for name, basis in zip(
            GROUPS, ["居住相近", "从业", "特点相近", "居住", "地域"], strict=True
        ):
            groups.row(name, basis, {"第一党小组": "王芳", "第二党小组": "李强"}.get(name))
        self.ledgers.commands += len(GROUPS) + 2

    def roster(self) -> None:
        names = self.names
        roster = _Sheet(self.book, "党员花名册", self.ledgers)
        roster.row("长安社区党员花名册（2009年）")
        roster.sheet.merge_cells("A1:G1")
        roster.row("姓名", "性别", "党小组", "党员类别", "身份", "联系电话", "加入支部日期")
        categories = ["社区党员", "在职", "离退休党员", "下岗失业党员", "流动党员", "退休"]
        for index, name in enumerate(names):
            written = "　".join(name) if index % 7 == 3 else name + (" " if index % 5 == 0 else "")
            phone = f"139{index:08d}".translate(FULL_WIDTH) if index % 4 == 0 else None
            enrolled = date(2005 + index % 4, 1 + index % 12, 1 + index % 28)
            enrolled_written = (
                enrolled if index % 2 else f"{enrolled.year}年{enrolled.month}月{enrolled.day}日"
            )
            group = (
                "第一党小组"
                if name == "王芳"
                else "第二党小组"
                if name == "李强"
                else GROUPS[index % 5]
            )
            status = "预备党员" if index % 9 == 8 else "正式党员"
            roster.row(
                written, "女", group, self.rng.choice(categories), status, phone, enrolled_written
            )
            if index % 10 == 9:
                roster.row()  # a blank line between pages
        roster.row("张伟", "男", "第三党小组", "社区党员", "正式党员", None, "2008-03-01")
        roster.row("张伟", "男", "第四党小组", "在职党员", "正式党员", None, "2008-05-01")
        self.ledgers.members = len(names) + 2
        self.ledgers.commands += self.ledgers.members
        roster.planted("unknown-group", 3, "钱进", "男", "第九党小组", "社区党员", "正式党员")
        roster.planted("bad-value", 4, "孙红", "女", "第一党小组", "党员", "正式党员")
        roster.planted("missing-value", 1, None, "男", "第二党小组", "社区党员", "正式党员")
        roster.planted(
            "bad-date", 7, "周立", "男", "第二党小组", "社区党员", "正式党员", None, "2009.13.01"
        )

    def households(self) -> None:
        names, addresses, heads = self.names, self.addresses, self.heads
        homes = _Sheet(self.book, "住户", self.ledgers)
        homes.row("片区", "地址", "户主", "标签")
        for n, address in enumerate(addresses):
            tags = "独居老人" if n % 17 == 0 else "低保户、残疾" if n % 23 == 0 else None
            homes.row(AREAS[n % 5], address, heads[address], tags)
        self.ledgers.households = len(addresses)
        self.ledgers.commands += len(addresses)
        homes.planted("missing-value", 3, "一巷", "长安街500号", None, "独居老人")

        links = _Sheet(self.book, "联户", self.ledgers)
        links.row("地址", "联系党员")
        linked, linked_to = self.linked, self.linked_to
        for address, member in linked_to.items():
            links.row(address, member)
        self.ledgers.links = len(linked)
        self.ledgers.commands += len(linked)
        links.planted("unknown-member", 2, addresses[-1], "钱多多")
        links.planted("household-already-linked", 1, addresses[0], names[5])

    def posts(self) -> None:
        names = self.names
        posts = _Sheet(self.book, "服务岗位", self.ledgers)
        posts.row("岗位名称", "岗位类别", "岗位职责", "名额")
        posts.row("政策宣传岗", "政策宣传", "宣讲惠民政策", 1)
        posts.row("扶贫帮困岗", "扶贫帮困", "结对帮扶困难户", None)
        holders = _Sheet(self.book, "岗位认领", self.ledgers)
        holders.row("岗位名称", "党员", "服务内容", "服务承诺")
        holders.row("政策宣传岗", names[2], "每月宣讲一次", "有求必应")
        holders.row("扶贫帮困岗", names[3], "帮扶两户", "随叫随到")
        holders.planted("post-full", 1, "政策宣传岗", names[4], "每周宣讲", "热情服务")
        self.ledgers.posts = 2
        self.ledgers.commands += 4

    def visits(self, visits_per_month: int) -> None:
        names, heads, linked, linked_to = self.names, self.heads, self.linked, self.linked_to
        purposes = ["政策宣传", "关心慰问", "矛盾调解", "了解诉求"]
        for month, written_as in ((9, "dots"), (10, "chinese"), (11, "cells")):
            sheet = _Sheet(self.book, f"2009年{month}月走访", self.ledgers)
            sheet.row(*VISIT_HEADERS)
            for n in range(visits_per_month):
                address = linked[(n * 7 + month) % len(linked)]
                day = 1 + n % 28
                when: object = {
                    "dots": f"2009.{month}.{day}",
                    "chinese": f"2009年{month}月{day}日",
                    "cells": datetime(2009, month, day)
                    if n % 2
                    else (date(2009, month, day) - date(1899, 12, 30)).days,
                }[written_as]
                member = linked_to[address]
                together = f"{member}、{names[0]}" if n % 15 == 0 and member != names[0] else member
                sheet.row(
                    heads[address],
                    address,
                    "入户" if n % 3 else "电话",
                    when,
                    together + " ",
                    None,
                    purposes[n % 4],
                )
                self.ledgers.visits += together.count("、") + 1
                if n == visits_per_month // 2:
                    sheet.row()
            if month == 9:
                sheet.planted(
                    "invalid-value",
                    4,
                    heads[linked[0]],
                    linked[0],
                    "入户",
                    "2099年1月1日",
                    linked_to[linked[0]],
                    None,
                    "关心慰问",
                )
            if month == 10:
                sheet.planted(
                    "unknown-household",
                    2,
                    "户主999",
                    "长安街999号",
                    "入户",
                    "2009年10月9日",
                    names[1],
                    None,
                    "政策宣传",
                )
                sheet.planted(
                    "ambiguous-member",
                    5,
                    heads[linked[1]],
                    linked[1],
                    "入户",
                    "2009年10月9日",
                    "张伟",
                    None,
                    "政策宣传",
                )
            if month == 11:
                sheet.planted(
                    "bad-date",
                    4,
                    heads[linked[2]],
                    linked[2],
                    "电话",
                    "11月下旬",
                    linked_to[linked[2]],
                    None,
                    "了解诉求",
                )
        self.ledgers.commands += self.ledgers.visits


def branch_ledgers(
    *, members: int = 40, households: int = 80, visits_per_month: int = 60
) -> Ledgers:
    """The branch's workbook with a dozen deliberate errors (``planted``)."""
    branch = _BranchBook(members, households)
    branch.groups()
    branch.roster()
    branch.households()
    branch.posts()
    branch.visits(visits_per_month)
    buffer = io.BytesIO()
    branch.book.save(buffer)
    branch.ledgers.data = buffer.getvalue()
    return branch.ledgers


def visit_ledgers(visits: int, *, households: int = 200, members: int = 50) -> Ledgers:
    """A branch's roster, households, links and ``visits`` visit rows, all valid: the
    import's benchmark."""
    ledgers = Ledgers()
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    groups = _Sheet(book, "党小组", ledgers)
    groups.row("党小组")
    groups.row("第一党小组")
    roster = _Sheet(book, "党员花名册", ledgers)
    roster.row("姓名", "党小组", "党员类别")
    names = _names(members)
    for name in names:
        roster.row(name, "第一党小组", "社区党员")
    homes = _Sheet(book, "住户", ledgers)
    homes.row("片区", "地址", "户主", "联系党员")
    for n in range(households):
        homes.row(AREAS[n % 5], f"长安街{n + 1}号", f"户主{n + 1}", names[n % members])
    sheet = _Sheet(book, "走访记录", ledgers)
    sheet.row(*VISIT_HEADERS)
    for n in range(visits):
        h = n % households
        day = date(2009, 1, 1).toordinal() + n % 365
        sheet.row(
            f"户主{h + 1}",
            f"长安街{h + 1}号",
            "入户",
            date.fromordinal(day),
            names[h % members],
            f"第{n}次",
            "关心慰问",
        )
    ledgers.members, ledgers.households, ledgers.links, ledgers.visits = (
        members,
        households,
        households,
        visits,
    )
    ledgers.commands = 1 + members + 2 * households + visits
    buffer = io.BytesIO()
    book.save(buffer)
    ledgers.data = buffer.getvalue()
    return ledgers
