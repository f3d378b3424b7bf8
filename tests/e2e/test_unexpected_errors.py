"""An unexpected error is answered as ``internal-error`` and logged once, with the
request, by the product served as ``liaison run`` serves it (uvicorn)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from services.embedded import create_app
from shared.settings import Settings


class Bug(Exception):
    """What a route raises below: nothing handles it."""


@pytest.fixture
def served(sqlite_settings: Settings) -> Iterator[str]:
    app: FastAPI = create_app(sqlite_settings)

    @app.get("/v1/bug", include_in_schema=False)
    def bug() -> None:
        raise Bug("before answering")

    @app.get("/v1/bug-midway", include_in_schema=False)
    def bug_midway() -> StreamingResponse:
        def rows() -> Iterator[str]:
            yield "first row\n"
            raise Bug("while streaming")

        return StreamingResponse(rows())

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()
        listener.close()


def logged(caplog: pytest.LogCaptureFixture, message: str) -> list[str]:
    return [
        f"{record.name}: {record.getMessage()}"
        for record in caplog.records
        if record.exc_info and str(record.exc_info[1]) == message
    ]


def test_an_unexpected_error_is_answered_and_logged_once(
    served: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = httpx.get(f"{served}/v1/bug")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "/problems/internal-error"
    assert logged(caplog, "before answering") == ["shared.problems: unhandled error on GET /v1/bug"]


def test_an_error_after_the_answer_began_is_logged_once(
    served: str, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{served}/v1/bug-midway")
    assert len(logged(caplog, "while streaming")) == 1
