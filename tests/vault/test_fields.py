"""Encrypted model fields read and write like ordinary ones and store only ciphertext."""

from __future__ import annotations

import copy
import json
import pickle

import pytest
from django.core import serializers
from django.core.exceptions import FieldError, ValidationError
from django.db import connection
from django.template import Context, Template

from redress.vault import actions
from redress.vault.actions import new_data_key, shred
from redress.vault.errors import Shredded, VaultError
from redress.vault.fields import UNSEALED, EncryptedTextField, Sealed
from redress.vault.models import DataKey
from tests.vault.models import Complaint


def raw_column(obj: Complaint, column: str) -> bytes | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM "
            f"{connection.ops.quote_name(Complaint._meta.db_table)} WHERE id = %s",
            [Complaint._meta.pk.get_db_prep_value(obj.pk, connection)],
        )
        value = cursor.fetchone()[0]
    return None if value is None else bytes(value)


@pytest.fixture
def complaint(complaints: type[Complaint]) -> Complaint:
    return Complaint.objects.create(
        data_key=new_data_key("case:1"),
        reference="C-1",
        narrative="He shouted at me in the corridor.",
        evidence=b"\x89PNG binary evidence",
    )


def test_reads_like_an_ordinary_field(complaint: Complaint) -> None:
    assert complaint.narrative == "He shouted at me in the corridor."
    loaded = Complaint.objects.get(pk=complaint.pk)
    assert isinstance(loaded.narrative_sealed, Sealed)
    assert loaded.narrative == "He shouted at me in the corridor."
    assert loaded.evidence == b"\x89PNG binary evidence"
    assert loaded.statement is None


def test_the_column_holds_only_ciphertext(complaint: Complaint) -> None:
    stored = raw_column(complaint, "narrative")
    assert stored is not None
    assert b"corridor" not in stored
    assert stored[1:17] == complaint.data_key.id.bytes
    assert b"binary evidence" not in (raw_column(complaint, "evidence") or b"")


def test_reading_is_lazy_so_shredded_cases_can_be_listed(complaint: Complaint) -> None:
    shred(complaint.data_key, actor="user:1", reason="retention")
    listed = list(Complaint.objects.select_related("data_key").order_by("reference"))
    assert [c.reference for c in listed] == ["C-1"]
    with pytest.raises(Shredded):
        _ = listed[0].narrative
    # Saving other fields of a shredded case still works and keeps the ciphertext as it was.
    before = raw_column(complaint, "narrative")
    listed[0].reference = "C-1a"
    listed[0].save()
    assert raw_column(complaint, "narrative") == before


def test_assign_and_save_reseals(complaint: Complaint) -> None:
    before = raw_column(complaint, "narrative")
    loaded = Complaint.objects.get(pk=complaint.pk)
    loaded.narrative = "Updated account."
    assert loaded.narrative_sealed is UNSEALED
    loaded.save()
    after = raw_column(complaint, "narrative")
    assert after != before
    assert Complaint.objects.get(pk=complaint.pk).narrative == "Updated account."


def test_saving_unchanged_content_keeps_the_ciphertext(complaint: Complaint) -> None:
    before = raw_column(complaint, "narrative")
    loaded = Complaint.objects.get(pk=complaint.pk)
    _ = loaded.narrative
    loaded.save()
    assert raw_column(complaint, "narrative") == before


def test_update_fields(complaint: Complaint) -> None:
    loaded = Complaint.objects.get(pk=complaint.pk)
    loaded.narrative = "Only this."
    loaded.reference = "C-2"
    loaded.save(update_fields=["reference"])
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert (fresh.reference, fresh.narrative) == ("C-2", "He shouted at me in the corridor.")
    loaded.save(update_fields=["narrative"])
    assert Complaint.objects.get(pk=complaint.pk).narrative == "Only this."


def test_refresh_from_db_discards_unsaved_plaintext(complaint: Complaint) -> None:
    complaint.narrative = "not saved"
    complaint.refresh_from_db()
    assert complaint.narrative == "He shouted at me in the corridor."
    Complaint.objects.filter(pk=complaint.pk).update(narrative=None)
    complaint.refresh_from_db(fields=["narrative"])
    assert complaint.narrative is None


def test_refresh_from_db_works_on_shredded_cases(complaint: Complaint) -> None:
    shred(complaint.data_key, actor="user:1", reason="retention")
    complaint.refresh_from_db()
    with pytest.raises(Shredded):
        _ = complaint.narrative


def test_deferred_fields_load_on_access(complaint: Complaint) -> None:
    loaded = Complaint.objects.defer("narrative").get(pk=complaint.pk)
    assert "narrative_sealed" in loaded.get_deferred_fields()
    assert loaded.narrative == "He shouted at me in the corridor."
    only = Complaint.objects.only("id", "data_key").get(pk=complaint.pk)
    only.narrative = "assigned while deferred"
    only.save()
    assert Complaint.objects.get(pk=complaint.pk).narrative == "assigned while deferred"


