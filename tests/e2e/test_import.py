"""Importing a branch's workbook over HTTP on the embedded default (and once on
PostgreSQL): a realistic workbook with a dozen deliberate errors — the dry run
names exactly those and writes nothing, the import creates exactly the valid rows,
a second import and an interrupted one resumed create nothing twice, and a branch
exported and imported into a fresh one reads the same, ids aside."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from bench.stack import bearer
from bench.workbooks import Ledgers, Planted, branch_ledgers
from services.demo.client import Branch
from services.embedded import create_app
from services.importer.service import ImportService
from services.importer.workbooks import FINDINGS_SHEET, PROBLEMS_HEADER
from shared.auth import Principal, Role
from shared.settings import Settings
from tests.support.settings import embedded_settings


@dataclass
class World:
    settings: Settings
    client: TestClient

    def branch(self, name: str = "长安社区党支部") -> Branch:
        return Branch(self.client, self.client).register(name)

    def secretary(self, branch: Branch) -> dict[str, str]:
        return bearer(
            self.settings, Role.BRANCH_SECRETARY, "secretary-zhang", branch_id=UUID(branch.id)
        )

    def upload(self, branch: Branch, data: bytes, **params: str) -> Any:
        answer = self.client.post(
            f"{branch.base}/imports",
            params=params,
            files={"file": ("长安社区台账.xlsx", data)},
            headers=self.secretary(branch),
        )
        assert answer.status_code == 200, answer.text
        return answer.json() if params.get("format", "json") == "json" else answer

    def settled(self) -> int:
        """The store's head, once every read model has applied it (however long a busy
        machine takes: longer than a query's min_position would wait)."""
        head = self.head()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status = self.client.get("/v1/projections").json()
            if all(p["position"] >= head for p in status["projections"]):
                return head
            time.sleep(0.1)
        raise AssertionError(f"the read models did not reach {head}")

    def head(self) -> int:
        """The store's last position (the audit log's head)."""
        head: int = self.client.get("/v1/audit/events", params={"limit": 1}).json()["head"]
        return head


def start(settings: Settings) -> Iterator[World]:
    with TestClient(create_app(settings), headers=bearer(settings)) as client:
        yield World(settings, client)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from start(embedded_settings(tmp_path_factory.mktemp("import")))


@pytest.fixture(scope="module")
def ledgers() -> Ledgers:
    return branch_ledgers()


def planted(report: dict[str, Any]) -> set[Planted]:
    return {
        Planted(f["sheet"], f["row"], f["letter"], f["why"])
        for f in report["findings"]
        if f["refused"]
    }


