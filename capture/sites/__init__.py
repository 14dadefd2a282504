"""The site table (``netease.toml``) and overlays over it: :func:`load_site` gives one frozen
:class:`Site` value that a run passes explicitly wherever the table is read; :func:`write_overlay` writes
overlays."""

from .load import default_site, load_site
from .model import Site
from .overlay import merge_overlay_text, write_overlay

__all__ = ["Site", "default_site", "load_site", "merge_overlay_text", "write_overlay"]
