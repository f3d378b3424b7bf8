"""Metrics read at scrape time from the counters the relay and the projectors already
keep, so the hot paths do not pay twice."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

Source = Callable[[], Iterable[Metric]]


class Sources(Collector):
    def __init__(self) -> None:
        self._sources: dict[str, Source] = {}

    def add(self, name: str, source: Source) -> None:
        """Adds (or replaces) the source of that name."""
        self._sources[name] = source

    def collect(self) -> Iterable[Metric]:
        for source in list(self._sources.values()):
            yield from source()


SOURCES = Sources()
REGISTRY.register(SOURCES)


def counter(name: str, documentation: str, labels: list[str]) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, labels=labels)


def gauge(name: str, documentation: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels)
