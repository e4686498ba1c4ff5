"""Content negotiation for file downloads."""

from rest_framework.negotiation import DefaultContentNegotiation


class FileDownloadNegotiation(DefaultContentNegotiation):
    """`?format=xlsx|csv` chooses the file, not a DRF renderer: the view builds the file response
    itself, and its errors answer JSON (the first renderer) whatever the format asked for. Without
    this, DRF renders an error as the requested file type, or answers 404 to an unknown format."""

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
