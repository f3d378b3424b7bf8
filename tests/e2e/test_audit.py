"""The audit trail an inspector relies on: corrections instead of edits, history and
state as of any moment, exports that page without gaps while writes go on, and
events written in an old shape read in the current one."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select
from sqlalchemy.pool import StaticPool

from bench.stack import bearer
from services.demo.client import Branch
from services.embedded import create_app
from services.projection.bootstrap import bootstrap as bootstrap_projections
from services.projection.projectors import ALL_PROJECTORS, COVERAGE, EVALUATIONS, ROSTERS
from services.projection.projectors.base import Projector
from services.projection.queries import coverage, evaluations, rosters
from services.projection.readmodel.store import STATE_METADATA, ReadModelStore, checkpoints
from services.projection.rebuild import rebuild
from services.projection.time_travel import TimeTravel
from shared.auth import Role
from shared.clock import FixedClock
from shared.contract.codec import dumps
from shared.settings import Settings
from shared.store import EventLog, StoredEvent, open_recorder

START = datetime(2009, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def client(sqlite_settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(
        create_app(sqlite_settings, clock), headers=bearer(sqlite_settings)
    ) as test_client:
        yield test_client


@pytest.fixture
def branch(client: TestClient) -> Branch:
    story = Branch(client, client).register("长安党支部")
    story.form_group("第一党小组")
    story.enroll("王芳", "第一党小组")
    story.register_household("长安街1号", "一巷", "户主1")
    return story


Credentials = dict[str, dict[str, str]]


@pytest.fixture
def people(sqlite_settings: Settings, branch: Branch) -> Credentials:
    """Who acts in these stories, each with their own token."""

    def token(role: Role, subject: str, member: str = "", group: str = "") -> dict[str, str]:
        return bearer(
            sqlite_settings,
            role,
            subject,
            branch_id=UUID(branch.id),
            member_id=UUID(member) if member else None,
            group_id=UUID(group) if group else None,
        )

    return {
        "member-wang": token(Role.MEMBER, "member-wang", member=branch.members["王芳"]),
        "member-li": token(Role.MEMBER, "member-li", member=str(uuid4())),
        "leader-li": token(Role.GROUP_LEADER, "leader-li", group=branch.groups["第一党小组"]),
        "secretary-zhang": token(Role.BRANCH_SECRETARY, "secretary-zhang"),
    }


def visit_as(branch: Branch, who: dict[str, str], on: date, purpose: str = "走访") -> str:
    body = {
        "member_id": branch.members["王芳"],
        "household_id": branch.households["长安街1号"],
        "visited_on": on.isoformat(),
        "purpose": purpose,
    }
    visit_id: str = branch.write(f"{branch.base}/visits", body, headers=who)["id"]
    return visit_id


def amend(branch: Branch, visit: str, what: str, body: dict[str, Any], who: dict[str, str]) -> Any:
    response = branch.commands.post(f"{branch.base}/visits/{visit}/{what}", json=body, headers=who)
    if response.status_code < 300:
        branch.position = max(branch.position, response.json()["position"])
    return response


def test_corrections_not_edits(branch: Branch, clock: FixedClock, people: Credentials) -> None:
    visit = visit_as(branch, people["member-wang"], date(2009, 11, 1), "送温暖")
    fixed = amend(
        branch,
        visit,
        "correction",
        {"visited_on": "2009-10-31", "purpose": "了解身体状况", "reason": "记错了日期"},
        people["member-wang"],
    )
    assert fixed.status_code == 200, fixed.text
    assert branch.read("/coverage/visits", year=2009)["months"] == [
        {"month": "2009-10", "visits": 1, "by_purpose": {"了解身体状况": 1}}
    ]
    history = branch.queries.get(f"/v1/audit/streams/{visit}").json()["events"]
    assert [e["type"] for e in history] == ["VisitRecorded", "VisitCorrected"]
    assert history[0]["data"]["purpose"] == "送温暖"
    assert history[1]["data"]["reason"] == "记错了日期"
    assert [e["actor"] for e in history] == ["member-wang", "member-wang"]

    not_mine = amend(
        branch, visit, "correction", {"purpose": "x", "reason": "y"}, people["member-li"]
    )
    assert not_mine.json()["type"] == "/problems/not-the-recorder"
    assert (
        amend(branch, visit, "correction", {"purpose": "x"}, people["member-wang"]).status_code
        == 422
    )

    clock.advance(timedelta(days=1))
    late = amend(
        branch, visit, "correction", {"purpose": "x", "reason": "y"}, people["member-wang"]
    )
    assert (late.status_code, late.json()["type"]) == (409, "/problems/edit-window-closed")
    by_secretary = amend(
        branch, visit, "retraction", {"reason": "重复录入"}, people["secretary-zhang"]
    )
    assert by_secretary.status_code == 200, by_secretary.text
    assert branch.read("/coverage")["visits"] == 0
    again = amend(
        branch,
        visit,
        "correction",
        {"purpose": "x", "reason": "y"},
        people["secretary-zhang"],
    )
    assert again.json()["type"] == "/problems/visit-retracted"
    states = [e["type"] for e in branch.queries.get(f"/v1/audit/streams/{visit}").json()["events"]]
    assert states == ["VisitRecorded", "VisitCorrected", "VisitRetracted"]


def test_what_did_we_know_and_when(branch: Branch, clock: FixedClock, people: Credentials) -> None:
    before_link = clock.now()
    clock.advance(timedelta(days=3))
    branch.enroll("李强", "第一党小组")
    branch.link("长安街1号", "王芳")
    visit_as(branch, people["member-wang"], date(2009, 11, 5))
    after = clock.now()

    then = branch.queries.get(f"{branch.base}/roster", params={"as_of": before_link.isoformat()})
    assert then.status_code == 200, then.text
    assert [m["name"] for m in then.json()["groups"][0]["members"]] == ["王芳"]
    assert then.json()["groups"][0]["members"][0]["linked_households"] == 0
    now = branch.queries.get(f"{branch.base}/roster", params={"as_of": after.isoformat()}).json()
    assert [m["name"] for m in now["groups"][0]["members"]] == ["王芳", "李强"]
    coverage_then = branch.queries.get(
        f"{branch.base}/coverage", params={"as_of": before_link.isoformat()}
    ).json()
    assert (coverage_then["linked"], coverage_then["visits"]) == (0, 0)
    assert (
        branch.queries.get(
            f"{branch.base}/evaluations", params={"year": 2009, "as_of": after.isoformat()}
        ).status_code
        == 200
    )

    household = branch.households["长安街1号"]
    first = branch.queries.get(f"/v1/audit/streams/{household}/state", params={"version": 1})
    assert first.json()["state"]["linked_member_id"] is None
    latest = branch.queries.get(f"/v1/audit/streams/{household}/state").json()
    assert latest["state"]["linked_member_id"] == branch.members["王芳"]
    assert latest["kind"] == "household"
    at_start = branch.queries.get(
        f"/v1/audit/streams/{household}/state", params={"as_of": before_link.isoformat()}
    ).json()
    assert at_start["version"] == 1
    too_early = branch.queries.get(
        f"/v1/audit/streams/{household}/state", params={"as_of": "2000-01-01T00:00:00Z"}
    )
    assert too_early.status_code == 404


LOCAL = ZoneInfo("Asia/Shanghai")  # LIAISON_TIMEZONE's default


def test_a_moment_with_or_without_a_zone_or_a_date(branch: Branch, clock: FixedClock) -> None:
    """Every moment parameter (``as_of``, ``since``, ``until``) takes a time with a
    zone, one without (read in LIAISON_TIMEZONE) or a date (that day there, its end
    for ``as_of``/``until``, its start for ``since``): never a 500."""
    enrolled = {"王芳": clock.now()}
    for name, later in (("李强", timedelta(hours=8, minutes=30)), ("赵敏", timedelta(days=3))):
        clock.advance(later)  # 李强 at 01:30 the next day in Shanghai, 17:30 the day before in UTC
        branch.enroll(name, "第一党小组")
        enrolled[name] = clock.now()
    branch.read("/roster")
    log = branch.queries.get("/v1/audit/events", params={"limit": 1000}).json()["events"]
    stored = [datetime.fromisoformat(e["occurred_at"]) for e in log]
    li = branch.members["李强"]

    @settings(max_examples=40, deadline=None)
    @given(
        instant=st.datetimes(
            datetime(2009, 10, 31), datetime(2009, 11, 7), timezones=st.just(UTC)
        ).map(lambda moment: moment.replace(microsecond=0)),
        form=st.sampled_from(["offset", "utc", "naive", "date"]),
        offset=st.sampled_from([8, 0, -5]),
    )
    def check(instant: datetime, form: str, offset: int) -> None:
        local = instant.astimezone(LOCAL)
        day = local.date()
        text, start, end = {
            "offset": (
                instant.astimezone(timezone(timedelta(hours=offset))).isoformat(),
                instant,
                instant,
            ),
            "utc": (instant.strftime("%Y-%m-%dT%H:%M:%SZ"), instant, instant),
            "naive": (local.replace(tzinfo=None).isoformat(), instant, instant),
            "date": (
                day.isoformat(),
                datetime.combine(day, time.min, LOCAL),
                datetime.combine(day, time.max, LOCAL),
            ),
        }[form]
        roster = branch.queries.get(f"{branch.base}/roster", params={"as_of": text})
        if end < enrolled["王芳"]:
            assert roster.status_code == 404, roster.text
        else:
            assert roster.status_code == 200, roster.text
            listed = {m["name"] for g in roster.json()["groups"] for m in g["members"]}
            assert listed == {name for name, at in enrolled.items() if at <= end}
        since = branch.queries.get("/v1/audit/events", params={"since": text, "limit": 1000})
        assert len(since.json()["events"]) == sum(1 for at in stored if at >= start), since.text
        until = branch.queries.get("/v1/audit/events", params={"until": text, "limit": 1000})
        assert len(until.json()["events"]) == sum(1 for at in stored if at <= end), until.text
        state = branch.queries.get(f"/v1/audit/streams/{li}/state", params={"as_of": text})
        assert state.status_code == (200 if end >= enrolled["李强"] else 404), state.text

    check()


def test_every_moment_parameter_takes_a_date_and_a_local_time(branch: Branch) -> None:
    """Walks the API's own description, so a parameter added later is covered too."""
    api = branch.queries.get("/openapi.json").json()
    values: dict[str, str | int] = {
        "branch_id": branch.id,
        "stream_id": branch.id,
        "year": 2009,
        "visited": "false",
    }
    checked = 0
    for path, operations in api["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        moments = [
            p["name"]
            for p in parameters
            if p["in"] == "query"
            and "date-time" in {s.get("format") for s in p["schema"].get("anyOf", [p["schema"]])}
        ]
        if not moments:
            continue
        url = path.format(**values)
        required = {
            p["name"]: values[p["name"]]
            for p in parameters
            if p["in"] == "query" and p.get("required")
        }
        for name in moments:
            for moment in ("2009-11-29", "2009-11-29T14:53:41", "2009-11-29T14:53:41+08:00"):
                answer = branch.queries.get(url, params={**required, name: moment})
                assert answer.status_code == 200, (path, name, moment, answer.text)
                checked += 1
    assert checked >= 3 * 10


