from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "redress.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from redress.core.checks import mail_kept_in_files

        checks.register(mail_kept_in_files, deploy=True)
