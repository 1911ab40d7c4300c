"""The SQLite store on its own: schema versions, exactly-once item ends, paging, two
connections at once, and the ownership rules of leases."""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from pictify_raster.batch import leases
from pictify_raster.batch.models import BatchStatus, ItemFailure, ItemStatus, ItemWarning
from pictify_raster.batch.outputs import sanitize_stem, unique_name
from pictify_raster.batch.schema import SCHEMA_VERSION, StoreVersionError
from pictify_raster.batch.store import Outcome, Store, TemplateRecord

TEMPLATE = TemplateRecord("tmpl_t", "T", "/x/t.yaml", "uid: tmpl_t", "hash")


def _store_with_batch(home: Path, rows: int = 10) -> Store:
    store = Store(home)
    store.put_template(TEMPLATE)
    store.create_batch(batch_id="b1", template=TEMPLATE, fmt="png", quality=90,
                       webhook_url=None, webhook_secret=None, output_dir=str(home / "o"),
                       custom_output_dir=False, parent_id=None, owner="me")
    store.add_items("b1", [(i, f'{{"i": {i}}}', None) for i in range(rows)])
    store.finish_ingest("b1")
    return store


def test_schema_version_and_reopen(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put_template(TEMPLATE)
    store.close()
    conn = sqlite3.connect(tmp_path / "pictify.sqlite3")
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    again = Store(tmp_path)  # migrating twice is a no-op
    assert again.get_template("tmpl_t") == TEMPLATE
    again.close()
    conn = sqlite3.connect(tmp_path / "pictify.sqlite3")
    conn.execute("UPDATE schema_version SET version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(StoreVersionError, match="99"):
        Store(tmp_path)


def test_items_end_exactly_once_and_counts_add_up(tmp_path: Path) -> None:
    store = _store_with_batch(tmp_path)
    first = [Outcome(0, ItemStatus.COMPLETED, path="a.png", duration_ms=5,
                     warnings=[ItemWarning("MISSING_GLYPHS", "x")]),
             Outcome(1, ItemStatus.FAILED, error=ItemFailure("TEXT_OVERFLOW", "m", "f"))]
    assert store.record_outcomes("b1", first) == {"completed": 1, "failed": 1, "cancelled": 0}
    again = [Outcome(0, ItemStatus.FAILED, error=ItemFailure("RENDER_FAILED", "late"))]
    assert store.record_outcomes("b1", again) == {"completed": 0, "failed": 0, "cancelled": 0}
    batch = store.get_batch("b1")
    assert batch is not None
    assert (batch.batch.completed_count, batch.batch.failed_count) == (1, 1)
    item0, item1 = store.get_items("b1", limit=2)
    assert item0.status is ItemStatus.COMPLETED and item0.path == "a.png"
    assert item0.warnings == [ItemWarning("MISSING_GLYPHS", "x")]
    assert item1.error == ItemFailure("TEXT_OVERFLOW", "m", "f")
    assert store.end_batch("b1", BatchStatus.CANCELLED)
    assert not store.end_batch("b1", BatchStatus.COMPLETED)  # ends once
    record = store.get_batch("b1")
    assert record is not None and record.batch.status is BatchStatus.CANCELLED
    assert record.batch.cancelled_count == 8
    assert store.counts_by_status("b1") == {"pending": 0, "completed": 1, "failed": 1,
                                            "cancelled": 8}


def test_paging_and_keyset_iteration(tmp_path: Path) -> None:
    store = _store_with_batch(tmp_path, rows=2500)
    store.record_outcomes("b1", [Outcome(i, ItemStatus.FAILED,
                                         error=ItemFailure("INVALID_VARIABLE", "x"))
                                 for i in range(0, 2500, 100)])
    assert [r.index for r in store.get_items("b1", offset=10, limit=3)] == [10, 11, 12]
    failed = [r.index for r in store.get_items("b1", status="failed", offset=20)]
    assert failed == [2000, 2100, 2200, 2300, 2400]
    assert sum(1 for _ in store.iter_items("b1", page=333)) == 2500
    assert [r.index for r in store.iter_items("b1", status="failed", page=7)][-1] == 2400
    assert [i for i, _ in store.pending_items("b1", after=98, limit=3)] == [99, 101, 102]
    assert store.failures_by_code("b1") == {"INVALID_VARIABLE": 25}


def test_planned_paths_are_not_outputs_until_completed(tmp_path: Path) -> None:
    store = _store_with_batch(tmp_path)
    store.plan_paths("b1", [(3, "three.png")])
    assert store.path_taken("b1", "three.png")
    assert store.planned_paths("b1") == [(3, "three.png")]
    assert store.get_items("b1", offset=3, limit=1)[0].path is None
    store.clear_planned("b1")
    assert store.planned_paths("b1") == []


def test_a_second_connection_reads_while_one_writes(tmp_path: Path) -> None:
    writer = _store_with_batch(tmp_path, rows=100)
    reader = Store(tmp_path)
    entered, release = threading.Event(), threading.Event()

    def hold_write_lock() -> None:
        with writer.transaction() as conn:
            conn.execute("UPDATE batches SET error = 'x' WHERE id = 'b1'")
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=hold_write_lock)
    thread.start()
    assert entered.wait(5)
    started = time.monotonic()
    record = reader.get_batch("b1")  # WAL: readers do not wait for the writer
    assert record is not None and record.batch.total_count == 100
    assert time.monotonic() - started < 1
    release.set()
    thread.join()
    # A second writer waits for the first instead of failing (busy timeout).
    reader.record_outcomes("b1", [Outcome(0, ItemStatus.COMPLETED, path="p.png")])
    writer.close()
    reader.close()


def test_leases() -> None:
    mine = leases.new_owner()
    now = time.time()
    assert not leases.claimable(mine, now)  # a live client of this process
    assert leases.claimable(None, None)
    host = socket.gethostname()
    assert leases.claimable(f"{host}:{os.getpid()}:gone", now)  # closed client, same process
    assert not leases.claimable(f"{host}:1:other", now)  # pid 1 is alive
    assert leases.claimable(f"{host}:1:other", now - leases.LEASE_SECONDS - 1)  # stale
    assert not leases.claimable("elsewhere:123:t", now)  # another host: wait for the lease
    leases.retire(mine)
    assert leases.claimable(mine, now)


@pytest.mark.parametrize(("raw", "expected"), [
    ("hello", "hello"),
    ("../../etc/passwd", "_.._etc_passwd"),
    ("..", None),
    ("", None),
    (None, None),
    ("   ", None),
    ("a/b\\c:d*e?f", "a_b_c_d_e_f"),
    ("tab\there\x7f", "tabhere"),
    ("nul", "_nul"),
    ("LPT1.txt", "_LPT1.txt"),
    ("report.PNG", "report"),
    (".hidden", "hidden"),
    ("caf\u0065\u0301", "caf\u00e9"),
])
def test_sanitize_stem(raw: str | None, expected: str | None) -> None:
    assert sanitize_stem(raw, "png") == expected


def test_long_names_are_cut_on_character_boundaries() -> None:
    stem = sanitize_stem("é" * 300, "png")
    assert stem is not None and len(stem.encode()) <= 180 and set(stem) == {"é"}
    assert unique_name("a", 7, "jpeg", set()) == "a.jpg"
    assert unique_name("a", 7, "jpeg", {"a.jpg"}) == "a-7.jpg"
