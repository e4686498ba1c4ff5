"""PNGs the campaign hands out: invite QR codes, unit posters (one PNG each, a .zip per scope) and
the daily briefing poster. Drawn with Pillow and core.fonts' CJK font, like the certificate; the QR
code is segno's (a kept encoder, not ours)."""

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

import segno
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

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
