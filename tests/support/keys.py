"""Subject keys kept in memory, for tests of the codec without a database."""

from __future__ import annotations

from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class MemorySubjectKeys:
    def __init__(self) -> None:
        self._keys: dict[UUID, bytes | None] = {}

    def key_for(self, subject: UUID) -> bytes:
        key = self._keys.get(subject)
        if key is None:
            key = self._keys[subject] = AESGCM.generate_key(256)
        return key

    def key_of(self, subject: UUID) -> bytes | None:
        return self._keys.get(subject)

    def destroy(self, subject: UUID) -> None:
        self._keys[subject] = None
