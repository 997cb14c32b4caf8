from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "redress.public"
    label = "public"
    verbose_name = "Complainant web"
