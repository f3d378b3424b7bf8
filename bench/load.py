"""The load generator, run as its own process (``python -m bench.load CONFIG OUT``)
so it does not share an interpreter with what it measures.

It sends the realistic mix (80% RecordVisit, the rest AssignPost, RateMember and
LinkHousehold) either closed-loop at a fixed concurrency (the maximum throughput) or
open-loop at a fixed rate (latency at a given load: requests start on schedule
whether or not earlier ones have answered). For sampled visits it also times the
propagation: from the 201 to the coverage read model's tracking row passing the
command's position."""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg

KINDS = ("visit", "assign", "rate", "link")


@dataclass
class LoadConfig:
    command_url: str
    read_conninfo: str
    authorization: str  # the header's value: "Bearer <token>"
    branches: list[dict[str, Any]]
    years: list[int]
    seconds: float
    concurrency: int = 32
    rate: float | None = None  # open loop when set
    sample_every: int = 20
    seed: int = 7
    share: int = 0  # this run's share of the one-off resources (links, ratings, posts)
    shares: int = 1
    warmup_seconds: float = 0.0  # sent and verified, but not timed
    # The servers' processes whose CPU the timed window is charged with, by name;
    # PostgreSQL's backends serving the run's database are found at the window's start.
    watch: dict[str, list[int]] = field(default_factory=dict)
    propagation: bool = True  # a peer without read models has nothing to propagate to


@dataclass
class LoadResult:
    sent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    statuses: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    propagation_ms: list[float] = field(default_factory=list)
    visit_ids: list[str] = field(default_factory=list)
    linked_households: list[str] = field(default_factory=list)
    ratings: list[list[str]] = field(default_factory=list)  # [member, year]
    assignments: list[list[str]] = field(default_factory=list)  # [post, member]
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # over the timed window


class Mix:
    """Draws valid commands: each link, rating and assignment is a fresh one."""

    def __init__(self, config: LoadConfig) -> None:
        self.rng = random.Random(config.seed + config.share)
        self.branches = config.branches

        def mine(items: list[Any]) -> list[Any]:
            # Runs of one bench take disjoint shares, so none repeats another's link.
            return items[config.share :: config.shares]

        self.unlinked = {b["id"]: mine(list(b["households"])) for b in self.branches}
        self.ratings = {
            b["id"]: [(m, y) for m in b["members"] for y in mine(list(config.years))]
            for b in self.branches
        }
        self.assignments = {
            b["id"]: [(p, m) for p in mine(list(b["posts"])) for m in b["members"]]
            for b in self.branches
        }
        for pairs in (*self.ratings.values(), *self.assignments.values()):
            self.rng.shuffle(pairs)

    def next(self) -> tuple[str, str, dict[str, Any]]:
        branch = self.rng.choice(self.branches)
        base = f"/v1/branches/{branch['id']}"
        draw = self.rng.random()
        if 0.8 <= draw < 0.8667 and self.unlinked[branch["id"]]:
            household = self.unlinked[branch["id"]].pop()
            return (
                "link",
                f"{base}/households/{household}/link",
                {"member_id": self.rng.choice(branch["members"])},
            )
        if 0.8667 <= draw < 0.9333 and self.ratings[branch["id"]]:
            member, year = self.ratings[branch["id"]].pop()
            return "rate", f"{base}/members/{member}/ratings", {"year": year, "grade": "good"}
        if draw >= 0.9333 and self.assignments[branch["id"]]:
            post, member = self.assignments[branch["id"]].pop()
            return (
                "assign",
                f"{base}/posts/{post}/assignments",
                {
                    "member_id": member,
                    "service_content": "每周三值守",
                    "pledge": "热情服务",
                },
            )
        # 80% of the mix, and what a run does once its share of one-off commands is used.
        return (
            "visit",
            f"{base}/visits",
            {
                "id": str(uuid.uuid4()),
                "member_id": self.rng.choice(branch["members"]),
                "household_id": self.rng.choice(branch["households"]),
                "visited_on": (date(2009, 1, 1) + timedelta(self.rng.randrange(365))).isoformat(),
                "purpose": "走访",
            },
        )


class Response:
    def __init__(self, status_code: int, body: bytes) -> None:
        self.status_code = status_code
        self.text = body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.text)


