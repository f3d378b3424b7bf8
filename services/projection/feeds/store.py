"""Follows the event store's notification log directly, for one partition."""

from __future__ import annotations

import logging
import threading

from services.projection.tracked import BatchReport, TrackedProjector
from shared.problems import UNAVAILABLE_ERRORS
from shared.retry import Backoff
from shared.store import EventLog

log = logging.getLogger(__name__)


class StoreFeed:
    def __init__(self, tracked: TrackedProjector, event_log: EventLog, batch_size: int) -> None:
        self._tracked = tracked
        self._log = event_log
        self._batch_size = batch_size

    def run_once(self) -> BatchReport | None:
        """Applies the next batch after the partition's position; None if caught up."""
        items = self._tracked.read_store(self._tracked.position(), None, self._batch_size)
        if not items:
            return None
        return self._tracked.process(items)

    def run(self, stop: threading.Event) -> None:
        backoff = Backoff()
        while not stop.is_set():
            try:
                token = self._log.change_token()
                if self.run_once() is None:
                    self._log.wait_for_new(token, timeout=1.0)
                backoff.reset()
            except UNAVAILABLE_ERRORS as exc:
                log.warning("%s: store unavailable (%s); retrying", self._tracked.name, exc)
                stop.wait(backoff.next())
