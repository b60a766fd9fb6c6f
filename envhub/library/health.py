"""What `envhub check` says of the library (`core/health.py` imports this module)."""

from envhub.library import text_health  # noqa: F401 - registers the text and OCR checks
