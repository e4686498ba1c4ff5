"""Domain errors: what services, selectors and consumers raise when a rule of the domain is broken.

No DRF here (services and selectors import this, not rest_framework): an error carries a machine
`code`, and the one exception handler (core/errors.py) turns the code into an HTTP status
(`http_status`, from CODE_STATUS).
"""

from typing import Any

from django.http import Http404

# The HTTP status of each domain code; a code not listed is a 400 (the caller's input was wrong).
CODE_STATUS: dict[str, int] = {
    "not_found": 404,
    "permission_denied": 403,
    "out_of_scope": 403,
    "not_ranked_role": 403,
    "not_open": 409,
    "not_enough_questions": 409,
    "nothing_to_practise": 409,
    "already_submitted": 409,
    "already_answered": 409,
    "deadline_passed": 409,
    "invite_retired": 409,
    "daily_limit_reached": 429,
    "locked_out": 429,
}


class ApplicationError(Exception):
    """A rule of the domain was broken by the caller's input; never a server fault.

    `errors` lists field or row problems (`{"field"|"row", "column"?, "message"}`);
    `extra` carries anything else the client may use; `headers` go on the HTTP answer
    (e.g. Retry-After). The status comes from the code (CODE_STATUS); `status_code` overrides it
    where one code answers differently in one place.
    """

    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        errors: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self._status_code = status_code
        self.errors = errors or []
        self.extra = extra or {}
        self.headers = headers or {}

    @property
    def status_code(self) -> int:
        """The HTTP status the handler answers with."""
        return self._status_code or CODE_STATUS.get(self.code, 400)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"detail": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        if self.extra:
            body["extra"] = self.extra
        return body


class NotFound(ApplicationError, Http404):
    """The one way to say "no such thing" (or "not yours", which must look the same): 404 `not_found`.

    Also an Http404, so a page view that calls the same selector answers with the 404 page.
    """

    default_code = "not_found"
