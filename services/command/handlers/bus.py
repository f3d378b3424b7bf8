"""Runs one command: replays an idempotent retry, retries an optimistic-concurrency
conflict on fresh state, and otherwise hands the command to its one handler."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from services.command.domain import commands as c
from services.command.domain.errors import ConcurrentModification, DomainError
from services.command.handlers.appoint_group_leader import appoint_group_leader
from services.command.handlers.assign_need import assign_need
from services.command.handlers.assign_post import assign_post
from services.command.handlers.cast_ballot import cast_ballot
from services.command.handlers.close_appraisal import close_appraisal
from services.command.handlers.close_campaign import close_campaign
from services.command.handlers.close_hardship import close_hardship
from services.command.handlers.correct_visit import correct_visit
from services.command.handlers.dissolve_group import dissolve_group
from services.command.handlers.enroll_member import enroll_member
from services.command.handlers.erase_household import erase_household
from services.command.handlers.establish_post import establish_post
from services.command.handlers.flag_hardship import flag_hardship
from services.command.handlers.form_group import form_group
from services.command.handlers.grant_reward import grant_reward
from services.command.handlers.join_volunteer_team import join_volunteer_team
from services.command.handlers.launch_campaign import launch_campaign
from services.command.handlers.leave_volunteer_team import leave_volunteer_team
from services.command.handlers.link_household import link_household
from services.command.handlers.member_leaves import member_leaves
from services.command.handlers.open_appraisal import open_appraisal
from services.command.handlers.pair_helper import pair_helper
from services.command.handlers.raise_need import raise_need
from services.command.handlers.rate_member import rate_member
from services.command.handlers.record_assistance import record_assistance
from services.command.handlers.record_campaign_output import record_campaign_output
from services.command.handlers.record_export import record_export
from services.command.handlers.record_talk import record_talk
from services.command.handlers.record_visit import record_visit
from services.command.handlers.register_branch import register_branch
from services.command.handlers.register_household import register_household
from services.command.handlers.relieve_post import relieve_post
from services.command.handlers.resolve_need import resolve_need
from services.command.handlers.retract_visit import retract_visit
from services.command.handlers.submit_duty_report import submit_duty_report
from services.command.handlers.transfer_member import transfer_member
from services.command.handlers.unit_of_work import UnitOfWork, Written
from services.command.handlers.unlink_household import unlink_household
from shared.problem_types import Problem

Handler = Callable[[Any, UnitOfWork], Written]

HANDLERS: Mapping[type[c.Command], Handler] = {
    c.RegisterBranch: register_branch,
    c.FormGroup: form_group,
    c.EnrollMember: enroll_member,
    c.AppointGroupLeader: appoint_group_leader,
    c.EstablishPost: establish_post,
    c.AssignPost: assign_post,
    c.RegisterHousehold: register_household,
    c.LinkHousehold: link_household,
    c.EraseHousehold: erase_household,
    c.RecordVisit: record_visit,
    c.RateMember: rate_member,
    c.CorrectVisit: correct_visit,
    c.RetractVisit: retract_visit,
    c.TransferMember: transfer_member,
    c.MemberLeaves: member_leaves,
    c.JoinVolunteerTeam: join_volunteer_team,
    c.LeaveVolunteerTeam: leave_volunteer_team,
    c.RelievePost: relieve_post,
    c.UnlinkHousehold: unlink_household,
    c.DissolveGroup: dissolve_group,
    c.LaunchCampaign: launch_campaign,
    c.RecordCampaignOutput: record_campaign_output,
    c.CloseCampaign: close_campaign,
    c.RaiseNeed: raise_need,
    c.AssignNeed: assign_need,
    c.ResolveNeed: resolve_need,
    c.SubmitDutyReport: submit_duty_report,
    c.OpenAppraisal: open_appraisal,
    c.CastBallot: cast_ballot,
    c.CloseAppraisal: close_appraisal,
    c.RecordTalk: record_talk,
    c.GrantReward: grant_reward,
    c.FlagHardship: flag_hardship,
    c.PairHelper: pair_helper,
    c.RecordAssistance: record_assistance,
    c.CloseHardship: close_hardship,
    c.RecordExport: record_export,
}


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    fingerprint: str  # of the request, so a reused key with other content is refused


@dataclass(frozen=True, kw_only=True)
class CommandContext:
    actor: str
    correlation_id: UUID
    command_id: UUID  # the causation id of every event this command writes
    idempotency: IdempotencyKey | None = None


@dataclass(frozen=True)
class Outcome:
    written: Written
    replayed: bool = False


class IdempotencyKeyReused(DomainError):
    problem = Problem.IDEMPOTENCY_KEY_REUSED


class IdempotencyKeyTaken(Exception):
    """The store found the key recorded by a concurrent request while committing."""


class CommandStore(Protocol):
    def unit_of_work(self, context: CommandContext) -> UnitOfWork: ...

    def find_idempotent(self, key: str) -> tuple[str, Written] | None:
        """The fingerprint and result recorded under an Idempotency-Key, if any."""
        ...


class CommandBus:
    def __init__(
        self,
        store: CommandStore,
        handlers: Mapping[type[c.Command], Handler] = HANDLERS,
        max_attempts: int = 5,
    ) -> None:
        self._store = store
        self._handlers = handlers
        self._max_attempts = max_attempts

    def handle(self, command: c.Command, context: CommandContext) -> Outcome:
        handler = self._handlers[type(command)]
        replay = self._replay(context)
        if replay is not None:
            return replay
        attempt = 1
        while True:
            try:
                return Outcome(handler(command, self._store.unit_of_work(context)))
            except ConcurrentModification:
                if attempt >= self._max_attempts:
                    raise
                attempt += 1
            except IdempotencyKeyTaken:
                replay = self._replay(context)
                if replay is None:
                    raise
                return replay

    def _replay(self, context: CommandContext) -> Outcome | None:
        if context.idempotency is None:
            return None
        found = self._store.find_idempotent(context.idempotency.key)
        if found is None:
            return None
        fingerprint, written = found
        if fingerprint != context.idempotency.fingerprint:
            raise IdempotencyKeyReused(
                f"Idempotency-Key {context.idempotency.key!r} was used for another request"
            )
        return Outcome(written, replayed=True)
