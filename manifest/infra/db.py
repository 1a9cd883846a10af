"""Database plumbing: the declarative base, column types and engine/session factories.

The schema itself is made only by the alembic migrations; ``Base.metadata`` is what they are
checked against.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import MetaData, Numeric, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.types import DateTime, TypeDecorator

from ..config import Settings

SETTINGS_KEY = "hwm.settings"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on every database.

    Stored as naive UTC so that SQLite (which keeps no offset) and PostgreSQL agree.
    Naive input is refused: a time without an offset is a bug upstream.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; give it an offset")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def Quantity(**kw) -> Numeric:  # noqa: N802 - reads as a type in column declarations
    """Decimal column for quantities: 15 digits, 3 after the point, never a float."""
    return Numeric(15, 3, asdecimal=True, **kw)


#: Largest value of an integer primary key (PostgreSQL ``integer``); larger ids name no row.
MAX_ID = 2**31 - 1


def is_row_id(value) -> bool:
    """Whether ``value`` could be a primary key at all (a positive int in the column's range)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def row_by_id(session, model, row_id):
    """The ``model`` row with the primary key ``row_id``, or None; ``row_id`` may be any value
    from outside (one that cannot be a key finds nothing without asking the database)."""
    return session.get(model, row_id) if is_row_id(row_id) else None


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_postgres(session) -> bool:
    """Whether ``session`` talks to PostgreSQL (else SQLite)."""
    return session.get_bind().dialect.name == "postgresql"


def insert(session, target):
    """An ``INSERT`` into ``target`` in the session's dialect, so that
    ``on_conflict_do_nothing`` and ``on_conflict_do_update`` work on SQLite and PostgreSQL."""
    return (postgresql.insert if is_postgres(session) else sqlite.insert)(target)


def make_engine(url: str, **kw) -> Engine:
    """An engine for ``url``. SQLite gets foreign keys on and write transactions that take
    the database lock at BEGIN when they are a unit of work, so concurrent writers wait
    instead of failing mid-way."""
    if url.startswith("sqlite"):
        kw.setdefault("connect_args", {}).update({"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kw)

        @event.listens_for(engine, "connect")
        def _sqlite_on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event drive transactions
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # WAL keeps this crash-safe
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # Writers (a UnitOfWork) lock at BEGIN, so they queue instead of failing when
            # they first write; readers stay deferred and never block anyone under WAL.
            write = conn.get_execution_options().get("hwm_write")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    kw.setdefault("pool_pre_ping", True)
    return create_engine(url, **kw)


#: What SQLite says when its file cannot be reached, as opposed to a mistake in a statement.
_SQLITE_UNREACHABLE = ("unable to open database", "disk i/o error", "readonly database")


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database cannot be reached right now (down, restarting,
    the connection dropped, no connection free in the pool) rather than a fault in the
    request or the code: the former is worth retrying later, the latter is not."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    orig = exc.orig
    if type(orig).__module__.startswith("psycopg"):
        # psycopg raises OperationalError only for the connection and the server's state
        # (refused, shutting down, starting up, terminated); SQL mistakes are other classes.
        return True
    return any(text in str(orig).lower() for text in _SQLITE_UNREACHABLE)


def make_session_factory(engine: Engine, settings: Settings | None = None) -> sessionmaker:
    """Sessions on ``engine`` that carry ``settings`` (the defaults when none are given) to the
    services, which read them with ``settings_of``."""
    return sessionmaker(
        bind=engine,
        expire_on_commit=False,
        autoflush=True,
        info={SETTINGS_KEY: settings or Settings()},
    )


def settings_of(session) -> Settings:
    """The settings the session was made with (the defaults for a bare session)."""
    return session.info.get(SETTINGS_KEY) or Settings()


ZERO = Decimal("0")
