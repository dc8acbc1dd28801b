"""Broken policy files fail at load with file, line and field; the shipped packs load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gateway.apps import load_catalog
from gateway.dlp import DETECTOR_CATEGORIES, load_detectors
from gateway.errors import PolicyError
from gateway.policy import Vocabulary, load_dir, load_policies

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    catalog = load_catalog()
    detectors = load_detectors()
    return Vocabulary(apps=set(catalog.apps), detectors={d.id for d in detectors},
                      detector_categories=DETECTOR_CATEGORIES)


def test_every_shipped_pack_loads_and_can_be_enabled_together(vocab: Vocabulary) -> None:
    packs = load_dir(ROOT / "policies", vocab)
    assert {"default", "pci-dss", "hipaa", "gdpr", "secrets", "ai-apps"} <= set(packs)
    policies = load_policies(ROOT / "policies", list(packs), vocab)
    assert len(policies.policy.rules) == sum(len(p.pack.rules) for p in packs.values())


@pytest.mark.parametrize(("fixture", "line", "field", "words"), [
    ("unknown_action.yaml", 6, "rules[1].action", ["'allow'", "'block'", "explode"]),
    ("unknown_app.yaml", 5, "rules[0].when.apps[1]", ["unknown app", "goggle_drive"]),
    ("unknown_detector.yaml", 6, "rules[0].when.detectors.ids[0]", ["credit_crad"]),
    ("extra_field.yaml", 5, "rules[0].when.activity", ["Extra inputs"]),
    ("bad_yaml.yaml", 5, None, ["invalid YAML"]),
    ("duplicate_rule.yaml", 5, "rules[1].id", ["duplicate rule id 'r1'"]),
    ("bad_range.yaml", 5, "rules[0].when.app_risk", ["greater than max"]),
    ("bad_allow_pattern.yaml", 8, "rules[0].when.detectors.allow", ["does not compile"]),
])
def test_a_broken_policy_file_names_file_line_and_field(
        tmp_path: Path, vocab: Vocabulary, fixture: str, line: int, field: str | None,
        words: list[str]) -> None:
    shutil.copy(FIXTURES / fixture, tmp_path / fixture)
    with pytest.raises(PolicyError) as exc:
        load_dir(tmp_path, vocab)
    err = exc.value
    assert err.file is not None and err.file.endswith(fixture)
    assert err.line == line
    assert err.field == field
    for w in words:
        assert w in str(err)


def test_enabling_a_pack_that_does_not_exist_lists_the_available_ones(
        vocab: Vocabulary) -> None:
    with pytest.raises(PolicyError, match=r"\['sox'\] not found .*available: .*default.*pci-dss"):
        load_policies(ROOT / "policies", ["default", "sox"], vocab)


def test_two_files_with_the_same_pack_name_are_refused(tmp_path: Path,
                                                       vocab: Vocabulary) -> None:
    (tmp_path / "a.yaml").write_text("name: same\nrules: []\n")
    (tmp_path / "b.yaml").write_text("name: same\nrules: []\n")
    with pytest.raises(PolicyError, match="also used by"):
        load_dir(tmp_path, vocab)
