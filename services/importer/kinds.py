"""The kinds of sheet a branch keeps, each declared once: its fields (the headers a
branch writes for each, the template's first), and the commands a row of it asks
for, in the order the branch's records depend on each other (groups before their
members, members before the households linked to them, visits last but departures)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from services.command.commands import (
    AppointGroupLeader,
    AssignPost,
    Command,
    EnrollMember,
    EstablishPost,
    FormGroup,
    JoinVolunteerTeam,
    LinkHousehold,
    MemberLeaves,
    RecordVisit,
    RegisterHousehold,
)
from services.importer import cells
from services.projection.i18n import ZH
from shared.contract.vocabulary import (
    DepartureReason,
    GroupBasis,
    MemberCategory,
    MembershipStatus,
    PostKind,
)

if TYPE_CHECKING:
    from services.importer.known import Known
    from services.importer.sheets import Row

E = TypeVar("E", bound=StrEnum)


class Phase(IntEnum):
    """When a row's commands run: what they name must be there first."""

    GROUPS = 1
    MEMBERS = 2
    LEADERS = 3
    POSTS = 4
    HOUSEHOLDS = 5
    ASSIGNMENTS = 6
    LINKS = 7
    VISITS = 8
    DEPARTURES = 9


class Why(StrEnum):
    """The kinds of problem a row can have before the domain is asked (the domain's
    own refusals are named by their problem types)."""

    MISSING = "missing-value"
    BAD_DATE = "bad-date"
    BAD_VALUE = "bad-value"
    UNKNOWN_GROUP = "unknown-group"
    UNKNOWN_MEMBER = "unknown-member"
    UNKNOWN_HOUSEHOLD = "unknown-household"
    UNKNOWN_POST = "unknown-post"
    AMBIGUOUS_MEMBER = "ambiguous-member"
    AMBIGUOUS_HOUSEHOLD = "ambiguous-household"
    AMBIGUOUS_GROUP = "ambiguous-group"
    AMBIGUOUS_POST = "ambiguous-post"


class RowProblem(Exception):
    def __init__(self, field: str, why: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.field = field
        self.why = why
        self.zh = zh
        self.en = en


class AlreadyThere(Exception):
    """What the row would create is in the branch already: nothing to do."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


@dataclass(frozen=True)
class Field:
    key: str
    headers: tuple[str, ...]  # as compared (``cells.header``); the first is the template's
    required: bool = False
    choices: tuple[str, ...] = ()  # the template's drop-down list
    example: str = ""

    @property
    def title(self) -> str:
        return self.headers[0]


def choices(vocabulary: str) -> tuple[str, ...]:
    return tuple(ZH[vocabulary].values())


# Each vocabulary's words as a branch writes them: the dashboard's label, its short
# form (社区 for 社区党员), other words in use, and the API's own value.
SYNONYMS: dict[str, dict[str, str]] = {
    "category": {
        "离退休": "retired",
        "退休": "retired",
        "下岗": "unemployed",
        "失业": "unemployed",
    },
    "status": {},
    "basis": {"居住": "residence", "地域": "residence", "从业": "occupation", "行业": "occupation"},
    "post_kind": {"扶贫": "poverty_relief", "帮困": "poverty_relief", "就业": "employment_advice"},
    "departure": {"转出": "transferred_out", "病故": "deceased", "死亡": "deceased"},
}


def vocabulary(kind: str, enum: type[E], written: str, field: str) -> E:
    words: dict[str, str] = {}
    for value, label in ZH[kind].items():
        words[label] = words[value] = value
        short = re.sub(r"(党员|相近|相似)$", "", label)
        words.setdefault(short, value)
    words.update(SYNONYMS.get(kind, {}))
    meant = words.get(written.replace(" ", "")) or words.get(written.lower())
    if meant is None:
        listed = "、".join(ZH[kind].values())
        raise RowProblem(
            field,
            Why.BAD_VALUE,
            f"“{written}”不是可选的值（{listed}）",
            f"{written!r} is not one of {listed}",
        )
    return enum(meant)


YES = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "无", "n", "no", "false", "0", "×", "-", "—"}


class Cells:
    """A row's cells, each read the way its field is meant (problems name the field)."""

    def __init__(self, row: Row) -> None:
        self.row = row

    def _raw(self, key: str) -> Any:
        return self.row.values.get(key)

    def text(self, key: str) -> str | None:
        return cells.text(self._raw(key))

    def name(self, key: str) -> str | None:
        return cells.name(self._raw(key))

    def needed(self, key: str, read: Callable[[str], str | None] | None = None) -> str:
        value = (read or self.text)(key)
        if value is None:
            title = self.row.kind.field(key).title
            raise RowProblem(key, Why.MISSING, f"“{title}”不能为空", f"{title} is required")
        return value

    def day(self, key: str, *, required: bool = False) -> date | None:
        raw = self._raw(key)
        if cells.text(raw) is None:
            if required:
                self.needed(key)
            return None
        if isinstance(raw, int) and 19_210_701 <= raw <= 22_001_231:
            raw = str(raw)  # 20091129 typed as a number
        try:
            return cells.day(raw)
        except ValueError as exc:
            raise RowProblem(
                key,
                Why.BAD_DATE,
                f"无法识别的日期“{cells.text(raw)}”（请写作2009-11-29）",
                str(exc),
            ) from None

    def flag(self, key: str) -> bool:
        written = self.text(key)
        # 是, or the office held (支部委员)
        return not (written is None or written.lower() in NO)

    def choice(self, key: str, kind: str, enum: type[E], default: E | None = None) -> E:
        written = self.text(key)
        if written is None:
            if default is not None:
                return default
            self.needed(key)
        assert written is not None
        return vocabulary(kind, enum, written, key)

    def names(self, key: str) -> list[str]:
        written = self.needed(key, self.name)
        return [
            n for n in (cells.name(part) for part in re.split(r"[、,，;；/／\s]+", written)) if n
        ]

    def tags(self, key: str) -> tuple[str, ...]:
        written = self.text(key)
        if written is None:
            return ()
        return tuple(dict.fromkeys(t for t in re.split(r"[、,，;；/／\s]+", written) if t))


Planned = tuple[Phase, Callable[["Known"], list[Command]]]


@dataclass(frozen=True)
class SheetKind:
    key: str
    zh: str
    en: str
    fields: tuple[Field, ...]
    plan: Callable[[Cells], list[Planned]]

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)


