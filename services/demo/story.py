"""The seed's story, told through the HTTP API: 同江市城市社区长安党支部 in 2009, as its
work summary describes it — five groups, every category of member, the volunteer
team and the three kinds of post, members linked to households and 500 visits in
the flu season, the clean-up and flu campaigns with their numbers, requests raised
on visits, duty reports every half year, the democratic appraisal and the grades,
talks for the low grades, a reward, and a member in hardship paired with a helper.

What was told is kept on the returned ``Seed`` so tests can check every read model
against it."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.demo.client import STORY_ENROLMENT, Branch

YEAR = 2009  # the year the story is about, where its dashboard link opens
GROUPS = (
    ("第一党小组", "residence"),
    ("第二党小组", "residence"),
    ("第三党小组", "residence"),
    ("第四党小组", "occupation"),
    ("第五党小组", "trait"),
)
AREAS = ("一巷", "二巷", "三巷", "四巷", "五巷")
PURPOSES = ("宣传甲流预防常识", "了解身体状况", "送温暖", "便民联系卡回访")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐"
GIVEN = "芳伟敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
# (category, status, holds office) for the 25 members, five to a group.
MEMBERS = [
    ("in_service", "full", True),
    ("retired", "full", False),
    ("community", "full", False),
    ("unemployed", "full", False),
    ("mobile", "full", False),
] * 4 + [
    ("in_service", "full", True),
    ("retired", "full", False),
    ("community", "probationary", False),
    ("retired", "probationary", False),
    ("community", "full", False),
]
GRADES = (
    ["excellent"] * 6
    + ["good"] * 8
    + ["qualified"] * 5
    + ["basically_qualified"] * 2
    + ["unqualified"]
)


@dataclass
class Seed:
    branch: Branch
    categories: Counter[str] = field(default_factory=Counter)
    volunteers: list[str] = field(default_factory=list)
    linked: dict[str, str] = field(default_factory=dict)  # address -> member
    visits: list[tuple[str, str, date, str]] = field(default_factory=list)
    grades: dict[str, str] = field(default_factory=dict)
    low_grades: list[str] = field(default_factory=list)
    departed: str = ""
    transferred: str = ""
    helper: str = ""
    in_hardship: str = ""
    rewarded: str = ""
    late_reporter: str = ""
    needs: dict[str, str] = field(default_factory=dict)  # need id -> state


@dataclass
class _Cast:
    """Who is who in the story."""

    names: list[str]
    full: list[str]
    without_office: list[str]
    addresses: list[str]
    linkers: list[str]
    # Demo data, not security: a seeded generator makes the story the same every time.
    rng: random.Random = field(default_factory=lambda: random.Random(20091129))  # noqa: S311


def dashboard_link(query_url: str, branch_id: str) -> str:
    """The dashboard on the story's branch and year (not today's, which is empty)."""
    return f"{query_url}/dashboard#/coverage?branch={branch_id}&year={YEAR}"


def tell_the_seed_story(branch: Branch) -> Seed:
    names = [SURNAMES[i] + GIVEN[i] for i in range(len(MEMBERS))]
    full = [n for n, (_, status, _) in zip(names, MEMBERS, strict=True) if status == "full"]
    cast = _Cast(
        names=names,
        full=full,
        without_office=[n for n, (_, _, office) in zip(names, MEMBERS, strict=True) if not office],
        addresses=[f"长安街{i + 1}号" for i in range(100)],
        linkers=full[:14],
    )
    seed = Seed(branch)
    for chapter in (
        _platform,
        _posts,
        _links_and_visits,
        _campaigns,
        _requests,
        _duty_reports,
        _moves,
        _appraisal,
    ):
        chapter(branch, seed, cast)
    return seed


def _platform(branch: Branch, seed: Seed, cast: _Cast) -> None:
    """Groups by residence, occupation and trait; every category of member; leaders;
    the volunteer service team (党员义工服务队)."""
    branch.register("同江市城市社区长安党支部")
    for name, basis in GROUPS:
        branch.form_group(name, basis)

    for index, (name, (category, status, office)) in enumerate(
        zip(cast.names, MEMBERS, strict=True)
    ):
        group = GROUPS[index // 5][0]
        branch.enroll(
            name,
            group,
            category=category,
            status=status,
            holds_office=office,
            phone=f"1380000{index:04d}",
            enrolled_on=STORY_ENROLMENT,
        )
        seed.categories[category] += 1
    for index, (group, _) in enumerate(GROUPS):
        branch.appoint_leader(group, cast.names[index * 5 + 1])

    for name in cast.without_office[:12]:
        branch.act(
            "/volunteer-team/members",
            {"member_id": branch.members[name], "joined_on": date(2009, 3, 5)},
        )
        seed.volunteers.append(name)


def _posts(branch: Branch, seed: Seed, cast: _Cast) -> None:
    """Posts with duties (设岗定责): each holder shows identity, content and pledge."""
    branch.establish_post("政策宣传岗", "policy_publicity", "宣传党的方针政策和惠民措施")
    branch.establish_post(
        "扶贫帮困岗", "poverty_relief", "联系困难群众，落实送温暖制度", capacity=4
    )
    branch.establish_post("就业咨询岗", "employment_advice", "为下岗失业人员提供就业信息和指导")
    for post, holders in (
        ("政策宣传岗", cast.without_office[0:4]),
        ("扶贫帮困岗", cast.without_office[4:8]),
        ("就业咨询岗", cast.without_office[8:11]),
    ):
        for name in holders:
            branch.assign(
                post,
                name,
                f"{post}：每周三上午在社区服务站值守",
                "亮身份、作承诺，热情服务，限时办结",
            )


def _links_and_visits(branch: Branch, seed: Seed, cast: _Cast) -> None:
    """Households and links (党员联户, 1+N: six each), then the flu season's 500
    visits (走访), mostly by the linked member."""
    for i, address in enumerate(cast.addresses):
        tags = ["独居老人"] if i % 17 == 0 else (["低保户"] if i % 23 == 0 else [])
        branch.register_household(address, AREAS[i % 5], f"户主{i + 1}", tags=tags)
    for i, address in enumerate(cast.addresses[: 6 * len(cast.linkers)]):
        member = cast.linkers[i // 6]
        branch.link(address, member)
        seed.linked[address] = member

    start = date(2009, 10, 1)
    for _ in range(500):
        address = cast.rng.choice(cast.addresses[:90])
        visitor = seed.linked.get(address) or cast.rng.choice(cast.linkers)
        on = start + timedelta(days=cast.rng.randrange(58))
        purpose = cast.rng.choice(PURPOSES)
        branch.visit(visitor, address, on, purpose)
        seed.visits.append((visitor, address, on, purpose))


def _campaigns(branch: Branch, seed: Seed, cast: _Cast) -> None:
    """Campaigns (集中活动) with the summary's own numbers."""
    clean_up = branch.act(
        "/campaigns",
        {
            "title": "周末环境卫生集中整治",
            "purpose": "针对居民反映强烈的环境卫生问题",
            "starts_on": date(2009, 5, 9),
            "ends_on": date(2009, 6, 28),
        },
        expected=201,
    )["id"]
    for metric, quantity, on in (
        ("alleys_cleared", 12, date(2009, 5, 9)),
        ("alleys_cleared", 10, date(2009, 5, 16)),
        ("hutongs_cleared", 3, date(2009, 5, 23)),
        ("rubbish_heaps_cleared", 3, date(2009, 5, 30)),
    ):
        branch.act(
            f"/campaigns/{clean_up}/outputs",
            {
                "metric": metric,
                "quantity": quantity,
                "recorded_on": on,
                "member_ids": [branch.members[n] for n in cast.full[:10]],
                "volunteers": 15,
            },
            expected=201,
        )
    branch.act(
        f"/campaigns/{clean_up}/closure",
        {"closed_on": date(2009, 6, 28), "summary": "清理巷道22条、胡同3条、垃圾堆3个"},
    )
    flu = branch.act(
        "/campaigns",
        {
            "title": "秋冬甲流预防宣传",
            "purpose": "宣传甲流预防常识，了解居民身体状况",
            "starts_on": date(2009, 10, 1),
        },
        expected=201,
    )["id"]
    for metric, quantity in (
        ("leaflets_distributed", 150),
        ("leaflets_distributed", 120),
        ("households_visited", 500),
    ):
        branch.act(
            f"/campaigns/{flu}/outputs",
            {
                "metric": metric,
                "quantity": quantity,
                "recorded_on": date(2009, 11, 20),
                "member_ids": [branch.members[n] for n in cast.linkers],
                "volunteers": 8,
            },
            expected=201,
        )


