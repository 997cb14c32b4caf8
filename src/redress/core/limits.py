"""Limits that settings and the apps both need, as plain constants (no Django imports), so
that settings can read them without importing an app at start-up."""

from typing import Final

# The largest evidence file a complainant, caseworker or respondent may upload.
UPLOAD_MAX_FILE_BYTES: Final = 20 * 1024 * 1024
