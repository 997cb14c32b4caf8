from django.apps import AppConfig


class VettingConfig(AppConfig):
    name = "redress.vetting"
    label = "vetting"
    verbose_name = "Appointment vetting"
