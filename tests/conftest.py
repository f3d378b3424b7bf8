from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.stack import fresh_broker_prefix, fresh_database, postgres_settings
from shared.settings import Settings
from tests.support.settings import embedded_settings


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return embedded_settings(tmp_path)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.fixture
def broker_prefix() -> Iterator[str]:
    with fresh_broker_prefix() as prefix:
        yield prefix


@pytest.fixture
def pg_settings(postgres_url: str) -> Settings:
    """PostgreSQL store and read models, no broker."""
    return postgres_settings(postgres_url)


@pytest.fixture
def stack_settings(postgres_url: str, broker_prefix: str) -> Settings:
    """PostgreSQL and RabbitMQ: the real deployment's settings."""
    return postgres_settings(postgres_url, broker_prefix)
