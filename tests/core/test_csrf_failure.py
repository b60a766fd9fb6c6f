"""A form sent without its page's CSRF token is refused with a page in the reader's language
that says what to do — not Django's English debugging page."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
@pytest.mark.parametrize("language, words", [
    ("vi", "không có mã bảo mật của trang"),
    ("en", "without the security code of its page"),
])
def test_a_form_without_its_token_is_refused_in_the_readers_language(language, words):
    from django.conf import settings

    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the site's language switch
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert words in page
    assert "CSRF verification failed" not in page
