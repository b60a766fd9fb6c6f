"""Links that leave the site (e-mails): a site path made absolute on the site's own address,
`settings.ENVHUB_SITE_URL`. Without that setting a path stays a path, which still names the
page to a reader who knows the site."""

from __future__ import annotations

from django.conf import settings


def is_site_path(text: str) -> bool:
    """A path of this site (`/compliance/…`), not a scheme-relative `//host/…` nor text."""
    return text.startswith("/") and not text.startswith("//") and not any(
        char.isspace() for char in text)


def absolute(path: str) -> str:
    """`path` on the site's address; anything that is not a site path is returned as it is."""
    base = getattr(settings, "ENVHUB_SITE_URL", "")
    return base + path if base and is_site_path(path) else path


def absolute_lines(text: str) -> str:
    """`text` with every line that is a site path made absolute (the notifications' bodies put
    their links on lines of their own)."""
    return "\n".join(absolute(line) if is_site_path(line) else line
                     for line in text.split("\n"))
