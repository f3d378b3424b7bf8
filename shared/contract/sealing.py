"""Personal data at rest, in two layers applied where events are encoded and decoded.

- The store cipher (``LIAISON_CIPHER_KEY``): every stored event's state is encrypted
  with AES-GCM (the ``eventsourcing`` library's ``AESCipher``), so the database and its
  backups hold no plaintext. States written before the key was set stay readable.
- Subject keys: the personal fields of a household (address, head of household, phone,
  tags) are sealed with a key of that household's own, kept in ``liaison_subject_keys``
  (itself encrypted with the store cipher when there is one). Erasing the household
  destroys its key — crypto-shredding: the events, the history and the hash chain stay,
  but nobody, not even with the store cipher's key, can read those fields again; they
  read as erased. Envelopes carry the fields sealed, so RabbitMQ never holds them in
  plaintext either.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from base64 import b64decode, b64encode
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    Table,
    Uuid,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

# Event type -> its fields that are a data subject's personal data.
SEALED_FIELDS: Mapping[str, tuple[str, ...]] = {
    "HouseholdRegistered": ("address", "head_name", "phone", "tags"),
}
# Events recorded when a subject's key is destroyed (its fields then read as erased).
ERASURES = frozenset({"HouseholdErased"})
ERASED_TEXT = "已删除"  # what an erased name or address reads as
ERASED_VALUES: Mapping[str, Any] = {
    "address": ERASED_TEXT,
    "head_name": ERASED_TEXT,
    "phone": None,
    "tags": [],
}
SEALED = "sealed"  # the key that replaces the sealed fields in an event's data
ENCRYPTED = b"\x00aes-gcm\x00"  # before an encrypted state (JSON never starts with NUL)


class SealingError(ValueError):
    """A state or field that cannot be opened (no key configured, or tampered)."""


class MissingKey(SealingError):
    """No key was ever made for the subject: the keys table is not the one the events
    were sealed with (a partial restore, say). Never read as an erasure."""


class SubjectKeys(Protocol):
    def key_for(self, subject: UUID) -> bytes:
        """The subject's key, made on first use; SealingError once destroyed."""
        ...

    def key_of(self, subject: UUID) -> bytes | None:
        """The subject's key, or None once it has been destroyed; MissingKey if it
        never had one."""
        ...

    def destroy(self, subject: UUID) -> None: ...

    def preload(self, subjects: Collection[UUID]) -> None:
        """Reads these subjects' keys ahead, together (a batch of events needs many)."""
        ...

    def destroyed_count(self) -> int:
        """How many keys have been destroyed, read from the store (never decreases)."""
        ...

    def uncached(self) -> SubjectKeys:
        """The same keys with nothing remembered: each key is read anew from the store."""
        ...


def store_cipher(key: str | None) -> AESCipher | None:
    """The store cipher for a base64 AES key (16, 24 or 32 bytes), if one is given."""
    if not key:
        return None
    return AESCipher(Environment(env={AESCipher.CIPHER_KEY: key}))


def new_cipher_key() -> str:
    return AESCipher.create_key(32)


@dataclass(frozen=True)
class Vault:
    """What encoding and decoding need to seal and open personal data."""

    keys: SubjectKeys
    cipher: AESCipher | None = None
    opens_personal_fields: bool = True

    def without_personal_fields(self) -> Vault:
        """This vault for a reader that never looks at personal fields (the command
        side's rules): they stay shut and read as erased, so no key is read."""
        return replace(self, opens_personal_fields=False)

    def seal_state(self, state: bytes) -> bytes:
        return ENCRYPTED + self.cipher.encrypt(state) if self.cipher else state

    def open_state(self, state: bytes) -> bytes:
        if not state.startswith(ENCRYPTED):
            return state
        if self.cipher is None:
            raise SealingError("the event is encrypted: set LIAISON_CIPHER_KEY to read it")
        try:
            return self.cipher.decrypt(state[len(ENCRYPTED) :])
        except (InvalidTag, ValueError) as exc:
            raise SealingError(f"the event cannot be decrypted with this key: {exc}") from exc

    def seal_fields(self, event_type: str, subject: UUID, data: dict[str, Any]) -> dict[str, Any]:
        fields = SEALED_FIELDS.get(event_type)
        if not fields:
            return data
        personal = {name: data[name] for name in fields}
        nonce = os.urandom(12)
        box = nonce + AESGCM(self.keys.key_for(subject)).encrypt(
            nonce, orjson.dumps(personal), subject.bytes
        )
        rest = {name: value for name, value in data.items() if name not in fields}
        return rest | {SEALED: {"subject": str(subject), "box": b64encode(box).decode()}}

    def prefetch(self, datas: Iterable[Mapping[str, Any]]) -> None:
        """Reads ahead the keys that these events' sealed fields need, in one go."""
        subjects = set()
        for data in datas:
            sealed = data.get(SEALED)
            if isinstance(sealed, dict):
                try:
                    subjects.add(UUID(sealed["subject"]))
                except (KeyError, ValueError, TypeError):
                    continue  # open_fields says what is wrong with it, event by event
        if subjects:
            self.keys.preload(subjects)

    def open_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        sealed = data.get(SEALED)
        if not isinstance(sealed, dict):
            return data
        rest = {name: value for name, value in data.items() if name != SEALED}
        try:
            subject = UUID(sealed["subject"])
            box = b64decode(sealed["box"])
        except (KeyError, ValueError, TypeError) as exc:
            raise SealingError(f"malformed sealed fields: {exc}") from exc
        key = self.keys.key_of(subject) if self.opens_personal_fields else None
        if key is None:
            return rest | dict(ERASED_VALUES)
        try:
            opened = AESGCM(key).decrypt(box[:12], box[12:], subject.bytes)
        except InvalidTag as exc:
            raise SealingError(f"sealed fields of {subject} do not open") from exc
        personal: dict[str, Any] = orjson.loads(opened)
        return rest | personal