def _requests(branch: Branch, seed: Seed, cast: _Cast) -> None:
    """Residents' requests (诉求) raised on visits, half of them resolved."""
    for i, (category, description) in enumerate(
        (
            ("medical", "独居老人需要定期量血压"),
            ("employment", "儿子下岗，希望了解招聘信息"),
            ("environment", "楼道堆放杂物"),
            ("living", "冬季取暖困难"),
        )
    ):
        address = cast.addresses[i * 6]
        need = branch.act(
            "/needs",
            {
                "household_id": branch.households[address],
                "category": category,
                "description": description,
                "raised_on": date(2009, 10, 10 + i),
                "due_on": date(2009, 11, 10 + i),
                "raised_by_member_id": branch.members[seed.linked[address]],
            },
            expected=201,
        )["id"]
        seed.needs[need] = "open"
        if i < 2:
            branch.act(
                f"/needs/{need}/assignment",
                {
                    "member_id": branch.members[seed.linked[address]],
                    "assigned_on": date(2009, 10, 12 + i),
                },
            )
            branch.act(
                f"/needs/{need}/resolution",
                {"resolved_on": date(2009, 10, 20 + i), "outcome": "已协调社区医生和就业服务站"},
            )
            seed.needs[need] = "resolved"


def _duty_reports(branch: Branch, seed: Seed, cast: _Cast) -> None:
    """Duty reports (述职) each half year by the members who link households; one is late."""
    seed.late_reporter = cast.linkers[-1]
    for name in cast.linkers:
        for period, on, audience in (
            ("2009H1", date(2009, 7, 10), "members"),
            ("2009H2", date(2009, 12, 15), "mass_representatives"),
        ):
            if name == seed.late_reporter and period == "2009H1":
                continue
            branch.act(
                f"/members/{branch.members[name]}/duty-reports",
                {
                    "period": period,
                    "audience": audience,
                    "submitted_on": on,
                    "summary": f"{name}{period}联系服务群众情况",
                },
                expected=201,
            )


