"""The command API application."""

from __future__ import annotations

from fastapi import FastAPI

from services.command.api import access
from services.command.api.errors import install_domain_error_handler
from services.command.api.routes import command_router
from services.command.bootstrap import CommandService
from shared.auth import Tokens
from shared.web import service_app


def mount_commands(app: FastAPI, service: CommandService) -> None:
    """Adds the command endpoints, and the credential endpoints, to an app (its own,
    or the embedded all-in-one); ``install_access`` must have run on it."""
    app.state.bus = service.bus
    app.state.settings = service.settings
    app.include_router(access.router)
    app.include_router(command_router())
    install_domain_error_handler(app)


def create_command_app(service: CommandService, tokens: Tokens) -> FastAPI:
    return service_app(
        "command",
        title="liaison command API",
        description="Commands of a community Party branch's liaison with residents.",
        tokens=tokens,
        mounts=[lambda app: mount_commands(app, service)],
        checks={"event_store": service.ready},
    )
