"""Work done after the answer has gone: so how long it takes tells the asker nothing.

A request whose answer must not reveal whether something exists (a lost-code request for an
address that may or may not have reported) does the same lookup either way, and leaves any
sending until the server closes the response, after the last byte has been written. Django
calls a response's resource closers from ``close()``, which every WSGI server calls then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.core.mail import EmailMessage, get_connection
from django.http import HttpResponse

logger = logging.getLogger(__name__)


def send_after(response: HttpResponse, messages: Sequence[EmailMessage]) -> HttpResponse:
    """Send ``messages`` once ``response`` has been delivered; returns the response.

    A failure to send is logged by its kind only (an SMTP error can quote the address).
    """
    if not messages:
        return response

    def send() -> None:
        try:
            get_connection().send_messages(list(messages))
        except Exception as error:  # the answer is gone: log the kind of failure, carry on
            logger.error(
                "Could not send %d email(s) after the response: %s",
                len(messages),
                type(error).__name__,
            )

    # Django's own list of what close() runs, after the server has written the answer.
    response._resource_closers.append(send)  # type: ignore[attr-defined]
    return response


def run_after(response: HttpResponse, work: Callable[[], object]) -> HttpResponse:
    """Run ``work`` once ``response`` has been delivered; returns the response.

    For work whose cost depends on what the asker must not learn (whether an address is
    known): the request itself does the same either way. A failure is logged by its kind only.
    """

    def run() -> None:
        try:
            work()
        except Exception as error:  # the answer is gone: log the kind of failure, carry on
            logger.error("Work after the response failed: %s", type(error).__name__)

    response._resource_closers.append(run)  # type: ignore[attr-defined]
    return response
