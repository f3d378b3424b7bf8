"""The work lists: what is due and overdue on a day — households by their visit
schedule (``shared.schedule``, the one rule), households not visited for N days, duty
reports per half year, residents' requests past their due date, talks awaited after a
low grade, hardship cases without help for N days — for the branch, a group, an area
or one member."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, func, or_, select, true
from sqlalchemy.orm import aliased

from services.projection.answers import (
    AwaitedTalk,
    DueReport,
    DueVisit,
    OverdueNeed,
    UnassistedHardship,
    UnvisitedHousehold,
    Work,
    WorkCounts,
)
from services.projection.ordering import natural_key
from services.projection.projectors.tables import WorkTables
from services.projection.queries.membership import branch_exists
from shared.contract.vocabulary import Grade
from shared.schedule import (
    Schedules,
    Standing,
    half_year_ends,
    half_year_of,
    previous_half_year,
    standing,
    visit_due_on,
)

LOW_GRADES = (Grade.BASICALLY_QUALIFIED.value, Grade.UNQUALIFIED.value)


@dataclass(frozen=True)
class Scope:
    """Whose work: a member's own, a group's, an area's (households), or all."""

    member_id: UUID | None = None
    group_id: UUID | None = None
    area: str | None = None


@dataclass(frozen=True)
class Asked:
    """What is asked: work due on ``today`` or within ``within_days`` of it, households
    not visited for ``unvisited_days`` (None: not asked), hardship cases without help
    for ``hardship_days``; ``date_of`` gives a stored moment's business date."""

    today: date
    date_of: Callable[[datetime], date]
    within_days: int = 7
    unvisited_days: int | None = None
    hardship_days: int = 30
    scope: Scope = Scope()


def schedules(conn: Connection, tables: WorkTables, branch_id: UUID) -> Schedules:
    rows = conn.execute(
        select(tables.visit_schedules).where(tables.visit_schedules.c.branch_id == branch_id)
    ).all()
    return Schedules(
        branch_days=next((row.every_days for row in rows if row.scope == "branch"), None),
        tag_days={row.tag: row.every_days for row in rows if row.tag is not None},
        household_days={
            row.household_id: row.every_days for row in rows if row.household_id is not None
        },
    )


def work(
    conn: Connection,
    tables: WorkTables,
    branch_id: UUID,
    position: int,
    asked: Asked,
) -> Work | None:
    if not branch_exists(conn, tables, branch_id):
        return None
    counts = WorkCounts()
    visits, unvisited, on_schedule = _households(conn, tables, branch_id, asked, counts)
    reports = _duty_reports(conn, tables, branch_id, asked, counts)
    needs = _needs(conn, tables, branch_id, asked, counts)
    talks = _talks(conn, tables, branch_id, asked, counts)
    hardships = _hardships(conn, tables, branch_id, asked, counts)
    return Work(
        position=position,
        branch_id=branch_id,
        today=asked.today,
        within_days=asked.within_days,
        unvisited_days=asked.unvisited_days,
        hardship_days=asked.hardship_days,
        counts=counts,
        on_schedule_share=(
            on_schedule / counts.scheduled_households if counts.scheduled_households else None
        ),
        visits=visits,
        unvisited=unvisited,
        duty_reports=reports,
        needs=needs,
        talks=talks,
        hardships=hardships,
    )


def _members_in(tables: WorkTables, scope: Scope) -> list[ColumnElement[bool]]:
    members = tables.members
    conditions: list[ColumnElement[bool]] = [members.c.left_on.is_(None)]
    if scope.member_id is not None:
        conditions.append(members.c.id == scope.member_id)
    if scope.group_id is not None:
        conditions.append(members.c.group_id == scope.group_id)
    return conditions


def _in_scope(
    scope: Scope,
    members_concerned: tuple[ColumnElement[UUID], ...],
    group: ColumnElement[UUID],
    area: ColumnElement[str] | None = None,
) -> list[ColumnElement[bool]]:
    """A case is a member's when they are any of those it concerns (who it was
    assigned to, who raised it; the member helped, the helper)."""
    conditions: list[ColumnElement[bool]] = []
    if scope.member_id is not None:
        conditions.append(or_(*(column == scope.member_id for column in members_concerned)))
    if scope.group_id is not None:
        conditions.append(group == scope.group_id)
    if scope.area is not None and area is not None:
        conditions.append(area == scope.area)
    return conditions


