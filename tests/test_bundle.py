"""Unit tests of :mod:`capture.bundle`: staged bundles, atomic files, and reading them back (no browser)."""

from __future__ import annotations

import json
import os
from dataclasses import fields
from pathlib import Path

import pytest

from capture import bundle
from capture.bundle import FILES, Bundle, Meta
from capture.errors import CorruptFile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
TID = "J30TJ1QA0530JPVV"


def make_meta(mode: str = "normal", **kw) -> Meta:
    return Meta(id=TID, mode=mode, requested_url=f"https://www.163.com/dy/article/{TID}.html",
                final_url=f"https://www.163.com/dy/article/{TID}.html", status=200, charset="utf-8",
                generation="post2020_dy", text_regions=["title", "body"], captured_at="2024-09-17T08:00:00+00:00",
                page_errors=["ReferenceError: x is not defined"], **kw)


def contents(meta: Meta, title: str = "标题") -> dict[str, bytes]:
    """The bytes of every bundle file, ``meta.json`` included."""
    return {
        "meta.json": meta.to_json().encode("utf-8"),
        "raw.html": f"<html><h1>{title}</h1></html>".encode("gbk"),  # raw bytes are kept as sent
        "dom.html": f"<html><body><h1>{title}</h1></body></html>".encode(),
        "text.txt": f"{title}\n\n正文\n".encode(),
        "aria.yaml": f'- heading "{title}" [level=1]\n'.encode(),
        "screenshot.png": PNG,
        "page.har": b'{"log": {"entries": []}}',
        "a11y.json": b'{"a11y_version": 1, "text": {"font_px": 16}}',
    }


def store(snapshots: Path, meta: Meta, files: dict[str, bytes] | None = None) -> Path:
    """Write a bundle through :func:`bundle.staging`, as the recorder does."""
    with bundle.staging(snapshots, meta.id, meta.mode) as stage:
        for name, data in (files or contents(meta)).items():
            (stage / name).write_bytes(data)
    return bundle.bundle_dir(snapshots, meta.id, meta.mode)


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- layout on disk ------------------------------------------------------------------------------

def test_bundle_dir_is_captures_id_mode(tmp_path):
    """Bundles live at ``<snapshots>/captures/<id>/<mode>``."""
    assert bundle.bundle_dir(tmp_path, TID, "care") == tmp_path / "captures" / TID / "care"
    assert bundle.captures_dir(tmp_path) == tmp_path / "captures"


# --- meta.json -----------------------------------------------------------------------------------

def test_meta_json_round_trips_every_field():
    """``Meta.to_json`` → ``Meta.from_dict`` gives back an equal Meta, Chinese kept unescaped."""
    meta = make_meta(care_via="#js_gowza", redirect_chain=["http://163.com/a"], timings_ms={"goto": 12.5},
                     viewport={"width": 1280, "height": 800}, browser={"name": "chromium"})
    text = meta.to_json()
    assert Meta.from_dict(json.loads(text)) == meta
    assert '"locale": "中文"' in make_meta(locale="中文").to_json(), "ensure_ascii=False"


def test_meta_json_is_deterministic_in_field_order_with_a_version():
    """The same Meta always gives the same bytes: keys in the dataclass's field order, 2-space indent,
    one trailing newline, ``meta_version`` set (the schema a reader can rely on)."""
    a, b = make_meta().to_json(), make_meta().to_json()
    assert a == b
    data = json.loads(a)
    assert list(data) == [f.name for f in fields(Meta)]
    assert data["meta_version"] == bundle.META_VERSION
    assert a.endswith("}\n") and not a.endswith("\n\n")
    assert a.splitlines()[1].startswith('  "id": ')


def test_meta_from_dict_ignores_unknown_keys_and_fills_defaults():
    """A meta.json from a newer tool (extra keys) or an older one (fewer keys) still reads."""
    meta = Meta.from_dict({"id": TID, "mode": "care", "requested_url": "u", "added_later": {"x": 1}})
    assert (meta.id, meta.mode, meta.requested_url) == (TID, "care", "u")
    assert meta.attempts == 1 and meta.page_errors == [] and meta.meta_version == bundle.META_VERSION


# --- staging: write and read back ----------------------------------------------------------------

