"""The member's phone (/phone) in a real browser (Debian's headless Chromium driven by
Playwright, 375×667) against a fresh `liaison run`: with the browser offline a member
records visits one at a time and on a round, reloads (the service worker still serves
the app), closes it and opens it again (signing in again, still offline); back online
every visit lands exactly once — in the order captured, also when the first attempt
is cut off after the server received it and is sent again with its Idempotency-Key —
and one the server refuses (the household was erased meanwhile) is shown with its
reason and kept until the member discards it. Screenshots and the figures go to
test-artifacts/phone/."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, Route

from bench.stack import liaison
from tests.support.installed import fresh_install

ARTIFACTS = Path("test-artifacts") / "phone"
PHONE = {"width": 375, "height": 667}
ADDRESSES = [
    "长安街1号",
    "长安街2号",
    "长安街10号",
    "黑龙江省同江市城市社区长安街道幸福胡同东三巷第十二号院二单元三楼左手边",
    "一巷5号",
    "二巷8号",
]


@dataclass
class Branch:
    url: str
    admin: str
    id: str
    member: str  # the member's token
    households: dict[str, str]  # address -> id
    data: Path

    def post(self, path: str, body: dict[str, Any]) -> Any:
        answer = httpx.post(f"{self.url}/v1{path}", json=body, headers=bearer(self.admin))
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def get(self, path: str, **params: Any) -> Any:
        answer = httpx.get(f"{self.url}{path}", params=params, headers=bearer(self.admin))
        assert answer.status_code == 200, answer.text
        return answer.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Branch]:
    """A branch with one member linked to six households, told over HTTP."""
    data = tmp_path_factory.mktemp("phone")
    with fresh_install(data) as installed:
        env = installed.env
        b = Branch(installed.url, installed.admin_token, "", "", {}, data)
        b.id = b.post("/branches", {"name": "长安社区党支部"})["id"]
        base = f"/branches/{b.id}"
        group = b.post(f"{base}/groups", {"name": "第一党小组", "basis": "residence"})["id"]
        member = b.post(
            f"{base}/members",
            {
                "name": "张建国",
                "category": "retired",
                "status": "full",
                "group_id": group,
                "holds_office": False,
            },
        )["id"]
        for address in ADDRESSES:
            household = b.post(
                f"{base}/households", {"address": address, "area": "一巷", "head_name": "陈大爷"}
            )["id"]
            b.post(f"{base}/households/{household}/link", {"member_id": member})
            b.households[address] = household
        made = liaison(
            env, "token", "create", "--subject", "zhang", "--role", "member",
            "--branch", b.id, "--member", member,
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        b.member = made.stdout.strip()
        yield b


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """``full_page=False``: what the phone's screen shows (a full-page capture scrolls
    the page, so a sticky header lands elsewhere than the member sees it)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def sign_in(page: Page, branch: Branch) -> None:
    page.goto(f"{branch.url}/phone")
    page.fill("[data-testid='signin'] textarea", branch.member)
    page.click("[data-testid='signin'] button")
    page.wait_for_selector("#view[data-ready='households']")


def household(page: Page, address: str) -> Any:
    return page.locator("[data-testid='household']", has_text=address)


def record(page: Page, purpose: str, notes: str = "") -> None:
    page.fill("[data-testid='purpose']", purpose)
    if notes:
        page.fill("[data-testid='notes']", notes)
    assert page.input_value("[data-testid='visited-on']") == date.today().isoformat()
    page.click("[data-testid='save']")
    page.wait_for_selector("[data-testid='visit-form']", state="detached")


def pending(page: Page) -> str:
    return page.inner_text("[data-testid='pending-count']").strip()


