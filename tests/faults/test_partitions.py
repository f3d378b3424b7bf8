"""Projectors scaled out: three projector processes share four partitions of the
stream under a steady stream of visits across many branches, and one of them is
SIGKILLed every few seconds and started again. The others take its partitions over;
at the end every accepted command is stored once, every read model equals a fresh
replay, and no branch ever had its events applied out of order.

The partition count also changes under the same load (2 to 4, with a projector
killed while the change is under way), with the same checks after.

The order is recorded by the database itself: a trigger on every live read-model
table holding a branch and a position notes each row as it is written, numbered by a
sequence, in the transaction that writes it (a rolled-back batch leaves no note)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from shared.settings import Settings
from tests.faults.harness import Scenario
from tests.faults.test_scenarios import run_scenario
from tests.support.broker import eventually

pytestmark = pytest.mark.timeout(900)

PARTITIONS = 4
PROJECTORS = ("projector", "projector-2", "projector-3")
KILLS = 6

TRACE = """
CREATE TABLE applied_order (
    seq bigserial PRIMARY KEY,
    tbl text NOT NULL,
    branch_id uuid NOT NULL,
    position bigint NOT NULL);
CREATE FUNCTION note_applied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO applied_order (tbl, branch_id, position)
    VALUES (TG_TABLE_NAME, NEW.branch_id, (to_jsonb(NEW) ->> TG_ARGV[0])::bigint);
    RETURN NEW;
END $$;
"""


def partitioned_scenario(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path, partitions: int
) -> Iterator[Scenario]:
    yield from run_scenario(
        request,
        # Fewer store connections per process: five processes more than the other
        # scenarios share the server's hundred connections with whatever else runs.
        settings.with_overrides(partitions=partitions, postgres_pool_size=4),
        tmp_path,
        projectors=len(PROJECTORS),
        branches=16,
    )


@pytest.fixture
def scenario(
    request: pytest.FixtureRequest, stack_settings: Settings, tmp_path: Path
) -> Iterator[Scenario]:
    yield from partitioned_scenario(request, stack_settings, tmp_path, PARTITIONS)


@pytest.fixture
def two_partitions(
    request: pytest.FixtureRequest, stack_settings: Settings, tmp_path: Path
) -> Iterator[Scenario]:
    yield from partitioned_scenario(request, stack_settings, tmp_path, 2)


def trace_applications(conninfo: str) -> list[str]:
    """Installs the trigger on every live table with a branch and a position; their names."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(TRACE)
        tables = conn.execute(
            """
            SELECT c.table_name, p.column_name FROM information_schema.columns c
            JOIN information_schema.columns p ON p.table_name = c.table_name
            JOIN projection_state s ON c.table_name LIKE s.name || '_g' || s.generation || '_%'
            WHERE c.column_name = 'branch_id'
              AND p.column_name IN ('position', 'recorded_position')
            """
        ).fetchall()
        for table, column in tables:
            conn.execute(
                f'CREATE TRIGGER note_applied AFTER INSERT ON "{table}"'
                f" FOR EACH ROW EXECUTE FUNCTION note_applied('{column}')"
            )
    return [table for table, _ in tables]


@dataclass
class Applied:
    noted: int = 0  # rows written to the traced tables
    late: int = 0  # written after a later position of the same branch, same table
    twice: int = 0  # an event's row written again in the same table


def applications(conninfo: str) -> Applied:
    applied = Applied()
    latest: dict[tuple[str, str], int] = {}
    seen: set[tuple[str, int]] = set()
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT tbl, branch_id, position FROM applied_order ORDER BY seq")
        for table, branch, position in rows:
            applied.noted += 1
            key = (table, str(branch))
            applied.late += int(position < latest.get(key, 0))
            latest[key] = max(position, latest.get(key, 0))
            applied.twice += int((table, position) in seen)
            seen.add((table, position))
    return applied


def shares(scenario: Scenario, names: list[str]) -> dict[str, set[str]]:
    """The partitions each named projector process consumes now (coverage's)."""
    answer = {}
    for name in names:
        try:
            status = httpx.get(f"{scenario.processes[name].url}/status", timeout=5).json()
            answer[name] = set(status["coverage"]["partitions"])
        except httpx.HTTPError:
            answer[name] = set()
    return answer


def test_three_projectors_on_four_partitions_one_killed_every_few_seconds(
    scenario: Scenario,
) -> None:
    every = {f"{i}-of-{PARTITIONS}" for i in range(PARTITIONS)}
    traced = trace_applications(scenario.bench.conninfo)
    assert traced, "no read-model table to trace"
    takeovers: list[float] = []
    moved = 0
    with scenario.client.streaming(rate=60):
        for kill in range(KILLS):
            time.sleep(3)
            victim = PROJECTORS[kill % len(PROJECTORS)]
            survivors = [name for name in PROJECTORS if name != victim]
            orphaned = shares(scenario, [victim])[victim]
            scenario.processes[victim].kill(signal.SIGKILL)
            killed_at = time.monotonic()
            while True:
                held = shares(scenario, survivors)
                if set().union(*held.values()) == every:
                    break
                assert time.monotonic() - killed_at < 60, f"{orphaned} not taken over: {held}"
                time.sleep(0.1)
            takeovers.append(time.monotonic() - killed_at)
            moved += len(orphaned)
            scenario.processes[victim].start()
        scenario.fault_over()
    scenario.settle()
    applied = applications(scenario.bench.conninfo)
    scenario.report.update(
        {
            "partitions": PARTITIONS,
            "projector_processes": len(PROJECTORS),
            "kills": KILLS,
            "partitions_taken_over": moved,
            "slowest_takeover_seconds": round(max(takeovers), 2),
            "rows_traced": applied.noted,
            "tables_traced": len(traced),
            "applied_out_of_order": applied.late,
            "applied_twice": applied.twice,
        }
    )
    scenario.check()  # and writes the report
    assert applied.noted > 0
    assert applied.late == applied.twice == 0
    assert moved >= KILLS  # each victim held at least one partition


def test_the_partition_count_changes_under_load_with_a_projector_killed_meanwhile(
    two_partitions: Scenario,
) -> None:
    scenario = two_partitions
    traced = trace_applications(scenario.bench.conninfo)
    with scenario.client.streaming(rate=60):
        time.sleep(3)
        changing = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "partitions", "set", str(PARTITIONS)],
            env=scenario.bench.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.5)
        scenario.restart("projector-2")  # SIGKILLed while the change is under way
        output, errors = changing.communicate(timeout=300)
        assert changing.returncode == 0, output + errors
        every = {f"{i}-of-{PARTITIONS}" for i in range(PARTITIONS)}
        eventually(
            lambda: set().union(*shares(scenario, list(PROJECTORS)).values()) == every,
            timeout=60,
            message="the projectors resumed on the new partitions",
        )
        time.sleep(3)
        scenario.fault_over()
    scenario.settle()
    applied = applications(scenario.bench.conninfo)
    scenario.report.update(
        {
            "partitions": f"2 -> {PARTITIONS}",
            "projector_processes": len(PROJECTORS),
            "change": output.strip().splitlines()[:3],
            "rows_traced": applied.noted,
            "tables_traced": len(traced),
            "applied_out_of_order": applied.late,
            "applied_twice": applied.twice,
        }
    )
    scenario.check()
    assert applied.noted > 0
    assert applied.late == applied.twice == 0
