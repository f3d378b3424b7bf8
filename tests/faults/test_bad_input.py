"""Bad input of every kind gets a clear problem and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bench.stack import bearer
from services.demo.client import Branch, tell_the_story
from services.embedded import create_app
from shared.settings import Settings


@pytest.fixture
def story(sqlite_settings: Settings) -> Iterator[tuple[TestClient, Branch]]:
    with TestClient(create_app(sqlite_settings), headers=bearer(sqlite_settings)) as client:
        branch = Branch(client, client)
        tell_the_story(branch)
        yield client, branch


def head(client: TestClient) -> int:
    position: int = client.get("/v1/projections").json()["head"]
    return position


@pytest.mark.parametrize(
    ("body", "headers", "status", "slug"),
    [
        (
            b'{"name": "' + b"x" * 300_000 + b'"}',
            {"content-type": "application/json"},
            413,
            "payload-too-large",
        ),
        (b'{"name": "x"}', {"content-type": "text/plain"}, 415, "unsupported-media-type"),
        (
            b"name=x",
            {"content-type": "application/x-www-form-urlencoded"},
            415,
            "unsupported-media-type",
        ),
        (b'{"name": "x"}', {}, 415, "unsupported-media-type"),
        (b'{"name": "\xff\xfe"}', {"content-type": "application/json"}, 400, "bad-request"),
        (
            b'{"name": "' + "长".encode() * 101 + b'"}',
            {"content-type": "application/json"},
            422,
            "validation-error",
        ),
        (b'{"name": ["x"]}', {"content-type": "application/json"}, 422, "validation-error"),
        (b"[]", {"content-type": "application/json"}, 422, "validation-error"),
        (b"null", {"content-type": "application/json"}, 422, "validation-error"),
    ],
)
def test_malformed_requests(
    story: tuple[TestClient, Branch], body: bytes, headers: dict[str, str], status: int, slug: str
) -> None:
    client, _ = story
    before = head(client)
    response = client.post("/v1/branches", content=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == f"/problems/{slug}"
    assert head(client) == before


def test_out_of_range_values_and_other_branches(story: tuple[TestClient, Branch]) -> None:
    client, branch = story
    visit = {
        "member_id": branch.members["王芳"],
        "household_id": branch.households["长安街1号"],
        "visited_on": "2009-11-01",
        "purpose": "走访",
    }
    other = Branch(client, client).register("别的支部")
    before = head(client)
    cases = [
        (f"{branch.base}/visits", visit | {"visited_on": "10000-01-01"}, 422, "validation-error"),
        (f"{branch.base}/visits", visit | {"visited_on": "1900-01-01"}, 422, "invalid-value"),
        (f"{branch.base}/visits", visit | {"visited_on": "2009-02-30"}, 422, "validation-error"),
        (f"{branch.base}/visits", visit | {"member_id": "not-a-uuid"}, 422, "validation-error"),
        (f"{branch.base}/visits", visit | {"extra": 1}, 422, "validation-error"),
        (f"{other.base}/visits", visit, 422, "unknown-reference"),
        (f"{branch.base}/groups", {"name": "x", "basis": "hobbies"}, 422, "validation-error"),
        (
            f"{branch.base}/members/{branch.members['王芳']}/ratings",
            {"year": 99999999999999999999, "grade": "good"},
            422,
            "validation-error",
        ),
        (
            f"{other.base}/members/{branch.members['王芳']}/ratings",
            {"year": 2009, "grade": "good"},
            404,
            "not-found",
        ),
    ]
    for path, body, status, slug in cases:
        response = client.post(path, json=body)
        assert (response.status_code, response.json()["type"]) == (status, f"/problems/{slug}"), (
            path,
            body,
            response.text,
        )
    assert head(client) == before
    assert client.get(f"{branch.base}/roster", params={"min_position": 2**70}).status_code == 422
    assert client.get("/v1/audit/events", params={"after": -1}).status_code == 422