def counts(world: World, branch: Branch) -> dict[str, int]:
    def read(path: str, **params: object) -> Any:
        # Once the read models have every event stored so far.
        answer = world.client.get(f"{branch.base}/{path}", params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    world.settled()
    roster = read("roster")
    coverage = read("coverage", **{"from": "2009-01-01", "to": "2009-12-31"})
    posts = read("posts")
    members = [m for g in roster["groups"] for m in g["members"]]
    return {
        "groups": len(roster["groups"]),
        "members": len(members),
        "leaders": sum(1 for g in roster["groups"] if g["leader_id"]),
        "households": coverage["households"],
        "links": coverage["linked"],
        "visits": coverage["visits"],
        "posts": len(posts["posts"]),
        "holders": sum(len(p["holders"]) for p in posts["posts"]),
    }


def expected(ledgers: Ledgers) -> dict[str, int]:
    return {
        "groups": 5,
        "members": ledgers.members,
        "leaders": 2,
        "households": ledgers.households,
        "links": ledgers.links,
        "visits": ledgers.visits,
        "posts": 2,
        "holders": 2,
    }


def test_the_dry_run_names_exactly_the_planted_errors_and_writes_nothing(
    world: World, ledgers: Ledgers
) -> None:
    branch = world.branch()
    head = world.head()
    report = world.upload(branch, ledgers.data, dry_run="true")
    assert len(ledgers.planted) == 12
    assert planted(report) == set(ledgers.planted)
    assert report["created"] == ledgers.commands  # what the import would create
    assert report["refused_rows"] == 12
    for finding in report["findings"]:  # each says why in both languages
        assert finding["zh"] and finding["en"]
    assert {s["kind"] for s in report["sheets"]} == {
        "groups",
        "members",
        "households",
        "links",
        "posts",
        "assignments",
        "visits",
    }
    assert world.head() == head  # nothing written
    assert world.client.get(f"{branch.base}/roster").json()["groups"] == []

    checked = world.upload(branch, ledgers.data, dry_run="true", format="xlsx")
    book = load_workbook(io.BytesIO(checked.content))
    listing = book[FINDINGS_SHEET]
    assert listing.max_row == 1 + 12
    for error in ledgers.planted:
        cell = book[error.sheet][f"{error.letter}{error.row}"]
        assert cell.comment is not None and cell.fill.start_color.rgb == "FFF4CCCC", error
        sheet = book[error.sheet]
        header_row = next(s["header_row"] for s in report["sheets"] if s["title"] == error.sheet)
        assert sheet.cell(header_row, sheet.max_column).value == PROBLEMS_HEADER
        assert sheet.cell(error.row, sheet.max_column).value
    assert world.head() == head


def test_the_import_creates_the_valid_rows_once_however_often_it_is_run(
    world: World, ledgers: Ledgers
) -> None:
    branch = world.branch()
    report = world.upload(branch, ledgers.data)
    assert planted(report) == set(ledgers.planted)
    assert report["created"] == ledgers.commands
    assert report["replayed"] == 0
    assert counts(world, branch) == expected(ledgers)
    roster = world.client.get(f"{branch.base}/roster").json()
    names = {m["name"] for g in roster["groups"] for m in g["members"]}
    assert "王芳" in names and "李强" in names  # spaced-out and trailing-space names, as meant

    head = world.head()
    again = world.upload(branch, ledgers.data)
    assert again["created"] == 0
    assert planted(again) == set(ledgers.planted)
    assert world.head() == head
    assert counts(world, branch) == expected(ledgers)

    # Who imported is the actor of every event, the import's rows in the audit log.
    audit = world.client.get(
        "/v1/audit/events",
        params={"branch_id": branch.id, "actor": "secretary-zhang", "limit": 1000},
    ).json()
    assert len(audit["events"]) >= ledgers.commands


def test_an_interrupted_import_resumed_creates_nothing_twice(
    world: World, ledgers: Ledgers
) -> None:
    branch = world.branch("胜利社区党支部")
    service: ImportService = world.client.app.state.imports  # type: ignore[attr-defined]
    secretary = Principal(
        subject="secretary-li", role=Role.BRANCH_SECRETARY, branch_id=UUID(branch.id)
    )
    stop = threading.Event()

    def progress(done: int, total: int) -> None:
        if done >= total // 2:
            stop.set()  # as a client going away, or Ctrl-C

    first = service.run(
        secretary, UUID(branch.id), ledgers.data, dry_run=False, progress=progress, stop=stop
    )
    assert not first.complete
    assert 0 < first.created < ledgers.commands
    resumed = world.upload(branch, ledgers.data)
    assert resumed["complete"]
    assert first.created + resumed["created"] == ledgers.commands
    assert counts(world, branch) == expected(ledgers)


def test_what_is_not_a_workbook_or_too_large_is_refused_as_a_problem(world: World) -> None:
    branch = world.branch("前进社区党支部")
    head = world.head()
    for data, status, kind in (
        (b"name,group\n", 422, "/problems/not-a-workbook"),
        (b"PK\x03\x04 not really a zip", 422, "/problems/not-a-workbook"),
        (b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024), 413, "/problems/payload-too-large"),
    ):
        answer = world.client.post(
            f"{branch.base}/imports",
            files={"file": ("x.xlsx", data)},
            headers=world.secretary(branch),
        )
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"] == kind
    json_body = world.client.post(f"{branch.base}/imports", json={"file": "x"})
    assert json_body.status_code == 422
    assert world.head() == head


def test_a_group_leader_may_not_import(world: World, ledgers: Ledgers) -> None:
    branch = world.branch("红旗社区党支部")
    leader = bearer(
        world.settings,
        Role.GROUP_LEADER,
        "leader-1",
        branch_id=UUID(branch.id),
        group_id=UUID(int=1),
    )
    answer = world.client.post(
        f"{branch.base}/imports", files={"file": ("x.xlsx", ledgers.data)}, headers=leader
    )
    assert answer.status_code == 403
    assert answer.json()["type"] == "/problems/forbidden"


