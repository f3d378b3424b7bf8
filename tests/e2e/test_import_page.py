"""The console's 台账导入 page in a real browser (Debian's headless Chromium, Playwright)
against a fresh `liaison run`, as the branch secretary: a realistic workbook checked
(its dozen problems listed by sheet, row and column, nothing written, the marked
workbook downloaded), then imported with its progress shown, then imported again
(nothing created). Screenshots in test-artifacts/import/."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page

from bench.stack import liaison
from bench.workbooks import branch_ledgers
from services.importer.workbooks import FINDINGS_SHEET
from tests.support.installed import fresh_install

SHOTS = Path("test-artifacts") / "import"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_secretary_checks_then_imports_the_branchs_workbook(
    browser: Browser, tmp_path: Path
) -> None:
    data = tmp_path / "served"
    data.mkdir()
    with fresh_install(data) as installed:
        env, process = installed.env, installed.process
        admin = {"Authorization": f"Bearer {installed.admin_token}"}
        branch = httpx.post(
            f"{process.url}/v1/branches", json={"name": "长安社区党支部"}, headers=admin
        )
        branch_id = branch.json()["id"]
        made = liaison(
            env,
            "token",
            "create",
            "--subject",
            "secretary-zhang",
            "--role",
            "branch_secretary",
            "--branch",
            branch_id,
        )
        assert made.returncode == 0, made.stderr
        ledgers = branch_ledgers()
        workbook = tmp_path / "长安社区台账.xlsx"
        workbook.write_bytes(ledgers.data)

        def head() -> int:
            answer = httpx.get(f"{process.url}/v1/audit/events", params={"limit": 1}, headers=admin)
            value: int = answer.json()["head"]
            return value

        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.add_init_script(
            f"sessionStorage.setItem('liaison.token', {json.dumps(made.stdout.strip())})"
        )
        page.goto(f"{process.url}/dashboard#/console?branch={branch_id}&p=import")
        page.wait_for_selector("[data-testid=import-page]")
        assert page.inner_text("[data-testid=console-import]") == "台账导入"

        page.click("[data-testid=import-check]")  # no file yet
        assert page.inner_text("[data-testid=import-refusal]") == "请先选择工作簿"
        before = head()
        page.set_input_files("[data-testid=import-file]", str(workbook))
        page.click("[data-testid=import-check]")
        page.wait_for_selector("[data-testid=import-report][data-done=checked]")
        summary = page.inner_text("[data-testid=import-summary]")
        assert f"将新建 {ledgers.commands} 条记录" in summary and "12 行有问题" in summary
        problems = page.locator("[data-testid=import-problems] tbody tr")
        assert problems.count() == 12
        assert "本支部没有党小组“第九党小组”" in page.inner_text("[data-testid=import-problems]")
        assert head() == before  # the check wrote nothing
        shot(page, "checked")

        with page.expect_download() as downloading:
            page.click("[data-testid=import-marked]")
        marked = load_workbook(io.BytesIO(Path(downloading.value.path()).read_bytes()))
        assert marked[FINDINGS_SHEET].max_row == 13

        page.click("[data-testid=import-run]")
        page.wait_for_selector("[data-testid=import-report][data-done=imported]")
        assert f"新建 {ledgers.commands} 条记录" in page.inner_text("[data-testid=import-summary]")
        assert page.get_attribute("[data-testid=import-progress]", "value") == page.get_attribute(
            "[data-testid=import-progress]", "max"
        )
        assert head() > before
        shot(page, "imported")

        after = head()
        page.evaluate("document.querySelector('[data-testid=import-report]').dataset.done = ''")
        page.click("[data-testid=import-run]")
        page.wait_for_selector("[data-testid=import-report][data-done=imported]")
        assert "新建 0 条记录" in page.inner_text("[data-testid=import-summary]")
        assert head() == after

        page.set_viewport_size({"width": 375, "height": 667})
        shot(page, "phone")
        page.close()
