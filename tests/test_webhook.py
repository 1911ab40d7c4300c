"""Webhooks: signatures both ways, and deliveries to a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import itertools
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_batch_fakes import FACTORY, write_card

from pictify_raster.batch import BatchStatus, DeliveryStatus, Pictify, verify_signature
from pictify_raster.batch.signing import compute_signature, sign
from pictify_raster.batch.webhooks import WebhookSettings, display_url, redact_url

SECRET = "s3cret-value-never-logged"


# -- signatures ---------------------------------------------------------------------------


def test_signature_round_trip() -> None:
    body = b'{"event":"batch.completed"}'
    header = sign(SECRET, body, timestamp=1_700_000_000)
    t, v1 = header.split(",")
    assert t == "t=1700000000"
    assert v1 == "v1=" + compute_signature(SECRET, 1_700_000_000, body)
    assert verify_signature(SECRET, header, body, now=1_700_000_100)
    assert verify_signature(SECRET, header, body.decode(), now=1_700_000_100)


def test_signature_refuses_tampering_old_timestamps_and_garbage() -> None:
    body = b'{"a":1}'
    now = time.time()
    header = sign(SECRET, body)
    assert verify_signature(SECRET, header, body)
    assert not verify_signature(SECRET, header, b'{"a":2}')
    assert not verify_signature("other", header, body)
    old = sign(SECRET, body, timestamp=int(now) - 301)
    assert not verify_signature(SECRET, old, body)
    assert verify_signature(SECRET, old, body, tolerance=400)
    assert verify_signature(SECRET, old, body, tolerance=0)  # time check off
    future = sign(SECRET, body, timestamp=int(now) + 3600)
    assert not verify_signature(SECRET, future, body)
    for bad in (None, "", "t=abc,v1=00", "v1=00", f"t={int(now)}", "garbage", "t=1,v1=é"):
        assert not verify_signature(SECRET, bad, body)
    rotated = f"{header},v1={'0' * 64}"
    assert verify_signature(SECRET, rotated, body)


def test_redacted_urls_hide_credentials() -> None:
    assert redact_url("https://user:pw@hooks.example:8443/p?token=x#f") == \
        "https://hooks.example:8443/p"


# -- a receiver ---------------------------------------------------------------------------


@dataclass
class Receiver:
    """Answers with the queued status codes (then 200) and records every request."""

    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""
    got: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(({k: v for k, v in self.headers.items()}, body))
            code = state.statuses.pop(0) if state.statuses else 200
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()
            state.got.set()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/batch"
    yield state
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _client(home: Path, retries: int = 3) -> Pictify:
    return Pictify(home=home, workers=1, _renderer_factory=FACTORY, webhook_retries=retries,
                   webhook_backoff=0.05, webhook_backoff_factor=2.0, webhook_timeout=2.0)


def _wait_delivery(client: Pictify, batch_id: str, count: int = 1, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        deliveries = client.batches.deliveries(batch_id)
        if len(deliveries) >= count and all(
            d.status is not DeliveryStatus.PENDING for d in deliveries
        ):
            return deliveries
        time.sleep(0.05)
    raise AssertionError(f"deliveries still pending: {client.batches.deliveries(batch_id)}")


def test_delivery_body_headers_signature_and_retries(
    receiver: Receiver, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pictify_raster")
    receiver.statuses = [500, 503]
    url = receiver.url.replace("http://", "http://hookuser:hookpass@")
    with _client(tmp_path / "home") as client:
        uid = client.templates.register(write_card(tmp_path))
        batch = client.templates.batch_render(
            uid, [{"i": 1}, {"i": 2}, {"error": "TEXT_OVERFLOW"}],
            webhook_url=url, webhook_secret=SECRET,
        )
        done = client.batches.wait(batch.id, timeout=30)
        [delivery] = _wait_delivery(client, batch.id)

    assert delivery.status is DeliveryStatus.DELIVERED
    assert [a.status_code for a in delivery.attempts] == [500, 503, 200]
    assert [a.number for a in delivery.attempts] == [1, 2, 3]
    assert delivery.attempts[0].error == "HTTP 500" and delivery.attempts[2].error is None
    times = [a.at for a in delivery.attempts]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1  # exponential backoff

    assert len(receiver.requests) == 3
    ids = {headers["X-Pictify-Delivery-Id"] for headers, _ in receiver.requests}
    assert ids == {delivery.id}
    headers, body = receiver.requests[-1]
    assert headers["X-Pictify-Event"] == "batch.completed"
    assert headers["Content-Type"] == "application/json"
    assert verify_signature(SECRET, headers["X-Pictify-Signature"], body)
    assert not verify_signature(SECRET, headers["X-Pictify-Signature"], body + b" ")
    assert all(b == body for _, b in receiver.requests)  # the same bytes on every retry
    payload = json.loads(body)
    assert list(payload) == ["event", "timestamp", "data"]
    assert payload["event"] == "batch.completed"
    assert payload["timestamp"].endswith("Z")
    assert payload["data"] == {
        "batchId": batch.id, "templateUid": "tmpl_test_card", "status": "completed",
        "totalCount": 3, "completedCount": 2, "failedCount": 1,
        "duration": done.duration_ms,
    }
    logged = caplog.text
    assert SECRET not in logged and "hookpass" not in logged
    assert "127.0.0.1" in logged  # the redacted URL is logged


def test_a_receiver_down_fails_the_delivery_not_the_batch(
    tmp_path: Path, receiver: Receiver
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/hook"
    with _client(tmp_path / "home", retries=2) as client:
        uid = client.templates.register(write_card(tmp_path))
        batch = client.templates.batch_render(uid, [{"i": 1}], webhook_url=url)
        done = client.batches.wait(batch.id, timeout=30)
        [delivery] = _wait_delivery(client, batch.id)
        assert done.status is BatchStatus.COMPLETED
        assert client.batches.get(batch.id).status is BatchStatus.COMPLETED
        assert delivery.status is DeliveryStatus.FAILED
        assert len(delivery.attempts) == 3
        assert all(a.status_code is None and a.error and "connection failed" in a.error
                   for a in delivery.attempts)
        stats = client.batches.stats(batch.id)
        assert stats.deliveries[0].id == delivery.id
        assert stats.to_json()["deliveries"][0]["attempts"][0]["statusCode"] is None

        # The receiver comes back: redeliver sends a new delivery of the same event.
        client.store.get_batch(batch.id)
        with client.store.transaction() as conn:
            conn.execute("UPDATE batches SET webhook_url = ? WHERE id = ?",
                         (receiver.url, batch.id))
        again = client.batches.redeliver(batch.id)
        assert again.id != delivery.id
        deliveries = _wait_delivery(client, batch.id, count=2)
        assert deliveries[1].status is DeliveryStatus.DELIVERED
    headers, body = receiver.requests[0]
    assert headers["X-Pictify-Delivery-Id"] == again.id
    assert "X-Pictify-Signature" not in headers  # no secret, no signature
    assert json.loads(body)["data"]["batchId"] == batch.id


def test_cancelled_batch_sends_its_event(tmp_path: Path, receiver: Receiver) -> None:
    with _client(tmp_path / "home") as client:
        uid = client.templates.register(write_card(tmp_path))
        batch = client.templates.batch_render(uid, [{"sleep": 0.2}] * 20,
                                              webhook_url=receiver.url)
        client.batches.cancel(batch.id)
        assert client.batches.wait(batch.id, timeout=20).status is BatchStatus.CANCELLED
        _wait_delivery(client, batch.id)
    headers, body = receiver.requests[0]
    assert headers["X-Pictify-Event"] == "batch.cancelled"
    assert json.loads(body)["data"]["status"] == "cancelled"


def test_pending_deliveries_survive_a_restart(tmp_path: Path, receiver: Receiver) -> None:
    home = tmp_path / "home"
    receiver.statuses = [500]
    slow = WebhookSettings(retries=3, backoff=30.0)
    with _client(home) as client:
        client._sender.settings = slow  # the retry would come long after close
        uid = client.templates.register(write_card(tmp_path))
        batch = client.templates.batch_render(uid, [{"i": 1}], webhook_url=receiver.url)
        client.batches.wait(batch.id, timeout=30)
        assert receiver.got.wait(10)
        deadline = time.monotonic() + 5
        while not client.batches.deliveries(batch.id)[0].attempts:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    with _client(home) as client:
        with client.store.transaction() as conn:  # make the retry due now
            conn.execute("UPDATE deliveries SET next_attempt_at = 0")
        client._sender.notify()
        [delivery] = _wait_delivery(client, batch.id)
    assert delivery.status is DeliveryStatus.DELIVERED
    assert [a.status_code for a in delivery.attempts] == [500, 200]


def test_urls_shown_to_people_mask_credentials_and_tokens() -> None:
    assert display_url("https://user:pw@hooks.example:8443/p?token=x&team=7") == \
        "https://***@hooks.example:8443/p?token=***&team=7"
    assert display_url("http://127.0.0.1:9/h?api_key=k&Signature=s") == \
        "http://127.0.0.1:9/h?api_key=***&Signature=***"
    assert display_url("http://127.0.0.1:9/plain") == "http://127.0.0.1:9/plain"


def test_urllib3_request_lines_are_logged_without_tokens(
    receiver: Receiver, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # urllib3 logs `"POST /hooks/batch?token=… HTTP/1.1" 200` at DEBUG level.
    caplog.set_level(logging.DEBUG)
    url = receiver.url + "?token=SECRETTOKEN&access_key=AKIA1&team=7"
    with _client(tmp_path / "home") as client:
        uid = client.templates.register(write_card(tmp_path))
        batch = client.templates.batch_render(uid, [{"i": 1}], webhook_url=url)
        client.batches.wait(batch.id, timeout=30)
        [delivery] = _wait_delivery(client, batch.id)
    assert delivery.status is DeliveryStatus.DELIVERED
    request_lines = [r.getMessage() for r in caplog.records
                     if r.name == "urllib3.connectionpool" and "POST" in r.getMessage()]
    assert request_lines and all("token=***" in line for line in request_lines)
    assert "SECRETTOKEN" not in caplog.text and "AKIA1" not in caplog.text
    assert "team=7" in request_lines[0]
