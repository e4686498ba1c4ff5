"""A font that draws Simplified Chinese, for the PNGs the site draws (certificate, posters, briefings).

Chinese text needs a CJK font; Pillow's built-in font would draw empty boxes ("tofu"). The font
is looked for at run time (Debian's fonts-noto-cjk first, then other well-known places, then
fontconfig); without one, FontMissing is raised and the caller says so instead of drawing tofu.
"""

import shutil
import subprocess
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

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
draw_lock = threading.Lock()


@lru_cache(maxsize=16)
def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    face = find_cjk_font(bold)
    return ImageFont.truetype(face.path, size, index=face.index)


def wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
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
