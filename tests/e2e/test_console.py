"""The console (办理) in a real browser (Debian's headless Chromium driven by Playwright)
against a fresh `liaison run`: a branch is set up and run through its forms alone —
every command, by a role that may use it, written once and shown by the read models —
a refused command shows its reason at the field it concerns and writes nothing, and
each role is offered only the forms the policy allows it. Screenshots of the forms at
phone size (375×667) and on a desktop go to test-artifacts/console/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from bench.stack import liaison
from services.command.reminder_log import NOTIFIER
from services.demo.client import Branch
from tests.support.installed import fresh_install

SHOTS = Path("test-artifacts") / "console"
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class Served:
    url: str
    admin: str
    env: dict[str, str]
    branch: str = ""

    def get(self, path: str, **params: Any) -> Any:
        answer = httpx.get(f"{self.url}{path}", params=params, headers=bearer(self.admin))
        assert answer.status_code == 200, answer.text
        return answer.json()

    def head(self) -> int:
        head: int = self.get("/v1/audit/events", limit=1)["head"]
        return head

    def events_after(self, position: int) -> list[dict[str, Any]]:
        """The events written since ``position`` by people: the in-process notifier
        records the reminders it sends (once schedules make visits due) at any moment."""
        events: list[dict[str, Any]] = self.get("/v1/audit/events", after=position, limit=1000)[
            "events"
        ]
        return [event for event in events if event["actor"] != NOTIFIER.subject]

    def token(self, subject: str, role: str, *claims: str) -> str:
        made = liaison(self.env, "token", "create", "--subject", subject, "--role", role, *claims)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with fresh_install(tmp_path_factory.mktemp("console")) as installed:
        yield Served(installed.url, installed.admin_token, installed.env)


@pytest.fixture(scope="module")
def small_branch(served: Served) -> str:
    """A branch of its own (one group, one member) for the tests that need one but not
    the first test's: each runs alone too."""
    with httpx.Client(base_url=served.url, headers=bearer(served.admin)) as client:
        branch = Branch(client, client).register("长安社区第二党支部")
        branch.form_group("第一党小组")
        branch.enroll("周红", "第一党小组")
        branch.read("/roster")  # once the read models hold it
    return branch.id


def signed_in(
    browser: Browser, served: Served, token: str, viewport: dict[str, int], branch: str = ""
) -> Page:
    page = browser.new_page(viewport=viewport, locale="zh-CN")  # type: ignore[arg-type]
    page.add_init_script(f"sessionStorage.setItem('liaison.token', {json.dumps(token)})")
    page.goto(f"{served.url}/dashboard#/console?branch={branch or served.branch}")
    page.wait_for_selector("main[data-ready='console']")
    return page


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_form(page: Page, op: str) -> None:
    page.click(f"[data-testid='menu-{op}']")
    page.wait_for_selector(f"[data-testid='form-{op}']")


def fill(page: Page, values: dict[str, Any]) -> None:
    """Fills a form as a person would: picks options by the words they show."""
    for name, value in values.items():
        target = page.locator(f"#f-{name}")
        tag = target.evaluate("el => el.tagName")
        if tag == "SELECT":
            options = target.locator("option").all()
            [chosen] = [o.get_attribute("value") for o in options if value in o.inner_text()]
            target.select_option(value=chosen)
        elif tag == "DIV":  # several members: their checkboxes
            for wanted in value:
                target.locator("label", has_text=wanted).locator("input").check()
        elif isinstance(value, bool):
            target.set_checked(value)
        else:
            target.fill(str(value))


def write(
    page: Page, served: Served, op: str, values: dict[str, Any], event: str
) -> list[dict[str, Any]]:
    """Submits one form; exactly one request's events are written, among them `event`."""
    before = served.head()
    page.goto(f"{served.url}/dashboard#/console?p=forms&form={op}&branch={served.branch}")
    page.wait_for_selector(f"[data-testid='form-{op}']")
    fill(page, values)
    page.click("[data-testid='submit']")
    page.wait_for_selector("[data-testid='done']:not(:empty)")
    written = served.events_after(before)
    assert event in [e["type"] for e in written], (op, written)
    assert len({e["correlation_id"] for e in written}) == 1, op  # one request
    return written