class Connection:
    """A bare HTTP/1.1 keep-alive connection. The bench's client must cost far less
    than the server it measures; a general HTTP library spent more CPU per request
    than the command API did."""

    def __init__(self, host: str, port: int, authorization: str) -> None:
        self._host = host
        self._port = port
        self._authorization = authorization
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict[str, Any]) -> Response:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        assert self._reader is not None
        payload = json.dumps(body, ensure_ascii=False).encode()
        self._writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self._host}\r\nContent-Type: application/json\r\n"
            f"Authorization: {self._authorization}\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n".encode()
            + payload
        )
        status = int((await self._reader.readline()).split()[1])
        length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return Response(status, await self._reader.readexactly(length))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


class Pool:
    def __init__(self, url: str, size: int, authorization: str) -> None:
        host, _, port = url.removeprefix("http://").partition(":")
        self._idle: asyncio.Queue[Connection] = asyncio.Queue()
        self._all = [Connection(host, int(port), authorization) for _ in range(size)]
        for connection in self._all:
            self._idle.put_nowait(connection)

    async def post(self, path: str, body: dict[str, Any]) -> Response:
        connection = await self._idle.get()
        try:
            return await connection.post(path, body)
        except BaseException:
            connection.close()
            self._all.remove(connection)
            replacement = Connection(connection._host, connection._port, connection._authorization)
            self._all.append(replacement)
            connection = replacement
            raise
        finally:
            self._idle.put_nowait(connection)

    def close(self) -> None:
        for connection in self._all:
            connection.close()


class Propagation:
    """Times how long after its 201 a sampled command is in the coverage read model."""

    def __init__(self, conninfo: str, result: LoadResult) -> None:
        self._conninfo = conninfo
        self._result = result
        self._waiting: list[tuple[int, float]] = []

    def watch(self, position: int, answered_at: float) -> None:
        self._waiting.append((position, answered_at))

    async def run(self, until: asyncio.Event) -> None:
        async with await psycopg.AsyncConnection.connect(
            self._conninfo, autocommit=True, application_name=APPLICATION_NAME
        ) as conn:
            while not until.is_set() or self._waiting:
                if self._waiting:
                    row = await (
                        await conn.execute(
                            "SELECT min(position) FROM projection_partitions"
                            " WHERE name = 'coverage'"
                        )
                    ).fetchone()
                    seen = row[0] if row else 0
                    now = time.perf_counter()
                    still = []
                    for position, answered_at in self._waiting:
                        if position <= seen:
                            self._result.propagation_ms.append((now - answered_at) * 1000)
                        else:
                            still.append((position, answered_at))
                    self._waiting = still
                await asyncio.sleep(0.002)


LOAD_GENERATOR = "load generator"
POSTGRES_BACKENDS = "PostgreSQL (its backends for this database)"
POSTGRES_BACKGROUND = "PostgreSQL (WAL writer, checkpointer, bgwriter: whole server)"
RABBITMQ = "RabbitMQ (beam.smp)"
CLOCK_TICK = os.sysconf("SC_CLK_TCK")
APPLICATION_NAME = "bench-load"  # our own connections, left out of the database's bill


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of one process so far (``/proc/<pid>/stat``), None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the name may hold spaces: skip past it
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def broker_pids() -> list[int]:
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "beam.smp":
                pids.append(int(comm.parent.name))
        except OSError:
            continue
    return pids


async def postgres_pids(conninfo: str) -> dict[str, list[int]]:
    async with await psycopg.AsyncConnection.connect(
        conninfo, autocommit=True, application_name=APPLICATION_NAME
    ) as conn:
        rows = await (
            await conn.execute(
                "SELECT pid, datname IS NOT NULL FROM pg_stat_activity "
                "WHERE (datname = current_database() AND application_name <> %s) "
                "OR backend_type IN ('walwriter', 'checkpointer', 'background writer')",
                (APPLICATION_NAME,),
            )
        ).fetchall()
    return {
        POSTGRES_BACKENDS: [pid for pid, ours in rows if ours],
        POSTGRES_BACKGROUND: [pid for pid, ours in rows if not ours],
    }


