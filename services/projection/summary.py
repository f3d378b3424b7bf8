"""The year-end work summary (工作总结), written from the record in the structure of
the branch's own: 一、搭建平台 (groups, members, the volunteer team, posts); 二、设岗定责
(post holders, linking and visits, campaigns, residents' requests); 三、考核激励 (duty
reports, the appraisal and grades, talks, rewards, help for members in hardship);
四、取得的成效 (what the numbers show, and what is still to do).

Every number is taken from the read models once (``Facts``) and stated once; the
Chinese document and its English version are written from the same facts, each in
its own language. Rendered as Markdown or as a Word document."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.styles.style import ParagraphStyle

from services.projection.answers import (
    AppraisalSummary,
    Campaigns,
    Coverage,
    Evaluations,
    Needs,
    PostsBoard,
    Roster,
    Work,
)
from services.projection.i18n import EN, ZH, outputs_en, outputs_zh
from shared.contract.vocabulary import Grade, GroupBasis, MemberCategory, VoterKind

LOW_GRADES = (Grade.BASICALLY_QUALIFIED, Grade.UNQUALIFIED)


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


# Body and heading fonts; 汉字 in either document (names) are set in 宋体 and 黑体.
FONTS = {Lang.ZH: ("SimSun", "SimHei"), Lang.EN: ("Times New Roman", "Arial")}


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Summary:
    lang: Lang
    title: str
    opening: str
    sections: list[Section]
    signature: list[str]  # who wrote it and when, at the foot, right-aligned

    def markdown(self) -> str:
        lines = [f"# {_md(self.title)}", "", _md(self.opening), ""]
        for section in self.sections:
            lines += [f"## {_md(section.heading)}", ""]
            for paragraph in section.paragraphs:
                lines += [_md(paragraph), ""]
        lines += ["  \n".join(_md(line) for line in self.signature), ""]
        return "\n".join(lines)

    def docx(self) -> bytes:
        document = Document()
        body_font, heading_font = FONTS[self.lang]
        normal = document.styles["Normal"]
        assert isinstance(normal, ParagraphStyle)
        _font(normal, body_font, "SimSun", Pt(12))
        normal.paragraph_format.line_spacing = 1.5
        heading = document.styles["Heading 1"]
        assert isinstance(heading, ParagraphStyle)
        _font(heading, heading_font, "SimHei", Pt(14))
        heading.font.bold = True

        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = title.add_run(self.title)
        run.bold = True
        run.font.size = Pt(18)
        run.font.name = heading_font
        run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimHei")
        self._body(document, self.opening)
        for section in self.sections:
            document.add_heading(section.heading, level=1)
            for paragraph in section.paragraphs:
                self._body(document, paragraph)
        document.add_paragraph()
        for line in self.signature:
            document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    def _body(self, document: WordDocument, text: str) -> None:
        paragraph = document.add_paragraph(text)
        # A Chinese paragraph begins two characters in.
        paragraph.paragraph_format.first_line_indent = Pt(24) if self.lang is Lang.ZH else None


# What Markdown would read as a link, an image, HTML, code or emphasis: names typed by
# members and residents reach the document as text. (The summary's own words use none.)
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def _font(style: ParagraphStyle, name: str, east_asian: str, size: Pt) -> None:
    style.font.name = name
    style.font.size = size
    style.font.color.rgb = RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    # Word needs the East Asian font named too, or it falls back to one without 汉字;
    # and a theme font (the template's headings have one) would win over both.
    fonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


@dataclass(frozen=True)
class YearRecord:
    year: int
    written_on: date
    roster: Roster
    posts: PostsBoard
    coverage: Coverage
    campaigns: Campaigns
    needs: Needs
    evaluations: Evaluations
    work: Work  # as it stood at the year's end (or today, within the year)


@dataclass(frozen=True)
class CampaignYear:
    title: str
    members: int
    volunteers: int
    tallies: dict[str, int]


@dataclass(frozen=True)
class Facts:
    """Every number the summary states, each taken once from the read models."""

    year: int
    written_on: date
    branch: str
    groups: list[str]
    bases: list[GroupBasis]
    groups_led: int
    members: int
    by_category: dict[MemberCategory, int]
    probationary: int
    left_in_year: Counter[str]
    volunteers: int
    posts: list[tuple[str, int]]  # title, holders
    post_holders: int  # members holding a post (one may hold two)
    households: int
    linked: int
    linking_members: int
    visits: int
    visited: int
    scheduled: int  # linked households with a visit schedule
    on_schedule: int  # of those, not overdue at the year's end
    campaigns: list[CampaignYear]
    needs: int
    needs_resolved: int
    needs_overdue: int
    need_categories: list[str]
    reported: tuple[int, int]  # first and second half year
    reports_overdue: int
    appraisal: AppraisalSummary | None
    ballots: dict[VoterKind, int]
    grades: dict[Grade, int]
    rated: int
    not_graded_probationary: int
    low_graded: int
    talks_with_low_graded: int
    awaiting_talk: int
    rewards: Counter[str]
    hardship_pairs: int
    hardship_kinds: list[str]
    assistance: int

    @property
    def unvisited(self) -> int:
        return self.households - self.visited

    @property
    def open_needs(self) -> int:
        return self.needs - self.needs_resolved


def gather(record: YearRecord) -> Facts:
    year, roster, evaluation = record.year, record.roster, record.evaluations
    start, end = date(year, 1, 1), date(year, 12, 31)
    # Requests are judged as they stood at the year's end (or today, within the year).
    judged_on = min(record.written_on, end)
    needs = [n for n in record.needs.needs if start <= n.raised_on <= end]
    resolved = [n for n in needs if n.resolved_on is not None and n.resolved_on <= judged_on]
    overdue = [n for n in needs if n not in resolved and n.due_on < judged_on]
    holders = {h.member_id for post in record.posts.posts for h in post.holders}
    pairs = [
        h
        for h in roster.hardships
        if h.helper_id and h.flagged_on <= end and (h.closed_on is None or h.closed_on >= start)
    ]
    low = [m for m in evaluation.members if m.grade in LOW_GRADES]
    return Facts(
        year=year,
        written_on=record.written_on,
        branch=roster.name,
        groups=[g.name for g in roster.groups],
        bases=[b for b in GroupBasis if any(g.basis == b.value for g in roster.groups)],
        groups_led=sum(1 for g in roster.groups if g.leader_id),
        members=roster.totals.members,
        by_category={c: roster.totals.by_category.get(c.value, 0) for c in MemberCategory},
        probationary=roster.totals.by_status.get("probationary", 0),
        left_in_year=Counter(d.reason for d in roster.departed if d.left_on.year == year),
        volunteers=len(roster.volunteer_team),
        posts=[(p.title, len(p.holders)) for p in record.posts.posts],
        post_holders=len(holders),
        households=record.coverage.households,
        linked=record.coverage.linked,
        linking_members=sum(1 for m in record.coverage.members if m.linked),
        visits=record.coverage.visits,
        visited=record.coverage.visited,
        scheduled=record.work.counts.scheduled_households,
        on_schedule=record.work.counts.scheduled_households - record.work.counts.visits_overdue,
        campaigns=_campaigns_in(record.campaigns, year),
        needs=len(needs),
        needs_resolved=len(resolved),
        needs_overdue=len(overdue),
        need_categories=list(dict.fromkeys(n.category for n in needs)),
        reported=tuple(  # type: ignore[arg-type]
            sum(1 for m in evaluation.members if m.duty_reports.get(f"{year}{half}"))
            for half in ("H1", "H2")
        ),
        reports_overdue=len(evaluation.duty_reports_overdue),
        appraisal=evaluation.appraisal,
        ballots={
            kind: sum(sum(m.ballots.by_voter_kind[kind].values()) for m in evaluation.members)
            for kind in VoterKind
        },
        grades={g: evaluation.distribution[g] for g in Grade},
        rated=evaluation.rated,
        not_graded_probationary=sum(
            1 for m in evaluation.members if m.status == "probationary" and m.left_on is None
        ),
        low_graded=len(low),
        talks_with_low_graded=sum(len(m.talks) for m in low),
        awaiting_talk=len(evaluation.awaiting_talk),
        rewards=Counter(r.kind for m in evaluation.members for r in m.rewards),
        hardship_pairs=len(pairs),
        hardship_kinds=list(dict.fromkeys(h.kind for h in pairs)),
        assistance=sum(h.assistance_count for h in pairs),
    )


def _campaigns_in(campaigns: Campaigns, year: int) -> list[CampaignYear]:
    """Each campaign with what it achieved in the year: its counts, and who took part."""
    found = []
    for campaign in campaigns.campaigns:
        outputs = [o for o in campaign.outputs if o.recorded_on.year == year]
        if not outputs:
            continue
        tallies: Counter[str] = Counter()
        for output in outputs:
            tallies[output.metric] += output.quantity
        found.append(
            CampaignYear(
                title=campaign.title,
                members=len({m for o in outputs for m in o.member_ids}),
                volunteers=sum(o.volunteers for o in outputs),
                tallies=dict(tallies),
            )
        )
    return found


def write_summary(record: YearRecord, lang: Lang = Lang.ZH) -> Summary:
    facts = gather(record)
    return _chinese(facts) if lang is Lang.ZH else _english(facts)


# 中文 ---------------------------------------------------------------------------------


def _zh_counts(counts: Iterable[tuple[str, int]], unit: str) -> str:
    """ "社区党员5名、在职党员5名": what there is, nothing of what there is none of."""
    return "、".join(f"{name}{count}{unit}" for name, count in counts if count)


def _zh_day(day: date, year: int) -> str:
    """ "12月1日" within the year written about, "2010年1月5日" outside it."""
    return f"{'' if day.year == year else f'{day.year}年'}{day.month}月{day.day}日"


def _chinese(f: Facts) -> Summary:
    marks = "一二三四五六七八九十"
    duties = [f"（{marks[i]}）{item}" for i, item in enumerate(_zh_duties(f))]
    return Summary(
        lang=Lang.ZH,
        title=f"{f.branch}{f.year}年党员联系和服务群众工作总结",
        opening=(
            f"{f.year}年，支部组织全体党员开展联系和服务群众工作，以搭建平台、设岗定责、"
            "考核激励为抓手，推动党员在服务群众中发挥先锋模范作用。现将全年工作总结如下。"
        ),
        sections=[
            Section("一、搭建党员联系和服务群众平台", _zh_platform(f)),
            Section(
                "二、实行“设岗定责”，强化先锋作用",
                duties or [f"{f.year}年尚无设岗、联户、走访和集中活动的记录。"],
            ),
            Section("三、建立考核激励机制", _zh_incentives(f)),
            Section("四、取得的成效", _zh_results(f)),
        ],
        signature=[f.branch, _zh_day(f.written_on, 0)],
    )


def _zh_platform(f: Facts) -> list[str]:
    if f.groups:
        led = (
            "均明确了党小组组长"
            if f.groups_led == len(f.groups)
            else f"其中{f.groups_led}个已明确党小组组长"
            if f.groups_led
            else "尚未明确党小组组长"
        )
        groups = (
            f"结合社区实际，按{'、'.join(ZH['basis'][b] for b in f.bases)}设置党小组，"
            f"目前共有党小组{len(f.groups)}个（{'、'.join(f.groups)}），{led}。"
        )
    else:
        groups = "支部尚未设置党小组。"
    if f.members:
        status = (
            f"正式党员{f.members - f.probationary}名、预备党员{f.probationary}名"
            if f.probationary
            else "均为正式党员"
        )
        categories = _zh_counts(((ZH["category"][c], n) for c, n in f.by_category.items()), "名")
        members = f"支部现有党员{f.members}名，全部编入党小组，其中{categories}；{status}。"
    else:
        members = "支部目前没有在册党员。"
    if f.left_in_year:
        left = _zh_counts(((ZH["departure"][r], n) for r, n in f.left_in_year.items()), "名")
        members += f"{f.year}年内减少党员{f.left_in_year.total()}名（{left}）。"
    service = []
    if f.volunteers:
        service.append(f"发动党员成立党员义工服务队，现有队员{f.volunteers}名")
    if f.posts:
        titles = "、".join(title for title, _ in f.posts)
        service.append(f"设置党员义务服务岗{len(f.posts)}个（{titles}），为社区群众服务")
    return [groups, members, *(["；".join(service) + "。"] if service else [])]


def _zh_duties(f: Facts) -> list[str]:
    items = []
    if f.post_holders:
        items.append(
            f"无职党员设岗定责。建立无职党员服务群众岗位责任制，{f.post_holders}名无职党员"
            f"上岗服务（{_zh_counts(f.posts, '名')}），亮明党员身份、公开服务内容、承诺服务质量。"
        )
    if f.households:
        linked = (
            f"其中{f.linked}户由{f.linking_members}名党员结对联系"
            if f.linked
            else "尚无党员结对联系"
        )
        if f.linking_members:
            each = f.linked / f.linking_members
            linked += f"，平均每名党员联系{'' if each.is_integer() else '约'}{each:.0f}户"
        visits = (
            f"{f.year}年，党员入户走访{f.visits}次，走访到居民{f.visited}户。"
            if f.visits
            else f"{f.year}年尚无入户走访记录。"
        )
        items.append(f"党员联户走访。社区登记在册居民{f.households}户，{linked}。{visits}")
    if f.campaigns:
        done = "；".join(
            f"“{c.title}”，"
            + (f"党员{c.members}名、志愿者{c.volunteers}人次参加，" if c.members else "")
            + outputs_zh(c.tallies)
            for c in f.campaigns
        )
        items.append(f"开展集中活动。{f.year}年开展集中活动{len(f.campaigns)}项：{done}。")
    if f.needs:
        categories = "、".join(ZH["need_category"][c] for c in f.need_categories)
        still = f"，正在办理{f.open_needs}件" if f.open_needs else ""
        items.append(
            f"回应群众诉求。{f.year}年受理居民诉求{f.needs}件，涉及{categories}等方面，"
            f"已办结{f.needs_resolved}件{still}。"
        )
    return items


def _zh_incentives(f: Facts) -> list[str]:
    first, second = f.reported
    paragraphs = []
    if first or second or f.reports_overdue:
        paragraphs.append(
            f"联系群众的党员每半年向党员或群众代表述职一次。{f.year}年上半年{first}名、"
            f"下半年{second}名党员完成述职。"
        )
    if f.appraisal is None:
        paragraphs.append(f"{f.year}年度民主评议尚未开展。")
    else:
        opened = _zh_day(f.appraisal.opened_on, f.year)
        held = (
            f"{opened}至{_zh_day(f.appraisal.closed_on, f.year)}开展民主评议"
            if f.appraisal.closed_on
            else f"民主评议自{opened}起正在进行"
        )
        ballots = _zh_counts(
            ((ZH["voter_kind"][k] + "投票", n) for k, n in f.ballots.items()), "张"
        )
        votes = f"，共收到评议票{sum(f.ballots.values())}张（{ballots}）" if ballots else ""
        grades = _zh_counts(((ZH["grade"][g], n) for g, n in f.grades.items()), "名")
        graded = (
            f"考评分为优秀、较好、合格、基本合格、不合格五个等次，共评定党员{f.rated}名，"
            f"其中{grades}"
            + (
                f"；预备党员{f.not_graded_probationary}名不评定等次"
                if f.not_graded_probationary
                else ""
            )
            + "。"
            if f.rated
            else ""
        )
        paragraphs.append(f"年终结合民主评议一并考核。{held}{votes}。{graded}")
    incentives = []
    if f.rewards:
        rewards = _zh_counts(((ZH["reward_kind"][k], n) for k, n in f.rewards.items()), "人次")
        incentives.append(f"对表现突出的党员给予{rewards}")
    if f.talks_with_low_graded:
        incentives.append(
            f"对评为基本合格、不合格的{f.low_graded}名党员开展谈心谈话"
            f"{f.talks_with_low_graded}人次，帮助提高认识"
        )
    if incentives:
        paragraphs.append("；".join(incentives) + "。")
    if f.hardship_pairs:
        kinds = "、".join(ZH["hardship_kind"][k] for k in f.hardship_kinds)
        paragraphs.append(
            f"同时，建立困难党员结对帮扶制度，为{f.hardship_pairs}名困难党员确定帮扶人，"
            f"全年开展帮扶{f.assistance}次，帮助解决{kinds}方面的实际困难。"
        )
    return paragraphs


def _zh_results(f: Facts) -> list[str]:
    shown = []
    if f.households and f.linked:
        reach = f"登记在册居民中{f.linked / f.households:.0%}已有党员结对联系"
        if f.visits:
            reach += f"，全年走访覆盖{f.visited / f.households:.0%}的登记居民"
        if f.scheduled:
            reach += (
                f"，定有走访周期的{f.scheduled}户中{f.on_schedule}户按期走访"
                f"（{f.on_schedule / f.scheduled:.0%}）"
            )
        shown.append(f"党员联户走访落到实处，{reach}")
    if f.needs_resolved:
        shown.append(f"群众诉求有人受理、有人办理，全年诉求办结率{f.needs_resolved / f.needs:.0%}")
    if f.rated and f.members:
        team = f"{f.grades[Grade.EXCELLENT] / f.rated:.0%}的参评党员被评为优秀"
        if f.volunteers:
            team += f"，{f.volunteers / f.members:.0%}的党员加入了义工服务队"
        shown.append(f"党员先锋模范作用得到发挥，{team}")
    paragraphs = []
    if shown:
        paragraphs.append(
            "通过上述工作，支部党员联系和服务群众工作取得了一定成效。"
            + "".join(f"{'一二三'[i]}是{text}。" for i, text in enumerate(shown))
        )
    still = "全年" if f.written_on.year > f.year else "今年以来"
    households = "、".join(
        part
        for part in (
            f"{f.unvisited}户{still}未走访" if f.visits and f.unvisited else "",
            f"{f.households - f.linked}户尚未明确联系党员" if f.households > f.linked else "",
        )
        if part
    )
    gaps = "；".join(
        part
        for part in (
            f"登记在册居民中还有{households}" if households else "",
            f"{f.needs_overdue}件群众诉求逾期未办结" if f.needs_overdue else "",
            f"述职逾期{f.reports_overdue}人次" if f.reports_overdue else "",
            f"{f.awaiting_talk}名评为基本合格、不合格的党员尚未谈心谈话" if f.awaiting_talk else "",
        )
        if part
    )
    paragraphs.append(
        (f"同时也要看到，工作中还存在一些不足：{gaps}。" if gaps else "")
        + "下一步，支部将进一步健全党员联系和服务群众的长效机制，"
        "做到联系全覆盖、走访常态化、诉求件件有回音。"
    )
    return paragraphs


# English ----------------------------------------------------------------------------


def _en(count: int, noun: str, plural: str = "") -> str:
    """ "1 visit", "2 visits"."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _en_counts(counts: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{count} {name.lower()}" for name, count in counts if count)


