"""What the database can do without us: a raw psycopg insert+commit loop into a table
shaped like the event store (the limit), and a plain ``eventsourcing`` application
saving one event per call (the peer)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from sqlalchemy.engine import make_url

RAW_TABLE = """
CREATE TABLE IF NOT EXISTS bench_raw_events (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version)
)
"""
STATE = b'{"v":1,"data":{"purpose":"\xe8\xb5\xb0\xe8\xae\xbf"},"meta":{"actor":"bench"}}'


def _run_threads(count: int, seconds: float, work: Callable[[threading.Event], int]) -> float:
    """Runs ``work`` in ``count`` threads for ``seconds``; operations per second."""
    stop = threading.Event()
    results: list[int] = []
    lock = threading.Lock()

    def runner() -> None:
        done = work(stop)
        with lock:
            results.append(done)

    threads = [threading.Thread(target=runner) for _ in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(results) / (time.perf_counter() - started)


def raw_insert_rate(conninfo: str, connections: int, seconds: float) -> float:
    """Transactions per second, one small row per transaction."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(RAW_TABLE)

    def work(stop: threading.Event) -> int:
        done = 0
        with psycopg.connect(conninfo) as conn:
            while not stop.is_set():
                conn.execute(
                    "INSERT INTO bench_raw_events (originator_id, originator_version, topic, state)"
                    " VALUES (%s, 1, 'VisitRecorded', %s)",
                    (uuid.uuid4(), STATE),
                    prepare=True,
                )
                conn.commit()
                done += 1
        return done

    return _run_threads(connections, seconds, work)


class Visit(Aggregate):
    @event("Recorded")
    def __init__(self, purpose: str) -> None:
        self.purpose = purpose


class PeerApplication(Application[uuid.UUID]):
    """The library's documented way: create an aggregate, save it."""


def peer_environment(database_url: str, pool_size: int) -> dict[str, str]:
    """The library's own settings for PostgreSQL, pointed at the run's database."""
    url = make_url(database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.database or "",
        "POSTGRES_HOST": url.host or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": url.username or "postgres",
        "POSTGRES_PASSWORD": url.password or "",
        "POSTGRES_POOL_SIZE": str(pool_size),
    }


def peer_event_rate(database_url: str, seconds: float, threads: int = 1) -> float:
    app = PeerApplication(env=peer_environment(database_url, threads))

    def work(stop: threading.Event) -> int:
        done = 0
        while not stop.is_set():
            app.save(Visit(purpose="走访"))
            done += 1
        return done

    try:
        return _run_threads(threads, seconds, work)
    finally:
        app.close()


def conninfo_for(database_url: str) -> str:
    url = make_url(database_url)
    return psycopg.conninfo.make_conninfo(
        dbname=url.database or "",
        host=url.host or "127.0.0.1",
        port=str(url.port or 5432),
        user=url.username or "postgres",
        password=url.password or "",
    )