def test_staged_bundle_reads_back_byte_for_byte(tmp_path):
    """A bundle written through ``staging`` is complete and ``read_bundle`` returns what was written."""
    meta = make_meta()
    files = contents(meta)
    path = store(tmp_path, meta, files)
    assert bundle.is_complete(path)
    b = bundle.read_bundle(path)
    assert isinstance(b, Bundle) and b.path == path
    assert b.meta == meta
    assert b.raw == files["raw.html"]
    assert b.dom == files["dom.html"].decode() and b.text == files["text.txt"].decode()
    assert b.aria == files["aria.yaml"].decode() and b.screenshot == PNG
    assert b.a11y == json.loads(files["a11y.json"])
    assert b.har == path / "page.har" and b.har.read_bytes() == files["page.har"]
    assert sorted(p.name for p in path.iterdir()) == sorted(FILES)
    assert hidden(path.parent) == [], "no staging folder left beside the bundle"


def test_restaging_replaces_the_bundle_and_leaves_nothing_aside(tmp_path):
    """A second bundle of the same page replaces the first whole; no ``.old-``/``.staging-`` folder stays."""
    meta = make_meta()
    store(tmp_path, meta, contents(meta, "旧标题"))
    path = store(tmp_path, meta, contents(meta, "新标题"))
    assert "新标题" in bundle.read_bundle(path).dom
    assert hidden(path.parent) == []


def test_staging_refuses_an_incomplete_bundle_and_keeps_the_old_one(tmp_path):
    """A stage missing a file raises CorruptFile naming it; the stored bundle is untouched."""
    meta = make_meta()
    path = store(tmp_path, meta)
    before = {p.name: p.read_bytes() for p in path.iterdir()}
    partial = {k: v for k, v in contents(meta, "新").items() if k not in ("page.har", "a11y.json")}
    with pytest.raises(CorruptFile, match=r"missing page\.har, a11y\.json: not stored"):
        store(tmp_path, meta, partial)
    assert {p.name: p.read_bytes() for p in path.iterdir()} == before
    assert hidden(path.parent) == []


def test_error_inside_staging_removes_the_stage_and_stores_nothing(tmp_path):
    """Any exception in the ``with`` body (a failed capture, Ctrl-C) leaves no bundle and no stage."""
    with pytest.raises(KeyboardInterrupt), bundle.staging(tmp_path, TID, "care") as stage:
        (stage / "dom.html").write_text("<html>")
        raise KeyboardInterrupt
    parent = bundle.bundle_dir(tmp_path, TID, "care").parent
    assert list(parent.iterdir()) == []


def test_failed_swap_keeps_the_old_bundle(tmp_path, monkeypatch):
    """If renaming the new bundle into place fails, the stage is removed; the old one is put aside,
    and ``clean_stale`` restores it (the swap was cut between its two renames)."""
    meta = make_meta()
    path = store(tmp_path, meta, contents(meta, "旧标题"))
    real_rename = os.rename

    def rename(src, dst):
        if ".staging-" in str(src):
            raise OSError("disk full")
        real_rename(src, dst)

    monkeypatch.setattr(bundle.os, "rename", rename)
    with pytest.raises(OSError, match="disk full"):
        store(tmp_path, meta, contents(meta, "新标题"))
    monkeypatch.undo()
    assert not path.exists() and [n for n in hidden(path.parent) if ".staging-" in n] == []
    bundle.clean_stale(tmp_path)
    assert "旧标题" in bundle.read_bundle(path).dom
    assert hidden(path.parent) == []


# --- clean_stale / is_complete -------------------------------------------------------------------

def test_clean_stale_removes_stages_and_restores_a_bundle_moved_aside(tmp_path):
    """Staging folders are removed (and counted); an ``.old-`` folder without its bundle is renamed
    back; one whose bundle exists is removed."""
    store(tmp_path, make_meta("normal"))
    target = bundle.bundle_dir(tmp_path, TID, "normal").parent
    (target / ".normal.staging-abc").mkdir()
    (target / ".normal.old-123").mkdir()
    (target / ".care.old-456").mkdir()
    (target / ".care.old-456" / "dom.html").write_text("care")
    assert bundle.clean_stale(tmp_path) == 2
    assert sorted(p.name for p in target.iterdir()) == ["care", "normal"]
    assert (target / "care" / "dom.html").read_text() == "care"
    assert bundle.is_complete(target / "normal")


