"""Who is asking: signed bearer tokens (JWT, HS256) naming a principal, a role, the
branch they act for and their grants. Several keys may verify at once (each token
names its key), so keys rotate without logging everyone out; the first key signs.
Tokens expire, and can be revoked before they do."""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Mapping, Set
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
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

    @property
    def named(self) -> tuple[str, str]:
        """How a refusal names the role: English with its article, and Chinese."""
        return ROLE_NAMES[self]


ROLE_NAMES = {
    Role.COMMITTEE_ADMIN: ("a committee admin", "党工委管理员"),
    Role.BRANCH_SECRETARY: ("a branch secretary", "支部书记"),
    Role.GROUP_LEADER: ("a group leader", "党小组组长"),
    Role.MEMBER: ("a member", "党员"),
    Role.MASS_REPRESENTATIVE: ("a mass representative", "群众代表"),
    Role.AUDITOR: ("an auditor", "审计员"),
}

PII = "pii"  # the grant to see phone numbers and sensitive tags unmasked
GRANTS = frozenset({PII})

SUBJECT_PATTERN = r"^[\w.@-]+$"  # letters (any script), digits, and . @ - _
SUBJECT_MAX_LENGTH = 200

# What a token names besides its subject, by role: exactly these, no fewer and no
# more. The committee admin and auditors span every branch, so they name none; a
# claim a role does not act on is refused rather than ignored, so a token never says
# more than it means.
SCOPE: dict[Role, frozenset[str]] = {
    Role.COMMITTEE_ADMIN: frozenset(),
    Role.AUDITOR: frozenset(),
    Role.BRANCH_SECRETARY: frozenset({"branch_id"}),
    Role.MASS_REPRESENTATIVE: frozenset({"branch_id"}),
    Role.GROUP_LEADER: frozenset({"branch_id", "group_id"}),
    Role.MEMBER: frozenset({"branch_id", "member_id"}),
}
_SCOPE_NAMES = {  # a role's scope, in English and Chinese
    frozenset(): ("spans every branch", "跨支部工作"),
    frozenset({"branch_id"}): ("acts for one branch", "只代表一个支部"),
    frozenset({"branch_id", "group_id"}): ("acts for one group of one branch", "只代表一个党小组"),
    frozenset({"branch_id", "member_id"}): ("acts as one member of one branch", "只代表党员本人"),
}
_CLAIM_NAMES = {  # each scope claim, in English and Chinese
    "branch_id": ("branch (branch_id)", "支部（branch_id）"),
    "group_id": ("group (group_id)", "党小组（group_id）"),
    "member_id": ("member (member_id)", "党员（member_id）"),
}