# The table is made by shared.migrations (store/); this is how the code reads it.
metadata = MetaData()
subject_keys = Table(
    "liaison_subject_keys",
    metadata,
    Column("subject_id", Uuid, primary_key=True),
    Column("key", LargeBinary, nullable=True),  # NULL once destroyed
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("destroyed_at", DateTime(timezone=True), nullable=True),
)


class StoredSubjectKeys:
    """Subject keys in the event store's database, wrapped with the store cipher when
    there is one. A key read is remembered for a few seconds: a key destroyed by another
    process stops opening fields here within that time (this process forgets at once).
    A subject whose key was destroyed gets no new one: its fields stay erased."""

    def __init__(
        self,
        engine: Engine,
        cipher: AESCipher | None,
        *,
        refresh_seconds: float = 5.0,
    ) -> None:
        self._engine = engine
        self._cipher = cipher
        self._refresh_seconds = refresh_seconds
        self._cache: dict[UUID, tuple[bytes | None, float]] = {}
        self._lock = threading.Lock()

    def key_for(self, subject: UUID) -> bytes:
        try:
            key = self.key_of(subject)
        except MissingKey:
            key = self._create(subject)
        if key is None:
            raise SealingError(f"the key of {subject} has been destroyed")
        return key

    def key_of(self, subject: UUID) -> bytes | None:
        with self._lock:
            cached = self._cache.get(subject)
        if self._fresh(cached):
            assert cached is not None
            return cached[0]
        with self._engine.connect() as conn:
            row = conn.execute(
                select(subject_keys.c.key).where(subject_keys.c.subject_id == subject)
            ).first()
        if row is None:
            raise MissingKey(f"no key was ever made for {subject} in liaison_subject_keys")
        key = None if row.key is None else self._unwrap(subject, row.key)
        self._remember(subject, key)
        return key

    def _create(self, subject: UUID) -> bytes | None:
        """A new key; or, should another writer have got there first, theirs (None if
        they destroyed it)."""
        key = AESGCM.generate_key(256)
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(subject_keys).values(
                        subject_id=subject, key=self._wrap(key), created_at=datetime.now(UTC)
                    )
                )
        except IntegrityError:
            with self._lock:
                self._cache.pop(subject, None)
            return self.key_of(subject)
        self._remember(subject, key)
        return key

    PRELOAD_CHUNK = 500

    def preload(self, subjects: Collection[UUID]) -> None:
        with self._lock:
            wanted = [subject for subject in subjects if not self._fresh(self._cache.get(subject))]
        for start in range(0, len(wanted), self.PRELOAD_CHUNK):
            chunk = wanted[start : start + self.PRELOAD_CHUNK]
            with self._engine.connect() as conn:
                rows = conn.execute(
                    select(subject_keys.c.subject_id, subject_keys.c.key).where(
                        subject_keys.c.subject_id.in_(chunk)
                    )
                ).all()
            for row in rows:
                # A key that does not unwrap is left for key_of to report, event by event.
                with contextlib.suppress(SealingError):
                    key = None if row.key is None else self._unwrap(row.subject_id, row.key)
                    self._remember(row.subject_id, key)

    def destroyed_count(self) -> int:
        with self._engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(subject_keys.c.destroyed_at.is_not(None))
                ).scalar_one()
            )

    def uncached(self) -> StoredSubjectKeys:
        return StoredSubjectKeys(self._engine, self._cipher, refresh_seconds=self._refresh_seconds)

    def _fresh(self, cached: tuple[bytes | None, float] | None) -> bool:
        return cached is not None and time.monotonic() - cached[1] < self._refresh_seconds

    def _remember(self, subject: UUID, key: bytes | None) -> None:
        with self._lock:
            self._cache[subject] = (key, time.monotonic())

    def destroy(self, subject: UUID) -> None:
        now = datetime.now(UTC)
        with self._engine.begin() as conn:
            destroyed = conn.execute(
                update(subject_keys)
                .where(subject_keys.c.subject_id == subject)
                .values(key=None, destroyed_at=now)
            )
            if destroyed.rowcount == 0:  # never sealed anything: leave a tombstone
                conn.execute(
                    insert(subject_keys).values(
                        subject_id=subject, key=None, created_at=now, destroyed_at=now
                    )
                )
        self._remember(subject, None)

    def _wrap(self, key: bytes) -> bytes:
        return self._cipher.encrypt(key) if self._cipher else key

    def _unwrap(self, subject: UUID, stored: bytes) -> bytes:
        if self._cipher is None:
            return stored
        try:
            return self._cipher.decrypt(stored)
        except (InvalidTag, ValueError) as exc:
            raise SealingError(f"the key of {subject} does not unwrap with this cipher") from exc
