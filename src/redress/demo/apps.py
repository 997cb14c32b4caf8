from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "redress.demo"
    label = "demo"
    verbose_name = "Demo data"
