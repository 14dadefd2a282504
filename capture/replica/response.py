"""One HTTP answer of the replica, as a value: the server writes it, the fault layer makes some.

Its own module so that ``server`` (which consults the fault layer) and ``faults`` (which builds
answers) both import it and not each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = field(default=())
