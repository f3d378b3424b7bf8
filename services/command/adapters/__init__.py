"""Adapters: the event store behind the unit of work."""
