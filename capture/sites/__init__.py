"""The site table (``netease.toml``) and overlays over it: :func:`load_site`, the table in force
(:func:`current`, :func:`using`) and writing overlays (:func:`write_overlay`)."""

from .load import current, current_or_none, default_site, load_site, set_current, using
from .model import Site
from .overlay import merge_overlay_text, write_overlay

__all__ = ["Site", "current", "current_or_none", "default_site", "load_site", "merge_overlay_text",
           "set_current", "using", "write_overlay"]
