"""Every route of Redress. Each front door owns its own URL module."""

from django.urls import include, path

from redress.api.urls import api
from redress.core import views as core_views

urlpatterns = [
    # The API first: integrations send reports in bulk, and every pattern tried before a match
    # costs each request a little (none of the others starts with "api/").
    path("api/", api.urls),
    # The published log, read by witnesses and verifiers at a high rate: before the pages too.
    path("log/", include("redress.public.log")),
    path("", include("redress.public.urls")),
    path("staff/", include("redress.staff.urls")),
    path("respond/", include("redress.respond.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("language/<str:code>", core_views.set_language, name="set-language"),
]

handler400 = "redress.core.views.bad_request"
handler403 = "redress.core.views.forbidden"
handler404 = "redress.core.views.not_found"
handler500 = "redress.core.views.server_error"
