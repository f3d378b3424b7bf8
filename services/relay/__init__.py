"""The relay: the event store's notification log is the outbox; the relay publishes
each committed event to RabbitMQ and advances its checkpoint only after the broker
confirms. At-least-once: a crash between publish and checkpoint republishes, and
the projectors deduplicate by position."""
