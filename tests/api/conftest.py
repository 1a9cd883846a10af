"""Fixtures for the HTTP suite."""

from __future__ import annotations

import pytest

from manifest import passwords


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Every test builds a world of ten accounts; at the production scrypt cost that is half a
    second of hashing per test. A lower cost keeps real scrypt (the parameters travel with each
    hash, so checking works unchanged) and the suite fast."""
    monkeypatch.setattr(passwords, "_N", 2**10)
