"""An LRU cache that skips long strings, so one huge value cannot fill memory."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import ParamSpec, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")


def short_text_cache(
    maxsize: int, longest: int, text_arg: int = 0
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Cache calls whose string argument number ``text_arg`` has at most ``longest`` characters.

    Longer strings are rare (a 100,000-character value) and would pin their
    whole text in the cache; they are computed each time instead.
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        wrapper = lru_cache(maxsize=maxsize)(function)
        cached = cast(Callable[P, R], wrapper)

        @wraps(function)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            text = args[text_arg]
            if isinstance(text, str) and len(text) > longest:
                return function(*args, **kwargs)
            return cached(*args, **kwargs)

        call.cache_clear = wrapper.cache_clear  # type: ignore[attr-defined]
        return call

    return decorate
