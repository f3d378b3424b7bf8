"""Tokens, keys, the policy table and masking, without a server."""

from __future__ import annotations

import re
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.access import open_tokens
from shared.auth import (
    PII,
    AttemptLimiter,
    InvalidClaims,
    Keys,
    Principal,
    Revocations,
    Role,
    Tokens,
    TooManyAttempts,
    Unauthenticated,
    sign,
)
from shared.migrations import Presence, prepare_store
from shared.policy import (
    ANY_BRANCH,
    RULES,
    Forbidden,
    Hidden,
    allowed_actions,
    authorise,
    branch_in_scope,
    member_in_scope,
)
from shared.privacy import mask_fields, mask_phone
from shared.settings import Settings, SettingsError
from tests.support.settings import made_store

# Which ids a role's token names, written out apart from shared.auth.
NAMES = {
    Role.COMMITTEE_ADMIN: set(),
    Role.AUDITOR: set(),
    Role.BRANCH_SECRETARY: {"branch_id"},
    Role.MASS_REPRESENTATIVE: {"branch_id"},
    Role.GROUP_LEADER: {"branch_id", "group_id"},
    Role.MEMBER: {"branch_id", "member_id"},
}
CLAIMS = ("branch_id", "member_id", "group_id")
subjects = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-.@0123456789", min_size=1, max_size=40)


@st.composite
def principals(draw: st.DrawFn) -> Principal:
    """Principals that keep the rules: each role with the ids it names."""
    role = draw(st.sampled_from(Role))
    grants = draw(st.frozensets(st.just(PII)))
    return scoped(draw(subjects), role, NAMES[role], grants)


def scoped(
    subject: str, role: Role, named: set[str], grants: frozenset[str] = frozenset()
) -> Principal:
    """A principal of the role naming these ids (each a fresh one)."""
    ids = {claim: uuid4() if claim in named else None for claim in CLAIMS}
    return Principal(
        subject=subject,
        role=role,
        branch_id=ids["branch_id"],
        member_id=ids["member_id"],
        group_id=ids["group_id"],
        grants=grants,
    )


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Tokens:
    return Tokens(Keys.generate(), Revocations(made_store(tmp_path_factory.mktemp("auth"))))


@given(principal=principals())
def test_a_token_names_its_principal(tokens: Tokens, principal: Principal) -> None:
    token, issued = tokens.issue(principal, timedelta(minutes=5))
    verified = tokens.verify(token)
    assert verified == issued
    assert (verified.subject, verified.role, verified.branch_id) == (
        principal.subject,
        principal.role,
        principal.branch_id,
    )
    assert verified.sees_personal_data == (PII in principal.grants)


def test_expired_forged_and_revoked_tokens_are_refused(tokens: Tokens) -> None:
    admin = Principal(subject="admin", role=Role.COMMITTEE_ADMIN)
    expired, _ = tokens.issue(admin, timedelta(seconds=-1))
    forged, _ = sign(Keys.generate(), admin, timedelta(minutes=5))
    revoked, issued = tokens.issue(admin, timedelta(minutes=5))
    tokens.revocations.revoke(issued.token_id, by="test")
    for token, reason in (
        (expired, "expired"),
        (forged, "no longer accepted"),
        (revoked, "revoked"),
    ):
        with pytest.raises(Unauthenticated, match=reason):
            tokens.verify(token)


def test_a_token_already_verified_is_still_refused_once_revoked_or_expired(
    tokens: Tokens,
) -> None:
    admin = Principal(subject="admin", role=Role.COMMITTEE_ADMIN)
    revoked, issued = tokens.issue(admin, timedelta(minutes=5))
    short, brief = tokens.issue(admin, timedelta(seconds=2))
    assert tokens.verify(revoked) == tokens.verify(revoked) == issued
    assert tokens.verify(short) == brief
    tokens.revocations.revoke(issued.token_id, by="test")
    with pytest.raises(Unauthenticated, match="revoked"):
        tokens.verify(revoked)
    assert brief.expires_at is not None
    time.sleep(max(0.0, (brief.expires_at - datetime.now(UTC)).total_seconds()) + 0.1)
    for _ in range(2):
        with pytest.raises(Unauthenticated, match="expired"):
            tokens.verify(short)


def test_keys_must_be_long_and_named() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        Keys.parse("k1=short")
    with pytest.raises(ValueError, match="kid=secret"):
        Keys.parse("no pairs here")
    keys = Keys.generate()
    assert Keys.parse(keys.render()) == keys
    rotated = Keys.parse(f"new={'n' * 40}, {keys.render()}")
    assert rotated.pairs[0][0] == "new" and rotated.secret(keys.pairs[0][0])