def test_lookups_are_refused_except_isnull(complaint: Complaint) -> None:
    with pytest.raises(FieldError):
        Complaint.objects.filter(narrative="He shouted at me in the corridor.").count()
    with pytest.raises(FieldError):
        Complaint.objects.filter(narrative__contains="corridor").count()
    assert Complaint.objects.filter(narrative__isnull=False).count() == 1
    assert Complaint.objects.filter(statement__isnull=True).count() == 1


def test_values_give_ciphertext(complaint: Complaint) -> None:
    (row,) = Complaint.objects.values("narrative")
    assert isinstance(row["narrative"], Sealed)
    assert b"corridor" not in row["narrative"]


def test_queryset_update_with_plaintext_is_refused(complaint: Complaint) -> None:
    with pytest.raises(VaultError, match="unsealed"):
        Complaint.objects.filter(pk=complaint.pk).update(evidence=b"plain bytes")
    with pytest.raises(VaultError, match="unsealed"):
        Complaint.objects.filter(pk=complaint.pk).update(narrative="plain text")


def test_bulk_create_and_bulk_update(complaints: type[Complaint]) -> None:
    key = new_data_key("case:bulk")
    made = Complaint.objects.bulk_create(
        [Complaint(data_key=key, reference=f"B-{i}", narrative=f"story {i}") for i in range(3)]
    )
    loaded = list(Complaint.objects.filter(data_key=key).order_by("reference"))
    assert [c.narrative for c in loaded] == ["story 0", "story 1", "story 2"]
    for c in loaded:
        c.reference += "x"
    Complaint.objects.bulk_update(loaded, ["reference", "narrative"])  # unchanged ciphertext
    made[0].narrative = "changed"
    with pytest.raises(VaultError, match="unsealed"):
        Complaint.objects.bulk_update([made[0]], ["narrative"])


def test_ciphertext_swapped_between_rows_does_not_open(complaints: type[Complaint]) -> None:
    first = Complaint.objects.create(data_key=new_data_key("case:1"), narrative="first story")
    second = Complaint.objects.create(data_key=new_data_key("case:2"), narrative="second story")
    Complaint.objects.filter(pk=second.pk).update(narrative=first.narrative_sealed)
    with pytest.raises(VaultError):
        _ = Complaint.objects.get(pk=second.pk).narrative


def test_ciphertext_moved_to_another_field_does_not_open(complaints: type[Complaint]) -> None:
    key = new_data_key("case:1")
    complaint = Complaint.objects.create(data_key=key, narrative="story")
    Complaint.objects.filter(pk=complaint.pk).update(statement=complaint.narrative_sealed)
    with pytest.raises(VaultError, match="failed authentication"):
        _ = Complaint.objects.get(pk=complaint.pk).statement


def test_bound_rows_of_one_subject_cannot_swap(complaints: type[Complaint]) -> None:
    key = new_data_key("case:1")
    first = Complaint.objects.create(data_key=key, narrative="a", statement="first statement")
    second = Complaint.objects.create(data_key=key, narrative="b", statement="second statement")
    assert Complaint.objects.get(pk=first.pk).statement == "first statement"
    # Same data key and field: an unbound field opens after a swap, a bound one does not.
    Complaint.objects.filter(pk=second.pk).update(
        narrative=first.narrative_sealed, statement=first.statement_sealed
    )
    moved = Complaint.objects.get(pk=second.pk)
    assert moved.narrative == "a"
    with pytest.raises(VaultError, match="failed authentication"):
        _ = moved.statement


def test_changing_the_data_key_reseals_what_was_read(complaint: Complaint) -> None:
    loaded = Complaint.objects.get(pk=complaint.pk)
    old_key = loaded.data_key
    _ = loaded.narrative
    new_key = new_data_key("case:1 rekeyed")
    loaded.data_key = new_key
    with pytest.raises(VaultError, match="read it before changing the key"):
        loaded.save()  # evidence was never read, so it cannot be re-sealed
    loaded.data_key = old_key
    _ = loaded.evidence
    loaded.data_key = new_key
    loaded.save()
    fresh = Complaint.objects.select_related("data_key").get(pk=complaint.pk)
    assert fresh.data_key == new_key
    assert (fresh.narrative, fresh.evidence) == (
        "He shouted at me in the corridor.",
        b"\x89PNG binary evidence",
    )


def test_a_missing_data_key_is_refused(complaints: type[Complaint]) -> None:
    with pytest.raises(VaultError, match="needs a data key"):
        Complaint.objects.create(narrative="no key")


