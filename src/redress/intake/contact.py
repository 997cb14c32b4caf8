"""Email for named and confidential complainants: verification, lost-code recovery, and
content-free update notices.

No email ever carries what a report says. Links are signed and short-lived; a recovery link
works once, because reissuing the code changes the digest the link was made for. Nothing here
reveals whether an address is known: the recovery request always answers the same way.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from redress.accounts.throttle import email_allowed
from redress.cases.models import Case
from redress.disclosure import actions as disclosure
from redress.intake import receipts
from redress.intake.models import Receipt
from redress.ledger.append import append
from redress.ledger.events import Action

VERIFY_SALT = "redress.intake.verify-email"
RECOVER_SALT = "redress.intake.recover-code"
VERIFY_MAX_AGE = 7 * 24 * 3600
RECOVER_MAX_AGE = 3600


def email_digest(email: str) -> bytes:
    return receipts.keyed_digest("email:" + email.strip().lower())


def _link(name: str, token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[token])


def send_verification(receipt: Receipt, email: str, *, client: str | None = None) -> bool:
    """Email the verification link for the saved ``receipt`` (which holds the address's digest)
    once the transaction commits; False, sending nothing, when too many emails have gone to the
    address or been asked for by ``client`` (an in-memory fingerprint) within the hour."""
    if not email_allowed(email, client=client):
        return False
    token = signing.dumps(
        {"receipt": receipt.pk, "email": bytes(receipt.email_digest or b"").hex()},
        salt=VERIFY_SALT,
    )
    link = _link("public:report-verify-email", token)
    transaction.on_commit(
        lambda: send_mail(
            _("Confirm your email address"),
            _(
                "You gave this email address with a report. To confirm it is yours, open this "
                "link within 7 days:\n\n%(link)s\n\nIf this was not you, ignore this email."
            )
            % {"link": link},
            None,
            [email],
        )
    )
    return True


def _contact_email(case: Case) -> str | None:
    # The address itself is sealed in the case's details, or a confidential complainant's in
    # their identity, sealed apart; the receipt holds only its digest.
    email = json.loads(case.details or "{}").get("contact_email") or disclosure.contact_email(case)
    return str(email) if email else None


def awaiting_verification(case: Case) -> Receipt | None:
    """The case's receipt when an address was given with it but not yet confirmed."""
    return Receipt.objects.filter(
        case=case, email_digest__isnull=False, email_verified_at__isnull=True
    ).first()


def resend_verification(case: Case, *, client: str | None = None) -> bool:
    """Send a fresh confirmation link to the address given with the report, if still unconfirmed
    (the first link lasts 7 days; without a confirmed address a lost code cannot be recovered).

    True when there is such an address, even when the limit on email to it skipped the link:
    the page says the same either way.
    """
    receipt = awaiting_verification(case)
    email = _contact_email(case)
    if receipt is None or not email or email_digest(email) != bytes(receipt.email_digest or b""):
        return False
    send_verification(receipt, email, client=client)
    return True


def verify_email(token: str) -> bool:
    """Mark the address verified when the signed link is genuine, fresh and still current."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        return False
    receipt = Receipt.objects.filter(pk=data.get("receipt")).first()
    if receipt is None or bytes(receipt.email_digest or b"").hex() != data.get("email"):
        return False
    if receipt.email_verified_at is None:
        with transaction.atomic():
            receipt.email_verified_at = timezone.now()
            receipt.save(update_fields=["email_verified_at"])
            append(
                actor="complainant",
                action=Action.RECEIPT_EMAIL_VERIFIED,
                obj=f"case:{receipt.case.reference}",
            )
    return True


def recovery_emails(email: str, *, client: str | None = None) -> list[EmailMessage]:
    """One-time links to reissue the code of every report with this verified address, unsent.

    The lookup costs the same whether or not the address is known; send them after the answer
    (``core.deferred.send_after``), so its timing does not tell the asker either. None when
    too many emails have gone to the address or been asked for by ``client`` this hour.
    """
    allowed = email_allowed(email, client=client)
    found = Receipt.objects.filter(
        email_digest=email_digest(email), email_verified_at__isnull=False
    ).select_related("case")
    messages = []
    for receipt in found:
        token = signing.dumps(
            {"receipt": receipt.pk, "digest": bytes(receipt.digest).hex()}, salt=RECOVER_SALT
        )
        link = _link("public:report-recover", token)
        body = _(
            "Someone asked for a new receipt code for a report made with this email "
            "address. To get one, open this link within an hour:\n\n%(link)s\n\n"
            "Your old code will stop working. If this was not you, ignore this email: "
            "nothing has changed."
        ) % {"link": link}
        messages.append(EmailMessage(_("Get a new receipt code"), body, None, [email]))
    return messages if allowed else []


def recovery_receipt(token: str) -> Receipt | None:
    """The receipt a recovery link is for, if the link is genuine, fresh and not yet used."""
    try:
        data = signing.loads(token, salt=RECOVER_SALT, max_age=RECOVER_MAX_AGE)
    except signing.BadSignature:
        return None
    receipt = Receipt.objects.select_related("case").filter(pk=data.get("receipt")).first()
    if receipt is None or bytes(receipt.digest).hex() != data.get("digest"):
        return None
    return receipt


def reissue(receipt: Receipt) -> str:
    """A new code for the report; the old one stops working at once."""
    code = receipts.new_code()
    with transaction.atomic():
        receipt.digest = receipts.digest(receipts.normalise(code) or "")
        receipt.save(update_fields=["digest"])
        append(
            actor="complainant",
            action=Action.RECEIPT_REISSUED,
            obj=f"case:{receipt.case.reference}",
        )
    return code


def notify_update(case: Case) -> bool:
    """Tell an opted-in complainant there is an update, without saying what it is."""
    receipt = Receipt.objects.filter(
        case=case, email_updates=True, email_verified_at__isnull=False
    ).first()
    if receipt is None:
        return False
    email = _contact_email(case)
    if not email:
        return False
    link = settings.SITE_URL.rstrip("/") + reverse("public:report-check-code")
    # The complainant's language is not kept, so the notice is in English and Welsh, whoever
    # on the staff side made the change.
    subjects, bodies = [], []
    for language in ("en", "cy"):
        with translation.override(language):
            subjects.append(_("There is an update on your report"))
            bodies.append(
                _(
                    "There is an update on your report. "
                    "Check your report with your receipt code:\n\n%(link)s"
                )
                % {"link": link}
            )
    subject, body = " / ".join(subjects), "\n\n---\n\n".join(bodies)
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return True
