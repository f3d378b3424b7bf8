"""Every `liaison` command run where there is no store: only `run` and `migrate` make
one; every other command says which store is missing and exits 2, leaving the place
as it found it. A tool that verifies never reports on an empty store it made itself."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.stack import environment, free_port, fresh_database, liaison, postgres_settings
from services.cli import REFUSED, build_parser
from shared.settings import Settings
from shared.store.postgres import conninfo

# What each command needs on its command line to get as far as opening its store.
COMMANDS: dict[str, list[str]] = {
    "command-api": [],
    "query-api": [],
    "relay": [],
    "project": [],
    "notifier": [],
    "replay": [],
    "replay --verify": ["--verify"],
    "demo": [],
    "import": ["台账.xlsx", "--branch", "0b9f4b52-8c1e-4a52-9a43-3c55f1a0d6e1"],
    "token create": ["--subject", "someone", "--role", "committee_admin"],
    "token revoke": ["some-token-id"],
    "dead-letters list": [],
    "dead-letters redrive": [],
    "audit verify": [],
    "partitions set": ["4"],
}
MAKERS = {"run", "migrate"}  # the only commands that make a store
STORELESS = {"docs"}  # rewrites the README's tables from the code; opens no store


def leaf_commands(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    """argparse has no public list of subcommands: read them off its actions."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        return {prefix.strip()}
    return {
        leaf
        for group in groups
        for name, sub in group.choices.items()
        for leaf in leaf_commands(sub, f"{prefix}{name} ")
    }


def test_every_command_is_tried_here() -> None:
    tried = {name.split(" --")[0] for name in COMMANDS} | MAKERS | STORELESS
    assert leaf_commands(build_parser()) == tried


def without_liaison_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}


def run_each(commands: dict[str, list[str]], env: dict[str, str], cwd: Path) -> dict[str, str]:
    """Runs the commands side by side; what each did, for those that did not refuse."""
    started = {
        name: subprocess.Popen(
            [sys.executable, "-m", "services.cli", *name.split(" --")[0].split(), *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, args in commands.items()
    }
    wrong: dict[str, str] = {}
    for name, process in started.items():
        try:
            out, err = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            wrong[name] = "still running after 120 s: it did not refuse"
            continue
        if process.returncode != REFUSED or "liaison" not in err:
            wrong[name] = f"exit {process.returncode}: {out[-500:]} {err[-1500:]}"
    return wrong


def test_no_command_but_run_and_migrate_makes_an_embedded_store(tmp_path: Path) -> None:
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    wrong = run_each(COMMANDS, without_liaison_settings(), empty)
    assert wrong == {}
    assert list(empty.iterdir()) == []
    missing = liaison_in(empty, "audit", "verify")
    assert f"no event store at {empty / 'var' / 'events.sqlite'}" in missing.stderr


def liaison_in(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        cwd=cwd,
        env=without_liaison_settings(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_makes_the_store_the_tools_then_verify(tmp_path: Path) -> None:
    made = liaison_in(tmp_path, "migrate")
    assert made.returncode == 0, made.stdout + made.stderr
    assert (tmp_path / "var" / "events.sqlite").exists()
    verified = liaison_in(tmp_path, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "intact: 0 events" in verified.stdout
    replayed = liaison_in(tmp_path, "replay", "--verify")
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.count(", 0 differing rows") == 4


def test_the_tools_refuse_an_empty_or_absent_postgresql_database(tmp_path: Path) -> None:
    """The servers make the schema in the database they are given (as `docker compose
    up` needs); the tools find nothing there to check, and say so."""
    one_of_each = ("replay", "replay --verify", "audit verify", "dead-letters list", "token revoke")
    tools = {name: COMMANDS[name] for name in one_of_each}  # the rule is per tool
    with fresh_database() as url:
        settings = postgres_settings(url)
        assert run_each(tools, environment(settings), tmp_path) == {}
        assert tables_in(settings) == []  # they made nothing there
        absent = environment(settings) | {"LIAISON_DATABASE_URL": f"{url}_absent"}
        refused = liaison(absent, "audit", "verify")
        assert refused.returncode == REFUSED
        assert "does not exist" in refused.stderr


def tables_in(settings: Settings) -> list[str]:
    with psycopg.connect(conninfo(settings)) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return [row[0] for row in rows]


ROOT = Path(__file__).resolve().parents[2]


def make(*args: str, env: dict[str, str], **popen: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["make", "--no-print-directory", *args], cwd=ROOT, env=env, text=True, **popen
    )


def outside_make(data: Path) -> dict[str, str]:
    """This environment, without whatever an enclosing `make test` passes down."""
    env = without_liaison_settings() | {"LIAISON_DATA_DIR": str(data)}
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PORT"):
        env.pop(name, None)
    return env


@contextmanager
def make_run(env: dict[str, str], *args: str) -> Iterator[str]:
    """`make run` in a process group of its own (make passes no signal on), until it is
    ready; then stopped, and every process of the group waited for."""
    log = (Path(env["LIAISON_DATA_DIR"]) / "run.log").open("w")
    running = make(
        "run", *args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield wait_for_address(Path(env["LIAISON_DATA_DIR"]), running)
    finally:
        os.killpg(running.pid, signal.SIGTERM)
        running.wait(timeout=60)
        deadline = time.monotonic() + 60
        with contextlib.suppress(ProcessLookupError):
            while time.monotonic() < deadline:
                os.killpg(running.pid, 0)  # raises once none is left
                time.sleep(0.1)


def wait_for_address(data: Path, running: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert running.poll() is None, (data / "run.log").read_text()
        address = data / "liaison.url"
        if address.exists():
            url = address.read_text().strip()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    return url
        time.sleep(0.2)
    raise AssertionError(f"make run not ready: {(data / 'run.log').read_text()}")


def test_make_run_serves_on_the_port_given_and_make_demo_finds_it(tmp_path: Path) -> None:
    port = free_port()
    env = outside_make(tmp_path)
    with make_run(env, f"PORT={port}") as url:
        assert url == f"http://127.0.0.1:{port}"
        told = make("demo", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = told.communicate(timeout=600)
        assert told.returncode == 0, out + err
        links = [word for word in out.split() if word.startswith("http")]
        assert links and all(link.startswith(f"{url}/dashboard#") for link in links), out
        for link in links:
            assert httpx.get(link, timeout=10).status_code == 200
    assert not (tmp_path / "liaison.url").exists()  # gone with the instance


def test_liaison_port_chooses_the_port_too(tmp_path: Path) -> None:
    port = free_port()
    with make_run(outside_make(tmp_path) | {"LIAISON_PORT": str(port)}) as url:
        assert url == f"http://127.0.0.1:{port}"
