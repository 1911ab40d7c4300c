"""A bounded least-recently-used cache: entry count, total cost and expiry."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, NamedTuple, TypeVar

V = TypeVar("V")


class _Entry(NamedTuple, Generic[V]):
    value: V
    cost: int
    expires: float  # time.monotonic() value; inf for never


class LruCache(Generic[V]):
    """Keeps at most ``max_items`` entries whose costs sum to at most ``max_cost``.

    An entry costing more than ``max_cost`` alone is not kept at all, so one
    huge image cannot flush everything else. An entry put with ``ttl`` is a
    miss once that many seconds have passed. A lock makes it safe for a
    renderer that draws with threads.
    """

    def __init__(self, max_items: int, max_cost: int | None = None) -> None:
        self.max_items = max_items
        self.max_cost = max_cost
        self._entries: OrderedDict[Hashable, _Entry[V]] = OrderedDict()
        self._cost = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires <= time.monotonic():
                self._remove(key)
                entry = None
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.value

    def put(self, key: Hashable, value: V, cost: int = 0, ttl: float | None = None) -> None:
        if self.max_items <= 0 or (self.max_cost is not None and cost > self.max_cost):
            return
        expires = math.inf if ttl is None else time.monotonic() + ttl
        with self._lock:
            self._remove(key)
            self._entries[key] = _Entry(value, cost, expires)
            self._cost += cost
            self._evict()

    def values(self) -> list[V]:
        """The values held, least recently used first (for tests and stats)."""
        with self._lock:
            return [entry.value for entry in self._entries.values()]

    def _remove(self, key: Hashable) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._cost -= old.cost

    def _evict(self) -> None:
        while len(self._entries) > self.max_items or (
            self.max_cost is not None and self._cost > self.max_cost
        ):
            _key, oldest = self._entries.popitem(last=False)
            self._cost -= oldest.cost

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._cost = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def cost(self) -> int:
        return self._cost
