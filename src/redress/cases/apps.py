from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "redress.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # Registers the case rules with the access registry.
        from redress.cases import access  # noqa: F401
