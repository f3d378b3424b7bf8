"""Who is asking: signed bearer tokens (JWT, HS256) naming a principal, a role, the
branch they act for and their grants. Several keys may verify at once (each token
names its key), so keys rotate without logging everyone out; the first key signs.
Tokens expire, and can be revoked before they do."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from uuid import UUID, uuid4

import jwt
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, insert, select

log = logging.getLogger(__name__)

ISSUER = "liaison"


class Role(StrEnum):
    COMMITTEE_ADMIN = "committee_admin"  # 党工委: every branch; issues credentials
    BRANCH_SECRETARY = "branch_secretary"  # 支部书记
    GROUP_LEADER = "group_leader"  # 党小组组长
    MEMBER = "member"  # 党员
    MASS_REPRESENTATIVE = "mass_representative"  # 群众代表
    AUDITOR = "auditor"


PII = "pii"  # the grant to see phone numbers and sensitive tags unmasked


class Unauthenticated(Exception):
    pass


class TooManyAttempts(Exception):
    pass


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    branch_id: UUID | None = None
    member_id: UUID | None = None
    group_id: UUID | None = None
    grants: frozenset[str] = frozenset()
    token_id: str = ""
    expires_at: datetime | None = None

    @property
    def sees_personal_data(self) -> bool:
        return PII in self.grants

    @property
    def is_admin(self) -> bool:
        return self.role is Role.COMMITTEE_ADMIN


@dataclass(frozen=True)
class Keys:
    """``kid=secret`` pairs; the first signs, all verify."""

    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, text: str) -> Keys:
        pairs = []
        for item in text.replace("\n", ",").split(","):
            kid, _, secret = item.strip().partition("=")
            if kid and secret:
                pairs.append((kid.strip(), secret.strip()))
        if not pairs:
            raise ValueError("no signing keys: give kid=secret pairs")
        for _, secret in pairs:
            if len(secret) < 32:
                raise ValueError("signing keys must be at least 32 characters")
        return cls(tuple(pairs))

    @classmethod
    def generate(cls) -> Keys:
        kid = f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"
        return cls(((kid, secrets.token_urlsafe(48)),))

    def render(self) -> str:
        return "\n".join(f"{kid}={secret}" for kid, secret in self.pairs) + "\n"

    def secret(self, kid: str) -> str:
        for known, secret in self.pairs:
            if known == kid:
                return secret
        raise Unauthenticated("the token was signed with a key that is no longer accepted")


# The table is made by shared.migrations (store/); this is how the code reads it.
metadata = MetaData()
revoked = Table(
    "liaison_revoked_tokens",
    metadata,
    Column("token_id", String(64), primary_key=True),
    Column("revoked_at", DateTime(timezone=True), nullable=False),
    Column("revoked_by", String(200), nullable=False),
)


class Revocations:
    """Revoked token ids, in the event store's database; read at most every few
    seconds, so a revocation takes effect everywhere within that time."""

    REFRESH_SECONDS = 5.0

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._ids: frozenset[str] = frozenset()
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def revoke(self, token_id: str, by: str) -> None:
        with self._engine.begin() as conn:
            exists = conn.execute(
                select(revoked.c.token_id).where(revoked.c.token_id == token_id)
            ).first()
            if exists is None:
                conn.execute(
                    insert(revoked).values(
                        token_id=token_id, revoked_at=datetime.now(UTC), revoked_by=by
                    )
                )
        self._loaded_at = 0.0

    def is_revoked(self, token_id: str) -> bool:
        with self._lock:
            if time.monotonic() - self._loaded_at > self.REFRESH_SECONDS:
                with self._engine.connect() as conn:
                    self._ids = frozenset(conn.execute(select(revoked.c.token_id)).scalars())
                self._loaded_at = time.monotonic()
            return token_id in self._ids


@dataclass
class AttemptLimiter:
    """Failed authentications per client: past ``limit`` a minute, refuse for a while."""

    limit: int = 10
    window_seconds: float = 60.0
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, client: str) -> None:
        with self._lock:
            recent = self._recent(client)
            if len(recent) >= self.limit:
                raise TooManyAttempts(f"too many failed attempts from {client}; wait a minute")

    def failed(self, client: str) -> None:
        with self._lock:
            self._recent(client).append(time.monotonic())
        log.warning("authentication failed for client %s", client)

    def _recent(self, client: str) -> deque[float]:
        recent = self._failures.setdefault(client, deque())
        while recent and time.monotonic() - recent[0] > self.window_seconds:
            recent.popleft()
        return recent


class Tokens:
    def __init__(self, keys: Keys, revocations: Revocations) -> None:
        self.keys = keys
        self.revocations = revocations

    def issue(self, principal: Principal, lifetime: timedelta) -> tuple[str, Principal]:
        return sign(self.keys, principal, lifetime)

    def verify(self, token: str) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid", "")
            claims = jwt.decode(
                token,
                self.keys.secret(kid),
                algorithms=["HS256"],
                issuer=ISSUER,
                options={"require": ["exp", "jti", "sub", "role"]},
            )
            principal = Principal(
                subject=claims["sub"],
                role=Role(claims["role"]),
                branch_id=_uuid(claims.get("branch")),
                member_id=_uuid(claims.get("member")),
                group_id=_uuid(claims.get("group")),
                grants=frozenset(claims.get("grants") or ()),
                token_id=claims["jti"],
                expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            )
        except (jwt.PyJWTError, ValueError, KeyError) as exc:
            raise Unauthenticated(f"invalid token: {exc}") from exc
        if self.revocations.is_revoked(principal.token_id):
            raise Unauthenticated("the token has been revoked")
        return principal


def sign(keys: Keys, principal: Principal, lifetime: timedelta) -> tuple[str, Principal]:
    """A signed token for the principal, with a fresh id and an expiry."""
    now = datetime.now(UTC).replace(microsecond=0)  # the token's times are whole seconds
    issued = replace(principal, token_id=uuid4().hex, expires_at=now + lifetime)
    claims = {
        "iss": ISSUER,
        "sub": issued.subject,
        "role": issued.role.value,
        "branch": str(issued.branch_id) if issued.branch_id else None,
        "member": str(issued.member_id) if issued.member_id else None,
        "group": str(issued.group_id) if issued.group_id else None,
        "grants": sorted(issued.grants),
        "jti": issued.token_id,
        "iat": now,
        "exp": issued.expires_at,
    }
    kid, secret = keys.pairs[0]
    return jwt.encode(claims, secret, algorithm="HS256", headers={"kid": kid}), issued


def _uuid(value: object) -> UUID | None:
    return UUID(str(value)) if value else None


def load_keys(text: str | None, path: Path | None) -> Keys | None:
    if text:
        return Keys.parse(text)
    if path is not None and path.exists():
        return Keys.parse(path.read_text())
    return None
