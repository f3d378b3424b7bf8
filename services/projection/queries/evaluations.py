"""A year's evaluations: the appraisal's anonymous ballot tally, the final grades
(over all five, per group too), duty reports per half year, talks and rewards, and
who still needs attention: low grades without a talk, reports overdue."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Select, and_, select

from services.projection.answers import (
    AppraisalSummary,
    AwaitingTalk,
    BallotTally,
    DutyReport,
    EvaluatedMember,
    Evaluations,
    GroupDistribution,
    ReportDue,
    Reward,
    Talk,
)
from services.projection.ordering import natural_key
from services.projection.projectors.tables import EvaluationTables
from services.projection.queries.membership import branch_exists, members_during
from services.projection.queries.periods import latest_appraisal_year, year_or_latest
from shared.contract.vocabulary import Grade, VoterKind
from shared.ids import appraisal_id
from shared.periods import Period

LOW_GRADES = (Grade.BASICALLY_QUALIFIED, Grade.UNQUALIFIED)


def _ballots(
    conn: Connection, tables: EvaluationTables, appraisal: UUID
) -> dict[UUID, BallotTally]:
    counts: defaultdict[UUID, list[Any]] = defaultdict(list)
    rows = conn.execute(
        select(
            tables.ballots.c.member_id,
            tables.ballots.c.voter_kind,
            tables.ballots.c.grade,
            tables.ballots.c.count.label("votes"),
        ).where(tables.ballots.c.appraisal_id == appraisal)
    )
    for row in rows:
        counts[row.member_id].append(row)
    tallies = {}
    for member_id, member_rows in counts.items():
        by_kind = {kind: dict.fromkeys(Grade, 0) for kind in VoterKind}
        for row in member_rows:
            by_kind[VoterKind(row.voter_kind)][Grade(row.grade)] += row.votes
        tallies[member_id] = BallotTally(
            total=sum(row.votes for row in member_rows),
            by_grade={g: sum(by_kind[k][g] for k in VoterKind) for g in Grade},
            by_voter_kind=by_kind,
        )
    return tallies


def _by_member(
    conn: Connection, table: Any, branch_id: UUID, *conditions: Any
) -> defaultdict[UUID, list[Any]]:
    rows: defaultdict[UUID, list[Any]] = defaultdict(list)
    query = select(table).where(table.c.branch_id == branch_id, *conditions)
    for row in conn.execute(query.order_by(*table.primary_key.columns)):
        rows[row.member_id].append(row)
    return rows


def rated_members(tables: EvaluationTables, branch_id: UUID, year: int) -> Select[Any]:
    """The year's members in the order they enrolled, each with their rating of the
    year (its columns None where there is none)."""
    ratings, members = tables.ratings, tables.members
    return (
        select(
            members,
            ratings.c.grade,
            ratings.c.remarks,
            ratings.c.shortcomings,
            ratings.c.improvement_plan,
            ratings.c.rated_position,
        )
        .outerjoin(ratings, and_(ratings.c.member_id == members.c.id, ratings.c.year == year))
        .where(members.c.branch_id == branch_id, members_during(members, Period.year(year)))
        .order_by(members.c.enrolled_position)
    )


def evaluations(
    conn: Connection,
    tables: EvaluationTables,
    branch_id: UUID,
    position: int,
    *,
    year: int | None,
    today: date,
) -> Evaluations | None:
    """The evaluations of ``year`` (default: the latest year with an appraisal)."""
    if not branch_exists(conn, tables, branch_id):
        return None
    year = year_or_latest(year, latest_appraisal_year(conn, tables, branch_id), today)
    appraisal = conn.execute(
        select(tables.appraisals).where(tables.appraisals.c.id == appraisal_id(branch_id, year))
    ).first()
    ballots = _ballots(conn, tables, appraisal_id(branch_id, year))
    periods = {name: Period.half_year(name) for name in Period.halves(year)}
    reports = _by_member(
        conn, tables.duty_reports, branch_id, tables.duty_reports.c.period.in_(periods)
    )
    talks = _by_member(conn, tables.talks, branch_id, tables.talks.c.held_on >= date(year, 1, 1))
    rewards = _by_member(
        conn,
        tables.rewards,
        branch_id,
        tables.rewards.c.granted_on.between(date(year, 1, 1), date(year, 12, 31)),
    )
    rows = conn.execute(rated_members(tables, branch_id, year)).all()

    members = []
    grades: Counter[Grade] = Counter()
    by_group: defaultdict[UUID, Counter[Grade]] = defaultdict(Counter)
    awaiting_talk = []
    overdue = []
    for row in rows:
        grade = Grade(row.grade) if row.grade is not None else None
        if grade is not None:
            grades[grade] += 1
            by_group[row.group_id][grade] += 1
            talked = any(talk.position > row.rated_position for talk in talks[row.id])
            if grade in LOW_GRADES and not talked:
                awaiting_talk.append(AwaitingTalk(id=row.id, name=row.name, grade=grade))
        submitted = {report.period: report for report in reports[row.id]}
        if row.linked_households > 0 and row.left_on is None:
            overdue += [
                ReportDue(id=row.id, name=row.name, period=name)
                for name, period in periods.items()
                if period.last < today
                and name not in submitted
                and period.had_member(row.enrolled_on, row.left_on)
            ]
        members.append(
            EvaluatedMember(
                id=row.id,
                name=row.name,
                group_id=row.group_id,
                status=row.status,
                left_on=row.left_on,
                links_households=row.linked_households > 0,
                ballots=ballots.get(row.id) or _no_ballots(),
                grade=grade,
                remarks=row.remarks,
                shortcomings=list(row.shortcomings or []),
                improvement_plan=row.improvement_plan,
                duty_reports={
                    period: (
                        DutyReport(
                            period=period,
                            audience=submitted[period].audience,
                            submitted_on=submitted[period].submitted_on,
                            summary=submitted[period].summary,
                        )
                        if period in submitted
                        else None
                    )
                    for period in periods
                },
                talks=[
                    Talk(held_by=talk.held_by, held_on=talk.held_on, notes=talk.notes)
                    for talk in talks[row.id]
                ],
                rewards=[
                    Reward(kind=reward.kind, reason=reward.reason, granted_on=reward.granted_on)
                    for reward in rewards[row.id]
                ],
            )
        )
    groups = sorted(
        conn.execute(
            select(tables.groups.c.id, tables.groups.c.name).where(
                tables.groups.c.branch_id == branch_id
            )
        ),
        key=lambda group: natural_key(group.name),
    )
    ballot_count = sum(member.ballots.total for member in members)
    return Evaluations(
        position=position,
        branch_id=branch_id,
        year=year,
        appraisal=(
            AppraisalSummary(
                opened_on=appraisal.opened_on,
                closed_on=appraisal.closed_on,
                excellent_share=appraisal.excellent_share,
                ballots=ballot_count,
            )
            if appraisal is not None
            else None
        ),
        distribution={grade: grades[grade] for grade in Grade},
        distribution_by_group=[
            GroupDistribution(
                id=group.id,
                name=group.name,
                distribution={grade: by_group[group.id][grade] for grade in Grade},
            )
            for group in groups
            if group.id in by_group
        ],
        rated=sum(grades.values()),
        members=members,
        awaiting_talk=awaiting_talk,
        duty_reports_overdue=overdue,
    )


def _no_ballots() -> BallotTally:
    return BallotTally(
        total=0,
        by_grade=dict.fromkeys(Grade, 0),
        by_voter_kind={kind: dict.fromkeys(Grade, 0) for kind in VoterKind},
    )
