"""What the browser tests run against: Debian's headless Chromium (a test tool's own
browser download cannot work here), and ``liaison run`` as a fresh install runs it."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from bench.stack import Process

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Debian's chromium is needed: make browser"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@dataclass(frozen=True)
class Installed:
    process: Process
    env: dict[str, str]  # the environment it runs in, for `liaison` commands beside it
    admin_token: str  # the committee-admin token its first run made

    @property
    def url(self) -> str:
        return self.process.url


@contextmanager
def fresh_install(data: Path) -> Iterator[Installed]:
    """``liaison run`` with no setting but its data directory (and JSON logs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env |= {"LIAISON_DATA_DIR": str(data), "LIAISON_LOG_FORMAT": "json"}
    process = Process("liaison", ["run"], env, data).start()
    try:
        yield Installed(process, env, (data / "admin-token").read_text().strip())
    finally:
        process.kill(signal.SIGTERM)
