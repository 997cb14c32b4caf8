from django.apps import AppConfig


class EscrowConfig(AppConfig):
    name = "redress.escrow"
    label = "escrow"
    verbose_name = "Escrow matching"
