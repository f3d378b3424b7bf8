"""The projector process's status app: health, and each feed's counters."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import FastAPI

from services.projection.bootstrap import ProjectionService
from services.projection.feeds.rabbit import RabbitFeed
from shared.problems import install_problem_handlers
from shared.web import add_health_routes


def create_worker_app(service: ProjectionService) -> FastAPI:
    app = FastAPI(title="liaison projectors", version="1")
    install_problem_handlers(app)

    def broker_connected() -> None:
        for name, feed in service.feeds.items():
            if isinstance(feed, RabbitFeed) and not feed.connected.is_set():
                raise ConnectionError(f"projector {name} is not connected to the broker")

    add_health_routes(app, checks={"read_models": service.ready, "broker": broker_connected})

    @app.get("/status", tags=["operations"])
    def status() -> dict[str, Any]:
        return {
            name: {"position": service.runners[name].position()}
            | (asdict(feed.stats) if isinstance(feed, RabbitFeed) else {})
            for name, feed in service.feeds.items()
        }

    return app
