"""The API's single NinjaAPI instance; each capability adds its router here."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from redress.api import errors
from redress.api.cases import router as cases_router
from redress.api.reports import router as reports_router
from redress.api.tokens import router as token_router
from redress.api.vetting import router as vetting_router


class RedressAPI(NinjaAPI):
    """The API, whose schema lists the refusals every operation may answer."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return errors.document_refusals(super().get_openapi_schema(**kwargs))


api = RedressAPI(
    title="Redress API",
    version="1",
    description=(
        "Integrations with Redress. Every endpoint declares the token scope it needs; "
        "errors are JSON objects with a `detail` message and, where the fault is in a field, "
        "an `errors` object with a message for each field."
    ),
    urls_namespace="api",
    parser=errors.TextParser(),
)
errors.install(api)


class Health(Schema):
    status: str
    database: str


@api.get("/health", response=Health, auth=None, tags=["service"], summary="Service health")
def health(request: HttpRequest) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": "ok"}


api.add_router("/", token_router)
api.add_router("/", reports_router)
api.add_router("/", cases_router)
api.add_router("/", vetting_router)
