"""Importing the directory from a CSV file: validate every line first, import nothing when any
line is wrong, otherwise create or update people by identifier in one transaction.

Columns (header names in any case): identifier, name, roles, party, office, constituency,
line manager. ``roles`` is the person's kind, optionally followed by a semicolon and their role
title: ``member; Chief Whip``, ``staff; Press Officer``, ``party official; Whip's office``.
``line manager`` is another person's identifier, in the file or already in the directory.
No field may hold a control character (NUL, a line break inside a quoted field, and the like):
a line that does is refused, naming the line, the field and the character.
"""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction

from redress.directory.models import Office, Party, Person, PersonKind
from redress.directory.signals import directory_changed
from redress.ledger.append import append
from redress.ledger.events import Action

COLUMNS = ("identifier", "name", "roles", "party", "office", "constituency", "line manager")
KINDS = {
    "member": PersonKind.MEMBER,
    "staff": PersonKind.STAFF,
    "party official": PersonKind.PARTY_OFFICIAL,
}
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.problem}"


@dataclass
class Row:
    line: int
    identifier: str
    name: str
    kind: str
    role_title: str
    party: str
    office: str
    constituency: str
    line_manager: str


@dataclass
class Outcome:
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def parse(data: bytes) -> tuple[list[Row], list[Problem]]:
    """Every row of the file, and every problem found in it (none means all valid)."""
    problems: list[Problem] = []
    if len(data) > MAX_BYTES:
        return [], [Problem(0, "file", "larger than 20 MB")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(0, "file", "not UTF-8 text")]
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], [Problem(1, "file", "empty")]
    names = [h.strip().lower().replace("_", " ") for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        return [], [Problem(1, "header", f"missing column(s): {', '.join(missing)}")]
    index = {c: names.index(c) for c in COLUMNS}
    rows: list[Row] = []
    seen: dict[str, int] = {}
    while True:
        # The line the record starts on, counted in the file: a quoted field may span lines.
        number = reader.line_num + 1
        values = next(reader, None)
        if values is None:
            break
        if not any(v.strip() for v in values):
            continue
        if len(values) < len(names):
            problems.append(Problem(number, "line", f"{len(values)} fields, expected {len(names)}"))
            continue
        value = {c: values[i].strip() for c, i in index.items()}
        for column, text in value.items():
            control = _control(text)
            if control is not None:
                problems.append(Problem(number, column, f"holds a control character ({control})"))
        identifier = value["identifier"]
        if not identifier:
            problems.append(Problem(number, "identifier", "empty"))
        elif len(identifier) > 64:
            problems.append(Problem(number, "identifier", "longer than 64 characters"))
        elif identifier in seen:
            problems.append(Problem(number, "identifier", f"repeats line {seen[identifier]}"))
        else:
            seen[identifier] = number
        if not value["name"]:
            problems.append(Problem(number, "name", "empty"))
        elif len(value["name"]) > 200:
            problems.append(Problem(number, "name", "longer than 200 characters"))
        kind_text, _, title = value["roles"].partition(";")
        kind = KINDS.get(kind_text.strip().lower())
        if kind is None:
            problems.append(Problem(number, "roles", f"must start with one of: {', '.join(KINDS)}"))
        for column in ("party", "office", "constituency"):
            if len(value[column]) > 200:
                problems.append(Problem(number, column, "longer than 200 characters"))
        if len(title.strip()) > 200:
            problems.append(Problem(number, "roles", "its title is longer than 200 characters"))
        if value["line manager"] and value["line manager"] == identifier:
            problems.append(Problem(number, "line manager", "a person cannot manage themselves"))
        rows.append(
            Row(
                line=number,
                identifier=identifier,
                name=value["name"],
                kind=str(kind or ""),
                role_title=title.strip(),
                party=value["party"],
                office=value["office"],
                constituency=value["constituency"],
                line_manager=value["line manager"],
            )
        )
    known = set(seen) | set(
        Person.objects.filter(
            identifier__in=[r.line_manager for r in rows if r.line_manager]
        ).values_list("identifier", flat=True)
    )
    for row in rows:
        if row.line_manager and row.line_manager not in known:
            problems.append(Problem(row.line, "line manager", f"no person {row.line_manager!r}"))
    problems += _cycles(rows)
    return rows, sorted(problems, key=lambda p: (p.line, p.field))


def _control(text: str) -> str | None:
    """The first control character in ``text`` (Unicode's Cc: NUL, other C0 and C1 codes,
    DEL), as ``U+0000``, or None. NUL cannot be stored in PostgreSQL text at all; the others
    would be stored and shown to staff and complainants without showing themselves."""
    for character in text:
        if unicodedata.category(character) == "Cc":
            return f"U+{ord(character):04X}"
    return None


def _cycles(rows: list[Row]) -> list[Problem]:
    """Line-management loops within the file (A manages B manages A)."""
    manager = {r.identifier: r.line_manager for r in rows if r.line_manager}
    found: list[Problem] = []
    for row in rows:
        seen, current = {row.identifier}, manager.get(row.identifier)
        while current:
            if current in seen:
                found.append(
                    Problem(row.line, "line manager", "line management goes round in a loop")
                )
                break
            seen.add(current)
            current = manager.get(current)
    return found


def import_directory(data: bytes, *, actor: str) -> Outcome:
    """Validate ``data`` and, only when every line is valid, import it in one transaction."""
    rows, problems = parse(data)
    outcome = Outcome(problems=problems)
    if problems:
        return outcome
    with transaction.atomic():
        parties = {p.name: p for p in Party.objects.all()}
        offices = {o.name: o for o in Office.objects.all()}
        people: dict[str, Person] = {}
        managers_changed = False
        for row in rows:
            party = None
            if row.party:
                party = parties.get(row.party) or Party.objects.create(name=row.party)
                parties[row.party] = party
            office = None
            if row.office:
                office = offices.get(row.office) or Office.objects.create(name=row.office)
                offices[row.office] = office
            values = {
                "name": row.name,
                "kind": row.kind,
                "role_title": row.role_title,
                "party": party,
                "office": office,
                "constituency": row.constituency,
            }
            person = Person.objects.by_identifier(row.identifier)
            if person is None:
                person = Person.objects.create(identifier=row.identifier, **values)
                outcome.created += 1
            elif any(getattr(person, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(person, key, value)
                person.save()
                outcome.updated += 1
            else:
                outcome.unchanged += 1
            people[row.identifier] = person
        for row in rows:
            person = people[row.identifier]
            manager = (
                people.get(row.line_manager) or Person.objects.by_identifier(row.line_manager)
                if row.line_manager
                else None
            )
            if person.line_manager_id != (manager.pk if manager else None):
                person.line_manager = manager
                person.save(update_fields=["line_manager"])
                managers_changed = True
        append(
            actor=actor,
            action=Action.DIRECTORY_IMPORTED,
            obj="directory",
            digest=hashlib.sha256(data).hexdigest(),
        )
        if outcome.created or outcome.updated or managers_changed:
            # Who is who changed: live assignments are checked again before this commits.
            directory_changed.send(sender=Person, actor=actor)
    return outcome
