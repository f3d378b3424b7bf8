"""The relay's composition root, and its small status app (health and counters)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from fastapi import FastAPI
from prometheus_client.core import Metric

from services.relay.checkpoint import Checkpoint
from services.relay.publisher import Publisher
from services.relay.relay import Relay
from shared.messaging import Topology
from shared.metrics import counter, gauge
from shared.settings import Settings
from shared.store import EventLog, Recorder, open_recorder
from shared.web import service_app


@dataclass
class RelayService:
    relay: Relay
    recorder: Recorder
    event_log: EventLog
    checkpoint: Checkpoint
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.relay.run, args=(self._stop,), name="relay", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def ready(self) -> None:
        self.event_log.head()
        self.checkpoint.load()

    def close(self) -> None:
        self.stop()
        self.event_log.close()
        self.checkpoint.dispose()
        self.recorder.close()


def bootstrap(settings: Settings) -> RelayService:
    if settings.amqp_url is None:
        raise SystemExit("the relay needs LIAISON_AMQP_URL (RabbitMQ)")
    recorder = open_recorder(settings, pool_size=2)
    event_log = EventLog(recorder, settings)
    checkpoint = Checkpoint.for_settings(settings)
    publisher = Publisher(
        settings.amqp_url, Topology(settings.amqp_prefix), settings.relay_envelopes_per_message
    )
    relay = Relay(event_log, checkpoint, publisher, partitions=settings.partitions)
    return RelayService(relay, recorder, event_log, checkpoint)


def create_relay_app(service: RelayService) -> FastAPI:
    def mount_status(app: FastAPI) -> None:
        @app.get("/status", tags=["operations"])
        def status() -> dict[str, int]:
            return asdict(service.relay.stats) | {"head": service.event_log.head()}

    return service_app(
        "relay",
        title="liaison relay",
        mounts=[mount_status],
        checks={"event_store": service.ready},
        metric_sources=[lambda: _relay_metrics(service)],
    )


def _relay_metrics(service: RelayService) -> Iterable[Metric]:
    stats = service.relay.stats
    published = counter("liaison_relay_published", "Events published and confirmed.", [])
    published.add_metric([], stats.published)
    failures = counter("liaison_relay_failures", "Broker or store failures survived.", [])
    failures.add_metric([], stats.failures)
    position = gauge("liaison_relay_position", "Last position the broker confirmed.", [])
    position.add_metric([], stats.position)
    return [published, failures, position]