def refused(page: Page, served: Served, op: str, values: dict[str, Any], field: str) -> str:
    """Submits a form that breaks a rule: the reason shows at `field`, nothing is written."""
    before = served.head()
    page.goto(f"{served.url}/dashboard#/console?p=forms&form={op}&branch={served.branch}")
    page.wait_for_selector(f"[data-testid='form-{op}']")
    fill(page, values)
    page.click("[data-testid='submit']")
    error = page.locator(f"[data-testid='error-{field}']")
    error.wait_for(state="visible")
    assert served.events_after(before) == [], op
    return error.inner_text()


def test_a_branch_is_set_up_and_run_through_its_forms(browser: Browser, served: Served) -> None:
    today = date.today().isoformat()
    year = date.today().year
    first_half = date.today().month <= 6
    half = f"{year}年{'上' if first_half else '下'}半年"
    period = f"{year}H{1 if first_half else 2}"

    # The committee registers the branch (no branch yet: the console offers just that).
    page = signed_in(browser, served, served.admin, DESKTOP)
    write(page, served, "register_branch", {"name": "长安社区党支部"}, "BranchRegistered")
    [branch] = served.get("/v1/branches")["branches"]
    assert branch["name"] == "长安社区党支部"
    served.branch = branch["id"]
    secretary = served.token("secretary-li", "branch_secretary", "--branch", served.branch)

    page = signed_in(browser, served, secretary, DESKTOP)
    shot(page, "menu-secretary-desktop")
    base = f"/v1/branches/{served.branch}"
    for name in ("第一党小组", "第二党小组", "第三党小组"):
        write(page, served, "form_group", {"name": name, "basis": "居住相近"}, "GroupFormed")
    people = {
        "张建国": ("第一党小组", "社区党员", False),
        "李秀英": ("第一党小组", "离退休党员", False),
        "王志强": ("第二党小组", "在职党员", False),
        "赵红梅": ("第二党小组", "社区党员", True),
    }
    for name, (group, category, office) in people.items():
        write(
            page,
            served,
            "enroll_member",
            {
                "name": name,
                "category": category,
                "status": "正式党员",
                "group_id": group,
                "holds_office": office,
                "phone": "13912345678",
            },
            "MemberEnrolled",
        )
    write(
        page,
        served,
        "enroll_member",
        {
            "name": "刘小军",
            "category": "流动党员",
            "status": "预备党员",
            "group_id": "第二党小组",
            "holds_office": False,
        },
        "MemberEnrolled",
    )
    roster = served.get(f"{base}/roster")
    assert {m["name"] for g in roster["groups"] for m in g["members"]} == {*people, "刘小军"}
    write(
        page,
        served,
        "appoint_group_leader",
        {"group_id": "第一党小组", "member_id": "张建国"},
        "GroupLeaderAppointed",
    )
    write(
        page,
        served,
        "record_group_meeting",
        {
            "group_id": "第一党小组",
            "held_on": today,
            "topic": "学习党章",
            "attendee_ids": ["张建国", "李秀英"],
        },
        "GroupMeetingHeld",
    )
    write(
        page,
        served,
        "dissolve_group",
        {"group_id": "第三党小组", "dissolved_on": today},
        "GroupDissolved",
    )
    write(
        page,
        served,
        "transfer_member",
        {"member_id": "李秀英", "group_id": "第二党小组", "transferred_on": today},
        "MemberTransferred",
    )
    roster = served.get(f"{base}/roster")
    groups = {g["name"]: g for g in roster["groups"]}
    names = {m["id"]: m["name"] for g in roster["groups"] for m in g["members"]}
    assert names[groups["第一党小组"]["leader_id"]] == "张建国"
    assert "李秀英" in {m["name"] for m in groups["第二党小组"]["members"]}
    assert "第三党小组" not in groups

    write(
        page,
        served,
        "join_volunteer_team",
        {"member_id": "王志强", "joined_on": today},
        "VolunteerTeamJoined",
    )
    write(
        page,
        served,
        "join_volunteer_team",
        {"member_id": "李秀英", "joined_on": today},
        "VolunteerTeamJoined",
    )
    write(
        page,
        served,
        "leave_volunteer_team",
        {"member_id": "李秀英", "left_on": today},
        "VolunteerTeamLeft",
    )
    team = served.get(f"{base}/roster")["volunteer_team"]
    assert [v["name"] for v in team] == ["王志强"]

    write(
        page,
        served,
        "establish_post",
        {"kind": "政策宣传", "title": "政策宣传岗", "duties": "宣传惠民政策", "capacity": "2"},
        "PostEstablished",
    )
    write(
        page,
        served,
        "assign_post",
        {
            "post_id": "政策宣传岗",
            "member_id": "张建国",
            "service_content": "每周宣讲一次",
            "pledge": "有求必应",
        },
        "PostAssigned",
    )
    write(
        page,
        served,
        "assign_post",
        {
            "post_id": "政策宣传岗",
            "member_id": "王志强",
            "service_content": "发放宣传单",
            "pledge": "风雨无阻",
        },
        "PostAssigned",
    )
    write(
        page,
        served,
        "relieve_post",
        {"post_id": "政策宣传岗", "member_id": "王志强", "relieved_on": today},
        "PostRelieved",
    )
    [post] = served.get(f"{base}/posts")["posts"]
    assert [(h["name"], h["pledge"]) for h in post["holders"]] == [("张建国", "有求必应")]

    long_address = "黑龙江省同江市城市社区长安街道幸福胡同东三巷第十二号院二单元三楼左手边"
    for address, head in (
        (long_address, "陈大爷"),
        ("长安街2号", "周阿姨"),
        ("长安街10号", "吴师傅"),
    ):
        write(
            page,
            served,
            "register_household",
            {"address": address, "area": "一巷", "head_name": head, "tags": "独居老人\n低保"},
            "HouseholdRegistered",
        )
    write(
        page,
        served,
        "link_household",
        {"household_id": "陈大爷", "member_id": "张建国"},
        "HouseholdLinked",
    )
    write(
        page,
        served,
        "link_household",
        {"household_id": "周阿姨", "member_id": "李秀英"},
        "HouseholdLinked",
    )
    write(
        page,
        served,
        "unlink_household",
        {"household_id": "周阿姨", "unlinked_on": today},
        "HouseholdUnlinked",
    )
    write(
        page,
        served,
        "set_visit_schedule",
        {"every_days": 7, "tag": "独居老人", "set_on": today},
        "VisitScheduleSet",
    )
    write(
        page,
        served,
        "erase_household",
        {"household_id": "吴师傅", "erased_on": today, "reason": "已搬离，本人要求删除"},
        "HouseholdErased",
    )

    # A refusal: the household already has its member, said at the household's field.
    reason = refused(
        page,
        served,
        "link_household",
        {"household_id": "陈大爷", "member_id": "王志强"},
        "household_id",
    )
    assert reason == "该户已有联系党员"
    shot(page, "refused-link-desktop")

    write(
        page,
        served,
        "record_visit",
        {
            "member_id": "张建国",
            "household_id": "陈大爷",
            "visited_on": today,
            "purpose": "节日慰问",
            "notes": "身体健康，需要换煤气罐",
        },
        "VisitRecorded",
    )
    write(
        page,
        served,
        "record_visit",
        {
            "member_id": "张建国",
            "household_id": "陈大爷",
            "visited_on": today,
            "purpose": "了解诉求",
        },
        "VisitRecorded",
    )
    write(
        page,
        served,
        "correct_visit",
        {"visit_id": "节日慰问", "purpose": "春节慰问", "reason": "事由写错了"},
        "VisitCorrected",
    )
    write(
        page,
        served,
        "retract_visit",
        {"visit_id": "了解诉求", "reason": "重复登记"},
        "VisitRetracted",
    )
    chen = served.get(f"{base}/coverage/households", visited="true")["households"]
    assert [(h["head_name"], h["last_visited_on"]) for h in chen] == [("陈大爷", today)]
    coverage = served.get(f"{base}/coverage", **{"from": today, "to": today})
    assert coverage["visits"] == 1  # the retracted one does not count

    write(
        page,
        served,
        "launch_campaign",
        {"title": "环境卫生整治", "purpose": "清理楼道杂物", "starts_on": today},
        "CampaignLaunched",
    )
    write(
        page,
        served,
        "record_campaign_output",
        {
            "campaign_id": "环境卫生整治",
            "metric": "清理巷道",
            "quantity": "3",
            "recorded_on": today,
            "member_ids": ["张建国", "王志强"],
            "volunteers": "5",
        },
        "CampaignOutputRecorded",
    )
    write(
        page,
        served,
        "close_campaign",
        {"campaign_id": "环境卫生整治", "closed_on": today},
        "CampaignClosed",
    )
    [campaign] = served.get(f"{base}/campaigns")["campaigns"]
    assert (campaign["tallies"], campaign["closed_on"]) == ({"alleys_cleared": 3}, today)

    write(
        page,
        served,
        "raise_need",
        {
            "household_id": "陈大爷",
            "category": "生活",
            "description": "煤气罐需要更换",
            "raised_on": today,
        },
        "NeedRaised",
    )
    write(
        page,
        served,
        "assign_need",
        {"need_id": "煤气罐", "member_id": "张建国", "assigned_on": today},
        "NeedAssigned",
    )
    assert served.get(f"{base}/needs")["needs"][0]["assigned_member_name"] == "张建国"
    write(
        page,
        served,
        "resolve_need",
        {"need_id": "煤气罐", "resolved_on": today, "outcome": "已联系燃气公司更换"},
        "NeedResolved",
    )
    assert served.get(f"{base}/needs", status="resolved")["counts"]["resolved"] == 1

    write(
        page,
        served,
        "submit_duty_report",
        {
            "member_id": "张建国",
            "period": half,
            "audience": "党员大会",
            "submitted_on": today,
            "summary": "联系住户一户，走访一次",
        },
        "DutyReportSubmitted",
    )
    write(
        page,
        served,
        "record_talk",
        {"member_id": "王志强", "held_by": "李书记", "held_on": today, "notes": "谈工作安排"},
        "TalkRecorded",
    )
    write(
        page,
        served,
        "grant_reward",
        {"member_id": "张建国", "kind": "精神奖励", "reason": "服务群众热情", "granted_on": today},
        "RewardGranted",
    )
    write(
        page, served, "open_appraisal", {"year": str(year), "opened_on": today}, "AppraisalOpened"
    )
    write(
        page,
        served,
        "cast_ballot",
        {"year": str(year), "member_id": "张建国", "voter_kind": "党员", "grade": "优秀"},
        "BallotCast",
    )
    write(
        page, served, "close_appraisal", {"year": str(year), "closed_on": today}, "AppraisalClosed"
    )
    # A low grade without its shortcomings: refused at the shortcomings' field.
    reason = refused(
        page,
        served,
        "rate_member",
        {"member_id": "李秀英", "year": str(year), "grade": "基本合格"},
        "shortcomings",
    )
    assert reason == "评为基本合格或不合格，须写明存在的不足"
    shot(page, "refused-grade-desktop")
    write(
        page,
        served,
        "rate_member",
        {
            "member_id": "李秀英",
            "year": str(year),
            "grade": "基本合格",
            "shortcomings": "走访次数少\n述职不及时",
        },
        "MemberRated",
    )
    evaluations = served.get(f"{base}/evaluations", year=year)
    assert evaluations["distribution"]["basically_qualified"] == 1
    members = {m["name"]: m for m in evaluations["members"]}
    assert members["张建国"]["ballots"]["by_grade"]["excellent"] == 1
    assert members["张建国"]["duty_reports"][period]["summary"] == "联系住户一户，走访一次"
    assert [r["reason"] for r in members["张建国"]["rewards"]] == ["服务群众热情"]
    assert [t["held_by"] for t in members["王志强"]["talks"]] == ["李书记"]
    assert members["李秀英"]["shortcomings"] == ["走访次数少", "述职不及时"]

    write(
        page,
        served,
        "flag_hardship",
        {"member_id": "王志强", "kind": "就医", "description": "家属住院", "flagged_on": today},
        "HardshipFlagged",
    )
    write(
        page,
        served,
        "pair_helper",
        {"hardship_id": "王志强", "helper_id": "张建国", "paired_on": today},
        "HelperPaired",
    )
    write(
        page,
        served,
        "record_assistance",
        {"hardship_id": "王志强", "assisted_on": today, "description": "陪同就医"},
        "AssistanceRecorded",
    )
    write(
        page,
        served,
        "close_hardship",
        {"hardship_id": "王志强", "closed_on": today, "outcome": "家属已出院"},
        "HardshipClosed",
    )
    write(
        page,
        served,
        "member_leaves",
        {"member_id": "刘小军", "reason": "迁出", "left_on": today},
        "MemberLeft",
    )
    roster = served.get(f"{base}/roster")
    [hardship] = roster["hardships"]
    assert (hardship["helper_name"], hardship["assistance_count"], hardship["closed_on"]) == (
        "张建国",
        1,
        today,
    )
    assert [d["name"] for d in roster["departed"]] == ["刘小军"]

    # Every command the API declares had its form, and each wrote once.
    doc = served.get("/openapi.json")
    commands = {
        o["operationId"]
        for path, methods in doc["paths"].items()
        for verb, o in methods.items()
        if verb == "post"
        and path.startswith("/v1/branches")
        # Commands take JSON (an upload, the import, has its own page).
        and "application/json" in o.get("requestBody", {}).get("content", {})
    }
    written = {e["type"] for e in served.events_after(0)}
    assert len(commands) == 38 and "RecordExport" not in written


