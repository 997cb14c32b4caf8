from django.apps import AppConfig


class HelplineConfig(AppConfig):
    name = "redress.helpline"
    label = "helpline"
    verbose_name = "The helpline"
