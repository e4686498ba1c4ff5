"""PNGs the campaign hands out: invite QR codes, unit posters (one PNG each, a .zip per scope) and
the daily briefing poster. Drawn with Pillow and core.fonts' CJK font, like the certificate; the QR
code is segno's (a kept encoder, not ours)."""

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from PIL import Image, ImageDraw

from campaign.selectors.briefings import percent, signed, threshold_percent
from core.fonts import draw_lock, font, wrap

POSTER_WIDTH, POSTER_HEIGHT = 1080, 1528
PAPER = (255, 255, 255)
RED = (178, 34, 34)
INK = (33, 33, 33)
MUTED = (96, 96, 96)
LIGHT = (246, 246, 246)


@dataclass(frozen=True)
class PosterUnit:
    """What a unit's poster shows: the unit, its county, and the link its QR code holds."""

    name: str
    county: str
    url: str


def qr_image(url: str, *, scale: int) -> Image.Image:
    """The QR code of `url` (error correction M, quiet zone of 4 modules), `scale` px per module."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _centered(
    draw: ImageDraw.ImageDraw, width: int, y: int, text: str, size: int, fill, *, bold=False
) -> int:
    """Draw `text` centred, wrapped to the width; return the y below it."""
    face = font(size, bold=bold)
    for line in wrap(draw, text, face, width - 120):
        line_width = draw.textlength(line, font=face)
        draw.text(((width - line_width) / 2, y), line, font=face, fill=fill)
        y += int(size * 1.35)
    return y


def invite_qr_png(*, url: str, unit_name: str) -> bytes:
    """A QR code of the unit's link with the unit's name printed beneath (the API's `qr_png`)."""
    with draw_lock:
        qr = qr_image(url, scale=10)
        lines_height = 110
        image = Image.new("RGB", (qr.width, qr.height + lines_height), PAPER)
        image.paste(qr, (0, 0))
        draw = ImageDraw.Draw(image)
        _centered(draw, qr.width, qr.height - 10, unit_name, 34, INK, bold=True)
        return _png(image)


def invite_poster_png(*, title: str, unit: PosterUnit) -> bytes:
    """A printable A-series-shaped poster: title, unit, QR code, one line of instructions, the link."""
    with draw_lock:
        return _png(_poster(title, unit))


def _poster(title: str, unit: PosterUnit) -> Image.Image:
    image = Image.new("RGB", (POSTER_WIDTH, POSTER_HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, POSTER_WIDTH, 330], fill=RED)
    title_face = font(60, bold=True)
    title_lines = wrap(draw, title, title_face, POSTER_WIDTH - 140)[:3]
    y = 165 - len(title_lines) * 42
    for line in title_lines:
        width = draw.textlength(line, font=title_face)
        draw.text(((POSTER_WIDTH - width) / 2, y), line, font=title_face, fill=PAPER)
        y += 84
    y = _centered(draw, POSTER_WIDTH, 380, unit.name, 64, INK, bold=True)
    if unit.county:
        y = _centered(draw, POSTER_WIDTH, y + 4, unit.county, 40, MUTED)
    qr = qr_image(unit.url, scale=16)
    side = min(qr.width, 700)
    qr = qr.resize((side, side), Image.Resampling.NEAREST)
    top = max(y + 30, 560)
    draw.rounded_rectangle(
        [(POSTER_WIDTH - side) / 2 - 16, top - 16, (POSTER_WIDTH + side) / 2 + 16, top + side + 16],
        radius=24,
        outline=RED,
        width=6,
    )
    image.paste(qr, ((POSTER_WIDTH - side) // 2, top))
    y = top + side + 50
    y = _centered(
        draw,
        POSTER_WIDTH,
        y,
        _("Scan with your phone to register for your unit and take the quiz"),
        44,
        RED,
        bold=True,
    )
    _centered(draw, POSTER_WIDTH, max(y + 10, POSTER_HEIGHT - 110), unit.url, 30, MUTED)
    return image


def invite_posters_zip(*, title: str, units: Iterable[PosterUnit]) -> bytes:
    """One PNG poster per unit in a .zip, named `<county>-<unit>.png` (numbered when names repeat)."""
    buffer = io.BytesIO()
    seen: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, unit in enumerate(units, start=1):
            name = _safe_name(f"{unit.county}-{unit.name}" if unit.county else unit.name)
            if name in seen:
                name = f"{name}-{number}"
            seen.add(name)
            archive.writestr(f"{name}.png", invite_poster_png(title=title, unit=unit))
    return buffer.getvalue()


def _safe_name(name: str) -> str:
    """A file name without path separators or characters Windows refuses."""
    cleaned = "".join("_" if ch in '\\/:*?"<>|' or ord(ch) < 32 else ch for ch in name).strip(" .")
    return cleaned[:80] or "unit"


GREEN = (30, 120, 60)


def briefing_png(*, briefing: dict) -> bytes:
    """The briefing as a poster 1080 px wide (height follows the rows), readable on a phone."""
    with draw_lock:
        return _png(_briefing(briefing))


def _briefing(briefing: dict) -> Image.Image:
    width = POSTER_WIDTH
    row_height = 64
    lines_after = len(briefing["lagging"]) + len(briefing["supervision"]) + 4
    height = 560 + row_height * (len(briefing["rows"]) + 1) + 56 * lines_after + 120
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width, 200], fill=RED)
    _centered(draw, width, 30, _("Daily briefing"), 56, PAPER, bold=True)
    title_face = font(34)
    title = wrap(draw, briefing["competition"]["title"], title_face, width - 120)[0]
    draw.text(
        ((width - draw.textlength(title, font=title_face)) / 2, 120), title, font=title_face, fill=PAPER
    )

    totals = briefing["totals"]
    scope = briefing["region"]["name"] if briefing["region"] else _("All regions")
    local = timezone.localtime(briefing["as_of"])
    _centered(
        draw,
        width,
        225,
        _("%(scope)s · as of %(moment)s") % {"scope": scope, "moment": local.strftime("%Y-%m-%d %H:%M")},
        32,
        MUTED,
    )
    boxes = [
        (_("Participants"), str(totals["participants"]), signed(totals["change"]["participants"])),
        (_("Headcount target"), str(totals["headcount_target"]), ""),
        (_("Participation rate"), percent(totals["participation_rate"]), ""),
    ]
    box_width = (width - 80 - 40) // 3
    for index, (label, value, change) in enumerate(boxes):
        left = 40 + index * (box_width + 20)
        draw.rounded_rectangle([left, 290, left + box_width, 470], radius=18, fill=LIGHT)
        label_face, value_face, change_face = font(28), font(56, bold=True), font(26)
        draw.text((left + 24, 305), label, font=label_face, fill=MUTED)
        draw.text((left + 24, 350), value, font=value_face, fill=INK)
        if change:
            draw.text(
                (left + 24, 425),
                _("%(change)s since yesterday") % {"change": change},
                font=change_face,
                fill=GREEN,
            )

    y = 510
    header_face, cell_face = font(28, bold=True), font(30)
    columns = [(40, _("Place")), (150, _("Unit") if briefing["rows_are"] == "organizations" else _("County"))]
    columns += [(600, _("People/target")), (790, _("Rate")), (930, pgettext("briefing", "Change"))]
    for x, label in columns:
        draw.text((x, y), label, font=header_face, fill=MUTED)
    y += row_height
    for number, row in enumerate(briefing["rows"]):
        if number % 2 == 0:
            draw.rectangle([30, y - 10, width - 30, y + row_height - 14], fill=LIGHT)
        name = row["name"]
        while draw.textlength(name, font=cell_face) > 430 and len(name) > 2:
            name = name[:-2] + "…"
        lagging = row["participation_rate"] is not None and row["participation_rate"] < briefing["threshold"]
        values = [
            (40, str(row["place"])),
            (150, name),
            (600, f"{row['participants']}/{row['headcount_target']}"),
            (790, percent(row["participation_rate"])),
            (930, signed(row["change"]["participants"])),
        ]
        for x, text in values:
            fill = RED if lagging and x == 790 else INK
            draw.text((x, y), text, font=cell_face, fill=fill)
        y += row_height

    y += 20
    body_face = font(30)
    threshold = threshold_percent(briefing["threshold"])
    if briefing["lagging"]:
        heading = _("Below %(threshold)s:") % {"threshold": threshold}
        draw.text((40, y), heading, font=font(32, bold=True), fill=RED)
        y += 52
        names = _(", ").join(unit["name"] for unit in briefing["lagging"])
        for line in wrap(draw, names, body_face, width - 80):
            draw.text((40, y), line, font=body_face, fill=INK)
            y += 48
    if briefing["supervision"]:
        y += 10
        draw.text((40, y), _("Supervised units:"), font=font(32, bold=True), fill=RED)
        y += 52
        for row in briefing["supervision"]:
            text = ngettext(
                "%(name)s: reminded %(times)s time, %(rate)s now",
                "%(name)s: reminded %(times)s times, %(rate)s now",
                len(row["reminders"]),
            ) % {
                "name": row["organization"]["name"],
                "times": len(row["reminders"]),
                "rate": percent(row["participation_rate"]),
            }
            for line in wrap(draw, text, body_face, width - 80):
                draw.text((40, y), line, font=body_face, fill=INK)
                y += 48
    return image.crop((0, 0, width, min(height, y + 60)))
