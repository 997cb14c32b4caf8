"""Confidential reporting: the complainant's wizard, receipt codes and the anonymous channel."""
