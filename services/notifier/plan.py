"""Which reminders are due, from the work lists (``services.projection.queries.work``):
N days before a visit or a duty report falls due, to the member concerned; once it is
overdue, to the member, their group leader and the secretary; a request past its due
date, to the member it is assigned to and the secretary. Pure: the same lists give the
same reminders."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from uuid import UUID

from services.notifier.outbox import Due
from services.projection.answers import Work


def member(member_id: UUID) -> str:
    return f"member:{member_id}"


def secretary(branch_id: UUID) -> str:
    return f"secretary:{branch_id}"


def reminders_due(work: Work, leaders: Mapping[UUID, UUID]) -> list[Due]:
    """``work`` asked with ``within_days`` = the days before; ``leaders``: group -> leader."""
    return list(_reminders(work, leaders))


def _addressees(
    branch_id: UUID, member_id: UUID, group_id: UUID, overdue: bool, leaders: Mapping[UUID, UUID]
) -> list[str]:
    whom = [member(member_id)]
    if overdue:
        leader = leaders.get(group_id)
        if leader is not None and leader != member_id:
            whom.append(member(leader))
        whom.append(secretary(branch_id))
    return whom


def _reminders(work: Work, leaders: Mapping[UUID, UUID]) -> Iterator[Due]:
    branch = work.branch_id
    for visit in work.visits:
        overdue = visit.standing == "overdue"
        last = visit.last_visited_on.isoformat() if visit.last_visited_on else "无"
        subject = f"【走访{'逾期' if overdue else '提醒'}】{visit.address}"
        body = (
            f"{visit.member_name}联系的{visit.address}（{visit.area}）应于{_day(visit.due_on)}走访"
            f"{'，已逾期' if overdue else ''}；最近一次走访：{last}。"
        )
        for whom in _addressees(branch, visit.member_id, visit.group_id, overdue, leaders):
            yield Due(
                branch,
                f"visit:{visit.household_id}",
                whom,
                visit.due_on,
                "overdue" if overdue else "upcoming",
                subject,
                body,
            )
    for report in work.duty_reports:
        overdue = report.standing == "overdue"
        subject = f"【述职{'逾期' if overdue else '提醒'}】{report.member_name} {report.period}"
        late = "，已逾期" if overdue else ""
        body = (
            f"{report.member_name}的{report.period}半年述职应于{_day(report.due_on)}前完成{late}。"
        )
        for whom in _addressees(branch, report.member_id, report.group_id, overdue, leaders):
            yield Due(
                branch,
                f"report:{report.member_id}:{report.period}",
                whom,
                report.due_on,
                "overdue" if overdue else "upcoming",
                subject,
                body,
            )
    for need in work.needs:
        subject = f"【诉求逾期】{need.address}"
        body = f"{need.address}（{need.area}）的群众诉求应于{_day(need.due_on)}前办结，已逾期。"
        told = [secretary(branch)]
        if need.assigned_member_id is not None:
            told.insert(0, member(need.assigned_member_id))
        for addressee in told:
            yield Due(
                branch, f"need:{need.need_id}", addressee, need.due_on, "overdue", subject, body
            )


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
