"""The recorder's own contract, on both databases: positions follow commit order, the
hash chain runs on unbroken across batches and concurrent writers, a key is stored
only with its command's events, and a taken version or key stores nothing of the
batch (``Conflict``). On PostgreSQL, a connection lost during an insert neither
loses the write nor stores it twice, whether or not its commit went through."""

from __future__ import annotations

import selectors
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from bench.stack import free_port
from shared.migrations import EVENTS_TABLE, Presence, prepare_store
from shared.settings import Settings
from shared.store import (
    Conflict,
    IdempotencyRecord,
    Recorder,
    StoredEvent,
    Write,
    Written,
    open_recorder,
)
from shared.store.chain import verify
from shared.store.postgres import PostgresRecorder, conninfo
from shared.store.recorder import FORGOTTEN
from tests.support.settings import embedded_settings


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def recorder(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Recorder]:
    if request.param == "postgresql":
        store_settings: Settings = request.getfixturevalue("pg_settings")
    else:
        store_settings = embedded_settings(tmp_path)
        prepare_store(store_settings, Presence.CREATE)
    opened = open_recorder(store_settings, pool_size=2)
    yield opened
    opened.close()


def event(stream: UUID, version: int, text: str = "") -> StoredEvent:
    return StoredEvent(stream, version, "Tested", f'{{"v":1,"text":"{text}"}}'.encode())


def command(events: int, key: str | None = None) -> Write:
    """A command writing ``events`` events on a stream of its own."""
    stream = uuid4()
    record = IdempotencyRecord(key, f"hash of {key}", stream, events) if key else None
    return Write([event(stream, v, key or "") for v in range(1, events + 1)], record)


def all_positions(recorder: Recorder) -> list[int]:
    return [n.id for n in recorder.select_notifications(after=0, limit=1_000_000)]


batches = st.lists(
    st.lists(st.tuples(st.integers(1, 4), st.booleans()), min_size=1, max_size=6),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=batches)
def test_positions_follow_the_order_of_writes_and_batches(
    recorder: Recorder, batches: list[list[tuple[int, bool]]]
) -> None:
    before = recorder.max_notification_id()
    returned: list[int] = []
    for batch in batches:
        writes = [command(size, str(uuid4()) if keyed else None) for size, keyed in batch]
        positions = recorder.insert(writes)
        assert [len(p) for p in positions] == [len(w.events) for w in writes]
        returned += [position for mine in positions for position in mine]
        for write, mine in zip(writes, positions, strict=True):
            stream = recorder.select_events(write.events[0].originator_id)
            assert [n.id for n in stream] == mine
            assert [n.originator_version for n in stream] == list(range(1, len(mine) + 1))
            if write.key is not None:
                found = recorder.find_idempotent(write.key.key)
                assert found == (
                    write.key.fingerprint,
                    Written(write.key.stream_id, len(mine), mine[-1]),
                )
    assert returned == sorted(returned) and len(set(returned)) == len(returned)
    assert [p for p in all_positions(recorder) if p > before] == returned
    assert recorder.max_notification_id() == returned[-1]
    report = verify(recorder.chain_rows())
    assert report.intact and report.checked == len(all_positions(recorder))


def test_the_chain_runs_on_across_concurrent_writers(recorder: Recorder) -> None:
    def write(n: int) -> list[list[int]]:
        return recorder.insert([command(1 + n % 3, str(uuid4())), command(2)])

    with ThreadPoolExecutor(max_workers=6) as pool:
        written = [
            p for positions in pool.map(write, range(60)) for mine in positions for p in mine
        ]
    positions = all_positions(recorder)
    assert sorted(written) == positions
    report = verify(recorder.chain_rows())
    assert report.intact and report.checked == len(positions)


def test_a_taken_version_stores_nothing_of_the_batch(recorder: Recorder) -> None:
    taken = command(1)
    recorder.insert([taken])
    head = recorder.max_notification_id()
    innocent = command(2, "innocent")
    clashing = Write([taken.events[0]], IdempotencyRecord("clashing", "h", uuid4(), 1))
    with pytest.raises(Conflict):
        recorder.insert([innocent, clashing])
    assert recorder.max_notification_id() == head
    assert recorder.select_events(innocent.events[0].originator_id) == []
    assert recorder.find_idempotent("innocent") is None
    assert recorder.find_idempotent("clashing") is None
    # The chain goes on from where it was.
    recorder.insert([innocent])
    assert verify(recorder.chain_rows()).intact


