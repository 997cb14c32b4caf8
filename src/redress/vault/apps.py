from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "redress.vault"
    label = "vault"
    verbose_name = "Vault"