class CpuMeter:
    """CPU seconds each watched group of processes spends between ``start`` and
    ``stop``; a process that is gone at either end is left out."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self._groups = groups
        self._started: dict[int, float] = {}
        self._own = 0.0

    @staticmethod
    def _own_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def start(self) -> None:
        for pids in self._groups.values():
            for pid in pids:
                if (cpu := process_cpu_seconds(pid)) is not None:
                    self._started[pid] = cpu
        self._own = self._own_cpu()

    def stop(self) -> dict[str, float]:
        spent = {LOAD_GENERATOR: self._own_cpu() - self._own}
        for name, pids in self._groups.items():
            total = 0.0
            for pid in pids:
                now = process_cpu_seconds(pid)
                if now is not None and pid in self._started:
                    total += now - self._started[pid]
            spent[name] = total
        return spent


async def _metered(config: LoadConfig, timed_from: float, ended: asyncio.Event) -> dict[str, float]:
    """Samples every watched process's CPU when the timed window starts and when its
    last request has been answered (as ``LoadResult.seconds`` does)."""
    await asyncio.sleep(max(0.0, timed_from - time.perf_counter()))
    groups = {**config.watch, RABBITMQ: broker_pids(), **await postgres_pids(config.read_conninfo)}
    meter = CpuMeter(groups)
    meter.start()
    await ended.wait()
    return meter.stop()


async def _send(
    client: Pool,
    mix: Mix,
    *,
    result: LoadResult,
    propagation: Propagation,
    n: int,
    sample_every: int,
    timed: bool,
) -> None:
    kind, path, body = mix.next()
    result.sent[kind] += 1
    started = time.perf_counter()
    try:
        response = await client.post(path, body)
    except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as exc:
        result.errors.append(f"{kind}: {exc!r}")
        return
    finished = time.perf_counter()
    status = str(response.status_code)
    result.statuses[status] = result.statuses.get(status, 0) + 1
    if response.status_code >= 300:
        result.errors.append(f"{kind} {status}: {response.text[:200]}")
        return
    if timed:
        result.latencies_ms.append((finished - started) * 1000)
    written = response.json()
    if kind == "visit":
        result.visit_ids.append(body["id"])
        if timed and sample_every and n % sample_every == 0:
            propagation.watch(written["position"], finished)
    elif kind == "link":
        result.linked_households.append(path.split("/")[-2])
    elif kind == "rate":
        result.ratings.append([path.split("/")[-2], str(body["year"])])
    else:
        result.assignments.append([path.split("/")[-2], body["member_id"]])


async def run(config: LoadConfig) -> LoadResult:
    result = LoadResult()
    mix = Mix(config)
    propagation = Propagation(config.read_conninfo, result)
    done = asyncio.Event()
    watcher = asyncio.create_task(propagation.run(done))
    client = Pool(config.command_url, config.concurrency, config.authorization)
    try:
        started = time.perf_counter()
        timed_from = started + config.warmup_seconds
        deadline = timed_from + config.seconds
        ended = asyncio.Event()
        meter = asyncio.create_task(_metered(config, timed_from, ended))
        counter = 0
        if config.rate is None:

            async def worker() -> None:
                nonlocal counter
                while time.perf_counter() < deadline:
                    counter += 1
                    await _send(
                        client,
                        mix,
                        result=result,
                        propagation=propagation,
                        n=counter,
                        sample_every=config.sample_every if config.propagation else 0,
                        timed=time.perf_counter() >= timed_from,
                    )

            await asyncio.gather(*(worker() for _ in range(config.concurrency)))
        else:
            in_flight: set[asyncio.Task[None]] = set()
            interval = 1 / config.rate
            next_at = started
            while next_at < deadline:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                counter += 1
                task = asyncio.create_task(
                    _send(
                        client,
                        mix,
                        result=result,
                        propagation=propagation,
                        n=counter,
                        sample_every=config.sample_every if config.propagation else 0,
                        timed=next_at >= timed_from,
                    )
                )
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                next_at += interval
            await asyncio.gather(*in_flight)
        result.seconds = time.perf_counter() - timed_from
        ended.set()
        result.cpu_seconds = await meter
    finally:
        client.close()
    done.set()
    await asyncio.wait_for(watcher, timeout=60)
    return result


def main() -> None:
    config = LoadConfig(**json.loads(Path(sys.argv[1]).read_text()))
    result = asyncio.run(run(config))
    Path(sys.argv[2]).write_text(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
