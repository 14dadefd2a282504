"""The last check's failing results, repaired: the golden and its page's copies read from the
snapshots, every page proposed and verified, and the report rendered (the CLI, review and pytest
plugin call in here)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import bundle as bundle_mod
from .. import goldens
from ..errors import CaptureError, CorruptFile
from ..report import CheckReport, PageResult
from .model import PageRepair, addition_of, overlay_diff
from .propose import Case, propose
from .read import masked
from .site import Table


def references(result: PageResult, snapshots: Path, target_set: str, golden: dict[str, Any],
               base: Table) -> list[tuple[str, bytes, str, str | None]]:
    """Copies of the golden's own page, best first: the stored bundle when it reads as the golden; on
    the replica, its page served without drift."""
    out: list[tuple[str, bytes, str, str | None]] = []
    stored = bundle_mod.bundle_dir(snapshots, result.id, result.mode)
    if bundle_mod.is_complete(stored):
        try:
            b = bundle_mod.read_bundle(stored)
            if masked(b.dom, b.meta.final_url, result.mode, b.meta.base_url, base) == golden:
                out.append((f"stored bundle {stored}", b.dom, b.meta.final_url, b.meta.base_url))
        except CaptureError:
            pass
    if target_set == "replica":
        from ..replica import handle
        from ..replica.content import page_by_id

        rp = page_by_id(result.id)
        if rp is not None:
            resp = handle("GET", rp.path if result.mode == "normal" else rp.care_path, "", None)
            if resp.status == 200:
                url = rp.live_url if result.mode == "normal" else rp.live_care_url
                out.append(("the replica's page without drift", resp.body, url, None))
    return out


def read_extraction_golden(result: PageResult, snapshots: Path, target_set: str) -> dict[str, Any] | None:
    path = goldens.GoldenStore(snapshots, goldens.TargetSet(target_set)).path(result.id, result.mode,
                                                                                 goldens.View.EXTRACTION)
    if not path.is_file() and result.golden.get("extraction"):
        path = Path(result.golden["extraction"])
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise CorruptFile(f"golden {path} is corrupt: regenerate it with `capture accept {result.id} --mode "
                          f"{result.mode}` or `pytest --snapshot-update`") from None
    if not isinstance(data, dict):
        raise CorruptFile(f"golden {path} is not a JSON object: regenerate it with `capture accept {result.id}`")
    return data


def repair_bundle(bundle_path: Path, golden: dict[str, Any], target_id: str, mode: str, snapshots: Path,
                  target_set: str, base: Table, overlay: Path) -> PageRepair:
    """The repair of one new capture against its extraction golden; its diff is of ``overlay``."""
    b = bundle_mod.read_bundle(bundle_path)
    result = PageResult(target_id, mode, b.meta.final_url, "changed", bundle=str(bundle_path))
    case = Case(target_id, mode, b.meta.final_url, b.dom, b.meta.base_url, golden,
                references(result, Path(snapshots), target_set, golden, base))
    repair = propose(case, base)
    if repair.repairs:
        existing = overlay.read_text(encoding="utf-8") if overlay.is_file() else ""
        repair.diff = overlay_diff(existing, repair.addition(), overlay.name)
    return repair


def repair_result(result: PageResult, snapshots: Path, target_set: str, base: Table,
                  overlay: Path) -> PageRepair | None:
    """The repair of one result of a check report; None when it has no new capture or no golden."""
    if not result.bundle:
        return None
    bundle_path = Path(result.bundle)
    if not bundle_path.is_absolute() and not bundle_path.exists():
        bundle_path = Path(snapshots) / bundle_path
    golden = read_extraction_golden(result, Path(snapshots), target_set)
    if golden is None or not bundle_mod.is_complete(bundle_path):
        return None
    return repair_bundle(bundle_path, golden, result.id, result.mode, snapshots, target_set, base, overlay)


def failure_note(repair: PageRepair, command: str) -> str:
    """What a failing extraction golden test adds to its message: the verified repair (diff, figures,
    the command), or why there is none."""
    if repair.verified:
        return (f"the layout changed: a verified repair of {', '.join(repair.broken)} is proposed\n"
                f"{repair.diff.rstrip()}\nverified {repair.verification.line()}\napply it with: {command}\n")
    if repair.status == "nothing-broken":
        return ""
    why = "\n".join(f"- {r}" for r in repair.reasons) or "- no selector found"
    return f"no selector repair for {', '.join(repair.broken)} ({repair.status}):\n{why}\n"


@dataclass
class RepairRun:
    """Every page's repair, and the overlay they would be written into."""

    overlay: Path
    pages: list[PageRepair]
    existing: str = ""
    #: The table the repairs were proposed against (the overlay over the package's).
    base: Table = Table()

    @property
    def broken(self) -> list[PageRepair]:
        return [p for p in self.pages if p.status != "nothing-broken"]

    @property
    def verified(self) -> list[PageRepair]:
        return [p for p in self.pages if p.verified]

    def addition(self) -> dict[str, Any]:
        return addition_of([r for p in self.verified for r in p.repairs], site=self.base.site())

    @property
    def exit_code(self) -> int:
        return 1 if any(p.fails for p in self.broken) else 0


def run_repair(report: CheckReport, snapshots: Path, overlay: Path, *, ids: set[str] | None = None,
               modes: tuple[str, ...] | None = None) -> RepairRun:
    """Propose and verify a repair for every failing result of ``report`` (``ids``/``modes``: only those)."""
    overlay = Path(overlay)
    base = Table((overlay,) if overlay.is_file() else ())
    existing = overlay.read_text(encoding="utf-8") if overlay.is_file() else ""
    run = RepairRun(overlay, [], existing, base)
    for r in report.results:
        if not r.fails or (ids and r.id not in ids) or (modes and r.mode not in modes):
            continue
        repair = repair_result(r, Path(snapshots), report.target, base, overlay)
        if repair is not None:
            run.pages.append(repair)
    return run


def render_text(run: RepairRun, command: str) -> str:
    """The report: one block per broken page (status, fields, diff, figures, why not), then the command."""
    lines: list[str] = []
    for p in run.pages:
        if p.status == "nothing-broken":
            lines.append(f"{p.id} {p.mode:<6} extraction matches its golden: nothing to repair "
                         "(a layout difference left is the fingerprint's)")
            continue
        fields = ", ".join(f"{r.field} → {r.selector} ({r.found})" for r in p.repairs)
        lines.append(f"{p.id} {p.mode:<6} {p.status}: broken {', '.join(p.broken)}; "
                     + (f"proposed {fields}" if fields else "no selector proposed"))
        if p.diff:
            lines += ["    " + d for d in p.diff.rstrip("\n").splitlines()]
        if p.verification is not None:
            lines.append("    verified " if p.verified else "    not verified ")
            lines[-1] += p.verification.line()
        lines += [f"    - {why}" for why in p.reasons]
    if run.verified:
        lines.append(f"apply the verified repairs: {command}")
    broken = run.broken
    lines.append(f"{sum(not p.fails for p in broken)} of {len(broken)} broken page×mode repaired; "
                 f"overlay {run.overlay}")
    return "\n".join(lines) + "\n"
