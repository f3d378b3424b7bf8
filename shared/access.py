"""Authentication and authorisation for the HTTP services: every API route depends
on ``authorised``, which reads the bearer token, limits failed attempts, and asks
``shared.policy`` whether this principal may use this route in this branch."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated
from uuid import UUID

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import create_engine

from shared.auth import (
    PII,
    AttemptLimiter,
    Keys,
    Principal,
    Revocations,
    Role,
    Tokens,
    TooManyAttempts,
    Unauthenticated,
    load_keys,
)
from shared.policy import Forbidden, Hidden, authorise
from shared.problem_types import Problem
from shared.problems import problem
from shared.settings import Settings, SettingsError, is_sqlite, sqlalchemy_url

log = logging.getLogger(__name__)

BEARER = HTTPBearer(auto_error=False, description="A token from `liaison token create`.")


async def authenticated(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> Principal:
    """The principal the bearer token names. A token that verifies is accepted from any
    client, whatever others did; only failures are counted and limited, per client."""
    tokens: Tokens = request.app.state.tokens
    try:
        if credentials is None:
            raise Unauthenticated(
                "send Authorization: Bearer <token>", "请在请求头 Authorization 中提供 Bearer 令牌"
            )
        return tokens.verify(credentials.credentials)
    except Unauthenticated as refusal:
        # The server decided the client's address (forwarding headers count only from
        # LIAISON_TRUSTED_PROXIES; see services/cli.py).
        client = request.client.host if request.client else "unknown"
        attempts: AttemptLimiter = request.app.state.attempts
        attempts.failed(client, refusal)
        raise


async def authorised(
    request: Request, principal: Annotated[Principal, Depends(authenticated)]
) -> Principal:
    route = request.scope.get("route")
    branch = request.path_params.get("branch_id")
    try:
        branch_id = UUID(branch) if branch else None
    except ValueError:
        branch_id = None  # the route's own validation answers 422
    authorise(principal, getattr(route, "name", ""), branch_id)
    request.state.principal = principal
    return principal


Authorised = Annotated[Principal, Depends(authorised)]


def install_access(app: FastAPI, tokens: Tokens) -> None:
    app.state.tokens = tokens
    app.state.attempts = AttemptLimiter()

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(_: Request, exc: Unauthenticated) -> JSONResponse:
        return problem(
            Problem.UNAUTHENTICATED,
            str(exc),
            headers={"WWW-Authenticate": "Bearer"},
            detail_zh=exc.zh,
        )

    @app.exception_handler(TooManyAttempts)
    async def too_many(request: Request, exc: TooManyAttempts) -> JSONResponse:
        retry_after = str(round(request.app.state.attempts.window_seconds))
        return problem(
            Problem.TOO_MANY_ATTEMPTS,
            str(exc),
            headers={"Retry-After": retry_after},
            detail_zh=exc.zh,
        )

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return problem(Problem.FORBIDDEN, str(exc), detail_zh=exc.zh)

    @app.exception_handler(Hidden)
    async def hidden(_: Request, exc: Hidden) -> JSONResponse:
        return problem(Problem.NOT_FOUND, str(exc))


def open_tokens(settings: Settings) -> Tokens:
    """The token service. On the embedded default, the first run creates the signing
    key and a committee-admin token under the data directory and says how to use it;
    elsewhere keys must come from ``LIAISON_AUTH_KEYS`` or ``LIAISON_AUTH_KEYS_FILE``."""
    keys_file = Path(settings.auth_keys_file) if settings.auth_keys_file else None
    keys = load_keys(settings.auth_keys, keys_file)
    if keys is not None:
        return Tokens(keys, _revocations(settings))
    if keys_file is None or not is_sqlite(settings.database_url):
        raise SettingsError("set LIAISON_AUTH_KEYS or LIAISON_AUTH_KEYS_FILE (kid=secret)")
    tokens = Tokens(Keys.generate(), _revocations(settings))
    _first_run(tokens, keys_file, settings)
    return tokens


def _revocations(settings: Settings) -> Revocations:
    return Revocations(create_engine(sqlalchemy_url(settings.database_url), pool_pre_ping=True))


def _first_run(tokens: Tokens, keys_file: Path, settings: Settings) -> None:
    keys_file.parent.mkdir(parents=True, exist_ok=True)
    _write_secret(keys_file, tokens.keys.render())
    token, _ = tokens.issue(
        Principal(subject="local-admin", role=Role.COMMITTEE_ADMIN, grants=frozenset({PII})),
        timedelta(days=settings.token_days),
    )
    admin_file = keys_file.parent / "admin-token"
    _write_secret(admin_file, token + "\n")
    print(
        f"liaison: first run — created a signing key ({keys_file}) and a committee-admin "
        f"token ({admin_file}). Use it as: Authorization: Bearer $(cat {admin_file})",
        flush=True,
    )


def _write_secret(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
