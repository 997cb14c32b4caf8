"""How long a subject access search takes over 100,000 cases on PostgreSQL, against decrypting
the same rows without looking for anyone, timed in the same run.

Makes a throwaway database (``redress_bench_subject_access``, dropped at the end), migrates it
and writes BENCH_SA_CASES cases (default 100,000) in batches through ``bulk_create``: each case
gets a data key of its own, made and wrapped by the vault under this run's key-encryption key,
and its narrative, respondent description and details (JSON with contact answers and
witnesses) sealed under that key as the product seals them. No data key is shared between
cases: the data model forbids it (``Case.data_key`` is one-to-one), so every case read costs
one unwrap as well as three decryptions, as it would in production. Narratives are 400 to 900
characters of made-up prose naming made-up people; the person searched for is planted in 60
cases: 15 each as respondent (from the directory), complainant, witness and named in the text.
Each case also has BENCH_SA_FILE messages and as many records on its file (default 1 each), of
made-up prose sealed under the case's key, as the search reads them too.

Timed: ``subjectaccess.search.search`` for that person (every case decrypted and matched, the
findings and their automatic redactions kept, and its ledger entries written), against the
baseline of loading the same rows and decrypting the same three fields, and each message's
and record's body, loaded a chunk of cases at a time as the search loads them, with nothing
matched or kept, timed before and after the search (the faster counts). The key cache is
emptied before each, so both unwrap every key. The goal: the search costs at most 1.5 times
the baseline, and takes under one minute over 100,000 cases.

Knobs: BENCH_SA_CASES, BENCH_SA_FILE, BENCH_POSTGRES_URL.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
CASES = int(os.environ.get("BENCH_SA_CASES", "100000"))
FILE = int(os.environ.get("BENCH_SA_FILE", "1"))  # messages and records on each case
DATABASE = "redress_bench_subject_access"
DATA_DIR = ROOT / "var" / "bench" / "subject_access"
BATCH = 2000
PLANTED = 15  # cases per capacity in which the person searched for appears
GOAL = 1.5
LIMIT_SECONDS = 60.0

from bench.pg import drop_database, throwaway_database  # noqa: E402

throwaway_database(DATABASE, "subject_access")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.report import record  # noqa: E402
from redress.accounts.models import Role, RoleGrant, User  # noqa: E402
from redress.cases.models import (  # noqa: E402
    Case,
    CaseRecord,
    Category,
    Direction,
    Identity,
    Message,
    RecordKind,
)
from redress.directory.models import Person, PersonKind  # noqa: E402
from redress.subjectaccess import actions  # noqa: E402
from redress.subjectaccess.models import Finding, Kind  # noqa: E402
from redress.subjectaccess.search import search  # noqa: E402
from redress.vault.actions import clear_key_cache, new_data_key  # noqa: E402
from redress.vault.models import DataKey  # noqa: E402

SUBJECT = "Marguerite Oyelaran-Beck"
FIRST = ["Alys", "Bryn", "Ceri", "Dafydd", "Eluned", "Ffion", "Gethin", "Heledd", "Iolo", "Jac"]
LAST = ["Rowlands", "Pryce", "Vaughan", "Morgan", "Bevan", "Lloyd", "Parry", "Hughes", "Owen"]
WORDS = [
    "the",
    "meeting",
    "after",
    "that",
    "in",
    "office",
    "corridor",
    "said",
    "again",
    "voice",
    "raised",
    "about",
    "rota",
    "shift",
    "team",
    "members",
    "present",
    "later",
    "email",
    "message",
    "asked",
    "stop",
    "behaviour",
    "felt",
    "upset",
    "manager",
    "week",
    "before",
    "during",
    "afternoon",
    "briefing",
    "comments",
    "remarks",
    "repeated",
]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _prose(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(_name(rng) if rng.random() < 0.03 else rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


def _case(index: int, rng: random.Random, person: Person) -> Case:
    planted = index % (CASES // (4 * PLANTED)) == 0 and index // (CASES // (4 * PLANTED)) < (
        4 * PLANTED
    )
    role = (index // (CASES // (4 * PLANTED))) % 4 if planted else -1
    narrative = _prose(rng, rng.randint(400, 900))
    details = {
        "contact_name": SUBJECT if role == 1 else _name(rng),
        "contact_email": f"person{index}@example.org",
        "witnesses": f"{_name(rng)} and {SUBJECT}" if role == 2 else _name(rng),
        "where": rng.choice(["Tea room", "Committee corridor", "Constituency office"]),
    }
    if role == 3:
        narrative += f" {SUBJECT} was there too."
    key = new_data_key(f"case:B-{index}", save=False)
    case = Case(
        reference=f"B-{index}",
        data_key=key,
        category=Category.BULLYING,
        identity=Identity.NAMED,
        respondent=person if role == 0 else None,
    )
    case.narrative = narrative
    case.respondent_description = "A member of the committee staff"
    case.details = json.dumps(details)
    return case


def _messages(case: Case, rng: random.Random) -> list[Message]:
    messages = []
    for _ in range(FILE):
        message = Message(case=case, direction=Direction.FROM_COMPLAINANT, data_key=case.data_key)
        message.body = _prose(rng, rng.randint(100, 300))
        messages.append(message)
    return messages


def _records(case: Case, rng: random.Random) -> list[CaseRecord]:
    records = []
    for _ in range(FILE):
        record = CaseRecord(case=case, kind=RecordKind.INTERVIEW, data_key=case.data_key)
        record.body = _prose(rng, rng.randint(200, 600))
        records.append(record)
    return records


def populate() -> Person:
    rng = random.Random(20261207)
    person = Person.objects.create(identifier="B-SUBJECT", name=SUBJECT, kind=PersonKind.MEMBER)
    started = time.monotonic()
    for start in range(0, CASES, BATCH):
        cases = [_case(i, rng, person) for i in range(start, min(CASES, start + BATCH))]
        with transaction.atomic():
            DataKey.objects.bulk_create([case.data_key for case in cases])
            Case.objects.bulk_create(cases)
            Message.objects.bulk_create(m for case in cases for m in _messages(case, rng))
            CaseRecord.objects.bulk_create(r for case in cases for r in _records(case, rng))
    print(f"   wrote {CASES:,} cases in {time.monotonic() - started:.1f} s", flush=True)
    return person


def decrypt_only() -> float:
    """The baseline: load every case and decrypt its three fields, and its messages' and
    records' bodies under the key loaded with it, a chunk of cases at a time; match nothing."""
    clear_key_cache()
    started = time.perf_counter()
    total = 0
    last = 0
    while chunk := list(
        Case.objects.select_related("data_key").filter(pk__gt=last).order_by("pk")[:BATCH]
    ):
        keys = {case.pk: case.data_key for case in chunk}
        within = {"case__pk__range": (chunk[0].pk, chunk[-1].pk)}
        for case in chunk:
            total += len(case.narrative or "") + len(case.respondent_description or "")
            total += len(case.details or "")
        for row in [*Message.objects.filter(**within), *CaseRecord.objects.filter(**within)]:
            row.data_key = keys[row.case_id]
            total += len(row.body)
        last = chunk[-1].pk
    elapsed = time.perf_counter() - started
    assert total > 0
    return elapsed


