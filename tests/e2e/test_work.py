"""The work lists over HTTP on the embedded default, with the clock injected: visit
schedules set by the branch and per tag, households overdue and due, a visit taking
one off the list, duty reports, requests past due, a talk awaited after a low grade,
hardship cases without help, a member seeing only their own, and a bad schedule
refused with nothing written."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from bench.stack import bearer
from services.demo.client import Branch, tell_the_story
from services.embedded import create_app
from shared.auth import Role
from shared.clock import FixedClock
from shared.settings import Settings
from tests.support.settings import embedded_settings

LINKED_AT = datetime(2009, 12, 25, 2, tzinfo=UTC)  # 10:00 in Asia/Shanghai


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(LINKED_AT)


@pytest.fixture
def client(sqlite_settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    app = create_app(sqlite_settings, clock)
    with TestClient(app, headers=bearer(sqlite_settings)) as test_client:
        yield test_client


@pytest.fixture
def branch(client: TestClient, clock: FixedClock) -> Branch:
    story = Branch(client, client)
    tell_the_story(story)  # the households are linked "today": 2009-12-25
    story.act("/visit-schedules", {"every_days": 30, "set_on": date(2009, 12, 25)})
    story.act(
        "/visit-schedules", {"every_days": 7, "tag": "独居老人", "set_on": date(2009, 12, 25)}
    )
    clock.advance(timedelta(days=11))  # 2010-01-05
    return story


def households(work: dict[str, object], standing: str) -> list[str]:
    visits = work["visits"]
    assert isinstance(visits, list)
    return [v["address"] for v in visits if v["standing"] == standing]


def test_households_fall_due_by_their_schedule_and_a_visit_takes_one_off(branch: Branch) -> None:
    work = branch.read("/work", within_days=30)
    assert work["today"] == "2010-01-05"
    assert households(work, "overdue") == ["长安街1号"]  # weekly: due 2010-01-01
    assert households(work, "due") == ["长安街2号", "长安街3号", "长安街4号"]  # 2010-01-24
    assert work["counts"]["scheduled_households"] == 4
    assert work["on_schedule_share"] == 0.75
    assert branch.read("/work", within_days=7)["visits"] == work["visits"][:1]

    branch.visit("王芳", "长安街1号", date(2010, 1, 5))
    work = branch.read("/work", within_days=30)
    assert households(work, "overdue") == []
    assert [v["due_on"] for v in work["visits"]][:1] == ["2010-01-12"]
    assert work["on_schedule_share"] == 1.0

    quiet = branch.read("/work", unvisited_days=60)["unvisited"]
    assert [h["address"] for h in quiet] == ["长安街4号", "长安街2号", "长安街3号"]
    assert quiet[0]["last_visited_on"] is None

    mine = branch.read("/work", within_days=30, member_id=branch.members["李强"])
    assert [v["address"] for v in mine["visits"]] == ["长安街3号"]
    in_area = branch.read("/work", within_days=30, area="二巷")
    assert [v["address"] for v in in_area["visits"]] == ["长安街4号"]


def test_a_link_taken_over_from_paper_falls_due_from_its_own_day(branch: Branch) -> None:
    household = branch.register_household("长安街9号", "一巷", "赵大爷")
    link = f"{branch.base}/households/{household}/link"
    before = branch.position
    refused = branch.commands.post(
        link, json={"member_id": branch.members["王芳"], "linked_on": "2010-02-01"}
    )
    assert refused.status_code == 422  # later than today (2010-01-05)
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert branch.position == before
    branch.write(link, {"member_id": branch.members["王芳"], "linked_on": "2009-11-20"}, 200)
    work = branch.read("/work", within_days=30)
    assert households(work, "overdue") == ["长安街9号", "长安街1号"]  # due 12-20, 01-01
    assert [v["due_on"] for v in work["visits"] if v["address"] == "长安街9号"] == ["2009-12-20"]


def test_the_work_ledger_lists_the_households_due_the_overdue_first(branch: Branch) -> None:
    response = branch.queries.get(
        f"{branch.base}/exports/work.xlsx", params={"min_position": branch.position}
    )
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.title == "应走访住户"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        *("状态", "应走访日期", "片区", "地址"),
        *("联系党员", "走访周期（天）", "最近走访"),
    ]
    assert [(row[0], row[3], row[5]) for row in rows[1:]] == [
        ("逾期", "长安街1号", 7),
        ("即将到期", "长安街2号", 30),
        ("即将到期", "长安街3号", 30),
        ("即将到期", "长安街4号", 30),
    ]
    assert rows[1][1] == datetime(2010, 1, 1)  # a date cell, not text


def test_the_year_end_summary_gives_the_share_visited_on_schedule(branch: Branch) -> None:
    summaries = {
        (year, lang): branch.queries.get(
            f"{branch.base}/summary",
            params={"year": year, "lang": lang, "min_position": branch.position},
        )
        for year in (2009, 2010)
        for lang in ("zh", "en")
    }
    assert all(r.status_code == 200 for r in summaries.values())
    # 2010-01-05: the weekly household is overdue; at the end of 2009 none was.
    assert "定有走访周期的4户中3户按期走访（75%）" in summaries[2010, "zh"].text
    assert (
        "3 of the 4 households with a visit schedule (75%) were visited on schedule"
        in summaries[2010, "en"].text
    )
    assert "定有走访周期的4户中4户按期走访（100%）" in summaries[2009, "zh"].text


def test_reports_requests_talks_and_hardships_fall_due(branch: Branch) -> None:
    work = branch.read("/work")
    assert {(r["member_name"], r["period"], r["standing"]) for r in work["duty_reports"]} == {
        ("王芳", "2009H2", "overdue"),
        ("李强", "2009H2", "overdue"),
        ("刘洋", "2009H2", "overdue"),
    }
    branch.act(
        f"/members/{branch.members['王芳']}/duty-reports",
        {
            "period": "2009H2",
            "audience": "members",
            "submitted_on": date(2010, 1, 4),
            "summary": "联系五户，走访二十次",
        },
        expected=201,
    )
    branch.act(
        "/needs",
        {
            "household_id": branch.households["长安街3号"],
            "category": "living",
            "description": "楼道灯坏了",
            "raised_on": date(2009, 12, 1),
            "due_on": date(2010, 1, 1),
        },
        expected=201,
    )
    branch.rate("赵敏", 2009, "basically_qualified", shortcomings=["很少参加组织生活"])
    branch.act(
        "/hardships",
        {
            "member_id": branch.members["陈晨"],
            "kind": "medical",
            "description": "住院",
            "flagged_on": date(2009, 11, 20),
        },
        expected=201,
    )
    work = branch.read("/work")
    assert {r["member_name"] for r in work["duty_reports"]} == {"李强", "刘洋"}
    assert [n["address"] for n in work["needs"]] == ["长安街3号"]
    assert [(t["member_name"], t["grade"], t["since"]) for t in work["talks"]] == [
        ("赵敏", "basically_qualified", "2009-12-20")
    ]
    assert [h["member_name"] for h in work["hardships"]] == ["陈晨"]
    assert branch.read("/work", hardship_days=60)["hardships"] == []

    branch.act(
        f"/members/{branch.members['赵敏']}/talks",
        {"held_by": "张书记", "held_on": date(2010, 1, 5), "notes": "谈心谈话"},
        expected=201,
    )
    assert branch.read("/work")["talks"] == []


def test_a_member_sees_their_own_work(
    client: TestClient, branch: Branch, sqlite_settings: Settings
) -> None:
    token = bearer(
        sqlite_settings,
        Role.MEMBER,
        "wangfang",
        branch_id=UUID(branch.id),
        member_id=UUID(branch.members["王芳"]),
        grants=frozenset(),
    )
    answer = client.get(
        f"{branch.base}/work",
        params={"within_days": 30, "min_position": branch.position},
        headers=token,
    )
    assert answer.status_code == 200, answer.text
    assert [v["address"] for v in answer.json()["visits"]] == ["长安街1号", "长安街2号"]
    assert [r["member_name"] for r in answer.json()["duty_reports"]] == ["王芳"]


def test_a_schedule_for_a_tag_and_a_household_at_once_is_refused(branch: Branch) -> None:
    before = branch.position
    refused = branch.commands.post(
        f"{branch.base}/visit-schedules",
        json={
            "every_days": 7,
            "tag": "独居老人",
            "household_id": branch.households["长安街1号"],
            "set_on": "2010-01-05",
        },
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    branch.act("/visit-schedules", {"every_days": None, "tag": "独居老人", "set_on": "2010-01-05"})
    assert branch.position == before + 1
    assert households(branch.read("/work", within_days=30), "overdue") == []  # monthly again


def test_the_embedded_notifier_puts_reminders_in_the_inbox_once_and_records_them(
    tmp_path: Path, clock: FixedClock
) -> None:
    settings = embedded_settings(tmp_path).with_overrides(
        notifier_interval_seconds=0.05, quiet_hours=""
    )
    with TestClient(create_app(settings, clock), headers=bearer(settings)) as client:
        branch = Branch(client, client)
        tell_the_story(branch)
        branch.act(
            "/visit-schedules", {"every_days": 7, "tag": "独居老人", "set_on": date(2009, 12, 25)}
        )
        clock.advance(timedelta(days=6))  # 2009-12-31: 长安街1号 is due on 2010-01-01
        wang = bearer(
            settings,
            Role.MEMBER,
            "wangfang",
            branch_id=UUID(branch.id),
            member_id=UUID(branch.members["王芳"]),
            grants=frozenset(),
        )
        reminders = wait_for(lambda: client.get("/v1/inbox", headers=wang).json()["reminders"])
        time.sleep(0.3)  # more rounds make nothing new
        reminders = client.get("/v1/inbox", headers=wang).json()["reminders"]
        me = branch.members["王芳"]
        assert sorted((r["what"], r["kind"], r["due_on"]) for r in reminders) == [
            (f"report:{me}:2009H1", "overdue", "2009-06-30"),
            (f"report:{me}:2009H2", "upcoming", "2009-12-31"),  # today
            (f"visit:{branch.households['长安街1号']}", "upcoming", "2010-01-01"),
        ]
        bodies = {r["what"].split(":")[0]: r["body"] for r in reminders}
        assert "王芳联系的长安街1号（一巷）应于2010年1月1日走访" in bodies["visit"]
        recorded = wait_for(
            lambda: client.get("/v1/audit/events", params={"type": "ReminderSent"}).json()["events"]
        )
        assert {e["actor"] for e in recorded} == {"notifier"}


def wait_for(look: Callable[[], list[Any]]) -> list[Any]:
    deadline = time.monotonic() + 30
    while not (found := look()):
        assert time.monotonic() < deadline, "nothing came"
        time.sleep(0.05)
    return found
