"""The server backend: PostgreSQL + PostGIS, for a province's staff working at once.

Selected by a URL (``--db postgresql://user@host/db`` or ``RESTORATION_DB``). The same layers
and fields as the GeoPackage; geometry columns ``geometry(MultiPolygon|Geometry, 4326)`` with a
GiST index each; the same migrations and ``restoration_schema`` table. Geometries travel as
(E)WKB. Connections come from a per-process pool (psycopg 3 + psycopg_pool), shared by every
``Store`` on the same URL, so a dashboard serving many sessions reuses a few connections.

Isolation: transactions run at READ COMMITTED; a record read with ``Transaction.get`` inside a
write transaction is locked (``SELECT … FOR UPDATE``) until commit, and numbering new ids takes a
transaction-scoped advisory lock. So the ledger's "read the project, sum its allocations, insert"
cannot oversell (a second reservation of the same project waits for the first to commit), and an
update with an expected version cannot lose another writer's update.
"""
from __future__ import annotations

import atexit
import re
import threading
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import shapely

from .. import config, model
from ..errors import StoreError
from .backend import Backend, SchemaOps, lock_timeout, plain, quote
from . import migrations as _migrations
from . import roles
from .migrations import geometry_type_name, migrate

_PG_TYPES = {"TEXT": "text", "REAL": "double precision", "INTEGER": "bigint", "BOOLEAN": "smallint",
             "DATE": "text", "DATETIME": "text", "BLOB": "bytea"}

_POOLS: dict[str, object] = {}
_POOLS_LOCK = threading.Lock()


def is_url(location: object) -> bool:
    return isinstance(location, str) and bool(re.match(r"^postgres(ql)?://", location))


def redact(url: str) -> str:
    """The URL without its password (``user:***@``, ``password=***``), for messages and logs."""
    parts = urlsplit(url)
    try:
        password = parts.password
    except ValueError:  # a malformed address: keep only what surely holds no password
        return f"{parts.scheme}://…"
    netloc = parts.netloc.replace(f":{password}@", ":***@") if password else parts.netloc
    query = re.sub(r"(?i)(^|&)(password=)[^&]*", r"\1\2***", parts.query)
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def _driver():
    try:
        import psycopg
        import psycopg_pool
    except ImportError as exc:  # pragma: no cover - a GeoPackage-only installation
        raise StoreError("a PostgreSQL store needs psycopg 3 and psycopg-pool: "
                         "pip install 'psycopg[binary]' psycopg-pool") from exc
    return psycopg, psycopg_pool


def _pool(url: str):
    psycopg, psycopg_pool = _driver()
    with _POOLS_LOCK:
        pool = _POOLS.get(url)
        if pool is None:
            import os
            size = int(os.environ.get("RESTORATION_DB_POOL", "8"))
            pool = psycopg_pool.ConnectionPool(
                url, min_size=1, max_size=max(size, 1), open=False, name="restoration",
                kwargs={"autocommit": True,
                        "options": f"-c lock_timeout={int(lock_timeout() * 1000)} -c timezone=UTC"},
                check=psycopg_pool.ConnectionPool.check_connection)
            try:
                pool.open(wait=True, timeout=30)
            except psycopg_pool.PoolTimeout as exc:
                pool.close()
                raise StoreError(f"{redact(url)}: cannot connect to the database server; check the URL, "
                                 "that the server runs and that this user may connect") from exc
            _POOLS[url] = pool
    return pool


def close_pools(url: str | None = None) -> None:
    """Close the pooled connections of ``url`` (all URLs when None)."""
    with _POOLS_LOCK:
        for key in [k for k in _POOLS if url is None or k == url]:
            _POOLS.pop(key).close()


atexit.register(close_pools)