def _households(
    conn: Connection,
    tables: WorkTables,
    branch_id: UUID,
    asked: Asked,
    counts: WorkCounts,
) -> tuple[list[DueVisit], list[UnvisitedHousehold], int]:
    today, date_of, within_days, scope = asked.today, asked.date_of, asked.within_days, asked.scope
    unvisited_days = asked.unvisited_days
    households, members, visits = tables.households, tables.members, tables.visits
    last_visits = (
        select(visits.c.household_id, func.max(visits.c.visited_on).label("last_visited_on"))
        .where(visits.c.branch_id == branch_id, visits.c.visited_on <= today)
        .group_by(visits.c.household_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            households.c.id,
            households.c.address,
            households.c.area,
            households.c.tags,
            households.c.linked_at,
            households.c.linked_on,
            members.c.id.label("member_id"),
            members.c.name.label("member_name"),
            members.c.group_id,
            last_visits.c.last_visited_on,
        )
        .join(members, members.c.id == households.c.linked_member_id)
        .outerjoin(last_visits, last_visits.c.household_id == households.c.id)
        .where(
            households.c.branch_id == branch_id,
            households.c.erased.is_(False),
            households.c.area == scope.area if scope.area is not None else true(),
            *_members_in(tables, scope),
        )
    ).all()
    plan = schedules(conn, tables, branch_id)
    due: list[DueVisit] = []
    quiet: list[UnvisitedHousehold] = []
    on_schedule = 0
    for row in rows:
        linked_on = linked_day(row.linked_on, row.linked_at, date_of)
        if linked_on > today:
            continue  # not yet linked on the day asked (a past year's summary asks)
        every = plan.every_days(row.id, row.tags)
        due_on = visit_due_on(every, linked_on, row.last_visited_on)
        if every is not None and due_on is not None:
            counts.scheduled_households += 1
            judged = standing(due_on, today, within_days)
            on_schedule += judged is not Standing.OVERDUE
            if judged is not Standing.LATER:
                counts.visits_overdue += judged is Standing.OVERDUE
                counts.visits_due += judged is Standing.DUE
                due.append(
                    DueVisit(
                        household_id=row.id,
                        address=row.address,
                        area=row.area,
                        member_id=row.member_id,
                        member_name=row.member_name,
                        group_id=row.group_id,
                        every_days=every,
                        last_visited_on=row.last_visited_on,
                        due_on=due_on,
                        standing=judged.value,
                    )
                )
        if unvisited_days is not None and (
            row.last_visited_on is None
            or row.last_visited_on <= today - timedelta(days=unvisited_days)
        ):
            quiet.append(
                UnvisitedHousehold(
                    household_id=row.id,
                    address=row.address,
                    area=row.area,
                    member_id=row.member_id,
                    member_name=row.member_name,
                    group_id=row.group_id,
                    last_visited_on=row.last_visited_on,
                )
            )
    counts.unvisited = len(quiet)
    due.sort(key=lambda entry: (entry.due_on, natural_key(entry.address)))
    quiet.sort(key=lambda entry: (entry.last_visited_on or date.min, natural_key(entry.address)))
    return due, quiet, on_schedule


def linked_day(
    linked_on: date | None, linked_at: datetime, date_of: Callable[[datetime], date]
) -> date:
    """The day a household's link took effect: the day it names, or, for links
    recorded before links named one, the business day it was recorded."""
    return linked_on or date_of(_aware(linked_at))


def _aware(moment: datetime) -> datetime:
    # SQLite keeps no zone: what the projector wrote there was UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _duty_reports(
    conn: Connection,
    tables: WorkTables,
    branch_id: UUID,
    asked: Asked,
    counts: WorkCounts,
) -> list[DueReport]:
    """Every member who links households reports on each half year by its last day:
    the last half year's missing reports are overdue, this one's due near its end."""
    today, within_days, scope = asked.today, asked.within_days, asked.scope
    if scope.area is not None:
        return []
    current = half_year_of(today)
    previous = previous_half_year(current)
    members, reports = tables.members, tables.duty_reports
    rows = conn.execute(
        select(members.c.id, members.c.name, members.c.group_id)
        .where(members.c.branch_id == branch_id, members.c.linked_households > 0)
        .where(*_members_in(tables, scope))
    ).all()
    submitted = {
        (row.member_id, row.period)
        for row in conn.execute(
            select(reports.c.member_id, reports.c.period).where(
                reports.c.branch_id == branch_id, reports.c.period.in_((previous, current))
            )
        )
    }
    listed = []
    for period in (previous, current):
        due_on = half_year_ends(period)
        judged = standing(due_on, today, within_days)
        if judged is Standing.LATER:
            continue
        for row in rows:
            if (row.id, period) not in submitted:
                counts.reports_overdue += judged is Standing.OVERDUE
                counts.reports_due += judged is Standing.DUE
                listed.append(
                    DueReport(
                        member_id=row.id,
                        member_name=row.name,
                        group_id=row.group_id,
                        period=period,
                        due_on=due_on,
                        standing=judged.value,
                    )
                )
    listed.sort(key=lambda entry: (entry.due_on, natural_key(entry.member_name)))
    return listed


