"""The due rule (``shared.schedule``) and the work read model built on it, against a
brute-force reading of event histories: schedules set, changed and cleared for the
branch, for tags and for households, households linked and visited (visits
retracted and corrected too), and "today" injected. Whatever the history, the due
date, the overdue list, the due-soon list and the not-visited-for-N-days list equal
what walking the days one by one finds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, MetaData, create_engine

from services.projection.projectors import WORK
from services.projection.projectors.base import RowWriter
from services.projection.projectors.tables import WorkTables
from services.projection.queries.work import Asked, work
from shared.contract.envelope import Envelope
from shared.contract.events import (
    BranchRegistered,
    Event,
    GroupFormed,
    HouseholdLinked,
    HouseholdRegistered,
    LinkedHouseholdAdded,
    MemberEnrolled,
    VisitCorrected,
    VisitRecorded,
    VisitRetracted,
    VisitScheduleSet,
)
from shared.contract.vocabulary import GroupBasis, MemberCategory, MembershipStatus
from shared.schedule import Schedules, Standing, standing, visit_due_on

START = date(2009, 1, 1)
TAGS = ("elderly_alone", "disabled")


def test_the_rule_in_words() -> None:
    household = uuid4()
    plan = Schedules(branch_days=30, tag_days={"elderly_alone": 7, "disabled": 14})
    assert plan.every_days(household, ()) == 30
    assert plan.every_days(household, ("disabled", "elderly_alone")) == 7
    own = Schedules(branch_days=30, tag_days={"elderly_alone": 7}, household_days={household: 60})
    assert own.every_days(household, ("elderly_alone",)) == 60
    assert Schedules().every_days(household, (*TAGS, "low_income")) is None
    linked, visited = date(2009, 10, 1), date(2009, 10, 20)
    assert visit_due_on(30, linked, None) == date(2009, 10, 31)
    assert visit_due_on(30, linked, visited) == date(2009, 11, 19)
    assert visit_due_on(30, linked, date(2009, 9, 1)) == date(2009, 10, 31)  # before the link
    assert visit_due_on(None, linked, visited) is None
    due = date(2009, 11, 19)
    assert standing(due, date(2009, 11, 20), 7) is Standing.OVERDUE
    assert standing(due, due, 0) is Standing.DUE
    assert standing(due, date(2009, 11, 12), 7) is Standing.DUE
    assert standing(due, date(2009, 11, 11), 7) is Standing.LATER


@dataclass
class History:
    events: list[tuple[UUID, datetime, Event]]
    branch_id: UUID
    member_id: UUID

    def add(self, stream: UUID, day: date, event: Event) -> None:
        self.events.append((stream, datetime.combine(day, time(4), UTC), event))


@st.composite
def histories(draw: st.DrawFn) -> tuple[History, date, int, int]:
    branch_id, group_id, member_id = uuid4(), uuid4(), uuid4()
    history = History([], branch_id, member_id)
    history.add(branch_id, START, BranchRegistered(name="长安党支部"))
    history.add(group_id, START, GroupFormed(name="第一党小组", basis=GroupBasis.RESIDENCE))
    history.add(
        member_id,
        START,
        MemberEnrolled(
            group_id=group_id,
            name="王芳",
            category=MemberCategory.RETIRED,
            status=MembershipStatus.FULL,
            holds_office=False,
        ),
    )
    days = st.integers(0, 60)
    households = []
    for number in range(draw(st.integers(1, 4))):
        household = uuid4()
        households.append(household)
        tags = tuple(draw(st.sets(st.sampled_from(TAGS))))
        history.add(
            household,
            START,
            HouseholdRegistered(
                address=f"长安巷{number + 1}号", area="一巷", head_name="户主", tags=tags
            ),
        )
        if number == 0 or draw(st.integers(0, 4)):
            recorded = START + timedelta(draw(days))
            # A link names the day it took effect (a paper ledger's, before it was
            # recorded), or none, as links recorded before the field existed.
            back = draw(st.none() | st.integers(0, 90))
            linked_on = None if back is None else recorded - timedelta(back)
            history.add(
                household, recorded, HouseholdLinked(member_id=member_id, linked_on=linked_on)
            )
            history.add(member_id, START, LinkedHouseholdAdded(household_id=household))
    scopes = st.one_of(
        st.just((None, None)),
        st.tuples(st.sampled_from(TAGS), st.none()),
        st.tuples(st.none(), st.sampled_from(households)),
    )
    visits: list[UUID] = []
    for _ in range(draw(st.integers(0, 20))):
        action = draw(
            st.sampled_from(("schedule", "schedule", "visit", "visit", "retract", "correct"))
        )
        day = START + timedelta(draw(days))
        if action == "schedule":
            tag, household_id = draw(scopes)
            every = draw(st.one_of(st.none(), st.integers(1, 30), st.integers(1, 30)))
            event: Event = VisitScheduleSet(
                every_days=every, tag=tag, household_id=household_id, set_on=day
            )
            history.add(branch_id, day, event)
        elif action == "visit":
            visit = uuid4()
            visits.append(visit)
            history.add(
                visit,
                day,
                VisitRecorded(
                    member_id=member_id,
                    household_id=draw(st.sampled_from(households)),
                    visited_on=day,
                    purpose="走访",
                ),
            )
        elif visits:
            visit = draw(st.sampled_from(visits))
            if action == "retract":
                visits.remove(visit)
                history.add(visit, day, VisitRetracted(reason="记错了"))
            else:
                history.add(
                    visit,
                    day,
                    VisitCorrected(visited_on=day, purpose="走访", notes=None, reason="日期"),
                )
    today = START + timedelta(draw(st.integers(0, 80)))
    return history, today, draw(st.integers(0, 10)), draw(st.integers(1, 40))


@pytest.fixture(scope="module")
def database() -> Iterator[tuple[Connection, WorkTables]]:
    engine = create_engine("sqlite://")
    metadata = MetaData()
    tables = WORK.define_tables(metadata, "work_")
    with engine.connect() as conn:
        yield conn, tables
    engine.dispose()


def project(conn: Connection, tables: WorkTables, history: History) -> int:
    metadata = next(iter(vars(tables).values())).metadata
    metadata.drop_all(conn)
    metadata.create_all(conn)
    rows = RowWriter(conn)
    for position, (stream, moment, event) in enumerate(history.events, start=1):
        envelope = Envelope(
            position=position,
            stream_id=stream,
            stream_version=1,
            type=event.TYPE,
            schema_version=event.VERSION,
            branch_id=history.branch_id,
            actor="test",
            occurred_at=moment,
            correlation_id=uuid4(),
            causation_id=uuid4(),
            data={},
        )
        WORK.apply(rows, tables, envelope, event)
    rows.flush()
    return len(history.events)


def brute_force(
    history: History, today: date, within: int, quiet_days: int
) -> tuple[dict[UUID, tuple[date, str]], set[UUID]]:
    """Walks the history as a clerk would: the schedule each scope last had, the
    household's tags and link, its visits as they stand; then the days one by one."""
    scoped: dict[object, int] = {}
    tags: dict[UUID, tuple[str, ...]] = {}
    linked: dict[UUID, date] = {}
    visit_days: dict[UUID, tuple[UUID, date]] = {}
    for stream, moment, event in history.events:
        match event:
            case VisitScheduleSet():
                scope = event.household_id or event.tag or "branch"
                scoped.pop(scope, None)
                if event.every_days is not None:
                    scoped[scope] = event.every_days
            case HouseholdRegistered():
                tags[stream] = event.tags
            case HouseholdLinked():
                linked[stream] = event.linked_on or moment.date()
            case VisitRecorded():
                visit_days[stream] = (event.household_id, event.visited_on)
            case VisitCorrected():
                visit_days[stream] = (visit_days[stream][0], event.visited_on)
            case VisitRetracted():
                del visit_days[stream]
    listed: dict[UUID, tuple[date, str]] = {}
    quiet: set[UUID] = set()
    for household, linked_on in linked.items():
        visited = {day for owner, day in visit_days.values() if owner == household}
        if not any(today - timedelta(days) in visited for days in range(quiet_days)):
            quiet.add(household)
        by_tag = [scoped[tag] for tag in tags[household] if tag in scoped]
        every = scoped.get(household) or (min(by_tag) if by_tag else scoped.get("branch"))
        if every is None:
            continue
        touched = visited | {linked_on}
        last = next(
            today - timedelta(back) for back in range(10_000) if today - timedelta(back) in touched
        )
        due_on = last + timedelta(every)
        if all(today - timedelta(back) not in touched for back in range(every + 1)):
            listed[household] = (due_on, "overdue")
        elif all(today - timedelta(back) not in touched for back in range(every - within)):
            listed[household] = (due_on, "due")
    return listed, quiet


@settings(max_examples=300, deadline=None)
@given(histories())
def test_the_work_lists_equal_a_brute_force_reading_of_the_events(
    database: tuple[Connection, WorkTables], case: tuple[History, date, int, int]
) -> None:
    conn, tables = database
    history, today, within, quiet_days = case
    # Households are linked by ``today``; visits dated later are in the history too
    # (the lists judge ``today`` by the visits made by then).
    history.events = [
        item
        for item in history.events
        if item[1].date() <= today or not isinstance(item[2], HouseholdLinked)
    ]
    position = project(conn, tables, history)
    answer = work(
        conn,
        tables,
        history.branch_id,
        position,
        Asked(
            today=today,
            date_of=lambda moment: moment.date(),
            within_days=within,
            unvisited_days=quiet_days,
        ),
    )
    assert answer is not None
    expected, quiet = brute_force(history, today, within, quiet_days)
    assert {v.household_id: (v.due_on, v.standing) for v in answer.visits} == expected
    assert {h.household_id for h in answer.unvisited} == quiet
    assert answer.counts.visits_overdue == sum(s == "overdue" for _, s in expected.values())