def test_clean_stale_without_captures_is_zero(tmp_path):
    assert bundle.clean_stale(tmp_path / "nothing-here") == 0


@pytest.mark.parametrize("damage", ["missing", "bad-json"])
def test_is_complete_needs_every_file_and_a_parseable_meta(tmp_path, damage):
    path = store(tmp_path, make_meta())
    if damage == "missing":
        (path / "aria.yaml").unlink()
    else:
        (path / "meta.json").write_text("{")
    assert not bundle.is_complete(path)
    assert not bundle.is_complete(tmp_path / "absent")


# --- write_atomic --------------------------------------------------------------------------------

def test_write_atomic_writes_creates_parents_and_leaves_no_temp(tmp_path):
    target = tmp_path / "reports" / "deep" / "last-check.json"
    bundle.write_atomic(target, b"first")
    bundle.write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["last-check.json"]


@pytest.mark.parametrize("fails", ["replace", "fsync"])
def test_write_atomic_that_fails_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch, fails):
    """A failure before the rename (fsync) or at it (replace) leaves the old file whole and no temp file."""
    target = tmp_path / "golden.json"
    target.write_bytes(b"old")

    def boom(*_a, **_kw):
        raise OSError(f"{fails} failed")

    monkeypatch.setattr(bundle.os, fails, boom)
    with pytest.raises(OSError, match=f"{fails} failed"):
        bundle.write_atomic(target, b"new contents")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["golden.json"]


def test_write_text_is_utf8_with_lf_newlines(tmp_path):
    target = tmp_path / "text.txt"
    bundle.write_text(target, "标题\n正文\n")
    assert target.read_bytes() == "标题\n正文\n".encode()


# --- read_bundle errors --------------------------------------------------------------------------

def _damage(path: Path, how: str) -> str:
    """Damage one file of a stored bundle; return the file name the error must name."""
    if how.startswith("missing:"):
        name = how.split(":", 1)[1]
        (path / name).unlink()
        return name
    name, data = {
        "meta-truncated": ("meta.json", b'{"id": "J30'),
        "meta-not-object": ("meta.json", b"[1, 2]"),
        "meta-lacks-keys": ("meta.json", b'{"id": "J30TJ1QA0530JPVV"}'),
        "meta-not-utf8": ("meta.json", b'{"id": "\xff"}'),
        "png-signature": ("screenshot.png", b"GIF89a......"),
        "a11y-corrupt": ("a11y.json", b'{"a11y_version": '),
        "a11y-not-object": ("a11y.json", b'"text"'),
    }[how]
    (path / name).write_bytes(data)
    return name


@pytest.mark.parametrize("how", [*(f"missing:{n}" for n in FILES), "meta-truncated", "meta-not-object",
                                 "meta-lacks-keys", "meta-not-utf8", "png-signature", "a11y-corrupt",
                                 "a11y-not-object"])
def test_read_bundle_names_the_bad_file_and_the_re_record_command(tmp_path, how):
    """Every missing or corrupt file is one CorruptFile line naming it and the ``capture record`` fix."""
    path = store(tmp_path, make_meta("care"))
    name = _damage(path, how)
    with pytest.raises(CorruptFile) as err:
        bundle.read_bundle(path)
    msg = str(err.value)
    assert str(path / name) in msg
    assert f"capture record {TID} --modes care --force" in msg
    assert len(msg.splitlines()) == 1
    assert err.value.exit_code == 2


@pytest.mark.parametrize("name", ["dom.html", "text.txt", "aria.yaml"])
def test_read_bundle_text_file_not_utf8_is_one_line(tmp_path, name):
    path = store(tmp_path, make_meta())
    (path / name).write_bytes(b"<html>\xff\xfe</html>")
    with pytest.raises(CorruptFile, match=r"is not valid UTF-8 .*--force`$") as err:
        bundle.read_bundle(path)
    assert str(path) in str(err.value) and len(str(err.value).splitlines()) == 1


def test_raw_html_is_bytes_not_decoded(tmp_path):
    """``raw.html`` keeps the server's bytes (GBK pages too): reading it never fails on encoding."""
    path = store(tmp_path, make_meta())
    (path / "raw.html").write_bytes("<html>网易</html>".encode("gbk"))
    assert bundle.read_bundle(path).raw.decode("gbk") == "<html>网易</html>"