def test_a_missing_field_is_said_at_that_field(browser: Browser, served: Served) -> None:
    page = signed_in(browser, served, served.admin, PHONE)
    before = served.head()
    page.goto(f"{served.url}/dashboard#/console?p=forms&form=register_household")
    page.wait_for_selector("[data-testid='form-register_household']")
    page.fill("#f-address", "长安街8号")
    page.click("[data-testid='submit']")
    page.wait_for_selector("[data-testid='error-area']:not(:empty)")
    assert page.inner_text("[data-testid='error-area']") == "必填"
    assert page.inner_text("[data-testid='error-head_name']") == "必填"
    assert served.events_after(before) == []
    shot(page, "refused-missing-phone")


@pytest.mark.parametrize(
    ("role", "offered", "not_offered"),
    [
        ("member", {"record_visit", "raise_need", "submit_duty_report"}, {"enroll_member"}),
        ("group_leader", {"record_visit", "assign_need", "resolve_need"}, {"link_household"}),
        ("mass_representative", {"cast_ballot"}, {"record_visit", "open_appraisal"}),
    ],
)
def test_each_role_sees_only_the_forms_it_may_use(
    browser: Browser,
    served: Served,
    small_branch: str,
    *,
    role: str,
    offered: set[str],
    not_offered: set[str],
) -> None:
    roster = served.get(f"/v1/branches/{small_branch}/roster")
    first = roster["groups"][0]
    claims = ["--branch", small_branch]
    if role == "member":
        claims += ["--member", first["members"][0]["id"]]
    if role == "group_leader":
        claims += ["--group", first["id"]]
    token = served.token(f"{role.replace('_', '-')}-1", role, *claims)
    page = signed_in(browser, served, token, PHONE, small_branch)
    shown = {
        (link.get_attribute("data-testid") or "").removeprefix("menu-")
        for link in page.locator("a.menu-item").all()
    }
    may = set(httpx.get(f"{served.url}/v1/auth/whoami", headers=bearer(token)).json()["may"])
    assert offered <= shown and not (not_offered & shown)
    assert shown <= may
    shot(page, f"menu-{role}-phone")