# -- the plans: a row's commands, built once what they name is known --------------


def _groups(c: Cells) -> list[Planned]:
    name = c.needed("name", c.name)
    basis = c.choice("basis", "basis", GroupBasis, GroupBasis.RESIDENCE)

    def form(known: Known) -> list[Command]:
        if known.has_group(name):
            raise AlreadyThere(f"党小组“{name}”已有", f"group {name} exists already")
        return [known.new(FormGroup, "group_id", name=name, basis=basis, columns={"name": "name"})]

    plans: list[Planned] = [(Phase.GROUPS, form)]
    leader = c.name("leader")
    if leader is not None:

        def appoint(known: Known) -> list[Command]:
            group_id = known.group(name, "name")
            member_id = known.member(leader, "leader")
            if known.directory.leaders.get(group_id) == member_id:
                raise AlreadyThere(f"{leader}已是组长", f"{leader} leads the group already")
            return [known.make(AppointGroupLeader, group_id=group_id, member_id=member_id)]

        plans.append((Phase.LEADERS, appoint))
    return plans


def _members(c: Cells) -> list[Planned]:
    name = c.needed("name", c.name)
    group = c.needed("group", c.name)
    values = {
        "name": name,
        "category": c.choice("category", "category", MemberCategory),
        "status": c.choice("status", "status", MembershipStatus, MembershipStatus.FULL),
        "holds_office": c.flag("office"),
        "phone": c.text("phone"),
        "enrolled_on": c.day("enrolled_on"),
    }
    volunteer_since = c.day("volunteer_since")
    left_on = c.day("left_on")
    reason = c.choice("departure", "departure", DepartureReason, DepartureReason.OTHER)
    columns = {"name": "name", "phone": "phone", "enrolled_on": "enrolled_on", "group_id": "group"}
    enrolled: list[EnrollMember] = []

    def enrol(known: Known) -> list[Command]:
        if known.had_member(name):
            raise AlreadyThere(f"党员“{name}”已在本支部", f"a member named {name} is in the branch")
        command = known.new(
            EnrollMember,
            "member_id",
            group_id=known.group(group, "group"),
            columns=columns,
            **values,
        )
        enrolled.append(command)
        if volunteer_since is None:
            return [command]
        joined = known.make(
            JoinVolunteerTeam,
            member_id=command.member_id,
            joined_on=volunteer_since,
            columns={"joined_on": "volunteer_since"},
        )
        return [command, joined]

    plans: list[Planned] = [(Phase.MEMBERS, enrol)]
    if left_on is not None:

        def leave(known: Known) -> list[Command]:
            if not enrolled:
                return []  # refused, or there already: its row says so
            return [
                known.make(
                    MemberLeaves,
                    member_id=enrolled[0].member_id,
                    reason=reason,
                    left_on=left_on,
                    columns={"left_on": "left_on"},
                )
            ]

        plans.append((Phase.DEPARTURES, leave))
    return plans


