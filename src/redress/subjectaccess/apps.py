from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    name = "redress.subjectaccess"
    label = "subjectaccess"
    verbose_name = "Subject access and other data protection requests"
