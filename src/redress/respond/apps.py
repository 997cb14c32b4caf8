from django.apps import AppConfig


class RespondConfig(AppConfig):
    name = "redress.respond"
    label = "respond"
    verbose_name = "The respondent's pages"
