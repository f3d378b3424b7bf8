"""Every problem type the API can answer is declared once, in ``shared.problem_types``:
the README's errors table lists exactly those, every route's OpenAPI responses
declare only those, every refusal of a command names one, and nothing the framework
raises can turn into another."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

import services.command.bus  # noqa: F401  (defines IdempotencyKeyReused)
from services.command.domain.errors import (
    DomainError,
    InvalidValue,
    NotFound,
    RuleViolation,
    UnknownReference,
)
from services.embedded import create_app
from shared.problem_types import Problem
from shared.problems import install_problem_handlers, problem
from shared.web import MAX_BODY_BYTES, MAX_DEPTH
from tests.support.settings import embedded_settings

README = Path(__file__).resolve().parents[2] / "README.md"
REGISTERED = {kind.type: kind for kind in Problem}


def readme_errors() -> dict[str, int]:
    """The README's errors table, read as a person would: type -> status."""
    section = README.read_text(encoding="utf-8").split("### Errors", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d{3}) \| `(/problems/[a-z0-9-]+)` \|", section, re.MULTILINE)
    assert rows, "no errors table in README.md"
    return {kind: int(status) for status, kind in rows}


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The whole product's OpenAPI document: the embedded app mounts every router."""
    document: dict[str, Any] = create_app(
        embedded_settings(tmp_path_factory.mktemp("openapi"))
    ).openapi()
    return document


def declared(openapi: dict[str, Any]) -> Iterator[tuple[str, int, str]]:
    """(operation, status, problem type) for every problem response of every route."""
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                problem = content.get("application/problem+json")
                assert problem or int(status) < 400, (method, path, status, "not a problem")
                if problem:
                    for kind in problem["schema"]["properties"]["type"]["enum"]:
                        yield f"{method.upper()} {path}", int(status), kind


def test_the_readme_lists_exactly_the_registered_types() -> None:
    assert readme_errors() == {kind.type: kind.status for kind in Problem}


def test_every_route_declares_only_registered_types(openapi: dict[str, Any]) -> None:
    documented = readme_errors()
    for operation, status, kind in declared(openapi):
        assert kind in REGISTERED, (operation, kind, "not in shared/problem_types.py")
        assert kind in documented, (operation, kind, "not in the README's errors table")
        assert REGISTERED[kind].status == status, (operation, kind, status)


def test_every_route_declares_its_problems(openapi: dict[str, Any]) -> None:
    operations = {(method, path) for path, ops in openapi["paths"].items() for method in ops}
    failing = {operation for operation, status, _ in declared(openapi) if status == 500}
    assert len(failing) == len(operations), "every route can fail: each declares internal-error"
    types = {kind for _, _, kind in declared(openapi)}
    # A wrong method is answered for a path, never by an operation of it.
    assert set(REGISTERED) - types == {Problem.METHOD_NOT_ALLOWED.type}


def test_commands_declare_the_rules_they_may_break(openapi: dict[str, Any]) -> None:
    visits = openapi["paths"]["/v1/branches/{branch_id}/visits"]["post"]["responses"]
    kinds = visits["409"]["content"]["application/problem+json"]["schema"]["properties"]
    assert Problem.HOUSEHOLD_ERASED.type in kinds["type"]["enum"]


def domain_errors(cls: type[DomainError] = DomainError) -> Iterator[type[DomainError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from domain_errors(sub)


def test_every_refusal_of_a_command_names_a_registered_type() -> None:
    families = {NotFound: 404, UnknownReference: 422, InvalidValue: 422, RuleViolation: 409}
    for error in domain_errors():
        if error is RuleViolation:
            continue  # the family, not a refusal
        assert isinstance(getattr(error, "problem", None), Problem), error
        family = next((s for f, s in families.items() if issubclass(error, f)), 422)
        assert error.problem.status == family, (error, error.problem)


def test_a_problem_answers_with_its_types_status_and_title() -> None:
    for kind in Problem:
        response = problem(kind, "because", field="name")
        assert response.status_code == kind.status
        assert response.media_type == "application/problem+json"
        assert json.loads(bytes(response.body)) == {
            "type": kind.type,
            "title": kind.title,
            "status": kind.status,
            "detail": "because",
            "field": "name",
        }


@given(status=st.integers(min_value=400, max_value=599))
@settings(max_examples=200, deadline=None)
def test_nothing_the_framework_raises_makes_up_a_type(status: int) -> None:
    """Whatever HTTP error is raised below the handlers (the framework's 404 and 405,
    or a route's own), the answer is a registered type with that type's status."""
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/")
    def fail() -> None:
        raise HTTPException(status, "refused")

    logging.getLogger("shared.problems").disabled = True  # an unregistered one is logged
    try:
        response = TestClient(app).get("/")
    finally:
        logging.getLogger("shared.problems").disabled = False
    answer = response.json()
    assert answer["type"] in REGISTERED, answer
    assert response.status_code == answer["status"] == REGISTERED[answer["type"]].status
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_limits_are_documented_as_they_are() -> None:
    assert f"{MAX_BODY_BYTES // 1024} KiB" in Problem.PAYLOAD_TOO_LARGE.meaning
    assert f"deeper than {MAX_DEPTH}" in Problem.BAD_REQUEST.meaning
