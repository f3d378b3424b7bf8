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

from services.projection.projectors.base import Part, Projector, RowWriter
from services.projection.projectors.membership import MEMBERSHIP, MembershipTables
from shared.contract.envelope import Envelope
from shared.contract.events import (
    AppraisalClosed,
    AppraisalOpened,
    BallotCast,
    DutyReportSubmitted,
    Event,
    MemberRated,
    RewardGranted,
    TalkRecorded,
)


@dataclass(frozen=True)
class AppraisalTables:
    appraisals: Table
    ballots: Table
    ratings: Table


def declare_appraisals(metadata: MetaData, prefix: str) -> AppraisalTables:
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
    return AppraisalTables(
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
    )


def apply_appraisals(
    rows: RowWriter, tables: AppraisalTables, envelope: Envelope, event: Event
) -> None:
    match event:
        case AppraisalOpened():
            rows.insert(
                tables.appraisals,
                id=envelope.stream_id,
                branch_id=envelope.branch_id,
                year=event.year,
                opened_on=event.opened_on,
                excellent_share=event.excellent_share,
            )
        case BallotCast():
            _tally(rows, tables.ballots, envelope, event)
        case AppraisalClosed():
            rows.update(tables.appraisals, envelope.stream_id, closed_on=event.closed_on)
        case MemberRated():
            rows.insert(
                tables.ratings,
                member_id=event.member_id,
                year=event.year,
                branch_id=envelope.branch_id,
                grade=event.grade.value,
                remarks=event.remarks,
                shortcomings=list(event.shortcomings),
                improvement_plan=event.improvement_plan,
                rated_position=envelope.position,
            )


def _tally(rows: RowWriter, ballots: Table, envelope: Envelope, event: BallotCast) -> None:
    # Ballots are anonymous: only their count per grade and kind of voter is kept.
    key = (
        (ballots.c.appraisal_id == envelope.stream_id)
        & (ballots.c.member_id == event.member_id)
        & (ballots.c.voter_kind == event.voter_kind.value)
        & (ballots.c.grade == event.grade.value)
    )
    if rows.execute(select(ballots.c.count).where(key)).first() is None:
        rows.insert(
            ballots,
            appraisal_id=envelope.stream_id,
            member_id=event.member_id,
            voter_kind=event.voter_kind.value,
            grade=event.grade.value,
            count=1,
        )
    else:
        rows.execute(update(ballots).where(key).values(count=ballots.c.count + 1))


APPRAISALS = Part(declare_appraisals, apply_appraisals)


@dataclass(frozen=True)
class FollowUpTables:
    duty_reports: Table
    talks: Table
    rewards: Table


def declare_follow_up(metadata: MetaData, prefix: str) -> FollowUpTables:
    return FollowUpTables(
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


def apply_follow_up(
    rows: RowWriter, tables: FollowUpTables, envelope: Envelope, event: Event
) -> None:
    """Duty reports, talks and rewards: what follows a member through the year."""
    match event:
        case DutyReportSubmitted():
            rows.insert(
                tables.duty_reports,
                member_id=envelope.stream_id,
                period=event.period,
                branch_id=envelope.branch_id,
                audience=event.audience.value,
                submitted_on=event.submitted_on,
                summary=event.summary,
            )
        case TalkRecorded():
            rows.insert(
                tables.talks,
                position=envelope.position,
                member_id=envelope.stream_id,
                branch_id=envelope.branch_id,
                held_by=event.held_by,
                held_on=event.held_on,
                notes=event.notes,
            )
        case RewardGranted():
            rows.insert(
                tables.rewards,
                position=envelope.position,
                member_id=envelope.stream_id,
                branch_id=envelope.branch_id,
                kind=event.kind.value,
                reason=event.reason,
                granted_on=event.granted_on,
            )


FOLLOW_UP = Part(declare_follow_up, apply_follow_up)


@dataclass(frozen=True)
class EvaluationTables(MembershipTables, AppraisalTables, FollowUpTables):
    pass


class EvaluationsProjector(Projector[EvaluationTables]):
    name = "evaluations"
    tables_type = EvaluationTables
    parts = (MEMBERSHIP, APPRAISALS, FOLLOW_UP)