class PostgisBackend(Backend):
    kind = "postgis"

    def __init__(self, url: str):
        self.url = url
        psycopg, _ = _driver()
        self._psycopg = psycopg
        try:  # a malformed URL is the user's to fix, not a driver failure later
            psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.Error as exc:
            raise StoreError(f"{self.location}: not a valid database URL ({str(exc).strip()}); use "
                             "postgresql://user@host:port/database (percent-encode special characters)") from None
        self.busy_errors = (psycopg.errors.LockNotAvailable, psycopg.errors.SerializationFailure,
                            psycopg.errors.DeadlockDetected)
        self.integrity_errors = (psycopg.errors.IntegrityError,)

    @property
    def location(self) -> str:
        return redact(self.url)

    def is_busy(self, exc: BaseException) -> bool:
        return isinstance(exc, self.busy_errors)

    @contextmanager
    def reading(self) -> Iterator[object]:
        with _pool(self.url).connection() as conn:
            yield conn

    @contextmanager
    def writing(self) -> Iterator[object]:
        with _pool(self.url).connection() as conn:
            conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    @contextmanager
    def snapshot(self) -> Iterator[object]:
        with _pool(self.url).connection() as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")

    # -- statements -----------------------------------------------------------------------------
    def sql(self, text: str) -> str:
        return text.replace("%", "%%").replace("?", "%s")

    def fetch(self, conn, sql: str, params: Sequence = ()) -> tuple[list[str], list[tuple]]:
        # binary results: geometries arrive as EWKB bytes (parsing hex text costs 5x more)
        with conn.cursor(binary=True) as cur:
            cur.execute(self.sql(sql), tuple(plain(p) for p in params), prepare=False)
            cols = [d.name for d in cur.description]
            return cols, cur.fetchall()

    def insert_rows(self, conn, layer: str, names: list[str], rows: list[tuple]) -> None:
        # COPY: the fastest way in; geometries arrive as hex EWKB (SRID 4326) text
        with conn.cursor() as cur:
            with cur.copy(f"COPY {quote(layer)} ({', '.join(quote(c) for c in names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def insert_returning_fid(self, conn, layer: str, names: list[str], row: tuple) -> int:
        sql = (f"INSERT INTO {quote(layer)} ({', '.join(quote(c) for c in names)}) "
               f"VALUES ({', '.join(['%s'] * len(names))}) RETURNING fid")
        return int(conn.execute(sql, row).fetchone()[0])

    # -- geometries -----------------------------------------------------------------------------
    def encode_geoms(self, geoms: np.ndarray) -> list:
        geoms = np.asarray(geoms, dtype=object)
        ok = ~shapely.is_missing(geoms)
        out = np.full(len(geoms), None, dtype=object)
        if ok.any():
            with_srid = shapely.set_srid(geoms[ok], 4326)
            # binary EWKB then bytes.hex(): 5x faster than GEOS's own hex writer
            wkb = shapely.to_wkb(with_srid, hex=False, include_srid=True, flavor="extended", output_dimension=2)
            out[ok] = [b.hex() for b in wkb]
        return out.tolist()

    def decode_geoms(self, values: list) -> np.ndarray:
        arr = np.array([None if v is None else v for v in values], dtype=object)
        geoms = shapely.from_wkb(arr)
        return shapely.set_srid(geoms, 0) if len(geoms) else geoms

    # -- locks and bookkeeping ------------------------------------------------------------------
    def lock_suffix(self) -> str:
        return " FOR UPDATE"

    def lock_name(self, conn, name: str) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"restoration:{name}",))

    def after_write(self, conn, touched: set[str]) -> None:
        conn.execute("UPDATE restoration_meta SET value = (CAST(value AS bigint) + 1)::text "
                     "WHERE key = 'store_version'")

    def after_explicit_fids(self, conn, layer: str) -> None:
        conn.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'fid'), "
                     f"COALESCE((SELECT MAX(fid) FROM {quote(layer)}), 0) + 1, false)", (quote(layer),))

    def extent(self, conn, layer: str) -> tuple[float, float, float, float] | None:
        row = conn.execute(f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                           f"(SELECT ST_Extent(geom) AS e FROM {quote(layer)}) s").fetchone()
        return None if row is None or row[0] is None else tuple(float(v) for v in row)

    def table_names(self, conn) -> set[str]:
        return {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}

    def layer_order(self, conn) -> list[str]:
        have = self.table_names(conn)
        return [name for name in model.LAYERS if name in have]

    def schema_ops(self, conn) -> "PostgisOps":
        return PostgisOps(conn)

    # -- lifecycle -------------------------------------------------------------------------------
    def _connect_once(self):
        try:
            return self._psycopg.connect(self.url, autocommit=True, connect_timeout=30)
        except self._psycopg.OperationalError as exc:
            raise StoreError(f"{self.location}: cannot connect to the database server ({str(exc).strip()}); "
                             "check the URL, that the server runs and that this user may connect") from exc

    def exists(self) -> bool:
        with self._connect_once() as conn:
            return "restoration_schema" in self.table_names(conn)

    def create(self, fill: Callable[[object], None] | None = None) -> None:
        # schema and rows in one transaction: a copy killed halfway leaves the database as it was
        with self._connect_once() as conn:
            conn.execute("BEGIN")
            try:
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('restoration:schema'))")
                tables = self.table_names(conn)
                if "restoration_schema" in tables:
                    raise StoreError(f"{self.location}: a store already exists in this database")
                clash = sorted(set(model.LAYERS) & tables)
                if clash:
                    raise StoreError(f"{self.location}: the database has tables named like the store's "
                                     f"({', '.join(clash[:5])}); use an empty database")
                self._ensure_postgis(conn)
                conn.execute("CREATE TABLE restoration_schema (version integer PRIMARY KEY, "
                             "applied_at text, description text)")
                migrate(PostgisOps(conn), set(), config.now_utc())
                if fill is not None:
                    fill(conn)
                conn.execute("COMMIT")
            except self._psycopg.errors.InsufficientPrivilege as exc:
                conn.execute("ROLLBACK")
                raise StoreError(f"{self.location}: this database role may not create the store's tables "
                                 f"({str(exc).strip()}); run `restoration init` as the owner role "
                                 "(docs/deployment.md)") from exc
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _ensure_postgis(self, conn) -> None:
        if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
            return
        try:
            conn.execute("SAVEPOINT postgis")
            conn.execute("CREATE EXTENSION postgis")
        except self._psycopg.Error as exc:
            conn.execute("ROLLBACK TO SAVEPOINT postgis")
            raise StoreError(f"{self.location}: PostGIS is not enabled in this database and this user may "
                             f"not enable it ({str(exc).strip()}); ask the administrator to run "
                             "CREATE EXTENSION postgis; in it") from exc

    def applied_versions(self, conn) -> set[int]:
        return {r[0] for r in conn.execute("SELECT version FROM restoration_schema")}

    def open_checked(self, *, upgrade: bool = True) -> list[int]:
        with self._connect_once() as conn:
            if "restoration_schema" not in self.table_names(conn):
                raise StoreError(f"{self.location}: no store in this database; run `restoration init` first")
            applied = self.applied_versions(conn)
            known = {m[0] for m in _migrations.MIGRATIONS}
            if applied - known:
                raise StoreError(f"{self.location}: store schema version {max(applied)} is newer than this "
                                 f"software understands ({_migrations.LATEST}); upgrade restoration-platform")
            if not (known - applied) or not upgrade:
                return []
            conn.execute("BEGIN")
            try:
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('restoration:schema'))")
                applied = self.applied_versions(conn)  # another process may have migrated meanwhile
                done = migrate(PostgisOps(conn), applied, config.now_utc())
                roles.regrant(conn)  # the runtime roles get the layers a migration added
                conn.execute("COMMIT")
            except self._psycopg.errors.InsufficientPrivilege as exc:
                conn.execute("ROLLBACK")
                pending = ", ".join(f"v{v}" for v in sorted(known - applied))
                raise StoreError(f"{self.location}: schema migrations {pending} are pending and this database "
                                 f"role may not apply them ({str(exc).strip()}); run `restoration db upgrade` "
                                 "as the owner role (docs/deployment.md)") from exc
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return done

    def grant_runtime(self, role: str) -> list[str]:
        """Make ``role`` the store's runtime role (``restoration.store.roles``; run as the owner)."""
        with self._connect_once() as conn:
            if "restoration_schema" not in self.table_names(conn):
                raise StoreError(f"{self.location}: no store in this database; run `restoration init` first")
            return roles.grant_runtime(conn, role)

    def connected_role(self) -> dict:
        """Who this URL connects as (``restoration.store.roles.connected_role``)."""
        with self._connect_once() as conn:
            return roles.connected_role(conn)

    def close(self) -> None:
        close_pools(self.url)


