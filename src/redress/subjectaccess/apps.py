"""Subject access, erasure and rectification requests, handled by the data protection officer:
a deadline of one calendar month (extendable with reasons), a search over decrypted content
with every read ledgered, an answer assembled as PDF and JSON with other people's identifying
information redacted, a second person's approval, and release through a one-time link.
"""

from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    name = "redress.subjectaccess"
    label = "subjectaccess"
    verbose_name = "Subject access and other data protection requests"

    def ready(self) -> None:
        from redress.subjectaccess import access  # noqa: F401  (registers the access rules)
