"""Tracking per partition: a projection's position moves on in each partition of the
event stream (``shared.partitions``) on its own, so each partition has its row, and
the projection's own row keeps only its live generation. A projection's position is
the least of its partitions' (every event up to there is applied).

Every projection tracked so far becomes one partition holding the whole stream.

Revision ID: readmodels_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "readmodels_0004"
down_revision = "readmodels_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projection_partitions",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("partition", sa.Integer, primary_key=True),
        sa.Column("partitions", sa.Integer, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        if_not_exists=True,
    )
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("projection_state")}
    if "position" in columns:  # not yet moved (a store adopted as it is may have been)
        op.execute(
            "INSERT INTO projection_partitions"
            " (name, partition, partitions, position, updated_at)"
            " SELECT name, 0, 1, position, updated_at FROM projection_state"
        )
        with op.batch_alter_table("projection_state") as batch:
            batch.drop_column("position")
