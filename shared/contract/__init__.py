"""The event contract: event types and versions, how they are stored, and the envelope
the relay publishes. Both sides depend on this package; neither depends on the other."""
