"""Backoff for long-running loops that must outlive a dependency's restart."""

from __future__ import annotations

import random


class Backoff:
    def __init__(self, first: float = 0.1, limit: float = 5.0) -> None:
        self._first = first
        self._limit = limit
        self._next = first

    def next(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self._limit)
        # Jitter, so a fleet of consumers does not reconnect in lockstep.
        return delay * (0.5 + random.random() / 2)  # noqa: S311 - not cryptographic

    def reset(self) -> None:
        self._next = self._first
