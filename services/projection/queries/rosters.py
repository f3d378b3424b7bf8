"""The roster (groups, members, their posts and links) and the public posts board."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from uuid import UUID

from sqlalchemy import Connection, or_, select

from services.projection.api import schemas as s
from services.projection.ordering import natural_key
from services.projection.projectors.rosters import RosterTables
from shared.contract.vocabulary import MemberCategory, MembershipStatus


def branch_name(conn: Connection, t: RosterTables, branch_id: UUID) -> str | None:
    return conn.execute(select(t.branches.c.name).where(t.branches.c.id == branch_id)).scalar()


def _groups_on(conn: Connection, t: RosterTables, branch_id: UUID, on: date) -> dict[UUID, UUID]:
    """Each member's group at the end of ``on``: their last move dated by then."""
    groups: dict[UUID, UUID] = {}
    moves = (
        select(t.moves.c.member_id, t.moves.c.group_id)
        .where(
            t.moves.c.branch_id == branch_id,
            or_(t.moves.c.moved_on.is_(None), t.moves.c.moved_on <= on),
        )
        .order_by(t.moves.c.position)
    )
    for row in conn.execute(moves):
        groups[row.member_id] = row.group_id
    return groups


def roster(
    conn: Connection, t: RosterTables, branch_id: UUID, position: int, on: date | None = None
) -> s.Roster | None:
    """The roster as recorded; with ``on``, as it stood at the end of that business
    date: members enrolled by then, in the group their moves dated by then put them,
    departed if they had left by then; groups dissolved and hardships flagged by then.
    Leaders, posts and links carry no business date and are as recorded."""
    name = branch_name(conn, t, branch_id)
    if name is None:
        return None
    posts_by_member: dict[UUID, list[s.PostRef]] = defaultdict(list)
    held = (
        select(t.post_holders.c.member_id, t.posts.c.id, t.posts.c.kind, t.posts.c.title)
        .join(t.posts, t.posts.c.id == t.post_holders.c.post_id)
        .where(t.post_holders.c.branch_id == branch_id)
        .order_by(t.post_holders.c.assigned_position)
    )
    for row in conn.execute(held):
        posts_by_member[row.member_id].append(s.PostRef(id=row.id, kind=row.kind, title=row.title))

    members_by_group: dict[UUID, list[s.RosterMember]] = defaultdict(list)
    categories: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    volunteers: list[s.VolunteerEntry] = []
    departed: list[s.DepartedMember] = []
    names: dict[UUID, str] = {}
    enrolled = [t.members.c.branch_id == branch_id]
    if on is not None:
        enrolled.append(or_(t.members.c.enrolled_on.is_(None), t.members.c.enrolled_on <= on))
    group_on = _groups_on(conn, t, branch_id, on) if on is not None else {}
    members = conn.execute(
        select(t.members).where(*enrolled).order_by(t.members.c.enrolled_position)
    )
    for row in members:
        names[row.id] = row.name
        group_id = group_on.get(row.id, row.group_id)
        volunteer = row.volunteer_since is not None and not _after(row.volunteer_since, on)
        if row.left_on is not None and not _after(row.left_on, on):
            departed.append(
                s.DepartedMember(
                    id=row.id,
                    name=row.name,
                    category=row.category,
                    left_on=row.left_on,
                    reason=row.departure_reason,
                )
            )
            continue
        categories[row.category] += 1
        statuses[row.status] += 1
        if volunteer:
            volunteers.append(
                s.VolunteerEntry(
                    id=row.id, name=row.name, group_id=group_id, since=row.volunteer_since
                )
            )
        members_by_group[group_id].append(
            s.RosterMember(
                id=row.id,
                name=row.name,
                category=row.category,
                status=row.status,
                holds_office=row.holds_office,
                volunteer=volunteer,
                posts=posts_by_member[row.id],
                linked_households=row.linked_households,
            )
        )
    groups = sorted(
        conn.execute(select(t.groups).where(t.groups.c.branch_id == branch_id)),
        key=lambda row: natural_key(row.name),
    )
    flagged = [t.hardships.c.branch_id == branch_id]
    if on is not None:
        flagged.append(t.hardships.c.flagged_on <= on)
    hardships = conn.execute(
        select(t.hardships).where(*flagged).order_by(t.hardships.c.flagged_position)
    )
    return s.Roster(
        position=position,
        branch_id=branch_id,
        name=name,
        groups=[
            s.RosterGroup(
                id=row.id,
                name=row.name,
                basis=row.basis,
                leader_id=row.leader_id,
                members=members_by_group[row.id],
            )
            for row in groups
            if row.dissolved_on is None or _after(row.dissolved_on, on)
        ],
        totals=s.RosterTotals(
            members=sum(categories.values()),
            by_category={c.value: categories[c.value] for c in MemberCategory},
            by_status={st.value: statuses[st.value] for st in MembershipStatus},
        ),
        volunteer_team=volunteers,
        departed=departed,
        dissolved_groups=[
            s.DissolvedGroup(id=row.id, name=row.name, dissolved_on=row.dissolved_on)
            for row in groups
            if row.dissolved_on is not None and not _after(row.dissolved_on, on)
        ],
        hardships=[
            s.HardshipPair(
                id=row.id,
                member_id=row.member_id,
                member_name=names.get(row.member_id, ""),
                kind=row.kind,
                description=row.description,
                flagged_on=row.flagged_on,
                helper_id=row.helper_id,
                helper_name=names.get(row.helper_id) if row.helper_id else None,
                paired_on=row.paired_on,
                assistance_count=row.assistance_count,
                last_assisted_on=row.last_assisted_on,
                closed_on=row.closed_on,
                outcome=row.outcome,
            )
            for row in hardships
        ],
    )


def _after(day: date, on: date | None) -> bool:
    """Whether something dated ``day`` happened after the roster's date (never, for the
    roster as recorded)."""
    return on is not None and day > on


def posts_board(
    conn: Connection, t: RosterTables, branch_id: UUID, position: int
) -> s.PostsBoard | None:
    if branch_name(conn, t, branch_id) is None:
        return None
    holders: dict[UUID, list[s.PostHolder]] = defaultdict(list)
    rows = conn.execute(
        select(
            t.post_holders.c.post_id,
            t.post_holders.c.member_id,
            t.members.c.name,
            t.post_holders.c.service_content,
            t.post_holders.c.pledge,
        )
        .join(t.members, t.members.c.id == t.post_holders.c.member_id)
        .where(t.post_holders.c.branch_id == branch_id)
        .order_by(t.post_holders.c.assigned_position)
    )
    for row in rows:
        holders[row.post_id].append(
            s.PostHolder(
                member_id=row.member_id,
                name=row.name,
                service_content=row.service_content,
                pledge=row.pledge,
            )
        )
    posts = conn.execute(
        select(t.posts)
        .where(t.posts.c.branch_id == branch_id)
        .order_by(t.posts.c.established_position)
    )
    return s.PostsBoard(
        position=position,
        branch_id=branch_id,
        posts=[
            s.Post(
                id=row.id,
                kind=row.kind,
                title=row.title,
                duties=row.duties,
                capacity=row.capacity,
                holders=holders[row.id],
            )
            for row in posts
        ],
    )


def branches(conn: Connection, t: RosterTables, position: int) -> s.Branches:
    rows = conn.execute(select(t.branches).order_by(t.branches.c.name))
    return s.Branches(
        position=position, branches=[s.BranchRef(id=row.id, name=row.name) for row in rows]
    )
