"""Every HTML page carries the one Content-Security-Policy, and nothing on our pages needs more:
no inline script, no inline <style>, Swagger UI from this site's static files."""

import re
import urllib.request
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
ANONYMOUS_PAGES = ["/accounts/login/", "/admin/login/", "/api/docs/"]
STAFF_PAGES = [
    "/reports/",
    "/reports/KE/",
    "/admin/",
    "/admin/inventory/asset/",
    "/admin/inventory/apitoken/add/",
    "/api/v1/nations/",  # the browsable API
]


class Page(HTMLParser):
    """What of a page a strict policy would block, and the URLs of its scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts: list[str] = []
        self.style_elements = 0
        self.handlers: list[str] = []
        self.script_urls: list[str] = []
        self.stylesheet_urls: list[str] = []
        self._svg = 0
        self._inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.handlers += [f"{tag} {name}" for name, _ in attrs if name.startswith("on")]
        self.handlers += [
            f"{tag} {v}" for v in found.values() if (v or "").startswith("javascript:")
        ]
        if tag == "svg":
            self._svg += 1
        elif tag == "script" and found.get("src"):
            self.script_urls.append(found["src"] or "")
        elif tag == "script" and found.get("type") != "application/json":
            self._inline_script = True
        elif tag == "style" and not self._svg:
            self.style_elements += 1
        elif tag == "link" and found.get("rel") == "stylesheet":
            self.stylesheet_urls.append(found.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg -= 1
        elif tag == "script":
            self._inline_script = False

    def handle_data(self, data: str) -> None:
        if self._inline_script and data.strip():
            self.inline_scripts.append(data.strip()[:80])


def policy(response: Any) -> dict[str, list[str]]:
    directives = [d.split() for d in response["Content-Security-Policy"].split(";")]
    return {name: sources for name, *sources in directives}


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def get(client: Client, url: str) -> Any:
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/html"), url
    return response


def parse(response: Any) -> Page:
    page = Page()
    page.feed(response.content.decode())
    return page


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_anonymous_pages_carry_the_content_security_policy(url: str) -> None:
    assert policy(get(Client(), url)) == POLICY


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_signed_in_pages_carry_the_content_security_policy(staff_client: Client, url: str) -> None:
    assert policy(get(staff_client, url)) == POLICY


@pytest.mark.parametrize("url", [*ANONYMOUS_PAGES, *STAFF_PAGES])
def test_pages_have_no_inline_script_or_event_handler(staff_client: Client, url: str) -> None:
    page = parse(get(staff_client if url in STAFF_PAGES else Client(), url))

    assert page.inline_scripts == []
    assert page.handlers == []


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/reports/", "/reports/KE/", "/admin/", "/api/docs/"]
)
def test_our_pages_have_no_style_element(staff_client: Client, url: str) -> None:
    # Not the browsable API: DRF's template writes Pygments' rules in a <style>, which the policy
    # blocks; the JSON it shows is coloured by prettify's static stylesheet.
    assert parse(get(staff_client, url)).style_elements == 0


def test_the_api_docs_load_swagger_ui_from_this_site_only() -> None:
    response = get(Client(), "/api/docs/")
    html = response.content.decode()
    page = parse(response)

    assert "cdn.jsdelivr" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert page.script_urls[:2] == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
    ]
    assert page.script_urls[2] == "/api/docs/?script="
    assert page.stylesheet_urls == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "/static/api-docs.css",
    ]
    for url in page.script_urls[:2] + page.stylesheet_urls:
        assert finders.find(url.removeprefix("/static/")), url


def test_the_api_docs_script_is_served_as_a_file_of_its_own() -> None:
    response = Client().get("/api/docs/?script=")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert 'url: "/api/schema/"' in response.content.decode()
    assert policy(response) == POLICY


def test_the_live_server_serves_the_docs_static_files(live_server: Any) -> None:
    for path in [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/api-docs.css",
        "/static/curation/reports.css",
    ]:
        with urllib.request.urlopen(f"{live_server.url}{path}", timeout=10) as response:
            assert response.status == 200, path
