"""Fictional demo data: a directory of members and staff, and a demo account for each role."""
