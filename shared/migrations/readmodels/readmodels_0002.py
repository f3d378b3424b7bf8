"""Images of a projection's in-memory replay at a position, from which answers as of
a moment start (``services.projection.time_travel`` makes, uses and prunes them).

Revision ID: readmodels_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "readmodels_0002"
down_revision = "readmodels_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projection_checkpoints",
        sa.Column("projection", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, primary_key=True),
        sa.Column("recorded_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erasures", sa.Integer, nullable=False),
        sa.Column("image", sa.LargeBinary, nullable=False),
        if_not_exists=True,
    )
