"""Finding people in the directory by what a person typing knows: a name, an identifier, a role
or a constituency. Searches that work without JavaScript (a GET, then a radio choice) use this."""

from __future__ import annotations

from django.db.models import Q

from redress.directory.models import Person


def find_people(text: str, *, limit: int = 25) -> list[Person]:
    """People whose name, role or constituency contains ``text``, or whose identifier is it.
    Nothing for fewer than two characters."""
    text = text.strip()[:100]
    if len(text) < 2:
        return []
    return list(
        Person.objects.filter(
            Q(name__icontains=text)
            | Q(identifier__iexact=text)
            | Q(role_title__icontains=text)
            | Q(constituency__icontains=text)
        ).select_related("party", "office")[:limit]
    )
