"""The fault suite's harness: the real deployment (command API, relay, projectors,
query API as processes on PostgreSQL + RabbitMQ), a client that sends a stream of
commands and records every answer — retrying with the same Idempotency-Key when the
service is unavailable, as a real client should — and the invariant every scenario
ends with: each accepted command is in the store exactly once, and every read model
equals a fresh replay of the store."""

from __future__ import annotations

import json
import random
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.__main__ import QUICK, Bench
from bench.fixtures import BranchWorld, World, build_world
from bench.stack import Process, bearer, liaison
from shared.migrations import EVENTS_TABLE
from shared.settings import Settings
from shared.store import open_recorder, open_vault

REPORT = Path("test-artifacts") / "faults.json"
RETRY_FOR_SECONDS = 120.0


@dataclass
class Tally:
    sent: int = 0
    accepted: int = 0
    attempts: int = 0
    statuses: Counter[str] = field(default_factory=Counter)  # every answer, retries included
    slowest_answer_seconds: float = 0.0
    visit_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, url: str, world: World, headers: dict[str, str]) -> None:
        self._url = url
        self._headers = headers
        self._local = threading.local()  # one HTTP connection pool per thread
        self._world = world
        self._rng = random.Random(11)
        self.tally = Tally()

    def visit(self, branch: BranchWorld | None = None) -> int:
        """A visit in ``branch``, or in any of the world's."""
        branch = branch or self._rng.choice(self._world.branches)
        body = {
            "id": str(uuid.uuid4()),
            "member_id": str(self._rng.choice(branch.members)),
            "household_id": str(self._rng.choice(branch.households)),
            "visited_on": (date(2009, 1, 1) + timedelta(self._rng.randrange(365))).isoformat(),
            "purpose": "走访",
        }
        status = self.send(f"/v1/branches/{branch.id}/visits", body)
        if status < 300:
            with self.tally.lock:
                self.tally.visit_ids.append(body["id"])
        return status

    def send(self, path: str, body: dict[str, Any]) -> int:
        """Sends until the service gives a real answer (not 5xx, not a dropped
        connection), with the same key each time; that answer's status."""
        key = str(uuid.uuid4())
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        with self.tally.lock:
            self.tally.sent += 1
        while True:
            started = time.monotonic()
            try:
                response = self._http().post(path, json=body, headers={"Idempotency-Key": key})
                status = response.status_code
                answer = str(status)
            except httpx.HTTPError as exc:
                status, answer = 599, type(exc).__name__
            with self.tally.lock:
                self.tally.attempts += 1
                self.tally.statuses[answer] += 1
                self.tally.slowest_answer_seconds = max(
                    self.tally.slowest_answer_seconds, time.monotonic() - started
                )
            if status < 500:
                if status < 300:
                    with self.tally.lock:
                        self.tally.accepted += 1
                return status
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer for {path} after {RETRY_FOR_SECONDS}s")
            time.sleep(0.2)

    def _http(self) -> httpx.Client:
        if not hasattr(self._local, "client"):
            self._local.client = httpx.Client(base_url=self._url, timeout=30, headers=self._headers)
        client: httpx.Client = self._local.client
        return client

    @contextmanager
    def streaming(self, rate: float = 40.0) -> Iterator[None]:
        """Visits at about ``rate`` a second in the background while the block runs."""
        stop = threading.Event()

        def run() -> None:
            while not stop.is_set():
                self.visit()
                time.sleep(1 / rate)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(RETRY_FOR_SECONDS + 10)


class Scenario:
    """One fault scenario on a fresh stack."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        workdir: Path,
        *,
        projectors: int = 1,
        branches: int = 2,
    ) -> None:
        self.name = name
        self.settings = settings
        self.bench = Bench(QUICK, settings, workdir)
        recorder = open_recorder(settings, pool_size=1)
        try:
            self.world = build_world(
                recorder,
                open_vault(settings),
                branches=branches,
                members=40 // branches,
                households=400 // branches,
                posts=3,
            )
        finally:
            recorder.close()
        self.bench.replay()
        self.bench.checkpoint_relay_at_head()
        self.processes: dict[str, Process] = {
            process.name: process for process in self.bench.start_stack(projectors)
        }
        self.client = Client(self.processes["command"].url, self.world, bearer(settings))
        self.report: dict[str, Any] = {"scenario": name}

    def restart(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes[name]
        process.kill(sig)
        process.start()

    def status(self, name: str) -> dict[str, Any]:
        answer: dict[str, Any] = httpx.get(f"{self.processes[name].url}/status").json()
        return answer

    def fault_over(self) -> None:
        """Marks the end of the fault and times the recovery (while the stream of
        commands goes on): until the read models hold everything stored by then."""
        ended, head = time.monotonic(), self.bench.head()
        with psycopg.connect(self.bench.conninfo, autocommit=True) as conn:
            while True:
                row = conn.execute(
                    "SELECT min(position) FROM projection_partitions WHERE name NOT LIKE '%%~%%'"
                ).fetchone()
                if row and row[0] is not None and row[0] >= head:
                    break
                if time.monotonic() - ended > 180:
                    raise AssertionError(f"read models did not reach {head} in 180 s")
                time.sleep(0.02)
        self.report["recovered_after_seconds"] = round(time.monotonic() - ended, 2)

    def settle(self) -> None:
        """Waits until the read models hold everything."""
        self.bench.wait_caught_up(timeout=180)

    def check(self) -> None:
        tally = self.client.tally
        ids = [uuid.UUID(v) for v in tally.visit_ids]
        with psycopg.connect(self.bench.conninfo) as conn:
            rows = conn.execute(
                f"SELECT originator_id, count(*) FROM {EVENTS_TABLE} "
                "WHERE originator_id = ANY(%s) GROUP BY originator_id",
                (ids,),
            ).fetchall()
        counts = Counter(count for _, count in rows)
        assert len(rows) == len(ids), f"{len(ids) - len(rows)} accepted visits are not in the store"
        assert set(counts) <= {1}, "a visit was stored more than once"
        verify = liaison(self.bench.env, "replay", "--verify")
        assert verify.returncode == 0, verify.stdout + verify.stderr
        differing = sum(
            int(line.split(", ")[-1].split()[0])
            for line in verify.stdout.splitlines()
            if line.endswith("differing rows")
        )
        projector = [
            feed
            for name in self.processes
            if name.startswith("projector")
            for feed in self.status(name).values()
        ]
        self.report.update(
            {
                "commands_sent": tally.sent,
                "accepted": tally.accepted,
                "answers_by_status": dict(tally.statuses),
                "slowest_answer_seconds": round(tally.slowest_answer_seconds, 2),
                "events_stored": self.bench.head(),
                "redelivered": sum(feed.get("redelivered", 0) for feed in projector),
                "deduplicated": sum(feed.get("duplicates", 0) for feed in projector),
                "filled_from_store": sum(feed.get("filled", 0) for feed in projector),
                "differing_rows_after_replay": differing,
            }
        )
        assert "500" not in tally.statuses, "a fault turned into a 500"
        assert differing == 0
        _append(self.report)

    def close(self) -> None:
        for process in self.processes.values():
            process.kill(signal.SIGTERM)


def _append(report: dict[str, Any]) -> None:
    REPORT.parent.mkdir(exist_ok=True)
    reports = json.loads(REPORT.read_text()) if REPORT.exists() else []
    reports = [r for r in reports if r["scenario"] != report["scenario"]] + [report]
    REPORT.write_text(json.dumps(reports, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False))
