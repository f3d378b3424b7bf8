"""A rebuild while commands keep coming, on PostgreSQL: queries never fail during the
switch, and afterwards the live read models equal a fresh replay."""

from __future__ import annotations

import threading
from datetime import date

from fastapi.testclient import TestClient

from bench.stack import bearer
from services.demo.client import Branch, tell_the_story
from services.embedded import create_app
from services.projection.bootstrap import bootstrap as bootstrap_projections
from services.projection.projectors import ALL_PROJECTORS
from services.projection.rebuild import rebuild
from shared.settings import Settings


def test_rebuild_and_switch_under_writes(pg_settings: Settings) -> None:
    with TestClient(create_app(pg_settings), headers=bearer(pg_settings)) as client:
        branch = Branch(client, client)
        tell_the_story(branch)
        stop = threading.Event()
        failures: list[str] = []
        written = 0

        def write() -> None:
            nonlocal written
            while not stop.is_set():
                branch.visit("王芳", "长安街2号", date(2009, 11, 28))
                written += 1

        def read() -> None:
            while not stop.is_set():
                response = client.get(f"{branch.base}/coverage")
                if response.status_code != 200:
                    failures.append(response.text)

        threads = [threading.Thread(target=write), threading.Thread(target=read)]

        def stop_and_join() -> None:
            stop.set()
            for thread in threads:
                thread.join()  # before the client closes, or a failure would hang there

        for thread in threads:
            thread.start()
        service = bootstrap_projections(pg_settings)
        try:
            switched = rebuild(ALL_PROJECTORS, service.store, service.event_log, switch=True)
            assert [r.generation for r in switched] == [2] * len(ALL_PROJECTORS)
            stop_and_join()
            assert written > 0
            assert failures == []
            assert branch.read("/coverage")["visits"] == 5 + written
            for report in rebuild(ALL_PROJECTORS, service.store, service.event_log, switch=False):
                assert report.differing_rows == 0, (report.projection, report.differences)
        finally:
            stop_and_join()
            service.close()