def _posts(c: Cells) -> list[Planned]:
    title = c.needed("title")
    kind = c.choice("kind", "post_kind", PostKind, PostKind.OTHER)
    duties = c.needed("duties")
    capacity_written = c.text("capacity")
    capacity = None
    if capacity_written is not None:
        if not capacity_written.isdigit():
            raise RowProblem(
                "capacity",
                Why.BAD_VALUE,
                f"名额“{capacity_written}”应为整数",
                "capacity is a whole number",
            )
        capacity = int(capacity_written)

    def establish(known: Known) -> list[Command]:
        if known.has_post(title):
            raise AlreadyThere(f"岗位“{title}”已有", f"post {title} exists already")
        return [
            known.new(
                EstablishPost,
                "post_id",
                kind=kind,
                title=title,
                duties=duties,
                capacity=capacity,
                columns={"title": "title", "duties": "duties", "capacity": "capacity"},
            )
        ]

    return [(Phase.POSTS, establish)]


def _assignments(c: Cells) -> list[Planned]:
    title, member = c.needed("post"), c.needed("member", c.name)
    content, pledge = c.needed("service_content"), c.needed("pledge")

    def assign(known: Known) -> list[Command]:
        post_id, member_id = known.post(title, "post"), known.member(member, "member")
        if (post_id, member_id) in known.directory.holders:
            raise AlreadyThere(f"{member}已认领该岗位", f"{member} holds the post already")
        return [
            known.make(
                AssignPost,
                post_id=post_id,
                member_id=member_id,
                service_content=content,
                pledge=pledge,
                columns={"member_id": "member", "service_content": "service_content"},
            )
        ]

    return [(Phase.ASSIGNMENTS, assign)]


def _area_of(address: str) -> str:
    """The alley or street an address is in when the sheet has no 片区 column: what
    comes before its number (长安街2号: 长安街; 一巷3号: 一巷)."""
    match = re.match(r"^(.+?)[0-9０-９]", address)
    return match[1] if match else address


def _households(c: Cells) -> list[Planned]:
    address = c.needed("address")
    head = c.needed("head", c.name)
    values = {
        "address": address,
        "area": c.text("area") or _area_of(address),
        "head_name": head,
        "phone": c.text("phone"),
        "tags": c.tags("tags"),
    }

    def register(known: Known) -> list[Command]:
        if known.had_household(address, head):
            raise AlreadyThere(f"住户“{address}”已有", f"household at {address} exists already")
        columns = {
            "address": "address",
            "area": "area",
            "head_name": "head",
            "phone": "phone",
            "tags": "tags",
        }
        return [known.new(RegisterHousehold, "household_id", columns=columns, **values)]

    plans: list[Planned] = [(Phase.HOUSEHOLDS, register)]
    member, linked_on = c.name("member"), c.day("linked_on")
    if member is not None:
        plans.append((Phase.LINKS, lambda known: _link(known, address, head, member, linked_on)))
    return plans


def _link(
    known: Known, address: str, head: str | None, member: str, linked_on: date | None
) -> list[Command]:
    household = known.household(address, head, "address")
    member_id = known.member(member, "member")
    if household.linked_member_id == member_id:
        raise AlreadyThere(f"{address}已由{member}联系", f"{member} is linked to {address} already")
    return [
        known.make(
            LinkHousehold,
            household_id=household.id,
            member_id=member_id,
            linked_on=linked_on,
            columns={"household_id": "address"},
        )
    ]


def _links(c: Cells) -> list[Planned]:
    address, member, head = c.needed("address"), c.needed("member", c.name), c.name("head")
    linked_on = c.day("linked_on")
    return [(Phase.LINKS, lambda known: _link(known, address, head, member, linked_on))]


def _visits(c: Cells) -> list[Planned]:
    members = c.names("member")
    visited_on = c.day("visited_on", required=True)
    address, head = c.text("address"), c.name("head")
    if address is None and head is None:
        c.needed("address")
    method, tag, details = c.text("method"), c.text("purpose"), c.text("details")
    purpose = tag or method
    if purpose is None:
        c.needed("purpose")
    notes = "\n".join(
        part for part in (f"方式：{method}" if method and tag else None, details) if part
    )

    def record(known: Known) -> list[Command]:
        household = known.household(address, head, "address" if address else "head")
        return [
            known.new(
                RecordVisit,
                "visit_id",
                member_id=known.member(member, "member"),
                household_id=household.id,
                visited_on=visited_on,
                purpose=purpose,
                notes=notes or None,
                columns={"visited_on": "visited_on", "purpose": "purpose", "notes": "details"},
            )
            for member in members
        ]

    return [(Phase.VISITS, record)]


