"""The relay's partitions: how many partitions it publishes to (``partitions``; unset
until it first starts, which then takes ``LIAISON_PARTITIONS``), the count
``liaison partitions set`` asks it to move to (``wanted_partitions``), and the
position it last changed count at (``partitioned_at``: the old partitions hold every
event up to there, the new ones every event after).

Revision ID: store_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "store_0002"
down_revision = "store_0001"
branch_labels = None
depends_on = None

COLUMNS = (
    sa.Column("partitions", sa.Integer),
    sa.Column("wanted_partitions", sa.Integer),
    sa.Column("partitioned_at", sa.BigInteger),
)


def upgrade() -> None:
    table = "liaison_relay_checkpoint"
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
    for column in COLUMNS:
        if column.name not in present:  # a store adopted as it is may have them
            op.add_column(table, column)
