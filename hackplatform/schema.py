"""The OpenAPI schema's shared parts: one media type per operation, and the refusals every operation
documents with their `{detail, code}` body (see hackplatform.api.exception_handler).

Kept apart from hackplatform.api: DRF imports DEFAULT_SCHEMA_CLASS while views are decorated, so this
module must not import anything that decorates views.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every refusal of the API: why, in the caller's language, and a stable code a script can test."""

    detail = serializers.CharField(help_text="Why the request was refused, in the caller's language.")
    code = serializers.CharField(required=False, help_text="A stable code naming the reason (e.g. `limit_reached`).")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field errors (400): each field's messages (a nested object's: its own fields' errors).",
    )
    resets_at = serializers.DateTimeField(
        required=False, help_text="When a limit resets (with a Retry-After header), for refusals that end."
    )


ERROR_DESCRIPTIONS = {
    "400": "The request is invalid or a business rule refuses it (see `detail` and `code`).",
    "401": "No valid credentials: send `Authorization: Token <key>`.",
    "403": "You may not do this here (see `detail`).",
    "404": "No such object, or you may not see it.",
    "405": "This method is not allowed here.",
    "409": "It conflicts with the object's current state (see `detail`).",
    "413": "The uploaded file is too large.",
    "415": "The body's media type is not the one this operation takes.",
    "429": "Too many requests: wait for the Retry-After header's seconds (or until `resets_at`).",
}
# Answer fields left out for some callers (shown to the event's organizers only): present when shown,
# so not required. {component: {field}}.
OPTIONAL_IN_ANSWERS = {"Challenge": {"dataset_seed"}}

# Sent with every answer a throttle counted (hackplatform.throttling), a 429 included; also as X-RateLimit-*.
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {"schema": {"type": "integer"}, "description": "Requests allowed in the window."},
    "RateLimit-Remaining": {"schema": {"type": "integer"}, "description": "Requests left in the window."},
    "RateLimit-Reset": {"schema": {"type": "integer"}, "description": "Seconds until a request is freed."},
}

# Answered only by operations that take a body, or that take a file.
_BODY_ONLY = {"415"}
_FILE_ONLY = {"413"}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with one media type per operation: the view's first parser.

    A view answers JSON (the default parser) unless its first parser is multipart, which views that take
    a file put first; a generated client then builds exactly one body per operation."""

    def map_parsers(self):
        return super().map_parsers()[:1]


def document_refusals(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation lists the refusals the API can answer, each
    with the `{detail, code}` body (hackplatform.api.exception_handler) and, for 429, Retry-After."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = _error_component()
    for name, fields in OPTIONAL_IN_ANSWERS.items():
        if name in components and "required" in components[name]:
            components[name]["required"] = [f for f in components[name]["required"] if f not in fields]
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            body = operation.get("requestBody", {}).get("content", {})
            for code, description in ERROR_DESCRIPTIONS.items():
                if code in _BODY_ONLY and not body:
                    continue
                if code in _FILE_ONLY and "multipart/form-data" not in body:
                    continue
                response = responses.setdefault(code, {"description": description})
                if not response.get("description"):
                    response["description"] = description
                response.setdefault("content", error)
                if code == "429":
                    response.setdefault("headers", {})["Retry-After"] = {
                        "schema": {"type": "integer"},
                        "description": "Seconds to wait before trying again.",
                    }
                    response["headers"].update(RATE_LIMIT_HEADERS)
    return result


def _error_component() -> dict:
    """ErrorSerializer as an OpenAPI schema (written out: the hook runs outside any view)."""
    fields = ErrorSerializer().fields
    return {
        "type": "object",
        "description": ErrorSerializer.__doc__,
        "properties": {
            "detail": {"type": "string", "description": fields["detail"].help_text},
            "code": {"type": "string", "description": fields["code"].help_text},
            "errors": {
                "type": "object",
                # A field's list of messages, or for a nested object (`dataset`) its own fields' errors.
                "additionalProperties": {},
                "description": fields["errors"].help_text,
            },
            "resets_at": {"type": "string", "format": "date-time", "description": fields["resets_at"].help_text},
        },
        "required": ["detail"],
    }