F = Field
KINDS: tuple[SheetKind, ...] = (
    SheetKind(
        "groups",
        "党小组",
        "Party groups",
        (
            F("name", ("党小组", "党小组名称", "小组名称", "名称"), True, example="第一党小组"),
            F(
                "basis",
                ("组建方式", "划分方式", "划分依据"),
                choices=choices("basis"),
                example="居住相近",
            ),
            F("leader", ("组长", "党小组组长"), example="王芳"),
        ),
        _groups,
    ),
    SheetKind(
        "members",
        "党员花名册",
        "Members",
        (
            F("name", ("姓名", "党员姓名"), True, example="王芳"),
            F("gender", ("性别",), example="女"),  # kept on paper, not by liaison
            F("group", ("党小组", "所在党小组"), True, example="第一党小组"),
            F("category", ("党员类别", "类别"), True, choices("category"), "社区党员"),
            F("status", ("身份", "状态", "党员状态"), False, choices("status"), "正式党员"),
            F("office", ("担任职务", "职务", "是否担任职务"), False, ("是", "否"), "否"),
            F("phone", ("联系电话", "电话", "手机"), example="13912345678"),
            F("enrolled_on", ("加入支部日期", "转入日期", "加入日期"), example="2009-03-01"),
            F("volunteer_since", ("加入义工服务队", "义工服务队"), example=""),
            F("left_on", ("迁出日期", "离开日期"), example=""),
            F("departure", ("迁出原因", "离开原因"), choices=choices("departure")),
        ),
        _members,
    ),
    SheetKind(
        "posts",
        "服务岗位",
        "Service posts",
        (
            F("title", ("岗位名称", "岗位"), True, example="政策宣传岗"),
            F("kind", ("岗位类别", "类别"), False, choices("post_kind"), "政策宣传"),
            F("duties", ("岗位职责", "职责"), True, example="宣讲惠民政策"),
            F("capacity", ("名额", "人数"), example="2"),
        ),
        _posts,
    ),
    SheetKind(
        "assignments",
        "岗位认领",
        "Post holders",
        (
            F("post", ("岗位名称", "岗位"), True, example="政策宣传岗"),
            F("member", ("党员", "姓名", "认领党员"), True, example="王芳"),
            F("service_content", ("服务内容",), True, example="每月宣讲一次"),
            F("pledge", ("服务承诺", "承诺"), True, example="有求必应"),
        ),
        _assignments,
    ),
    SheetKind(
        "households",
        "住户",
        "Households",
        (
            F("area", ("片区", "所在巷", "网格", "巷"), example="一巷"),
            F("address", ("地址", "住址", "家庭住址"), True, example="长安街1号"),
            F("head", ("户主", "户主姓名"), True, example="刘大爷"),
            F("phone", ("联系电话", "电话"), example="13912345678"),
            F("tags", ("标签", "户类型", "备注标签"), example="独居老人"),
            F("member", ("联系党员", "联户党员"), example="王芳"),
            F("linked_on", ("联系日期", "联户日期", "结对日期"), example="2009-03-01"),
        ),
        _households,
    ),
    SheetKind(
        "links",
        "党员联户",
        "Linked households",
        (
            F("address", ("地址", "住址", "联系户地址"), True, example="长安街1号"),
            F("head", ("户主", "户主姓名"), example="刘大爷"),
            F("member", ("联系党员", "联户党员", "党员"), True, example="王芳"),
            F("linked_on", ("联系日期", "联户日期", "结对日期"), example="2009-03-01"),
        ),
        _links,
    ),
    SheetKind(
        "visits",
        "走访记录",
        "Visits",
        (
            F("visited_on", ("走访日期", "时间", "日期", "走访时间"), True, example="2009-11-29"),
            F("member", ("参与人员", "走访党员", "党员"), True, example="王芳"),
            F("area", ("片区",), example="一巷"),  # the household's; read from it
            F("address", ("地址", "住址"), True, example="长安街1号"),
            F("head", ("走访对象", "户主"), example="刘大爷"),
            F("method", ("方式", "走访方式"), example="入户"),
            F("purpose", ("服务标签", "走访事由", "事由"), example="政策宣传"),
            F("details", ("详情", "走访详情", "走访情况", "备注"), example="讲解低保政策"),
        ),
        _visits,
    ),
)
