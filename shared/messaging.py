"""The RabbitMQ topology both sides declare, so nothing is ever published to an
exchange with no queue bound (RabbitMQ confirms unroutable messages and drops them).

One durable quorum queue per projection, bound to every event (a projector tracks
its position over the whole log), single active consumer (per-queue order, warm
standby), a delivery limit (poison protection) and a dead-letter queue."""

from __future__ import annotations

from dataclasses import dataclass

from pika.adapters.blocking_connection import BlockingChannel
from pika.exchange_type import ExchangeType

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

    def queue(self, projection: str) -> str:
        return f"{self.prefix}.projector.{projection}"

    def dead_letter_queue(self, projection: str) -> str:
        return f"{self.prefix}.projector.{projection}.dead"

    def declare(self, channel: BlockingChannel, projections: tuple[str, ...] = PROJECTIONS) -> None:
        channel.exchange_declare(self.exchange, exchange_type=ExchangeType.topic, durable=True)
        channel.exchange_declare(
            self.dead_letter_exchange, exchange_type=ExchangeType.direct, durable=True
        )
        for projection in projections:
            channel.queue_declare(
                self.queue(projection),
                durable=True,
                arguments={
                    "x-queue-type": "quorum",
                    "x-single-active-consumer": True,
                    "x-delivery-limit": DELIVERY_LIMIT,
                    "x-dead-letter-exchange": self.dead_letter_exchange,
                    "x-dead-letter-routing-key": projection,
                },
            )
            channel.queue_bind(self.queue(projection), self.exchange, routing_key="#")
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
