"""JSON parsing that turns absurdly nested input into a 400, not a 500."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """DRF's parser, plus: a body nested deeper than Python's recursion limit (`[[[[…`) is a
    400 `parse_error` like any other malformed JSON (json raises RecursionError, not ValueError)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply") from exc
