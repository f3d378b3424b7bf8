"""Alembic's entry: migrate on the connection ``shared.migrations.upgrade`` opened,
inside its transaction and under its lock."""

from alembic import context

context.configure(
    connection=context.config.attributes["connection"],
    version_table=context.config.attributes["version_table"],
)
with context.begin_transaction():
    context.run_migrations()
