"""The pass certificate: a PNG with real Chinese glyphs, only for a passing attempt of its owner."""

import io

import pytest
from django.test import Client
from PIL import Image, ImageChops, ImageDraw, ImageFont

from core import fonts
from tests.factories import AttemptFactory
from web import certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(participant) -> Client:
    client = Client()
    client.force_login(participant)
    return client


@pytest.fixture
def no_cjk_font(monkeypatch):
    """A server without any CJK font: no known path exists and fontconfig finds nothing."""
    fonts.find_cjk_font.cache_clear()
    fonts.font.cache_clear()
    monkeypatch.setattr(fonts, "REGULAR_FONT_CANDIDATES", ["/nonexistent/font.ttc"])
    monkeypatch.setattr(fonts, "BOLD_FONT_CANDIDATES", [])
    monkeypatch.setattr(
        fonts, "_fontconfig_candidates", lambda: ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"]
    )
    yield
    fonts.find_cjk_font.cache_clear()
    fonts.font.cache_clear()


def test_the_found_font_draws_chinese_glyphs_not_boxes():
    face = certificate.find_cjk_font()
    font = ImageFont.truetype(face.path, 40, index=face.index)

    def draw(text):
        image = Image.new("L", (120, 60))
        ImageDraw.Draw(image).text((0, 0), text, font=font, fill=255)
        return image

    assert "CJK SC" in font.getname()[0] or "CJK" not in face.path
    assert ImageChops.difference(draw("安"), draw("全")).getbbox() is not None
    assert ImageChops.difference(draw("安"), draw("\U0010fffd")).getbbox() is not None


def test_certificate_png_of_a_passing_attempt(web, participant, competition):
    attempt = AttemptFactory(user=participant, competition=competition, correct=4, hook=False)

    response = web.get(f"/attempts/{attempt.pk}/certificate.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (certificate.WIDTH, certificate.HEIGHT)
    # Ink where the name goes: the line below the title is not blank paper.
    band = image.crop((100, 480, certificate.WIDTH - 100, 600)).convert("L")
    assert band.getextrema()[0] < 100


def test_certificate_changes_with_the_name(participant, competition):
    attempt = AttemptFactory(user=participant, competition=competition, correct=4, hook=False)
    first = certificate.render_certificate(attempt=attempt)
    participant.display_name = "李四"
    participant.save()
    attempt.user.refresh_from_db()

    second = certificate.render_certificate(attempt=attempt)

    diff = ImageChops.difference(
        Image.open(io.BytesIO(first)).convert("L"), Image.open(io.BytesIO(second)).convert("L")
    )
    left, top, right, bottom = diff.getbbox()
    assert 400 < top and bottom < 700  # only the name line changed


def test_certificate_download_is_an_attachment(web, participant, competition):
    attempt = AttemptFactory(user=participant, competition=competition, correct=4, hook=False)

    response = web.get(f"/attempts/{attempt.pk}/certificate.png?download=1")

    assert response["Content-Disposition"] == f'attachment; filename="certificate-{attempt.pk}.png"'


def test_certificate_page_shows_the_image_with_a_description(web, participant, competition):
    attempt = AttemptFactory(user=participant, competition=competition, correct=3, hook=False)

    html = web.get(f"/attempts/{attempt.pk}/certificate/").content.decode()

    assert f'src="/attempts/{attempt.pk}/certificate.png"' in html
    assert f'alt="证书：{participant.display_name} 在“{competition.title}”中获得 30 分"' in html


def test_no_certificate_below_the_pass_mark(web, participant, competition):
    attempt = AttemptFactory(user=participant, competition=competition, correct=2, hook=False)  # 20 < 30

    assert web.get(f"/attempts/{attempt.pk}/certificate/").status_code == 404
    assert web.get(f"/attempts/{attempt.pk}/certificate.png").status_code == 404
    assert "/certificate/" not in web.get(f"/attempts/{attempt.pk}/").content.decode()


def test_without_a_cjk_font_the_page_explains_instead_of_drawing_boxes(
    web, participant, competition, no_cjk_font
):
    attempt = AttemptFactory(user=participant, competition=competition, correct=4, hook=False)

    page = web.get(f"/attempts/{attempt.pk}/certificate/")
    image = web.get(f"/attempts/{attempt.pk}/certificate.png")

    assert page.status_code == 503 and image.status_code == 503
    assert "fonts-noto-cjk" in page.content.decode()
    assert image["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_certificate_title_and_rule_are_inside_the_page_and_centred(participant, competition, language):
    """Issue 15: the English title was cut off on both sides ("ertificate of Achieveme")."""
    from django.utils import translation

    attempt = AttemptFactory(user=participant, competition=competition, correct=4, hook=False)
    with translation.override(language):
        image = Image.open(io.BytesIO(certificate.render_certificate(attempt=attempt))).convert("RGB")

    # The title is the red ink between the frames' inner edge (x 62) and the rule; the rule is the gold below.
    inner = (62, 150, certificate.WIDTH - 62, 400)
    band = image.crop(inner)
    pixels = band.load()
    mask = Image.new("L", band.size)
    marks = mask.load()
    rule_rows = []
    for y in range(band.height):
        gold = 0
        for x in range(band.width):
            r, g, b = pixels[x, y]
            if r > 140 and g < 80 and b < 80:
                marks[x, y] = 255
            if abs(r - 191) < 20 and abs(g - 144) < 20 and abs(b - 52) < 20:
                gold += 1
        if gold > 200:
            rule_rows.append(y)
    left, top, right, bottom = mask.getbbox()
    page_left, page_right = inner[0] + left, inner[0] + right
    assert page_left >= certificate.MARGIN - 2 and page_right <= certificate.WIDTH - certificate.MARGIN + 2
    assert abs(page_left - (certificate.WIDTH - page_right)) <= 2  # centred
    assert rule_rows and min(rule_rows) > bottom  # the rule is below the title
    row = image.crop((0, inner[1] + rule_rows[0], certificate.WIDTH, inner[1] + rule_rows[0] + 1)).load()
    golden = [
        x for x in range(certificate.WIDTH) if abs(row[x, 0][0] - 191) < 20 and abs(row[x, 0][2] - 52) < 20
    ]
    assert abs(golden[0] - (certificate.WIDTH - 1 - golden[-1])) <= 1  # the rule is centred too
