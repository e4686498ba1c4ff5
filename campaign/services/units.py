"""Importing units (organizations) in bulk from .xlsx/.csv, all or nothing, every error reported.

Reading, limits, encodings and header names are core/tabular/'s job (shared with the question
bank import); this module knows what the unit columns mean. A unit is identified by its county
(or township) and name: a row naming an existing unit updates it.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.models import Industry, Organization, Region
from campaign.services.invites import invites_ensure
from core.exceptions import ApplicationError
from core.tabular import CSV, XLSX, Column, ErrorList, read_table, resolve_header, write_csv, write_xlsx

UNIT_COLUMNS = [
    Column(
        "name",
        ("单位名称", "单位", "名称", "单位全称", "unit", "unit name", "organization", "organisation"),
        required=True,
        label=gettext_lazy("Unit name"),
    ),
    Column(
        "county",
        ("县区", "所属县区", "县（市、区）", "县市区", "区县", "县", "所属地区", "地区", "county", "region"),
        required=True,
        label=gettext_lazy("County"),
    ),
    Column(
        "industry",
        ("行业", "所属行业", "行业类别", "行业分类", "industry"),
        required=True,
        label=gettext_lazy("Industry"),
    ),
    Column(
        "headcount_target",
        (
            "目标人数",
            "应参与人数",
            "应参加人数",
            "参与目标",
            "职工人数",
            "人数",
            "headcount",
            "target",
            "headcount target",
        ),
        required=True,
        label=gettext_lazy("Headcount target"),
    ),
    Column(
        "contact_name",
        ("联系人", "联系人姓名", "contact", "contact name", "contact person"),
        label=gettext_lazy("Contact"),
    ),
    Column(
        "contact_phone",
        ("联系电话", "联系人电话", "联系方式", "电话", "手机", "手机号", "phone", "contact phone"),
        label=gettext_lazy("Contact phone"),
    ),
]
IGNORED_COLUMNS = ["序号", "编号", "No", "备注", "remark", "remarks", "note"]

TEMPLATE_HEADER = ["单位名称", "县区", "行业", "目标人数", "联系人", "联系电话"]
MAX_TARGET = 1_000_000
_PHONE_CHARS_RE = re.compile(r"^[0-9+()（）\-\s转]{5,20}$")
_PHONE_SEPARATORS_RE = re.compile(r"[\s\-]")


@dataclass
class UnitImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    rows: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "rows": self.rows,
        }


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


def _lookup(objects, *names) -> dict[str, list]:
    """Name (any of the given attributes, normalised) -> matching objects; ambiguity stays visible."""
    table: dict[str, list] = {}
    for obj in objects:
        for attr in names:
            value = getattr(obj, attr)
            if value:
                bucket = table.setdefault(_key(value), [])
                if obj not in bucket:
                    bucket.append(obj)
    return table


def _target(raw: str) -> int | None:
    text = unicodedata.normalize("NFKC", raw or "").strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if value != value.to_integral_value() or value < 0 or value > MAX_TARGET:
        return None
    return int(value)


def _phone(raw: str) -> str | None:
    """A contact phone as stored: a mobile number without separators, other numbers as typed;
    None when it is not a phone number at all."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return ""
    if not _PHONE_CHARS_RE.match(text):
        return None
    compact = _PHONE_SEPARATORS_RE.sub("", text)
    if re.fullmatch(r"(\+?86)?1[3-9]\d{9}", compact):
        return compact[-11:]
    return text


