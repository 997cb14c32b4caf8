"""Redaction that removes: marked spans of text, and areas of PDF pages and images, are taken
out of the output, not covered over. Pure functions over bytes and strings, below every app."""
