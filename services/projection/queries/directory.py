"""Who and what a branch holds, by the names its own spreadsheets use: what an import
matches a sheet's names against (``services.importer``). Unmasked: it never leaves
the process."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import Connection, select

from services.projection.projectors.tables import CoverageTables, RosterTables


@dataclass(frozen=True)
class Named:
    id: UUID
    name: str


@dataclass(frozen=True)
class Household:
    id: UUID
    address: str
    head_name: str
    linked_member_id: UUID | None
    erased: bool


@dataclass
class BranchDirectory:
    groups: list[Named] = field(default_factory=list)
    leaders: dict[UUID, UUID] = field(default_factory=dict)  # group -> its leader
    members: list[Named] = field(default_factory=list)  # those who have not left
    volunteers: set[UUID] = field(default_factory=set)
    left: set[UUID] = field(default_factory=set)
    posts: list[Named] = field(default_factory=list)
    holders: set[tuple[UUID, UUID]] = field(default_factory=set)  # (post, member)
    households: list[Household] = field(default_factory=list)


def roster_directory(
    conn: Connection, tables: RosterTables, branch_id: UUID, directory: BranchDirectory
) -> None:
    """Groups (not dissolved), members, posts and who holds them."""
    groups = conn.execute(
        select(tables.groups.c.id, tables.groups.c.name, tables.groups.c.leader_id).where(
            tables.groups.c.branch_id == branch_id, tables.groups.c.dissolved_on.is_(None)
        )
    )
    for group in groups:
        directory.groups.append(Named(group.id, group.name))
        if group.leader_id is not None:
            directory.leaders[group.id] = group.leader_id
    members = conn.execute(select(tables.members).where(tables.members.c.branch_id == branch_id))
    for member in members:
        if member.left_on is not None:
            directory.left.add(member.id)
        else:
            directory.members.append(Named(member.id, member.name))
        if member.volunteer_since is not None:
            directory.volunteers.add(member.id)
    posts = conn.execute(
        select(tables.posts.c.id, tables.posts.c.title).where(tables.posts.c.branch_id == branch_id)
    )
    directory.posts.extend(Named(post.id, post.title) for post in posts)
    holders = conn.execute(
        select(tables.post_holders.c.post_id, tables.post_holders.c.member_id).where(
            tables.post_holders.c.branch_id == branch_id
        )
    )
    directory.holders.update((row.post_id, row.member_id) for row in holders)


def household_directory(
    conn: Connection, tables: CoverageTables, branch_id: UUID, directory: BranchDirectory
) -> None:
    households = conn.execute(
        select(tables.households).where(tables.households.c.branch_id == branch_id)
    )
    directory.households.extend(
        Household(h.id, h.address, h.head_name, h.linked_member_id, h.erased) for h in households
    )
