"""Paginated lists: ``page`` and ``per_page`` in, ``X-Total-Count`` and links out."""

from __future__ import annotations

from sqlalchemy import func, select


def paginate(session, stmt, page: int, per_page: int):
    """Rows of one page of ``stmt`` and the total count, in two queries."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def page_headers(total: int, page: int, per_page: int) -> dict:
    return {"X-Total-Count": str(total), "X-Page": str(page), "X-Per-Page": str(per_page)}


def query_page(args: dict, session, stmt) -> tuple:
    """The answer to a list request whose rows are those of the query ``stmt``: the page
    ``args`` asks for (``page``, ``per_page``) with the paging headers."""
    rows, total = paginate(session, stmt, args["page"], args["per_page"])
    return rows, 200, page_headers(total, args["page"], args["per_page"])


def one_page(args: dict, list_page, *leading, **extra) -> tuple:
    """The answer to a list request: one page's rows with the paging headers.

    ``list_page(*leading, **args, **extra)`` returns the page's rows and the total; ``args``
    is the parsed query, whose filters are named as ``list_page``'s parameters, with ``page``
    and ``per_page``.
    """
    rows, total = list_page(*leading, **args, **extra)
    return rows, 200, page_headers(total, args["page"], args["per_page"])
