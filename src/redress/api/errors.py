"""The API's error bodies: one shape for every refusal, and a schema that says which may come.

Every error is ``{"detail": "...", "errors": {field: message}}``; ``errors`` names each field
that was wrong, in plain words, and is empty when the fault is not in one field (no token, a
case that is not yours). A request whose JSON or parameters do not have the documented types
gets 422 in this shape, instead of the list of pydantic's locations and codes.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser

# Where a value came from, as pydantic names it; the field's own name follows.
_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})

_MESSAGES = {
    "missing": "This is required.",
    "string_type": "Give this as text.",
    "bool_parsing": "Give this as true or false.",
    "bool_type": "Give this as true or false.",
    "int_parsing": "Give this as a whole number.",
    "int_type": "Give this as a whole number.",
    "int_from_float": "Give this as a whole number.",
    "float_parsing": "Give this as a number.",
    "float_type": "Give this as a number.",
    "list_type": "Give this as a list.",
    "uuid_parsing": "Give this as an identifier of the documented form.",
    "extra_forbidden": "This field is not part of the request.",
}


class FieldErrors(Schema):
    """What every refusal answers."""

    detail: str
    errors: dict[str, str] = Field(default_factory=dict)


def _field(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in location]
    # ninja puts the body's parameter name after "body" ("body", "body", "category").
    while parts and parts[0] in _SOURCES:
        parts.pop(0)
        if parts and parts[0] == "body":
            parts.pop(0)
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind.startswith("date"):
        return "Give a real date, as YYYY-MM-DD."
    if kind.startswith("datetime"):
        return "Give a real date and time, in ISO 8601."
    if kind in {"literal_error", "enum"}:
        expected = (error.get("ctx") or {}).get("expected")
        return f"Give one of {expected}." if expected else "Give one of the documented values."
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return "Send a JSON object."
    if kind in {"string_too_long", "too_long"}:
        return "This is too long."
    return "This value is not valid."


def field_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    """One plain message per field (the first found), from pydantic's list of errors."""
    found: dict[str, str] = {}
    for error in errors:
        found.setdefault(_field(error.get("loc", ())), _message(error))
    return found


class NotText(ValueError):
    """A string in the request's JSON is not text that can be stored: it holds a lone UTF-16
    surrogate (``"\\ud800"``), which JSON can spell but UTF-8, and so the database, cannot."""


class TextParser(Parser):
    """Django Ninja's JSON parser, refusing strings that are not valid Unicode text.

    Without this, such a string passes validation and fails when it is encrypted or stored, and
    the request answers 500 after doing part of its work."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        _refuse_lone_surrogates(data)
        return data


def _refuse_lone_surrogates(value: Any) -> None:
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:
            raise NotText(
                "The request contains text that is not valid Unicode (a lone surrogate, such as "
                "\\ud800 without its pair). Send the text as it was typed."
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_lone_surrogates(key)
            _refuse_lone_surrogates(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_lone_surrogates(item)


def install(api: NinjaAPI) -> None:
    """Answer invalid requests with ``FieldErrors``, as 422, and a body that is not text with a
    plain 400."""

    def invalid(
        request: HttpRequest, error: ValidationError | type[ValidationError]
    ) -> HttpResponse:
        found = error.errors if isinstance(error, ValidationError) else []
        return api.create_response(
            request,
            {"detail": "The request has errors; see each field.", "errors": field_errors(found)},
            status=422,
        )

    api.add_exception_handler(ValidationError, invalid)

    def unreadable(request: HttpRequest, error: HttpError | type[HttpError]) -> HttpResponse:
        if not isinstance(error, HttpError):
            return api.create_response(request, {"detail": "Bad request."}, status=400)
        cause = error.__cause__
        detail = str(cause) if isinstance(cause, NotText) else error.message
        return api.create_response(request, {"detail": detail}, status=error.status_code)

    api.add_exception_handler(HttpError, unreadable)


# Refusals any operation may answer, beside what it declares itself: 400 for a body that is
# not JSON or a NUL character, 413 for a body over the limit, 422 for values of the wrong type,
# and for operations that need a token, 401 without one and 403 without the scope.
_ALWAYS = {
    400: "The request could not be read (not JSON, or a NUL character).",
    422: "A value does not have the documented type; `errors` names each field.",
}
_WITH_BODY = {413: "The request body is larger than the service accepts."}
_WITH_TOKEN = {
    401: "No API token, or one that is not live.",
    403: "The token does not have the scope this operation needs.",
}
_REFERENCE = {"$ref": "#/components/schemas/FieldErrors"}


def document_refusals(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the refusals every operation may answer to each operation of an OpenAPI schema."""
    schema.setdefault("components", {}).setdefault("schemas", {})["FieldErrors"] = (
        FieldErrors.model_json_schema()
    )
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            extra = dict(_ALWAYS)
            if "requestBody" in operation:
                extra.update(_WITH_BODY)
            if operation.get("security"):
                extra.update(_WITH_TOKEN)
            responses = operation.setdefault("responses", {})
            for status, description in extra.items():
                if status not in responses and str(status) not in responses:
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": _REFERENCE}},
                    }
    return schema
