"""The read models' bookkeeping: each projection's tracking row (its live generation
and the last position applied) and the dead letters. Made only if missing, so read
models made before migrations existed are adopted as they are.

Revision ID: readmodels_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "readmodels_0001"
down_revision = None
branch_labels = ("readmodels",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projection_state",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        if_not_exists=True,
    )
    op.create_table(
        "projection_dead_letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("projection", sa.String(64), nullable=False),
        sa.Column("position", sa.BigInteger),
        sa.Column("event_type", sa.String(200)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        if_not_exists=True,
    )
    op.create_index(
        "ix_projection_dead_letters_projection",
        "projection_dead_letters",
        ["projection"],
        if_not_exists=True,
    )