def _moves(branch: Branch, seed: Seed, cast: _Cast) -> None:
    """A move and a departure; their history stays."""
    seed.transferred = cast.full[14]
    branch.act(
        f"/members/{branch.members[seed.transferred]}/transfer",
        {
            "group_id": branch.groups["第五党小组"],
            "transferred_on": date(2009, 9, 1),
            "reason": "搬到第五小组片区",
        },
    )
    seed.departed = cast.names[24]
    branch.act(
        f"/members/{branch.members[seed.departed]}/departure",
        {"reason": "moved_away", "left_on": date(2009, 11, 25), "notes": "迁往哈尔滨"},
    )


def _appraisal(branch: Branch, seed: Seed, cast: _Cast) -> None:
    """Democratic appraisal (民主评议): ballots from members and mass representatives,
    then the grades."""
    graded = [n for n in cast.full if n != seed.departed]
    branch.open_appraisal(2009, date(2009, 12, 1))
    for name in graded:
        for _ in range(3):
            branch.ballot(2009, name, "member", cast.rng.choice(("excellent", "good", "qualified")))
        for _ in range(2):
            branch.ballot(2009, name, "mass_representative", cast.rng.choice(("excellent", "good")))
    branch.close_appraisal(2009, date(2009, 12, 20))
    for name, grade in zip(graded, GRADES, strict=True):
        shortcomings = (
            ["联户走访次数不足", "群众反映问题办理不及时"]
            if grade in ("basically_qualified", "unqualified")
            else None
        )
        branch.rate(name, 2009, grade, "年终考评", shortcomings)
        seed.grades[name] = grade
        if shortcomings:
            seed.low_grades.append(name)


def follow_up(seed: Seed) -> None:
    """After the grades: talks for the low grades, a reward, care for a member in need."""
    branch = seed.branch
    for name in seed.low_grades:
        branch.act(
            f"/members/{branch.members[name]}/talks",
            {
                "held_by": "支部书记",
                "held_on": date(2009, 12, 28),
                "notes": "帮助提高认识，制定改进计划",
            },
            expected=201,
        )
    seed.rewarded = next(n for n, g in seed.grades.items() if g == "excellent")
    branch.act(
        f"/members/{branch.members[seed.rewarded]}/rewards",
        {
            "kind": "spiritual",
            "reason": "联户走访成绩突出，授予优秀党员称号",
            "granted_on": date(2009, 12, 30),
        },
        expected=201,
    )
    seed.in_hardship = next(n for n, g in seed.grades.items() if g == "qualified")
    seed.helper = seed.rewarded
    case = branch.act(
        "/hardships",
        {
            "member_id": branch.members[seed.in_hardship],
            "kind": "employment",
            "description": "下岗后家庭生活困难",
            "flagged_on": date(2009, 12, 1),
        },
        expected=201,
    )["id"]
    branch.act(
        f"/hardships/{case}/helper",
        {"helper_id": branch.members[seed.helper], "paired_on": date(2009, 12, 2)},
    )
    branch.act(
        f"/hardships/{case}/assistance",
        {"assisted_on": date(2009, 12, 10), "description": "介绍到社区超市工作"},
        expected=201,
    )
