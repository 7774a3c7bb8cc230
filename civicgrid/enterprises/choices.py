from django.db import models
from django.utils.translation import gettext_lazy as _


class ParkTheme(models.TextChoices):
    CORE = "core", _("核心区")  # the zone's core area
    FINE_CHEMICALS = "fine_chemicals", _("精细化工(芳烃基地)")
    METAL_MATERIALS = "metal_materials", _("金属材料")
    EQUIPMENT = "equipment", _("装备制造及汽车零部件")
    DIGITAL = "digital", _("数字经济")
    AGRI_PROCESSING = "agri_processing", _("农产品加工")
    DAILY_CHEMICALS = "daily_chemicals", _("日用化工")


class Ownership(models.TextChoices):
    DOMESTIC = "domestic", _("内资")
    JOINT_VENTURE = "joint_venture", _("合资")
    FOREIGN = "foreign", _("外资")


class Currency(models.TextChoices):
    CNY = "CNY", _("人民币")
    USD = "USD", _("美元")
    EUR = "EUR", _("欧元")
    JPY = "JPY", _("日元")
    HKD = "HKD", _("港元")


class HighTechField(models.TextChoices):
    """《国家重点支持的高新技术领域》 (2016): the 8 fields."""

    ELECTRONIC_INFORMATION = "electronic_information", _("电子信息")
    BIO_MEDICINE = "bio_medicine", _("生物与新医药")
    AEROSPACE = "aerospace", _("航空航天")
    NEW_MATERIALS = "new_materials", _("新材料")
    HIGH_TECH_SERVICES = "high_tech_services", _("高技术服务")
    NEW_ENERGY = "new_energy", _("新能源与节能")
    RESOURCES_ENVIRONMENT = "resources_environment", _("资源与环境")
    ADVANCED_MANUFACTURING = "advanced_manufacturing", _("先进制造与自动化")


class SizeClass(models.TextChoices):
    """工信部联企业〔2011〕300号 as computed by sizeclass.size_class from staff and revenue."""

    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class ListingBoard(models.TextChoices):
    NONE = "", _("未上市")
    MAIN = "main_board", _("主板")  # 沪深主板
    CHINEXT = "chinext", _("创业板")
    STAR = "star", _("科创板")
    BSE = "bse", _("北交所")
    NEEQ = "neeq", _("新三板")  # quoted, not listed


class Exchange(models.TextChoices):
    NONE = "", _("—")
    SSE = "SSE", _("上海证券交易所")
    SZSE = "SZSE", _("深圳证券交易所")
    BSE = "BSE", _("北京证券交易所")
    NEEQ = "NEEQ", _("全国中小企业股份转让系统")
    HKEX = "HKEX", _("香港联合交易所")


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("存续")
    MOVED_OUT = "moved_out", _("迁出")
    DEREGISTERED = "deregistered", _("注销")


class QualificationLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


class QualificationStatus(models.TextChoices):
    APPLYING = "applying", _("申报中")
    PUBLICISED = "publicised", _("公示中")
    RECOGNISED = "recognised", _("已认定")  # the only status that counts as holding the qualification
    UNDER_REVIEW = "under_review", _("复核中")  # recognised, being re-examined: still held
    REVOKED = "revoked", _("已撤销")


HELD_STATUSES = (QualificationStatus.RECOGNISED, QualificationStatus.UNDER_REVIEW)


class PatentKind(models.TextChoices):
    """The kinds patentno.validate knows."""

    INVENTION = "invention", _("发明专利")
    UTILITY_MODEL = "utility_model", _("实用新型")
    DESIGN = "design", _("外观设计")
    SOFTWARE_COPYRIGHT = "software_copyright", _("软件著作权")
    IC_LAYOUT = "ic_layout", _("集成电路布图设计")


class PatentStatus(models.TextChoices):
    VALID = "valid", _("有效")
    LAPSED = "lapsed", _("失效(未缴年费)")
    EXPIRED = "expired", _("期满终止")
    TRANSFERRED = "transferred", _("已转让")


class IpClass(models.TextChoices):
    """高企 rule: I 类 (invention, IC layout, new plant variety …), II 类 (utility model, design, software)."""

    I = "I", _("Ⅰ类")  # noqa: E741
    II = "II", _("Ⅱ类")


DEFAULT_IP_CLASS = {
    PatentKind.INVENTION: IpClass.I, PatentKind.IC_LAYOUT: IpClass.I, PatentKind.UTILITY_MODEL: IpClass.II,
    PatentKind.DESIGN: IpClass.II, PatentKind.SOFTWARE_COPYRIGHT: IpClass.II,
}


class ApprovalMode(models.TextChoices):
    ONLINE = "online", _("全程网办")
    OFFLINE = "offline", _("窗口办理")
    BOTH = "both", _("网办或窗口")


class PrecheckStatus(models.TextChoices):
    ELIGIBLE = "eligible", _("符合条件")
    LIKELY = "likely", _("基本符合,待人工判断")
    UNKNOWN = "unknown", _("数据不全")
    NOT_ELIGIBLE = "not_eligible", _("暂不符合")
