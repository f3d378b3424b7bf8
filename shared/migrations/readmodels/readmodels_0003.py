"""The notifier's outbox: one row per reminder, keyed by what is due, whom it is for,
which due date and which kind (``upcoming``, ``overdue``), so a restart, a
redelivered event or a second notifier never makes it twice; kept for good (it is
also each principal's in-app inbox), unlike the disposable read models.

Revision ID: readmodels_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "readmodels_0003"
down_revision = "readmodels_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("whom", sa.Text, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("branch_id", sa.Uuid, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        # pending -> sent | failed | cancelled
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("channels_done", sa.JSON, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inbox_at", sa.DateTime(timezone=True)),  # in the inbox since
        sa.Column("done_at", sa.DateTime(timezone=True)),
        sa.Column("recorded", sa.Boolean, nullable=False),
        sa.UniqueConstraint("what", "whom", "due_on", "kind", name="reminders_key"),
        if_not_exists=True,
    )
    op.create_index(
        "reminders_state", "reminders", ["state", "next_attempt_at"], if_not_exists=True
    )
    op.create_index("reminders_whom", "reminders", ["whom", "inbox_at"], if_not_exists=True)
