"""Where envelopes come from: RabbitMQ (live) or the event store itself (embedded,
catch-up, rebuild). Both feed the same tracked projector."""
