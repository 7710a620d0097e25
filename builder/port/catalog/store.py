"""SQLite storage of the embedded catalog: blueprints, entities and the relation index.

One database = one Port organisation. The ASGI app (``builder.port.catalog.app``) is the only writer
that applies Port's rules; the query functions here (``list_blueprints``, ``list_entities``,
``count_entities``) are also what ``cursor-builder catalog ls`` and the TUI's catalog browser read.

Entities are stored as the JSON document Port returns (identifier, title, icon, blueprint, team,
properties, relations, createdAt, updatedAt, createdBy, updatedBy) plus the datasource (the
writer's User-Agent), which is what Ocean's stale-entity search matches on.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

_SCHEMA = """
CREATE TABLE IF NOT EXISTS blueprints (
    identifier TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entities (
    blueprint TEXT NOT NULL,
    identifier TEXT NOT NULL,
    title TEXT,
    body TEXT NOT NULL,
    datasource TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (blueprint, identifier)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relations (
    blueprint TEXT NOT NULL,
    identifier TEXT NOT NULL,
    relation TEXT NOT NULL,
    target_blueprint TEXT NOT NULL,
    target TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS relations_source ON relations (blueprint, identifier);
CREATE INDEX IF NOT EXISTS relations_target ON relations (target_blueprint, target);
"""


#: How long a write waits for another program holding the database (sqlite's busy timeout).
BUSY_TIMEOUT_SECONDS = 10.0


class CatalogFileError(ValueError):
    """The catalog database cannot be opened as given (a directory, not SQLite, no folder): one line."""


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CatalogStore:
    """Blueprints and entities in one SQLite file (or ``":memory:"``)."""

    def __init__(self, path: str | Path = ":memory:", *, clock: Callable[[], str] = utc_now,
                 create_parents: bool = True, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            self._prepare_file(Path(self.path).expanduser(), create_parents)
        # The catalog is served by one event loop, but `catalog serve` builds it on the main
        # thread and uvicorn may call from another; a lock keeps sqlite's use serialised.
        # ``timeout`` is sqlite's busy timeout: another writer holding the lock is waited for.
        self._conn = sqlite3.connect(str(Path(self.path).expanduser()) if self.path != ":memory:" else self.path,
                                     check_same_thread=False, isolation_level=None, timeout=busy_timeout)
        self._lock = threading.RLock()
        self.clock = clock
        try:
            if self.path != ":memory:":
                # WAL lets `catalog ls` read while `catalog serve` or a sync writes.
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise CatalogFileError(f"{self.path}: the catalog database is locked by another program "
                                       f"(waited {busy_timeout:g} s): close it and try again") from None
            raise CatalogFileError(f"{self.path}: not a catalog database ({exc}): pass another --db") from None

    @staticmethod
    def _prepare_file(file: Path, create_parents: bool) -> None:
        """Say clearly what is wrong with a path before sqlite does it obscurely; create the file
        private (0600): a catalog holds user data."""
        if file.is_dir():
            raise CatalogFileError(f"{file}: is a directory; --db takes a database file")
        if not file.parent.is_dir():
            if not create_parents:
                raise CatalogFileError(f"{file}: the folder {file.parent} does not exist: create it or pass another --db")
            file.parent.mkdir(parents=True, exist_ok=True)
        if not file.exists():
            try:
                os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                pass
            except OSError as exc:
                raise CatalogFileError(f"{file}: cannot create the catalog database ({exc.strerror})") from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """The database connection, held under the store's lock, for tables that live beside the
        catalog's own (integrations, their examples and logs): one file = one organisation, and they
        must see the same transactions. Autocommit: a caller that needs one transaction opens it."""
        with self._lock:
            yield self._conn

    # -- blueprints ----------------------------------------------------------------------------
    def blueprint_ids(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._conn.execute("SELECT identifier FROM blueprints")}

    def get_blueprint(self, identifier: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute("SELECT body FROM blueprints WHERE identifier = ?", (identifier,)).fetchone()
        return json.loads(row[0]) if row else None

    def all_blueprints(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute("SELECT body FROM blueprints ORDER BY identifier").fetchall()
        return [json.loads(row[0]) for row in rows]

    def put_blueprint(self, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Create or replace; returns (stored body with timestamps, created?)."""
        now = self.clock()
        identifier = body["identifier"]
        with self._lock:
            row = self._conn.execute("SELECT created_at FROM blueprints WHERE identifier = ?",
                                     (identifier,)).fetchone()
            created_at = row[0] if row else now
            stored = dict(body)
            stored["createdAt"] = created_at
            stored["updatedAt"] = now
            self._conn.execute(
                "INSERT INTO blueprints (identifier, body, created_at, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (identifier) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                (identifier, json.dumps(stored), created_at, now))
        return stored, row is None

    def delete_blueprint(self, identifier: str) -> bool:
        with self._lock:
            cursor = self._conn.execute("DELETE FROM blueprints WHERE identifier = ?", (identifier,))
            return cursor.rowcount > 0

    def list_blueprints(self) -> list[dict[str, Any]]:
        """For browsing: identifier, title, icon, entity count, updatedAt — ordered by identifier."""
        with self._lock:
            counts = dict(self._conn.execute("SELECT blueprint, COUNT(*) FROM entities GROUP BY blueprint"))
            rows = self._conn.execute("SELECT body FROM blueprints ORDER BY identifier").fetchall()
        out = []
        for (body,) in rows:
            data = json.loads(body)
            out.append({"identifier": data["identifier"], "title": data.get("title"), "icon": data.get("icon"),
                        "entities": counts.get(data["identifier"], 0), "updatedAt": data.get("updatedAt")})
        return out

    # -- entities ------------------------------------------------------------------------------
    def get_entity(self, blueprint: str, identifier: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute("SELECT body FROM entities WHERE blueprint = ? AND identifier = ?",
                                     (blueprint, identifier)).fetchone()
        return json.loads(row[0]) if row else None

    def get_entities(self, blueprint: str, identifiers: Iterable[str], *,
                     with_datasource: bool = False) -> dict[str, dict[str, Any]]:
        wanted = list(dict.fromkeys(identifiers))
        out: dict[str, dict[str, Any]] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for identifier, body, datasource in self._conn.execute(
                        f"SELECT identifier, body, datasource FROM entities WHERE blueprint = ? "
                        f"AND identifier IN ({marks})", [blueprint, *chunk]):
                    doc = json.loads(body)
                    if with_datasource:
                        doc["$datasource"] = datasource
                    out[identifier] = doc
        return out

    def existing_identifiers(self, blueprint: str, identifiers: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(identifiers))
        found: set[str] = set()
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(row[0] for row in self._conn.execute(
                    f"SELECT identifier FROM entities WHERE blueprint = ? AND identifier IN ({marks})",
                    [blueprint, *chunk]))
        return found

    def _search_clause(self, search: str | None) -> tuple[str, list[Any]]:
        if not search:
            return "", []
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return " AND (identifier LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\')", [pattern, pattern]

    def list_entities(self, blueprint: str, limit: int = 50, offset: int = 0,
                      search: str | None = None) -> list[dict[str, Any]]:
        """A page of entities of one blueprint, ordered by identifier; ``search`` matches identifier
        or title (case-insensitive substring)."""
        clause, params = self._search_clause(search)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT body FROM entities WHERE blueprint = ?{clause} ORDER BY identifier LIMIT ? OFFSET ?",
                [blueprint, *params, int(limit), int(offset)]).fetchall()
        return [json.loads(row[0]) for row in rows]

    def count_entities(self, blueprint: str | None = None, search: str | None = None) -> int:
        clause, params = self._search_clause(search)
        with self._lock:
            if blueprint is None:
                return int(self._conn.execute("SELECT COUNT(*) FROM entities").fetchone()[0])
            return int(self._conn.execute(f"SELECT COUNT(*) FROM entities WHERE blueprint = ?{clause}",
                                          [blueprint, *params]).fetchone()[0])

    def iter_entities(self, blueprint: str | None = None) -> Iterator[dict[str, Any]]:
        with self._lock:
            if blueprint is None:
                rows = self._conn.execute("SELECT body, datasource FROM entities "
                                          "ORDER BY blueprint, identifier").fetchall()
            else:
                rows = self._conn.execute("SELECT body, datasource FROM entities WHERE blueprint = ? "
                                          "ORDER BY identifier", (blueprint,)).fetchall()
        for body, datasource in rows:
            data = json.loads(body)
            data["$datasource"] = datasource
            yield data

    def write_entities(self, blueprint: str, docs: list[dict[str, Any]], relations: dict[str, list[tuple[str, str, str]]],
                       datasource: str | None) -> None:
        """Insert or replace entity documents (already validated) in one transaction.

        ``relations``: identifier → [(relation, target blueprint, target identifier)].
        """
        if not docs:
            return
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                self._conn.executemany(
                    "INSERT INTO entities (blueprint, identifier, title, body, datasource, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (blueprint, identifier) DO UPDATE SET "
                    "title = excluded.title, body = excluded.body, datasource = excluded.datasource, "
                    "updated_at = excluded.updated_at",
                    [(blueprint, d["identifier"], d.get("title"), json.dumps(d, ensure_ascii=False), datasource,
                      d["createdAt"], d["updatedAt"]) for d in docs])
                ids = [d["identifier"] for d in docs]
                for start in range(0, len(ids), 500):
                    chunk = ids[start:start + 500]
                    marks = ",".join("?" * len(chunk))
                    self._conn.execute(f"DELETE FROM relations WHERE blueprint = ? AND identifier IN ({marks})",
                                       [blueprint, *chunk])
                self._conn.executemany(
                    "INSERT INTO relations (blueprint, identifier, relation, target_blueprint, target) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(blueprint, identifier, rel, tbp, tid) for identifier, items in relations.items()
                     for rel, tbp, tid in items])
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def delete_entities(self, blueprint: str, identifiers: Iterable[str]) -> list[str]:
        ids = list(dict.fromkeys(identifiers))
        deleted: list[str] = []
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                for identifier in ids:
                    cursor = self._conn.execute("DELETE FROM entities WHERE blueprint = ? AND identifier = ?",
                                                (blueprint, identifier))
                    if cursor.rowcount:
                        deleted.append(identifier)
                    self._conn.execute("DELETE FROM relations WHERE blueprint = ? AND identifier = ?",
                                       (blueprint, identifier))
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return deleted

    def dependents(self, blueprint: str, identifiers: Iterable[str]) -> list[tuple[str, str]]:
        """Entities whose relations point at any of these: [(blueprint, identifier)]."""
        out: list[tuple[str, str]] = []
        with self._lock:
            for identifier in identifiers:
                out.extend(self._conn.execute(
                    "SELECT DISTINCT blueprint, identifier FROM relations WHERE target_blueprint = ? AND target = ?",
                    (blueprint, identifier)).fetchall())
        return [(bp, ident) for bp, ident in out]

    def blueprints_relating_to(self, identifier: str) -> list[str]:
        return [bp["identifier"] for bp in self.all_blueprints()
                if any(isinstance(rel, dict) and rel.get("target") == identifier and bp["identifier"] != identifier
                       for rel in (bp.get("relations") or {}).values())]