def _needs(
    conn: Connection,
    tables: WorkTables,
    branch_id: UUID,
    asked: Asked,
    counts: WorkCounts,
) -> list[OverdueNeed]:
    today, scope = asked.today, asked.scope
    needs, households, members = tables.needs, tables.households, tables.members
    conditions = [
        needs.c.branch_id == branch_id,
        needs.c.resolved_on.is_(None),
        needs.c.due_on < today,
        *_in_scope(
            scope,
            (needs.c.assigned_member_id, needs.c.raised_by_member_id),
            members.c.group_id,
            households.c.area,
        ),
    ]
    rows = conn.execute(
        select(needs, households.c.address, households.c.area, members.c.name.label("member_name"))
        .join(households, households.c.id == needs.c.household_id)
        .outerjoin(members, members.c.id == needs.c.assigned_member_id)
        .where(*conditions)
        .order_by(needs.c.due_on, needs.c.raised_position)
    ).all()
    counts.needs_overdue = len(rows)
    return [
        OverdueNeed(
            need_id=row.id,
            household_id=row.household_id,
            address=row.address,
            area=row.area,
            category=row.category,
            due_on=row.due_on,
            assigned_member_id=row.assigned_member_id,
            assigned_member_name=row.member_name,
        )
        for row in rows
    ]


def _talks(
    conn: Connection,
    tables: WorkTables,
    branch_id: UUID,
    asked: Asked,
    counts: WorkCounts,
) -> list[AwaitedTalk]:
    """A member graded 基本合格 or 不合格 is talked with after the appraisal closes."""
    today, scope = asked.today, asked.scope
    if scope.area is not None:
        return []
    ratings, appraisals, members, talks = (
        tables.ratings,
        tables.appraisals,
        tables.members,
        tables.talks,
    )
    rows = conn.execute(
        select(
            ratings.c.member_id,
            ratings.c.year,
            ratings.c.grade,
            members.c.name,
            members.c.group_id,
            appraisals.c.closed_on,
        )
        .join(members, members.c.id == ratings.c.member_id)
        .join(
            appraisals,
            (appraisals.c.branch_id == ratings.c.branch_id) & (appraisals.c.year == ratings.c.year),
        )
        .where(
            ratings.c.branch_id == branch_id,
            ratings.c.grade.in_(LOW_GRADES),
            appraisals.c.closed_on.is_not(None),
            appraisals.c.closed_on <= today,
            *_members_in(tables, scope),
        )
    ).all()
    latest_talk = dict(
        conn.execute(
            select(talks.c.member_id, func.max(talks.c.held_on))
            .where(talks.c.branch_id == branch_id, talks.c.held_on <= today)
            .group_by(talks.c.member_id)
        ).all()
    )
    awaited = [
        AwaitedTalk(
            member_id=row.member_id,
            member_name=row.name,
            group_id=row.group_id,
            year=row.year,
            grade=Grade(row.grade),
            since=row.closed_on,
        )
        for row in rows
        if (talked := latest_talk.get(row.member_id)) is None or talked < row.closed_on
    ]
    awaited.sort(key=lambda entry: (entry.since, natural_key(entry.member_name)))
    counts.talks_awaited = len(awaited)
    return awaited


def _hardships(
    conn: Connection,
    tables: WorkTables,
    branch_id: UUID,
    asked: Asked,
    counts: WorkCounts,
) -> list[UnassistedHardship]:
    today, days, scope = asked.today, asked.hardship_days, asked.scope
    if scope.area is not None:
        return []
    hardships, members = tables.hardships, tables.members
    helpers = aliased(members)
    since = func.coalesce(hardships.c.last_assisted_on, hardships.c.flagged_on)
    conditions = [
        hardships.c.branch_id == branch_id,
        hardships.c.closed_on.is_(None),
        since <= today - timedelta(days=days),
        *_in_scope(scope, (hardships.c.member_id, hardships.c.helper_id), members.c.group_id),
    ]
    rows = conn.execute(
        select(
            hardships,
            since.label("since"),
            members.c.name.label("member_name"),
            helpers.c.name.label("helper_name"),
        )
        .join(members, members.c.id == hardships.c.member_id)
        .outerjoin(helpers, helpers.c.id == hardships.c.helper_id)
        .where(*conditions)
        .order_by(since, hardships.c.flagged_position)
    ).all()
    counts.hardships_unassisted = len(rows)
    return [
        UnassistedHardship(
            hardship_id=row.id,
            member_id=row.member_id,
            member_name=row.member_name,
            kind=row.kind,
            helper_id=row.helper_id,
            helper_name=row.helper_name,
            since=row.since,
        )
        for row in rows
    ]
