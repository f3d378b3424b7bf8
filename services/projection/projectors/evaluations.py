"""Evaluations: each year's appraisal and its anonymous ballot tally, every member's
final grade, duty reports per half year, heart-to-heart talks and rewards."""

from __future__ import annotations

from sqlalchemy import (
    Table,
    select,
    update,
)

from services.projection.projectors.base import Part, Projector, RowWriter
from services.projection.projectors.membership import MEMBERSHIP
from services.projection.projectors.tables import (
    AppraisalTables,
    EvaluationTables,
    FollowUpTables,
    declare_appraisals,
    declare_follow_up,
)
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


def apply_appraisals(
    rows: RowWriter, tables: AppraisalTables, envelope: Envelope, event: Event
) -> None:
    match event:
        case AppraisalOpened():
            rows.record(tables.appraisals, envelope, event)
        case BallotCast():
            _tally(rows, tables.ballots, envelope, event)
        case AppraisalClosed():
            rows.change(tables.appraisals, envelope, event)
        case MemberRated():
            rows.record(tables.ratings, envelope, event, rated_position=envelope.position)


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


def apply_follow_up(
    rows: RowWriter, tables: FollowUpTables, envelope: Envelope, event: Event
) -> None:
    """Duty reports, talks and rewards: what follows a member through the year."""
    member = envelope.stream_id  # these are recorded on the member's stream
    match event:
        case DutyReportSubmitted():
            rows.record(tables.duty_reports, envelope, event, member_id=member)
        case TalkRecorded():
            rows.record(tables.talks, envelope, event, member_id=member, position=envelope.position)
        case RewardGranted():
            rows.record(
                tables.rewards, envelope, event, member_id=member, position=envelope.position
            )


FOLLOW_UP = Part(declare_follow_up, apply_follow_up)


class EvaluationsProjector(Projector[EvaluationTables]):
    name = "evaluations"
    tables_type = EvaluationTables
    parts = (MEMBERSHIP, APPRAISALS, FOLLOW_UP)
