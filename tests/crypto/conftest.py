"""Fixtures for the crypto tests."""

import pytest

from crypto.kdf import TEST_COST, KdfCost


@pytest.fixture(scope="session")
def kdf_cost() -> KdfCost:
    """The cheapest Argon2id cost, so KDF tests run in milliseconds.

    Session-scoped so Hypothesis tests can use it (no per-example reset needed).
    """
    return TEST_COST
