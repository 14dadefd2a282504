"""Writing files so that nothing is ever half written: one file (:func:`write_atomic`) or a set of files
(:func:`replace_files`), which after any crash, kill -9 included, holds all old or all new contents.

A set is replaced through a journal under ``<root>/.txn/``:

1. a *prepared* record (``<txid>.json``) lists every temporary file about to be written;
2. every new file is written as a temporary sibling of its destination and fsynced;
3. the record is rewritten as *committed* (atomically: this rename is the commit point);
4. each temporary file is renamed over its destination (or a destination deleted), then the record goes.

:func:`recover` (run by every :func:`replace_files` first, and by readers that want a settled folder)
rolls a committed record forward (its temporary files are complete) and undoes a prepared one (deletes
its temporary files). Writers of one root take turns on ``<root>/.txn/txn.lock``.

A full disk or a read-only folder before the commit point changes nothing and raises
:class:`~capture.errors.StorageError`, one line naming the path and the fix.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from .errors import storage_error
from .lock import file_lock

TXN = ".txn"
LOCK_NAME = "txn.lock"  # capture.lock.file_lock(<root>/.txn/txn) holds it

def _raise_mapped(exc: OSError, path: Path) -> None:
    err = storage_error(exc, path)
    if err is not None:
        raise err from exc
    raise exc


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def fsync_dir(path: Path) -> None:
    """Make a folder's new entries (a rename into it) durable; where a folder cannot be fsynced, nothing."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temp_of(path: Path, tag: str) -> Path:
    return path.with_name(f".{path.name}.{tag}.tmp")


def _write_temp(tmp: Path, data: bytes, like: Path) -> None:
    """Write and fsync ``tmp``; it gets ``like``'s permissions when that exists (else the umask's)."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    with contextlib.suppress(FileNotFoundError):
        os.chmod(tmp, like.stat().st_mode & 0o777)


def write_atomic(path: Path, data: bytes) -> None:
    """Write one file so a reader sees the old file or the whole new one, never half (goldens,
    reports, the review page, overlays): a temporary sibling, fsynced, renamed over it."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temp_of(path, secrets.token_hex(4))
        try:
            _write_temp(tmp, data, path)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        _raise_mapped(exc, path)
    fsync_dir(path.parent)


# --- file sets ------------------------------------------------------------------------------------

#: One step of a transaction, paths relative to its root: (temporary file, destination); no temporary
#: file means delete the destination.
Op = tuple[str | None, str]


@contextlib.contextmanager
def _txn_lock(root: Path) -> Iterator[Path]:
    txn = root / TXN
    try:
        txn.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _raise_mapped(exc, txn)
    with file_lock(txn / LOCK_NAME.removesuffix(".lock")):  # FileLock adds the ".lock"
        yield txn


def _relative(path: Path, root: Path) -> str:
    rel = os.path.relpath(Path(path).absolute(), root.absolute())
    if rel == "." or rel.startswith("..") or rel.split(os.sep)[0] == TXN:
        raise ValueError(f"{path} is not a file under {root}")
    return rel


def _plan(files: Mapping[Path, bytes | None], root: Path, txid: str) -> list[Op]:
    ops: list[Op] = []
    for path, data in files.items():
        rel = _relative(path, root)
        ops.append((None if data is None else str(_temp_of(Path(rel), txid)), rel))
    return ops


def _write_record(record: Path, state: str, ops: list[Op]) -> None:
    write_atomic(record, json.dumps({"state": state, "ops": ops}).encode("utf-8"))


def _apply(root: Path, ops: list[Op]) -> None:
    """Rename every temporary file into place, delete what is to be deleted. Idempotent: a temporary
    file already renamed is simply gone."""
    for tmp, dst in ops:
        if tmp is None:
            (root / dst).unlink(missing_ok=True)
        elif (root / tmp).exists():
            os.replace(root / tmp, root / dst)
    for folder in {(root / dst).parent for _, dst in ops}:
        fsync_dir(folder)


def _discard(root: Path, ops: list[Op], made: Sequence[Path] = ()) -> None:
    """Undo a transaction that never committed: its temporary files and the folders it created go."""
    for tmp, _ in ops:
        if tmp is not None:
            with contextlib.suppress(OSError):
                (root / tmp).unlink(missing_ok=True)
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _make_parents(folder: Path, made: list[Path]) -> None:
    """``mkdir -p``, noting each folder it created (so a failed transaction can remove them)."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for p in reversed(missing):
        p.mkdir(exist_ok=True)
        made.append(p)


def replace_files(files: Mapping[Path, bytes | None], *, root: Path) -> None:
    """Replace a set of files under ``root`` (``None`` deletes one) all at once: after any crash,
    once :func:`recover` has run, every file holds its old contents or every one its new."""
    root = Path(root)
    txid = secrets.token_hex(6)
    ops = _plan(files, root, txid)
    with _txn_lock(root) as txn:
        _recover_locked(root, txn)
        record, where = txn / f"{txid}.json", txn
        made: list[Path] = []
        try:
            _write_record(record, "prepared", ops)
            for (tmp, dst), data in zip(ops, files.values(), strict=True):
                if tmp is not None:
                    where = root / dst
                    _make_parents(where.parent, made)
                    _write_temp(root / tmp, data, where)
            for folder in {(root / dst).parent for tmp, dst in ops if tmp is not None}:
                fsync_dir(folder)
            where = record
            _write_record(record, "committed", ops)
        except BaseException as exc:
            _discard(root, ops, made)
            with contextlib.suppress(OSError):
                record.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                _raise_mapped(exc, where)
            raise
        _finish(root, txn, record, ops)


def _finish(root: Path, txn: Path, record: Path, ops: list[Op]) -> None:
    try:
        _apply(root, ops)
        record.unlink()
    except OSError as exc:
        err = storage_error(exc, Path(exc.filename or root),
                            f"the change is kept in {record} and finished by the next write once that is fixed")
        if err is None:
            raise
        raise err from exc
    fsync_dir(txn)


def _read_record(record: Path) -> tuple[str, list[Op]]:
    data = json.loads(record.read_text(encoding="utf-8"))
    return data["state"], [(tmp, dst) for tmp, dst in data["ops"]]


def _recover_locked(root: Path, txn: Path) -> int:
    settled = 0
    for entry in sorted(txn.iterdir()):
        if entry.name == LOCK_NAME:
            continue
        if entry.suffix == ".json" and not entry.name.startswith("."):
            try:
                state, ops = _read_record(entry)
            except (OSError, ValueError, KeyError, TypeError):
                state, ops = "unreadable", []  # written atomically, so only outside damage gets here
            if state == "committed":
                _apply(root, ops)
            else:
                _discard(root, ops)
            settled += 1
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)  # a record, or a record's own temporary file
    fsync_dir(txn)
    return settled


def pending(root: Path) -> bool:
    """Whether ``root`` has a transaction to settle (cheap: one listdir; False for a read-only folder
    that never saw a write)."""
    try:
        return any(name != LOCK_NAME for name in os.listdir(Path(root) / TXN))
    except OSError:
        return False


def recover(root: Path) -> int:
    """Settle what a killed :func:`replace_files` left under ``root``: a committed set is finished, an
    uncommitted one removed. Returns how many transactions it settled (0 at once when none)."""
    root = Path(root)
    if not pending(root):
        return 0
    with _txn_lock(root) as txn:
        return _recover_locked(root, txn)
