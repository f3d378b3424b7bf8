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

from services.projection.api import schemas as s
from services.projection.ordering import natural_key
from services.projection.projectors.coverage import CoverageTables


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


def branch_exists(conn: Connection, t: CoverageTables, branch_id: UUID) -> bool:
    return (
        conn.execute(select(t.branches.c.id).where(t.branches.c.id == branch_id)).first()
        is not None
    )


def _window(
    t: CoverageTables, branch_id: UUID, start: date | None, end: date | None
) -> list[ColumnElement[bool]]:
    conditions = [t.visits.c.branch_id == branch_id]
    if start is not None:
        conditions.append(t.visits.c.visited_on >= start)
    if end is not None:
        conditions.append(t.visits.c.visited_on <= end)
    return conditions


def coverage(
    conn: Connection,
    t: CoverageTables,
    branch_id: UUID,
    *,
    start: date | None,
    end: date | None,
    position: int,
) -> s.Coverage | None:
    if not branch_exists(conn, t, branch_id):
        return None
    window = _window(t, branch_id, start, end)
    members = {
        row.id: row
        for row in sorted(
            conn.execute(select(t.members).where(t.members.c.branch_id == branch_id)),
            key=lambda row: natural_key(row.name),
        )
    }
    groups = sorted(
        conn.execute(select(t.groups).where(t.groups.c.branch_id == branch_id)),
        key=lambda row: natural_key(row.name),
    )

    visited = select(t.visits.c.household_id).where(*window).distinct().subquery()
    households = conn.execute(
        select(
            t.households.c.area,
            t.households.c.linked_member_id,
            visited.c.household_id.is_not(None).label("visited"),
        )
        .outerjoin(visited, visited.c.household_id == t.households.c.id)
        .where(t.households.c.branch_id == branch_id)
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
        select(t.visits.c.member_id, func.count()).where(*window).group_by(t.visits.c.member_id)
    ).all()
    for member_id, count in visits_by_member:
        total.visits += count
        if member_id in members:
            by_member[member_id].visits += count
            by_group[members[member_id].group_id].visits += count
    visits_by_area = conn.execute(
        select(t.households.c.area, func.count())
        .join(t.households, t.households.c.id == t.visits.c.household_id)
        .where(*window)
        .group_by(t.households.c.area)
    ).all()
    for area_name, count in visits_by_area:
        by_area[area_name].visits += count

    return s.Coverage(
        position=position,
        branch_id=branch_id,
        from_=start,
        to=end,
        **total.counts(),
        groups=[s.GroupCoverage(id=g.id, name=g.name, **by_group[g.id].counts()) for g in groups],
        members=[
            s.MemberCoverage(id=m.id, name=m.name, group_id=m.group_id, **by_member[m.id].counts())
            for m in members.values()
        ],
        areas=[
            s.AreaCoverage(area=name, **tally.counts())
            for name, tally in sorted(by_area.items(), key=lambda item: natural_key(item[0]))
        ],
    )


def households(
    conn: Connection,
    t: CoverageTables,
    branch_id: UUID,
    *,
    visited: bool,
    start: date | None,
    end: date | None,
    limit: int,
    offset: int,
    linked_member_id: UUID | None = None,
    position: int,
) -> s.CoverageHouseholds | None:
    if not branch_exists(conn, t, branch_id):
        return None
    in_window = select(t.visits.c.household_id).where(*_window(t, branch_id, start, end))
    chosen = t.households.c.id.in_(in_window) if visited else t.households.c.id.not_in(in_window)
    last_visit = (
        select(t.visits.c.household_id, func.max(t.visits.c.visited_on).label("last"))
        .where(t.visits.c.branch_id == branch_id)
        .group_by(t.visits.c.household_id)
        .subquery()
    )
    conditions = [t.households.c.branch_id == branch_id, chosen]
    if linked_member_id is not None:
        conditions.append(t.households.c.linked_member_id == linked_member_id)
    # Areas and addresses in natural order (二巷 before 十巷), which SQL cannot sort by:
    # the page is chosen here from the matching households' keys, then read whole.
    matching = sorted(
        conn.execute(
            select(t.households.c.id, t.households.c.area, t.households.c.address).where(
                *conditions
            )
        ),
        key=lambda row: (natural_key(row.area), natural_key(row.address), row.id),
    )
    page = [row.id for row in matching[offset : offset + limit]]
    found = {
        row.id: row
        for row in conn.execute(
            select(t.households, t.members.c.name.label("member_name"), last_visit.c.last)
            .outerjoin(t.members, t.members.c.id == t.households.c.linked_member_id)
            .outerjoin(last_visit, last_visit.c.household_id == t.households.c.id)
            .where(t.households.c.id.in_(page))
        )
    }
    total = len(matching)
    rows = [found[household_id] for household_id in page]
    return s.CoverageHouseholds(
        position=position,
        branch_id=branch_id,
        visited=visited,
        from_=start,
        to=end,
        total=total,
        households=[
            s.CoverageHousehold(
                id=row.id,
                address=row.address,
                area=row.area,
                head_name=row.head_name,
                phone=row.phone,
                tags=list(row.tags),
                linked_member_id=row.linked_member_id,
                linked_member_name=row.member_name,
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
    t: CoverageTables,
    branch_id: UUID,
    year: int,
    position: int,
    *,
    member_id: UUID | None = None,
) -> s.VisitsByMonth | None:
    if not branch_exists(conn, t, branch_id):
        return None
    conditions = [t.visits.c.branch_id == branch_id, t.visits.c.month.startswith(f"{year}-")]
    if member_id is not None:
        conditions.append(t.visits.c.member_id == member_id)
    rows = conn.execute(
        select(t.visits.c.month, t.visits.c.purpose, func.count())
        .where(*conditions)
        .group_by(t.visits.c.month, t.visits.c.purpose)
        .order_by(t.visits.c.month, t.visits.c.purpose)
    )
    months: dict[str, dict[str, int]] = {}
    for month, purpose, count in rows:
        months.setdefault(month, {})[purpose] = count
    return s.VisitsByMonth(
        position=position,
        branch_id=branch_id,
        year=year,
        months=[
            s.MonthVisits(month=month, visits=sum(purposes.values()), by_purpose=purposes)
            for month, purposes in months.items()
        ],
    )
