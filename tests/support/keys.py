"""Subject keys kept in memory, for tests of the codec without a database."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.contract.sealing import MissingKey, SealingError


class MemorySubjectKeys:
    def __init__(self) -> None:
        self._keys: dict[UUID, bytes | None] = {}

    def key_for(self, subject: UUID) -> bytes:
        if subject not in self._keys:
            self._keys[subject] = AESGCM.generate_key(256)
        key = self._keys[subject]
        if key is None:
            raise SealingError(f"the key of {subject} has been destroyed")
        return key

    def key_of(self, subject: UUID) -> bytes | None:
        if subject not in self._keys:
            raise MissingKey(f"no key for {subject}")
        return self._keys[subject]

    def destroy(self, subject: UUID) -> None:
        self._keys[subject] = None

    def preload(self, subjects: Collection[UUID]) -> None:
        """Everything is in memory already."""

    def destroyed_count(self) -> int:
        return sum(1 for key in self._keys.values() if key is None)

    def uncached(self) -> MemorySubjectKeys:
        return self
