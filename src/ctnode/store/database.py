"""The database itself: one SQLAlchemy engine, transactions, migrations, bulk inserts.

Both backends are served by the same code: SQLite (the embedded default; WAL, foreign
keys, a 30 s busy timeout, ``BEGIN IMMEDIATE`` so writers queue instead of failing)
and PostgreSQL (the production store; bulk inserts by ``COPY``). Every string bound to
a statement is checked first, so text neither backend can hold is a typed 422 on both.
"""

from __future__ import annotations

import functools
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Table,
    column,
    create_engine,
    event,
    select,
    table,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from ctnode.clock import as_utc
from ctnode.errors import InvalidInput

CHUNK = 5000
VERSIONS = Path(__file__).parent / "migrations" / "versions"
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.M)


@functools.lru_cache(maxsize=1)
def migration_heads() -> frozenset[str]:
    """The heads of the code's migrations, read from the revision files' own lines
    (``revision = ...``, ``down_revision = ...``) without loading Alembic; the same set as
    Alembic's ``ScriptDirectory.get_heads()`` (tested)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev = _REVISION.search(text)
        if rev is None:
            continue
        revisions.add(rev.group(1))
        down = _DOWN.search(text)
        if down is not None:
            parents.update(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    return frozenset(revisions - parents)


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    # Deleted content is overwritten with zeros, not left in free pages (expired disclosures,
    # purged records); ``Database.scrub`` then checkpoints the WAL so no copy stays there.
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


def _text_storable(value: str) -> None:
    """Refuse text neither backend can hold alike: PostgreSQL rejects NUL in text, and a
    lone surrogate (from a JSON ``\\udXXX`` escape) has no UTF-8 form for either driver."""
    if "\x00" in value:
        raise InvalidInput(f"text must not contain NUL (U+0000): {value[:60]!r}")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidInput(
                f"text must be valid Unicode (lone surrogate at {exc.start}): {value[:60]!r}"
            ) from None


def _checked(row: Sequence[Any]) -> Sequence[Any]:
    """``row`` after :func:`_text_storable` checked its strings (ASCII without NUL: at once)."""
    for v in row:
        if v.__class__ is str and ("\x00" in v or not v.isascii()):
            _text_storable(v)
    return row


def _check_text_params(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, executemany: bool
) -> None:
    """Every string bound to a statement, on both backends, so bad input is a typed 422 (the
    same on SQLite and PostgreSQL) instead of a driver error mid-transaction."""
    rows = parameters if executemany else [parameters]
    for row in rows:
        values = row.values() if isinstance(row, dict) else row
        for v in values or ():
            if isinstance(v, str) and ("\x00" in v or not v.isascii()):  # (ASCII: at once)
                _text_storable(v)


def _memo(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """SQLAlchemy's bind conversion of one column, remembered for timestamps (a bulk
    import stamps every row with the same one or two)."""
    memo: dict[tuple[datetime, Any], Any] = {}

    def convert(value: Any) -> Any:
        if value.__class__ is datetime:
            # (the same instant in another zone is written otherwise: the offset is kept)
            key = (value, value.utcoffset())
            try:
                return memo[key]
            except KeyError:
                if len(memo) >= 64:
                    memo.clear()
                out = memo[key] = proc(value)
                return out
        return proc(value)
    return convert


def rows(result: Any) -> list[dict[str, Any]]:
    """Result rows as plain dicts, every timestamp as an aware UTC datetime."""
    out = []
    for row in result:
        d = dict(row._mapping)
        for key, value in d.items():
            if isinstance(value, datetime):
                d[key] = as_utc(value)
        out.append(d)
    return out


class Database:
    """The node's database. ``url`` is a SQLAlchemy URL (sqlite:///... or postgresql+psycopg://...)."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        self.path: Path | None = None
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                self.path = Path(parsed.database)
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                # A new database is made owner-only before SQLite opens it (its -wal and -shm
                # files take the database file's permissions). An existing one is never opened
                # here: closing a descriptor drops the process's SQLite locks on the file.
                try:
                    os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                except FileExistsError:
                    pass
            self.engine: Engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        event.listen(self.engine, "before_cursor_execute", _check_text_params)

    def upgrade(self) -> None:
        """Bring the schema to the newest revision (Alembic, every head). When the store's
        schema stamp (Alembic's ``alembic_version`` rows) already names every head of the
        code's migrations, nothing more is done: one small query, Alembic not even loaded."""
        if self.schema_current():
            return
        from ctnode.store.migrate import upgrade

        upgrade(self.engine)

    def schema_current(self) -> bool:
        """Whether the store's schema stamp names exactly the heads of the code's migrations."""
        stamp = table("alembic_version", column("version_num"))
        try:
            with self.engine.connect() as conn:
                found = {str(v) for v in conn.execute(select(stamp.c.version_num)).scalars()}
        except DBAPIError:  # no stamp table yet: a new store
            return False
        return found == migration_heads()

    def close(self) -> None:
        self.engine.dispose()

    def protect(self) -> list[str]:
        """Make the SQLite database and its -wal and -shm files owner-only (0600); returns
        what had to be tightened. Raises ``PermissionError`` when they cannot be (another
        owner). PostgreSQL: nothing to do here (its files are the server's)."""
        if self.path is None:
            return []
        fixed = []
        for f in (self.path, *(self.path.with_name(self.path.name + x) for x in ("-wal", "-shm"))):
            if f.exists() and stat.S_IMODE(f.stat().st_mode) & 0o077:
                mode = stat.S_IMODE(f.stat().st_mode)
                os.chmod(f, 0o600)
                fixed.append(f"{f.name} was {mode:o}, now 600")
        return fixed

    def scrub(self) -> None:
        """After deleting personal data (expiry, purge): SQLite checkpoints the WAL into the
        database and truncates it (``secure_delete`` already zeroed the freed pages);
        PostgreSQL vacuums, so dead rows are not left in the tables' pages."""
        if self.dialect == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction; committed on success, rolled back on any error."""
        with self.engine.begin() as conn:
            if self.dialect == "sqlite":
                # Take the write lock up front: a deferred transaction that reads first and
                # writes later fails at once with "database is locked" when another writer
                # committed meanwhile (SQLite cannot upgrade a stale snapshot); IMMEDIATE
                # waits for the lock under busy_timeout instead.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn

    def query(self, q: Any) -> list[dict[str, Any]]:
        """Run one read and return its rows as dicts (timestamps in UTC)."""
        with self.engine.connect() as conn:
            return rows(conn.execute(q))

    def analyze(self, conn: Connection, table: Table) -> None:
        """Refresh the planner's statistics of ``table`` on PostgreSQL, in the caller's
        transaction (which counts its own new rows). A table filled in one go by COPY has no
        statistics until autovacuum comes by: the planner then guesses a handful of rows and
        picks plans that read the whole table. SQLite: nothing to do."""
        if self.dialect != "postgresql":
            return
        # the identifier comes from our own Table object, quoted by the dialect, never input
        name = conn.dialect.identifier_preparer.format_table(table)
        conn.exec_driver_sql(f"ANALYZE {name}")

    def insert_rows(self, conn: Connection, table: Table, cols: Sequence[str],
                    rows: Iterable[Sequence[Any]]) -> int:
        """Bulk insert of ``rows`` (tuples in ``cols`` order), written as they come: an
        iterator is never held whole (a million-record import makes its rows while they
        are written). SQLite: the driver's ``executemany`` over the rows, each value
        converted as SQLAlchemy binds it (timestamps, JSON); PostgreSQL: COPY. Every
        string is checked as every statement's are (``_check_text_params``: the driver's
        own cursor does not pass through that hook), so bad text is the same typed 422;
        the caller's transaction rolls back on it. Returns the rows written."""
        count = 0

        def counted() -> Iterator[Sequence[Any]]:
            nonlocal count
            for row in rows:
                count += 1
                yield _checked(row)

        raw = conn.connection.driver_connection
        assert raw is not None
        if self.dialect == "postgresql":
            json_at = [i for i, c in enumerate(cols) if isinstance(table.c[c].type, JSON)]
            with raw.cursor() as cur:
                # Identifiers come from our own Table objects, never from input.
                with cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in counted():
                        if json_at:
                            row = list(row)
                            for i in json_at:
                                row[i] = json.dumps(row[i])
                        copy.write_row(row)
            return count
        dialect = conn.dialect
        convert = [(i, _memo(proc)) for i, c in enumerate(cols)
                   if (proc := table.c[c].type.dialect_impl(dialect).bind_processor(dialect))
                   is not None]
        quote = dialect.identifier_preparer.quote
        # in ``cols`` order (a compiled insert lists them in the table's); the identifiers
        # are our own Table's, each looked up in ``table.c`` above, quoted by the dialect
        sql = (f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "  # noqa: S608
               f"({', '.join(quote(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})")

        def bound() -> Iterator[Sequence[Any]]:
            for row in counted():
                if convert:
                    row = list(row)
                    for i, fn in convert:
                        row[i] = fn(row[i])
                yield row

        cur = raw.cursor()
        try:
            cur.executemany(sql, bound())
        finally:
            cur.close()
        return count

    def insert(self, conn: Connection, table: Table, values: list[dict[str, Any]]) -> None:
        """Bulk insert: executemany on SQLite (fast in C); COPY on PostgreSQL, where
        executemany costs a round trip per row."""
        if not values:
            return
        if self.dialect != "postgresql":
            for chunk in chunks(values):
                conn.execute(table.insert(), chunk)
            return
        cols = list(values[0])
        json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur:
            # Identifiers come from our own Table objects, never from input.
            sql = f"COPY {table.name} ({', '.join(cols)}) FROM STDIN"
            with cur.copy(sql) as copy:
                for row in values:
                    copy.write_row([json.dumps(row[c]) if c in json_cols else row[c] for c in cols])
