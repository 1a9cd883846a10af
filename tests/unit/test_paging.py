"""Every paged list counts its pages by one rule."""

import pytest

from manifest.paging import page_count


@pytest.mark.parametrize(
    ("total", "per_page", "pages"),
    [(0, 25, 1), (1, 25, 1), (25, 25, 1), (26, 25, 2), (50, 25, 2), (51, 25, 3), (7, 1, 7)],
)
def test_a_list_fills_whole_pages_and_an_empty_one_still_has_a_page(total, per_page, pages):
    assert page_count(total, per_page) == pages
