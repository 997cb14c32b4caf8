"""Every Redress route, plus ``POST /bench/bare-insert``: one raw INSERT, through the same stack.

The view parses the same JSON body the intake API gets and stores its text in ``bench_bare``, a
table the benchmark creates itself, in one autocommitted statement. It passes through every
middleware Redress runs, so what intake costs beyond it is what intake itself does.
"""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from redress.core.routes import public
from redress.urls import handler400, handler403, handler404, handler500, urlpatterns


@public
@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    body = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare (body) VALUES (%s) RETURNING id", [body["what_happened"]]
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [*urlpatterns, path("bench/bare-insert", bare_insert, name="bench-bare-insert")]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
