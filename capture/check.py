"""``capture check`` and ``capture accept``: recapture, compare with the goldens, classify, promote.

New captures go to ``<snapshots>/reports/check/captures/<id>/<mode>``; the report to
``<snapshots>/reports/last-check.json``. ``accept`` writes goldens with the very serializers the
pytest suite's syrupy extensions use, so ``capture accept`` and ``pytest --snapshot-update`` leave the
same files.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import bundle, goldens
from .compare import (
    FIELD_REGION,
    GoldenViews,
    care_differences,
    classify,
    extraction_data,
    views,
    volatile_changes,
)
from .environment import env_of
from .errors import CaptureError, CorruptFile, LayoutNotRecognized, MissingField
from .recorder import Outcome, RecordOptions, record
from .report import (
    CheckReport,
    Difference,
    PageResult,
    accept_command,
    check_captures_root,
    last_check_path,
    new_golden,
    no_golden,
)
from .targets import Target

SERIALIZERS = {"extraction": goldens.GoldenJSON, "skeleton": goldens.GoldenSkeleton,
               "text": goldens.GoldenText, "aria": goldens.GoldenAria, "a11y": goldens.GoldenA11y}


def serialize(kind: str, value: Any) -> str:
    """Golden file text for one view, byte-identical to what syrupy writes for the same test."""
    return SERIALIZERS[kind]().serialize(value)


def view_values(v: GoldenViews) -> dict[str, Any]:
    return {"extraction": v.extraction, "skeleton": v.skeleton, "text": v.text, "aria": v.aria, "a11y": v.a11y}


def read_golden(target_id: str, mode: str, root: Path, target: str) -> GoldenViews | None:
    """The stored goldens of one page and mode; None when there are none; CorruptFile when broken."""
    paths = goldens.golden_paths(target_id, mode, root, target)
    if not any(p.exists() for p in paths.values()):
        return None
    hint = f"regenerate it with `{accept_command(target_id, mode, target)}` or `pytest --snapshot-update`"
    values: dict[str, Any] = {}
    for kind, path in paths.items():
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CorruptFile(f"golden {path} is missing: {hint}") from None
        except UnicodeDecodeError:
            raise CorruptFile(f"golden {path} is not UTF-8 text: {hint}") from None
        if kind in ("extraction", "skeleton", "a11y"):
            try:
                values[kind] = json.loads(text)
            except ValueError as exc:
                raise CorruptFile(f"golden {path} is corrupt or truncated ({exc.msg}): {hint}") from None
            if not isinstance(values[kind], dict):
                raise CorruptFile(f"golden {path} is not a JSON object: {hint}")
        else:
            values[kind] = text
    # Goldens hold the masked extraction; mask a golden-side value again is a no-op.
    return GoldenViews(**values)


def _masked(v: GoldenViews) -> GoldenViews:
    """Views as stored: the extraction passes through the golden serializer's mask."""
    return replace(v, extraction=json.loads(serialize("extraction", v.extraction)))


#: Extractions this run already made, by bundle folder: ``{path: (extraction data, final URL)}``, so a
#: 关怀版 is judged against its normal page without extracting that page again.
Seen = dict[Path, tuple[dict[str, Any], str]]


def compare_bundle(target: Target, mode: str, bundle_path: Path, root: Path, target_set: str,
                   previous: Path | None = None, seen: Seen | None = None) -> PageResult:
    """Compare one new bundle with its goldens and classify every difference (the page is extracted
    once; ``seen`` shares extractions between the calls of one run)."""
    paths = {k: str(p) for k, p in goldens.golden_paths(target.id, mode, root, target_set).items()}
    result = PageResult(target.id, mode, target.url, "unchanged", bundle=str(bundle_path), golden=paths)
    golden = read_golden(target.id, mode, root, target_set)
    if golden is None:  # syrupy's missing snapshot: fails, and is not a difference of the page
        result.status = "no-golden"
        result.differences.append(no_golden(target.id, mode, target_set))
        return result
    new_bundle = bundle.read_bundle(bundle_path)
    try:
        current = views(new_bundle)
    except (LayoutNotRecognized, MissingField) as exc:
        region = FIELD_REGION.get(getattr(exc, "field", ""), "page")
        care_diffs = care_differences(new_bundle, *_normal_of(target, bundle_path, previous, root, target_set, seen)) \
            if mode == "care" else []
        result.status = "changed"
        result.differences += care_diffs or [Difference("layout-changed", region, str(exc))]
        return result
    if seen is not None:
        seen[bundle_path] = (current.extraction, new_bundle.meta.final_url)
    care_diffs = care_differences(new_bundle, *_normal_of(target, bundle_path, previous, root, target_set, seen),
                                  current.extraction) if mode == "care" else []
    diffs = care_diffs + classify(golden, _masked(current))
    if not diffs and previous is not None:
        try:  # a missing or broken previous bundle (CorruptFile) just means no churn to report
            diffs = volatile_changes(extraction_data(bundle.read_bundle(previous)), current.extraction)
        except CaptureError:
            pass
    result.differences = diffs
    result.status = "changed" if any(d.fails for d in diffs) else "unchanged"
    return result


def _normal_of(target: Target, care_path: Path, stored_care: Path | None, root: Path,
               target_set: str, seen: Seen | None = None) -> tuple[dict[str, Any] | None, str]:
    """The normal page's extraction a care capture is judged against, and its URL: this run's normal
    capture, else the stored one, else (a check of the 关怀版 alone) the normal golden."""
    for path in (care_path.parent / "normal", stored_care.parent / "normal" if stored_care else None):
        if path is not None and seen and path in seen:
            return seen[path]
        if path is not None and bundle.is_complete(path):
            try:
                normal = bundle.read_bundle(path)
                return extraction_data(normal), normal.meta.final_url
            except (CaptureError, LayoutNotRecognized, MissingField):
                continue
    try:
        golden = read_golden(target.id, "normal", root, target_set)
    except CorruptFile:
        golden = None
    return (golden.extraction, golden.extraction.get("url") or target.url) if golden else (None, target.url)


