"""The SQLite schema of the store, as an ordered list of migrations.

Each migration runs once, in its own transaction, and bumps ``schema_version``; a
store made by a newer library is refused rather than misread. Times are Unix seconds
(REAL) in UTC.
"""

from __future__ import annotations

import sqlite3

from pictify_raster.errors import PictifyError

MIGRATIONS: list[list[str]] = [
    # 1: templates, batches, items, webhook deliveries and their attempts.
    [
        """CREATE TABLE templates (
            uid TEXT PRIMARY KEY,
            name TEXT,
            path TEXT NOT NULL,
            source TEXT NOT NULL,
            source_hash TEXT NOT NULL,
            registered_at REAL NOT NULL
        )""",
        """CREATE TABLE batches (
            id TEXT PRIMARY KEY,
            template_uid TEXT NOT NULL,
            layout_path TEXT NOT NULL,
            layout_source TEXT NOT NULL,
            source_hash TEXT NOT NULL,
            status TEXT NOT NULL,
            total_count INTEGER NOT NULL DEFAULT 0,
            completed_count INTEGER NOT NULL DEFAULT 0,
            failed_count INTEGER NOT NULL DEFAULT 0,
            cancelled_count INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            started_at REAL,
            completed_at REAL,
            format TEXT NOT NULL,
            quality INTEGER NOT NULL,
            webhook_url TEXT,
            webhook_secret TEXT,
            output_dir TEXT NOT NULL,
            custom_output_dir INTEGER NOT NULL DEFAULT 0,
            parent_id TEXT,
            ingest_done INTEGER NOT NULL DEFAULT 0,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            owner TEXT,
            heartbeat_at REAL,
            error TEXT
        )""",
        "CREATE INDEX batches_by_created ON batches (created_at)",
        "CREATE INDEX batches_by_status ON batches (status)",
        """CREATE TABLE items (
            batch_id TEXT NOT NULL,
            idx INTEGER NOT NULL,
            status TEXT NOT NULL,
            variables TEXT NOT NULL,
            path TEXT,
            error_code TEXT,
            error_message TEXT,
            error_field TEXT,
            warnings TEXT,
            duration_ms INTEGER,
            source_index INTEGER,
            ended_at REAL,
            PRIMARY KEY (batch_id, idx)
        ) WITHOUT ROWID""",
        "CREATE INDEX items_by_status ON items (batch_id, status, idx)",
        "CREATE INDEX items_by_path ON items (batch_id, path)",
        """CREATE TABLE deliveries (
            id TEXT PRIMARY KEY,
            batch_id TEXT NOT NULL,
            event TEXT NOT NULL,
            url TEXT NOT NULL,
            body TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at REAL NOT NULL,
            next_attempt_at REAL,
            attempt_count INTEGER NOT NULL DEFAULT 0,
            owner TEXT,
            heartbeat_at REAL
        )""",
        "CREATE INDEX deliveries_by_batch ON deliveries (batch_id, created_at)",
        "CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at)",
        """CREATE TABLE delivery_attempts (
            delivery_id TEXT NOT NULL,
            number INTEGER NOT NULL,
            at REAL NOT NULL,
            status_code INTEGER,
            error TEXT,
            duration_ms INTEGER NOT NULL,
            PRIMARY KEY (delivery_id, number)
        )""",
    ],
    # 2: what text fitting did for each text layer of a completed item.
    ["ALTER TABLE items ADD COLUMN text_fit TEXT"],
]

SCHEMA_VERSION = len(MIGRATIONS)


class StoreVersionError(PictifyError):
    """The store was written by a newer pictify_raster than this one."""


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database up to SCHEMA_VERSION; return the version found before."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    # BEGIN IMMEDIATE so two clients opening a fresh home do not both migrate.
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        found = row[0] if row else 0
        if found > SCHEMA_VERSION:
            msg = (
                f"store schema version {found} is newer than this library's "
                f"{SCHEMA_VERSION}; upgrade pictify_raster"
            )
            raise StoreVersionError(msg)
        for statements in MIGRATIONS[found:]:
            for statement in statements:
                conn.execute(statement)
        if row is None:
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        else:
            conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found
