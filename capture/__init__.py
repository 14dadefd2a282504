"""netease-capture: watch NetEase article pages for layout changes with a real browser.

This module must stay importable with the standard library only: ``python3 -m capture.bootstrap``
runs it before any dependency is installed.
"""

__version__ = "0.1.0"
