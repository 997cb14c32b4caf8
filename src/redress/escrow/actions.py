"""Escrow acts: start (with an emailed confirmation), lodge, match, open, record contact,
withdraw, convert.

Escrow needs a verified identity (a confirmed email address or a staff account) so that matches
count distinct people. Each act is ledgered with digests only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

import nacl.exceptions
import nacl.secret
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts.models import User
from redress.accounts.throttle import email_allowed
from redress.cases import actions as case_actions
from redress.cases.models import Case, Category, Identity
from redress.core import keyfiles
from redress.directory.models import Person
from redress.disclosure import actions as disclosure
from redress.escrow import oprf, protocol
from redress.escrow.keyservice import KeyServiceError, get_key_service
from redress.escrow.models import CounsellorKey, EscrowEntry, Match, PendingEntry, Status
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action
from redress.vault.actions import new_data_key, shred

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PENDING_HOURS = 24


class EscrowError(Exception):
    """An escrow act that cannot be done; the message says why, in words for the person."""


def _key() -> bytes:
    return keyfiles.read_or_create(settings.KEYS_DIR / "escrow-hmac.key")


def keyed(label: str, value: str) -> bytes:
    return hmac.new(_key(), f"{label}:{value}".encode(), hashlib.sha256).digest()


def new_code() -> str:
    """A management code: 20 base-32 characters (100 bits), grouped for writing down."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(20))
    return "-".join(body[i : i + 5] for i in range(0, 20, 5))


def normalise_code(typed: str) -> str:
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")


def phi_for(identifier: str) -> bytes:
    """The OPRF output for a respondent's identifier: blinded here, evaluated by the key
    service (which never sees the identifier), finalized here."""
    data = identifier.strip().upper().encode()
    blind, blinded = oprf.blind(data)
    try:
        evaluated = get_key_service().evaluate(blinded)
    except KeyServiceError as failed:
        raise EscrowError(
            _("Escrow cannot take entries just now. Please try again later.")
        ) from failed
    return oprf.finalize(data, blind, evaluated)


def counsellor_key() -> CounsellorKey:
    key = CounsellorKey.objects.filter(active=True).order_by("-created_at").first()
    if key is None:
        raise EscrowError(_("Escrow is not open yet: no counsellor has set up their key."))
    return key


def create_counsellor_key(user: User, passphrase: str) -> CounsellorKey:
    try:
        locked = protocol.new_counsellor_key(passphrase)
    except protocol.ProtocolError as refused:
        raise EscrowError(str(refused)) from refused
    with transaction.atomic():
        CounsellorKey.objects.filter(active=True).update(active=False)
        key = CounsellorKey.objects.create(
            owner=user,
            public_key=locked.public_key,
            locked_private=locked.locked_private,
            salt=locked.salt,
            params=locked.params,
        )
        append(
            actor=f"user:{user.pk}", action=Action.ESCROW_KEY_CREATED, obj=f"counsellor:{key.pk}"
        )
    return key


def start(*, respondent: Person, report: str, email: str, client: str | None = None) -> str:
    """Hold an entry until the complainant confirms their email; returns the link's secret.

    No email goes (the entry is held, unconfirmable, and lapses) when too many have gone to
    the address or been asked for by ``client`` (an in-memory fingerprint) within the hour:
    the page says the same, so it tells nobody how often an address was used.
    """
    if not report.strip():
        raise EscrowError(_("Describe what happened"))
    counsellor_key()  # refuse early when escrow is not open
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        key = new_data_key("escrow-pending")
        pending = PendingEntry(data_key=key, token_digest=keyed("pending", token))
        pending.content = json.dumps(
            {"respondent": respondent.identifier, "report": report, "email": email.strip().lower()}
        )
        pending.save()
        link = settings.SITE_URL.rstrip("/") + reverse("public:escrow-confirm", args=[token])
        if not email_allowed(email, client=client):
            return token
        transaction.on_commit(
            lambda: send_mail(
                _("Confirm your escrow entry"),
                _(
                    "To lodge your entry, open this link within 24 hours:\n\n%(link)s\n\n"
                    "If this was not you, ignore this email: nothing will be kept."
                )
                % {"link": link},
                None,
                [email],
            )
        )
    return token


