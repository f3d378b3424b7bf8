"""The dashboard in a real browser (Debian's headless Chromium driven by Playwright)
against a running liaison with the seed's story loaded: each page's numbers match
the query API, the language switches, it fits a phone, and it follows new events
without a reload; it asks for a token, offers each role only the pages it may read,
and downloads exports with the token. Screenshots go to test-artifacts/dashboard/."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from bench.stack import liaison
from tests.support.installed import fresh_install

SHOTS = Path("test-artifacts") / "dashboard"


@dataclass(frozen=True)
class Served:
    url: str
    branch: str
    token: str  # the committee-admin token the first run created
    env: dict[str, str]
    link: str  # the dashboard link the demo printed


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A liaison on the embedded default, as a fresh install runs it, with the demo
    story told to it using the admin token its first run printed."""
    data = tmp_path_factory.mktemp("dashboard")
    with fresh_install(data) as installed:
        log = installed.process.log()
        assert "first run" in log and str(data / "admin-token") in log
        token, env = installed.admin_token, installed.env
        told = liaison(env, "demo", "--url", installed.url)
        assert told.returncode == 0, told.stdout + told.stderr
        branches = httpx.get(f"{installed.url}/v1/branches", headers=bearer(token)).json()
        [link] = [line.split(": ", 1)[1] for line in told.stdout.splitlines() if "#/" in line]
        yield Served(installed.url, branches["branches"][0]["id"], token, env, link)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def api(served: Served, path: str, **params: Any) -> Any:
    answer = httpx.get(f"{served.url}{path}", params=params, headers=bearer(served.token))
    assert answer.status_code == 200, answer.text
    return answer.json()


