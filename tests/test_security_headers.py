"""Every answer carries the security headers (issue 14, item 4): a strict Content-Security-Policy, no
framing, a same-origin referrer, nosniff; pages and API answers with a user's data are never cached."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import log_in

TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"
STATIC = Path(__file__).resolve().parent.parent / "app" / "static"


def csp_of(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {d[0]: (d[1] if len(d) > 1 else "") for d in directives}


def assert_protected(response):
    csp = csp_of(response)
    assert csp.get("default-src") == "'self'", response.headers
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'self'" and csp["form-action"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_login_page_cannot_be_framed_or_run_foreign_script(client):
    response = client.get("/login")

    assert response.status_code == 200
    assert_protected(response)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/", "/my-work", "/admin/", "/admin/dashboard", "/admin/users", "/admin/labels",
                                  "/admin/models", "/admin/glossary", "/admin/import", "/export/", "/api/v1/docs"])
def test_an_admins_pages_are_protected_and_never_cached(admin_client, path):
    response = admin_client.get(path, follow_redirects=True)

    assert response.status_code == 200, path
    assert_protected(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Expires" not in response.headers or response.headers["Expires"] in {"0", "-1"}


def test_the_review_workspace_is_protected_and_never_cached(client, article, reviewer):
    log_in(client, reviewer.username)
    response = client.get(f"/articles/{article.id}")

    assert response.status_code == 200
    assert_protected(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_api_answers_are_protected_and_never_cached(client, article, rami):
    response = client.get(f"/api/v1/articles/{article.id}", headers=rami)

    assert response.status_code == 200
    assert_protected(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_error_pages_and_refusals_carry_the_headers_too(app, admin_client):
    missing = admin_client.get("/articles/999999")
    unauthenticated_api = app.test_client().get("/api/v1/articles")

    for response in (missing, unauthenticated_api):
        assert response.status_code in {401, 404}
        assert_protected(response)
        assert response.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching_and_get_nosniff(client):
    response = client.get("/static/mizan.css")

    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_plain_http_is_not_redirected_and_gets_no_hsts(client):
    response = client.get("/login")

    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers


def test_https_answers_get_hsts(client):
    response = client.get("/login", base_url="https://localhost")

    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_template_or_script_carries_inline_script_style_or_handlers():
    inline = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>|<style\b|\sstyle=|"
                        r"\son[a-z]+\s*=|javascript:", re.IGNORECASE)
    found = [f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
             for path in TEMPLATES.rglob("*.html") for match in inline.finditer(path.read_text())]
    style_attribute = re.compile(r"setAttribute\(\s*['\"]style|\.innerHTML\s*=|insertAdjacentHTML|cssText", re.I)
    found += [f"{path.name}: {match.group(0)}"
              for path in STATIC.glob("*.js") for match in style_attribute.finditer(path.read_text())]
    assert found == []