def test_the_embedded_first_run_creates_a_key_and_an_admin_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'events.sqlite'}",
        read_database_url=f"sqlite:///{tmp_path / 'readmodels.sqlite'}",
        amqp_url=None,
        auth_keys_file=str(tmp_path / "auth-keys"),
    )
    prepare_store(settings, Presence.CREATE)
    first = open_tokens(settings)
    assert "first run" in capsys.readouterr().out
    admin_token = (tmp_path / "admin-token").read_text().strip()
    for secret in (tmp_path / "auth-keys", tmp_path / "admin-token"):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    again = open_tokens(settings)
    assert capsys.readouterr().out == ""
    assert again.keys == first.keys
    admin = again.verify(admin_token)
    assert admin.role is Role.COMMITTEE_ADMIN and admin.sees_personal_data


def test_a_server_deployment_refuses_to_start_without_keys() -> None:
    settings = Settings(
        database_url="postgresql://nobody@127.0.0.1:1/none",
        read_database_url="postgresql://nobody@127.0.0.1:1/none",
        amqp_url=None,
    )
    with pytest.raises(SettingsError, match="LIAISON_AUTH_KEYS"):
        open_tokens(settings)


@given(principal=principals(), action=st.sampled_from(sorted(RULES)), branch=st.uuids())
def test_the_policy_hides_other_branches_and_follows_its_table(
    principal: Principal, action: str, branch: UUID
) -> None:
    spans_branches = principal.role in (Role.COMMITTEE_ADMIN, Role.AUDITOR)
    may = principal.role is Role.COMMITTEE_ADMIN or principal.role in RULES[action]
    try:
        authorise(principal, action, branch)
        outcome = "allowed"
    except Hidden:
        outcome = "hidden"
    except Forbidden:
        outcome = "forbidden"
    if not spans_branches and principal.branch_id != branch:
        assert outcome == "hidden"
    else:
        assert outcome == ("allowed" if may else "forbidden")
    assert (action in allowed_actions(principal)) == may


def test_an_unknown_action_is_refused_to_all_but_the_committee() -> None:
    with pytest.raises(Forbidden):
        authorise(scoped("s", Role.BRANCH_SECRETARY, {"branch_id"}), "something_new", None)
    authorise(Principal(subject="a", role=Role.COMMITTEE_ADMIN), "something_new", None)


@given(phone=st.text(alphabet="0123456789+- ", max_size=20))
def test_a_masked_phone_keeps_its_length_and_hides_its_middle(phone: str) -> None:
    masked = mask_phone(phone)
    assert masked is not None and len(masked) == len(phone)
    assert sum(1 for a, b in zip(masked, phone, strict=True) if a == b and a != "*") <= 5
    hidden = masked[3:-2] if len(phone) > 5 else masked
    assert set(hidden) <= {"*"}


def test_masking_an_events_data_leaves_other_fields_alone() -> None:
    data = {"address": "长安街1号", "phone": "13912345678", "tags": ["disabled", "elderly"]}
    assert mask_fields(data) == {
        "address": "长安街1号",
        "phone": "139******78",
        "tags": ["***"] * 2,
    }
    assert data["phone"] == "13912345678"


@given(principal=principals(), asked=st.none() | st.uuids(), member=st.none() | st.uuids())
def test_reads_are_narrowed_to_what_the_principal_may_see(
    principal: Principal, asked: UUID | None, member: UUID | None
) -> None:
    if principal.role in ANY_BRANCH:
        assert branch_in_scope(principal, asked) == asked
    elif asked not in (None, principal.branch_id):
        with pytest.raises(Hidden):
            branch_in_scope(principal, asked)
    else:
        assert branch_in_scope(principal, asked) == principal.branch_id
    expected = principal.member_id if principal.role is Role.MEMBER else member
    assert member_in_scope(principal, member) == expected


@given(role=st.sampled_from(Role), named=st.sets(st.sampled_from(CLAIMS)), subject=subjects)
def test_a_principal_names_exactly_the_ids_its_role_acts_on(
    role: Role, named: set[str], subject: str
) -> None:
    if named == NAMES[role]:
        assert scoped(subject, role, named).role is role
        return
    with pytest.raises(InvalidClaims) as refused:
        scoped(subject, role, named)
    article = "an" if role is Role.AUDITOR else "a"
    assert str(refused.value).startswith(f"{article} {role.value.replace('_', ' ')} ")
    for claim in named ^ NAMES[role]:  # each claim missing or out of place is named
        assert f"({claim})" in str(refused.value) and f"（{claim}）" in refused.value.zh


