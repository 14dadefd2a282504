"""a11y.json in the bundle: written on every capture, care and normal, byte-identical across captures."""

from __future__ import annotations

import json

import pytest

from capture import bundle
from capture.a11y import evaluate
from capture.recorder import RecordOptions, record
from capture.replica import seed_page
from capture.targets import Target

pytestmark = pytest.mark.usefixtures("replica_only")


def test_a11y_json_is_in_every_bundle_and_byte_identical(site_origin, tmp_path):
    seed = seed_page()
    target = Target(seed.id, f"https://www.163.com{seed.path}")
    a, b = tmp_path / "a", tmp_path / "b"
    for snap in (a, b):
        out = record([target], snap, RecordOptions(replica=True, base_url=site_origin))
        assert [o.status for o in out] == ["ok", "ok"], [o.reason for o in out]
    for mode in ("normal", "care"):
        fa = bundle.bundle_dir(a, seed.id, mode) / "a11y.json"
        fb = bundle.bundle_dir(b, seed.id, mode) / "a11y.json"
        text = fa.read_text(encoding="utf-8")
        assert fa.read_bytes() == fb.read_bytes(), f"{mode}/a11y.json differs between two captures"
        assert text.endswith("}\n")
        data = json.loads(text)
        assert "error" not in data, data.get("error")
        assert list(data) == sorted(data) and data["keyboard"]["reached"] > 0 and data["axe"]["version"]
    care = json.loads((bundle.bundle_dir(a, seed.id, "care") / "a11y.json").read_text(encoding="utf-8"))
    normal = json.loads((bundle.bundle_dir(a, seed.id, "normal") / "a11y.json").read_text(encoding="utf-8"))
    assert evaluate(care, "care") == []
    assert normal["ads"]["elements"] > 0 and care["ads"]["elements"] == 0
