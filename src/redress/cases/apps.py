from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "redress.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from redress.accounts.signals import account_deactivated
        from redress.cases import access  # noqa: F401  (registers the case rules)
        from redress.cases.actions import reassignment
        from redress.directory.signals import directory_changed

        # Access follows conflicts: a change to who is who, or a closed account, ends the
        # assignments it makes wrong, in the same transaction.
        directory_changed.connect(
            reassignment.on_directory_changed, dispatch_uid="cases.recheck_assignments"
        )
        account_deactivated.connect(
            reassignment.on_account_deactivated, dispatch_uid="cases.end_leaver_assignments"
        )

        # Members and party officials never hold handling roles: answered here for accounts.roles.
        from redress.cases import eligibility  # noqa: F401
