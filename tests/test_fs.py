"""Unit tests of :mod:`capture.fs`: one file or a set of files, old or new, never half; a full disk or a
read-only folder changes nothing and says so in one line."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from capture import bundle, fs
from capture.errors import StorageError

NAMES = ("a.json", "sub/b.txt", "sub/deep/c.png", "d.yaml")  # d.yaml: present in even generations only


def generation(root: Path, n: int) -> dict[Path, bytes | None]:
    """Set number ``n``: every file says ``n`` (big enough that writing it takes a moment)."""
    files: dict[Path, bytes | None] = {root / name: f"{name} generation {n}\n".encode() * 4000 for name in NAMES}
    files[root / "d.yaml"] = None if n % 2 else files[root / "d.yaml"]
    return files


def generation_on_disk(root: Path) -> int:
    """The one generation every file of the set holds; fails on a mix (or a half-written file)."""
    seen = set()
    for name in NAMES[:3]:
        text = (root / name).read_text()
        lines = set(text.splitlines())
        assert len(lines) == 1 and text.count("\n") == 4000, f"{name} is half written"
        seen.add(int(lines.pop().rsplit(" ", 1)[1]))
    assert len(seen) == 1, f"a mixed set: generations {sorted(seen)}"
    n = seen.pop()
    assert (root / "d.yaml").exists() == (n % 2 == 0), f"d.yaml does not match generation {n}"
    return n


def leftovers(root: Path) -> list[str]:
    """Anything but the set's files and the journal's lock file."""
    keep = {*NAMES, fs.TXN, f"{fs.TXN}/{fs.LOCK_NAME}", "sub", "sub/deep"}
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if str(p.relative_to(root)) not in keep)


# --- write_atomic ---------------------------------------------------------------------------------

def test_bundle_write_atomic_is_the_fs_one() -> None:
    assert bundle.write_atomic is fs.write_atomic


def test_write_atomic_keeps_the_files_permissions(tmp_path: Path) -> None:
    """The old writer left every golden 0600 (mkstemp); the new file has the old file's mode."""
    target = tmp_path / "golden.json"
    target.write_bytes(b"old")
    target.chmod(0o644)
    fs.write_atomic(target, b"new")
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_write_atomic_on_a_full_or_read_only_disk_is_a_storage_error(tmp_path, monkeypatch, code) -> None:
    target = tmp_path / "golden.json"
    target.write_bytes(b"old")
    real_open = os.open

    def refuse(path, flags, *a, **kw):
        if flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *a, **kw)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(StorageError) as err:
        fs.write_atomic(target, b"new")
    monkeypatch.undo()
    message = str(err.value)
    assert "\n" not in message and str(target) in message and ".tmp" not in message
    assert ("disk is full" if code == errno.ENOSPC else "read-only" if code == errno.EROFS else "chmod u+w") in message
    assert err.value.exit_code == 2
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["golden.json"]


# --- replace_files --------------------------------------------------------------------------------

def test_replace_files_writes_deletes_and_leaves_only_the_lock(tmp_path: Path) -> None:
    fs.replace_files(generation(tmp_path, 0), root=tmp_path)
    assert generation_on_disk(tmp_path) == 0
    fs.replace_files(generation(tmp_path, 1), root=tmp_path)
    assert generation_on_disk(tmp_path) == 1 and leftovers(tmp_path) == []
    assert fs.recover(tmp_path) == 0 and not fs.pending(tmp_path)


def test_replace_files_refuses_paths_outside_its_root(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a file under"):
        fs.replace_files({tmp_path.parent / "elsewhere.txt": b"x"}, root=tmp_path)
    with pytest.raises(ValueError, match="not a file under"):
        fs.replace_files({tmp_path / fs.TXN / "x.json": b"x"}, root=tmp_path)


def test_recover_rolls_a_committed_set_forward_and_removes_an_uncommitted_one(tmp_path: Path) -> None:
    """The two states a kill can leave, built by hand: both settle to one whole generation."""
    fs.replace_files(generation(tmp_path, 0), root=tmp_path)
    for state, expected in (("committed", 1), ("prepared", 0)):
        if state == "prepared":
            fs.replace_files(generation(tmp_path, 0), root=tmp_path)
        new = generation(tmp_path, 1)
        ops = fs._plan(new, tmp_path, "killed")
        for (tmp, _), data in zip(ops, new.values(), strict=True):
            if tmp is not None:
                (tmp_path / tmp).write_bytes(data)
        first_tmp, first_dst = ops[0]
        if state == "committed":  # killed after the first rename
            os.replace(tmp_path / first_tmp, tmp_path / first_dst)
        (tmp_path / fs.TXN / "killed.json").write_text(json.dumps({"state": state, "ops": ops}))
        (tmp_path / fs.TXN / ".killed.json.1234.tmp").write_text("{")  # a record's own temp file
        assert fs.pending(tmp_path)
        assert fs.recover(tmp_path) == 1
        assert generation_on_disk(tmp_path) == expected and leftovers(tmp_path) == []


#: A child that replaces the set again and again, generation after generation, until it is killed.
WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[2])
    from test_fs import generation
    from capture import fs
    root = Path(sys.argv[1])
    n = int(sys.argv[3])
    print("ready", flush=True)
    while True:
        n += 1
        fs.replace_files(generation(root, n), root=root)
        print(n, flush=True)
