"""Build the review page: one self-contained HTML file from a check (or failing pytest) report.

Everything a captured page contributes (titles, text, DOM-derived views, reasons quoting them) reaches
the page only through the Jinja template with autoescape on; no captured HTML is embedded. The page
has no script and a Content-Security-Policy that forbids any (images are ``data:`` URIs).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from .. import bundle as bundle_mod
from .. import goldens
from ..environment import env_of
from ..errors import BadInput, CaptureError, CorruptFile
from ..report import STATUSES, CheckReport, PageResult, reports_dir
from ..sites import Site
from . import images

HERE = Path(__file__).resolve().parent
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
KINDS = ("extraction", "text", "skeleton", "aria")
#: Longest unified diff shown per view (lines); the rest is counted, not shown.
MAX_DIFF_LINES = 800


def last_pytest_path(snapshots: Path) -> Path:
    return reports_dir(snapshots) / "last-pytest.json"


def default_out(snapshots: Path) -> Path:
    return reports_dir(snapshots) / "review.html"


# --- which report -----------------------------------------------------------------------------------

def choose_report(snapshots: Path) -> Path:
    """The newer of ``last-check.json`` and ``last-pytest.json``; CorruptFile when neither exists."""
    from ..report import last_check_path

    found = [p for p in (last_check_path(snapshots), last_pytest_path(snapshots)) if p.is_file()]
    if not found:
        raise CorruptFile(f"no report to review: {last_check_path(snapshots)} not found (nor "
                          f"{last_pytest_path(snapshots).name}): run `capture check` (or pytest) first")
    return max(found, key=lambda p: p.stat().st_mtime_ns)


def read_report(path: Path) -> CheckReport:
    if not path.exists():
        raise BadInput(f"report {path} not found: run `capture check` first or give --report FILE")
    return CheckReport.read(path)


# --- views ------------------------------------------------------------------------------------------

@dataclass
class DiffView:
    kind: str
    golden_file: str
    new_label: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (css class, text)
    more: int = 0
    note: str | None = None  # shown instead of (or above) the diff
    identical: bool = False


@dataclass
class EnvView:
    mismatches: list[tuple[str, str, str]] = field(default_factory=list)  # (key, golden, new)
    note: str | None = None


@dataclass
class Entry:
    result: PageResult
    fails: bool
    bundle: str | None
    bundle_note: str | None = None
    diffs: list[DiffView] = field(default_factory=list)
    env: EnvView | None = None
    pixels: images.PixelDiff | None = None
    pixel_note: str | None = None
    repair: RepairView | None = None
    #: The command that makes this capture the golden, shown for a content change ("if intended").
    accept: str = ""
    #: The anchor of the distinct repair this page's is (see :func:`repair_groups`).
    repair_group: str = ""


def diff_rows(lines: Any) -> list[tuple[str, str]]:
    """Unified diff lines with the css class each is shown in (file, hunk, add, del, ctx)."""
    rows: list[tuple[str, str]] = []
    for line in lines:
        if line.startswith(("---", "+++")):
            css = "file"
        elif line.startswith("@@"):
            css = "hunk"
        elif line.startswith("+"):
            css = "add"
        elif line.startswith("-"):
            css = "del"
        else:
            css = "ctx"
        rows.append((css, line.rstrip("\n")))
    return rows


@dataclass
class RepairView:
    """A failing page's proposed repair (``capture repair``): the overlay diff, the figures, the command."""

    status: str
    broken: list[str]
    verified: bool
    lines: list[tuple[str, str]] = field(default_factory=list)
    figures: str = ""
    reasons: list[str] = field(default_factory=list)
    command: str = ""


@dataclass(frozen=True)
class ReviewContext:
    """What the review needs besides the report: the table the new captures are read by, the overlay
    repairs are proposed against, and the options every printed command carries."""

    site: Site
    overlay: Path | None = None
    hint_options: str = ""

    def command(self, name: str, ids: list[str], mode: str | None = None, tail: str = "") -> str:
        parts = ["capture", name, *ids, *([f"--mode {mode}"] if mode else []),
                 *([self.hint_options] if self.hint_options else []), *([tail] if tail else [])]
        return " ".join(parts)


def _repair_view(result: PageResult, root: Path, target_set: str, ctx: ReviewContext) -> RepairView | None:
    """What ``capture repair`` proposes for this page (None: nothing to say: no capture, golden or break)."""
    from ..repair import repair_result
    from ..repair.site import Table
    from ..targets import SITE_OVERLAY

    target = ctx.overlay if ctx.overlay is not None else Path(SITE_OVERLAY)
    try:
        repair = repair_result(result, root, target_set, Table((target,) if target.is_file() else ()), target)
    except CaptureError as exc:
        return RepairView("error", [], False, reasons=[f"no repair computed: {exc}"])
    if repair is None or repair.status == "nothing-broken":
        return None
    return RepairView(repair.status, repair.broken, repair.verified, diff_rows(repair.diff.splitlines()),
                      repair.verification.line() if repair.verification else "", repair.reasons,
                      ctx.command("repair", [result.id], result.mode, "--apply") if repair.verified else "")


