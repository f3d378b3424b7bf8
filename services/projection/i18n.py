"""The names of the branch's vocabulary in Chinese (first) and English, for the
dashboard, the ledgers and the year-end summary. One place, so they never disagree."""

from __future__ import annotations

ZH: dict[str, dict[str, str]] = {
    "category": {
        "community": "社区党员",
        "in_service": "在职党员",
        "retired": "离退休党员",
        "unemployed": "下岗失业党员",
        "mobile": "流动党员",
    },
    "status": {"full": "正式党员", "probationary": "预备党员"},
    "basis": {"residence": "居住相近", "occupation": "从业相似", "trait": "特点相近"},
    "post_kind": {
        "policy_publicity": "政策宣传",
        "poverty_relief": "扶贫帮困",
        "employment_advice": "就业咨询",
        "other": "其他",
    },
    "grade": {
        "excellent": "优秀",
        "good": "较好",
        "qualified": "合格",
        "basically_qualified": "基本合格",
        "unqualified": "不合格",
    },
    # Why a member of the year has no grade.
    "ungraded": {"probationary": "预备党员不参评", "left": "已离开", "pending": "未评定"},
    "departure": {
        "moved_away": "迁出",
        "transferred_out": "组织关系转出",
        "deceased": "去世",
        "other": "其他",
    },
    "need_category": {
        "living": "生活",
        "medical": "就医",
        "employment": "就业",
        "schooling": "就学",
        "housing": "住房",
        "environment": "环境",
        "policy": "政策",
        "other": "其他",
    },
    "metric": {
        "alleys_cleared": "清理巷道（条）",
        "hutongs_cleared": "清理胡同（条）",
        "rubbish_heaps_cleared": "清理垃圾堆（个）",
        "leaflets_distributed": "发放宣传单（份）",
        "households_visited": "入户走访（户次）",
    },
    "voter_kind": {"member": "党员", "mass_representative": "群众代表"},
    "reward_kind": {"spiritual": "精神奖励", "material": "物质奖励"},
    "hardship_kind": {
        "employment": "就业",
        "medical": "就医",
        "schooling": "就学",
        "living": "生活",
    },
}

EN: dict[str, dict[str, str]] = {
    "category": {
        "community": "Community",
        "in_service": "In service",
        "retired": "Retired",
        "unemployed": "Laid-off / unemployed",
        "mobile": "Mobile",
    },
    "status": {"full": "Full member", "probationary": "Probationary"},
    "basis": {"residence": "Residence", "occupation": "Occupation", "trait": "Shared traits"},
    "post_kind": {
        "policy_publicity": "Policy publicity",
        "poverty_relief": "Poverty relief",
        "employment_advice": "Employment advice",
        "other": "Other",
    },
    "grade": {
        "excellent": "Excellent",
        "good": "Good",
        "qualified": "Qualified",
        "basically_qualified": "Basically qualified",
        "unqualified": "Unqualified",
    },
    "ungraded": {
        "probationary": "Probationary: not graded",
        "left": "Left the branch",
        "pending": "Not graded yet",
    },
    "departure": {
        "moved_away": "Moved away",
        "transferred_out": "Transferred out",
        "deceased": "Deceased",
        "other": "Other",
    },
    "need_category": {
        "living": "Daily living",
        "medical": "Medical",
        "employment": "Employment",
        "schooling": "Schooling",
        "housing": "Housing",
        "environment": "Environment",
        "policy": "Policy",
        "other": "Other",
    },
    "metric": {
        "alleys_cleared": "Alleys cleared",
        "hutongs_cleared": "Hutongs cleared",
        "rubbish_heaps_cleared": "Rubbish heaps cleared",
        "leaflets_distributed": "Leaflets handed out",
        "households_visited": "Household visits",
    },
    "voter_kind": {"member": "Members", "mass_representative": "Mass representatives"},
    "reward_kind": {"spiritual": "Spiritual", "material": "Material"},
    "hardship_kind": {
        "employment": "Employment",
        "medical": "Medical care",
        "schooling": "Schooling",
        "living": "Daily living",
    },
}


# How the summary states a campaign's count: a verb and its object, so that counts with
# one verb read as one phrase (清理巷道22条、胡同3条、垃圾堆3个).
METRIC_PHRASES = {
    "alleys_cleared": ("清理", "巷道{}条", "{} alleys cleared"),
    "hutongs_cleared": ("清理", "胡同{}条", "{} hutongs cleared"),
    "rubbish_heaps_cleared": ("清理", "垃圾堆{}个", "{} rubbish heaps cleared"),
    "leaflets_distributed": ("发放", "宣传单{}份", "{} leaflets handed out"),
    "households_visited": ("入户走访", "{}户次", "{} household visits"),
}


def outputs_zh(tallies: dict[str, int]) -> str:
    """{"alleys_cleared": 22, "hutongs_cleared": 3} -> "清理巷道22条、胡同3条"."""
    phrases: list[tuple[str, list[str]]] = []
    for metric, quantity in tallies.items():
        verb, thing, _ = METRIC_PHRASES.get(metric, ("", f"{metric}{{}}", ""))
        if phrases and phrases[-1][0] == verb:
            phrases[-1][1].append(thing.format(quantity))
        else:
            phrases.append((verb, [thing.format(quantity)]))
    return "，".join(verb + "、".join(things) for verb, things in phrases)


def outputs_en(tallies: dict[str, int]) -> str:
    """{"alleys_cleared": 22} -> "22 alleys cleared"."""
    return ", ".join(
        METRIC_PHRASES.get(metric, ("", "", f"{metric}: {{}}"))[2].format(quantity)
        for metric, quantity in tallies.items()
    )
