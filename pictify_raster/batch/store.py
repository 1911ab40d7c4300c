"""The SQLite store: templates, batches, items and webhook deliveries in ``home/pictify.sqlite3``.

WAL mode lets one client write while others read. Every thread gets its own connection
(sqlite3 connections must not be shared between threads); a busy timeout makes writers
from two clients wait for each other instead of failing. Item states are written in
grouped transactions by the supervisor, and an item only ever leaves ``pending`` once:
every update of an item's end is guarded by ``status = 'pending'``.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pictify_raster.batch.models import (
    Batch,
    BatchItem,
    BatchStatus,
    DeliveryAttempt,
    DeliveryStatus,
    ItemFailure,
    ItemStatus,
    ItemWarning,
    WarningSummary,
    WebhookDelivery,
)
from pictify_raster.batch.schema import migrate
from pictify_raster.errors import PictifyError

BUSY_TIMEOUT_MS = 30_000
DB_NAME = "pictify.sqlite3"


def utc(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class TemplateRecord:
    uid: str
    name: str | None
    path: str
    source: str
    source_hash: str


@dataclass(frozen=True)
class BatchRecord:
    """Everything the supervisor needs to run a batch, the secret included (never logged)."""

    batch: Batch
    layout_path: str
    layout_source: str
    source_hash: str
    webhook_secret: str | None
    custom_output_dir: bool
    ingest_done: bool
    cancel_requested: bool
    owner: str | None
    heartbeat_at: float | None


@dataclass(frozen=True)
class NewDelivery:
    """A webhook delivery to create: its id, event, URL and the exact body to send."""

    delivery_id: str
    event: str
    url: str
    body: str


@dataclass(frozen=True)
class Outcome:
    """The end of one item, as the supervisor records it."""

    index: int
    status: ItemStatus
    path: str | None = None
    error: ItemFailure | None = None
    warnings: Sequence[ItemWarning] = ()
    duration_ms: int | None = None
    text_fit: dict[str, dict[str, Any]] | None = None


_BATCH_COLUMNS = (
    "id, template_uid, status, total_count, completed_count, failed_count, cancelled_count, "
    "created_at, started_at, completed_at, format, quality, webhook_url, parent_id, "
    "output_dir, error, layout_path, layout_source, source_hash, webhook_secret, "
    "custom_output_dir, ingest_done, cancel_requested, owner, heartbeat_at"
)
_ITEM_COLUMNS = (
    "idx, status, variables, path, error_code, error_message, error_field, warnings, "
    "duration_ms, source_index, text_fit"
)


def _batch_from_row(row: sqlite3.Row) -> BatchRecord:
    started, completed = row["started_at"], row["completed_at"]
    duration = None
    if started is not None and completed is not None:
        duration = round((completed - started) * 1000)
    batch = Batch(
        id=row["id"],
        template_uid=row["template_uid"],
        status=BatchStatus(row["status"]),
        total_count=row["total_count"],
        completed_count=row["completed_count"],
        failed_count=row["failed_count"],
        cancelled_count=row["cancelled_count"],
        created_at=datetime.fromtimestamp(row["created_at"], UTC),
        started_at=utc(started),
        completed_at=utc(completed),
        duration_ms=duration,
        format=row["format"],
        quality=row["quality"],
        webhook_url=row["webhook_url"],
        parent_id=row["parent_id"],
        output_dir=row["output_dir"],
        error=row["error"],
    )
    return BatchRecord(
        batch=batch,
        layout_path=row["layout_path"],
        layout_source=row["layout_source"],
        source_hash=row["source_hash"],
        webhook_secret=row["webhook_secret"],
        custom_output_dir=bool(row["custom_output_dir"]),
        ingest_done=bool(row["ingest_done"]),
        cancel_requested=bool(row["cancel_requested"]),
        owner=row["owner"],
        heartbeat_at=row["heartbeat_at"],
    )


@dataclass(frozen=True)
class ItemRow:
    """An item as stored; the client turns it into a BatchItem (adding its URL)."""

    index: int
    status: ItemStatus
    variables: Any
    path: str | None
    error: ItemFailure | None
    warnings: list[ItemWarning]
    duration_ms: int | None
    source_index: int | None
    text_fit: dict[str, dict[str, Any]]

    def to_item(self, url: str | None, full_path: str | None) -> BatchItem:
        return BatchItem(
            index=self.index,
            status=self.status,
            variables=self.variables,
            url=url,
            path=full_path,
            error=self.error,
            warnings=self.warnings,
            duration_ms=self.duration_ms,
            source_index=self.source_index,
            text_fit=self.text_fit,
        )


def _item_from_row(row: sqlite3.Row) -> ItemRow:
    error = None
    if row["error_code"] is not None:
        error = ItemFailure(row["error_code"], row["error_message"] or "", row["error_field"])
    warnings = [ItemWarning(w["code"], w["message"]) for w in json.loads(row["warnings"] or "[]")]
    status = ItemStatus(row["status"])
    return ItemRow(
        index=row["idx"],
        status=status,
        variables=json.loads(row["variables"]),
        # A path planned for a pending item is not an output yet.
        path=row["path"] if status is ItemStatus.COMPLETED else None,
        error=error,
        warnings=warnings,
        duration_ms=row["duration_ms"],
        source_index=row["source_index"],
        text_fit=json.loads(row["text_fit"] or "{}"),
    )


class StoreNotFoundError(PictifyError, FileNotFoundError):
    """A home without a store, opened by a reader (who must not create one)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "no store"


