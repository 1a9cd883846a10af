"""No ``Server`` header naming the software and its version.

Neither server lets the app remove the header it adds on its own: gunicorn writes
``Server: gunicorn`` into every answer, werkzeug's development server ``Werkzeug/x Python/y``.
Both are told once, here, to leave it out.
"""

from __future__ import annotations


def drop_gunicorn_banner() -> None:
    """gunicorn's answers from this process carry no Server header."""
    from gunicorn.http import wsgi

    if getattr(wsgi.Response, "hwm_no_banner", False):
        return
    default_headers = wsgi.Response.default_headers

    def without_server(self):
        return [h for h in default_headers(self) if not h.lower().startswith("server:")]

    wsgi.Response.default_headers = without_server
    wsgi.Response.hwm_no_banner = True


def drop_werkzeug_banner() -> None:
    """werkzeug's development server (``flask run``) sends no Server header."""
    from werkzeug.serving import WSGIRequestHandler

    if getattr(WSGIRequestHandler, "hwm_no_banner", False):
        return
    send_header = WSGIRequestHandler.send_header

    def without_server(self, keyword, value):
        if keyword.lower() != "server":
            send_header(self, keyword, value)

    WSGIRequestHandler.send_header = without_server
    WSGIRequestHandler.hwm_no_banner = True
