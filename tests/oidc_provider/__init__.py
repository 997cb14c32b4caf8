"""A real OpenID provider for the single sign-on tests: a small Django project built on
django-oidc-provider, run by ``provider.py`` as its own process on loopback with its own SQLite
file, signing ID tokens with an RSA key (RS256) made at start.

Its users carry test-only marks in ``last_name`` (comma separated): ``unverified`` (the provider
does not vouch for the address) and ``mfa`` (the ID token's ``amr`` says a second factor was
used). See ``claims.py``.
"""
