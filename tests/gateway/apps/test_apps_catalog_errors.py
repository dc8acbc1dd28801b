"""A broken catalog fails at load with file, line and field; each case has its own fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.apps import load_catalog
from gateway.errors import CatalogError, ConfigError

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(("fixture", "line", "field", "message"), [
    ("bad_category.yaml", 6, "apps[0].category", "'filesharing'"),
    ("bad_activity.yaml", 11, "apps[0].signatures[0].activity", "'uploading'"),
    ("bad_regex.yaml", 13, "apps[0].signatures[0].path", "invalid regular expression"),
    ("duplicate_app_id.yaml", 9, "apps[1].id", "duplicate app id 'acme_files'"),
    ("risk_out_of_range.yaml", 9, "apps[0].risk.score", "less than or equal to 100"),
    ("missing_field.yaml", 3, "apps[0].vendor", "Field required"),
    ("bad_method.yaml", 12, "apps[0].signatures[0].methods[1]", "'SEND'"),
    ("no_match_example.yaml", 15, "apps[0].signatures[0].examples.match", "at least 1 item"),
    ("tenant_regex_without_group.yaml", 10, "apps[0].tenant[0].host", "no named group 'tenant'"),
    ("bad_domain.yaml", 9, "apps[0].domains[1]", "invalid domain pattern 'files.*.acme.test'"),
    ("duplicate_domain.yaml", 15, "apps[1].domains[1]", "already belongs to app 'acme_files'"),
    ("duplicate_signature_id.yaml", 17, "apps[0].signatures[1].id", "duplicate signature id"),
])
def test_broken_catalog_names_line_and_field(
    fixture: str, line: int, field: str, message: str
) -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog(FIXTURES / fixture)
    err = info.value
    assert (err.file, err.line, err.field) == (str(FIXTURES / fixture), line, field)
    assert message in err.message
    assert str(err).startswith(f"{FIXTURES / fixture}:{line}: {field}: ")


def test_bad_category_lists_the_accepted_ones() -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog(FIXTURES / "bad_category.yaml")
    assert "'file_sharing'" in info.value.message and "'webmail'" in info.value.message


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog(FIXTURES / "invalid_yaml.yaml")
    assert info.value.line == 5
    assert "invalid YAML" in info.value.message


def test_missing_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read file"):
        load_catalog(tmp_path / "nope.yaml")


def test_catalog_error_is_a_config_error() -> None:
    assert issubclass(CatalogError, ConfigError)