def test_an_auditor_has_no_console(browser: Browser, served: Served) -> None:
    token = served.token("auditor-1", "auditor")
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")  # type: ignore[arg-type]
    page.add_init_script(f"sessionStorage.setItem('liaison.token', {json.dumps(token)})")
    page.goto(f"{served.url}/dashboard#/roster")
    page.wait_for_selector("main[data-ready]")
    assert page.is_hidden("[data-testid='nav-console']")


def test_forms_fit_a_phone_and_speak_english_after_the_switch(
    browser: Browser, served: Served, small_branch: str
) -> None:
    secretary = served.token("secretary-zhao", "branch_secretary", "--branch", small_branch)
    page = signed_in(browser, served, secretary, PHONE, small_branch)
    shot(page, "menu-secretary-phone")
    open_form(page, "record_visit")
    assert page.inner_text("label[for='f-household_id']").startswith("住户")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing wider than the phone
    shot(page, "form-record_visit-phone")
    page.click("[data-testid='lang']")
    page.wait_for_selector("[data-testid='form-record_visit'] h2:text('Record a visit')")
    assert page.inner_text("label[for='f-household_id']").startswith("Household")
    shot(page, "form-record_visit-phone-en")
    page.click("[data-testid='lang']")  # back to Chinese, for the next tests
    page = signed_in(browser, served, secretary, DESKTOP, small_branch)
    open_form(page, "assign_post")
    shot(page, "form-assign_post-desktop")
