"""The seed's whole story through HTTP on the embedded default, then every read
model checked against what was told, and a full replay that reproduces them."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from bench.stack import bearer
from services.demo.client import Branch
from services.demo.story import AREAS, GROUPS, Seed, follow_up, tell_the_seed_story
from services.embedded import create_app
from services.projection.api.documents import DOCX, XLSX
from services.projection.bootstrap import bootstrap as bootstrap_projections
from services.projection.projectors import ALL_PROJECTORS
from services.projection.rebuild import rebuild
from shared.settings import Settings
from tests.support.settings import embedded_settings


@pytest.fixture(scope="module")
def told(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Seed, Settings]]:
    data = tmp_path_factory.mktemp("seed")
    settings = embedded_settings(data)
    with TestClient(create_app(settings), headers=bearer(settings)) as client:
        yield tell_the_seed_story(Branch(client, client)), settings


def test_the_platform_groups_members_and_volunteer_team(told: tuple[Seed, Settings]) -> None:
    seed, _ = told
    branch = seed.branch
    roster = branch.read("/roster")
    assert [g["name"] for g in roster["groups"]] == [name for name, _ in GROUPS]
    assert all(g["leader_id"] for g in roster["groups"])
    expected = seed.categories.copy()
    expected["community"] -= 1  # the member who moved away
    assert roster["totals"]["members"] == 24
    assert roster["totals"]["by_category"] == dict(expected)
    assert roster["totals"]["by_status"] == {"full": 22, "probationary": 2}
    assert len(roster["volunteer_team"]) == len(seed.volunteers) == 12
    assert [(d["name"], d["left_on"], d["reason"]) for d in roster["departed"]] == [
        (seed.departed, "2009-11-25", "moved_away")
    ]
    fifth = next(g for g in roster["groups"] if g["name"] == "第五党小组")
    assert seed.transferred in [m["name"] for m in fifth["members"]]
    board = branch.read("/posts")
    assert [len(p["holders"]) for p in board["posts"]] == [4, 4, 3]
    assert all(
        h["pledge"] == "亮身份、作承诺，热情服务，限时办结"
        for p in board["posts"]
        for h in p["holders"]
    )


def counted(place: tuple[str, str]) -> tuple[int, int]:
    """(一巷, 长安街11号) -> (0, 11)"""
    area, address = place
    return AREAS.index(area), int(address.removeprefix("长安街").removesuffix("号"))


def test_the_roster_on_a_business_date(told: tuple[Seed, Settings]) -> None:
    """``on`` reads business dates (enrolled, transferred, departed on or before it),
    which ``as_of`` (recording time) cannot: this 2009 story was recorded today."""
    seed, _ = told
    branch = seed.branch

    def group_of(roster: dict[str, Any], name: str) -> str:
        return str(
            next(g["name"] for g in roster["groups"] for m in g["members"] if m["name"] == name)
        )

    before = branch.read("/roster", on="2008-12-31")
    assert (before["totals"]["members"], before["departed"]) == (0, [])
    summer = branch.read("/roster", on="2009-08-31")
    assert summer["totals"]["members"] == 25
    assert group_of(summer, seed.transferred) != "第五党小组"
    assert group_of(summer, seed.departed)
    autumn = branch.read("/roster", on="2009-11-25")
    assert group_of(autumn, seed.transferred) == "第五党小组"
    assert [d["name"] for d in autumn["departed"]] == [seed.departed]
    assert autumn["totals"] == branch.read("/roster")["totals"]


def test_per_year_views_count_that_years_members(told: tuple[Seed, Settings]) -> None:
    seed, _ = told
    branch = seed.branch
    before = branch.read("/evaluations", year=2000)
    assert (before["members"], before["duty_reports_overdue"], before["rated"]) == ([], [], 0)
    later = branch.read("/evaluations", year=2025)
    assert seed.departed not in {m["name"] for m in later["members"]}
    assert len(later["members"]) == 24
    ledger = branch.queries.get(f"{branch.base}/exports/evaluations.csv", params={"year": 2000})
    assert len(list(csv.reader(io.StringIO(ledger.content.decode("utf-8-sig"))))) == 1


def test_linking_and_the_500_visits(told: tuple[Seed, Settings]) -> None:
    seed, _ = told
    branch = seed.branch
    visited = {address for _, address, _, _ in seed.visits}
    coverage = branch.read("/coverage", **{"from": "2009-10-01", "to": "2009-11-30"})
    assert (coverage["households"], coverage["linked"], coverage["visits"]) == (100, 84, 500)
    assert coverage["visited"] == len(visited)
    assert sum(g["visits"] for g in coverage["groups"]) == 500
    assert sum(a["households"] for a in coverage["areas"]) == 100
    unvisited = branch.read("/coverage/households", visited="false", limit=200)
    assert unvisited["total"] == 100 - len(visited)
    assert {"长安街91号", "长安街100号"} <= {h["address"] for h in unvisited["households"]}
    # Areas and addresses in the order a branch counts them: 一巷, 二巷 … 五巷; 6号 before 11号.
    assert [a["area"] for a in coverage["areas"]] == list(AREAS)
    listed = [(h["area"], h["address"]) for h in unvisited["households"]]
    assert listed == sorted(listed, key=counted)
    page = branch.read("/coverage/households", visited="false", limit=3, offset=3)
    assert [(h["area"], h["address"]) for h in page["households"]] == listed[3:6]
    by_month = branch.read("/coverage/visits", year=2009)
    assert [m["month"] for m in by_month["months"]] == ["2009-10", "2009-11"]
    assert sum(m["visits"] for m in by_month["months"]) == 500
    purposes = Counter(purpose for *_, purpose in seed.visits)
    summed: Counter[str] = Counter()
    for month in by_month["months"]:
        summed.update(month["by_purpose"])
    assert summed == purposes


def test_the_campaigns_state_the_summarys_numbers(told: tuple[Seed, Settings]) -> None:
    seed, _ = told
    answer = seed.branch.read("/campaigns")
    assert answer["totals"] == {
        "alleys_cleared": 22,
        "households_visited": 500,
        "hutongs_cleared": 3,
        "leaflets_distributed": 270,
        "rubbish_heaps_cleared": 3,
    }
    clean_up, flu = answer["campaigns"]
    assert clean_up["closed_on"] == "2009-06-28"
    assert (clean_up["participants"], clean_up["volunteers"]) == (10, 60)
    assert flu["closed_on"] is None
    assert flu["tallies"]["leaflets_distributed"] == 270


def test_requests_open_overdue_and_resolved(told: tuple[Seed, Settings]) -> None:
    seed, _ = told
    year_end = seed.branch.read("/needs", status="all", on="2009-12-31")
    assert year_end["counts"] == {"open": 2, "overdue": 2, "resolved": 2}
    areas = [a["area"] for a in year_end["by_area"]]
    assert areas == sorted(areas, key=AREAS.index)
    assert sum(a["open"] for a in year_end["by_area"]) == 2
    assert sum(m["resolved"] for m in year_end["by_member"]) == 2
    early = seed.branch.read("/needs", status="overdue", on="2009-11-01")
    assert (early["counts"]["overdue"], early["needs"]) == (0, [])
    resolved = seed.branch.read("/needs", status="resolved")
    assert all(n["outcome"] for n in resolved["needs"])


def test_the_year_end_evaluation(told: tuple[Seed, Settings]) -> None:
    seed, _ = told
    branch = seed.branch
    evaluation = branch.read("/evaluations", year=2009)
    # Asked about no year, the answers are about the latest year with data: the story's.
    assert branch.read("/evaluations") == evaluation
    assert branch.read("/coverage/visits")["year"] == 2009
    assert evaluation["distribution"] == {
        "excellent": 6,
        "good": 8,
        "qualified": 5,
        "basically_qualified": 2,
        "unqualified": 1,
    }
    assert evaluation["rated"] == 22
    assert evaluation["appraisal"]["ballots"] == 22 * 5
    assert evaluation["appraisal"]["closed_on"] == "2009-12-20"
    by_group: Counter[str] = Counter()
    for group in evaluation["distribution_by_group"]:
        by_group.update(group["distribution"])
    assert dict(by_group) == evaluation["distribution"]
    members = {m["name"]: m for m in evaluation["members"]}
    for name, grade in seed.grades.items():
        assert members[name]["grade"] == grade
        ballots = members[name]["ballots"]
        assert ballots["total"] == 5
        assert sum(ballots["by_voter_kind"]["member"].values()) == 3
        assert sum(ballots["by_voter_kind"]["mass_representative"].values()) == 2
    low = [members[name] for name in seed.low_grades]
    assert all(m["shortcomings"] == ["联户走访次数不足", "群众反映问题办理不及时"] for m in low)
    assert sorted(a["name"] for a in evaluation["awaiting_talk"]) == sorted(seed.low_grades)
    assert [(d["name"], d["period"]) for d in evaluation["duty_reports_overdue"]] == [
        (seed.late_reporter, "2009H1")
    ]
    reporter = next(
        m
        for m in evaluation["members"]
        if m["links_households"] and m["name"] != seed.late_reporter
    )
    assert reporter["duty_reports"]["2009H2"]["audience"] == "mass_representatives"

    follow_up(seed)
    after = branch.read("/evaluations", year=2009)
    assert after["awaiting_talk"] == []
    rewarded = next(m for m in after["members"] if m["name"] == seed.rewarded)
    assert [r["kind"] for r in rewarded["rewards"]] == ["spiritual"]
    [pair] = branch.read("/roster")["hardships"]
    assert (pair["member_name"], pair["helper_name"], pair["assistance_count"]) == (
        seed.in_hardship,
        seed.helper,
        1,
    )


def test_the_ledgers_read_back(told: tuple[Seed, Settings]) -> None:
    seed, _ = told
    branch = seed.branch
    base = branch.base

    def workbook(path: str, **params: Any) -> Any:
        response = branch.queries.get(f"{base}/exports/{path}", params=params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(XLSX)
        return load_workbook(io.BytesIO(response.content)).active

    roster = workbook("roster.xlsx")
    assert roster.title == "党员花名册"
    assert [cell.value for cell in roster[1]][:4] == ["姓名", "党小组", "党员类别", "身份"]
    assert roster.max_row == 1 + 25
    volunteers = [row[7].value for row in roster.iter_rows(min_row=2) if row[7].value]
    assert len(volunteers) == 12 and all(isinstance(v, datetime) for v in volunteers)

    visits = workbook("visits.xlsx", **{"from": "2009-10-01", "to": "2009-11-30"})
    assert visits.max_row == 1 + 500
    assert isinstance(visits["A2"].value, datetime)
    assert visits.print_title_rows == "$1:$1", "the header row prints on every page"

    evaluation = workbook("evaluations.xlsx", year=2009)
    grades = [row[10].value for row in evaluation.iter_rows(min_row=2)]
    assert grades.count("优秀") == 6 and grades.count("不合格") == 1
    # Who has no grade is told why.
    assert grades.count("预备党员不参评") == 2 and grades.count("已离开") == 1
    assert workbook("evaluations.xlsx").title == "2009年度党员考评", "the latest appraisal's year"

    exported = branch.queries.get(f"{base}/exports/coverage.csv")
    assert exported.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["片区", "地址", "户主"] and len(rows) == 1 + 100
    places = [(row[0], row[1]) for row in rows[1:]]
    assert places == sorted(places, key=counted)


def summary(seed: Seed, **params: Any) -> str:
    answer = seed.branch.queries.get(f"{seed.branch.base}/summary", params=params)
    assert answer.status_code == 200, answer.text
    if params.get("format") == "docx":
        assert answer.headers["content-type"].startswith(DOCX)
        return "\n".join(p.text for p in Document(io.BytesIO(answer.content)).paragraphs)
    assert answer.headers["content-type"].startswith("text/markdown")
    return answer.text


def test_the_year_end_summary_states_the_numbers(told: tuple[Seed, Settings]) -> None:
    seed, _ = told
    for text in (summary(seed, year=2009), summary(seed, year=2009, format="docx")):
        for phrase in (
            "同江市城市社区长安党支部2009年党员联系和服务群众工作总结",
            "目前共有党小组5个",
            "离退休党员6名",
            "现有队员12名",
            "设置党员义务服务岗3个（政策宣传岗、扶贫帮困岗、就业咨询岗）",
            "11名无职党员上岗服务（政策宣传岗4名、扶贫帮困岗4名、就业咨询岗3名）",
            "社区登记在册居民100户，其中84户由14名党员结对联系",
            "党员入户走访500次，走访到居民90户",
            "清理巷道22条、胡同3条、垃圾堆3个",
            "发放宣传单270份，入户走访500户次",
            "受理居民诉求4件",
            "优秀6名、较好8名、合格5名、基本合格2名、不合格1名",
            "预备党员2名不评定等次",
            "开展谈心谈话3人次",
            "为1名困难党员确定帮扶人",
        ):
            assert phrase in text, phrase


def test_the_summary_reads_as_the_branchs_own(told: tuple[Seed, Settings]) -> None:
    """In the branch's words and structure, in Chinese only, each count said once and
    right: households are households (户), visits are visits (次, 户次)."""
    seed, _ = told
    markdown = summary(seed, year=2009)
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert [h[3:5] for h in headings] == ["一、", "二、", "三、", "四、"]
    assert "搭建" in headings[0] and "设岗定责" in headings[1]
    assert "考核激励" in headings[2] and "成效" in headings[3]
    for text in (markdown, summary(seed, year=2009, format="docx")):
        # No English in the Chinese document (the demo's names are Chinese too).
        assert re.findall("[A-Za-z]+", text) == []
        # A post's title is not followed by its kind again: 政策宣传岗（政策宣传）.
        assert not re.search(r"(\w+)岗（\1）", text)
        # No count of households exceeds the households registered.
        households = [int(n) for n in re.findall(r"(\d+)户(?!次)", text)]
        assert households and max(households) == 100
        assert "人次" not in "".join(re.findall(r"走访[^，。；]*", text))
        assert text.count("500次") == 1 and text.count("90户") == 1
    assert summary(seed) == markdown, "it opens on the story's year"

    english = summary(seed, year=2009, lang="en")
    assert "work summary 2009" in english.splitlines()[0]
    assert [line for line in english.splitlines() if line.startswith("## ")] == [
        "## 1. Building the platform",
        "## 2. Posts with duties: members lead by example",
        "## 3. Evaluation and incentives",
        "## 4. Results",
    ]
    assert "500 visits, reaching 90 households" in english


def test_a_full_replay_reproduces_every_read_model(told: tuple[Seed, Settings]) -> None:
    seed, settings = told
    seed.branch.read("/roster")
    service = bootstrap_projections(settings)
    try:
        for report in rebuild(ALL_PROJECTORS, service.store, service.event_log, switch=False):
            assert report.differing_rows == 0, (report.projection, report.differences)
            # The ledgers read back above recorded their exports: the log went on.
            assert report.position == service.event_log.head() > seed.branch.position
    finally:
        service.close()
