"""Settings for the embedded default in a test's own directory, with its own signing key."""

from __future__ import annotations

from pathlib import Path

from shared.auth import Keys
from shared.settings import Settings


def embedded_settings(data: Path, **overrides: object) -> Settings:
    return Settings(
        database_url=f"sqlite:///{data / 'events.sqlite'}",
        read_database_url=f"sqlite:///{data / 'readmodels.sqlite'}",
        amqp_url=None,
        auth_keys=Keys.generate().render(),
    ).with_overrides(**overrides)
