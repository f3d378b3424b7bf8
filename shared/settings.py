"""Settings, read once from the environment (``LIAISON_*``).

With no environment at all the product runs embedded: SQLite files under ``./var``
and projectors following the event store in-process. Setting ``LIAISON_DATABASE_URL``
to PostgreSQL and ``LIAISON_AMQP_URL`` to RabbitMQ gives the real deployment.
"""

from __future__ import annotations

import binascii
import os
from base64 import b64decode
from collections.abc import Mapping
from dataclasses import dataclass, replace
from ipaddress import ip_network
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class SettingsError(ValueError):
    pass


@dataclass(frozen=True, kw_only=True)
class Settings:
    database_url: str
    read_database_url: str
    amqp_url: str | None
    data_dir: Path = Path("var")  # embedded SQLite files, and what `liaison run` leaves there
    amqp_prefix: str = "liaison"
    timezone: str = "Asia/Shanghai"
    read_wait_seconds: float = 5.0
    projector_batch_size: int = 200
    postgres_pool_size: int = 8
    excellent_share: float = 1 / 3
    need_due_days: int = 30
    edit_window_days: int = 0
    ready_lag: int = 10_000
    time_travel_limit: int = 2  # as_of replays at once per process
    checkpoint_every: int = 10_000  # events between time-travel checkpoints
    checkpoints_kept: int = 20  # per read model
    auth_keys: str | None = None
    auth_keys_file: str | None = None
    token_days: int = 30
    cipher_key: str | None = None  # base64 AES key: events encrypted at rest when set
    # Proxies (addresses or networks) whose X-Forwarded-For names the client; none by
    # default, so a client cannot choose the address failed attempts are counted under.
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("LIAISON_DATA_DIR", "var"))
        database_url = env.get("LIAISON_DATABASE_URL") or f"sqlite:///{data_dir / 'events.sqlite'}"
        default_read_url = (
            f"sqlite:///{data_dir / 'readmodels.sqlite'}"
            if is_sqlite(database_url)
            else database_url
        )
        settings = cls(
            database_url=database_url,
            read_database_url=env.get("LIAISON_READ_DATABASE_URL") or default_read_url,
            amqp_url=env.get("LIAISON_AMQP_URL") or None,
            data_dir=data_dir,
            amqp_prefix=env.get("LIAISON_AMQP_PREFIX", "liaison"),
            timezone=env.get("LIAISON_TIMEZONE", "Asia/Shanghai"),
            read_wait_seconds=_float(env, "LIAISON_READ_WAIT_SECONDS", 5.0),
            projector_batch_size=int(_float(env, "LIAISON_PROJECTOR_BATCH_SIZE", 200)),
            postgres_pool_size=int(_float(env, "LIAISON_POSTGRES_POOL_SIZE", 8)),
            excellent_share=_float(env, "LIAISON_EXCELLENT_SHARE", 1 / 3),
            need_due_days=int(_float(env, "LIAISON_NEED_DUE_DAYS", 30)),
            edit_window_days=int(_float(env, "LIAISON_EDIT_WINDOW_DAYS", 0)),
            ready_lag=int(_float(env, "LIAISON_READY_LAG", 10_000)),
            time_travel_limit=int(_float(env, "LIAISON_TIME_TRAVEL_LIMIT", 2)),
            checkpoint_every=int(_float(env, "LIAISON_CHECKPOINT_EVERY", 10_000)),
            checkpoints_kept=int(_float(env, "LIAISON_CHECKPOINTS_KEPT", 20)),
            auth_keys=env.get("LIAISON_AUTH_KEYS") or None,
            # The embedded default keeps its generated key beside its data.
            auth_keys_file=env.get("LIAISON_AUTH_KEYS_FILE")
            or (str(data_dir / "auth-keys") if is_sqlite(database_url) else None),
            token_days=int(_float(env, "LIAISON_TOKEN_DAYS", 30)),
            cipher_key=_cipher_key(env),
            trusted_proxies=_networks(env, "LIAISON_TRUSTED_PROXIES"),
        )
        for url in (settings.database_url, settings.read_database_url):
            if not (is_sqlite(url) or is_postgres(url)):
                raise SettingsError(f"unsupported database URL (sqlite or postgresql): {url}")
        return settings

    @property
    def embedded(self) -> bool:
        """No broker configured: projectors follow the event store in-process."""
        return self.amqp_url is None

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _float(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{key} must be a number, got {raw!r}") from exc


def _networks(env: Mapping[str, str], key: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or networks (CIDR), each checked: a typo must not
    quietly trust nothing, or the wrong thing."""
    networks = []
    for item in env.get(key, "").split(","):
        if item.strip():
            try:
                networks.append(str(ip_network(item.strip(), strict=False)))
            except ValueError as exc:
                raise SettingsError(f"{key}: not an IP address or network: {item!r}") from exc
    return tuple(networks)


def _cipher_key(env: Mapping[str, str]) -> str | None:
    key = env.get("LIAISON_CIPHER_KEY") or _file(env, "LIAISON_CIPHER_KEY_FILE")
    if key is None:
        return None
    try:
        size = len(b64decode(key, validate=True))
    except binascii.Error:
        size = 0
    if size not in (16, 24, 32):
        raise SettingsError(
            "LIAISON_CIPHER_KEY must be a base64 AES key of 16, 24 or 32 bytes "
            "(openssl rand -base64 32)"
        )
    return key


def _file(env: Mapping[str, str], key: str) -> str | None:
    """A secret kept in the file the variable names (a Docker secret, say)."""
    path = env.get(key)
    if not path:
        return None
    try:
        return Path(path).read_text().strip() or None
    except OSError as exc:
        raise SettingsError(f"{key}: cannot read {path}: {exc}") from exc


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def sqlalchemy_url(url: str) -> URL:
    """The URL with the driver SQLAlchemy should use (psycopg 3 for PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise SettingsError(f"the embedded store needs a file, got {url}")
    return Path(database)
