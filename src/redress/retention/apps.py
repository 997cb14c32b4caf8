from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "redress.retention"
    label = "retention"
    verbose_name = "Retention and legal holds"

    def ready(self) -> None:
        from redress.retention import access  # noqa: F401  (registers retention.manage)