def run_check(targets: list[Target], snapshots: Path, opts: RecordOptions, *, target_set: str,
              on_done: Callable[[Outcome], None] | None = None, accept_new: bool = False) -> CheckReport:
    """Recapture ``targets`` (forced, or replayed from the stored bundles) and compare with goldens.

    ``accept_new``: a page and mode with no golden at all gets its goldens from this capture, by
    :func:`accept` itself (so the files are those of ``capture accept`` and ``pytest --snapshot-update``),
    and is reported ``new``, which does not fail. A page with goldens is only ever compared.
    """
    root = check_captures_root(snapshots)
    if root.exists():
        shutil.rmtree(root / "captures", ignore_errors=True)
    opts = replace(opts, force=True, replay_from=Path(snapshots) if opts.replay else None)
    by_id = {t.id: t for t in targets}
    seen: Seen = {}
    compared: dict[tuple[str, str], Future[PageResult]] = {}

    def done(o: Outcome) -> None:
        """Compare a bundle as soon as it is written, beside the captures still running (one thread:
        a 关怀版 comes after its normal page, whose extraction it reuses)."""
        if on_done is not None:
            on_done(o)
        if o.status == "ok" and o.path is not None:
            compared[(o.id, o.mode)] = pool.submit(compare_bundle, by_id[o.id], o.mode, o.path, Path(snapshots),
                                                   target_set, bundle.bundle_dir(snapshots, o.id, o.mode), seen)

    with ThreadPoolExecutor(1, thread_name_prefix="check-compare") as pool:
        outcomes = record(targets, root, opts, on_done=done)
    by_key = {(o.id, o.mode): o for o in outcomes}
    report = CheckReport(created_at=datetime.now(UTC).isoformat(timespec="seconds"), snapshots=str(snapshots),
                         target=target_set, base_url=opts.base_url)
    for t in targets:
        for mode in opts.modes:
            o = by_key[(t.id, mode)]
            if o.status != "ok" or o.path is None:
                report.results.append(PageResult(t.id, mode, t.url, "failed",
                                                 [Difference("fetch-failed", "page", o.reason)]))
                continue
            result = compared[(t.id, mode)].result()
            if accept_new and result.status == "no-golden":
                _accept_new(result, Path(snapshots), target_set)
            report.results.append(result)
    report.write(last_check_path(snapshots))
    return report


def _accept_new(result: PageResult, snapshots: Path, target_set: str) -> None:
    """Make this check's capture of a page without goldens its golden: status ``new``, or, when the page
    cannot be extracted (then nothing is written), the layout difference that says why."""
    try:
        written = accept([result.id], (result.mode,), snapshots, target_set)
    except (LayoutNotRecognized, MissingField) as exc:
        region = FIELD_REGION.get(getattr(exc, "field", ""), "page")
        result.differences.append(Difference("layout-changed", region, f"no golden recorded: {exc}"))
        return
    result.status = "new"
    result.differences = [new_golden(len(written), goldens.golden_dir(goldens.MODULE, snapshots, target_set))]


def write_goldens(b: bundle.Bundle, root: Path, target_set: str, v: GoldenViews | None = None) -> list[Path]:
    """Write every golden of one bundle (extraction, skeleton, text, aria, env, screen), atomically each;
    ``v``: the bundle's :func:`views`, when the caller has them already.

    All contents are computed first, so a bundle that cannot be extracted writes nothing.
    """
    v = v or views(b)
    paths = goldens.golden_paths(b.meta.id, b.meta.mode, root, target_set)
    blobs = {paths[k]: serialize(k, val).encode("utf-8") for k, val in view_values(v).items()}
    blobs[goldens.env_path(b.meta.id, b.meta.mode, root, target_set)] = (
        json.dumps(env_of(b.meta), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    blobs[goldens.screen_path(b.meta.id, b.meta.mode, root, target_set)] = b.screenshot
    for path, data in blobs.items():
        bundle.write_atomic(path, data)
    return list(blobs)


def accept(ids: list[str], modes: tuple[str, ...], snapshots: Path, target_set: str) -> list[Path]:
    """Promote the last check's captures (else the stored bundles) of ``ids`` to golden."""
    written: list[Path] = []
    check_root = check_captures_root(snapshots)
    for target_id in ids:
        for mode in modes:
            new = bundle.bundle_dir(check_root, target_id, mode)
            source = new if bundle.is_complete(new) else bundle.bundle_dir(snapshots, target_id, mode)
            if not bundle.is_complete(source):
                raise CorruptFile(f"no capture of {target_id}/{mode} to accept at {new} or {source}: "
                                  f"run `capture check {target_id}` or `capture record {target_id}` first")
            written += write_goldens(bundle.read_bundle(source), Path(snapshots), target_set)
            if source == new:
                _promote_bundle(new, Path(snapshots), target_id, mode)
    return written


def _promote_bundle(src: Path, snapshots: Path, target_id: str, mode: str) -> None:
    """The accepted capture also becomes the stored bundle (staged copy, then swapped in)."""
    with bundle.staging(snapshots, target_id, mode) as stage:
        for name in bundle.FILES:
            if (src / name).exists():
                shutil.copyfile(src / name, stage / name)