def test_visits_recorded_offline_land_exactly_once(browser: Browser, branch: Branch) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")  # type: ignore[arg-type]
    page = context.new_page()
    sign_in(page, branch)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert page.locator("[data-testid='household']").count() == len(ADDRESSES)
    shot(page, "households")

    # Offline: three visits one tap each, then a round of three households at once.
    context.set_offline(True)
    page.wait_for_selector("[data-testid='net'].off")
    for address, purpose in zip(ADDRESSES[:3], ("节日慰问", "政策宣传", "了解诉求"), strict=True):
        household(page, address).locator("[data-testid='visit']").click()
        if address == ADDRESSES[0]:
            shot(page, "visit-sheet", full_page=False)
        record(page, purpose, notes="老人身体健康，需要换煤气罐" if address == ADDRESSES[0] else "")
    for address in ADDRESSES[3:]:
        household(page, address).locator("input[type=checkbox]").check()
    shot(page, "round-chosen")
    page.click("[data-testid='round']")
    record(page, "日常走访")
    assert pending(page) == "6"
    shot(page, "captured-offline")

    page.reload()  # still served, offline
    page.wait_for_selector("#view[data-ready='households']")
    assert page.is_visible("[data-testid='offline-data']")
    assert pending(page) == "6"
    assert household(page, ADDRESSES[3]).inner_text().count("待同步") == 1
    page.close()

    # Closed and opened again, still offline: sign in again (the tab kept the token).
    page = context.new_page()
    sign_in(page, branch)
    assert pending(page) == "6"
    page.goto(f"{branch.url}/phone#/outbox")
    page.wait_for_selector("#view[data-ready='outbox']")
    states = page.locator("[data-testid='item-state']").all_inner_texts()
    assert states == ["待同步"] * 6
    shot(page, "outbox-offline")
    bodies = page.evaluate(
        """() => new Promise((done) => {
             const open = indexedDB.open("liaison-phone");
             open.onsuccess = () => {
               const all = open.result.transaction("outbox").objectStore("outbox").getAll();
               all.onsuccess = () => done(all.result.map((i) => ({key: i.key, id: i.body.id})));
             };
           })"""
    )
    captured = [b["id"] for b in bodies]
    assert len(set(captured)) == 6 and len({b["key"] for b in bodies}) == 6

    # Meanwhile the last household of the round asked to be forgotten.
    erased = ADDRESSES[-1]
    branch.post(
        f"/branches/{branch.id}/households/{branch.households[erased]}/erasure",
        {"erased_on": date.today().isoformat(), "reason": "本人要求删除"},
    )

    # Back online, the first attempt is cut off after the server has received it.
    attempts: list[dict[str, Any]] = []
    cut: list[str] = []

    def watch(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/visits"):
            attempts.append(
                {
                    "key": request.headers["idempotency-key"],
                    "id": json.loads(request.post_data or "")["id"],
                }
            )

    def cut_off_first(route: Route) -> None:
        if cut:
            route.continue_()
            return
        answer = route.fetch()  # the server receives and records it ...
        cut.append(str(answer.status))
        route.abort("connectionreset")  # ... and its answer never arrives

    context.on("request", watch)
    context.route("**/visits", cut_off_first)
    context.set_offline(False)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        states = page.locator("[data-testid='item-state']").all_inner_texts()
        if states == ["未被接受"]:
            break
        page.wait_for_timeout(500)
    assert states == ["未被接受"], states
    assert cut == ["201"]
    refusal = page.inner_text("[data-testid='refusal']")
    assert "该户个人信息已删除" in refusal
    shot(page, "refused-on-sync")

    # Exactly once: five recorded, in the order captured, each id once.
    recorded = branch.get(
        "/v1/audit/events", branch_id=branch.id, type="VisitRecorded", limit=1000
    )["events"]
    assert [e["stream_id"] for e in recorded] == captured[:5]
    today = date.today().isoformat()
    coverage = branch.get(f"/v1/branches/{branch.id}/coverage", **{"from": today, "to": today})
    assert coverage["visits"] == 5
    keys = [a["key"] for a in attempts]
    assert keys[0] == keys[1]  # the cut-off one sent again with its key
    assert len(attempts) == 7 and len(set(keys)) == 6

    # The refusal is kept (also across a reload) until the member discards it.
    page.reload()
    page.wait_for_selector("[data-testid='refusal']")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid='discard']")
    page.wait_for_selector("[data-testid='all-sent']")
    assert pending(page) == ""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    figures = {
        "visits_captured": 6,
        "attempts": len(attempts),
        "cut_off": len(cut),
        "recorded": len(recorded),
        "refused": 1,
        "duplicates": len(recorded) - len({e["stream_id"] for e in recorded}),
        "coverage_visits_today": coverage["visits"],
    }
    (ARTIFACTS / "offline.json").write_text(json.dumps(figures, indent=2) + "\n")
    assert figures["duplicates"] == 0
    context.close()