def store_exists(home: Path) -> bool:
    return (home / DB_NAME).is_file()


class Store:
    """Access to one home's database. Safe to use from several threads.

    ``create=False`` refuses a home without a database (StoreNotFoundError) instead of
    making the folder and an empty store: a reader that mistyped ``--home`` should hear
    so, not leave a new empty home behind.
    """

    def __init__(self, home: Path, *, create: bool = True) -> None:
        self.home = home
        self.path = home / DB_NAME
        if not create and not store_exists(home):
            msg = f"no store at {home} (no {DB_NAME} there); check --home"
            raise StoreNotFoundError(msg)
        home.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        conn = self._conn()
        conn.execute("PRAGMA journal_mode=WAL")
        migrate(conn)

    # -- connections -------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            msg = f"the store {self.path} is closed"
            raise RuntimeError(msg)
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # NORMAL is durable against a killed process (the WAL is in the OS cache);
            # only a power cut may lose the last commits.
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT: take the write lock up front so no deadlock can arise."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conns, self._all = self._all, []
        for conn in conns:
            # One made in a thread still running may refuse; Python closes it at exit.
            with contextlib.suppress(sqlite3.ProgrammingError):
                conn.close()

    # -- templates ---------------------------------------------------------------------

    def put_template(self, record: TemplateRecord) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO templates (uid, name, path, source, source_hash, registered_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO UPDATE SET name = excluded.name, "
                "path = excluded.path, source = excluded.source, "
                "source_hash = excluded.source_hash, registered_at = excluded.registered_at",
                (record.uid, record.name, record.path, record.source, record.source_hash,
                 time.time()),
            )

    def get_template(self, uid: str) -> TemplateRecord | None:
        row = self._conn().execute(
            "SELECT uid, name, path, source, source_hash FROM templates WHERE uid = ?", (uid,)
        ).fetchone()
        return None if row is None else TemplateRecord(*row)

    def list_templates(self) -> list[TemplateRecord]:
        rows = self._conn().execute(
            "SELECT uid, name, path, source, source_hash FROM templates ORDER BY uid"
        ).fetchall()
        return [TemplateRecord(*row) for row in rows]

    # -- batches -----------------------------------------------------------------------

    def create_batch(
        self, *, batch_id: str, template: TemplateRecord, fmt: str, quality: int,
        webhook_url: str | None, webhook_secret: str | None, output_dir: str,
        custom_output_dir: bool, parent_id: str | None, owner: str,
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO batches (id, template_uid, layout_path, layout_source, source_hash, "
                "status, created_at, format, quality, webhook_url, webhook_secret, output_dir, "
                "custom_output_dir, parent_id, owner, heartbeat_at) "
                "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (batch_id, template.uid, template.path, template.source, template.source_hash,
                 time.time(), fmt, quality, webhook_url, webhook_secret, output_dir,
                 int(custom_output_dir), parent_id, owner, time.time()),
            )

    def add_items(self, batch_id: str, rows: Sequence[tuple[int, str, int | None]],
                  failed: Sequence[Outcome] = ()) -> None:
        """Record rows (index, variables JSON, source index) as pending, in one transaction.

        ``failed`` ends some of them at once (rows refused before rendering, e.g. not a
        mapping); total_count grows as rows arrive so progress is visible during ingest.
        """
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO items (batch_id, idx, status, variables, source_index) "
                "VALUES (?, ?, 'pending', ?, ?)",
                [(batch_id, idx, variables, source) for idx, variables, source in rows],
            )
            conn.execute(
                "UPDATE batches SET total_count = total_count + ? WHERE id = ?",
                (len(rows), batch_id),
            )
            if failed:
                self._end_items(conn, batch_id, failed)

    def finish_ingest(self, batch_id: str) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE batches SET ingest_done = 1 WHERE id = ?", (batch_id,))

    def get_batch(self, batch_id: str) -> BatchRecord | None:
        row = self._conn().execute(
            f"SELECT {_BATCH_COLUMNS} FROM batches WHERE id = ?", (batch_id,)
        ).fetchone()
        return None if row is None else _batch_from_row(row)

    def list_batches(self, *, status: str | None = None, limit: int | None = None,
                     offset: int = 0) -> list[BatchRecord]:
        sql = f"SELECT {_BATCH_COLUMNS} FROM batches"
        args: list[Any] = []
        if status is not None:
            sql += " WHERE status = ?"
            args.append(status)
        sql += " ORDER BY created_at DESC, id LIMIT ? OFFSET ?"
        args += [-1 if limit is None else limit, offset]
        return [_batch_from_row(r) for r in self._conn().execute(sql, args).fetchall()]

    def unfinished_batches(self) -> list[BatchRecord]:
        rows = self._conn().execute(
            f"SELECT {_BATCH_COLUMNS} FROM batches WHERE status IN ('pending', 'processing') "
            "ORDER BY created_at"
        ).fetchall()
        return [_batch_from_row(r) for r in rows]

    def claim_batch(self, batch_id: str, owner: str, previous: str | None) -> bool:
        """Compare-and-set the owner, so two clients never run one batch."""
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE batches SET owner = ?, heartbeat_at = ? WHERE id = ? AND owner IS ? "
                "AND status IN ('pending', 'processing')",
                (owner, time.time(), batch_id, previous),
            )
            return cur.rowcount == 1

    def heartbeat(self, owner: str) -> None:
        now = time.time()
        with self.transaction() as conn:
            conn.execute("UPDATE batches SET heartbeat_at = ? WHERE owner = ?", (now, owner))
            conn.execute("UPDATE deliveries SET heartbeat_at = ? WHERE owner = ?", (now, owner))

    def release(self, owner: str) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE batches SET owner = NULL WHERE owner = ?", (owner,))
            conn.execute("UPDATE deliveries SET owner = NULL WHERE owner = ?", (owner,))

    def mark_started(self, batch_id: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE batches SET status = 'processing', started_at = COALESCE(started_at, ?) "
                "WHERE id = ? AND status = 'pending'",
                (time.time(), batch_id),
            )

    def request_cancel(self, batch_id: str) -> bool:
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE batches SET cancel_requested = 1 WHERE id = ? "
                "AND status IN ('pending', 'processing')",
                (batch_id,),
            )
            return cur.rowcount == 1

    def cancel_requested(self, batch_ids: Sequence[str]) -> set[str]:
        if not batch_ids:
            return set()
        marks = ",".join("?" * len(batch_ids))
        rows = self._conn().execute(
            f"SELECT id FROM batches WHERE cancel_requested = 1 AND id IN ({marks})",
            list(batch_ids),
        ).fetchall()
        return {r[0] for r in rows}

    def end_batch(self, batch_id: str, status: BatchStatus, error: str | None = None, *,
                  delivery: Callable[[Batch], NewDelivery | None] | None = None,
                  owner: str | None = None) -> bool:
        """Set the final status once; cancel what is still pending. False if already ended.

        ``delivery`` makes the webhook delivery from the ended batch, in the same
        transaction: a crash cannot leave an ended batch without its notification.
        """
        with self.transaction() as conn:
            now = time.time()
            cur = conn.execute(
                "UPDATE items SET status = 'cancelled', ended_at = ? "
                "WHERE batch_id = ? AND status = 'pending'",
                (now, batch_id),
            )
            cancelled = cur.rowcount
            cur = conn.execute(
                "UPDATE batches SET status = ?, completed_at = ?, error = COALESCE(?, error), "
                "started_at = COALESCE(started_at, ?), "
                "cancelled_count = cancelled_count + ? "
                "WHERE id = ? AND status IN ('pending', 'processing')",
                (str(status), now, error, now, cancelled, batch_id),
            )
            if cur.rowcount != 1:
                return False
            if delivery is not None:
                row = conn.execute(
                    f"SELECT {_BATCH_COLUMNS} FROM batches WHERE id = ?", (batch_id,)
                ).fetchone()
                new = delivery(_batch_from_row(row).batch)
                if new is not None:
                    self._insert_delivery(conn, new, batch_id, owner)
            return True

    # -- items -------------------------------------------------------------------------

    def pending_items(self, batch_id: str, after: int, limit: int) -> list[tuple[int, str]]:
        """The next pending rows (index, variables JSON) with an index above ``after``."""
        rows = self._conn().execute(
            "SELECT idx, variables FROM items WHERE batch_id = ? AND status = 'pending' "
            "AND idx > ? ORDER BY idx LIMIT ?",
            (batch_id, after, limit),
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def source_indexes(self, batch_id: str, indexes: Sequence[int]) -> dict[int, int]:
        if not indexes:
            return {}
        marks = ",".join("?" * len(indexes))
        rows = self._conn().execute(
            f"SELECT idx, source_index FROM items WHERE batch_id = ? AND idx IN ({marks}) "
            "AND source_index IS NOT NULL",
            [batch_id, *indexes],
        ).fetchall()
        return {r[0]: r[1] for r in rows}

    def path_taken(self, batch_id: str, path: str) -> bool:
        row = self._conn().execute(
            "SELECT 1 FROM items WHERE batch_id = ? AND path = ? LIMIT 1", (batch_id, path)
        ).fetchone()
        return row is not None

    def plan_paths(self, batch_id: str, planned: Sequence[tuple[int, str]]) -> set[int]:
        """Note where pending items' files are about to appear, before they are renamed there.

        If the client dies between the rename and the record of the item's end, resume
        finds the path on a pending item and deletes that file: no orphan survives.
        Returns the indexes planned; an item no longer pending (cancelled meanwhile) is
        left out, and its file must not be put in place.
        """
        done: set[int] = set()
        with self.transaction() as conn:
            for idx, path in planned:
                cur = conn.execute(
                    "UPDATE items SET path = ? WHERE batch_id = ? AND idx = ? "
                    "AND status = 'pending'",
                    (path, batch_id, idx),
                )
                if cur.rowcount:
                    done.add(idx)
        return done

    def planned_paths(self, batch_id: str) -> list[tuple[int, str]]:
        rows = self._conn().execute(
            "SELECT idx, path FROM items WHERE batch_id = ? AND status = 'pending' "
            "AND path IS NOT NULL",
            (batch_id,),
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def clear_planned(self, batch_id: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE items SET path = NULL WHERE batch_id = ? AND status = 'pending'",
                (batch_id,),
            )

    def record_outcomes(self, batch_id: str, outcomes: Sequence[Outcome]) -> dict[str, int]:
        """End items in one transaction; return how many of each status were newly ended."""
        with self.transaction() as conn:
            return self._end_items(conn, batch_id, outcomes)

    def _end_items(self, conn: sqlite3.Connection, batch_id: str,
                   outcomes: Sequence[Outcome]) -> dict[str, int]:
        now = time.time()
        added = {"completed": 0, "failed": 0, "cancelled": 0}
        for o in outcomes:
            warnings = json.dumps([{"code": w.code, "message": w.message} for w in o.warnings])
            err = o.error
            cur = conn.execute(
                "UPDATE items SET status = ?, path = ?, error_code = ?, error_message = ?, "
                "error_field = ?, warnings = ?, duration_ms = ?, ended_at = ?, text_fit = ? "
                "WHERE batch_id = ? AND idx = ? AND status = 'pending'",
                (str(o.status), o.path, err.code if err else None, err.message if err else None,
                 err.field if err else None, warnings, o.duration_ms, now,
                 json.dumps(o.text_fit) if o.text_fit else None, batch_id, o.index),
            )
            added[str(o.status)] += cur.rowcount
        conn.execute(
            "UPDATE batches SET completed_count = completed_count + ?, "
            "failed_count = failed_count + ?, cancelled_count = cancelled_count + ? "
            "WHERE id = ?",
            (added["completed"], added["failed"], added["cancelled"], batch_id),
        )
        return added

    def get_items(self, batch_id: str, *, status: str | None = None, offset: int = 0,
                  limit: int | None = None) -> list[ItemRow]:
        sql = f"SELECT {_ITEM_COLUMNS} FROM items WHERE batch_id = ?"
        args: list[Any] = [batch_id]
        if status is not None:
            sql += " AND status = ?"
            args.append(status)
        sql += " ORDER BY idx LIMIT ? OFFSET ?"
        args += [-1 if limit is None else limit, offset]
        return [_item_from_row(r) for r in self._conn().execute(sql, args).fetchall()]

    def iter_items(self, batch_id: str, *, status: str | None = None,
                   page: int = 1000) -> Iterator[ItemRow]:
        """All items of a batch, read a page at a time (keyset paging on the index)."""
        after = -1
        while True:
            sql = f"SELECT {_ITEM_COLUMNS} FROM items WHERE batch_id = ? AND idx > ?"
            args: list[Any] = [batch_id, after]
            if status is not None:
                sql += " AND status = ?"
                args.append(status)
            rows = self._conn().execute(sql + " ORDER BY idx LIMIT ?", [*args, page]).fetchall()
            if not rows:
                return
            for row in rows:
                yield _item_from_row(row)
            after = rows[-1]["idx"]

    def item_path(self, batch_id: str, index: int) -> tuple[str, str | None] | None:
        row = self._conn().execute(
            "SELECT status, path FROM items WHERE batch_id = ? AND idx = ?", (batch_id, index)
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def counts_by_status(self, batch_id: str) -> dict[str, int]:
        rows = self._conn().execute(
            "SELECT status, COUNT(*) FROM items WHERE batch_id = ? GROUP BY status", (batch_id,)
        ).fetchall()
        counts = {str(s): 0 for s in ItemStatus}
        counts.update({r[0]: r[1] for r in rows})
        return counts

    def failures_by_code(self, batch_id: str) -> dict[str, int]:
        rows = self._conn().execute(
            "SELECT error_code, COUNT(*) FROM items WHERE batch_id = ? AND status = 'failed' "
            "GROUP BY error_code ORDER BY COUNT(*) DESC, error_code",
            (batch_id,),
        ).fetchall()
        return {r[0]: r[1] for r in rows}

    def warnings_by_code(self, batch_id: str, examples: int) -> list[WarningSummary]:
        """Completed items with warnings, by code: most frequent first, ``examples`` of each.

        Rows are read as the cursor goes, so a batch of many warnings is never held whole.
        """
        counts: dict[str, int] = {}
        shown: dict[str, list[tuple[int, str]]] = {}
        rows = self._conn().execute(
            "SELECT idx, warnings FROM items WHERE batch_id = ? AND status = 'completed' "
            "AND warnings IS NOT NULL AND warnings != '[]' ORDER BY idx",
            (batch_id,),
        )
        for idx, text in rows:
            seen: set[str] = set()
            for warning in json.loads(text):
                code = warning["code"]
                if code not in seen:  # an item counts once per code, however many layers
                    seen.add(code)
                    counts[code] = counts.get(code, 0) + 1
                first = shown.setdefault(code, [])
                if len(first) < examples and (not first or first[-1][0] != idx):
                    first.append((idx, warning["message"]))
        order = sorted(counts, key=lambda code: (-counts[code], code))
        return [WarningSummary(code, counts[code], shown[code]) for code in order]

    # -- webhook deliveries ------------------------------------------------------------

    def create_delivery(self, new: NewDelivery, batch_id: str, owner: str | None) -> None:
        with self.transaction() as conn:
            self._insert_delivery(conn, new, batch_id, owner)

    @staticmethod
    def _insert_delivery(conn: sqlite3.Connection, new: NewDelivery, batch_id: str,
                         owner: str | None) -> None:
        now = time.time()
        conn.execute(
            "INSERT INTO deliveries (id, batch_id, event, url, body, status, created_at, "
            "next_attempt_at, owner, heartbeat_at) "
            "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
            (new.delivery_id, batch_id, new.event, new.url, new.body, now, now, owner, now),
        )

    def due_deliveries(self, owner: str, now: float) -> list[tuple[str, str, str, str, int]]:
        """Pending deliveries of this owner due by ``now``: (id, batch id, url, body, attempts)."""
        rows = self._conn().execute(
            "SELECT id, batch_id, url, body, attempt_count FROM deliveries "
            "WHERE status = 'pending' AND owner = ? AND next_attempt_at <= ? "
            "ORDER BY next_attempt_at",
            (owner, now),
        ).fetchall()
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def next_delivery_time(self, owner: str) -> float | None:
        row = self._conn().execute(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending' AND owner = ?",
            (owner,),
        ).fetchone()
        return None if row is None else row[0]

    def orphan_deliveries(self) -> list[tuple[str, str | None, float | None]]:
        rows = self._conn().execute(
            "SELECT id, owner, heartbeat_at FROM deliveries WHERE status = 'pending'"
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def claim_delivery(self, delivery_id: str, owner: str, previous: str | None) -> bool:
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE deliveries SET owner = ?, heartbeat_at = ? WHERE id = ? AND owner IS ? "
                "AND status = 'pending'",
                (owner, time.time(), delivery_id, previous),
            )
            return cur.rowcount == 1

    def record_attempt(self, delivery_id: str, *, number: int, at: float,
                       status_code: int | None, error: str | None, duration_ms: int,
                       final_status: DeliveryStatus, next_attempt_at: float | None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO delivery_attempts (delivery_id, number, at, status_code, error, "
                "duration_ms) VALUES (?, ?, ?, ?, ?, ?)",
                (delivery_id, number, at, status_code, error, duration_ms),
            )
            conn.execute(
                "UPDATE deliveries SET status = ?, attempt_count = ?, next_attempt_at = ? "
                "WHERE id = ?",
                (str(final_status), number, next_attempt_at, delivery_id),
            )

    def get_deliveries(self, batch_id: str) -> list[WebhookDelivery]:
        conn = self._conn()
        rows = conn.execute(
            "SELECT id, batch_id, event, url, status, created_at, next_attempt_at "
            "FROM deliveries WHERE batch_id = ? ORDER BY created_at, id",
            (batch_id,),
        ).fetchall()
        out = []
        for r in rows:
            attempts = [
                DeliveryAttempt(a[0], datetime.fromtimestamp(a[1], UTC), a[2], a[3], a[4])
                for a in conn.execute(
                    "SELECT number, at, status_code, error, duration_ms FROM delivery_attempts "
                    "WHERE delivery_id = ? ORDER BY number",
                    (r["id"],),
                ).fetchall()
            ]
            out.append(WebhookDelivery(
                id=r["id"], batch_id=r["batch_id"], event=r["event"], url=r["url"],
                status=DeliveryStatus(r["status"]),
                created_at=datetime.fromtimestamp(r["created_at"], UTC),
                next_attempt_at=utc(r["next_attempt_at"]) if r["status"] == "pending" else None,
                attempts=attempts,
            ))
        return out

    def get_delivery_body(self, delivery_id: str) -> tuple[str, str, str] | None:
        """(batch id, url, body) of one delivery."""
        row = self._conn().execute(
            "SELECT batch_id, url, body FROM deliveries WHERE id = ?", (delivery_id,)
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2])
