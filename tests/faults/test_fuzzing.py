"""Schema-driven fuzzing of the whole HTTP API (schemathesis on the app's own
OpenAPI): whatever arrives, no 5xx, and every error is problem+json with a stable
type."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from starlette.types import ASGIApp, Receive, Scope, Send

from bench.stack import bearer
from services.embedded import create_app
from tests.support.settings import embedded_settings


class WithoutLifespan:
    """The fuzzer starts and stops the app for every case; this app's services live
    for the whole module instead (they were built with it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.app(scope, receive, send)


DATA = Path(tempfile.mkdtemp(prefix="liaison-fuzz-"))
atexit.register(shutil.rmtree, DATA, ignore_errors=True)  # made at import, by any run
SETTINGS = embedded_settings(DATA, read_wait_seconds=0.2)
APP = create_app(SETTINGS)
ADMIN = bearer(SETTINGS)
schema = schemathesis.openapi.from_asgi("/openapi.json", WithoutLifespan(APP))


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_makes_the_api_fail(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    response = case.call(headers=ADMIN)
    if response.status_code == 503:
        # The contract's answer to a min_position the read model has not reached.
        assert response.json()["type"] == "/problems/read-model-behind", response.text
        return
    assert response.status_code < 500, (case.method, case.formatted_path, response.text)
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json")
        problem = response.json()
        assert problem["type"].startswith("/problems/"), problem
        assert problem["status"] == response.status_code