def test_the_template_has_every_kind_with_choices_and_an_example(world: World) -> None:
    branch = world.branch("模板社区党支部")
    answer = world.client.get(
        f"{branch.base}/imports/template.xlsx", headers=world.secretary(branch)
    )
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == [
        "党小组",
        "党员花名册",
        "服务岗位",
        "岗位认领",
        "住户",
        "党员联户",
        "走访记录",
    ]
    roster = book["党员花名册"]
    assert [c.value for c in roster[1]][:4] == ["姓名*", "性别", "党小组*", "党员类别*"]
    choices = {str(v.sqref)[0]: v.formula1 for v in roster.data_validations.dataValidation}
    assert "社区党员" in choices["D"] and "预备党员" in choices["E"]
    # The template, filled in as it comes, imports (its examples name each other).
    report = world.upload(branch, answer.content, dry_run="true")
    assert report["problems"] == 0, report["findings"]
    assert report["created"] > 0


def ids_aside(answer: Any) -> Any:
    """An answer with every id, position and branch name left out."""
    if isinstance(answer, dict):
        return {
            key: ids_aside(value)
            for key, value in answer.items()
            if key not in ("id", "position", "name_of_branch")
            and not key.endswith("_id")
            and not key.endswith("_ids")
        }
    if isinstance(answer, list):
        return [ids_aside(item) for item in answer]
    return answer


def read_models(world: World, branch: Branch) -> dict[str, Any]:
    world.settled()
    roster = world.client.get(f"{branch.base}/roster").json()
    names = {m["id"]: m["name"] for g in roster["groups"] for m in g["members"]}
    leaders = {g["name"]: names.get(g["leader_id"]) for g in roster["groups"]}
    assert sorted(leaders.values(), key=str) == [None, None, None, "李强", "王芳"]
    return {
        "leaders": leaders,
        **{
            path: ids_aside(world.client.get(f"{branch.base}/{path}", params=params).json())
            for path, params in (
                ("roster", {}),
                ("posts", {}),
                ("coverage", {"from": "2009-01-01", "to": "2009-12-31"}),
                (
                    "coverage/households",
                    {"visited": "false", "from": "2009-10-01", "to": "2009-10-31"},
                ),
                ("coverage/visits", {"year": 2009}),
            )
        },
    }


def test_a_branch_exported_and_imported_into_a_fresh_one_reads_the_same(
    world: World, ledgers: Ledgers
) -> None:
    source = world.branch("源社区党支部")
    world.upload(source, ledgers.data)
    exported = world.client.get(
        f"{source.base}/exports/branch.xlsx", params={"min_position": world.head()}
    )
    assert exported.status_code == 200, exported.text
    fresh = world.branch("源社区党支部")
    report = world.upload(fresh, exported.content)
    # The namesakes (two 张伟) come back as two members; nothing else is refused.
    assert report["problems"] == 0, [f for f in report["findings"] if f["refused"]]
    assert read_models(world, fresh) == read_models(world, source)


@pytest.mark.usefixtures("postgres_url")
def test_on_postgresql_the_import_runs_once(pg_settings: Settings, ledgers: Ledgers) -> None:
    for world in start(pg_settings):
        branch = world.branch()
        dry = world.upload(branch, ledgers.data, dry_run="true")
        assert planted(dry) == set(ledgers.planted)
        report = world.upload(branch, ledgers.data)
        assert report["created"] == ledgers.commands
        head = world.head()
        assert world.upload(branch, ledgers.data)["created"] == 0
        assert world.head() == head
        assert counts(world, branch) == expected(ledgers)


def test_a_ledgers_link_dates_set_when_its_households_fall_due(world: World) -> None:
    branch = world.branch("联系日期党支部")
    branch.form_group("第一党小组")
    branch.enroll("王芳", "第一党小组", category="retired")
    branch.act("/visit-schedules", {"every_days": 30, "set_on": date.today()})
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "住户"
    sheet.append(["片区", "地址", "户主", "联系党员", "联系日期"])
    sheet.append(["一巷", "长安街9号", "赵大爷", "王芳", "2009年11月20日"])
    sheet.append(["一巷", "长安街10号", "钱大妈", "王芳", None])  # no date: linked today
    data = io.BytesIO()
    book.save(data)
    report = world.upload(branch, data.getvalue())
    assert [f for f in report["findings"] if f["refused"]] == []
    world.settled()
    work = world.client.get(f"{branch.base}/work", params={"within_days": 0}).json()
    assert [(v["address"], v["due_on"], v["standing"]) for v in work["visits"]] == [
        ("长安街9号", "2009-12-20", "overdue")
    ]
