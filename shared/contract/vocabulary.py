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
