"""The year-end work summary (工作总结), written from the record in the structure of
the branch's own summary: the platform, posts and duties, linking and visits,
campaigns, evaluation and incentives, results. Chinese first; every number comes
from the read models for that year. Rendered as Markdown or as a Word document."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from services.projection.api import schemas as s
from services.projection.i18n import ZH, metric_phrase
from shared.contract.vocabulary import Grade, MemberCategory, VoterKind


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Summary:
    title: str
    subtitle: str
    sections: list[Section]

    def markdown(self) -> str:
        lines = [f"# {self.title}", "", f"*{self.subtitle}*", ""]
        for section in self.sections:
            lines += [f"## {section.heading}", ""]
            lines += [f"{paragraph}\n" for paragraph in section.paragraphs]
        return "\n".join(lines)

    def docx(self) -> bytes:
        document = Document()
        normal = document.styles["Normal"]
        normal.font.size = Pt(12)
        normal.font.name = "SimSun"
        # Word needs the East Asian font named too, or it falls back to one without 汉字.
        normal.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
        document.add_heading(self.title, level=0)
        document.add_paragraph().add_run(self.subtitle).italic = True
        for section in self.sections:
            document.add_heading(section.heading, level=1)
            for paragraph in section.paragraphs:
                document.add_paragraph(paragraph)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


@dataclass(frozen=True)
class YearRecord:
    year: int
    roster: s.Roster
    posts: s.PostsBoard
    coverage: s.Coverage
    campaigns: s.Campaigns
    needs: s.Needs
    evaluations: s.Evaluations


def _count_list(counts: dict[str, int], names: dict[str, str], unit: str) -> str:
    return "、".join(f"{names[key]}{value}{unit}" for key, value in counts.items())


def write_summary(record: YearRecord) -> Summary:
    year = record.year
    roster, posts, coverage = record.roster, record.posts, record.coverage
    evaluation = record.evaluations
    totals = roster.totals
    holders = sum(len(post.holders) for post in posts.posts)
    leaders = sum(1 for group in roster.groups if group.leader_id)

    platform = Section(
        "一、搭建党员联系和服务群众平台（Building the platform）",
        [
            f"按居住相近、从业相似、特点相近等合理设置党小组，目前共成立党小组{len(roster.groups)}个"
            f"（{'、'.join(group.name for group in roster.groups)}），"
            f"{leaders}个党小组明确了党小组组长。",
            f"将社区内各类党员{totals.members}名编入党小组："
            + _count_list(
                {c.value: totals.by_category[c.value] for c in MemberCategory}, ZH["category"], "名"
            )
            + f"；其中正式党员{totals.by_status['full']}名、"
            f"预备党员{totals.by_status['probationary']}名。",
            f"党员义工服务队现有队员{len(roster.volunteer_team)}名。",
            f"设置党员义务服务岗{len(posts.posts)}个（"
            + "、".join(f"{p.title}（{ZH['post_kind'][p.kind]}）" for p in posts.posts)
            + f"），共有{holders}名党员上岗服务。",
        ],
    )

    year_outputs = _outputs_in(record.campaigns, year)
    campaign_lines = [
        f"「{title}」：" + "、".join(metric_phrase(m, q) for m, q in tallies.items()) + "。"
        for title, tallies in year_outputs.items()
        if tallies
    ]
    needs_in_year = [n for n in record.needs.needs if n.raised_on.year == year]
    resolved = sum(1 for n in needs_in_year if n.resolved_on is not None)
    overdue = sum(1 for n in needs_in_year if n.overdue)
    linking_members = sum(1 for m in coverage.members if m.linked)
    duties = Section(
        "二、实行“设岗定责”，强化先锋作用（Posts with duties, linking and visits）",
        [
            f"建立无职党员服务群众岗位责任制，{holders}名党员在{len(posts.posts)}个岗位上"
            "亮明身份、公开服务内容、承诺服务质量。",
            f"党员联户：登记居民{coverage.households}户，其中{coverage.linked}户由"
            f"{linking_members}名党员联系。{year}年走访居民{coverage.visited}户、"
            f"{coverage.visits}人次，走访覆盖率{coverage.coverage:.0%}。",
            *(campaign_lines or [f"{year}年未记录集中活动。"]),
            f"群众诉求：{year}年受理{len(needs_in_year)}件，办结{resolved}件，"
            f"在办{len(needs_in_year) - resolved}件（其中逾期{overdue}件）。",
        ],
    )

    ballots: Counter[str] = Counter()
    for member in evaluation.members:
        for kind in VoterKind:
            ballots[kind.value] += sum(member.ballots.by_voter_kind[kind].values())
    reported = {
        half: sum(1 for m in evaluation.members if m.duty_reports.get(f"{year}{half}"))
        for half in ("H1", "H2")
    }
    talks = sum(len(m.talks) for m in evaluation.members)
    rewards = sum(len(m.rewards) for m in evaluation.members)
    pairs = [h for h in roster.hardships if h.flagged_on.year <= year and h.helper_id]
    assistance = sum(h.assistance_count for h in pairs)
    incentives = Section(
        "三、建立考核激励机制（Evaluation and incentives）",
        [
            f"联系群众的党员每半年述职一次：上半年{reported['H1']}人、下半年{reported['H2']}人完成述职"
            f"（逾期未述职{len(evaluation.duty_reports_overdue)}人次）。",
            f"年终结合民主评议一并考核，共收到评议票{sum(ballots.values())}张"
            f"（党员{ballots['member']}张、群众代表{ballots['mass_representative']}张）。",
            "考评等次："
            + _count_list({g.value: evaluation.distribution[g] for g in Grade}, ZH["grade"], "名")
            + f"，共评定{evaluation.rated}名；预备党员参加评议、不评定等次。",
            f"对基本合格、不合格党员开展谈心谈话{talks}人次，给予奖励{rewards}人次；"
            f"困难党员结对帮扶{len(pairs)}对，开展帮扶{assistance}次。",
        ],
    )

    results = Section(
        "四、取得的成效（Results）",
        [
            f"全年走访居民{coverage.visits}人次，覆盖已登记居民的{coverage.coverage:.0%}；"
            f"办结群众诉求{resolved}件；{len(roster.groups)}个党小组、{totals.members}名党员"
            "在不同岗位上发挥先锋模范作用，党群干群关系进一步密切。",
        ],
    )
    return Summary(
        title=f"{roster.name}{year}年党员联系和服务群众工作总结",
        subtitle=f"Year-end work summary of {roster.name}, {year} — written from the record "
        f"on {date.today():%Y-%m-%d}",
        sections=[platform, duties, incentives, results],
    )


def _outputs_in(campaigns: s.Campaigns, year: int) -> dict[str, dict[str, int]]:
    tallies: dict[str, dict[str, int]] = {}
    for campaign in campaigns.campaigns:
        counts: Counter[str] = Counter()
        for output in campaign.outputs:
            if output.recorded_on.year == year:
                counts[output.metric] += output.quantity
        tallies[campaign.title] = dict(counts)
    return tallies
