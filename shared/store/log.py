"""The notification log, the outbox every reader works from: read in order, one
stream at a time, or followed as it grows."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import replace
from uuid import UUID

from shared.settings import Settings
from shared.store.chain import ChainRow
from shared.store.recorder import Notification, Recorder
from shared.store.vault import open_vault


class EventLog:
    """Reads the notification log in global order and waits for it to grow; its vault
    opens what it reads."""

    def __init__(self, recorder: Recorder, settings: Settings) -> None:
        self.recorder = recorder
        self.vault = open_vault(settings)
        self._wakeups = recorder.wakeups()

    def with_fresh_keys(self) -> EventLog:
        """This log opening personal fields with keys read anew, none remembered from
        before: for a replay that is kept (a checkpoint), so that no key destroyed
        before it began opens anything in it. Shares this log's connections."""
        fresh = copy.copy(self)
        fresh.vault = replace(self.vault, keys=self.vault.keys.uncached())
        return fresh

    def read(self, after: int, limit: int, upto: int | None = None) -> Sequence[Notification]:
        return self.recorder.select_notifications(after, limit, upto)

    def head(self) -> int:
        return self.recorder.max_notification_id()

    def stream(self, stream_id: UUID) -> list[Notification]:
        """Every event of one aggregate in version order, with its global position."""
        return self.recorder.select_events(stream_id)

    def chain_rows(self) -> Iterator[ChainRow]:
        return self.recorder.chain_rows()

    def change_token(self) -> int:
        """Take this before reading; ``wait_for_new(token)`` then misses no commit
        made after the read began."""
        return self._wakeups.token()

    def wait_for_new(self, token: int, timeout: float) -> None:
        """Returns when something may have been committed since ``token`` was taken,
        or after ``timeout``."""
        self._wakeups.wait(token, timeout)

    def close(self) -> None:
        self._wakeups.close()
