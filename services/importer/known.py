"""What the importer knows of the branch: its groups, members, posts and households
as the read models had them when the import began, and what the import has written
since. Names are matched within the branch; a name that matches none, or more than
one, is a problem of the row that wrote it, never a guess."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from uuid import UUID, uuid5

from pydantic import ValidationError

from services.command.commands import (
    AppointGroupLeader,
    AssignPost,
    Command,
    EnrollMember,
    EstablishPost,
    FormGroup,
    JoinVolunteerTeam,
    LinkHousehold,
    MemberLeaves,
    RegisterHousehold,
)
from services.importer.kinds import RowProblem, Why
from services.projection.queries.directory import BranchDirectory, Household, Named

C = TypeVar("C", bound=Command)
# The namespace of the ids an import gives what it creates (from the row's key).
IMPORTED = UUID("6f1d1c0e-3a57-4c8e-9f0b-1d2c3b4a5e6f")


def new_id_field(command: type[Command]) -> str | None:
    """The field holding the id of what the command creates (its body's ``id``)."""
    return next((n for n, f in command.model_fields.items() if f.alias == "id"), None)


def import_key(command: Command) -> str:
    """The Idempotency-Key of an imported command: its branch and its content (less
    the id it creates, itself made from this key), so the same row imported again,
    from whichever sheet, replays the first result instead of writing twice."""
    id_field = new_id_field(type(command))
    content = command.model_dump_json(exclude={id_field} if id_field else None)
    digest = hashlib.sha256(f"{type(command).__name__}\n{content}".encode()).hexdigest()
    return f"import:{digest}"


class Known:
    def __init__(self, branch_id: UUID, directory: BranchDirectory) -> None:
        self.branch_id = branch_id
        self.directory = directory
        self._households = {h.id: h for h in directory.households}
        # What was in the branch before: a row naming it again is there already; two
        # rows of one workbook with one name are two people (and names them ambiguous).
        self._members_before = {m.name for m in directory.members}
        self._households_before = {(h.address, h.head_name) for h in directory.households}

    # -- matching names -------------------------------------------------------------

    def group(self, name: str, field: str) -> UUID:
        return _one(self.directory.groups, name, field, GROUP)

    def member(self, name: str, field: str) -> UUID:
        return _one(self.directory.members, name, field, MEMBER)

    def post(self, title: str, field: str) -> UUID:
        return _one(self.directory.posts, title, field, POST)

    def household(self, address: str | None, head: str | None, field: str) -> Household:
        found = [
            h
            for h in self._households.values()
            if not h.erased and (address is None or h.address == address)
        ]
        if head is not None and (len(found) > 1 or address is None):
            found = [h for h in found if h.head_name == head]
        said = address or head or ""
        if not found:
            raise RowProblem(
                field,
                Why.UNKNOWN_HOUSEHOLD,
                f"本支部没有住户“{said}”",
                f"no household {said} in this branch",
            )
        if len(found) > 1:
            raise RowProblem(
                field,
                Why.AMBIGUOUS_HOUSEHOLD,
                f"“{said}”对应{len(found)}户，请写明户主",
                f"{said} matches {len(found)} households: name the head of household",
            )
        return found[0]

    def has_group(self, name: str) -> bool:
        return any(g.name == name for g in self.directory.groups)

    def had_member(self, name: str) -> bool:
        return name in self._members_before

    def has_post(self, title: str) -> bool:
        return any(p.name == title for p in self.directory.posts)

    def had_household(self, address: str, head: str) -> bool:
        return (address, head) in self._households_before

    # -- commands -------------------------------------------------------------------

    def make(self, command: type[C], *, columns: dict[str, str] | None = None, **values: Any) -> C:
        """The command for this branch; a value it will not take is the row's problem
        (named by the column ``columns`` maps its field to)."""
        try:
            return command.model_validate({"branch_id": self.branch_id, **values})
        except ValidationError as exc:
            error = exc.errors()[0]
            field = str(error["loc"][0]) if error["loc"] else ""
            columns = columns or {}
            column = columns.get(field) or next(iter(columns.values()), field)
            written = values.get(field)
            raise RowProblem(
                column,
                Why.BAD_VALUE,
                f"“{written}”不符合要求：{_zh(error['type'])}",
                f"{field}: {error['msg']}",
            ) from None

    def new(
        self,
        command: type[C],
        id_field: str,
        *,
        columns: dict[str, str] | None = None,
        **values: Any,
    ) -> C:
        """A creating command, its id made from its key (the same row: the same id)."""
        draft = self.make(command, columns=columns, **values)
        return draft.model_copy(update={id_field: uuid5(IMPORTED, import_key(draft))})

    def learn(self, command: Command, written_id: UUID) -> None:
        """What a command the bus accepted (or replayed) put in the branch."""
        d = self.directory
        match command:
            case FormGroup(name=name):
                d.groups.append(Named(written_id, name))
            case EnrollMember(name=name):
                d.members.append(Named(written_id, name))
            case EstablishPost(title=title):
                d.posts.append(Named(written_id, title))
            case RegisterHousehold(address=address, head_name=head):
                self._households[written_id] = Household(written_id, address, head, None, False)
            case LinkHousehold(household_id=household_id, member_id=member_id):
                self._households[household_id] = replace(
                    self._households[household_id], linked_member_id=member_id
                )
            case AssignPost(post_id=post_id, member_id=member_id):
                d.holders.add((post_id, member_id))
            case AppointGroupLeader(group_id=group_id, member_id=member_id):
                d.leaders[group_id] = member_id
            case JoinVolunteerTeam(member_id=member_id):
                d.volunteers.add(member_id)
            case MemberLeaves(member_id=member_id):
                d.members = [m for m in d.members if m.id != member_id]
                d.left.add(member_id)


@dataclass(frozen=True)
class _Kind:
    zh: str
    en: str
    unknown: Why
    ambiguous: Why


GROUP = _Kind("党小组", "group", Why.UNKNOWN_GROUP, Why.AMBIGUOUS_GROUP)
MEMBER = _Kind("党员", "member", Why.UNKNOWN_MEMBER, Why.AMBIGUOUS_MEMBER)
POST = _Kind("岗位", "post", Why.UNKNOWN_POST, Why.AMBIGUOUS_POST)


def _one(named: list[Named], name: str, field: str, kind: _Kind) -> UUID:
    zh, en, unknown, ambiguous = kind.zh, kind.en, kind.unknown, kind.ambiguous
    found = [n.id for n in named if n.name == name]
    if not found:
        raise RowProblem(
            field, unknown, f"本支部没有{zh}“{name}”", f"no {en} named {name} in this branch"
        )
    if len(found) > 1:
        raise RowProblem(
            field,
            ambiguous,
            f"本支部有{len(found)}个{zh}叫“{name}”，无法确定是哪一个",
            f"{len(found)} {en}s are named {name}: which one cannot be told",
        )
    return found[0]


_ZH_VALIDATION = {
    "string_too_long": "太长",
    "string_pattern_mismatch": "格式不对",
    "too_long": "项数太多",
    "string_too_short": "不能为空",
    "value_error": "不能为空",
}


def _zh(kind: str) -> str:
    return _ZH_VALIDATION.get(kind, "格式不对")
