"""Operations of the common kinds, each declared by what differs from the others.

A resource module declares such an operation with a decorator on a function that holds only
a docstring: the function's name becomes the endpoint and its docstring the operation's
summary; the decorator writes the view itself (how the request reaches the service and
what answers) once for every operation of that kind. Views that do more stay ordinary
flask-smorest views.
"""

from __future__ import annotations

import functools

from ..auth import current_actor
from ..db import session
from ..pagination import one_page


def reads(blp, rule: str, out, read):
    """``GET rule`` answering 200 with ``out``: ``read(session, actor, **path values)``.

    ``read`` is a service that raises NotFound for what the caller may not see, as for what
    does not exist, so a stranger learns nothing (404)."""

    def declare(declaration):
        @functools.wraps(declaration)
        def view(**path):
            return read(session(), current_actor(), **path)

        return blp.route(rule, methods=["GET"])(blp.response(200, out)(view))

    return declare


def organization_rows(list_rows):
    """For :func:`reads` under ``/<int:org_id>/``: what
    ``list_rows(session, actor=, organization_id=)`` lists for that organisation; the service
    decides who may see it."""

    def read(session, actor, org_id):
        return list_rows(session, actor=actor, organization_id=org_id)

    return read


def lists(blp, query, out, list_page):
    """``GET`` of the blueprint's root: one page of what the caller may see, filtered by
    ``query`` (with ``page`` and ``per_page``), each row answered with ``out``, and the
    paging headers. ``list_page(session, actor, **filters)`` returns the page's rows and the
    total."""

    def declare(declaration):
        @functools.wraps(declaration)
        def view(args):
            return one_page(args, list_page, session(), current_actor())

        view = blp.response(200, out(many=True))(view)
        return blp.route("", methods=["GET"])(blp.arguments(query, location="query")(view))

    return declare
