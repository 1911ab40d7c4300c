"""Who runs a batch: owner tags, heartbeats, and when another client may take over.

Each client tags the batches and deliveries it runs with ``host:pid:token`` and
refreshes a heartbeat. Another client takes an unfinished batch over when nobody owns
it, when the heartbeat is stale, or at once when the owner was on this host and its
process is gone (the kill -9 case: resuming must not wait for a lease to expire).
"""

from __future__ import annotations

import os
import socket
import sys
import time
import uuid
from pathlib import Path

LEASE_SECONDS = 30.0

# Owner tags of the clients alive in this process: never taken over from.
_live: set[str] = set()


def new_owner() -> str:
    tag = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    _live.add(tag)
    return tag


def retire(owner: str) -> None:
    _live.discard(owner)


def _pid_alive(pid: int) -> bool:
    if sys.platform == "win32":
        return True  # os.kill(pid, 0) is not a probe there; rely on the heartbeat
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed process nobody reaped yet (common under a container's pid 1) is dead too."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def claimable(owner: str | None, heartbeat_at: float | None, now: float | None = None) -> bool:
    """May this process take over work tagged ``owner`` with this heartbeat?"""
    if owner is None:
        return True
    if owner in _live:
        return False
    current = time.time() if now is None else now
    if heartbeat_at is None or current - heartbeat_at > LEASE_SECONDS:
        return True
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True  # a client of this very process that was not closed, and is gone
    return not _pid_alive(pid)
