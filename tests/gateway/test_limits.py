"""The gateway's limits are positive numbers, or it does not start."""

from __future__ import annotations

import math

import pytest

from manifest.gateway.limits import Limits


@pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf, "10", None])
def test_a_limit_that_is_no_positive_number_is_refused(bad):
    with pytest.raises(ValueError, match="gateway limit idle_s must be a positive number"):
        Limits(idle_s=bad)
    assert Limits(idle_s=0.5).idle_s == 0.5
