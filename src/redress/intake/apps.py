from typing import Any

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "redress.intake"
    label = "intake"
    verbose_name = "Confidential reporting"

    def ready(self) -> None:
        # An act on a case announces news after commit; the complainant hears of it here, where
        # their contact choices are kept.
        from redress.cases.notices import case_updated
        from redress.intake import (
            access,  # noqa: F401  (registers intake.take_report)
            contact,
        )

        def tell(sender: Any, *, case: Any, **kwargs: Any) -> None:
            contact.notify_update(case)

        case_updated.connect(tell, weak=False, dispatch_uid="intake.notify_update")
