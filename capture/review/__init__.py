"""``capture review``: a self-contained HTML page of the last check (or failing pytest run).

One file: inline CSS, screenshots as ``data:`` URIs, no script, a strict Content-Security-Policy.
See :mod:`capture.review.render` (the page) and :mod:`capture.review.images` (the pixel diff).
"""

from __future__ import annotations

from .render import CSP, choose_report, default_out, last_pytest_path, read_report, render, write_review

__all__ = ["CSP", "choose_report", "default_out", "last_pytest_path", "read_report", "render", "write_review"]
