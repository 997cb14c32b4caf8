from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "redress.staff"
    label = "staff"
    verbose_name = "Staff web"
