"""Follows the event store's notification log directly."""

from __future__ import annotations

import logging
import threading

from services.projection.tracked import BatchReport, TrackedProjector
from shared.contract.envelope import envelopes_from
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
        """Applies the next batch after the projection's position; None if caught up."""
        position = self._tracked.position()
        notifications = self._log.read(after=position, limit=self._batch_size)
        if not notifications:
            return None
        return self._tracked.process(envelopes_from(notifications, position, self._log.vault))

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
