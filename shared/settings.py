"""Settings, read once from the environment (``LIAISON_*``) by ``pydantic-settings``.

With no environment at all the product runs embedded: SQLite files under ``./var``
and projectors following the event store in-process. Setting ``LIAISON_DATABASE_URL``
to PostgreSQL and ``LIAISON_AMQP_URL`` to RabbitMQ gives the real deployment.

Each setting is declared once below, with its default and what it means; the README's
variables table is written from these declarations (``liaison docs``).
"""

from __future__ import annotations

import binascii
import os
from base64 import b64decode
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

PREFIX = "LIAISON_"
FROM_FILE = "from_file"  # marks a setting that LIAISON_<NAME>_FILE may give instead
SHOWN = "shown"  # how the README shows a default that is not a plain value


class SettingsError(ValueError):
    pass


def setting(
    default: Any, meaning: str, *, shown: str | None = None, from_file: bool = False, **rules: Any
) -> Any:
    """A setting's declaration: its default, what it means (the README says so), and
    the bounds its value must keep."""
    extra: dict[str, Any] = {}
    if shown is not None:
        extra[SHOWN] = shown
    if from_file:
        extra[FROM_FILE] = True
    return Field(default, description=meaning, json_schema_extra=extra or None, **rules)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_ignore_empty=True, frozen=True, extra="forbid"
    )

    # The defaults of these three follow from the others (``derived_defaults``).
    database_url: str = setting("", "the event store", shown="`sqlite:///var/events.sqlite`")
    read_database_url: str = setting(
        "",
        "read models",
        shown="SQLite: `var/readmodels.sqlite`; PostgreSQL: the store's database",
    )
    amqp_url: str | None = setting(
        None, "RabbitMQ; when set, projectors consume from it", shown="unset (embedded)"
    )
    amqp_prefix: str = setting("liaison", "prefix of exchange and queue names")
    data_dir: Path = setting(
        Path("var"),
        "where embedded SQLite files go (and `liaison.url` while `liaison run` serves)",
    )
    port: int | None = setting(
        None,
        "the port a server listens on, unless `--port` says",
        shown="each command's own (`run`: 8000)",
        gt=0,
        lt=65536,
    )
    timezone: str = setting(
        "Asia/Shanghai",
        'whose "today" bounds business dates; moments given without a zone, or as a '
        "date, are read there",
    )
    read_wait_seconds: float = setting(5.0, "how long `min_position` may wait", ge=0)
    projector_batch_size: int = setting(200, "envelopes per projector transaction", gt=0)
    relay_envelopes_per_message: int = setting(
        1,
        "envelopes the relay puts in one broker message: 1 is one envelope per message, "
        "what any AMQP consumer reads; more (a JSON array per message) cuts the broker's "
        "and the relay's work per event several times, for liaison's own projectors",
        gt=0,
        le=1000,
    )
    partitions: int = setting(
        1,
        "partitions of the event stream, by branch, that projector processes share "
        "(read when the read models are first made; `liaison partitions` changes it)",
        gt=0,
        le=64,
    )
    postgres_pool_size: int = setting(
        8, "connections each process keeps to a PostgreSQL event store (twice that at most)", gt=0
    )
    excellent_share: float = setting(
        1 / 3,
        "default share of members who may be graded excellent",
        shown="`0.333…`",
        gt=0,
        le=1,
    )
    need_due_days: int = setting(
        30, "a request's default due date, in days after it is raised", ge=0
    )
    edit_window_days: int = setting(
        0, "days a recorder may still correct their own visit (0: the same day)", ge=0
    )
    ready_lag: int = setting(
        10_000, "events a projection may lag before `/readyz` says not ready", ge=0
    )
    time_travel_limit: int = setting(
        2, "`as_of` replays at once per query-API process (then 503)", gt=0
    )
    checkpoint_every: int = setting(
        10_000, "events between the checkpoints `as_of` replays start from", gt=0
    )
    checkpoints_kept: int = setting(20, "checkpoints kept per read model", gt=0)
    remind_days_before: int = setting(
        2, "days before a visit or a duty report falls due that its reminder goes out", ge=0
    )
    quiet_hours: str = setting(
        "22-7",
        "hours (in `LIAISON_TIMEZONE`, `from-to`) when no reminder is delivered; empty: none",
        pattern=r"^$|^([01]?\d|2[0-3])-([01]?\d|2[0-3])$",
    )
    smtp_url: str | None = setting(
        None,
        "SMTP server reminders are e-mailed through, `smtp://[user:password@]host:port`",
        shown="unset (no e-mail)",
        repr=False,
    )
    smtp_from: str = setting("liaison@localhost", "the reminders' sender address")
    smtp_to: str | None = setting(
        None,
        "where e-mailed reminders go (the branch office's mailbox: the member is named in each)",
        shown="unset",
    )
    webhook_url: str | None = setting(
        None,
        "URL each reminder is POSTed to as JSON (a WeChat Work or SMS gateway)",
        shown="unset (no webhook)",
    )
    notifier_interval_seconds: float = setting(
        30.0, "how often the notifier looks for due work and undelivered reminders", gt=0
    )
    delivery_attempts: int = setting(
        6, "deliveries tried (backing off, doubling from 30 s) before a reminder is failed", gt=0
    )
    log_format: Literal["json", "text"] | None = setting(
        None, "log lines", shown="`json` (`text` on a terminal)"
    )
    auth_keys: str | None = setting(
        None,
        "token signing keys, `kid=secret[,kid=secret…]`; the first signs",
        shown="unset",
        repr=False,
    )
    auth_keys_file: str | None = setting(
        None,
        "the same, from a file",
        shown="embedded: `var/auth-keys` (created on first run)",
    )
    token_days: int = setting(30, "lifetime of a new token", gt=0)
    # Proxies whose X-Forwarded-For names the client; none by default, so a client
    # cannot choose the address failed attempts are counted under.
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = setting(
        (),
        "comma-separated addresses or networks (`10.0.0.5,172.18.0.0/16`) of reverse "
        "proxies whose `X-Forwarded-For` names the client",
        shown="unset (none)",
    )
    cipher_key: str | None = setting(
        None,
        "base64 AES key: events encrypted at rest",
        shown="unset (events stored unencrypted)",
        from_file=True,
        repr=False,
    )

    @classmethod
    def from_env(cls) -> Settings:
        """This process's settings; a value that will not do is refused with the
        variable named."""
        try:
            return cls()
        except ValidationError as exc:
            # A derived default repeats its source's refusal: say it once.
            errors = {(str(e["msg"]), repr(e["input"])): e for e in reversed(exc.errors())}
            refusals = [_explained(error) for error in reversed(errors.values())]
            raise SettingsError("; ".join(refusals)) from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Keyword arguments, then the environment, then the secrets kept in files.
        return init_settings, env_settings, SecretFiles(settings_cls)

    @model_validator(mode="before")
    @classmethod
    def derived_defaults(cls, values: Any) -> Any:
        """The embedded default keeps its files, its signing key included, in the data
        directory; read models live beside the store unless told otherwise."""
        if not isinstance(values, dict):
            return values
        derived = dict(values)
        data_dir = Path(derived.get("data_dir") or cls.model_fields["data_dir"].default)
        database_url = derived.get("database_url") or f"sqlite:///{data_dir / 'events.sqlite'}"
        derived["database_url"] = database_url
        embedded = is_sqlite(database_url)
        if not derived.get("read_database_url"):
            derived["read_database_url"] = (
                f"sqlite:///{data_dir / 'readmodels.sqlite'}" if embedded else database_url
            )
        if not derived.get("auth_keys_file") and embedded:
            derived["auth_keys_file"] = str(data_dir / "auth-keys")
        return derived

    @field_validator("database_url", "read_database_url")
    @classmethod
    def supported_database(cls, url: str) -> str:
        if not (is_sqlite(url) or is_postgres(url)):
            raise ValueError(f"unsupported database URL (sqlite or postgresql): {url}")
        return url

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def networks(cls, value: Any) -> tuple[str, ...]:
        """Each checked: a typo must not quietly trust nothing, or the wrong thing."""
        items = value.split(",") if isinstance(value, str) else value
        networks = []
        for item in items:
            if str(item).strip():
                try:
                    networks.append(str(ip_network(str(item).strip(), strict=False)))
                except ValueError as exc:
                    raise ValueError(f"not an IP address or network: {item!r}") from exc
        return tuple(networks)

    @field_validator("cipher_key")
    @classmethod
    def aes_key(cls, key: str | None) -> str | None:
        if key is None:
            return None
        try:
            size = len(b64decode(key, validate=True))
        except binascii.Error:
            size = 0
        if size not in (16, 24, 32):
            raise ValueError(
                "must be a base64 AES key of 16, 24 or 32 bytes (openssl rand -base64 32)"
            )
        return key

    @property
    def embedded(self) -> bool:
        """No broker configured: projectors follow the event store in-process."""
        return self.amqp_url is None

    def with_overrides(self, **changes: object) -> Settings:
        """These settings with some changed, checked like any others."""
        return self.model_validate(self.model_dump() | changes)


