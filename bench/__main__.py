"""``python -m bench [--quick]``: one run, everything side by side, on this machine's
PostgreSQL and RabbitMQ (a fresh database and broker names, removed afterwards).
Prints a table and writes ``bench/results.json``. See bench/README.md."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from sqlalchemy import create_engine

from bench.fixtures import YEARS, World, add_visits, build_world
from bench.limits import conninfo_for, peer_environment, peer_event_rate, raw_insert_rate
from bench.load import LOAD_GENERATOR, POSTGRES_BACKGROUND, LoadConfig, LoadResult
from bench.peer_http import Branch
from bench.scaling import scaling
from bench.scaling import table as scaling_table
from bench.stack import (
    Process,
    bearer,
    environment,
    fresh_broker_prefix,
    fresh_database,
    postgres_settings,
)
from services.relay.checkpoint import Checkpoint
from shared.contract.sealing import new_cipher_key
from shared.migrations import EVENTS_TABLE
from shared.settings import Settings, sqlalchemy_url
from shared.store import open_recorder, open_vault

RESULTS = Path(__file__).parent / "results.json"
SCALING_RESULTS = Path(__file__).parent / "scaling.json"
API_WORKERS = 2  # one per core: the command API is CPU-bound (see README)
WARMUP_SECONDS = 3.0
RELAY_ENVELOPES_PER_MESSAGE = 100  # batches on the wire (see README)


@contextmanager
def pipeline(**overrides: Any) -> Iterator[tuple[Settings, Path]]:
    """Settings for a run of the whole pipeline as the bench runs it, on a fresh
    database and broker names (removed afterwards), and a scratch folder."""
    with (
        fresh_database() as url,
        fresh_broker_prefix() as prefix,
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = postgres_settings(url, prefix).with_overrides(
            projector_batch_size=200, relay_envelopes_per_message=RELAY_ENVELOPES_PER_MESSAGE
        )
        yield settings.with_overrides(**overrides), Path(tmp)


@dataclass(frozen=True)
class Profile:
    limit_seconds: float
    load_seconds: float
    concurrency: int
    branches: int
    members: int
    households: int
    posts: int
    growth: tuple[int, ...]


FULL = Profile(10, 30, 32, 10, 200, 2000, 20, (100_000, 1_000_000))
# The full load and world with the store grown to 100k only: a third of the time.
MID = Profile(10, 30, 32, 10, 200, 2000, 20, (100_000,))
QUICK = Profile(2, 5, 16, 3, 30, 300, 5, (5_000, 20_000))
# The stack's processes as the CPU table names them.
SERVICES = {
    "command": f"command API ({API_WORKERS} workers)",
    "relay": "relay",
    "projector": "projector",
    "query": "query API",
}
HTTP_PEER = f"eventsourcing HTTP peer ({API_WORKERS} workers)"


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(values, 0.50),
        "p95_ms": percentile(values, 0.95),
        "p99_ms": percentile(values, 0.99),
        "mean_ms": statistics.fmean(values) if values else float("nan"),
    }


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def projector_name(number: int) -> str:
    return "projector" if number == 1 else f"projector-{number}"


class Bench:
    def __init__(self, profile: Profile, settings: Settings, workdir: Path) -> None:
        self.profile = profile
        self.settings = settings
        self.env = environment(settings)
        self.workdir = workdir
        self.conninfo = conninfo_for(settings.database_url)
        self.results: dict[str, Any] = {"profile": asdict(profile)}
        self._runs = 0
        self._accepted = LoadResult()  # every accepted command of every run, to verify

    # -- the limit and the peer ------------------------------------------------
    def limits(self) -> None:
        seconds = self.profile.limit_seconds
        connections = self.settings.postgres_pool_size * API_WORKERS
        log("raw insert loop")
        self.results["raw_insert_tps_1_connection"] = raw_insert_rate(self.conninfo, 1, seconds)
        self.results["raw_insert_connections"] = connections
        self.results["raw_insert_tps_n_connections"] = raw_insert_rate(
            self.conninfo, connections, seconds
        )
        log("plain eventsourcing application")
        self.results["peer_events_per_second"] = peer_event_rate(
            self.settings.database_url, seconds
        )

    # -- the stack -------------------------------------------------------------
    def start_stack(self, projectors: int = 1) -> list[Process]:
        """The deployment's processes, with ``projectors`` projector processes sharing
        the partitions (``projector``, ``projector-2``, ...)."""
        processes: list[Process] = []
        for name, args in (
            ("command", ["command-api", "--workers", str(API_WORKERS)]),
            ("relay", ["relay"]),
            *((projector_name(n), ["project"]) for n in range(1, projectors + 1)),
            ("query", ["query-api"]),
        ):
            processes.append(Process(name, args, self.env, self.workdir).start())
        return processes

    def http_peer(self, world: World) -> dict[str, Any]:
        """The obvious HTTP service on ``eventsourcing`` under the same load and mix."""
        library = peer_environment(self.settings.database_url, self.settings.postgres_pool_size)
        Branch(env=library).close()  # its table, made once before the workers race to
        peer = Process(
            "peer",
            ["--workers", str(API_WORKERS), "--no-access-log"],
            {**os.environ, **library},
            self.workdir,
            program=("uvicorn", "bench.peer_http:app"),
        ).start()
        try:
            log(f"HTTP peer: {self.profile.concurrency} clients for {self.profile.load_seconds}s")
            result = self.load(
                world,
                peer.url,
                rate=None,
                seconds=self.profile.load_seconds,
                watch={HTTP_PEER: peer.pids()},
                peer=True,
            )
            return self.summarise(result)
        finally:
            peer.kill(signal.SIGTERM)

    def replay(self) -> dict[str, float]:
        """Rebuilds every read model with ``liaison replay`` in its own process."""
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "replay"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(process.pid, 0)
        output = process.stdout.read().decode() if process.stdout else ""
        if status != 0:
            raise RuntimeError(f"liaison replay failed: {output}")
        seconds = time.perf_counter() - started
        events = self.head()
        # The rebuild's own figure leaves out starting the process (imports, connections).
        rate = re.search(r"in ([0-9.]+)s \(", output)
        rebuild_seconds = float(rate.group(1)) if rate else seconds
        return {
            "events": events,
            "seconds": rebuild_seconds,
            "process_seconds": seconds,
            "events_per_second": events / rebuild_seconds,
            "peak_rss_mb": usage.ru_maxrss / 1024,
        }

    def raw_log_read(self) -> dict[str, float]:
        started = time.perf_counter()
        count = 0
        with psycopg.connect(self.conninfo) as conn, conn.cursor(name="raw_log") as cursor:
            cursor.itersize = 10_000
            cursor.execute(
                "SELECT notification_id, originator_id, originator_version, topic, state "
                f"FROM {EVENTS_TABLE} ORDER BY notification_id"
            )
            for _ in cursor:
                count += 1
        seconds = time.perf_counter() - started
        return {"events": count, "seconds": seconds, "events_per_second": count / seconds}

    def head(self) -> int:
        with psycopg.connect(self.conninfo) as conn:
            row = conn.execute(
                f"SELECT coalesce(max(notification_id), 0) FROM {EVENTS_TABLE}"
            ).fetchone()
        return int(row[0]) if row else 0

    def wait_caught_up(self, timeout: float = 600) -> float:
        """Seconds until every projection has applied the whole store."""
        head = self.head()
        started = time.perf_counter()
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            while time.perf_counter() - started < timeout:
                rows = conn.execute(
                    "SELECT min(position) FROM projection_partitions WHERE name NOT LIKE '%%~%%'"
                ).fetchone()
                if rows and rows[0] is not None and rows[0] >= head:
                    return time.perf_counter() - started
                time.sleep(0.05)
        raise RuntimeError(f"projections did not reach {head} in {timeout}s")

    def checkpoint_relay_at_head(self) -> None:
        engine = create_engine(sqlalchemy_url(self.settings.database_url))
        try:
            Checkpoint(engine).save(self.head())
        finally:
            engine.dispose()

    # -- load ------------------------------------------------------------------
    def load(
        self,
        world: World,
        command_url: str,
        *,
        rate: float | None,
        seconds: float,
        watch: dict[str, list[int]] | None = None,
        peer: bool = False,
    ) -> LoadResult:
        """One load run; a peer's commands are not ours to verify."""
        config = LoadConfig(
            command_url=command_url,
            read_conninfo=self.conninfo,
            authorization=bearer(self.settings)["Authorization"],
            branches=[
                {
                    "id": str(b.id),
                    "members": [str(m) for m in b.members],
                    "households": [str(h) for h in b.households],
                    "posts": [str(p) for p in b.posts],
                }
                for b in world.branches
            ],
            years=list(YEARS),
            seconds=seconds,
            concurrency=self.profile.concurrency,
            rate=rate,
            share=self._runs,
            shares=3 + len(self.profile.growth),
            warmup_seconds=WARMUP_SECONDS,
            watch=watch or {},
            propagation=not peer,
        )
        self._runs += 1
        config_path = self.workdir / "load-config.json"
        out_path = self.workdir / "load-result.json"
        config_path.write_text(json.dumps(asdict(config)))
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.load", str(config_path), str(out_path)]
        )
        _, status, usage = os.wait4(process.pid, 0)
        if status != 0:
            raise RuntimeError("the load generator failed")
        data = json.loads(out_path.read_text())
        result = LoadResult(**data)
        for accepted in (
            () if peer else ("visit_ids", "linked_households", "ratings", "assignments")
        ):
            getattr(self._accepted, accepted).extend(getattr(result, accepted))
        self.results.setdefault("load_generator_peak_rss_mb", 0)
        self.results["load_generator_peak_rss_mb"] = max(
            self.results["load_generator_peak_rss_mb"], usage.ru_maxrss / 1024
        )
        return result

    def verify(self) -> dict[str, Any]:
        """Every command accepted so far is in the store exactly once and in the read
        models (the stack must have caught up)."""
        result = self._accepted
        with psycopg.connect(self.conninfo) as conn:

            def one(query: str, *params: Any) -> int:
                row = conn.execute(query, params).fetchone()
                return int(row[0]) if row else 0

            generations: dict[str, int] = dict(
                conn.execute("SELECT name, generation FROM projection_state").fetchall()
            )
            visits = [UUID(v) for v in result.visit_ids]
            households = [UUID(h) for h in result.linked_households]
            checks = {
                "visits_accepted": len(visits),
                "visits_in_store": one(
                    f"SELECT count(*) FROM {EVENTS_TABLE} WHERE originator_id = ANY(%s)", visits
                ),
                "visits_in_read_model": one(
                    f"SELECT count(*) FROM coverage_g{generations['coverage']}_visits "
                    "WHERE id = ANY(%s)",
                    visits,
                ),
                "links_accepted": len(households),
                "links_in_store": one(
                    f"SELECT count(*) FROM {EVENTS_TABLE} WHERE originator_id = ANY(%s) "
                    "AND topic = 'HouseholdLinked'",
                    households,
                ),
                "links_in_read_model": one(
                    f"SELECT count(*) FROM coverage_g{generations['coverage']}_households "
                    "WHERE id = ANY(%s) AND linked_member_id IS NOT NULL",
                    households,
                ),
                "ratings_accepted": len(result.ratings),
                "ratings_in_read_model": one(
                    f"SELECT count(*) FROM evaluations_g{generations['evaluations']}_ratings"
                ),
                "assignments_accepted": len(result.assignments),
                "assignments_in_read_model": one(
                    f"SELECT count(*) FROM rosters_g{generations['rosters']}_post_holders"
                ),
            }
        checks["ok"] = (
            checks["visits_accepted"] == checks["visits_in_store"] == checks["visits_in_read_model"]
            and checks["links_accepted"]
            == checks["links_in_store"]
            == checks["links_in_read_model"]
            and checks["ratings_accepted"] == checks["ratings_in_read_model"]
            and checks["assignments_accepted"] == checks["assignments_in_read_model"]
        )
        return checks

    def summarise(self, result: LoadResult) -> dict[str, Any]:
        accepted = len(result.latencies_ms)
        per_command = {
            name: seconds * 1000 / accepted if accepted else float("nan")
            for name, seconds in result.cpu_seconds.items()
        }
        return {
            "cpu_ms_per_command": per_command,
            # The server's background writers serve every database on it (other
            # tests' too), and the client is not the service: both left out.
            "cpu_ms_per_command_total": sum(
                ms
                for name, ms in per_command.items()
                if name not in (LOAD_GENERATOR, POSTGRES_BACKGROUND)
            ),
            "seconds": result.seconds,
            "sent": result.sent,
            "statuses": result.statuses,
            "accepted": accepted,
            "commands_per_second": accepted / result.seconds,
            "latency": latency(result.latencies_ms),
            "propagation": {
                "samples": len(result.propagation_ms),
                "p50_ms": percentile(result.propagation_ms, 0.5),
                "p99_ms": percentile(result.propagation_ms, 0.99),
            },
            "errors": result.errors[:10],
        }

    # -- the run ---------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        self.limits()
        recorder = open_recorder(self.settings)
        try:
            log("building the world")
            p = self.profile
            world = build_world(
                recorder,
                open_vault(self.settings),
                branches=p.branches,
                members=p.members,
                households=p.households,
                posts=p.posts,
            )
            self.results["world_events"] = world.events
            self.results["replay_world"] = self.replay()
            self.checkpoint_relay_at_head()
            self.results["http_peer"] = self.http_peer(world)
            stack = self.start_stack()
            try:
                command_url = stack[0].url
                log(f"maximum throughput: {p.concurrency} clients for {p.load_seconds}s")
                maximum = self.load(
                    world,
                    command_url,
                    rate=None,
                    seconds=p.load_seconds,
                    watch={SERVICES[proc.name]: proc.pids() for proc in stack},
                )
                self.results["max_throughput"] = self.summarise(maximum)
                self.results["max_throughput"]["catch_up_seconds"] = self.wait_caught_up()
                self.results["max_throughput"]["verified"] = self.verify()
                half = self.results["max_throughput"]["commands_per_second"] / 2
                log(f"half the maximum: {half:.0f} commands/s for {p.load_seconds}s")
                steady = self.load(world, command_url, rate=half, seconds=p.load_seconds)
                self.results["half_throughput"] = self.summarise(steady)
                self.results["half_throughput"]["target_rate"] = half
                self.wait_caught_up()
                self.results["half_throughput"]["verified"] = self.verify()
                self.results["peak_rss_mb"] = {proc.name: proc.peak_rss_mb() for proc in stack}
            finally:
                for process in stack:
                    process.kill(signal.SIGTERM)
            self.results["growth"] = self.growth(recorder, world, half)
        finally:
            recorder.close()
        return self.results

    def growth(self, recorder: Any, world: World, rate: float) -> list[dict[str, Any]]:
        rows = []
        for target in self.profile.growth:
            missing = target - self.head()
            if missing > 0:
                log(f"growing the store to {target:,} events")
                add_visits(recorder, open_vault(self.settings), world, missing, seed=target)
            row: dict[str, Any] = {"events": self.head()}
            row["raw_log_read"] = self.raw_log_read()
            log(f"replaying {row['events']:,} events")
            row["replay"] = self.replay()
            row["replay_vs_raw_read"] = (
                row["replay"]["events_per_second"] / row["raw_log_read"]["events_per_second"]
            )
            self.checkpoint_relay_at_head()
            stack = self.start_stack()
            try:
                seconds = max(5.0, self.profile.load_seconds / 3)
                log(f"command latency at {row['events']:,} events")
                result = self.load(world, stack[0].url, rate=rate, seconds=seconds)
                row["commands"] = self.summarise(result)
                self.wait_caught_up()
                row["commands"]["verified"] = self.verify()
                row["peak_rss_mb"] = {proc.name: proc.peak_rss_mb() for proc in stack}
            finally:
                for process in stack:
                    process.kill(signal.SIGTERM)
            rows.append(row)
        return rows


