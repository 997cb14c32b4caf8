from django.apps import AppConfig


class TestProviderConfig(AppConfig):
    """Its own label: django-oidc-provider's app is already called ``oidc_provider``."""

    name = "tests.oidc_provider"
    label = "test_provider"
