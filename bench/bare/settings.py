"""Redress's settings, unchanged but for the URLconf that adds the bare insert view."""

from redress.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare.urls"
