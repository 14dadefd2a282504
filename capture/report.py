"""The result of a ``capture check``: dataclasses and their JSON (``<snapshots>/reports/last-check.json``).

``capture review`` and CI read this file; ``capture check --json`` prints the same document.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from .bundle import write_atomic
from .errors import CorruptFile, first_line


class DiffClass(StrEnum):
    """A difference's class. ``no-golden``: nothing to compare with yet (syrupy's missing snapshot),
    never a layout change."""

    NO_GOLDEN = "no-golden"
    FETCH_FAILED = "fetch-failed"
    LAYOUT_CHANGED = "layout-changed"
    CONTENT_CHANGED = "content-changed"
    CARE_REGRESSION = "care-regression"
    VOLATILE_ONLY = "volatile-only"
    NEW_GOLDEN = "new-golden"

    @property
    def fails(self) -> bool:
        """Whether a difference of this class fails a check."""
        return self not in (DiffClass.VOLATILE_ONLY, DiffClass.NEW_GOLDEN)


class PageStatus(StrEnum):
    """A page's status in a report (the report's, ``--json``'s and the review's vocabulary)."""

    UNCHANGED = "unchanged"
    CHANGED = "changed"
    FAILED = "failed"
    NO_GOLDEN = "no-golden"
    NEW = "new"  # had no golden; `capture check --accept-new` recorded one from this capture
    NO_CARE = "no-care"  # the page offers no 关怀版, and its goldens had none either

    @property
    def fails(self) -> bool:
        return self in (PageStatus.CHANGED, PageStatus.FAILED, PageStatus.NO_GOLDEN)


#: Difference classes, and whether each fails a check.
CLASSES: dict[str, bool] = {c.value: c.fails for c in DiffClass}
#: Page statuses, and whether each fails a check.
STATUSES: dict[str, bool] = {s.value: s.fails for s in PageStatus}


@dataclass
class Difference:
    """One classified difference between a golden and a new capture."""

    cls: str  # a key of CLASSES
    region: str  # crumb, title-info, body, recommendations, side, nav-a11y, page, a11y rule …
    reason: str  # short, human: "class renamed: div.post_body → div.post_body_v2"
    fails: bool = True


@dataclass
class PageResult:
    """One page in one mode."""

    id: str
    mode: str
    url: str
    status: str  # a key of STATUSES
    differences: list[Difference] = field(default_factory=list)
    bundle: str | None = None  # the new capture's bundle folder
    golden: dict[str, str] = field(default_factory=dict)  # kind -> golden file

    @property
    def fails(self) -> bool:
        return any(d.fails for d in self.differences) or STATUSES.get(self.status, True)


def accept_command(target_id: str, mode: str, target_set: str) -> str:
    """The command that makes a page's new capture its golden: quoted by every "no golden" hint."""
    return f"capture accept {target_id} --mode {mode}" + (" --live" if target_set == "live" else "")


def no_golden(target_id: str, mode: str, target_set: str) -> Difference:
    """The one difference of a page without goldens: fails, and says how to create them."""
    return Difference("no-golden", "page", f"no {target_set} golden yet: create it with "
                                           f"`{accept_command(target_id, mode, target_set)}` or `pytest --snapshot-update`")


def new_golden(count: int, folder: Path) -> Difference:
    """The one difference of a page whose goldens ``--accept-new`` just recorded: informational."""
    return Difference("new-golden", "page", f"no golden yet: recorded {count} golden files in {folder} "
                                            "from this capture (review and commit them)", fails=False)


@dataclass
class CheckReport:
    created_at: str
    snapshots: str
    target: str  # "replica" | "live"
    base_url: str | None
    results: list[PageResult] = field(default_factory=list)
    #: Which run wrote it: "check" (``capture check``) or "pytest" (the plugin, after every session).
    run: str = "check"
    #: False while a check is running: a report left so by a killed check is not acted on.
    complete: bool = True
    #: What the run says once (views the goldens do not keep …).
    notes: list[str] = field(default_factory=list)

    def describe(self, path: Path) -> str:
        """Which run this report is of, and when: the review's and repair's first line."""
        state = "" if self.complete else " (did not finish)"
        return f"{path.name}: the {self.run} run of {self.created_at}{state}, {len(self.results)} page×mode"

    @property
    def fails(self) -> bool:
        return any(r.fails for r in self.results)

    def counts(self) -> dict[str, int]:
        """Results per status, every status listed (the CLI's and the review's summary line)."""
        return {s: sum(r.status == s for r in self.results) for s in STATUSES}

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckReport:
        results = [PageResult(**{**r, "differences": [Difference(**d) for d in r.get("differences", [])]})
                   for r in data.get("results", [])]
        return cls(**{**data, "results": results})

    def write(self, path: Path) -> None:
        """Atomic: a reader never sees half a report."""
        write_atomic(path, self.to_json().encode("utf-8"))

    @classmethod
    def read(cls, path: Path) -> CheckReport:
        """Read a report; a missing, unreadable or malformed one is one line naming it and the fix."""
        rerun = "rerun pytest" if path.name == "last-pytest.json" else "rerun `capture check`"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CorruptFile(f"report {path} not found: run `capture check` first") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CorruptFile(f"report {path} cannot be read ({exc}): {rerun} to regenerate it") from None
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            report = cls.from_dict(data)
            for r in report.results:
                if not isinstance(r.id, str) or not isinstance(r.mode, str):
                    raise ValueError("a result lacks its id or mode")
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            msg = first_line(exc)
            raise CorruptFile(f"report {path} is corrupt ({msg}): {rerun} to regenerate it") from None
        return report


def reports_dir(snapshots: Path) -> Path:
    return Path(snapshots) / "reports"


def last_check_path(snapshots: Path) -> Path:
    return reports_dir(snapshots) / "last-check.json"


def check_captures_root(snapshots: Path) -> Path:
    """Where ``capture check`` puts its new captures (bundles at ``<root>/captures/<id>/<mode>``)."""
    return reports_dir(snapshots) / "check"
