from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "redress.ops"
    label = "ops"
    verbose_name = "Operations: backups and restores"
