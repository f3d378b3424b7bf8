"""The event store as liaison first kept it.

The events table, its notification index and the composite type the recorders insert
through are what ``eventsourcing`` 9.5.6's ``PostgresApplicationRecorder`` and
``SQLiteApplicationRecorder`` create (their ``create_table`` is never called; a test
compares the two). The library's ``es_insert_events_uuid`` function is left out: it
serves only ``POSTGRES_ENABLE_DB_FUNCTIONS``, which liaison does not use.

Every object is made only if missing, so a store made before migrations existed (by
those ``CREATE ... IF NOT EXISTS`` statements) is adopted as it is.

Revision ID: store_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "store_0001"
down_revision = None
branch_labels = ("store",)
depends_on = None

POSTGRESQL = [
    # CREATE TYPE has no IF NOT EXISTS.
    """
    DO $$ BEGIN
        CREATE TYPE stored_event_uuid AS (
            originator_id uuid, originator_version bigint, topic text, state bytea);
    EXCEPTION WHEN duplicate_object THEN NULL;
    END $$
    """,
    """
    CREATE TABLE IF NOT EXISTS liaison_events (
        originator_id uuid NOT NULL,
        originator_version bigint NOT NULL,
        topic text,
        state bytea,
        notification_id bigserial,
        PRIMARY KEY (originator_id, originator_version))
    WITH (
        autovacuum_enabled = true,
        autovacuum_vacuum_threshold = 100000000,
        autovacuum_vacuum_scale_factor = 0.5,
        autovacuum_analyze_threshold = 1000,
        autovacuum_analyze_scale_factor = 0.01)
    """,
    """
    CREATE UNIQUE INDEX IF NOT EXISTS liaison_events_notification_id_idx
        ON liaison_events (notification_id ASC)
    """,
    """
    CREATE TABLE IF NOT EXISTS liaison_events_chain (
        position bigint PRIMARY KEY, hash text NOT NULL)
    """,
    """
    CREATE TABLE IF NOT EXISTS liaison_events_idempotency (
        key text PRIMARY KEY,
        fingerprint text NOT NULL,
        stream_id uuid NOT NULL,
        version bigint NOT NULL,
        position bigint NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now())
    """,
]

SQLITE = [
    # The notification id is the rowid.
    """
    CREATE TABLE IF NOT EXISTS liaison_events (
        originator_id TEXT,
        originator_version INTEGER,
        topic TEXT,
        state BLOB,
        PRIMARY KEY (originator_id, originator_version))
    """,
    """
    CREATE TABLE IF NOT EXISTS liaison_events_chain (
        position INTEGER PRIMARY KEY, hash TEXT NOT NULL)
    """,
    """
    CREATE TABLE IF NOT EXISTS liaison_events_idempotency (
        key TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        position INTEGER NOT NULL,
        recorded_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)
    """,
]


def upgrade() -> None:
    statements = POSTGRESQL if op.get_context().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)
    op.create_table(
        "liaison_subject_keys",
        sa.Column("subject_id", sa.Uuid, primary_key=True),
        sa.Column("key", sa.LargeBinary, nullable=True),  # NULL once destroyed
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True),
        if_not_exists=True,
    )
    op.create_table(
        "liaison_revoked_tokens",
        sa.Column("token_id", sa.String(64), primary_key=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_by", sa.String(200), nullable=False),
        if_not_exists=True,
    )
    op.create_table(
        "liaison_relay_checkpoint",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        if_not_exists=True,
    )
