"""How far off a due date is, in the scheme's working days, for the staff pages.

Deadlines are set in working days, so a page that said "3 days overdue" in calendar days would
count weekends and bank holidays the scheme does not. The filters count with
``cases.schedule.working_days_left`` in the scheme's nation::

    {{ item.due_on|working_days_words }}     {# "2 working days left", "Due today", ... #}
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from redress.cases import schedule

register = template.Library()


@register.filter
def working_days_words(due_on: dt.date | None) -> str:
    """How far off ``due_on`` is, in words: working days left, due today, or working days
    overdue. A date just past over a weekend is overdue by 0 working days, and says so."""
    if due_on is None:
        return ""
    today = schedule.today()
    if due_on == today:
        return _("Due today")
    if due_on < today:
        late = schedule.working_days_overdue(due_on, today)
        return ngettext("%(n)s working day overdue", "%(n)s working days overdue", late) % {
            "n": late
        }
    left = schedule.working_days_left(due_on, today)
    return ngettext("%(n)s working day left", "%(n)s working days left", left) % {"n": left}
