"""The branch's vocabulary. Values are API and storage values: never rename one."""

from enum import StrEnum


class GroupBasis(StrEnum):
    """Why a Party group (党小组) was formed as it was."""

    RESIDENCE = "residence"  # 居住相近
    OCCUPATION = "occupation"  # 从业相似
    TRAIT = "trait"  # 特点相近


class MemberCategory(StrEnum):
    COMMUNITY = "community"  # 社区党员
    IN_SERVICE = "in_service"  # 在职党员
    RETIRED = "retired"  # 离退休党员
    UNEMPLOYED = "unemployed"  # 下岗失业党员
    MOBILE = "mobile"  # 流动党员


class MembershipStatus(StrEnum):
    FULL = "full"  # 正式党员
    PROBATIONARY = "probationary"  # 预备党员


class PostKind(StrEnum):
    """Volunteer service posts (党员义务服务岗)."""

    POLICY_PUBLICITY = "policy_publicity"  # 政策宣传
    POVERTY_RELIEF = "poverty_relief"  # 扶贫帮困
    EMPLOYMENT_ADVICE = "employment_advice"  # 就业咨询
    OTHER = "other"


class Grade(StrEnum):
    """The five year-end grades, best first."""

    EXCELLENT = "excellent"  # 优秀
    GOOD = "good"  # 较好
    QUALIFIED = "qualified"  # 合格
    BASICALLY_QUALIFIED = "basically_qualified"  # 基本合格
    UNQUALIFIED = "unqualified"  # 不合格


class DepartureReason(StrEnum):
    MOVED_AWAY = "moved_away"  # 迁出
    TRANSFERRED_OUT = "transferred_out"  # 组织关系转出
    DECEASED = "deceased"  # 去世
    OTHER = "other"


class ReportAudience(StrEnum):
    """Whom a duty report (述职) was given to."""

    MEMBERS = "members"  # 党员
    MASS_REPRESENTATIVES = "mass_representatives"  # 群众代表


class VoterKind(StrEnum):
    """Who cast an appraisal ballot: the ballot records the kind, never the person."""

    MEMBER = "member"
    MASS_REPRESENTATIVE = "mass_representative"


class NeedCategory(StrEnum):
    """What a resident's request (诉求) is about."""

    LIVING = "living"
    MEDICAL = "medical"
    EMPLOYMENT = "employment"
    SCHOOLING = "schooling"
    HOUSING = "housing"
    ENVIRONMENT = "environment"
    POLICY = "policy"
    OTHER = "other"


class RewardKind(StrEnum):
    SPIRITUAL = "spiritual"  # 精神奖励
    MATERIAL = "material"  # 物质奖励


class HardshipKind(StrEnum):
    """What a member in hardship (困难党员) needs help with."""

    EMPLOYMENT = "employment"  # 就业
    MEDICAL = "medical"  # 就医
    SCHOOLING = "schooling"  # 就学
    LIVING = "living"  # 生活
