"""Tamper evidence on real PostgreSQL: the hash chain written with every event, and
``liaison audit verify`` finding the row someone edited behind the application's back."""

from __future__ import annotations

import psycopg
from sqlalchemy.engine import make_url

from bench.stack import environment, liaison
from services.command.bootstrap import CommandService
from shared.migrations import EVENTS_TABLE
from shared.settings import Settings
from tests.integration.test_relay import register_branches


def test_verify_finds_the_first_edited_row(
    commands: CommandService, stack_settings: Settings
) -> None:
    positions = register_branches(commands, 20)
    env = environment(stack_settings)
    intact = liaison(env, "audit", "verify")
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "intact: 20 events" in intact.stdout

    edited = positions[7]
    url = make_url(stack_settings.database_url)
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
    ) as conn:
        conn.execute(
            f"UPDATE {EVENTS_TABLE} SET state = convert_to("
            "replace(convert_from(state, 'UTF8'), '支部7', '支部X'), 'UTF8') "
            "WHERE notification_id = %s",
            (edited,),
        )
    broken = liaison(env, "audit", "verify")
    assert broken.returncode == 1
    assert f"broken at position {edited}" in broken.stdout
