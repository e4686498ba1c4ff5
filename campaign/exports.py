"""A bulletin as a file to circulate: formatted .xlsx (two sheets) or CSV (UTF-8 with BOM).

Headers and names follow the active language (the caller's), the figures are the bulletin's
stored rows: exporting twice, or after new answers, gives the same numbers.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from campaign.models import Bulletin
from campaign.selectors.statistics import localized_name
from core.tabular import write_csv_rows, xlsx_text_cell

RATE_FORMAT = "0.0%"
AVERAGE_FORMAT = "0.00"
INTEGER_FORMAT = "0"


@dataclass(frozen=True)
class Column:
    header: Callable[[], str]
    value: Callable[[dict], Any]
    width: int
    number_format: str | None = None


def _figure_columns() -> list[Column]:
    """The figures of a ranking row, the same for counties and units (after their name columns)."""
    return [
        Column(lambda: pgettext("bulletin", "Participants"), lambda r: r["participants"], 12, INTEGER_FORMAT),
        Column(
            lambda: pgettext("bulletin", "Headcount target"),
            lambda r: r["headcount_target"],
            14,
            INTEGER_FORMAT,
        ),
        Column(
            lambda: pgettext("bulletin", "Participation rate"),
            lambda r: r["participation_rate"],
            14,
            RATE_FORMAT,
        ),
        Column(lambda: pgettext("bulletin", "Attempts"), lambda r: r["attempts"], 10, INTEGER_FORMAT),
        Column(lambda: pgettext("bulletin", "Points"), lambda r: r["points"], 12, INTEGER_FORMAT),
        Column(
            lambda: pgettext("bulletin", "Average score"), lambda r: r["average_score"], 12, AVERAGE_FORMAT
        ),
    ]


def _county_columns() -> list[Column]:
    return [
        Column(lambda: pgettext("bulletin", "Rank"), lambda r: r["rank"], 8, INTEGER_FORMAT),
        Column(lambda: pgettext("bulletin", "County"), localized_name, 30),
        Column(lambda: pgettext("bulletin", "Units"), lambda r: r.get("units", 0), 8, INTEGER_FORMAT),
        *_figure_columns(),
    ]


def _unit_columns() -> list[Column]:
    return [
        Column(lambda: pgettext("bulletin", "Rank"), lambda r: r["rank"], 8, INTEGER_FORMAT),
        Column(lambda: pgettext("bulletin", "Unit"), lambda r: r["name"], 36),
        Column(lambda: pgettext("bulletin", "County"), lambda r: localized_name(r["county"]), 24),
        Column(lambda: pgettext("bulletin", "Industry"), lambda r: localized_name(r["industry"]), 16),
        *_figure_columns(),
    ]


def _tables(bulletin: Bulletin) -> list[tuple[str, list[Column], list[dict]]]:
    return [
        (pgettext("bulletin", "County ranking"), _county_columns(), bulletin.rows.get("counties", [])),
        (pgettext("bulletin", "Unit ranking"), _unit_columns(), bulletin.rows.get("units", [])),
    ]


def bulletin_subtitle(bulletin: Bulletin) -> str:
    """The line under the title: as of when, ranked by what, issued when."""
    return _("As of %(as_of)s · ranked by %(metric)s · issued %(issued)s") % {
        "as_of": timezone.localtime(bulletin.as_of).strftime("%Y-%m-%d %H:%M"),
        "metric": Bulletin.RankedBy(bulletin.ranked_by).label,
        "issued": timezone.localtime(bulletin.issued_at).strftime("%Y-%m-%d %H:%M"),
    }


def bulletin_export_xlsx(*, bulletin: Bulletin) -> bytes:
    """The bulletin as a workbook: one sheet per ranking, title and subtitle rows, bold frozen header,
    set column widths, rates as percentages."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    title_font = Font(bold=True, size=14)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", start_color="DDEBF7")
    thin = Side(style="thin", color="999999")
    for sheet_title, columns, rows in _tables(bulletin):
        sheet = workbook.create_sheet(sheet_title[:31])
        last = get_column_letter(len(columns))
        sheet["A1"] = bulletin.title
        xlsx_text_cell(sheet["A1"])  # a title like =HYPERLINK(...) stays text
        sheet["A1"].font = title_font
        sheet.merge_cells(f"A1:{last}1")
        sheet["A2"] = f"{sheet_title} · {bulletin_subtitle(bulletin)}"
        xlsx_text_cell(sheet["A2"])
        sheet.merge_cells(f"A2:{last}2")
        sheet.row_dimensions[1].height = 24
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=3, column=index, value=column.header())
            cell.font = header_font
            cell.fill = header_fill
            cell.border = Border(bottom=thin)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        for row_index, row in enumerate(rows, start=4):
            for index, column in enumerate(columns, start=1):
                cell = sheet.cell(row=row_index, column=index, value=column.value(row))
                xlsx_text_cell(cell)  # unit and county names are text, whatever they start with
                if column.number_format:
                    cell.number_format = column.number_format
        sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(value: Any, column: Column) -> Any:
    if value is None:
        return ""
    if column.number_format == INTEGER_FORMAT:
        return value  # a number: never quoted
    if column.number_format == RATE_FORMAT:
        return f"{float(value) * 100:.1f}%"
    if column.number_format == AVERAGE_FORMAT:
        return f"{float(value):.2f}"
    return str(value)


def bulletin_export_csv(*, bulletin: Bulletin) -> bytes:
    """The bulletin as CSV in UTF-8 with BOM (so Excel in China opens it right): the title, then each
    ranking as a titled section with its header, sections separated by an empty line. Text that a
    spreadsheet would run as a formula gets a leading `'` (`core.tabular.csv_quote`)."""
    rows: list[list[Any]] = [[bulletin.title], [bulletin_subtitle(bulletin)]]
    for sheet_title, columns, table_rows in _tables(bulletin):
        rows.extend([[], [sheet_title], [column.header() for column in columns]])
        rows.extend([_csv_value(column.value(row), column) for column in columns] for row in table_rows)
    return write_csv_rows(rows=rows)


def _text_row(sheet, values: list) -> None:
    """Append a row whose strings are stored as text, never as formulas (a name like "=1+1" stays text)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        xlsx_text_cell(cell)


def draw_export_xlsx(*, draw) -> bytes:
    """The draw's full lists for admins: eligible people (by user id, what the digest covers),
    winners, and the draw's seed and digest."""
    workbook = Workbook()
    eligible = workbook.active
    eligible.title = _("Eligible")[:31]
    _text_row(eligible, [_("User id"), _("Name"), _("County"), _("Unit")])
    for person in draw.eligible:
        _text_row(eligible, [person["user"], person["name"], person["region"], person["organization"]])
    winners = workbook.create_sheet(_("Winners")[:31])
    _text_row(winners, [_("Prize"), _("User id"), _("Name"), _("County"), _("Unit")])
    for winner in draw.winners:
        _text_row(
            winners,
            [winner["prize"], winner["user"], winner["name"], winner["region"], winner["organization"]],
        )
    about = workbook.create_sheet(_("Draw")[:31])
    for label, value in [
        (_("Title"), draw.title),
        (_("Seed"), draw.seed),
        (_("Eligible people"), draw.eligible_count),
        (_("Eligible list digest (SHA-256)"), draw.eligible_digest),
        (_("Drawn at"), timezone.localtime(draw.created_at).strftime("%Y-%m-%d %H:%M:%S")),
    ]:
        _text_row(about, [label, value])
    for sheet in (eligible, winners, about):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index in range(1, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 24
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
