"""Evaluations: each year's appraisal and its anonymous ballot tally, every member's
final grade, duty reports per half year, heart-to-heart talks and rewards."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    select,
    update,
)

from services.projection.projectors.base import (
    Projector,
    Writes,
    apply_branch,
    count_link,
    define_branches,
    update_row,
)
from shared.contract import events as e
from shared.contract.envelope import Envelope


@dataclass(frozen=True)
class EvaluationTables:
    branches: Table
    groups: Table
    members: Table
    appraisals: Table
    ballots: Table
    ratings: Table
    duty_reports: Table
    talks: Table
    rewards: Table


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
            Column("shortcomings", JSON, nullable=False),
            Column("improvement_plan", Text),
            Column("rated_position", BigInteger, nullable=False),
        )
        Index(f"{prefix}ratings_branch_year", ratings.c.branch_id, ratings.c.year)
        return EvaluationTables(
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
                Column("status", String(20), nullable=False),
                Column("linked_households", Integer, nullable=False),
                Column("enrolled_on", Date),
                Column("left_on", Date),
                Column("enrolled_position", BigInteger, nullable=False),
            ),
            appraisals=Table(
                f"{prefix}appraisals",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("year", Integer, nullable=False),
                Column("opened_on", Date, nullable=False),
                Column("closed_on", Date),
                Column("excellent_share", Float, nullable=False),
            ),
            ballots=Table(
                f"{prefix}ballots",
                metadata,
                Column("appraisal_id", Uuid, primary_key=True),
                Column("member_id", Uuid, primary_key=True),
                Column("voter_kind", String(30), primary_key=True),
                Column("grade", String(30), primary_key=True),
                Column("count", Integer, nullable=False),
            ),
            ratings=ratings,
            duty_reports=Table(
                f"{prefix}duty_reports",
                metadata,
                Column("member_id", Uuid, primary_key=True),
                Column("period", String(6), primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("audience", String(30), nullable=False),
                Column("submitted_on", Date, nullable=False),
                Column("summary", Text, nullable=False),
            ),
            talks=Table(
                f"{prefix}talks",
                metadata,
                Column("position", BigInteger, primary_key=True, autoincrement=False),
                Column("member_id", Uuid, nullable=False, index=True),
                Column("branch_id", Uuid, nullable=False),
                Column("held_by", Text, nullable=False),
                Column("held_on", Date, nullable=False),
                Column("notes", Text, nullable=False),
            ),
            rewards=Table(
                f"{prefix}rewards",
                metadata,
                Column("position", BigInteger, primary_key=True, autoincrement=False),
                Column("member_id", Uuid, nullable=False, index=True),
                Column("branch_id", Uuid, nullable=False),
                Column("kind", String(20), nullable=False),
                Column("reason", Text, nullable=False),
                Column("granted_on", Date, nullable=False),
            ),
        )

    def apply(
        self, w: Writes, tables: EvaluationTables, envelope: Envelope, event: e.Event
    ) -> None:
        t = tables
        apply_branch(w, t.branches, envelope, event)
        match event:
            case e.GroupFormed():
                w.insert(
                    t.groups, id=envelope.stream_id, branch_id=envelope.branch_id, name=event.name
                )
            case e.MemberEnrolled():
                w.insert(
                    t.members,
                    id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    group_id=event.group_id,
                    name=event.name,
                    status=event.status.value,
                    linked_households=0,
                    enrolled_on=event.enrolled_on,
                    enrolled_position=envelope.position,
                )
            case e.MemberTransferred():
                update_row(w, t.members, envelope.stream_id, group_id=event.to_group_id)
            case e.MemberLeft():
                update_row(w, t.members, envelope.stream_id, left_on=event.left_on)
            case e.LinkedHouseholdAdded() | e.LinkedHouseholdRemoved():
                count_link(w, t.members, envelope, event)
            case e.AppraisalOpened():
                w.insert(
                    t.appraisals,
                    id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    year=event.year,
                    opened_on=event.opened_on,
                    excellent_share=event.excellent_share,
                )
            case e.BallotCast():
                self._tally(w, t, envelope, event)
            case e.AppraisalClosed():
                update_row(w, t.appraisals, envelope.stream_id, closed_on=event.closed_on)
            case e.MemberRated():
                w.insert(
                    t.ratings,
                    member_id=event.member_id,
                    year=event.year,
                    branch_id=envelope.branch_id,
                    grade=event.grade.value,
                    remarks=event.remarks,
                    shortcomings=list(event.shortcomings),
                    improvement_plan=event.improvement_plan,
                    rated_position=envelope.position,
                )
            case _:
                self._apply_follow_up(w, t, envelope, event)

    def _tally(
        self, w: Writes, t: EvaluationTables, envelope: Envelope, event: e.BallotCast
    ) -> None:
        # Ballots are anonymous: only their count per grade and kind of voter is kept.
        key = (
            (t.ballots.c.appraisal_id == envelope.stream_id)
            & (t.ballots.c.member_id == event.member_id)
            & (t.ballots.c.voter_kind == event.voter_kind.value)
            & (t.ballots.c.grade == event.grade.value)
        )
        if w.execute(select(t.ballots.c.count).where(key)).first() is None:
            w.insert(
                t.ballots,
                appraisal_id=envelope.stream_id,
                member_id=event.member_id,
                voter_kind=event.voter_kind.value,
                grade=event.grade.value,
                count=1,
            )
        else:
            w.execute(update(t.ballots).where(key).values(count=t.ballots.c.count + 1))

    def _apply_follow_up(
        self, w: Writes, t: EvaluationTables, envelope: Envelope, event: e.Event
    ) -> None:
        """Duty reports, talks and rewards."""
        match event:
            case e.DutyReportSubmitted():
                w.insert(
                    t.duty_reports,
                    member_id=envelope.stream_id,
                    period=event.period,
                    branch_id=envelope.branch_id,
                    audience=event.audience.value,
                    submitted_on=event.submitted_on,
                    summary=event.summary,
                )
            case e.TalkRecorded():
                w.insert(
                    t.talks,
                    position=envelope.position,
                    member_id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    held_by=event.held_by,
                    held_on=event.held_on,
                    notes=event.notes,
                )
            case e.RewardGranted():
                w.insert(
                    t.rewards,
                    position=envelope.position,
                    member_id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    kind=event.kind.value,
                    reason=event.reason,
                    granted_on=event.granted_on,
                )
