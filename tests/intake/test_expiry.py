"""Abandoned drafts expire: their key is shredded and staged evidence deleted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from redress.intake import actions
from redress.intake.models import Draft
from redress.intake.sandbox import clean
from redress.ledger.models import Entry
from redress.vault.models import DataKey
from redress.vault.storage import EncryptingStorage
from tests.intake import samples
from tests.intake.helpers import fill_report

pytestmark = pytest.mark.django_db


def test_abandoned_draft_is_shredded_with_its_evidence() -> None:
    draft = actions.start_draft()
    actions.save_answers(draft, {"what_happened": "Half a story."})
    item = actions.stage_evidence(
        draft, clean(samples.jpeg(), filename="a.jpg"), original_name="a.jpg"
    )
    key_id = draft.data_key_id
    assert actions.expire_drafts(now=timezone.now()) == 0  # still fresh
    later = timezone.now() + actions.DRAFT_LIFETIME + timedelta(minutes=1)
    assert actions.expire_drafts(now=later) == 1
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert DataKey.objects.get(pk=key_id).is_shredded
    assert not EncryptingStorage().exists(item["stored_name"])
    assert Entry.objects.filter(action="vault.key_shredded").count() == 1


def test_submitted_drafts_keep_the_case_and_forget_the_code(client: Client) -> None:
    fill_report(client)
    client.post("/report/submit")
    draft = Draft.objects.get()
    later = timezone.now() + actions.RECEIPT_HOLD + timedelta(minutes=1)
    assert actions.expire_drafts(now=later) == 1
    draft.refresh_from_db()
    assert draft.receipt is None
    assert not DataKey.objects.get(pk=draft.data_key_id).is_shredded  # the case still reads
    assert draft.case is not None
    assert draft.case.narrative


def test_files_nothing_refers_to_are_removed_and_the_rest_kept(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    # A file held for a choice never made, or stored by an upload whose row never committed,
    # is left behind; the sweep removes it once it is old enough, and nothing still in use.
    settings.MEDIA_ROOT = str(tmp_path)  # a folder of its own: other tests' files are not ours
    storage = EncryptingStorage()
    draft = actions.start_draft()
    staged = actions.stage_evidence(
        draft, clean(samples.jpeg(), filename="a.jpg"), original_name="a.jpg"
    )["stored_name"]
    fill_report(client)
    client.post("/report/submit")
    case = Draft.objects.exclude(pk=draft.pk).get().case
    assert case is not None
    attached = actions.add_evidence(
        case, clean(samples.png(), filename="b.png"), original_name="b.png"
    ).stored_name
    orphan = storage.save_sealed(b"held, then forgotten", case.data_key)

    assert actions.remove_orphan_files() == 0  # all too new to be taken for orphans
    later = timezone.now() + actions.ORPHAN_AGE + timedelta(minutes=1)
    assert actions.remove_orphan_files(now=later) == 1
    assert not storage.exists(orphan)
    assert storage.exists(staged)
    assert storage.exists(attached)
    assert storage.open_sealed(attached, case.data_key)
    assert Entry.objects.filter(action="storage.orphans_removed").count() == 1
    assert actions.remove_orphan_files(now=later) == 0
