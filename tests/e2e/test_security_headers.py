"""What browsers get from every app liaison serves (the command API, the query API with
its dashboard, the embedded all-in-one, the projectors' status app): the security
headers on every response, the API docs served from here with nothing loaded from
elsewhere, and HEAD answered wherever GET is; then, in Debian's Chromium, /docs
rendering offline and the dashboard drawing its bars under the Content-Security-Policy
without a single violation."""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Iterator
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, ConsoleMessage, Page, Route

from bench.stack import Process, bearer
from services.command.api.app import create_command_app
from services.command.bootstrap import bootstrap as bootstrap_commands
from services.demo.client import Branch
from services.embedded import create_app
from services.projection.api.worker import create_worker_app
from services.projection.bootstrap import bootstrap as bootstrap_projection
from services.query_api import create_query_app
from shared.access import open_tokens
from shared.migrations import Presence, prepare_store
from tests.support.settings import embedded_settings

EXTERNAL = re.compile(r"(https?:)?//[\w.-]+", re.IGNORECASE)


def assert_secured(response: httpx.Response, what: str) -> None:
    """The headers every response carries, written out apart from shared.browser."""
    policy = response.headers.get("content-security-policy", "")
    directives = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    assert directives.get("default-src") == "'self'", (what, policy)
    assert directives.get("frame-ancestors") == "'none'", (what, policy)
    assert "unsafe" not in policy, (what, policy)  # no 'unsafe-inline', no 'unsafe-eval'
    assert response.headers.get("x-content-type-options") == "nosniff", what
    assert response.headers.get("x-frame-options") == "DENY", what
    assert response.headers.get("referrer-policy") == "no-referrer", what


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestClient]]:
    """Each app as ``liaison`` builds it, over one embedded store, as the committee admin."""
    settings = embedded_settings(tmp_path_factory.mktemp("headers"))
    prepare_store(settings, Presence.CREATE)  # as `liaison run` would have
    tokens = open_tokens(settings)
    commands = bootstrap_commands(settings)
    projections = bootstrap_projection(settings)
    built: dict[str, FastAPI] = {
        "command": create_command_app(commands, tokens),
        "query": create_query_app(projections, commands, tokens),
        "embedded": create_app(settings),
        "projector": create_worker_app(projections),
    }
    admin = bearer(settings)
    with (
        TestClient(built["embedded"], headers=admin) as embedded,
        TestClient(built["command"], headers=admin) as command,
        TestClient(built["query"], headers=admin) as query_client,
        TestClient(built["projector"], headers=admin) as projector,
    ):
        yield {
            "command": command,
            "query": query_client,
            "embedded": embedded,
            "projector": projector,
        }
    projections.close()
    commands.close()


def paths(client: TestClient, method: str) -> list[str]:
    """Every path of the app's OpenAPI with this method, with made-up ids filled in."""
    values = {"year": "2009", "name": "roster", "format": "csv", "token_id": uuid4().hex}
    found = []
    for template, methods in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        if method.lower() in methods:
            path = template
            for part in re.findall(r"{(\w+)}", template):
                path = path.replace(f"{{{part}}}", values.get(part, str(uuid4())))
            found.append(path)
    return found