def unit_import(*, file: IO[bytes] | bytes, filename: str, dry_run: bool = False) -> UnitImportResult:
    """Create or update units from an uploaded sheet (columns: name, county, industry, headcount
    target, contact name, contact phone; English or Chinese headers, any order).

    Every problem in every row is collected and raised at once as ApplicationError
    (code "invalid_rows", errors [{row, column, message}]); then nothing is written. With
    `dry_run` nothing is written either, and the answer says what would happen to each row.
    """
    table = read_table(file=file, filename=filename)
    header = resolve_header(
        table.header, columns=UNIT_COLUMNS, ignore=IGNORED_COLUMNS, header_row=table.header_row
    )
    column_name = {c.key: header.name(c.key, str(c.label)) for c in UNIT_COLUMNS}

    regions = _lookup(Region.objects.exclude(level=Region.Level.PREFECTURE), "name_zh", "name_en", "code")
    industries = _lookup(Industry.objects.all(), "code", "name_zh", "name_en")
    existing = {(o.region_id, _key(o.name)): o for o in Organization.objects.all()}
    industry_names = "、".join(i.name_zh for i in Industry.objects.all())

    errors = ErrorList()
    seen: dict[tuple[int, str], int] = {}
    planned: list[tuple[int, Organization | None, dict[str, Any]]] = []
    for row in table.rows:
        cell = {key: row.get(header.index.get(key)).strip() for key in column_name}

        def problem(key: str, message: str, row=row) -> None:
            errors.add(row=row.number, column=column_name[key], message=message)

        name = unicodedata.normalize("NFKC", cell["name"]).strip()
        if not name:
            problem("name", _("The unit name is empty."))
        elif len(name) > 200:
            problem("name", _("The unit name is longer than 200 characters."))

        region = None
        matches = regions.get(_key(cell["county"]), [])
        if not cell["county"]:
            problem("county", _("The county is empty."))
        elif not matches:
            problem("county", _("No county or township is called “%(value)s”.") % {"value": cell["county"]})
        elif len(matches) > 1:
            problem(
                "county",
                _("“%(value)s” names several regions; use the region code (%(codes)s).")
                % {"value": cell["county"], "codes": ", ".join(r.code for r in matches)},
            )
        else:
            region = matches[0]

        industry = None
        industry_matches = industries.get(_key(cell["industry"]), [])
        if not cell["industry"]:
            problem("industry", _("The industry is empty."))
        elif len(industry_matches) != 1:
            problem(
                "industry",
                _("Unknown industry “%(value)s”; use one of: %(names)s.")
                % {"value": cell["industry"], "names": industry_names},
            )
        else:
            industry = industry_matches[0]

        target = _target(cell["headcount_target"])
        if target is None:
            problem(
                "headcount_target",
                _("The headcount target must be a whole number from 0 to %(max)s, not “%(value)s”.")
                % {"max": MAX_TARGET, "value": cell["headcount_target"]},
            )

        contact_name = cell["contact_name"]
        if len(contact_name) > 100:
            problem("contact_name", _("The contact name is longer than 100 characters."))
        phone = _phone(cell["contact_phone"])
        if phone is None:
            problem(
                "contact_phone", _("“%(value)s” is not a phone number.") % {"value": cell["contact_phone"]}
            )

        if region is not None and name:
            key = (region.pk, _key(name))
            if key in seen:
                problem("name", _("This unit already appears in row %(row)s.") % {"row": seen[key]})
            else:
                seen[key] = row.number
        if errors.for_row(row.number):
            continue
        values = {
            "name": name,
            "region": region,
            "industry": industry,
            "headcount_target": target,
            "contact_name": contact_name,
            "contact_phone": phone,
            "is_active": True,
        }
        planned.append((row.number, existing.get((region.pk, _key(name))), values))

    if errors:
        raise ApplicationError(
            _("%(count)d problem(s) in the file; nothing was imported. Fix them and upload again.")
            % {"count": len(errors)},
            code="invalid_rows",
            errors=errors.items,
        )

    result = UnitImportResult(dry_run=dry_run)
    to_create: list[Organization] = []
    to_update: list[Organization] = []
    for number, unit, values in planned:
        if unit is None:
            to_create.append(Organization(**values))
            action = "create"
        elif any(getattr(unit, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(unit, f, v)
            to_update.append(unit)
            action = "update"
        else:
            action = "unchanged"
        result.rows.append(
            {"row": number, "action": action, "name": values["name"], "region": values["region"].name}
        )
    result.created, result.updated = len(to_create), len(to_update)
    result.unchanged = len(planned) - result.created - result.updated
    if not dry_run:
        with transaction.atomic():
            created = Organization.objects.bulk_create(to_create)
            # bulk_create sends no post_save: give the new units their invite codes here.
            invites_ensure(organizations=created)
            Organization.objects.bulk_update(
                to_update,
                ["name", "industry", "headcount_target", "contact_name", "contact_phone", "is_active"],
            )
    return result


def unit_import_template(*, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of an import template with the header and two example rows."""
    county = Region.objects.filter(level=Region.Level.COUNTY).order_by("sort_order", "code").first()
    county_name = county.name_zh if county else "临夏市"
    example = [
        [f"{county_name}第二中学", county_name, "教育", 120, "张老师", "13800000000"],
        [f"{county_name}建筑安装公司", county_name, "建筑施工", 60, "李经理", "0930-6212345"],
    ]
    if fmt == CSV:
        return (
            write_csv(header=TEMPLATE_HEADER, rows=example),
            "text/csv; charset=utf-8",
            "units-template.csv",
        )
    if fmt != XLSX:
        raise ApplicationError(_("Choose format xlsx or csv."), code="invalid_format")
    content = write_xlsx(
        header=TEMPLATE_HEADER,
        rows=example,
        sheet_title=pgettext("import template sheet", "Units"),
        column_widths={0: 36, 1: 16, 2: 14, 3: 10, 4: 12, 5: 16},
        choices={2: [i.name_zh for i in Industry.objects.all()]},
    )
    return content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "units-template.xlsx"
