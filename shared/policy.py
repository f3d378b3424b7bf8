"""Who may do what, in one place: every endpoint (by its route name) and the roles
that may use it, within their own branch unless their role spans branches; and the
finer rules on a command's content (a member records their own visits, a group
leader those of their group's members, a mass representative votes as one).

Another branch's ids answer 404, so they are not confirmed to outsiders; a role
that may not use an endpoint in its own branch gets 403."""

from __future__ import annotations

from uuid import UUID

from shared.auth import SCOPE, Principal, Refusal, Role

SECRETARY, LEADER, MEMBER, MASS, AUDITOR = (
    Role.BRANCH_SECRETARY,
    Role.GROUP_LEADER,
    Role.MEMBER,
    Role.MASS_REPRESENTATIVE,
    Role.AUDITOR,
)

BRANCH_COMMANDS = frozenset(
    {
        "form_group",
        "appoint_group_leader",
        "dissolve_group",
        "record_group_meeting",
        "enroll_member",
        "transfer_member",
        "member_leaves",
        "join_volunteer_team",
        "leave_volunteer_team",
        "submit_duty_report",
        "record_talk",
        "grant_reward",
        "establish_post",
        "assign_post",
        "relieve_post",
        "register_household",
        "link_household",
        "unlink_household",
        "erase_household",
        "set_visit_schedule",
        "record_visit",
        "correct_visit",
        "retract_visit",
        "launch_campaign",
        "record_campaign_output",
        "close_campaign",
        "raise_need",
        "assign_need",
        "resolve_need",
        "open_appraisal",
        "cast_ballot",
        "close_appraisal",
        "rate_member",
        "flag_hardship",
        "pair_helper",
        "record_assistance",
        "close_hardship",
    }
)
# What a branch's group leaders read as well as the secretary.
COVERAGE_QUERIES = frozenset(
    {
        "roster",
        "posts_board",
        "coverage_counts",
        "coverage_households",
        "visits_by_month",
        "campaign_tallies",
        "residents_needs",
        "work_lists",
    }
)
BRANCH_QUERIES = COVERAGE_QUERIES | {"evaluations_of_year", "export_ledger", "year_end_summary"}
LEADER_ACTIONS = COVERAGE_QUERIES | {
    "record_visit",
    "correct_visit",
    "retract_visit",
    "raise_need",
    "assign_need",
    "resolve_need",
}
MEMBER_ACTIONS = frozenset(
    {
        "posts_board",
        "coverage_households",  # these three: their own records only
        "visits_by_month",  # (member_in_scope, below)
        "residents_needs",
        "work_lists",  # their own
        "record_visit",
        "correct_visit",
        "retract_visit",
        "raise_need",
        "submit_duty_report",
    }
)
AUDIT = frozenset({"audit_events", "audit_stream", "audit_stream_state"})
# A branch's ledgers brought in: its secretary's work (each row's command is then
# authorised on its own, as the importer).
IMPORTS = frozenset({"import_workbook", "import_template"})
EVERYONE = frozenset({"whoami", "branches", "projections_status", "inbox"})

# action -> the roles besides the committee admin that may use it
RULES: dict[str, frozenset[Role]] = {
    "register_branch": frozenset(),
    "issue_token": frozenset(),
    "revoke_token": frozenset(),
    # Secretaries read their own branch's log (branch_in_scope, below).
    **{action: frozenset({AUDITOR, SECRETARY}) for action in AUDIT},
    **{action: frozenset(Role) for action in EVERYONE},
    **{action: frozenset({SECRETARY}) for action in IMPORTS},
}
for action in BRANCH_COMMANDS | BRANCH_QUERIES:
    RULES[action] = frozenset(
        {SECRETARY}
        | ({LEADER} if action in LEADER_ACTIONS else set())
        | ({MEMBER} if action in MEMBER_ACTIONS else set())
        | ({MASS} if action == "cast_ballot" else set())
        | ({AUDITOR} if action in BRANCH_QUERIES else set())
    )