def _english(f: Facts) -> Summary:
    return Summary(
        lang=Lang.EN,
        title=f"{f.branch}: work summary {f.year}, Party members' liaison with residents",
        opening=(
            f"In {f.year} the branch had all its members keep in close contact with the "
            "residents they serve, through a platform of groups and service posts, posts "
            "with duties, and evaluation with incentives. This is the year's summary."
        ),
        sections=[
            Section("1. Building the platform", _en_platform(f)),
            Section("2. Posts with duties: members lead by example", _en_duties(f)),
            Section("3. Evaluation and incentives", _en_incentives(f)),
            Section("4. Results", _en_results(f)),
        ],
        signature=[f.branch, f"{f.written_on.day} {f.written_on:%B %Y}"],
    )


def _en_platform(f: Facts) -> list[str]:
    paragraphs = []
    if f.groups:
        bases = ", ".join(EN["basis"][b].lower() for b in f.bases)
        paragraphs.append(
            f"Members are organised by {bases} into {_en(len(f.groups), 'Party group')} "
            f"({', '.join(f.groups)}); {f.groups_led} of them have a leader."
        )
    if f.members:
        categories = _en_counts((EN["category"][c], n) for c, n in f.by_category.items())
        left = ""
        if f.left_in_year:
            left = f" {_en(f.left_in_year.total(), 'member')} left in {f.year}."
        paragraphs.append(
            f"The branch has {_en(f.members, 'member')}, every one in a group: {categories}; "
            f"{f.members - f.probationary} full and {f.probationary} probationary.{left}"
        )
    if f.volunteers or f.posts:
        titles = ", ".join(title for title, _ in f.posts)
        paragraphs.append(
            f"The volunteer service team has {_en(f.volunteers, 'member')}; the branch has set "
            f"up {_en(len(f.posts), 'volunteer service post')}{f' ({titles})' if titles else ''}."
        )
    return paragraphs or ["The branch has no groups or members yet."]


