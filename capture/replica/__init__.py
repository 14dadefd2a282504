"""A local replica of NetEase (163.com) article pages, served over real HTTP on 127.0.0.1.

Tests, benchmarks and ``capture serve`` use it instead of the live site: same paths, same post2020
markup, same 关怀版 mechanism, but fixed content so captures are repeatable.
"""

from __future__ import annotations

from .content import ReplicaPage, page_by_id, pages, seed_page, targets
from .drift import DRIFTS, Drift
from .render import render
from .server import ReplicaServer, Response, handle

__all__ = ["DRIFTS", "Drift", "ReplicaPage", "ReplicaServer", "Response", "handle", "page_by_id", "pages", "render",
           "seed_page", "targets"]