@given(subject=st.text(max_size=210), grants=st.frozensets(st.text(max_size=5), max_size=3))
def test_a_principal_has_a_plain_subject_and_known_grants(
    subject: str, grants: frozenset[str]
) -> None:
    plain = re.fullmatch(r"[\w.@-]{1,200}", subject) is not None
    try:
        Principal(subject=subject, role=Role.AUDITOR, grants=grants)
        kept = True
    except InvalidClaims:
        kept = False
    assert kept == (plain and grants <= {PII})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)


ids_or_junk = st.uuids().map(str) | json_values


@settings(max_examples=300)
@given(
    claims=st.fixed_dictionaries(
        {
            "sub": subjects,
            "role": st.sampled_from([role.value for role in Role]),
            "jti": st.uuids().map(lambda u: u.hex),
            "exp": st.integers(min_value=2**31, max_value=2**40),
        },
        optional={"branch": ids_or_junk, "member": ids_or_junk, "group": ids_or_junk},
    ),
    spoiled=st.sampled_from(["", "sub", "role", "jti", "exp", "grants", "branch"]),
    junk=json_values,
)
def test_any_signed_claims_name_a_principal_that_keeps_the_rules_or_are_refused(
    tokens: Tokens, claims: dict[str, object], spoiled: str, junk: object
) -> None:
    """Signed with the key itself, so only the claims decide: verification answers a
    principal that keeps every rule, or Unauthenticated, never anything else."""
    if spoiled:
        claims[spoiled] = junk
    kid, secret = tokens.keys.pairs[0]
    token = jwt.encode(
        {"iss": "liaison", **claims}, secret, algorithm="HS256", headers={"kid": kid}
    )
    try:
        principal = tokens.verify(token)
    except Unauthenticated:
        return
    named = {claim for claim in CLAIMS if getattr(principal, claim) is not None}
    assert named == NAMES[principal.role]
    assert principal.subject == claims["sub"] and principal.role == claims["role"]


def test_a_hand_signed_token_out_of_its_roles_scope_is_refused(tokens: Tokens) -> None:
    kid, secret = tokens.keys.pairs[0]
    claims = {"iss": "liaison", "sub": "s", "role": "branch_secretary", "jti": uuid4().hex}
    expiry = {"exp": datetime.now(UTC) + timedelta(minutes=5)}
    token = jwt.encode(claims | expiry, secret, algorithm="HS256", headers={"kid": kid})
    with pytest.raises(Unauthenticated, match="claims break the rules") as refused:
        tokens.verify(token)
    assert "支部书记" in refused.value.zh


def test_refusals_name_the_role_with_its_article_in_english_and_chinese() -> None:
    auditor = Principal(subject="auditor-sun", role=Role.AUDITOR)
    with pytest.raises(Forbidden) as refused:
        authorise(auditor, "record_visit", None)
    assert str(refused.value) == "an auditor may not use record_visit"
    assert refused.value.zh == "审计员无权使用 record_visit 接口"
    for role in Role:
        english, chinese = role.named
        assert english.split()[0] == ("an" if english.split()[1][0] in "aeiou" else "a")
        assert chinese and not chinese.isascii()


def refuse(limiter: AttemptLimiter, client: str) -> str:
    try:
        limiter.failed(client, Unauthenticated("bad token", "令牌无效"))
    except TooManyAttempts:
        return "429"
    return "401"


def test_failures_are_limited_per_client_and_only_failures_count() -> None:
    limiter = AttemptLimiter(limit=3)
    assert [refuse(limiter, "10.0.0.1") for _ in range(5)] == ["401"] * 3 + ["429"] * 2
    assert refuse(limiter, "10.0.0.2") == "401"  # another client is counted apart
    expired = AttemptLimiter(limit=3, window_seconds=0.0)  # every failure already old
    assert [refuse(expired, "10.0.0.1") for _ in range(5)] == ["401"] * 5


def test_a_flood_of_failures_is_logged_once_past_the_limit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = AttemptLimiter(limit=3)
    for _ in range(50):
        refuse(limiter, "10.0.0.1")
    messages = [record.getMessage() for record in caplog.records]
    assert sum("authentication failed" in m for m in messages) == 3
    assert sum("answering its further failures with 429" in m for m in messages) == 1


def test_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_TRUSTED_PROXIES", " 10.0.0.1, 172.16.0.0/12,::1 ,")
    assert Settings.from_env().trusted_proxies == ("10.0.0.1/32", "172.16.0.0/12", "::1/128")
    monkeypatch.delenv("LIAISON_TRUSTED_PROXIES")
    assert Settings.from_env().trusted_proxies == ()
    monkeypatch.setenv("LIAISON_TRUSTED_PROXIES", "proxy.local")
    with pytest.raises(SettingsError, match="LIAISON_TRUSTED_PROXIES"):
        Settings.from_env()
