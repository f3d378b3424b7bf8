"""End to end through HTTP on the embedded default: SQLite files, projectors
following the event store in-process, one app serving commands and queries."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.stack import bearer
from services.demo.client import Branch, tell_the_story
from services.embedded import create_app
from services.projection.bootstrap import bootstrap as bootstrap_projections
from services.projection.projectors import ALL_PROJECTORS
from services.projection.rebuild import rebuild
from shared.auth import Role
from shared.settings import Settings, sqlite_path


@pytest.fixture
def client(sqlite_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_settings), headers=bearer(sqlite_settings)) as test_client:
        yield test_client


@pytest.fixture
def branch(client: TestClient) -> Branch:
    story = Branch(client, client)
    tell_the_story(story)
    return story


def head(client: TestClient) -> int:
    events: list[dict[str, Any]] = []
    after = 0
    while True:
        page = client.get("/v1/audit/events", params={"after": after, "limit": 1000}).json()
        events += page["events"]
        if not page["events"]:
            return after
        after = page["next"]


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    assert body["title"]
    return body


def test_the_roster_shows_groups_leaders_members_and_posts(branch: Branch) -> None:
    roster = branch.read("/roster")
    assert roster["name"] == "同江市城市社区长安党支部"
    assert [g["name"] for g in roster["groups"]] == ["第一党小组", "第二党小组", "第三党小组"]
    first = roster["groups"][0]
    assert first["basis"] == "residence"
    assert first["leader_id"] == branch.members["王芳"]
    wang = next(m for m in first["members"] if m["name"] == "王芳")
    assert wang["category"] == "retired"
    assert [p["title"] for p in wang["posts"]] == ["政策宣传岗"]
    assert wang["linked_households"] == 2
    assert roster["totals"] == {
        "members": 6,
        "by_category": {
            "community": 2,
            "in_service": 1,
            "retired": 1,
            "unemployed": 1,
            "mobile": 1,
        },
        "by_status": {"full": 5, "probationary": 1},
    }


def test_the_posts_board_shows_identity_content_and_pledge(branch: Branch) -> None:
    board = branch.read("/posts")
    assert [p["kind"] for p in board["posts"]] == [
        "policy_publicity",
        "poverty_relief",
        "employment_advice",
    ]
    relief = board["posts"][1]
    assert relief["capacity"] == 1
    assert relief["holders"] == [
        {
            "member_id": branch.members["刘洋"],
            "name": "刘洋",
            "service_content": "每月走访困难户",
            "pledge": "困难不解决不撒手",
        }
    ]


def test_coverage_counts_households_links_and_visits(branch: Branch) -> None:
    all_time = branch.read("/coverage")
    assert {k: all_time[k] for k in ("households", "linked", "visited", "visits")} == {
        "households": 6,
        "linked": 4,
        "visited": 4,
        "visits": 5,
    }
    assert all_time["coverage"] == pytest.approx(4 / 6, abs=1e-4)

    season = branch.read("/coverage", **{"from": "2009-10-01", "to": "2009-11-30"})
    assert (season["from"], season["to"]) == ("2009-10-01", "2009-11-30")
    assert (season["visited"], season["visits"]) == (3, 4)
    groups = {g["name"]: g for g in season["groups"]}
    assert {k: groups["第一党小组"][k] for k in ("households", "linked", "visited", "visits")} == {
        "households": 2,
        "linked": 2,
        "visited": 1,
        "visits": 2,
    }
    assert (groups["第三党小组"]["visited"], groups["第三党小组"]["visits"]) == (0, 1)
    members = {m["name"]: m for m in season["members"]}
    assert (members["李强"]["households"], members["李强"]["visited"]) == (1, 1)
    areas = {a["area"]: a for a in season["areas"]}
    assert (areas["一巷"]["households"], areas["一巷"]["linked"], areas["一巷"]["visited"]) == (
        3,
        3,
        2,
    )


def test_unvisited_households_come_with_their_linked_member(branch: Branch) -> None:
    unvisited = branch.read(
        "/coverage/households", visited="false", **{"from": "2009-10-01", "to": "2009-11-30"}
    )
    rows = {h["address"]: h for h in unvisited["households"]}
    assert sorted(rows) == ["长安街2号", "长安街4号", "长安街6号"]
    assert unvisited["total"] == 3
    assert rows["长安街2号"]["linked_member_name"] == "王芳"
    assert rows["长安街2号"]["last_visited_on"] == "2009-03-01"
    assert rows["长安街6号"]["linked_member_id"] is None
    visited = branch.read("/coverage/households", visited="true")
    assert visited["total"] == 4
    assert next(h for h in visited["households"] if h["address"] == "长安街1号")["tags"] == [
        "独居老人"
    ]


def test_evaluations_show_all_five_grades(branch: Branch) -> None:
    evaluations = branch.read("/evaluations", year=2009)
    assert evaluations["distribution"] == {
        "excellent": 1,
        "good": 1,
        "qualified": 1,
        "basically_qualified": 0,
        "unqualified": 0,
    }
    grades = {m["name"]: m["grade"] for m in evaluations["members"]}
    assert grades["王芳"] == "excellent"
    assert grades["陈晨"] is None
    assert branch.read("/evaluations", year=2008)["rated"] == 0


def test_a_years_evaluation_lists_that_years_members(client: TestClient) -> None:
    """Whatever the enrolment and departure dates, ``evaluations?year=`` lists exactly
    the members a day-by-day count finds in the branch during that year."""
    branch = Branch(client, client).register("长安党支部")
    branch.form_group("第一党小组")
    told: dict[str, tuple[date, date | None]] = {}

    @settings(max_examples=40, deadline=None)
    @given(
        enrolled=st.dates(date(2005, 1, 1), date(2012, 12, 31)),
        stay=st.none() | st.integers(0, 2500),
        year=st.integers(2004, 2014),
    )
    def check(enrolled: date, stay: int | None, year: int) -> None:
        name = f"党员{len(told)}"
        member = branch.enroll(name, "第一党小组", enrolled_on=enrolled)
        left = None if stay is None else min(enrolled + timedelta(stay), date.today())
        if left is not None:
            branch.act(f"/members/{member}/departure", {"reason": "other", "left_on": left})
        told[member] = (enrolled, left)
        first, last = date(year, 1, 1), date(year, 12, 31)
        expected = {
            id
            for id, (since, until) in told.items()
            if any(
                since <= day and (until is None or day <= until)
                for day in (first + timedelta(n) for n in range((last - first).days + 1))
            )
        }
        listed = branch.read("/evaluations", year=year)
        assert {m["id"] for m in listed["members"]} == expected
        assert {d["id"] for d in listed["duty_reports_overdue"]} <= expected

    check()


def test_refused_commands_are_problems_and_write_nothing(
    client: TestClient, branch: Branch
) -> None:
    before = head(client)
    base = branch.base
    checks = [
        (client.post(f"{base}/groups", json={"name": "x"}), 422, "validation-error"),
        (
            client.post(f"{base}/groups", json={"name": "x", "basis": "hobby"}),
            422,
            "validation-error",
        ),
        (
            client.post(
                f"{base}/groups", content=b"{", headers={"content-type": "application/json"}
            ),
            400,
            "bad-request",
        ),
        (
            client.post(f"/v1/branches/{uuid4()}/groups", json={"name": "x", "basis": "trait"}),
            404,
            "not-found",
        ),
        (
            client.post("/v1/branches/not-a-uuid/groups", json={"name": "x", "basis": "trait"}),
            422,
            "validation-error",
        ),
        (
            client.post(
                f"{base}/members",
                json={
                    "name": "x",
                    "category": "community",
                    "status": "full",
                    "group_id": str(uuid4()),
                    "holds_office": False,
                },
            ),
            422,
            "unknown-reference",
        ),
        (
            client.post(
                f"{base}/households/{branch.households['长安街1号']}/link",
                json={"member_id": branch.members["李强"]},
            ),
            409,
            "household-already-linked",
        ),
        (
            client.post(
                f"{base}/members/{branch.members['陈晨']}/ratings",
                json={"year": 2009, "grade": "good"},
            ),
            409,
            "probationary-member-not-graded",
        ),
        (
            client.post(
                f"{base}/members/{branch.members['王芳']}/ratings",
                json={"year": 2009, "grade": "good"},
            ),
            409,
            "member-already-rated",
        ),
        (
            client.post(f"{base}/members/{uuid4()}/ratings", json={"year": 2009, "grade": "good"}),
            404,
            "not-found",
        ),
        (
            client.post(
                f"{base}/posts/{branch.posts['扶贫帮困岗']}/assignments",
                json={"member_id": branch.members["赵敏"], "service_content": "x", "pledge": "y"},
            ),
            409,
            "post-full",
        ),
        (
            client.post(
                f"{base}/posts/{branch.posts['政策宣传岗']}/assignments",
                json={"member_id": branch.members["张书记"], "service_content": "x", "pledge": "y"},
            ),
            409,
            "member-holds-office",
        ),
        (
            client.post(
                f"{base}/visits",
                json={
                    "member_id": branch.members["王芳"],
                    "household_id": branch.households["长安街1号"],
                    "visited_on": "2999-01-01",
                    "purpose": "x",
                },
            ),
            422,
            "invalid-value",
        ),
        (
            client.post(
                f"{base}/visits",
                json={
                    "member_id": branch.members["王芳"],
                    "household_id": str(uuid4()),
                    "visited_on": "2009-11-01",
                    "purpose": "x",
                },
            ),
            422,
            "unknown-reference",
        ),
        (
            client.post("/v1/branches", json={"id": branch.id, "name": "again"}),
            409,
            "already-exists",
        ),
        (client.post("/v1/branches", json={"name": "  "}), 422, "validation-error"),
        (client.post("/v1/branches", json={"name": "支部\u0000"}), 422, "validation-error"),
        (
            client.post(
                "/v1/branches",
                content=b'{"name": "\xff"}',
                headers={"content-type": "application/json"},
            ),
            400,
            "bad-request",
        ),
    ]
    for response, status, slug in checks:
        assert_problem(response, status, slug)
    assert head(client) == before


def test_another_branchs_records_are_unknown_here(client: TestClient, branch: Branch) -> None:
    other = Branch(client, client).register("另一个支部")
    other.form_group("第一党小组")
    response = client.post(
        f"{other.base}/households/{branch.households['长安街6号']}/link",
        json={"member_id": branch.members["王芳"]},
    )
    assert_problem(response, 404, "not-found")
    response = client.post(
        f"{other.base}/members",
        json={
            "name": "x",
            "category": "community",
            "status": "full",
            "group_id": branch.groups["第一党小组"],
            "holds_office": False,
        },
    )
    assert_problem(response, 422, "unknown-reference")
    assert_problem(client.get(f"/v1/branches/{uuid4()}/roster"), 404, "not-found")


def test_a_retried_command_with_the_same_key_applies_once(
    client: TestClient, branch: Branch
) -> None:
    body = {
        "member_id": branch.members["刘洋"],
        "household_id": branch.households["长安街6号"],
        "visited_on": "2009-11-20",
        "purpose": "送温暖",
    }
    key = {"Idempotency-Key": str(uuid4())}
    first = client.post(f"{branch.base}/visits", json=body, headers=key)
    second = client.post(f"{branch.base}/visits", json=body, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    history = client.get(f"/v1/audit/streams/{first.json()['id']}").json()
    assert len(history["events"]) == 1
    reused = client.post(f"{branch.base}/visits", json=body | {"purpose": "另一件事"}, headers=key)
    assert_problem(reused, 422, "idempotency-key-reused")
    branch.position = first.json()["position"]
    assert branch.read("/coverage")["visits"] == 6


def test_an_erased_household_reads_as_erased_and_stays_erased(
    client: TestClient, branch: Branch
) -> None:
    registration = {
        "address": "长安街9号",
        "area": "长安巷",
        "head_name": "赵淑芬",
        "phone": "13611112222",
        "tags": ["低保户"],
    }
    key = {"Idempotency-Key": str(uuid4())}
    household = client.post(f"{branch.base}/households", json=registration, headers=key).json()
    path = f"{branch.base}/households/{household['id']}"
    client.post(f"{path}/link", json={"member_id": branch.members["刘洋"]})
    erasure = {"erased_on": "2009-12-01", "reason": "已搬离本社区"}
    erased = client.post(f"{path}/erasure", json=erasure)
    assert erased.status_code == 200, erased.text
    branch.position = erased.json()["position"]

    rows = branch.read("/coverage/households", visited=False)["households"]
    row = next(r for r in rows if r["id"] == household["id"])
    assert row.pop("linked_since") is not None  # when the link was recorded
    assert row | {"last_visited_on": None} == {
        "id": household["id"],
        "address": "已删除",
        "area": "长安巷",
        "head_name": "已删除",
        "phone": None,
        "tags": [],
        "linked_member_id": branch.members["刘洋"],
        "linked_member_name": "刘洋",
        "last_visited_on": None,
        "erased": True,
    }
    state = client.get(f"/v1/audit/streams/{household['id']}/state").json()
    assert "赵淑芬" not in str(state)
    written = head(client)
    assert_problem(client.post(f"{path}/erasure", json=erasure), 409, "household-erased")
    client.post(f"{path}/unlink", json={"unlinked_on": "2009-12-02"})
    relink = client.post(f"{path}/link", json={"member_id": branch.members["刘洋"]})
    assert_problem(relink, 409, "household-erased")
    # The request's fingerprint would confirm a guess at what was erased: it is gone,
    # so the same key with the same body is refused rather than replayed.
    retried = client.post(f"{branch.base}/households", json=registration, headers=key)
    assert_problem(retried, 422, "idempotency-key-reused")
    assert head(client) == written + 2  # the unlink (both sides), nothing else


def test_a_client_chosen_id_is_kept(client: TestClient, branch: Branch) -> None:
    chosen = str(uuid4())
    written = branch.write(
        f"{branch.base}/households",
        {"id": chosen, "address": "新村8号", "area": "三巷", "head_name": "孙大爷"},
    )
    assert written == {"id": chosen, "version": 1, "position": branch.position}


def test_a_query_that_cannot_catch_up_answers_503(sqlite_settings: Settings) -> None:
    settings = sqlite_settings.with_overrides(read_wait_seconds=0.2)
    with TestClient(create_app(settings), headers=bearer(settings)) as client:
        story = Branch(client, client).register("支部")
        response = client.get(f"{story.base}/roster", params={"min_position": 10_000})
        assert_problem(response, 503, "read-model-behind")


def test_the_audit_trail_holds_every_event_with_who_and_why(
    client: TestClient, branch: Branch, sqlite_settings: Settings
) -> None:
    page = client.get("/v1/audit/events", params={"after": 0, "limit": 3}).json()
    assert [e["position"] for e in page["events"]] == [1, 2, 3]
    assert page["next"] == 3
    first = page["events"][0]
    assert first["type"] == "BranchRegistered"
    assert first["data"] == {"name": "同江市城市社区长安党支部"}
    assert first["actor"] == "bench-admin"  # the token's subject
    assert first["correlation_id"] and first["causation_id"] and first["occurred_at"]

    response = client.post(
        f"{branch.base}/households",
        json={"address": "新村9号", "area": "三巷", "head_name": "周阿姨"},
        headers=bearer(
            sqlite_settings, Role.BRANCH_SECRETARY, "secretary-zhou", branch_id=UUID(branch.id)
        ),
    )
    history = client.get(f"/v1/audit/streams/{response.json()['id']}").json()
    assert [(e["type"], e["actor"]) for e in history["events"]] == [
        ("HouseholdRegistered", "secretary-zhou")
    ]
    assert history["events"][0]["data"]["head_name"] == "周阿姨"
    assert_problem(client.get(f"/v1/audit/streams/{uuid4()}"), 404, "not-found")


def test_read_models_equal_a_fresh_replay_and_survive_a_switch(
    client: TestClient, branch: Branch, sqlite_settings: Settings
) -> None:
    roster_before = branch.read("/roster")
    service = bootstrap_projections(sqlite_settings)
    try:
        for report in rebuild(ALL_PROJECTORS, service.store, service.event_log, switch=False):
            assert report.differing_rows == 0, report.differences
            assert report.position == branch.position
        switched = rebuild(ALL_PROJECTORS, service.store, service.event_log, switch=True)
        assert [report.generation for report in switched] == [2] * len(ALL_PROJECTORS)
    finally:
        service.close()
    status = client.get("/v1/projections").json()
    assert {p["name"]: p["generation"] for p in status["projections"]} == {
        "rosters": 2,
        "coverage": 2,
        "evaluations": 2,
        "work": 2,
    }
    assert branch.read("/roster") == roster_before
    branch.visit("王芳", "长安街2号", date(2009, 11, 28))
    assert branch.read("/coverage")["visits"] == 6


def test_tables_of_an_earlier_shape_are_rebuilt_at_start(
    client: TestClient, branch: Branch, sqlite_settings: Settings
) -> None:
    """An upgrade that adds a column to a read model replays it rather than failing
    on the old tables (here: the households' ``erased`` column is dropped)."""
    households_before = branch.read("/coverage/households", visited=False)
    with sqlite3.connect(sqlite_path(sqlite_settings.read_database_url)) as conn:
        conn.execute("ALTER TABLE coverage_g1_households DROP COLUMN erased")
    service = bootstrap_projections(sqlite_settings)
    service.close()
    status = client.get("/v1/projections").json()
    assert {p["name"]: p["generation"] for p in status["projections"]} == {
        "rosters": 1,
        "coverage": 2,
        "evaluations": 1,
        "work": 1,
    }
    assert branch.read("/coverage/households", visited=False) == households_before


def test_health_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/v1/branches/{branch_id}/visits" in spec["paths"]
    assert client.get("/docs").status_code == 200
