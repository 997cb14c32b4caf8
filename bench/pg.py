"""A throwaway PostgreSQL database for a benchmark, set up before Django starts."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def throwaway_database(name: str, data_folder: str) -> None:
    """Drop and make ``name`` on BENCH_POSTGRES_URL's server, and point Django's settings (read
    from the environment at start-up) at it, with its own data folder under var/bench/."""
    import psycopg

    admin_url = os.environ.get(
        "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    os.environ["DATABASE_URL"] = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    os.environ.setdefault("REDRESS_DATA_DIR", str(ROOT / "var" / "bench" / data_folder))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redress.settings")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    """Drop ``name`` on BENCH_POSTGRES_URL's server, once Django's connection to it is closed."""
    import psycopg

    admin_url = os.environ.get(
        "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
