"""End to end through HTTP on the real deployment: PostgreSQL and RabbitMQ, with the
command API, relay, projectors and query API each in its own process."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from bench.stack import (
    Process,
    bearer,
    environment,
    fresh_broker_prefix,
    fresh_database,
    liaison,
    postgres_settings,
)
from services.demo.client import Branch, tell_the_story
from shared.contract.envelope import Envelope
from shared.settings import Settings
from tests.support.broker import eventually, publish_raw


@dataclass
class Stack:
    env: dict[str, str]
    settings: Settings
    command: Process
    relay: Process
    projector: Process
    query: Process

    def clients(self) -> tuple[httpx.Client, httpx.Client]:
        admin = bearer(self.settings)
        return (
            httpx.Client(base_url=self.command.url, timeout=30, headers=admin),
            httpx.Client(base_url=self.query.url, timeout=30, headers=admin),
        )

    def verify_replay(self) -> None:
        result = liaison(self.env, "replay", "--verify")
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.count(", 0 differing rows") == 4, result.stdout


DEPLOYMENT = (
    ("command", ["command-api"]),
    ("relay", ["relay"]),
    ("projector", ["project"]),
    ("query", ["query-api"]),
)


@pytest.fixture
def stack(stack_settings: Settings, tmp_path: Path) -> Iterator[Stack]:
    env = environment(stack_settings)
    processes: list[Process] = []
    try:
        for name, args in DEPLOYMENT:
            processes.append(Process(name, args, env, tmp_path).start())
        yield Stack(env, stack_settings, *processes)
    finally:
        for process in processes:
            process.kill(signal.SIGTERM)


def test_the_story_flows_from_commands_to_queries(stack: Stack) -> None:
    commands, queries = stack.clients()
    branch = Branch(commands, queries)
    tell_the_story(branch)
    roster = branch.read("/roster")
    assert roster["totals"]["members"] == 6
    assert [g["name"] for g in roster["groups"]] == ["第一党小组", "第二党小组", "第三党小组"]
    assert branch.read("/posts")["posts"][0]["holders"][0]["pledge"] == "有问必答，热情服务"
    coverage = branch.read("/coverage")
    assert (coverage["households"], coverage["linked"], coverage["visited"]) == (6, 4, 4)
    assert branch.read("/evaluations", year=2009)["distribution"]["excellent"] == 1
    history = queries.get(f"/v1/audit/streams/{branch.households['长安街1号']}").json()
    assert [e["type"] for e in history["events"]] == ["HouseholdRegistered", "HouseholdLinked"]
    stack.verify_replay()


def more_writes(accepted: list[int], count: int) -> None:
    mark = len(accepted)
    eventually(lambda: len(accepted) >= mark + count, message=f"{count} more writes")


def test_a_projector_killed_mid_stream_resumes_without_loss(stack: Stack) -> None:
    commands, queries = stack.clients()
    branch = Branch(commands, queries)
    tell_the_story(branch)
    accepted: list[int] = []
    stop = threading.Event()

    def write_visits() -> None:
        day = date(2009, 1, 1)
        while not stop.is_set():
            branch.visit("王芳", "长安街1号", day + timedelta(days=len(accepted) % 300))
            accepted.append(branch.position)

    writer = threading.Thread(target=write_visits)
    writer.start()
    try:
        for _ in range(3):
            more_writes(accepted, 20)
            stack.projector.kill(signal.SIGKILL)
            more_writes(accepted, 20)
            stack.projector.start()
    finally:
        stop.set()
        writer.join(60)
    assert len(accepted) >= 120
    coverage = branch.read("/coverage")
    assert coverage["visits"] == 5 + len(accepted)
    status = httpx.get(f"{stack.projector.url}/status").json()
    assert status["coverage"]["position"] >= branch.position
    stack.verify_replay()


def test_the_same_message_twice_changes_nothing(stack: Stack) -> None:
    commands, queries = stack.clients()
    branch = Branch(commands, queries)
    tell_the_story(branch)
    before = branch.read("/coverage")
    visit = branch.visit("王芳", "长安街6号", date(2009, 11, 29))
    history = queries.get(f"/v1/audit/streams/{visit}").json()["events"]
    envelope = Envelope.model_validate(history[0])
    for _ in range(2):
        publish_raw(stack.settings, envelope.to_json())

    def duplicates_seen() -> bool:
        status = httpx.get(f"{stack.projector.url}/status").json()
        return all(feed["duplicates"] >= 2 for feed in status.values())

    eventually(duplicates_seen, message="the projectors saw both copies")
    after = branch.read("/coverage")
    assert after["visits"] == before["visits"] + 1
    assert after["visited"] == before["visited"] + 1
    stack.verify_replay()


def test_the_demo_against_the_deployment_prints_links_that_answer(stack: Stack) -> None:
    token = bearer(stack.settings)["Authorization"].removeprefix("Bearer ")
    env = stack.env | {"LIAISON_TOKEN": token}
    # The command API serves no dashboard: told only that, the demo says what it needs.
    refused = liaison(env, "demo", "--url", stack.command.url)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "--query-url" in refused.stderr
    _, queries = stack.clients()
    assert queries.get("/v1/branches").json()["branches"] == []  # it wrote nothing
    told = liaison(env, "demo", "--url", stack.command.url, "--query-url", stack.query.url)
    assert told.returncode == 0, told.stdout + told.stderr
    links = [word for word in told.stdout.split() if word.startswith("http")]
    assert links, told.stdout
    for link in links:
        assert link.startswith(f"{stack.query.url}/dashboard"), link
        assert httpx.get(link, timeout=10).status_code == 200, link


@pytest.mark.timeout(1800)
def test_every_process_starts_at_the_same_instant_on_a_fresh_database(tmp_path: Path) -> None:
    """`docker compose up` on an empty database, ten times: the command API, relay,
    projectors and query API launched together (each of them first in turn); each
    becomes ready and none dies, whichever makes the schema and whichever waits."""
    rounds, ready = 10, 0
    for number in range(rounds):
        with fresh_database() as url, fresh_broker_prefix() as prefix:
            env = environment(postgres_settings(url, prefix))
            order = DEPLOYMENT[number % 4 :] + DEPLOYMENT[: number % 4]
            processes = [Process(f"{name}-{number}", args, env, tmp_path) for name, args in order]
            try:
                for process in processes:
                    process.launch()
                for process in processes:
                    process.wait_ready(timeout=240)
                for process in processes:
                    assert process.popen is not None and process.popen.poll() is None, process.log()
                    ready += 1
            finally:
                for process in processes:
                    process.kill()
    assert ready == 4 * rounds
