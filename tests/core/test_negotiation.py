"""The API's content negotiation shortcut (core/negotiation.py) answers exactly as DRF's does."""

import pytest
from django.http import Http404
from django.test import RequestFactory
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer, TemplateHTMLRenderer
from rest_framework.request import Request

from core.negotiation import JSONFirstNegotiation

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "application/json, text/plain, */*",
    "",
    "text/html",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "application/json; indent=4",
    "application/json;q=0.5, text/html",
    "application/*",
    "application/xml",
    "text/plain",
    "*/*; q=0.1",
]
FORMATS = [None, "", "json", "api", "xlsx"]
RENDERER_SETS = [
    [JSONRenderer, BrowsableAPIRenderer],
    [JSONRenderer],
    [BrowsableAPIRenderer, JSONRenderer],
    [TemplateHTMLRenderer, JSONRenderer],
]


def _outcome(negotiation, accept, fmt, renderer_classes, suffix=None):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    query = {} if fmt is None else {"format": fmt}
    request = Request(RequestFactory().get("/api/v1/x/", query, **headers))
    renderers = [cls() for cls in renderer_classes]
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, suffix)
    except (NotAcceptable, Http404) as exc:
        return type(exc).__name__
    return type(renderer).__name__, renderers.index(renderer), media_type


@pytest.mark.parametrize("renderer_classes", RENDERER_SETS, ids=lambda rs: "+".join(r.__name__ for r in rs))
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("accept", ACCEPTS)
def test_the_shortcut_chooses_what_drf_chooses(accept, fmt, renderer_classes):
    expected = _outcome(DefaultContentNegotiation(), accept, fmt, renderer_classes)
    assert _outcome(JSONFirstNegotiation(), accept, fmt, renderer_classes) == expected


@pytest.mark.parametrize("suffix", ["json", "api", "csv"])
def test_a_format_suffix_is_negotiated_as_drf_does(suffix):
    classes = [JSONRenderer, BrowsableAPIRenderer]
    expected = _outcome(DefaultContentNegotiation(), "*/*", None, classes, suffix)
    assert _outcome(JSONFirstNegotiation(), "*/*", None, classes, suffix) == expected


def test_the_usual_requests_take_the_shortcut(monkeypatch):
    """The shortcut is taken (DRF's parsing is not reached) for the headers clients send."""

    def fail(*args, **kwargs):
        raise AssertionError("DRF's negotiation was reached")

    monkeypatch.setattr(DefaultContentNegotiation, "select_renderer", fail)
    for accept in (None, "*/*", "application/json", "application/json, text/plain, */*"):
        assert _outcome(JSONFirstNegotiation(), accept, None, [JSONRenderer, BrowsableAPIRenderer]) == (
            "JSONRenderer",
            0,
            "application/json",
        )


def test_the_api_uses_it(api_client, linxia):
    from django.conf import settings

    assert (
        settings.REST_FRAMEWORK["DEFAULT_CONTENT_NEGOTIATION_CLASS"]
        == "core.negotiation.JSONFirstNegotiation"
    )
    html = api_client.get("/api/v1/competitions/", HTTP_ACCEPT="text/html")
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")  # the browsable API stays
    plain = api_client.get("/api/v1/competitions/")
    assert plain.status_code == 200 and plain["Content-Type"] == "application/json"
