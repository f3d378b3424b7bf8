"""The query endpoints, documents and dashboard, mounted on an app (the query API's
own, or the embedded one) by its composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.projection.api import documents
from services.projection.api.reader import ReadModels
from services.projection.api.routes import router
from services.projection.bootstrap import ProjectionService
from services.projection.dashboard import mount_dashboard
from services.projection.time_travel import TimeTravel
from shared.moments import install_local_time


def mount_queries(app: FastAPI, service: ProjectionService) -> None:
    """Adds the query endpoints, the documents and the dashboard to an app whose
    ``app.state.export_log`` records exports (``shared.export_log``)."""
    settings = service.settings
    # Wake read-your-writes waits for projectors in other processes too.
    service.store.listen()
    app.state.read_models = ReadModels(service.store, settings.read_wait_seconds)
    app.state.clock = service.clock
    install_local_time(app, settings.timezone)
    app.state.event_log = service.event_log
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