class SecretFiles(PydanticBaseSettingsSource):
    """``LIAISON_<NAME>_FILE`` names a file that holds the setting (a Docker secret,
    say), for the settings marked ``from_file``."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        extra = field.json_schema_extra
        if not (isinstance(extra, dict) and extra.get(FROM_FILE)):
            return None, field_name, False
        variable = f"{variable_of(field_name)}_FILE"
        path = os.environ.get(variable)
        if not path:
            return None, field_name, False
        try:
            return Path(path).read_text().strip() or None, field_name, False
        except OSError as exc:
            raise SettingsError(f"{variable}: cannot read {path}: {exc}") from exc

    def __call__(self) -> dict[str, Any]:
        values = {}
        for name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, name)
            if value is not None:
                values[key] = value
        return values


def variable_of(field_name: str) -> str:
    return f"{PREFIX}{field_name.upper()}"


def _explained(error: Any) -> str:
    """One refusal, naming the variable and showing the value unless it is a secret."""
    message = str(error["msg"]).removeprefix("Value error, ")
    field = Settings.model_fields.get(str(error["loc"][0])) if error["loc"] else None
    if field is None:
        return message
    shown = f" (got {error['input']!r})" if field.repr else ""
    return f"{variable_of(str(error['loc'][0]))}: {message}{shown}"


def is_sqlite(url: str) -> bool:
    return _backend(url) == "sqlite"


def is_postgres(url: str) -> bool:
    return _backend(url) == "postgresql"


def _backend(url: str) -> str | None:
    try:
        return make_url(url).get_backend_name()
    except ArgumentError:  # not a URL at all
        return None


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
