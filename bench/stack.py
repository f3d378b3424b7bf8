"""Running liaison's processes the way a deployment does (separate OS processes,
configured by environment, talking over HTTP, PostgreSQL and RabbitMQ), on a fresh
database and a fresh set of broker names that are removed afterwards. The bench and
the end-to-end tests both use it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pika
import psycopg
from psycopg import sql

from shared.auth import PII, Keys, Principal, Role, load_keys, sign
from shared.messaging import PROJECTIONS, Topology
from shared.settings import Settings

POSTGRES_ADMIN = os.environ.get(
    "LIAISON_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)
POSTGRES_URL = os.environ.get("LIAISON_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
AMQP_URL = os.environ.get("LIAISON_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


@contextmanager
def fresh_database() -> Iterator[str]:
    name = f"liaison_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{POSTGRES_URL}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def fresh_broker_prefix() -> Iterator[str]:
    prefix = f"liaison-test-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        delete_topology(prefix)


# The most partitions a test or a bench run splits the stream into.
MAX_PARTITIONS_USED = 4


def delete_topology(prefix: str) -> None:
    topology = Topology(prefix)
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    try:
        channel = connection.channel()
        for count in range(1, MAX_PARTITIONS_USED + 1):
            topology.delete_partitions(channel, count)
        for projection in PROJECTIONS:
            channel.queue_delete(topology.dead_letter_queue(projection))
        channel.exchange_delete(topology.exchange)
        channel.exchange_delete(topology.dead_letter_exchange)
    finally:
        connection.close()


def postgres_settings(
    database_url: str, prefix: str | None = None, amqp_url: str = AMQP_URL
) -> Settings:
    """PostgreSQL for both stores; with a broker prefix, RabbitMQ at ``amqp_url`` too."""
    return Settings(
        database_url=database_url,
        read_database_url=database_url,
        amqp_url=amqp_url if prefix else None,
        amqp_prefix=prefix or "liaison",
        postgres_pool_size=4,
        projector_batch_size=50,
        auth_keys=Keys.generate().render(),
    )


def bearer(
    settings: Settings,
    role: Role = Role.COMMITTEE_ADMIN,
    subject: str = "bench-admin",
    *,
    grants: frozenset[str] = frozenset({PII}),
    branch_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
    group_id: uuid.UUID | None = None,
) -> dict[str, str]:
    """An Authorization header for a principal, signed with the run's own key."""
    principal = Principal(
        subject=subject,
        role=role,
        grants=grants,
        branch_id=branch_id,
        member_id=member_id,
        group_id=group_id,
    )
    keys = load_keys(settings.auth_keys, None)
    assert keys is not None, "the settings carry no signing key"
    token, _ = sign(keys, principal, timedelta(hours=12))
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "LIAISON_DATABASE_URL": settings.database_url,
            "LIAISON_READ_DATABASE_URL": settings.read_database_url,
            "LIAISON_AMQP_URL": settings.amqp_url or "",
            "LIAISON_AMQP_PREFIX": settings.amqp_prefix,
            "LIAISON_PROJECTOR_BATCH_SIZE": str(settings.projector_batch_size),
            "LIAISON_RELAY_ENVELOPES_PER_MESSAGE": str(settings.relay_envelopes_per_message),
            "LIAISON_PARTITIONS": str(settings.partitions),
            "LIAISON_AUTH_KEYS": settings.auth_keys or "",
            "LIAISON_CIPHER_KEY": settings.cipher_key or "",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@dataclass
class Process:
    name: str
    args: list[str]
    env: dict[str, str]
    log_dir: Path
    port: int = field(default_factory=free_port)
    program: tuple[str, ...] = ("services.cli",)  # the module ``python -m`` runs
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Process:
        self.launch()
        self.wait_ready()
        return self

    def launch(self) -> None:
        """Starts the process without waiting for it to be ready."""
        log = (self.log_dir / f"{self.name}.log").open("ab")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", *self.program, *self.args, "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 180.0) -> None:
        # Generous: on a busy machine a process with two workers takes tens of seconds.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.popen is not None
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} exited: {self.log()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.name} not ready after {timeout}s: {self.log()}")

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def pids(self) -> list[int]:
        """The process and its children (uvicorn's workers)."""
        pids = [self.pid]
        for children in Path(f"/proc/{self.pid}/task").glob("*/children"):
            pids += [int(child) for child in children.read_text().split()]
        return pids

    def peak_rss_mb(self) -> float:
        """The largest peak resident memory (VmHWM) of the process or any of its
        children, in MB."""
        return max(_peak_rss_mb(pid) for pid in self.pids())

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=20)

    def log(self) -> str:
        path = self.log_dir / f"{self.name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def liaison(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