def ratios(results: dict[str, Any]) -> dict[str, float]:
    api = results["max_throughput"]["commands_per_second"]
    last = results["growth"][-1]
    return {
        "api_vs_raw_single_connection": api / results["raw_insert_tps_1_connection"],
        "api_vs_peer": api / results["peer_events_per_second"],
        "api_vs_http_peer": api / results["http_peer"]["commands_per_second"],
        "replay_vs_raw_log_read": last["replay_vs_raw_read"],
    }


def _triple(numbers: dict[str, float], *keys: str) -> str:
    return " / ".join(f"{numbers[key]:.1f}" for key in keys)


def _cpu_rows(run: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [
        (f"  {name}", f"{ms:.2f}")
        for name, ms in run["cpu_ms_per_command"].items()
        if name not in (LOAD_GENERATOR, POSTGRES_BACKGROUND)
    ]
    return [
        *rows,
        ("  total (CPU ms per command)", f"{run['cpu_ms_per_command_total']:.2f}"),
        *(
            (f"  not in the total: {name}", f"{run['cpu_ms_per_command'][name]:.2f}")
            for name in (POSTGRES_BACKGROUND, LOAD_GENERATOR)
        ),
    ]


def table(results: dict[str, Any]) -> str:
    m, h, r = results["max_throughput"], results["half_throughput"], results["ratios"]
    peer = results["http_peer"]
    connections = results["raw_insert_connections"]
    rows: list[tuple[str, str]] = [
        (
            "raw insert+commit, 1 connection (tx/s)",
            f"{results['raw_insert_tps_1_connection']:,.0f}",
        ),
        (
            f"raw insert+commit, {connections} connections (tx/s)",
            f"{results['raw_insert_tps_n_connections']:,.0f}",
        ),
        (
            "plain eventsourcing app, save per call (events/s)",
            f"{results['peer_events_per_second']:,.0f}",
        ),
        ("command API, max throughput (commands/s)", f"{m['commands_per_second']:,.0f}"),
        ("  latency p50 / p95 / p99 (ms)", _triple(m["latency"], "p50_ms", "p95_ms", "p99_ms")),
        ("  every accepted command once in store and read models", f"{m['verified']['ok']}"),
        ("  CPU ms per accepted command, by process", ""),
        *_cpu_rows(m),
        (
            "eventsourcing HTTP peer, max throughput (commands/s)",
            f"{peer['commands_per_second']:,.0f}",
        ),
        ("  latency p50 / p95 / p99 (ms)", _triple(peer["latency"], "p50_ms", "p95_ms", "p99_ms")),
        ("  CPU ms per accepted command, by process", ""),
        *_cpu_rows(peer),
        ("command API at half max (commands/s)", f"{h['commands_per_second']:,.0f}"),
        ("  latency p50 / p95 / p99 (ms)", _triple(h["latency"], "p50_ms", "p95_ms", "p99_ms")),
        (
            "  propagation to read model p50 / p99 (ms)",
            _triple(h["propagation"], "p50_ms", "p99_ms"),
        ),
    ]
    for row in results["growth"]:
        rows += [
            (
                f"at {row['events']:,} events: raw log read (events/s)",
                f"{row['raw_log_read']['events_per_second']:,.0f}",
            ),
            (
                "  replay of all read models (events/s)",
                f"{row['replay']['events_per_second']:,.0f}",
            ),
            ("  replay peak RSS (MB)", f"{row['replay']['peak_rss_mb']:,.0f}"),
            (
                "  command latency p50 / p99 (ms)",
                _triple(row["commands"]["latency"], "p50_ms", "p99_ms"),
            ),
            (
                "  peak RSS per process (MB)",
                ", ".join(f"{k} {v:.0f}" for k, v in row["peak_rss_mb"].items()),
            ),
        ]
    rows += [
        (
            "ratio API / raw 1-connection insert (target >= 1.0)",
            f"{r['api_vs_raw_single_connection']:.2f}",
        ),
        ("ratio API / plain eventsourcing peer (target >= 1.0)", f"{r['api_vs_peer']:.2f}"),
        ("ratio API / eventsourcing HTTP peer (target >= 2)", f"{r['api_vs_http_peer']:.2f}"),
        ("ratio replay / raw log read (target >= 0.25)", f"{r['replay_vs_raw_log_read']:.3f}"),
    ]
    return "\n".join(f"{label:64} {value:>40}" for label, value in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small counts: checks the harness")
    size.add_argument("--mid", action="store_true", help="the full load, growth to 100k only")
    size.add_argument(
        "--scaling",
        action="store_true",
        help="projection throughput by partitions and projector processes (bench/scaling.py)",
    )
    parser.add_argument("--out", type=Path, help=f"default: {RESULTS} ({SCALING_RESULTS})")
    parser.add_argument(
        "--encrypted",
        action="store_true",
        help="with the store cipher on (LIAISON_CIPHER_KEY), to see what encryption costs",
    )
    parser.add_argument(
        "--envelopes-per-message",
        type=int,
        default=RELAY_ENVELOPES_PER_MESSAGE,
        help="LIAISON_RELAY_ENVELOPES_PER_MESSAGE for the run (1: one envelope per message)",
    )
    args = parser.parse_args(argv)
    if args.scaling:
        return _scaling(args.out or SCALING_RESULTS)
    out = args.out or RESULTS
    profile = QUICK if args.quick else MID if args.mid else FULL
    with pipeline(
        relay_envelopes_per_message=args.envelopes_per_message,
        cipher_key=new_cipher_key() if args.encrypted else None,
    ) as (settings, tmp):
        results = Bench(profile, settings, tmp).run()
    results["ratios"] = ratios(results)
    results["mode"] = "quick" if args.quick else "mid" if args.mid else "full"
    results["encrypted"] = args.encrypted
    results["relay_envelopes_per_message"] = args.envelopes_per_message
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(table(results))
    verified = [results["max_throughput"], results["half_throughput"]] + [
        row["commands"] for row in results["growth"]
    ]
    return 0 if all(run["verified"]["ok"] for run in verified) else 1


def _scaling(out: Path) -> int:
    with pipeline() as (settings, tmp):
        results = scaling(Bench(QUICK, settings, tmp), settings, tmp)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(scaling_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
