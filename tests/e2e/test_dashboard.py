"""The dashboard in a real browser (Debian's headless Chromium driven by Playwright)
against a running liaison with the seed's story loaded: each page's numbers match
the query API, the language switches, it fits a phone, and it follows new events
without a reload. Screenshots go to test-artifacts/dashboard/."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from bench.stack import Process, liaison

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path("test-artifacts") / "dashboard"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A liaison on the embedded default with the demo story told to it."""
    data = tmp_path_factory.mktemp("dashboard")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env |= {"LIAISON_DATA_DIR": str(data), "LIAISON_LOG_FORMAT": "json"}
    process = Process("liaison", ["run"], env, data).start()
    try:
        told = liaison(env, "demo", "--url", process.url)
        assert told.returncode == 0, told.stdout + told.stderr
        branch = httpx.get(f"{process.url}/v1/branches").json()["branches"][0]["id"]
        yield process.url, branch
    finally:
        process.kill(signal.SIGTERM)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: make browser"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def api(url: str, path: str, **params: Any) -> Any:
    return httpx.get(f"{url}{path}", params=params, timeout=30).json()


def open_page(browser: Browser, url: str, hash_: str, width: int = 1280) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
    page.goto(f"{url}/dashboard#{hash_}")
    page.wait_for_selector(f"main[data-ready='{hash_.split('?', maxsplit=1)[0].strip('/')}']")
    return page


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def number(page: Page, testid: str) -> str:
    return page.locator(f"[data-testid='{testid}']").inner_text().strip()


def test_each_page_shows_the_query_apis_numbers(browser: Browser, served: tuple[str, str]) -> None:
    url, branch = served
    base = f"/v1/branches/{branch}"

    page = open_page(browser, url, f"/roster?branch={branch}")
    roster = api(url, f"{base}/roster")
    assert number(page, "kpi-members") == str(roster["totals"]["members"])
    assert number(page, "kpi-groups") == "5"
    for category, count in roster["totals"]["by_category"].items():
        assert number(page, f"category-{category}") == str(count)
    assert "第一党小组" in page.inner_text("[data-testid='groups']")
    assert page.inner_text("header h1") == "党员联系群众工作台"
    shot(page, "roster-zh")

    page = open_page(browser, url, f"/posts?branch={branch}")
    board = api(url, f"{base}/posts")
    assert page.locator("[data-testid='posts'] .card").count() == len(board["posts"])
    assert "亮身份、作承诺" in page.inner_text("[data-testid='posts']")
    shot(page, "posts-zh")

    page = open_page(browser, url, f"/coverage?branch={branch}&year=2009")
    coverage = api(url, f"{base}/coverage")
    for key in ("households", "linked", "visited", "visits"):
        assert number(page, f"kpi-{key}") == str(coverage[key])
    unvisited = api(url, f"{base}/coverage/households", visited="false")
    assert page.locator("[data-testid='unvisited'] tbody tr").count() == unvisited["total"]
    shot(page, "coverage-zh")

    page = open_page(browser, url, f"/evaluations?branch={branch}&year=2009")
    evaluation = api(url, f"{base}/evaluations", year=2009)
    for grade, count in evaluation["distribution"].items():
        assert number(page, f"grade-{grade}") == str(count)
    assert number(page, "kpi-ballots") == str(evaluation["appraisal"]["ballots"])
    shot(page, "evaluations-zh")

    page = open_page(browser, url, f"/campaigns?branch={branch}")
    assert number(page, "metric-alleys_cleared") == "22"
    assert number(page, "metric-leaflets_distributed") == "270"
    shot(page, "campaigns-zh")

    page = open_page(browser, url, f"/needs?branch={branch}")
    needs = api(url, f"{base}/needs", status="open")
    assert number(page, "kpi-open") == str(needs["counts"]["open"])
    shot(page, "needs-zh")


def test_the_language_switches_to_english(browser: Browser, served: tuple[str, str]) -> None:
    url, branch = served
    page = open_page(browser, url, f"/evaluations?branch={branch}&year=2009")
    assert page.inner_text("nav a[data-page='roster']") == "花名册"
    page.click("[data-testid='lang']")
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.wait_for_selector("text=Grades · 2009")
    assert page.inner_text("nav a[data-page='roster']") == "Roster"
    assert "Excellent" in page.inner_text("main")
    shot(page, "evaluations-en")
    page.click("[data-testid='lang']")
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")


def test_it_fits_a_phone_and_follows_new_events(browser: Browser, served: tuple[str, str]) -> None:
    url, branch = served
    page = open_page(browser, url, f"/coverage?branch={branch}", width=375)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    shot(page, "coverage-phone")
    before = int(number(page, "kpi-visits"))
    roster = api(url, f"/v1/branches/{branch}/roster")
    visitor = roster["groups"][0]["members"][1]["id"]
    household = api(url, f"/v1/branches/{branch}/coverage/households", visited="true")[
        "households"
    ][0]["id"]
    written = httpx.post(
        f"{url}/v1/branches/{branch}/visits",
        json={
            "member_id": visitor,
            "household_id": household,
            "visited_on": "2009-11-30",
            "purpose": "回访",
        },
    )
    assert written.status_code == 201, written.text
    page.wait_for_function(
        f"document.querySelector(\"[data-testid='kpi-visits']\")?.textContent === '{before + 1}'",
        timeout=15_000,
    )
