"""Metrics read at scrape time from the counters the relay and the projectors already
keep, so the hot paths do not pay twice."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

Source = Callable[[], Iterable[Metric]]


class _AppMetrics(Collector):
    """The process's own metrics (requests, latencies) and those of one app's service:
    each app scrapes its own service, so a service closed elsewhere in the process is
    never read."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self._sources = tuple(sources)

    def collect(self) -> Iterable[Metric]:
        yield from REGISTRY.collect()
        for source in self._sources:
            yield from source()


def app_registry(sources: Sequence[Source]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_AppMetrics(sources))
    return registry


def counter(name: str, documentation: str, labels: list[str]) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, labels=labels)


def gauge(name: str, documentation: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels)
