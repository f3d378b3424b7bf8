"""The notifier process's status app: health, and what its last round did."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import FastAPI

from services.notifier.bootstrap import NotifierService
from services.projection.projectors import WORK
from services.projection.readmodel.store import ReadModelStore
from shared.web import service_app


def create_notifier_app(service: NotifierService, store: ReadModelStore) -> FastAPI:
    def read_models() -> None:
        with store.reader.connect() as conn:
            store.state(conn, WORK.name)

    def mount_status(app: FastAPI) -> None:
        @app.get("/status", tags=["operations"])
        def status() -> dict[str, Any]:
            return asdict(service.notifier.last_round)

    return service_app(
        "notifier",
        title="liaison notifier",
        mounts=[mount_status],
        checks={"read_models": read_models},
    )