def unified(kind: str, golden: str, new: str, golden_file: str, new_label: str) -> DiffView:
    view = DiffView(kind, golden_file, new_label)
    if golden == new:
        view.identical = True
        return view
    rows = diff_rows(difflib.unified_diff(golden.splitlines(), new.splitlines(), fromfile=f"golden {golden_file}",
                                          tofile=f"new {new_label}", n=3, lineterm=""))
    view.lines, view.more = rows[:MAX_DIFF_LINES], max(0, len(rows) - MAX_DIFF_LINES)
    return view


def _resolve(path: str | None, root: Path, report_root: str) -> Path | None:
    """A path from the report: as written, else relative to the snapshots folder actually used."""
    if not path:
        return None
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    try:
        return root / p.relative_to(report_root)
    except ValueError:
        return p


def _new_views(b: bundle_mod.Bundle, site: Site) -> tuple[dict[str, str], dict[str, str]]:
    """The new capture's golden-format texts by kind, and per-kind notes (why a view is missing or partial)."""
    from ..compare import page_views
    from ..goldens import serialize

    notes: dict[str, str] = {}
    try:
        v, error = page_views(b, site=site)
    except Exception as exc:  # a broken capture: say so, review the rest
        return {}, {k: f"could not be computed: {type(exc).__name__}: {exc}" for k in KINDS}
    texts = {k: serialize(k, value) for k, value in v.stored().items() if k in KINDS}
    if error is not None:
        texts.pop("extraction")
        notes["extraction"] = f"the new capture could not be extracted: {error}"
        # Without the extraction the aria snapshot's volatile strings cannot be masked: its diff would
        # be noise, so it is not shown (the extraction's failure says what moved).
        texts.pop("aria")
        notes["aria"] = "not compared: without an extraction its volatile strings cannot be masked"
    return texts, notes