# Roles that are not bound to one branch (their tokens name none).
ANY_BRANCH = frozenset(role for role, claims in SCOPE.items() if "branch_id" not in claims)


class Forbidden(Refusal):
    pass


class Hidden(Exception):
    """Another branch's resource: answered as if it did not exist."""


def authorise(principal: Principal, action: str, branch_id: UUID | None) -> None:
    outsider = principal.role not in ANY_BRANCH and principal.branch_id != branch_id
    if branch_id is not None and outsider:
        raise Hidden(f"no branch {branch_id}")
    if principal.is_admin:
        return
    allowed = RULES.get(action)
    if allowed is None or principal.role not in allowed:
        who_en, who_zh = principal.role.named
        raise Forbidden(f"{who_en} may not use {action}", f"{who_zh}无权使用 {action} 接口")


def branch_in_scope(principal: Principal, branch_id: UUID | None) -> UUID | None:
    """The branch whose records a read spanning branches (the audit log) may show: any
    asked for by the committee or an auditor; for anyone else, their own."""
    if principal.role in ANY_BRANCH:
        return branch_id
    if branch_id is not None and branch_id != principal.branch_id:
        raise Hidden(f"no branch {branch_id}")
    return principal.branch_id


def member_in_scope(principal: Principal, member_id: UUID | None) -> UUID | None:
    """The member whose records a branch query shows: a member only ever sees their own."""
    return principal.member_id if principal.role is MEMBER else member_id


def allowed_actions(principal: Principal) -> list[str]:
    """What this principal's role may use (in their own branch), for clients to show."""
    return sorted(
        action for action, roles in RULES.items() if principal.is_admin or principal.role in roles
    )


# Whom a member or a group leader acts for, by command: a member only for themselves,
# a group leader only for their own group's members (the refusal says so, per command).
ACTING_FOR: dict[str, dict[Role, tuple[str, str]]] = {
    "record_visit": {
        MEMBER: ("members record their own visits", "党员只能登记本人的走访"),
        LEADER: (
            "group leaders record visits of their own group's members",
            "党小组组长只能登记本组党员的走访",
        ),
    },
    **{
        action: {
            LEADER: (
                "group leaders correct or retract visits of their own group's members",
                "党小组组长只能更正或撤销本组党员的走访",
            ),
        }
        for action in ("correct_visit", "retract_visit")
    },
    "raise_need": {
        MEMBER: (
            "members raise requests as themselves (raised_by_member_id)",
            "党员只能以本人名义反映诉求（raised_by_member_id）",
        ),
        LEADER: (
            "group leaders raise requests for their own group's members",
            "党小组组长只能为本组党员登记诉求",
        ),
    },
    "assign_need": {
        LEADER: (
            "group leaders assign requests to their own group's members",
            "党小组组长只能把诉求交给本组党员办理",
        ),
    },
    "submit_duty_report": {
        MEMBER: ("members submit their own duty reports", "党员只能提交本人的述职报告"),
    },
}


def check_acting_for(
    principal: Principal, action: str, member_id: UUID | None, group_id: UUID | None
) -> None:
    """The finer rule on what a command says: whom the principal acts for (the member
    the command names, or none), checked by the handler once it has loaded them."""
    refusal = ACTING_FOR.get(action, {}).get(principal.role)
    if refusal is None:
        return
    if principal.role is MEMBER:
        allowed = member_id is not None and member_id == principal.member_id
    else:
        allowed = group_id is not None and group_id == principal.group_id
    if not allowed:
        raise Forbidden(*refusal)


def check_voting_as(principal: Principal, voter_kind: str) -> None:
    """A mass representative's ballot is cast as a mass representative's."""
    if principal.role is MASS and voter_kind != MASS.value:
        raise Forbidden(
            "mass representatives vote as mass representatives", "群众代表只能以群众代表身份投票"
        )


def may_amend_any_record(principal: Principal) -> bool:
    """Secretaries (and the committee) may correct any record, any time; a group leader
    may correct their group's (checked by ``check_acting_for``)."""
    return principal.role in (Role.COMMITTEE_ADMIN, SECRETARY, LEADER)
