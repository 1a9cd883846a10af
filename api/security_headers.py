"""Response headers that keep browsers and caches from misusing the answers.

Every answer: ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
``X-Frame-Options: DENY`` and a Content-Security-Policy that forbids framing. The web pages
may load scripts, styles and images from the service itself only (and map tiles from the one
host the tile setting names), with no inline script or style, and post forms only to the
service. Other HTML (the API documentation page) may use only the styles the page itself
carries, marked with a per-answer nonce; everything else may load nothing at all. An answer to a request that carried
credentials, or that changed something, is never stored by a cache (``Cache-Control:
no-store``). No ``Server`` header names the software.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

#: The nonce the HTML templates put on their ``<style>`` element, in the WSGI environ.
CSP_NONCE_KEY = "hwm.csp_nonce"

FIXED = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HTML_POLICY = (
    "default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{tiles}; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_READS = ("GET", "HEAD", "OPTIONS")


class SecurityHeaders:
    """WSGI middleware adding the headers above to every answer, refusals included."""

    def __init__(self, wsgi_app, *, is_page_path=lambda path: False, page_policy: str = ""):
        self.wsgi_app = wsgi_app
        self.is_page_path = is_page_path
        self.pages = page_policy or self.page_policy("")

    @staticmethod
    def page_policy(tile_url: str) -> str:
        """The pages' policy; ``tile_url`` (a URL template) adds its origin to the images."""
        parts = urlsplit(tile_url) if tile_url else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            return PAGE_POLICY.format(tiles="")
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        return PAGE_POLICY.format(tiles=f" {parts.scheme}://{host}")

    def __call__(self, environ, start_response):
        nonce = secrets.token_urlsafe(18)
        environ[CSP_NONCE_KEY] = nonce
        page = self.is_page_path(environ.get("PATH_INFO", ""))
        # A page is shown to one signed-in user: never kept by a shared cache.
        credentials = (
            "HTTP_AUTHORIZATION" in environ or environ["REQUEST_METHOD"] not in _READS or page
        )

        def start(status, headers, exc_info=None):
            present = {name.lower(): value for name, value in headers}
            ours = {name.lower() for name, _ in FIXED} | {"server", "content-security-policy"}
            if credentials:
                ours.add("cache-control")
            headers = [(k, v) for k, v in headers if k.lower() not in ours]
            headers.extend(FIXED)
            html = present.get("content-type", "").lower().startswith("text/html")
            if page:
                policy = self.pages
            else:
                policy = HTML_POLICY.format(nonce=nonce) if html else API_POLICY
            headers.append(("Content-Security-Policy", policy))
            if credentials:
                headers.append(("Cache-Control", "no-store"))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)
