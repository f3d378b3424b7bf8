"""``python -m bench --scaling``: how projection scales out, from one run.

- **Projection throughput** with 1, 2 and 4 partitions and 1 and 2 projector
  processes. For each, the relay first publishes the whole store to that many
  partitions (queues of their own), then the projector processes start on empty read
  models (a database of their own) and catch up; the figure is events applied per
  second through every read model, from the first event applied to the last, summed
  over the processes.
- **Propagation under load** at the same command rate with one projector process on
  one partition and with two on four: from a command's answer to the coverage read
  model holding it."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.fixtures import add_visits, build_world
from bench.limits import conninfo_for
from bench.stack import Process, environment, fresh_broker_prefix, fresh_database
from services.projection.projectors import ALL_PROJECTORS
from services.projection.readmodel.database import create_engines
from services.projection.readmodel.store import ReadModelStore
from shared.settings import Settings
from shared.store import open_recorder, open_vault

CONFIGS = ((1, 1), (1, 2), (2, 1), (2, 2), (4, 1), (4, 2))  # (partitions, processes)
BRANCHES = 40  # enough that four partitions get about the same share
VISITS = 30_000
LOAD_RATE = 150.0  # commands/s: about half the command API's maximum (bench/README)
LOAD_SECONDS = 30.0
POLL_SECONDS = 0.25


def log(message: str) -> None:
    print(f"bench: {message}", flush=True)


def scaling(bench: Any, settings: Settings, workdir: Path) -> dict[str, Any]:
    """``bench`` is the run's ``bench.__main__.Bench`` (on ``settings``)."""
    recorder = open_recorder(settings)
    try:
        vault = open_vault(settings)
        world = build_world(recorder, vault, branches=BRANCHES, members=20, households=100, posts=5)
        add_visits(recorder, vault, world, VISITS)
    finally:
        recorder.close()
    events = bench.head()
    log(f"store of {events:,} events across {BRANCHES} branches")
    rows = [throughput(settings, workdir, events, p, n) for p, n in CONFIGS]
    by = {(row["partitions"], row["processes"]): row["events_per_second"] for row in rows}
    bench.replay()
    bench.checkpoint_relay_at_head()
    propagation = {
        "1 process, 1 partition": under_load(bench, world, settings, 1, 1),
        "2 processes, 4 partitions": under_load(bench, world, settings, 4, 2),
    }
    return {
        "events": events,
        "throughput": rows,
        "two_processes_over_one": {p: by[(p, 2)] / by[(p, 1)] for p in (1, 2, 4)},
        "propagation_under_load": propagation,
    }


def throughput(
    base: Settings, workdir: Path, events: int, partitions: int, processes: int
) -> dict[str, Any]:
    log(f"projection throughput: {partitions} partitions, {processes} processes")
    with fresh_database() as read_url, fresh_broker_prefix() as prefix:
        settings = base.with_overrides(
            read_database_url=read_url, amqp_prefix=prefix, partitions=partitions
        )
        with psycopg.connect(conninfo_for(settings.database_url), autocommit=True) as conn:
            conn.execute("DELETE FROM liaison_relay_checkpoint")  # from the start, anew
        env = environment(settings)
        relay = Process("relay", ["relay"], env, workdir).start()
        try:
            while _get(relay, "/status").get("position", 0) < events:
                time.sleep(POLL_SECONDS)
        finally:
            relay.kill(signal.SIGTERM)
        projectors = [
            Process(f"scaling-{n}", ["project"], env, workdir) for n in range(1, processes + 1)
        ]
        for process in projectors:
            process.launch()
        try:
            first = last = None
            read = conninfo_for(read_url)
            while True:
                applied = sum(
                    feed.get("applied", 0)
                    for process in projectors
                    for feed in _get(process, "/status").values()
                )
                now = time.perf_counter()
                if first is None and applied:
                    first = (now, applied)
                if _complete(read, events):
                    last = (now, applied)
                    break
                time.sleep(POLL_SECONDS)
            assert first is not None
            # Each event goes through every read model: count it once.
            rate = (last[1] - first[1]) / len(ALL_PROJECTORS) / (last[0] - first[0])
        finally:
            for process in projectors:
                process.kill(signal.SIGTERM)
    return {
        "partitions": partitions,
        "processes": processes,
        "seconds": round(last[0] - first[0], 2),
        "events_per_second": round(rate),
    }


