from django.apps import AppConfig


class HelplineConfig(AppConfig):
    name = "redress.helpline"
    label = "helpline"
    verbose_name = "The helpline"

    def ready(self) -> None:
        from redress.helpline import access  # noqa: F401  (registers the helpline's rules)
