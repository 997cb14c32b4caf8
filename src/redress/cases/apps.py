from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "redress.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # Registers the case rules with the access registry, and answers accounts.roles:
        # members and party officials never hold handling roles (eligibility).
        from redress.cases import access, eligibility  # noqa: F401
