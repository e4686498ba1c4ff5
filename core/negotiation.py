"""Content negotiation: the API's default (JSON unless asked otherwise) and the file downloads'."""

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import api_settings

# Accept headers that DRF's negotiation answers with the first renderer as `application/json`
# whenever that renderer is the JSON one: no header (DRF reads it as */*), what HTTP clients send
# by default (*/*), what the site's own scripts send (application/json), and axios' default.
_PLAIN_ACCEPT = frozenset({"*/*", "application/json", "application/json, text/plain, */*"})


class JSONFirstNegotiation(DefaultContentNegotiation):
    """DRF's negotiation with a shortcut for the requests nearly every client sends.

    Parsing and ordering the Accept header was about a tenth of a ranking read's CPU
    (BENCHMARKS.md, issue 16). For the headers above, with no `?format=` and no format suffix,
    DRF's answer is known without parsing: the first renderer (JSON), media type
    `application/json`. Everything else (a browser asking for HTML, `?format=api`, an odd
    Accept) goes through DRF's negotiation as before, so every answer is the same
    (tests/core/test_negotiation.py compares the two)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            not format_suffix
            and renderers
            and renderers[0].media_type == "application/json"
            and request.META.get("HTTP_ACCEPT", "*/*") in _PLAIN_ACCEPT
            and not request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
        ):
            return renderers[0], "application/json"
        return super().select_renderer(request, renderers, format_suffix)


class FileDownloadNegotiation(DefaultContentNegotiation):
    """`?format=xlsx|csv` chooses the file, not a DRF renderer: the view builds the file response
    itself, and its errors answer JSON (the first renderer) whatever the format asked for. Without
    this, DRF renders an error as the requested file type, or answers 404 to an unknown format."""

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
