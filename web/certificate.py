"""The pass certificate: a PNG a phone can show, long-press save and share.

The CJK font is core.fonts' (shared with the campaign's posters and briefings); without one,
FontMissing is raised and the page says so instead of drawing tofu.
"""

import io

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from accounts.selectors import county_of
from core.fonts import FontMissing, draw_lock, find_cjk_font, font, wrap
from quiz.models import Attempt

__all__ = ["FontMissing", "find_cjk_font", "render_certificate"]

WIDTH, HEIGHT = 1080, 1528
PAPER = (255, 251, 240)
RED = (170, 29, 29)
GOLD = (191, 144, 52)
INK = (33, 33, 33)
MUTED = (90, 90, 90)

_font = font
_wrap = wrap
_draw_lock = draw_lock


# Text is kept this far from the paper's edges, inside the gold frame (at 58 px) with room to breathe.
MARGIN = 120


def _ink(text: str, font) -> tuple[int, int]:
    """Where `text` drawn at x=0 really has ink, left and right (textbbox counts a CJK glyph's side
    bearings, which would put a centred Chinese title a few pixels off)."""
    left, top, right, bottom = font.getbbox(text or "国")
    mask = Image.new("L", (max(right, 1) + 4, max(bottom, 1) + 4))
    ImageDraw.Draw(mask).text((0, 0), text, font=font, fill=255)
    box = mask.getbbox()
    return (box[0], box[2]) if box else (0, 0)


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, font, fill) -> int:
    """Draw `text` with its ink centred on the page; the y below it."""
    left, right = _ink(text, font)
    draw.text(((WIDTH - (right - left)) / 2 - left, y), text, font=font, fill=fill)
    bbox = font.getbbox(text or "国")
    return y + (bbox[3] - bbox[1])


def _fitted(text: str, size: int, *, bold: bool = False):
    """The font of at most `size` px in which `text` fits between the margins.

    The size is scaled down from one measurement, then lowered until the inked box fits (a font load
    is costly, so no search over every size)."""
    available = WIDTH - 2 * MARGIN
    candidate = _font(size, bold=bold)
    left, right = _ink(text, candidate)
    if right - left <= available:
        return candidate
    size = max(int(size * available / (right - left)), 12)
    while True:
        candidate = _font(size, bold=bold)
        left, right = _ink(text, candidate)
        if right - left <= available or size <= 12:
            return candidate
        size -= 2


def render_certificate(*, attempt: Attempt) -> bytes:
    """The certificate of a submitted attempt as PNG bytes, in the active language.

    Raises FontMissing when no CJK font is installed.
    """
    with _draw_lock:
        return _render(attempt)


def _render(attempt: Attempt) -> bytes:
    body_font = _font(42)
    small_font = _font(30)

    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle([28, 28, WIDTH - 29, HEIGHT - 29], outline=RED, width=14)
    draw.rectangle([58, 58, WIDTH - 59, HEIGHT - 59], outline=GOLD, width=4)
    for cx, cy in [(58, 58), (WIDTH - 59, 58), (58, HEIGHT - 59), (WIDTH - 59, HEIGHT - 59)]:
        draw.ellipse([cx - 16, cy - 16, cx + 16, cy + 16], fill=GOLD)

    user = attempt.user
    name = user.display_name or user.username
    region = attempt.region or user.region
    county = county_of(region=region).name if region is not None else ""
    competition = attempt.competition

    title = _("Certificate of Achievement")
    y = 190
    y = _centered(draw, y, title, _fitted(title, 96, bold=True), RED) + 40
    draw.line([(WIDTH / 2 - 160, y), (WIDTH / 2 + 160, y)], fill=GOLD, width=4)
    y += 110
    y = _centered(draw, y, name, _fitted(name, 72, bold=True), INK) + 40
    if county:
        y = _centered(draw, y, county, body_font, MUTED) + 30
    y += 60
    sentence = _(
        "took part in “%(competition)s” and scored %(score)s points, reaching the pass mark. "
        "This certificate is awarded in recognition."
    ) % {"competition": competition.title, "score": attempt.score}
    for line in _wrap(draw, sentence, body_font, WIDTH - 260):
        draw.text((130, y), line, font=body_font, fill=INK)
        y += 68

    score_text = _("Score %(score)s") % {"score": attempt.score}
    y = max(y + 60, 1000)
    score_font = _font(64, bold=True)
    score_width = draw.textlength(score_text, font=score_font)
    box = [(WIDTH - score_width) / 2 - 40, y - 20, (WIDTH + score_width) / 2 + 40, y + 90]
    draw.rounded_rectangle(box, radius=20, outline=RED, width=5)
    _centered(draw, y, score_text, score_font, RED)

    when = timezone.localtime(attempt.submitted_at or attempt.started_at)
    footer_y = HEIGHT - 300
    _centered(draw, footer_y, _("Safety knowledge competition"), body_font, INK)
    _centered(draw, footer_y + 70, formats.date_format(when, "DATE_FORMAT"), small_font, MUTED)
    _centered(
        draw, footer_y + 130, _("Certificate no. %(number)06d") % {"number": attempt.pk}, small_font, MUTED
    )

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