def assets(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


APPS = ["command", "query", "embedded", "projector"]


@pytest.mark.parametrize("app", APPS)
def test_every_response_carries_the_security_headers(apps: dict[str, TestClient], app: str) -> None:
    client = apps[app]
    anonymous = {"Authorization": ""}
    for method in ("GET", "POST", "DELETE"):
        for path in paths(client, method):
            body: dict[str, str] | None = {} if method == "POST" else None
            assert_secured(client.request(method, path, json=body), f"{method} {path}")
            anonymous_answer = client.request(method, path, json=body, headers=anonymous)
            assert_secured(anonymous_answer, f"{method} {path} without a token")
    docs = client.get("/docs")
    others = ["/docs", *assets(docs.text), "/openapi.json", "/nowhere", "/docs/static/nothing"]
    if app in ("query", "embedded"):
        dashboard = client.get("/dashboard")
        others += ["/dashboard", *assets(dashboard.text), "/dashboard/labels.json"]
    for path in others:
        assert_secured(client.get(path), path)
    wrong_type = client.post("/healthz", content=b"x", headers={"content-type": "text/plain"})
    assert_secured(wrong_type, "a body refused before routing")
    assert_secured(client.put("/healthz"), "a method not allowed")


@pytest.mark.parametrize("app", APPS)
def test_the_api_docs_load_nothing_from_elsewhere(apps: dict[str, TestClient], app: str) -> None:
    client = apps[app]
    docs = client.get("/docs")
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert EXTERNAL.search(docs.text) is None, docs.text
    assert "<script>" not in docs.text  # every script is a file the policy allows
    loaded = assets(docs.text)
    assert any(url.endswith(".js") for url in loaded) and any(
        url.endswith(".css") for url in loaded
    )
    for url in loaded:
        assert url.startswith("/"), url
        assert client.get(url).status_code == 200, url
    assert client.get(re.findall(r'data-openapi-url="([^"]+)"', docs.text)[0]).status_code == 200
    assert client.get("/redoc").status_code == 404  # only Swagger UI is offered
    assert client.get("/docs/static/index.html").status_code == 404  # only what /docs loads


@pytest.mark.parametrize("app", APPS)
def test_head_answers_like_get_without_a_body(apps: dict[str, TestClient], app: str) -> None:
    client = apps[app]
    targets = [*paths(client, "GET"), "/docs", *assets(client.get("/docs").text)]
    if app in ("query", "embedded"):
        targets += ["/dashboard", "/dashboard/static/app.js"]
    for path in targets:
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code != 405, path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        assert head.content == b"", path
        assert_secured(head, f"HEAD {path}")
    assert client.head("/docs").headers["content-length"] == str(len(client.get("/docs").content))


# In Chromium: what the policy lets a real browser do.


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """``liaison run`` as a fresh install runs it, with a branch of two members."""
    data = tmp_path_factory.mktemp("served")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    process = Process("liaison", ["run"], env | {"LIAISON_DATA_DIR": str(data)}, data).start()
    try:
        token = (data / "admin-token").read_text().strip()
        admin = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=process.url, headers=admin) as client:
            branch = Branch(client, client).register("长安党支部")
            branch.form_group("第一党小组")
            branch.enroll("王芳", "第一党小组")
            branch.enroll("李强", "第一党小组", category="retired")
            branch.read("/roster")
        yield process.url, token, branch.id
    finally:
        process.kill(signal.SIGTERM)


def offline_page(browser: Browser, url: str) -> tuple[Page, list[str], list[str]]:
    """A page that may reach ``url`` only (anything else is refused and noted), and
    notes every Content-Security-Policy violation the browser reports."""
    page = browser.new_page()
    elsewhere: list[str] = []
    violations: list[str] = []

    def only_here(route: Route) -> None:
        if route.request.url.startswith(url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.route("**/*", only_here)
    page.on("console", console)
    return page, elsewhere, violations


def test_the_api_docs_render_offline_under_the_policy(
    browser: Browser, served: tuple[str, str, str]
) -> None:
    url, _, _ = served
    page, elsewhere, violations = offline_page(browser, url)
    try:
        page.goto(f"{url}/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
        assert page.locator(".swagger-ui .info .title").inner_text().startswith("liaison")
        assert page.locator(".swagger-ui .opblock").count() > 50
    finally:
        page.close()
    assert elsewhere == []
    assert violations == []


def test_the_dashboard_draws_its_bars_under_the_policy(
    browser: Browser, served: tuple[str, str, str]
) -> None:
    url, token, branch = served
    page, elsewhere, violations = offline_page(browser, url)
    try:
        page.add_init_script(f"sessionStorage.setItem('liaison.token', {json.dumps(token)})")
        page.goto(f"{url}/dashboard#/roster?branch={branch}")
        page.wait_for_selector("main[data-ready='roster']", timeout=30_000)
        widths = page.eval_on_selector_all(".bar .fill", "bars => bars.map(b => b.style.width)")
    finally:
        page.close()
    assert violations == []
    assert elsewhere == []
    assert "100%" in widths  # the largest category fills its track
