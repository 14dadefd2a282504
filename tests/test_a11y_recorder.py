"""a11y.json in the bundle: written on every capture, care and normal, byte-identical across captures;
axe-core on the 关怀版 always, on a normal page only with ``--a11y full``."""

from __future__ import annotations

import json

import pytest

from capture import bundle
from capture.a11y import AXE_SKIPPED, evaluate, golden_figures
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
        assert list(data) == sorted(data) and data["keyboard"]["reached"] > 0
        if mode == "care":
            assert data["axe"]["version"], "the 关怀版 always runs axe-core: its findings fail checks"
        else:
            assert data["axe"] == AXE_SKIPPED, "a normal page runs no axe-core by default"
    care = json.loads((bundle.bundle_dir(a, seed.id, "care") / "a11y.json").read_text(encoding="utf-8"))
    normal = json.loads((bundle.bundle_dir(a, seed.id, "normal") / "a11y.json").read_text(encoding="utf-8"))
    assert evaluate(care, "care") == []
    assert normal["ads"]["elements"] > 0 and care["ads"]["elements"] == 0


def test_a11y_full_runs_axe_on_the_normal_page_and_changes_nothing_else(site_origin, tmp_path):
    """``--a11y full``: the normal page's a11y.json gains axe-core's result; every other figure is the
    one a default capture measures, and the golden view of both is the same."""
    seed = seed_page()
    target = Target(seed.id, f"https://www.163.com{seed.path}")
    figures = {}
    for level in ("figures", "full"):
        [o] = record([target], tmp_path / level, RecordOptions(replica=True, base_url=site_origin,
                                                               modes=("normal",), a11y=level))
        assert o.status == "ok", o.reason
        figures[level] = bundle.read_bundle(o.path).a11y
    full, default = figures["full"], figures["figures"]
    assert isinstance(full["axe"], dict) and full["axe"]["version"] and full["axe"]["violations"]
    assert default["axe"] == AXE_SKIPPED
    assert {k: v for k, v in full.items() if k != "axe"} == {k: v for k, v in default.items() if k != "axe"}
    assert golden_figures(full, "normal") == golden_figures(default, "normal")
    assert golden_figures(default, "normal")["axe"] == AXE_SKIPPED


@pytest.mark.parametrize("command", ["record", "check"])
def test_a11y_option_of_record_and_check(command, capsys):
    from capture.cli import build_parser, config_of

    parser = build_parser()
    assert config_of(parser.parse_args([command])).options.a11y == "figures"
    assert config_of(parser.parse_args([command, "--a11y", "full"])).options.a11y == "full"
    with pytest.raises(SystemExit) as bad:
        parser.parse_args([command, "--a11y", "everything"])
    assert bad.value.code == 2
    assert "--a11y: invalid choice: 'everything'" in capsys.readouterr().err.splitlines()[-1]
