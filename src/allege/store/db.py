"""Opening a store: where it lives, the engine, and bringing its schema up to date.

A store is a SQLite file by default and a PostgreSQL database when given its URL. The URL
comes from the caller, else from the ``ALLEGE_DB`` environment variable, else the default
file ``$XDG_DATA_HOME/allege/allege.sqlite`` (``~/.local/share/allege/allege.sqlite``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from ..errors import AllegeError

ENV_VAR = "ALLEGE_DB"
MIGRATIONS = Path(__file__).parent / "migrations"

# Writers on PostgreSQL take this transaction-level advisory lock, so that two processes
# saving at once cannot both create the same corpus entity. SQLite gets the same effect
# from BEGIN IMMEDIATE.
_WRITE_LOCK = 0x616C6C65  # "alle"


class StoreError(AllegeError):
    """The store cannot be opened or cannot answer: a bad URL, an unreachable server."""

    exit_code = 5


class Store:
    """An open store: an SQLAlchemy engine and the dialect it speaks."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def url(self) -> str:
        """The database URL, with any password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read transaction."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a write transaction: committed on success, rolled back on error.

        Writers are serialised, so what a writer reads stays true until it commits.
        """
        with self.engine.connect() as conn:
            conn.execution_options(allege_write=True)
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _WRITE_LOCK})
                yield conn

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"


def default_url() -> str:
    """The URL of the default SQLite file, under ``$XDG_DATA_HOME`` or ``~/.local/share``."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return f"sqlite:///{Path(base) / 'allege' / 'allege.sqlite'}"


def store_url(url: str | None = None) -> str:
    """The URL to use: ``url``, else ``$ALLEGE_DB``, else :func:`default_url`."""
    return url or os.environ.get(ENV_VAR) or default_url()


def connect(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open the store at ``url`` (see :func:`store_url`), creating it when it is new.

    A bare file path is taken as a SQLite file. Parent folders of a SQLite file are created
    and the schema is brought up to date unless ``migrate`` is false.
    """
    url = store_url(url)
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    engine = _engine(url)
    store = Store(engine)
    if migrate:
        try:
            upgrade_to_head(engine)
        except OperationalError as error:
            engine.dispose()
            raise StoreError(
                f"Cannot open the store at {store.url}: {error.orig}. "
                f"Check the URL given with --db or in ${ENV_VAR}, and that the server runs."
            ) from error
    return store


def upgrade_to_head(engine: Engine) -> None:
    """Run the package's Alembic migrations up to the newest revision (no alembic.ini)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        conn.execution_options(allege_write=True)
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _WRITE_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StoreError(
            f"{url!r} is not a database URL. Use a SQLite file path, "
            "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/DB."
        ) from error
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(
            f"allege stores corpora in SQLite or PostgreSQL, not {parsed.get_backend_name()}."
        )
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed)
        return create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError as error:
        raise StoreError(f"No driver for {parsed.drivername}: pip install 'psycopg[binary]'") \
            from error


def _sqlite_engine(url: Any) -> Engine:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock up front: a deferred transaction that reads and then
    # writes can fail at once with "database is locked" when another writer got there first.
    write = conn.get_execution_options().get("allege_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
