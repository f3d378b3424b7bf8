"""Parameters that contradict each other are a validation error naming the field,
with the type the route declares, on every route that takes a window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.stack import bearer
from services.demo.client import Branch
from services.embedded import create_app
from shared.problem_types import Problem
from tests.support.settings import embedded_settings


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, Any]]:
    app_settings = embedded_settings(tmp_path_factory.mktemp("windows"))
    application = create_app(app_settings)
    with TestClient(application, headers=bearer(app_settings)) as client:
        branch = Branch(client, client).register("长安社区党支部")
        yield client, branch.id, application.openapi()


WINDOWS = [
    ("/v1/branches/{branch_id}/coverage", {}, "from", "to"),
    ("/v1/branches/{branch_id}/coverage/households", {"visited": "false"}, "from", "to"),
    ("/v1/branches/{branch_id}/exports/{name}.{format}", {}, "from", "to"),
]
DAYS = st.dates(min_value=date(1921, 7, 1), max_value=date(2100, 12, 31))


@given(data=st.data(), days=st.lists(DAYS, min_size=2, max_size=2, unique=True))
@settings(max_examples=40, deadline=None)
def test_a_window_that_ends_before_it_starts_is_a_validation_error(
    app: tuple[TestClient, str, Any], data: st.DataObject, days: list[date]
) -> None:
    client, branch_id, openapi = app
    last, first = sorted(days)
    path, params, start, end = data.draw(st.sampled_from(WINDOWS))
    url = path.format(branch_id=branch_id, name="coverage", format="csv")
    response = client.get(url, params=params | {start: first.isoformat(), end: last.isoformat()})
    problem = response.json()
    assert (response.status_code, problem["type"]) == (422, Problem.VALIDATION_ERROR.type)
    assert [error["field"] for error in problem["errors"]] == [f"query.{end}"]
    declared = openapi["paths"][path]["get"]["responses"]["422"]["content"]
    assert (
        problem["type"]
        in declared["application/problem+json"]["schema"]["properties"]["type"]["enum"]
    )


MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), timezones=st.just(UTC))


@given(moments=st.lists(MOMENTS, min_size=2, max_size=2, unique=True))
@settings(max_examples=20, deadline=None)
def test_an_audit_window_that_ends_before_it_starts_is_a_validation_error(
    app: tuple[TestClient, str, Any], moments: list[datetime]
) -> None:
    client, _, _ = app
    until, since = sorted(moments)
    response = client.get(
        "/v1/audit/events", params={"since": since.isoformat(), "until": until.isoformat()}
    )
    problem = response.json()
    assert (response.status_code, problem["type"]) == (422, Problem.VALIDATION_ERROR.type)
    assert [error["field"] for error in problem["errors"]] == ["query.until"]


def test_what_no_route_answers_is_still_a_registered_type(app: tuple[TestClient, str, Any]) -> None:
    client, branch_id, _ = app
    for response, kind in [
        (client.get("/v1/no-such-thing"), Problem.NOT_FOUND),
        (client.delete(f"/v1/branches/{branch_id}/roster"), Problem.METHOD_NOT_ALLOWED),
    ]:
        assert (response.status_code, response.json()["type"]) == (kind.status, kind.type)