def test_types_are_checked(complaints: type[Complaint]) -> None:
    complaint = Complaint(data_key=new_data_key("case:1"))
    with pytest.raises(TypeError):
        complaint.narrative = b"bytes"  # type: ignore[assignment]
    with pytest.raises(TypeError):
        complaint.evidence = "text"  # type: ignore[assignment]


def test_full_clean_validates_the_plaintext(complaints: type[Complaint]) -> None:
    complaint = Complaint(data_key=new_data_key("case:1"), reference="C-1")
    complaint.narrative = "x" * 5001
    with pytest.raises(ValidationError) as raised:
        complaint.full_clean()
    assert "narrative" in raised.value.message_dict
    complaint.narrative = "fine"
    complaint.full_clean()
    assert complaint.narrative == "fine"


def test_pickles_never_carry_plaintext(complaint: Complaint) -> None:
    # The test model's app is not installed, so pickle the state Model.__reduce__ would carry.
    loaded = Complaint.objects.get(pk=complaint.pk)
    assert loaded.narrative
    pickled = pickle.dumps(loaded.__reduce__()[2])
    assert b"corridor" not in pickled
    restored = Complaint.__new__(Complaint)
    restored.__setstate__(pickle.loads(pickled))  # noqa: S301 - our own bytes
    assert restored.narrative == "He shouted at me in the corridor."
    loaded.narrative = "unsaved"
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(loaded.__reduce__()[2])
    # Copies in memory (deepcopy of forms, querysets) keep unsaved plaintext.
    copied = copy.deepcopy(loaded.__dict__)
    assert copied["_vault_plain_narrative"].value == "unsaved"


def test_serialisation_writes_ciphertext_that_loads_back(complaint: Complaint) -> None:
    data = json.loads(serializers.serialize("json", [Complaint.objects.get(pk=complaint.pk)]))
    fields = data[0]["fields"]
    assert "corridor" not in json.dumps(data)
    field = Complaint._meta.get_field("narrative")
    restored = Complaint(pk=complaint.pk, data_key_id=fields["data_key"])
    setattr(restored, field.attname, field.to_python(fields["narrative"]))
    assert restored.narrative == "He shouted at me in the corridor."


def test_field_check_requires_a_data_key_foreign_key(complaints: type[Complaint]) -> None:
    assert Complaint.check() == []
    field = EncryptedTextField(key_field="reference")
    field.set_attributes_from_name("broken")
    field.model = Complaint
    assert [e.id for e in field.check()] == ["vault.E001"]


def test_migration_deconstruction_keeps_options() -> None:
    _name, path, _args, kwargs = Complaint._meta.get_field("statement").deconstruct()
    assert path == "redress.vault.fields.EncryptedTextField"
    assert kwargs["key_field"] == "data_key"
    assert kwargs["bind_row"] is True
    assert "default" not in kwargs


def test_defaults_and_unique_are_refused() -> None:
    with pytest.raises(TypeError, match="default"):
        EncryptedTextField(key_field="k", default="x")
    with pytest.raises(TypeError, match="unique"):
        EncryptedTextField(key_field="k", unique=True)


def test_template_filter_shows_content_or_the_retention_notice(complaint: Complaint) -> None:
    template = Template('{% load vault %}<p>{{ case|content:"narrative" }}</p>')
    complaint.narrative = "<b>bold</b>"
    complaint.save()
    assert template.render(Context({"case": complaint})) == "<p>&lt;b&gt;bold&lt;/b&gt;</p>"
    shred(complaint.data_key, actor="user:1", reason="retention")
    shredded = Complaint.objects.select_related("data_key").get(pk=complaint.pk)
    assert (
        template.render(Context({"case": shredded})) == "<p>Deleted under the retention policy</p>"
    )
    empty = Template('{% load vault %}{{ case|content:"statement" }}')
    assert empty.render(Context({"case": Complaint(data_key=DataKey())})) == ""


def test_reading_many_fields_unwraps_once(
    complaint: Complaint, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real_unwrap = actions._unwrap

    def counting(key: DataKey, source: object) -> bytes:
        calls.append(key.pk)
        return real_unwrap(key, source)  # type: ignore[arg-type]

    monkeypatch.setattr(actions, "_unwrap", counting)
    actions.clear_key_cache()
    loaded = Complaint.objects.select_related("data_key").get(pk=complaint.pk)
    _ = (loaded.narrative, loaded.evidence, loaded.narrative)
    assert calls == [complaint.data_key.pk]


def test_a_refused_save_leaves_the_transaction_usable(complaint: Complaint) -> None:
    shred(complaint.data_key, actor="user:1", reason="retention")
    loaded = Complaint.objects.select_related("data_key").get(pk=complaint.pk)
    loaded.narrative = "new content for a shredded case"
    with pytest.raises(Shredded):
        loaded.save()
    assert Complaint.objects.filter(pk=complaint.pk).exists()
