"""The roster (groups, members, their posts and links) and the public posts board."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from uuid import UUID

from sqlalchemy import Connection, or_, select

from services.projection.answers import (
    Branches,
    BranchRef,
    DepartedMember,
    DissolvedGroup,
    GroupMeeting,
    HardshipPair,
    Post,
    PostHolder,
    PostRef,
    PostsBoard,
    Roster,
    RosterGroup,
    RosterMember,
    RosterTotals,
    VolunteerEntry,
)
from services.projection.ordering import natural_key
from services.projection.projectors.tables import RosterTables
from services.projection.queries.membership import branch_exists
from shared.contract.vocabulary import MemberCategory, MembershipStatus


def _branch_name(conn: Connection, tables: RosterTables, branch_id: UUID) -> str | None:
    return conn.execute(
        select(tables.branches.c.name).where(tables.branches.c.id == branch_id)
    ).scalar()


def _groups_on(
    conn: Connection, tables: RosterTables, branch_id: UUID, on: date
) -> dict[UUID, UUID]:
    """Each member's group at the end of ``on``: their last move dated by then."""
    groups: dict[UUID, UUID] = {}
    moves = (
        select(tables.moves.c.member_id, tables.moves.c.group_id)
        .where(
            tables.moves.c.branch_id == branch_id,
            or_(tables.moves.c.moved_on.is_(None), tables.moves.c.moved_on <= on),
        )
        .order_by(tables.moves.c.position)
    )
    for row in conn.execute(moves):
        groups[row.member_id] = row.group_id
    return groups


def roster(
    conn: Connection,
    tables: RosterTables,
    branch_id: UUID,
    position: int,
    *,
    on: date | None = None,
) -> Roster | None:
    """The roster as recorded; with ``on``, as it stood at the end of that business
    date: members enrolled by then, in the group their moves dated by then put them,
    departed if they had left by then; groups dissolved and hardships flagged by then.
    Leaders, posts and links carry no business date and are as recorded."""
    name = _branch_name(conn, tables, branch_id)
    if name is None:
        return None
    posts_by_member: dict[UUID, list[PostRef]] = defaultdict(list)
    holders, posts = tables.post_holders, tables.posts
    held = (
        select(holders.c.member_id, posts.c.id, posts.c.kind, posts.c.title)
        .join(posts, posts.c.id == holders.c.post_id)
        .where(holders.c.branch_id == branch_id)
        .order_by(holders.c.assigned_position)
    )
    for row in conn.execute(held):
        posts_by_member[row.member_id].append(PostRef(id=row.id, kind=row.kind, title=row.title))

    members_by_group: dict[UUID, list[RosterMember]] = defaultdict(list)
    categories: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    volunteers: list[VolunteerEntry] = []
    departed: list[DepartedMember] = []
    names: dict[UUID, str] = {}
    enrolled = [tables.members.c.branch_id == branch_id]
    if on is not None:
        enrolled.append(
            or_(tables.members.c.enrolled_on.is_(None), tables.members.c.enrolled_on <= on)
        )
    group_on = _groups_on(conn, tables, branch_id, on) if on is not None else {}
    members = conn.execute(
        select(tables.members).where(*enrolled).order_by(tables.members.c.enrolled_position)
    )
    for row in members:
        names[row.id] = row.name
        group_id = group_on.get(row.id, row.group_id)
        volunteer = row.volunteer_since is not None and not _after(row.volunteer_since, on)
        if row.left_on is not None and not _after(row.left_on, on):
            departed.append(
                DepartedMember(
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
                VolunteerEntry(
                    id=row.id, name=row.name, group_id=group_id, since=row.volunteer_since
                )
            )
        members_by_group[group_id].append(
            RosterMember(
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
        conn.execute(select(tables.groups).where(tables.groups.c.branch_id == branch_id)),
        key=lambda row: natural_key(row.name),
    )
    meetings_by_group: dict[UUID, list[GroupMeeting]] = defaultdict(list)
    met = [tables.group_meetings.c.branch_id == branch_id]
    if on is not None:
        met.append(tables.group_meetings.c.held_on <= on)
    meetings = (
        select(tables.group_meetings)
        .where(*met)
        .order_by(tables.group_meetings.c.held_on.desc(), tables.group_meetings.c.position.desc())
    )
    for meeting in conn.execute(meetings):
        meetings_by_group[meeting.group_id].append(
            GroupMeeting(held_on=meeting.held_on, topic=meeting.topic, attendees=meeting.attendees)
        )
    flagged = [tables.hardships.c.branch_id == branch_id]
    if on is not None:
        flagged.append(tables.hardships.c.flagged_on <= on)
    hardships = conn.execute(
        select(tables.hardships).where(*flagged).order_by(tables.hardships.c.flagged_position)
    )
    return Roster(
        position=position,
        branch_id=branch_id,
        name=name,
        groups=[
            RosterGroup(
                id=row.id,
                name=row.name,
                basis=row.basis,
                leader_id=row.leader_id,
                members=members_by_group[row.id],
                meetings=meetings_by_group[row.id],
            )
            for row in groups
            if row.dissolved_on is None or _after(row.dissolved_on, on)
        ],
        totals=RosterTotals(
            members=sum(categories.values()),
            by_category={c.value: categories[c.value] for c in MemberCategory},
            by_status={st.value: statuses[st.value] for st in MembershipStatus},
        ),
        volunteer_team=volunteers,
        departed=departed,
        dissolved_groups=[
            DissolvedGroup(id=row.id, name=row.name, dissolved_on=row.dissolved_on)
            for row in groups
            if row.dissolved_on is not None and not _after(row.dissolved_on, on)
        ],
        hardships=[
            HardshipPair(
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
    conn: Connection, tables: RosterTables, branch_id: UUID, position: int
) -> PostsBoard | None:
    if not branch_exists(conn, tables, branch_id):
        return None
    holders: dict[UUID, list[PostHolder]] = defaultdict(list)
    held, members = tables.post_holders, tables.members
    rows = conn.execute(
        select(held, members.c.name)
        .join(members, members.c.id == held.c.member_id)
        .where(held.c.branch_id == branch_id)
        .order_by(held.c.assigned_position)
    )
    for row in rows:
        holders[row.post_id].append(
            PostHolder(
                member_id=row.member_id,
                name=row.name,
                service_content=row.service_content,
                pledge=row.pledge,
            )
        )
    posts = conn.execute(
        select(tables.posts)
        .where(tables.posts.c.branch_id == branch_id)
        .order_by(tables.posts.c.established_position)
    )
    return PostsBoard(
        position=position,
        branch_id=branch_id,
        posts=[
            Post(
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


def branches(conn: Connection, tables: RosterTables, position: int) -> Branches:
    rows = conn.execute(select(tables.branches).order_by(tables.branches.c.name))
    return Branches(
        position=position, branches=[BranchRef(id=row.id, name=row.name) for row in rows]
    )
