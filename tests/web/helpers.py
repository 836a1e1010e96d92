"""Helpers the web tests share: signing in to the staff console and reading a page's main content."""

from __future__ import annotations


def sign_in(api, token: str):
    api.cookies.clear()
    response = api.post("/staff/login", data={"token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]
