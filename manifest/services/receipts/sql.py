"""SQL building blocks of matching that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import BigInteger, Integer, cast, func, literal, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable


def seconds_between(postgres: bool, later, earlier):
    """SQL for ``later − earlier`` in seconds."""
    if postgres:
        return func.date_part("epoch", later - earlier)  # a float; extract() gives a numeric
    return (func.julianday(later) - func.julianday(earlier)) * 86400


def bucket(postgres: bool, at, size: timedelta, shift: timedelta = timedelta(0)):
    """SQL for the number of the time bucket of ``size`` that ``at + shift`` falls in."""
    if postgres:
        # date_part gives a float; extract() a numeric, many times slower over a year of rows.
        seconds = func.date_part("epoch", at) + shift.total_seconds()
        return cast(func.floor(seconds / size.total_seconds()), BigInteger)
    # julianday() is positive for every date in use, so truncation is the floor.
    days = func.julianday(at) + shift.total_seconds() / 86400
    return cast(days * (86400 / size.total_seconds()), Integer)


def at_most(postgres: bool, a, b, slack: timedelta):
    """SQL for ``a <= b + slack``; on PostgreSQL in a form that can use an index on ``a``."""
    if postgres:
        return a <= b + literal(slack, type_=postgresql.INTERVAL)
    return func.julianday(a) <= func.julianday(b) + slack.total_seconds() / 86400


class CreateTempTableAs(Executable, ClauseElement):
    """``CREATE TEMP TABLE name AS <query>``; on PostgreSQL dropped at commit."""

    inherit_cache = False

    def __init__(self, name: str, query):
        self.name, self.query = name, query


@compiles(CreateTempTableAs)
def _compile_create_temp_table_as(element, compiler, **kw):
    query = compiler.process(element.query, **kw)
    return f"CREATE TEMP TABLE {element.name} AS {query}"


@compiles(CreateTempTableAs, "postgresql")
def _compile_create_temp_table_as_pg(element, compiler, **kw):
    query = compiler.process(element.query, **kw)
    return f"CREATE TEMP TABLE {element.name} ON COMMIT DROP AS {query}"


@contextmanager
def hash_joins_only(session, enabled: bool):
    """With ``enabled``, PostgreSQL plans the statements inside with hash joins only, and in
    parallel where it can."""
    settings = ("enable_nestloop", "enable_mergejoin", "parallel_setup_cost", "parallel_tuple_cost")
    if enabled:
        # Parallel workers pay off for a year of rows; the default costs assume far fewer.
        for name, value in zip(settings, ("off", "off", "0", "0"), strict=True):
            session.execute(text(f"SET LOCAL {name} = {value}"))
    yield
    # After an error the transaction is rolled back, which resets the settings anyway.
    if enabled:
        for name in settings:
            session.execute(text(f"SET LOCAL {name} TO DEFAULT"))
