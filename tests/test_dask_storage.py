"""Output folders given as fsspec URLs (storage.py), without a cluster: the helpers on the
in-memory filesystem, and a local-pool batch whose output_dir is a file:// URL."""

from __future__ import annotations

from pathlib import Path

import pytest

fsspec = pytest.importorskip("fsspec")

from PIL import Image  # noqa: E402
from test_batch_fakes import write_card  # noqa: E402

from pictify_raster.batch import BatchStatus, Pictify, storage  # noqa: E402
from pictify_raster.batch.outputs import TEMP_PREFIX  # noqa: E402


def test_urls_and_paths_are_told_apart() -> None:
    assert storage.is_url("s3://bucket/cards")
    assert storage.is_url("memory://x")
    assert storage.is_url("file:///tmp/x")
    assert not storage.is_url("/tmp/x")
    assert not storage.is_url("C:\\Users\\x")
    assert not storage.is_url("relative/x")
    assert not storage.is_url(None)
    assert storage.join("s3://b/p/", "a.png") == "s3://b/p/a.png"
    assert storage.join("/tmp/p", "a.png") == str(Path("/tmp/p") / "a.png")


def test_write_move_sweep_and_remove_on_a_memory_filesystem() -> None:
    memory = fsspec.filesystem("memory")
    folder = storage.prepare_folder(None, "memory://storage-test", "batch_x")
    assert folder == "memory://storage-test/batch_x"
    temp = storage.write_bytes(folder, f"{TEMP_PREFIX}batch_x-0-1.png", b"whole image")
    assert temp == f"memory://storage-test/batch_x/{TEMP_PREFIX}batch_x-0-1.png"
    final = storage.move(temp, folder, "000000.png")
    assert final == "memory://storage-test/batch_x/000000.png"
    assert memory.cat_file("/storage-test/batch_x/000000.png") == b"whole image"
    assert not memory.exists(f"/storage-test/batch_x/{TEMP_PREFIX}batch_x-0-1.png")

    storage.write_bytes(folder, f"{TEMP_PREFIX}batch_x-1-1.png", b"partial")
    storage.write_bytes(folder, f"{TEMP_PREFIX}batch_y-1-1.png", b"another batch's")
    assert storage.sweep_temporaries(folder, "batch_x") == 1
    names = sorted(p.rsplit("/", 1)[1] for p in memory.ls("/storage-test/batch_x", detail=False))
    assert names == [f"{TEMP_PREFIX}batch_y-1-1.png", "000000.png"]

    storage.remove_quietly(final)
    storage.remove_quietly(final)  # gone already: no error
    assert not memory.exists("/storage-test/batch_x/000000.png")
    assert storage.sweep_temporaries("memory://storage-test/nothing-here", "batch_x") == 0
    assert storage.item_location(folder, "a b.png", "batch_x", None) == (
        "memory://storage-test/batch_x/a b.png", "memory://storage-test/batch_x/a b.png")
    assert storage.item_location(folder, "a b.png", "batch_x", "https://cdn.example/")[0] == (
        "https://cdn.example/batch_x/a%20b.png")
    memory.rm("/storage-test", recursive=True)


def test_an_unknown_protocol_is_named() -> None:
    with pytest.raises(ValueError, match="nosuchproto://x"):
        storage.prepare_folder("nosuchproto://x", "/unused", "batch_x")


def test_the_local_pool_writes_to_a_file_url(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    with Pictify(home=tmp_path / "home", workers=1) as client:
        uid = client.templates.register(write_card(tmp_path))
        batch = client.templates.batch_render(uid, [{"title": f"T {i}"} for i in range(4)],
                                              output_dir=target.as_uri())
        done = client.batches.wait(batch.id, timeout=60)
        items = client.templates.get_batch_results(batch.id).results
        retry = client.batches.retry_failed(batch.id)
        assert client.batches.wait(retry.id, timeout=60).output_dir == target.as_uri()
    assert done.status is BatchStatus.COMPLETED and done.completed_count == 4
    assert sorted(p.name for p in target.iterdir()) == [f"{i:06d}.png" for i in range(4)]
    for item in items:
        assert item.url == f"{target.as_uri()}/{item.index:06d}.png"
        with Image.open(target / f"{item.index:06d}.png") as image:
            assert image.size == (120, 60)
