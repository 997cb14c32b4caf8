from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "redress.reports"
    label = "reports"
    verbose_name = "Transparency reporting"