def held_for(token: str) -> PendingEntry:
    """The held entry an emailed link confirms. Changes nothing: opening the link only shows a
    button, so a mail scanner or link preview that opens it first cannot use it up.

    Refuses (``EscrowError``) a link that is unknown, already used or over ``PENDING_HOURS`` old.
    """
    pending = PendingEntry.objects.filter(token_digest=keyed("pending", token)).first()
    if pending is None or timezone.now() - pending.created_at > dt.timedelta(hours=PENDING_HOURS):
        raise EscrowError(_("This link does not work. It may have expired or been used."))
    return pending


def confirm(token: str) -> tuple[EscrowEntry, str]:
    """The complainant confirmed their email: lodge the entry; the held copy is shredded."""
    pending = held_for(token)
    content = json.loads(pending.content)
    entry, code = lodge(
        respondent_identifier=content["respondent"],
        report=content["report"],
        identity=f"email:{content['email']}",
        contact=content["email"],
    )
    with transaction.atomic():
        shred(pending.data_key, actor="system:escrow", reason="escrow entry lodged")
        pending.delete()
    return entry, code


def lodge(
    *, respondent_identifier: str, report: str, identity: str, contact: str
) -> tuple[EscrowEntry, str]:
    """Seal an entry to the counsellor and look for a match. Returns the entry and its code."""
    key = counsellor_key()
    threshold = settings.ESCROW_THRESHOLD
    derived = protocol.derive(phi_for(respondent_identifier), threshold)
    x = protocol.x_for(identity)
    # Whom it is about goes in too: only the counsellor can read it, once entries match.
    written = {"respondent": respondent_identifier, "report": report, "contact": contact}
    sealed = protocol.seal_entry(json.dumps(written), derived, x, bytes(key.public_key))
    code = new_code()
    own_copy = nacl.secret.SecretBox(copy_key(code)).encrypt(json.dumps(written).encode())
    with transaction.atomic():
        entry = EscrowEntry.objects.create(
            pointer=derived.pointer,
            sealed=sealed,
            counsellor=key,
            identity_digest=keyed("identity", identity.strip().lower()),
            code_digest=keyed("code", normalise_code(code)),
            own_copy=bytes(own_copy),
        )
        append(
            actor="complainant",
            action=Action.ESCROW_LODGED,
            obj=f"escrow:{entry.pk}",
            digest=hashlib.sha256(derived.pointer).hexdigest(),
        )
        _match(entry, threshold)
    return entry, code


def _match(entry: EscrowEntry, threshold: int) -> Match | None:
    live = EscrowEntry.objects.select_for_update().filter(
        pointer=entry.pointer, status__in=[Status.HELD, Status.MATCHED], counsellor=entry.counsellor
    )
    people = {bytes(e.identity_digest) for e in live}
    if len(people) < threshold:
        return None
    match = next((e.match for e in live if e.match_id), None) or Match.objects.create(
        pointer=entry.pointer, counsellor=entry.counsellor
    )
    live.update(status=Status.MATCHED, match=match)
    append(actor="system:escrow", action=Action.ESCROW_MATCHED, obj=f"match:{match.pk}")
    owner = entry.counsellor.owner
    if owner.email:
        address = owner.email
        transaction.on_commit(
            lambda: send_mail(
                _("Escrow entries have matched"),
                _(
                    "Entries from different people about the same person have matched. Sign in "
                    "to open them with your passphrase."
                ),
                None,
                [address],
            )
        )
    return match


def find(code: str) -> EscrowEntry | None:
    return EscrowEntry.objects.filter(code_digest=keyed("code", normalise_code(code))).first()


def withdraw(entry: EscrowEntry) -> None:
    """Deleted at once: the sealed bundle is wiped; only the row's bare status remains."""
    with transaction.atomic():
        EscrowEntry.objects.filter(pk=entry.pk).update(
            sealed=b"", own_copy=b"", status=Status.DELETED, withdrawn_at=timezone.now()
        )
        append(actor="complainant", action=Action.ESCROW_WITHDRAWN, obj=f"escrow:{entry.pk}")


