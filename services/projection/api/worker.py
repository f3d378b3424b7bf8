"""The projector process's status app: health, and each feed's counters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from fastapi import FastAPI
from prometheus_client.core import Metric

from services.projection.bootstrap import ProjectionService
from services.projection.feeds.rabbit import RabbitFeed
from shared.metrics import counter, gauge
from shared.web import NotReady, service_app


def create_worker_app(service: ProjectionService) -> FastAPI:
    def broker_connected() -> None:
        for name, feed in service.feeds.items():
            if not feed.connected.is_set():
                raise NotReady(f"projector {name} is not connected to the broker")

    def caught_up() -> None:
        head = service.event_log.head()
        for name in service.tracked:
            lag = head - service.position(name)
            if lag > service.settings.ready_lag:
                raise NotReady(f"projection {name} is {lag} events behind")

    def mount_status(app: FastAPI) -> None:
        @app.get("/status", tags=["operations"])
        def status() -> dict[str, Any]:
            return {
                name: {"position": service.position(name)}
                | (_consuming(service.feeds[name]) if name in service.feeds else {})
                for name in service.tracked
            }

    return service_app(
        "projector",
        title="liaison projectors",
        mounts=[mount_status],
        checks={"read_models": service.ready, "broker": broker_connected, "lag": caught_up},
        metric_sources=[lambda: _projector_metrics(service)],
    )


def _consuming(feed: RabbitFeed) -> dict[str, Any]:
    """The feed's counters, and the partitions this process consumes."""
    return asdict(feed.stats) | {"partitions": [p.label for p in feed.consuming]}


FEED_COUNTERS = (
    "received",
    "redelivered",
    "applied",
    "duplicates",
    "filled",
    "dead_lettered",
    "reconnects",
)


def _projector_metrics(service: ProjectionService) -> Iterable[Metric]:
    head = service.event_log.head()
    lag = gauge(
        "liaison_projector_lag_events", "Events in the store not yet applied.", ["projection"]
    )
    position = gauge("liaison_projector_position", "Last position applied.", ["projection"])
    families = {
        field: counter(
            f"liaison_projector_{field}", f"Messages {field} by the projector.", ["projection"]
        )
        for field in FEED_COUNTERS
    }
    for name in service.tracked:
        applied = service.position(name)
        position.add_metric([name], applied)
        lag.add_metric([name], max(head - applied, 0))
        if name in service.feeds:
            for field, family in families.items():
                family.add_metric([name], getattr(service.feeds[name].stats, field))
    return [lag, position, *families.values()]