def _en_duties(f: Facts) -> list[str]:
    paragraphs = []
    if f.post_holders:
        paragraphs.append(
            f"{_en(f.post_holders, 'member')} without office hold a post, showing their "
            "identity, publishing what they serve and pledging its quality."
        )
    if f.households:
        each = f" (about {f.linked / f.linking_members:.0f} each)" if f.linking_members else ""
        paragraphs.append(
            f"Of {_en(f.households, 'registered household')}, {f.linked} are linked to one of "
            f"{_en(f.linking_members, 'member')}{each}. In {f.year} members made "
            f"{_en(f.visits, 'visit')}, reaching {_en(f.visited, 'household')}."
        )
    paragraphs += [
        f"Campaign “{c.title}”: {outputs_en(c.tallies)}"
        + (f"; {_en(c.members, 'member')}, {c.volunteers} volunteer turns." if c.members else ".")
        for c in f.campaigns
    ]
    if f.needs:
        paragraphs.append(
            f"Residents raised {_en(f.needs, 'request')} in {f.year}: {f.needs_resolved} "
            f"resolved, {f.open_needs} still open."
        )
    return paragraphs or [f"Nothing of posts, linking, visits or campaigns recorded in {f.year}."]


def _en_incentives(f: Facts) -> list[str]:
    first, second = f.reported
    paragraphs = []
    if first or second or f.reports_overdue:
        paragraphs.append(
            "Members who link households report on their duties every half year: "
            f"{first} reported for the first half of {f.year}, {second} for the second."
        )
    if f.appraisal is None:
        paragraphs.append(f"The democratic appraisal of {f.year} has not been opened.")
    else:
        ballots = _en_counts((f"from {EN['voter_kind'][k]}", n) for k, n in f.ballots.items())
        grades = _en_counts((EN["grade"][g], n) for g, n in f.grades.items())
        paragraphs.append(
            f"The democratic appraisal received {_en(sum(f.ballots.values()), 'ballot')}"
            f"{f' ({ballots})' if ballots else ''}. {_en(f.rated, 'member')} graded"
            f"{f' ({grades})' if grades else ''}; probationary members "
            f"({f.not_graded_probationary}) are not graded."
        )
    care = [
        f"{_en(f.rewards.total(), 'reward')} granted" if f.rewards else "",
        f"{_en(f.talks_with_low_graded, 'heart-to-heart talk')} with the "
        f"{_en(f.low_graded, 'member')} graded basically qualified or unqualified"
        if f.talks_with_low_graded
        else "",
        f"{_en(f.hardship_pairs, 'member')} in hardship paired with a helper, helped "
        f"{_en(f.assistance, 'time')}"
        if f.hardship_pairs
        else "",
    ]
    if any(care):
        paragraphs.append(_en_sentence(c for c in care if c))
    return paragraphs


