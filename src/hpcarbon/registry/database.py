"""Where the registry lives and how it is opened: a SQLite file by default, PostgreSQL by URL; the schema
brought to this version's migration head (Alembic) on every opening; writers serialised.

Writers (accept, withdraw) take one lock for the whole transaction, so the checks they make against
everything accepted before and what they then record are one atomic step:

* SQLite — ``BEGIN IMMEDIATE`` (the database's write lock, taken before the first read) in WAL mode;
* PostgreSQL — a transaction-scoped advisory lock (``pg_advisory_xact_lock``) taken first thing.

Readers (check, list, show …) never wait for a writer (WAL; PostgreSQL MVCC).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

#: Environment variable naming the registry (a SQLite path or a database URL) when --registry is not given.
REGISTRY_ENV = "HPCARBON_REGISTRY"
#: Key of the advisory lock writers take on PostgreSQL (any constant shared by every worker).
ADVISORY_LOCK_KEY = 0x4850_4341  # "HPCA"
#: How long a SQLite writer waits for another writer's transaction to finish (seconds).
SQLITE_BUSY_SECONDS = 60


class RegistryError(Exception):
    """The registry cannot be used as asked (missing, not initialised, made by a newer version …).
    The message is bilingual."""


def is_url(location: str) -> bool:
    return "://" in location


def database_url(location: str) -> str:
    """A --registry value as a SQLAlchemy URL: a URL as given, a path as a SQLite file."""
    if is_url(location):
        scheme, rest = location.split("://", 1)
        if scheme in ("postgresql", "postgres"):  # the driver installed with hpcarbon (psycopg 3), not psycopg2
            return f"postgresql+psycopg://{rest}"
        return location
    return "sqlite:///" + str(Path(location).expanduser().resolve())


def _sqlite_engine(url: str):
    from sqlalchemy import create_engine, event

    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # the driver's own transaction handling is off: BEGIN is emitted below, IMMEDIATE for writers
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer, nor it them
        cur.execute("PRAGMA synchronous=FULL")  # an accepted declaration survives a power cut too
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("registry_write") else "BEGIN")

    return engine


def make_engine(location: str):
    """The SQLAlchemy engine of a registry location (no schema check; see :func:`open_engine`)."""
    from sqlalchemy import create_engine

    url = database_url(location)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def write_transaction(engine):
    """One writing transaction holding the registry's write lock from its first statement to its commit."""
    from sqlalchemy import text

    with engine.connect().execution_options(registry_write=True) as conn:
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
            yield conn


@contextmanager
def read_transaction(engine):
    with engine.connect() as conn:
        with conn.begin():
            yield conn


# --- schema version (Alembic) ----------------------------------------------------------------------------
def alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "hpcarbon.registry:migrations")
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(conn) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine) -> tuple[str | None, str]:
    """Bring the schema to this version's head (creating it in an empty database); returns (before, after).
    A registry made by a newer version (a revision this one does not know) is refused."""
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    with read_transaction(engine) as conn:  # the usual case, without taking the write lock
        if current_revision(conn) == head:
            return head, head
    with write_transaction(engine) as conn:
        before = current_revision(conn)
        if before == head:
            return before, head
        known = {rev.revision for rev in script.walk_revisions()}
        if before is not None and before not in known:
            raise RegistryError(f"登记簿的结构版本 {before} 由更新版本的 hpcarbon 创建，请升级 hpcarbon / the registry's "
                                f"schema revision {before} was made by a newer hpcarbon; upgrade hpcarbon")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return before, head


def open_engine(location: str, create: bool = False):
    """The engine of an existing (or, with ``create``, a new) registry, its schema at this version's head."""
    if not location:
        raise RegistryError(f"未指定登记簿：请用 --registry PATH|URL 或环境变量 {REGISTRY_ENV} / no registry given: use "
                            f"--registry PATH|URL or the environment variable {REGISTRY_ENV}")
    if not is_url(location):
        path = Path(location).expanduser()
        if path.is_dir():
            raise RegistryError(f"{location} 是文件夹，不是登记簿文件 / {location} is a folder, not a registry file")
        if not create and not path.exists():
            raise RegistryError(f"登记簿 {location} 不存在，请先运行 hpcarbon registry init / no registry at {location}; "
                                f"run `hpcarbon registry init` first")
        if create and not path.parent.exists():
            raise RegistryError(f"文件夹 {path.parent} 不存在 / the folder {path.parent} does not exist")
    try:
        engine = make_engine(location)
    except Exception as exc:  # an unknown scheme or driver, a malformed URL
        raise RegistryError(f"无法识别登记簿地址 {_shown(location)}：{exc} / not a usable registry location "
                            f"{_shown(location)}: {exc}") from exc
    try:
        if not create:
            with read_transaction(engine) as conn:
                if current_revision(conn) is None:
                    raise RegistryError(f"{location} 不是已初始化的登记簿，请先运行 hpcarbon registry init / {location} is "
                                        f"not an initialised registry; run `hpcarbon registry init` first")
        upgrade(engine)
    except RegistryError:
        engine.dispose()
        raise
    except Exception as exc:
        engine.dispose()
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError):
            raise RegistryError(f"无法打开登记簿 {_shown(location)}：{database_reason(exc)} / cannot open the registry "
                                f"{_shown(location)}: {database_reason(exc)}") from exc
        raise
    return engine


def database_reason(exc: Exception) -> str:
    """The database's own first line about an error (the driver's message), without SQLAlchemy's wrapping."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines() or ["?"])[0][:300]


def _shown(location: str) -> str:
    """A location as it may be printed: a URL's password hidden."""
    if not is_url(location):
        return location
    from sqlalchemy.engine import make_url

    try:
        return make_url(location).render_as_string(hide_password=True)
    except Exception:
        return "<URL>"


def default_location(given: str | None) -> str | None:
    return given or os.environ.get(REGISTRY_ENV) or None
