from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "redress.ledger"
    label = "ledger"
    verbose_name = "Ledger"