def _en_results(f: Facts) -> list[str]:
    shown = []
    if f.households:
        shown.append(
            f"{f.linked / f.households:.0%} of registered households are linked to a member "
            f"and {f.visited / f.households:.0%} were visited in {f.year}"
        )
    if f.scheduled:
        shown.append(
            f"{f.on_schedule} of the {_en(f.scheduled, 'household')} with a visit schedule "
            f"({f.on_schedule / f.scheduled:.0%}) were visited on schedule"
        )
    if f.needs:
        shown.append(f"{f.needs_resolved / f.needs:.0%} of the year's requests are resolved")
    if f.rated:
        shown.append(f"{f.grades[Grade.EXCELLENT] / f.rated:.0%} of those graded are excellent")
    gaps = [
        f"{_en(f.unvisited, 'household')} not visited" if f.visits and f.unvisited else "",
        f"{_en(f.households - f.linked, 'household')} without a linked member"
        if f.households > f.linked
        else "",
        f"{_en(f.needs_overdue, 'request')} overdue" if f.needs_overdue else "",
        f"{_en(f.reports_overdue, 'duty report')} overdue" if f.reports_overdue else "",
        f"{_en(f.awaiting_talk, 'member')} awaiting a talk" if f.awaiting_talk else "",
    ]
    paragraphs = [_en_sentence(shown)] if shown else ["Nothing recorded yet to measure."]
    if any(gaps):
        paragraphs.append("Still to do: " + ", ".join(g for g in gaps if g) + ".")
    return paragraphs


def _en_sentence(clauses: Iterable[str]) -> str:
    text = "; ".join(clauses)
    return text[:1].upper() + text[1:] + "."
