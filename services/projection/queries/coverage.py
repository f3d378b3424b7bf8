"""Coverage in a window of dates: households, linked, visited, visits, per branch,
group, member and area; and the households visited or not in that window.

For a group or a member, ``households`` and ``linked`` count the households linked
to them, ``visited`` those of these with a visit in the window (by anyone), and
``visits`` the visits they made in the window. For an area, ``visits`` counts the
visits to its households."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, func, select

from services.projection.answers import (
    AreaCoverage,
    Coverage,
    CoverageHousehold,
    CoverageHouseholds,
    GroupCoverage,
    MemberCoverage,
    MonthVisits,
    VisitsByMonth,
)
from services.projection.ordering import natural_key
from services.projection.projectors.tables import CoverageTables
from services.projection.queries.membership import branch_exists
from services.projection.queries.periods import latest_visit_year, year_or_latest


@dataclass
class _Tally:
    households: int = 0
    linked: int = 0
    visited: int = 0
    visits: int = 0

    def add_household(self, *, linked: bool, visited: bool) -> None:
        self.households += 1
        self.linked += int(linked)
        self.visited += int(visited)

    def counts(self) -> dict[str, Any]:
        return {
            "households": self.households,
            "linked": self.linked,
            "visited": self.visited,
            "coverage": _ratio(self.visited, self.households),
            "visits": self.visits,
        }


def _window(
    tables: CoverageTables, branch_id: UUID, start: date | None, end: date | None
) -> list[ColumnElement[bool]]:
    conditions = [tables.visits.c.branch_id == branch_id]
    if start is not None:
        conditions.append(tables.visits.c.visited_on >= start)
    if end is not None:
        conditions.append(tables.visits.c.visited_on <= end)
    return conditions


def coverage(
    conn: Connection,
    tables: CoverageTables,
    branch_id: UUID,
    position: int,
    *,
    start: date | None,
    end: date | None,
) -> Coverage | None:
    if not branch_exists(conn, tables, branch_id):
        return None
    window = _window(tables, branch_id, start, end)
    members = {
        row.id: row
        for row in sorted(
            conn.execute(select(tables.members).where(tables.members.c.branch_id == branch_id)),
            key=lambda row: natural_key(row.name),
        )
    }
    groups = sorted(
        conn.execute(select(tables.groups).where(tables.groups.c.branch_id == branch_id)),
        key=lambda row: natural_key(row.name),
    )

    visited = select(tables.visits.c.household_id).where(*window).distinct().subquery()
    households = conn.execute(
        select(
            tables.households.c.area,
            tables.households.c.linked_member_id,
            visited.c.household_id.is_not(None).label("visited"),
        )
        .outerjoin(visited, visited.c.household_id == tables.households.c.id)
        .where(tables.households.c.branch_id == branch_id)
    ).all()

    total = _Tally()
    by_member: defaultdict[UUID, _Tally] = defaultdict(_Tally)
    by_group: defaultdict[UUID, _Tally] = defaultdict(_Tally)
    by_area: defaultdict[str, _Tally] = defaultdict(_Tally)
    for row in households:
        member = members.get(row.linked_member_id) if row.linked_member_id else None
        linked = member is not None
        for tally in (total, by_area[row.area]):
            tally.add_household(linked=linked, visited=row.visited)
        if member is not None:
            for tally in (by_member[member.id], by_group[member.group_id]):
                tally.add_household(linked=True, visited=row.visited)

    visits_by_member = conn.execute(
        select(tables.visits.c.member_id, func.count())
        .where(*window)
        .group_by(tables.visits.c.member_id)
    ).all()
    for member_id, count in visits_by_member:
        total.visits += count
        if member_id in members:
            by_member[member_id].visits += count
            by_group[members[member_id].group_id].visits += count
    visits_by_area = conn.execute(
        select(tables.households.c.area, func.count())
        .join(tables.households, tables.households.c.id == tables.visits.c.household_id)
        .where(*window)
        .group_by(tables.households.c.area)
    ).all()
    for area_name, count in visits_by_area:
        by_area[area_name].visits += count

    return Coverage(
        position=position,
        branch_id=branch_id,
        from_=start,
        to=end,
        **total.counts(),
        groups=[GroupCoverage(id=g.id, name=g.name, **by_group[g.id].counts()) for g in groups],
        members=[
            MemberCoverage(id=m.id, name=m.name, group_id=m.group_id, **by_member[m.id].counts())
            for m in members.values()
        ],
        areas=[
            AreaCoverage(area=name, **tally.counts())
            for name, tally in sorted(by_area.items(), key=lambda item: natural_key(item[0]))
        ],
    )


def households(
    conn: Connection,
    tables: CoverageTables,
    branch_id: UUID,
    position: int,
    *,
    visited: bool,
    start: date | None,
    end: date | None,
    limit: int,
    offset: int,
    linked_member_id: UUID | None = None,
) -> CoverageHouseholds | None:
    if not branch_exists(conn, tables, branch_id):
        return None
    in_window = select(tables.visits.c.household_id).where(*_window(tables, branch_id, start, end))
    chosen = (
        tables.households.c.id.in_(in_window)
        if visited
        else tables.households.c.id.not_in(in_window)
    )
    last_visit = (
        select(tables.visits.c.household_id, func.max(tables.visits.c.visited_on).label("last"))
        .where(tables.visits.c.branch_id == branch_id)
        .group_by(tables.visits.c.household_id)
        .subquery()
    )
    conditions = [tables.households.c.branch_id == branch_id, chosen]
    if linked_member_id is not None:
        conditions.append(tables.households.c.linked_member_id == linked_member_id)
    # Areas and addresses in natural order (二巷 before 十巷), which SQL cannot sort by:
    # the page is chosen here from the matching households' keys, then read whole.
    matching = sorted(
        conn.execute(
            select(
                tables.households.c.id, tables.households.c.area, tables.households.c.address
            ).where(*conditions)
        ),
        key=lambda row: (natural_key(row.area), natural_key(row.address), row.id),
    )
    page = [row.id for row in matching[offset : offset + limit]]
    found = {
        row.id: row
        for row in conn.execute(
            select(tables.households, tables.members.c.name.label("member_name"), last_visit.c.last)
            .outerjoin(tables.members, tables.members.c.id == tables.households.c.linked_member_id)
            .outerjoin(last_visit, last_visit.c.household_id == tables.households.c.id)
            .where(tables.households.c.id.in_(page))
        )
    }
    total = len(matching)
    rows = [found[household_id] for household_id in page]
    return CoverageHouseholds(
        position=position,
        branch_id=branch_id,
        visited=visited,
        from_=start,
        to=end,
        total=total,
        households=[
            CoverageHousehold(
                id=row.id,
                address=row.address,
                area=row.area,
                head_name=row.head_name,
                phone=row.phone,
                tags=list(row.tags),
                linked_member_id=row.linked_member_id,
                linked_member_name=row.member_name,
                linked_since=row.linked_at,
                last_visited_on=row.last,
                erased=row.erased,
            )
            for row in rows
        ],
    )


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def visits_by_month(
    conn: Connection,
    tables: CoverageTables,
    branch_id: UUID,
    position: int,
    *,
    year: int | None,
    today: date,
    member_id: UUID | None = None,
) -> VisitsByMonth | None:
    """Visits per month of ``year`` (default: the latest with visits), by purpose."""
    if not branch_exists(conn, tables, branch_id):
        return None
    year = year_or_latest(year, latest_visit_year(conn, tables, branch_id, member_id), today)
    conditions = [
        tables.visits.c.branch_id == branch_id,
        tables.visits.c.month.startswith(f"{year}-"),
    ]
    if member_id is not None:
        conditions.append(tables.visits.c.member_id == member_id)
    rows = conn.execute(
        select(tables.visits.c.month, tables.visits.c.purpose, func.count())
        .where(*conditions)
        .group_by(tables.visits.c.month, tables.visits.c.purpose)
        .order_by(tables.visits.c.month, tables.visits.c.purpose)
    )
    months: dict[str, dict[str, int]] = {}
    for month, purpose, count in rows:
        months.setdefault(month, {})[purpose] = count
    return VisitsByMonth(
        position=position,
        branch_id=branch_id,
        year=year,
        months=[
            MonthVisits(month=month, visits=sum(purposes.values()), by_purpose=purposes)
            for month, purposes in months.items()
        ],
    )
