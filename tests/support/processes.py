"""Running liaison's processes the way a deployment does: separate OS processes,
configured by environment, talking over HTTP, PostgreSQL and RabbitMQ."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.settings import Settings


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
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Process:
        log = (self.log_dir / f"{self.name}.log").open("ab")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "services.cli", *self.args, "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
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
