"""Plumbing shared by every app: the data folder, secret files, HTTP hardening."""
