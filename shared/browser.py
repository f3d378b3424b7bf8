"""What every liaison HTTP service gives a browser, in one place: security headers on
every response (the dashboard's escaping, enforced by the browser too), ``HEAD``
answered wherever ``GET`` is, and the API docs at ``/docs`` served from here, so
they work on a branch's offline network as the dashboard does.

The policy allows nothing but this origin: scripts and styles only from files it
serves (no inline script or style anywhere, so none can be injected), images also
as ``data:`` URIs (Swagger UI's icons), never framed (against clickjacking), and no
``Referer`` sent anywhere (``no-referrer``: the pages link nowhere else and nothing
here reads the header, so sending the URLs of branches and members, even to this
origin, serves no one)."""

from __future__ import annotations

import html
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate it
    "Referrer-Policy": "no-referrer",
}

SWAGGER_UI = Path(str(swagger_ui_path))
DOCS_FILES = {  # what /docs loads, and nothing else of the package
    "swagger-ui-bundle.js": SWAGGER_UI / "swagger-ui-bundle.js",
    "swagger-ui.css": SWAGGER_UI / "swagger-ui.css",
    "favicon-32x32.png": SWAGGER_UI / "favicon-32x32.png",
    "docs.js": Path(__file__).parent / "static" / "docs.js",
}
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="icon" href="/docs/static/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/static/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/static/swagger-ui-bundle.js"></script>
  <script src="/docs/static/docs.js" data-openapi-url="{openapi_url}"></script>
</body>
</html>
"""


def install_browser_policy(app: FastAPI) -> None:
    """Call last when building an app (its middleware then wraps all the others), on
    an app created with ``docs_url=None, redoc_url=None``: FastAPI's own docs pages
    load Swagger UI and ReDoc from a CDN. ReDoc is not offered; Swagger UI is."""
    if app.docs_url or app.redoc_url:
        raise ValueError("create the app with docs_url=None, redoc_url=None")
    page = DOCS_PAGE.format(
        title=html.escape(f"{app.title} — API"), openapi_url=html.escape(app.openapi_url or "")
    )

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get("/docs/static/{name}", include_in_schema=False)
    async def docs_file(name: str) -> FileResponse:
        if name not in DOCS_FILES:
            raise HTTPException(404, f"no {name} here")
        return FileResponse(DOCS_FILES[name])

    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)


class SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` to every response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


class HeadAsGet:
    """``HEAD`` answers what ``GET`` would, without the body (RFC 9110, 9.3.2), on
    every route: FastAPI registers a GET route for GET alone (405 on HEAD)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
