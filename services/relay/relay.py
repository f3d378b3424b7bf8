"""Follows the notification log and publishes what it finds, then checkpoints."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from services.relay.checkpoint import Checkpoint
from services.relay.publisher import Publisher
from shared.amqp import AMQP_ERRORS
from shared.contract.envelope import Envelope, envelopes_from
from shared.problems import UNAVAILABLE_ERRORS
from shared.retry import Backoff
from shared.store import EventLog

log = logging.getLogger(__name__)

STANDBY_SECONDS = 2.0


@dataclass
class RelayStats:
    published: int = 0
    undecodable: int = 0
    failures: int = 0
    position: int = 0


class Relay:
    def __init__(
        self,
        event_log: EventLog,
        checkpoint: Checkpoint,
        publisher: Publisher,
        batch_size: int = 500,
    ) -> None:
        self._log = event_log
        self._checkpoint = checkpoint
        self._publisher = publisher
        self._batch_size = batch_size
        self._position: int | None = None
        self.stats = RelayStats()

    def run_once(self) -> int:
        """Publishes the next batch after the checkpoint; the number of events relayed."""
        if self._position is None:
            # Only after a start or a failure: while it holds the lease, this relay is
            # the checkpoint's only writer, so its own copy is current.
            self._position = self._checkpoint.load()
        position = self._position
        notifications = self._log.read(after=position, limit=self._batch_size)
        if not notifications:
            self.stats.position = position
            return 0
        items = envelopes_from(notifications, position, self._log.vault)
        envelopes = [item for item in items if isinstance(item, Envelope)]
        for item in items:
            if not isinstance(item, Envelope):
                # Left out, but still in the position chain: projectors see the hole,
                # read it from the store and dead-letter it there, with its reason.
                self.stats.undecodable += 1
                log.error("relay: cannot read event at %s: %s", item.position, item.reason)
        self._position = None  # unknown until the checkpoint commits
        self._publisher.publish(envelopes)
        self._checkpoint.save(notifications[-1].id)
        self._position = notifications[-1].id
        self.stats.published += len(envelopes)
        self.stats.position = notifications[-1].id
        return len(notifications)

    def run(self, stop: threading.Event) -> None:
        backoff = Backoff()
        lease = self._checkpoint.lease()
        held = 0
        try:
            while not stop.is_set():
                try:
                    if not lease.acquire():
                        stop.wait(STANDBY_SECONDS)
                        continue
                    if lease.acquisitions != held:
                        # Newly the active relay: another may have moved the checkpoint.
                        held = lease.acquisitions
                        self._position = None
                    token = self._log.change_token()
                    if self.run_once() == 0:
                        self._publisher.keep_alive()
                        self._log.wait_for_new(token, timeout=1.0)
                    backoff.reset()
                except AMQP_ERRORS + UNAVAILABLE_ERRORS as exc:
                    self.stats.failures += 1
                    self._position = None
                    log.warning("relay: %r; retrying", exc)
                    self._publisher.close()
                    stop.wait(backoff.next())
        finally:
            lease.release()
            self._publisher.close()
