"""The schema: made by migrations only, once, under a lock, whoever starts first.

Processes starting at the same instant on a fresh database (as `docker compose up`
starts them) all start; the migrated store is what the ``eventsourcing`` recorders
expect; the tables the code reads are the tables the migrations make; a store made
before migrations existed is adopted; and migrating again changes nothing."""

from __future__ import annotations

import multiprocessing
import queue
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore
from sqlalchemy import Engine, MetaData, create_engine, text
from sqlalchemy.engine import make_url

from bench.stack import environment, fresh_database, liaison, postgres_settings
from services.command.bootstrap import bootstrap as bootstrap_commands
from services.notifier.outbox import OUTBOX_METADATA
from services.projection.bootstrap import bootstrap as bootstrap_projections
from services.projection.readmodel.database import create_engines
from services.projection.readmodel.store import STATE_METADATA
from services.relay.bootstrap import bootstrap as bootstrap_relay
from services.relay.checkpoint import metadata as checkpoint_metadata
from shared import auth
from shared.access import open_tokens
from shared.contract import sealing
from shared.migrations import (
    EVENTS_TABLE,
    READ_MODELS,
    STORE,
    Presence,
    current_revision,
    prepare_store,
    upgrade,
)
from shared.settings import Settings, sqlalchemy_url
from tests.integration.test_relay import register_branches
from tests.support.settings import embedded_settings

ROUNDS = 10
STARTERS = 8


# -- processes starting together ------------------------------------------------------


def start_like(role: str, settings: Settings) -> None:
    """What each process of the deployment does as it starts, and a first use."""
    if role == "command-api":
        commands = bootstrap_commands(settings)
        commands.ready()
        open_tokens(settings).revocations.is_revoked("none")
        commands.close()
    elif role in ("query-api", "project"):
        projections = bootstrap_projections(settings)
        projections.ready()
        projections.close()
    elif role == "relay":
        relay = bootstrap_relay(settings)
        relay.ready()
        relay.close()
    else:  # `liaison run`, the embedded default
        prepare_store(settings, Presence.CREATE)
        start_like("command-api", settings)
        start_like("project", settings)


def starter(role: str, inbox: Any, outbox: Any, barrier: Barrier) -> None:
    """A process that, for each store it is given, waits until every starter is
    ready, then starts on it at the same instant as the others."""
    while (settings := inbox.get()) is not None:
        barrier.wait(timeout=120)
        try:
            start_like(role, settings)
            outbox.put((role, None))
        except Exception:
            outbox.put((role, traceback.format_exc()))