def test_exports_filter_and_keep_chinese(branch: Branch, people: Credentials) -> None:
    visit_as(branch, people["member-wang"], date(2009, 11, 1), "宣传甲流预防常识")
    visit_as(branch, people["leader-li"], date(2009, 11, 1), "送温暖")
    get = branch.queries.get
    page = get("/v1/audit/events", params={"type": "VisitRecorded", "actor": "leader-li"}).json()
    assert [e["data"]["purpose"] for e in page["events"]] == ["送温暖"]
    assert get("/v1/audit/events", params={"branch_id": str(uuid4())}).json()["events"] == []
    ndjson = get("/v1/audit/events", params={"format": "ndjson", "type": "VisitRecorded"})
    assert ndjson.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in ndjson.text.splitlines()]
    assert [line["data"]["purpose"] for line in lines] == ["宣传甲流预防常识", "送温暖"]
    exported = get("/v1/audit/events", params={"format": "csv", "stream_id": branch.id})
    assert exported.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [(r["type"], json.loads(r["data"])["name"]) for r in rows] == [
        ("BranchRegistered", "长安党支部")
    ]
    assert (
        get(
            "/v1/audit/events",
            params={"since": "2010-01-01T00:00:00Z", "until": "2009-01-01T00:00:00Z"},
        ).status_code
        == 422
    )


def test_paging_never_skips_or_repeats_while_writes_go_on(
    branch: Branch, people: Credentials
) -> None:
    writing = threading.Event()
    writing.set()

    def write() -> None:
        for _ in range(60):
            visit_as(branch, people["member-wang"], date(2009, 11, 1))
        writing.clear()

    writer = threading.Thread(target=write)
    writer.start()
    seen: list[int] = []
    after = 0
    while True:
        # Read before the page is fetched: a write that lands between the fetch and this
        # check would otherwise end the loop one event short.
        writer_done = not writing.is_set()
        page = branch.queries.get("/v1/audit/events", params={"after": after, "limit": 7}).json()
        seen += [e["position"] for e in page["events"]]
        if not page["events"] and writer_done:
            break
        after = page["next"]
    writer.join()
    everything = branch.queries.get("/v1/audit/events", params={"limit": 1000}).json()["events"]
    assert seen == [e["position"] for e in everything]
    assert len(seen) == len(set(seen)) >= 64


def test_events_in_an_old_shape_are_read_in_the_current_one(
    client: TestClient, branch: Branch, sqlite_settings: Settings, clock: FixedClock
) -> None:
    """MemberRated was version 1 before shortcomings were recorded: stored v1 events
    load into the aggregate, the audit log, the read models and a rebuild as v2."""
    clock.advance(timedelta(days=60))
    branch.open_appraisal(2009, date(2009, 12, 1))
    branch.ballot(2009, "王芳", "member", "good")
    branch.close_appraisal(2009, date(2009, 12, 20))
    closed = branch.queries.get("/v1/audit/events", params={"type": "AppraisalClosed"}).json()
    appraisal = closed["events"][0]
    version_1 = {
        "v": 1,
        "data": {
            "member_id": branch.members["王芳"],
            "year": 2009,
            "grade": "good",
            "remarks": "旧格式",
        },
        "meta": {
            "branch_id": branch.id,
            "actor": "legacy",
            "occurred_at": appraisal["occurred_at"],
            "correlation_id": str(uuid4()),
            "causation_id": str(uuid4()),
        },
    }
    recorder = open_recorder(sqlite_settings, pool_size=1)
    positions = recorder.insert_events(
        [
            StoredEvent(
                originator_id=UUID(appraisal["stream_id"]),
                originator_version=appraisal["stream_version"] + 1,
                topic="MemberRated",
                state=dumps(version_1),
            )
        ]
    )
    assert positions
    branch.position = positions[0]

    audit = branch.queries.get("/v1/audit/events", params={"type": "MemberRated"}).json()
    assert audit["events"][0]["schema_version"] == 2
    assert audit["events"][0]["data"]["shortcomings"] == []
    evaluation = branch.read("/evaluations", year=2009)
    assert (evaluation["members"][0]["grade"], evaluation["members"][0]["remarks"]) == (
        "good",
        "旧格式",
    )
    again = client.post(
        f"{branch.member_path('王芳')}/ratings", json={"year": 2009, "grade": "good"}
    )
    assert again.json()["type"] == "/problems/member-already-rated"
    service = bootstrap_projections(sqlite_settings)
    try:
        for report in rebuild(ALL_PROJECTORS, service.store, service.event_log, switch=False):
            assert report.differing_rows == 0, report.differences
    finally:
        service.close()


