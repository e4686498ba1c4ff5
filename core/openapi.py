"""OpenAPI post-processing: the error answers every operation can give, documented once for all.

Views document their success and their domain errors; the errors that the framework itself
produces are the same everywhere and are added here, so that a client (and the schemathesis
fuzz test, tests/security/test_api_fuzz.py) finds every status code it can receive:

- 400 `invalid` (malformed JSON, field errors) where the operation takes a body or query parameters;
- 401 (missing, unknown or inactive token) and 403 (role, scope, CSRF on session writes) where
  it accepts credentials;
- 404 where the path names an object, or a query parameter does (`?competition=`, `?region=` ...);
- 429 `throttled` (with Retry-After) where a throttle guards it;
- 503 `service_unavailable` (with Retry-After) wherever the database is used: its connection broke
  and the transaction was rolled back, so a retry is safe (core/errors.py).
An operation's own description of one of these codes is kept.
"""

from typing import Any

# Query parameters that name an object by id: an unknown one is a 404, as in a path.
_OBJECT_QUERY_PARAMETERS = frozenset({"competition", "region", "organization"})

ERROR_COMPONENT = "ApiError"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every 4xx and 5xx answer of the API.",
    "properties": {
        "detail": {"type": "string", "description": "Readable text, in the caller's language."},
        "code": {"type": "string", "description": "Machine code, e.g. `invalid`, `not_found`, `throttled`."},
        "errors": {"type": "array", "items": {"type": "object"}, "description": "Field or row problems."},
        "extra": {"type": "object"},
        "retry_after": {"type": "integer", "description": "429 only: seconds to wait (also in Retry-After)."},
    },
    "required": ["detail", "code"],
}
_DESCRIPTIONS = {
    "400": "Invalid input: `{detail, code, errors}`.",
    "401": "No valid credentials (missing, unknown or inactive token).",
    "403": "Not allowed for the caller's role or scope, or a session write without its CSRF token.",
    "404": "No such object, or not one the caller may see.",
    "429": "Too many requests: wait the seconds of the Retry-After header.",
    "503": "The database did not answer (restart, failover): nothing was written; retry after Retry-After.",
}
# Operations that touch no database (health) or describe their own 503 (readiness).
_NO_DATABASE = ("/api/v1/health/", "/api/v1/ready/")
_METHODS = {"get", "post", "put", "patch", "delete"}


def _throttled_operations(generator) -> set[tuple[str, str]]:
    found = set()
    for path, _regex, method, view in getattr(generator, "endpoints", None) or []:
        view_class = getattr(view, "cls", None)
        if view_class is not None and getattr(view_class, "throttle_classes", None):
            found.add((path, method.lower()))
    return found


def add_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular POSTPROCESSING_HOOKS entry: see the module docstring."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_COMPONENT] = ERROR_SCHEMA
    throttled = _throttled_operations(generator)
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            parameters = operation.get("parameters", [])
            codes = []
            if operation.get("requestBody") or any(p.get("in") == "query" for p in parameters):
                codes.append("400")
            if any("tokenAuth" in requirement for requirement in operation.get("security", [])):
                codes += ["401", "403"]
            if any(
                p.get("in") == "path"
                or (p.get("in") == "query" and p.get("name") in _OBJECT_QUERY_PARAMETERS)
                for p in parameters
            ):
                codes.append("404")
            if (path, method) in throttled:
                codes.append("429")
            if path not in _NO_DATABASE:
                codes.append("503")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": _DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
