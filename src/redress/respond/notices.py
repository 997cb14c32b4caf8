"""Telling the respondent there is news on the complaint about them: a decision, an appeal
lodged by the complainant, an appeal's outcome. The email says only that there is news and
where to read it (their link, or a new one asked for by address), in English and Welsh, as the
complainant's notices do."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from redress.cases.models import Case

log = logging.getLogger(__name__)


def tell_respondent(sender: Any, *, case: Case, **kwargs: Any) -> None:
    """Receiver of ``cases.notices.respondent_updated``: runs after the act has committed."""
    person = case.respondent
    if person is None or not person.email:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("respond:new-link")
    subjects, bodies = [], []
    for language in ("en", "cy"):
        with translation.override(language):
            subjects.append(_("There is news on the complaint about you"))
            bodies.append(
                _(
                    "There is news on the complaint about you under %(scheme)s. Read it through "
                    "the link we emailed you. If it has expired, ask for a new one here:\n\n"
                    "%(link)s"
                )
                % {"scheme": settings.SCHEME_NAME, "link": link}
            )
    try:
        send_mail(" / ".join(subjects), "\n\n---\n\n".join(bodies), None, [person.email])
    except OSError:
        # The news is on their page either way; a mail server that fails undoes nothing.
        log.warning("respond: the news email for a respondent could not be sent")