""")


def test_kill_9_at_any_moment_leaves_the_old_set_or_the_new_one(tmp_path: Path) -> None:
    """20 writers killed with SIGKILL at random moments: after recover, each set is one generation and
    no temporary file remains. (Golden files written one by one, as accept does today, mix.)"""
    rng = random.Random(21)
    settled_any = 0
    for trial in range(20):
        root = tmp_path / f"trial{trial}"
        fs.replace_files(generation(root, 0), root=root)
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(root), str(Path(__file__).parent), "0"],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        written = [int(line) for line in proc.stdout.read().split()]
        proc.stdout.close()
        settled_any += fs.recover(root)
        n = generation_on_disk(root)
        assert n in (max(written, default=0), max(written, default=0) + 1)  # the last done, or the one cut
        assert leftovers(root) == [], f"trial {trial}: left {leftovers(root)}"
    print(f"kill -9: 20 trials, {settled_any} cut mid-transaction and settled by recover")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_a_write_that_fails_at_any_point_changes_nothing(tmp_path, monkeypatch, code) -> None:
    """The k-th write of a transaction fails (disk full, or a folder not writable) for every k: the set
    stays old, new folders are removed, no temp file stays, and the error is one line naming a path."""
    fs.replace_files(generation(tmp_path, 0), root=tmp_path)
    new = {**generation(tmp_path, 1), tmp_path / "new" / "dir" / "e.txt": b"e"}
    real_write = os.write
    k = 0
    while True:
        k += 1
        calls = 0

        def write(fd, data, k=k):
            nonlocal calls
            calls += 1
            if calls == k:
                raise OSError(code, os.strerror(code))
            return real_write(fd, data)

        monkeypatch.setattr(os, "write", write)
        try:
            fs.replace_files(new, root=tmp_path)
        except StorageError as exc:
            message = str(exc)
        else:
            break
        finally:
            monkeypatch.undo()
        assert "\n" not in message and str(tmp_path) in message and "nothing was changed" in message
        assert generation_on_disk(tmp_path) == 0, f"write {k} failing changed the set"
        assert leftovers(tmp_path) == [] and not (tmp_path / "new").exists()
    assert k == sum(v is not None for v in new.values()) + 2 + 1  # each temp file and both records failed once
    assert generation_on_disk(tmp_path) == 1 and (tmp_path / "new" / "dir" / "e.txt").read_bytes() == b"e"


def test_a_read_only_subfolder_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``sub/`` refuses new files (EACCES, as chmod 0o555 does for a non-root user): nothing changes."""
    fs.replace_files(generation(tmp_path, 0), root=tmp_path)
    real_open = os.open

    def read_only(path, flags, *a, **kw):
        if flags & os.O_CREAT and Path(path).parent == tmp_path / "sub":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *a, **kw)

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(StorageError, match=rf"cannot write {tmp_path / 'sub' / 'b.txt'}: permission denied"):
        fs.replace_files(generation(tmp_path, 1), root=tmp_path)
    monkeypatch.undo()
    assert generation_on_disk(tmp_path) == 0 and leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions (the EACCES test above covers it)")
def test_a_chmod_555_folder_changes_nothing(tmp_path: Path) -> None:
    fs.replace_files(generation(tmp_path, 0), root=tmp_path)
    (tmp_path / "sub").chmod(0o555)
    try:
        with pytest.raises(StorageError, match="permission denied"):
            fs.replace_files(generation(tmp_path, 1), root=tmp_path)
    finally:
        (tmp_path / "sub").chmod(0o755)
    assert generation_on_disk(tmp_path) == 0 and leftovers(tmp_path) == []
