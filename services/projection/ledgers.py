"""The ledgers (台账) a branch is asked to keep, from the read models: Chinese headers,
dates as dates, one sheet each, ready to print — as .xlsx (openpyxl) or .csv."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from sqlalchemy import Connection, and_, func, select

from services.projection.answers import Work
from services.projection.i18n import ZH
from services.projection.ordering import natural_key
from services.projection.projectors.tables import CoverageTables, EvaluationTables, RosterTables
from services.projection.queries.evaluations import rated_members
from services.projection.queries.periods import latest_appraisal_year, year_or_latest
from services.projection.queries.work import linked_day
from shared.contract.vocabulary import Grade
from shared.spreadsheets import CsvSheet, put

Cell = str | int | date | None
MASKED = "***"


@dataclass(frozen=True)
class Ledger:
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def roster_ledger(conn: Connection, tables: RosterTables, branch_id: UUID) -> Ledger:
    groups: dict[UUID, str] = {
        group_id: name
        for group_id, name in conn.execute(
            select(tables.groups.c.id, tables.groups.c.name).where(
                tables.groups.c.branch_id == branch_id
            )
        )
    }
    posts: dict[UUID, list[str]] = {}
    for member_id, title in conn.execute(
        select(tables.post_holders.c.member_id, tables.posts.c.title)
        .join(tables.posts, tables.posts.c.id == tables.post_holders.c.post_id)
        .where(tables.post_holders.c.branch_id == branch_id)
    ):
        posts.setdefault(member_id, []).append(title)
    rows: list[list[Cell]] = []
    members = conn.execute(
        select(tables.members)
        .where(tables.members.c.branch_id == branch_id)
        .order_by(tables.members.c.enrolled_position)
    )
    for m in members:
        rows.append(
            [
                m.name,
                groups.get(m.group_id, ""),
                ZH["category"][m.category],
                ZH["status"][m.status],
                "是" if m.holds_office else "否",
                "、".join(posts.get(m.id, [])),
                m.linked_households,
                m.volunteer_since,
                m.left_on,
                ZH["departure"].get(m.departure_reason or "", ""),
            ]
        )
    return Ledger(
        "党员花名册",
        [
            "姓名",
            "党小组",
            "党员类别",
            "身份",
            "担任职务",
            "服务岗位",
            "联系户数",
            "加入义工服务队",
            "迁出日期",
            "迁出原因",
        ],
        rows,
    )


def coverage_ledger(
    conn: Connection, tables: CoverageTables, branch_id: UUID, start: date | None, end: date | None
) -> Ledger:
    window = [tables.visits.c.branch_id == branch_id]
    if start:
        window.append(tables.visits.c.visited_on >= start)
    if end:
        window.append(tables.visits.c.visited_on <= end)
    visits = (
        select(
            tables.visits.c.household_id,
            func.count().label("visits"),
            func.max(tables.visits.c.visited_on).label("last"),
        )
        .where(*window)
        .group_by(tables.visits.c.household_id)
        .subquery()
    )
    rows = sorted(
        conn.execute(
            select(
                tables.households,
                tables.members.c.name.label("member"),
                visits.c.visits,
                visits.c.last,
            )
            .outerjoin(tables.members, tables.members.c.id == tables.households.c.linked_member_id)
            .outerjoin(visits, visits.c.household_id == tables.households.c.id)
            .where(tables.households.c.branch_id == branch_id)
        ),
        key=lambda r: (natural_key(r.area), natural_key(r.address), r.registered_position),
    )
    return Ledger(
        "党员联户走访台账",
        ["片区", "地址", "户主", "标签", "联系党员", "走访次数", "最近走访"],
        [
            [
                r.area,
                r.address,
                r.head_name,
                "、".join(r.tags),
                r.member or "",
                r.visits or 0,
                r.last,
            ]
            for r in rows
        ],
    )


def work_ledger(work: Work) -> Ledger:
    """The households due a visit by their schedule, the overdue first."""
    return Ledger(
        "应走访住户",
        ["状态", "应走访日期", "片区", "地址", "联系党员", "走访周期（天）", "最近走访"],
        [
            [
                ZH["standing"][visit.standing],
                visit.due_on,
                visit.area,
                visit.address,
                visit.member_name,
                visit.every_days,
                visit.last_visited_on,
            ]
            for visit in work.visits
        ],
    )


def visits_ledger(
    conn: Connection, tables: CoverageTables, branch_id: UUID, start: date | None, end: date | None
) -> Ledger:
    conditions = [tables.visits.c.branch_id == branch_id]
    if start:
        conditions.append(tables.visits.c.visited_on >= start)
    if end:
        conditions.append(tables.visits.c.visited_on <= end)
    visits, members, households = tables.visits, tables.members, tables.households
    # In the ledger's order of columns.
    rows = conn.execute(
        select(visits.c.visited_on, members.c.name, households.c.area, households.c.address)
        .add_columns(households.c.head_name, visits.c.purpose)
        .join(members, members.c.id == visits.c.member_id)
        .join(households, households.c.id == visits.c.household_id)
        .where(*conditions)
        .order_by(visits.c.visited_on, visits.c.recorded_position)
    )
    return Ledger(
        "走访记录",
        ["走访日期", "党员", "片区", "地址", "户主", "走访事由"],
        [list(row) for row in rows],
    )


def evaluations_ledger(
    conn: Connection, tables: EvaluationTables, branch_id: UUID, year: int | None, today: date
) -> Ledger:
    """The grades of ``year`` (default: the latest year with an appraisal)."""
    year = year_or_latest(year, latest_appraisal_year(conn, tables, branch_id), today)
    groups: dict[UUID, str] = {
        group_id: name
        for group_id, name in conn.execute(
            select(tables.groups.c.id, tables.groups.c.name).where(
                tables.groups.c.branch_id == branch_id
            )
        )
    }
    reports: dict[tuple[UUID, str], date] = {
        (row.member_id, row.period): row.submitted_on
        for row in conn.execute(
            select(tables.duty_reports).where(tables.duty_reports.c.branch_id == branch_id)
        )
    }
    ballots: dict[tuple[UUID, str], int] = {}
    for row in conn.execute(
        select(
            tables.ballots.c.member_id,
            tables.ballots.c.grade,
            tables.ballots.c.count.label("votes"),
        ).where(
            tables.ballots.c.appraisal_id.in_(
                select(tables.appraisals.c.id).where(
                    and_(
                        tables.appraisals.c.branch_id == branch_id, tables.appraisals.c.year == year
                    )
                )
            )
        )
    ):
        key = (row.member_id, row.grade)
        ballots[key] = ballots.get(key, 0) + row.votes
    talks = {
        row.member_id: row.n
        for row in conn.execute(
            select(tables.talks.c.member_id, func.count().label("n"))
            .where(
                tables.talks.c.branch_id == branch_id, tables.talks.c.held_on >= date(year, 1, 1)
            )
            .group_by(tables.talks.c.member_id)
        )
    }
    rewards = {
        row.member_id: row.n
        for row in conn.execute(
            select(tables.rewards.c.member_id, func.count().label("n"))
            .where(
                tables.rewards.c.branch_id == branch_id,
                tables.rewards.c.granted_on.between(date(year, 1, 1), date(year, 12, 31)),
            )
            .group_by(tables.rewards.c.member_id)
        )
    }
    rows = conn.execute(rated_members(tables, branch_id, year))
    return Ledger(
        f"{year}年度党员考评",
        [
            "姓名",
            "党小组",
            "身份",
            f"{year}上半年述职",
            f"{year}下半年述职",
            *(f"评议票·{ZH['grade'][g]}" for g in Grade),
            "考评等次",
            "存在问题",
            "谈心谈话次数",
            "奖励次数",
        ],
        [
            [
                r.name,
                groups.get(r.group_id, ""),
                ZH["status"][r.status],
                reports.get((r.id, f"{year}H1")),
                reports.get((r.id, f"{year}H2")),
                *(ballots.get((r.id, g.value), 0) for g in Grade),
                ZH["grade"][r.grade] if r.grade else ZH["ungraded"][ungraded(r.status, r.left_on)],
                "；".join(r.shortcomings or []),
                talks.get(r.id, 0),
                rewards.get(r.id, 0),
            ]
            for r in rows
        ],
    )


# The branch as a workbook the import reads back (``services.importer.kinds`` takes
# these headers): its groups, members, posts and who holds them, households with
# their linked member, and every visit. What the read models do not keep (a member's
# phone, a visit's notes, transfers, meetings, campaigns, requests, evaluations) is
# not in it.


def branch_roster_ledgers(conn: Connection, tables: RosterTables, branch_id: UUID) -> list[Ledger]:
    groups = conn.execute(
        select(tables.groups)
        .where(tables.groups.c.branch_id == branch_id, tables.groups.c.dissolved_on.is_(None))
        .order_by(tables.groups.c.formed_position)
    ).all()
    members = conn.execute(
        select(tables.members)
        .where(tables.members.c.branch_id == branch_id)
        .order_by(tables.members.c.enrolled_position)
    ).all()
    names = {m.id: m.name for m in members}
    group_names = {g.id: g.name for g in groups}
    posts = conn.execute(
        select(tables.posts)
        .where(tables.posts.c.branch_id == branch_id)
        .order_by(tables.posts.c.established_position)
    ).all()
    titles = {p.id: p.title for p in posts}
    holders = conn.execute(
        select(tables.post_holders)
        .where(tables.post_holders.c.branch_id == branch_id)
        .order_by(tables.post_holders.c.assigned_position)
    ).all()
    return [
        Ledger(
            "党小组",
            ["党小组", "组建方式", "组长"],
            [
                [g.name, ZH["basis"][g.basis], names.get(g.leader_id) if g.leader_id else None]
                for g in groups
            ],
        ),
        Ledger(
            "党员花名册",
            [
                "姓名",
                "党小组",
                "党员类别",
                "身份",
                "担任职务",
                "加入支部日期",
                "加入义工服务队",
                "迁出日期",
                "迁出原因",
            ],
            [
                [
                    m.name,
                    group_names.get(m.group_id, ""),
                    ZH["category"][m.category],
                    ZH["status"][m.status],
                    "是" if m.holds_office else "否",
                    m.enrolled_on,
                    m.volunteer_since,
                    m.left_on,
                    ZH["departure"].get(m.departure_reason or "") if m.left_on else None,
                ]
                for m in members
            ],
        ),
        Ledger(
            "服务岗位",
            ["岗位名称", "岗位类别", "岗位职责", "名额"],
            [[p.title, ZH["post_kind"][p.kind], p.duties, p.capacity] for p in posts],
        ),
        Ledger(
            "岗位认领",
            ["岗位名称", "党员", "服务内容", "服务承诺"],
            [[titles[h.post_id], names[h.member_id], h.service_content, h.pledge] for h in holders],
        ),
    ]


def branch_household_ledgers(
    conn: Connection, tables: CoverageTables, branch_id: UUID, date_of: Callable[[datetime], date]
) -> list[Ledger]:
    """Households and visits, erased households left out (there is nothing of them
    to bring in again)."""
    households, visits, members = tables.households, tables.visits, tables.members
    kept = conn.execute(
        select(households, members.c.name.label("member"))
        .outerjoin(members, members.c.id == households.c.linked_member_id)
        .where(households.c.branch_id == branch_id, households.c.erased.is_(False))
        .order_by(households.c.registered_position)
    ).all()
    made = conn.execute(
        select(visits.c.visited_on, members.c.name, households.c.address, households.c.head_name)
        .add_columns(visits.c.purpose)
        .join(members, members.c.id == visits.c.member_id)
        .join(households, households.c.id == visits.c.household_id)
        .where(visits.c.branch_id == branch_id, households.c.erased.is_(False))
        .order_by(visits.c.recorded_position)
    )
    return [
        Ledger(
            "住户",
            ["片区", "地址", "户主", "联系电话", "标签", "联系党员", "联系日期"],
            [
                [
                    h.area,
                    h.address,
                    h.head_name,
                    h.phone,
                    "、".join(h.tags),
                    h.member,
                    linked_day(h.linked_on, h.linked_at, date_of) if h.linked_at else None,
                ]
                for h in kept
            ],
        ),
        Ledger(
            "走访记录",
            ["走访日期", "党员", "地址", "户主", "走访事由"],
            [list(row) for row in made],
        ),
    ]


def ungraded(status: str, left_on: date | None) -> str:
    """Why a member of the year has no grade (the dashboard says the same)."""
    return "left" if left_on else "probationary" if status == "probationary" else "pending"


def masked(ledger: Ledger) -> Ledger:
    """The ledger with its sensitive columns (标签, 电话) masked."""
    columns = [i for i, header in enumerate(ledger.headers) if header in ("标签", "电话")]
    rows = [
        [MASKED if i in columns and cell else cell for i, cell in enumerate(row)]
        for row in ledger.rows
    ]
    return Ledger(ledger.title, ledger.headers, rows)


def to_xlsx(*ledgers: Ledger) -> bytes:
    """Each ledger a sheet of one workbook."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for ledger in ledgers:
        _write_sheet(book, ledger)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_sheet(book: Workbook, ledger: Ledger) -> None:
    sheet = book.create_sheet(ledger.title[:31])
    for column, header in enumerate(ledger.headers, start=1):
        cell = put(sheet, 1, column, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row_number, row in enumerate(ledger.rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = put(sheet, row_number, column, value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    for index, header in enumerate(ledger.headers, start=1):
        widths = [_width(header), *(_width(row[index - 1]) for row in ledger.rows)]
        sheet.column_dimensions[get_column_letter(index)].width = min(max(*widths, 8), 40)
    # Ready to print: landscape, one page wide, the header row on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:1"
    sheet.freeze_panes = "A2"


def to_csv(ledger: Ledger) -> bytes:
    sheet = CsvSheet()
    sheet.row(ledger.headers)
    for row in ledger.rows:
        sheet.row(row)
    return sheet.take()


def _width(value: Any) -> int:
    if value is None:
        return 0
    text = str(value)
    return sum(2 if ord(character) > 0x2E80 else 1 for character in text) + 2
