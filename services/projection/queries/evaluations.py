"""A year's evaluations: the appraisal's anonymous ballot tally, the final grades
(over all five, per group too), duty reports per half year, talks and rewards, and
who still needs attention: low grades without a talk, reports overdue."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, and_, select

from services.projection.api import schemas as s
from services.projection.ordering import natural_key
from services.projection.projectors.evaluations import EvaluationTables
from services.projection.queries.membership import members_during
from shared.contract.vocabulary import Grade, VoterKind
from shared.ids import appraisal_id
from shared.periods import Period

LOW_GRADES = (Grade.BASICALLY_QUALIFIED, Grade.UNQUALIFIED)


def _ballots(conn: Connection, t: EvaluationTables, appraisal: UUID) -> dict[UUID, s.BallotTally]:
    counts: defaultdict[UUID, list[Any]] = defaultdict(list)
    rows = conn.execute(
        select(
            t.ballots.c.member_id,
            t.ballots.c.voter_kind,
            t.ballots.c.grade,
            t.ballots.c.count.label("votes"),
        ).where(t.ballots.c.appraisal_id == appraisal)
    )
    for row in rows:
        counts[row.member_id].append(row)
    tallies = {}
    for member_id, member_rows in counts.items():
        by_kind = {kind: dict.fromkeys(Grade, 0) for kind in VoterKind}
        for row in member_rows:
            by_kind[VoterKind(row.voter_kind)][Grade(row.grade)] += row.votes
        tallies[member_id] = s.BallotTally(
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


def evaluations(
    conn: Connection,
    t: EvaluationTables,
    branch_id: UUID,
    *,
    year: int,
    today: date,
    position: int,
) -> s.Evaluations | None:
    if conn.execute(select(t.branches.c.id).where(t.branches.c.id == branch_id)).first() is None:
        return None
    appraisal = conn.execute(
        select(t.appraisals).where(t.appraisals.c.id == appraisal_id(branch_id, year))
    ).first()
    ballots = _ballots(conn, t, appraisal_id(branch_id, year))
    periods = {name: Period.half_year(name) for name in Period.halves(year)}
    reports = _by_member(conn, t.duty_reports, branch_id, t.duty_reports.c.period.in_(periods))
    talks = _by_member(conn, t.talks, branch_id, t.talks.c.held_on >= date(year, 1, 1))
    rewards = _by_member(
        conn,
        t.rewards,
        branch_id,
        t.rewards.c.granted_on.between(date(year, 1, 1), date(year, 12, 31)),
    )
    rows = conn.execute(
        select(
            t.members,
            t.ratings.c.grade,
            t.ratings.c.remarks,
            t.ratings.c.shortcomings,
            t.ratings.c.improvement_plan,
            t.ratings.c.rated_position,
        )
        .outerjoin(
            t.ratings, and_(t.ratings.c.member_id == t.members.c.id, t.ratings.c.year == year)
        )
        .where(t.members.c.branch_id == branch_id, members_during(t.members, Period.year(year)))
        .order_by(t.members.c.enrolled_position)
    ).all()

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
                awaiting_talk.append(s.AwaitingTalk(id=row.id, name=row.name, grade=grade))
        submitted = {report.period: report for report in reports[row.id]}
        if row.linked_households > 0 and row.left_on is None:
            overdue += [
                s.ReportDue(id=row.id, name=row.name, period=name)
                for name, period in periods.items()
                if period.last < today
                and name not in submitted
                and period.had_member(row.enrolled_on, row.left_on)
            ]
        members.append(
            s.EvaluatedMember(
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
                        s.DutyReport(
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
                    s.Talk(held_by=talk.held_by, held_on=talk.held_on, notes=talk.notes)
                    for talk in talks[row.id]
                ],
                rewards=[
                    s.Reward(kind=reward.kind, reason=reward.reason, granted_on=reward.granted_on)
                    for reward in rewards[row.id]
                ],
            )
        )
    groups = sorted(
        conn.execute(
            select(t.groups.c.id, t.groups.c.name).where(t.groups.c.branch_id == branch_id)
        ),
        key=lambda group: natural_key(group.name),
    )
    ballot_count = sum(member.ballots.total for member in members)
    return s.Evaluations(
        position=position,
        branch_id=branch_id,
        year=year,
        appraisal=(
            s.AppraisalSummary(
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
            s.GroupDistribution(
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


def _no_ballots() -> s.BallotTally:
    return s.BallotTally(
        total=0,
        by_grade=dict.fromkeys(Grade, 0),
        by_voter_kind={kind: dict.fromkeys(Grade, 0) for kind in VoterKind},
    )
