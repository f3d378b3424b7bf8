"""Each rule of the branch's work refuses over HTTP with its own problem type, and a
refused command writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from bench.stack import bearer
from services.demo.client import Branch, tell_the_story
from services.embedded import create_app
from shared.settings import Settings


@pytest.fixture
def branch(sqlite_settings: Settings) -> Iterator[Branch]:
    with TestClient(create_app(sqlite_settings), headers=bearer(sqlite_settings)) as client:
        story = Branch(client, client)
        tell_the_story(story)
        yield story


def refused(branch: Branch, path: str, body: dict[str, Any], status: int, slug: str) -> None:
    before = branch.commands.get("/v1/projections").json()["head"]
    response = branch.commands.post(
        f"{branch.base}{path}",
        json={k: v.isoformat() if isinstance(v, date) else v for k, v in body.items()},
    )
    assert response.status_code == status, (path, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == f"/problems/{slug}", response.text
    assert branch.commands.get("/v1/projections").json()["head"] == before, "nothing written"


def test_life_cycle_rules(branch: Branch) -> None:
    wang, zhao = branch.members["王芳"], branch.members["赵敏"]
    refused(
        branch,
        f"/members/{wang}/transfer",
        {"group_id": branch.groups["第一党小组"], "transferred_on": date(2009, 5, 1)},
        409,
        "already-in-group",
    )
    refused(
        branch,
        f"/groups/{branch.groups['第一党小组']}/dissolution",
        {"dissolved_on": date(2009, 5, 1)},
        409,
        "group-not-empty",
    )
    refused(
        branch,
        f"/volunteer-team/members/{wang}/departure",
        {"left_on": date(2009, 5, 1)},
        409,
        "not-in-volunteer-team",
    )
    refused(
        branch,
        f"/households/{branch.households['长安街6号']}/unlink",
        {"unlinked_on": date(2009, 5, 1)},
        409,
        "household-not-linked",
    )
    refused(
        branch,
        f"/posts/{branch.posts['政策宣传岗']}/relief",
        {"member_id": zhao, "relieved_on": date(2009, 5, 1)},
        409,
        "not-a-post-holder",
    )
    refused(
        branch,
        f"/members/{zhao}/duty-reports",
        {
            "period": "2009H2",
            "audience": "members",
            "submitted_on": date(2009, 12, 1),
            "summary": "x",
        },
        409,
        "member-links-no-households",
    )
    refused(
        branch,
        f"/members/{wang}/duty-reports",
        {
            "period": "2009H3",
            "audience": "members",
            "submitted_on": date(2009, 12, 1),
            "summary": "x",
        },
        422,
        "validation-error",
    )
    branch.act(
        f"/members/{zhao}/departure", {"reason": "transferred_out", "left_on": date(2009, 11, 30)}
    )
    refused(
        branch,
        f"/members/{zhao}/departure",
        {"reason": "other", "left_on": date(2009, 12, 1)},
        409,
        "member-has-left",
    )
    refused(
        branch,
        "/visits",
        {
            "member_id": zhao,
            "household_id": branch.households["长安街6号"],
            "visited_on": date(2009, 12, 5),
            "purpose": "x",
        },
        409,
        "member-has-left",
    )


def test_appraisal_rules(branch: Branch) -> None:
    wang, li, zhang = branch.members["王芳"], branch.members["李强"], branch.members["张书记"]
    refused(
        branch,
        "/appraisals",
        {"year": 2009, "opened_on": date(2009, 12, 2)},
        409,
        "appraisal-already-opened",
    )
    # A year whose appraisal was never opened is not open: not a missing resource.
    refused(
        branch,
        "/appraisals/2008/ballots",
        {"member_id": wang, "voter_kind": "member", "grade": "good"},
        409,
        "appraisal-not-open",
    )
    refused(
        branch,
        "/appraisals/2008/closure",
        {"closed_on": date(2009, 1, 5)},
        409,
        "appraisal-not-open",
    )
    unknown = branch.commands.post(
        f"/v1/branches/{uuid4()}/appraisals/2009/ballots",
        json={"member_id": wang, "voter_kind": "member", "grade": "good"},
    )
    assert (unknown.status_code, unknown.json()["type"]) == (404, "/problems/not-found")
    refused(
        branch,
        "/appraisals/2009/ballots",
        {"member_id": wang, "voter_kind": "member", "grade": "good"},
        409,
        "appraisal-not-open",
    )
    refused(
        branch,
        f"/members/{zhang}/ratings",
        {"year": 2009, "grade": "excellent"},
        409,
        "excellent-quota-exceeded",
    )
    refused(
        branch,
        f"/members/{zhang}/ratings",
        {"year": 2009, "grade": "unqualified"},
        409,
        "shortcomings-required",
    )
    refused(
        branch,
        f"/members/{li}/ratings",
        {"year": 2008, "grade": "good"},
        409,
        "appraisal-not-closed",
    )
    branch.open_appraisal(2010, date(2010, 12, 1))
    refused(
        branch,
        f"/members/{li}/ratings",
        {"year": 2010, "grade": "good"},
        409,
        "appraisal-not-closed",
    )
    refused(
        branch,
        "/appraisals",
        {"year": 2011, "opened_on": date(2011, 1, 2), "excellent_share": 1.5},
        422,
        "validation-error",
    )


def test_campaign_need_and_care_rules(branch: Branch) -> None:
    wang = branch.members["王芳"]
    campaign = branch.act(
        "/campaigns",
        {"title": "整治", "purpose": "清理", "starts_on": date(2009, 5, 1)},
        expected=201,
    )["id"]
    refused(
        branch,
        f"/campaigns/{campaign}/outputs",
        {"metric": "Alleys Cleared", "quantity": 3, "recorded_on": date(2009, 5, 2)},
        422,
        "validation-error",
    )
    refused(
        branch,
        f"/campaigns/{campaign}/outputs",
        {"metric": "alleys_cleared", "quantity": 3, "recorded_on": date(2009, 4, 2)},
        422,
        "invalid-value",
    )
    refused(
        branch,
        f"/campaigns/{campaign}/outputs",
        {
            "metric": "alleys_cleared",
            "quantity": 3,
            "recorded_on": date(2009, 5, 2),
            "member_ids": [str(uuid4())],
        },
        422,
        "unknown-reference",
    )
    branch.act(f"/campaigns/{campaign}/closure", {"closed_on": date(2009, 6, 1)})
    refused(
        branch,
        f"/campaigns/{campaign}/closure",
        {"closed_on": date(2009, 6, 2)},
        409,
        "campaign-closed",
    )

    need = branch.act(
        "/needs",
        {
            "household_id": branch.households["长安街1号"],
            "category": "medical",
            "description": "量血压",
            "raised_on": date(2009, 10, 9),
        },
        expected=201,
    )["id"]
    branch.act(
        f"/needs/{need}/resolution", {"resolved_on": date(2009, 10, 10), "outcome": "已上门"}
    )
    refused(
        branch,
        f"/needs/{need}/assignment",
        {"member_id": wang, "assigned_on": date(2009, 10, 11)},
        409,
        "need-resolved",
    )
    needs = branch.read("/needs", status="all")
    assert needs["needs"][0]["due_on"] == "2009-11-08", "30 days by default"

    case = branch.act(
        "/hardships",
        {
            "member_id": wang,
            "kind": "medical",
            "description": "住院",
            "flagged_on": date(2009, 3, 1),
        },
        expected=201,
    )["id"]
    refused(
        branch,
        f"/hardships/{case}/helper",
        {"helper_id": wang, "paired_on": date(2009, 3, 2)},
        409,
        "helper-is-the-member",
    )
    branch.act(f"/hardships/{case}/closure", {"closed_on": date(2009, 4, 1), "outcome": "已康复"})
    refused(
        branch,
        f"/hardships/{case}/assistance",
        {"assisted_on": date(2009, 4, 2), "description": "x"},
        409,
        "hardship-closed",
    )


def test_only_a_years_members_take_part_in_it(branch: Branch) -> None:
    """Ballots, grades (and so the quota) and duty reports are for the members of
    that year or half year: enrolled by its end, not gone before its start."""
    gone = branch.enroll("孙离", "第一党小组", enrolled_on=date(2005, 3, 1))
    branch.act(f"/members/{gone}/departure", {"reason": "moved_away", "left_on": date(2009, 6, 1)})
    newcomer = branch.enroll("周新", "第一党小组")  # enrolled today
    branch.link("长安街6号", "周新")
    branch.open_appraisal(2010, date(2010, 12, 1))
    refused(
        branch,
        "/appraisals/2010/ballots",
        {"member_id": gone, "voter_kind": "member", "grade": "good"},
        409,
        "not-a-member-that-year",
    )
    branch.close_appraisal(2010, date(2010, 12, 20))
    refused(
        branch,
        f"/members/{gone}/ratings",
        {"year": 2010, "grade": "good"},
        409,
        "not-a-member-that-year",
    )
    refused(
        branch,
        f"/members/{newcomer}/ratings",
        {"year": 2009, "grade": "good"},
        409,
        "not-a-member-that-year",
    )
    refused(
        branch,
        f"/members/{newcomer}/duty-reports",
        {
            "period": "2009H2",
            "audience": "members",
            "submitted_on": date(2009, 12, 1),
            "summary": "x",
        },
        409,
        "not-a-member-that-year",
    )
    # Within their years both take part: the leaver in 2009, the newcomer now.
    branch.rate("孙离", 2009, "good")
    today = date.today()
    branch.act(
        f"/members/{newcomer}/duty-reports",
        {
            "period": f"{today.year}H{1 if today.month <= 6 else 2}",
            "audience": "members",
            "submitted_on": date.today(),
            "summary": "联户情况",
        },
        expected=201,
    )


def test_an_erased_household_takes_no_new_record(branch: Branch) -> None:
    """Every command that names a household refuses an erased one (409
    household-erased); what was recorded about it can still be put right."""
    address = "长安街1号"
    household = branch.households[address]
    visit = branch.visit("王芳", address, date(2009, 11, 20), "回访")
    branch.act(
        f"/households/{household}/erasure", {"erased_on": date(2009, 11, 28), "reason": "迁出"}
    )
    refused(
        branch,
        "/visits",
        {
            "member_id": branch.members["王芳"],
            "household_id": household,
            "visited_on": date(2009, 11, 27),
            "purpose": "走访",
        },
        409,
        "household-erased",
    )
    refused(
        branch,
        "/needs",
        {
            "household_id": household,
            "category": "medical",
            "description": "x",
            "raised_on": date(2009, 11, 28),
        },
        409,
        "household-erased",
    )
    refused(
        branch,
        f"/households/{household}/erasure",
        {"erased_on": date(2009, 11, 29), "reason": "x"},
        409,
        "household-erased",
    )
    branch.act(
        f"/visits/{visit}/correction", {"visited_on": date(2009, 11, 21), "reason": "记错日期"}
    )
    branch.act(f"/households/{household}/unlink", {"unlinked_on": date(2009, 11, 28)})
    refused(
        branch,
        f"/households/{household}/link",
        {"member_id": branch.members["刘洋"]},
        409,
        "household-erased",
    )
    branch.act(f"/visits/{visit}/retraction", {"reason": "重复登记"})


def test_a_group_meeting_is_held_by_its_members_and_shown_on_the_roster(branch: Branch) -> None:
    """RecordGroupMeeting: who attended is the group's members; the roster lists the
    group's meetings, latest first."""
    first = branch.groups["第一党小组"]
    wang, zhao = branch.members["王芳"], branch.members["赵敏"]  # 赵敏 is in another group
    meeting = {"held_on": "2009-11-20", "topic": "学习党章，部署冬季走访", "attendee_ids": [wang]}
    refused(
        branch,
        f"/groups/{first}/meetings",
        meeting | {"attendee_ids": [zhao]},
        409,
        "member-not-in-group",
    )
    refused(
        branch,
        f"/groups/{first}/meetings",
        meeting | {"held_on": "2999-01-01"},
        422,
        "invalid-value",
    )
    refused(
        branch, f"/groups/{first}/meetings", meeting | {"attendee_ids": []}, 422, "validation-error"
    )
    written = branch.write(f"{branch.base}/groups/{first}/meetings", meeting)
    roster = branch.read("/roster", min_position=written["position"])
    (group,) = [g for g in roster["groups"] if g["id"] == first]
    assert group["meetings"] == [
        {"held_on": "2009-11-20", "topic": "学习党章，部署冬季走访", "attendees": 1}
    ]
