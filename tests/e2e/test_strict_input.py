"""Bodies are taken as written, or refused with a documented problem and nothing
written: JSON in UTF-8 only, no key twice, no coercion of types, no text that shows
nothing. Each class of input is generated over representative commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bench.stack import bearer
from services.demo.client import Branch
from services.embedded import create_app
from tests.support.settings import embedded_settings

EXAMPLES = settings(max_examples=60, deadline=None)


@dataclass(frozen=True)
class Command:
    """A command with a body it accepts, and its fields by JSON type."""

    path: str  # the OpenAPI path
    url: str
    body: dict[str, Any]
    texts: tuple[str, ...] = ()
    booleans: tuple[str, ...] = ()
    integers: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    client: TestClient = field(repr=False)
    openapi: dict[str, Any] = field(repr=False)
    commands: tuple[Command, ...] = field(repr=False)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    app_settings = embedded_settings(tmp_path_factory.mktemp("strict"))
    app = create_app(app_settings)
    with TestClient(app, headers=bearer(app_settings)) as client:
        branch = Branch(client, client).register("长安社区党支部")
        branch.form_group("第一党小组")
        member = branch.enroll("王芳", "第一党小组")
        household = branch.write(
            f"{branch.base}/households",
            {"address": "长安街1号", "area": "一巷", "head_name": "刘大爷"},
        )["id"]
        base, b = branch.base, "/v1/branches/{branch_id}"
        commands = (
            Command("/v1/branches", "/v1/branches", {"name": "新支部"}, texts=("name",)),
            Command(
                b + "/members",
                f"{base}/members",
                {
                    "name": "赵敏",
                    "category": "community",
                    "status": "full",
                    "group_id": branch.groups["第一党小组"],
                    "holds_office": False,
                },
                texts=("name",),
                booleans=("holds_office",),
            ),
            Command(
                b + "/households",
                f"{base}/households",
                {"address": "长安街2号", "area": "二巷", "head_name": "陈阿姨", "tags": ["独居"]},
                texts=("address", "area", "head_name"),
                lists=("tags",),
            ),
            Command(
                b + "/visits",
                f"{base}/visits",
                {
                    "member_id": member,
                    "household_id": household,
                    "visited_on": "2009-11-01",
                    "purpose": "走访",
                    "notes": "身体好",
                },
                texts=("purpose", "notes"),
                dates=("visited_on",),
            ),
            Command(
                b + "/appraisals",
                f"{base}/appraisals",
                {"year": 2009, "opened_on": "2009-12-01", "excellent_share": 0.3},
                integers=("year",),
                numbers=("excellent_share",),
                dates=("opened_on",),
            ),
            Command(
                b + "/members/{member_id}/ratings",
                f"{base}/members/{member}/ratings",
                {"year": 2009, "grade": "basically_qualified", "shortcomings": ["学习不够"]},
                integers=("year",),
                lists=("shortcomings",),
            ),
            Command(
                "/v1/auth/tokens",
                "/v1/auth/tokens",
                {"subject": "auditor-1", "role": "auditor", "pii": False, "days": 7},
                booleans=("pii",),
                integers=("days",),
            ),
        )
        yield Service(client, app.openapi(), commands)


def refused(
    service: Service,
    command: Command,
    content: bytes,
    status: int,
    slug: str,
    *,
    content_type: str = "application/json",
) -> dict[str, Any]:
    """Posts the body and checks the problem, that the operation declares it, and that
    nothing was written: the store's head did not move, the audit log has nothing new."""
    client = service.client
    before = client.get("/v1/projections").json()["head"]
    response = client.post(command.url, content=content, headers={"content-type": content_type})
    assert response.status_code == status, (command.url, content, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"/problems/{slug}", response.text
    declared = service.openapi["paths"][command.path]["post"]["responses"][str(status)]
    schema = declared["content"]["application/problem+json"]["schema"]
    assert problem["type"] in schema["properties"]["type"]["enum"]
    assert client.get("/v1/projections").json()["head"] == before
    assert client.get("/v1/audit/events", params={"after": before}).json()["events"] == []
    return problem


def commands(service: Service, *fields: str) -> st.SearchStrategy[Command]:
    """The representative commands that have a field of one of these kinds."""
    return st.sampled_from(
        [c for c in service.commands if any(getattr(c, kind) for kind in fields)]
    )


def utf8(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def test_every_command_accepts_its_body(service: Service) -> None:
    """The bodies below are valid: every refusal that follows is the change's doing."""
    for command in service.commands:
        if command.path.endswith("/ratings"):
            continue  # rated only once the year's appraisal closes (a rule, not input)
        response = service.client.post(command.url, json=command.body)
        assert response.status_code in (200, 201), (command.url, response.text)


@given(data=st.data())
@EXAMPLES
def test_bodies_in_other_encodings_are_bad_requests(service: Service, data: st.DataObject) -> None:
    command = data.draw(st.sampled_from(service.commands))
    encoding = data.draw(
        st.sampled_from(
            ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-8-sig", "gb18030"]
        )
    )
    content = json.dumps(command.body, ensure_ascii=False).encode(encoding)
    assume(content != utf8(command.body))  # GB 18030 encodes ASCII as UTF-8 does
    refused(service, command, content, 400, "bad-request")


@given(data=st.data())
@EXAMPLES
def test_a_charset_other_than_utf8_is_unsupported(service: Service, data: st.DataObject) -> None:
    command = data.draw(st.sampled_from(service.commands))
    charset = data.draw(
        st.sampled_from(["latin-1", "iso-8859-1", "us-ascii", "utf-16", "windows-1252", "gbk"])
        | st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True).filter(lambda c: c != "utf-8")
    )
    if data.draw(st.booleans()):
        charset = f'"{charset}"'
    content_type = f"application/json; charset={charset}"
    refused(
        service,
        command,
        utf8(command.body),
        415,
        "unsupported-media-type",
        content_type=content_type,
    )


def test_utf8_may_be_named(service: Service) -> None:
    for content_type in ("application/json; charset=utf-8", 'application/json; charset="UTF-8"'):
        response = service.client.post(
            "/v1/branches", content=utf8({"name": "某支部"}), headers={"content-type": content_type}
        )
        assert response.status_code == 201, response.text


@given(data=st.data())
@EXAMPLES
def test_a_key_given_twice_is_a_bad_request(service: Service, data: st.DataObject) -> None:
    command = data.draw(st.sampled_from(service.commands))
    key = data.draw(st.sampled_from(sorted(command.body)))
    again = data.draw(st.sampled_from([command.body[key], "dupB", 2010, None]))
    members = [json.dumps(k) + ":" + json.dumps(v) for k, v in command.body.items()]
    members.insert(
        data.draw(st.integers(0, len(members))), json.dumps(key) + ":" + json.dumps(again)
    )
    problem = refused(
        service, command, ("{" + ",".join(members) + "}").encode(), 400, "bad-request"
    )
    assert key in problem["detail"]


@given(data=st.data())
@EXAMPLES
def test_bad_json_is_a_bad_request(service: Service, data: st.DataObject) -> None:
    command = data.draw(st.sampled_from(service.commands))
    text = json.dumps(command.body, ensure_ascii=False)
    content = data.draw(
        st.sampled_from(
            [
                text[:-1],  # cut short
                text.replace("}", ",}"),  # a trailing comma
                text[:-1] + ', "x": NaN}',
                text[:-1] + ', "x": -Infinity}',
                text[:-1] + ', "x": "\\ud800"}',  # a lone surrogate
                text.replace('"', "'"),
                text[:-1] + ', "x": ' + "[" * 33 + "]" * 33 + "}",  # nested too deep
                "[" * 100_000 + "]" * 100_000,  # deeper than Python's parser recurses
            ]
        )
    )
    refused(service, command, content.encode(), 400, "bad-request")


# What lax validation would have read as the intended type.
COERCIBLE: dict[str, list[object]] = {
    "booleans": ["yes", "no", "true", "false", "1", "0", 1, 0, "on", "off"],
    "integers": ["2009", "2009.0", 2009.0, True, "0x7d9"],
    "numbers": ["0.3", "1/3", True],
    "dates": [
        "2009-11-01T00:00:00",
        "2009-11-01T00:00:00Z",
        "2009-11-01 00:00",
        "20091101",
        "2009-W44-7",
        "2009-305",
        1257033600,
        "1257033600",
    ],
    "lists": ["独居", {"0": "独居"}],
}


@given(data=st.data())
@EXAMPLES
def test_values_are_never_coerced(service: Service, data: st.DataObject) -> None:
    command = data.draw(commands(service, *COERCIBLE))
    kind = data.draw(st.sampled_from([k for k in COERCIBLE if getattr(command, k)]))
    name = data.draw(st.sampled_from(getattr(command, kind)))
    value = data.draw(st.sampled_from(COERCIBLE[kind]))
    problem = refused(service, command, utf8(command.body | {name: value}), 422, "validation-error")
    assert name in [error["field"] for error in problem["errors"]], problem


# Characters that show nothing: whitespace, format characters (zero-width space and
# joiners, BOM, direction marks...), and a few other blanks (Hangul fillers, the blank
# Braille pattern, variation selectors, the combining grapheme joiner).
INVISIBLE = st.characters(categories=["Zs", "Cf"]) | st.sampled_from(
    list(" \u00a0\u3000\u200b\u200c\u200d\u2060\ufeff\u3164\u115f\u1160\uffa0\u2800\ufe0f\u034f")
)


@given(data=st.data())
@EXAMPLES
def test_text_that_shows_nothing_is_blank(service: Service, data: st.DataObject) -> None:
    command = data.draw(commands(service, "texts", "lists"))
    name = data.draw(st.sampled_from(command.texts + command.lists))
    blank = data.draw(st.text(INVISIBLE, min_size=1, max_size=20))
    value: object = [blank] if name in command.lists else blank
    problem = refused(service, command, utf8(command.body | {name: value}), 422, "validation-error")
    assert any(error["field"].startswith(name) for error in problem["errors"]), problem


def test_text_with_something_to_show_is_kept_as_written(service: Service) -> None:
    client = service.client
    written = client.post("/v1/branches", json={"name": "\u200b长安\u200d支部 "}).json()
    roster = client.get(
        f"/v1/branches/{written['id']}/roster", params={"min_position": written["position"]}
    )
    assert roster.json()["name"] == "\u200b长安\u200d支部"


def test_the_body_is_judged_only_for_who_may_use_the_route(service: Service) -> None:
    response = service.client.post(
        "/v1/branches", json={"name": 2009}, headers={"Authorization": "Bearer forged"}
    )
    assert (response.status_code, response.json()["type"]) == (401, "/problems/unauthenticated")
