"""The projection side's composition root: read-model store, tracked projectors and feeds."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from services.projection.feeds.rabbit import RabbitFeed
from services.projection.feeds.store import StoreFeed
from services.projection.projectors import ALL_PROJECTORS
from services.projection.readmodel.database import create_engines
from services.projection.readmodel.store import ReadModelStore
from services.projection.rebuild import rebuild_outdated
from services.projection.sharing import Group
from services.projection.tracked import TrackedProjector
from shared.clock import Clock, SystemClock
from shared.messaging import Topology
from shared.partitions import partitions
from shared.settings import Settings
from shared.store import EventLog, Recorder, open_recorder

log = logging.getLogger(__name__)


class Feed(Protocol):
    def run(self, stop: threading.Event) -> None: ...


@dataclass
class ProjectionService:
    settings: Settings
    recorder: Recorder
    event_log: EventLog
    store: ReadModelStore
    tracked: dict[str, TrackedProjector]
    clock: Clock  # whose "today" the queries judge due work on
    group: Group  # the projector processes sharing the partitions
    feeds: dict[str, RabbitFeed] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start_feeds(self, names: Iterable[str] | None = None) -> None:
        """Starts the projectors: with a broker, one RabbitMQ consumer thread per
        projection, for this process's share of its partitions; otherwise (the
        embedded default) one follower of the event store per partition."""
        for name in names or self.tracked:
            tracked = self.tracked[name]
            if self.settings.embedded:
                for partition in partitions(tracked.partitions()):
                    feed = StoreFeed(
                        tracked.in_partition(partition),
                        EventLog(self.recorder, self.settings),
                        self.settings.projector_batch_size,
                    )
                    self._start(f"{name}-{partition.label}", feed)
            else:
                assert self.settings.amqp_url is not None
                self.feeds[name] = RabbitFeed(
                    tracked,
                    self.settings.amqp_url,
                    Topology(self.settings.amqp_prefix),
                    self.settings.projector_batch_size,
                    self.group,
                )
                self._start(name, self.feeds[name])

    def _start(self, name: str, feed: Feed) -> None:
        thread = threading.Thread(
            target=feed.run, args=(self._stop,), name=f"projector-{name}", daemon=True
        )
        thread.start()
        self._threads.append(thread)

    def position(self, name: str) -> int:
        """How far a projection has got: every event up to there is applied."""
        with self.store.reader.connect() as conn:
            state = self.store.state(conn, name)
        return 0 if state is None else state.position

    def stop_feeds(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()
        self._stop = threading.Event()

    def ready(self) -> None:
        """Raises if the event store or the read-model database does not answer."""
        self.event_log.head()
        with self.store.reader.connect() as conn:
            self.store.state(conn, ALL_PROJECTORS[0].name)

    def close(self) -> None:
        self.stop_feeds()
        self.group.leave()
        self.event_log.close()
        self.store.close()
        self.recorder.close()


def bootstrap(settings: Settings, clock: Clock | None = None) -> ProjectionService:
    recorder = open_recorder(settings, pool_size=4)
    event_log = EventLog(recorder, settings)
    writer, reader = create_engines(settings.read_database_url)
    store = ReadModelStore(writer, reader)
    for projector in ALL_PROJECTORS:
        store.ensure(projector, settings.partitions)
    rebuild_outdated(ALL_PROJECTORS, store, event_log)
    tracked = {p.name: TrackedProjector(p, store, event_log) for p in ALL_PROJECTORS}
    return ProjectionService(
        settings,
        recorder,
        event_log,
        store,
        tracked,
        clock or SystemClock(settings.timezone),
        Group(writer),
    )
