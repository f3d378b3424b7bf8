"""The process's one vault per store: the subject keys (kept in the store's database)
and the store cipher."""

from __future__ import annotations

import functools

from sqlalchemy import create_engine

from shared.contract.sealing import StoredSubjectKeys, Vault, store_cipher
from shared.settings import Settings, sqlalchemy_url


@functools.lru_cache(maxsize=16)
def _vault(database_url: str, cipher_key: str | None) -> Vault:
    cipher = store_cipher(cipher_key)
    # Keys are read once per subject and remembered: a small pool is plenty.
    engine = create_engine(
        sqlalchemy_url(database_url), pool_pre_ping=True, pool_size=2, max_overflow=4
    )
    return Vault(StoredSubjectKeys(engine, cipher), cipher)


def open_vault(settings: Settings) -> Vault:
    """The process's one vault for this store: every reader and writer in the process
    shares its subject keys, so an erasure here is seen here at once."""
    return _vault(settings.database_url, settings.cipher_key)
