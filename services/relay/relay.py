"""Follows the notification log and publishes what it finds, each event to its
branch's partition, then checkpoints."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from services.relay.checkpoint import Checkpoint
from services.relay.publisher import Publisher
from shared.amqp import AMQP_ERRORS
from shared.contract.envelope import Envelope, Watermark, envelopes_from
from shared.partitions import Partition, partitions, split
from shared.problems import UNAVAILABLE_ERRORS
from shared.retry import Backoff
from shared.store import EventLog

log = logging.getLogger(__name__)

STANDBY_SECONDS = 2.0
PARTITIONS_CHECK_SECONDS = 1.0  # how soon a `liaison partitions set` is taken up
WATERMARK_SECONDS = 0.05  # how often, at most, a partition without events hears of one
IDLE_SECONDS = 1.0  # the longest wait for new events before looking again


@dataclass
class RelayStats:
    published: int = 0
    watermarks: int = 0
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
        partitions: int = 1,
    ) -> None:
        self._log = event_log
        self._checkpoint = checkpoint
        self._publisher = publisher
        self._batch_size = batch_size
        self._first_partitions = partitions  # until the checkpoint holds a count
        self._partitions = partitions
        self._position: int | None = None
        # Each partition's last position in its chain (its last event or watermark),
        # and when it was last sent anything. After a start, the checkpoint: a
        # projector behind it reads the difference back from the store.
        self._last: list[int] = []
        self._sent_at: list[float] = []
        self.stats = RelayStats()

    def run_once(self) -> int:
        """Publishes the next batch after the checkpoint; the number of events relayed."""
        if self._position is None:
            # Only after a start or a failure: while it holds the lease, this relay is
            # the checkpoint's only writer, so its own copy is current.
            self._load()
            assert self._position is not None
        position = self._position
        notifications = self._log.read(after=position, limit=self._batch_size)
        if not notifications:
            self.stats.position = position
            return 0
        through = notifications[-1].id
        items = envelopes_from(notifications, position, self._log.vault)
        self._position = None  # unknown until the checkpoint commits
        now = time.monotonic()
        for partition, share in zip(
            partitions(self._partitions), split(items, self._partitions, self._last), strict=True
        ):
            envelopes = [item for item in share if isinstance(item, Envelope)]
            for item in share:
                if not isinstance(item, Envelope):
                    # Left out, but still in the partition's chain: projectors see the
                    # hole, read it from the store and dead-letter it, with its reason.
                    self.stats.undecodable += 1
                    log.error("relay: cannot read event at %s: %s", item.position, item.reason)
            # A partition whose own events did not reach the batch's end is told how
            # far it went (a query waiting for a position waits for every partition),
            # but under load at most every WATERMARK_SECONDS: each message costs the
            # broker a confirmed write. Going idle tells every partition at once.
            stale = now - self._sent_at[partition.index] >= WATERMARK_SECONDS
            watermark = self._watermark(partition, through) if stale else None
            if envelopes or watermark:
                self._publisher.publish(partition, envelopes, watermark)
                self._sent_at[partition.index] = now
            self.stats.published += len(envelopes)
        self._checkpoint.save(through)
        self._position = through
        self.stats.position = through
        return len(notifications)

    def _watermark(self, partition: Partition, through: int) -> Watermark | None:
        """The watermark that ends ``partition``'s chain at ``through``, if it does not
        end there; counted as sent."""
        last = self._last[partition.index]
        if last == through:
            return None
        self._last[partition.index] = through
        self.stats.watermarks += 1
        return Watermark(through, last)

    def send_watermarks(self, *, every: bool = False) -> bool:
        """Tells the partitions whose chains end before the checkpoint that they have
        nothing more up to there: while the relay is idle, those not sent anything for
        WATERMARK_SECONDS; before a change of count, ``every`` one. Whether some are
        still to be told."""
        if self._position is None:
            return False
        now = time.monotonic()
        waiting = False
        for partition in partitions(self._partitions):
            if self._last[partition.index] == self._position:
                continue
            if not every and now - self._sent_at[partition.index] < WATERMARK_SECONDS:
                waiting = True
                continue
            watermark = self._watermark(partition, self._position)
            self._publisher.publish(partition, [], watermark)
            self._sent_at[partition.index] = now
        return waiting

    def _load(self) -> None:
        position = self._checkpoint.load()
        partitions = self._checkpoint.partitioning().partitions
        if partitions is None:
            partitions = self._first_partitions
            self._checkpoint.save(position, partitions=partitions)
        self._start_chains(position, partitions)
        self._position = position

    def _start_chains(self, position: int, count: int) -> None:
        """``count`` partitions, each chain starting at ``position``."""
        self._partitions = count
        self._last = [position] * count
        self._sent_at = [0.0] * count

    def follow_wanted_partitions(self) -> None:
        """Moves to the partition count ``liaison partitions set`` asked for, between
        two batches: the old partitions hold every event up to the checkpoint, the new
        ones (declared first, so nothing is unroutable) every event after it."""
        wanted = self._checkpoint.partitioning().wanted
        if wanted is None:
            return
        if self._position is None:
            self._load()
        assert self._position is not None
        if wanted == self._partitions:
            self._checkpoint.save(self._position, wanted_partitions=None)
            return
        self.send_watermarks(every=True)  # the old partitions drain up to the checkpoint
        self._publisher.prepare(wanted)
        log.warning(
            "relay: %d partitions from after position %d (were %d)",
            wanted,
            self._position,
            self._partitions,
        )
        self._checkpoint.repartition(self._position, wanted)
        self._start_chains(self._position, wanted)

    def run(self, stop: threading.Event) -> None:
        backoff = Backoff()
        lease = self._checkpoint.lease()
        held = 0
        looked = 0.0
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
                    if time.monotonic() - looked > PARTITIONS_CHECK_SECONDS:
                        looked = time.monotonic()
                        self.follow_wanted_partitions()
                    token = self._log.change_token()
                    if self.run_once() == 0:
                        waiting = self.send_watermarks()
                        self._publisher.keep_alive()
                        self._log.wait_for_new(
                            token, timeout=WATERMARK_SECONDS if waiting else IDLE_SECONDS
                        )
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
