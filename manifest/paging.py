"""How a list is cut into pages: one rule for every paged list of the pages and services."""

from __future__ import annotations


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` items fill at ``per_page`` a page; an empty list still has
    one (empty) page to show."""
    return max(1, -(-total // per_page))
