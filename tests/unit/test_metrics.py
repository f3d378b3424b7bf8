"""Each app scrapes its own service's metrics: a service closed elsewhere in the
process (another app's, say, in a test run or an embedded restart) is never read."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.core import Metric

from shared.metrics import gauge
from shared.web import add_operations_routes


def test_an_app_scrapes_only_its_own_sources() -> None:
    def closed() -> Iterable[Metric]:
        raise RuntimeError("this service's pool is closed")

    def alive() -> Iterable[Metric]:
        metric = gauge("liaison_test_alive", "a source that answers", [])
        metric.add_metric([], 1)
        yield metric

    gone = FastAPI()
    add_operations_routes(gone, "gone", checks={}, metric_sources=[closed])
    here = FastAPI()
    add_operations_routes(here, "here", checks={}, metric_sources=[alive])

    answer = TestClient(here).get("/metrics")
    assert answer.status_code == 200
    assert "liaison_test_alive 1.0" in answer.text
    assert "liaison_http_requests_total" in answer.text  # the process's own counters too
