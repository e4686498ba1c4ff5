"""The pass certificate: a PNG a phone can show, long-press save and share.

Chinese text needs a CJK font; Pillow's built-in font would draw empty boxes ("tofu"). The font
is looked for at run time (Debian's fonts-noto-cjk first, then other well-known places, then
fontconfig); without one, FontMissing is raised and the page says so instead of drawing tofu.
"""

import io
import shutil
import subprocess
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from accounts.selectors import county_of
from quiz.models import Attempt

# Most wanted first. A .ttc holds several faces; the Simplified Chinese one is picked by name.
REGULAR_FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian/Ubuntu fonts-noto-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Arch
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/msyh.ttc",
]
BOLD_FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    "C:/Windows/Fonts/msyhbd.ttc",
]

WIDTH, HEIGHT = 1080, 1528
PAPER = (255, 251, 240)
RED = (170, 29, 29)
GOLD = (191, 144, 52)
INK = (33, 33, 33)
MUTED = (90, 90, 90)


class FontMissing(Exception):
    """No font that draws Chinese was found: install fonts-noto-cjk."""


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int


def _face_index(path: str) -> int:
    """The Simplified Chinese face of a collection (Noto's .ttc holds JP, KR, SC, TC, HK)."""
    if not path.lower().endswith(".ttc"):
        return 0
    for index in range(10):
        try:
            family, _style = ImageFont.truetype(path, 12, index=index).getname()
        except OSError:
            break
        if family and family.endswith(" SC"):
            return index
    return 0


def _draws_chinese(face: FontFace) -> bool:
    """True when the face has real glyphs for Chinese, not the empty box it draws for anything missing."""
    try:
        font = ImageFont.truetype(face.path, 48, index=face.index)
    except OSError:
        return False
    missing = _glyph(font, "\U0010fffd")
    return all(_glyph(font, char) != missing for char in "安全证书")


def _glyph(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    image = Image.new("L", (64, 64))
    ImageDraw.Draw(image).text((4, 0), char, font=font, fill=255)
    return image.tobytes()


def _fontconfig_candidates() -> list[str]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})


@lru_cache(maxsize=2)
def find_cjk_font(bold: bool = False) -> FontFace:
    """A font face that draws Simplified Chinese, or FontMissing.

    `settings.CERTIFICATE_FONT_PATHS` (a list), if set, is tried first. A bold face falls back to
    the regular one.
    """
    configured = list(getattr(settings, "CERTIFICATE_FONT_PATHS", None) or [])
    candidates = configured + (BOLD_FONT_CANDIDATES if bold else []) + REGULAR_FONT_CANDIDATES
    for path in [*candidates, *_fontconfig_candidates()]:
        if not Path(path).is_file():
            continue
        face = FontFace(path=path, index=_face_index(path))
        if _draws_chinese(face):
            return face
    raise FontMissing(
        "No font that can draw Chinese was found. Install fonts-noto-cjk (apt-get install fonts-noto-cjk)."
    )


# Loaded fonts are cached (loading a 20 MB collection is most of the work) and a FreeType face must
# not draw in two threads at once, so drawing holds this lock.
_draw_lock = threading.Lock()


@lru_cache(maxsize=16)
def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    face = find_cjk_font(bold)
    return ImageFont.truetype(face.path, size, index=face.index)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break text to fit `width` pixels: anywhere between Chinese characters, at spaces in Latin text."""
    lines: list[str] = []
    line = ""
    tokens: list[str] = []
    word = ""
    for char in text:
        if char == " " or ord(char) > 0x2E7F:  # a space or a CJK character ends a Latin word
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        else:
            word += char
    if word:
        tokens.append(word)
    for token in tokens:
        candidate = line + token
        if line and draw.textlength(candidate, font=font) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line = candidate
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, font, fill) -> int:
    width = draw.textlength(text, font=font)
    draw.text(((WIDTH - width) / 2, y), text, font=font, fill=fill)
    bbox = font.getbbox(text or "国")
    return y + (bbox[3] - bbox[1])


def render_certificate(*, attempt: Attempt) -> bytes:
    """The certificate of a submitted attempt as PNG bytes, in the active language.

    Raises FontMissing when no CJK font is installed.
    """
    with _draw_lock:
        return _render(attempt)


def _render(attempt: Attempt) -> bytes:
    title_font = _font(96, bold=True)
    name_font = _font(72, bold=True)
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

    y = 190
    y = _centered(draw, y, _("Certificate of Achievement"), title_font, RED) + 40
    draw.line([(WIDTH / 2 - 160, y), (WIDTH / 2 + 160, y)], fill=GOLD, width=4)
    y += 110
    y = _centered(draw, y, name, name_font, INK) + 40
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
