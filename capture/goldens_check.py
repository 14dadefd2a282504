"""Is a stored golden or bundle file whole? Checked before it is compared against or promoted.

A truncated JSON, an empty text or aria golden (a page always has text and an aria tree: empty is a
lost write, not a content change), an env record missing a key, a screenshot that does not decode: each
raises :class:`~capture.errors.CorruptFile`, one line naming the file and how to regenerate it, instead
of a confusing difference (or a traceback) later.
"""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path
from typing import Any

from .bundle import FILES, Meta
from .environment import env_of
from .errors import CorruptFile, first_line

#: Every golden view of a page and mode: the five of :data:`capture.goldens.KINDS`, then
#: :func:`capture.goldens.env_path` ("env") and :func:`capture.goldens.screen_path` ("screen").
GOLDEN_KINDS = ("extraction", "skeleton", "text", "aria", "a11y", "env", "screen")
_JSON_KINDS = ("extraction", "skeleton", "a11y")
_TEXT_KINDS = ("text", "aria")
#: The env record's keys and the JSON type of each, as :func:`capture.environment.env_of` makes them.
ENV_TYPES = {key: type(value) for key, value in env_of(Meta(id="", mode="", requested_url="")).items()}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JSON_NAMES = {dict: "an object", list: "a list", str: "a string"}


class _Bad(Exception):
    """What is wrong with a file, worded to follow its name ("is empty")."""


def golden_hint(target_id: str, mode: str, target: str) -> str:
    """How to regenerate one page's goldens (the hint :func:`validate` puts after the file's name)."""
    from .report import accept_command

    return f"regenerate it with `{accept_command(target_id, mode, target)}` or `pytest --snapshot-update`"


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Bad(f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _json_object(data: bytes) -> dict[str, Any]:
    text = _text(data)
    if not text.strip():
        raise _Bad("is empty")
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise _Bad(f"is corrupt or truncated ({getattr(exc, 'msg', exc)})") from None
    if not isinstance(value, dict):
        raise _Bad("is not a JSON object")
    return value


def _non_empty_text(data: bytes) -> str:
    text = _text(data)
    if not text.strip():
        raise _Bad("is empty" if not text else "holds only whitespace")
    return text


def _env(data: bytes) -> dict[str, Any]:
    env = _json_object(data)
    missing = [key for key in ENV_TYPES if key not in env]
    if missing:
        raise _Bad(f"lacks {', '.join(missing)}")
    for key, kind in ENV_TYPES.items():
        if not isinstance(env[key], kind):
            raise _Bad(f"has {key} {type(env[key]).__name__}, not {_JSON_NAMES.get(kind, kind.__name__)}")
    return env


def _png(data: bytes) -> bytes:
    """The PNG decodes: the signature, every chunk's CRC (verify) and the pixels (load)."""
    if not data.startswith(PNG_SIGNATURE):
        raise _Bad("is empty" if not data else "is not a PNG")
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # a long page is a tall image
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except Image.DecompressionBombError:
            return data  # too many pixels to decode here; the chunks read so far were whole
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise _Bad(f"does not decode ({first_line(exc, limit=120)})") from None
    return data


_GOLDEN_CHECKS = {**dict.fromkeys(_JSON_KINDS, _json_object), **dict.fromkeys(_TEXT_KINDS, _non_empty_text),
                  "env": _env, "screen": _png}


def validate(kind: str, path: Path, data: bytes, *, hint: str) -> Any:
    """``data``, the golden ``kind`` stored at ``path``, parsed: a dict (JSON kinds and env), the text
    (text, aria) or the PNG's bytes (screen). :class:`CorruptFile` says what is wrong, then ``hint``."""
    if kind not in _GOLDEN_CHECKS:
        raise ValueError(f"unknown golden kind {kind!r}: one of {GOLDEN_KINDS}")
    try:
        return _GOLDEN_CHECKS[kind](data)
    except _Bad as bad:
        raise CorruptFile(f"golden {path} {bad}: {hint}") from None


def read_golden_file(kind: str, path: Path, *, hint: str) -> Any:
    """Read and :func:`validate` one golden; a missing file is :class:`CorruptFile` too."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise CorruptFile(f"golden {path} is missing: {hint}") from None
    return validate(kind, path, data, hint=hint)


# --- bundle files ---------------------------------------------------------------------------------

def _non_empty(data: bytes) -> bytes:
    if not data.strip():
        raise _Bad("is empty")
    return data


_BUNDLE_CHECKS = {"meta.json": _json_object, "a11y.json": _json_object, "page.har": _json_object,
                  "text.txt": _non_empty_text, "aria.yaml": _non_empty_text, "dom.html": _non_empty_text,
                  "raw.html": _non_empty, "screenshot.png": _png}


def validate_bundle_file(name: str, data: bytes, *, path: Path | None = None, hint: str = "") -> Any:
    """``data``, the bundle file ``name`` (one of :data:`capture.bundle.FILES`), parsed as
    :func:`validate` does; :class:`CorruptFile` names ``path`` (default: ``name``) and the ``hint``."""
    if name not in _BUNDLE_CHECKS:
        raise ValueError(f"unknown bundle file {name!r}: one of {FILES}")
    try:
        return _BUNDLE_CHECKS[name](data)
    except _Bad as bad:
        where = path if path is not None else name
        raise CorruptFile(f"{where} {bad}" + (f": {hint}" if hint else "")) from None


def validate_bundle(folder: Path, *, hint: str) -> None:
    """Every file of the bundle at ``folder`` present and whole (before ``accept`` promotes it)."""
    for name in FILES:
        path = Path(folder) / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CorruptFile(f"{path} is missing: {hint}") from None
        validate_bundle_file(name, data, path=path, hint=hint)
