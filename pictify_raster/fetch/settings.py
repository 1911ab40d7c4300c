"""The limits and switches of image fetching, one frozen value per loader."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_USER_AGENT = "pictify-raster/0.1 (image fetcher)"


@dataclass(frozen=True)
class FetchSettings:
    """How images may be fetched and how big they may be.

    Every limit has a default meant for social cards and certificates:

    - ``allowed_roots``: folders below which absolute or relative local paths
      may be read, besides the layout's own folder (always allowed). Default:
      none.
    - ``allow_private_networks``: allow loopback, private, link-local (cloud
      metadata), multicast, reserved and unspecified addresses. Default False.
    - ``connect_timeout``: seconds to open one TCP connection. Default 5 s.
    - ``total_timeout``: seconds for one image, connect + all redirects +
      download, however slowly the server trickles bytes. Default 10 s.
    - ``max_bytes``: largest encoded image (download, data URI or file).
      Default 20 MiB.
    - ``max_redirects``: redirects followed per image. Default 5.
    - ``max_pixels``: largest width x height, read from the header before any
      pixel is decoded. Default 40 Mpx, well below Pillow's own bomb error
      level (about 179 Mpx).
    - ``cache_dir``: folder of the on-disk cache of fetched HTTP bodies;
      None (default) keeps no disk cache.
    - ``cache_max_bytes``: size the disk cache is pruned to, least recently
      used first. Default 512 MiB.
    - ``user_agent``: the User-Agent header sent.
    - ``decoded_cache_bytes``: memory bound of the per-process cache of
      decoded images (sum of their pixel buffers). Default 256 MiB.
    - ``fitted_cache_items``: number of fitted (resized, masked) images kept
      per process. Default 512.
    - ``default_max_age``: seconds a cached HTTP body is reused without
      revalidation when the server gives no freshness information. Default
      3600 s.
    - ``memory_ttl``: seconds an HTTP image stays in a worker's memory caches
      before it is looked up again (disk cache and revalidation then apply).
      Default 600 s, so a batch reuses one avatar for all its rows.
    """

    allowed_roots: tuple[Path, ...] = ()
    allow_private_networks: bool = False
    connect_timeout: float = 5.0
    total_timeout: float = 10.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    max_pixels: int = 40_000_000
    cache_dir: Path | None = None
    cache_max_bytes: int = 512 * 1024 * 1024
    user_agent: str = DEFAULT_USER_AGENT
    decoded_cache_bytes: int = 256 * 1024 * 1024
    fitted_cache_items: int = 512
    default_max_age: float = 3600.0
    memory_ttl: float = 600.0

    def __post_init__(self) -> None:
        # Callers pass lists of strings (``allowed_roots=["assets"]``); the
        # loader relies on a tuple of Paths.
        object.__setattr__(self, "allowed_roots", tuple(Path(r) for r in self.allowed_roots))
        if self.cache_dir is not None:
            object.__setattr__(self, "cache_dir", Path(self.cache_dir))
        for name in ("connect_timeout", "total_timeout"):
            if not getattr(self, name) > 0:
                msg = f"FetchSettings.{name} must be positive, got {getattr(self, name)!r}"
                raise ValueError(msg)
        for name in ("max_bytes", "max_pixels"):
            if getattr(self, name) < 1:
                msg = f"FetchSettings.{name} must be at least 1, got {getattr(self, name)!r}"
                raise ValueError(msg)
        if self.max_redirects < 0:
            msg = f"FetchSettings.max_redirects must not be negative, got {self.max_redirects!r}"
            raise ValueError(msg)
