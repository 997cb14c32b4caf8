"""The JSON API for integrations (django-ninja, OpenAPI at /api/openapi.json)."""
