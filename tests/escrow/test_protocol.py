"""Escrow: who learns what. A dump of every table with the key-encryption key but without the
counsellor's key holds no report and no identifier; one share opens nothing; two people about
one person match and the counsellor reads both; one person twice never matches; different
people never match; the key service sees only blinded elements and refuses strangers."""

from __future__ import annotations

import base64
import threading

import pytest
from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redress.accounts.models import Role
from redress.escrow import actions, oprf, protocol
from redress.escrow.keyservice import HttpKeyService, InProcessKeyService
from redress.escrow.models import EscrowEntry, Match, Status
from redress.escrow.server import make_server
from redress.ledger.models import Entry
from tests.factories import make_staff

pytestmark = pytest.mark.django_db
PASSPHRASE = "correct horse battery staple"
REPORT = "He pinned me against the filing cabinet after the late sitting"
RESPONDENT = "M-7777"


@pytest.fixture
def counsellor():  # type: ignore[no-untyped-def]
    user = make_staff("counsellor", Role.ESCROW_COUNSELLOR, totp=False, password=None)
    actions.create_counsellor_key(user, PASSPHRASE)
    return user


def _lodge(identity: str, respondent: str = RESPONDENT, report: str = REPORT) -> EscrowEntry:
    entry, _code = actions.lodge(
        respondent_identifier=respondent, report=report, identity=identity, contact=identity[6:]
    )
    return entry


def _every_row() -> bytes:
    dump = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            cursor.execute(f'SELECT * FROM "{model._meta.db_table}"')
            for row in cursor.fetchall():
                for value in row:
                    dump.append(
                        bytes(value)
                        if isinstance(value, (bytes, memoryview))
                        else str(value).encode()
                    )
    return b"\n".join(dump)


def test_the_database_holds_no_report_and_no_identifier(counsellor) -> None:  # type: ignore[no-untyped-def]
    _lodge("email:ann@example.org")
    _lodge("email:bea@example.org")
    dump = _every_row()
    for secret in (REPORT.encode(), RESPONDENT.encode(), b"ann@example.org"):
        for form in (secret, secret.hex().encode(), base64.b64encode(secret)):
            assert form not in dump


def test_two_people_about_one_person_match_and_the_counsellor_reads_both(counsellor) -> None:  # type: ignore[no-untyped-def]
    first = _lodge("email:ann@example.org")
    assert first.status == Status.HELD
    second = _lodge("email:bea@example.org", report="He did the same to me in March")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Status.MATCHED
    match = Match.objects.get()
    opened = actions.open_match(match, counsellor=counsellor, passphrase=PASSPHRASE)
    assert {o.report for o in opened} == {REPORT, "He did the same to me in March"}
    assert {o.contact for o in opened} == {"ann@example.org", "bea@example.org"}
    assert Entry.objects.filter(action="escrow.opened").count() == 1
    with pytest.raises(actions.EscrowError, match="passphrase"):
        actions.open_match(match, counsellor=counsellor, passphrase="wrong passphrase!")


def test_one_share_opens_nothing(counsellor) -> None:  # type: ignore[no-untyped-def]
    entry = _lodge("email:ann@example.org")
    key = entry.counsellor
    private = protocol.unlock(
        protocol.LockedKey(
            bytes(key.public_key), bytes(key.locked_private), bytes(key.salt), key.params
        ),
        PASSPHRASE,
    )
    bundle = protocol.unseal(bytes(entry.sealed), private)
    with pytest.raises(protocol.ProtocolError, match="not enough distinct shares"):
        protocol.open_entries([bundle], 2)
    # Even forcing interpolation from the one point (as if threshold were 1) gives the wrong k.
    with pytest.raises(protocol.ProtocolError):
        protocol.open_entries([bundle, {**bundle, "x": bundle["x"] + 1}], 2)


def test_one_person_twice_never_matches(counsellor) -> None:  # type: ignore[no-untyped-def]
    _lodge("email:ann@example.org")
    _lodge("email:ANN@example.org ")
    assert not Match.objects.exists()
    assert set(EscrowEntry.objects.values_list("status", flat=True)) == {Status.HELD}


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ0123456789-", min_size=3, max_size=12),
    st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ0123456789-", min_size=3, max_size=12),
)
def test_entries_about_different_people_never_match(counsellor, a: str, b: str) -> None:  # type: ignore[no-untyped-def]
    if a.strip().upper() == b.strip().upper():
        return
    EscrowEntry.objects.all().delete()
    Match.objects.all().delete()
    _lodge("email:ann@example.org", respondent=a)
    _lodge("email:bea@example.org", respondent=b)
    assert not Match.objects.exists()


def test_a_threshold_of_three_needs_three_people(counsellor, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ESCROW_THRESHOLD = 3
    _lodge("email:ann@example.org")
    _lodge("email:bea@example.org")
    assert not Match.objects.exists()
    _lodge("email:cat@example.org")
    match = Match.objects.get()
    assert len(actions.open_match(match, counsellor=counsellor, passphrase=PASSPHRASE)) == 3


def test_a_withdrawn_entry_no_longer_counts(counsellor) -> None:  # type: ignore[no-untyped-def]
    first = _lodge("email:ann@example.org")
    actions.withdraw(first)
    first.refresh_from_db()
    assert bytes(first.sealed) == b""
    _lodge("email:bea@example.org")
    assert not Match.objects.exists()


def _serve(key: bytes, secret: bytes, per_hour: int):  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, key=key, secret=secret, per_hour=per_hour)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.mark.django_db(transaction=True)
def test_the_key_service_sees_only_blinded_elements_and_refuses_strangers() -> None:
    key = oprf.generate_key()
    server, url = _serve(key, b"shared secret", per_hour=3)
    try:
        handler = server.RequestHandlerClass
        client = HttpKeyService(url, caller="web-1", secret=b"shared secret")
        data = RESPONDENT.encode()
        blind, blinded = oprf.blind(data)
        over_http = oprf.finalize(data, blind, client.evaluate(blinded))
        assert over_http == oprf.finalize(data, blind, InProcessKeyService(key).evaluate(blinded))
        sent = b"".join(handler.received)  # type: ignore[attr-defined]
        assert data not in sent
        assert oprf.hash_to_group(data).hex().encode() not in sent
        stranger = HttpKeyService(url, caller="web-1", secret=b"guessed")
        with pytest.raises(Exception, match="401"):
            stranger.evaluate(blinded)
        client.evaluate(blinded)
        client.evaluate(blinded)
        with pytest.raises(Exception, match="429"):
            client.evaluate(blinded)  # the fourth in an hour
        other = HttpKeyService(url, caller="web-2", secret=b"shared secret")
        other.evaluate(blinded)  # another caller still works
        assert Entry.objects.filter(action="escrow.evaluated").count() == 4
    finally:
        server.shutdown()
        server.server_close()
