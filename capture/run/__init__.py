"""The run layer: one :class:`RunConfig` built from either front end's options, and the commands as
functions of it (record, check, accept, repair, review, extract). ``capture.cli`` and the pytest
plugin call in here; nothing here imports them."""

from .config import OriginKind, RunConfig, RunRequest, Watchlist, build, started

__all__ = ["OriginKind", "RunConfig", "RunRequest", "Watchlist", "build", "started"]
