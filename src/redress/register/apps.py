from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "redress.register"
    label = "register"
    verbose_name = "Sanctions register"
