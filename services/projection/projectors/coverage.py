"""Coverage: which households the branch serves, who is linked to each, and every
visit with its date, so any window's coverage can be counted."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    Date,
    Index,
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
class CoverageTables:
    branches: Table
    groups: Table
    members: Table
    households: Table
    visits: Table


class CoverageProjector(Projector[CoverageTables]):
    name = "coverage"

    def define_tables(self, metadata: MetaData, prefix: str) -> CoverageTables:
        visits = Table(
            f"{prefix}visits",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("branch_id", Uuid, nullable=False),
            Column("household_id", Uuid, nullable=False, index=True),
            Column("member_id", Uuid, nullable=False, index=True),
            Column("visited_on", Date, nullable=False),
            Column("purpose", Text, nullable=False),
            Column("recorded_position", BigInteger, nullable=False),
        )
        Index(f"{prefix}visits_branch_date", visits.c.branch_id, visits.c.visited_on)
        return CoverageTables(
            branches=define_branches(metadata, prefix),
            groups=Table(
                f"{prefix}groups",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("name", Text, nullable=False),
            ),
            members=Table(
                f"{prefix}members",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("group_id", Uuid, nullable=False),
                Column("name", Text, nullable=False),
            ),
            households=Table(
                f"{prefix}households",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("address", Text, nullable=False),
                Column("area", Text, nullable=False),
                Column("head_name", Text, nullable=False),
                Column("phone", String(40)),
                Column("tags", JSON, nullable=False),
                Column("linked_member_id", Uuid, index=True),
                Column("registered_position", BigInteger, nullable=False),
            ),
            visits=visits,
        )

    def apply(
        self, conn: Connection, tables: CoverageTables, envelope: Envelope, event: e.Event
    ) -> None:
        t = tables
        apply_branch(conn, t.branches, envelope, event)
        match event:
            case e.GroupFormed():
                conn.execute(
                    insert(t.groups).values(
                        id=envelope.stream_id, branch_id=envelope.branch_id, name=event.name
                    )
                )
            case e.MemberEnrolled():
                conn.execute(
                    insert(t.members).values(
                        id=envelope.stream_id,
                        branch_id=envelope.branch_id,
                        group_id=event.group_id,
                        name=event.name,
                    )
                )
            case e.HouseholdRegistered():
                conn.execute(
                    insert(t.households).values(
                        id=envelope.stream_id,
                        branch_id=envelope.branch_id,
                        address=event.address,
                        area=event.area,
                        head_name=event.head_name,
                        phone=event.phone,
                        tags=list(event.tags),
                        registered_position=envelope.position,
                    )
                )
            case e.HouseholdLinked():
                conn.execute(
                    update(t.households)
                    .where(t.households.c.id == envelope.stream_id)
                    .values(linked_member_id=event.member_id)
                )
            case e.VisitRecorded():
                conn.execute(
                    insert(t.visits).values(
                        id=envelope.stream_id,
                        branch_id=envelope.branch_id,
                        household_id=event.household_id,
                        member_id=event.member_id,
                        visited_on=event.visited_on,
                        purpose=event.purpose,
                        recorded_position=envelope.position,
                    )
                )