def convert(
    entry: EscrowEntry, *, respondent: Person, category: Category, report: str, email: str
) -> Case:
    """The complainant goes ahead: a confidential complaint, linked to the entry (and through
    its match to the others); the sealed bundle is wiped."""
    if entry.status in (Status.CONVERTED, Status.DELETED):
        raise EscrowError(_("This entry is closed."))
    if not report.strip():
        raise EscrowError(_("Describe what happened"))
    with transaction.atomic():
        case = case_actions.receive(
            category=category,
            identity=Identity.CONFIDENTIAL,
            narrative=report,
            respondent=respondent,
            details={"from_escrow": True},
        )
        # Their address is sealed apart from the case, as every confidential complainant's is.
        disclosure.seal(case, {"email": email})
        EscrowEntry.objects.filter(pk=entry.pk).update(
            status=Status.CONVERTED, case=case, sealed=b"", own_copy=b""
        )
        append(
            actor="complainant",
            action=Action.ESCROW_CONVERTED,
            obj=f"escrow:{entry.pk}",
            digest=digest_of(case.reference),
        )
    return case


def copy_key(code: str) -> bytes:
    """The key of the complainant's own copy: from their code and the server's escrow key, so
    neither a copy of the database nor the code alone opens it. The follow-up pages keep it in
    a cookie of the complainant's browser, never in the session's row."""
    return keyed("own-copy", normalise_code(code))


@dataclass(frozen=True)
class OwnCopy:
    respondent: Person | None
    report: str
    contact: str


def read_own_copy(entry: EscrowEntry, key: bytes) -> OwnCopy | None:
    """What the complainant wrote, for going ahead without retyping; None when there is no copy
    (an older entry, or one closed) or ``key`` does not open it."""
    sealed = bytes(entry.own_copy)
    if not sealed or entry.status not in (Status.HELD, Status.MATCHED):
        return None
    try:
        data: dict[str, Any] = json.loads(nacl.secret.SecretBox(key).decrypt(sealed))
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        return None
    return OwnCopy(
        respondent=Person.objects.by_identifier(str(data.get("respondent", ""))),
        report=str(data.get("report", "")),
        contact=str(data.get("contact", "")),
    )


def record_contact(entry: EscrowEntry, *, counsellor: User) -> None:
    """The counsellor reached this entry's complainant after a match. Once per entry; ledgered."""
    match = entry.match
    if (
        match is None
        or entry.status != Status.MATCHED
        or match.counsellor.owner_id != counsellor.pk
    ):
        raise EscrowError(_("Only the counsellor of a match records contact with its entries."))
    with transaction.atomic():
        updated = EscrowEntry.objects.filter(pk=entry.pk, contacted_at__isnull=True).update(
            contacted_at=timezone.now(), contacted_by=counsellor
        )
        if not updated:
            raise EscrowError(_("Contact with this person is already recorded."))
        append(
            actor=f"user:{counsellor.pk}",
            action=Action.ESCROW_CONTACT_RECORDED,
            obj=f"escrow:{entry.pk}",
        )


@dataclass(frozen=True)
class Opened:
    entry: EscrowEntry
    report: str
    contact: str
    # Whom the entries are about, for the counsellor alone; None for entries lodged before
    # that was sealed with them, or a person no longer in the directory.
    respondent: Person | None = None


def open_match(match: Match, *, counsellor: User, passphrase: str) -> list[Opened]:
    """The counsellor reads the matched entries: unlock the key, unseal each bundle, rebuild k
    from the shares, open each report. Ledgered."""
    key = match.counsellor
    if key.owner_id != counsellor.pk:
        raise EscrowError(_("Only the counsellor who holds this key can open it."))
    try:
        private = protocol.unlock(
            protocol.LockedKey(
                bytes(key.public_key), bytes(key.locked_private), bytes(key.salt), key.params
            ),
            passphrase,
        )
        entries = list(match.entries.filter(status=Status.MATCHED).order_by("pk"))
        bundles = [protocol.unseal(bytes(e.sealed), private) for e in entries]
        payloads = protocol.open_entries(bundles, settings.ESCROW_THRESHOLD)
    except protocol.ProtocolError as refused:
        raise EscrowError(str(refused)) from refused
    with transaction.atomic():
        append(actor=f"user:{counsellor.pk}", action=Action.ESCROW_OPENED, obj=f"match:{match.pk}")
    opened = []
    for entry, payload in zip(entries, payloads, strict=True):
        data: dict[str, Any] = json.loads(payload)
        identifier = data.get("respondent")
        opened.append(
            Opened(
                entry=entry,
                report=data["report"],
                contact=data["contact"],
                respondent=Person.objects.by_identifier(identifier) if identifier else None,
            )
        )
    return opened