def _env_view(golden_env: Path, new_env: dict[str, Any]) -> EnvView:
    try:
        stored = json.loads(golden_env.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return EnvView(note=f"the golden's environment was not recorded ({golden_env} missing)")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return EnvView(note=f"the golden's environment file {golden_env} is unreadable ({exc})")
    if not isinstance(stored, dict):
        return EnvView(note=f"the golden's environment file {golden_env} is not a JSON object")
    view = EnvView()
    for key in dict.fromkeys([*stored, *new_env]):
        if stored.get(key) != new_env.get(key):
            view.mismatches.append((key, json.dumps(stored.get(key), ensure_ascii=False),
                                    json.dumps(new_env.get(key), ensure_ascii=False)))
    return view


def _entry(result: PageResult, root: Path, report: CheckReport, detailed: bool, ctx: ReviewContext) -> Entry:
    bundle_path = _resolve(result.bundle, root, report.snapshots)
    entry = Entry(result=result, fails=result.fails, bundle=str(bundle_path) if bundle_path else None)
    if not detailed:
        return entry
    accept = ctx.command("accept", [result.id], result.mode)
    store = goldens.GoldenStore(root, goldens.TargetSet(report.target))
    if bundle_path is None:
        entry.bundle_note = "no new capture (the page could not be loaded): nothing to compare"
        return entry
    try:
        b = bundle_mod.read_bundle(bundle_path)
    except CaptureError as exc:
        entry.bundle_note = f"the new capture cannot be read: {exc}"
        return entry
    new_texts, notes = _new_views(b, ctx.site)
    entry.repair = _repair_view(result, root, report.target, ctx)
    entry.accept = accept if any(d.cls == "content-changed" for d in result.differences) else ""
    kept = store.kept(result.id, result.mode)
    for kind in KINDS:
        gpath = store.path(result.id, result.mode, kind)
        if kept and goldens.View(kind) not in kept:
            entry.diffs.append(DiffView(kind, str(gpath), str(bundle_path),
                                        note="not kept by this suite's goldens: not compared"))
            continue
        if not gpath.exists():
            alt = _resolve(result.golden.get(kind), root, report.snapshots)
            gpath = alt if alt is not None and alt.exists() else gpath
        try:
            golden_text = gpath.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            golden_text = None
        missing = f"no golden {gpath}: create it with `{accept}` or `pytest --snapshot-update`"
        if kind not in new_texts:
            note = missing if golden_text is None else notes.get(kind, "not available")
            view = DiffView(kind, str(gpath), str(bundle_path), note=note)
        elif golden_text is None:  # what accepting would write, shown as syrupy shows a new snapshot: all added
            view = unified(kind, "", new_texts[kind], str(gpath), f"{bundle_path} (masked)")
            view.note, view.identical = missing, False
        else:
            view = unified(kind, golden_text, new_texts[kind], str(gpath), f"{bundle_path} (masked)")
            view.note = notes.get(kind)
        entry.diffs.append(view)
    # Screenshots: only comparable when taken in the same environment.
    entry.env = _env_view(store.env_path(result.id, result.mode), env_of(b.meta))
    screen = store.screen_path(result.id, result.mode)
    if entry.env.mismatches:
        what = ", ".join(k for k, _, _ in entry.env.mismatches)
        entry.pixel_note = (f"pixel comparison skipped: the environment differs ({what}), so the screenshots "
                            f"are not comparable; if the new environment is intended, accept it with `{accept}`")
    elif not screen.is_file():
        entry.pixel_note = (f"no golden screenshot at {screen}: create one with `{accept}` "
                            f"(or `pytest --snapshot-update`), then check again")
    else:
        try:
            entry.pixels = images.pixel_diff(screen.read_bytes(), b.screenshot)
        except (OSError, ValueError) as exc:
            entry.pixel_note = f"pixel comparison failed: {exc}"
    return entry


# --- the page ---------------------------------------------------------------------------------------

def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda x: f"{x * 100:.2f}%"
    return env


@dataclass
class RepairGroup:
    """One distinct proposed repair and every failing page it fixes (shown once, not once a page)."""

    anchor: str
    view: RepairView
    pages: list[tuple[str, str]] = field(default_factory=list)
    command: str = ""


def repair_groups(entries: list[Entry], ctx: ReviewContext) -> list[RepairGroup]:
    """The failing pages' repairs, grouped by the overlay change they propose; each entry's
    ``repair_group`` names its group's anchor."""
    groups: dict[tuple, RepairGroup] = {}
    for e in entries:
        fix = e.repair
        if fix is None or not fix.lines:
            continue
        key = (fix.status, tuple(fix.lines))
        group = groups.setdefault(key, RepairGroup(f"repair-{len(groups) + 1}", fix))
        group.pages.append((e.result.id, e.result.mode))
        e.repair_group = group.anchor
    for g in groups.values():
        ids = sorted({pid for pid, _m in g.pages})
        modes = {m for _p, m in g.pages}
        g.command = ctx.command("repair", ids, next(iter(modes)) if len(modes) == 1 else None, "--apply") \
            if g.view.verified else ""
    return list(groups.values())


def render(report: CheckReport, report_path: Path, root: Path, ctx: ReviewContext) -> str:
    entries = [_entry(r, root, report, r.fails, ctx) for r in report.results]
    repairs = repair_groups([e for e in entries if e.fails], ctx)
    failing = [e for e in entries if e.fails]
    others = [e for e in entries if not e.fails]
    css = (HERE / "static" / "review.css").read_text(encoding="utf-8")
    template = _environment().get_template("review.html.j2")
    failing_counts = {s: n for s, n in report.counts().items() if n and STATUSES[s]}
    return template.render(report=report, report_path=str(report_path), root=str(root), csp=CSP,
                           described=report.describe(report_path), repairs=repairs,
                           css=Markup(css), failing=failing, others=others,  # noqa: S704 (our own file)
                           failing_counts=failing_counts,
                           compare_width=images.COMPARE_WIDTH, max_pixels=images.MAX_COMPARE_PIXELS,
                           display_width=images.DISPLAY_WIDTH)


def write_review(snapshots: Path, ctx: ReviewContext, *, report: Path | None = None, out: Path | None = None
                 ) -> tuple[Path, CheckReport, Path]:
    """Render the review of ``report`` (default: the newer last-check/last-pytest) to ``out``; return
    where it went, the report and its path. Repairs are proposed against ``ctx.overlay`` (default:
    ./netease.toml)."""
    snapshots = Path(snapshots)
    if report is not None and not Path(report).is_file():
        raise BadInput(f"report {report} not found: give an existing --report FILE, or run `capture check`")
    report_path = Path(report) if report is not None else choose_report(snapshots)
    data = read_report(report_path)
    root = snapshots
    if report is not None and Path(data.snapshots).is_dir():
        root = Path(data.snapshots)
    html = render(data, report_path, root, ctx)
    out = Path(out) if out is not None else default_out(snapshots)
    bundle_mod.write_atomic(out, html.encode("utf-8"))
    return out, data, report_path
