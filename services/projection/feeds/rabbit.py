"""Consumes a projection's queues, one per partition this process has
(``services.projection.sharing``): batches of messages (each one envelope, a relay's
batch of them, or a watermark) applied in one transaction,
acknowledged together after they commit (so a crash means redelivery, which the
tracked projector deduplicates). Poison messages go to the dead-letter queue with
their reason. A database outage keeps the batch unacknowledged and retries it, rather
than letting redeliveries count good messages toward the queue's delivery limit.
When the group of projector processes or the partition count changes, the feed
finishes its batch and subscribes again to its new share."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pydantic import ValidationError

from services.projection.sharing import CHECK_SECONDS, Group
from services.projection.tracked import TrackedProjector
from shared.amqp import AMQP_ERRORS, connect
from shared.contract.envelope import WATERMARK_TYPE, Item, Watermark, envelopes_in
from shared.messaging import Topology
from shared.partitions import Partition, partitions
from shared.problems import UNAVAILABLE_ERRORS
from shared.retry import Backoff

log = logging.getLogger(__name__)

IDLE_WAIT_SECONDS = 0.5


@dataclass
class FeedStats:
    received: int = 0
    redelivered: int = 0
    applied: int = 0
    duplicates: int = 0
    filled: int = 0
    dead_lettered: int = 0
    reconnects: int = 0


@dataclass
class Message:
    """A delivery, decoded: its envelopes (or watermark), or why it cannot be read."""

    tag: int
    partition: Partition
    body: bytes
    envelopes: list[Item]
    malformed: str | None = None

    @classmethod
    def of(cls, tag: int, partition: Partition, kind: str | None, body: bytes) -> Message:
        try:
            if kind == WATERMARK_TYPE:
                return cls(tag, partition, body, [Watermark.from_json(body)])
            return cls(tag, partition, body, list(envelopes_in(body)))
        except (ValidationError, ValueError) as exc:
            return cls(tag, partition, body, [], f"malformed envelope: {exc}")


def _take(batch: list[Message], envelopes: int) -> list[Message]:
    """Takes the first messages off ``batch`` holding about ``envelopes`` envelopes
    (at least one message)."""
    count = total = 0
    while count < len(batch) and (count == 0 or total + len(batch[count].envelopes) <= envelopes):
        total += len(batch[count].envelopes)
        count += 1
    taken, batch[:] = batch[:count], batch[count:]
    return taken


class RabbitFeed:
    def __init__(
        self,
        tracked: TrackedProjector,
        amqp_url: str,
        topology: Topology,
        batch_size: int,
        group: Group | None = None,
    ) -> None:
        self._tracked = tracked
        self._url = amqp_url
        self._topology = topology
        self._batch_size = batch_size
        self._group = group
        self.stats = FeedStats()
        self.connected = threading.Event()
        self.consuming: list[Partition] = []  # this process's share, while subscribed

    def run(self, stop: threading.Event) -> None:
        backoff = Backoff()
        while not stop.is_set():
            try:
                self._consume(stop, backoff)
            except AMQP_ERRORS as exc:
                self.stats.reconnects += 1
                log.warning("%s: broker connection lost (%r); reconnecting", self.name, exc)
                stop.wait(backoff.next())
            except Exception:
                # Unacknowledged messages are redelivered; the queue's delivery limit
                # dead-letters one that keeps failing.
                self.stats.reconnects += 1
                log.exception("%s: batch failed; reconnecting", self.name)
                stop.wait(backoff.next())
        self.connected.clear()

    @property
    def name(self) -> str:
        return self._tracked.name

    def _share(self) -> tuple[int, list[Partition]]:
        """The partition count, and the partitions this process consumes."""
        count = self._tracked.partitions()
        every = partitions(count)
        return count, every if self._group is None else self._group.share(every)

    def _consume(self, stop: threading.Event, backoff: Backoff) -> None:
        count, share = self._share()
        connection = connect(self._url, f"liaison projector {self.name}")
        try:
            channel = connection.channel()
            self._topology.declare(channel, (self.name,), count)
            channel.basic_qos(prefetch_count=self._batch_size * 2)
            batch: list[Message] = []
            consumed: dict[str, Partition] = {}  # by consumer tag

            def received(_: object, method: Any, properties: Any, body: bytes) -> None:
                self.stats.received += 1
                self.stats.redelivered += int(bool(method.redelivered))
                partition = consumed[method.consumer_tag]
                batch.append(Message.of(method.delivery_tag, partition, properties.type, body))

            for partition in share:
                tag = channel.basic_consume(self._topology.queue(self.name, partition), received)
                consumed[tag] = partition
            self.consuming = share
            self.connected.set()
            backoff.reset()
            checked = time.monotonic()
            while not stop.is_set():
                # Idle: wait for a delivery. Busy: take what has arrived and apply it
                # at once, so a batch is whatever queued up while the last one ran.
                connection.process_data_events(time_limit=0 if batch else IDLE_WAIT_SECONDS)
                if batch:
                    taken = _take(batch, self._batch_size)
                    self._flush(connection, channel, taken, stop)
                if time.monotonic() - checked > CHECK_SECONDS:
                    checked = time.monotonic()
                    if self._share() != (count, share):
                        log.info(
                            "%s: the group or the partitions changed; resubscribing", self.name
                        )
                        return  # unacknowledged deliveries go back to the queues
        finally:
            self.consuming = []
            self.connected.clear()
            if connection.is_open:
                connection.close()

    def _flush(
        self,
        connection: pika.BlockingConnection,
        channel: BlockingChannel,
        batch: list[Message],
        stop: threading.Event,
    ) -> None:
        shares: dict[Partition, list[Item]] = {}
        for message in batch:
            if message.malformed is not None:
                self._dead_letter(channel, message.body, message.malformed, None)
            shares.setdefault(message.partition, []).extend(message.envelopes)
        backoff = Backoff()
        while True:
            try:
                reports = self._tracked.process_partitions(shares)
                break
            except UNAVAILABLE_ERRORS as exc:
                if stop.is_set():
                    raise
                log.warning("%s: read-model database unavailable (%s); retrying", self.name, exc)
                # Keep heartbeats flowing while waiting, so the broker keeps us.
                connection.process_data_events(time_limit=backoff.next())
        for report in reports.values():
            for dead in report.dead_letters:
                self._dead_letter(channel, dead.body.encode(), dead.reason, dead.position)
            self.stats.applied += report.applied
            self.stats.duplicates += report.duplicates
            self.stats.filled += report.filled
        # Delivery tags count across the channel's queues: this acknowledges exactly
        # the batch, which was taken from the front of what arrived.
        channel.basic_ack(batch[-1].tag, multiple=True)

    def _dead_letter(
        self, channel: BlockingChannel, body: bytes, reason: str, position: int | None
    ) -> None:
        self.stats.dead_lettered += 1
        log.error("%s: dead letter at %s: %s", self.name, position, reason)
        channel.basic_publish(
            exchange=self._topology.dead_letter_exchange,
            routing_key=self.name,
            body=body,
            properties=pika.BasicProperties(
                delivery_mode=pika.DeliveryMode.Persistent,
                content_type="application/json",
                headers={"x-liaison-reason": reason[:1000], "x-liaison-position": position},
            ),
        )
