"""The RabbitMQ topology both sides declare, so nothing is ever published to an
exchange with no queue bound (RabbitMQ confirms unroutable messages and drops them).

Per projection and partition (``shared.partitions``), one durable quorum queue bound
to that partition's routing keys, with single active consumer (per-queue order; any
number of projector processes may consume it, one at a time, the others standing
by), a delivery limit (poison protection) and the projection's dead-letter queue.
A partition's routing keys begin with its label, ``2-of-4.``, so queues of a
different partition count never take each other's messages."""

from __future__ import annotations

from dataclasses import dataclass

from pika.adapters.blocking_connection import BlockingChannel
from pika.exchange_type import ExchangeType

from shared.partitions import ALL, Partition, partitions

PROJECTIONS = ("rosters", "coverage", "evaluations", "work")

DELIVERY_LIMIT = 10


@dataclass(frozen=True)
class Topology:
    prefix: str = "liaison"

    @property
    def exchange(self) -> str:
        return f"{self.prefix}.events"

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.prefix}.dead"

    def queue(self, projection: str, partition: Partition = ALL) -> str:
        # One partition keeps the name queues had before there were partitions.
        if partition == ALL:
            return f"{self.prefix}.projector.{projection}"
        return f"{self.prefix}.projector.{projection}.{partition.label}"

    @staticmethod
    def routing_key(partition: Partition, *words: str) -> str:
        return ".".join((partition.label, *words))

    def dead_letter_queue(self, projection: str) -> str:
        return f"{self.prefix}.projector.{projection}.dead"

    def declare(
        self,
        channel: BlockingChannel,
        projections: tuple[str, ...] = PROJECTIONS,
        count: int = 1,
    ) -> None:
        """The exchanges, and each projection's queues for ``count`` partitions."""
        channel.exchange_declare(self.exchange, exchange_type=ExchangeType.topic, durable=True)
        channel.exchange_declare(
            self.dead_letter_exchange, exchange_type=ExchangeType.direct, durable=True
        )
        for projection in projections:
            for partition in partitions(count):
                queue = self.queue(projection, partition)
                channel.queue_declare(
                    queue,
                    durable=True,
                    arguments={
                        "x-queue-type": "quorum",
                        "x-single-active-consumer": True,
                        "x-delivery-limit": DELIVERY_LIMIT,
                        "x-dead-letter-exchange": self.dead_letter_exchange,
                        "x-dead-letter-routing-key": projection,
                    },
                )
                channel.queue_bind(queue, self.exchange, routing_key=f"{partition.label}.#")
                if partition == ALL:
                    # Bound to every key before there were partitions: a queue that
                    # still is would also take the messages of other partition counts.
                    channel.queue_unbind(queue, self.exchange, routing_key="#")
            channel.queue_declare(
                self.dead_letter_queue(projection),
                durable=True,
                arguments={"x-queue-type": "quorum"},
            )
            channel.queue_bind(
                self.dead_letter_queue(projection),
                self.dead_letter_exchange,
                routing_key=projection,
            )

    def delete_partitions(
        self, channel: BlockingChannel, count: int, projections: tuple[str, ...] = PROJECTIONS
    ) -> None:
        """Deletes the queues of ``count`` partitions (once drained and replaced)."""
        for projection in projections:
            for partition in partitions(count):
                channel.queue_delete(self.queue(projection, partition))