@contextmanager
def starters(roles: list[str]) -> Iterator[Callable[[Settings], list[str]]]:
    """Processes (spawned, so nothing is shared with this one) that start together on
    each store given; yields a function that runs one round and returns the failures."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(roles))
    outbox = context.Queue()
    inboxes = [context.Queue() for _ in roles]
    processes = [
        context.Process(target=starter, args=(role, inbox, outbox, barrier), daemon=True)
        for role, inbox in zip(roles, inboxes, strict=True)
    ]
    for process in processes:
        process.start()

    def round_on(settings: Settings) -> list[str]:
        for inbox in inboxes:
            inbox.put(settings)
        failures = []
        for _ in roles:
            try:
                role, failure = outbox.get(timeout=300)
            except queue.Empty:
                return ["a starter did not report back"]
            if failure is not None:
                failures.append(f"{role}: {failure}")
        return failures

    try:
        yield round_on
    finally:
        for inbox in inboxes:
            inbox.put(None)
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()


def test_processes_starting_together_on_fresh_postgresql_databases_all_start() -> None:
    roles = ["command-api", "relay", "project", "query-api"] * (STARTERS // 4)
    with starters(roles) as round_on:
        for number in range(ROUNDS):
            with fresh_database() as url:
                settings = postgres_settings(url, prefix=f"unused-{uuid.uuid4().hex[:8]}")
                failures = round_on(settings)
                assert not failures, f"round {number}: " + "\n".join(failures)
                assert_migrated_once(settings)


def test_processes_starting_together_on_a_fresh_embedded_store_all_start(
    tmp_path: Path,
) -> None:
    with starters(["embedded"] * 4) as round_on:
        for number in range(3):
            settings = embedded_settings(tmp_path / str(number))
            failures = round_on(settings)
            assert not failures, f"round {number}: " + "\n".join(failures)
            assert_migrated_once(settings)


def assert_migrated_once(settings: Settings) -> None:
    for url, target in ((settings.database_url, STORE), (settings.read_database_url, READ_MODELS)):
        engine = create_engine(sqlalchemy_url(url))
        try:
            with engine.connect() as conn:
                versions = conn.execute(text(f"SELECT version_num FROM {target.version_table}"))
                assert versions.scalars().all() == [current_revision(conn, target)]
        finally:
            engine.dispose()


# -- what the migrations make --------------------------------------------------------


def test_the_migrated_store_is_what_the_eventsourcing_recorders_would_create() -> None:
    """The library's own ``create_table`` (which liaison never calls) and the
    migrations make the same events table, index and composite type."""
    with fresh_database() as migrated, fresh_database() as by_library:
        prepare_store(postgres_settings(migrated), Presence.OPEN)
        url = make_url(by_library)
        datastore = PostgresDatastore(
            dbname=url.database or "postgres",
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password or "",
        )
        try:
            PostgresApplicationRecorder(datastore, events_table_name=EVENTS_TABLE).create_table()
        finally:
            datastore.close()
        assert postgres_catalog(migrated) == postgres_catalog(by_library)


def postgres_catalog(url: str) -> dict[str, Any]:
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            return {
                "columns": conn.execute(
                    text(
                        "SELECT column_name, data_type, is_nullable, column_default "
                        "FROM information_schema.columns WHERE table_name = :table "
                        "ORDER BY ordinal_position"
                    ),
                    {"table": EVENTS_TABLE},
                ).all(),
                "indexes": conn.execute(
                    text("SELECT indexdef FROM pg_indexes WHERE tablename = :table ORDER BY 1"),
                    {"table": EVENTS_TABLE},
                ).all(),
                "options": conn.execute(
                    text("SELECT reloptions FROM pg_class WHERE relname = :table"),
                    {"table": EVENTS_TABLE},
                ).all(),
                "type": conn.execute(
                    text(
                        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) "
                        "FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid "
                        "WHERE t.typname = 'stored_event_uuid' ORDER BY a.attnum"
                    )
                ).all(),
            }
    finally:
        engine.dispose()


def test_the_migrated_embedded_store_is_what_the_eventsourcing_recorders_would_create(
    tmp_path: Path,
) -> None:
    settings = embedded_settings(tmp_path / "migrated")
    prepare_store(settings, Presence.CREATE)
    SQLiteApplicationRecorder(
        SQLiteDatastore(db_name=str(tmp_path / "by-library.sqlite")), EVENTS_TABLE
    ).create_table()
    assert sqlite_catalog(tmp_path / "migrated" / "events.sqlite") == sqlite_catalog(
        tmp_path / "by-library.sqlite"
    )


def sqlite_catalog(path: Path) -> dict[str, Any]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return {
                "columns": conn.exec_driver_sql(f"PRAGMA table_info({EVENTS_TABLE})").all(),
                "indexes": [
                    row[1:]  # the name aside: SQLite names its own
                    for row in conn.exec_driver_sql(f"PRAGMA index_list({EVENTS_TABLE})").all()
                ],
                # The notification id is the rowid: the table must have one.
                "rowid": conn.exec_driver_sql(
                    "SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE name = ?",
                    (EVENTS_TABLE,),
                ).scalar_one(),
            }
    finally:
        engine.dispose()


CODE_TABLES = [auth.metadata, sealing.metadata, checkpoint_metadata]


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_the_tables_the_code_reads_are_the_tables_the_migrations_make(
    dialect: str, tmp_path: Path
) -> None:
    with fresh_database() if dialect == "postgresql" else nullcontext("") as url:
        settings = postgres_settings(url) if url else embedded_settings(tmp_path)
        prepare_store(settings, Presence.CREATE)
        writer, reader = create_engines(settings.read_database_url)
        upgrade(writer, READ_MODELS)
        store = create_engine(sqlalchemy_url(settings.database_url))
        try:
            for engine, metadatas in (
                (store, CODE_TABLES),
                (writer, [STATE_METADATA, OUTBOX_METADATA]),
            ):
                for metadata in metadatas:
                    assert differences(engine, metadata) == []
        finally:
            for engine in (store, writer, reader):
                engine.dispose()


def differences(engine: Engine, metadata: MetaData) -> list[Any]:
    ours = set(metadata.tables)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, _: kind != "table" or name in ours,
            },
        )
        return list(compare_metadata(context, metadata))


# -- adopting, and migrating again -----------------------------------------------------


def test_a_store_made_before_migrations_is_adopted_and_migrating_again_changes_nothing(
    pg_settings: Settings,
) -> None:
    commands = bootstrap_commands(pg_settings)
    try:
        register_branches(commands, 3)
    finally:
        commands.close()
    bootstrap_projections(pg_settings).close()
    # A store from before migrations: the same tables, and no record of any revision.
    engine = create_engine(sqlalchemy_url(pg_settings.database_url))
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {STORE.version_table}"))
        conn.execute(text(f"DROP TABLE {READ_MODELS.version_table}"))
    env = environment(pg_settings)
    for expected in ("(from None)", "(up to date)"):
        migrated = liaison(env, "migrate")
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        assert migrated.stdout.count(expected) == 2, migrated.stdout
    try:
        with engine.connect() as conn:
            assert current_revision(conn, STORE) is not None
            assert current_revision(conn, READ_MODELS) is not None
            assert conn.execute(text(f"SELECT count(*) FROM {EVENTS_TABLE}")).scalar_one() == 3
    finally:
        engine.dispose()
