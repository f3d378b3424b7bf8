"""Access control over HTTP: every endpoint × every role (another branch's ids answer
404), credentials that are missing, forged, expired, revoked or rotated, failed
attempts rate-limited, the finer rules on what a member, group leader or mass
representative may write, personal data masked without the ``pii`` grant, and
exports recorded in the audit log."""

from __future__ import annotations

import io
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.stack import Process, bearer
from services.cli import _token as cli_token
from services.cli import build_parser
from services.demo.client import STORY_ENROLMENT, Branch
from services.embedded import create_app
from shared.auth import AttemptLimiter, Keys, Principal, Role, sign
from shared.settings import Settings
from tests.support.settings import embedded_settings

A, S, L, M, V, U = (
    Role.COMMITTEE_ADMIN,
    Role.BRANCH_SECRETARY,
    Role.GROUP_LEADER,
    Role.MEMBER,
    Role.MASS_REPRESENTATIVE,
    Role.AUDITOR,
)
LETTERS = {"A": A, "S": S, "L": L, "M": M, "V": V, "U": U}

# Who may use each endpoint, written out independently of shared.policy: A committee
# admin, S branch secretary, L group leader, M member, V mass representative,
# U auditor. Branch roles act in their own branch only.
EXPECTED = {
    "issue_token": "A",
    "revoke_token": "A",
    "register_branch": "A",
    "branches": "ASLMVU",
    "whoami": "ASLMVU",
    "projections_status": "ASLMVU",
    "inbox": "ASLMVU",
    "form_group": "AS",
    "appoint_group_leader": "AS",
    "dissolve_group": "AS",
    "record_group_meeting": "AS",
    "set_visit_schedule": "AS",
    "enroll_member": "AS",
    "transfer_member": "AS",
    "member_leaves": "AS",
    "join_volunteer_team": "AS",
    "leave_volunteer_team": "AS",
    "submit_duty_report": "ASM",
    "record_talk": "AS",
    "grant_reward": "AS",
    "establish_post": "AS",
    "assign_post": "AS",
    "relieve_post": "AS",
    "register_household": "AS",
    "link_household": "AS",
    "unlink_household": "AS",
    "erase_household": "AS",
    "record_visit": "ASLM",
    "correct_visit": "ASLM",
    "retract_visit": "ASLM",
    "launch_campaign": "AS",
    "record_campaign_output": "AS",
    "close_campaign": "AS",
    "raise_need": "ASLM",
    "assign_need": "ASL",
    "resolve_need": "ASL",
    "open_appraisal": "AS",
    "cast_ballot": "ASV",
    "close_appraisal": "AS",
    "rate_member": "AS",
    "flag_hardship": "AS",
    "pair_helper": "AS",
    "record_assistance": "AS",
    "close_hardship": "AS",
    "posts_board": "ASLMU",
    "roster": "ASLU",
    "coverage_counts": "ASLU",
    "coverage_households": "ASLMU",
    "visits_by_month": "ASLMU",
    "campaign_tallies": "ASLU",
    "residents_needs": "ASLMU",
    "work_lists": "ASLMU",
    "evaluations_of_year": "ASU",
    "export_ledger": "ASU",
    "year_end_summary": "ASU",
    "audit_events": "ASU",
    "audit_stream": "ASU",
    "audit_stream_state": "ASU",
    "import_workbook": "AS",
    "import_template": "AS",
}
OPERATIONS_ROUTES = {"healthz", "readyz", "metrics"}  # open, for probes and scrapers
PHONE = "13912345678"


