from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "redress.directory"
    label = "directory"
    verbose_name = "Directory"
