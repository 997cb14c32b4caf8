from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "redress.disclosure"
    label = "disclosure"
    verbose_name = "Identity disclosure"

    def ready(self) -> None:
        from redress.disclosure import access  # noqa: F401  (registers the access rules)
