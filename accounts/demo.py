"""Demo reference data and accounts for `manage.py seed_demo`: Linxia Hui Autonomous Prefecture.

Everything is keyed by a stable code or name, so running it twice leaves the same data.
"""

from dataclasses import dataclass

from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import Industry, Organization, Region, User

PREFECTURE = ("622900", "临夏回族自治州", "Linxia Hui Autonomous Prefecture")
# GB/T 2260 division codes of the eight county-level divisions.
COUNTIES = [
    ("622901", "临夏市", "Linxia City"),
    ("622921", "临夏县", "Linxia County"),
    ("622922", "康乐县", "Kangle County"),
    ("622923", "永靖县", "Yongjing County"),
    ("622924", "广河县", "Guanghe County"),
    ("622925", "和政县", "Hezheng County"),
    ("622926", "东乡族自治县", "Dongxiang Autonomous County"),
    ("622927", "积石山保安族东乡族撒拉族自治县", "Jishishan Autonomous County"),
]

INDUSTRIES = [
    ("government", "党政机关", "Government agencies"),
    ("public_institution", "事业单位", "Public institutions"),
    ("education", "教育", "Education"),
    ("healthcare", "医疗卫生", "Healthcare"),
    ("mining", "矿山", "Mining"),
    ("hazardous_chemicals", "危险化学品", "Hazardous chemicals"),
    ("construction", "建筑施工", "Construction"),
    ("transport", "道路交通运输", "Road transport"),
    ("manufacturing", "工贸制造", "Industry and trade"),
    ("commerce", "商贸服务", "Commerce and services"),
    ("energy", "电力能源", "Power and energy"),
    ("other", "其他", "Other"),
]

# Per county: (unit name suffix, industry code, headcount target). The targets are sized to the
# demo crowd of web/demo.py (about 140 people, up to nine per unit), not to real staff numbers, so
# that the demo shows a spread: about a third of the units above the usual 60 % goal, the rest
# lagging, the quicker counties near 65 % and the slowest under 20 %.
UNIT_TEMPLATES = [
    ("应急管理局", "government", 8),
    ("第一中学", "education", 12),
    ("人民医院", "healthcare", 10),
    ("建筑工程有限公司", "construction", 6),
    ("交通运输公司", "transport", 5),
]

DEMO_PASSWORD = "Safety@2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    county_code: str | None
    unit_index: int | None = None


DEMO_ACCOUNTS = [
    DemoAccount("admin", "平台管理员", User.Role.ADMIN, None),
    DemoAccount("organizer_prefecture", "临夏州应急管理局", User.Role.ORGANIZER, PREFECTURE[0]),
    DemoAccount("organizer_linxia", "临夏市应急管理局", User.Role.ORGANIZER, "622901"),
    DemoAccount("zhangsan", "张三", User.Role.PARTICIPANT, "622901", 0),
    DemoAccount("lisi", "李四", User.Role.PARTICIPANT, "622901", 1),
    DemoAccount("wangwu", "王五", User.Role.PARTICIPANT, "622926", 3),
    DemoAccount("maliu", "马六", User.Role.PARTICIPANT, "622923", 2),
]


def seed_regions() -> list[Region]:
    prefecture, _ = Region.objects.update_or_create(
        code=PREFECTURE[0],
        defaults={
            "name_zh": PREFECTURE[1],
            "name_en": PREFECTURE[2],
            "level": Region.Level.PREFECTURE,
            "parent": None,
        },
    )
    counties = []
    for order, (code, name_zh, name_en) in enumerate(COUNTIES):
        county, _ = Region.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "level": Region.Level.COUNTY,
                "parent": prefecture,
                "sort_order": order,
            },
        )
        counties.append(county)
    return counties


def seed_industries() -> None:
    for order, (code, name_zh, name_en) in enumerate(INDUSTRIES):
        Industry.objects.update_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en, "sort_order": order}
        )


def seed_units(counties: list[Region]) -> None:
    industries = {i.code: i for i in Industry.objects.all()}
    for county in counties:
        # Short county name for unit names: 临夏市应急管理局, 东乡族自治县第一中学 ...
        for suffix, industry_code, target in UNIT_TEMPLATES:
            Organization.objects.update_or_create(
                region=county,
                name=f"{county.name_zh}{suffix}",
                defaults={"industry": industries[industry_code], "headcount_target": target},
            )


def seed_accounts() -> list[tuple[str, str, str]]:
    """Create the demo accounts once (passwords are set only on creation); return their credentials."""
    credentials = []
    for account in DEMO_ACCOUNTS:
        county = Region.objects.get(code=account.county_code) if account.county_code else None
        unit = None
        if county is not None and account.unit_index is not None:
            unit = Organization.objects.filter(region=county).order_by("id")[account.unit_index]
        user, created = User.objects.get_or_create(username=account.username)
        user.display_name = account.display_name
        user.role = account.role
        user.is_staff = account.role == User.Role.ADMIN
        user.is_superuser = account.role == User.Role.ADMIN
        user.region = county if account.role == User.Role.PARTICIPANT else None
        user.organization = unit
        user.industry = unit.industry if unit else None
        user.scope_region = county if account.role == User.Role.ORGANIZER else None
        if created:
            user.set_password(DEMO_PASSWORD)
        user.save()
        Token.objects.get_or_create(user=user)
        credentials.append((account.username, DEMO_PASSWORD, user.get_role_display()))
    return credentials


@transaction.atomic
def seed_accounts_data() -> list[tuple[str, str, str]]:
    """Regions, industries, units and demo accounts; returns (username, password, role) rows."""
    counties = seed_regions()
    seed_industries()
    seed_units(counties)
    return seed_accounts()