@dataclass
class World:
    settings: Settings
    app: FastAPI
    client: TestClient  # as the committee admin
    ours: Branch
    theirs: Branch

    def token(self, role: Role, subject: str = "", *, grants: frozenset[str] = frozenset()) -> str:
        """A principal of ``role`` in our branch (a member is 王芳, a leader leads
        第一党小组)."""
        scope: dict[str, Any] = {}
        if role not in (A, U):
            scope["branch_id"] = UUID(self.ours.id)
        if role is M:
            scope["member_id"] = UUID(self.ours.members["王芳"])
        if role is L:
            scope["group_id"] = UUID(self.ours.groups["第一党小组"])
        header = bearer(self.settings, role, subject or f"{role.value}-1", grants=grants, **scope)
        return header["Authorization"]

    def as_(self, role: Role, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": self.token(role, **kwargs)}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data = tmp_path_factory.mktemp("access")
    settings = embedded_settings(data)
    app = create_app(settings)
    with TestClient(app, headers=bearer(settings)) as client:
        ours = Branch(client, client).register("长安党支部")
        ours.form_group("第一党小组")
        ours.form_group("第二党小组")
        # Members since 2009, so they report on and are appraised for 2009.
        ours.enroll("王芳", "第一党小组", enrolled_on=STORY_ENROLMENT)
        ours.enroll("李强", "第一党小组", enrolled_on=STORY_ENROLMENT)
        ours.enroll("赵敏", "第二党小组", enrolled_on=STORY_ENROLMENT)
        ours.register_household("长安街1号", "一巷", "刘大爷", phone=PHONE, tags=["low_income"])
        ours.link("长安街1号", "王芳")
        ours.register_household("长安街2号", "一巷", "陈阿姨")
        ours.link("长安街2号", "赵敏")
        theirs = Branch(client, client).register("胜利党支部")
        theirs.form_group("第一党小组")
        yield World(settings, app, client, ours, theirs)


def operations(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path template, operation id) of every endpoint in the OpenAPI."""
    spec = app.openapi()
    return [
        (method.upper(), path, operation["operationId"])
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]


def concrete(path: str, branch_id: str) -> str:
    values = {
        "branch_id": branch_id,
        "year": "2009",
        "name": "roster",
        "format": "xlsx",
        "token_id": uuid4().hex,
    }
    for part in path.replace("}", "{").split("{")[1::2]:
        path = path.replace(f"{{{part}}}", values.get(part, str(uuid4())))
    return path


def attempt(world: World, method: str, path: str, headers: dict[str, str]) -> Any:
    body: dict[str, Any] | None = {} if method == "POST" else None
    return world.client.request(method, path, json=body, headers=headers)


def test_every_endpoint_is_in_the_table(world: World) -> None:
    names = {name for _, _, name in operations(world.app)}
    assert names - OPERATIONS_ROUTES == set(EXPECTED)


def against_the_table(world: World, letter: str, branch_id: str) -> list[str]:
    """Every endpoint (under that branch, when it is not ours) as this role, and where
    the answer goes against the table."""
    headers = world.as_(LETTERS[letter])
    wrong = []
    for method, path, name in operations(world.app):
        if name in OPERATIONS_ROUTES or (branch_id != world.ours.id and "{branch_id}" not in path):
            continue
        response = attempt(world, method, concrete(path, branch_id), headers)
        status = response.status_code
        if letter in EXPECTED[name] and status in (401, 403):
            wrong.append(f"{name}: {letter} refused ({status} {response.text})")
        if letter not in EXPECTED[name] and (
            (status, response.json()["type"]) != (403, "/problems/forbidden")
        ):
            wrong.append(f"{name}: {letter} not refused ({status})")
    return wrong


@pytest.mark.parametrize("letter", list(LETTERS))
def test_every_endpoint_for_every_role_in_its_own_branch(world: World, letter: str) -> None:
    assert against_the_table(world, letter, world.ours.id) == []


@pytest.mark.parametrize("letter", ["A", "U"])
def test_the_committee_and_auditors_span_branches(world: World, letter: str) -> None:
    assert against_the_table(world, letter, world.theirs.id) == []


@pytest.mark.parametrize("letter", ["S", "L", "M", "V"])
def test_another_branchs_ids_are_not_confirmed(world: World, letter: str) -> None:
    """Another branch answers exactly as a branch that does not exist, whatever is sent."""
    headers = world.as_(LETTERS[letter])
    nowhere = str(uuid4())
    wrong = []
    for method, path, name in operations(world.app):
        if "{branch_id}" not in path:
            continue
        theirs = attempt(world, method, concrete(path, world.theirs.id), headers)
        missing = attempt(world, method, concrete(path, nowhere), headers)
        seen = (theirs.status_code, theirs.json()["type"])
        if seen != (404, "/problems/not-found"):
            wrong.append(f"{name}: {letter} got {seen}")
        if theirs.json()["detail"].replace(world.theirs.id, nowhere) != missing.json()["detail"]:
            wrong.append(f"{name}: {letter} can tell their branch from no branch")
    assert wrong == []


def test_the_operations_routes_are_open(world: World) -> None:
    for path in ("/healthz", "/readyz", "/metrics"):
        assert world.client.get(path, headers={"Authorization": ""}).status_code == 200


def test_without_a_valid_token_every_endpoint_answers_401(world: World) -> None:
    keys = Keys.parse(world.settings.auth_keys or "")
    other_keys = Keys.generate()
    admin = Principal(subject="admin", role=A)
    expired, _ = sign(keys, admin, timedelta(seconds=-1))
    forged, _ = sign(other_keys, admin, timedelta(hours=1))
    tampered = world.token(S).removesuffix("x") + "x"
    credentials = {
        "none": {},
        "not a bearer": {"Authorization": "Basic YWRtaW46YWRtaW4="},
        "garbage": {"Authorization": "Bearer not-a-token"},
        "expired": {"Authorization": f"Bearer {expired}"},
        "unknown key": {"Authorization": f"Bearer {forged}"},
        "tampered": {"Authorization": tampered},
    }
    with attempts_limited(world, limit=10_000):  # this test fails on purpose
        for method, path, name in operations(world.app):
            if name in OPERATIONS_ROUTES:
                continue
            for what, headers in credentials.items():
                client = TestClient(world.app)  # without the admin's default header
                response = client.request(
                    method, concrete(path, world.ours.id), json={}, headers=headers
                )
                assert response.status_code == 401, (name, what, response.text)
                assert response.headers["content-type"].startswith("application/problem+json")
                assert response.json()["type"] == "/problems/unauthenticated"
                assert response.headers["WWW-Authenticate"] == "Bearer"


@contextmanager
def attempts_limited(world: World, limit: int = 10) -> Iterator[None]:
    """A fresh count of failed attempts for the test (others fail on purpose)."""
    world.app.state.attempts = AttemptLimiter(limit=limit)
    try:
        yield
    finally:
        world.app.state.attempts = AttemptLimiter()


def test_a_valid_token_is_accepted_whatever_others_at_its_address_failed(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """Ten bad tokens from 127.0.0.1 no longer lock out everyone there: only further
    failures are refused (429), while every valid token is still accepted."""
    local = TestClient(world.app, client=("127.0.0.1", 50000))
    bad = {"Authorization": "Bearer not-a-token"}
    with attempts_limited(world):
        assert [local.get("/v1/auth/whoami", headers=bad).status_code for _ in range(10)] == (
            [401] * 10
        )
        limited = local.get("/v1/auth/whoami", headers=bad)
        assert limited.status_code == 429
        assert limited.json()["type"] == "/problems/too-many-attempts"
        assert limited.json()["detail_zh"] == "来自 127.0.0.1 的认证失败次数过多，请一分钟后再试"
        assert limited.headers["Retry-After"] == "60"
        for role in (A, S, M):
            assert local.get(f"{world.ours.base}/posts", headers=world.as_(role)).status_code == 200
        assert local.get("/v1/auth/whoami").status_code == 429  # no token is a failure too
        other = TestClient(world.app, client=("127.0.0.2", 50000))
        assert other.get("/v1/auth/whoami", headers=bad).status_code == 401
    messages = [record.getMessage() for record in caplog.records]
    assert sum("authentication failed for client 127.0.0.1" in m for m in messages) == 10
    assert sum("answering its further failures with 429" in m for m in messages) == 1


def test_refusals_say_why_in_english_and_chinese(world: World) -> None:
    with attempts_limited(world):
        missing = TestClient(world.app).get("/v1/auth/whoami")
    assert missing.status_code == 401
    assert missing.json()["detail"] == "send Authorization: Bearer <token>"
    assert missing.json()["detail_zh"] == "请在请求头 Authorization 中提供 Bearer 令牌"
    visit = {
        "member_id": world.ours.members["王芳"],
        "household_id": world.ours.households["长安街1号"],
        "visited_on": "2009-11-02",
        "purpose": "走访",
    }
    refused = world.client.post(f"{world.ours.base}/visits", json=visit, headers=world.as_(U))
    assert refused.status_code == 403
    assert refused.json()["detail"] == "an auditor may not use record_visit"
    assert refused.json()["detail_zh"] == "审计员无权使用 record_visit 接口"
    as_li = visit | {"member_id": world.ours.members["李强"]}
    theirs = world.client.post(f"{world.ours.base}/visits", json=as_li, headers=world.as_(M))
    assert theirs.status_code == 403
    assert theirs.json()["detail_zh"] == "党员只能登记本人的走访"


def test_tokens_are_issued_and_revoked_by_the_committee_admin(world: World) -> None:
    body = {"subject": "secretary-zhang", "role": "branch_secretary", "branch_id": world.ours.id}
    issued = world.client.post("/v1/auth/tokens", json=body)
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    mine = {"Authorization": f"Bearer {token}"}
    me = world.client.get("/v1/auth/whoami", headers=mine).json()
    assert (me["subject"], me["role"], me["branch_id"]) == (
        "secretary-zhang",
        "branch_secretary",
        world.ours.id,
    )
    assert "rate_member" in me["may"] and "issue_token" not in me["may"]
    by_secretary = world.client.post("/v1/auth/tokens", json=body, headers=mine)
    assert by_secretary.status_code == 403
    unscoped = world.client.post("/v1/auth/tokens", json=body | {"branch_id": None})
    assert unscoped.status_code == 422
    nameless = {"subject": "x", "role": "member", "branch_id": world.ours.id}
    assert world.client.post("/v1/auth/tokens", json=nameless).status_code == 422

    revoked = world.client.delete(f"/v1/auth/tokens/{issued.json()['token_id']}")
    assert revoked.status_code == 204
    refused = world.client.get("/v1/auth/whoami", headers=mine)
    assert (refused.status_code, refused.json()["detail"]) == (401, "the token has been revoked")


# Which ids a role's token names (b branch, m member, g group), written out apart
# from shared.auth.
NAMES = {A: "", U: "", S: "b", V: "b", L: "bg", M: "bm"}
CLAIM = {"b": "branch", "m": "member", "g": "group"}


def hand_signed(world: World, role: Role, **ids: str) -> dict[str, str]:
    """A token signed with the deployment's key by hand, claiming whatever it likes."""
    kid, secret = Keys.parse(world.settings.auth_keys or "").pairs[0]
    claims = {
        "iss": "liaison",
        "sub": "hand-signed",
        "role": role.value,
        "jti": uuid4().hex,
        "exp": datetime.now(UTC) + timedelta(hours=1),
        **ids,
    }
    return {"Authorization": f"Bearer {jwt.encode(claims, secret, headers={'kid': kid})}"}


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(role=st.sampled_from(Role), named=st.sets(st.sampled_from("bmg")))
def test_the_cli_the_token_endpoint_and_verification_agree_on_a_roles_ids(
    world: World, role: Role, named: set[str]
) -> None:
    ids = {
        "b": world.ours.id,
        "m": world.ours.members["王芳"],
        "g": world.ours.groups["第一党小组"],
    }
    body = {"subject": "scoped-1", "role": role.value}
    body |= {f"{CLAIM[n]}_id": ids[n] for n in named}
    argv = ["token", "create", "--subject", "scoped-1", "--role", role.value]
    argv += [arg for n in sorted(named) for arg in (f"--{CLAIM[n]}", ids[n])]
    printed, said = io.StringIO(), io.StringIO()
    with attempts_limited(world, limit=10_000), redirect_stdout(printed), redirect_stderr(said):
        by_http = world.client.post("/v1/auth/tokens", json=body)
        by_cli = cli_token(world.settings, build_parser().parse_args(argv))
        signed = hand_signed(world, role, **{CLAIM[n]: ids[n] for n in named})
        used = world.client.get("/v1/branches", headers=signed)
    if named == set(NAMES[role]):
        assert (by_http.status_code, by_cli, used.status_code) == (201, 0, 200), by_http.text
        for token in (by_http.json()["token"], printed.getvalue().strip()):
            mine = {"Authorization": f"Bearer {token}"}
            assert world.client.get("/v1/branches", headers=mine).status_code == 200
    else:
        assert (by_http.status_code, by_cli, used.status_code) == (422, 2, 401), by_http.text
        assert by_http.json()["type"] == "/problems/validation-error"
        assert said.getvalue().startswith("liaison token create: ")
        assert printed.getvalue() == ""
        assert "claims break the rules" in used.json()["detail"]


@pytest.mark.parametrize(
    ("role", "claims", "path"),
    [
        (S, "", "/v1/audit/events?format=ndjson"),
        (M, "b", "{base}/coverage/households?visited=false"),
        (L, "b", "{base}/needs?status=all"),
        (U, "b", "/v1/audit/events"),
        (S, "bm", "{base}/roster"),
    ],
)
def test_a_token_out_of_its_roles_scope_reads_nothing(
    world: World, role: Role, claims: str, path: str
) -> None:
    ids = {"b": world.ours.id, "m": world.ours.members["王芳"]}
    headers = hand_signed(world, role, **{CLAIM[n]: ids[n] for n in claims})
    with attempts_limited(world):
        answer = world.client.get(path.format(base=world.ours.base), headers=headers)
    assert answer.status_code == 401
    assert answer.json()["type"] == "/problems/unauthenticated"


def test_keys_rotate_without_logging_anyone_out(world: World, tmp_path: Path) -> None:
    old = world.token(S)
    rotated = Keys.generate().render() + (world.settings.auth_keys or "")
    settings = world.settings.with_overrides(auth_keys=rotated)
    with TestClient(create_app(settings)) as client:
        assert client.get("/v1/auth/whoami", headers={"Authorization": old}).status_code == 200
        new = bearer(settings, S, "signed-with-the-new-key", branch_id=UUID(world.ours.id))
        assert client.get("/v1/auth/whoami", headers=new).json()["subject"] == (
            "signed-with-the-new-key"
        )
    # Once the old key is retired, its tokens stop working.
    retired = settings.with_overrides(auth_keys=Keys.generate().render())
    with TestClient(create_app(retired)) as client:
        assert client.get("/v1/auth/whoami", headers={"Authorization": old}).status_code == 401


def visit(world: World, member: str, headers: dict[str, str]) -> Any:
    body = {
        "member_id": world.ours.members[member],
        "household_id": world.ours.households["长安街1号"],
        "visited_on": "2009-11-02",
        "purpose": "走访",
    }
    return world.client.post(f"{world.ours.base}/visits", json=body, headers=headers)


def test_members_write_only_their_own_records(world: World) -> None:
    wang = world.as_(M, subject="member-wang")
    mine = visit(world, "王芳", wang)
    assert mine.status_code == 201, mine.text
    assert visit(world, "李强", wang).status_code == 403
    history = world.client.get(f"/v1/audit/streams/{mine.json()['id']}").json()["events"]
    assert history[0]["actor"] == "member-wang"

    need = {
        "household_id": world.ours.households["长安街1号"],
        "category": "living",
        "description": "楼道灯坏了",
        "raised_on": "2009-11-02",
    }
    as_self = need | {"raised_by_member_id": world.ours.members["王芳"]}
    assert world.client.post(f"{world.ours.base}/needs", json=as_self, headers=wang).is_success
    anonymous_need = world.client.post(f"{world.ours.base}/needs", json=need, headers=wang)
    assert anonymous_need.status_code == 403

    report = {
        "period": "2009H2",
        "audience": "members",
        "submitted_on": "2009-12-20",
        "summary": "半年来联系群众情况",
    }
    own = f"{world.ours.member_path('王芳')}/duty-reports"
    other = f"{world.ours.member_path('李强')}/duty-reports"
    assert world.client.post(own, json=report, headers=wang).status_code == 201
    assert world.client.post(other, json=report, headers=wang).status_code == 403


def test_members_read_only_their_own_visits_and_requests(world: World) -> None:
    wang = world.as_(M, subject="member-wang")
    written = [visit(world, "王芳", wang), visit(world, "赵敏", world.as_(S))]
    for raised_by in ("王芳", "赵敏"):
        need = {
            "household_id": world.ours.households["长安街2号"],
            "category": "living",
            "description": f"{raised_by}反映的问题",
            "raised_on": "2009-11-03",
            "raised_by_member_id": world.ours.members[raised_by],
        }
        written.append(world.client.post(f"{world.ours.base}/needs", json=need))
    assert [response.status_code for response in written] == [201] * 4
    caught_up = {"min_position": max(response.json()["position"] for response in written)}
    for path, params in (("/needs", {"status": "all"}), ("/coverage/visits", {"year": 2009})):
        url = f"{world.ours.base}{path}"
        everyone = world.client.get(url, params=caught_up | params).json()
        own = caught_up | params | {"member_id": world.ours.members["王芳"]}
        hers = world.client.get(url, params=own).json()
        asking_for_another = own | {"member_id": world.ours.members["赵敏"]}
        as_member = world.client.get(url, params=asking_for_another, headers=wang).json()
        assert as_member == hers != everyone, path


def test_group_leaders_act_for_their_own_groups_members(world: World) -> None:
    leader = world.as_(L, subject="leader-first-group")
    in_group = visit(world, "李强", leader)
    assert in_group.status_code == 201, in_group.text
    assert visit(world, "赵敏", leader).status_code == 403  # 第二党小组

    by_secretary = visit(world, "赵敏", world.as_(S))
    assert by_secretary.status_code == 201
    correction = {"purpose": "回访", "reason": "事由记错"}
    ours = f"{world.ours.base}/visits/{in_group.json()['id']}/correction"
    theirs = f"{world.ours.base}/visits/{by_secretary.json()['id']}/correction"
    assert world.client.post(ours, json=correction, headers=leader).status_code == 200
    assert world.client.post(theirs, json=correction, headers=leader).status_code == 403


def test_mass_representatives_only_vote_as_themselves(world: World) -> None:
    world.ours.open_appraisal(2009, date(2009, 12, 1))
    ballots = f"{world.ours.base}/appraisals/2009/ballots"
    ballot = {"member_id": world.ours.members["王芳"], "grade": "excellent"}
    representative = world.as_(V)
    as_mass = ballot | {"voter_kind": "mass_representative"}
    assert world.client.post(ballots, json=as_mass, headers=representative).status_code == 201
    as_member = ballot | {"voter_kind": "member"}
    assert world.client.post(ballots, json=as_member, headers=representative).status_code == 403
    roster = world.client.get(f"{world.ours.base}/roster", headers=representative)
    assert roster.status_code == 403


def households(world: World, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Visited or not, as these headers see them."""
    seen: dict[str, dict[str, Any]] = {}
    for visited in ("true", "false"):
        answer = world.client.get(
            f"{world.ours.base}/coverage/households",
            params={"min_position": world.ours.position, "visited": visited},
            headers=headers,
        )
        assert answer.status_code == 200, answer.text
        seen |= {h["address"]: h for h in answer.json()["households"]}
    return seen


def test_secretaries_read_only_their_own_branchs_audit_log(world: World) -> None:
    secretary = world.as_(S)

    def read(path: str, **params: Any) -> Any:
        return world.client.get(path, params=params, headers=secretary)

    for stream in (world.ours.id, world.ours.households["长安街1号"]):
        assert read(f"/v1/audit/streams/{stream}").status_code == 200
        assert read(f"/v1/audit/streams/{stream}/state").status_code == 200
    nowhere = str(uuid4())
    for stream in (world.theirs.id, world.theirs.groups["第一党小组"]):
        for suffix in ("", "/state"):
            theirs = read(f"/v1/audit/streams/{stream}{suffix}")
            missing = read(f"/v1/audit/streams/{nowhere}{suffix}")
            assert theirs.status_code == missing.status_code == 404
            assert theirs.text.replace(stream, nowhere) == missing.text
    theirs = read("/v1/audit/events", branch_id=world.theirs.id)
    missing = read("/v1/audit/events", branch_id=nowhere)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.text.replace(world.theirs.id, nowhere) == missing.text
    mine = read("/v1/audit/events", limit=1000).json()["events"]
    everything = world.client.get("/v1/audit/events", params={"limit": 1000}).json()["events"]
    assert {e["branch_id"] for e in mine} == {world.ours.id}
    assert {e["position"] for e in mine} == {
        e["position"] for e in everything if e["branch_id"] == world.ours.id
    }
    assert any(e["branch_id"] == world.theirs.id for e in everything)


def test_personal_data_is_masked_without_the_pii_grant(world: World) -> None:
    secretary = households(world, world.as_(S))
    assert secretary["长安街1号"]["phone"] == "139******78"
    assert secretary["长安街1号"]["tags"] == ["***"]
    granted = households(world, world.as_(S, grants=frozenset({"pii"})))
    assert granted["长安街1号"]["phone"] == PHONE
    assert granted["长安街1号"]["tags"] == ["low_income"]

    member = households(world, world.as_(M))
    assert set(member) == {"长安街1号"}  # 王芳's own linked household only

    auditor = world.as_(U)
    household = world.ours.households["长安街1号"]
    history = world.client.get(f"/v1/audit/streams/{household}", headers=auditor).json()
    assert history["events"][0]["data"]["phone"] == "139******78"
    state = world.client.get(f"/v1/audit/streams/{household}/state", headers=auditor).json()
    assert state["events"][0]["data"]["phone"] == "139******78"
    assert PHONE not in str(state)
    events = world.client.get(
        "/v1/audit/events", params={"type": "HouseholdRegistered"}, headers=auditor
    ).json()["events"]
    assert PHONE not in str(events)
    exported = world.client.get(
        "/v1/audit/events", params={"format": "ndjson"}, headers=auditor
    ).text
    assert PHONE not in exported and "长安街1号" in exported
    ledger = world.client.get(
        f"{world.ours.base}/exports/coverage.csv", params={"year": 2009}, headers=auditor
    )
    assert ledger.status_code == 200
    assert "low_income" not in ledger.content.decode("utf-8-sig")
    unmasked = world.client.get(f"{world.ours.base}/exports/coverage.csv", params={"year": 2009})
    assert "low_income" in unmasked.content.decode("utf-8-sig")


def test_exports_are_recorded_in_the_audit_log(world: World) -> None:
    auditor = world.as_(U, subject="auditor-sun")
    base = world.ours.base
    assert world.client.get(f"{base}/exports/roster.xlsx", headers=auditor).status_code == 200
    assert world.client.get(f"{base}/summary", params={"year": 2009}, headers=auditor).is_success
    world.client.get("/v1/audit/events", params={"format": "csv"}, headers=auditor)
    recorded = world.client.get(
        "/v1/audit/events", params={"type": "ExportRecorded", "actor": "auditor-sun"}
    ).json()["events"]
    assert [e["data"]["what"] for e in recorded] == [
        "roster.xlsx",
        "summary-2009.md",
        "audit.csv",
    ]
    assert recorded[0]["branch_id"] == world.ours.id


def test_forwarding_headers_count_only_from_trusted_proxies(tmp_path: Path) -> None:
    """Through the server as deployed (uvicorn decides the client's address): a
    client cannot dodge the limit by naming another address, while behind a trusted
    proxy each forwarded client is counted on its own."""
    bad = {"Authorization": "Bearer not-a-token"}

    def failures(url: str, headers: dict[str, str], times: int = 1) -> list[int]:
        return [
            httpx.get(f"{url}/v1/auth/whoami", headers=bad | headers).status_code
            for _ in range(times)
        ]

    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    direct = Process("direct", ["run"], env | {"LIAISON_DATA_DIR": str(tmp_path / "d")}, tmp_path)
    try:
        direct.start()
        spoofed = [
            status
            for n in range(10, 21)
            for status in failures(
                direct.url, {"X-Forwarded-For": f"127.0.0.{n}", "Forwarded": f"for=127.0.0.{n}"}
            )
        ]
        assert spoofed == [401] * 10 + [429]
    finally:
        direct.kill(signal.SIGTERM)

    proxied_env = env | {
        "LIAISON_DATA_DIR": str(tmp_path / "p"),
        "LIAISON_TRUSTED_PROXIES": "127.0.0.1",
    }
    proxied = Process("proxied", ["run"], proxied_env, tmp_path)
    try:
        proxied.start()
        first = {"X-Forwarded-For": "127.0.0.10"}
        assert failures(proxied.url, first, 11) == [401] * 10 + [429]
        assert failures(proxied.url, {"X-Forwarded-For": "127.0.0.11"}) == [401]
        assert failures(proxied.url, {}) == [401]  # the proxy's own requests
        admin = (tmp_path / "p" / "admin-token").read_text().strip()
        valid = {"Authorization": f"Bearer {admin}"} | first
        assert httpx.get(f"{proxied.url}/v1/auth/whoami", headers=valid).status_code == 200
    finally:
        proxied.kill(signal.SIGTERM)