def test_a_group_leader_finds_one_of_200_households_and_records_for_a_member(
    browser: Browser, branch: Branch
) -> None:
    base = f"/branches/{branch.id}"
    roster = branch.get(f"/v1{base}/roster")
    [group] = roster["groups"]
    li = branch.post(
        f"{base}/members",
        {
            "name": "李秀英",
            "category": "community",
            "status": "full",
            "group_id": group["id"],
            "holds_office": False,
        },
    )["id"]
    for number in range(1, 201):
        registered = branch.post(
            f"{base}/households",
            {"address": f"幸福里{number}号", "area": "二巷", "head_name": f"住户{number}"},
        )["id"]
        written = branch.post(f"{base}/households/{registered}/link", {"member_id": li})
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env |= {"LIAISON_DATA_DIR": str(branch.data)}
    made = liaison(
        env, "token", "create", "--subject", "leader-wang", "--role", "group_leader",
        "--branch", branch.id, "--group", group["id"],
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    branch.get(f"/v1{base}/roster", min_position=written["position"])
    # Their group's members' households, but the one erased (it takes no new visit).
    linked = sum(
        not h["erased"]
        for v in ("true", "false")
        for m in (li, group["members"][0]["id"])
        for h in branch.get(
            f"/v1{base}/coverage/households", visited=v, linked_member_id=m, limit=5000
        )["households"]
    )

    for name, viewport in (("phone", PHONE), ("desktop", {"width": 1280, "height": 900})):
        page = browser.new_page(viewport=viewport, locale="zh-CN")  # type: ignore[arg-type]
        page.goto(f"{branch.url}/phone")
        page.fill("[data-testid='signin'] textarea", made.stdout.strip())
        page.click("[data-testid='signin'] button")
        page.wait_for_selector("#view[data-ready='households']")
        assert page.locator("[data-testid='household']").count() == linked >= 200
        shot(page, f"leader-households-{name}")
        page.close()

    page = browser.new_page(viewport=PHONE, locale="zh-CN")  # type: ignore[arg-type]
    page.goto(f"{branch.url}/phone")
    page.fill("[data-testid='signin'] textarea", made.stdout.strip())
    page.click("[data-testid='signin'] button")
    page.wait_for_selector("#view[data-ready='households']")
    page.fill("[data-testid='find']", "幸福里199号")
    assert page.locator("[data-testid='household']:visible").count() == 1
    household(page, "幸福里199号").locator("[data-testid='visit']").click()
    page.select_option("select[name='member_id']", label="李秀英")
    record(page, "节日慰问")
    page.wait_for_selector("[data-testid='pending-count']:empty", state="attached")
    page.goto(f"{branch.url}/phone#/group")
    page.wait_for_selector("#view[data-ready='group']")
    assert {"张建国", "李秀英"} <= set(page.locator("[data-testid='group'] b").all_inner_texts())
    shot(page, "leader-group")
    [visit] = branch.get("/v1/audit/events", type="VisitRecorded", actor="leader-wang")["events"]
    assert visit["data"]["member_id"] == li


def test_a_member_raises_a_request_and_reports_from_the_phone(
    browser: Browser, branch: Branch
) -> None:
    page = browser.new_page(viewport=PHONE, locale="zh-CN")  # type: ignore[arg-type]
    sign_in(page, branch)
    page.click("#tabs a[data-tab='needs']")
    page.wait_for_selector("#view[data-ready='needs']")
    form = page.locator("[data-testid='need-form']")
    form.locator("select[name='household_id']").select_option(label=ADDRESSES[0])
    form.locator("select[name='category']").select_option(label="就医")
    form.locator("textarea[name='description']").fill("老人腿脚不便，需要陪同去医院复查")
    form.locator("button").click()
    page.wait_for_selector("[data-testid='needs'] li:has-text('陪同去医院复查')")
    shot(page, "member-needs")
    [need] = branch.get(f"/v1/branches/{branch.id}/needs", status="open")["needs"]
    assert (need["address"], need["category"]) == (ADDRESSES[0], "medical")

    page.click("#tabs a[data-tab='report']")
    page.wait_for_selector("#view[data-ready='report']")
    page.fill("[data-testid='report-form'] textarea[name='summary']", "联系住户六户，走访五次")
    page.click("[data-testid='report-form'] button")
    page.wait_for_selector("[data-testid='report-done']")
    [member] = [
        m
        for m in branch.get(f"/v1/branches/{branch.id}/evaluations")["members"]
        if m["name"] == "张建国"
    ]
    reports = [r for r in member["duty_reports"].values() if r]
    assert [r["summary"] for r in reports] == ["联系住户六户，走访五次"]
    shot(page, "member-report-done")


def test_a_visit_left_waiting_is_sent_at_the_next_start(browser: Browser, branch: Branch) -> None:
    """Captured offline and the app closed before the network returned: the next start,
    online, sends it (no reconnection event to wake it)."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")  # type: ignore[arg-type]
    page = context.new_page()
    sign_in(page, branch)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    household(page, ADDRESSES[2]).locator("[data-testid='visit']").click()
    record(page, "回访")
    assert pending(page) == "1"
    page.close()
    context.set_offline(False)
    page = context.new_page()
    sign_in(page, branch)
    page.wait_for_selector("[data-testid='pending-count']:empty", state="attached")
    recorded = branch.get("/v1/audit/events", type="VisitRecorded", actor="zhang")["events"]
    assert [e["data"]["purpose"] for e in recorded].count("回访") == 1
    context.close()