def test_a_taken_key_stores_nothing_of_the_batch(recorder: Recorder) -> None:
    first = command(1, "key")
    recorder.insert([first])
    again = command(2, "key")
    with pytest.raises(Conflict):
        recorder.insert([command(1), again])
    assert len(all_positions(recorder)) == 1
    assert recorder.select_events(again.events[0].originator_id) == []
    found = recorder.find_idempotent("key")
    assert found is not None and found[1].id == first.events[0].originator_id


def test_a_key_goes_only_with_its_commands_events(recorder: Recorder) -> None:
    with pytest.raises(ValueError, match="events"):
        Write([], IdempotencyRecord("k", "h", uuid4(), 1))
    assert recorder.insert([Write([])]) == [[]]
    assert recorder.max_notification_id() == 0


def test_forgotten_fingerprints_match_no_request(recorder: Recorder) -> None:
    write = command(1, "erased")
    recorder.insert([write, command(1, "kept")])
    recorder.forget_fingerprints(write.events[0].originator_id)
    assert recorder.find_idempotent("erased") == (
        FORGOTTEN,
        Written(write.events[0].originator_id, 1, all_positions(recorder)[0]),
    )
    kept = recorder.find_idempotent("kept")
    assert kept is not None and kept[0] == "hash of kept"


# -- a connection lost during an insert (PostgreSQL) ---------------------------------


class Cutter:
    """A TCP proxy in front of PostgreSQL that, once armed, cuts the connection that
    sends the next COMMIT: before passing it on (so the commit never happens), or
    once the server has answered it (it happened, and the client never hears so)."""

    def __init__(self, host: str, port: int) -> None:
        self.port = free_port()
        self._server = (host, port)
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._armed: str | None = None
        self._lock = threading.Lock()
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, when: str) -> None:
        assert when in ("before commit", "after commit")
        self._armed = when

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self._server)
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()

    def _pipe(self, client: socket.socket, server: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, server)
        selector.register(server, selectors.EVENT_READ, client)
        committing = False
        try:
            while True:
                for key, _ in selector.select():
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    data = source.recv(65536)
                    if not data:
                        return
                    if source is client and b"COMMIT" in data:
                        with self._lock:
                            when, self._armed = self._armed, None
                        if when == "before commit":
                            self.cuts += 1
                            return  # the server sees the client gone: it rolls back
                        committing = when == "after commit"
                    if source is server and committing and b"COMMIT\x00" in data:
                        self.cuts += 1
                        return  # the server has committed; its answer is dropped
                    key.data.sendall(data)
        finally:
            client.close()
            server.close()

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def cut_recorder(pg_settings: Settings) -> Iterator[tuple[PostgresRecorder, Cutter]]:
    prepare_store(pg_settings, Presence.OPEN)
    url = make_url(pg_settings.database_url)
    cutter = Cutter(url.host or "127.0.0.1", url.port or 5432)
    proxied = pg_settings.with_overrides(
        database_url=url.set(port=cutter.port).render_as_string(hide_password=False)
    )
    recorder = PostgresRecorder(conninfo(proxied), EVENTS_TABLE, pool_size=1)
    yield recorder, cutter
    recorder.close()
    cutter.close()


@pytest.mark.parametrize("when", ["before commit", "after commit"])
def test_a_write_whose_connection_is_cut_is_stored_once(
    cut_recorder: tuple[PostgresRecorder, Cutter], when: str
) -> None:
    recorder, cutter = cut_recorder
    recorder.insert([command(1)])
    write = command(2, "cut")
    cutter.arm(when)
    [positions] = recorder.insert([write])
    assert cutter.cuts == 1
    stream = write.events[0].originator_id
    assert [n.id for n in recorder.select_events(stream)] == positions
    assert recorder.find_idempotent("cut") == ("hash of cut", Written(stream, 2, positions[-1]))
    report = verify(recorder.chain_rows())
    assert report.intact and report.checked == 3
