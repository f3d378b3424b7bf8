"""Rosters: groups and their leaders, members by category and status, the posts
board with each holder's service content and pledge."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    insert,
    update,
)

from services.projection.projectors.base import Projector, apply_branch, define_branches
from shared.contract import events as e
from shared.contract.envelope import Envelope


@dataclass(frozen=True)
class RosterTables:
    branches: Table
    groups: Table
    members: Table
    posts: Table
    post_holders: Table


class RostersProjector(Projector[RosterTables]):
    name = "rosters"

    def define_tables(self, metadata: MetaData, prefix: str) -> RosterTables:
        return RosterTables(
            branches=define_branches(metadata, prefix),
            groups=Table(
                f"{prefix}groups",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("name", Text, nullable=False),
                Column("basis", String(20), nullable=False),
                Column("leader_id", Uuid),
                Column("formed_position", BigInteger, nullable=False),
            ),
            members=Table(
                f"{prefix}members",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("group_id", Uuid, nullable=False),
                Column("name", Text, nullable=False),
                Column("category", String(20), nullable=False),
                Column("status", String(20), nullable=False),
                Column("holds_office", Boolean, nullable=False),
                Column("linked_households", Integer, nullable=False),
                Column("enrolled_position", BigInteger, nullable=False),
            ),
            posts=Table(
                f"{prefix}posts",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("kind", String(30), nullable=False),
                Column("title", Text, nullable=False),
                Column("duties", Text, nullable=False),
                Column("capacity", Integer),
                Column("established_position", BigInteger, nullable=False),
            ),
            post_holders=Table(
                f"{prefix}post_holders",
                metadata,
                Column("post_id", Uuid, primary_key=True),
                Column("member_id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("service_content", Text, nullable=False),
                Column("pledge", Text, nullable=False),
                Column("assigned_position", BigInteger, nullable=False),
            ),
        )

    def apply(
        self, conn: Connection, tables: RosterTables, envelope: Envelope, event: e.Event
    ) -> None:
        t = tables
        apply_branch(conn, t.branches, envelope, event)
        match event:
            case e.GroupFormed():
                conn.execute(
                    insert(t.groups).values(
                        id=envelope.stream_id,
                        branch_id=envelope.branch_id,
                        name=event.name,
                        basis=event.basis.value,
                        formed_position=envelope.position,
                    )
                )
            case e.GroupLeaderAppointed():
                conn.execute(
                    update(t.groups)
                    .where(t.groups.c.id == envelope.stream_id)
                    .values(leader_id=event.member_id)
                )
            case e.MemberEnrolled():
                conn.execute(
                    insert(t.members).values(
                        id=envelope.stream_id,
                        branch_id=envelope.branch_id,
                        group_id=event.group_id,
                        name=event.name,
                        category=event.category.value,
                        status=event.status.value,
                        holds_office=event.holds_office,
                        linked_households=0,
                        enrolled_position=envelope.position,
                    )
                )
            case e.PostEstablished():
                conn.execute(
                    insert(t.posts).values(
                        id=envelope.stream_id,
                        branch_id=envelope.branch_id,
                        kind=event.kind.value,
                        title=event.title,
                        duties=event.duties,
                        capacity=event.capacity,
                        established_position=envelope.position,
                    )
                )
            case e.PostAssigned():
                conn.execute(
                    insert(t.post_holders).values(
                        post_id=envelope.stream_id,
                        member_id=event.member_id,
                        branch_id=envelope.branch_id,
                        service_content=event.service_content,
                        pledge=event.pledge,
                        assigned_position=envelope.position,
                    )
                )
            case e.HouseholdLinked():
                conn.execute(
                    update(t.members)
                    .where(t.members.c.id == event.member_id)
                    .values(linked_households=t.members.c.linked_households + 1)
                )