EVERY = 4  # events between checkpoints, small so that a short story makes many


@pytest.fixture(params=["sqlite_settings", "pg_settings"])
def travel(
    request: pytest.FixtureRequest, clock: FixedClock
) -> Iterator[tuple[Branch, TimeTravel]]:
    """A story told over a fortnight, an hour or so between commands, on a service
    that keeps a time-travel checkpoint every few events (embedded, and on PostgreSQL)."""
    base: Settings = request.getfixturevalue(request.param)
    configured = base.with_overrides(checkpoint_every=EVERY, time_travel_limit=1)
    with TestClient(create_app(configured, clock), headers=bearer(configured)) as client:
        story = Branch(client, client).register("长安党支部")
        clock.advance(timedelta(hours=1))
        story.form_group("第一党小组")
        for number in range(1, 9):
            clock.advance(timedelta(hours=5))
            story.enroll(f"党员{number}", "第一党小组")
            clock.advance(timedelta(hours=2))
            story.register_household(f"长安街{number}号", "一巷", f"户主{number}")
            clock.advance(timedelta(minutes=30))
            story.link(f"长安街{number}号", f"党员{number}")
            clock.advance(timedelta(hours=20))
            story.visit(f"党员{number}", f"长安街{number}号", date(2009, 11, 1), "走访")
        story.read("/roster")
        time_travel: TimeTravel = client.app.state.time_travel  # type: ignore[attr-defined]
        yield story, time_travel


