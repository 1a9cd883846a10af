"""What the servers add on their own: a ``Server`` header naming the software, and werkzeug's
request log line with the query string whole (tokens included).

Neither server lets the app change this: gunicorn writes ``Server: gunicorn`` into every
answer, werkzeug's development server ``Werkzeug/x Python/y`` and logs each request line. Both
are told once, here, to leave the header out; werkzeug logs the path without its query.
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
    """werkzeug's development server (``flask run``) sends no Server header, and its request
    log shows the path without the query string."""
    from werkzeug.serving import WSGIRequestHandler

    if getattr(WSGIRequestHandler, "hwm_no_banner", False):
        return
    send_header = WSGIRequestHandler.send_header
    log_request = WSGIRequestHandler.log_request

    def without_server(self, keyword, value):
        if keyword.lower() != "server":
            send_header(self, keyword, value)

    def without_query(self, code="-", size="-"):
        path = getattr(self, "path", None)  # unset only for an unreadable request line
        if path is not None:
            self.path = path.split("?", 1)[0]
        try:
            log_request(self, code, size)
        finally:
            if path is not None:
                self.path = path

    WSGIRequestHandler.send_header = without_server
    WSGIRequestHandler.log_request = without_query
    WSGIRequestHandler.hwm_no_banner = True
