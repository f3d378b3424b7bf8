"""Evaluations: every member's grade per year, for the distribution and the list."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    insert,
)

from services.projection.projectors.base import Projector, apply_branch, define_branches
from shared.contract import events as e
from shared.contract.envelope import Envelope


@dataclass(frozen=True)
class EvaluationTables:
    branches: Table
    members: Table
    ratings: Table


class EvaluationsProjector(Projector[EvaluationTables]):
    name = "evaluations"

    def define_tables(self, metadata: MetaData, prefix: str) -> EvaluationTables:
        ratings = Table(
            f"{prefix}ratings",
            metadata,
            Column("member_id", Uuid, primary_key=True),
            Column("year", Integer, primary_key=True),
            Column("branch_id", Uuid, nullable=False),
            Column("grade", String(30), nullable=False),
            Column("remarks", Text),
            Column("rated_position", BigInteger, nullable=False),
        )
        Index(f"{prefix}ratings_branch_year", ratings.c.branch_id, ratings.c.year)
        return EvaluationTables(
            branches=define_branches(metadata, prefix),
            members=Table(
                f"{prefix}members",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("group_id", Uuid, nullable=False),
                Column("name", Text, nullable=False),
                Column("status", String(20), nullable=False),
                Column("enrolled_position", BigInteger, nullable=False),
            ),
            ratings=ratings,
        )

    def apply(
        self, conn: Connection, tables: EvaluationTables, envelope: Envelope, event: e.Event
    ) -> None:
        t = tables
        apply_branch(conn, t.branches, envelope, event)
        match event:
            case e.MemberEnrolled():
                conn.execute(
                    insert(t.members).values(
                        id=envelope.stream_id,
                        branch_id=envelope.branch_id,
                        group_id=event.group_id,
                        name=event.name,
                        status=event.status.value,
                        enrolled_position=envelope.position,
                    )
                )
            case e.MemberRated():
                conn.execute(
                    insert(t.ratings).values(
                        member_id=event.member_id,
                        year=event.year,
                        branch_id=envelope.branch_id,
                        grade=event.grade.value,
                        remarks=event.remarks,
                        rated_position=envelope.position,
                    )
                )