class PostgisOps(SchemaOps):
    """Schema operations in PostgreSQL + PostGIS SQL."""

    kind = "postgis"

    def __init__(self, conn):
        self.conn = conn

    def run(self, sql: str, params=()) -> None:
        self.conn.execute(sql.replace("?", "%s"), tuple(params))

    def create_layer(self, spec: model.LayerSpec) -> None:
        cols = ["fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"]
        if spec.geometry:
            gtype = "Geometry" if geometry_type_name(spec) == "GEOMETRY" else "MultiPolygon"
            cols.append(f"geom geometry({gtype}, 4326)")
        for f in spec.fields:
            col = f"{quote(f.name)} {_PG_TYPES[f.sql_type]}"
            if f.name == spec.key:
                col += " NOT NULL UNIQUE"
            cols.append(col)
        for unique in spec.unique:
            cols.append(f"UNIQUE ({', '.join(quote(c) for c in unique)})")
        self.conn.execute(f"CREATE TABLE {quote(spec.name)} ({', '.join(cols)})")
        if spec.zh:
            self.conn.execute(f"COMMENT ON TABLE {quote(spec.name)} IS {_literal(spec.zh)}")
        if spec.geometry:
            self.conn.execute(f"CREATE INDEX {quote(spec.name + '_geom_gist')} ON {quote(spec.name)} USING GIST (geom)")

    def add_field(self, layer: str, field: model.Field) -> None:
        self.conn.execute(f"ALTER TABLE {quote(layer)} ADD COLUMN IF NOT EXISTS {quote(field.name)} "
                          f"{_PG_TYPES[field.sql_type]}")

    def create_index(self, layer: str, columns: Sequence[str], name: str | None = None,
                     unique: bool = False) -> None:
        name = name or f"idx_{layer}_{'_'.join(columns)}"
        self.conn.execute(f"CREATE {'UNIQUE ' if unique else ''}INDEX IF NOT EXISTS {quote(name)} "
                          f"ON {quote(layer)} ({', '.join(quote(c) for c in columns)})")

    def fields(self, layer: str) -> set[str]:
        return {r[0] for r in self.conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s", (layer,))}

    def has_layer(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
                                 "AND table_name = %s", (name,)).fetchone() is not None

    def init_metadata(self) -> None:
        self.conn.execute("CREATE TABLE restoration_meta (key text PRIMARY KEY, value text)")
        self.conn.execute("INSERT INTO restoration_meta VALUES ('store_version', '0')")

    def spatial_index_all(self) -> None:
        for name, spec in model.LAYERS.items():
            if spec.geometry and self.has_layer(name):
                self.conn.execute(f"CREATE INDEX IF NOT EXISTS {quote(name + '_geom_gist')} ON {quote(name)} "
                                  "USING GIST (geom)")

    def record_version(self, version: int, applied_at: str, description: str) -> None:
        self.conn.execute("INSERT INTO restoration_schema VALUES (%s, %s, %s)", (version, applied_at, description))

    def append_only(self, layer: str) -> None:
        # a trigger refuses every role, the owner included (only the owner could drop it; the
        # runtime role of restoration.store.roles is not the owner and has no UPDATE/DELETE either)
        self.conn.execute("CREATE OR REPLACE FUNCTION restoration_append_only() RETURNS trigger "
                          "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% is append-only: % refused', "
                          "TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege'; END $$")
        for name, when in ((f"{layer}_append_only", "UPDATE OR DELETE ON {t} FOR EACH ROW"),
                           (f"{layer}_no_truncate", "TRUNCATE ON {t} FOR EACH STATEMENT")):
            self.conn.execute(f"DROP TRIGGER IF EXISTS {quote(name)} ON {quote(layer)}")
            self.conn.execute(f"CREATE TRIGGER {quote(name)} BEFORE {when.format(t=quote(layer))} "
                              "EXECUTE FUNCTION restoration_append_only()")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
