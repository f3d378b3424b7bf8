"""The command API application."""

from __future__ import annotations

from fastapi import FastAPI

from services.command.api import access
from services.command.api.errors import install_domain_error_handler
from services.command.api.routes import command_router
from services.command.bootstrap import CommandService
from shared.access import install_access
from shared.auth import Tokens
from shared.browser import install_browser_policy
from shared.problems import install_problem_handlers
from shared.web import add_operations_routes, operation_id


def mount_commands(app: FastAPI, service: CommandService) -> None:
    """Adds the command endpoints, and the credential endpoints, to an app (its own,
    or the embedded all-in-one); ``install_access`` must have run on it."""
    app.state.bus = service.bus
    app.state.settings = service.settings
    app.include_router(access.router)
    app.include_router(command_router())
    install_domain_error_handler(app)


def create_command_app(service: CommandService, tokens: Tokens) -> FastAPI:
    app = FastAPI(
        docs_url=None,  # served offline by install_browser_policy
        redoc_url=None,
        generate_unique_id_function=operation_id,
        title="liaison command API",
        version="1",
        description="Commands of a community Party branch's liaison with residents.",
    )
    install_problem_handlers(app)
    install_access(app, tokens)
    mount_commands(app, service)
    add_operations_routes(app, "command", checks={"event_store": service.ready})
    install_browser_policy(app)
    return app