class Refusal(Exception):
    """Why a request is refused, in English (``str(refusal)``) and in Chinese (``zh``):
    problem details of access refusals carry both (``detail`` and ``detail_zh``)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.zh = zh


class Unauthenticated(Refusal):
    pass


class TooManyAttempts(Refusal):
    pass


class InvalidClaims(Refusal, ValueError):
    """Claims no principal may carry: issuing them is refused (422, or exit 2 from the
    CLI) and a token carrying them, however it was signed, does not authenticate."""

    def spelled(self, names: Mapping[str, str]) -> str:
        """The English reason with each claim called as the caller calls it (the CLI's
        options, say)."""
        reason = str(self)
        for claim, name in names.items():
            reason = reason.replace(f"({claim})", f"({name})")
        return reason


@dataclass(frozen=True)
class Principal:
    """Who acts, with the rules every principal keeps: whoever builds one (the CLI,
    the token endpoint, token verification) cannot build one that breaks them."""

    subject: str
    role: Role
    branch_id: UUID | None = None
    member_id: UUID | None = None
    group_id: UUID | None = None
    grants: frozenset[str] = frozenset()
    token_id: str = ""
    expires_at: datetime | None = None

    def __post_init__(self) -> None:
        if len(self.subject) > SUBJECT_MAX_LENGTH or not re.fullmatch(
            SUBJECT_PATTERN, self.subject
        ):
            raise InvalidClaims(
                f"a subject is 1 to {SUBJECT_MAX_LENGTH} letters, digits, '.', '@', '-' or '_'",
                f"主体名须为 1 至 {SUBJECT_MAX_LENGTH} 个字母、数字或 . @ - _",
            )
        unknown = self.grants - GRANTS
        if unknown:
            listed = ", ".join(sorted(unknown))
            raise InvalidClaims(f"unknown grants: {listed}", f"未知的授权：{listed}")
        named = {claim for claim in _CLAIM_NAMES if getattr(self, claim) is not None}
        scope = SCOPE[self.role]
        if named != scope:
            raise _out_of_scope(self.role, missing=scope - named, extra=named - scope)

    @property
    def sees_personal_data(self) -> bool:
        return PII in self.grants

    @property
    def is_admin(self) -> bool:
        return self.role is Role.COMMITTEE_ADMIN


def _out_of_scope(role: Role, missing: Set[str], extra: Set[str]) -> InvalidClaims:
    who_en, who_zh = role.named
    scope_en, scope_zh = _SCOPE_NAMES[SCOPE[role]]
    en, zh = [], []
    if missing:
        en.append("name the " + " and the ".join(_CLAIM_NAMES[c][0] for c in sorted(missing)))
        zh.append("须指明" + "、".join(_CLAIM_NAMES[c][1] for c in sorted(missing)))
    if extra:
        en.append("name no " + " or ".join(_CLAIM_NAMES[c][0] for c in sorted(extra)))
        zh.append("不得指明" + "、".join(_CLAIM_NAMES[c][1] for c in sorted(extra)))
    return InvalidClaims(
        f"{who_en} {scope_en}: {', and '.join(en)}", f"{who_zh}{scope_zh}：{'；'.join(zh)}"
    )


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
        raise Unauthenticated(
            "the token was signed with a key that is no longer accepted", "令牌的签名密钥已停用"
        )


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
    """Failed authentications per client (its address, as the server decided it; see
    ``LIAISON_TRUSTED_PROXIES``). Only failures are counted, and only failures are
    refused: a client past ``limit`` failures within the window gets 429 instead of 401
    for every further failure until it stops failing for a window, while a token that
    verifies is always accepted, from any client. So a flood of bad tokens from one
    address slows and flags that client without locking out anyone who holds a valid
    token (forging one takes the signing key, which no number of guesses finds)."""

    limit: int = 10
    window_seconds: float = 60.0
    max_clients: int = 10_000  # past this many, clients quiet for a window are forgotten
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _refusing: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, client: str, refusal: Unauthenticated) -> None:
        """Counts a failure; raises ``TooManyAttempts`` when the client is past the limit."""
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > self.max_clients:
                self._forget_quiet(now)
            # Whether the last limit + 1 failures all fell within the window: the
            # oldest of them tells, and older ones are not needed.
            recent = self._failures.setdefault(client, deque(maxlen=self.limit + 1))
            recent.append(now)
            over = len(recent) > self.limit and now - recent[0] <= self.window_seconds
            newly_over = over and client not in self._refusing
            if over:
                self._refusing.add(client)
            else:
                self._refusing.discard(client)
        if not over:
            log.warning("authentication failed for client %s: %s", client, refusal)
            return
        if newly_over:  # logged once, not for each refusal of a flood
            log.warning(
                "client %s failed to authenticate more than %d times within %.0fs: "
                "answering its further failures with 429",
                client,
                self.limit,
                self.window_seconds,
            )
        raise TooManyAttempts(
            f"too many failed attempts from {client}; wait a minute",
            f"来自 {client} 的认证失败次数过多，请一分钟后再试",
        )

    def _forget_quiet(self, now: float) -> None:
        for client in [c for c, t in self._failures.items() if now - t[-1] > self.window_seconds]:
            del self._failures[client]
            self._refusing.discard(client)


class Tokens:
    # Tokens already verified, by their exact text: a client sends the same token with
    # every request, and checking its signature and claims again was a tenth of the
    # command API's work. Expiry and revocation are still checked on every use.
    VERIFIED_LIMIT = 1024

    def __init__(self, keys: Keys, revocations: Revocations) -> None:
        self.keys = keys
        self.revocations = revocations
        self._verified: dict[str, Principal] = {}

    def issue(self, principal: Principal, lifetime: timedelta) -> tuple[str, Principal]:
        return sign(self.keys, principal, lifetime)

    def verify(self, token: str) -> Principal:
        """The principal a token names, if it is signed with a key still accepted, has
        not expired or been revoked, and names a principal that keeps the rules."""
        principal = self._verified.get(token)
        if principal is None:
            principal = self._verify(token)
            if len(self._verified) >= self.VERIFIED_LIMIT:
                self._verified.clear()
            self._verified[token] = principal
        elif principal.expires_at is None or datetime.now(UTC) >= principal.expires_at:
            del self._verified[token]
            raise Unauthenticated("invalid token: Signature has expired", "令牌已过期")
        if self.revocations.is_revoked(principal.token_id):
            raise Unauthenticated("the token has been revoked", "令牌已被吊销")
        return principal

    def _verify(self, token: str) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid", "")
            claims = jwt.decode(
                token,
                self.keys.secret(kid),
                algorithms=["HS256"],
                issuer=ISSUER,
                options={"require": ["exp", "jti", "sub", "role"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated(f"invalid token: {exc}", "令牌已过期") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token: {exc}", "令牌无效（格式或签名不符）") from exc
        try:
            principal = _principal(claims)
        except InvalidClaims as exc:
            raise Unauthenticated(
                f"the token's claims break the rules: {exc}", f"令牌内容不符合规则：{exc.zh}"
            ) from exc
        return principal


def _principal(claims: Mapping[str, Any]) -> Principal:
    """The principal signed claims name: each claim of the right type, and the whole
    keeping the rules (``Principal``)."""

    def uuid(name: str) -> UUID | None:
        value = claims.get(name)
        if value is None:
            return None
        try:
            return UUID(value)
        except (TypeError, ValueError, AttributeError):
            raise InvalidClaims(f"{name} is not an id", f"{name} 不是有效的编号") from None

    role, grants = claims["role"], claims.get("grants") or []
    if not isinstance(role, str) or role not in {known.value for known in Role}:
        raise InvalidClaims(f"unknown role: {role!r}", f"未知的角色：{role!r}")
    if not (isinstance(grants, list) and all(isinstance(grant, str) for grant in grants)):
        raise InvalidClaims("grants are a list of names", "授权须为名称列表")
    try:
        expires_at = datetime.fromtimestamp(claims["exp"], UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidClaims("exp is out of range", "有效期超出范围") from None
    return Principal(
        subject=claims["sub"],
        role=Role(role),
        branch_id=uuid("branch"),
        member_id=uuid("member"),
        group_id=uuid("group"),
        grants=frozenset(grants),
        token_id=claims["jti"],
        expires_at=expires_at,
    )


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


def load_keys(text: str | None, path: Path | None) -> Keys | None:
    if text:
        return Keys.parse(text)
    if path is not None and path.exists():
        return Keys.parse(path.read_text())
    return None
