"""The authorisation matrix on PostgreSQL (the cells whose answers depend on SQL); the table
and the checks are those of test_authz_matrix.py."""

from __future__ import annotations

import pytest

from tests.conftest import missing
from tests.support.pgcluster import Cluster

from .matrix_cells import cells, check_cell, open_matrix


@pytest.fixture(scope="module")
def postgres_matrix(pg_cluster):
    if not isinstance(pg_cluster, Cluster):
        missing(f"PostgreSQL: {pg_cluster}")
    matrix = open_matrix(pg_cluster.create_database("authz_matrix"))
    yield matrix
    matrix.close()


@pytest.mark.parametrize("op, identity, side", cells("postgres"))
def test_cell(postgres_matrix, op, identity, side):
    check_cell(postgres_matrix, op, identity, side)
