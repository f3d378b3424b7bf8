"""The query side on the embedded default: it records exports through its port and
never writes the event store itself, renders documents off the event loop, wakes a
read-your-writes wait when the projector commits instead of polling, and rebuilds a
read model whose tables have an earlier shape."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from bench.stack import bearer
from services.audit.api import mount_audit
from services.demo.client import Branch
from services.embedded import create_app
from services.projection import ledgers, summary
from services.projection.api import reader
from services.projection.api.app import mount_queries
from services.projection.bootstrap import bootstrap as bootstrap_projections
from services.projection.projectors import COVERAGE
from shared.access import open_tokens
from shared.export_log import ExportRecord, install_export_log
from shared.settings import Settings
from shared.web import service_app
from tests.support.broker import eventually
from tests.support.settings import embedded_settings


def on_the_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class ListExportLog:
    """An ``ExportLog`` that keeps what it is told in a list, and whether it was told
    on the event loop."""

    def __init__(self) -> None:
        self.recorded: list[tuple[ExportRecord, bool]] = []

    def record(self, export: ExportRecord) -> None:
        self.recorded.append((export, on_the_event_loop()))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return embedded_settings(tmp_path, read_wait_seconds=0.5)


@pytest.fixture
def branch(settings: Settings) -> Iterator[Branch]:
    """A branch with a group and a member, told to the embedded app (which
    ``embedded(branch)`` is)."""
    with TestClient(create_app(settings), headers=bearer(settings)) as client:
        story = Branch(client, client).register("长安党支部")
        story.form_group("第一党小组")
        story.enroll("王芳", "第一党小组")
        story.read("/roster")
        yield story


def embedded(branch: Branch) -> TestClient:
    client = branch.commands
    assert isinstance(client, TestClient)
    return client


@pytest.fixture
def queries(settings: Settings, branch: Branch) -> Iterator[tuple[TestClient, ListExportLog]]:
    """The query API over the embedded store, recording exports in a list."""
    projections = bootstrap_projections(settings)
    log = ListExportLog()
    app = service_app(
        "query",
        title="query API",
        tokens=open_tokens(settings),
        mounts=[
            lambda app: install_export_log(app, log),
            lambda app: mount_queries(app, projections),
            lambda app: mount_audit(app, projections.event_log),
        ],
        checks={},
    )
    with TestClient(app, headers=bearer(settings)) as client:
        yield client, log
    projections.close()


def exported_events(client: httpx.Client) -> list[dict[str, Any]]:
    answer = client.get("/v1/audit/events", params={"type": "ExportRecorded"})
    events: list[dict[str, Any]] = answer.json()["events"]
    return events


def test_exports_are_recorded_through_the_export_log_and_never_by_the_query_side(
    queries: tuple[TestClient, ListExportLog], branch: Branch
) -> None:
    client, log = queries
    correlation = uuid4()
    asked = [
        (f"{branch.base}/exports/roster.xlsx", {}),
        (f"{branch.base}/exports/evaluations.csv", {"year": "2009"}),
        (f"{branch.base}/summary", {"year": "2009", "format": "docx"}),
        ("/v1/audit/events", {"format": "csv"}),
    ]
    for path, params in asked:
        answer = client.get(path, params=params, headers={"X-Correlation-ID": str(correlation)})
        assert answer.status_code == 200, answer.text
    ours = UUID(branch.id)
    assert [
        (e.principal.subject, e.what, e.filters, e.branch_id, e.correlation_id, on_the_loop)
        for e, on_the_loop in log.recorded
    ] == [
        ("bench-admin", "roster.xlsx", "", ours, correlation, False),
        ("bench-admin", "evaluations.csv", "year=2009", ours, correlation, False),
        ("bench-admin", "summary-2009.docx", "year=2009&format=docx", ours, correlation, False),
        ("bench-admin", "audit.csv", "format=csv", None, correlation, False),
    ]
    assert exported_events(client) == []


def test_documents_are_rendered_off_the_event_loop(
    queries: tuple[TestClient, ListExportLog], branch: Branch, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[tuple[str, bool]] = []

    def spy(name: str, render: Any) -> Any:
        def rendering(*args: Any) -> Any:
            rendered.append((name, on_the_event_loop()))
            return render(*args)

        return rendering

    monkeypatch.setattr(ledgers, "to_xlsx", spy("xlsx", ledgers.to_xlsx))
    monkeypatch.setattr(ledgers, "to_csv", spy("csv", ledgers.to_csv))
    monkeypatch.setattr(summary.Summary, "docx", spy("docx", summary.Summary.docx))
    monkeypatch.setattr(summary.Summary, "markdown", spy("md", summary.Summary.markdown))
    client, _ = queries
    for path, params in (
        ("exports/coverage.xlsx", {}),
        ("exports/visits.csv", {}),
        ("summary", {"format": "docx"}),
        ("summary", {"format": "md", "lang": "en"}),
    ):
        assert client.get(f"{branch.base}/{path}", params=params).status_code == 200
    assert rendered == [("xlsx", False), ("csv", False), ("docx", False), ("md", False)]


def test_an_export_from_the_embedded_app_is_recorded_by_a_command(branch: Branch) -> None:
    correlation = uuid4()
    answer = embedded(branch).get(
        f"{branch.base}/exports/roster.csv", headers={"X-Correlation-ID": str(correlation)}
    )
    assert answer.status_code == 200
    [recorded] = exported_events(embedded(branch))
    assert (recorded["actor"], recorded["branch_id"], recorded["correlation_id"]) == (
        "bench-admin",
        branch.id,
        str(correlation),
    )
    assert (recorded["stream_version"], recorded["data"]) == (
        1,
        {"what": "roster.csv", "filters": ""},
    )


def state_reads(client: TestClient) -> list[str]:
    """Every statement the query API sends to read a projection's tracking row (the
    embedded projectors' own threads read it too, and are left out)."""
    seen: list[str] = []
    engine = client.app.state.read_models.store.reader  # type: ignore[attr-defined]

    def noted(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        projector = threading.current_thread().name.startswith("projector-")
        if "projection_state" in statement and not projector:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", noted)
    return seen


def test_a_query_waiting_for_a_position_looks_again_only_when_woken(branch: Branch) -> None:
    """Nothing is committed while it waits (LIAISON_READ_WAIT_SECONDS is 0.5 here):
    it looks before waiting and once more at the end, where a 10 ms poll looked about
    fifty times."""
    reads = state_reads(embedded(branch))
    answer = embedded(branch).get(
        f"{branch.base}/roster", params={"min_position": branch.position + 99}
    )
    assert answer.status_code == 503
    assert answer.json()["type"] == "/problems/read-model-behind"
    assert 1 <= len(reads) <= 2


def test_a_waiting_query_answers_once_the_projector_commits_its_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no look-again to fall back on, only the projector's announcement can
    end the wait before its 60 seconds."""
    monkeypatch.setattr(reader, "RECHECK_SECONDS", 3600.0)
    settings = embedded_settings(tmp_path, read_wait_seconds=60.0)
    with TestClient(create_app(settings), headers=bearer(settings)) as client:
        story = Branch(client, client).register("长安党支部")
        story.read("/roster")
        progress = client.app.state.read_models.store.progress  # type: ignore[attr-defined]
        answers: list[httpx.Response] = []
        waiting = threading.Thread(
            target=lambda: answers.append(
                client.get(f"{story.base}/roster", params={"min_position": story.position + 1})
            )
        )
        waiting.start()
        eventually(lambda: bool(progress._waiters), message="the query waits")
        story.form_group("第一党小组")
        waiting.join(120)
    [answer] = answers
    assert answer.status_code == 200, answer.text
    assert [group["name"] for group in answer.json()["groups"]] == ["第一党小组"]


def test_a_read_model_of_an_earlier_shape_is_rebuilt_when_a_process_starts(
    settings: Settings, branch: Branch
) -> None:
    """As after an upgrade that changed its tables: coverage made before it held its
    members' moves and groups' leaders (as before the read models shared their
    membership) is rebuilt from the events, and answers as before."""
    before = branch.read("/coverage")
    projections = bootstrap_projections(settings)
    with projections.store.writer.begin() as conn:
        conn.execute(text("DROP TABLE coverage_g1_moves"))
        conn.execute(text("ALTER TABLE coverage_g1_groups DROP COLUMN leader_id"))
    projections.close()
    rebuilt = bootstrap_projections(settings)
    try:
        with rebuilt.store.reader.connect() as conn:
            state = rebuilt.store.state(conn, COVERAGE.name)
        assert state is not None and state.generation == 2
    finally:
        rebuilt.close()
    assert branch.read("/coverage") == before