def open_page(
    browser: Browser, served: Served, hash_: str, width: int = 1280, token: str | None = None
) -> Page:
    page = browser.new_page(
        viewport={"width": width, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    remembered = json.dumps(token or served.token)
    page.add_init_script(f"sessionStorage.setItem('liaison.token', {remembered})")
    page.goto(f"{served.url}/dashboard#{hash_}")
    page.wait_for_selector(f"main[data-ready='{hash_.split('?', maxsplit=1)[0].strip('/')}']")
    return page


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def number(page: Page, testid: str) -> str:
    return page.locator(f"[data-testid='{testid}']").inner_text().strip()


def test_each_page_shows_the_query_apis_numbers(browser: Browser, served: Served) -> None:
    branch = served.branch
    base = f"/v1/branches/{branch}"

    page = open_page(browser, served, f"/roster?branch={branch}")
    roster = api(served, f"{base}/roster")
    assert number(page, "kpi-members") == str(roster["totals"]["members"])
    assert number(page, "kpi-groups") == "5"
    for category, count in roster["totals"]["by_category"].items():
        assert number(page, f"category-{category}") == str(count)
    assert "第一党小组" in page.inner_text("[data-testid='groups']")
    assert page.inner_text("header h1") == "党员联系群众工作台"
    assert page.locator("[data-testid='groups'] th").first.inner_text() == "名称"
    assert page.locator("[data-testid='volunteers'] th").first.inner_text() == "姓名"
    shot(page, "roster-zh")

    page = open_page(browser, served, f"/posts?branch={branch}")
    board = api(served, f"{base}/posts")
    assert page.locator("[data-testid='posts'] .card").count() == len(board["posts"])
    assert "亮身份、作承诺" in page.inner_text("[data-testid='posts']")
    shot(page, "posts-zh")

    page = open_page(browser, served, f"/coverage?branch={branch}&year=2009")
    year = {"from": "2009-01-01", "to": "2009-12-31"}
    coverage = api(served, f"{base}/coverage", **year)
    for key in ("households", "linked", "visited", "visits"):
        assert number(page, f"kpi-{key}") == str(coverage[key])
    unvisited = api(served, f"{base}/coverage/households", visited="false", **year)
    assert page.locator("[data-testid='unvisited'] tbody tr").count() == unvisited["total"]
    # Areas in the order a branch counts them, not in code-point order (一, 三, 二, 五, 四).
    areas = page.locator("[data-testid='areas'] tbody tr td:first-child").all_inner_texts()
    assert areas == ["一巷", "二巷", "三巷", "四巷", "五巷"]
    shot(page, "coverage-zh")

    page = open_page(browser, served, f"/evaluations?branch={branch}&year=2009")
    evaluation = api(served, f"{base}/evaluations", year=2009)
    for grade, count in evaluation["distribution"].items():
        assert number(page, f"grade-{grade}") == str(count)
    assert number(page, "kpi-ballots") == str(evaluation["appraisal"]["ballots"])
    # People are 姓名, groups 名称; a member without a grade is told why.
    assert page.locator("[data-testid='members'] th").first.inner_text() == "姓名"
    grades = dict(
        zip(
            page.locator("[data-testid='members'] tbody td:nth-child(1)").all_inner_texts(),
            page.locator("[data-testid='members'] tbody td:nth-child(2)").all_inner_texts(),
            strict=True,
        )
    )
    for member in evaluation["members"]:
        if member["left_on"]:
            assert grades[member["name"]] == "已离开"
        elif member["status"] == "probationary":
            assert grades[member["name"]] == "预备党员不参评"
    assert "已离开" in grades.values() and "预备党员不参评" in grades.values()
    assert "–" not in grades.values()
    shot(page, "evaluations-zh")

    page = open_page(browser, served, f"/campaigns?branch={branch}")
    assert number(page, "metric-alleys_cleared") == "22"
    assert number(page, "metric-leaflets_distributed") == "270"
    assert page.locator(".card th").all_inner_texts()[:2] == ["活动成效", "数量"]
    shot(page, "campaigns-zh")

    page = open_page(browser, served, f"/needs?branch={branch}")
    needs = api(served, f"{base}/needs", status="open")
    assert number(page, "kpi-open") == str(needs["counts"]["open"])
    shot(page, "needs-zh")


def test_the_work_page_lists_what_is_due(browser: Browser, served: Served) -> None:
    """待办 on the secretary's screen: the branch's schedules (monthly, weekly for 独居老人)
    make visits due; every list's rows are the API's."""
    base = f"/v1/branches/{served.branch}"
    for schedule in ({"every_days": 30}, {"every_days": 7, "tag": "独居老人"}):
        written = httpx.post(
            f"{served.url}{base}/visit-schedules",
            json={**schedule, "set_on": "2009-12-31"},
            headers=bearer(served.token),
        )
        assert written.status_code == 200, written.text
    position = written.json()["position"]
    asked = {"within_days": 7, "unvisited_days": 30, "min_position": position}
    work = api(served, f"{base}/work", **asked)
    page = open_page(browser, served, f"/work?branch={served.branch}")
    assert number(page, "kpi-visits-overdue") == str(work["counts"]["visits_overdue"])
    assert number(page, "kpi-visits-due") == str(work["counts"]["visits_due"])
    assert work["counts"]["visits_due"] > 0
    for testid, rows in (
        ("work-visits", work["visits"]),
        ("work-unvisited", work["unvisited"]),
        ("work-reports", work["duty_reports"]),
        ("work-needs", work["needs"]),
    ):
        assert page.locator(f"[data-testid='{testid}'] tbody tr").count() == len(rows), testid
    assert "应走访住户" in page.inner_text("main")
    shot(page, "work-zh")


def test_the_language_switches_to_english(browser: Browser, served: Served) -> None:
    branch = served.branch
    page = open_page(browser, served, f"/evaluations?branch={branch}&year=2009")
    assert page.inner_text("nav a[data-page='roster']") == "花名册"
    page.click("[data-testid='lang']")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.wait_for_selector("text=Grades · 2009")
    assert page.inner_text("nav a[data-page='roster']") == "Roster"
    assert "Excellent" in page.inner_text("main")
    shot(page, "evaluations-en")
    page.click("[data-testid='lang']")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_it_fits_a_phone_and_follows_new_events(browser: Browser, served: Served) -> None:
    branch = served.branch
    page = open_page(browser, served, f"/coverage?branch={branch}", width=375)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    shot(page, "coverage-phone")
    before = int(number(page, "kpi-visits"))
    roster = api(served, f"/v1/branches/{branch}/roster")
    visitor = roster["groups"][0]["members"][1]["id"]
    household = api(served, f"/v1/branches/{branch}/coverage/households", visited="true")[
        "households"
    ][0]["id"]
    written = httpx.post(
        f"{served.url}/v1/branches/{branch}/visits",
        headers=bearer(served.token),
        json={
            "member_id": visitor,
            "household_id": household,
            "visited_on": "2009-11-30",
            "purpose": "回访",
        },
    )
    assert written.status_code == 201, written.text
    # expect, not wait_for_function: the page's Content-Security-Policy forbids eval.
    expect(page.get_by_test_id("kpi-visits")).to_have_text(str(before + 1), timeout=15_000)


def test_it_asks_for_a_token_and_offers_a_member_only_their_pages(
    browser: Browser, served: Served
) -> None:
    member = api(served, f"/v1/branches/{served.branch}/roster")["groups"][0]["members"][0]
    created = liaison(
        served.env,
        "token",
        "create",
        "--subject",
        "member-wang",
        "--role",
        "member",
        "--branch",
        served.branch,
        "--member",
        member["id"],
    )
    assert created.returncode == 0, created.stderr
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{served.url}/dashboard#/roster")
    page.wait_for_selector("[data-testid='signin']", state="visible")
    assert page.inner_text("main") == ""
    page.fill("[data-testid='signin'] textarea", "not-a-token")
    page.click("[data-testid='signin'] button")
    page.wait_for_selector("text=令牌无效或已过期")
    page.fill("[data-testid='signin'] textarea", created.stdout.strip())
    page.click("[data-testid='signin'] button")
    # A member opens on their own work list (待办): what they have due, as the API says.
    page.wait_for_selector("main[data-ready='work']")
    own = httpx.get(
        f"{served.url}/v1/branches/{served.branch}/work",
        params={"within_days": 7, "unvisited_days": 30},
        headers={"Authorization": f"Bearer {created.stdout.strip()}"},
    ).json()
    assert {r["member_id"] for r in own["duty_reports"]} <= {member["id"]}
    for testid, rows in (
        ("work-reports", own["duty_reports"]),
        ("work-unvisited", own["unvisited"]),
    ):
        assert page.locator(f"[data-testid='{testid}'] tbody tr").count() == len(rows)
    page.set_viewport_size({"width": 375, "height": 812})
    for list_ in page.locator("main .table").all():  # rows read as cards: none scrolls
        assert list_.evaluate("el => el.scrollWidth <= el.clientWidth")
    shot(page, "member-work-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("nav a[data-page='posts']")
    page.wait_for_selector("main[data-ready='posts']")
    assert page.inner_text("[data-testid='me']") == "member-wang · 党员"
    assert page.is_hidden("nav a[data-page='roster']")
    assert page.is_hidden("nav a[data-page='evaluations']")
    assert page.is_visible("nav a[data-page='posts']")
    assert page.is_visible("nav a[data-page='needs']")  # the requests they raised or hold
    assert "亮身份、作承诺" in page.inner_text("[data-testid='posts']")
    shot(page, "member-signed-in")

    # Their own households and visits, as the API lets them read them.
    mine = {"Authorization": f"Bearer {created.stdout.strip()}"}
    base = f"{served.url}/v1/branches/{served.branch}"
    linked = [
        httpx.get(f"{base}/coverage/households", params={"visited": v}, headers=mine).json()
        for v in ("false", "true")
    ]
    visits = httpx.get(f"{base}/coverage/visits", headers=mine).json()
    page.click("nav a[data-page='coverage']")
    page.wait_for_selector("main[data-ready='coverage']")
    assert page.locator("[data-testid='forbidden']").count() == 0
    assert number(page, "kpi-my-households") == str(linked[0]["total"] + linked[1]["total"]) != "0"
    assert number(page, "kpi-my-visits") == str(sum(m["visits"] for m in visits["months"])) != "0"
    addresses = page.locator("[data-testid='my-households'] tbody td:first-child").all_inner_texts()
    assert sorted(addresses) == sorted(h["address"] for a in linked for h in a["households"])
    assert "我的走访" in page.inner_text("main")
    shot(page, "member-coverage")
    page.goto(f"{served.url}/dashboard#/evaluations?branch={served.branch}")
    page.wait_for_selector("[data-testid='forbidden']")
    page.click("[data-testid='signout']")
    page.wait_for_selector("[data-testid='signin']", state="visible")
    assert page.evaluate("sessionStorage.getItem('liaison.token')") is None


def test_ledgers_download_with_the_token_and_the_export_is_recorded(
    browser: Browser, served: Served
) -> None:
    page = open_page(browser, served, f"/evaluations?branch={served.branch}&year=2009")
    with page.expect_download() as started:
        page.click("[data-testid='downloads'] a >> nth=0")
    download = started.value
    assert download.suggested_filename.endswith(".xlsx")
    assert zipfile.is_zipfile(download.path())
    recorded = api(served, "/v1/audit/events", type="ExportRecorded")["events"]
    assert [(e["actor"], e["data"]["what"]) for e in recorded][-1] == (
        "local-admin",
        "roster.xlsx",
    )


def test_pages_open_on_the_latest_year_with_data(browser: Browser, served: Served) -> None:
    """The story is about 2009: the demo's link opens on 2009, and so does every page
    asked about no year (not on this year, which is empty, or on last year)."""
    assert served.link.startswith(f"{served.url}/dashboard#/") and "year=2009" in served.link
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.add_init_script(f"sessionStorage.setItem('liaison.token', {json.dumps(served.token)})")
    page.goto(served.link)
    page.wait_for_selector("main[data-ready='coverage']")
    assert page.input_value("input[name='year']") == "2009"
    assert int(number(page, "kpi-visits")) >= 500
    assert page.locator("[data-testid='months'] tbody tr").count() == 2
    shot(page, "demo-link")
    page.click("nav a[data-page='evaluations']")  # the year goes along
    page.wait_for_selector("main[data-ready='evaluations']")
    assert page.input_value("input[name='year']") == "2009"
    assert number(page, "kpi-rated") == "22"

    for hash_ in ("/coverage", "/evaluations"):
        page = open_page(browser, served, f"{hash_}?branch={served.branch}")
        assert page.input_value("input[name='year']") == "2009", hash_
    assert number(page, "kpi-rated") == "22"