def main() -> None:
    try:
        call_command("migrate", verbosity=0)
        populate()
        officer = User.objects.create_user(username="bench-dpo", password=None)
        RoleGrant.objects.create(user=officer, role=Role.DATA_PROTECTION_OFFICER)
        request = actions.record(
            kind=Kind.ACCESS,
            subject_name=SUBJECT,
            subject_identifier="B-SUBJECT",
            identity_check="Benchmark",
            received_on=timezone.localdate(),
            actor=officer,
        )
        before = decrypt_only()
        clear_key_cache()
        started = time.perf_counter()
        result = search(request, actor=officer)
        elapsed = time.perf_counter() - started
        # The baseline is timed on both sides of the search, and the faster kept: the first
        # pass over the rows also warms the database's cache for whatever runs next.
        baseline = min(before, decrypt_only())
        cases_found = Finding.objects.filter(request=request).values("case").distinct().count()
        print(
            f"   read {result.cases_read:,} cases, found the person in {cases_found} "
            f"(planted in {4 * PLANTED}), {result.findings} places; one data key per case",
            flush=True,
        )
        record(
            f"subject access search, {CASES:,} cases",
            elapsed,
            "s",
            goal=GOAL,
            baseline=baseline,
            against="decrypting the same rows",
            higher_is_better=False,
        )
        record(
            "subject access search, per case",
            elapsed / CASES * 1e6,
            "us",
            baseline=baseline / CASES * 1e6,
            against="decrypting one case's row",
            higher_is_better=False,
        )
        verdict = "met" if elapsed < LIMIT_SECONDS * CASES / 100_000 else "NOT MET"
        print(f"   under one minute per 100,000 cases: {verdict}", flush=True)
    finally:
        connection.close()
        drop_database(DATABASE)
        if Path(os.environ["REDRESS_DATA_DIR"]) == DATA_DIR:  # its throwaway keys
            shutil.rmtree(DATA_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