def under_load(
    bench: Any, world: Any, base: Settings, partitions: int, processes: int
) -> dict[str, Any]:
    log(
        f"propagation at {LOAD_RATE:.0f} commands/s: {processes} processes, {partitions} partitions"
    )
    with fresh_broker_prefix() as prefix:
        settings = base.with_overrides(amqp_prefix=prefix, partitions=partitions)
        with psycopg.connect(bench.conninfo, autocommit=True) as conn:
            # The relay takes LIAISON_PARTITIONS as it starts.
            conn.execute("UPDATE liaison_relay_checkpoint SET partitions = NULL")
        track_in(settings.read_database_url, partitions)
        saved_env = bench.env
        bench.env = environment(settings)
        try:
            stack = bench.start_stack(processes)
            try:
                result = bench.load(world, stack[0].url, rate=LOAD_RATE, seconds=LOAD_SECONDS)
                bench.wait_caught_up()
            finally:
                for process in stack:
                    process.kill(signal.SIGTERM)
        finally:
            bench.env = saved_env
    summary = bench.summarise(result)
    return {
        "commands_per_second": round(summary["commands_per_second"]),
        "propagation_p50_ms": round(summary["propagation"]["p50_ms"], 1),
        "propagation_p99_ms": round(summary["propagation"]["p99_ms"], 1),
        "command_p99_ms": round(summary["latency"]["p99_ms"], 1),
    }


def track_in(read_database_url: str, partitions: int) -> None:
    """Tracks the (caught-up) read models in ``partitions`` partitions from where they are."""
    writer, reader = create_engines(read_database_url)
    store = ReadModelStore(writer, reader)
    try:
        for projector in ALL_PROJECTORS:
            with store.writer.begin() as conn:
                state = store.locked_state(conn, projector.name)
                store.repartition(conn, projector.name, partitions, state.position)
    finally:
        store.close()


def _complete(conninfo: str, head: int) -> bool:
    with psycopg.connect(conninfo) as conn:
        try:
            rows = conn.execute(
                "SELECT name, min(position) FROM projection_partitions GROUP BY name"
            ).fetchall()
        except psycopg.errors.UndefinedTable:  # the projectors have not made it yet
            return False
    return len(rows) == len(ALL_PROJECTORS) and all(position >= head for _, position in rows)


def _get(process: Process, path: str) -> dict[str, Any]:
    try:
        answer: dict[str, Any] = httpx.get(f"{process.url}{path}", timeout=5).json()
        return answer
    except (httpx.HTTPError, ValueError):
        return {}


def table(results: dict[str, Any]) -> str:
    lines = [f"projection throughput over {results['events']:,} events (events/s)"]
    for row in results["throughput"]:
        lines.append(
            f"  {row['partitions']} partitions, {row['processes']} processes: "
            f"{row['events_per_second']:>8,} ({row['seconds']} s)"
        )
    for partitions, ratio in results["two_processes_over_one"].items():
        lines.append(f"  2 processes / 1 process, {partitions} partitions: {ratio:.2f}")
    lines.append(f"propagation at {LOAD_RATE:.0f} commands/s")
    for name, figures in results["propagation_under_load"].items():
        lines.append(
            f"  {name}: p50 {figures['propagation_p50_ms']} ms, "
            f"p99 {figures['propagation_p99_ms']} ms "
            f"({figures['commands_per_second']} commands/s, command p99 "
            f"{figures['command_p99_ms']} ms)"
        )
    return "\n".join(lines)
