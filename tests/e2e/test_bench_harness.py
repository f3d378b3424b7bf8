"""The benchmark's harness works end to end (its --quick mode). Speed is a matter
for the benchmark, never for a test: nothing here asserts a figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# The bench makes its own database and broker names on the shared servers.
pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


def test_the_quick_bench_measures_everything_and_loses_nothing(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=1800,  # about 2 minutes alone; far longer on a machine busy with other suites
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads(out.read_text())
    for key in (
        "raw_insert_tps_1_connection",
        "raw_insert_tps_n_connections",
        "peer_events_per_second",
        "max_throughput",
        "half_throughput",
        "growth",
        "ratios",
        "peak_rss_mb",
        "http_peer",
    ):
        assert key in results, key
    assert results["max_throughput"]["verified"]["ok"]
    assert results["max_throughput"]["accepted"] > 0
    assert results["half_throughput"]["propagation"]["samples"] > 0
    assert [row["events"] >= 5_000 for row in results["growth"]] == [True, True]
    assert "ratio replay / raw log read" in run.stdout
    # Every process of the stack is charged for the maximum run, and the peer's too.
    charged = results["max_throughput"]["cpu_ms_per_command"]
    assert {"relay", "projector", "query API", "RabbitMQ (beam.smp)"} <= set(charged)
    assert all(ms >= 0 for ms in charged.values())
    assert results["max_throughput"]["cpu_ms_per_command_total"] > 0
    assert results["http_peer"]["accepted"] > 0
    assert "ratio API / eventsourcing HTTP peer" in run.stdout
