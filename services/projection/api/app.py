"""The query API application."""

from __future__ import annotations

from fastapi import FastAPI

from services.projection.api import documents
from services.projection.api.reader import ReadModels
from services.projection.api.routes import router
from services.projection.bootstrap import ProjectionService
from services.projection.dashboard import mount_dashboard
from services.projection.time_travel import TimeTravel
from shared.access import install_access
from shared.auth import Tokens
from shared.browser import install_browser_policy
from shared.clock import SystemClock
from shared.moments import install_local_time
from shared.problems import install_problem_handlers
from shared.web import add_operations_routes, operation_id


def mount_queries(app: FastAPI, service: ProjectionService) -> None:
    """Adds the query and audit endpoints to an app (its own, or the embedded one)."""
    app.state.read_models = ReadModels(service.store, service.settings.read_wait_seconds)
    app.state.clock = SystemClock(service.settings.timezone)
    install_local_time(app, service.settings.timezone)
    app.state.event_log = service.event_log
    settings = service.settings
    app.state.time_travel = TimeTravel(
        service.store,
        service.event_log,
        limit=settings.time_travel_limit,
        every=settings.checkpoint_every,
        kept=settings.checkpoints_kept,
    )
    app.include_router(router)
    app.include_router(documents.router)
    mount_dashboard(app)


def create_query_app(service: ProjectionService, tokens: Tokens) -> FastAPI:
    app = FastAPI(
        docs_url=None,  # served offline by install_browser_policy
        redoc_url=None,
        generate_unique_id_function=operation_id,
        title="liaison query API",
        version="1",
        description="Rosters, coverage, evaluations and the audit trail of a Party branch.",
    )
    install_problem_handlers(app)
    install_access(app, tokens)
    mount_queries(app, service)
    add_operations_routes(app, "query", checks={"read_models": service.ready})
    install_browser_policy(app)
    return app
