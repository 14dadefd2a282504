"""Unit tests of :mod:`capture.goldens_check`: every golden view and bundle file, whole or corrupt
(truncated, empty, garbage), one line naming the file and how to regenerate it."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from capture import goldens
from capture.bundle import FILES, Meta
from capture.environment import env_of
from capture.errors import CorruptFile
from capture.goldens_check import (
    GOLDEN_KINDS,
    golden_hint,
    read_golden_file,
    validate,
    validate_bundle,
    validate_bundle_file,
)

HINT = golden_hint("a1", "care", "replica")


def png(width: int = 40, height: int = 30) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def env_json() -> bytes:
    meta = Meta(id="a1", mode="care", requested_url="https://www.163.com/dy/article/A1.html",
                browser={"name": "chromium", "version": "140"}, fonts=["Noto Sans CJK SC"],
                viewport={"width": 1280, "height": 800}, locale="zh-CN", timezone="Asia/Shanghai")
    return json.dumps(env_of(meta), ensure_ascii=False).encode()


#: A whole file of each golden kind, as accept writes it.
GOOD = {"extraction": goldens.serialize("extraction", {"title": "标题", "body": ["正文"]}).encode(),
        "skeleton": goldens.serialize("skeleton", {"body": ["div.post_body", "  p"]}).encode(),
        "text": "标题\n正文\n".encode(), "aria": b'- heading "\xe6\xa0\x87\xe9\xa2\x98" [level=1]\n',
        "a11y": goldens.serialize("a11y", {"contrast": 4.5}).encode(), "env": env_json(), "screen": png()}


def damaged(data: bytes) -> dict[str, bytes]:
    return {"empty": b"", "truncated": data[: len(data) // 2], "garbage": b"\xff\xfe\x00garbage\x9b"}


@pytest.mark.parametrize("kind", GOLDEN_KINDS)
def test_a_whole_golden_of_every_kind_is_accepted_and_parsed(kind: str, tmp_path: Path) -> None:
    value = validate(kind, tmp_path / "g", GOOD[kind], hint=HINT)
    expected = {"text": GOOD["text"].decode(), "aria": GOOD["aria"].decode(), "screen": GOOD["screen"]}
    assert value == (expected[kind] if kind in expected else json.loads(GOOD[kind]))


@pytest.mark.parametrize("how", ["empty", "truncated", "garbage"])
@pytest.mark.parametrize("kind", GOLDEN_KINDS)
def test_a_damaged_golden_of_every_kind_is_corrupt_in_one_line(kind: str, how: str, tmp_path: Path) -> None:
    path = tmp_path / "snapshots" / "replica" / "test_goldens" / f"test_{kind}[a1-care].x"
    data = damaged(GOOD[kind])[how]
    if kind in ("text", "aria") and how == "truncated":
        data = b"   \n"  # a text cut short is still text; one cut to whitespace is not
    with pytest.raises(CorruptFile) as err:
        validate(kind, path, data, hint=HINT)
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"golden {path} ")
    assert message.endswith("regenerate it with `capture accept a1 --mode care` or `pytest --snapshot-update`")
    assert err.value.exit_code == 2


def test_the_check_reads_an_empty_text_golden_as_corrupt(tmp_path: Path) -> None:
    """An empty text golden is a broken file, not a page with no text (a content change to review)."""
    from capture.run.check import read_goldens

    store = goldens.GoldenStore(tmp_path)
    for view, path in store.paths("a1", "care").items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"" if view == "text" else GOOD[str(view)])
    with pytest.raises(CorruptFile, match=re.escape(f"golden {store.path('a1', 'care', 'text')} is empty")):
        read_goldens(store, "a1", "care", hint=HINT)


def test_read_goldens_none_a_subset_and_whole(tmp_path: Path) -> None:
    """A suite may keep any subset of the views: those it keeps are read, validated."""
    from capture.run.check import read_goldens

    store = goldens.GoldenStore(tmp_path)
    assert read_goldens(store, "a1", "care", hint=HINT) is None
    store.path("a1", "care", "extraction").parent.mkdir(parents=True)
    store.path("a1", "care", "extraction").write_bytes(GOOD["extraction"])
    assert list(read_goldens(store, "a1", "care", hint=HINT)) == ["extraction"]
    for view, path in store.paths("a1", "care").items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(GOOD[str(view)])
    assert read_goldens(store, "a1", "care", hint=HINT)["extraction"] == {"title": "标题", "body": ["正文"]}
    (tmp_path / "s.png").write_bytes(GOOD["screen"])
    assert read_golden_file("screen", tmp_path / "s.png", hint=HINT) == GOOD["screen"]
    store.env_path("a1", "care").parent.mkdir(parents=True)
    store.env_path("a1", "care").write_bytes(b"{not json")
    with pytest.raises(CorruptFile, match="env"):
        read_goldens(store, "a1", "care", hint=HINT)


@pytest.mark.parametrize(("env", "problem"), [
    ({"browser": {}, "fonts": [], "viewport": {}, "locale": "zh-CN"}, "lacks timezone"),
    ({"browser": "chromium", "fonts": [], "viewport": {}, "locale": "", "timezone": ""}, "has browser str, not an object"),
    ([1, 2], "is not a JSON object"),
])
def test_an_env_golden_needs_every_key_of_the_env_record(env: object, problem: str, tmp_path: Path) -> None:
    with pytest.raises(CorruptFile, match=problem):
        validate("env", tmp_path / "env.json", json.dumps(env).encode(), hint=HINT)


def test_a_png_with_a_broken_chunk_does_not_decode(tmp_path: Path) -> None:
    data = bytearray(GOOD["screen"])
    data[-20] ^= 0xFF  # inside the image data: the signature is fine, the CRC is not
    with pytest.raises(CorruptFile, match="does not decode"):
        validate("screen", tmp_path / "s.png", bytes(data), hint=HINT)


def test_an_unknown_kind_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown golden kind"):
        validate("pixels", tmp_path, b"", hint=HINT)
    with pytest.raises(ValueError, match="unknown bundle file"):
        validate_bundle_file("notes.md", b"x")


# --- bundle files ---------------------------------------------------------------------------------

GOOD_BUNDLE = {"meta.json": Meta(id="a1", mode="care", requested_url="u").to_json().encode(),
               "raw.html": b"<html><body>x</body></html>", "dom.html": "<html>标题</html>".encode(),
               "text.txt": GOOD["text"], "aria.yaml": GOOD["aria"], "screenshot.png": GOOD["screen"],
               "page.har": b'{"log": {"entries": []}}', "a11y.json": GOOD["a11y"]}


def test_the_good_bundle_covers_every_bundle_file() -> None:
    assert set(GOOD_BUNDLE) == set(FILES)


@pytest.mark.parametrize("how", ["empty", "whitespace", "truncated", "garbage"])
@pytest.mark.parametrize("name", FILES)
def test_a_damaged_bundle_file_is_corrupt(name: str, how: str, tmp_path: Path) -> None:
    data = {**damaged(GOOD_BUNDLE[name]), "whitespace": b" \n\t\n"}[how]
    validate_bundle_file(name, GOOD_BUNDLE[name])
    if how == "truncated" and name in ("text.txt", "aria.yaml", "dom.html", "raw.html"):
        validate_bundle_file(name, data)  # a shorter text is still a text
        return
    if how == "garbage" and name == "raw.html":
        validate_bundle_file(name, data)  # raw bytes as served: any bytes
        return
    path = tmp_path / "captures" / "a1" / "care" / name
    with pytest.raises(CorruptFile) as err:
        validate_bundle_file(name, data, path=path, hint="re-record it")
    assert "\n" not in str(err.value) and str(err.value).startswith(f"{path} ")
    assert str(err.value).endswith(": re-record it")


def test_validate_bundle_checks_every_file_of_a_folder(tmp_path: Path) -> None:
    for name, data in GOOD_BUNDLE.items():
        (tmp_path / name).write_bytes(data)
    validate_bundle(tmp_path, hint="re-record it")
    (tmp_path / "aria.yaml").write_bytes(b"")
    with pytest.raises(CorruptFile, match=re.escape(f"{tmp_path / 'aria.yaml'} is empty: re-record it")):
        validate_bundle(tmp_path, hint="re-record it")
    (tmp_path / "aria.yaml").unlink()
    with pytest.raises(CorruptFile, match="aria.yaml is missing"):
        validate_bundle(tmp_path, hint="re-record it")
