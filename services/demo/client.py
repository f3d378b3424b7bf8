"""A small client for the v1 API: it tells a branch's story through HTTP and reads
the answers back. ``liaison demo`` and the end-to-end tests use it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

# When the stories' members joined the branch: the start of the year they tell.
STORY_ENROLMENT = date(2009, 1, 1)


class StoryError(RuntimeError):
    """The service refused part of the story."""


@dataclass
class Branch:
    """Writes go to ``commands``, reads to ``queries`` (the same client when embedded)."""

    commands: httpx.Client  # FastAPI's TestClient is one too
    queries: httpx.Client
    id: str = ""
    position: int = 0
    groups: dict[str, str] = field(default_factory=dict)
    members: dict[str, str] = field(default_factory=dict)
    posts: dict[str, str] = field(default_factory=dict)
    households: dict[str, str] = field(default_factory=dict)

    def write(
        self, path: str, body: dict[str, Any], expected: int = 201, **kwargs: Any
    ) -> dict[str, Any]:
        response = self.commands.post(path, json=body, **kwargs)
        if response.status_code != expected:
            raise StoryError(f"{path}: {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        self.position = max(self.position, result["position"])
        return result

    def register(self, name: str) -> Branch:
        self.id = self.write("/v1/branches", {"name": name})["id"]
        return self

    @property
    def base(self) -> str:
        return f"/v1/branches/{self.id}"

    def form_group(self, name: str, basis: str = "residence") -> str:
        self.groups[name] = self.write(f"{self.base}/groups", {"name": name, "basis": basis})["id"]
        return self.groups[name]

    def enroll(
        self,
        name: str,
        group: str,
        *,
        category: str = "community",
        status: str = "full",
        holds_office: bool = False,
        phone: str | None = None,
        enrolled_on: date | None = None,
    ) -> str:
        body: dict[str, Any] = {
            "name": name,
            "group_id": self.groups[group],
            "category": category,
            "status": status,
            "holds_office": holds_office,
        }
        if phone:
            body["phone"] = phone
        if enrolled_on:
            body["enrolled_on"] = enrolled_on.isoformat()
        self.members[name] = self.write(f"{self.base}/members", body)["id"]
        return self.members[name]

    def appoint_leader(self, group: str, member: str) -> None:
        self.write(
            f"{self.base}/groups/{self.groups[group]}/leader",
            {"member_id": self.members[member]},
            expected=200,
        )

    def establish_post(
        self, title: str, kind: str, duties: str, capacity: int | None = None
    ) -> str:
        body: dict[str, Any] = {"title": title, "kind": kind, "duties": duties}
        if capacity is not None:
            body["capacity"] = capacity
        self.posts[title] = self.write(f"{self.base}/posts", body)["id"]
        return self.posts[title]

    def assign(self, title: str, member: str, service_content: str, pledge: str) -> None:
        self.write(
            f"{self.base}/posts/{self.posts[title]}/assignments",
            {
                "member_id": self.members[member],
                "service_content": service_content,
                "pledge": pledge,
            },
        )

    def register_household(self, address: str, area: str, head_name: str, **extra: Any) -> str:
        body = {"address": address, "area": area, "head_name": head_name, **extra}
        self.households[address] = self.write(f"{self.base}/households", body)["id"]
        return self.households[address]

    def link(self, address: str, member: str) -> None:
        self.write(
            f"{self.base}/households/{self.households[address]}/link",
            {"member_id": self.members[member]},
            expected=200,
        )

    def visit(self, member: str, address: str, on: date, purpose: str = "走访") -> str:
        body = {
            "member_id": self.members[member],
            "household_id": self.households[address],
            "visited_on": on.isoformat(),
            "purpose": purpose,
        }
        visit_id: str = self.write(f"{self.base}/visits", body)["id"]
        return visit_id

    def member_path(self, member: str) -> str:
        return f"{self.base}/members/{self.members[member]}"

    def open_appraisal(self, year: int, opened_on: date) -> None:
        self.write(f"{self.base}/appraisals", {"year": year, "opened_on": opened_on.isoformat()})

    def ballot(self, year: int, member: str, voter_kind: str, grade: str) -> None:
        body = {"member_id": self.members[member], "voter_kind": voter_kind, "grade": grade}
        self.write(f"{self.base}/appraisals/{year}/ballots", body)

    def close_appraisal(self, year: int, closed_on: date) -> None:
        body = {"closed_on": closed_on.isoformat()}
        self.write(f"{self.base}/appraisals/{year}/closure", body, expected=200)

    def rate(
        self,
        member: str,
        year: int,
        grade: str,
        remarks: str | None = None,
        shortcomings: list[str] | None = None,
    ) -> None:
        body: dict[str, Any] = {"year": year, "grade": grade}
        if remarks:
            body["remarks"] = remarks
        if shortcomings:
            body["shortcomings"] = shortcomings
            body["improvement_plan"] = "每月至少走访联系户一次"
        self.write(f"{self.member_path(member)}/ratings", body)

    def act(self, path: str, body: dict[str, Any], expected: int = 200) -> dict[str, Any]:
        """Any other command, by its path under the branch."""
        return self.write(f"{self.base}{path}", _jsonable(body), expected=expected)

    def read(self, path: str, **params: Any) -> dict[str, Any]:
        """A query that waits for everything this client has written."""
        response = self.queries.get(
            f"{self.base}{path}", params={"min_position": self.position, **params}
        )
        if response.status_code != 200:
            raise StoryError(f"{path}: {response.status_code} {response.text}")
        assert int(response.headers["X-Read-Position"]) >= self.position
        body: dict[str, Any] = response.json()
        return body


def tell_the_story(branch: Branch) -> None:
    """A small version of the seed's branch: groups by residence, occupation and
    trait, members of every category, the three kinds of post, links and visits
    in the flu season, and year-end grades."""
    branch.register("同江市城市社区长安党支部")
    for name, basis in (
        ("第一党小组", "residence"),
        ("第二党小组", "occupation"),
        ("第三党小组", "trait"),
    ):
        branch.form_group(name, basis)
    since = STORY_ENROLMENT
    branch.enroll(
        "张书记", "第一党小组", category="in_service", holds_office=True, enrolled_on=since
    )
    branch.enroll("王芳", "第一党小组", category="retired", phone="13800000001", enrolled_on=since)
    branch.enroll("李强", "第二党小组", category="unemployed", enrolled_on=since)
    branch.enroll("赵敏", "第二党小组", category="mobile", enrolled_on=since)
    branch.enroll(
        "陈晨", "第三党小组", category="community", status="probationary", enrolled_on=since
    )
    branch.enroll("刘洋", "第三党小组", category="community", enrolled_on=since)
    branch.appoint_leader("第一党小组", "王芳")
    branch.appoint_leader("第二党小组", "李强")
    branch.establish_post("政策宣传岗", "policy_publicity", "宣传党的政策和惠民措施")
    branch.establish_post("扶贫帮困岗", "poverty_relief", "联系困难群众，送温暖", capacity=1)
    branch.establish_post("就业咨询岗", "employment_advice", "为下岗失业人员提供就业信息")
    branch.assign("政策宣传岗", "王芳", "每周三上午在社区宣传栏讲解政策", "有问必答，热情服务")
    branch.assign("扶贫帮困岗", "刘洋", "每月走访困难户", "困难不解决不撒手")
    branch.assign("就业咨询岗", "李强", "发布招聘信息，指导求职", "一周内答复")
    for number in range(1, 7):
        branch.register_household(
            f"长安街{number}号",
            "一巷" if number <= 3 else "二巷",
            f"户主{number}",
            tags=["独居老人"] if number == 1 else [],
        )
    branch.link("长安街1号", "王芳")
    branch.link("长安街2号", "王芳")
    branch.link("长安街3号", "李强")
    branch.link("长安街4号", "刘洋")
    branch.visit("王芳", "长安街1号", date(2009, 10, 8), "宣传甲流预防常识")
    branch.visit("王芳", "长安街1号", date(2009, 11, 2), "了解身体状况")
    branch.visit("李强", "长安街3号", date(2009, 11, 5), "宣传甲流预防常识")
    branch.visit("刘洋", "长安街5号", date(2009, 11, 6), "送温暖")
    branch.visit("王芳", "长安街2号", date(2009, 3, 1), "便民联系卡")
    branch.open_appraisal(2009, date(2009, 12, 1))
    for name in ("张书记", "王芳", "李强", "赵敏", "刘洋"):
        branch.ballot(2009, name, "member", "excellent" if name == "王芳" else "good")
        branch.ballot(2009, name, "mass_representative", "good")
    branch.close_appraisal(2009, date(2009, 12, 20))
    branch.rate("王芳", 2009, "excellent", "联户走访积极")
    branch.rate("李强", 2009, "good")
    branch.rate("刘洋", 2009, "qualified")


def _jsonable(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in body.items()}
