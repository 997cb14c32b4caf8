from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "redress.core"
    label = "core"
    verbose_name = "Core"
