"""Settings for the embedded default in a test's own directory, with its own signing key."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine

from shared.auth import Keys
from shared.migrations import Presence, prepare_store
from shared.settings import Settings


def embedded_settings(data: Path, **overrides: object) -> Settings:
    return Settings(
        database_url=f"sqlite:///{data / 'events.sqlite'}",
        read_database_url=f"sqlite:///{data / 'readmodels.sqlite'}",
        amqp_url=None,
        auth_keys=Keys.generate().render(),
        # The in-process notifier's rounds would record reminders in the middle of tests
        # that count events; the tests of the notifier ask for rounds of their own.
        notifier_interval_seconds=3600,
    ).with_overrides(**overrides)


def made_store(data: Path) -> Engine:
    """An embedded event store in ``data``, made as `liaison run` makes it, and an engine
    on it: for the pieces that keep their tables there (revocations, subject keys)."""
    settings = embedded_settings(data)
    prepare_store(settings, Presence.CREATE)
    return create_engine(settings.database_url)
