"""A bounded least-recently-used cache, bounded by entry count and by cost."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LruCache(Generic[V]):
    """Keeps at most ``max_items`` entries whose costs sum to at most ``max_cost``.

    An entry costing more than ``max_cost`` alone is not kept at all, so one
    huge image cannot flush everything else. A lock makes it safe for a
    renderer that draws with threads.
    """

    def __init__(self, max_items: int, max_cost: int | None = None) -> None:
        self.max_items = max_items
        self.max_cost = max_cost
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._cost = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: V, cost: int = 0) -> None:
        if self.max_items <= 0 or (self.max_cost is not None and cost > self.max_cost):
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._cost -= old[1]
            self._entries[key] = (value, cost)
            self._cost += cost
            self._evict()

    def _evict(self) -> None:
        while len(self._entries) > self.max_items or (
            self.max_cost is not None and self._cost > self.max_cost
        ):
            _key, (_value, cost) = self._entries.popitem(last=False)
            self._cost -= cost

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._cost = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def cost(self) -> int:
        return self._cost