def full_replay(event_log: EventLog) -> TimeTravel:
    """The same machinery with no checkpoint to start from, and none kept."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    STATE_METADATA.create_all(engine)
    return TimeTravel(ReadModelStore(engine, engine), event_log, limit=1, every=2**62, kept=1)


QUERIES: dict[str, tuple[Projector[Any], Callable[[UUID], Callable[[Any, Any, int], Any]]]] = {
    "roster": (ROSTERS, lambda b: lambda conn, t, pos: rosters.roster(conn, t, b, pos)),
    "coverage": (
        COVERAGE,
        lambda b: (
            lambda conn, t, pos: coverage.households(
                conn,
                t,
                b,
                visited=True,
                start=None,
                end=None,
                limit=100,
                offset=0,
                linked_member_id=None,
                position=pos,
            )
        ),
    ),
    "evaluations": (
        EVALUATIONS,
        lambda b: (
            lambda conn, t, pos: evaluations.evaluations(
                conn, t, b, year=2009, today=date(2009, 12, 31), position=pos
            )
        ),
    ),
}


def checkpoint_rows(branch: Branch) -> list[tuple[str, int]]:
    store: ReadModelStore = branch.queries.app.state.read_models.store  # type: ignore[attr-defined]
    with store.reader.connect() as conn:
        rows = conn.execute(select(checkpoints.c.projection, checkpoints.c.position)).all()
    return [(row.projection, row.position) for row in rows]


def test_an_answer_from_a_checkpoint_equals_a_full_replay(
    travel: tuple[Branch, TimeTravel], clock: FixedClock
) -> None:
    branch, time_travel = travel
    event_log: EventLog = branch.queries.app.state.event_log  # type: ignore[attr-defined]
    full = full_replay(event_log)
    branch_id = UUID(branch.id)
    for projector, query in QUERIES.values():  # the first answers leave the checkpoints
        time_travel.answer(projector, clock.now(), query(branch_id))
    made = checkpoint_rows(branch)
    assert len(made) == len(QUERIES) * (event_log.head() // EVERY)

    @settings(max_examples=30, deadline=None)
    @given(
        moment=st.datetimes(
            (START - timedelta(hours=1)).replace(tzinfo=None),
            (clock.now() + timedelta(hours=1)).replace(tzinfo=None),
            timezones=st.just(UTC),
        ),
        name=st.sampled_from(sorted(QUERIES)),
    )
    def check(moment: datetime, name: str) -> None:
        projector, query = QUERIES[name]
        quick = time_travel.answer(projector, moment, query(branch_id))
        slow = full.answer(projector, moment, query(branch_id))
        assert quick.answer == slow.answer
        assert slow.base == 0
        # Only the events after the checkpoint are replayed: fewer than its spacing.
        assert quick.replayed == slow.replayed - quick.base
        assert quick.replayed < EVERY

    check()
    assert checkpoint_rows(branch) == made, "nothing more was kept"


def test_an_erasure_drops_the_checkpoints_that_hold_it(
    travel: tuple[Branch, TimeTravel], clock: FixedClock
) -> None:
    branch, time_travel = travel
    event_log: EventLog = branch.queries.app.state.event_log  # type: ignore[attr-defined]
    branch_id = UUID(branch.id)
    projector, query = QUERIES["coverage"]
    before = clock.now()
    time_travel.answer(projector, before, query(branch_id))
    assert checkpoint_rows(branch)
    clock.advance(timedelta(hours=1))
    household = branch.households["长安街1号"]
    branch.act(
        f"/households/{household}/erasure", {"erased_on": date(2009, 11, 2), "reason": "迁出"}
    )
    for path, params in (("/roster", {}), ("/coverage", {}), ("/evaluations", {"year": 2009})):
        branch.read(path, **params)  # every projection has applied the erasure
    assert checkpoint_rows(branch) == []
    quick = time_travel.answer(projector, before, query(branch_id))
    assert quick.answer == full_replay(event_log).answer(projector, before, query(branch_id)).answer
    erased = next(h for h in quick.answer.households if h.id == UUID(household))
    assert erased.address == "已删除"

    pruned = TimeTravel(
        branch.queries.app.state.read_models.store,  # type: ignore[attr-defined]
        event_log,
        limit=1,
        every=2,
        kept=3,
    )
    pruned.answer(ROSTERS, clock.now(), QUERIES["roster"][1](branch_id))
    kept = [position for name, position in checkpoint_rows(branch) if name == ROSTERS.name]
    assert len(kept) == 3
    assert max(kept) == event_log.head() // 2 * 2, "the newest stays"


def test_replays_beyond_the_limit_answer_503(
    travel: tuple[Branch, TimeTravel], clock: FixedClock
) -> None:
    branch, time_travel = travel
    params = {"as_of": clock.now().isoformat()}
    with time_travel.slot():  # the one replay this process allows is under way
        busy = branch.queries.get(f"{branch.base}/roster", params=params)
    assert busy.status_code == 503
    assert busy.json()["type"] == "/problems/time-travel-busy"
    assert int(busy.headers["Retry-After"]) > 0
    assert branch.queries.get(f"{branch.base}/roster", params=params).status_code == 200
