"""Tokens, keys, the policy table and masking, without a server."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.access import open_tokens
from shared.auth import PII, Keys, Principal, Revocations, Role, Tokens, Unauthenticated, sign
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

principals = st.builds(
    Principal,
    subject=st.text(alphabet="abcdefghijklmnopqrstuvwxyz-.@0123456789", min_size=1, max_size=40),
    role=st.sampled_from(Role),
    branch_id=st.none() | st.uuids(),
    member_id=st.none() | st.uuids(),
    group_id=st.none() | st.uuids(),
    grants=st.frozensets(st.just(PII)),
)


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Tokens:
    return Tokens(Keys.generate(), Revocations(made_store(tmp_path_factory.mktemp("auth"))))


@given(principal=principals)
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


@given(principal=principals, action=st.sampled_from(sorted(RULES)), branch=st.uuids())
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
        authorise(Principal(subject="s", role=Role.BRANCH_SECRETARY), "something_new", None)
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


@given(principal=principals, asked=st.none() | st.uuids(), member=st.none() | st.uuids())
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
