from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "redress.disclosure"
    label = "disclosure"
    verbose_name = "Identity disclosure"
