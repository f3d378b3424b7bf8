"""Where each test's servers come from. Non-destructive tests share the machine's
PostgreSQL and RabbitMQ, each with a database and broker names of its own; a test that
stops, restarts or cuts off a server asks for a private one (``private_postgres``,
``private_rabbitmq``). A test is marked ``postgres``, ``rabbitmq`` or ``browser`` by
the fixtures it uses (``make test-fast`` leaves those out); a test that reaches a
server without these fixtures carries the marker itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from bench.stack import fresh_broker_prefix, fresh_database, postgres_settings
from shared.settings import Settings
from tests.support.installed import chromium
from tests.support.private import (
    PrivatePostgres,
    PrivateRabbitMQ,
    throwaway_postgres,
    throwaway_rabbitmq,
)
from tests.support.settings import embedded_settings

NEEDED_BY_FIXTURE = {
    "postgres": {"postgres_url", "private_postgres"},
    "rabbitmq": {"broker_prefix", "private_rabbitmq"},
    "browser": {"browser"},
}


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for marker, fixtures in NEEDED_BY_FIXTURE.items():
            if used & fixtures:
                item.add_marker(marker)


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


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL cluster of the test's own, to stop or cut off."""
    with throwaway_postgres() as server:
        yield server


@pytest.fixture
def private_rabbitmq() -> Iterator[PrivateRabbitMQ]:
    """A RabbitMQ node of the test's own, to restart or cut off."""
    with throwaway_rabbitmq() as node:
        yield node


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched
