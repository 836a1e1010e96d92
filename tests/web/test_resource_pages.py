"""Resource pages: what a recommended resource opens, in her language, from the real app over HTTP."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("lang", "title", "heading"),
    [
        ("es", "¿Estoy lista para un préstamo?", "Preparar la carpeta de crédito"),
        ("fr", "Suis-je prête pour un prêt ?", None),
        ("en", "Am I ready for a loan?", None),
    ],
)
def test_a_resource_page_opens_in_her_language_with_its_guide_section(api, lang, title, heading):
    response = api.get(f"/resources/loan-readiness-checklist?lang={lang}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert f'<html lang="{lang}">' in html
    assert title.replace("'", "&#39;") in html or title in html
    assert "<article>" in html and "<p>" in html  # the guide's text, rendered
    if heading:
        assert heading in html


def test_an_unknown_resource_is_a_json_404(api):
    response = api.get("/resources/no-such-thing?lang=en")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api.get("/resources/loan-readiness-checklist/file").status_code == 404  # it has no file
